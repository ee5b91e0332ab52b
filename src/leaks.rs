//! Leak scanning: values that the lesson's sanitisation should have removed
//! from a log but did not.
//!
//! The lesson hashes PII (`patient_name`, `ssn`, `date_of_birth`, `address`,
//! `phone` become `sha256:<16 hex>`) and redacts sensitive keys (`password`,
//! `token`, `api_key`, `secret`, `credit_card`, `ssn`, `authorization`
//! become `***REDACTED***`), but only where the key matches exactly and only
//! in arguments: a card number under `card_number`, an e-mail address in a
//! free-text note or a bearer token in an error message slip through. This
//! module walks every string of every line and reports such values by file,
//! line and JSON path, with a masked form that never contains the secret.
//!
//! (Not to be confused with [`crate::log::pass`], the verification pass.)

use crate::log::entry::parse_line;
use crate::log::json::Value;
use crate::log::source::Source;
use rayon::prelude::*;
use serde::Serialize;
use std::ops::Range;

/// What a leak looks like.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// A PII field the lesson hashes, not hashed.
    PiiField,
    /// A key the lesson redacts, not redacted.
    SensitiveKey,
    /// `###-##-####` in any string.
    Ssn,
    /// 13 to 19 digits passing the Luhn check.
    CardNumber,
    Email,
    BearerToken,
    /// Vendor key prefixes (`sk-`, `AKIA`, `ghp_`, ...) or long random tokens.
    ApiKey,
}

impl Kind {
    pub const ALL: [Kind; 7] = [
        Kind::PiiField,
        Kind::SensitiveKey,
        Kind::Ssn,
        Kind::CardNumber,
        Kind::Email,
        Kind::BearerToken,
        Kind::ApiKey,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Kind::PiiField => "pii_field",
            Kind::SensitiveKey => "sensitive_key",
            Kind::Ssn => "ssn",
            Kind::CardNumber => "card_number",
            Kind::Email => "email",
            Kind::BearerToken => "bearer_token",
            Kind::ApiKey => "api_key",
        }
    }
}

/// One leaked value inside one JSON document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Hit {
    /// Where in the document, e.g. `$.arguments.patient.ssn`; `$["a b"]`
    /// for keys that are not identifiers (quoted as ASCII-only JSON).
    pub path: String,
    pub kind: Kind,
    /// Enough to recognise the value (`***-**-6789`, `j***@example.com`,
    /// `sk-…(40 chars)`), never the value itself.
    pub masked: String,
}

/// A hit with its place in the sources.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Leak {
    pub file: String,
    pub line: usize,
    #[serde(flatten)]
    pub hit: Hit,
}

/// Everything one scan found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Report {
    pub files: Vec<String>,
    /// Non-blank lines read.
    pub lines: usize,
    /// In file and line order, then path order within a line.
    pub leaks: Vec<Leak>,
}

/// The path given to hits in a line that is not JSON: its text is still
/// searched, since a half-written line can leak as much as a whole one.
pub const UNPARSED_PATH: &str = "(not JSON)";

const REDACTED: &str = "***REDACTED***";

/// Scan every line of every source, both cores at once.
pub fn scan_sources(sources: &[Source]) -> Report {
    let mut lines = 0;
    let mut leaks = Vec::new();
    for source in sources {
        let all: Vec<_> = source
            .lines()
            .filter(|l| !l.bytes.iter().all(u8::is_ascii_whitespace))
            .collect();
        lines += all.len();
        let hits: Vec<(usize, Vec<Hit>)> = all
            .par_iter()
            .map(|l| (l.number, scan_line(l.bytes)))
            .collect();
        for (line, hits) in hits {
            leaks.extend(hits.into_iter().map(|hit| Leak {
                file: source.name.clone(),
                line,
                hit,
            }));
        }
    }
    Report {
        files: sources.iter().map(|s| s.name.clone()).collect(),
        lines,
        leaks,
    }
}

/// Scan one log line: its JSON when it parses, else its raw text.
pub fn scan_line(bytes: &[u8]) -> Vec<Hit> {
    match parse_line(bytes) {
        Ok(entry) => scan_value(&entry.value),
        Err(_) => find_in_text(&String::from_utf8_lossy(bytes))
            .into_iter()
            .map(|(kind, masked)| Hit {
                path: UNPARSED_PATH.into(),
                kind,
                masked,
            })
            .collect(),
    }
}

