//! Skeletons seen before: their recorded tape and where each value goes in
//! the canonical form.
//!
//! A writer repeats a few skeletons (the keys and punctuation of a line,
//! see [`skeleton`]). The first line of each is parsed and canonicalised
//! as usual; the next ones are matched byte for byte against it (walking
//! the [`trie`] of recorded skeletons), the values read from them are
//! replayed from its tape, and their canonical form is assembled from the
//! recorded pieces and their own values, with no parsing or sorting.

mod spans;
mod trie;

use super::canonical::{MemberSlot, write_node};
use super::entry::LineError;
use super::tape::skeleton::{self, Hole, HoleKind, Template};
use super::tape::{Node, Tape};
use spans::Plan;
use std::collections::VecDeque;
use trie::Trie;

/// Skeletons remembered per reader. Real logs have tens to a few hundred
/// (a writer's tools times their outcomes); past this many the log is not
/// repetitive and new ones are no longer recorded.
const MAX_SKELETONS: usize = 512;

/// Once no more skeletons are recorded, this many lookups missing in a row
/// mean the log is not repetitive: only every this-many-th line is then
/// looked up (walking hundreds of edges that all miss cost more than the
/// parse), until one is found again.
const MISSES_BEFORE_SKIPPING: u32 = 64;

/// Past this many lines not made into a partial skeleton, no more are
/// recorded: a log whose lines differ in more than one object (or in the
/// top level) makes few.
const MAX_REFUSED: u32 = 4 * MAX_SKELETONS as u32;

/// Only lines up to this long are recorded (entries are about 1 KB)...
const MAX_RECORDED_LINE: usize = 8 << 10;

/// ...and no more than this in all. What a skeleton costs is bounded by
/// its line's length (a tape token per two bytes at worst), so a reader
/// remembers at most about 10 MB whatever the log holds.
const MAX_RECORDED_BYTES: usize = 512 << 10;

/// Remembered skeletons, and scratch for matching a line against them.
///
/// Two sorts: whole skeletons, in which every value is a hole, and
/// partial ones, in which one object member of the top level is a hole
/// of its own (read by the parser, written by the canonical writer) and
/// the rest is as in a whole skeleton. A line is looked up among the
/// partial ones only when no whole one is its: a log whose lines differ
/// in one object's keys (a tool's arguments, a result) repeats few
/// partial skeletons where it repeats no whole one (ARCHITECTURE.md,
/// "Where a verified, indexed entry's time goes").
#[derive(Debug, Default)]
pub struct Memos {
    whole: Skeletons,
    partial: Skeletons,
    /// The current line's holes.
    holes: Vec<Hole>,
    scratch: Tape,
    /// The canonical form of a partial replay's object.
    object: Vec<u8>,
    order: Vec<MemberSlot>,
    /// The last lines considered for a partial skeleton, with their
    /// holes, the latest first: a new partial skeleton leaves open the
    /// object member of the top level that holds all the differences
    /// between its line and one of these.
    recent: VecDeque<(String, Vec<Hole>)>,
}

/// How many lines [`Memos::recent`] keeps: a writer's next line of the
/// same kind (a tool's) is usually among the last few.
const RECENT: usize = 8;

/// Skeletons of one sort, and whether to look a line up among them.
#[derive(Debug, Default)]
struct Skeletons {
    /// Each skeleton's memo, `None` for one seen but not replayable (its
    /// lines are parsed at once, without trying to record it again).
    trie: Trie<Option<Memo>>,
    /// Whether the last line looked up had a skeleton not in the trie.
    unknown: bool,
    /// Lookups missed in a row since the trie filled up.
    misses: u32,
    /// Lines missed that were not recorded (for partial skeletons: one
    /// that differs from every recent line outside any one object).
    refused: u32,
    /// Total length of the lines recorded.
    recorded_bytes: usize,
}

#[derive(Debug)]
struct Memo {
    template: Template,
    /// The canonical form as pieces; `None` for entries without hashes.
    plan: Option<Plan>,
    /// Tape positions of the values the caller reads, in the caller's
    /// order (the same for every line of the skeleton).
    picked: Vec<Option<u32>>,
    /// A partial skeleton: values inside its object are not replayed.
    partial: bool,
}

