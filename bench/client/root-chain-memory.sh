#!/bin/sh
# Peak RSS of one client update that walks a root rotation v1 → vN (each root padded to PAD
# bytes), served over plain HTTP on 127.0.0.1: the measurement behind issue 9 hole 6.
# Usage: bench/client/root-chain-memory.sh [SIGNET_BINARY] [N] [PAD]   (default 220 × ~5 MiB)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
signet=${1:-$here/../../.build/release/signet}
n=${2:-220}
pad=${3:-5230000}
work=$(mktemp -d /tmp/signet-root-chain.XXXXXX)
gun=$(python3 "$here/root-chain.py" "$work" "$n" "$pad")
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
python3 -m http.server --bind 127.0.0.1 "$port" --directory "$work/server" >/dev/null 2>&1 &
server=$!
for _ in $(seq 100); do curl -sf -o /dev/null "http://127.0.0.1:$port/v2/$gun/_trust/tuf/timestamp.json" && break; sleep 0.1; done
status=0
/usr/bin/time -v "$signet" list "$gun" -d "$work/trust" -s "http://127.0.0.1:$port" >/dev/null 2>"$work/time.txt" || status=$?
kill "$server"
grep -v '^\s' "$work/time.txt" | head -2
echo "exit $status, roots v1..v$n of $pad padding bytes"
grep -E 'Maximum resident|Elapsed' "$work/time.txt"
[ -n "${KEEP_WORK:-}" ] || rm -rf "$work"
