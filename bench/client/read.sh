#!/usr/bin/env bash
# Online reads, Signet vs Notary 0.7, in the same run: `list`, `lookup` (and signet `verify`) as
# whole CLI processes, warm cache (trust dir already holds the collection) and cold cache (fresh
# trust dir before every run, trust on first use), for a small collection (3 targets) and a
# 1000-target one. Each run is one `perf stat -e task-clock,duration_time`: CPU time (user +
# system of the client process, what a busy machine does not distort much) and wall time; the
# load average is printed beside every round and the tables.
#
# Pairs measured (each over TLS, like fixtures/notary-0.7/BASELINE.md section (a)):
#   signet -> signet serve     the Signet stack
#   notary -> notary-server    the Notary stack
#   signet -> notary-server    Signet's client alone against Notary's server (same API)
# Both servers hold the same collections, published by `signet add --from-file` + `signet publish`
# (fast); `notary list` on them is checked first (interop gate).
# Rounds alternate the pairs (signet, notary, signet->notary, signet, …); all runs of a command are
# pooled and the median reported, CPU and wall side by side with the ratio notary / signet. `notary verify` checks a payload from stdin and has no
# tag-to-digest equivalent of `signet verify GUN:TAG`, so signet verify is compared with notary lookup.
#
# Usage: ROUNDS=3 RUNS=10 bench/client/read.sh [path/to/signet]   (default: scripts/package --binary-only's build)
# Goal (issue 18): signet >= 2x faster than notary for each warm command, >= 1.5x cold.
# Needs perf (Debian linux-perf), notary, notary-server, jq, python3.
set -euo pipefail
cd "$(dirname "$0")/../.."
SIGNET=$(realpath "${1:-.build/release/signet}")
ROUNDS=${ROUNDS:-3}
RUNS=${RUNS:-10}
WORK=$(mktemp -d /tmp/signet-bench-read.XXXXXX)
command -v perf > /dev/null || { echo "perf is missing: apt-get install -y linux-perf" >&2; exit 2; }
source bench/lib.sh
trap bench_cleanup EXIT

bench_start_signet main tls
bench_start_notary main tls
CA="$WORK/ca.crt"
SMALL=example.com/bench/small
BIG=example.com/bench/big
python3 - > "$WORK/big.txt" <<'PY'
import hashlib
for i in range(1, 1001):
    name = "target-%05d" % i
    print(name, "sha256:" + hashlib.sha256(("target-%d" % i).encode()).hexdigest(), 1000 + i)
PY
for name in one two three; do echo "$name" > "$WORK/$name"; done

# Publish both collections to both servers with signet (a separate publisher trust dir per server).
for url in "$SIGNET_URL_main" "$NOTARY_URL_main"; do
  P=(-s "$url" -d "$WORK/publisher-$(bench_free_port)" --tls-ca "$CA")
  "$SIGNET" init "$SMALL" "${P[@]}" > /dev/null
  for name in one two three; do "$SIGNET" add "$SMALL" "$name" "$WORK/$name" "${P[@]}" > /dev/null; done
  "$SIGNET" publish "$SMALL" "${P[@]}" > /dev/null
  "$SIGNET" init "$BIG" "${P[@]}" > /dev/null
  "$SIGNET" add "$BIG" --from-file "$WORK/big.txt" "${P[@]}" > /dev/null
  "$SIGNET" publish "$BIG" "${P[@]}" > /dev/null
done

# Command lines. Warm trust dirs: *-warm; cold: $WORK/cold (removed before every run).
S2S="-s $SIGNET_URL_main --tls-ca $CA"     # signet takes its options after the subcommand
N2N="notary -s $NOTARY_URL_main --tlscacert $CA"
S2N="-s $NOTARY_URL_main --tls-ca $CA"
COLD="$WORK/cold"
declare -A CMD
for repo in small big; do
  G=$SMALL; T=two; [[ $repo == big ]] && { G=$BIG; T=target-00500; }
  for cache in warm cold; do
    for pair in s2s n2n s2n; do
      D="$WORK/$pair-warm"; [[ $cache == cold ]] && D=$COLD
      case $pair in
        n2n)
          CMD[$repo/$cache/$pair/list]="$N2N -d $D list $G"
          CMD[$repo/$cache/$pair/lookup]="$N2N -d $D lookup $G $T" ;;
        *)
          opts=$S2S; [[ $pair == s2n ]] && opts=$S2N
          CMD[$repo/$cache/$pair/list]="$SIGNET list $G $opts -d $D"
          CMD[$repo/$cache/$pair/lookup]="$SIGNET lookup $G $T $opts -d $D"
          CMD[$repo/$cache/$pair/verify]="$SIGNET verify $G:$T $opts -d $D" ;;
      esac
    done
  done
