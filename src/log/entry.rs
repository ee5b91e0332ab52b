//! One log line: its JSON, its hash scheme and seal, and the fields the
//! store indexes. Pure and allocation-light so lines can be analysed in
//! parallel.

use super::canonical::{parse_hex, sha256, write_canonical, write_canonical_without};
use super::json::{self, Str, Value};
use std::borrow::Cow;

/// Longest line read as an entry. Real entries are summaries of a few KB;
/// a longer line is reported instead of parsed, so memory stays bounded.
pub const MAX_LINE_BYTES: usize = 16 << 20;

/// How a log protects its entries (DESIGN.md, "Log formats").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Scheme {
    /// `_hash`/`_previous_hash` over the whole entry.
    Chain,
    /// `entry_hash`/`previous_hash` over five fields only: weak.
    Hipaa,
    /// No hashes at all: unchained.
    Plain,
}

impl Scheme {
    pub fn name(self) -> &'static str {
        match self {
            Scheme::Chain => "chain",
            Scheme::Hipaa => "hipaa",
            Scheme::Plain => "plain",
        }
    }

    /// Key names of (own hash, previous hash).
    pub fn hash_keys(self) -> Option<(&'static str, &'static str)> {
        match self {
            Scheme::Chain => Some(("_hash", "_previous_hash")),
            Scheme::Hipaa => Some(("entry_hash", "previous_hash")),
            Scheme::Plain => None,
        }
    }
}

/// The fields the hipaa scheme hashes, in the lesson's order.
pub const HIPAA_HASHED_FIELDS: [&str; 5] = [
    "timestamp",
    "user_id",
    "tool_name",
    "patient_id",
    "previous_hash",
];

/// What an entry says about its place in the chain.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Seal {
    pub scheme: Scheme,
    /// The stored own hash, if it is a hash `hexdigest()` could have written.
    pub stored: Option<[u8; 32]>,
    pub previous: Previous,
    /// The hash recomputed from the entry's content.
    pub computed: [u8; 32],
}

/// The stored previous-hash value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Previous {
    Genesis,
    Hash([u8; 32]),
    /// Neither `genesis` nor a lowercase hex hash: links to nothing.
    Invalid,
}

/// A line that is not an entry, with the reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineError(pub String);

/// A parsed entry line.
pub struct Entry<'a> {
    pub value: Value<'a>,
}

/// Parse one line (without its newline) as an entry object. Accepts a
/// Python `logging` prefix such as `INFO:tool_audit:` before the object.
pub fn parse_line(bytes: &[u8]) -> Result<Entry<'_>, LineError> {
    if bytes.len() > MAX_LINE_BYTES {
        return Err(LineError(format!(
            "line of {} bytes is longer than the {} MiB an entry may have; not read",
            bytes.len(),
            MAX_LINE_BYTES >> 20
        )));
    }
    let text = std::str::from_utf8(bytes)
        .map_err(|e| LineError(format!("invalid UTF-8 at byte {}", e.valid_up_to() + 1)))?;
    if text.trim_matches([' ', '\t', '\r', '\n']).is_empty() {
        return Err(LineError("blank line".into()));
    }
    let json_text = strip_logging_prefix(text);
    let value = json::parse(json_text).map_err(|e| {
        let offset = e.offset + (text.len() - json_text.len());
        LineError(format!("not JSON: {} at byte {}", e.message, offset + 1))
    })?;
    if !matches!(value, Value::Object(_)) {
        return Err(LineError("not a JSON object".into()));
    }
    Ok(Entry { value })
}

/// `LEVEL:logger:{...}` as Python's default logging format writes it.
fn strip_logging_prefix(text: &str) -> &str {
    let trimmed = text.trim_start_matches([' ', '\t']);
    if trimmed.starts_with('{') {
        return text;
    }
    match trimmed.find(":{") {
        Some(i)
            if trimmed[..i]
                .bytes()
                .all(|b| b.is_ascii_graphic() && b != b'"' && b != b'{') =>
        {
            &trimmed[i + 1..]
        }
        _ => text,
    }
}

