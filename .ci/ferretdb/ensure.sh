#!/usr/bin/env bash
# Builds the FerretDB test server (FerretDB v1.24.2, SQLite backend, see main.go) only when the
# binary is missing, and prints its path. Go's default module and build caches are kept, so only
# a machine's first build is slow. Never commits FerretDB's code or the binary.
#
# Usage: .ci/ferretdb/ensure.sh            -> prints e.g. /home/ci/.cache/axios-http-cache/ferretdb
# Env:   FERRETDB_BIN  where the binary lives (default: ${XDG_CACHE_HOME:-~/.cache}/axios-http-cache/ferretdb)
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
bin="${FERRETDB_BIN:-${XDG_CACHE_HOME:-$HOME/.cache}/axios-http-cache/ferretdb}"

if [[ -x "$bin" ]]; then
  echo "$bin"
  exit 0
fi

if ! command -v go >/dev/null 2>&1; then
  echo "ensure.sh: Go is needed to build FerretDB (apt-get install golang-go, or put go on PATH)" >&2
  exit 1
fi

mkdir -p "$(dirname "$bin")"
tmp="$bin.tmp.$$"
trap 'rm -f "$tmp"' EXIT

build() {
  (cd "$here" && CGO_ENABLED=0 "$@" go build -trimpath -o "$tmp" .) >&2
}

echo "ensure.sh: building FerretDB test server into $bin (first time only)" >&2
if ! build env; then
  # Newer Go releases can fail on FerretDB's older dependencies: use the toolchain it was released with.
  echo "ensure.sh: default Go failed; retrying with GOTOOLCHAIN=go1.24.3" >&2
  build env GOTOOLCHAIN=go1.24.3
fi
mv "$tmp" "$bin"
echo "$bin"
