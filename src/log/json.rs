//! A JSON reader that accepts exactly what CPython's `json.loads` accepts.
//!
//! It keeps borrowed slices of the line instead of building owned values:
//! integers stay as their source digits (arbitrary precision for free) and
//! strings stay escaped until someone needs them, so canonicalisation and
//! field extraction cost no allocation per string.

use std::borrow::Cow;
use std::fmt;

/// CPython refuses integers with more digits than this (`sys.int_info.default_max_str_digits`).
const PYTHON_MAX_INT_DIGITS: usize = 4300;
/// CPython's json module recurses once per nesting level and stops near its
/// recursion limit of 1000; a deeper line cannot have been written by it.
pub const MAX_DEPTH: usize = 990;

/// A parsed JSON value borrowing from the line it came from.
#[derive(Debug, Clone, PartialEq)]
pub enum Value<'a> {
    Null,
    Bool(bool),
    /// Integer source text, validated: `-?(0|[1-9][0-9]*)`.
    Int(&'a str),
    Float(f64),
    Str(Str<'a>),
    Array(Vec<Value<'a>>),
    /// Members in source order; duplicates are kept here and resolved
    /// (last wins) by whoever reads them, as Python's dict does.
    Object(Vec<(Str<'a>, Value<'a>)>),
}

/// A JSON string as it appears between its quotes, escapes not yet decoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Str<'a> {
    raw: &'a str,
    escaped: bool,
}

/// Where and why a line is not JSON that CPython would load.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    /// Byte offset into the parsed text.
    pub offset: usize,
    pub message: Cow<'static, str>,
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} at byte {}", self.message, self.offset + 1)
    }
}

impl std::error::Error for ParseError {}

impl<'a> Value<'a> {
    /// The last value stored under `key` in an object, as Python's dict keeps it.
    pub fn get(&self, key: &str) -> Option<&Value<'a>> {
        match self {
            Value::Object(members) => members
                .iter()
                .rev()
                .find(|(k, _)| k.eq_str(key))
                .map(|(_, v)| v),
            _ => None,
        }
    }

    pub fn as_str(&self) -> Option<Str<'a>> {
        match self {
            Value::Str(s) => Some(*s),
            _ => None,
        }
    }

    /// A number as f64 (integers converted), for durations and the like.
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Value::Int(text) => text.parse().ok(),
            Value::Float(x) => Some(*x),
            _ => None,
        }
    }
}

impl<'a> Str<'a> {
    /// A string that needs no unescaping (used by callers building values).
    pub fn plain(raw: &'a str) -> Self {
        Str {
            raw,
            escaped: raw.contains('\\'),
        }
    }

    /// The text between the quotes, escapes intact.
    pub fn raw(&self) -> &'a str {
        self.raw
    }

    /// Decoded code points, surrogate escapes paired as CPython pairs them;
    /// a lone surrogate stays a lone code point (Python strings allow it).
    pub fn code_points(&self) -> CodePoints<'a> {
        CodePoints {
            rest: self.raw.as_bytes(),
            text: self.raw,
        }
    }

    /// The decoded text; lone surrogates become U+FFFD (display only).
    pub fn decode(&self) -> Cow<'a, str> {
        if !self.escaped {
            return Cow::Borrowed(self.raw);
        }
        Cow::Owned(
            self.code_points()
                .map(|c| char::from_u32(c).unwrap_or('\u{fffd}'))
                .collect(),
        )
    }

    /// Equality with a Rust string as Python compares str objects.
    pub fn eq_str(&self, other: &str) -> bool {
        if !self.escaped {
            return self.raw == other;
        }
        self.code_points().eq(other.chars().map(u32::from))
    }

    /// Python's str ordering: by code point.
    pub fn cmp_python(&self, other: &Str<'_>) -> std::cmp::Ordering {
        if !self.escaped && !other.escaped {
            // UTF-8 byte order is code point order.
            return self.raw.as_bytes().cmp(other.raw.as_bytes());
        }
        self.code_points().cmp(other.code_points())
    }
}

/// Iterator over the code points of a validated JSON string body.
pub struct CodePoints<'a> {
    rest: &'a [u8],
    text: &'a str,
}

impl Iterator for CodePoints<'_> {
    type Item = u32;

    fn next(&mut self) -> Option<u32> {
        let (&first, _) = self.rest.split_first()?;
        if first != b'\\' {
            let start = self.text.len() - self.rest.len();
            let c = self.text[start..].chars().next()?;
            self.rest = &self.rest[c.len_utf8()..];
            return Some(u32::from(c));
        }
        let esc = self.rest[1];
        if esc != b'u' {
            self.rest = &self.rest[2..];
            return Some(u32::from(simple_escape(esc).unwrap_or(esc)));
        }
        let unit = hex4(&self.rest[2..6]).unwrap_or(0xfffd);
        self.rest = &self.rest[6..];
        let pairable = (0xd800..0xdc00).contains(&unit) && self.rest.starts_with(b"\\u");
        if let Some(low) = pairable
            .then(|| hex4(&self.rest[2..]))
            .flatten()
            .filter(|l| (0xdc00..0xe000).contains(l))
        {
            self.rest = &self.rest[6..];
            return Some(0x10000 + ((unit - 0xd800) << 10) + (low - 0xdc00));
        }
        Some(unit)
    }
}

