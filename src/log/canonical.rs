//! Canonical JSON byte-exact with CPython's
//! `json.dumps(obj, sort_keys=True, default=str)`, and the hashes over it.
//!
//! The output is what the lesson's writer hashed, so any byte of difference
//! here would make an intact log look tampered with.

use super::json::{Str, Value};
use super::tape::{Kind, Node, key_prefix};
use sha2::{Digest, Sha256};
use std::cmp::Ordering;
use std::io::Write;

/// Append the canonical form of a tape node to `out`, leaving out the
/// top-level `skip` key if given. `order` is scratch for member orders,
/// reused between calls so the hot path does not allocate.
pub fn write_node(
    node: Node<'_, '_>,
    skip: Option<&str>,
    out: &mut Vec<u8>,
    order: &mut Vec<MemberSlot>,
) {
    if skip.is_none()
        && let Some(text) = node.verbatim()
    {
        return out.extend_from_slice(text);
    }
    match node.kind() {
        Kind::Null => out.extend_from_slice(b"null"),
        Kind::True => out.extend_from_slice(b"true"),
        Kind::False => out.extend_from_slice(b"false"),
        Kind::Int => write_int(node.source(), out),
        Kind::Float { .. } | Kind::NaN | Kind::Infinity | Kind::NegInfinity => {
            write_float(node.as_f64().expect("a validated number"), out)
        }
        Kind::Str { .. } => write_str(&node.as_str().expect("a string"), out),
        Kind::Array => {
            out.push(b'[');
            for (i, item) in node.items().enumerate() {
                if i > 0 {
                    out.extend_from_slice(b", ");
                }
                write_node(item, None, out, order);
            }
            out.push(b']');
        }
        Kind::Object => write_tape_object(node, skip, out, order),
    }
}

/// An object member while sorting: its key's first bytes, then its value's
/// tape index (the key sits just before the value).
pub type MemberSlot = (u64, u32);

fn write_tape_object(
    node: Node<'_, '_>,
    skip: Option<&str>,
    out: &mut Vec<u8>,
    order: &mut Vec<MemberSlot>,
) {
    // Nested objects use the scratch past this one's members.
    let base = order.len();
    if node.member_slots(order) {
        // Escapes hide the code points: compare decoded keys only.
        order[base..].iter_mut().for_each(|m| m.0 = 0);
    }
    let key = |m: &MemberSlot| {
        node.sibling(m.1 - 1)
            .as_str()
            .expect("object keys are strings")
    };
    let cmp =
        |a: &MemberSlot, b: &MemberSlot| a.0.cmp(&b.0).then_with(|| key(a).cmp_python(&key(b)));
    // Distinct prefixes are distinct keys: no member can shadow another.
    let ties = sort_slots(&mut order[base..], cmp);
    // A member whose prefix is neither the skipped key's nor zero (an
    // escaped or empty key) is not the skipped key: its text is not read.
    let skip = skip.map(|s| (key_prefix(s.as_bytes()), s));
    out.push(b'{');
    let mut first = true;
    for pos in base..order.len() {
        let member = order[pos];
        let shadowed = ties
            && order
                .get(pos + 1)
                .is_some_and(|next| cmp(next, &member).is_eq());
        if shadowed
            || skip.is_some_and(|(prefix, s)| {
                (member.0 == prefix || member.0 == 0) && key(&member).eq_str(s)
            })
        {
            continue;
        }
        if !first {
            out.extend_from_slice(b", ");
        }
        first = false;
        let value = node.sibling(member.1);
        if let Some(text) = value.verbatim_member() {
            out.extend_from_slice(text);
            continue;
        }
        write_str(&key(&member), out);
        out.extend_from_slice(b": ");
        write_node(value, None, out, order);
    }
    out.push(b'}');
    order.truncate(base);
}

/// Append the canonical form of `value` to `out`.
pub fn write_canonical(value: &Value<'_>, out: &mut Vec<u8>) {
    write_value(value, KeyOrder::Sorted, out);
}

/// Append Python's default `json.dumps(value)` to `out`: the canonical form
/// but for the keys, which stay in the order the object was logged (a
/// duplicated key at its first position with its last value, as in the dict
/// `json.loads` builds). The lesson's `conversation_timeline` prints this.
pub fn write_dumps(value: &Value<'_>, out: &mut Vec<u8>) {
    write_value(value, KeyOrder::Logged, out);
}

