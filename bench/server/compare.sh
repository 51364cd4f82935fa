#!/usr/bin/env bash
# Server throughput, `signet serve` vs notary-server 0.7 (memory storage, local signer, default log
# level), side by side in the same run, over TLS and over plain HTTP.
#
# Both servers get the same two collections, published with the signet client:
#   example.com/bench/small  3 targets      → GET timestamp.json, GET snapshot.<sha256>.json
#   example.com/bench/big    1000 targets   → GET targets.json (≈100 KB)
# Load: wrk -t2 -c32 -dSECS --latency with keep-alive (as fixtures/notary-0.7/BASELINE.md (c)).
# For each mode and path the two servers alternate (signet, notary, signet, notary…) for ROUNDS
# rounds; the best req/s and the best p99 of each side are compared. Peak RSS is VmHWM of each
# server process at the end of its mode (load generator, client and servers share the 2 cores).
#
# Usage: SECS=8 ROUNDS=2 MODES="tls plain" bench/server/compare.sh [path/to/signet]
# Goals (issue): >= 3x notary's req/s on timestamp.json, >= 1.5x on the others; p99 no worse;
# peak RSS no larger.
set -euo pipefail
cd "$(dirname "$0")/../.."
SIGNET=$(realpath "${1:-.build/release/signet}")
SECS=${SECS:-8}
ROUNDS=${ROUNDS:-2}
MODES=${MODES:-tls plain}
WORK=$(mktemp -d /tmp/signet-bench-server.XXXXXX)
source bench/lib.sh
trap bench_cleanup EXIT

SMALL=example.com/bench/small
BIG=example.com/bench/big
python3 - > "$WORK/big.txt" <<'PY'
import hashlib
for i in range(1, 1001):
    print("app/target-%05d" % i, "sha256:" + hashlib.sha256(("target-%d" % i).encode()).hexdigest(), 1000 + i)
PY
for name in one two three; do echo "$name" > "$WORK/$name"; done

populate() {  # populate URL : both collections, published by the signet client
  local P=(-s "$1" -d "$WORK/publisher-$(bench_free_port)" --tls-ca "$WORK/ca.crt")
  "$SIGNET" init "$SMALL" "${P[@]}" > /dev/null
  for name in one two three; do "$SIGNET" add "$SMALL" "$name" "$WORK/$name" "${P[@]}" > /dev/null; done
  "$SIGNET" publish "$SMALL" "${P[@]}" > /dev/null
  "$SIGNET" init "$BIG" "${P[@]}" > /dev/null
  "$SIGNET" add "$BIG" --from-file "$WORK/big.txt" "${P[@]}" > /dev/null
  "$SIGNET" publish "$BIG" "${P[@]}" > /dev/null
}

to_ms() {  # wrk latency "5.92ms" / "812.00us" / "1.02s" → ms
  awk -v v="$1" 'BEGIN { n = v + 0; if (v ~ /us$/) n /= 1000; else if (v ~ /ms$/) n += 0; else if (v ~ /s$/) n *= 1000; printf "%.3f", n }'
}

: > "$WORK/results"   # lines: MODE SIDE PATHKEY req/s p99ms non2xx
run_wrk() {  # run_wrk MODE SIDE PATHKEY URL
  local out rps p99 errs
  out=$(wrk -t2 -c32 -d"${SECS}s" --latency "$4")
  rps=$(awk '/Requests\/sec/ { print $2 }' <<<"$out")
  p99=$(to_ms "$(awk '$1 == "99%" { print $2 }' <<<"$out")")
  errs=$(awk '/Non-2xx/ { print $NF }' <<<"$out"); errs=${errs:-0}
  grep -q 'Socket errors' <<<"$out" && errs="$errs+sockerr"
  echo "$1 $2 $3 $rps $p99 $errs" >> "$WORK/results"
  printf '  %-5s %-6s %-10s %10.0f req/s  p99 %8.2f ms  non-2xx %s\n' "$1" "$2" "$3" "$rps" "$p99" "$errs"
}

