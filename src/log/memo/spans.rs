//! A skeleton's canonical form as spans of the line and recorded text.
//!
//! The canonical form (ARCHITECTURE.md, glossary: "plan") repeats most of
//! a line: a member is `"key": value` in both, and members that keep their
//! order (a nested object whose keys are sorted already) keep the text
//! between them. So each value is copied with the skeleton text around it
//! that the canonical form shares with the line, and values next to each
//! other in both are copied as one span. The skeleton text between two
//! holes is the same in every line of a skeleton, so a span found in the
//! recorded line is one for each of them; only what the line lacks (a
//! brace where the order changes) is recorded text.

use std::ops::Range;

use crate::log::tape::skeleton::{Hole, HoleKind};

/// The canonical form of a skeleton: recorded text, and spans of the line.
#[derive(Debug)]
pub struct Plan {
    /// The recorded text, then [`CHUNK`] bytes of padding, so that a
    /// literal piece can be copied as one whole chunk (see [`append_from`]).
    text: Vec<u8>,
    pieces: Vec<Piece>,
    /// Where the canonical form of the line's object hole goes, if the
    /// skeleton is a partial one (the hole's text in the line is not
    /// canonical): before this piece. Kept out of the pieces, so that a
    /// whole skeleton's are matched between two kinds.
    object: Option<usize>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Piece {
    /// Recorded text, up to this offset of [`Plan::text`] from the end of
    /// the previous literal piece.
    Literal(u32),
    Span(Span),
}

/// Holes `first..=last` of the line with the skeleton text between them,
/// `before` bytes of it before the first and `after` after the last.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Span {
    first: u16,
    last: u16,
    before: u32,
    after: u32,
}

impl Span {
    #[inline]
    fn range(self, holes: &[Hole]) -> Range<usize> {
        let start = holes[usize::from(self.first)].start - self.before;
        let end = holes[usize::from(self.last)].end + self.after;
        start as usize..end as usize
    }
}

impl Plan {
    /// The plan of `line` (split into `holes`), whose canonical form is
    /// `texts[0]`, the value of hole `order[0]`, `texts[1]`, ... and
    /// `texts[order.len()]` last. `None` if `order` names a hole the line
    /// lacks, or more holes than a span counts.
    pub fn new(line: &[u8], holes: &[Hole], texts: &[&[u8]], order: &[usize]) -> Option<Plan> {
        debug_assert_eq!(texts.len(), order.len() + 1);
        // The skeleton text before hole `i` (or the line's end, for `i`
        // past the last hole) back to the previous hole.
        let gap = |i: usize| {
            let from = i.checked_sub(1).map_or(0, |p| holes[p].end as usize);
            let to = holes.get(i).map_or(line.len(), |h| h.start as usize);
            &line[from..to]
        };
        let mut plan = Plan {
            text: Vec::new(),
            pieces: Vec::new(),
            object: None,
        };
        let object = |i: usize| holes.get(i).is_some_and(|h| h.kind == HoleKind::Object);
        let mut open: Option<Span> = None;
        for (at, &text) in texts.iter().enumerate() {
            let mut text = text;
            if let Some(span) = open.as_mut() {
                let last = usize::from(span.last);
                let next = order.get(at).copied();
                if next == Some(last + 1) && text == gap(last + 1) && !object(last + 1) {
                    // The next value follows in the line too.
                    span.last = u16::try_from(last + 1).ok()?;
                    continue;
                }
                let shared = common_prefix(text, gap(last + 1));
                span.after = shared as u32;
                text = &text[shared..];
                plan.pieces.push(Piece::Span(*span));
            }
            let Some(&next) = order.get(at) else {
                plan.push_literal(text);
                break;
            };
            if object(next) {
                plan.push_literal(text);
                plan.object = Some(plan.pieces.len());
                open = None;
                continue;
            }
            let shared = common_suffix(text, gap(next));
            plan.push_literal(&text[..text.len() - shared]);
            let first = u16::try_from(next).ok().filter(|_| next < holes.len())?;
            open = Some(Span {
                first,
                last: first,
                before: shared as u32,
                after: 0,
            });
        }
        plan.text.resize(plan.text.len() + CHUNK, 0);
        Some(plan)
    }