/// Scan one JSON document, every member at every depth.
pub fn scan_value(value: &Value<'_>) -> Vec<Hit> {
    let mut walker = Walker {
        path: "$".into(),
        hits: Vec::new(),
    };
    walker.walk(value, None);
    walker.hits
}

struct Walker {
    path: String,
    hits: Vec<Hit>,
}

impl Walker {
    /// `under` is the kind of the nearest enclosing key the lesson would
    /// have sanitised: its whole value (objects included) should be gone.
    fn walk(&mut self, value: &Value<'_>, under: Option<Kind>) {
        match value {
            Value::Object(members) => {
                for (key, member) in members {
                    let key = key.decode();
                    let class = classify_key(&key);
                    if class == KeyClass::Hash {
                        continue;
                    }
                    let len = self.path.len();
                    push_key(&mut self.path, &key);
                    let kind = match class {
                        KeyClass::Pii => Some(Kind::PiiField),
                        KeyClass::Sensitive => Some(Kind::SensitiveKey),
                        _ => under,
                    };
                    self.walk(member, kind);
                    self.path.truncate(len);
                }
            }
            Value::Array(items) => {
                for (i, item) in items.iter().enumerate() {
                    let len = self.path.len();
                    self.path.push_str(&format!("[{i}]"));
                    self.walk(item, under);
                    self.path.truncate(len);
                }
            }
            Value::Str(s) => self.scalar(&s.decode(), under, "chars"),
            // A card or an SSN may be logged as a bare number.
            Value::Int(digits) => self.scalar(digits, under, "digits"),
            // Floats cannot hold 13+ digits exactly; null and booleans hold nothing.
            Value::Float(_) | Value::Bool(_) | Value::Null => {}
        }
    }

    fn scalar(&mut self, text: &str, under: Option<Kind>, unit: &str) {
        let spans = find_spans(text);
        match under {
            None => {
                for (_, kind, masked) in spans {
                    self.push(kind, masked);
                }
            }
            Some(_) if is_sanitised(text) => {}
            Some(kind) => {
                // Keep a shape's mask when the shape is the whole value.
                let masked = match spans.as_slice() {
                    [(span, _, masked)] if *span == (0..text.len()) => masked.clone(),
                    _ => format!("***({} {unit})", text.chars().count()),
                };
                self.push(kind, masked);
            }
        }
    }

    fn push(&mut self, kind: Kind, masked: String) {
        self.hits.push(Hit {
            path: self.path.clone(),
            kind,
            masked,
        });
    }
}

/// The values the lesson writes in place of PII and secrets, and nothing.
fn is_sanitised(text: &str) -> bool {
    text.is_empty() || text == REDACTED || is_pii_hash(text)
}

