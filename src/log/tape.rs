//! The one JSON grammar of auditui: CPython's `json.loads`, read into a flat
//! tape of tokens.
//!
//! The tape lives in a reusable buffer, so reading a line allocates nothing
//! once the buffer is warm; it is walked to canonicalise and to pick fields
//! (the verification hot path) or turned into a [`Value`] tree for views.
//! While scanning, each value records whether its source text is already
//! what `json.dumps(sort_keys=True)` would print, so canonicalising mostly
//! copies: arrays and one-member objects written with the default
//! separators are copied whole, members of larger objects one by one.

pub mod skeleton;

use super::json::{MAX_DEPTH, ParseError, Str, Value};
use std::borrow::Cow;
use std::ops::Range;

/// CPython refuses integers with more digits than this (`sys.int_info.default_max_str_digits`).
const PYTHON_MAX_INT_DIGITS: usize = 4300;

/// A parsed line: tokens in document order, reused between lines.
#[derive(Debug, Default)]
pub struct Tape {
    tokens: Vec<Token>,
    /// Open containers while parsing.
    open: Vec<Open>,
    /// How far the text after each hole moved, while replaying a skeleton.
    shifts: Vec<i64>,
}

/// A container being parsed.
#[derive(Debug, Clone, Copy)]
struct Open {
    token: u32,
    /// An object, not an array.
    object: bool,
    /// Something inside differs from what `json.dumps(sort_keys=True)`
    /// writes: spacing, a value written differently, or keys to sort.
    rewritten: bool,
}

/// One value (or object key). Containers are followed by their contents.
#[derive(Debug, Clone, Copy)]
struct Token {
    /// Byte span in the text: a string's body between its quotes, a
    /// number's digits, a container from its opening to its closing bracket.
    start: u32,
    end: u32,
    /// Index of the token after this value and everything inside it.
    next: u32,
    kind: Kind,
    /// The source text is already the canonical form of the value.
    verbatim: bool,
}

/// What a token is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Null,
    True,
    False,
    /// Digits, validated: `-?(0|[1-9][0-9]*)`.
    Int,
    /// `repr`: the source text is already Python's `repr` of the value.
    Float {
        repr: bool,
    },
    NaN,
    Infinity,
    NegInfinity,
    /// `escaped`: the body has backslashes; `exact`: the body is already
    /// what `json.dumps` (ensure_ascii) writes for the decoded text.
    Str {
        escaped: bool,
        exact: bool,
    },
    Array,
    Object,
}

/// A value on a tape, borrowing the line's text.
#[derive(Debug, Clone, Copy)]
pub struct Node<'t, 'a> {
    tokens: &'t [Token],
    text: &'a str,
    index: u32,
}

impl Tape {
    pub fn new() -> Self {
        Tape::default()
    }

    /// Parse one JSON text (surrounding whitespace allowed) and return its
    /// root.
    pub fn parse<'t, 'a>(&'t mut self, text: &'a str) -> Result<Node<'t, 'a>, ParseError> {
        if u32::try_from(text.len()).is_err() {
            // Spans are 32-bit; entry lines are capped far below this.
            return Err(ParseError {
                offset: 0,
                message: Cow::Borrowed("text longer than 4 GiB"),
            });
        }
        self.tokens.clear();
        self.open.clear();
        let mut parser = Parser {
            bytes: text.as_bytes(),
            pos: 0,
            tape: self,
            max_open: MAX_DEPTH,
        };
        parser.document()?;
        Ok(self.root(text))
    }

    /// The root of the tape last parsed, from `text`.
    pub fn root<'t, 'a>(&'t self, text: &'a str) -> Node<'t, 'a> {
        Node {
            tokens: &self.tokens,
            text,
            index: 0,
        }
    }
}

struct Parser<'p> {
    bytes: &'p [u8],
    pos: usize,
    tape: &'p mut Tape,
    /// Containers that may be open around a value: [`MAX_DEPTH`] less
    /// those around the text read (one for a member of the top level).
    max_open: usize,
}

