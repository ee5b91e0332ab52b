//! Recorded skeletons as a tree: each path from the root spells one
//! skeleton, segment by segment with the kind of each hole between them.
//!
//! Matching a line walks the tree once, comparing its bytes with the
//! recorded segments (a word at a time, each segment's last word first)
//! and reading each value where a hole is expected, by the kind expected
//! there. A line is only looked at where a segment or value is, so there
//! is no byte-by-byte scan of the skeleton, no hashing and no second pass
//! to compare. Skeletons share their first segments (every entry starts the
//! same way), so the tree stays small: a few thousand edges.

use crate::log::tape::Tape;
use crate::log::tape::skeleton::{self, Hole, HoleKind};

/// Skeletons, each ending in a leaf: what was recorded for it.
#[derive(Debug)]
pub struct Trie<L> {
    /// The edges leaving each node; node 0 is the root.
    nodes: Vec<Vec<Edge>>,
    /// The same edges as the walk reads them: each node's back to back,
    /// each with where the edges of the node it leads to are. A new path's
    /// nodes are laid out one after the other, so the path a line follows
    /// is mostly one run of memory: edges each in their own node's
    /// allocation missed the cache at every step (BENCHMARKS.md, "Issue
    /// 21").
    walked: Vec<(Edge, Edges)>,
    /// Where the root's edges are in `walked`.
    root: Edges,
    /// Where each node's edges are in `walked` (`None` until laid out),
    /// and which edge there leads to it (`None` for the root).
    placed: Vec<Option<Edges>>,
    parents: Vec<Option<u32>>,
    /// Every edge's segment, back to back.
    text: Vec<u8>,
    leaves: Vec<L>,
}

#[derive(Debug, Clone, Copy)]
struct Edge {
    /// The segment, `start..end` in [`Trie::text`].
    start: u32,
    end: u32,
    /// The segment's last (up to) eight bytes as the high bytes of a
    /// little-endian word, and which bytes of the word they are: compared
    /// first, as one word, for the edges leaving a node mostly differ in
    /// the key their segment ends with.
    tail: u64,
    mask: u64,
    to: Next,
}

/// A node's edges in [`Trie::walked`]: `first..first + len`.
#[derive(Debug, Clone, Copy, Default)]
struct Edges {
    first: u32,
    len: u32,
}

#[derive(Debug, Clone, Copy)]
enum Next {
    /// A hole of this kind, then this node.
    Hole(HoleKind, u32),
    /// The end of the line, and this leaf.
    End(u32),
}

impl<L> Default for Trie<L> {
    fn default() -> Self {
        Trie {
            nodes: vec![Vec::new()],
            walked: Vec::new(),
            root: Edges::default(),
            placed: vec![None],
            parents: vec![None],
            text: Vec::new(),
            leaves: Vec::new(),
        }
    }
}

impl<L> Trie<L> {
    pub fn len(&self) -> usize {
        self.leaves.len()
    }

