#!/usr/bin/env bash
# Side-by-side verification speed on a generated chain: auditui, the lesson's
# own CPython verification, and lnav (if installed), with peak RSS.
#
#   scripts/bench.sh [ENTRIES]      (default 1000000; data goes to bench-data/)
#
# Bench data is generated, never committed.
set -euo pipefail
cd "$(dirname "$0")/.."
entries=${1:-1000000}
dir=bench-data/chain-$entries
bin=target/release/auditui

cargo build --release --quiet
if [ ! -d "$dir" ]; then
  "$bin" generate "$dir" --entries "$entries" --seed 7 >/dev/null
fi
files=("$dir"/*.jsonl)
bytes=$(cat "${files[@]}" | wc -c)
mb=$(awk -v b="$bytes" 'BEGIN { printf "%.0f", b / 1e6 }')

# run NAME CMD...: prints "name seconds peak_rss_mb"
run() {
  local name=$1; shift
  local out
  out=$( { /usr/bin/time -f "%e %M" "$@" >/dev/null 2>/dev/null; } 2>&1 | tail -1 ) || true
  # /usr/bin/time writes its line even when the command exits non-zero.
  echo "$name $out"
}

rows=()
rows+=("$(run auditui-verify "$bin" verify "${files[@]}")")
rows+=("$(run auditui-verify-1-thread env RAYON_NUM_THREADS=1 "$bin" verify "${files[@]}")")
if [ ${#files[@]} -eq 1 ]; then
  rows+=("$(run python-lesson-verify python3 tests/reference/verify_chain.py "${files[0]}")")
else
  cat "${files[@]}" > "$dir/all.tmp"   # the lesson's verifier reads one file
  rows+=("$(run python-lesson-verify python3 tests/reference/verify_chain.py "$dir/all.tmp")")
fi
if command -v lnav >/dev/null; then
  rows+=("$(run lnav-headless lnav -n -c ':filter-in usr_' "${files[@]}")")
fi
rows+=("$(run grep-c grep -c usr_ "${files[@]}")")
rm -f "$dir/all.tmp"

base=$(echo "${rows[0]}" | awk '{print $2}')
printf '%s entries, %s MB in %s file(s)\n\n' "$entries" "$mb" "${#files[@]}"
printf '%-26s %9s %10s %12s %10s\n' tool seconds MB/s "vs auditui" "peak RSS MB"
for row in "${rows[@]}"; do
  set -- $row
  awk -v n="$1" -v s="$2" -v k="$3" -v mb="$mb" -v base="$base" 'BEGIN {
    printf "%-26s %9.2f %10.0f %11.1fx %10.0f\n", n, s, (s > 0 ? mb / s : 0), (base > 0 ? s / base : 0), k / 1024 }'
done