declare -A HWM
echo "signet $("$SIGNET" --version), notary-server $(dpkg-query -W -f '${Version}' notary); wrk -t2 -c32 -d${SECS}s, $ROUNDS rounds; load $(bench_load)"
for mode in $MODES; do
  bench_start_signet "$mode" "$mode"
  bench_start_notary "$mode" "$mode"
  s_url_var="SIGNET_URL_$mode"; n_url_var="NOTARY_URL_$mode"; s_pid_var="SIGNET_PID_$mode"; n_pid_var="NOTARY_PID_$mode"
  declare -A URL=([signet]=${!s_url_var} [notary]=${!n_url_var})
  declare -A PID=([signet]=${!s_pid_var} [notary]=${!n_pid_var})
  for side in signet notary; do
    bench_certs; populate "${URL[$side]}"
    echo "$mode $side RSS after start + 2 collections: $(bench_rss_kb "${PID[$side]}") kB"
  done
  declare -A PATHS=()
  for side in signet notary; do
    base="${URL[$side]}/v2"
    sha=$(curl -sf --cacert "$WORK/ca.crt" "$base/$SMALL/_trust/tuf/snapshot.json" | sha256sum | cut -d' ' -f1)
    PATHS[$side/timestamp]="$base/$SMALL/_trust/tuf/timestamp.json"
    PATHS[$side/targets-1k]="$base/$BIG/_trust/tuf/targets.json"
    PATHS[$side/snapshot-hash]="$base/$SMALL/_trust/tuf/snapshot.$sha.json"
    for key in timestamp targets-1k snapshot-hash; do   # all must answer 200 before timing
      curl -sf --cacert "$WORK/ca.crt" -o /dev/null "${PATHS[$side/$key]}" || { echo "$side $key: not 200" >&2; exit 1; }
    done
  done
  echo "$(curl -sf --cacert "$WORK/ca.crt" "${PATHS[signet/targets-1k]}" | wc -c) / $(curl -sf --cacert "$WORK/ca.crt" "${PATHS[notary/targets-1k]}" | wc -c) bytes of targets.json (signet / notary)"
  for key in timestamp targets-1k snapshot-hash; do
    for round in $(seq 1 "$ROUNDS"); do
      run_wrk "$mode" signet "$key" "${PATHS[signet/$key]}"
      run_wrk "$mode" notary "$key" "${PATHS[notary/$key]}"
    done
  done
  for side in signet notary; do
    HWM[$mode/$side]=$(bench_hwm_kb "${PID[$side]}")
    echo "$mode $side RSS now $(bench_rss_kb "${PID[$side]}") kB, peak (VmHWM) ${HWM[$mode/$side]} kB"
    kill "${PID[$side]}"; wait "${PID[$side]}" 2>/dev/null || true
  done
  unset URL PID PATHS
done

best() {  # best MODE SIDE KEY rps|p99
  awk -v m="$1" -v s="$2" -v k="$3" -v f="$4" '$1 == m && $2 == s && $3 == k { v = (f == "rps" ? $4 : $5); if (!n++ || (f == "rps" ? v > b : v < b)) b = v } END { print b }' "$WORK/results"
}
echo
echo "== best of $ROUNDS rounds (req/s higher is better, p99 lower is better)"
printf '%-5s %-14s %11s %11s %8s %6s %11s %11s %8s\n' mode GET "signet r/s" "notary r/s" "ratio" goal "signet p99" "notary p99" "ratio"
for mode in $MODES; do
  for key in timestamp targets-1k snapshot-hash; do
    sr=$(best "$mode" signet "$key" rps); nr=$(best "$mode" notary "$key" rps)
    sp=$(best "$mode" signet "$key" p99); np=$(best "$mode" notary "$key" p99)
    goal=1.5; [[ $key == timestamp ]] && goal=3
    printf '%-5s %-14s %11.0f %11.0f %7sx %5sx %9.2fms %9.2fms %7sx\n' "$mode" "$key" "$sr" "$nr" "$(bench_ratio "$sr" "$nr")" "$goal" "$sp" "$np" "$(bench_ratio "$sp" "$np")"
  done
  printf '%-5s %-14s %9s kB %8s kB %7sx   (peak RSS, goal <= 1x)\n' "$mode" "peak RSS" "${HWM[$mode/signet]}" "${HWM[$mode/notary]}" "$(bench_ratio "${HWM[$mode/signet]}" "${HWM[$mode/notary]}")"
done
for mode in $MODES; do
  for key in timestamp targets-1k snapshot-hash; do
    echo "ratio signet/notary $mode $key req/s: $(bench_ratio "$(best "$mode" signet "$key" rps)" "$(best "$mode" notary "$key" rps)")x" \
         " p99: $(bench_ratio "$(best "$mode" signet "$key" p99)" "$(best "$mode" notary "$key" p99)")x"
  done
  echo "ratio signet/notary $mode peak RSS: $(bench_ratio "${HWM[$mode/signet]}" "${HWM[$mode/notary]}")x"
done
if grep -qv ' 0$' "$WORK/results"; then echo "WARNING: some runs had non-2xx responses or socket errors:"; grep -v ' 0$' "$WORK/results"; fi
