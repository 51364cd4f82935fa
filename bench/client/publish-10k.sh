#!/usr/bin/env bash
# Staging and publishing N tags (default 10,000), Signet vs Notary 0.7, in the same run.
#
#   Signet: signet add GUN --from-file LIST (lines "NAME sha256:HEX SIZE") + signet publish GUN,
#           against `signet serve` (TLS).
#   Notary: one `notary addhash GUN NAME SIZE --sha256 HEX` process per tag + notary publish GUN,
#           against notary-server 0.7 (TLS, memory storage, local signer).
#
# Each side gets a fresh, already initialised and published (empty) collection per round; init is
# not timed. Rounds alternate signet, notary, signet, notary… and the medians are compared.
# 10,000 `notary addhash` process starts take ~130-170 s per round on the 2-core machine, so the
# default run takes ~6 minutes; use N=1000 for a quick look.
#
# Also reported: the cost of unlocking one private key (PBKDF2-HMAC-SHA1, 1.3 M iterations, as
# Signet writes them) measured with `openssl pkcs8` on the same key file, and what share of
# `signet publish` that is (publish needs the targets and the snapshot key).
#
# Usage: N=10000 ROUNDS=2 bench/client/publish-10k.sh [path/to/signet]
# Goals (issue): >= 50x faster end to end; `publish` alone no slower than notary's.
set -euo pipefail
cd "$(dirname "$0")/../.."
SIGNET=$(realpath "${1:-.build/release/signet}")
N=${N:-10000}
ROUNDS=${ROUNDS:-2}
WORK=$(mktemp -d /tmp/signet-bench-publish.XXXXXX)
source bench/lib.sh
trap bench_cleanup EXIT

bench_start_signet main tls
bench_start_notary main tls
ST=(-s "$SIGNET_URL_main" -d "$WORK/signet-trust" --tls-ca "$WORK/ca.crt")
NT=(-s "$NOTARY_URL_main" -d "$WORK/notary-trust" --tlscacert "$WORK/ca.crt")

# The tag list: app/tag-00001 … with the sha256 of its name as digest and 1000+i as size.
python3 - "$N" > "$WORK/list.txt" <<'PY'
import hashlib, sys
for i in range(1, int(sys.argv[1]) + 1):
    name = "app/tag-%05d" % i
    print(name, "sha256:" + hashlib.sha256(name.encode()).hexdigest(), 1000 + i)
PY

timed() {  # timed OUTVAR CMD… : wall seconds of CMD into OUTVAR (stdout/stderr to $WORK/last.*)
  local -n out=$1; shift
  local t0 t1
  t0=$(bench_now)
  "$@" > "$WORK/last.out" 2> "$WORK/last.err" || { echo "FAILED: $*" >&2; cat "$WORK/last.err" >&2; exit 1; }
  t1=$(bench_now)
  out=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }')
}

count_targets() {  # count_targets URL GUN
  curl -sf --cacert "$WORK/ca.crt" "$1/v2/$2/_trust/tuf/targets.json" | jq '.signed.targets | length'
}

signet_round() {
  local gun=example.com/bench/publish-signet-$1 stage publish
  "$SIGNET" init "$gun" "${ST[@]}" > /dev/null
  "$SIGNET" publish "$gun" "${ST[@]}" > /dev/null
  timed stage "$SIGNET" add "$gun" --from-file "$WORK/list.txt" "${ST[@]}"
  timed publish "$SIGNET" publish "$gun" "${ST[@]}"
  local count; count=$(count_targets "$SIGNET_URL_main" "$gun")
  [[ $count == "$N" ]] || { echo "signet: server has $count targets, expected $N" >&2; exit 1; }
  echo "$stage $publish" >> "$WORK/signet.times"
  printf 'round %d  signet  stage %8.3f s  publish %6.3f s  end-to-end %8.3f s   (load %s)\n' \
    "$1" "$stage" "$publish" "$(awk -v a="$stage" -v b="$publish" 'BEGIN { print a + b }')" "$(bench_load)"
}

notary_stage() {  # notary_stage GUN
  local name digest size
  while read -r name digest size; do
    notary "${NT[@]}" addhash "$1" "$name" "$size" --sha256 "${digest#sha256:}" > /dev/null
  done < "$WORK/list.txt"
}

