//! A conversation's tool calls in log order, in the lesson's
//! `conversation_timeline` line format, and the attribution chain of an entry
//! (the lesson's `AttributionChain.summary`).

use super::{field_text, rows_with, timestamp_text};
use crate::filter::Field;
use crate::log::canonical::{write_dumps, write_float};
use crate::log::json::Value;
use crate::store::store::Outcome;
use crate::store::{RowKey, Rows, Store};
use serde::Serialize;

/// One call of a conversation.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TimelineEntry {
    pub row: u32,
    /// Which entry, for finding it again through the backend.
    #[serde(skip)]
    pub key: RowKey,
    /// As logged.
    pub timestamp: Option<String>,
    pub turn: Option<i32>,
    pub success: Option<bool>,
    pub tool: Option<String>,
    /// Python's `json.dumps(arguments)`: member order as logged.
    pub arguments: String,
    /// Python's `json.dumps(result_summary)`.
    pub result_summary: String,
    pub duration_ms: Option<f64>,
    /// `User u (role) → model → tool [trigger]`.
    pub attribution: String,
    /// The lesson's line: `[Turn n] ✅ tool({args}) → {result} [12.5ms]`.
    pub line: String,
}

/// The calls of `conversation` among `rows`, in log order.
pub fn timeline<'a>(store: &Store, rows: impl Rows<'a>, conversation: &str) -> Vec<TimelineEntry> {
    rows_with(store, rows, Field::Conversation, conversation)
        .into_iter()
        .map(|row| timeline_entry(store, row))
        .collect()
}

fn timeline_entry(store: &Store, row: u32) -> TimelineEntry {
    let r = row as usize;
    let entry = store.entry(r);
    let value = entry.as_ref().map(|e| &e.value);
    let member = |key: &str| value.and_then(|v| v.get(key));
    let arguments = python_dumps(member("arguments"));
    let result_summary = python_dumps(member("result_summary"));
    // Python's truthiness of the logged `success` decides the mark.
    let mark = if member("success").is_some_and(truthy) {
        "✅"
    } else {
        "❌"
    };
    let line = format!(
        "[Turn {}] {mark} {}({arguments}) → {result_summary} [{}ms]",
        python_str(member("turn_number")),
        python_str(member("tool_name")),
        python_str(member("duration_ms")),
    );
    let duration = store.duration_ms[r];
    TimelineEntry {
        row,
        key: store.key(r),
        timestamp: timestamp_text(store, r),
        turn: store.turn(r),
        success: match store.outcome[r] {
            Outcome::Ok => Some(true),
            Outcome::Failed => Some(false),
            Outcome::Unknown => None,
        },
        tool: field_text(store, Field::Tool, r),
        arguments,
        result_summary,
        duration_ms: (!duration.is_nan()).then_some(duration),
        attribution: attribution(store, r),
        line,
    }
}

/// The lesson's `AttributionChain.summary()`:
/// `User usr_1 (nurse) → gpt-4.1 → get_order [user_request]`, with its
/// defaults: `unknown` for a missing user, role or model, `user_request` for
/// a missing trigger.
pub fn attribution(store: &Store, row: usize) -> String {
    let text = |field, default| store.text(field, row).unwrap_or(default);
    format!(
        "User {} ({}) → {} → {} [{}]",
        text(Field::User, "unknown"),
        text(Field::Role, "unknown"),
        text(Field::Model, "unknown"),
        text(Field::Tool, "unknown"),
        text(Field::Trigger, "user_request"),
    )
}

/// Python truthiness of a JSON value.
fn truthy(value: &Value<'_>) -> bool {
    match value {
        Value::Null => false,
        Value::Bool(b) => *b,
        Value::Int(text) => !text
            .trim_start_matches('-')
            .trim_start_matches('0')
            .is_empty(),
        Value::Float(x) => *x != 0.0,
        Value::Str(s) => !s.raw().is_empty(),
        Value::Array(items) => !items.is_empty(),
        Value::Object(members) => !members.is_empty(),
    }
}

/// Python's `str()` of a loaded JSON value, as an f-string prints it; a
/// missing value prints as `None`. Containers print as JSON (Python would
/// print its repr); no log puts one where this is used.
fn python_str(value: Option<&Value<'_>>) -> String {
    match value {
        None | Some(Value::Null) => "None".into(),
        Some(Value::Bool(b)) => if *b { "True" } else { "False" }.into(),
        Some(Value::Str(s)) => s.decode().into_owned(),
        Some(Value::Float(x)) if x.is_nan() => "nan".into(),
        Some(Value::Float(x)) if x.is_infinite() => if *x > 0.0 { "inf" } else { "-inf" }.into(),
        Some(Value::Float(x)) => {
            let mut out = Vec::new();
            write_float(*x, &mut out);
            String::from_utf8(out).expect("ascii")
        }
        Some(other) => python_dumps(Some(other)),
    }
}

/// Python's default `json.dumps` (`log::canonical::write_dumps`); a missing
/// value is `null`.
fn python_dumps(value: Option<&Value<'_>>) -> String {
    let mut out = Vec::new();
    match value {
        Some(value) => write_dumps(value, &mut out),
        None => out.extend_from_slice(b"null"),
    }
    String::from_utf8(out).expect("ensure_ascii output is ASCII")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::log::json::parse;

    fn dumps(text: &str) -> String {
        python_dumps(Some(&parse(text).unwrap()))
    }

    #[test]
    fn dumps_prints_null_for_a_missing_value_and_keeps_logged_order() {
        assert_eq!(python_dumps(None), "null");
        assert_eq!(dumps(r#"{"b":1,"a":2}"#), r#"{"b": 1, "a": 2}"#);
    }

    #[test]
    fn str_prints_python_scalars() {
        let s = |t: &str| python_str(Some(&parse(t).unwrap()));
        assert_eq!(
            [
                s("145"),
                s("145.0"),
                s("30000.5"),
                s("NaN"),
                s("true"),
                s("null"),
                s("\"x\"")
            ],
            ["145", "145.0", "30000.5", "nan", "True", "None", "x"]
        );
        assert_eq!(python_str(None), "None");
    }

    #[test]
    fn truthiness_follows_python() {
        for (text, want) in [
            ("0", false),
            ("-0", false),
            ("10", true),
            ("0.0", false),
            ("\"\"", false),
            ("[0]", true),
            ("{}", false),
        ] {
            assert_eq!(truthy(&parse(text).unwrap()), want, "{text}");
        }
    }
}
