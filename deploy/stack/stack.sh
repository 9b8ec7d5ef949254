#!/usr/bin/env bash
# The native Klimatpuls stack: Mosquitto, Kafka (KRaft, single node), InfluxDB 2.x.
#   stack.sh install              install/build what is missing (idempotent, cached)
#   stack.sh up   [component...]  start (installs first); components: mosquitto kafka influxdb
#   stack.sh down [component...]  stop (data is kept)
#   stack.sh restart component    stop then start one component
#   stack.sh status               which components run
#   stack.sh reset [component...] stop and delete the data (all components when none named)
#   stack.sh env                  print the environment variables that point Klimatpuls here
source "$(dirname "$0")/lib.sh"
HERE="$(cd "$(dirname "$0")" && pwd)"
ALL=(mosquitto kafka influxdb)

install_mosquitto() {
  if command -v mosquitto >/dev/null || [[ -x /usr/sbin/mosquitto ]]; then return 0; fi
  log "installing mosquitto (Debian package)"
  if [[ $(id -u) -ne 0 ]]; then SUDO=sudo; else SUDO=; fi
  $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq mosquitto >/dev/null
  # The package may start a system instance on 1883 (its own config); we run our own.
  $SUDO systemctl disable --now mosquitto >/dev/null 2>&1 || $SUDO service mosquitto stop >/dev/null 2>&1 || true
  $SUDO pkill -f '^/usr/sbin/mosquitto -c /etc/mosquitto/mosquitto.conf' 2>/dev/null || true
}

install() {
  install_mosquitto
  bash "$HERE/install-kafka.sh"
  bash "$HERE/install-influxdb.sh"
}

