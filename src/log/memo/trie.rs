//! Recorded skeletons as a tree: each path from the root spells one
//! skeleton, segment by segment with the kind of each hole between them.
//!
//! Matching a line walks the tree once, comparing its bytes with the
//! recorded segments and reading each value where a hole is expected. A
//! line is only looked at where a segment or value is, so there is no
//! byte-by-byte scan of the skeleton, no hashing and no second pass to
//! compare. Skeletons share their first segments (every entry starts the
//! same way), so the tree stays small: a few thousand edges.

use crate::log::tape::Tape;
use crate::log::tape::skeleton::{self, At, Hole, HoleKind};

/// Skeletons, each ending in a leaf: what was recorded for it.
#[derive(Debug)]
pub struct Trie<L> {
    /// The edges leaving each node; node 0 is the root.
    nodes: Vec<Vec<Edge>>,
    /// Every edge's segment, back to back.
    text: Vec<u8>,
    leaves: Vec<L>,
}

#[derive(Debug, Clone, Copy)]
struct Edge {
    /// The segment, `start..end` in [`Trie::text`].
    start: u32,
    end: u32,
    to: Next,
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
            text: Vec::new(),
            leaves: Vec::new(),
        }
    }
}

impl<L> Trie<L> {
    pub fn len(&self) -> usize {
        self.leaves.len()
    }

    /// The leaf of `text`'s skeleton, with its holes in `holes`, or `None`
    /// when no recorded skeleton is `text`'s.
    ///
    /// This is [`skeleton::split`] run along the recorded segments: within
    /// a recorded segment `split` finds no hole (it found none there when
    /// the segment was recorded, and it only looks ahead as far as a key
    /// goes), so a segment that matches followed by a value is the next
    /// hole `split` would find, and at most one edge of a node can match.
    pub fn walk(&self, text: &str, holes: &mut Vec<Hole>, scratch: &mut Tape) -> Option<&L> {
        holes.clear();
        let bytes = text.as_bytes();
        let (mut node, mut pos) = (0, 0);
        'nodes: loop {
            for edge in &self.nodes[node] {
                let segment = &self.text[edge.start as usize..edge.end as usize];
                if !bytes[pos..].starts_with(segment) {
                    continue;
                }
                let start = pos + segment.len();
                match edge.to {
                    Next::End(leaf) if start == bytes.len() => {
                        return Some(&self.leaves[leaf as usize]);
                    }
                    Next::Hole(kind, to) if start < bytes.len() => {
                        if let At::Hole(end, found) = skeleton::at(bytes, start, scratch)
                            && found == kind
                        {
                            holes.push(Hole {
                                start: start as u32,
                                end: end as u32,
                                kind,
                            });
                            (node, pos) = (to as usize, end);
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
                Some(Next::End(_)) => return,
                None => {
                    let start = self.text.len() as u32;
                    self.text.extend_from_slice(segment);
                    let to = match kind {
                        Some(kind) => {
                            self.nodes.push(Vec::new());
                            Next::Hole(kind, (self.nodes.len() - 1) as u32)
                        }
                        None => {
                            self.leaves.extend(leaf.take());
                            Next::End((self.leaves.len() - 1) as u32)
                        }
                    };
                    self.nodes[node].push(Edge {
                        start,
                        end: self.text.len() as u32,
                        to,
                    });
                    match to {
                        Next::Hole(_, to) => node = to as usize,
                        Next::End(_) => return,
                    }
                }
            }
        }
    }
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
        let leaf = *trie.walk(line, &mut holes, &mut Tape::new())?;
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
    fn a_skeleton_is_recorded_once() {
        let trie = trie_of(&[r#"{"a": 1}"#, r#"{"a": 2}"#, r#"{"a": 1.5}"#]);
        assert_eq!(trie.len(), 2);
        assert_eq!(walk(&trie, r#"{"a": 3}"#).map(|(leaf, _)| leaf), Some(0));
        assert_eq!(walk(&trie, r#"{"a": 0.25}"#).map(|(leaf, _)| leaf), Some(2));
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
