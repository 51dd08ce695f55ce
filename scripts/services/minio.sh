#!/usr/bin/env bash
# MinIO (S3 API) on 127.0.0.1:9000, console on 127.0.0.1:9001, built from source with
# `go install` (MinIO ships no binaries through any registry we can reach). Creates the bucket.
# Usage: minio.sh start|stop|status
# shellcheck source=scripts/services/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
SERVICE=minio
PORT=9000
CONSOLE_PORT=9001
# The only github.com/minio/minio version the Go module proxy serves here is its @latest,
# a master commit of 2026-02-12; RELEASE.* tags and older pseudo-versions answer 403.
# See docs/decisions/0003-services-without-docker.md.
MINIO_VERSION=v0.0.0-20260212201848-7aac2a2c5b7c
MINIO_BIN="$CACHE/bin/minio"
PF=$(pidfile minio)
LOGFILE="$LOGS/minio.log"
ACCESS_KEY="${CASEFILE_S3_ACCESS_KEY:-casefile}"
SECRET_KEY="${CASEFILE_S3_SECRET_KEY:-casefile-secret}"
BUCKET="${CASEFILE_S3_BUCKET:-casefile}"

healthy() { curl -sf -m 5 -o /dev/null "http://$HOST:$PORT/minio/health/live"; }

install() {
  # Rebuild only when the cached binary is missing or from another version.
  if go version -m "$MINIO_BIN" 2>/dev/null | grep -q "mod[[:space:]]*github.com/minio/minio[[:space:]]*$MINIO_VERSION"; then
    return 0
  fi
  need_cmd go golang-go
  log "building minio $MINIO_VERSION with $(go version | cut -d' ' -f3) (a few minutes the first time)"
  local t0=$SECONDS
  # All Go state under $CACHE; GOTOOLCHAIN=local: build with the installed Go, fetch no other.
  env GOPATH="$CACHE/go" GOMODCACHE="$CACHE/go/mod" GOCACHE="$CACHE/go/build" GOBIN="$CACHE/bin" \
    GOFLAGS=-modcacherw GOTOOLCHAIN=local CGO_ENABLED=0 \
    go install "github.com/minio/minio@$MINIO_VERSION" >"$LOGS/minio-build.log" 2>&1 \
    || { tail -n 30 "$LOGS/minio-build.log" >&2; die "go install failed (log: $LOGS/minio-build.log)"; }
  log "built in $((SECONDS - t0))s"
}

make_bucket() {
  # Signed S3 PutBucket via curl's SigV4; 409 means the bucket is already there.
  local code
  code=$(curl -s -o /dev/null -w '%{http_code}' -X PUT --user "$ACCESS_KEY:$SECRET_KEY" \
    --aws-sigv4 "aws:amz:us-east-1:s3" "http://$HOST:$PORT/$BUCKET")
  case $code in
    200 | 409) log "bucket $BUCKET is there" ;;
    *) die "creating bucket $BUCKET: HTTP $code (wrong CASEFILE_S3_* keys for a reused server?)" ;;
  esac
}

start() {
  need_cmd curl curl
  if ! already_up "$LOGFILE" "$PF"; then
    install
    mkdir -p "$DATA/minio"
    # --address 127.0.0.1: MinIO adds [::1] itself (for its console); both are loopback.
    # setsid: its own session, so closing the terminal that ran up.sh does not stop it.
    MINIO_ROOT_USER="$ACCESS_KEY" MINIO_ROOT_PASSWORD="$SECRET_KEY" MINIO_UPDATE=off \
      setsid "$MINIO_BIN" server "$DATA/minio" --address "$HOST:$PORT" \
      --console-address "$HOST:$CONSOLE_PORT" >>"$LOGFILE" 2>&1 </dev/null &
    echo $! >"$PF"
    wait_healthy "$LOGFILE" "$PF"
  fi
  make_bucket
}

stop() { stop_pidfile "$PF"; }

service_main "$@"
