//! A streaming JSON writer that prints exactly what CPython's `json.dumps`
//! prints, and the canonical form of what it wrote, for the hash chain.

use crate::log::canonical::{write_float, write_python_str};
use std::fmt;
use std::fmt::{Display, Write as _};

/// A streaming writer of JSON as CPython's `json.dumps(obj)` prints it with
/// default arguments: keys in insertion order, `", "` and `": "`,
/// `ensure_ascii` escapes, floats as `repr`. No value tree is built: values
/// go straight into the buffer, so writing an entry allocates nothing once
/// the buffer has grown.
pub struct PyJson<'a> {
    pub(super) out: &'a mut Vec<u8>,
    /// Bit `d` set: the container at depth `d + 1` has no member yet.
    pub(super) empty: u64,
    pub(super) depth: u32,
    /// A key was written and its value is next (no separator before it).
    pub(super) after_key: bool,
}

impl<'a> PyJson<'a> {
    pub fn new(out: &'a mut Vec<u8>) -> Self {
        PyJson {
            out,
            empty: 0,
            depth: 0,
            after_key: false,
        }
    }

    /// The `", "` between members, except before the first one.
    pub(super) fn separate(&mut self) {
        if std::mem::take(&mut self.after_key) || self.depth == 0 {
            return;
        }
        let bit = 1u64 << (self.depth - 1);
        if self.empty & bit != 0 {
            self.empty &= !bit;
        } else {
            self.out.extend_from_slice(b", ");
        }
    }

    pub(super) fn open(&mut self, bracket: u8) -> &mut Self {
        self.separate();
        assert!(self.depth < 64, "PyJson nests at most 64 levels");
        self.out.push(bracket);
        self.depth += 1;
        self.empty |= 1 << (self.depth - 1);
        self
    }

    pub(super) fn close(&mut self, bracket: u8) -> &mut Self {
        debug_assert!(self.depth > 0 && !self.after_key, "unbalanced PyJson");
        self.empty &= !(1 << (self.depth - 1));
        self.depth -= 1;
        self.out.push(bracket);
        self
    }

    pub fn begin_object(&mut self) -> &mut Self {
        self.open(b'{')
    }

    pub fn end_object(&mut self) -> &mut Self {
        self.close(b'}')
    }

    pub fn begin_array(&mut self) -> &mut Self {
        self.open(b'[')
    }

    pub fn end_array(&mut self) -> &mut Self {
        self.close(b']')
    }

    /// An object key; the next call writes its value.
    pub fn key(&mut self, key: &str) -> &mut Self {
        self.separate();
        push_py_str(key, self.out);
        self.out.extend_from_slice(b": ");
        self.after_key = true;
        self
    }

    pub fn str(&mut self, value: &str) -> &mut Self {
        self.separate();
        push_py_str(value, self.out);
        self
    }

    /// A string given by its `Display`, escaped like [`PyJson::str`] without
    /// formatting into a temporary `String` first.
    pub fn text(&mut self, value: impl Display) -> &mut Self {
        self.separate();
        self.out.push(b'"');
        write!(Escaper(self.out), "{value}").expect("writing to a Vec cannot fail");
        self.out.push(b'"');
        self
    }

    pub fn int(&mut self, value: i64) -> &mut Self {
        self.separate();
        std::io::Write::write_fmt(self.out, format_args!("{value}"))
            .expect("writing to a Vec cannot fail");
        self
    }

    /// A float as Python's `repr` (`145.23`, `25.0`, `1e-05`).
    pub fn float(&mut self, value: f64) -> &mut Self {
        self.separate();
        write_float(value, self.out);
        self
    }

    pub fn bool(&mut self, value: bool) -> &mut Self {
        self.separate();
        self.out
            .extend_from_slice(if value { b"true" } else { b"false" });
        self
    }
}

/// `fmt::Write` into a JSON string body with `ensure_ascii` escapes, reusing
/// `write_python_str` so that the escaping rules live in one place.
pub(super) struct Escaper<'a>(&'a mut Vec<u8>);

impl fmt::Write for Escaper<'_> {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        if needs_no_escape(s) {
            self.0.extend_from_slice(s.as_bytes());
        } else {
            let at = self.0.len();
            write_python_str(s, self.0);
            self.0.pop();
            self.0.remove(at);
        }
        Ok(())
    }
}

