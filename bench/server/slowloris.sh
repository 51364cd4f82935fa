#!/usr/bin/env bash
# Goal (issue 12): with 1,000 slowloris connections (one byte of a request head every 5 s, never
# finished; reconnecting whenever cut), a normal client's GET p99 < 50 ms. `signet serve` on a
# collection of 200 targets; `bench/server/hold.py slowloris` is the attacker; wrk -c32 is the
# normal client, on timestamp.json and targets.json, first without the attacker (baseline, same
# run) and then with it. The attacker's summary shows how often the server cut it (408 after the
# 30 s request deadline, or a close at the 5 s first-byte deadline).
#
# Usage: SLOW=1000 SECS=20 MODES="plain tls" bench/server/slowloris.sh [signet]
set -euo pipefail
cd "$(dirname "$0")/../.."
SIGNET=$(realpath "${1:-.build/release/signet}")
SECS=${SECS:-20}
SLOW=${SLOW:-1000}
MODES=${MODES:-plain tls}
ulimit -n "$(ulimit -Hn)"
WORK=$(mktemp -d /tmp/signet-bench-slowloris.XXXXXX)
source bench/lib.sh
trap bench_cleanup EXIT
bench_certs

echo "signet $("$SIGNET" --version); $SLOW slowloris connections; wrk -t2 -c32 -d${SECS}s; load $(bench_load)"
for mode in $MODES; do
  bench_start_signet "$mode" "$mode"
  url_var="SIGNET_URL_$mode"; pid_var="SIGNET_PID_$mode"; URL=${!url_var}; PID=${!pid_var}
  bench_publish "$URL" 200
  port=${URL##*:}
  for role in timestamp targets; do
    run_wrk "signet $mode $role" "$URL/v2/example.com/bench/t200/_trust/tuf/$role.json" 32 | sed 's/$/  (no attack)/'
  done
  bench_hold slowloris "$mode" "$port" /v2/example.com/bench/t200/_trust/tuf/timestamp.json "$SLOW" $((2 * SECS + 40))
  for role in timestamp targets; do
    run_wrk "signet $mode $role" "$URL/v2/example.com/bench/t200/_trust/tuf/$role.json" 32 | sed "s/\$/  (under attack: $(bench_established "$port") established)/"
  done
  echo "$mode RSS now / peak (kB): signet $(bench_rss_kb "$PID") / $(bench_hwm_kb "$PID"); load $(bench_load)"
  bench_hold_stop
  kill "$PID"; wait "$PID" 2>/dev/null || true
done