/// Canonical form of an object without one key, as the lesson hashes an
/// entry after `pop("_hash")`.
pub fn write_canonical_without(value: &Value<'_>, skip: &str, out: &mut Vec<u8>) {
    match value {
        Value::Object(members) => write_object(members, Some(skip), KeyOrder::Sorted, out),
        other => write_canonical(other, out),
    }
}

/// Where an object's keys go: `sort_keys=True` or as logged.
#[derive(Clone, Copy, PartialEq, Eq)]
enum KeyOrder {
    Sorted,
    Logged,
}

fn write_value(value: &Value<'_>, keys: KeyOrder, out: &mut Vec<u8>) {
    match value {
        Value::Null => out.extend_from_slice(b"null"),
        Value::Bool(true) => out.extend_from_slice(b"true"),
        Value::Bool(false) => out.extend_from_slice(b"false"),
        Value::Int(text) => write_int(text, out),
        Value::Float(x) => write_float(*x, out),
        Value::Str(s) => write_str(s, out),
        Value::Array(items) => {
            out.push(b'[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.extend_from_slice(b", ");
                }
                write_value(item, keys, out);
            }
            out.push(b']');
        }
        Value::Object(members) => write_object(members, None, keys, out),
    }
}

fn write_object(
    members: &[(Str<'_>, Value<'_>)],
    skip: Option<&str>,
    keys: KeyOrder,
    out: &mut Vec<u8>,
) {
    out.push(b'{');
    let mut first = true;
    for (key, value) in dict_members(members, keys) {
        if skip.is_some_and(|s| key.eq_str(s)) {
            continue;
        }
        if !first {
            out.extend_from_slice(b", ");
        }
        first = false;
        write_str(key, out);
        out.extend_from_slice(b": ");
        write_value(value, keys, out);
    }
    out.push(b'}');
}

/// The members of the dict `json.loads` builds from `members`: each
/// distinct key once, with its last value, in `keys` order (as logged: at
/// the key's first position).
fn dict_members<'v, 'a>(
    members: &'v [(Str<'a>, Value<'a>)],
    keys: KeyOrder,
) -> Vec<(&'v Str<'a>, &'v Value<'a>)> {
    let mut by_key: Vec<usize> = (0..members.len()).collect();
    let cmp = |a: &usize, b: &usize| members[*a].0.cmp_python(&members[*b].0);
    sort_members(&mut by_key, cmp);
    // (first index, last index) of each run of equal keys.
    let mut groups: Vec<(usize, usize)> = Vec::with_capacity(by_key.len());
    for &i in &by_key {
        match groups.last_mut() {
            Some((first, last)) if cmp(first, &i).is_eq() => *last = i,
            _ => groups.push((i, i)),
        }
    }
    if keys == KeyOrder::Logged {
        groups.sort_unstable();
    }
    groups
        .into_iter()
        .map(|(first, last)| (&members[first].0, &members[last].1))
        .collect()
}

/// Objects up to this many members are sorted by insertion (an entry's
/// objects have a few to a dozen); larger ones by the library's sort, whose
/// time does not grow with the square of their size.
const INSERTION_SORT_MAX: usize = 32;

/// Put an object's member slots in `sort_keys` order, equal keys in source
/// order as [`sort_members`] does; true when some keys share a prefix (and
/// may be equal). The slots are sorted as plain numbers first, by key
/// prefix then position, so that only runs of equal prefixes (keys sharing
/// their first eight bytes, or escaped keys, whose prefixes are zero) need
/// their keys compared.
fn sort_slots(
    order: &mut [MemberSlot],
    cmp: impl Fn(&MemberSlot, &MemberSlot) -> Ordering,
) -> bool {
    let ties = if order.len() <= INSERTION_SORT_MAX {
        insert_by_prefix(order)
    } else {
        order.sort_unstable();
        order.windows(2).any(|w| w[0].0 == w[1].0)
    };
    if !ties {
        return false;
    }
    let mut start = 0;
    while let Some(&(prefix, _)) = order.get(start) {
        let run = order[start..].iter().take_while(|m| m.0 == prefix).count();
        if run > 1 {
            // Stable: among equal keys the source order just set stays.
            order[start..start + run].sort_by(&cmp);
        }
        start += run;
    }
    true
}