# ---------- mosquitto ----------
# Three listeners:
#   $MQTT_PORT (1883)        the pipeline's own (gateway, simulators, record/replay, tests),
#                            loopback only: only the MQTT user "klimatpuls" with the password
#                            generated once into pipeline.password (0600) may connect; no
#                            anonymous clients, no tenants (pipeline.passwd holds that user only).
#   $MQTT_TENANT_PORT (1884) tenants (housing companies): username + password required,
#                            each confined to its own topics by the ACL file, and its client id
#                            forced to its username (use_username_as_clientid): a tenant can take
#                            over no session but its own (services/broker/mqttIdentity.ts).
#   $MQTT_TLS_PORT (8883)    the same as 1884 over TLS, with the certificates of
#                            $STACK_RUN/tls (deploy/tls/make-certs.sh); left out without openssl.
# Klimatpuls writes tenants.passwd and tenants.acl from its tenant registry and sends the
# broker SIGHUP (pid file below); Mosquitto then rereads both files and disconnects
# clients whose credentials are gone (a disabled tenant). See services/broker/mosquittoAccess.ts.
up_mosquitto() {
  local d="$STACK_RUN/mosquitto"; mkdir -p "$d/data"
  pid_alive "$d/pid" && { log "mosquitto already running"; return 0; }
  [[ -f "$d/tenants.passwd" ]] || : >"$d/tenants.passwd"
  [[ -f "$d/tenants.acl" ]] || printf '# written by Klimatpuls from its tenant registry\n' >"$d/tenants.acl"
  pipeline_credentials "$d"
  local tls=""
  if bash "$HERE/../tls/make-certs.sh" "$STACK_RUN/tls" >/dev/null 2>&1; then
    tls="listener $MQTT_TLS_PORT $MQTT_TENANT_BIND
max_connections 10000
allow_anonymous false
use_username_as_clientid true
password_file $d/tenants.passwd
acl_file $d/tenants.acl
cafile $STACK_RUN/tls/ca.crt
certfile $STACK_RUN/tls/server.crt
keyfile $STACK_RUN/tls/server.key
tls_version tlsv1.2"
  else
    log "openssl not available: no TLS listener on $MQTT_TLS_PORT"
  fi
  cat >"$d/mosquitto.conf" <<CONF
# Authentication and ACLs are set per listener; every security option below follows
# its listener line (before the first one it would open a default listener on 1883).
per_listener_settings true
listener $MQTT_PORT 127.0.0.1
max_connections 10000
allow_anonymous false
password_file $d/pipeline.passwd
# Tenants: at most 10000 connections per listener (Mosquitto 2.0 has no per-address
# limit: put a rate-limiting firewall or proxy in front of an exposed tenant port).
listener $MQTT_TENANT_PORT $MQTT_TENANT_BIND
max_connections 10000
allow_anonymous false
use_username_as_clientid true
password_file $d/tenants.passwd
acl_file $d/tenants.acl
$tls
# Limits (global in Mosquitto 2.0, every listener): the largest packet is MAX_PAYLOAD_BYTES
# (256 KiB) + 64 KiB, as the embedded broker's MQTT_MAX_PACKET_BYTES; larger ones close
# the connection before the broker buffers them (without it, 4 unauthenticated CONNECTs
# announcing 256 MB held 64 MB). No retained messages: nothing in Klimatpuls retains, and
# a tenant must not park data in the broker (a retained publish closes the connection).
# Tenants may only write (tenants.acl), so no tenant session ever has messages queued.
max_packet_size 327680
retain_available false
# Persistent sessions of the gateway (clean session off) survive a broker restart.
persistence true
# Sessions of clients gone for two hours are dropped: a crashed test run's gateway
# sessions would otherwise queue every later message (CPU and memory of the broker).
persistent_client_expiration 2h
persistence_location $d/data/
autosave_interval 1
# Messages the broker keeps for a disconnected persistent client. Bounded on purpose:
# large enough for minutes of a city's traffic while the gateway restarts.
max_queued_messages 1000000
# Unacknowledged QoS 1 messages in flight to one MQTT 3.1.1 client. An MQTT 5 client's
# Receive Maximum replaces it: the gateway sends MQTT_MAX_IN_FLIGHT (services/gateway/mqttSession.ts).
max_inflight_messages 10000
log_dest file $d/mosquitto.log
pid_file $d/pid
# Started as root, mosquitto would switch to user "mosquitto", who cannot write here.
user $(id -un)
CONF
  local bin; bin=$(command -v mosquitto || echo /usr/sbin/mosquitto)
  "$bin" -c "$d/mosquitto.conf" -d
  wait_port mosquitto "$MQTT_PORT" 20
  wait_port mosquitto "$MQTT_TENANT_PORT" 5
  log "mosquitto on 127.0.0.1:$MQTT_PORT (pipeline user klimatpuls), tenants on $MQTT_TENANT_BIND:$MQTT_TENANT_PORT${tls:+ and TLS $MQTT_TLS_PORT}"
}

# The pipeline's MQTT user on $MQTT_PORT: its password is generated once (0600, never
# printed; `stack.sh env` gives its file as MQTT_PASSWORD_FILE) and hashed into
# pipeline.passwd, the password file of that listener alone.
pipeline_credentials() {
  local d=$1
  if [[ ! -s "$d/pipeline.password" ]]; then
    # (od, not `tr </dev/urandom | head`: with pipefail, tr's SIGPIPE would end the script)
    (umask 077; printf '%s\n' "$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')" >"$d/pipeline.password")
  fi
  chmod 600 "$d/pipeline.password"
  if [[ ! -s "$d/pipeline.passwd" || "$d/pipeline.password" -nt "$d/pipeline.passwd" ]]; then
    (umask 077; rm -f "$d/pipeline.passwd"; : >"$d/pipeline.passwd"
     mosquitto_passwd -b "$d/pipeline.passwd" "$PIPELINE_MQTT_USER" "$(head -1 "$d/pipeline.password")")
  fi
}