done

# Interop gate + warm-up of the warm trust dirs; list sizes must agree.
for repo in small big; do
  want=3; [[ $repo == big ]] && want=1000
  for pair in s2s n2n s2n; do
    got=$(${CMD[$repo/warm/$pair/list]} 2>&1 | grep -c -E 'target-|^ *(one|two|three) ' || true)
    [[ $got == "$want" ]] || { echo "gate: $pair list $repo gave $got targets, expected $want:" >&2; ${CMD[$repo/warm/$pair/list]} >&2 || true; exit 1; }
  done
done
echo "interop gate ok: notary lists what signet published (both servers); load $(bench_load)"

: > "$WORK/times"   # lines: KEY cpu-ms wall-ms
run_group() {  # run_group CACHE KEY… (RUNS runs per key, after 2 warm-up runs, in the given order)
  local cache=$1 key i; shift
  for key in "$@"; do
    for i in $(seq -2 "$RUNS"); do
      [[ $cache == cold ]] && rm -rf "$COLD"
      # shellcheck disable=SC2086  # the command line is split on purpose
      perf stat -x, -e task-clock,duration_time -o "$WORK/perf.txt" -- ${CMD[$key]} > /dev/null 2> "$WORK/run.err" \
        || { echo "failed: $key: ${CMD[$key]}" >&2; cat "$WORK/run.err" >&2; exit 1; }
      ((i > 0)) || continue
      awk -F, -v k="$key" '$3 == "task-clock" { cpu = $1 } $3 == "duration_time" { wall = $1 / 1e6 }
        END { print k, cpu, wall }' "$WORK/perf.txt" >> "$WORK/times"
    done
  done
}

for round in $(seq 1 "$ROUNDS"); do
  for repo in small big; do
    for cache in warm cold; do
      for op in list lookup verify; do
        keys=("$repo/$cache/s2s/$op")
        [[ $op != verify ]] && keys+=("$repo/$cache/n2n/$op")
        keys+=("$repo/$cache/s2n/$op")
        run_group "$cache" "${keys[@]}"
      done
    done
  done
  echo "round $round done (load $(bench_load))"
done

stat() {  # stat KEY cpu|wall → median ms
  awk -v k="$1" -v c="$2" '$1 == k { print (c == "cpu" ? $2 : $3) }' "$WORK/times" | bench_median
}
echo
echo "== medians over $ROUNDS rounds x $RUNS runs, ms; CPU = task-clock of the client process; load $(bench_load)"
echo "   speedup = notary->notary / signet (goal: warm >= 2x, cold >= 1.5x); verify is compared with notary lookup"
printf '%-6s %-5s %-7s | %9s %9s %9s %8s %8s | %9s %9s %8s\n' repo cache command "S->S cpu" "N->N cpu" "S->N cpu" "S->S x" "S->N x" "S->S wall" "N->N wall" "S->S x"
for repo in small big; do
  for cache in warm cold; do
    for op in list lookup verify; do
      nop=$op; [[ $op == verify ]] && nop=lookup
      sc=$(stat "$repo/$cache/s2s/$op" cpu); nc=$(stat "$repo/$cache/n2n/$nop" cpu); xc=$(stat "$repo/$cache/s2n/$op" cpu)
      sw=$(stat "$repo/$cache/s2s/$op" wall); nw=$(stat "$repo/$cache/n2n/$nop" wall)
      printf '%-6s %-5s %-7s | %9.2f %9.2f %9.2f %7sx %7sx | %9.2f %9.2f %7sx\n' "$repo" "$cache" "$op" "$sc" "$nc" "$xc" \
        "$(bench_ratio "$nc" "$sc")" "$(bench_ratio "$nc" "$xc")" "$sw" "$nw" "$(bench_ratio "$nw" "$sw")"
    done
  done
done
if [[ ${KEEP_WORK:-0} == 1 ]]; then echo "(every run: $WORK/times, lines KEY cpu-ms wall-ms)"; fi