    fn push_literal(&mut self, text: &[u8]) {
        if !text.is_empty() {
            self.text.extend_from_slice(text);
            self.pieces.push(Piece::Literal(self.text.len() as u32));
        }
    }

    /// Append the canonical form of `line`, a line of the plan's skeleton
    /// with these holes; `object` is its object hole's canonical form, if
    /// it has one.
    #[inline]
    pub fn write(&self, line: &[u8], holes: &[Hole], object: &[u8], out: &mut Vec<u8>) {
        match self.object {
            None => {
                self.write_pieces(&self.pieces, 0, line, holes, out);
            }
            Some(at) => {
                let from = self.write_pieces(&self.pieces[..at], 0, line, holes, out);
                out.extend_from_slice(object);
                self.write_pieces(&self.pieces[at..], from, line, holes, out);
            }
        }
    }

    /// Append `pieces`, the recorded text read from `from` on; returns
    /// where the text read stops.
    #[inline]
    fn write_pieces(
        &self,
        pieces: &[Piece],
        mut from: usize,
        line: &[u8],
        holes: &[Hole],
        out: &mut Vec<u8>,
    ) -> usize {
        for piece in pieces {
            match *piece {
                Piece::Literal(end) => {
                    append_from(out, &self.text[from..], end as usize - from);
                    from = end as usize;
                }
                Piece::Span(span) => {
                    let range = span.range(holes);
                    append_from(out, &line[range.start..], range.len());
                }
            }
        }
        from
    }
}

/// The bytes a short piece is copied as: one chunk, whatever its length.
const CHUNK: usize = 64;

/// `out.extend_from_slice(&from[..len])`. A piece of up to [`CHUNK`]
/// bytes (nearly all of them) with as many bytes readable from where it
/// starts (every literal piece, [`Plan::text`] being padded, and a span
/// unless it starts near the line's end) is copied as one chunk of
/// [`CHUNK`] bytes into `out`'s spare room, of which only `len` are
/// kept: no branch on the piece's length, which varies from piece to
/// piece and from line to line (BENCHMARKS.md, "Issue 21").
#[inline]
fn append_from(out: &mut Vec<u8>, from: &[u8], len: usize) {
    if len > CHUNK || from.len() < CHUNK {
        append(out, &from[..len]);
        return;
    }
    out.reserve(CHUNK);
    // SAFETY: `from` has at least `CHUNK` bytes and `out` room for as
    // many (reserved just above); of those written, the first `len`, at
    // most `CHUNK`, are `from`'s first `len` and become `out`'s.
    unsafe {
        let chunk = from.as_ptr().cast::<[u8; CHUNK]>().read_unaligned();
        let room = out.spare_capacity_mut().as_mut_ptr().cast::<[u8; CHUNK]>();
        room.write_unaligned(chunk);
        out.set_len(out.len() + len);
    }
}