/// `sha256:` and 16 lowercase hex digits (the lesson's `hash_pii`), or all 64.
fn is_pii_hash(text: &str) -> bool {
    text.strip_prefix("sha256:").is_some_and(|hex| {
        matches!(hex.len(), 16 | 64) && hex.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
    })
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum KeyClass {
    /// Hash-chain fields: hex digests, never a secret.
    Hash,
    Pii,
    Sensitive,
    Plain,
}

/// Keys compare as the lesson's would after ignoring case and separators,
/// so `patientName`, `API-Key` and `Date_Of_Birth` count too.
fn classify_key(key: &str) -> KeyClass {
    let norm: String = key
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect();
    const PII: [&str; 5] = ["patientname", "ssn", "dateofbirth", "address", "phone"];
    // Compound names (`access_token`, `client_secret`, `db_password`,
    // `x-api-key`) hold the same secrets as the lesson's bare keys.
    const SENSITIVE_SUFFIXES: [&str; 6] = [
        "password",
        "token",
        "apikey",
        "secret",
        "creditcard",
        "authorization",
    ];
    if norm.ends_with("hash") {
        KeyClass::Hash
    } else if PII.contains(&norm.as_str()) {
        KeyClass::Pii
    } else if SENSITIVE_SUFFIXES.iter().any(|s| norm.ends_with(s)) {
        KeyClass::Sensitive
    } else {
        KeyClass::Plain
    }
}

/// Append `.key`, or `["key"]` when the key is not an identifier.
fn push_key(path: &mut String, key: &str) {
    let identifier = key
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    if identifier {
        path.push('.');
        path.push_str(key);
    } else {
        path.push('[');
        path.push_str(&ensure_ascii(&serde_json::Value::from(key).to_string()));
        path.push(']');
    }
}

/// JSON text with every character outside printable ASCII written as
/// `\uXXXX` (Python's `ensure_ascii`, and DEL too): still the same JSON,
/// but nothing in it can reorder, hide or control what a terminal shows.
/// Only valid on JSON text, where such characters occur only in strings.
pub fn ensure_ascii(json: &str) -> String {
    let mut out = String::with_capacity(json.len());
    for c in json.chars() {
        if (' '..='~').contains(&c) || matches!(c, '\n' | '\r' | '\t') {
            out.push(c);
        } else {
            let mut units = [0u16; 2];
            for unit in c.encode_utf16(&mut units) {
                out.push_str(&format!("\\u{unit:04x}"));
            }
        }
    }
    out
}

/// Every leak shape in a free-form string, masked, in text order.
pub fn find_in_text(text: &str) -> Vec<(Kind, String)> {
    find_spans(text)
        .into_iter()
        .map(|(_, kind, masked)| (kind, masked))
        .collect()
}

type Span = (Range<usize>, Kind, String);

/// The matchers run from the most specific to the most general; a match
/// overlapping an earlier one is the same secret seen again and dropped
/// (the token after `Bearer` is not also an API key).
fn find_spans(text: &str) -> Vec<Span> {
    let mut kept: Vec<Span> = Vec::new();
    let matchers: [fn(&str) -> Vec<Span>; 5] =
        [bearer_tokens, api_keys, emails, card_numbers, ssns];
    for matcher in matchers {
        for span in matcher(text) {
            if !kept
                .iter()
                .any(|k| k.0.start < span.0.end && span.0.start < k.0.end)
            {
                kept.push(span);
            }
        }
    }
    kept.sort_by_key(|s| s.0.start);
    kept
}

/// Whether the byte before `at` (if any) ends a word that `at` continues.
fn joined_before(bytes: &[u8], at: usize, also: &[u8]) -> bool {
    at > 0 && (bytes[at - 1].is_ascii_alphanumeric() || also.contains(&bytes[at - 1]))
}

fn joined_after(bytes: &[u8], end: usize, also: &[u8]) -> bool {
    bytes
        .get(end)
        .is_some_and(|b| b.is_ascii_alphanumeric() || also.contains(b))
}

/// `###-##-####` standing alone, within the ranges the SSA ever issues
/// (no area 000, 666 or 9xx, no group 00, no serial 0000), so that order
/// numbers and dates of the same shape are not taken for one.
fn ssns(text: &str) -> Vec<Span> {
    let bytes = text.as_bytes();
    let mut found = Vec::new();
    for start in 0..bytes.len().saturating_sub(10) {
        let candidate = &bytes[start..start + 11];
        let shaped = candidate.iter().enumerate().all(|(i, &b)| match i {
            3 | 6 => b == b'-',
            _ => b.is_ascii_digit(),
        });
        if !shaped || joined_before(bytes, start, b"-") || joined_after(bytes, start + 11, b"-") {
            continue;
        }
        let (area, group, serial) = (
            &text[start..start + 3],
            &text[start + 4..start + 6],
            &text[start + 7..start + 11],
        );
        if area == "000"
            || area == "666"
            || area.starts_with('9')
            || group == "00"
            || serial == "0000"
        {
            continue;
        }
        found.push((start..start + 11, Kind::Ssn, format!("***-**-{serial}")));
    }
    found
}

/// Runs of 13 to 19 digits, optionally grouped by single spaces or dashes,
/// that start like a card network's numbers (2 to 6) and pass Luhn.
fn card_numbers(text: &str) -> Vec<Span> {
    let bytes = text.as_bytes();
    let mut found = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        // After a '.', digits are the fraction of a decimal number.
        if !bytes[i].is_ascii_digit() || joined_before(bytes, i, b".") {
            i += 1;
            continue;
        }
        let start = i;
        let mut digits = Vec::new();
        let mut end = i;
        while end < bytes.len() {
            match bytes[end] {
                b @ b'0'..=b'9' => {
                    digits.push(b - b'0');
                    end += 1;
                }
                b' ' | b'-' if bytes.get(end + 1).is_some_and(u8::is_ascii_digit) => end += 1,
                _ => break,
            }
        }
        i = end.max(start + 1);
        if joined_after(bytes, end, b"") || !(13..=19).contains(&digits.len()) {
            continue;
        }
        if (2..=6).contains(&digits[0]) && luhn(&digits) {
            let last4: String = digits[digits.len() - 4..]
                .iter()
                .map(|d| char::from(b'0' + d))
                .collect();
            let masked = format!("{}{last4}", "*".repeat(digits.len() - 4));
            found.push((start..end, Kind::CardNumber, masked));
        }
    }
    found
}

