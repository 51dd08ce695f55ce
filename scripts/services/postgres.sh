#!/usr/bin/env bash
# PostgreSQL 15 on 127.0.0.1:5432: a private cluster in $STACK/data/postgres (Debian's own
# cluster is left alone). Creates role casefile/casefile and databases casefile, casefile_test.
# Usage: postgres.sh start|stop|status
# shellcheck source=scripts/services/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
SERVICE=postgres
PORT=5432
PGBIN=/usr/lib/postgresql/15/bin
PGDATA="$DATA/postgres"
PF="$PGDATA/postmaster.pid"   # PostgreSQL writes and removes its own pid file
LOGFILE="$LOGS/postgres.log"
# postgres refuses to run as root: use Debian's account if there, else our own.
PGUSER_OS=$(id -u postgres >/dev/null 2>&1 && echo postgres || echo casefile-pg)

healthy() { pg_isready -q -t 5 -h "$HOST" -p "$PORT"; }

install() {
  [[ -x $PGBIN/pg_ctl ]] || {
    apt_install postgresql-15 postgresql-client-15
    # The package may start Debian's main cluster on 5432; we want only ours there.
    pg_ctlcluster 15 main stop 2>/dev/null || true
  }
  command -v pg_isready >/dev/null || apt_install postgresql-client-15
}

init_cluster() {
  [[ -f $PGDATA/PG_VERSION ]] && return 0
  log "initdb into $PGDATA"
  mkdir -p "$PGDATA" && chown "$PGUSER_OS:" "$PGDATA" && chmod 700 "$PGDATA"
  # trust is safe only because the server listens on loopback alone (below).
  as_user "$PGUSER_OS" "$PGBIN/initdb" -D "$PGDATA" -U postgres -E UTF8 --locale=C.UTF-8 \
    --auth-local=trust --auth-host=trust >>"$LOGFILE"
  # TCP on 127.0.0.1 only; no unix socket, so long stack paths and /var/run don't matter.
  cat >>"$PGDATA/postgresql.conf" <<CONF
# casefile stack
listen_addresses = '$HOST'
port = $PORT
unix_socket_directories = ''
CONF
}

provision() {
  # Idempotent: role and databases are created only when missing.
  psql -q -h "$HOST" -p "$PORT" -U postgres -d postgres -v ON_ERROR_STOP=1 >/dev/null <<'SQL'
SELECT 'CREATE ROLE casefile LOGIN PASSWORD ''casefile'''
  WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'casefile') \gexec
-- CREATEDB: the contract tests give every test a database of its own.
ALTER ROLE casefile CREATEDB;
SELECT format('CREATE DATABASE %I OWNER casefile', d) FROM unnest(ARRAY['casefile', 'casefile_test']) d
  WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = d) \gexec
SQL
  log "role casefile, databases casefile and casefile_test are there"
}

start() {
  need_root
  install
  if ! already_up "$LOGFILE" "$PF"; then
    ensure_user "$PGUSER_OS"
    touch "$LOGFILE" && chown "$PGUSER_OS:" "$LOGFILE"
    init_cluster
    as_user "$PGUSER_OS" "$PGBIN/pg_ctl" -D "$PGDATA" -l "$LOGFILE" -t "$START_TIMEOUT" -w start >&2 \
      || { tail -n 40 "$LOGFILE" >&2; die "pg_ctl start failed"; }
    wait_healthy "$LOGFILE" "$PF"
  fi
  provision
}

stop() {
  if [[ -f $PF ]] && pid_alive "$PF"; then
    as_user "$(stat -c %U "$PGDATA")" "$PGBIN/pg_ctl" -D "$PGDATA" -m fast -w stop >&2
  else
    log "not running (no live pid in $PF)"
  fi
}

service_main "$@"
