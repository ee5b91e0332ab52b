#!/usr/bin/env bash
# Coverage-guided fuzzing of the parsers that read hostile bytes.
#
#   scripts/fuzz.sh [TARGET...] [-- LIBFUZZER_FLAGS]
#
# Targets (fuzz/fuzz_targets/): line (entry parser, seal, canonical form),
# filter (filter language), verify (bytes -> Source -> chain verification),
# line_editor (the filter bar's editing keys over any characters), time
# (timestamps against the chrono-based reader they replaced), number (the
# tape's short-decimal reader against str::parse), search (the one search
# over many lines against a search of each line), percentiles (stats' p50
# and p95 selected from unsorted durations against the sorted blocks),
# row_filter (a filter tested on one entry as it is read against the
# store's query over the loaded entries).
# Default: every target for 10 minutes each, one job, seeds from fuzz/seeds/.
# The growing corpus lives in fuzz/corpus/ (git-ignored); crashes land in
# fuzz/artifacts/TARGET/. Minimise one with
#   RUSTC_BOOTSTRAP=1 cargo fuzz tmin --fuzz-dir fuzz TARGET fuzz/artifacts/TARGET/crash-...
# and commit it under tests/fuzz-regressions/TARGET/ so `cargo test` replays it.
#
# Needs: cargo install cargo-fuzz. Stable Rust works through RUSTC_BOOTSTRAP
# (cargo-fuzz uses nightly-only sanitizer flags).
set -euo pipefail
cd "$(dirname "$0")/.."

targets=()
while [[ $# -gt 0 && "$1" != "--" ]]; do
    targets+=("$1")
    shift
done
[[ "${1:-}" == "--" ]] && shift
[[ ${#targets[@]} -eq 0 ]] && targets=(line filter verify line_editor time number search percentiles row_filter)
flags=("$@")
[[ ${#flags[@]} -eq 0 ]] && flags=(-max_total_time=600 -jobs=1 -print_final_stats=1)

export RUSTC_BOOTSTRAP=1
for target in "${targets[@]}"; do
    mkdir -p "fuzz/corpus/$target"
    echo "== fuzzing $target (${flags[*]})"
    cargo fuzz run --fuzz-dir fuzz "$target" "fuzz/corpus/$target" "fuzz/seeds/$target" -- "${flags[@]}"
done