/// Printable ASCII without `"` or `\\`: `json.dumps` writes it as is.
pub(super) fn needs_no_escape(s: &str) -> bool {
    // No short-circuit, so the compiler can vectorise the scan.
    s.bytes().fold(true, |ok, b| {
        ok & (b.wrapping_sub(0x20) < 0x5f) & (b != b'"') & (b != b'\\')
    })
}

/// `write_python_str`, with a fast path for the common all-plain string
/// (escaping char by char was the generator's hottest loop).
pub(super) fn push_py_str(s: &str, out: &mut Vec<u8>) {
    if needs_no_escape(s) {
        out.push(b'"');
        out.extend_from_slice(s.as_bytes());
        out.push(b'"');
    } else {
        write_python_str(s, out);
    }
}

/// One object member in a line this module wrote: byte ranges of the key
/// (with quotes) and of the value.
#[derive(Clone, Copy)]
pub(super) struct Member {
    pub(super) key: (usize, usize),
    pub(super) value: (usize, usize),
}

/// The canonical form (`json.dumps(sort_keys=True)`) of JSON that [`PyJson`]
/// wrote. Its scalars are already exactly what CPython prints (ensure_ascii
/// escapes, float repr), so only object members need reordering; its keys
/// are plain ASCII, so byte order is code-point order. Much faster than
/// parsing the line back, and checked against the verifier's canonical
/// writer in debug builds.
pub(super) fn canonicalize_own(src: &[u8], out: &mut Vec<u8>, members: &mut Vec<Member>) {
    let end = canonical_value(src, 0, out, members);
    debug_assert_eq!(end, src.len(), "one value per line");
}

/// Canonicalise the value starting at `pos`; returns where it ends.
///
/// One pass over the source: each member's value is canonicalised at the end
/// of `out` in source order, then the members are assembled in key order
/// behind them and moved down over them.
pub(super) fn canonical_value(
    src: &[u8],
    pos: usize,
    out: &mut Vec<u8>,
    members: &mut Vec<Member>,
) -> usize {
    match src[pos] {
        b'{' => {
            let base = members.len();
            let scratch_start = out.len();
            let mut at = pos + 1;
            if src[at] != b'}' {
                loop {
                    let key = (at, skip_scalar(src, at));
                    let value_start = out.len();
                    at = canonical_value(src, key.1 + 2, out, members);
                    members.push(Member {
                        key,
                        value: (value_start, out.len()),
                    });
                    if src[at] == b'}' {
                        break;
                    }
                    at += 2;
                }
            }
            members[base..]
                .sort_unstable_by(|a, b| src[a.key.0..a.key.1].cmp(&src[b.key.0..b.key.1]));
            let assembled_start = out.len();
            out.push(b'{');
            for (i, member) in members[base..].iter().enumerate() {
                if i > 0 {
                    out.extend_from_slice(b", ");
                }
                out.extend_from_slice(&src[member.key.0..member.key.1]);
                out.extend_from_slice(b": ");
                out.extend_from_within(member.value.0..member.value.1);
            }
            out.push(b'}');
            let assembled_len = out.len() - assembled_start;
            out.copy_within(assembled_start.., scratch_start);
            out.truncate(scratch_start + assembled_len);
            members.truncate(base);
            at + 1
        }
        b'[' => {
            let mut at = pos + 1;
            out.push(b'[');
            if src[at] != b']' {
                loop {
                    at = canonical_value(src, at, out, members);
                    if src[at] == b']' {
                        break;
                    }
                    out.extend_from_slice(b", ");
                    at += 2;
                }
            }
            out.push(b']');
            at + 1
        }
        _ => {
            let end = skip_scalar(src, pos);
            out.extend_from_slice(&src[pos..end]);
            end
        }
    }
}

/// End of the string, number or literal starting at `pos`.
pub(super) fn skip_scalar(src: &[u8], pos: usize) -> usize {
    if src[pos] == b'"' {
        let mut at = pos + 1;
        loop {
            match memchr::memchr2(b'"', b'\\', &src[at..]) {
                Some(i) if src[at + i] == b'"' => return at + i + 1,
                Some(i) => at += i + 2,
                None => return src.len(),
            }
        }
    }
    pos + src[pos..]
        .iter()
        .position(|&b| matches!(b, b',' | b'}' | b']'))
        .unwrap_or(src.len() - pos)
}
