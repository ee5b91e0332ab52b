//! The Merkle tree of Certificate Transparency (RFC 6962, section 2.1, as
//! restated in RFC 9162): its root over a log's entries, and the proofs
//! that one entry is in it (inclusion) or that a later tree extends an
//! earlier one (consistency).
//!
//! A leaf is the 32 raw bytes of an entry's stored hash: the hex text in
//! the log is a lowercase `hexdigest()` (anything else is already a
//! `modified` finding), so the bytes and the text name the same entry,
//! while 32 bytes keep every node input at a fixed 65 bytes: two SHA-256
//! blocks, the least a tree over hashes can cost.
//!
//! Leaf hash = SHA-256(0x00 || leaf), node = SHA-256(0x01 || left || right):
//! the prefixes keep a leaf from passing for a node.

use rayon::prelude::*;
use sha2::{Digest, Sha256};

pub type Hash = [u8; 32];

/// Below this many nodes a level is hashed on one thread: splitting costs
/// more than it saves.
const PARALLEL_NODES: usize = 16 * 1024;

/// SHA-256(0x00 || leaf).
pub fn leaf_hash(leaf: &[u8]) -> Hash {
    Sha256::new()
        .chain_update([0u8])
        .chain_update(leaf)
        .finalize()
        .into()
}

/// SHA-256(0x01 || left || right).
pub fn node_hash(left: &Hash, right: &Hash) -> Hash {
    Sha256::new()
        .chain_update([1u8])
        .chain_update(left)
        .chain_update(right)
        .finalize()
        .into()
}

/// The root of the empty tree: SHA-256 of nothing.
pub fn empty_root() -> Hash {
    Sha256::digest([]).into()
}

/// The tree over some leaves, every level kept so that proofs cost
/// log2(n) look-ups. Level 0 holds the leaf hashes; each level above pairs
/// the one below, a last unpaired node moving up unchanged. That bottom-up
/// pairing gives exactly RFC 6962's split at the largest power of two.
pub struct Tree {
    levels: Vec<Vec<Hash>>,
}

impl Tree {
    /// The tree over `leaves` (each an entry's stored hash).
    pub fn new(leaves: &[Hash]) -> Tree {
        let mut levels = vec![hash_leaves(leaves)];
        while levels.last().is_some_and(|level| level.len() > 1) {
            let next = pair_up(levels.last().expect("a level"));
            levels.push(next);
        }
        Tree { levels }
    }

    /// How many leaves the tree has.
    pub fn size(&self) -> usize {
        self.levels[0].len()
    }

    pub fn root(&self) -> Hash {
        self.levels
            .last()
            .and_then(|top| top.first())
            .copied()
            .unwrap_or_else(empty_root)
    }

    /// The root of the subtree over leaves `start..end`, a range that RFC
    /// 6962's recursion visits: `start` a multiple of a power of two `w`,
    /// and `end` either `start + w` or the tree's size.
    fn subtree(&self, start: usize, end: usize) -> Hash {
        let level = (end - start).next_power_of_two().trailing_zeros() as usize;
        self.levels[level][start >> level]
    }

    /// The audit path of leaf `index` (from 0): its siblings, bottom up.
    /// `None` for an index outside the tree.
    pub fn inclusion_proof(&self, index: usize) -> Option<Vec<Hash>> {
        (index < self.size()).then(|| {
            let mut proof = Vec::new();
            for (depth, level) in self.levels.iter().enumerate() {
                // A node without a sibling moves up unchanged: nothing to prove.
                if let Some(sibling) = level.get((index >> depth) ^ 1) {
                    proof.push(*sibling);
                }
            }
            proof
        })
    }

    /// The proof that the tree over this tree's first `old_size` leaves is
    /// a prefix of this tree (RFC 6962 section 2.1.2's SUBPROOF). `None`
    /// when `old_size` is larger than the tree.
    pub fn consistency_proof(&self, old_size: usize) -> Option<Vec<Hash>> {
        let size = self.size();
        if old_size > size {
            return None;
        }
        let mut proof = Vec::new();
        if old_size > 0 && old_size < size {
            self.subproof(old_size, 0, size, true, &mut proof);
        }
        Some(proof)
    }

