#!/bin/sh
# Regenerate the committed sample-logs/ with `auditui generate`, plus one
# tampered copy. Deterministic: running it again rewrites the same bytes, and
# tests/generate.rs fails if the committed files drift from what the
# generator writes today (then run this script and commit the result).
#
# Usage: scripts/make-sample-logs.sh      (from anywhere in the repository)
set -eu
cd "$(dirname "$0")/.."

auditui() { cargo run --release --quiet -- "$@"; }

out=sample-logs
rm -rf "$out/rotated"
auditui generate "$out" --name support-chain --entries 2000 --seed 1 --force
auditui generate "$out" --name clinic-hipaa --scenario clinic --entries 1500 --seed 2 \
    --start 2025-07-06T22:00:00Z --force
auditui generate "$out/rotated" --files 2 --entries 800 --seed 3 \
    --start 2025-07-07T09:00:00Z --force

# The tampered copy: a small chain with two edits an attacker might make
# without re-hashing. Only the edited file is kept.
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
auditui generate "$tmp" --name small --entries 400 --seed 20 --start 2025-07-08T10:00:00Z
# 1. Raise the amount of the first refund at or after line 120 (-> `modified`
#    at that line).
refund=$(grep -n '"tool_name": "issue_refund"' "$tmp/small.jsonl" | cut -d: -f1 | awk '$1 >= 120 { print; exit }')
# 2. Delete line 300 (-> `link` at line 300, where the next entry now sits).
sed -e "${refund}s/\"amount\": [0-9.]*/\"amount\": 4999.0/" -e '300d' \
    "$tmp/small.jsonl" > "$out/TAMPERED-support-chain.jsonl"
echo "$out/TAMPERED-support-chain.jsonl  refund amount edited at line $refund, line 300 deleted"
