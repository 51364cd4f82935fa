#!/usr/bin/env bash
# The issue-12 goals with a crowd of other connections, `signet serve` on a collection of 200 targets:
#   idle       10,000 idle keep-alive connections held open (each made one GET and sends another
#              every 40 s, under the 60 s idle timeout): a normal client's GET p99 < 20 ms, server
#              RSS < 150 MB, no 503.
#   slowloris  1,000 connections sending a request head one byte every 5 s, never finishing it and
#              reconnecting whenever cut: a normal client's GET p99 < 50 ms.
# The crowd is bench/server/hold.py; the normal client is wrk -c32 on timestamp.json and
# targets.json, first without the crowd (baseline, same run) and then with it. The holder's summary
# shows its answers and how often the server cut it (slowloris: 408 at the 30 s request deadline,
# or a close at the 5 s first-byte deadline).
#
# Usage: CROWD=10000 SECS=20 MODES="plain tls" bench/server/crowd.sh idle|slowloris [signet]
# Needs wrk, curl, jq, python3; the signet client publishes the collection.
set -euo pipefail
cd "$(dirname "$0")/../.."
KIND=${1:?usage: bench/server/crowd.sh idle|slowloris [signet]}
[[ $KIND == idle || $KIND == slowloris ]] || { echo "idle or slowloris, not $KIND" >&2; exit 2; }
SIGNET=$(realpath "${2:-.build/release/signet}")
SECS=${SECS:-20}
if [[ $KIND == idle ]]; then CROWD=${CROWD:-10000}; HOLD=$((2 * SECS + 120)); else CROWD=${CROWD:-1000}; HOLD=$((2 * SECS + 40)); fi
MODES=${MODES:-plain tls}
ulimit -n "$(ulimit -Hn)"
WORK=$(mktemp -d /tmp/signet-bench-crowd.XXXXXX)
source bench/lib.sh
trap bench_cleanup EXIT
bench_certs

echo "signet $("$SIGNET" --version); $CROWD $KIND connections; wrk -t2 -c32 -d${SECS}s; load $(bench_load)"
for mode in $MODES; do
  bench_start_signet "$mode" "$mode"
  url_var="SIGNET_URL_$mode"; pid_var="SIGNET_PID_$mode"; URL=${!url_var}; PID=${!pid_var}
  bench_publish "$URL" 200
  port=${URL##*:}
  for role in timestamp targets; do
    run_wrk "signet $mode $role" "$URL/v2/example.com/bench/t200/_trust/tuf/$role.json" 32 | sed 's/$/  (no crowd)/'
  done
  bench_hold "$KIND" "$mode" "$port" /v2/example.com/bench/t200/_trust/tuf/timestamp.json "$CROWD" "$HOLD"
  for role in timestamp targets; do
    run_wrk "signet $mode $role" "$URL/v2/example.com/bench/t200/_trust/tuf/$role.json" 32 | sed "s/\$/  (with the crowd: $(bench_established "$port") established)/"
  done
  echo "$mode RSS now / peak (kB): signet $(bench_rss_kb "$PID") / $(bench_hwm_kb "$PID"); load $(bench_load)"
  bench_hold_stop
  kill "$PID"; wait "$PID" 2>/dev/null || true
done