    /// The leaf of the skeleton of `bytes` (a line), with its holes in
    /// `holes`, or `None` when no recorded skeleton is its.
    ///
    /// This is [`skeleton::split`] run along the recorded segments: within
    /// a recorded segment `split` finds no hole (it found none there when
    /// the segment was recorded, and it only looks ahead as far as a key
    /// goes), so a segment that matches followed by a value is the next
    /// hole `split` would find, and at most one edge of a node can match.
    /// With partial skeletons (an object hole, which reads any object) an
    /// object's edge may match beside one naming its keys: the walk takes
    /// the first and does not come back, so such a line may be missed
    /// (and parsed), never misread: whatever path it follows, the line is
    /// that path's segments and values of the kinds it expects.
    // Not inlined into its callers (one for each sort of skeleton): as
    // its own function it compiles to fewer instructions a line.
    #[inline(never)]
    pub fn walk(&self, bytes: &[u8], holes: &mut Vec<Hole>, scratch: &mut Tape) -> Option<&L> {
        holes.clear();
        let (mut edges, mut pos) = (self.root, 0);
        'nodes: loop {
            let (first, len) = (edges.first as usize, edges.len as usize);
            for (edge, next) in &self.walked[first..first + len] {
                let Some(start) = edge.follows(bytes, pos, &self.text) else {
                    continue;
                };
                match edge.to {
                    Next::End(leaf) if start == bytes.len() => {
                        return Some(&self.leaves[leaf as usize]);
                    }
                    Next::Hole(kind, _) if start < bytes.len() => {
                        if let Some(end) = skeleton::hole(bytes, start, kind, scratch) {
                            holes.push(Hole {
                                start: start as u32,
                                end: end as u32,
                                kind,
                            });
                            (edges, pos) = (*next, end);
                            continue 'nodes;
                        }
                    }
                    _ => {}
                }
            }
            return None;
        }
    }

    /// Add the skeleton of `text`, whose holes are `holes` (from
    /// [`skeleton::split`]), unless it is there already.
    pub fn insert(&mut self, text: &str, holes: &[Hole], leaf: L) {
        if let Some(grown) = self.insert_edges(text, holes, leaf) {
            self.lay_out(grown);
        }
    }

    /// Lay node `node`'s edges out anew at the end of [`Trie::walked`]
    /// (its old place is left unused), each new node below it right after
    /// its parent's, and point the edge that leads to each at its place.
    /// Only a node that grew an edge moves, and nodes are few, so what is
    /// left unused stays small.
    fn lay_out(&mut self, node: usize) {
        let mut pending = vec![node];
        while let Some(node) = pending.pop() {
            let (first, edges) = (self.walked.len(), &self.nodes[node]);
            let placed = Edges {
                first: first as u32,
                len: edges.len() as u32,
            };
            self.walked
                .extend(edges.iter().map(|edge| (*edge, Edges::default())));
            self.placed[node] = Some(placed);
            match self.parents[node] {
                Some(parent) => self.walked[parent as usize].1 = placed,
                None => self.root = placed,
            }
            // The last child first, so that the first is laid out next.
            for at in (first..self.walked.len()).rev() {
                if let Next::Hole(_, child) = self.walked[at].0.to {
                    let child = child as usize;
                    self.parents[child] = Some(at as u32);
                    match self.placed[child] {
                        Some(placed) => self.walked[at].1 = placed,
                        None => pending.push(child),
                    }
                }
            }
        }
    }

    /// Add the skeleton's edges to [`Trie::nodes`]: the first node that
    /// grew one, if any.
    fn insert_edges(&mut self, text: &str, holes: &[Hole], leaf: L) -> Option<usize> {
        let mut grown = None;
        let (mut node, mut leaf) = (0, Some(leaf));
        // One more segment than holes: the last one ends the line.
        let mut kinds = holes.iter().map(|h| h.kind);
        for segment in skeleton::segments(text, holes) {
            let kind = kinds.next();
            let found = self.nodes[node].iter().find(|edge| {
                &self.text[edge.start as usize..edge.end as usize] == segment
                    && match (edge.to, kind) {
                        (Next::Hole(k, _), Some(kind)) => k == kind,
                        (Next::End(_), None) => true,
                        _ => false,
                    }
            });
            match found.map(|edge| edge.to) {
                Some(Next::Hole(_, to)) => node = to as usize,
                Some(Next::End(_)) => return grown,
                None => {
                    grown.get_or_insert(node);
                    let start = self.text.len() as u32;
                    self.text.extend_from_slice(segment);
                    let to = match kind {
                        Some(kind) => {
                            self.nodes.push(Vec::new());
                            self.placed.push(None);
                            self.parents.push(None);
                            Next::Hole(kind, (self.nodes.len() - 1) as u32)
                        }
                        None => {
                            self.leaves.extend(leaf.take());
                            Next::End((self.leaves.len() - 1) as u32)
                        }
                    };
                    let (tail, mask) = tail_of(segment);
                    let edges = &mut self.nodes[node];
                    // An object hole reads any object, so its edge goes
                    // after those that name the object's keys: a line
                    // that has a recorded skeleton's keys takes that one.
                    let at = match kind {
                        Some(HoleKind::Object) => edges.len(),
                        _ => edges
                            .iter()
                            .position(|e| matches!(e.to, Next::Hole(HoleKind::Object, _)))
                            .unwrap_or(edges.len()),
                    };
                    edges.insert(
                        at,
                        Edge {
                            start,
                            end: self.text.len() as u32,
                            tail,
                            mask,
                            to,
                        },
                    );
                    match to {
                        Next::Hole(_, to) => node = to as usize,
                        Next::End(_) => return grown,
                    }
                }
            }
        }
        grown
    }
}