/// The Luhn checksum every payment card number satisfies.
pub fn luhn(digits: &[u8]) -> bool {
    let sum: u32 = digits
        .iter()
        .rev()
        .enumerate()
        .map(|(i, &d)| {
            let d = u32::from(d);
            if i % 2 == 1 {
                if d * 2 > 9 { d * 2 - 9 } else { d * 2 }
            } else {
                d
            }
        })
        .sum();
    sum.is_multiple_of(10)
}

/// `local@domain.tld` with an alphabetic top-level domain.
fn emails(text: &str) -> Vec<Span> {
    let bytes = text.as_bytes();
    let is_local = |b: u8| b.is_ascii_alphanumeric() || b"._%+-".contains(&b);
    let is_domain = |b: u8| b.is_ascii_alphanumeric() || b".-".contains(&b);
    let mut found = Vec::new();
    for at in memchr::memchr_iter(b'@', bytes) {
        let start = (0..at)
            .rev()
            .take_while(|&i| is_local(bytes[i]))
            .last()
            .unwrap_or(at);
        let mut end = (at + 1..bytes.len())
            .take_while(|&i| is_domain(bytes[i]))
            .last()
            .map_or(at + 1, |i| i + 1);
        while end > at + 1 && bytes[end - 1] == b'.' {
            end -= 1;
        }
        let (local, domain) = (&text[start..at], &text[at + 1..end]);
        let labels: Vec<&str> = domain.split('.').collect();
        let tld = labels.last().copied().unwrap_or_default();
        let valid = !local.is_empty()
            && labels.len() >= 2
            && labels.iter().all(|l| !l.is_empty())
            && tld.len() >= 2
            && tld.bytes().all(|b| b.is_ascii_alphabetic());
        if valid {
            let first = local.chars().next().unwrap_or('*');
            found.push((start..end, Kind::Email, format!("{first}***@{domain}")));
        }
    }
    found
}

/// Characters of the tokens in `Authorization: Bearer <token>` (RFC 6750).
fn is_token68(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"-._~+/=".contains(&b)
}

/// `Bearer <token>` where the token looks generated: 16+ characters with
/// letters and digits (so that `Bearer authentication` is not one).
fn bearer_tokens(text: &str) -> Vec<Span> {
    let bytes = text.as_bytes();
    let lower = text.to_ascii_lowercase();
    let mut found = Vec::new();
    for at in memchr::memmem::find_iter(lower.as_bytes(), b"bearer ") {
        if joined_before(bytes, at, b"") {
            continue;
        }
        let token_start = (at + 6..bytes.len())
            .find(|&i| bytes[i] != b' ')
            .unwrap_or(bytes.len());
        let token_end = (token_start..bytes.len())
            .find(|&i| !is_token68(bytes[i]))
            .unwrap_or(bytes.len());
        let token = &bytes[token_start..token_end];
        if token.len() >= 16
            && token.iter().any(u8::is_ascii_digit)
            && token.iter().any(u8::is_ascii_alphabetic)
        {
            let masked = format!("{} …({} chars)", &text[at..at + 6], token.len());
            found.push((at..token_end, Kind::BearerToken, masked));
        }
    }
    found
}

/// Published key formats: the prefix and the shortest rest that counts.
const KEY_PREFIXES: [(&str, usize); 14] = [
    ("sk-", 20),      // OpenAI, Anthropic (sk-ant-), project keys (sk-proj-)
    ("sk_live_", 16), // Stripe secret keys
    ("sk_test_", 16),
    ("rk_live_", 16), // Stripe restricted keys
    ("AKIA", 16),     // AWS access key ids
    ("ASIA", 16),     // AWS temporary access key ids
    ("ghp_", 30),     // GitHub personal, OAuth, user, server and refresh tokens
    ("gho_", 30),
    ("ghu_", 30),
    ("ghs_", 30),
    ("ghr_", 30),
    ("github_pat_", 20),
    ("glpat-", 20), // GitLab
    ("AIza", 30),   // Google API keys
];

