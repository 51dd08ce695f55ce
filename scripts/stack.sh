#!/usr/bin/env bash
# `make stack`: the production stack on this machine: the four services, one Celery worker, beat and the API,
# with the settings docker-compose.yml gives them. `make stack-down` (this script's `down`) stops it all.
set -euo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
STACK="${CASEFILE_STACK_DIR:-$REPO/.stack}"
BIN="$REPO/.venv/bin"
mkdir -p "$STACK/logs" "$STACK/run"

start_background() {  # NAME COMMAND...: run once; a live pid file means it is already running
  local name=$1; shift
  local pidfile="$STACK/run/$name.pid"
  if [[ -s $pidfile ]] && kill -0 "$(cat "$pidfile")" 2>/dev/null; then
    echo "[$name] already running (pid $(cat "$pidfile"))" >&2; return
  fi
  setsid "$@" >>"$STACK/logs/$name.log" 2>&1 &
  echo $! >"$pidfile"
  echo "[$name] started (pid $!), log $STACK/logs/$name.log" >&2
}

stop_background() {
  local pidfile="$STACK/run/$1.pid"
  if [[ -s $pidfile ]] && kill -0 "$(cat "$pidfile")" 2>/dev/null; then
    kill -TERM -- "-$(cat "$pidfile")" 2>/dev/null || kill -TERM "$(cat "$pidfile")"
    for _ in $(seq 30); do kill -0 "$(cat "$pidfile")" 2>/dev/null || break; sleep 1; done
    echo "[$1] stopped" >&2
  fi
  rm -f "$pidfile"
}

case "${1:-up}" in
  up)
    eval "$(bash "$REPO/scripts/services/up.sh")"
    export CASEFILE_DATA_DIR="${CASEFILE_DATA_DIR:-$STACK/data/casefile}"
    "$BIN/casefile" migrate >&2
    # Throughput layout (decision 0006): one document per core, one Tesseract each.
    cores="$(nproc)"
    CASEFILE_OCR_WORKERS=1 start_background worker "$BIN/celery" -A workers.celery_app worker --loglevel=INFO \
      --concurrency="$cores"
    # One beat: the sweeper's schedule (re-sends jobs lost to a broker outage or a dead worker).
    start_background beat "$BIN/celery" -A workers.celery_app beat --loglevel=INFO \
      --schedule="$STACK/run/celerybeat-schedule"
    start_background api "$BIN/casefile" serve
    port="${CASEFILE_PORT:-8000}"
    for _ in $(seq 60); do
      curl -sf "http://127.0.0.1:$port/ready" >/dev/null && { echo "Casefile stack ready on http://127.0.0.1:$port" >&2; exit 0; }
      sleep 1
    done
    echo "the API did not become ready; see $STACK/logs/api.log" >&2; exit 1
    ;;
  down)
    stop_background api
    stop_background beat
    stop_background worker
    bash "$REPO/scripts/services/down.sh"
    ;;
  *) echo "usage: $0 up|down" >&2; exit 2 ;;
esac