notary_round() {
  local gun=example.com/bench/publish-notary-$1 stage publish
  notary "${NT[@]}" init "$gun" > /dev/null
  notary "${NT[@]}" publish "$gun" > /dev/null
  timed stage notary_stage "$gun"
  timed publish notary "${NT[@]}" publish "$gun"
  local count; count=$(count_targets "$NOTARY_URL_main" "$gun")
  [[ $count == "$N" ]] || { echo "notary: server has $count targets, expected $N" >&2; exit 1; }
  echo "$stage $publish" >> "$WORK/notary.times"
  printf 'round %d  notary  stage %8.3f s  publish %6.3f s  end-to-end %8.3f s   (load %s)\n' \
    "$1" "$stage" "$publish" "$(awk -v a="$stage" -v b="$publish" 'BEGIN { print a + b }')" "$(bench_load)"
}

echo "N=$N tags, $ROUNDS rounds; signet $("$SIGNET" --version), notary $(dpkg-query -W -f '${Version}' notary); load $(bench_load)"
for round in $(seq 1 "$ROUNDS"); do
  signet_round "$round"
  notary_round "$round"
done

# Key unlock: openssl decrypting the targets key Signet wrote (same KDF, same library).
KEY=$(grep -l '^role: targets' "$WORK"/signet-trust/private/*.key | head -1)
grep -v -e '^role:' -e '^gun:' "$KEY" | sed '/^$/d' > "$WORK/targets-key.pem"
hyperfine -N --runs 5 --export-json "$WORK/unlock.json" \
  "openssl pkcs8 -in $WORK/targets-key.pem -passin pass:$SIGNET_TARGETS_PASSPHRASE -out /dev/null" > /dev/null 2>&1
UNLOCK=$(jq '.results[0].median' "$WORK/unlock.json")

col() { awk -v c="$1" '{ print $c }' "$2"; }
e2e() { awk '{ print $1 + $2 }' "$1"; }
S_STAGE=$(col 1 "$WORK/signet.times" | bench_median); S_PUB=$(col 2 "$WORK/signet.times" | bench_median)
N_STAGE=$(col 1 "$WORK/notary.times" | bench_median); N_PUB=$(col 2 "$WORK/notary.times" | bench_median)
S_E2E=$(e2e "$WORK/signet.times" | bench_median); N_E2E=$(e2e "$WORK/notary.times" | bench_median)
S_PUB_BEST=$(col 2 "$WORK/signet.times" | bench_min); N_PUB_BEST=$(col 2 "$WORK/notary.times" | bench_min)

echo
echo "== medians of $ROUNDS rounds, N=$N (seconds)"
printf '%-22s %10s %10s\n' "" signet notary
printf '%-22s %10.3f %10.3f\n' "stage (add/addhash)" "$S_STAGE" "$N_STAGE"
printf '%-22s %10.3f %10.3f\n' "publish" "$S_PUB" "$N_PUB"
printf '%-22s %10.3f %10.3f\n' "end to end" "$S_E2E" "$N_E2E"
printf '%-22s %10.3f %10.3f\n' "publish (best)" "$S_PUB_BEST" "$N_PUB_BEST"
echo "one key unlock (PBKDF2-SHA1 1.3M, openssl pkcs8, median of 5): $(printf '%.3f' "$UNLOCK") s;" \
     "signet publish unlocks 2 keys (targets + snapshot) = $(awk -v u="$UNLOCK" -v p="$S_PUB" 'BEGIN { printf "%.0f", 100 * 2 * u / p }')% of its median publish if serial," \
     "$(awk -v u="$UNLOCK" -v p="$S_PUB" 'BEGIN { printf "%.0f", 100 * u / p }')% if both run in parallel"
echo "ratio signet/notary end-to-end: $(bench_ratio "$S_E2E" "$N_E2E")  (signet $(bench_ratio "$N_E2E" "$S_E2E")x faster; goal >= 50x)"
echo "ratio signet/notary publish:    $(bench_ratio "$S_PUB" "$N_PUB")  (goal <= 1.0; best-of: $(bench_ratio "$S_PUB_BEST" "$N_PUB_BEST"))"
echo "ratio signet/notary staging:    $(bench_ratio "$S_STAGE" "$N_STAGE")"