/// Marks hole `i` in the line used to record a plan: a string, so that it
/// survives canonicalising as `"\u0001i\u0001"` wherever the value goes.
const MARK: &str = "\\u0001";

impl Skeletons {
    /// The memo of `line`'s skeleton if it is one of these, with the
    /// line's holes in `holes`; not looked up while the trie is full and
    /// keeps missing, but for every [`MISSES_BEFORE_SKIPPING`]th line.
    fn find<'s>(
        &'s mut self,
        line: &[u8],
        holes: &mut Vec<Hole>,
        scratch: &mut Tape,
    ) -> Option<&'s Option<Memo>> {
        let full = self.full();
        if full
            && self.misses >= MISSES_BEFORE_SKIPPING
            && !self.misses.is_multiple_of(MISSES_BEFORE_SKIPPING)
        {
            self.misses = self.misses.wrapping_add(1);
            // Nothing would be recorded: the trie is full.
            self.unknown = false;
            return None;
        }
        let found = self.trie.walk(line, holes, scratch);
        self.unknown = found.is_none();
        if full {
            self.misses = if found.is_some() {
                0
            } else {
                self.misses.wrapping_add(1)
            };
        }
        found
    }

    /// Whether no more skeletons are recorded here: as many as are kept,
    /// or (for partial ones) a log whose lines seldom make one.
    fn full(&self) -> bool {
        self.trie.len() >= MAX_SKELETONS || self.refused >= MAX_REFUSED
    }

    /// Whether a line of `len` bytes would be recorded if it were not
    /// found here.
    fn room(&self, len: usize) -> bool {
        !self.full() && len <= MAX_RECORDED_LINE && self.recorded_bytes + len <= MAX_RECORDED_BYTES
    }

    /// Whether a line of `len` bytes, just looked up here and not found,
    /// is to be recorded.
    fn recording(&self, len: usize) -> bool {
        self.unknown && self.room(len)
    }

    fn insert(&mut self, text: &str, holes: &[Hole], memo: Option<Memo>) {
        self.recorded_bytes += text.len();
        self.trie.insert(text, holes, memo);
    }
}

impl Memos {
    /// Memos that record partial skeletons alone, as if the whole ones
    /// were full: for checking those (tests, fuzzing) without first
    /// recording hundreds of whole ones.
    pub fn partial_only() -> Memos {
        let mut memos = Memos::default();
        memos.whole.refused = MAX_REFUSED;
        memos
    }

    /// Look `line` up: a line whose skeleton was recorded, ready to replay.
    /// `line` need not have been checked as UTF-8: one whose skeleton is
    /// found is UTF-8 (see below), any other is the caller's to check.
    pub fn find<'m, 'a>(&'m mut self, line: &'a [u8]) -> Option<Replay<'m, 'a>> {
        let learning = self.whole.room(line.len());
        let found = match self.whole.find(line, &mut self.holes, &mut self.scratch) {
            Some(found) => {
                #[cfg(debug_assertions)]
                check_walk(line, &self.holes, None);
                // Not looked up, so not to be recorded.
                self.partial.unknown = false;
                Some(found)
            }
            // While whole skeletons are recorded, a line without one is
            // parsed to record it: the lines after it are replayed whole,
            // which costs less than around an object. Partial ones are
            // looked up, and recorded, only after.
            None if learning => {
                self.partial.unknown = false;
                return None;
            }
            None => self.partial.find(line, &mut self.holes, &mut self.scratch),
        };
        let memo = found?.as_ref()?;
        if memo.partial {
            // Parsed by the walk already, as a member of the top level;
            // this is its canonical form. Its text may be any UTF-8.
            let hole = self.holes.iter().find(|h| h.kind == HoleKind::Object)?;
            let object = line.get(hole.start as usize..hole.end as usize)?;
            let object = std::str::from_utf8(object).ok()?;
            #[cfg(debug_assertions)]
            check_walk(line, &self.holes, Some(hole));
            let root = self.scratch.parse(object).expect("the walk read it");
            self.object.clear();
            write_node(root, None, &mut self.object, &mut self.order);
        }
        // SAFETY: the walk matched every byte of `line`, so it is UTF-8
        // without a second pass over it (ARCHITECTURE.md, "Where a
        // verified, indexed entry's time goes"): each segment equals a
        // recorded line's (UTF-8) between two ASCII bytes or its ends, so
        // it is UTF-8 itself, and each hole was read by `skeleton::hole`,
        // which takes only ASCII (plain strings without bytes past 0x7e,
        // escaped strings as `json.dumps` writes them, numbers, literals)
        // but in an object hole, checked as UTF-8 just above. Debug builds
        // check it in `check_walk`.
        let text = unsafe { std::str::from_utf8_unchecked(line) };
        Some(Replay {
            memo,
            text,
            holes: &self.holes,
            object: &self.object,
        })
    }

