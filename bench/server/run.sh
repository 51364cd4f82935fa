#!/usr/bin/env bash
# Server throughput of `signet serve`, measured like fixtures/notary-0.7/BASELINE.md section (c):
# TLS (EC P-256 cert from a throwaway CA), wrk -t2 -c32 with keep-alive, log level warning.
#
# Usage: bench/server/run.sh [path/to/signet] [seconds per run]
# Default binary: .build/release/signet (build it with `swift build -c release --product signet`).
set -euo pipefail
cd "$(dirname "$0")/../.."
SIGNET=${1:-.build/release/signet}
SECONDS_PER_RUN=${2:-10}
WORK=$(mktemp -d /tmp/signet-bench.XXXXXX)
SERVER_PID=
cleanup() { [[ -n "$SERVER_PID" ]] && kill "$SERVER_PID" 2>/dev/null; wait "$SERVER_PID" 2>/dev/null || true; rm -rf "$WORK"; }
trap cleanup EXIT

openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$WORK/ca.key" -out "$WORK/ca.crt" \
  -days 2 -subj "/CN=bench CA" 2>/dev/null
openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$WORK/server.key" -out "$WORK/server.csr" \
  -subj "/CN=127.0.0.1" 2>/dev/null
printf 'subjectAltName=IP:127.0.0.1\n' > "$WORK/san.ext"
openssl x509 -req -in "$WORK/server.csr" -CA "$WORK/ca.crt" -CAkey "$WORK/ca.key" -CAcreateserial \
  -out "$WORK/server.crt" -days 2 -extfile "$WORK/san.ext" 2>/dev/null

SIGNET_SERVER_KEY_PASSPHRASE=bench "$SIGNET" serve --listen 127.0.0.1:0 --storage "$WORK/data" \
  --tls-cert "$WORK/server.crt" --tls-key "$WORK/server.key" --log-level warning > "$WORK/out" 2> "$WORK/err" &
SERVER_PID=$!
for _ in $(seq 100); do grep -q 'serving on' "$WORK/out" 2>/dev/null && break; sleep 0.1; done
PORT=$(grep -o '127.0.0.1:[0-9]*' "$WORK/out" | cut -d: -f2)
rss() { awk '/VmRSS/ {print $2 " kB"}' "/proc/$SERVER_PID/status"; }
echo "signet serve on port $PORT, RSS after start: $(rss)"

export NOTARY_ROOT_PASSPHRASE=bench-root NOTARY_TARGETS_PASSPHRASE=bench-targets NOTARY_SNAPSHOT_PASSPHRASE=bench-snapshot
NT="notary -s https://127.0.0.1:$PORT -d $WORK/trust --tlscacert $WORK/ca.crt"
G=example.com/bench/small
$NT init $G > /dev/null && $NT publish $G > /dev/null
for name in one two three; do echo "$name" > "$WORK/$name"; $NT add $G $name "$WORK/$name" > /dev/null; done
$NT publish $G > /dev/null
G2=example.com/bench/big-1
$NT init $G2 > /dev/null && $NT publish $G2 > /dev/null
for i in $(seq 1 1000); do
  name=$(printf 'app/target-%05d' "$i")
  $NT addhash $G2 "$name" $((1000 + i)) --sha256 "$(printf '%s' "target-$i" | sha256sum | cut -d' ' -f1)" > /dev/null
done
start=$(date +%s.%N); $NT publish $G2 > /dev/null; end=$(date +%s.%N)
echo "publish of 1000 staged targets: $(echo "$end - $start" | bc) s; RSS $(rss)"

SNAPSHOT_SHA=$(curl -s --cacert "$WORK/ca.crt" "https://127.0.0.1:$PORT/v2/$G/_trust/tuf/snapshot.json" | sha256sum | cut -d' ' -f1)
for path in "$G/_trust/tuf/targets.json" "$G/_trust/tuf/timestamp.json" "$G2/_trust/tuf/targets.json" \
            "$G/_trust/tuf/snapshot.$SNAPSHOT_SHA.json" "$G/_trust/tuf/timestamp.json"; do
  echo "== GET /v2/$path"
  wrk -t2 -c32 -d"${SECONDS_PER_RUN}s" --latency "https://127.0.0.1:$PORT/v2/$path" | grep -E 'Requests/sec|Transfer/sec|50%|90%|99%|Non-2xx|Socket errors'
done
echo "RSS after the runs: $(rss)"