impl Parser<'_> {
    fn error(&self, message: &'static str) -> ParseError {
        ParseError {
            offset: self.pos,
            message: Cow::Borrowed(message),
        }
    }

    #[inline(always)]
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    /// CPython's json skips exactly these four whitespace bytes; returns
    /// how many were skipped.
    #[inline(always)]
    fn skip_ws(&mut self) -> usize {
        let start = self.pos;
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.peek() {
            self.pos += 1;
        }
        self.pos - start
    }

    /// Skip whitespace where `json.dumps` writes exactly one space.
    #[inline(always)]
    fn skip_one_space(&mut self) {
        if self.skip_ws() != 1 || self.bytes[self.pos - 1] != b' ' {
            self.rewritten();
        }
    }

    /// Skip whitespace where `json.dumps` writes none.
    #[inline(always)]
    fn skip_no_space(&mut self) {
        if self.skip_ws() != 0 {
            self.rewritten();
        }
    }

    /// The innermost open container will not be copied as it is.
    #[inline(always)]
    fn rewritten(&mut self) {
        if let Some(open) = self.tape.open.last_mut() {
            open.rewritten = true;
        }
    }

    #[inline(always)]
    fn push(&mut self, start: usize, end: usize, kind: Kind) {
        let verbatim = match kind {
            Kind::Str { exact, .. } => exact,
            Kind::Float { repr } => repr,
            // Python's int has no negative zero.
            Kind::Int => &self.bytes[start..end] != b"-0",
            _ => true,
        };
        if !verbatim {
            self.rewritten();
        }
        let next = self.tape.tokens.len() as u32 + 1;
        self.tape.tokens.push(Token {
            start: start as u32,
            end: end as u32,
            next,
            kind,
            verbatim,
        });
    }

    fn eat_literal(&mut self, literal: &str) -> bool {
        if self.bytes[self.pos..].starts_with(literal.as_bytes()) {
            self.pos += literal.len();
            true
        } else {
            false
        }
    }

    /// The whole text: one value and whitespace around it.
    fn document(&mut self) -> Result<(), ParseError> {
        self.skip_ws();
        self.one_value()?;
        self.skip_ws();
        if self.pos != self.bytes.len() {
            return Err(self.error("extra data after the JSON value"));
        }
        Ok(())
    }

    /// One value with everything inside it, iteratively, so depth costs
    /// no stack; stops just after it.
    fn one_value(&mut self) -> Result<(), ParseError> {
        loop {
            if self.value()? {
                // A container opened: its first member or item comes next.
                continue;
            }
            if !self.close_containers()? {
                return Ok(());
            }
        }
    }

    /// Read one value; true when it opened a non-empty container.
    fn value(&mut self) -> Result<bool, ParseError> {
        if self.tape.open.len() > self.max_open {
            return Err(self.error("nesting deeper than CPython's json can read"));
        }
        let start = self.pos;
        match self.peek() {
            Some(b'{') => return self.open(Kind::Object, b'}'),
            Some(b'[') => return self.open(Kind::Array, b']'),
            Some(b'"') => self.string()?,
            Some(b'-' | b'0'..=b'9') => self.number()?,
            Some(b't') if self.eat_literal("true") => self.push(start, self.pos, Kind::True),
            Some(b'f') if self.eat_literal("false") => self.push(start, self.pos, Kind::False),
            Some(b'n') if self.eat_literal("null") => self.push(start, self.pos, Kind::Null),
            Some(b'N') if self.eat_literal("NaN") => self.push(start, self.pos, Kind::NaN),
            Some(b'I') if self.eat_literal("Infinity") => {
                self.push(start, self.pos, Kind::Infinity)
            }
            None => return Err(self.error("unexpected end of line, expected a value")),
            _ => return Err(self.error("expected a JSON value")),
        }
        Ok(false)
    }

    /// Open a container; an empty one is closed at once.
    fn open(&mut self, kind: Kind, close: u8) -> Result<bool, ParseError> {
        self.push(self.pos, self.pos + 1, kind);
        self.pos += 1;
        let token = self.tape.tokens.len() as u32 - 1;
        let spaced = self.skip_ws() != 0;
        if self.peek() == Some(close) {
            self.pos += 1;
            self.close(token, spaced);
            return Ok(false);
        }
        self.tape.open.push(Open {
            token,
            object: kind == Kind::Object,
            rewritten: spaced,
        });
        if kind == Kind::Object {
            self.key()?;
        }
        Ok(true)
    }

    /// `"key"` and its colon, before a member's value. A key's token is
    /// verbatim only when the key and its separator are both what
    /// `json.dumps` writes (`"key": `), so that [`Node::verbatim_member`]
    /// needs no look at the text between key and value. Inlined into its
    /// two callers: an entry has a few dozen keys.
    #[inline(always)]
    fn key(&mut self) -> Result<(), ParseError> {
        if self.peek() != Some(b'"') {
            return Err(self.error("expected a property name in double quotes"));
        }
        self.string()?;
        // The usual separator: `: ` and then the value, no more spaces.
        if let Some(&[b':', b' ', next]) = self.bytes.get(self.pos..self.pos + 3)
            && !matches!(next, b' ' | b'\t' | b'\n' | b'\r')
        {
            self.pos += 2;
            return Ok(());
        }
        let key = self.tape.tokens.len() - 1;
        let before = self.skip_ws();
        if self.peek() != Some(b':') {
            return Err(self.error("expected ':' after a property name"));
        }
        self.pos += 1;
        let after = self.skip_ws();
        if before != 0 || after != 1 || self.bytes[self.pos - 1] != b' ' {
            self.tape.tokens[key].verbatim = false;
            self.rewritten();
        }
        Ok(())
    }

    /// A container's closing bracket was just passed: record its whole span
    /// and whether it is copied as it is, which its parent inherits.
    #[inline(always)]
    fn close(&mut self, token: u32, rewritten: bool) {
        let (end, next) = (self.pos as u32, self.tape.tokens.len() as u32);
        let t = &mut self.tape.tokens[token as usize];
        t.end = end;
        t.next = next;
        t.verbatim = !rewritten;
        if rewritten {
            self.rewritten();
        }
    }

    /// After a value: close finished containers; true when another member
    /// or item follows, false when the root is done.
    fn close_containers(&mut self) -> Result<bool, ParseError> {
        while let Some(&open) = self.tape.open.last() {
            self.skip_no_space();
            match (self.peek(), open.object) {
                (Some(b','), _) => {
                    // The usual `, ` and then the next key or item at once.
                    match self.bytes.get(self.pos + 1..self.pos + 3) {
                        Some(&[b' ', next]) if !matches!(next, b' ' | b'\t' | b'\n' | b'\r') => {
                            self.pos += 2;
                        }
                        _ => {
                            self.pos += 1;
                            self.skip_one_space();
                        }
                    }
                    if open.object {
                        // Whether several keys are in order is checked when
                        // they are sorted for writing; members are copied then.
                        self.rewritten();
                        self.key()?;
                    }
                    return Ok(true);
                }
                (Some(b'}'), true) | (Some(b']'), false) => {
                    self.pos += 1;
                    let open = self.tape.open.pop().expect("an open container");
                    self.close(open.token, open.rewritten);
                }
                (_, true) => return Err(self.error("expected ',' or '}' in an object")),
                (_, false) => return Err(self.error("expected ',' or ']' in an array")),
            }
        }
        Ok(false)
    }

    // Most tokens are strings: inlined into its two callers, the key and
    // the value readers (BENCHMARKS.md, "Issue 21", the slow path).
    #[inline(always)]
    fn string(&mut self) -> Result<(), ParseError> {
        self.pos += 1;
        let start = self.pos;
        let (mut escaped, mut exact) = (false, true);
        loop {
            self.pos += first_special(&self.bytes[self.pos..]);
            match self.peek() {
                Some(b'"') => {
                    self.push(start, self.pos, Kind::Str { escaped, exact });
                    self.pos += 1;
                    return Ok(());
                }
                Some(b'\\') => {
                    escaped = true;
                    exact &= self.escape()?;
                }
                Some(0x00..=0x1f) => return Err(self.error("control character inside a string")),
                // DEL or non-ASCII: json.dumps would escape it.
                Some(_) => {
                    exact = false;
                    self.pos += 1;
                }
                None => return Err(self.error("unterminated string")),
            }
        }
    }

    /// Validate one escape; true when `json.dumps` writes it the same way.
    fn escape(&mut self) -> Result<bool, ParseError> {
        match self.bytes.get(self.pos + 1) {
            Some(b'u') => {
                let Some(unit) = hex4(self.bytes.get(self.pos + 2..).unwrap_or(&[])) else {
                    return Err(self.error("invalid \\uXXXX escape"));
                };
                let lowercase = self.bytes[self.pos + 2..self.pos + 6]
                    .iter()
                    .all(|b| !b.is_ascii_uppercase());
                self.pos += 6;
                // Printable ASCII is written as itself, five controls by
                // their short escapes.
                Ok(lowercase
                    && !(0x20..0x7f).contains(&unit)
                    && !matches!(unit, 0x08 | 0x09 | 0x0a | 0x0c | 0x0d))
            }
            Some(&e) if simple_escape(e).is_some() => {
                self.pos += 2;
                Ok(e != b'/')
            }
            _ => Err(self.error("invalid escape in a string")),
        }
    }

    fn number(&mut self) -> Result<(), ParseError> {
        let start = self.pos;
        match read_number(self.bytes, start) {
            Ok((end, kind)) => {
                self.pos = end;
                self.push(start, end, kind);
                Ok(())
            }
            Err((at, message)) => {
                self.pos = at;
                Err(self.error(message))
            }
        }
    }
}

