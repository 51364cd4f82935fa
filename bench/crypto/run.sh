#!/usr/bin/env bash
# Compares SignetCrypto's single-thread ECDSA P-256 / Ed25519 sign and verify rates with
# `openssl speed` on the same machine in the same run. Goal: >= 90% of openssl for each.
#
# On a shared 2-core machine a single run of either side can be off by 20-50%, so the two are
# interleaved per algorithm (ours, openssl, ours, openssl, ...) for ROUNDS rounds and the best
# rate of each side is compared.
# Usage: bench/crypto/run.sh [seconds-per-op, default 3] [rounds, default 3]
set -euo pipefail
cd "$(dirname "$0")/../.."
SECS="${1:-3}"
ROUNDS="${2:-3}"

swift build -c release --product signet-bench-crypto >/dev/null
BIN="$(swift build -c release --show-bin-path)/signet-bench-crypto"

declare -A best_ours best_ssl
keep_max() {  # keep_max ARRAY KEY VALUE
  local -n arr="$1"
  local current="${arr[$2]:-0}"
  arr[$2]="$(awk -v a="$current" -v b="$3" 'BEGIN { print (b > a ? b : a) }')"
}

echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
for round in $(seq 1 "$ROUNDS"); do
  for alg in ecdsap256 ed25519; do
    ours="$("$BIN" "$SECS" "$alg")"
    while read -r name rate; do
      keep_max best_ours "$name" "$rate"
      echo "round $round  signet   $name $rate/s"
    done <<<"$ours"
    # openssl result line: " 256 bits ecdsa (nistp256)   0.0000s   0.0000s  71234.5  23456.7"
    line="$(openssl speed -seconds "$SECS" "$alg" 2>/dev/null | grep -E 'ecdsa \(nistp256\)|EdDSA \(Ed25519\)' | tail -1)"
    sign="$(awk '{print $(NF-1)}' <<<"$line")"; verify="$(awk '{print $NF}' <<<"$line")"
    keep_max best_ssl "$alg-sign" "$sign"; keep_max best_ssl "$alg-verify" "$verify"
    echo "round $round  openssl  $alg-sign $sign/s"
    echo "round $round  openssl  $alg-verify $verify/s"
  done
done
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"

echo "== best of $ROUNDS rounds: SignetCrypto / openssl speed (goal >= 90%)"
status=0
for op in ecdsap256-sign ecdsap256-verify ed25519-sign ed25519-verify; do
  mine="${best_ours[$op]}"; theirs="${best_ssl[$op]}"
  pct="$(awk -v a="$mine" -v b="$theirs" 'BEGIN { printf "%.1f", 100 * a / b }')"
  verdict="ok"; awk -v p="$pct" 'BEGIN { exit !(p < 90) }' && { verdict="BELOW GOAL"; status=1; }
  printf '%-18s signet %10.1f/s  openssl %10.1f/s  %6s%%  %s\n' "$op" "$mine" "$theirs" "$pct" "$verdict"
done
exit $status
