//! A line seen as its skeleton (keys, brackets, separators) and its holes
//! (the string, number and literal values between them).
//!
//! Lines from one writer repeat a few skeletons. Two lines with the same
//! skeleton bytes and the same kinds of holes parse into the same tokens,
//! shifted by the lengths of the holes, so a tape recorded from the first
//! is replayed for the others without parsing them again.

use super::{Kind, MAX_DEPTH, Node, Parser, Tape, Token, first_special, read_number};

/// One value of a line, `start..end` in its text (a string with its quotes).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Hole {
    pub start: u32,
    pub end: u32,
    pub kind: HoleKind,
}

/// What a hole holds. Only values whose text is already canonical are
/// holes, so a hole is always copied as it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HoleKind {
    /// A string without escapes, controls or non-ASCII.
    Str,
    /// A string with escapes, all written as `json.dumps` writes them.
    EscapedStr,
    /// An integer other than `-0`.
    Int,
    /// A float already in Python's `repr` form.
    Float,
    True,
    False,
    Null,
    /// An object that is a member of the top level, whatever its keys,
    /// read by the parser and written by the canonical writer: the part
    /// of a partial skeleton that varies (`log::memo`). [`split`] never
    /// finds one.
    Object,
}

impl HoleKind {
    /// Every kind [`split`] finds, for the checks (tests, fuzzing) that
    /// try each against [`at`].
    pub const ALL: [HoleKind; 7] = [
        HoleKind::Str,
        HoleKind::EscapedStr,
        HoleKind::Int,
        HoleKind::Float,
        HoleKind::True,
        HoleKind::False,
        HoleKind::Null,
    ];

    fn kind(self) -> Kind {
        match self {
            HoleKind::Str => Kind::Str {
                escaped: false,
                exact: true,
            },
            HoleKind::EscapedStr => Kind::Str {
                escaped: true,
                exact: true,
            },
            HoleKind::Int => Kind::Int,
            HoleKind::Float => Kind::Float { repr: true },
            HoleKind::True => Kind::True,
            HoleKind::False => Kind::False,
            HoleKind::Null => Kind::Null,
            HoleKind::Object => Kind::Object,
        }
    }
}

/// Find the holes of `text`. `None` when a string or number is not
/// written as `json.dumps` writes it: such lines are parsed.
///
/// A string followed by `": ` is a key and part of the skeleton; anything
/// else that is not a value is skeleton too, left for the parser that
/// recorded the skeleton to have validated.
/// `scratch` is a tape for reading numbers and escaped strings, reused.
pub fn split(text: &str, holes: &mut Vec<Hole>, scratch: &mut Tape) -> Option<()> {
    holes.clear();
    let bytes = text.as_bytes();
    let mut pos = 0;
    while pos < bytes.len() {
        match at(bytes, pos, scratch) {
            At::Hole(end, kind) => {
                holes.push(Hole {
                    start: pos as u32,
                    end: end as u32,
                    kind,
                });
                pos = end;
            }
            At::Skeleton(next) => pos = next,
            At::Unusable => return None,
        }
    }
    Some(())
}

/// What [`split`] finds at a position.
pub enum At {
    /// A hole ending at this position.
    Hole(usize, HoleKind),
    /// Skeleton up to this position (a key, or one byte).
    Skeleton(usize),
    /// A value not written as `json.dumps` writes it.
    Unusable,
}

/// What starts at `pos`. Only reads past `pos` as far as the value or key
/// there goes, so a line that repeats a recorded skeleton is split the
/// same way whatever its values are.
pub fn at(bytes: &[u8], pos: usize, scratch: &mut Tape) -> At {
    let read = match bytes[pos] {
        b'"' => {
            let close = pos + 1 + first_special(&bytes[pos + 1..]);
            let read = if bytes.get(close) == Some(&b'"') {
                Some((close + 1, HoleKind::Str))
            } else {
                escaped_string(bytes, pos, scratch)
            };
            match read {
                Some((end, _)) if bytes[end..].starts_with(b": ") => {
                    return At::Skeleton(end + 2);
                }
                read => read,
            }
        }
        b'-' | b'0'..=b'9' => number(bytes, pos),
        b't' if bytes[pos..].starts_with(b"true") => Some((pos + 4, HoleKind::True)),
        b'f' if bytes[pos..].starts_with(b"false") => Some((pos + 5, HoleKind::False)),
        b'n' if bytes[pos..].starts_with(b"null") => Some((pos + 4, HoleKind::Null)),
        _ => return At::Skeleton(pos + 1),
    };
    match read {
        Some((end, kind)) => At::Hole(end, kind),
        None => At::Unusable,
    }
}