/// The number at `start` by CPython's grammar: where it ends and its kind,
/// or where and why it is not one. One function for the parser and for
/// [`skeleton`], which reads values without a tape.
pub(super) fn read_number(
    bytes: &[u8],
    start: usize,
) -> Result<(usize, Kind), (usize, &'static str)> {
    let digits = |mut pos: usize| {
        while bytes.get(pos).is_some_and(u8::is_ascii_digit) {
            pos += 1;
        }
        pos
    };
    let mut pos = start;
    if bytes.get(pos) == Some(&b'-') {
        pos += 1;
        if bytes[pos..].starts_with(b"Infinity") {
            return Ok((pos + "Infinity".len(), Kind::NegInfinity));
        }
    }
    match bytes.get(pos) {
        Some(b'0') => pos += 1,
        Some(b'1'..=b'9') => pos = digits(pos),
        _ => return Err((pos, "expected a digit")),
    }
    let int_end = pos;
    let mut fraction = None;
    let mut exponent = false;
    // A '.' or 'e' without digits after it ends the number (CPython's
    // regex does the same, and the leftover then fails as extra data).
    if bytes.get(pos) == Some(&b'.') && bytes.get(pos + 1).is_some_and(u8::is_ascii_digit) {
        let fraction_start = pos + 1;
        pos = digits(fraction_start);
        fraction = Some(fraction_start);
    }
    if let Some(b'e' | b'E') = bytes.get(pos) {
        let mut p = pos + 1;
        if let Some(b'+' | b'-') = bytes.get(p) {
            p += 1;
        }
        if bytes.get(p).is_some_and(u8::is_ascii_digit) {
            pos = digits(p);
            exponent = true;
        }
    }
    if fraction.is_some() || exponent {
        let repr = !exponent
            && fraction.is_some_and(|f| {
                let integer = &bytes[start..int_end];
                let integer = integer.strip_prefix(b"-").unwrap_or(integer);
                is_python_repr(integer, &bytes[f..pos])
            });
        return Ok((pos, Kind::Float { repr }));
    }
    let digits = int_end - start - usize::from(bytes[start] == b'-');
    if digits > PYTHON_MAX_INT_DIGITS {
        return Err((start, "integer longer than the 4300 digits CPython accepts"));
    }
    Ok((pos, Kind::Int))
}

