#!/usr/bin/env bash
# Builds Telegraf from its Go module with only the plugins the bench's peer needs
# (bench/peerTelegraf.ts: mqtt_consumer -> influxdb_v2, JSON parsed by json_v2).
# Not part of the stack Klimatpuls runs on: `npm run bench -- --only peer-telegraf`
# calls it. Idempotent: does nothing when the binary for this version and plugin set
# is already built.
#
# Telegraf's custom builds: with the build tag `custom`, plugins/*/all registers only
# the plugins named by a tag of their own (inputs.mqtt_consumer, ...), so the binary
# carries three plugins instead of ~300 (and builds in minutes, not half an hour).
# As for influxd (install-influxdb.sh), the module source is copied out of the module
# cache and built in place with its own go.mod/go.sum: the dependency set is exactly
# upstream's.
source "$(dirname "$0")/lib.sh"

TELEGRAF_VERSION="${TELEGRAF_VERSION:-v1.37.2}"
TELEGRAF_PLUGINS="${TELEGRAF_PLUGINS:-inputs.mqtt_consumer,outputs.influxdb_v2,parsers.json_v2}"
# Telegraf 1.37's go.mod asks for go >= 1.25.5: `auto` uses the machine's Go when it is
# at least that, else the go command takes that version from the Go module proxy.
export GOTOOLCHAIN="${TELEGRAF_GO_TOOLCHAIN:-auto}"
export GOFLAGS="-buildvcs=false -mod=mod"
export CGO_ENABLED=0

DIR="$STACK_HOME/telegraf/$TELEGRAF_VERSION"
BIN="$DIR/telegraf"
if [[ -x "$BIN" && "$(cat "$DIR/plugins" 2>/dev/null)" == "$TELEGRAF_PLUGINS" ]]; then
  log "telegraf $TELEGRAF_VERSION ($TELEGRAF_PLUGINS) already built: $BIN"; exit 0
fi
command -v go >/dev/null || { log "go is required to build telegraf"; exit 1; }

SRC="$DIR/src"
mkdir -p "$DIR"
go_module_source github.com/influxdata/telegraf "$TELEGRAF_VERSION" "$SRC"
cd "$SRC"
log "building telegraf $TELEGRAF_VERSION with tags custom,$TELEGRAF_PLUGINS (a few minutes on 2 cores)"
go build -tags "custom,$TELEGRAF_PLUGINS" \
  -ldflags "-s -w -X github.com/influxdata/telegraf/internal.Version=${TELEGRAF_VERSION#v}" \
  -o "$BIN.tmp" ./cmd/telegraf
mv "$BIN.tmp" "$BIN"
echo "$TELEGRAF_PLUGINS" >"$DIR/plugins"
log "built $BIN ($("$BIN" --version 2>/dev/null || echo '?'))"