/// Word runs (`[A-Za-z0-9_-]`) that carry a vendor's key prefix, or that
/// look random: 32+ characters mixing upper case, lower case and digits,
/// switching often between them, with high entropy. Hex digests (no upper
/// case), UUIDs and long identifiers are not.
fn api_keys(text: &str) -> Vec<Span> {
    let bytes = text.as_bytes();
    let is_word = |b: u8| b.is_ascii_alphanumeric() || b == b'_' || b == b'-';
    let mut found = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if !is_word(bytes[i]) {
            i += 1;
            continue;
        }
        let start = i;
        while i < bytes.len() && is_word(bytes[i]) {
            i += 1;
        }
        let run = &text[start..i];
        let vendor = KEY_PREFIXES
            .iter()
            .find(|(prefix, rest)| run.starts_with(prefix) && run.len() >= prefix.len() + rest)
            .map(|(prefix, _)| *prefix);
        let masked = match vendor {
            Some(prefix) => format!("{prefix}…({} chars)", run.len()),
            None if looks_random(run) => format!("…({} chars)", run.len()),
            None => continue,
        };
        found.push((start..i, Kind::ApiKey, masked));
    }
    found
}

/// Random tokens switch between upper case, lower case and digits at about
/// 60% of positions; identifiers made of words (`ReviewAccess2024Report`)
/// at well under 40%, though their entropy can be as high.
fn looks_random(run: &str) -> bool {
    let b = run.as_bytes();
    let class = |c: u8| {
        (
            c.is_ascii_uppercase(),
            c.is_ascii_lowercase(),
            c.is_ascii_digit(),
        )
    };
    let switches = b.windows(2).filter(|w| class(w[0]) != class(w[1])).count();
    b.len() >= 32
        && b.iter().any(u8::is_ascii_uppercase)
        && b.iter().any(u8::is_ascii_lowercase)
        && b.iter().any(u8::is_ascii_digit)
        && switches * 10 >= (b.len() - 1) * 4
        && entropy_bits_per_char(b) >= 4.0
}