/// Whether `integer.fraction` (no exponent, sign removed) is already
/// Python's `repr` of the float it denotes. Any decimal of at most 15
/// significant digits survives the trip through a double (DBL_DIG), so its
/// shortest round-trip digits are its own; what is left to check is
/// Python's layout: no trailing zeros but `.0`, and the point close enough
/// to the digits that repr does not switch to exponent notation.
fn is_python_repr(integer: &[u8], fraction: &[u8]) -> bool {
    if fraction.len() > 1 && fraction.ends_with(b"0") {
        return false;
    }
    let fraction = if fraction == b"0" { &[][..] } else { fraction };
    if integer == b"0" {
        let zeros = fraction.iter().take_while(|&&d| d == b'0').count();
        // 0.0 prints as 0.0; 0.00001 as 1e-05.
        return fraction.is_empty() || (zeros <= 3 && fraction.len() - zeros <= 15);
    }
    let trailing_zeros = match fraction {
        [] => integer.iter().rev().take_while(|&&d| d == b'0').count(),
        _ => 0,
    };
    integer.len() <= 16 && integer.len() + fraction.len() - trailing_zeros <= 15
}

/// Index of the first byte a string scan must look at: a quote, a
/// backslash, a control character, DEL or a non-ASCII byte; the length if
/// there is none. Sixteen bytes at a time with SSE2 (part of every x86-64).
#[cfg(target_arch = "x86_64")]
#[inline]
fn first_special(bytes: &[u8]) -> usize {
    use std::arch::x86_64::{
        __m128i, _mm_cmpeq_epi8, _mm_cmplt_epi8, _mm_loadu_si128, _mm_movemask_epi8, _mm_or_si128,
        _mm_set1_epi8,
    };
    let mut chunks = bytes.chunks_exact(16);
    let mut offset = 0;
    for chunk in &mut chunks {
        // SAFETY: SSE2 is in the x86-64 baseline; the load reads exactly
        // the sixteen bytes of `chunk`, unaligned.
        let marks = unsafe {
            let x = _mm_loadu_si128(chunk.as_ptr().cast::<__m128i>());
            let special = _mm_or_si128(
                _mm_or_si128(
                    _mm_cmpeq_epi8(x, _mm_set1_epi8(b'"' as i8)),
                    _mm_cmpeq_epi8(x, _mm_set1_epi8(b'\\' as i8)),
                ),
                _mm_or_si128(
                    _mm_cmpeq_epi8(x, _mm_set1_epi8(0x7f)),
                    // Signed: controls and every byte with its high bit set.
                    _mm_cmplt_epi8(x, _mm_set1_epi8(0x20)),
                ),
            );
            _mm_movemask_epi8(special) as u32
        };
        if marks != 0 {
            return offset + marks.trailing_zeros() as usize;
        }
        offset += 16;
    }
    offset + first_special_swar(chunks.remainder())
}