    /// SUBPROOF(m, D[start:end], whole): `whole` while the old tree is
    /// still a complete subtree of the new one, whose root the verifier has.
    fn subproof(&self, m: usize, start: usize, end: usize, whole: bool, proof: &mut Vec<Hash>) {
        let n = end - start;
        if m == n {
            if !whole {
                proof.push(self.subtree(start, end));
            }
            return;
        }
        let k = split(n);
        if m <= k {
            self.subproof(m, start, start + k, whole, proof);
            proof.push(self.subtree(start + k, end));
        } else {
            self.subproof(m - k, start + k, end, false, proof);
            proof.push(self.subtree(start, start + k));
        }
    }
}

/// The root over `leaves` without keeping the levels: what a checkpoint
/// needs, in one vector the size of the leaves.
pub fn root(leaves: &[Hash]) -> Hash {
    let mut level = hash_leaves(leaves);
    while level.len() > 1 {
        level = pair_up(&level);
    }
    level.first().copied().unwrap_or_else(empty_root)
}

fn hash_leaves(leaves: &[Hash]) -> Vec<Hash> {
    if leaves.len() < PARALLEL_NODES {
        leaves.iter().map(|l| leaf_hash(l)).collect()
    } else {
        leaves.par_iter().map(|l| leaf_hash(l)).collect()
    }
}

/// The level above `level`: node hashes of its pairs, a last odd node as is.
fn pair_up(level: &[Hash]) -> Vec<Hash> {
    let parent = |pair: &[Hash]| match pair {
        [left, right] => node_hash(left, right),
        [alone] => *alone,
        _ => unreachable!("chunks of two"),
    };
    if level.len() < 2 * PARALLEL_NODES {
        level.chunks(2).map(parent).collect()
    } else {
        level.par_chunks(2).map(parent).collect()
    }
}

/// The largest power of two smaller than `n` (n >= 2): RFC 6962's k.
fn split(n: usize) -> usize {
    debug_assert!(n >= 2);
    1 << (usize::BITS - 1 - (n - 1).leading_zeros())
}

/// Whether `proof` shows the leaf with hash `leaf` at `index` in the tree
/// of `size` leaves with root `root` (RFC 9162 section 2.1.3.2).
pub fn verify_inclusion(
    leaf: &Hash,
    index: usize,
    size: usize,
    proof: &[Hash],
    root: &Hash,
) -> bool {
    if index >= size {
        return false;
    }
    let (mut f, mut s) = (index, size - 1);
    let mut r = *leaf;
    for p in proof {
        if s == 0 {
            return false;
        }
        if f & 1 == 1 || f == s {
            r = node_hash(p, &r);
            while f & 1 == 0 && f != 0 {
                f >>= 1;
                s >>= 1;
            }
        } else {
            r = node_hash(&r, p);
        }
        f >>= 1;
        s >>= 1;
    }
    s == 0 && &r == root
}

/// Whether `proof` shows that the tree of `new_size` leaves with root
/// `new_root` extends the one of `old_size` leaves with root `old_root`
/// (RFC 9162 section 2.1.4.2; every tree extends the empty one).
pub fn verify_consistency(
    old_size: usize,
    new_size: usize,
    old_root: &Hash,
    new_root: &Hash,
    proof: &[Hash],
) -> bool {
    if old_size > new_size {
        return false;
    }
    if old_size == 0 {
        return proof.is_empty() && old_root == &empty_root();
    }
    if old_size == new_size {
        return proof.is_empty() && old_root == new_root;
    }
    let mut path = proof.iter();
    // An old tree that is a complete subtree is its own first node.
    let first = if old_size.is_power_of_two() {
        Some(old_root)
    } else {
        path.next()
    };
    let Some(first) = first else {
        return false;
    };
    let (mut f, mut s) = (old_size - 1, new_size - 1);
    while f & 1 == 1 {
        f >>= 1;
        s >>= 1;
    }
    let (mut old, mut new) = (*first, *first);
    for c in path {
        if s == 0 {
            return false;
        }
        if f & 1 == 1 || f == s {
            old = node_hash(c, &old);
            new = node_hash(c, &new);
            while f & 1 == 0 && f != 0 {
                f >>= 1;
                s >>= 1;
            }
        } else {
            new = node_hash(&new, c);
        }
        f >>= 1;
        s >>= 1;
    }
    s == 0 && &old == old_root && &new == new_root
}

