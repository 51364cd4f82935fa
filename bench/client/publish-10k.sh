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
# Signet with the agent (issue 18 item 3): the same rounds on a third trust dir, with
# `signet agent start --gun GUN` run after init and before the timed commands (untimed, like init:
# it unlocks the targets and snapshot keys once), and `publish` run with every *_PASSPHRASE
# variable removed, so it cannot unlock a key itself; the agent is stopped after the round.
#
# Every timed command also reports its CPU time (user + system of it and its children, bash's
# `time`), which stays meaningful when the shared machine is loaded; wall times are given with
# the load average beside them.
#
# Also reported: the cost of unlocking one private key (PBKDF2-HMAC-SHA1, 1.3 M iterations, as
# Signet writes them) measured with `openssl pkcs8` on the same key file, and what share of
# `signet publish` that is (publish needs the targets and the snapshot key).
#
# Usage: N=10000 ROUNDS=2 bench/client/publish-10k.sh [path/to/signet]
# Goals (issue): >= 50x faster end to end; `publish` alone no slower than notary's; with the
# agent holding the keys, >= 100x end to end.
set -euo pipefail
cd "$(dirname "$0")/../.."
SIGNET=$(realpath "${1:-.build/release/signet}")
N=${N:-10000}
ROUNDS=${ROUNDS:-2}
WORK=$(mktemp -d /tmp/signet-bench-publish.XXXXXX)
source bench/lib.sh
AT=()
agent_cleanup() { [[ ${#AT[@]} -eq 0 ]] || "$SIGNET" agent stop "${AT[@]}" > /dev/null 2>&1 || true; bench_cleanup; }
trap agent_cleanup EXIT

bench_start_signet main tls
bench_start_notary main tls
ST=(-s "$SIGNET_URL_main" -d "$WORK/signet-trust" --tls-ca "$WORK/ca.crt")
NT=(-s "$NOTARY_URL_main" -d "$WORK/notary-trust" --tlscacert "$WORK/ca.crt")
AT=(-s "$SIGNET_URL_main" -d "$WORK/agent-trust" --tls-ca "$WORK/ca.crt")

# The tag list: app/tag-00001 … with the sha256 of its name as digest and 1000+i as size.
python3 - "$N" > "$WORK/list.txt" <<'PY'
import hashlib, sys
for i in range(1, int(sys.argv[1]) + 1):
    name = "app/tag-%05d" % i
    print(name, "sha256:" + hashlib.sha256(name.encode()).hexdigest(), 1000 + i)
PY

timed() {  # timed OUTVAR CPUVAR CMD… : wall and CPU (user + sys, children included) seconds of CMD
  local -n out=$1 cpu=$2; shift 2
  local TIMEFORMAT='%3R %3U %3S' rc=0
  { time "$@" > "$WORK/last.out" 2> "$WORK/last.err" || rc=$?; } 2> "$WORK/time.txt"
  [[ $rc == 0 ]] || { echo "FAILED: $*" >&2; cat "$WORK/last.err" >&2; exit 1; }
  out=$(awk '{ printf "%.3f", $1 }' "$WORK/time.txt")
  cpu=$(awk '{ printf "%.3f", $2 + $3 }' "$WORK/time.txt")
}

# The passphrase variables removed: a publish that needed to unlock a key would fail.
NO_PASSPHRASES=(env -u SIGNET_ROOT_PASSPHRASE -u SIGNET_TARGETS_PASSPHRASE -u SIGNET_SNAPSHOT_PASSPHRASE -u SIGNET_DELEGATION_PASSPHRASE
                -u NOTARY_ROOT_PASSPHRASE -u NOTARY_TARGETS_PASSPHRASE -u NOTARY_SNAPSHOT_PASSPHRASE -u NOTARY_DELEGATION_PASSPHRASE)

count_targets() {  # count_targets URL GUN
  curl -sf --cacert "$WORK/ca.crt" "$1/v2/$2/_trust/tuf/targets.json" | jq '.signed.targets | length'
}

signet_round() {
  local gun=example.com/bench/publish-signet-$1 stage publish stage_cpu publish_cpu
  "$SIGNET" init "$gun" "${ST[@]}" > /dev/null
  "$SIGNET" publish "$gun" "${ST[@]}" > /dev/null
  timed stage stage_cpu "$SIGNET" add "$gun" --from-file "$WORK/list.txt" "${ST[@]}"
  timed publish publish_cpu "$SIGNET" publish "$gun" "${ST[@]}"
  local count; count=$(count_targets "$SIGNET_URL_main" "$gun")
  [[ $count == "$N" ]] || { echo "signet: server has $count targets, expected $N" >&2; exit 1; }
  echo "$stage $publish $stage_cpu $publish_cpu" >> "$WORK/signet.times"
  report_round "$1" signet "$stage" "$publish" "$stage_cpu" "$publish_cpu"
}

report_round() {  # report_round ROUND SIDE STAGE PUBLISH STAGE_CPU PUBLISH_CPU
  printf 'round %d  %-6s  stage %8.3f s  publish %6.3f s  end-to-end %8.3f s  CPU %8.3f s   (load %s)\n' \
    "$1" "$2" "$3" "$4" "$(awk -v a="$3" -v b="$4" 'BEGIN { print a + b }')" "$(awk -v a="$5" -v b="$6" 'BEGIN { print a + b }')" "$(bench_load)"
}

agent_round() {
  local gun=example.com/bench/publish-agent-$1 stage publish stage_cpu publish_cpu
  "$SIGNET" init "$gun" "${AT[@]}" > /dev/null
  "$SIGNET" publish "$gun" "${AT[@]}" > /dev/null
  "$SIGNET" agent start --lifetime 30m --gun "$gun" "${AT[@]}" > /dev/null 2>&1  # untimed, like init
  timed stage stage_cpu "$SIGNET" add "$gun" --from-file "$WORK/list.txt" "${AT[@]}"
  timed publish publish_cpu "${NO_PASSPHRASES[@]}" "$SIGNET" publish "$gun" "${AT[@]}"
  "$SIGNET" agent stop "${AT[@]}" > /dev/null
  local count; count=$(count_targets "$SIGNET_URL_main" "$gun")
  [[ $count == "$N" ]] || { echo "signet+agent: server has $count targets, expected $N" >&2; exit 1; }
  echo "$stage $publish $stage_cpu $publish_cpu" >> "$WORK/agent.times"
  report_round "$1" agent "$stage" "$publish" "$stage_cpu" "$publish_cpu"
}

notary_stage() {  # notary_stage GUN
  local name digest size
  while read -r name digest size; do
    notary "${NT[@]}" addhash "$1" "$name" "$size" --sha256 "${digest#sha256:}" > /dev/null
  done < "$WORK/list.txt"
}

notary_round() {
  local gun=example.com/bench/publish-notary-$1 stage publish stage_cpu publish_cpu
  notary "${NT[@]}" init "$gun" > /dev/null
  notary "${NT[@]}" publish "$gun" > /dev/null
  timed stage stage_cpu notary_stage "$gun"
  timed publish publish_cpu notary "${NT[@]}" publish "$gun"
  local count; count=$(count_targets "$NOTARY_URL_main" "$gun")
  [[ $count == "$N" ]] || { echo "notary: server has $count targets, expected $N" >&2; exit 1; }
  echo "$stage $publish $stage_cpu $publish_cpu" >> "$WORK/notary.times"
  report_round "$1" notary "$stage" "$publish" "$stage_cpu" "$publish_cpu"
}

echo "N=$N tags, $ROUNDS rounds; signet $("$SIGNET" --version), notary $(dpkg-query -W -f '${Version}' notary); load $(bench_load)"
for round in $(seq 1 "$ROUNDS"); do
  signet_round "$round"
  agent_round "$round"
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
cpu() { awk '{ print $3 + $4 }' "$1"; }
S_STAGE=$(col 1 "$WORK/signet.times" | bench_median); S_PUB=$(col 2 "$WORK/signet.times" | bench_median)
N_STAGE=$(col 1 "$WORK/notary.times" | bench_median); N_PUB=$(col 2 "$WORK/notary.times" | bench_median)
S_E2E=$(e2e "$WORK/signet.times" | bench_median); N_E2E=$(e2e "$WORK/notary.times" | bench_median)
S_PUB_BEST=$(col 2 "$WORK/signet.times" | bench_min); N_PUB_BEST=$(col 2 "$WORK/notary.times" | bench_min)
A_STAGE=$(col 1 "$WORK/agent.times" | bench_median); A_PUB=$(col 2 "$WORK/agent.times" | bench_median)
A_E2E=$(e2e "$WORK/agent.times" | bench_median); A_PUB_BEST=$(col 2 "$WORK/agent.times" | bench_min)
S_CPU=$(cpu "$WORK/signet.times" | bench_median); A_CPU=$(cpu "$WORK/agent.times" | bench_median); N_CPU=$(cpu "$WORK/notary.times" | bench_median)
A_PUB_CPU=$(col 4 "$WORK/agent.times" | bench_median); S_PUB_CPU=$(col 4 "$WORK/signet.times" | bench_median); N_PUB_CPU=$(col 4 "$WORK/notary.times" | bench_median)

echo
echo "== medians of $ROUNDS rounds, N=$N (seconds)"
printf '%-22s %10s %13s %10s\n' "" signet signet+agent notary
printf '%-22s %10.3f %13.3f %10.3f\n' "stage (add/addhash)" "$S_STAGE" "$A_STAGE" "$N_STAGE"
printf '%-22s %10.3f %13.3f %10.3f\n' "publish" "$S_PUB" "$A_PUB" "$N_PUB"
printf '%-22s %10.3f %13.3f %10.3f\n' "end to end" "$S_E2E" "$A_E2E" "$N_E2E"
printf '%-22s %10.3f %13.3f %10.3f\n' "publish (best)" "$S_PUB_BEST" "$A_PUB_BEST" "$N_PUB_BEST"
printf '%-22s %10.3f %13.3f %10.3f\n' "CPU, publish" "$S_PUB_CPU" "$A_PUB_CPU" "$N_PUB_CPU"
printf '%-22s %10.3f %13.3f %10.3f\n' "CPU, end to end" "$S_CPU" "$A_CPU" "$N_CPU"
echo "one key unlock (PBKDF2-SHA1 1.3M, openssl pkcs8, median of 5): $(printf '%.3f' "$UNLOCK") s;" \
     "signet publish unlocks 2 keys (targets + snapshot) = $(awk -v u="$UNLOCK" -v p="$S_PUB" 'BEGIN { printf "%.0f", 100 * 2 * u / p }')% of its median publish if serial," \
     "$(awk -v u="$UNLOCK" -v p="$S_PUB" 'BEGIN { printf "%.0f", 100 * u / p }')% if both run in parallel"
echo "ratio signet/notary end-to-end: $(bench_ratio "$S_E2E" "$N_E2E")  (signet $(bench_ratio "$N_E2E" "$S_E2E")x faster; goal >= 50x)"
echo "ratio signet/notary publish:    $(bench_ratio "$S_PUB" "$N_PUB")  (goal <= 1.0; best-of: $(bench_ratio "$S_PUB_BEST" "$N_PUB_BEST"))"
echo "ratio signet/notary staging:    $(bench_ratio "$S_STAGE" "$N_STAGE")"
echo "with the agent (its start untimed, like init):"
echo "ratio signet+agent/notary end-to-end: $(bench_ratio "$A_E2E" "$N_E2E")  (signet+agent $(bench_ratio "$N_E2E" "$A_E2E")x faster; goal >= 100x)"
echo "ratio signet+agent/notary CPU:        $(bench_ratio "$A_CPU" "$N_CPU")  ($(bench_ratio "$N_CPU" "$A_CPU")x less CPU; signet without agent: $(bench_ratio "$N_CPU" "$S_CPU")x)"
echo "ratio signet+agent/notary publish:    $(bench_ratio "$A_PUB" "$N_PUB")"
