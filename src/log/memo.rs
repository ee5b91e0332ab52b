//! Skeletons seen before: their recorded tape and where each value goes in
//! the canonical form.
//!
//! A writer repeats a few skeletons (the keys and punctuation of a line,
//! see [`skeleton`]). The first line of each is parsed and canonicalised
//! as usual; the next ones are matched byte for byte against it (walking
//! the [`trie`] of recorded skeletons), the values read from them are
//! replayed from its tape, and their canonical form is assembled from the
//! recorded pieces and their own values, with no parsing or sorting.

mod trie;

use super::entry::LineError;
use super::tape::skeleton::{self, Hole, Template};
use super::tape::{Node, Tape};
use sha2::{Digest, Sha256};
use trie::Trie;

/// Skeletons remembered per reader. Real logs have tens to a few hundred
/// (a writer's tools times their outcomes); past this many the log is not
/// repetitive and new ones are no longer recorded.
const MAX_SKELETONS: usize = 512;

/// Only lines up to this long are recorded (entries are about 1 KB)...
const MAX_RECORDED_LINE: usize = 8 << 10;

/// ...and no more than this in all. What a skeleton costs is bounded by
/// its line's length (a tape token per two bytes at worst), so a reader
/// remembers at most about 10 MB whatever the log holds.
const MAX_RECORDED_BYTES: usize = 512 << 10;

/// Remembered skeletons, and scratch for matching a line against them.
#[derive(Debug, Default)]
pub struct Memos {
    /// Each skeleton's memo, `None` for one seen but not replayable (its
    /// lines are parsed at once, without trying to record it again).
    skeletons: Trie<Option<Memo>>,
    /// Whether the last line looked up had a skeleton not in the trie.
    unknown: bool,
    /// Total length of the lines recorded.
    recorded_bytes: usize,
    /// The current line's holes.
    holes: Vec<Hole>,
    scratch: Tape,
}

#[derive(Debug)]
struct Memo {
    template: Template,
    /// The canonical form as pieces; `None` for entries without hashes.
    plan: Option<Plan>,
    /// Tape positions of the values the caller reads, in the caller's
    /// order (the same for every line of the skeleton).
    picked: Vec<Option<u32>>,
}

/// The canonical form of a skeleton: recorded text, and runs of the line
/// copied in (its values with whatever skeleton text around them the
/// canonical form shares: a member whose key and value need no rewriting
/// is one run, not a key, a value and a separator).
#[derive(Debug)]
struct Plan {
    text: Vec<u8>,
    pieces: Vec<Piece>,
}

#[derive(Debug, Clone, Copy)]
enum Piece {
    /// Recorded text, up to this offset of [`Plan::text`] from the end of
    /// the previous literal piece.
    Literal(u32),
    /// The line's own bytes between two places.
    Line { from: LinePlace, to: LinePlace },
}

/// A place in the skeleton's fixed text: this many bytes after the end of
/// hole `anchor - 1` (after the line's start when `anchor` is 0). Every
/// line of the skeleton has the same text there, so the place names the
/// same bytes in each of them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct LinePlace {
    anchor: u16,
    offset: u32,
}

impl LinePlace {
    /// The place of byte `at` of the line `holes` were found in; `at` is
    /// never inside a hole.
    fn of(at: usize, holes: &[Hole]) -> LinePlace {
        let anchor = holes.partition_point(|h| h.end as usize <= at);
        let base = anchor.checked_sub(1).map_or(0, |h| holes[h].end as usize);
        LinePlace {
            anchor: anchor as u16,
            offset: (at - base) as u32,
        }
    }

    /// Where the place is in a line with these holes.
    fn resolve(self, holes: &[Hole]) -> usize {
        let base = match self.anchor {
            0 => 0,
            anchor => holes[usize::from(anchor) - 1].end,
        };
        (base + self.offset) as usize
    }
}

/// Marks hole `i` in the line used to record a plan: a string, so that it
/// survives canonicalising as `"\u0001i\u0001"` wherever the value goes.
const MARK: &str = "\\u0001";

impl Memos {
    /// Look `text` up: a line whose skeleton was recorded, ready to replay.
    pub fn find<'m, 'a>(&'m mut self, text: &'a str) -> Option<Replay<'m, 'a>> {
        let found = self
            .skeletons
            .walk(text, &mut self.holes, &mut self.scratch);
        self.unknown = found.is_none();
        Some(Replay {
            memo: found?.as_ref()?,
            text,
            holes: &self.holes,
        })
    }