#[cfg(test)]
mod tests {
    use super::*;

    fn leaves(n: usize) -> Vec<Hash> {
        (0..n)
            .map(|i| Sha256::digest(i.to_le_bytes()).into())
            .collect()
    }

    /// RFC 6962's MTH, written as the RFC states it: the yardstick for the
    /// level-by-level tree.
    fn mth(leaves: &[Hash]) -> Hash {
        match leaves.len() {
            0 => empty_root(),
            1 => leaf_hash(&leaves[0]),
            n => {
                let k = split(n);
                node_hash(&mth(&leaves[..k]), &mth(&leaves[k..]))
            }
        }
    }

    #[test]
    fn the_tree_root_is_the_rfc_recursion() {
        for n in 0..=70 {
            let leaves = leaves(n);
            let expected = mth(&leaves);
            assert_eq!(Tree::new(&leaves).root(), expected, "{n} leaves");
            assert_eq!(root(&leaves), expected, "{n} leaves");
        }
        let many = leaves(3 * PARALLEL_NODES + 5);
        assert_eq!(root(&many), mth(&many));
    }

    #[test]
    fn every_inclusion_proof_verifies_and_only_for_its_leaf() {
        for n in 1..=33 {
            let leaves = leaves(n);
            let tree = Tree::new(&leaves);
            let root = tree.root();
            for (i, stored) in leaves.iter().enumerate() {
                let proof = tree.inclusion_proof(i).unwrap();
                let leaf = leaf_hash(stored);
                assert!(verify_inclusion(&leaf, i, n, &proof, &root), "{i} of {n}");
                if n > 1 {
                    assert!(!verify_inclusion(&leaf, (i + 1) % n, n, &proof, &root));
                }
                let other = leaf_hash(&[7; 32]);
                assert!(!verify_inclusion(&other, i, n, &proof, &root));
                if let Some((_, shorter)) = proof.split_last() {
                    assert!(!verify_inclusion(&leaf, i, n, shorter, &root));
                }
            }
            assert_eq!(tree.inclusion_proof(n), None);
        }
    }

    #[test]
    fn every_consistency_proof_verifies_and_fails_for_another_tree() {
        for n in 0..=33 {
            let leaves = leaves(n);
            let new = Tree::new(&leaves);
            for m in 0..=n {
                let old = mth(&leaves[..m]);
                let proof = new.consistency_proof(m).unwrap();
                assert!(
                    verify_consistency(m, n, &old, &new.root(), &proof),
                    "{m} -> {n}"
                );
                if m > 0 && m < n {
                    let mut forked = leaves[..m].to_vec();
                    forked[m - 1][0] ^= 1;
                    let forked = mth(&forked);
                    assert!(!verify_consistency(m, n, &forked, &new.root(), &proof));
                }
            }
            assert_eq!(new.consistency_proof(n + 1), None);
        }
    }

    #[test]
    fn a_smaller_tree_never_extends_a_larger_one() {
        let leaves = leaves(5);
        let root = mth(&leaves);
        assert!(!verify_consistency(5, 4, &root, &mth(&leaves[..4]), &[]));
        assert!(!verify_consistency(0, 5, &leaf_hash(&[0; 32]), &root, &[]));
    }
}