#[cfg(not(target_arch = "x86_64"))]
fn first_special(bytes: &[u8]) -> usize {
    first_special_swar(bytes)
}

/// [`first_special`] eight bytes at a time in a 64-bit word.
fn first_special_swar(bytes: &[u8]) -> usize {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    // High bit of each byte that is zero. Borrows can only mark bytes after
    // a true zero, so the lowest marked byte is exact.
    let zero = |v: u64| v.wrapping_sub(ONES) & !v & HIGH;
    let mut chunks = bytes.chunks_exact(8);
    let mut offset = 0;
    for chunk in &mut chunks {
        let x = u64::from_le_bytes(chunk.try_into().expect("eight bytes"));
        let control = x.wrapping_sub(ONES * 0x20) & !x & HIGH;
        let marks = zero(x ^ (ONES * u64::from(b'"')))
            | zero(x ^ (ONES * u64::from(b'\\')))
            | zero(x ^ (ONES * 0x7f))
            | control
            | (x & HIGH);
        if marks != 0 {
            return offset + marks.trailing_zeros() as usize / 8;
        }
        offset += 8;
    }
    let rest = chunks.remainder();
    offset
        + rest
            .iter()
            .position(|&b| b == b'"' || b == b'\\' || !(0x20..0x7f).contains(&b))
            .unwrap_or(rest.len())
}

pub(super) fn simple_escape(esc: u8) -> Option<u8> {
    Some(match esc {
        b'"' => b'"',
        b'\\' => b'\\',
        b'/' => b'/',
        b'b' => 0x08,
        b'f' => 0x0c,
        b'n' => b'\n',
        b'r' => b'\r',
        b't' => b'\t',
        _ => return None,
    })
}

pub(super) fn hex4(bytes: &[u8]) -> Option<u32> {
    if bytes.len() < 4 {
        return None;
    }
    bytes[..4]
        .iter()
        .try_fold(0u32, |acc, &b| Some(acc * 16 + (b as char).to_digit(16)?))
}

impl<'t, 'a> Node<'t, 'a> {
    fn token(&self) -> Token {
        self.tokens[self.index as usize]
    }

    fn at(&self, index: u32) -> Node<'t, 'a> {
        Node { index, ..*self }
    }

