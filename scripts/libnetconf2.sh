#!/usr/bin/env bash
# netconfkit's libnetconf2 test servers (an independent NETCONF server side for the tests of
# TLS, Call Home, NMDA, schemas and subscriptions).
#
#   scripts/libnetconf2.sh build   install the Debian packages when missing, then compile each
#                                  scripts/libnetconf2/*-server.c with common.c into
#                                  $NETCONFKIT_LN2_DIR/bin/<name> (default /tmp/netconfkit-ln2)
#   scripts/libnetconf2.sh dir     print the directory holding the binaries
#
# The servers take the same options (see scripts/libnetconf2/common.h) and print LISTENING
# when ready. The build is skipped for a binary newer than its sources. Needs root only for
# apt-get (CI runs as root); works without stdin.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
SRC="$ROOT/scripts/libnetconf2"
OUT=${NETCONFKIT_LN2_DIR:-/tmp/netconfkit-ln2}/bin
# libnetconf2, libyang and the libssh and OpenSSL headers its own headers include, to build against; netconfd for yuma's IETF YANG modules
# (/usr/share/yuma/modules/ietf), which the servers load.
PACKAGES=(libnetconf2-dev libyang2-dev libssh-dev libssl-dev pkg-config gcc netconfd)

say() { echo "[libnetconf2] $*" >&2; }

install_missing() {
  local missing=()
  for p in "${PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  say "installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2 || say "apt-get update failed (trying the install anyway)"
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
}

build() {
  install_missing
  mkdir -p "$OUT"
  local flags
  flags=$(pkg-config --cflags --libs libnetconf2 libyang)
  for c in "$SRC"/*-server.c; do
    local name bin
    name=$(basename "$c" .c)
    bin="$OUT/$name"
    if [ -x "$bin" ] && [ "$bin" -nt "$c" ] && [ "$bin" -nt "$SRC/common.c" ] && [ "$bin" -nt "$SRC/common.h" ]; then
      continue
    fi
    say "compiling $name"
    # shellcheck disable=SC2086 # pkg-config's flags are words
    gcc -std=gnu11 -O1 -g -Wall -Wextra -Werror -DLN2_YANG_DIR="\"$SRC/yang\"" \
      -o "$bin.tmp" "$c" "$SRC/common.c" $flags -lssh -lssl -lcrypto
    mv "$bin.tmp" "$bin"
  done
  echo "$OUT"
}

case "${1:-}" in
  build) build ;;
  dir) echo "$OUT" ;;
  *) echo "usage: $0 build|dir" >&2; exit 64 ;;
esac
