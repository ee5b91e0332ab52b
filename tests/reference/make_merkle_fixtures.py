"""Tree heads and proofs from pymerkle, an RFC 9162 implementation nobody
on auditui wrote, for tests/merkle_reference.rs to compare with auditui's.

Run once (needs `pip install pymerkle==7.0.0`); the output is committed and
`cargo test` never needs Python:

    python3 tests/reference/make_merkle_fixtures.py > tests/fixtures/merkle_reference.json

Leaf i is the 32 bytes SHA-256(str(i)), standing for an entry's stored hash;
pymerkle hashes it as SHA-256(0x00 || leaf), as auditui does.
"""

import hashlib
import json

from pymerkle import InmemoryTree

SIZES = [0, 1, 2, 3, 4, 5, 7, 8, 9, 16, 17, 3001]
LARGE = 3001


def leaf(i):
    return hashlib.sha256(str(i).encode()).digest()


def indices(size):
    if size <= 17:
        return list(range(size))
    return sorted({0, 1, 2, 1500, 2047, 2048, 2999, size - 1})


def main():
    tree = InmemoryTree(algorithm="sha256")
    for i in range(LARGE):
        tree.append_entry(leaf(i))
    cases = []
    for size in SIZES:
        root = tree.get_root(size).hex()
        proofs = []
        for index in indices(size):
            proof = tree.prove_inclusion(index + 1, size)
            # pymerkle's path is the leaf's own hash, then its audit path
            # bottom up: RFC 9162's inclusion path is the rest.
            assert proof.path[0] == tree.get_leaf(index + 1)
            proofs.append(
                {"index": index, "path": [h.hex() for h in proof.path[1:]]}
            )
        cases.append({"size": size, "root": root, "inclusion": proofs})
    print(json.dumps({"leaf": "sha256(str(i))", "trees": cases}, indent=1))


main()
