# Shared helpers for the side-by-side benchmarks (sourced, not run).
# Starts `signet serve` and notary-server 0.7 (memory storage, local signer, default log level =
# error, like fixtures/notary-0.7/BASELINE.md) on free 127.0.0.1 ports, with or without TLS.
#
# Expects: SIGNET (path to the signet binary), WORK (a scratch directory). Every process started
# here is recorded in BENCH_PIDS and stopped by bench_cleanup (install it with `trap bench_cleanup EXIT`).

BENCH_PIDS=()
bench_cleanup() {
  local pid
  for pid in "${BENCH_PIDS[@]:-}"; do
    [[ -n "$pid" ]] || continue
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  [[ -n "${WORK:-}" && "${KEEP_WORK:-0}" != 1 ]] && rm -rf "$WORK"
  return 0
}

bench_free_port() { python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1]);s.close()'; }

bench_wait_port() {  # bench_wait_port PORT
  local _
  for _ in $(seq 1 200); do
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
    sleep 0.05
  done
  echo "port $1 never opened" >&2
  return 1
}

# A throwaway CA ($WORK/ca.crt) and an EC P-256 server certificate for 127.0.0.1 (as BASELINE.md).
bench_certs() {
  [[ -f "$WORK/server.crt" ]] && return 0
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$WORK/ca.key" -out "$WORK/ca.crt" \
    -days 2 -subj "/CN=bench CA" -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
  openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$WORK/server.key" -out "$WORK/server.csr" \
    -subj "/CN=127.0.0.1" 2>/dev/null
  printf 'subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\n' > "$WORK/san.ext"
  openssl x509 -req -in "$WORK/server.csr" -CA "$WORK/ca.crt" -CAkey "$WORK/ca.key" -CAcreateserial \
    -out "$WORK/server.crt" -days 2 -extfile "$WORK/san.ext" 2>/dev/null
}

# bench_start_signet NAME tls|plain  → sets SIGNET_URL_<NAME>, SIGNET_PID_<NAME>
# (SIGNET_SERVE_ARGS: more `signet serve` arguments, e.g. "--config FILE")
bench_start_signet() {
  local name=$1 mode=$2 port tlsargs=()
  [[ $mode == tls ]] && { bench_certs; tlsargs=(--tls-cert "$WORK/server.crt" --tls-key "$WORK/server.key"); }
  port=$(bench_free_port)
  SIGNET_SERVER_KEY_PASSPHRASE=bench "$SIGNET" serve --listen "127.0.0.1:$port" --storage "$WORK/signet-data-$name" \
    "${tlsargs[@]}" ${SIGNET_SERVE_ARGS:-} --log-level warning > "$WORK/signet-$name.out" 2> "$WORK/signet-$name.err" &
  local pid=$!
  BENCH_PIDS+=("$pid")
  bench_wait_port "$port" || { cat "$WORK/signet-$name.err" >&2; return 1; }
  local scheme=http; [[ $mode == tls ]] && scheme=https
  printf -v "SIGNET_URL_$name" '%s' "$scheme://127.0.0.1:$port"
  printf -v "SIGNET_PID_$name" '%s' "$pid"
}

# bench_start_notary NAME tls|plain  → sets NOTARY_URL_<NAME>, NOTARY_PID_<NAME>
bench_start_notary() {
  local name=$1 mode=$2 port tls=""
  [[ $mode == tls ]] && { bench_certs; tls=", \"tls_key_file\": \"$WORK/server.key\", \"tls_cert_file\": \"$WORK/server.crt\""; }
  port=$(bench_free_port)
  cat > "$WORK/notary-$name.json" <<EOF
{"server": {"http_addr": "127.0.0.1:$port"$tls},
 "trust_service": {"type": "local"},
 "storage": {"backend": "memory"}}
EOF
  notary-server -config "$WORK/notary-$name.json" > "$WORK/notary-$name.log" 2>&1 &
  local pid=$!
  BENCH_PIDS+=("$pid")
  bench_wait_port "$port" || { cat "$WORK/notary-$name.log" >&2; return 1; }
  local scheme=http; [[ $mode == tls ]] && scheme=https
  printf -v "NOTARY_URL_$name" '%s' "$scheme://127.0.0.1:$port"
  printf -v "NOTARY_PID_$name" '%s' "$pid"
}

# bench_publish URL SIZE: example.com/bench/tSIZE with SIZE targets (app/target-00001 …), published
# by the signet client to the server at URL (signet serve or notary-server, CA $WORK/ca.crt).
bench_publish() {
  local list="$WORK/targets-$2.txt"
  [[ -f $list ]] || python3 - "$2" > "$list" <<'PY'
import hashlib, sys
for i in range(1, int(sys.argv[1]) + 1):
    print("app/target-%05d" % i, "sha256:" + hashlib.sha256(("target-%d" % i).encode()).hexdigest(), 1000 + i)
PY
  local P=(-s "$1" -d "$WORK/publisher-$(bench_free_port)" --tls-ca "$WORK/ca.crt")
  "$SIGNET" init "example.com/bench/t$2" "${P[@]}" > /dev/null
  "$SIGNET" add "example.com/bench/t$2" --from-file "$list" "${P[@]}" > /dev/null
  "$SIGNET" publish "example.com/bench/t$2" "${P[@]}" > /dev/null
}