    pub fn kind(&self) -> Kind {
        self.token().kind
    }

    /// The token's source text (a string's body without quotes).
    pub fn source(&self) -> &'a str {
        let t = self.token();
        &self.text[t.start as usize..t.end as usize]
    }

    /// Where the token is in the text: a string's body without its
    /// quotes, a container from its opening bracket to past its closing one.
    pub fn span(&self) -> Range<usize> {
        let t = self.token();
        t.start as usize..t.end as usize
    }

    /// Where the value's source text is, when it is already exactly what
    /// `json.dumps(sort_keys=True)` writes for it (a string with its quotes).
    fn verbatim_span(&self) -> Option<Range<usize>> {
        let t = self.token();
        let quote = usize::from(matches!(t.kind, Kind::Str { .. }));
        t.verbatim
            .then(|| t.start as usize - quote..t.end as usize + quote)
    }

    /// The value's canonical form, when its source text already is it.
    /// Bytes, not `str`: the writer copies them, and a slice of bytes
    /// needs no check of character boundaries.
    pub fn verbatim(&self) -> Option<&'a [u8]> {
        self.verbatim_span().map(|span| &self.text.as_bytes()[span])
    }

    /// For an object member's value: the whole member `"key": value` when
    /// its source text is already canonical (a key's token is verbatim only
    /// with its separator written as `: `, see [`Parser::key`]).
    #[inline]
    pub fn verbatim_member(&self) -> Option<&'a [u8]> {
        let key = self.tokens[self.index as usize - 1];
        let value = self.verbatim_span()?;
        key.verbatim
            .then(|| &self.text.as_bytes()[key.start as usize - 1..value.end])
    }

    /// The first eight bytes of the source, big-endian and zero-padded:
    /// comparing these orders most keys without a full comparison.
    fn prefix(&self) -> u64 {
        let t = self.token();
        let (start, len) = (t.start as usize, (t.end - t.start) as usize);
        let bytes = self.text.as_bytes();
        // One fixed-size load where the text allows, masked to the token.
        let word = match bytes.get(start..start + 8) {
            Some(word) => u64::from_be_bytes(word.try_into().expect("eight bytes")),
            None => return key_prefix(&bytes[start..t.end as usize]),
        };
        if len >= 8 {
            word
        } else {
            word & !(u64::MAX >> (len * 8))
        }
    }

    /// Append `(key prefix, value index)` for each member of an object, in
    /// source order; true when some key has escapes (its prefix then says
    /// nothing about its code points).
    pub fn member_slots(&self, out: &mut Vec<(u64, u32)>) -> bool {
        let end = self.token().next;
        let mut at = self.index + 1;
        let mut escaped_keys = false;
        while at < end {
            let key = self.at(at);
            escaped_keys |= matches!(key.kind(), Kind::Str { escaped: true, .. });
            out.push((key.prefix(), at + 1));
            at = self.tokens[at as usize + 1].next;
        }
        escaped_keys
    }

    /// Call `found` with each member of an object in source order (none
    /// for anything else): the key's bytes (decoded when it has escapes)
    /// and the value. For readers that match keys by their bytes, with no
    /// [`Str`] built for each key.
    #[inline]
    pub fn for_each_member(&self, mut found: impl FnMut(&[u8], Node<'t, 'a>)) {
        let t = self.token();
        if t.kind != Kind::Object {
            return;
        }
        let bytes = self.text.as_bytes();
        let mut at = self.index + 1;
        while at < t.next {
            let key = self.tokens[at as usize];
            let value = self.at(at + 1);
            match key.kind {
                Kind::Str { escaped: false, .. } => {
                    found(&bytes[key.start as usize..key.end as usize], value)
                }
                _ => {
                    let key = self.at(at).as_str().expect("object keys are strings");
                    found(key.decode().as_bytes(), value)
                }
            }
            at = value.token().next;
        }
    }

    /// Members of an object in source order (empty for anything else).
    pub fn members(&self) -> Members<'t, 'a> {
        let t = self.token();
        Members {
            node: *self,
            at: if t.kind == Kind::Object {
                self.index + 1
            } else {
                t.next
            },
            end: t.next,
        }
    }

    /// Items of an array (empty for anything else).
    pub fn items(&self) -> impl Iterator<Item = Node<'t, 'a>> {
        let t = self.token();
        let mut at = if t.kind == Kind::Array {
            self.index + 1
        } else {
            t.next
        };
        let node = *self;
        std::iter::from_fn(move || {
            (at < t.next).then(|| {
                let item = node.at(at);
                at = item.token().next;
                item
            })
        })
    }

    pub fn as_str(&self) -> Option<Str<'a>> {
        match self.kind() {
            Kind::Str { escaped, exact } => Some(Str::new(self.source(), escaped, exact)),
            _ => None,
        }
    }

    pub fn as_bool(&self) -> Option<bool> {
        match self.kind() {
            Kind::True => Some(true),
            Kind::False => Some(false),
            _ => None,
        }
    }

    /// Digits of an integer.
    pub fn as_int(&self) -> Option<&'a str> {
        (self.kind() == Kind::Int).then(|| self.source())
    }

    /// A number as f64 (integers converted).
    pub fn as_f64(&self) -> Option<f64> {
        match self.kind() {
            Kind::Int | Kind::Float { .. } => {
                let text = self.source();
                exact_f64(text).or_else(|| text.parse().ok())
            }
            Kind::NaN => Some(f64::NAN),
            Kind::Infinity => Some(f64::INFINITY),
            Kind::NegInfinity => Some(f64::NEG_INFINITY),
            _ => None,
        }
    }

    /// The value as an owned-structure tree.
    pub fn to_value(&self) -> Value<'a> {
        match self.kind() {
            Kind::Null => Value::Null,
            Kind::True => Value::Bool(true),
            Kind::False => Value::Bool(false),
            Kind::Int => Value::Int(self.source()),
            Kind::Float { .. } | Kind::NaN | Kind::Infinity | Kind::NegInfinity => {
                Value::Float(self.as_f64().expect("a validated number"))
            }
            Kind::Str { .. } => Value::Str(self.as_str().expect("a string")),
            Kind::Array => Value::Array(self.items().map(|i| i.to_value()).collect()),
            Kind::Object => Value::Object(self.members().map(|(k, v)| (k, v.to_value())).collect()),
        }
    }
}

