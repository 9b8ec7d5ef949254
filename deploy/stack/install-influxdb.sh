#!/usr/bin/env bash
# Builds influxd (InfluxDB 2.x OSS, API only: no UI assets) from its Go module.
# Idempotent: does nothing when the binary for this version is already built.
#
# Why not `go install github.com/influxdata/influxdb/v2/cmd/influxd@v`: its go.mod
# has a replace directive, which `go install pkg@version` refuses. We copy the module
# source out of the module cache and build it in place with its own go.mod/go.sum,
# so the dependency set is exactly upstream's.
# Flux's Rust core (libflux) is compiled by github.com/influxdata/pkg-config, which
# Go's cgo calls through $PKG_CONFIG; it runs cargo on libflux in the module cache.
source "$(dirname "$0")/lib.sh"

BIN="$STACK_HOME/influxdb/$INFLUXDB_VERSION/influxd"
if [[ -x "$BIN" ]]; then log "influxd $INFLUXDB_VERSION already built: $BIN"; exit 0; fi

command -v go >/dev/null || { log "go is required to build influxd"; exit 1; }
command -v cargo >/dev/null || { log "cargo (Rust) is required to build libflux"; exit 1; }
command -v pkg-config >/dev/null || { log "pkg-config is required (apt-get install pkg-config)"; exit 1; }

export GOTOOLCHAIN="$INFLUXDB_GO_TOOLCHAIN"
export GOFLAGS="-buildvcs=false -mod=mod"
# libflux pins an old toolchain (1.72) in rust-toolchain.toml; use stable instead.
# Its `strict` feature turns warnings into errors, and newer compilers warn more.
# RUSTFLAGS="--cap-lints warn" is not enough: cargo is called with --target, so
# RUSTFLAGS skips host crates, and flux-core is also a build-dependency (host) of
# flux. A rustc wrapper caps lints on every crate, host or target.
export RUSTUP_TOOLCHAIN="${RUSTUP_TOOLCHAIN:-stable}"
WRAP="$STACK_HOME/influxdb/rustc-cap-lints"
mkdir -p "$(dirname "$WRAP")"
cat >"$WRAP" <<'SH'
#!/usr/bin/env bash
# cargo calls: $RUSTC_WRAPPER rustc ARGS... ; cargo already caps registry crates.
for a in "$@"; do [[ $a == --cap-lints ]] && exec "$@"; done
exec "$@" --cap-lints warn
SH
chmod +x "$WRAP"
export RUSTC_WRAPPER="$WRAP"

SRC="$STACK_HOME/influxdb/$INFLUXDB_VERSION/src"
mkdir -p "$(dirname "$BIN")"
go_module_source github.com/influxdata/influxdb/v2 "$INFLUXDB_VERSION" "$SRC"
cd "$SRC"
log "building pkg-config wrapper"
go build -o "$STACK_HOME/influxdb/$INFLUXDB_VERSION/pkg-config" github.com/influxdata/pkg-config
export PKG_CONFIG="$STACK_HOME/influxdb/$INFLUXDB_VERSION/pkg-config"
log "building influxd (libflux via cargo, then Go); this takes a while on 2 cores"
go build -tags sqlite_foreign_keys,sqlite_json -ldflags "-s -w -X main.version=${INFLUXDB_VERSION#v}" \
  -o "$BIN.tmp" ./cmd/influxd
mv "$BIN.tmp" "$BIN"
log "built $BIN"
