//! The questions every pane and subcommand answers, as plain data.
//!
//! Each view is one function over the store and a selection (`&[u32]`, row
//! ids in store order, usually from [`crate::store::query::select`]) that
//! returns structs deriving `Serialize`. Nothing here prints: the TUI, the
//! CLI and the exports format the same structs, so they cannot disagree.
//!
//! Strings in the structs are the log's text, unsanitised: printers decide
//! how to make them safe for their medium (`crate::text`).

pub mod alerts;
pub mod failures;
pub mod histogram;
pub mod report;
pub mod retention;
pub mod sorted;
pub mod stats;
pub mod timeline;

use crate::filter::Field;

use crate::store::store::Sym;
use crate::store::{Rows, Store};
use crate::time::parse_timestamp;
use chrono::{DateTime, FixedOffset};
use serde::Serialize;

/// A number as Python holds it: the lesson's `round(max(durations), 1)`
/// stays an `int` when the maximum was logged as one (`2099`, not `2099.0`).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(untagged)]
pub enum PyNumber {
    Int(i64),
    Float(f64),
}

/// Python's `round(x, places)` for a float: round half to even on the exact
/// binary value. Rust's fixed-precision formatting is correctly rounded in
/// exactly that way, and parsing the digits back gives the nearest double,
/// which is what CPython returns.
pub fn python_round(x: f64, places: usize) -> f64 {
    format!("{x:.places$}").parse().unwrap_or(x)
}

/// An instant with the UTC offset it was written in, so it prints back the
/// way Python's `datetime.isoformat()` prints the same input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Moment {
    /// Microseconds since the Unix epoch, UTC.
    pub micros: i64,
    /// Seconds east of UTC; `None` for a naive time (read as UTC).
    pub offset: Option<i32>,
}

impl Moment {
    /// Reads what [`parse_timestamp`] reads, remembering the offset.
    pub fn parse(text: &str) -> Option<Moment> {
        let text = text.trim();
        let micros = parse_timestamp(text)?;
        // An offset can only follow the time, which has no '+' or '-'.
        let offset = match text.get(10..).and_then(|t| t.rfind(['+', '-', 'Z', 'z'])) {
            None => None,
            Some(at) => {
                let local = parse_timestamp(&text[..10 + at])?;
                Some(i32::try_from((local - micros) / 1_000_000).ok()?)
            }
        };
        Some(Moment { micros, offset })
    }

    /// `datetime.isoformat()`: `2025-07-07T22:50:45.954778+02:00`, the
    /// fraction only when non-zero, no offset for a naive time.
    pub fn isoformat(&self) -> String {
        let offset = FixedOffset::east_opt(self.offset.unwrap_or(0)).expect("offset within a day");
        let Some(time) = DateTime::from_timestamp_micros(self.micros) else {
            return self.micros.to_string();
        };
        let local = time.with_timezone(&offset);
        let mut out = local.format("%Y-%m-%dT%H:%M:%S").to_string();
        let micros = self.micros.rem_euclid(1_000_000);
        if micros != 0 {
            out.push_str(&format!(".{micros:06}"));
        }
        if let Some(seconds) = self.offset {
            let sign = if seconds < 0 { '-' } else { '+' };
            let abs = seconds.unsigned_abs();
            out.push_str(&format!("{sign}{:02}:{:02}", abs / 3600, abs / 60 % 60));
            if abs % 60 != 0 {
                out.push_str(&format!(":{:02}", abs % 60));
            }
        }
        out
    }
}

/// The row's `timestamp` exactly as logged (re-read from its line).
pub fn timestamp_text(store: &Store, row: usize) -> Option<String> {
    let entry = store.entry(row)?;
    let timestamp = entry.value.get("timestamp")?.as_str()?;
    Some(timestamp.decode().into_owned())
}

/// The text of a field of a row, owned for a view struct.
fn field_text(store: &Store, field: Field, row: usize) -> Option<String> {
    store.text(field, row).map(str::to_owned)
}