/// Where a hole of `kind` that starts at `pos` ends: `Some(end)` exactly
/// when [`at`] finds `At::Hole(end, kind)` there. Plain strings, most of a
/// line's values, numbers and literals are read here without the general
/// dispatch; escaped strings ask [`at`].
#[inline]
pub fn hole(bytes: &[u8], pos: usize, kind: HoleKind, scratch: &mut Tape) -> Option<usize> {
    match kind {
        HoleKind::Str => {}
        // What `at` does for a number, without its dispatch.
        HoleKind::Int | HoleKind::Float if matches!(bytes[pos], b'-' | b'0'..=b'9') => {
            return number(bytes, pos)
                .filter(|&(_, found)| found == kind)
                .map(|(end, _)| end);
        }
        // What `at` does for a literal.
        HoleKind::True => return literal(bytes, pos, b"true"),
        HoleKind::False => return literal(bytes, pos, b"false"),
        HoleKind::Null => return literal(bytes, pos, b"null"),
        // The rare kinds, kept out of the usual dispatch: an object (a
        // partial skeleton's), an escaped string or not a number.
        _ => {
            if kind == HoleKind::Object {
                return member_object(bytes, pos, scratch);
            }
            return match at(bytes, pos, scratch) {
                At::Hole(end, found) if found == kind => Some(end),
                _ => None,
            };
        }
    }
    if bytes[pos] != b'"' {
        return None;
    }
    let close = pos + 1 + first_special(&bytes[pos + 1..]);
    // Anything but the closing quote first is another kind (or none).
    if bytes.get(close) != Some(&b'"') {
        return None;
    }
    // Followed by `": ` it is a key: skeleton, not a hole.
    let end = close + 1;
    (!bytes[end..].starts_with(b": ")).then_some(end)
}

/// Where `text` ends if `bytes` has it at `pos`: compared as a fixed-size
/// array, with no call.
#[inline]
fn literal<const N: usize>(bytes: &[u8], pos: usize, text: &[u8; N]) -> Option<usize> {
    bytes[pos..].starts_with(text).then_some(pos + N)
}

/// A number at `start`, read by the parser's own grammar.
fn number(bytes: &[u8], start: usize) -> Option<(usize, HoleKind)> {
    match read_number(bytes, start).ok()? {
        // Python's int has no negative zero: `-0` is written `0`.
        (end, Kind::Int) if &bytes[start..end] != b"-0" => Some((end, HoleKind::Int)),
        (end, Kind::Float { repr: true }) => Some((end, HoleKind::Float)),
        _ => None,
    }
}

/// An object at `start`, read by the parser's own grammar as a member of
/// the top level (one container more around it, for the depth limit):
/// where it ends. Not inlined: whole skeletons, the usual ones, have no
/// object holes, and their walk reads every value through [`hole`].
#[inline(never)]
fn member_object(bytes: &[u8], start: usize, scratch: &mut Tape) -> Option<usize> {
    if bytes[start] != b'{' {
        return None;
    }
    let (end, _) = read_with(bytes, start, scratch, |p| {
        p.max_open = MAX_DEPTH - 1;
        p.one_value()
    })?;
    Some(end)
}

/// A string with escapes at `start`, read by the parser's own grammar.
fn escaped_string(bytes: &[u8], start: usize, scratch: &mut Tape) -> Option<(usize, HoleKind)> {
    let (end, token) = read_with(bytes, start, scratch, |p| p.string())?;
    match token.kind {
        Kind::Str { exact: true, .. } => Some((end, HoleKind::EscapedStr)),
        _ => None,
    }
}