    /// Remember the skeleton of `text`, which `tape` was just parsed from
    /// and which [`Memos::find`] did not know. `seal` canonicalises a
    /// parsed line as the verifier does (`Ok(false)` when it has no hash);
    /// `picked` are the tape positions the caller looked up in it.
    pub fn record(
        &mut self,
        text: &str,
        tape: &Tape,
        seal: impl FnOnce(Node<'_, '_>, &mut Vec<u8>) -> Result<bool, LineError>,
        picked: Vec<Option<u32>>,
    ) {
        if !self.unknown
            || self.skeletons.len() >= MAX_SKELETONS
            || text.len() > MAX_RECORDED_LINE
            || self.recorded_bytes + text.len() > MAX_RECORDED_BYTES
            || skeleton::split(text, &mut self.holes, &mut self.scratch).is_none()
        {
            return;
        }
        let memo = tape.template(&self.holes).and_then(|template| {
            Some(Memo {
                template,
                plan: plan(text, &self.holes, seal)?,
                picked,
            })
        });
        self.recorded_bytes += text.len();
        self.skeletons.insert(text, &self.holes, memo);
    }
}

/// The canonical-form pieces of `text`'s skeleton: the line is
/// canonicalised with each hole replaced by a mark, and the marks found in
/// the output. `Some(None)` when the line has no hash to compute.
fn plan(
    text: &str,
    holes: &[Hole],
    seal: impl FnOnce(Node<'_, '_>, &mut Vec<u8>) -> Result<bool, LineError>,
) -> Option<Option<Plan>> {
    let mut marked = String::with_capacity(text.len() + holes.len() * 16);
    let mut at = 0;
    for (i, hole) in holes.iter().enumerate() {
        marked.push_str(&text[at..hole.start as usize]);
        marked.push_str(&format!("\"{MARK}{i}{MARK}\""));
        at = hole.end as usize;
    }
    marked.push_str(&text[at..]);
    let mut tape = Tape::new();
    let root = tape.parse(&marked).ok()?;
    let mut canonical = Vec::new();
    if !seal(root, &mut canonical).ok()? {
        return Some(None);
    }
    let open = format!("\"{MARK}");
    let close = format!("{MARK}\"");
    let mut runs = Runs::new(text.as_bytes(), holes);
    let mut rest = &canonical[..];
    while let Some(start) = memchr::memmem::find(rest, open.as_bytes()) {
        runs.text(&rest[..start]);
        rest = &rest[start + open.len()..];
        let end = memchr::memmem::find(rest, close.as_bytes())?;
        let index: usize = std::str::from_utf8(&rest[..end]).ok()?.parse().ok()?;
        runs.hole(*holes.get(index)?);
        rest = &rest[end + close.len()..];
    }
    runs.text(rest);
    Some(Some(runs.into_plan()))
}

/// A plan being built: the canonical form's text and values in order,
/// with each value grown into the skeleton text around it in the line for
/// as far as that text is also what the canonical form has there.
struct Runs<'l> {
    line: &'l [u8],
    holes: &'l [Hole],
    parts: Vec<Part>,
}

enum Part {
    Text(Vec<u8>),
    /// The line's bytes `start..end`.
    Run(usize, usize),
}

impl<'l> Runs<'l> {
    fn new(line: &'l [u8], holes: &'l [Hole]) -> Self {
        Runs {
            line,
            holes,
            parts: Vec::new(),
        }
    }

    /// Canonical text: what continues the line's last run is taken from
    /// the line, up to the next hole.
    fn text(&mut self, mut text: &[u8]) {
        if let Some(Part::Run(_, end)) = self.parts.last_mut() {
            let next_hole = self.holes.partition_point(|h| (h.start as usize) < *end);
            let gap_end = self
                .holes
                .get(next_hole)
                .map_or(self.line.len(), |h| h.start as usize);
            while *end < gap_end && text.first() == Some(&self.line[*end]) {
                *end += 1;
                text = &text[1..];
            }
        }
        if !text.is_empty() {
            self.parts.push(Part::Text(text.to_vec()));
        }
    }

    /// A value: its run starts as far back as the canonical text before it
    /// is also the line's text before it (since the previous hole), and
    /// joins the previous run if that ends there.
    fn hole(&mut self, hole: Hole) {
        let index = self.holes.partition_point(|h| h.start < hole.start);
        let gap_start = index
            .checked_sub(1)
            .map_or(0, |h| self.holes[h].end as usize);
        let mut start = hole.start as usize;
        if let Some(Part::Text(text)) = self.parts.last_mut() {
            while start > gap_start && text.last() == Some(&self.line[start - 1]) {
                text.pop();
                start -= 1;
            }
            if text.is_empty() {
                self.parts.pop();
            }
        }
        match self.parts.last_mut() {
            Some(Part::Run(_, end)) if *end == start => *end = hole.end as usize,
            _ => self.parts.push(Part::Run(start, hole.end as usize)),
        }
    }