/// `out.extend_from_slice(piece)` without a call to `memcpy` for a short
/// piece, for those [`append_from`] cannot copy as a chunk (a span that
/// starts near the line's end): copied as `memcpy` copies a short one, by
/// loads of a width that fits it from its two ends (BENCHMARKS.md,
/// "Issue 21").
#[inline]
fn append(out: &mut Vec<u8>, piece: &[u8]) {
    /// Copy `N` bytes at `at` of `piece` to `at` of `room`.
    ///
    /// # Safety
    /// `at + N` is at most `piece.len()`, and `room` has that many bytes.
    #[inline(always)]
    unsafe fn copy<const N: usize>(piece: &[u8], room: *mut u8, at: usize) {
        // SAFETY: as the caller promises.
        unsafe {
            let chunk = piece.as_ptr().add(at).cast::<[u8; N]>().read_unaligned();
            room.add(at).cast::<[u8; N]>().write_unaligned(chunk);
        }
    }
    let len = piece.len();
    // Longer ones (and a loop of copies, which the compiler would turn
    // into a call anyway) are `memcpy`'s.
    if len > 64 {
        out.extend_from_slice(piece);
        return;
    }
    out.reserve(len);
    let room = out.spare_capacity_mut().as_mut_ptr().cast::<u8>();
    // SAFETY: every copy below reads and writes within the first `len`
    // bytes of `piece` and of `room` (reserved just above), and together
    // they write all of them.
    unsafe {
        if len > 32 {
            copy::<32>(piece, room, 0);
            copy::<32>(piece, room, len - 32);
        } else if len >= 16 {
            copy::<16>(piece, room, 0);
            copy::<16>(piece, room, len - 16);
        } else if len >= 8 {
            copy::<8>(piece, room, 0);
            copy::<8>(piece, room, len - 8);
        } else if len >= 4 {
            copy::<4>(piece, room, 0);
            copy::<4>(piece, room, len - 4);
        } else if len > 0 {
            // One, two or three bytes: the first, the middle and the last.
            copy::<1>(piece, room, 0);
            copy::<1>(piece, room, len / 2);
            copy::<1>(piece, room, len - 1);
        }
        out.set_len(out.len() + len);
    }
}

fn common_prefix(a: &[u8], b: &[u8]) -> usize {
    a.iter().zip(b).take_while(|(x, y)| x == y).count()
}