/// Run one of the parser's readers at `start`: where it stopped, and the
/// token it read.
fn read_with(
    bytes: &[u8],
    start: usize,
    scratch: &mut Tape,
    read: impl FnOnce(&mut Parser<'_>) -> Result<(), super::ParseError>,
) -> Option<(usize, Token)> {
    scratch.tokens.clear();
    scratch.open.clear();
    let mut parser = Parser {
        bytes,
        pos: start,
        tape: scratch,
        max_open: MAX_DEPTH,
    };
    read(&mut parser).ok()?;
    Some((parser.pos, scratch.tokens[0]))
}

/// The bytes between holes: what two lines must share for one's tape to
/// be replayed for the other.
pub fn segments<'a>(text: &'a str, holes: &'a [Hole]) -> impl Iterator<Item = &'a [u8]> + 'a {
    let bytes = text.as_bytes();
    let starts = std::iter::once(0).chain(holes.iter().map(|h| h.end as usize));
    let ends = holes
        .iter()
        .map(|h| h.start as usize)
        .chain(std::iter::once(bytes.len()));
    starts.zip(ends).map(move |(s, e)| &bytes[s..e])
}

/// A tape recorded from one line, with each token's place relative to the
/// holes.
#[derive(Debug)]
pub struct Template {
    tokens: Vec<Placed>,
    /// The recorded line's hole lengths.
    lengths: Vec<u32>,
}

#[derive(Debug, Clone, Copy)]
struct Placed {
    token: Token,
    /// Holes before the token's start and before its end.
    before_start: u16,
    before_end: u16,
    /// The hole this token is, if it is one.
    hole: Option<u16>,
}

impl Tape {
    /// Record this tape (just parsed from `text`) against the holes of
    /// `text`. `None` unless every hole is a value token: a hole that
    /// splits a key or straddles tokens means the skeleton is not the
    /// line's structure.
    pub fn template(&self, holes: &[Hole]) -> Option<Template> {
        if holes.len() > usize::from(u16::MAX) {
            return None;
        }
        let before = |pos: u32| holes.partition_point(|h| h.start < pos) as u16;
        let keys = self.keys();
        let mut matched = 0;
        let mut tokens = Vec::with_capacity(self.tokens.len());
        for (token, is_key) in self.tokens.iter().zip(keys) {
            let quote = u32::from(matches!(token.kind, Kind::Str { .. }));
            let (start, end) = (token.start - quote, token.end + quote);
            let at = before(start);
            let hole = match holes.get(usize::from(at)).filter(|h| h.start == start) {
                Some(h) if h.end == end && h.kind.kind() == token.kind && !is_key => {
                    matched += 1;
                    Some(at)
                }
                Some(_) => return None,
                None => None,
            };
            tokens.push(Placed {
                token: *token,
                before_start: before(token.start),
                before_end: before(token.end),
                hole,
            });
        }
        (matched == holes.len()).then(|| Template {
            tokens,
            lengths: holes.iter().map(|h| h.end - h.start).collect(),
        })
    }

    /// Which tokens are object keys: each member of an object starts with
    /// its key, and the next member starts after the value.
    fn keys(&self) -> Vec<bool> {
        let mut keys = vec![false; self.tokens.len()];
        for (i, token) in self.tokens.iter().enumerate() {
            if token.kind == Kind::Object {
                let mut at = i + 1;
                while at < token.next as usize {
                    keys[at] = true;
                    at = self.tokens[at + 1].next as usize;
                }
            }
        }
        keys
    }

    /// Replay the recorded tokens at `positions` of `template` for `text`
    /// (same skeleton, these holes), one after the other, and return the
    /// first. Each can be read as a scalar, not walked into (a container's
    /// contents are left out): the reader only reads scalars, the seal's
    /// two hashes and a score of indexed fields, so a line costs a few
    /// dozen tokens, not its whole tape.
    // Inlined into its one caller on the verifier's path, as it was until
    // the walk's layout changed what the compiler chose (BENCHMARKS.md,
    // "Issue 21").
    #[inline]
    pub fn replay_some<'t, 'a>(
        &'t mut self,
        template: &Template,
        text: &'a str,
        holes: &[Hole],
        positions: impl Iterator<Item = u32>,
    ) -> Node<'t, 'a> {
        // How far the text after the first `n` holes moved: asked only for
        // a token that is not a hole itself (the values read are nearly
        // always holes, which are where the line's holes say).
        self.shifts.clear();
        self.tokens.clear();
        for position in positions {
            let placed = &template.tokens[position as usize];
            if placed.hole.is_none() && self.shifts.is_empty() {
                self.shifts.push(0);
                let mut total = 0;
                for (hole, &old) in holes.iter().zip(&template.lengths) {
                    total += i64::from(hole.end - hole.start) - i64::from(old);
                    self.shifts.push(total);
                }
            }
            self.tokens.push(placed.moved(holes, &self.shifts));
        }
        Node {
            tokens: &self.tokens,
            text,
            index: 0,
        }
    }
}

