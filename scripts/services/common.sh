# shellcheck shell=bash
# Shared helpers for scripts/services/*.sh. Source it, don't run it.
# Layout:
#   $CACHE  (${CASEFILE_CACHE_DIR:-~/.cache/casefile})  downloads and builds, kept across stacks
#   $STACK  (${CASEFILE_STACK_DIR:-<repo>/.stack})       logs/, data/<service>/, run/ (pid files), opt/
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
CACHE="${CASEFILE_CACHE_DIR:-$HOME/.cache/casefile}"
STACK="${CASEFILE_STACK_DIR:-$REPO/.stack}"
LOGS="$STACK/logs"
DATA="$STACK/data"
RUN="$STACK/run"
HOST=127.0.0.1                                  # everything binds to loopback only
START_TIMEOUT="${CASEFILE_START_TIMEOUT:-180}"  # seconds to wait for a service to turn healthy

mkdir -p "$CACHE" "$LOGS" "$DATA" "$RUN"
# Keep the stack out of git without touching the repo's .gitignore.
[[ -f "$STACK/.gitignore" ]] || echo '*' >"$STACK/.gitignore"

log() { printf '[%s] %s\n' "${SERVICE:-services}" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

need_root() { [[ $EUID -eq 0 ]] || die "run as root (it creates service users and runs apt-get)"; }

# need_cmd CMD APT_PACKAGE: install the Debian package when CMD is missing.
# apt-get update only on failure: the package lists are usually there already.
need_cmd() {
  command -v "$1" >/dev/null 2>&1 && return 0
  log "$1 missing: apt-get install $2"
  need_root
  apt_install "$2"
}
apt_install() {
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -q "$@" >&2 || { apt-get update -q >&2 && apt-get install -y -q "$@" >&2; }
}

# ensure_user NAME: a system account to run services that refuse root (Elasticsearch, PostgreSQL).
ensure_user() {
  id -u "$1" >/dev/null 2>&1 || useradd --system --user-group --no-create-home --shell /usr/sbin/nologin "$1"
}

# as_user USER CMD...: run CMD as USER from / (root's cwd may be unreadable to USER).
as_user() { local u=$1; shift; (cd / && runuser -u "$u" -- "$@"); }

port_open() { (exec 3<>"/dev/tcp/$HOST/$1") 2>/dev/null; }

pidfile() { echo "$RUN/$1.pid"; }
# pid_alive FILE: the pid on the first line of FILE is a live process.
pid_alive() { [[ -s "$1" ]] && kill -0 "$(head -n1 "$1")" 2>/dev/null; }

# wait_healthy LOGFILE PIDFILE: poll healthy() once a second until START_TIMEOUT;
# stop early if the process behind PIDFILE died. On failure show the log tail and fail.
wait_healthy() {
  local logfile=$1 pf=${2:-} deadline=$((SECONDS + START_TIMEOUT))
  until healthy; do
    if [[ -n $pf && -s $pf ]] && ! pid_alive "$pf"; then
      log "process $(head -n1 "$pf") died during start"
    elif ((SECONDS < deadline)); then
      sleep 1; continue
    else
      log "not healthy after ${START_TIMEOUT}s"
    fi
    log "last lines of $logfile:"; tail -n 40 "$logfile" >&2 2>/dev/null || true
    exit 1
  done
  log "healthy on $HOST:$PORT after ${SECONDS}s"
}

# stop_pidfile FILE: TERM the process, give it 30 s to exit cleanly, then KILL.
stop_pidfile() {
  local pf=$1 pid
  if ! pid_alive "$pf"; then log "not running (no live pid in $pf)"; rm -f "$pf"; return 0; fi
  pid=$(head -n1 "$pf"); log "stopping pid $pid"
  kill -TERM "$pid"
  for _ in $(seq 30); do kill -0 "$pid" 2>/dev/null || { rm -f "$pf"; log "stopped"; return 0; }; sleep 1; done
  log "still alive after 30s: KILL"; kill -KILL "$pid" 2>/dev/null || true; rm -f "$pf"
}

# Default status: healthy on the port (whoever started it) or not.
status() {
  if healthy; then log "healthy on $HOST:$PORT"; else log "not running"; return 3; fi
}

# already_up LOGFILE PIDFILE: true when nothing needs starting: the service is healthy
# (whoever started it: reused, never started twice), or our earlier start is still
# coming up (then wait for it). A port held by something unhealthy is an error.
already_up() {
  if healthy; then log "already healthy on $HOST:$PORT: reusing"; return 0; fi
  if pid_alive "$2"; then log "pid $(head -n1 "$2") is still starting: waiting"; wait_healthy "$1" "$2"; return 0; fi
  port_open "$PORT" && die "port $HOST:$PORT is taken by something that fails the health check"
  return 1
}

service_main() {
  case "${1:-}" in
    start) start ;;
    stop) stop ;;
    status) status ;;
    *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
  esac
}