/// Insertion sort of slots in source order by prefix alone: stable, so
/// the positions of equal prefixes stay increasing, as a sort by (prefix,
/// position) leaves them. True when two prefixes are equal: the one each
/// slot stops at is the largest prefix not above its own, so an equal
/// prefix, if any, is that one.
fn insert_by_prefix(order: &mut [MemberSlot]) -> bool {
    let mut ties = false;
    for i in 1..order.len() {
        let slot = order[i];
        let mut at = i;
        while at > 0 && order[at - 1].0 > slot.0 {
            order[at] = order[at - 1];
            at -= 1;
        }
        order[at] = slot;
        ties |= at > 0 && order[at - 1].0 == slot.0;
    }
    ties
}

/// Put members in `sort_keys` order. The sort is stable, so among equal
/// keys source order stays and the last one is the one Python's dict kept
/// (callers skip a member equal to the next). Sorted logs skip the sort.
fn sort_members<T>(order: &mut [T], cmp: impl Fn(&T, &T) -> Ordering) {
    if !order.is_sorted_by(|a, b| cmp(a, b).is_le()) {
        order.sort_by(cmp);
    }
}

fn write_int(text: &str, out: &mut Vec<u8>) {
    // Python's int has no negative zero.
    if text == "-0" {
        out.push(b'0');
    } else {
        out.extend_from_slice(text.as_bytes());
    }
}

/// Python's `float.__repr__` as json.dumps uses it, with its NaN/Infinity tokens.
pub fn write_float(x: f64, out: &mut Vec<u8>) {
    if x.is_nan() {
        return out.extend_from_slice(b"NaN");
    }
    if x.is_infinite() {
        return out.extend_from_slice(if x > 0.0 { b"Infinity" } else { b"-Infinity" });
    }
    // Shortest round-trip digits, ties between two shortest candidates
    // broken to even as CPython's dtoa does (Rust's own `{:e}` breaks them
    // upward: 183781404762611.625 must print as ...611.62). Ryu does it
    // Python's way; only the layout differs.
    let mut buffer = ryu::Buffer::new();
    let text = buffer.format_finite(x);
    let (negative, text) = match text.strip_prefix('-') {
        Some(t) => (true, t),
        None => (false, text),
    };
    let (mantissa, exponent) = match text.split_once(['e', 'E']) {
        Some((m, e)) => (m, e.parse::<i32>().expect("integer exponent")),
        None => (text, 0),
    };
    let int_len = mantissa.find('.').unwrap_or(mantissa.len()) as i32;
    // Ryu writes at most 17 significant digits and a few zeros around them.
    let mut all = [0u8; 48];
    let mut count = 0;
    for d in mantissa.bytes().filter(u8::is_ascii_digit) {
        all[count] = d;
        count += 1;
    }
    let mut digits = &all[..count];
    // `point` counts the digits before the decimal point, as dtoa's decpt.
    let mut point = int_len + exponent;
    let leading_zeros = digits.iter().take_while(|&&d| d == b'0').count();
    digits = &digits[leading_zeros.min(digits.len() - 1)..];
    point -= leading_zeros as i32;
    while digits.len() > 1 && digits.last() == Some(&b'0') {
        digits = &digits[..digits.len() - 1];
    }
    if digits == [b'0'] {
        point = 1;
    }
    let exponent = point - 1;
    if negative {
        out.push(b'-');
    }
    // Python switches to exponent notation when the decimal point would sit
    // more than 16 digits right or 4 zeros left of the first digit.
    if !(-4 < point && point <= 16) {
        out.push(digits[0]);
        if digits.len() > 1 {
            out.push(b'.');
            out.extend_from_slice(&digits[1..]);
        }
        let _ = write!(
            out,
            "e{}{:02}",
            if exponent < 0 { '-' } else { '+' },
            exponent.abs()
        );
    } else if point <= 0 {
        out.extend_from_slice(b"0.");
        out.extend(std::iter::repeat_n(b'0', (-point) as usize));
        out.extend_from_slice(digits);
    } else {
        let point = point as usize;
        if digits.len() <= point {
            out.extend_from_slice(digits);
            out.extend(std::iter::repeat_n(b'0', point - digits.len()));
            out.extend_from_slice(b".0");
        } else {
            out.extend_from_slice(&digits[..point]);
            out.push(b'.');
            out.extend_from_slice(&digits[point..]);
        }
    }
}

/// A string with `ensure_ascii=True`: short escapes for the usual five,
/// `\u00xx` for other controls, DEL and all non-ASCII, surrogate pairs above
/// the BMP.
fn write_str(s: &Str<'_>, out: &mut Vec<u8>) {
    out.push(b'"');
    if s.is_exact() {
        out.extend_from_slice(s.raw().as_bytes());
    } else {
        for c in s.code_points() {
            write_code_point(c, out);
        }
    }
    out.push(b'"');
}