impl Placed {
    /// The recorded token where it is in a line with these holes; `shifts`
    /// says how far the text after the first `n` holes moved (unread, and
    /// may be empty, when the token is a hole).
    fn moved(&self, holes: &[Hole], shifts: &[i64]) -> Token {
        let mut token = self.token;
        match self.hole {
            Some(i) => {
                let hole = holes[usize::from(i)];
                let quote = u32::from(matches!(hole.kind, HoleKind::Str | HoleKind::EscapedStr));
                token.start = hole.start + quote;
                token.end = hole.end - quote;
            }
            None => {
                let shift = |before: u16| shifts[usize::from(before)];
                token.start = (i64::from(token.start) + shift(self.before_start)) as u32;
                token.end = (i64::from(token.end) + shift(self.before_end)) as u32;
            }
        }
        token
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hole_is_read_where_and_as_at_finds_it() {
        for text in [
            r#"{"a": "x", "b": "say \"hi\"", "c": -0, "d": 12, "e": 1.50, "f": 2.5}"#,
            r#"{"g": 1e5, "h": true, "i": false, "j": null, "k": "é", "l": "x": 1}"#,
            r#"["x", -Infinity, NaN, 01, -, 1., .5, 99999999999999999999, 0.1e1]"#,
            r#"["\u00e9", "\/", "\u0041", "\u00E9", "tab	in", "", "k":1, "k" : 2]"#,
            "\"unterminated",
            "-",
            "\"k\": ",
        ] {
            let bytes = text.as_bytes();
            let mut scratch = Tape::new();
            for pos in 0..bytes.len() {
                let found = match at(bytes, pos, &mut scratch) {
                    At::Hole(end, kind) => Some((end, kind)),
                    _ => None,
                };
                for kind in HoleKind::ALL {
                    let expected = found.filter(|&(_, k)| k == kind).map(|(end, _)| end);
                    let read = hole(bytes, pos, kind, &mut scratch);
                    assert_eq!(read, expected, "{kind:?} at {pos} of {text}");
                }
            }
        }
    }

    #[test]
    fn an_object_hole_is_one_object_as_the_parser_reads_a_member_of_the_top_level() {
        let text =
            r#"{"a": {"b" : [1, {"c": "\u00e9é"}], "a": 1e5 }, "d": {}, "e": {"f": }, "g": 1}"#;
        let bytes = text.as_bytes();
        let mut scratch = Tape::new();
        let end = |from: &str| text.find(from).expect("in the text") + from.len();
        let at = |start: &str| text.find(start).expect("in the text");
        assert_eq!(
            hole(bytes, at(r#"{"b""#), HoleKind::Object, &mut scratch),
            Some(end("1e5 }"))
        );
        assert_eq!(
            hole(bytes, at("{}"), HoleKind::Object, &mut scratch),
            Some(end("{}"))
        );
        // Not JSON, not an object, or not where an object starts.
        for start in [r#"{"f""#, "1e5", r#""b""#, r#"[1"#] {
            assert_eq!(
                hole(bytes, at(start), HoleKind::Object, &mut scratch),
                None,
                "{start}"
            );
        }
        // Nested as deep as CPython reads in a whole line, and no deeper.
        let read: Vec<bool> = (MAX_DEPTH - 3..MAX_DEPTH + 2)
            .map(|depth| {
                let object = format!("{{\"b\": {}{}}}", "[".repeat(depth), "]".repeat(depth));
                let line = format!(r#"{{"a": {object}}}"#);
                let read = hole(line.as_bytes(), 6, HoleKind::Object, &mut scratch);
                assert_eq!(read.is_some(), Tape::new().parse(&line).is_ok(), "{depth}");
                read.is_some()
            })
            .collect();
        assert!(read.contains(&true) && read.contains(&false), "{read:?}");
    }
}
