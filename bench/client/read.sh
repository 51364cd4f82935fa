#!/usr/bin/env bash
# Online reads, Signet vs Notary 0.7, in the same run: `list`, `lookup` (and signet `verify`) as
# whole CLI processes (hyperfine -N), warm cache (trust dir already holds the collection) and cold
# cache (fresh trust dir every run: hyperfine --prepare, trust on first use), for a small
# collection (3 targets) and a 1000-target one.
#
# Pairs measured (each over TLS, like fixtures/notary-0.7/BASELINE.md section (a)):
#   signet -> signet serve     the Signet stack
#   notary -> notary-server    the Notary stack
#   signet -> notary-server    Signet's client alone against Notary's server (same API)
# Both servers hold the same collections, published by `signet add --from-file` + `signet publish`
# (fast); `notary list` on them is checked first (interop gate).
# Rounds alternate the pairs (signet, notary, signet->notary, signet, …); all runs of a command are
# pooled and the median (and min) reported. `notary verify` checks a payload from stdin and has no
# tag-to-digest equivalent of `signet verify GUN:TAG`, so signet verify is compared with notary lookup.
#
# Usage: ROUNDS=3 RUNS=10 bench/client/read.sh [path/to/signet]
# Goal (issue): signet >= 2x faster than notary for each command.
set -euo pipefail
cd "$(dirname "$0")/../.."
SIGNET=$(realpath "${1:-.build/release/signet}")
ROUNDS=${ROUNDS:-3}
RUNS=${RUNS:-10}
WORK=$(mktemp -d /tmp/signet-bench-read.XXXXXX)
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

: > "$WORK/times"   # lines: KEY seconds
run_group() {  # run_group CACHE KEY… (one hyperfine per key, in the given order)
  local cache=$1 key; shift
  for key in "$@"; do
    local prep=(); [[ $cache == cold ]] && prep=(--prepare "rm -rf $COLD")
    hyperfine -N --warmup 2 --runs "$RUNS" "${prep[@]}" --export-json "$WORK/h.json" "${CMD[$key]}" > /dev/null 2> "$WORK/h.err" \
      || { echo "hyperfine failed for $key: ${CMD[$key]}" >&2; cat "$WORK/h.err" >&2; exit 1; }
    jq -r --arg k "$key" '.results[0].times[] | "\($k) \(.)"' "$WORK/h.json" >> "$WORK/times"
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

stat() {  # stat KEY median|min → ms
  awk -v k="$1" '$1 == k { print $2 * 1000 }' "$WORK/times" | { [[ $2 == min ]] && bench_min || bench_median; }
}
echo
echo "== medians over $ROUNDS rounds x $RUNS runs (ms); ratio = notary->notary time / signet time (goal >= 2x)"
printf '%-6s %-5s %-7s %12s %12s %12s %16s %16s\n' repo cache command "signet->S" "notary->N" "signet->N" "S->S speedup" "S->N speedup"
for repo in small big; do
  for cache in warm cold; do
    for op in list lookup verify; do
      ss=$(stat "$repo/$cache/s2s/$op" median); sn=$(stat "$repo/$cache/s2n/$op" median)
      nop=$op; [[ $op == verify ]] && nop=lookup
      nn=$(stat "$repo/$cache/n2n/$nop" median)
      printf '%-6s %-5s %-7s %12.1f %12.1f %12.1f %15sx %15sx\n' "$repo" "$cache" "$op" "$ss" "$nn" "$sn" \
        "$(bench_ratio "$nn" "$ss")" "$(bench_ratio "$nn" "$sn")"
    done
  done
done
echo "(verify is compared with notary lookup; min times are in $WORK/times when KEEP_WORK=1)"
for repo in small big; do
  for cache in warm cold; do
    for op in list lookup; do
      echo "ratio signet/notary $repo $cache $op: $(bench_ratio "$(stat "$repo/$cache/s2s/$op" median)" "$(stat "$repo/$cache/n2n/$op" median)")"
    done
  done
done