# ---------- kafka ----------
up_kafka() {
  local d="$STACK_RUN/kafka" libs="$STACK_HOME/kafka/$KAFKA_VERSION/libs"; mkdir -p "$d"
  pid_alive "$d/pid" && { log "kafka already running"; return 0; }
  cat >"$d/server.properties" <<CONF
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@localhost:$KAFKA_CONTROLLER_PORT
listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT,CONTROLLER://127.0.0.1:$KAFKA_CONTROLLER_PORT
advertised.listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT
controller.listener.names=CONTROLLER
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
inter.broker.listener.name=PLAINTEXT
log.dirs=$d/data
num.partitions=3
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
default.replication.factor=1
min.insync.replicas=1
group.initial.rebalance.delay.ms=0
auto.create.topics.enable=false
log.retention.hours=168
CONF
  # Kafka 3.x logs through log4j 1.x (reload4j), 4.x through log4j 2: a config file for each.
  cat >"$d/log4j2.properties" <<CONF
status = warn
appender.file.type = File
appender.file.name = file
appender.file.fileName = $d/kafka.log
appender.file.layout.type = PatternLayout
appender.file.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = info
rootLogger.appenderRef.file.ref = file
CONF
  cat >"$d/log4j.properties" <<CONF
log4j.rootLogger=INFO, file
log4j.appender.file=org.apache.log4j.FileAppender
log4j.appender.file.File=$d/kafka.log
log4j.appender.file.layout=org.apache.log4j.PatternLayout
log4j.appender.file.layout.ConversionPattern=[%d] %p %m (%c)%n
log4j.logger.kafka=INFO
log4j.logger.org.apache.kafka=INFO
CONF
  local cp="$libs/*" java_opts=(-Xms256m -Xmx768m -XX:+UseG1GC -Djava.awt.headless=true "-Dlog4j.configuration=file:$d/log4j.properties" "-Dlog4j2.configurationFile=file:$d/log4j2.properties")
  if [[ ! -f "$d/data/meta.properties" ]]; then
    log "formatting kafka storage (KRaft)"
    java "${java_opts[@]}" -cp "$cp" kafka.tools.StorageTool format -t "$(java -cp "$cp" kafka.tools.StorageTool random-uuid 2>/dev/null | tail -1)" -c "$d/server.properties" >"$d/format.log" 2>&1 \
      || { cat "$d/format.log" >&2; return 1; }
  fi
  nohup java "${java_opts[@]}" -cp "$cp" kafka.Kafka "$d/server.properties" >"$d/stdout.log" 2>&1 &
  echo $! >"$d/pid"
  wait_port kafka "$KAFKA_PORT" 90 || { tail -30 "$d/kafka.log" "$d/stdout.log" >&2; return 1; }
  log "kafka on 127.0.0.1:$KAFKA_PORT (KRaft, $KAFKA_VERSION)"
}

# ---------- influxdb ----------
up_influxdb() {
  local d="$STACK_RUN/influxdb" bin="$STACK_HOME/influxdb/$INFLUXDB_VERSION/influxd"; mkdir -p "$d"
  pid_alive "$d/pid" && { log "influxdb already running"; return 0; }
  [[ -x "$bin" ]] || { log "influxd is not built; run: bash deploy/stack/stack.sh install"; return 1; }
  nohup "$bin" --bolt-path "$d/influxd.bolt" --engine-path "$d/engine" --sqlite-path "$d/influxd.sqlite" \
    --http-bind-address "127.0.0.1:$INFLUX_PORT" --reporting-disabled --log-level warn \
    >"$d/influxd.log" 2>&1 &
  echo $! >"$d/pid"
  local i
  for ((i = 0; i < 240; i++)); do
    curl -fsS "http://127.0.0.1:$INFLUX_PORT/health" >/dev/null 2>&1 && break
    sleep 0.25
  done
  curl -fsS "http://127.0.0.1:$INFLUX_PORT/health" >/dev/null || { tail -30 "$d/influxd.log" >&2; return 1; }
  # First start: create org, bucket, user and the operator token we hand to the services.
  if curl -fsS "http://127.0.0.1:$INFLUX_PORT/api/v2/setup" | grep -q '"allowed": *true'; then
    curl -fsS -X POST "http://127.0.0.1:$INFLUX_PORT/api/v2/setup" -H 'Content-Type: application/json' \
      -d "{\"username\":\"$INFLUX_USER\",\"password\":\"$INFLUX_PASSWORD\",\"org\":\"$INFLUX_ORG\",\"bucket\":\"$INFLUX_BUCKET\",\"token\":\"$INFLUX_TOKEN\"}" >/dev/null
    log "influxdb set up: org=$INFLUX_ORG bucket=$INFLUX_BUCKET"
  fi
  log "influxdb on http://127.0.0.1:$INFLUX_PORT"
}

