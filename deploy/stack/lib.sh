#!/usr/bin/env bash
# Shared settings for the native stack scripts. Sourced, not run.
set -euo pipefail

# Everything downloaded or built lives outside the checkout so that it survives
# a fresh clone (CI) and is reused: Kafka jars, the influxd binary, data dirs.
STACK_HOME="${KLIMATPULS_STACK_HOME:-$HOME/.cache/klimatpuls/stack}"
STACK_RUN="${KLIMATPULS_STACK_RUN:-$STACK_HOME/run}"
mkdir -p "$STACK_HOME" "$STACK_RUN"

# The stack's Kafka: KAFKA_VERSION, else the version its data last ran with (stack.sh
# writes run/kafka/version), else the default: 4.1.2, the newest line @platformatic/kafka
# (KAFKA_CLIENT=platformatic, the default client) is made for; 3.9.1 for KAFKA_CLIENT=kafkajs
# (deploy/README.md).
KAFKA_DEFAULT_VERSION=4.1.2
KAFKA_VERSION="${KAFKA_VERSION:-$(cat "$STACK_RUN/kafka/version" 2>/dev/null || echo "$KAFKA_DEFAULT_VERSION")}"
INFLUXDB_VERSION="${INFLUXDB_VERSION:-v2.7.12}"
# influxdb v2.7.12 pins this toolchain in its go.mod; the Go module proxy serves it.
INFLUXDB_GO_TOOLCHAIN="${INFLUXDB_GO_TOOLCHAIN:-go1.23.9}"

MQTT_PORT="${STACK_MQTT_PORT:-1883}"
# Tenants' listeners (password + ACL; TLS). Bound to loopback unless told otherwise.
MQTT_TENANT_PORT="${STACK_MQTT_TENANT_PORT:-1884}"
MQTT_TLS_PORT="${STACK_MQTT_TLS_PORT:-8883}"
MQTT_TENANT_BIND="${STACK_MQTT_TENANT_BIND:-127.0.0.1}"
# The pipeline's MQTT user on $MQTT_PORT (services/broker/mqttIdentity.ts PIPELINE_MQTT_USERNAME).
PIPELINE_MQTT_USER=klimatpuls
KAFKA_PORT="${STACK_KAFKA_PORT:-9092}"
KAFKA_CONTROLLER_PORT="${STACK_KAFKA_CONTROLLER_PORT:-9093}"
INFLUX_PORT="${STACK_INFLUX_PORT:-8086}"
INFLUX_ORG="${STACK_INFLUX_ORG:-klimatpuls}"
INFLUX_BUCKET="${STACK_INFLUX_BUCKET:-readings}"
INFLUX_TOKEN="${STACK_INFLUX_TOKEN:-klimatpuls-dev-token}"
INFLUX_USER="${STACK_INFLUX_USER:-klimatpuls}"
INFLUX_PASSWORD="${STACK_INFLUX_PASSWORD:-klimatpuls-dev-password}"

log() { printf '[stack] %s\n' "$*" >&2; }

# wait_port NAME PORT SECONDS
wait_port() {
  local name=$1 port=$2 secs=$3 i
  for ((i = 0; i < secs * 4; i++)); do
    if (echo >"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then return 0; fi
    sleep 0.25
  done
  log "$name did not open port $port within ${secs}s"
  return 1
}

pid_alive() { [[ -f "$1" ]] && kill -0 "$(cat "$1")" 2>/dev/null; }

# go_module_source MODULE VERSION DEST: a Go module's source copied out of the module
# cache into DEST (writable), once; the build then uses the module's own go.mod/go.sum.
go_module_source() {
  local module=$1 version=$2 dest=$3 dir
  [[ -f "$dest/go.mod" ]] && return 0
  log "downloading $module@$version"
  dir=$(cd /tmp && go mod download -json "$module@$version" | sed -n 's/.*"Dir": "\(.*\)".*/\1/p')
  rm -rf "$dest.tmp" && cp -r "$dir" "$dest.tmp" && chmod -R u+w "$dest.tmp" && mv "$dest.tmp" "$dest"
}