/// A Rust string as `json.dumps` writes it (for writers of new entries).
pub fn write_python_str(s: &str, out: &mut Vec<u8>) {
    out.push(b'"');
    for c in s.chars() {
        write_code_point(u32::from(c), out);
    }
    out.push(b'"');
}

fn write_code_point(c: u32, out: &mut Vec<u8>) {
    match c {
        0x22 => out.extend_from_slice(b"\\\""),
        0x5c => out.extend_from_slice(b"\\\\"),
        0x0a => out.extend_from_slice(b"\\n"),
        0x0d => out.extend_from_slice(b"\\r"),
        0x09 => out.extend_from_slice(b"\\t"),
        0x08 => out.extend_from_slice(b"\\b"),
        0x0c => out.extend_from_slice(b"\\f"),
        0x20..=0x7e => out.push(c as u8),
        0x10000.. => {
            let v = c - 0x10000;
            write_unit(0xd800 | (v >> 10), out);
            write_unit(0xdc00 | (v & 0x3ff), out);
        }
        _ => write_unit(c, out),
    }
}

fn write_unit(unit: u32, out: &mut Vec<u8>) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    out.extend_from_slice(b"\\u");
    for shift in [12, 8, 4, 0] {
        out.push(HEX[((unit >> shift) & 0xf) as usize]);
    }
}

/// SHA-256 of bytes.
pub fn sha256(bytes: &[u8]) -> [u8; 32] {
    Sha256::digest(bytes).into()
}

/// Lowercase hex, as Python's `hexdigest()`.
pub fn to_hex(hash: &[u8; 32]) -> String {
    hex_digits(hash)
        .iter()
        .map(|&digit| char::from(digit))
        .collect()
}

/// The 64 lowercase hex digits of a hash, without allocating: for writers
/// that put one or two in every row.
pub fn hex_digits(hash: &[u8; 32]) -> [u8; 64] {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut digits = [0u8; 64];
    for (i, byte) in hash.iter().enumerate() {
        digits[2 * i] = HEX[usize::from(byte >> 4)];
        digits[2 * i + 1] = HEX[usize::from(byte & 0xf)];
    }
    digits
}