impl<'a> Entry<'a> {
    /// The scheme this entry's keys announce.
    pub fn scheme(&self) -> Scheme {
        let has = |k| self.value.get(k).is_some();
        if has("_hash") || has("_previous_hash") {
            Scheme::Chain
        } else if has("entry_hash") || has("previous_hash") {
            Scheme::Hipaa
        } else {
            Scheme::Plain
        }
    }

    /// Recompute this entry's hash and read its stored links. `scratch` is
    /// reused between calls to avoid an allocation per line.
    pub fn seal(&self, scratch: &mut Vec<u8>) -> Result<Option<Seal>, LineError> {
        let scheme = self.scheme();
        let Some((own_key, previous_key)) = scheme.hash_keys() else {
            return Ok(None);
        };
        let own = self.value.get(own_key).ok_or_else(|| missing(own_key))?;
        let previous = self
            .value
            .get(previous_key)
            .ok_or_else(|| missing(previous_key))?;
        scratch.clear();
        match scheme {
            Scheme::Chain => write_canonical_without(&self.value, "_hash", scratch),
            _ => self.write_hipaa_hashed(scratch)?,
        }
        Ok(Some(Seal {
            scheme,
            stored: own
                .as_str()
                .filter(|s| !s.raw().contains('\\'))
                .and_then(|s| parse_hex(s.raw())),
            previous: read_previous(previous),
            computed: sha256(scratch),
        }))
    }

    /// `json.dumps({five fields}, sort_keys=True)`: the keys are fixed and
    /// already sorted here.
    fn write_hipaa_hashed(&self, out: &mut Vec<u8>) -> Result<(), LineError> {
        let mut sorted = HIPAA_HASHED_FIELDS;
        sorted.sort_unstable();
        out.push(b'{');
        for (i, key) in sorted.iter().enumerate() {
            let value = self.value.get(key).ok_or_else(|| missing(key))?;
            if i > 0 {
                out.extend_from_slice(b", ");
            }
            out.push(b'"');
            out.extend_from_slice(key.as_bytes());
            out.extend_from_slice(b"\": ");
            write_canonical(value, out);
        }
        out.push(b'}');
        Ok(())
    }

    /// The fields the store indexes, wherever this schema keeps them.
    pub fn fields(&self) -> Fields<'a> {
        let v = &self.value;
        let meta = v.get("session_metadata");
        let args = v.get("arguments").or_else(|| v.get("arguments_sanitized"));
        let from_meta = |k: &str| meta.and_then(|m| m.get(k)).and_then(text);
        let result = v.get("result_summary");
        Fields {
            timestamp: v.get("timestamp").and_then(Value::as_str),
            user: v.get("user_id").and_then(text),
            patient: v
                .get("patient_id")
                .or_else(|| args.and_then(|a| a.get("patient_id")))
                .and_then(text),
            tool: v.get("tool_name").and_then(text),
            conversation: v.get("conversation_id").and_then(text),
            model: v.get("model").and_then(text),
            role: v
                .get("user_role")
                .and_then(text)
                .or_else(|| from_meta("user_role")),
            purpose: v
                .get("purpose")
                .and_then(text)
                .or_else(|| from_meta("access_purpose"))
                .or_else(|| from_meta("purpose"))
                .or_else(|| args.and_then(|a| a.get("purpose")).and_then(text)),
            trigger: from_meta("call_trigger").or_else(|| v.get("call_trigger").and_then(text)),
            ip: from_meta("client_ip"),
            success: match v.get("success") {
                Some(Value::Bool(b)) => Some(*b),
                _ => None,
            },
            duration_ms: v.get("duration_ms").and_then(Value::as_f64),
            turn: v.get("turn_number").and_then(|t| match t {
                Value::Int(s) => s.parse().ok(),
                _ => None,
            }),
            error: result.and_then(|r| r.get("error")).and_then(text),
        }
    }
}