    /// Remember the skeleton of `text`, which `tape` was just parsed from
    /// and which [`Memos::find`] did not know: as a whole skeleton, and as
    /// a partial one when it differs from the last line considered for
    /// one inside an object member of the top level. `seal` canonicalises
    /// a parsed line as the verifier does (`Ok(false)` when it has no
    /// hash); `picked` gives the tape positions the caller looked up in
    /// it, asked only when a skeleton is recorded (a line that is not
    /// costs no allocation).
    pub fn record(
        &mut self,
        text: &str,
        tape: &Tape,
        seal: impl Fn(Node<'_, '_>, &mut Vec<u8>) -> Result<bool, LineError>,
        picked: impl FnOnce() -> Vec<Option<u32>>,
    ) {
        let whole = self.whole.recording(text.len());
        let partial = self.partial.recording(text.len());
        if !(whole || partial)
            || skeleton::split(text, &mut self.holes, &mut self.scratch).is_none()
        {
            return;
        }
        let picked = picked();
        if whole {
            let memo = memo(text, tape, &self.holes, &seal, picked.clone(), false);
            self.whole.insert(text, &self.holes, memo);
        }
        if partial {
            match self.partial_holes(text, tape) {
                Some(holes) => {
                    let memo = memo(text, tape, &holes, &seal, picked, true);
                    self.partial.insert(text, &holes, memo);
                }
                None => self.partial.refused += 1,
            }
            let (mut line, mut holes) = match self.recent.len() {
                RECENT => self.recent.pop_back().expect("full"),
                _ => Default::default(),
            };
            line.clear();
            line.push_str(text);
            holes.clone_from(&self.holes);
            self.recent.push_front((line, holes));
        }
    }

    /// The holes of `text`'s partial skeleton: those of its whole one
    /// (in [`Memos::holes`]) but inside one object member of the top
    /// level, which is one hole: the first that holds every difference
    /// between the line's skeleton and a recent line's. `None` when there
    /// is none.
    fn partial_holes(&self, text: &str, tape: &Tape) -> Option<Vec<Hole>> {
        let root = tape.root(text);
        let object = self.recent.iter().find_map(|(line, holes)| {
            let (first, last) = differences(text, &self.holes, line, holes)?;
            root.members().map(|(_, value)| value.span()).find(|span| {
                text.as_bytes()[span.start] == b'{' && span.start < first && last < span.end
            })
        })?;
        let outside = |h: &&Hole| h.end as usize <= object.start || h.start as usize >= object.end;
        let mut holes: Vec<Hole> = self.holes.iter().filter(outside).copied().collect();
        let at = holes.partition_point(|h| (h.start as usize) < object.start);
        holes.insert(
            at,
            Hole {
                start: object.start as u32,
                end: object.end as u32,
                kind: HoleKind::Object,
            },
        );
        Some(holes)
    }
}

/// The memo of `text`'s skeleton with these holes, `None` when it cannot
/// be replayed.
fn memo(
    text: &str,
    tape: &Tape,
    holes: &[Hole],
    seal: impl FnOnce(Node<'_, '_>, &mut Vec<u8>) -> Result<bool, LineError>,
    picked: Vec<Option<u32>>,
    partial: bool,
) -> Option<Memo> {
    Some(Memo {
        template: tape.template(holes)?,
        plan: plan(text, holes, seal)?,
        picked,
        partial,
    })
}

/// Each segment of `line` with where it starts and the kind of the hole
/// after it (none after the last).
fn pieces<'a>(line: &'a str, holes: &'a [Hole]) -> Vec<(usize, &'a [u8], Option<HoleKind>)> {
    let starts = std::iter::once(0).chain(holes.iter().map(|h| h.end as usize));
    let kinds = holes
        .iter()
        .map(|h| Some(h.kind))
        .chain(std::iter::once(None));
    starts
        .zip(skeleton::segments(line, holes))
        .zip(kinds)
        .map(|((start, segment), kind)| (start, segment, kind))
        .collect()
}