fn simple_escape(esc: u8) -> Option<u8> {
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

fn hex4(bytes: &[u8]) -> Option<u32> {
    if bytes.len() < 4 {
        return None;
    }
    bytes[..4]
        .iter()
        .try_fold(0u32, |acc, &b| Some(acc * 16 + (b as char).to_digit(16)?))
}

/// Parse one JSON text (a whole line, surrounding whitespace allowed).
pub fn parse(text: &str) -> Result<Value<'_>, ParseError> {
    let mut parser = Parser {
        text,
        bytes: text.as_bytes(),
        pos: 0,
    };
    parser.skip_ws();
    let value = parser.value(0)?;
    parser.skip_ws();
    if parser.pos != parser.bytes.len() {
        return Err(parser.error("extra data after the JSON value"));
    }
    Ok(value)
}

struct Parser<'a> {
    text: &'a str,
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Parser<'a> {
    fn error(&self, message: &'static str) -> ParseError {
        ParseError {
            offset: self.pos,
            message: Cow::Borrowed(message),
        }
    }

    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    /// CPython's json skips exactly these four whitespace bytes.
    fn skip_ws(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.peek() {
            self.pos += 1;
        }
    }

    fn eat_literal(&mut self, literal: &str) -> bool {
        if self.bytes[self.pos..].starts_with(literal.as_bytes()) {
            self.pos += literal.len();
            true
        } else {
            false
        }
    }

    fn value(&mut self, depth: usize) -> Result<Value<'a>, ParseError> {
        if depth > MAX_DEPTH {
            return Err(self.error("nesting deeper than CPython's json can read"));
        }
        match self.peek() {
            Some(b'{') => self.object(depth),
            Some(b'[') => self.array(depth),
            Some(b'"') => Ok(Value::Str(self.string()?)),
            Some(b'-' | b'0'..=b'9') => self.number(),
            Some(b't') if self.eat_literal("true") => Ok(Value::Bool(true)),
            Some(b'f') if self.eat_literal("false") => Ok(Value::Bool(false)),
            Some(b'n') if self.eat_literal("null") => Ok(Value::Null),
            Some(b'N') if self.eat_literal("NaN") => Ok(Value::Float(f64::NAN)),
            Some(b'I') if self.eat_literal("Infinity") => Ok(Value::Float(f64::INFINITY)),
            None => Err(self.error("unexpected end of line, expected a value")),
            _ => Err(self.error("expected a JSON value")),
        }
    }

    fn object(&mut self, depth: usize) -> Result<Value<'a>, ParseError> {
        self.pos += 1;
        let mut members = Vec::new();
        self.skip_ws();
        if self.peek() == Some(b'}') {
            self.pos += 1;
            return Ok(Value::Object(members));
        }
        loop {
            if self.peek() != Some(b'"') {
                return Err(self.error("expected a property name in double quotes"));
            }
            let key = self.string()?;
            self.skip_ws();
            if self.peek() != Some(b':') {
                return Err(self.error("expected ':' after a property name"));
            }
            self.pos += 1;
            self.skip_ws();
            let value = self.value(depth + 1)?;
            members.push((key, value));
            self.skip_ws();
            match self.peek() {
                Some(b',') => {
                    self.pos += 1;
                    self.skip_ws();
                }
                Some(b'}') => {
                    self.pos += 1;
                    return Ok(Value::Object(members));
                }
                _ => return Err(self.error("expected ',' or '}' in an object")),
            }
        }
    }

    fn array(&mut self, depth: usize) -> Result<Value<'a>, ParseError> {
        self.pos += 1;
        let mut items = Vec::new();
        self.skip_ws();
        if self.peek() == Some(b']') {
            self.pos += 1;
            return Ok(Value::Array(items));
        }
        loop {
            items.push(self.value(depth + 1)?);
            self.skip_ws();
            match self.peek() {
                Some(b',') => {
                    self.pos += 1;
                    self.skip_ws();
                }
                Some(b']') => {
                    self.pos += 1;
                    return Ok(Value::Array(items));
                }
                _ => return Err(self.error("expected ',' or ']' in an array")),
            }
        }
    }

    fn string(&mut self) -> Result<Str<'a>, ParseError> {
        self.pos += 1;
        let start = self.pos;
        let mut escaped = false;
        loop {
            // Jump to the next byte that needs a decision.
            let rest = &self.bytes[self.pos..];
            let Some(skip) = rest
                .iter()
                .position(|&b| b == b'"' || b == b'\\' || b < 0x20)
            else {
                self.pos = self.bytes.len();
                return Err(self.error("unterminated string"));
            };
            self.pos += skip;
            match self.bytes[self.pos] {
                b'"' => {
                    let raw = &self.text[start..self.pos];
                    self.pos += 1;
                    return Ok(Str { raw, escaped });
                }
                b'\\' => {
                    escaped = true;
                    self.escape()?;
                }
                _ => return Err(self.error("control character inside a string")),
            }
        }
    }

    fn escape(&mut self) -> Result<(), ParseError> {
        match self.bytes.get(self.pos + 1) {
            Some(b'u') => {
                if hex4(self.bytes.get(self.pos + 2..).unwrap_or(&[])).is_none() {
                    return Err(self.error("invalid \\uXXXX escape"));
                }
                self.pos += 6;
            }
            Some(&e) if simple_escape(e).is_some() => self.pos += 2,
            _ => return Err(self.error("invalid escape in a string")),
        }
        Ok(())
    }

    fn number(&mut self) -> Result<Value<'a>, ParseError> {
        let start = self.pos;
        if self.peek() == Some(b'-') {
            self.pos += 1;
            if self.eat_literal("Infinity") {
                return Ok(Value::Float(f64::NEG_INFINITY));
            }
        }
        match self.peek() {
            Some(b'0') => self.pos += 1,
            Some(b'1'..=b'9') => self.digits(),
            _ => return Err(self.error("expected a digit")),
        }
        let int_end = self.pos;
        let mut is_float = false;
        // A '.' or 'e' without digits after it ends the number (CPython's
        // regex does the same, and the leftover then fails as extra data).
        if self.peek() == Some(b'.') && self.bytes.get(self.pos + 1).is_some_and(u8::is_ascii_digit)
        {
            self.pos += 1;
            self.digits();
            is_float = true;
        }
        if let Some(b'e' | b'E') = self.peek() {
            let mut p = self.pos + 1;
            if let Some(b'+' | b'-') = self.bytes.get(p) {
                p += 1;
            }
            if self.bytes.get(p).is_some_and(u8::is_ascii_digit) {
                self.pos = p;
                self.digits();
                is_float = true;
            }
        }
        let text = &self.text[start..self.pos];
        if is_float {
            // Rust's parser rounds correctly (and overflows to inf as Python does).
            let x: f64 = text.parse().map_err(|_| self.error("invalid number"))?;
            return Ok(Value::Float(x));
        }
        let digits = int_end - start - usize::from(text.starts_with('-'));
        if digits > PYTHON_MAX_INT_DIGITS {
            self.pos = start;
            return Err(self.error("integer longer than the 4300 digits CPython accepts"));
        }
        Ok(Value::Int(text))
    }

    fn digits(&mut self) {
        while self.peek().is_some_and(|b| b.is_ascii_digit()) {
            self.pos += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn duplicate_keys_resolve_to_the_last() {
        let v = parse(r#"{"a": 1, "a": 2}"#).unwrap();
        assert_eq!(v.get("a"), Some(&Value::Int("2")));
    }

    #[test]
    fn escaped_keys_compare_equal_to_their_decoded_text() {
        let v = parse(r#"{"\u005fhash": "x"}"#).unwrap();
        assert!(v.get("_hash").is_some());
    }

    #[test]
    fn escaped_surrogate_pairs_decode_to_one_code_point() {
        let v = parse(r#""\ud83d\ude00\ud800x""#).unwrap();
        let s = v.as_str().unwrap();
        assert_eq!(
            s.code_points().collect::<Vec<_>>(),
            vec![0x1f600, 0xd800, u32::from('x')]
        );
    }

    #[test]
    fn python_number_tokens_are_accepted() {
        assert!(matches!(parse("NaN"), Ok(Value::Float(x)) if x.is_nan()));
        assert_eq!(parse("-Infinity"), Ok(Value::Float(f64::NEG_INFINITY)));
        assert_eq!(parse("1e400"), Ok(Value::Float(f64::INFINITY)));
        assert_eq!(parse("-0"), Ok(Value::Int("-0")));
    }

    #[test]
    fn what_python_rejects_is_rejected() {
        for bad in [
            "01",
            "1.",
            "[1,]",
            "{'a': 1}",
            "\"a\u{1}b\"",
            "-",
            "+1",
            "\"\\x\"",
            "{} x",
            "",
            ".5",
            "tru",
        ] {
            assert!(parse(bad).is_err(), "{bad:?} should be rejected");
        }
    }

    #[test]
    fn too_deep_nesting_is_an_error_not_a_stack_overflow() {
        let deep = "[".repeat(100_000);
        assert!(parse(&deep).unwrap_err().message.contains("nesting"));
    }

    #[test]
    fn overlong_integers_are_rejected_like_cpython() {
        assert!(parse(&"9".repeat(4300)).is_ok());
        assert!(parse(&"9".repeat(4301)).is_err());
    }
}