/// Parse a lowercase 64-digit hex hash; anything else (uppercase included)
/// is not what `hexdigest()` writes, so it can never match.
pub fn parse_hex(text: &str) -> Option<[u8; 32]> {
    let bytes: &[u8; 64] = text.as_bytes().try_into().ok()?;
    // Arithmetic rather than a table, over fixed-size arrays: the compiler
    // turns both loops into a few vector instructions (two hashes a line,
    // BENCHMARKS.md, "Issue 21").
    let mut digits = [0u8; 64];
    let mut bad = false;
    for (digit, &byte) in digits.iter_mut().zip(bytes) {
        let (decimal, letter) = (byte.wrapping_sub(b'0'), byte.wrapping_sub(b'a'));
        bad |= (decimal >= 10) & (letter >= 6);
        *digit = if decimal < 10 {
            decimal
        } else {
            letter.wrapping_add(10)
        };
    }
    let mut hash = [0u8; 32];
    for (byte, pair) in hash.iter_mut().zip(digits.chunks_exact(2)) {
        *byte = pair[0] << 4 | pair[1];
    }
    (!bad).then_some(hash)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::log::json::parse;

    fn dumps(text: &str) -> String {
        let mut out = Vec::new();
        write_dumps(&parse(text).unwrap(), &mut out);
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn dumps_keeps_logged_key_order_and_python_spacing() {
        assert_eq!(
            dumps(r#"{"b":1,"a":[1.0,-0,1e-5,"\u00e9"],"c":{"z":1,"y":2}}"#),
            r#"{"b": 1, "a": [1.0, 0, 1e-05, "\u00e9"], "c": {"z": 1, "y": 2}}"#
        );
    }

    #[test]
    fn dumps_keeps_a_duplicate_key_at_its_first_position_with_its_last_value() {
        assert_eq!(
            dumps(r#"{"a":1,"b":2,"a":3,"\u0062":4}"#),
            r#"{"a": 3, "b": 4}"#
        );
    }

    fn canon(text: &str) -> String {
        let mut out = Vec::new();
        write_canonical(&parse(text).unwrap(), &mut out);
        String::from_utf8(out).unwrap()
    }

    /// The verifier's path: straight from the token tape.
    fn canon_tape(text: &str) -> String {
        let mut out = Vec::new();
        let mut tape = crate::log::tape::Tape::new();
        write_node(tape.parse(text).unwrap(), None, &mut out, &mut Vec::new());
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn only_text_already_canonical_is_copied_as_it_is() {
        let cases = [
            (r#"{"a": 1, "b": [1, 2]}"#, r#"{"a": 1, "b": [1, 2]}"#),
            (r#"{"a": 1 }"#, r#"{"a": 1}"#),
            (r#"{ "a": 1}"#, r#"{"a": 1}"#),
            (r#"{"a" : 1}"#, r#"{"a": 1}"#),
            (r#"{"a":  1}"#, r#"{"a": 1}"#),
            ("{\"a\":\t1}", r#"{"a": 1}"#),
            (r#"{"a": 1,"b": 2}"#, r#"{"a": 1, "b": 2}"#),
            (r#"{"a": 1 , "b": 2}"#, r#"{"a": 1, "b": 2}"#),
            (r#"[1,2, 3 ]"#, r#"[1, 2, 3]"#),
            (r#"[ ]"#, r#"[]"#),
            (r#"{"x": { }}"#, r#"{"x": {}}"#),
            (r#"{"b": 1, "a": 2}"#, r#"{"a": 2, "b": 1}"#),
            (r#"{"a": 1, "a": 2}"#, r#"{"a": 2}"#),
            (r#"{"a": -0, "b": [-0]}"#, r#"{"a": 0, "b": [0]}"#),
            (r#"{"a": 1.50, "b": 1e5}"#, r#"{"a": 1.5, "b": 100000.0}"#),
            (
                r#"{"a": "\/", "b": "\u00E9"}"#,
                r#"{"a": "/", "b": "\u00e9"}"#,
            ),
            (r#"{"b\u0061": 1, "ba": 2}"#, r#"{"ba": 2}"#),
            (r#"{"\u00e9": 1, "z": 2}"#, r#"{"z": 2, "\u00e9": 1}"#),
            (
                r#"{"x": {"d": 1, "c": 2}, "y": 3}"#,
                r#"{"x": {"c": 2, "d": 1}, "y": 3}"#,
            ),
            // Keys sharing their first eight bytes, duplicated, unsorted.
            (
                r#"{"conversation_z": 1, "b": 0, "conversation_a": 2, "conversation_z": 3}"#,
                r#"{"b": 0, "conversation_a": 2, "conversation_z": 3}"#,
            ),
            (
                r#"{"abcdefghi": 1, "abcdefgh": 2, "abcdefghi": 3}"#,
                r#"{"abcdefgh": 2, "abcdefghi": 3}"#,
            ),
            (
                r#"{"b": 1, "a\u0062": 2, "ab": 3, "a": 4}"#,
                r#"{"a": 4, "ab": 3, "b": 1}"#,
            ),
            (r#"{"b" :1, "a": {"c":  2}}"#, r#"{"a": {"c": 2}, "b": 1}"#),
        ];
        for (text, want) in cases {
            assert_eq!(canon_tape(text), want, "{text}");
            assert_eq!(canon(text), want, "{text}");
        }
    }

    #[test]
    fn objects_past_the_insertion_sort_are_sorted_alike() {
        // Members in reverse order, every fifth key repeated later with a
        // new value and every seventh sharing its first eight bytes with
        // another: larger than the insertion sort takes.
        let mut members: Vec<String> = (0..3 * INSERTION_SORT_MAX)
            .rev()
            .map(|i| match i % 7 {
                0 => format!(r#""shared_prefix_{i:03}": {i}"#),
                _ => format!(r#""k{i:03}": {i}"#),
            })
            .collect();
        members.extend(
            (0..INSERTION_SORT_MAX)
                .step_by(5)
                .map(|i| format!(r#""k{i:03}": "last""#)),
        );
        let text = format!("{{{}}}", members.join(", "));
        assert_eq!(canon_tape(&text), canon(&text));
        assert!(canon(&text).contains(r#""k005": "last""#));
    }

    #[test]
    fn only_the_skipped_key_is_left_out_whatever_shares_its_prefix() {
        let without = |text: &str| {
            let mut tree = Vec::new();
            write_canonical_without(&parse(text).unwrap(), "_hash", &mut tree);
            let mut tape = crate::log::tape::Tape::new();
            let mut out = Vec::new();
            write_node(
                tape.parse(text).unwrap(),
                Some("_hash"),
                &mut out,
                &mut Vec::new(),
            );
            assert_eq!(out, tree, "{text}");
            String::from_utf8(out).unwrap()
        };
        assert_eq!(
            without(r#"{"_has": 1, "_hash": 2, "_hashe": 3, "_hash_x": 4, "": 5}"#),
            r#"{"": 5, "_has": 1, "_hash_x": 4, "_hashe": 3}"#
        );
        // Escaped, the key is still `_hash`; with escapes every prefix is
        // zero, as is the empty key's.
        assert_eq!(without(r#"{"\u005fhash": 2, "a": 1}"#), r#"{"a": 1}"#);
        assert_eq!(
            without(r#"{"_hash": 2, "\u00e9": 1, "": 0}"#),
            r#"{"": 0, "\u00e9": 1}"#
        );
        assert_eq!(without(r#"{"_hash": 1, "_hash": 2}"#), "{}");
    }

    fn float_repr(x: f64) -> String {
        let mut out = Vec::new();
        write_float(x, &mut out);
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn floats_print_as_python_repr() {
        let cases = [
            (1e-5, "1e-05"),
            (1e16, "1e+16"),
            (1e15, "1000000000000000.0"),
            (0.0001, "0.0001"),
            (123.0, "123.0"),
            (-0.0, "-0.0"),
            (5e-324, "5e-324"),
            (1.7976931348623157e308, "1.7976931348623157e+308"),
            (0.1 + 0.2, "0.30000000000000004"),
            (145.23, "145.23"),
            (2.5e-5, "2.5e-05"),
            (1.5e300, "1.5e+300"),
            (123456789.125, "123456789.125"),
        ];
        for (x, want) in cases {
            assert_eq!(float_repr(x), want);
        }
    }

    #[test]
    fn objects_sort_by_code_point_and_keep_the_last_duplicate() {
        assert_eq!(canon(r#"{"b":1,"a":2,"b":3}"#), r#"{"a": 2, "b": 3}"#);
        // U+FFFF sorts before U+1F600 by code point, though not by UTF-16.
        assert_eq!(
            canon("{\"\u{1F600}\":1,\"\u{ffff}\":2}"),
            r#"{"\uffff": 2, "\ud83d\ude00": 1}"#
        );
    }

    #[test]
    fn strings_escape_like_ensure_ascii() {
        assert_eq!(canon(r#""a\/b\u00E9\u007f""#), r#""a/b\u00e9\u007f""#);
        assert_eq!(canon(r#""\u001B[31m\u202E""#), r#""\u001b[31m\u202e""#);
        assert_eq!(canon("\"\u{7f}\u{e9}\u{202e}\""), r#""\u007f\u00e9\u202e""#);
        assert_eq!(canon(r#""\ud800""#), r#""\ud800""#);
    }

    #[test]
    fn numbers_keep_their_python_type() {
        assert_eq!(
            canon("[1E5, -0, -0.0, 123456789012345678901234567890, 1e400]"),
            "[100000.0, 0, -0.0, 123456789012345678901234567890, Infinity]"
        );
    }

    #[test]
    fn hex_round_trips_and_rejects_uppercase() {
        let h = sha256(b"abc");
        assert_eq!(parse_hex(&to_hex(&h)), Some(h));
        assert_eq!(parse_hex(&to_hex(&h).to_uppercase()), None);
    }

    #[test]
    fn hex_accepts_exactly_the_lowercase_digits_at_every_place() {
        let digits = to_hex(&sha256(b"every place"));
        for place in 0..64 {
            for byte in 0..=0x7fu8 {
                let mut text = digits.clone().into_bytes();
                text[place] = byte;
                let text = String::from_utf8(text).unwrap();
                let digit = byte.is_ascii_digit() || (b'a'..=b'f').contains(&byte);
                let parsed = parse_hex(&text);
                assert_eq!(parsed.is_some(), digit, "{text}");
                if let Some(hash) = parsed {
                    assert_eq!(to_hex(&hash), text);
                }
            }
        }
        let accented = format!("\u{e9}{}", &digits[2..]);
        assert_eq!((accented.len(), parse_hex(&accented)), (64, None));
        assert_eq!(parse_hex(&digits[1..]), None);
    }
}