fn common_suffix(a: &[u8], b: &[u8]) -> usize {
    a.iter()
        .rev()
        .zip(b.iter().rev())
        .take_while(|(x, y)| x == y)
        .count()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::log::tape::Tape;
    use crate::log::tape::skeleton;

    fn holes_of(line: &str) -> Vec<Hole> {
        let mut holes = Vec::new();
        skeleton::split(line, &mut holes, &mut Tape::new()).expect("canonical values");
        holes
    }

    fn written(plan: &Plan, line: &str) -> String {
        let mut out = Vec::new();
        plan.write(line.as_bytes(), &holes_of(line), &[], &mut out);
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn members_in_order_are_one_span_and_only_what_the_line_lacks_is_text() {
        // Holes: 0 "x", 1 1, 2 2, 3 3, 4 "h". Canonically (without "_hash"):
        // {"a": 1, "b": {"c": 2, "d": 3}, "z": "x"}.
        let line = r#"{"z": "x", "a": 1, "b": {"c": 2, "d": 3}, "_hash": "h"}"#;
        let texts: [&[u8]; 4] = [
            b"{\"a\": ",
            b", \"b\": {\"c\": ",
            b", \"d\": ",
            b"}, \"z\": ",
        ];
        let mut texts = texts.to_vec();
        texts.push(b"}");
        let plan = Plan::new(line.as_bytes(), &holes_of(line), &texts, &[1, 2, 3, 0]).unwrap();
        let span = |first, last, before, after| {
            Piece::Span(Span {
                first,
                last,
                before,
                after,
            })
        };
        assert_eq!(
            plan.pieces,
            [
                Piece::Literal(1),
                // `"a": 1, "b": {"c": 2, "d": 3}, "` from the line.
                span(1, 3, 5, 4),
                // `z": "x"`, then the closing brace.
                span(0, 0, 4, 0),
                Piece::Literal(2),
            ]
        );
        assert_eq!(plan.text[..plan.text.len() - CHUNK], *b"{}");
        let canonical = r#"{"a": 1, "b": {"c": 2, "d": 3}, "z": "x"}"#;
        assert_eq!(written(&plan, line), canonical);
        let other = r#"{"z": "longer", "a": -5, "b": {"c": 2.5, "d": 3}, "_hash": ""}"#;
        assert_eq!(
            written(&plan, other),
            r#"{"a": -5, "b": {"c": 2.5, "d": 3}, "z": "longer"}"#
        );
    }

    #[test]
    fn an_object_hole_is_written_by_the_caller_and_never_copied_from_the_line() {
        // Holes: 0 1, 1 the object, 2 "x". Canonically: {"a": 1, "b": OBJECT, "c": "x"}.
        let line = r#"{"a": 1, "b": {"z": 1, "y": 2}, "c": "x"}"#;
        let mut holes = holes_of(r#"{"a": 1, "b": 0, "c": "x"}"#);
        let object = holes[1];
        holes[1] = Hole {
            start: object.start,
            end: object.start + 16,
            kind: HoleKind::Object,
        };
        holes[2].start += 15;
        holes[2].end += 15;
        assert_eq!(
            &line[holes[1].start as usize..holes[1].end as usize],
            r#"{"z": 1, "y": 2}"#
        );
        let texts: [&[u8]; 4] = [b"{\"a\": ", b", \"b\": ", b", \"c\": ", b"}"];
        let plan = Plan::new(line.as_bytes(), &holes, &texts, &[0, 1, 2]).unwrap();
        assert_eq!(plan.object, Some(1));
        let mut out = Vec::new();
        plan.write(line.as_bytes(), &holes, br#"{"y": 2, "z": 1}"#, &mut out);
        assert_eq!(
            String::from_utf8(out).unwrap(),
            r#"{"a": 1, "b": {"y": 2, "z": 1}, "c": "x"}"#
        );
    }

    #[test]
    fn a_piece_of_any_length_is_appended_whole() {
        let text: Vec<u8> = (0..=200u8).collect();
        for len in 0..=text.len() {
            for at in [0, 1, 7] {
                let piece = &text[at.min(len)..len];
                let mut out = b"before".to_vec();
                append(&mut out, piece);
                assert_eq!(out[..6], *b"before", "{len}");
                assert_eq!(out[6..], *piece, "{len}");
            }
        }
    }

    #[test]
    fn a_piece_copied_as_a_chunk_keeps_its_own_bytes_alone() {
        let text: Vec<u8> = (0..=200u8).collect();
        for at in 0..text.len() {
            let from = &text[at..];
            for len in 0..=from.len().min(2 * CHUNK) {
                let mut out = b"before".to_vec();
                append_from(&mut out, from, len);
                append_from(&mut out, b"after", 5);
                let expected = [&b"before"[..], &from[..len], b"after"].concat();
                assert_eq!(out, expected, "{len} at {at}");
            }
        }
    }

    #[test]
    fn a_plan_without_values_or_with_reordered_neighbours_is_still_exact() {
        let line = "{}";
        let plan = Plan::new(line.as_bytes(), &[], &[b"{}"], &[]).unwrap();
        assert_eq!(plan.pieces, [Piece::Literal(2)]);
        assert_eq!(written(&plan, line), "{}");
        // Holes 0 and 1 are neighbours in the line but not in this order
        // in the canonical form: two spans, none grown past the other.
        let line = "[1, 2]";
        let texts: [&[u8]; 3] = [b"[", b", ", b"]"];
        let plan = Plan::new(line.as_bytes(), &holes_of(line), &texts, &[1, 0]).unwrap();
        assert_eq!(written(&plan, line), "[2, 1]");
        assert_eq!(written(&plan, "[33, 4]"), "[4, 33]");
        // In line order, the whole array is one span.
        let plan = Plan::new(line.as_bytes(), &holes_of(line), &texts, &[0, 1]).unwrap();
        assert_eq!(
            plan.pieces,
            [Piece::Span(Span {
                first: 0,
                last: 1,
                before: 1,
                after: 1
            })]
        );
        assert_eq!(written(&plan, "[33, 4]"), "[33, 4]");
    }
}
