#!/usr/bin/env bash
# Goal (issue 12): with 10,000 idle keep-alive connections held open, a normal client's GET p99
# < 20 ms, server RSS < 150 MB, no 503. `signet serve` on a collection of 200 targets;
# `bench/server/hold.py idle` holds IDLE connections (each made one GET and sends another every
# 40 s, under the 60 s idle timeout); wrk -c32 is the normal client, on timestamp.json and
# targets.json, first without the crowd (baseline, same run) and then with it.
#
# Usage: IDLE=10000 SECS=20 MODES="plain tls" bench/server/idle.sh [signet]
# Needs wrk, curl, jq, python3; the signet client publishes the collection.
set -euo pipefail
cd "$(dirname "$0")/../.."
SIGNET=$(realpath "${1:-.build/release/signet}")
SECS=${SECS:-20}
IDLE=${IDLE:-10000}
MODES=${MODES:-plain tls}
ulimit -n "$(ulimit -Hn)"
WORK=$(mktemp -d /tmp/signet-bench-idle.XXXXXX)
source bench/lib.sh
trap bench_cleanup EXIT
bench_certs

echo "signet $("$SIGNET" --version); $IDLE idle keep-alive connections; wrk -t2 -c32 -d${SECS}s; load $(bench_load)"
for mode in $MODES; do
  bench_start_signet "$mode" "$mode"
  url_var="SIGNET_URL_$mode"; pid_var="SIGNET_PID_$mode"; URL=${!url_var}; PID=${!pid_var}
  bench_publish "$URL" 200
  port=${URL##*:}
  for role in timestamp targets; do
    run_wrk "signet $mode $role" "$URL/v2/example.com/bench/t200/_trust/tuf/$role.json" 32 | sed 's/$/  (no crowd)/'
  done
  bench_hold idle "$mode" "$port" /v2/example.com/bench/t200/_trust/tuf/timestamp.json "$IDLE" $((2 * SECS + 120))
  for role in timestamp targets; do
    run_wrk "signet $mode $role" "$URL/v2/example.com/bench/t200/_trust/tuf/$role.json" 32 | sed "s/\$/  (with the crowd: $(bench_established "$port") established)/"
  done
  echo "$mode RSS now / peak (kB): signet $(bench_rss_kb "$PID") / $(bench_hwm_kb "$PID"); load $(bench_load)"
  bench_hold_stop
  kill "$PID"; wait "$PID" 2>/dev/null || true
done
