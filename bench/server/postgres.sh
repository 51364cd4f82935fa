#!/usr/bin/env bash
# `signet serve` on PostgreSQL, side by side in one run with `signet serve` on the file store and
# notary-server 0.7 on PostgreSQL (issue 13, "Speed"):
#   GET current metadata  wrk -t2 -c32 -dSECS on timestamp.json (3 targets) and targets.json
#                         (1000 targets, ≈100 KB), plain HTTP, keep-alive; best of ROUNDS.
#   publish 1000 targets  `signet add --from-file` (not timed) + `signet publish` (timed) into a
#                         fresh collection, PostgreSQL vs file store, alternating; median of ROUNDS.
# One throwaway PostgreSQL cluster (initdb into the work dir, 127.0.0.1 on a free port, trust
# auth, default fsync and synchronous_commit) holds both databases; notary-server's schema is its
# tuf_files and changefeed tables (as notary's migrations/server/postgresql create them).
#
# Usage: SECS=8 ROUNDS=3 bench/server/postgres.sh [path/to/signet]
# Goals (issue): GET ≥ 0.9× the file store, ≥ 3× notary-server on PostgreSQL; publish of 1000
# targets ≤ 1.2× the file store's time. Needs the Debian packages postgresql, notary, wrk, curl.
set -euo pipefail
cd "$(dirname "$0")/../.."
SIGNET=$(realpath "${1:-.build/release/signet}")
SECS=${SECS:-8}
ROUNDS=${ROUNDS:-3}
WORK=$(mktemp -d /tmp/signet-bench-pg.XXXXXX)
chmod 755 "$WORK"
source bench/lib.sh

PGBIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
[[ -x "$PGBIN/initdb" ]] || { echo "PostgreSQL server binaries missing: apt-get install postgresql" >&2; exit 1; }
as_pg() { if [[ $(id -u) == 0 ]]; then runuser -u nobody -- "$@"; else "$@"; fi; }
PGDATA="$WORK/pg"
mkdir -p "$PGDATA"
if [[ $(id -u) == 0 ]]; then chown nobody "$PGDATA"; fi
PGPORT=$(bench_free_port)
pg_cleanup() { as_pg "$PGBIN/pg_ctl" -D "$PGDATA" -m fast -w stop > /dev/null 2>&1 || true; bench_cleanup; }
trap pg_cleanup EXIT
as_pg "$PGBIN/initdb" -D "$PGDATA" -U signet --auth trust -E UTF8 --locale C > "$WORK/initdb.log"
as_pg "$PGBIN/pg_ctl" -D "$PGDATA" -l "$PGDATA/server.log" -w -o "-c listen_addresses=127.0.0.1 -p $PGPORT -k $PGDATA" start > /dev/null
psql_db() { psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$PGPORT" -U signet "$@"; }
psql_db -d postgres -c "CREATE DATABASE signet" -c "CREATE DATABASE notary"
# notary-server 0.7's tables (its server/storage/sql_models.go and migrations): every version of
# every role, and the changefeed.
psql_db -d notary <<'SQL'
CREATE TABLE tuf_files (
  id serial PRIMARY KEY, created_at timestamp, updated_at timestamp, deleted_at timestamp,
  gun varchar(255) NOT NULL, role varchar(255) NOT NULL, version integer NOT NULL,
  data bytea NOT NULL, sha256 char(64), UNIQUE (gun, role, version));
CREATE INDEX tuf_files_by_sha256 ON tuf_files (sha256);
CREATE TABLE changefeed (
  id serial PRIMARY KEY, created_at timestamp DEFAULT CURRENT_TIMESTAMP, gun varchar(255) NOT NULL,
  version integer NOT NULL, sha256 char(64), category varchar(20) NOT NULL DEFAULT 'update');
CREATE INDEX changefeed_by_gun ON changefeed (gun);
SQL

# The three servers.
bench_start_signet file plain
PG_URL="postgresql://signet@127.0.0.1:$PGPORT/signet"
port=$(bench_free_port)
SIGNET_SERVER_KEY_PASSPHRASE=bench "$SIGNET" serve --listen "127.0.0.1:$port" --storage "$PG_URL" \
  --log-level warning > "$WORK/signet-pg.out" 2> "$WORK/signet-pg.err" &
BENCH_PIDS+=("$!"); SIGNET_PG_PID=$!
bench_wait_port "$port" || { cat "$WORK/signet-pg.err" >&2; exit 1; }
SIGNET_URL_pg="http://127.0.0.1:$port"
port=$(bench_free_port)
cat > "$WORK/notary-pg.json" <<EOF
{"server": {"http_addr": "127.0.0.1:$port"},
 "trust_service": {"type": "local"},
 "storage": {"backend": "postgres", "db_url": "postgres://signet@127.0.0.1:$PGPORT/notary?sslmode=disable"}}
EOF
notary-server -config "$WORK/notary-pg.json" > "$WORK/notary-pg.log" 2>&1 &
BENCH_PIDS+=("$!"); NOTARY_PG_PID=$!
bench_wait_port "$port" || { cat "$WORK/notary-pg.log" >&2; exit 1; }
NOTARY_URL_pg="http://127.0.0.1:$port"
declare -A URL=([signet-pg]=$SIGNET_URL_pg [signet-file]=$SIGNET_URL_file [notary-pg]=$NOTARY_URL_pg)
SIDES=(signet-pg signet-file notary-pg)

SMALL=example.com/bench/small
python3 - > "$WORK/big.txt" <<'PY'
import hashlib
for i in range(1, 1001):
    print("app/target-%05d" % i, "sha256:" + hashlib.sha256(("target-%d" % i).encode()).hexdigest(), 1000 + i)
PY
for name in one two three; do echo "$name" > "$WORK/$name"; done

publish_big() {  # publish_big SIDE GUN → seconds the publish took (add --from-file not timed)
  local P=(-s "${URL[$1]}" -d "$WORK/publisher-$1")
  "$SIGNET" init "$2" "${P[@]}" > /dev/null
  "$SIGNET" add "$2" --from-file "$WORK/big.txt" "${P[@]}" > /dev/null
  local start end
  start=$(bench_now)
  "$SIGNET" publish "$2" "${P[@]}" > /dev/null
  end=$(bench_now)
  awk -v a="$start" -v b="$end" 'BEGIN { printf "%.3f", b - a }'
}

echo "signet $("$SIGNET" --version), notary-server $(dpkg-query -W -f '${Version}' notary), PostgreSQL $("$PGBIN/postgres" --version | awk '{print $3}')"
echo "wrk -t2 -c32 -d${SECS}s, $ROUNDS rounds; load before: $(bench_load)"
for side in "${SIDES[@]}"; do
  P=(-s "${URL[$side]}" -d "$WORK/publisher-$side")
  "$SIGNET" init "$SMALL" "${P[@]}" > /dev/null
  for name in one two three; do "$SIGNET" add "$SMALL" "$name" "$WORK/$name" "${P[@]}" > /dev/null; done
  "$SIGNET" publish "$SMALL" "${P[@]}" > /dev/null
  publish_big "$side" example.com/bench/big > /dev/null
done

echo "== publish of 1000 targets (seconds, signet publish only)"
: > "$WORK/publish"
for round in $(seq 1 "$ROUNDS"); do
  for side in signet-pg signet-file; do
    seconds=$(publish_big "$side" "example.com/bench/publish-$round")
    echo "$side $seconds" >> "$WORK/publish"
    printf '  round %d %-12s %7.3f s  (load %s)\n' "$round" "$side" "$seconds" "$(bench_load)"
  done
done
median_of() { awk -v s="$1" '$1 == s { print $2 }' "$WORK/publish" | bench_median; }
PUB_PG=$(median_of signet-pg); PUB_FILE=$(median_of signet-file)

echo "== GET current metadata"
: > "$WORK/results"
run_wrk() {  # run_wrk SIDE KEY URL
  local out rps errs
  out=$(wrk -t2 -c32 -d"${SECS}s" --latency "$3")
  rps=$(awk '/Requests\/sec/ { print $2 }' <<<"$out")
  errs=$(awk '/Non-2xx/ { print $NF }' <<<"$out"); errs=${errs:-0}
  grep -q 'Socket errors' <<<"$out" && errs="$errs+sockerr"
  echo "$1 $2 $rps" >> "$WORK/results"
  printf '  %-12s %-10s %10.0f req/s  non-2xx %s  (load %s)\n' "$1" "$2" "$rps" "$errs" "$(bench_load)"
}
for side in "${SIDES[@]}"; do   # every path answers 200 before timing
  for path in "$SMALL/_trust/tuf/timestamp.json" "example.com/bench/big/_trust/tuf/targets.json"; do
    curl -sf -o /dev/null "${URL[$side]}/v2/$path" || { echo "$side $path: not 200" >&2; exit 1; }
  done
done
for round in $(seq 1 "$ROUNDS"); do
  for side in "${SIDES[@]}"; do
    run_wrk "$side" timestamp "${URL[$side]}/v2/$SMALL/_trust/tuf/timestamp.json"
    run_wrk "$side" targets-1k "${URL[$side]}/v2/example.com/bench/big/_trust/tuf/targets.json"
  done
done
best() { awk -v s="$1" -v k="$2" '$1 == s && $2 == k { if ($3 > b) b = $3 } END { print b + 0 }' "$WORK/results"; }

echo
echo "load after: $(bench_load)"
printf '%-10s %12s %12s %12s %10s %10s\n' GET "signet-pg" "signet-file" "notary-pg" "pg/file" "pg/notary"
for key in timestamp targets-1k; do
  pg=$(best signet-pg "$key"); file=$(best signet-file "$key"); notary=$(best notary-pg "$key")
  printf '%-10s %12.0f %12.0f %12.0f %9sx %9sx\n' "$key" "$pg" "$file" "$notary" "$(bench_ratio "$pg" "$file")" "$(bench_ratio "$pg" "$notary")"
done
printf 'publish 1000 targets, median: signet-pg %.3f s, signet-file %.3f s\n' "$PUB_PG" "$PUB_FILE"
for key in timestamp targets-1k; do
  echo "ratio signet-pg/signet-file $key req/s: $(bench_ratio "$(best signet-pg "$key")" "$(best signet-file "$key")")x (goal >= 0.9)"
  echo "ratio signet-pg/notary-pg $key req/s: $(bench_ratio "$(best signet-pg "$key")" "$(best notary-pg "$key")")x (goal >= 3)"
done
echo "ratio signet-pg/signet-file publish-1000 time: $(bench_ratio "$PUB_PG" "$PUB_FILE")x (goal <= 1.2)"
echo "signet-pg RSS $(bench_rss_kb "$SIGNET_PG_PID") kB, notary-pg RSS $(bench_rss_kb "$NOTARY_PG_PID") kB"