impl Edge {
    /// Where the edge's segment ends in `bytes` if `bytes` has it at `pos`
    /// (`text` is [`Trie::text`]). Compared a word at a time, the tail
    /// first, instead of calling `memcmp` for each edge.
    #[inline]
    fn follows(&self, bytes: &[u8], pos: usize, text: &[u8]) -> Option<usize> {
        let segment = &text[self.start as usize..self.end as usize];
        let end = pos + segment.len();
        let line = bytes.get(pos..end)?;
        if end < WORD {
            // Only at the very start of a line: no word ends here.
            return (line == segment).then_some(end);
        }
        if word(&bytes[end - WORD..]) & self.mask != self.tail {
            return None;
        }
        // The bytes before the tail, a word at a time (as arrays, with no
        // bounds check each); the last whole word may overlap the tail,
        // which matched already.
        let (words, _) = line.as_chunks::<WORD>();
        let (recorded, _) = segment.as_chunks::<WORD>();
        words
            .iter()
            .zip(recorded)
            .all(|(a, b)| a == b)
            .then_some(end)
    }
}

const WORD: usize = 8;

/// The first eight bytes of `bytes` (which has at least eight) as a
/// little-endian word.
#[inline]
fn word(bytes: &[u8]) -> u64 {
    let mut chunk = [0; WORD];
    chunk.copy_from_slice(&bytes[..WORD]);
    u64::from_le_bytes(chunk)
}

