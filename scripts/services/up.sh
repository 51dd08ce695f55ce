#!/usr/bin/env bash
# Start the whole stack (reusing whatever is already healthy), then print the settings.
# Progress goes to stderr and the export lines to stdout, so both of these work:
#   bash scripts/services/up.sh
#   eval "$(bash scripts/services/up.sh)"
set -euo pipefail
DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
t0=$SECONDS
for svc in elasticsearch minio redis postgres; do
  bash "$DIR/$svc.sh" start
done
echo "[up] stack healthy in $((SECONDS - t0))s; export these (or eval this script's output):" >&2
bash "$DIR/env.sh"