/// The indexed fields of one entry; `None` where the entry has no such field.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Fields<'a> {
    pub timestamp: Option<Str<'a>>,
    pub user: Option<Cow<'a, str>>,
    pub patient: Option<Cow<'a, str>>,
    pub tool: Option<Cow<'a, str>>,
    pub conversation: Option<Cow<'a, str>>,
    pub model: Option<Cow<'a, str>>,
    pub role: Option<Cow<'a, str>>,
    pub purpose: Option<Cow<'a, str>>,
    pub trigger: Option<Cow<'a, str>>,
    pub ip: Option<Cow<'a, str>>,
    pub success: Option<bool>,
    pub duration_ms: Option<f64>,
    pub turn: Option<i64>,
    pub error: Option<Cow<'a, str>>,
}

/// Text of a string or integer value (ids are sometimes numbers).
fn text<'a>(value: &Value<'a>) -> Option<Cow<'a, str>> {
    match value {
        Value::Str(s) => Some(s.decode()),
        Value::Int(i) => Some(Cow::Borrowed(i)),
        _ => None,
    }
}

fn read_previous(value: &Value<'_>) -> Previous {
    match value.as_str() {
        Some(s) if s.eq_str("genesis") => Previous::Genesis,
        Some(s) if !s.raw().contains('\\') => {
            parse_hex(s.raw()).map_or(Previous::Invalid, Previous::Hash)
        }
        _ => Previous::Invalid,
    }
}

fn missing(key: &str) -> LineError {
    LineError(format!("missing \"{key}\" key"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn logging_prefixes_are_accepted() {
        let entry = parse_line(br#"INFO:tool_audit:{"tool_name": "x"}"#).unwrap();
        assert_eq!(entry.fields().tool.as_deref(), Some("x"));
    }

    #[test]
    fn chain_entries_without_a_previous_hash_are_reported() {
        let entry = parse_line(br#"{"_hash": "ab"}"#).unwrap();
        assert_eq!(
            entry.seal(&mut Vec::new()),
            Err(LineError("missing \"_previous_hash\" key".into()))
        );
    }

    #[test]
    fn bad_lines_say_why() {
        assert_eq!(parse_line(b"  \r").err().unwrap().0, "blank line");
        assert_eq!(
            parse_line(b"{\"a\": \"\xff\"}").err().unwrap().0,
            "invalid UTF-8 at byte 8"
        );
        assert_eq!(parse_line(b"[1]").err().unwrap().0, "not a JSON object");
        assert!(
            parse_line(b"{\"a\": 1")
                .err()
                .unwrap()
                .0
                .starts_with("not JSON: expected ',' or '}'")
        );
    }

    #[test]
    fn fields_come_from_either_schema() {
        let chain = parse_line(
            br#"{"user_id": "u1", "tool_name": "t", "arguments": {"patient_id": "P-1"}, "session_metadata": {"user_role": "nurse", "client_ip": "10.0.0.1", "call_trigger": "retry"}, "success": false, "result_summary": {"error": "boom"}, "duration_ms": 12.5, "turn_number": 3}"#,
        )
        .unwrap();
        let f = chain.fields();
        assert_eq!(
            (
                f.user.as_deref(),
                f.patient.as_deref(),
                f.role.as_deref(),
                f.trigger.as_deref(),
                f.ip.as_deref()
            ),
            (
                Some("u1"),
                Some("P-1"),
                Some("nurse"),
                Some("retry"),
                Some("10.0.0.1")
            )
        );
        assert_eq!(
            (f.success, f.duration_ms, f.turn, f.error.as_deref()),
            (Some(false), Some(12.5), Some(3), Some("boom"))
        );
        let hipaa =
            parse_line(br#"{"user_role": "doctor", "patient_id": "P-7", "purpose": "treatment"}"#)
                .unwrap();
        let f = hipaa.fields();
        assert_eq!(
            (
                f.role.as_deref(),
                f.patient.as_deref(),
                f.purpose.as_deref()
            ),
            (Some("doctor"), Some("P-7"), Some("treatment"))
        );
    }
}