/// A number without an exponent and of at most 15 digits (such as a
/// logged duration, `1234.5`), as `str::parse` reads it, without its
/// general algorithm: its digits are a whole number below 2^53 and its
/// power of ten is exact, so one correctly rounded division is the
/// correctly rounded value (Clinger's fast path). `None` for any other
/// number.
fn exact_f64(text: &str) -> Option<f64> {
    const POWERS: [f64; 16] = [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
    ];
    let (negative, digits) = match text.as_bytes() {
        [b'-', rest @ ..] => (true, rest),
        bytes => (false, bytes),
    };
    let (mut whole, mut count, mut fraction) = (0u64, 0usize, None);
    for &byte in digits {
        match byte {
            b'0'..=b'9' => {
                whole = whole * 10 + u64::from(byte - b'0');
                count += 1;
                fraction = fraction.map(|f: usize| f + 1);
            }
            b'.' if fraction.is_none() => fraction = Some(0),
            _ => return None,
        }
        if count > 15 {
            return None;
        }
    }
    let fraction = fraction.unwrap_or(0);
    if count == 0 || fraction == 0 && digits.last() == Some(&b'.') {
        return None;
    }
    let value = whole as f64 / POWERS[fraction];
    Some(if negative { -value } else { value })
}

/// The first eight bytes of a key's raw text, big-endian and zero-padded,
/// as [`Node::member_slots`] gives them. A string holds no raw NUL, so a
/// key of at most eight bytes without escapes is its prefix, and keys
/// with different prefixes differ.
pub fn key_prefix(raw: &[u8]) -> u64 {
    let mut word = [0u8; 8];
    let n = raw.len().min(8);
    word[..n].copy_from_slice(&raw[..n]);
    u64::from_be_bytes(word)
}

/// Iterator over an object's `(key, value)` members.
pub struct Members<'t, 'a> {
    node: Node<'t, 'a>,
    at: u32,
    end: u32,
}

