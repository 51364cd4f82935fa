#!/usr/bin/env bash
# Connection-count sweep (issue 12): `signet serve`, notary-server 0.7 (memory storage) and nginx
# (1 worker, static files) serving timestamp.json and targets.json of the same collection, at 32, 256, 1,000 and 10,000
# keep-alive connections, plain HTTP and TLS. Reports only 2xx req/s (wrk counts 503s and other
# non-2xx answers as requests), p99 latency and each server's RSS.
#
# The collection (N targets; 200 and 10,000 by default) is published once to signet with the signet
# client; nginx serves the very bytes signet serves (checked identical by sha256). notary-server gets
# the same target list published by the same client, so its targets.json has the same targets but
# its own signature and expiry (checked: 200 and the same target count), as notary-server holds
# other server keys.
#
# Usage: SECS=8 CONNS="32 256 1000 10000" SIZES="200 10000" MODES="plain tls" ROLES="timestamp targets" \
#        bench/server/limit.sh [signet]
# Needs nginx (`apt-get install -y nginx`; a benchmark tool, not in CI), wrk, notary-server, curl, jq.
set -euo pipefail
cd "$(dirname "$0")/../.."
SIGNET=$(realpath "${1:-.build/release/signet}")
SECS=${SECS:-8}
CONNS=${CONNS:-32 256 1000 10000}
SIZES=${SIZES:-200 10000}
MODES=${MODES:-plain tls}
ROLES=${ROLES:-timestamp targets}
command -v nginx > /dev/null || { echo "nginx is missing: apt-get install -y nginx" >&2; exit 2; }
ulimit -n "$(ulimit -Hn)"
WORK=$(mktemp -d /tmp/signet-bench-limit.XXXXXX)
source bench/lib.sh
trap bench_cleanup EXIT
bench_certs

start_nginx() {  # start_nginx MODE → NGINX_URL, NGINX_PID; serves $WORK/www
  local port; port=$(bench_free_port)
  local listen="listen 127.0.0.1:$port;" scheme=http
  if [[ $1 == tls ]]; then
    listen="listen 127.0.0.1:$port ssl; ssl_certificate $WORK/server.crt; ssl_certificate_key $WORK/server.key; ssl_protocols TLSv1.2 TLSv1.3;"
    scheme=https
  fi
  cat > "$WORK/nginx-$1.conf" <<CONF
daemon off; master_process off; worker_processes 1; worker_rlimit_nofile 30000;
error_log $WORK/nginx-$1.err error; pid $WORK/nginx-$1.pid;
events { worker_connections 20000; }
http {
  access_log off; keepalive_requests 1000000; keepalive_timeout 60s;
  client_body_temp_path $WORK/nginx-tmp; proxy_temp_path $WORK/nginx-tmp; fastcgi_temp_path $WORK/nginx-tmp;
  uwsgi_temp_path $WORK/nginx-tmp; scgi_temp_path $WORK/nginx-tmp;
  types { text/plain json; }
  server { $listen root $WORK/www; }
}
CONF
  mkdir -p "$WORK/nginx-tmp"
  nginx -c "$WORK/nginx-$1.conf" -p "$WORK" &
  NGINX_PID=$!
  BENCH_PIDS+=("$NGINX_PID")
  bench_wait_port "$port"
  NGINX_URL="$scheme://127.0.0.1:$port"
}

fetch() { curl -sf --cacert "$WORK/ca.crt" "$1"; }

echo "signet $("$SIGNET" --version), notary-server $(dpkg-query -W -f '${Version}' notary), $(nginx -v 2>&1); wrk -t2 -d${SECS}s; load $(bench_load)"
for mode in $MODES; do
  bench_start_signet "$mode" "$mode"
  bench_start_notary "$mode" "$mode"
  s_url_var="SIGNET_URL_$mode"; n_url_var="NOTARY_URL_$mode"; s_pid_var="SIGNET_PID_$mode"; n_pid_var="NOTARY_PID_$mode"
  S_URL=${!s_url_var}; N_URL=${!n_url_var}; S_PID=${!s_pid_var}; N_PID=${!n_pid_var}
  for size in $SIZES; do
    bench_publish "$S_URL" "$size"
    bench_publish "$N_URL" "$size"
    for role in timestamp targets; do
      path="/v2/example.com/bench/t$size/_trust/tuf/$role.json"
      mkdir -p "$WORK/www/$(dirname "$path")"
      fetch "$S_URL$path" > "$WORK/www/$path"
    done
  done
  start_nginx "$mode"
  first_size=${SIZES%% *}
  for size in $SIZES; do
    for role in $ROLES; do
      # timestamp.json is the same size whatever the collection: measured on the first size only.
      [[ $role == timestamp && $size != "$first_size" ]] && continue
      path="/v2/example.com/bench/t$size/_trust/tuf/$role.json"
      s_sum=$(fetch "$S_URL$path" | sha256sum | cut -d' ' -f1)
      x_sum=$(fetch "$NGINX_URL$path" | sha256sum | cut -d' ' -f1)
      [[ $s_sum == "$x_sum" ]] || { echo "nginx and signet serve different bytes for $path" >&2; exit 1; }
      if [[ $role == targets ]]; then
        s_count=$(fetch "$S_URL$path" | jq '.signed.targets | length')
        n_count=$(fetch "$N_URL$path" | jq '.signed.targets | length')
        [[ $s_count == "$size" && $n_count == "$size" ]] || { echo "target counts: signet $s_count, notary $n_count, want $size" >&2; exit 1; }
        what="$role.json with $size targets"
      else
        n_type=$(fetch "$N_URL$path" | jq -r '.signed._type')
        [[ $n_type == Timestamp ]] || { echo "notary's $path is not a timestamp: $n_type" >&2; exit 1; }
        what="$role.json"
      fi
      echo "== $mode, $what ($(fetch "$S_URL$path" | wc -c) bytes; signet = nginx bytes, sha256 $s_sum)"
      for conns in $CONNS; do
        run_wrk "signet $mode" "$S_URL$path" "$conns" "$S_PID"
        run_wrk "notary $mode" "$N_URL$path" "$conns" "$N_PID"
        run_wrk "nginx $mode" "$NGINX_URL$path" "$conns" "$NGINX_PID"
      done
    done
  done
  echo "$mode RSS now / peak (kB): signet $(bench_rss_kb "$S_PID") / $(bench_hwm_kb "$S_PID"), notary $(bench_rss_kb "$N_PID") / $(bench_hwm_kb "$N_PID"), nginx $(bench_rss_kb "$NGINX_PID") / $(bench_hwm_kb "$NGINX_PID")"
  kill "$S_PID" "$N_PID" "$NGINX_PID"; wait "$S_PID" "$N_PID" "$NGINX_PID" 2>/dev/null || true
  rm -rf "$WORK/www"
done