/// Where the skeleton of `a` (with its holes) differs from that of `b`:
/// `a`'s bytes `first..last` hold every difference (in the segments, and
/// in the kinds of the holes after them). `None` when they are the same.
fn differences(a: &str, a_holes: &[Hole], b: &str, b_holes: &[Hole]) -> Option<(usize, usize)> {
    let length = a.len();
    let (a, b) = (pieces(a, a_holes), pieces(b, b_holes));
    let first = a
        .iter()
        .zip(&b)
        .find_map(|(&(start, x, kx), &(_, y, ky))| {
            let same = x.iter().zip(y).take_while(|(p, q)| p == q).count();
            (same < x.len() || x.len() != y.len() || kx != ky).then_some(start + same)
        })?;
    let last = a
        .iter()
        .rev()
        .zip(b.iter().rev())
        .find_map(|(&(start, x, kx), &(_, y, ky))| {
            let end = start + x.len();
            if kx != ky {
                let after = a_holes.iter().find(|h| h.start as usize == end);
                return Some(after.map_or(end, |h| h.end as usize));
            }
            let same = x
                .iter()
                .rev()
                .zip(y.iter().rev())
                .take_while(|(p, q)| p == q)
                .count();
            (same < x.len() || x.len() != y.len()).then_some(end - same)
        });
    // Segments all alike from the end: the difference is in those before.
    Some((first, last.unwrap_or(length)))
}

/// Debug builds check every walk that found a skeleton against
/// [`skeleton::split`], which the recorded skeletons came from (outside
/// the object hole of a partial one, if `split` reads the line: values
/// inside the object need not be canonical), and that the line is UTF-8,
/// which replaying it takes on the walk's word.
#[cfg(debug_assertions)]
fn check_walk(line: &[u8], holes: &[Hole], object: Option<&Hole>) {
    let text = std::str::from_utf8(line).expect("a walked line is UTF-8");
    let mut split = Vec::new();
    let found = skeleton::split(text, &mut split, &mut Tape::new());
    match object {
        None => assert!(
            found.is_some() && split == holes,
            "walked holes {holes:?}, split {split:?} of {text:?}"
        ),
        Some(object) => {
            let outside = |h: &&Hole| h.end <= object.start || h.start >= object.end;
            let walked = holes.iter().filter(|h| h.kind != HoleKind::Object);
            assert!(
                found.is_none() || split.iter().filter(outside).eq(walked),
                "walked holes {holes:?}, split {split:?} of {text:?}"
            );
        }
    }
}

/// The canonical-form pieces of `text`'s skeleton: the line is
/// canonicalised with each hole replaced by a mark, and the marks found in
/// the output. `Some(None)` when the line has no hash to compute; `None`
/// when a key holds a mark's text, which the output would not tell from
/// a value's mark.
fn plan(
    text: &str,
    holes: &[Hole],
    seal: impl FnOnce(Node<'_, '_>, &mut Vec<u8>) -> Result<bool, LineError>,
) -> Option<Option<Plan>> {
    if skeleton::segments(text, holes).any(|s| memchr::memmem::find(s, MARK.as_bytes()).is_some()) {
        return None;
    }
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
    let (mut texts, mut order) = (Vec::new(), Vec::new());
    let mut rest = &canonical[..];
    while let Some(start) = memchr::memmem::find(rest, open.as_bytes()) {
        texts.push(&rest[..start]);
        rest = &rest[start + open.len()..];
        let end = memchr::memmem::find(rest, close.as_bytes())?;
        order.push(std::str::from_utf8(&rest[..end]).ok()?.parse().ok()?);
        rest = &rest[end + close.len()..];
    }
    texts.push(rest);
    Some(Some(Plan::new(text.as_bytes(), holes, &texts, &order)?))
}

/// A line with a recorded skeleton.
pub struct Replay<'m, 'a> {
    memo: &'m Memo,
    text: &'a str,
    holes: &'m [Hole],
    object: &'m [u8],
}

