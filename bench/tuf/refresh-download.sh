#!/usr/bin/env bash
# `signet tuf refresh` + `signet tuf download` of one target from a fresh metadata directory, against
# python-tuf's client (the conformance suite's clients/python-tuf/python_tuf.py, same commands) on the
# same repository: the sigstore root-signing snapshot in the suite's static data (12 root versions to
# walk, a delegated role, consistent snapshots), served by python3 -m http.server on 127.0.0.1, both
# clients under faketime at the snapshot's date. Issue 15's goal: signet ≥ 5× faster per invocation.
#
#   bench/tuf/refresh-download.sh [signet-binary]     ROUNDS=N (default 20)
#
# Needs: a built signet (default .build/release/signet), faketime, python3, and the conformance venv
# (scripts/tuf-conformance creates it: ${TUF_CONFORMANCE_WORK:-~/.cache/tuf-conformance}).
# Prints each client's median and best wall time per round (refresh + download, two invocations,
# from a freshly initialised directory) and per invocation, the ratio, and the load average.
set -euo pipefail
cd "$(dirname "$0")/../.."
SIGNET=$(realpath "${1:-.build/release/signet}")
ROUNDS=${ROUNDS:-20}
WORKDIR=${TUF_CONFORMANCE_WORK:-${XDG_CACHE_HOME:-$HOME/.cache}/tuf-conformance}
PY="$WORKDIR/env/bin/python"
PYCLIENT="$WORKDIR/src/clients/python-tuf/python_tuf.py"
STATIC=../shared/vendor/tuf-conformance/tuf_conformance/static_data
[[ -x "$SIGNET" ]] || { echo "build signet first: swift build -c release --product signet" >&2; exit 2; }
[[ -x "$PY" && -f "$PYCLIENT" ]] || { echo "run scripts/tuf-conformance once first (it makes the venv at $WORKDIR)" >&2; exit 2; }
WORK=$(mktemp -d /tmp/tuf-bench.XXXXXX)
server=
cleanup() { [[ -n "$server" ]] && kill "$server" 2>/dev/null; wait 2>/dev/null || true; [[ "${KEEP_WORK:-0}" = 1 ]] || rm -rf "$WORK"; }
trap cleanup EXIT
port=$(python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1]);s.close()')
(cd "$STATIC" && exec python3 -m http.server "$port" --bind 127.0.0.1 >/dev/null 2>&1) &
server=$!
for _ in $(seq 1 100); do (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break; sleep 0.05; done
repo=sigstore-root-signing
meta="http://127.0.0.1:$port/$repo/metadata/"
targets="http://127.0.0.1:$port/$repo/targets/"
target=$(cat "$STATIC/$repo/targetpath")
when=$(cat "$STATIC/$repo/faketime")

init_signet() { "$SIGNET" tuf init "$STATIC/$repo/initial_root.json" --metadata-dir "$1/m" >/dev/null; }
init_python() { mkdir -p "$1/m" "$1/t"; "$PY" "$PYCLIENT" --metadata-dir "$1/m" init "$STATIC/$repo/initial_root.json" >/dev/null; }
run_signet() {  # refresh + download in directory $1 (initialised)
  faketime "$when" "$SIGNET" tuf refresh --metadata-dir "$1/m" --metadata-url "$meta" >/dev/null
  faketime "$when" "$SIGNET" tuf download "$target" --metadata-dir "$1/m" --metadata-url "$meta" --target-base-url "$targets" --target-dir "$1/t" >/dev/null
}
run_python() {
  faketime "$when" "$PY" "$PYCLIENT" --metadata-dir "$1/m" --metadata-url "$meta" refresh >/dev/null
  faketime "$when" "$PY" "$PYCLIENT" --metadata-dir "$1/m" --metadata-url "$meta" --target-name "$target" --target-dir "$1/t" --target-base-url "$targets" download >/dev/null
}
ns() { date +%s%N; }
signet_times=(); python_times=()
for round in $(seq 1 "$ROUNDS"); do   # alternate the two clients
  d="$WORK/s$round"; mkdir -p "$d"; init_signet "$d"; t0=$(ns); run_signet "$d"; t1=$(ns); signet_times+=($(( (t1 - t0) / 1000 )))
  cmp -s "$d/t/$target" "$STATIC/$repo/targets/"*".$target" || { echo "signet did not download $target" >&2; exit 1; }
  d="$WORK/p$round"; mkdir -p "$d"; init_python "$d"; t0=$(ns); run_python "$d"; t1=$(ns); python_times+=($(( (t1 - t0) / 1000 )))
done
python3 - "$ROUNDS" "${signet_times[*]}" "${python_times[*]}" "$(cut -d' ' -f1-3 /proc/loadavg)" <<'PY'
import statistics, sys
rounds = int(sys.argv[1]); s = [int(x) for x in sys.argv[2].split()]; p = [int(x) for x in sys.argv[3].split()]
def show(name, xs):
    print(f"{name:10} median {statistics.median(xs)/1000:8.1f} ms/round  best {min(xs)/1000:8.1f} ms/round  "
          f"({statistics.median(xs)/2000:7.1f} ms per invocation: refresh, then download)")
show("signet", s); show("python-tuf", p)
print(f"ratio python-tuf/signet: median {statistics.median(p)/statistics.median(s):.1f}x, best {min(p)/min(s):.1f}x over {rounds} rounds; load average {sys.argv[4]}")
PY