    fn into_plan(self) -> Plan {
        let mut plan = Plan {
            text: Vec::new(),
            pieces: Vec::new(),
        };
        for part in self.parts {
            match part {
                Part::Text(text) => {
                    plan.text.extend_from_slice(&text);
                    plan.pieces.push(Piece::Literal(plan.text.len() as u32));
                }
                Part::Run(start, end) => plan.pieces.push(Piece::Line {
                    from: LinePlace::of(start, self.holes),
                    to: LinePlace::of(end, self.holes),
                }),
            }
        }
        plan
    }
}

/// A line with a recorded skeleton.
pub struct Replay<'m, 'a> {
    memo: &'m Memo,
    text: &'a str,
    holes: &'m [Hole],
}

impl<'m, 'a> Replay<'m, 'a> {
    /// The recorded tape positions of the values the caller picked.
    pub fn picked(&self) -> &'m [Option<u32>] {
        &self.memo.picked
    }

    /// Only the values at these recorded positions, one after the other
    /// on `tape` (see [`Tape::replay_some`]): the first.
    pub fn some<'t>(
        &self,
        tape: &'t mut Tape,
        positions: impl Iterator<Item = u32>,
    ) -> Node<'t, 'a> {
        tape.replay_some(&self.memo.template, self.text, self.holes, positions)
    }

    /// SHA-256 of the line's canonical form, fed from its memo's plan
    /// without assembling it; `None` when the skeleton has no plan.
    pub fn canonical_hash(&self) -> Option<[u8; 32]> {
        let mut hasher = Sha256::new();
        self.feed_canonical(|bytes| hasher.update(bytes))
            .then(|| hasher.finalize().into())
    }

    /// Hand the line's canonical form to `take` piece by piece, from its
    /// memo's plan; false when the skeleton has none.
    fn feed_canonical(&self, mut take: impl FnMut(&[u8])) -> bool {
        let Some(plan) = &self.memo.plan else {
            return false;
        };
        let bytes = self.text.as_bytes();
        let mut literal_start = 0;
        for piece in &plan.pieces {
            match *piece {
                Piece::Literal(end) => {
                    take(&plan.text[literal_start..end as usize]);
                    literal_start = end as usize;
                }
                Piece::Line { from, to } => {
                    take(&bytes[from.resolve(self.holes)..to.resolve(self.holes)]);
                }
            }
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::generate::{Options, generate};
    use crate::log::canonical::write_node;
    use crate::log::entry::{LineReader, parse_line};

    /// Canonicalise as the chain scheme's writer does, without `_hash`.
    fn canonical_of(root: Node<'_, '_>, out: &mut Vec<u8>) -> Result<bool, LineError> {
        write_node(root, Some("_hash"), out, &mut Vec::new());
        Ok(true)
    }

    fn recorded(text: &str) -> Memos {
        let mut memos = Memos::default();
        let mut tape = Tape::new();
        assert!(memos.find(text).is_none(), "nothing recorded yet");
        tape.parse(text).unwrap();
        memos.record(text, &tape, canonical_of, vec![Some(2)]);
        memos
    }

    #[test]
    fn a_line_with_the_same_skeleton_is_replayed_with_its_own_values() {
        let mut memos = recorded(r#"{"b": "x", "a": 1, "_hash": "h", "c": [true, null]}"#);
        let line = r#"{"b": "longer \u00e9", "a": 22.5, "_hash": "other", "c": [false, null]}"#;
        let mut tape = Tape::new();
        assert!(
            memos.find(line).is_none(),
            "a string with escapes is another kind"
        );
        let line = r#"{"b": "longer", "a": 22, "_hash": "other", "c": [false, null]}"#;
        assert!(
            memos.find(line).is_none(),
            "false is another kind than true"
        );
        let line = r#"{"b": "longer", "a": 22, "_hash": "other", "c": [true, null]}"#;
        let replay = memos.find(line).expect("same skeleton");
        assert_eq!(replay.picked(), &[Some(2)]);
        // Tokens: {, "b", "longer", "a", 22, "_hash", "other", "c", [, true, null.
        let first = replay.some(&mut tape, [4, 9, 6].into_iter());
        assert_eq!(first.as_int(), Some("22"));
        assert_eq!(first.sibling(1).as_bool(), Some(true));
        assert_eq!(first.sibling(2).as_str().map(|s| s.raw()), Some("other"));
        let mut out = Vec::new();
        assert!(replay.feed_canonical(|bytes| out.extend_from_slice(bytes)));
        assert_eq!(
            String::from_utf8(out).unwrap(),
            r#"{"a": 22, "b": "longer", "c": [true, null]}"#
        );
    }

    /// The canonical form a replayed line feeds, and in how many pieces.
    fn fed(memos: &mut Memos, line: &str) -> (String, usize) {
        let replay = memos.find(line).expect("same skeleton");
        let mut out = Vec::new();
        assert!(replay.feed_canonical(|bytes| out.extend_from_slice(bytes)));
        let pieces = replay.memo.plan.as_ref().unwrap().pieces.len();
        (String::from_utf8(out).unwrap(), pieces)
    }

    #[test]
    fn what_the_canonical_form_shares_with_the_line_is_copied_in_runs() {
        // Already canonical: the whole line is one run.
        let mut memos = recorded(r#"{"a": 1, "b": "x"}"#);
        let (canonical, pieces) = fed(&mut memos, r#"{"a": 234, "b": "yz"}"#);
        assert_eq!(
            (canonical.as_str(), pieces),
            (r#"{"a": 234, "b": "yz"}"#, 1)
        );
        // The hash between two members: a run stops where the texts part.
        let mut memos = recorded(r#"{"a": 1, "_hash": "h", "b": 2}"#);
        let (canonical, pieces) = fed(&mut memos, r#"{"a": 10, "_hash": "hh", "b": 20}"#);
        assert_eq!((canonical.as_str(), pieces), (r#"{"a": 10, "b": 20}"#, 2));
        // Keys out of order: runs of the line and recorded text between.
        let mut memos = recorded(r#"{"c": {"z": 1, "y": 2}, "b": "x", "a": [3, "w"]}"#);
        let (canonical, _) = fed(
            &mut memos,
            r#"{"c": {"z": 5, "y": 66}, "b": "vv", "a": [7, "u"]}"#,
        );
        assert_eq!(
            canonical,
            r#"{"a": [7, "u"], "b": "vv", "c": {"y": 66, "z": 5}}"#
        );
    }

    #[test]
    fn only_an_identical_skeleton_is_replayed() {
        let mut memos = recorded(r#"{"b": "x", "a": 1}"#);
        for other in [
            r#"{"b": "x", "c": 1}"#,
            r#"{"b": "x",  "a": 1}"#,
            r#"{"b": "x", "a": 1.5}"#,
            r#"{"b": "x", "a": 2.50}"#,
            r#"{"b": "x", "a": -0}"#,
            r#"{"b": "\/", "a": 1}"#,
            r#"{"b": 7, "a": 1}"#,
            r#"{"b": "x", "a": 1, "d": 1}"#,
        ] {
            assert!(memos.find(other).is_none(), "{other}");
        }
        assert!(memos.find(r#"{"b": "yy", "a": 3}"#).is_some());
    }

    #[test]
    fn what_is_remembered_is_bounded() {
        let learn = |lines: &[String]| {
            let (mut memos, mut tape) = (Memos::default(), Tape::new());
            for line in lines {
                assert!(memos.find(line).is_none(), "each skeleton is new");
                tape.parse(line).unwrap();
                memos.record(line, &tape, canonical_of, Vec::new());
            }
            lines.iter().filter(|l| memos.find(l).is_some()).count()
        };
        let many: Vec<String> = (0..600).map(|i| format!(r#"{{"k{i}": 1}}"#)).collect();
        assert_eq!(learn(&many), MAX_SKELETONS);
        let padding = "p".repeat(MAX_RECORDED_LINE - 40);
        let long: Vec<String> = (0..100)
            .map(|i| format!(r#"{{"{padding}{i:03}": 1}}"#))
            .collect();
        assert_eq!(learn(&long), MAX_RECORDED_BYTES / long[0].len());
        let longest = format!(r#"{{"{}": 1}}"#, "p".repeat(MAX_RECORDED_LINE));
        assert_eq!(learn(&[longest]), 0);
    }

    #[test]
    fn replayed_lines_seal_and_index_as_parsed_lines() {
        let files = generate(&Options::new(3000)).expect("valid options");
        let lines: Vec<&[u8]> = files
            .iter()
            .flat_map(|f| f.bytes.split(|&b| b == b'\n'))
            .filter(|l| !l.is_empty())
            .collect();
        let (mut reader, mut sealer) = (LineReader::new(), LineReader::new());
        for line in &lines {
            let (seal, fields) = reader.read(line).expect("generated lines are entries");
            let entry = parse_line(line).expect("generated lines parse");
            assert_eq!(seal, entry.seal(&mut Vec::new()).unwrap());
            assert_eq!(fields, entry.fields());
            assert_eq!(sealer.read_seal(line).unwrap(), seal);
        }
        // And most of them were replayed, not parsed.
        let (mut memos, mut tape, mut replayed) = (Memos::default(), Tape::new(), 0);
        for line in &lines {
            let text = std::str::from_utf8(line).unwrap();
            if memos.find(text).is_some() {
                replayed += 1;
            } else {
                tape.parse(text).unwrap();
                memos.record(text, &tape, canonical_of, Vec::new());
            }
        }
        assert!(
            replayed * 10 > lines.len() * 9,
            "{replayed} of {}",
            lines.len()
        );
    }
}
