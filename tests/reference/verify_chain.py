#!/usr/bin/env python3
"""The lesson's own chain verification, over a JSONL file.

Usage: python3 tests/reference/verify_chain.py PATH
Prints "intact N" (exit 0) or "broken at line L" (exit 1); exit 2 on usage or
I/O errors. Same logic as ImmutableAuditLog.verify_integrity in the lesson
(check the _previous_hash link, pop _hash, sha256 of
json.dumps(sort_keys=True, default=str)), reading one line at a time. Used as
the CPython reference point by the benchmark script: keep it plain.
"""

import hashlib
import json
import sys


def verify(f):
    expected_prev = "genesis"
    count = 0
    for lineno, raw in enumerate(f, 1):
        try:
            entry = json.loads(raw.decode("utf-8"))
            if entry["_previous_hash"] != expected_prev:
                return False, lineno
            stored_hash = entry.pop("_hash")
            recalculated = hashlib.sha256(
                json.dumps(entry, sort_keys=True, default=str).encode()
            ).hexdigest()
        except (ValueError, KeyError, TypeError, AttributeError, RecursionError):
            return False, lineno  # not JSON, not an object, or no hash keys
        if recalculated != stored_hash:
            return False, lineno
        expected_prev = stored_hash
        count += 1
    return True, count


def main(argv):
    if len(argv) != 2:
        print("usage: verify_chain.py PATH", file=sys.stderr)
        return 2
    try:
        with open(argv[1], "rb") as f:
            ok, n = verify(f)
    except OSError as e:
        print(f"verify_chain.py: {e}", file=sys.stderr)
        return 2
    if ok:
        print(f"intact {n}")
        return 0
    print(f"broken at line {n}")
    return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