impl<'t, 'a> Iterator for Members<'t, 'a> {
    type Item = (Str<'a>, Node<'t, 'a>);

    fn next(&mut self) -> Option<Self::Item> {
        if self.at >= self.end {
            return None;
        }
        let key = self
            .node
            .at(self.at)
            .as_str()
            .expect("object keys are strings");
        let value = self.node.at(self.at + 1);
        self.at = value.token().next;
        Some((key, value))
    }
}

impl<'t, 'a> Node<'t, 'a> {
    /// Another node of the same tape by its position, as given by
    /// [`Node::member_slots`]; an object member's key sits just before its
    /// value.
    pub fn sibling(&self, index: u32) -> Node<'t, 'a> {
        self.at(index)
    }

    /// This node's position on its tape, for [`Node::sibling`].
    pub fn position(&self) -> u32 {
        self.index
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_decimals_are_read_as_the_general_parser_reads_them() {
        let mut seed = 0x2545_f491_4f6c_dd1d_u64;
        for i in 0..200_000 {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            let digits = (seed % 1_000_000_000_000_000).to_string();
            let digits = &digits[..1 + (i % digits.len())];
            let point = (seed >> 50) as usize % (digits.len() + 1);
            let sign = if seed & 1 == 0 { "" } else { "-" };
            let text = match point {
                0 => format!("{sign}{digits}"),
                p => format!("{sign}{}.{}", &digits[..p], &digits[p..]),
            };
            let parsed: Option<f64> = text.parse().ok();
            let fast = exact_f64(&text);
            if fast.is_some() {
                assert_eq!(fast.map(f64::to_bits), parsed.map(f64::to_bits), "{text}");
            } else {
                assert!(digits.len() > 15 || text.ends_with('.'), "{text}");
            }
        }
        for other in ["1e5", "", "-", ".", "1.2.3", "1234567890123456", "0.5e1"] {
            assert_eq!(exact_f64(other), None, "{other}");
        }
        assert_eq!(
            exact_f64("-0.0").map(f64::to_bits),
            Some((-0.0f64).to_bits())
        );
    }

    fn repr_flag(text: &str) -> bool {
        let mut tape = Tape::new();
        let root = tape.parse(text).unwrap();
        matches!(root.kind(), Kind::Float { repr: true })
    }

    #[test]
    fn floats_already_in_repr_form_are_recognised() {
        for yes in [
            "72.67",
            "0.0",
            "-0.0",
            "123.0",
            "100.0",
            "0.0001",
            "123456789012345.0",
        ] {
            assert!(repr_flag(yes), "{yes} is repr");
        }
        for no in [
            "72.670",
            "0.00001",
            "1.0e2",
            "12345678901234567.0",
            "0.1234567890123456",
            "1234567890123456.5",
            "00.5",
        ] {
            assert!(
                !matches!(Tape::new().parse(no), Ok(n) if matches!(n.kind(), Kind::Float { repr: true })),
                "{no} is not repr"
            );
        }
    }

    #[test]
    fn strings_know_whether_dumps_writes_them_unchanged() {
        let exact = |text: &str| match Tape::new().parse(text).unwrap().kind() {
            Kind::Str { exact, .. } => exact,
            _ => unreachable!(),
        };
        assert!(exact(
            r#""plain \"quoted\" \\ \n \u00e9 \ud83d\ude00 \u001b""#
        ));
        for no in [
            r#""\/""#,
            r#""\u00E9""#,
            r#""\u0041""#,
            r#""\u000a""#,
            "\"é\"",
            "\"\u{7f}\"",
        ] {
            assert!(!exact(no), "{no} is rewritten by json.dumps");
        }
    }

    #[test]
    fn the_special_byte_finder_matches_a_plain_scan() {
        let mut bytes: Vec<u8> = (0..=255u8).collect();
        bytes.extend_from_slice(b"abcdefghijklmnop\"");
        for start in 0..bytes.len() {
            for len in 0..40.min(bytes.len() - start) {
                let slice = &bytes[start..start + len];
                let plain = slice
                    .iter()
                    .position(|&b| b == b'"' || b == b'\\' || !(0x20..0x7f).contains(&b))
                    .unwrap_or(slice.len());
                assert_eq!(first_special(slice), plain, "{slice:?}");
                assert_eq!(first_special_swar(slice), plain, "{slice:?}");
            }
        }
    }
}
