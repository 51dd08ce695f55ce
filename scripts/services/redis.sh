#!/usr/bin/env bash
# Redis (Celery broker) on 127.0.0.1:6379, from Debian's redis-server package.
# Usage: redis.sh start|stop|status
# shellcheck source=scripts/services/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
SERVICE=redis
PORT=6379
PF=$(pidfile redis)
LOGFILE="$LOGS/redis.log"

healthy() { [[ "$(timeout 5 redis-cli -h "$HOST" -p "$PORT" ping 2>/dev/null)" == PONG ]]; }

start() {
  need_cmd redis-server redis-server
  already_up "$LOGFILE" "$PF" && return 0
  mkdir -p "$DATA/redis"
  # A private instance: our own dir, log and pid file; Debian's /etc/redis config is not used.
  redis-server --bind "$HOST" --port "$PORT" --daemonize yes \
    --dir "$DATA/redis" --logfile "$LOGFILE" --pidfile "$PF"
  wait_healthy "$LOGFILE" "$PF"
}

stop() { stop_pidfile "$PF"; }

service_main "$@"
