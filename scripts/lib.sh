# Shared setup for the project's scripts. Source it: `. "$(dirname "$0")/lib.sh"`.
#
# - Puts the cargo target directory in a persistent cache outside the checkout (respecting a
#   CARGO_TARGET_DIR already set), so every script, every checkout and CI share one build.
# - Installs, idempotently, what a fresh machine lacks: protoc and clang (apt), the
#   wasm32v1-none target (rustup).

set -euo pipefail

AITBC_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export AITBC_ROOT
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/aitbc-target}"
# Every build uses the same profile and the same package selection, so that the node, the
# tests and the clients share one compile of each dependency (see docs/BUILD.md).
export AITBC_CARGO_ARGS="--release --workspace --locked"
export AITBC_BIN="$CARGO_TARGET_DIR/release"

log() { printf '==> %s\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# apt packages the build needs: protoc (litep2p/sc-network protobufs), clang/libclang.
ensure_system_packages() {
	local missing=()
	command -v protoc >/dev/null 2>&1 || missing+=(protobuf-compiler)
	command -v clang >/dev/null 2>&1 || missing+=(clang)
	command -v pkg-config >/dev/null 2>&1 || missing+=(pkg-config)
	[ -e /usr/include/openssl/ssl.h ] || missing+=(libssl-dev)
	if [ "${#missing[@]}" -gt 0 ]; then
		log "installing system packages: ${missing[*]}"
		local sudo=""
		[ "$(id -u)" -eq 0 ] || sudo="sudo"
		$sudo apt-get update -qq
		DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
	fi
}

# The Wasm target the runtime builds for (no nightly, no rust-src needed).
ensure_wasm_target() {
	if ! rustup target list --installed 2>/dev/null | grep -qx wasm32v1-none; then
		log "adding the rustup target wasm32v1-none"
		rustup target add wasm32v1-none >/dev/null
	fi
}

ensure_toolchain() {
	command -v cargo >/dev/null 2>&1 || die "cargo is not installed; install Rust with rustup first"
	ensure_system_packages
	ensure_wasm_target
}

# Builds every binary of the workspace (one compile shared with the tests).
build_workspace() {
	log "building the workspace (release profile, target dir $CARGO_TARGET_DIR)"
	(cd "$AITBC_ROOT" && cargo build $AITBC_CARGO_ARGS)
}