/// The rows of `rows` whose `field` is exactly `value` (resolved to its id
/// once; a value the store has never seen selects nothing).
fn rows_with<'a>(store: &Store, rows: impl Rows<'a>, field: Field, value: &str) -> Vec<u32> {
    let column = store.column(field);
    let Some(id): Option<Sym> = column.dict.lookup(value) else {
        return Vec::new();
    };
    let mut found: Vec<u32> = rows
        .into_iter()
        .copied()
        .filter(|&r| column.ids.get(r as usize) == id)
        .collect();
    // In file order, which row order is unless several followed files
    // grew (then few rows are moved: a stable sort of sorted runs).
    found.sort_by_key(|&r| store.file_rank(r));
    found
}

/// The reason given for a break-the-glass access, as logged: `justification`
/// in the entry or in its (sanitized) arguments. Read from the raw line, only
/// for emergency accesses, so the columns need not hold it.
pub fn justification(store: &Store, row: usize) -> Option<String> {
    justification_in(store.raw_line(row))
}

/// [`justification`] of a line as logged.
pub fn justification_in(raw: &[u8]) -> Option<String> {
    let entry: serde_json::Value = serde_json::from_slice(raw).ok()?;
    let text = |v: &serde_json::Value| v.get("justification")?.as_str().map(str::to_owned);
    text(&entry).or_else(|| {
        ["arguments_sanitized", "arguments"]
            .iter()
            .find_map(|key| entry.get(key).and_then(text))
    })
}

/// Whether a logged purpose marks break-the-glass emergency access:
/// `emergency`, `btg`, `break_glass`, `break-the-glass` and their spellings
/// with spaces or other case.
pub fn is_emergency(purpose: &str) -> bool {
    let normalised: String = purpose
        .trim()
        .chars()
        .map(|c| match c {
            '-' | ' ' => '_',
            c => c.to_ascii_lowercase(),
        })
        .collect();
    matches!(
        normalised.as_str(),
        "emergency" | "btg" | "break_glass" | "break_the_glass"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rounding_is_half_even_on_the_binary_value_like_python() {
        // round(0.125, 2) == 0.12 (exact tie), round(2.675, 2) == 2.67 (below the tie).
        assert_eq!(python_round(0.125, 2), 0.12);
        assert_eq!(python_round(0.375, 2), 0.38);
        assert_eq!(python_round(2.675, 2), 2.67);
        assert_eq!(python_round(2.5, 0), 2.0);
        assert_eq!(python_round(2.0 / 3.0, 3), 0.667);
        assert!(python_round(f64::NAN, 1).is_nan());
        assert_eq!(python_round(1e300, 1), 1e300);
    }

    #[test]
    fn moments_print_back_like_python_isoformat() {
        for text in [
            "2025-07-07T22:50:45.954778+02:00",
            "2025-07-07T00:00:00+02:00",
            "2025-01-01T00:00:00+00:00",
            "2025-07-06T12:44:20.377487-05:00",
            "2025-07-07T15:29:36.169478+00:00",
        ] {
            assert_eq!(Moment::parse(text).unwrap().isoformat(), text);
        }
        assert_eq!(
            Moment::parse("2025-07-07T12:00Z").unwrap().isoformat(),
            "2025-07-07T12:00:00+00:00"
        );
        assert_eq!(
            Moment::parse("2025-07-07").unwrap().isoformat(),
            "2025-07-07T00:00:00"
        );
        assert_eq!(Moment::parse("July 7"), None);
    }

    #[test]
    fn emergency_purposes_are_recognised_in_any_spelling() {
        for yes in [
            "emergency",
            "EMERGENCY",
            "btg",
            "break-the-glass",
            "Break Glass",
            "break_glass",
        ] {
            assert!(is_emergency(yes), "{yes}");
        }
        for no in ["treatment", "emergency_room", "", "glass"] {
            assert!(!is_emergency(no), "{no}");
        }
    }
}
