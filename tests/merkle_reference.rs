//! auditui's Merkle tree checked against two implementations nobody here
//! wrote: pymerkle (Python, run once by tests/reference/make_merkle_fixtures.py
//! into a committed fixture) and the ct-merkle crate (a dev-dependency).
#![allow(clippy::unwrap_used)] // a test crate: a failed unwrap is a failed test

use auditui::log::merkle::{self, Hash, Tree};
use ct_merkle::mem_backed_tree::MemoryBackedTree;
use ct_merkle::{ConsistencyProof, InclusionProof, RootHash};
use serde_json::Value as Json;
use sha2::{Digest, Sha256};

/// The fixture's leaf i: SHA-256 of the decimal text of i.
fn leaf(i: usize) -> Hash {
    Sha256::digest(i.to_string()).into()
}

fn hex(hash: &Hash) -> String {
    hash.iter().map(|b| format!("{b:02x}")).collect()
}

fn reference() -> Json {
    let text = std::fs::read_to_string("tests/fixtures/merkle_reference.json").unwrap();
    serde_json::from_str(&text).unwrap()
}

#[test]
fn tree_heads_and_inclusion_paths_match_pymerkle() {
    let reference = reference();
    let trees = reference["trees"].as_array().unwrap();
    let sizes: Vec<u64> = trees.iter().map(|t| t["size"].as_u64().unwrap()).collect();
    for size in [0, 1, 2, 3, 7, 8, 9, 3001] {
        assert!(sizes.contains(&size), "the fixture lacks size {size}");
    }
    for case in trees {
        let size = case["size"].as_u64().unwrap() as usize;
        let leaves: Vec<Hash> = (0..size).map(leaf).collect();
        let tree = Tree::new(&leaves);
        assert_eq!(hex(&tree.root()), case["root"], "root of {size} leaves");
        assert_eq!(hex(&merkle::root(&leaves)), case["root"]);
        let proofs = case["inclusion"].as_array().unwrap();
        assert_eq!(proofs.is_empty(), size == 0, "size {size}");
        for proof in proofs {
            let index = proof["index"].as_u64().unwrap() as usize;
            let ours: Vec<String> = tree
                .inclusion_proof(index)
                .unwrap()
                .iter()
                .map(hex)
                .collect();
            assert_eq!(Json::from(ours), proof["path"], "leaf {index} of {size}");
            // And pymerkle's path passes our verifier.
            let path: Vec<Hash> = proof["path"]
                .as_array()
                .unwrap()
                .iter()
                .map(|h| from_hex(h.as_str().unwrap()))
                .collect();
            let root = from_hex(case["root"].as_str().unwrap());
            let leaf_hash = merkle::leaf_hash(&leaves[index]);
            assert!(merkle::verify_inclusion(
                &leaf_hash, index, size, &path, &root
            ));
        }
    }
}

#[test]
fn consistency_between_pymerkle_tree_heads_is_proven() {
    let reference = reference();
    let roots: Vec<(usize, Hash)> = reference["trees"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            let size = t["size"].as_u64().unwrap() as usize;
            (size, from_hex(t["root"].as_str().unwrap()))
        })
        .collect();
    let largest = roots.iter().map(|(s, _)| *s).max().unwrap();
    let leaves: Vec<Hash> = (0..largest).map(leaf).collect();
    for &(new_size, new_root) in &roots {
        let tree = Tree::new(&leaves[..new_size]);
        for &(old_size, old_root) in roots.iter().filter(|(s, _)| *s <= new_size) {
            let proof = tree.consistency_proof(old_size).unwrap();
            assert!(
                merkle::verify_consistency(old_size, new_size, &old_root, &new_root, &proof),
                "{old_size} -> {new_size}"
            );
        }
    }
}

fn from_hex(text: &str) -> Hash {
    let mut out = [0u8; 32];
    for (byte, pair) in out.iter_mut().zip(text.as_bytes().chunks(2)) {
        *byte = u8::from_str_radix(std::str::from_utf8(pair).unwrap(), 16).unwrap();
    }
    out
}

/// Proofs byte for byte as ct-merkle makes them, and each side's proofs
/// accepted by the other's verifier.
#[test]
fn proofs_match_ct_merkle_both_ways() {
    let mut reference: MemoryBackedTree<Sha256, Hash> = MemoryBackedTree::new();
    let mut leaves = Vec::new();
    for size in 1..=70usize {
        leaves.push(leaf(size - 1));
        reference.push(leaf(size - 1));
        let tree = Tree::new(&leaves);
        let ct_root = reference.root();
        assert_eq!(ct_root.as_bytes().as_slice(), tree.root(), "{size}");
        for (index, stored) in leaves.iter().enumerate() {
            let ours = tree.inclusion_proof(index).unwrap();
            let theirs = reference.prove_inclusion(index);
            assert_eq!(theirs.as_bytes(), ours.concat(), "leaf {index} of {size}");
            let ours = InclusionProof::<Sha256>::from_digests(ours.iter().map(|h| h.into()));
            assert!(
                ct_root
                    .verify_inclusion(stored, index as u64, &ours)
                    .is_ok()
            );
        }
        for old_size in 1..size {
            let ours = tree.consistency_proof(old_size).unwrap();
            let theirs = reference.prove_consistency(size - old_size);
            assert_eq!(theirs.as_bytes(), ours.concat(), "{old_size} -> {size}");
            let old_root = Tree::new(&leaves[..old_size]).root();
            let ct_old = RootHash::<Sha256>::new(old_root.into(), old_size as u64);
            let ours = ConsistencyProof::<Sha256>::from_digests(ours.iter().map(|h| h.into()));
            assert!(ct_root.verify_consistency(&ct_old, &ours).is_ok());
        }
    }
}
