#!/usr/bin/env bash
# Ingest rate into ClickHouse, two builds compared interleaved (before,
# after, before, after, ...), each run into a fresh database on one private
# server started here (as tests/support/clickhouse.rs starts theirs) and
# stopped at the end.
#
#   scripts/ingest_bench.sh BEFORE-BINARY AFTER-BINARY ROUNDS [DATA]
#
# DATA (a log file, or a directory: its *.jsonl) defaults to
# /work/data/chain-1m (one entry a line). Per run it prints entries/s end
# to end, auditui's CPU (user + sys, /usr/bin/time) and the server's
# (utime + stime from /proc/PID/stat, from before the ingest until its
# merges are done), and the load average; then the medians. Ports: HTTP_PORT (18223), TCP_PORT (19100); extra arguments
# for the after runs only in AFTER_ARGS (e.g. "--batch-rows 250000").
set -euo pipefail
before=$(realpath "$1")
after=$(realpath "$2")
rounds=$3
data=${4:-/work/data/chain-1m}
http_port=${HTTP_PORT:-18223}
tcp_port=${TCP_PORT:-19100}
server=${AUDITUI_CLICKHOUSE_SERVER:-$(command -v clickhouse-server || echo /usr/sbin/clickhouse-server)}
read -r -a after_args <<<"${AFTER_ARGS:-}"

if [ -d "$data" ]; then files=("$data"/*.jsonl); else files=("$data"); fi
entries=$(cat "${files[@]}" | wc -l)
dir=$(mktemp -d)
mkdir -p "$dir/data" "$dir/tmp"
cat >"$dir/config.xml" <<EOF
<?xml version="1.0"?>
<yandex>
    <logger><level>warning</level><log>$dir/log</log><errorlog>$dir/err</errorlog><console>0</console></logger>
    <listen_host>127.0.0.1</listen_host>
    <path>$dir/data/</path>
    <tmp_path>$dir/tmp/</tmp_path>
    <format_schema_path>$dir/format_schemas/</format_schema_path>
    <users_config>$dir/users.xml</users_config>
    <default_profile>default</default_profile>
    <default_database>default</default_database>
    <mark_cache_size>134217728</mark_cache_size>
    <max_concurrent_queries>100</max_concurrent_queries>
</yandex>
EOF
cat >"$dir/users.xml" <<EOF
<?xml version="1.0"?>
<yandex>
    <profiles><default></default></profiles>
    <users><default><password></password><networks><ip>127.0.0.0/8</ip></networks>
        <profile>default</profile><quota>default</quota></default></users>
    <quotas><default></default></quotas>
</yandex>
EOF
(cd "$dir" && exec "$server" --config-file="$dir/config.xml" -- \
    --http_port="$http_port" --tcp_port="$tcp_port" >"$dir/stdout" 2>&1) &
pid=$!
trap 'kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; rm -rf "$dir"' EXIT

sql() { curl -sS --fail-with-body "http://127.0.0.1:$http_port/" --data-binary "$1"; }
for _ in $(seq 600); do sql "SELECT 1" >/dev/null 2>&1 && break; sleep 0.1; done
sql "SELECT 1" >/dev/null

tick=$(getconf CLK_TCK)
server_cpu() { awk -v t="$tick" '{ printf "%.2f", ($14 + $15) / t }' "/proc/$pid/stat"; }
settle() { while [ "$(sql "SELECT count() FROM system.merges")" != 0 ]; do sleep 0.2; done; }

# run NAME BINARY ARGS...: one fresh ingest, one line of figures.
run() {
  local name=$1 binary=$2 db=b$RANDOM$RANDOM stats cpu0 cpu1 load
  shift 2
  stats=$(mktemp)
  sql "CREATE DATABASE $db"
  settle
  load=$(cut -d' ' -f1 /proc/loadavg)
  cpu0=$(server_cpu)
  /usr/bin/time -o "$stats" -f "%e %U %S" "$binary" ingest "${files[@]}" \
      --to "clickhouse://127.0.0.1:$http_port/$db" "$@" >/dev/null
  settle
  cpu1=$(server_cpu)
  stored=$(sql "SELECT count() FROM $db.audit_entries")
  [ "$stored" = "$entries" ] || { echo "$name: $stored rows stored, not $entries" >&2; exit 1; }
  awk -v n="$name" -v e="$entries" -v c0="$cpu0" -v c1="$cpu1" -v l="$load" \
      '{ printf "%-7s %8.0f entries/s  wall %5.2f s  auditui %5.2f s  server %5.2f s  load %s\n",
         n, e / $1, $1, $2 + $3, c1 - c0, l }' "$stats"
  rm -f "$stats"
  sql "DROP DATABASE $db"
}

results=$(mktemp)
for round in $(seq "$rounds"); do
  echo "round $round"
  run before "$before" | tee -a "$results"
  run after "$after" "${after_args[@]}" | tee -a "$results"
done
echo "medians ($entries entries, $rounds rounds)"
for name in before after; do
  for column in 2 5 8 11; do
    grep "^$name " "$results" | awk -v c="$column" '{ print $c }' | sort -g |
      awk '{ v[NR] = $1 } END { m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2; printf "%s ", m }'
  done | awk -v n="$name" '{ printf "%-7s %8.0f entries/s  wall %5.2f s  auditui %5.2f s  server %5.2f s\n", n, $1, $2, $3, $4 }'
done
rm -f "$results"