/// Shannon entropy of the byte distribution: 4.5 to 5 bits for 32+ random
/// base62 characters, lower for repetitive strings.
fn entropy_bits_per_char(bytes: &[u8]) -> f64 {
    let mut counts = [0u32; 256];
    for &b in bytes {
        counts[usize::from(b)] += 1;
    }
    let n = bytes.len() as f64;
    counts
        .iter()
        .filter(|&&c| c > 0)
        .map(|&c| {
            let p = f64::from(c) / n;
            -p * p.log2()
        })
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::log::json::parse;

    fn kinds(text: &str) -> Vec<(Kind, String)> {
        find_in_text(text)
    }

    #[test]
    fn luhn_accepts_test_cards_and_rejects_a_changed_digit() {
        let digits = |s: &str| s.bytes().map(|b| b - b'0').collect::<Vec<_>>();
        assert!(luhn(&digits("4111111111111111")));
        assert!(luhn(&digits("5555555555554444")));
        assert!(luhn(&digits("378282246310005")));
        assert!(!luhn(&digits("4111111111111112")));
    }

    #[test]
    fn card_numbers_are_found_grouped_or_not_and_masked_to_the_last_four() {
        assert_eq!(
            kinds("card 4111 1111 1111 1111 on file"),
            vec![(Kind::CardNumber, "************1111".into())]
        );
        assert_eq!(kinds("5555-5555-5555-4444")[0].1, "************4444");
        for miss in [
            "4111111111111112",        // fails Luhn
            "1751810581123456",        // a timestamp in microseconds: no network starts with 1
            "x4111111111111111",       // part of a word
            "41111111111111111111111", // too long
            "4111  1111 1111 1111",    // two spaces: not one grouped number
            "0.4111111111111111",      // the fraction of a decimal number
        ] {
            assert_eq!(kinds(miss), vec![], "{miss}");
        }
    }

    #[test]
    fn ssns_must_stand_alone_and_be_issuable() {
        assert_eq!(
            kinds("ssn 123-45-6789."),
            vec![(Kind::Ssn, "***-**-6789".into())]
        );
        for miss in [
            "ORD-123-45-6789",
            "123-45-67890",
            "000-12-3456",
            "900-12-3456",
            "123-00-4567",
            "2025-07-06",
        ] {
            assert_eq!(kinds(miss), vec![], "{miss}");
        }
    }

    #[test]
    fn emails_keep_the_first_letter_and_the_domain() {
        assert_eq!(
            kinds("mail jane.doe+x@mail.example.com."),
            vec![(Kind::Email, "j***@mail.example.com".into())]
        );
        for miss in ["user@localhost", "@example.com", "a@b.c1", "price @ 5.00"] {
            assert_eq!(kinds(miss), vec![], "{miss}");
        }
    }

    #[test]
    fn bearer_tokens_are_found_once_not_also_as_api_keys() {
        assert_eq!(
            kinds("Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.sig"),
            vec![(Kind::BearerToken, "Bearer …(52 chars)".into())]
        );
        for miss in [
            "Bearer ***REDACTED***",
            "Bearer authentication required",
            "unbearer 0123456789abcdefgh",
        ] {
            assert_eq!(kinds(miss), vec![], "{miss}");
        }
    }

    #[test]
    fn api_keys_by_vendor_prefix_or_randomness() {
        assert_eq!(
            kinds("key sk-proj-AbCdEf0123456789AbCdEf0123456789 used"),
            vec![(Kind::ApiKey, "sk-…(40 chars)".into())]
        );
        assert_eq!(kinds("AKIAIOSFODNN7EXAMPLE")[0].1, "AKIA…(20 chars)");
        assert_eq!(
            kinds("ghp_0123456789abcdefghijABCDEFGHIJ012345")[0].1,
            "ghp_…(40 chars)"
        );
        assert_eq!(
            kinds("x Zq8Vb3Kx9Lm2Np7Rt4Wy6Ac1Df5Gh0Jk end")[0].1,
            "…(32 chars)"
        );
        for miss in [
            "279d549f3ed483a90048a64ba9ac0ce62af7eb2815fc69a96b255b3e2b306e1f",
            "550E8400-E29B-41D4-A716-446655440000",
            "ReviewEmergencyAccessForPatient2024Quarterly",
            "ClinicalAssistIPadIOS18Version5Build2024x",
            "sk-short",
            "task-manager-risk-assessment-2024",
        ] {
            assert_eq!(kinds(miss), vec![], "{miss}");
        }
    }

    #[test]
    fn sensitive_and_pii_keys_must_hold_the_lessons_sanitised_forms() {
        let doc = parse(
            r#"{"arguments": {"Password": "hunter2", "token": "***REDACTED***", "patient": {"ssn": "123-45-6789", "patient_name": "sha256:3602dfe8a3d76dc3"}, "access_token": 12345, "credit_card": {"number": "x", "exp": ""}, "secret": null, "max_tokens": 100, "entry_hash": "Bearer 0123456789abcdefABCDEF"}}"#,
        )
        .unwrap();
        let hits: Vec<_> = scan_value(&doc)
            .into_iter()
            .map(|h| (h.path, h.kind, h.masked))
            .collect();
        assert_eq!(
            hits,
            vec![
                (
                    "$.arguments.Password".into(),
                    Kind::SensitiveKey,
                    "***(7 chars)".into()
                ),
                (
                    "$.arguments.patient.ssn".into(),
                    Kind::PiiField,
                    "***-**-6789".into()
                ),
                (
                    "$.arguments.access_token".into(),
                    Kind::SensitiveKey,
                    "***(5 digits)".into()
                ),
                (
                    "$.arguments.credit_card.number".into(),
                    Kind::SensitiveKey,
                    "***(1 chars)".into()
                ),
            ]
        );
    }

    #[test]
    fn paths_quote_keys_that_are_not_identifiers_in_ascii() {
        let doc = parse(r#"{"a b": [{"\u202e": "j@example.org"}]}"#).unwrap();
        assert_eq!(scan_value(&doc)[0].path, r#"$["a b"][0]["\u202e"]"#);
    }

    #[test]
    fn lines_that_are_not_json_are_still_searched() {
        let hits = scan_line(br#"{"note": "mail bob@example.org"#);
        assert_eq!(hits[0].path, UNPARSED_PATH);
        assert_eq!(hits[0].kind, Kind::Email);
    }

    #[test]
    fn ensure_ascii_escapes_everything_a_terminal_could_act_on() {
        assert_eq!(
            ensure_ascii("\"a\u{7f}\u{202e}😀\""),
            r#""a\u007f\u202e\ud83d\ude00""#
        );
    }
}