bench_rss_kb() { awk '/VmRSS/ {print $2}' "/proc/$1/status"; }   # current RSS of PID, kB
bench_hwm_kb() { awk '/VmHWM/ {print $2}' "/proc/$1/status"; }   # peak RSS of PID, kB

# run_wrk LABEL URL CONNS → one result line: LABEL CONNS 2xx-req/s p99-ms non-2xx socket-errors
# (wrk -t2 for SECS seconds; 2xx req/s = (requests − non-2xx) / seconds, as wrk counts 503s as requests).
# socket errors: connect/read/write/timeout as wrk counts them.
# run_wrk LABEL URL CONNS [SERVER_PID]: with SERVER_PID, also the server's CPU time (user + system,
# from /proc/PID/stat, summed over all its threads) per 2xx answer, in microseconds: unlike req/s it
# hardly depends on what else the machine runs, so it compares servers on a loaded machine too.
bench_cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
run_wrk() {
  local out total secs non2xx sockerr good p99 ticks0 cpu=""
  [[ -n ${4:-} ]] && ticks0=$(bench_cpu_ticks "$4")
  out=$(wrk -t"${WRK_THREADS:-2}" -c"$3" -d"${SECS}s" --timeout 10s --latency "$2" 2>&1)
  total=$(awk '/requests in/ { print $1 }' <<<"$out")
  secs=$(awk '/requests in/ { sub(/s,$/, "", $4); print $4 }' <<<"$out")
  non2xx=$(awk '/Non-2xx/ { print $NF }' <<<"$out"); non2xx=${non2xx:-0}
  sockerr=$(awk '/Socket errors/ { gsub(/,/, ""); print $4 "/" $6 "/" $8 "/" $10 }' <<<"$out"); sockerr=${sockerr:-0/0/0/0}
  good=$(awk -v t="$total" -v n="$non2xx" -v s="$secs" 'BEGIN { printf "%.0f", (t - n) / s }')
  p99=$(awk '$1 == "99%" { v = $2; n = v + 0; if (v ~ /us$/) n /= 1000; else if (v ~ /ms$/) n += 0; else if (v ~ /s$/) n *= 1000; printf "%.2f", n }' <<<"$out")
  if [[ -n ${4:-} ]]; then
    cpu=$(awk -v t0="$ticks0" -v t1="$(bench_cpu_ticks "$4")" -v hz="$(getconf CLK_TCK)" -v t="$total" -v n="$non2xx" \
      'BEGIN { g = t - n; if (g > 0) printf "  CPU %6.1f us/2xx", (t1 - t0) / hz * 1e6 / g; else printf "  CPU n/a" }')
  fi
  printf '%-22s c=%-6s %9s 2xx req/s  p99 %9s ms  non-2xx %-7s socket errors %s%s\n' "$1" "$3" "$good" "${p99:-n/a}" "$non2xx" "$sockerr" "$cpu"
}

# bench_hold idle|slowloris plain|tls PORT PATH N SECONDS: starts bench/server/hold.py in the
# background against 127.0.0.1:PORT and returns once its N connections are first open (HOLD_PID).
bench_hold() {
  local tls=()
  [[ $2 == tls ]] && tls=(HOLD_TLS_CA="$WORK/ca.crt")
  env "${tls[@]}" python3 bench/server/hold.py "$1" 127.0.0.1 "$3" "$4" "$5" "$6" > "$WORK/hold.out" 2> "$WORK/hold.err" &
  HOLD_PID=$!
  BENCH_PIDS+=("$HOLD_PID")
  local _
  for _ in $(seq 1 600); do
    grep -q '^open ' "$WORK/hold.err" && { echo "$1: $(grep '^open ' "$WORK/hold.err") connections held ($(bench_established "$3") established at the server port)"; return 0; }
    kill -0 "$HOLD_PID" 2>/dev/null || { cat "$WORK/hold.err" >&2; return 1; }
    sleep 0.5
  done
  echo "$1: not all $5 connections opened within 300 s: $(tail -1 "$WORK/hold.err")"
}

# bench_hold_stop: stops hold.py and prints its summary (answers, status counts, cuts).
bench_hold_stop() {
  kill -TERM "$HOLD_PID" 2>/dev/null || true
  wait "$HOLD_PID" 2>/dev/null || true
  echo "holder: $(tail -1 "$WORK/hold.err" 2>/dev/null) $(cat "$WORK/hold.out" 2>/dev/null)"
}

# bench_established PORT: TCP connections established to 127.0.0.1:PORT (server side).
bench_established() { ss -Htn state established "( sport = :$1 )" | wc -l; }

bench_now() { date +%s.%N; }
bench_ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b == 0) print "n/a"; else printf "%.2f", a / b }'; }
bench_median() { sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
bench_min() { sort -g | head -1; }
bench_load() { cut -d' ' -f1-3 /proc/loadavg; }

# Client passphrases (benchmark-only values), read by both notary (NOTARY_*) and signet (also NOTARY_*).
export NOTARY_ROOT_PASSPHRASE=bench-root NOTARY_TARGETS_PASSPHRASE=bench-targets \
  NOTARY_SNAPSHOT_PASSPHRASE=bench-snapshot NOTARY_DELEGATION_PASSPHRASE=bench-delegation
export SIGNET_ROOT_PASSPHRASE=bench-root SIGNET_TARGETS_PASSPHRASE=bench-targets \
  SIGNET_SNAPSHOT_PASSPHRASE=bench-snapshot SIGNET_DELEGATION_PASSPHRASE=bench-delegation
