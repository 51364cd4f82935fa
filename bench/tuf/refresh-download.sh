#!/usr/bin/env bash
# `signet tuf refresh` + `signet tuf download` of one target from a fresh metadata directory, against
# python-tuf's client (the conformance suite's clients/python-tuf/python_tuf.py, same commands) on the
# same repository: the sigstore root-signing snapshot in the suite's static data (12 root versions to
# walk, a delegated role, consistent snapshots), served by python3 -m http.server on 127.0.0.1, both
# clients under faketime at the snapshot's date. Issue 15's goal: signet ≥ 5× faster per invocation.
#
#   bench/tuf/refresh-download.sh [signet-binary]     ROUNDS=N (default 20), REPO=sigstore-root-signing
#   (default) or tuf-on-ci-0.11 (one root, a delegated role, valid until 2044: no faketime), FAKE=0|1
#
# Needs: a built signet (default .build/release/signet), faketime, python3, and the conformance venv
# (scripts/tuf-conformance creates it: ${TUF_CONFORMANCE_WORK:-~/.cache/tuf-conformance}).
# Prints, per invocation, each client's median wall and CPU time (refresh + download from a freshly
# initialised directory; CPU = user + system of the client processes), the ratios and the load average.
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
repo=${REPO:-sigstore-root-signing}
# sigstore's snapshot expired in 2025: run both clients at its date. tuf-on-ci's is valid until 2044.
default_fake=1; [[ "$repo" = tuf-on-ci-0.11 ]] && default_fake=0
FAKE=${FAKE:-$default_fake}
meta="http://127.0.0.1:$port/$repo/metadata/"
targets="http://127.0.0.1:$port/$repo/targets/"
target=$(cat "$STATIC/$repo/targetpath")
when=$(cat "$STATIC/$repo/faketime")

# Rounds alternate the two clients; each round initialises a fresh directory (not timed), then
# times refresh + download: wall clock, and CPU (user + system of the client processes, from
# getrusage), which a busy machine disturbs far less than wall time.
python3 - "$ROUNDS" "$SIGNET" "$PY" "$PYCLIENT" "$STATIC/$repo" "$meta" "$targets" "$target" "$when" "$WORK" "$FAKE" <<'PY'
import os, resource, statistics, subprocess, sys, time, glob
rounds, signet, py, pyclient, repo, meta, targets, target, when, work, use_fake = sys.argv[1:]
rounds = int(rounds)
quiet = dict(stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
def cpu():
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime
def timed(commands):
    w0, c0 = time.perf_counter(), cpu()
    for c in commands:
        subprocess.run(c, check=True, **quiet)
    return time.perf_counter() - w0, cpu() - c0
fake = ["faketime", when] if use_fake == "1" else []
results = {"signet": [], "python-tuf": []}
for n in range(rounds):
    d = os.path.join(work, f"s{n}")
    subprocess.run([signet, "tuf", "init", f"{repo}/initial_root.json", "--metadata-dir", f"{d}/m"], check=True, **quiet)
    results["signet"].append(timed([
        fake + [signet, "tuf", "refresh", "--metadata-dir", f"{d}/m", "--metadata-url", meta],
        fake + [signet, "tuf", "download", target, "--metadata-dir", f"{d}/m", "--metadata-url", meta,
                "--target-base-url", targets, "--target-dir", f"{d}/t"]]))
    directory, _, name = target.rpartition("/")
    expected = open(glob.glob(f"{repo}/targets/{directory}/*.{name}".replace("//", "/"))[0], "rb").read()
    stored = f"{d}/t/" + target.replace("/", "%2F")
    assert open(stored, "rb").read() == expected, "signet did not download the target"
    d = os.path.join(work, f"p{n}")
    os.makedirs(f"{d}/m"); os.makedirs(f"{d}/t")
    subprocess.run([py, pyclient, "--metadata-dir", f"{d}/m", "init", f"{repo}/initial_root.json"], check=True, **quiet)
    results["python-tuf"].append(timed([
        fake + [py, pyclient, "--metadata-dir", f"{d}/m", "--metadata-url", meta, "refresh"],
        fake + [py, pyclient, "--metadata-dir", f"{d}/m", "--metadata-url", meta, "--target-name", target,
                "--target-dir", f"{d}/t", "--target-base-url", targets, "download"]]))
def med(xs, i): return statistics.median(x[i] for x in xs)
for name, xs in results.items():
    print(f"{name:10} per invocation (refresh, download): wall median {med(xs,0)*500:7.1f} ms (best {min(x[0] for x in xs)*500:7.1f}), "
          f"CPU median {med(xs,1)*500:7.1f} ms (best {min(x[1] for x in xs)*500:7.1f})")
s, p = results["signet"], results["python-tuf"]
print(f"{os.path.basename(repo)}, faketime {'on' if use_fake == '1' else 'off'}: ratio python-tuf/signet over {rounds} rounds: wall median {med(p,0)/med(s,0):.1f}x, CPU median {med(p,1)/med(s,1):.1f}x; "
      f"load average {open('/proc/loadavg').read().split()[:3]}")
PY
