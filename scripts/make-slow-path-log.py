#!/usr/bin/env python3
"""A chain in which every line has a skeleton not seen before, for measuring
the verifier's slow path (BENCHMARKS.md, "Issue 21").

    auditui generate DIR --entries 100000
    scripts/make-slow-path-log.py DIR/audit.jsonl slow.jsonl [OBJECT]

Each entry's argument keys (or those of the top-level OBJECT named, such
as `result_summary`) get the line number appended
(`customer_id` -> `customer_id_17`) and the chain is re-hashed as the
lesson does: SHA-256 of json.dumps(entry, sort_keys=True, default=str)
with `_previous_hash` in and `_hash` out.
"""
import hashlib
import json
import sys


def main(source, target, varying="arguments"):
    previous = "genesis"
    with open(source, encoding="utf-8") as lines, open(target, "w", encoding="utf-8") as out:
        for number, line in enumerate(lines, 1):
            entry = json.loads(line)
            entry.pop("_hash", None)
            members = entry.get(varying)
            if isinstance(members, dict):
                entry[varying] = {f"{key}_{number}": v for key, v in members.items()}
            entry["_previous_hash"] = previous
            canonical = json.dumps(entry, sort_keys=True, default=str)
            entry["_hash"] = previous = hashlib.sha256(canonical.encode()).hexdigest()
            out.write(json.dumps(entry) + "\n")


if __name__ == "__main__":
    if len(sys.argv) not in (3, 4):
        sys.exit("usage: make-slow-path-log.py SOURCE.jsonl TARGET.jsonl [OBJECT]")
    main(*sys.argv[1:])
