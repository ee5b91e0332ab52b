#!/usr/bin/env bash
# Side-by-side verification speed on a generated chain: auditui (verify
# alone, and verify + building the store as the TUI and `stats` do), the
# lesson's own CPython verification, and lnav (if installed), with peak RSS.
#
#   scripts/bench.sh [ENTRIES]      (default 1000000)
#
# Data goes under the cargo target directory (bench-data/), never committed.
# CPU seconds are printed next to wall seconds: on a shared machine the wall
# clock measures the neighbours too.
set -euo pipefail
cd "$(dirname "$0")/.."
entries=${1:-1000000}
target=${CARGO_TARGET_DIR:-target}
dir=$target/bench-data/chain-$entries
bin=$target/release/auditui

cargo build --release --quiet
if [ ! -d "$dir" ]; then
  "$bin" generate "$dir" --entries "$entries" --seed 7 >/dev/null
fi
files=("$dir"/*.jsonl)
bytes=$(cat "${files[@]}" | wc -c)
mb=$(awk -v b="$bytes" 'BEGIN { printf "%.0f", b / 1e6 }')

# run NAME CMD...: prints "name wall_seconds cpu_seconds peak_rss_kb"
run() {
  local name=$1; shift
  local stats
  stats=$(mktemp)
  # /usr/bin/time writes its line even when the command exits non-zero.
  /usr/bin/time -o "$stats" -f "%e %U %S %M" "$@" >/dev/null 2>&1 || true
  echo "$name $(tail -1 "$stats" | awk '{ printf "%s %.2f %s", $1, $2 + $3, $4 }')"
  rm -f "$stats"
}

rows=()
rows+=("$(run auditui-verify "$bin" verify "${files[@]}")")
rows+=("$(run auditui-verify+store "$bin" stats "${files[@]}")")
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
# Reading the bytes once, as a floor (grep would stop early: its output is /dev/null).
rows+=("$(run wc-l wc -l "${files[@]}")")
rm -f "$dir/all.tmp"

base=$(echo "${rows[0]}" | awk '{print $2}')
printf '%s entries, %s MB in %s file(s), %s cores, load average %s\n\n' \
  "$entries" "$mb" "${#files[@]}" "$(nproc)" "$(cut -d' ' -f1 /proc/loadavg)"
printf '%-26s %8s %8s %9s %11s %12s\n' tool wall_s cpu_s MB/s "vs auditui" "peak RSS MB"
for row in "${rows[@]}"; do
  set -- $row
  awk -v n="$1" -v s="$2" -v c="$3" -v k="$4" -v mb="$mb" -v base="$base" 'BEGIN {
    printf "%-26s %8.2f %8.2f %9.0f %10.1fx %12.0f\n", n, s, c, (s > 0 ? mb / s : 0), (base > 0 ? s / base : 0), k / 1024 }'
done
