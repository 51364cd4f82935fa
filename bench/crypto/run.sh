#!/usr/bin/env bash
# Compares SignetCrypto's single-thread ECDSA P-256 / Ed25519 sign and verify rates with
# `openssl speed` on the same machine in the same run. Goal: >= 90% of openssl for each.
# Usage: bench/crypto/run.sh [seconds-per-op, default 3]
set -euo pipefail
cd "$(dirname "$0")/../.."
SECS="${1:-3}"

swift build -c release --product signet-bench-crypto >/dev/null
BIN="$(swift build -c release --show-bin-path)/signet-bench-crypto"

echo "== SignetCrypto (${SECS}s per op)"
ours="$("$BIN" "$SECS")"
echo "$ours"

echo "== openssl speed -seconds ${SECS} ecdsap256 ed25519"
speed="$(openssl speed -seconds "$SECS" ecdsap256 ed25519 2>/dev/null)"
# Result lines: " 256 bits ecdsa (nistp256)   0.0000s   0.0000s  71234.5  23456.7"
#               " 253 bits EdDSA (Ed25519)    0.0000s   0.0001s  43210.0  16543.2"
ec_line="$(grep -E 'ecdsa \(nistp256\)' <<<"$speed" | tail -1)"
ed_line="$(grep -E 'EdDSA \(Ed25519\)' <<<"$speed" | tail -1)"
echo "$ec_line"
echo "$ed_line"
ssl_ec_sign="$(awk '{print $(NF-1)}' <<<"$ec_line")";  ssl_ec_verify="$(awk '{print $NF}' <<<"$ec_line")"
ssl_ed_sign="$(awk '{print $(NF-1)}' <<<"$ed_line")";  ssl_ed_verify="$(awk '{print $NF}' <<<"$ed_line")"

ours_of() { awk -v k="$1" '$1 == k {print $2}' <<<"$ours"; }

echo "== ratio SignetCrypto / openssl (goal >= 90%)"
status=0
for row in "ecdsap256-sign $ssl_ec_sign" "ecdsap256-verify $ssl_ec_verify" "ed25519-sign $ssl_ed_sign" "ed25519-verify $ssl_ed_verify"; do
  set -- $row
  mine="$(ours_of "$1")"
  pct="$(awk -v a="$mine" -v b="$2" 'BEGIN { printf "%.1f", 100 * a / b }')"
  verdict="ok"; awk -v p="$pct" 'BEGIN { exit !(p < 90) }' && { verdict="BELOW GOAL"; status=1; }
  printf '%-18s signet %10.1f/s  openssl %10.1f/s  %6s%%  %s\n' "$1" "$mine" "$2" "$pct" "$verdict"
done
exit $status
