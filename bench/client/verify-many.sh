#!/usr/bin/env bash
# A CI job checking 50 images in 3 collections (17 + 17 + 16 tags), Signet vs Notary 0.7, in the
# same run, over TLS (issue 16 §4):
#   many      one `signet verify --from-file images.txt` process -> signet serve
#   signet    50 `signet verify GUN:TAG` processes, one after another -> signet serve
#   notary    50 `notary lookup GUN TAG` processes, one after another -> notary-server
# Each pipeline starts from a fresh trust dir (a CI runner has none) that its own processes share,
# so the 50-process pipelines also pay only one trust-on-first-use per collection. Both servers
# hold the same collections, published by signet; every pipeline's digests are checked against
# what was published before timing. Rounds alternate the three; medians over ROUNDS.
#
# Usage: ROUNDS=5 bench/client/verify-many.sh [path/to/signet]
# Goal (issue 16): `many` >= 20x faster than `notary`.
set -euo pipefail
cd "$(dirname "$0")/../.."
SIGNET=$(realpath "${1:-.build/release/signet}")
ROUNDS=${ROUNDS:-5}
WORK=$(mktemp -d /tmp/signet-bench-many.XXXXXX)
source bench/lib.sh
trap bench_cleanup EXIT

bench_start_signet main tls
bench_start_notary main tls
CA="$WORK/ca.crt"
GUNS=(example.com/bench/api example.com/bench/web example.com/bench/worker)
COUNTS=(17 17 16)
: > "$WORK/images.txt"
: > "$WORK/expected.txt"
for i in 0 1 2; do
  gun=${GUNS[$i]}
  python3 - "$gun" "${COUNTS[$i]}" > "$WORK/tags-$i.txt" <<'PY'
import hashlib, sys
gun, count = sys.argv[1], int(sys.argv[2])
for n in range(1, count + 1):
    print("t%d" % n, "sha256:" + hashlib.sha256(("%s %d" % (gun, n)).encode()).hexdigest(), 1000 + n)
PY
  while read -r tag digest _; do
    echo "$gun:$tag" >> "$WORK/images.txt"
    echo "$gun:$tag $digest" >> "$WORK/expected.txt"
  done < "$WORK/tags-$i.txt"
done
for url in "$SIGNET_URL_main" "$NOTARY_URL_main"; do
  P=(-s "$url" -d "$WORK/publisher-$(bench_free_port)" --tls-ca "$CA")
  for i in 0 1 2; do
    "$SIGNET" init "${GUNS[$i]}" "${P[@]}" > /dev/null
    "$SIGNET" add "${GUNS[$i]}" --from-file "$WORK/tags-$i.txt" "${P[@]}" > /dev/null
    "$SIGNET" publish "${GUNS[$i]}" "${P[@]}" > /dev/null
  done
done

# The three pipelines; each prints "IMAGE DIGEST" lines.
many() {
  local dir="$WORK/trust-many"; rm -rf "$dir"
  "$SIGNET" -s "$SIGNET_URL_main" --tls-ca "$CA" -d "$dir" verify --from-file "$WORK/images.txt"
}
signet_each() {
  local dir="$WORK/trust-signet" image; rm -rf "$dir"
  while read -r image; do
    echo "$image $("$SIGNET" -s "$SIGNET_URL_main" --tls-ca "$CA" -d "$dir" verify "$image")"
  done < "$WORK/images.txt"
}
notary_each() {
  local dir="$WORK/trust-notary" image; rm -rf "$dir"
  while read -r image; do
    # notary lookup prints "NAME sha256:HEX SIZE"
    echo "$image $(notary -s "$NOTARY_URL_main" --tlscacert "$CA" -d "$dir" lookup "${image%%:*}" "${image##*:}" | awk '{print $2}')"
  done < "$WORK/images.txt"
}

for pipeline in many signet_each notary_each; do
  $pipeline > "$WORK/got-$pipeline.txt" 2> "$WORK/err-$pipeline.txt" || { echo "gate: $pipeline failed:" >&2; cat "$WORK/err-$pipeline.txt" >&2; exit 1; }
  diff -q "$WORK/expected.txt" "$WORK/got-$pipeline.txt" > /dev/null || { echo "gate: $pipeline printed other digests:" >&2; diff "$WORK/expected.txt" "$WORK/got-$pipeline.txt" >&2; exit 1; }
done
echo "gate ok: all three pipelines print the 50 published digests; load $(bench_load)"

: > "$WORK/times"
for round in $(seq 1 "$ROUNDS"); do
  for pipeline in many signet_each notary_each; do
    start=$(bench_now)
    $pipeline > /dev/null 2>&1
    echo "$pipeline $(awk -v a="$start" -v b="$(bench_now)" 'BEGIN { print b - a }')" >> "$WORK/times"
  done
  echo "round $round done (load $(bench_load))"
done
median() { awk -v k="$1" '$1 == k { print $2 * 1000 }' "$WORK/times" | bench_median; }
m=$(median many); s=$(median signet_each); n=$(median notary_each)
echo
echo "== 50 images, 3 collections, TLS, fresh trust dir per pipeline; medians over $ROUNDS rounds (ms)"
printf '%-44s %10.1f\n' "signet verify --from-file (1 process)" "$m" "signet verify x50 (50 processes)" "$s" "notary lookup x50 (50 processes)" "$n"
echo "ratio notary/many: $(bench_ratio "$n" "$m")   (goal >= 20)"
echo "ratio signet_each/many: $(bench_ratio "$s" "$m")"