/// [`Edge::tail`] and [`Edge::mask`] of a segment: its last bytes where a
/// word ending with the segment has them.
fn tail_of(segment: &[u8]) -> (u64, u64) {
    let n = segment.len().min(WORD);
    let mut chunk = [0; WORD];
    chunk[WORD - n..].copy_from_slice(&segment[segment.len() - n..]);
    let mut mask = [0; WORD];
    mask[WORD - n..].fill(0xff);
    (u64::from_le_bytes(chunk), u64::from_le_bytes(mask))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn trie_of(lines: &[&str]) -> Trie<usize> {
        let mut trie = Trie::default();
        let (mut holes, mut scratch) = (Vec::new(), Tape::new());
        for (i, line) in lines.iter().enumerate() {
            skeleton::split(line, &mut holes, &mut scratch).expect("canonical values");
            trie.insert(line, &holes, i);
        }
        trie
    }

    fn walk(trie: &Trie<usize>, line: &str) -> Option<(usize, Vec<Hole>)> {
        let mut holes = Vec::new();
        let leaf = *trie.walk(line.as_bytes(), &mut holes, &mut Tape::new())?;
        Some((leaf, holes))
    }

    #[test]
    fn a_walk_finds_the_holes_split_finds() {
        let lines = [
            r#"{"a": 1, "b": {"c": "x"}}"#,
            r#"{"a": 1, "b": {"d": "x"}}"#,
            r#"{"a": 1, "b": {"c": true}}"#,
            r#"{"a": 1, "b": {"c": false}}"#,
            r#"{"a": 1, "b": {"c": "x", "e": null}}"#,
            r#"{"a": 1, "b": {"c": "say \"hi\""}}"#,
        ];
        let trie = trie_of(&lines);
        assert_eq!(trie.len(), lines.len());
        for (i, line) in lines.iter().enumerate() {
            let other = line
                .replace("1,", "-25,")
                .replace("\"x\"", "\"a longer value\"");
            let mut holes = Vec::new();
            skeleton::split(&other, &mut holes, &mut Tape::new()).unwrap();
            assert_eq!(walk(&trie, &other), Some((i, holes)), "{other}");
        }
    }

    #[test]
    fn each_edge_of_the_walked_layout_leads_to_its_node_as_it_now_is() {
        // Nodes grow edges after their children were laid out: the root's
        // first edge, then nodes deeper down, then the root's again.
        let trie = trie_of(&[
            r#"{"a": 1, "b": {"c": "x"}}"#,
            r#"{"a": 1, "b": {"c": "x", "d": 2}}"#,
            r#"{"a": 1, "b": {"e": "x"}}"#,
            r#"{"a": 1, "b": {"c": true}}"#,
            r#"["a", 1]"#,
            r#"{"a": 1, "b": {"c": "x", "d": "y"}}"#,
        ]);
        let slice = |edges: Edges| &trie.walked[edges.first as usize..][..edges.len as usize];
        let mut pending = vec![(0, trie.root)];
        let mut seen = 0;
        while let Some((node, placed)) = pending.pop() {
            seen += 1;
            let (walked, edges) = (slice(placed), &trie.nodes[node]);
            assert_eq!(walked.len(), edges.len(), "node {node}");
            for ((edge, next), recorded) in walked.iter().zip(edges) {
                assert_eq!((edge.start, edge.end), (recorded.start, recorded.end));
                if let Next::Hole(_, to) = edge.to {
                    pending.push((to as usize, *next));
                }
            }
        }
        assert_eq!(seen, trie.nodes.len());
    }

    #[test]
    fn a_skeleton_is_recorded_once() {
        let trie = trie_of(&[r#"{"a": 1}"#, r#"{"a": 2}"#, r#"{"a": 1.5}"#]);
        assert_eq!(trie.len(), 2);
        assert_eq!(walk(&trie, r#"{"a": 3}"#).map(|(leaf, _)| leaf), Some(0));
        assert_eq!(walk(&trie, r#"{"a": 0.25}"#).map(|(leaf, _)| leaf), Some(2));
    }

    #[test]
    fn segments_are_compared_whole_whatever_their_length_and_place() {
        let trie = trie_of(&[
            "[1]",
            "[1, 22]",
            r#"{"k": 1}"#,
            r#"{"abcdefghijklmnop": 1}"#,
        ]);
        let leaf = |line| walk(&trie, line).map(|(leaf, _)| leaf);
        assert_eq!(leaf("[5]"), Some(0));
        assert_eq!(leaf("[5, 6]"), Some(1));
        assert_eq!(leaf(r#"{"k": 7}"#), Some(2));
        assert_eq!(leaf(r#"{"abcdefghijklmnop": 7}"#), Some(3));
        for other in [
            "[5, 6",
            "[5, 6]]",
            r#"["5"]"#,
            r#"{"j": 1}"#,
            // One byte differs: the first, two in the middle (where the
            // tail word matches) and one in the tail.
            r#"["abcdefghijklmnop": 1}"#,
            r#"{"abcdefgXijklmnop": 1}"#,
            r#"{"abcdefXhijklmnop": 1}"#,
            r#"{"abcdefghijklmnoX": 1}"#,
        ] {
            assert_eq!(walk(&trie, other), None, "{other}");
        }
    }

    #[test]
    fn an_object_hole_is_tried_after_the_edges_that_name_its_keys() {
        // A partial skeleton first (its object a hole), then a whole one
        // sharing the segment before it.
        let partial = r#"{"a": {"k": 1}, "b": 2}"#;
        let (mut holes, mut scratch) = (Vec::new(), Tape::new());
        skeleton::split(partial, &mut holes, &mut scratch).unwrap();
        let object = Hole {
            start: 6,
            end: 14,
            kind: HoleKind::Object,
        };
        assert_eq!(&partial[6..14], r#"{"k": 1}"#);
        let mut trie = Trie::default();
        trie.insert(partial, &[object, holes[1]], 0);
        skeleton::split(partial, &mut holes, &mut scratch).unwrap();
        trie.insert(partial, &holes, 1);
        let leaf = |line: &str| walk(&trie, line).map(|(leaf, _)| leaf);
        assert_eq!(leaf(r#"{"a": {"k": 5}, "b": 3}"#), Some(1));
        assert_eq!(leaf(r#"{"a": {"j": [], "k" : 5}, "b": 3}"#), Some(0));
        let (_, holes) = walk(&trie, r#"{"a": {"j": 5}, "b": 3}"#).unwrap();
        assert_eq!(holes[0].kind, HoleKind::Object);
        assert_eq!((holes[0].start, holes[0].end), (6, 14));
        for other in [r#"{"a": {"j": }, "b": 3}"#, r#"{"a": [1], "b": 3}"#] {
            assert_eq!(walk(&trie, other), None, "{other}");
        }
    }

    #[test]
    fn anything_else_is_not_found() {
        let trie = trie_of(&[r#"{"a": 1, "b": "x"}"#]);
        for other in [
            r#"{"a": 1, "b": "x"} "#,
            r#"{"a": 1, "b": "x""#,
            r#"{"a": 1, "b": 2}"#,
            r#"{"a": "1", "b": "x"}"#,
            r#"{"a": 1, "c": "x"}"#,
            r#"{"a": 01, "b": "x"}"#,
            r#"{"a": 1, "b": "x": 2}"#,
            r#"{"a": 1, "b": {}}"#,
            r#"{"a": 1, "b": "#,
            "",
        ] {
            assert_eq!(walk(&trie, other), None, "{other}");
        }
    }
}