impl<'m, 'a> Replay<'m, 'a> {
    /// Whether the skeleton is a partial one: the values inside its
    /// object hole are not replayed, and [`Replay::picked`] may not say
    /// where those are, nor whether they are there.
    pub fn partial(&self) -> bool {
        self.memo.partial
    }

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

    /// Append the line's canonical form, assembled from its memo's plan;
    /// false when the skeleton has none.
    pub fn write_canonical(&self, out: &mut Vec<u8>) -> bool {
        let Some(plan) = &self.memo.plan else {
            return false;
        };
        plan.write(self.text.as_bytes(), self.holes, self.object, out);
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::generate::{Options, generate};
    use crate::log::entry::{LineReader, Picks, parse_line};

    /// Canonicalise as the chain scheme's writer does, without `_hash`.
    fn canonical_of(root: Node<'_, '_>, out: &mut Vec<u8>) -> Result<bool, LineError> {
        write_node(root, Some("_hash"), out, &mut Vec::new());
        Ok(true)
    }

    fn recorded(text: &str) -> Memos {
        let mut memos = Memos::default();
        let mut tape = Tape::new();
        assert!(
            memos.find(text.as_bytes()).is_none(),
            "nothing recorded yet"
        );
        tape.parse(text).unwrap();
        memos.record(text, &tape, canonical_of, || vec![Some(2)]);
        memos
    }

    #[test]
    fn a_line_with_the_same_skeleton_is_replayed_with_its_own_values() {
        let mut memos = recorded(r#"{"b": "x", "a": 1, "_hash": "h", "c": [true, null]}"#);
        let line = r#"{"b": "longer \u00e9", "a": 22.5, "_hash": "other", "c": [false, null]}"#;
        let mut tape = Tape::new();
        assert!(
            memos.find(line.as_bytes()).is_none(),
            "a string with escapes is another kind"
        );
        let line = r#"{"b": "longer", "a": 22, "_hash": "other", "c": [false, null]}"#;
        assert!(
            memos.find(line.as_bytes()).is_none(),
            "false is another kind than true"
        );
        let line = r#"{"b": "longer", "a": 22, "_hash": "other", "c": [true, null]}"#;
        let replay = memos.find(line.as_bytes()).expect("same skeleton");
        assert_eq!(replay.picked(), &[Some(2)]);
        // Tokens: {, "b", "longer", "a", 22, "_hash", "other", "c", [, true, null.
        let first = replay.some(&mut tape, [4, 9, 6].into_iter());
        assert_eq!(first.as_int(), Some("22"));
        assert_eq!(first.sibling(1).as_bool(), Some(true));
        assert_eq!(first.sibling(2).as_str().map(|s| s.raw()), Some("other"));
        let mut out = Vec::new();
        assert!(replay.write_canonical(&mut out));
        assert_eq!(
            String::from_utf8(out).unwrap(),
            r#"{"a": 22, "b": "longer", "c": [true, null]}"#
        );
    }

    #[test]
    fn a_replayed_value_that_is_not_a_hole_moves_with_the_holes_before_it() {
        // Every scalar value is a hole; a container is not.
        let mut memos = recorded(r#"{"a": "x", "b": [1, "y"], "c": "y"}"#);
        let line = r#"{"a": "longer", "b": [22, "z"], "c": "z"}"#;
        let replay = memos.find(line.as_bytes()).expect("same skeleton");
        let mut parsed = Tape::new();
        let root = parsed.parse(line).unwrap();
        let (_, array) = root.members().nth(1).unwrap();
        let mut tape = Tape::new();
        // Tokens: {, "a", "x", "b", [, 1, "y", "c", "y": the array first,
        // then after a hole, and a hole first, then it.
        let first = replay.some(&mut tape, [4, 8].into_iter());
        assert_eq!(first.source(), array.source());
        assert_eq!(first.sibling(1).as_str().map(|s| s.raw()), Some("z"));
        let first = replay.some(&mut tape, [2, 4].into_iter());
        assert_eq!(first.as_str().map(|s| s.raw()), Some("longer"));
        assert_eq!(first.sibling(1).source(), array.source());
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
            assert!(memos.find(other.as_bytes()).is_none(), "{other}");
        }
        assert!(memos.find(r#"{"b": "yy", "a": 3}"#.as_bytes()).is_some());
    }

    #[test]
    fn a_line_whose_object_member_has_other_keys_is_replayed_around_it() {
        let line = |keys: &str| {
            format!(r#"{{"a": "x", "args": {{{keys}}}, "n": 1.5, "_hash": "h", "m": {{"k": 1}}}}"#)
        };
        let (mut memos, mut tape) = (Memos::partial_only(), Tape::new());
        for keys in [r#""k1": 1"#, r#""k2": 1"#] {
            let text = line(keys);
            assert!(memos.find(text.as_bytes()).is_none());
            tape.parse(&text).unwrap();
            memos.record(&text, &tape, canonical_of, || vec![Some(2)]);
        }
        // The second line differs from the first in `args` alone: its
        // skeleton with `args` open was recorded too.
        for keys in [
            r#""z": [1, {"y": 2, "x": 3}], "b": "é""#,
            r#""k1": 1, "k1": 2.50"#,
            r#" "q" : "\u00E9", "_hash": 1 "#,
            "",
        ] {
            let text = line(keys);
            let replay = memos.find(text.as_bytes()).expect("a partial skeleton");
            assert!(replay.partial());
            let mut out = Vec::new();
            assert!(replay.write_canonical(&mut out));
            let mut parsed = Vec::new();
            canonical_of(tape.parse(&text).unwrap(), &mut parsed).unwrap();
            assert_eq!(String::from_utf8(out), String::from_utf8(parsed));
        }
        let mut bad = line(r#""k": "xx""#).into_bytes();
        let at = memchr::memmem::find(&bad, b"xx").unwrap();
        bad[at] = 0xff;
        assert!(memos.find(&bad).is_none(), "not UTF-8 inside the object");
        for other in [
            r#"{"a": "x", "args": "s", "n": 1.5, "_hash": "h", "m": {"k": 1}}"#,
            r#"{"a": "x", "args": {"k": }, "n": 1.5, "_hash": "h", "m": {"k": 1}}"#,
            r#"{"a": "x", "args": {}, "n": 1.5, "_hash": "h", "m": {"j": 1}}"#,
        ] {
            assert!(memos.find(other.as_bytes()).is_none(), "{other}");
        }
    }

    #[test]
    fn partial_skeletons_wait_until_no_more_whole_ones_are_recorded() {
        let line = |keys: &str| format!(r#"{{"a": {{{keys}}}, "b": 1}}"#);
        let (mut memos, mut tape) = (Memos::default(), Tape::new());
        for keys in [r#""k1": 1"#, r#""k2": 1"#, r#""k3": 1"#] {
            let text = line(keys);
            assert!(memos.find(text.as_bytes()).is_none(), "recorded whole");
            tape.parse(&text).unwrap();
            memos.record(&text, &tape, canonical_of, Vec::new);
        }
        assert_eq!((memos.whole.trie.len(), memos.partial.trie.len()), (3, 0));
        assert!(
            memos
                .find(line(r#""k3": 7"#).as_bytes())
                .is_some_and(|r| !r.partial())
        );
    }

    #[test]
    fn lines_that_differ_in_more_than_one_object_make_no_partial_skeleton() {
        let line = |i: usize| format!(r#"{{"a": {{"k{i}": 1}}, "b": {{"k{i}": 2}}}}"#);
        let (mut memos, mut tape) = (Memos::partial_only(), Tape::new());
        for i in 0..MAX_REFUSED as usize + 10 {
            assert!(memos.find(line(i).as_bytes()).is_none());
            tape.parse(&line(i)).unwrap();
            memos.record(&line(i), &tape, canonical_of, Vec::new);
        }
        assert_eq!(memos.partial.trie.len(), 0);
        assert!(memos.partial.full(), "no more tries");
    }

    #[test]
    fn a_key_that_looks_like_a_mark_is_not_taken_for_a_value() {
        // Marked, the line's values are `"\u00010\u0001"` and
        // `"\u00011\u0001"`; the key would read as the mark of the
        // second, which the canonical form drops.
        let line = r#"{"\u00011\u0001": 5, "_hash": "\u00011\u0001"}"#;
        let mut memos = recorded(line);
        for line in [line, r#"{"\u00011\u0001": 5, "_hash": "\u0001"}"#] {
            let mut out = Vec::new();
            if let Some(replay) = memos.find(line.as_bytes()) {
                assert!(replay.write_canonical(&mut out));
                assert_eq!(String::from_utf8(out).unwrap(), r#"{"\u00011\u0001": 5}"#);
            }
        }
    }

    #[test]
    fn what_is_remembered_is_bounded() {
        let learn = |lines: &[String]| {
            let (mut memos, mut tape) = (Memos::default(), Tape::new());
            for line in lines {
                assert!(
                    memos.find(line.as_bytes()).is_none(),
                    "each skeleton is new"
                );
                tape.parse(line).unwrap();
                memos.record(line, &tape, canonical_of, Vec::new);
            }
            lines
                .iter()
                .filter(|l| memos.find(l.as_bytes()).is_some())
                .count()
        };
        // Fewer misses past the bound than start the skipping.
        let many: Vec<String> = (0..MAX_SKELETONS + 40)
            .map(|i| format!(r#"{{"k{i}": 1}}"#))
            .collect();
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
    fn a_full_memo_that_keeps_missing_looks_up_every_64th_line_until_a_hit() {
        let (mut memos, mut tape) = (Memos::default(), Tape::new());
        let line = |i: usize| format!(r#"{{"k{i}": 1}}"#);
        for i in 0..MAX_SKELETONS {
            assert!(memos.find(line(i).as_bytes()).is_none());
            tape.parse(&line(i)).unwrap();
            memos.record(&line(i), &tape, canonical_of, Vec::new);
        }
        let new = MAX_SKELETONS + 1000;
        // One more miss than starts the skipping.
        for i in 0..=MISSES_BEFORE_SKIPPING as usize {
            assert!(memos.find(line(new + i).as_bytes()).is_none());
        }
        let known = line(7);
        let found: Vec<bool> = (0..2 * MISSES_BEFORE_SKIPPING)
            .map(|_| memos.find(known.as_bytes()).is_some())
            .collect();
        // Skipped up to the next probe, which hits and stops the skipping.
        let probe = MISSES_BEFORE_SKIPPING as usize - 1;
        assert!(found[..probe].iter().all(|&f| !f), "{found:?}");
        assert!(found[probe..].iter().all(|&f| f), "{found:?}");
    }

    #[test]
    fn lines_each_a_new_skeleton_in_their_arguments_are_replayed_around_them() {
        let files = generate(&Options::new(3000)).expect("valid options");
        let lines: Vec<String> = files
            .iter()
            .flat_map(|f| f.bytes.split(|&b| b == b'\n'))
            .filter(|l| !l.is_empty())
            .enumerate()
            .map(|(i, l)| {
                let key = format!(r#""arguments": {{"k{i}_"#);
                String::from_utf8_lossy(l).replace(r#""arguments": {""#, &key)
            })
            .collect();
        let mut reader = LineReader::new();
        for line in &lines {
            let line = line.as_bytes();
            let entry = parse_line(line).expect("generated lines parse");
            let seal = entry.seal(&mut Vec::new()).unwrap();
            assert_eq!(reader.read_seal(line).unwrap(), seal);
            // The top level's values alone are replayed; a nested one
            // (here the arguments' patient) makes the line parsed.
            let (row_seal, row) = reader.read_row(line, Picks::NUMBERS, &mut []).unwrap();
            assert_eq!((row_seal, row), (seal, entry.fields().row()));
            assert_eq!(reader.read(line).unwrap(), (seal, entry.fields()));
        }
        let (mut memos, mut tape, mut partial) = (Memos::default(), Tape::new(), 0);
        for line in &lines {
            match memos.find(line.as_bytes()) {
                Some(replay) => partial += usize::from(replay.partial()),
                None => {
                    tape.parse(line).unwrap();
                    memos.record(line, &tape, canonical_of, Vec::new);
                }
            }
        }
        assert!(partial * 2 > lines.len(), "{partial} of {}", lines.len());
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
            if memos.find(text.as_bytes()).is_some() {
                replayed += 1;
            } else {
                tape.parse(text).unwrap();
                memos.record(text, &tape, canonical_of, Vec::new);
            }
        }
        assert!(
            replayed * 10 > lines.len() * 9,
            "{replayed} of {}",
            lines.len()
        );
    }
}
