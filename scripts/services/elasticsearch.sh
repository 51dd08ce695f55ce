#!/usr/bin/env bash
# Elasticsearch 9 on 127.0.0.1:9200, single node, security off, heap <= 1 GB.
# Uses the integ-test zip from Maven Central: the one ES 9 distribution a registry serves here.
# Usage: elasticsearch.sh start|stop|status
# shellcheck source=scripts/services/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
SERVICE=elasticsearch
PORT=9200
# Newest 9.x integ-test zip that Maven Central served (2026-11): 9.5.5 and 9.5.6 were not there.
ES_VERSION=9.5.4
ES_ARTIFACT="org.elasticsearch.distribution.integ-test-zip:elasticsearch:$ES_VERSION:zip"
ES_ZIP="$CACHE/elasticsearch/elasticsearch-$ES_VERSION.zip"
# ES 9 needs Java 21+; the integ-test zip bundles no JDK and Debian 12's default is 17.
ES_JAVA_HOME="${CASEFILE_ES_JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
ES_USER=casefile-es              # Elasticsearch refuses to run as root
ES_HOME="$STACK/opt/elasticsearch-$ES_VERSION"
ES_DATA="$DATA/elasticsearch"
ES_LOGS="$LOGS/elasticsearch"    # ES's own logs (server json, gc, deprecation)
LOGFILE="$LOGS/elasticsearch.log"
PF="$RUN/elasticsearch/elasticsearch.pid"   # written by ES itself, so in a dir ES_USER owns

healthy() { curl -sf -m 5 -o /dev/null "http://$HOST:$PORT/_cluster/health?wait_for_status=yellow&timeout=1s"; }

install() {
  [[ -x $ES_JAVA_HOME/bin/java ]] || die "no Java 21+ at $ES_JAVA_HOME (set CASEFILE_ES_JAVA_HOME)"
  if [[ ! -f $ES_ZIP ]]; then
    need_cmd mvn maven
    log "fetching $ES_ARTIFACT from Maven Central"
    mvn -q -B dependency:copy -Dartifact="$ES_ARTIFACT" -DoutputDirectory="$CACHE/elasticsearch" \
      -Dmaven.repo.local="$CACHE/maven" >"$LOGS/elasticsearch-fetch.log" 2>&1 \
      || { tail -n 20 "$LOGS/elasticsearch-fetch.log" >&2; die "mvn could not fetch $ES_ARTIFACT"; }
  fi
  # Unpack into the stack, not the cache: the cache usually sits under /root, which ES_USER
  # cannot enter. Unzipping takes a few seconds and happens once per stack.
  if [[ ! -x $ES_HOME/bin/elasticsearch ]]; then
    need_cmd unzip unzip
    log "unpacking into $ES_HOME"
    rm -rf "$ES_HOME.tmp" && mkdir -p "$ES_HOME.tmp"
    unzip -q "$ES_ZIP" -d "$ES_HOME.tmp"
    mv "$ES_HOME.tmp/elasticsearch-$ES_VERSION" "$ES_HOME" && rmdir "$ES_HOME.tmp"
  fi
}

configure() {
  ensure_user "$ES_USER"
  mkdir -p "$ES_DATA/data" "$ES_DATA/tmp" "$ES_LOGS" "$(dirname "$PF")"
  # Config lives with the data: ES writes its keystore next to elasticsearch.yml.
  [[ -d $ES_DATA/config ]] || cp -r "$ES_HOME/config" "$ES_DATA/config"
  cat >"$ES_DATA/config/elasticsearch.yml" <<YML
# Written by scripts/services/elasticsearch.sh on every start; edit the script, not this file.
cluster.name: casefile
node.name: casefile-1
discovery.type: single-node          # no cluster bootstrap, and most bootstrap checks are skipped
network.host: $HOST                  # loopback only: ES stays in development mode
http.port: $PORT
path.data: $ES_DATA/data
path.logs: $ES_LOGS
xpack.security.enabled: false        # the zip ships x-pack-security, on by default
cluster.routing.allocation.disk.threshold_enabled: false   # a full dev disk must not block writes
YML
  chown -R "$ES_USER:" "$ES_DATA" "$ES_LOGS" "$(dirname "$PF")"
  touch "$LOGFILE"
  as_user "$ES_USER" test -r "$ES_HOME/lib" || die "$ES_USER cannot read $ES_HOME (is CASEFILE_STACK_DIR under a private dir?)"
}

start() {
  need_root; need_cmd curl curl
  already_up "$LOGFILE" "$PF" && return 0
  install
  configure
  log "starting (heap 512m-1g, Java $ES_JAVA_HOME)"
  # -d: the launcher returns once the node has started (or failed); -p: ES writes its pid.
  as_user "$ES_USER" env ES_JAVA_HOME="$ES_JAVA_HOME" ES_PATH_CONF="$ES_DATA/config" \
    ES_TMPDIR="$ES_DATA/tmp" ES_JAVA_OPTS="${CASEFILE_ES_JAVA_OPTS:--Xms512m -Xmx1g}" \
    "$ES_HOME/bin/elasticsearch" -d -p "$PF" >>"$LOGFILE" 2>&1 \
    || { tail -n 40 "$LOGFILE" >&2; die "launcher failed; server log: $ES_LOGS/casefile.log"; }
  wait_healthy "$LOGFILE" "$PF"
}

stop() { stop_pidfile "$PF"; }

service_main "$@"