down_one() {
  local d="$STACK_RUN/$1" i
  if ! pid_alive "$d/pid"; then rm -f "$d/pid"; return 0; fi
  local pid; pid=$(cat "$d/pid")
  kill "$pid" 2>/dev/null || true
  for ((i = 0; i < 120; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
  kill -9 "$pid" 2>/dev/null || true
  rm -f "$d/pid"
  log "$1 stopped"
}

comps() { if [[ $# -gt 0 ]]; then echo "$@"; else echo "${ALL[@]}"; fi; }

cmd=${1:-status}; shift || true
case "$cmd" in
  install) install ;;
  up)
    for c in $(comps "$@"); do
      case $c in
        mosquitto) install_mosquitto ;; kafka) bash "$HERE/install-kafka.sh" ;; influxdb) bash "$HERE/install-influxdb.sh" ;;
        *) log "unknown component: $c (expected: ${ALL[*]})"; exit 2 ;;
      esac
    done
    for c in $(comps "$@"); do "up_$c"; done ;;
  down) for c in $(comps "$@"); do down_one "$c"; done ;;
  restart)
    [[ $# -gt 0 ]] || { log "restart needs a component: ${ALL[*]}"; exit 2; }
    for c in "$@"; do down_one "$c"; "up_$c"; done ;;
  status) for c in "${ALL[@]}"; do if pid_alive "$STACK_RUN/$c/pid"; then echo "$c running"; else echo "$c stopped"; fi; done ;;
  reset)
    # reset [component...]: stop and delete the data (all components when none named)
    for c in $(comps "$@"); do down_one "$c"; rm -rf "${STACK_RUN:?}/$c"; log "$c data deleted"; done ;;
  env)
    echo "MQTT_URL=mqtt://127.0.0.1:$MQTT_PORT"
    # The pipeline's user on that listener; the password stays in its 0600 file.
    # (Absent while a Mosquitto started by an older stack.sh runs: anonymous there.)
    if [[ -f "$STACK_RUN/mosquitto/pipeline.password" ]]; then
      echo "MQTT_USERNAME=$PIPELINE_MQTT_USER"
      echo "MQTT_PASSWORD_FILE=$STACK_RUN/mosquitto/pipeline.password"
    fi
    echo "KAFKA_BROKERS=127.0.0.1:$KAFKA_PORT"
    echo "INFLUX_URL=http://127.0.0.1:$INFLUX_PORT"
    echo "INFLUX_TOKEN=$INFLUX_TOKEN"
    echo "INFLUX_ORG=$INFLUX_ORG"
    echo "INFLUX_BUCKET=$INFLUX_BUCKET"
    # Tenants: Klimatpuls keeps Mosquitto's password and ACL files and reloads it.
    echo "MOSQUITTO_PASSWORD_FILE=$STACK_RUN/mosquitto/tenants.passwd"
    echo "MOSQUITTO_ACL_FILE=$STACK_RUN/mosquitto/tenants.acl"
    echo "MOSQUITTO_PID_FILE=$STACK_RUN/mosquitto/pid"
    echo "MQTT_TENANT_URL=mqtt://127.0.0.1:$MQTT_TENANT_PORT"
    if [[ -f "$STACK_RUN/tls/ca.crt" ]]; then echo "MQTT_TENANT_TLS_URL=mqtts://localhost:$MQTT_TLS_PORT"; fi ;;
  *) echo "usage: stack.sh install|up|down|restart|status|reset|env [component...]" >&2; exit 2 ;;
esac
