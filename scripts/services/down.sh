#!/usr/bin/env bash
# Stop what up.sh started, in reverse order. Services that were already running when
# up.sh reused them have no pid file of ours and are left alone.
set -euo pipefail
DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
for svc in postgres redis minio elasticsearch; do
  bash "$DIR/$svc.sh" stop
done
