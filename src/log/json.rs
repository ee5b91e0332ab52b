//! JSON values as CPython's `json.loads` reads them, for views that walk a
//! whole entry (the grammar itself is in [`super::tape`]).
//!
//! Values borrow slices of the line instead of owning copies: integers stay
//! as their source digits (arbitrary precision for free) and strings stay
//! escaped until someone needs them.

use super::tape::{Tape, hex4, simple_escape};
use std::borrow::Cow;
use std::fmt;

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
    /// `raw` is already what `json.dumps` (ensure_ascii) writes.
    exact: bool,
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
    /// A validated string body and what the reader learnt about it.
    pub(super) fn new(raw: &'a str, escaped: bool, exact: bool) -> Self {
        Str {
            raw,
            escaped,
            exact,
        }
    }

    /// True when the body needs no rewriting to be `json.dumps` output.
    pub fn is_exact(&self) -> bool {
        self.exact
    }

    /// True when the body has escapes to decode.
    pub fn is_escaped(&self) -> bool {
        self.escaped
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
    /// Inline, the common unescaped text alone: a load decodes each text it
    /// picks, and whether the call was inlined moved a view's reading by
    /// ~80 instructions an entry between builds (BENCHMARKS.md, "Issue 21").
    #[inline]
    pub fn decode(&self) -> Cow<'a, str> {
        if !self.escaped {
            return Cow::Borrowed(self.raw);
        }
        self.decode_escaped()
    }

    fn decode_escaped(&self) -> Cow<'a, str> {
        Cow::Owned(
            self.code_points()
                .map(|c| char::from_u32(c).unwrap_or('\u{fffd}'))
                .collect(),
        )
    }

    /// Equality with a Rust string as Python compares str objects.
    #[inline]
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

/// Parse one JSON text (a whole line, surrounding whitespace allowed).
pub fn parse(text: &str) -> Result<Value<'_>, ParseError> {
    Ok(Tape::new().parse(text)?.to_value())
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
