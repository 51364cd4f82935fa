#!/usr/bin/env bash
# Process start (issue 18): CPU time (perf's task-clock, user + system, in ms; robust on a busy
# machine where wall time is not) of `signet --version` and an offline `signet verify` of the Docker
# Hub alpine:3.8 fixture, against `/bin/true` and `notary version`, alternating, ROUNDS rounds of RUNS
# runs each. Also prints the libraries the dynamic loader opens for `signet --version`.
#
# Usage: ROUNDS=3 RUNS=60 bench/client/start.sh [signet]   (default: scripts/package --binary-only's build)
# Needs perf (Debian linux-perf) and notary.
set -euo pipefail
cd "$(dirname "$0")/../.."
SIGNET=$(realpath "${1:-.build/release/signet}")
ROUNDS=${ROUNDS:-3}
RUNS=${RUNS:-60}
FIXTURE=../shared/fixtures/dockerhub-alpine
command -v perf > /dev/null || { echo "perf is missing: apt-get install -y linux-perf" >&2; exit 2; }
cpu_ms() { perf stat -r "$RUNS" -x, -e task-clock "$@" 2>&1 > /dev/null | awk -F, '/task-clock/ { printf "%.2f", $1 }'; }
echo "signet $("$SIGNET" --version) ($SIGNET, $(du -h "$SIGNET" | cut -f1)); load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "shared objects opened by signet --version: $(LD_DEBUG=files "$SIGNET" --version 2>&1 | grep -c 'calling init')"
declare -A sum
labels=(true signet-version notary-version signet-verify)
for round in $(seq "$ROUNDS"); do
  t=$(cpu_ms /bin/true); sv=$(cpu_ms "$SIGNET" --version); nv=$(cpu_ms notary version)
  vf=$(cpu_ms "$SIGNET" verify docker.io/library/alpine:3.8 --metadata-dir "$FIXTURE" --at 2018-07-25T00:00:00Z)
  echo "round $round: /bin/true $t  signet --version $sv  notary version $nv  signet verify (offline) $vf  (ms CPU)"
  sum[true]=$(awk -v a="${sum[true]:-0}" -v b="$t" 'BEGIN { print a + b }')
  sum[signet-version]=$(awk -v a="${sum[signet-version]:-0}" -v b="$sv" 'BEGIN { print a + b }')
  sum[notary-version]=$(awk -v a="${sum[notary-version]:-0}" -v b="$nv" 'BEGIN { print a + b }')
  sum[signet-verify]=$(awk -v a="${sum[signet-verify]:-0}" -v b="$vf" 'BEGIN { print a + b }')
done
awk -v t="${sum[true]}" -v s="${sum[signet-version]}" -v n="${sum[notary-version]}" -v r="$ROUNDS" 'BEGIN {
  printf "mean CPU ms: /bin/true %.2f, signet --version %.2f, notary version %.2f\n", t / r, s / r, n / r
  printf "ratio signet --version / /bin/true: %.1f (goal <= 3)\n", s / t
  printf "ratio signet --version / notary version: %.2f\n", s / n }'
