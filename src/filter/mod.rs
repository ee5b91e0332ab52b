//! The filter language: one line, shared by the TUI filter bar and the CLI's `-q`.
//!
//! ```text
//! user:usr_123  tool:get_order|get_customer  -tool:search_kb  failed
//! since:2025-07-06  until:2025-07-07T12:00  last:1h  "free text"  words
//! ```
//!
//! Terms are ANDed; `|` ORs the values of one key (spaces around it are
//! allowed); `-` negates any term. Values may be quoted (`user:"a b"`, with
//! `\"` and `\\` escapes). A bare word with `:` must have a known key, so a
//! typo never silently becomes free text; quote it to search for the text.
//!
//! Parsing goes in three steps so that the parser and [`completion_at`] agree
//! on what the user typed: [`lex`] cuts the line into atoms, [`structure`]
//! groups atoms into raw terms without failing (remembering the first
//! problem), and [`meaning`] turns raw terms into [`Term`]s or an error.
//! [`display`] writes a filter back in the canonical form it parses from.

mod completion;
mod display;
mod lex;
mod meaning;
mod structure;
#[cfg(test)]
mod tests;

pub use completion::{Completion, completion_at};
pub use display::quote_value;

use crate::time::{Timestamp, Zone};
use lex::lex;
use meaning::interpret;
use std::fmt;
use std::ops::Range;
use std::str::FromStr;
use structure::structure;

/// A column that `key:value` terms match exactly.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Field {
    User,
    Patient,
    Tool,
    Conversation,
    Model,
    Role,
    Purpose,
    Trigger,
    Ip,
}

impl Field {
    pub const ALL: [Field; 9] = [
        Field::User,
        Field::Patient,
        Field::Tool,
        Field::Conversation,
        Field::Model,
        Field::Role,
        Field::Purpose,
        Field::Trigger,
        Field::Ip,
    ];

    /// The key written before `:` in a filter.
    pub fn key(self) -> &'static str {
        match self {
            Field::User => "user",
            Field::Patient => "patient",
            Field::Tool => "tool",
            Field::Conversation => "conv",
            Field::Model => "model",
            Field::Role => "role",
            Field::Purpose => "purpose",
            Field::Trigger => "trigger",
            Field::Ip => "ip",
        }
    }

    /// Looks a key up case-insensitively.
    pub fn from_key(key: &str) -> Option<Field> {
        Field::ALL
            .into_iter()
            .find(|field| field.key().eq_ignore_ascii_case(key))
    }
}

/// Keys that take a time rather than a column value.
const TIME_KEYS: [&str; 3] = ["since", "until", "last"];

/// Every key accepted before `:`, in the order completion should offer them.
pub fn keys() -> impl Iterator<Item = &'static str> {
    Field::ALL
        .into_iter()
        .map(Field::key)
        .chain(TIME_KEYS.iter().copied())
}

/// What one term asks of an entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Predicate {
    /// Exact match of the column against any of `values`.
    Field {
        field: Field,
        values: Vec<String>,
    },
    Failed,
    Ok,
    Since(Timestamp),
    Until(Timestamp),
    /// Microseconds back from the newest entry; the query engine knows "newest".
    Last(i64),
    /// Case-insensitive substring of the raw line, stored lowercased.
    Text(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Term {
    pub negated: bool,
    pub predicate: Predicate,
    /// 0-based char columns of the term in the input, end exclusive, `-` included.
    pub span: Range<usize>,
}

/// All terms must hold (AND).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Filter {
    pub terms: Vec<Term>,
}

impl Filter {
    /// An empty filter selects every entry.
    pub fn is_empty(&self) -> bool {
        self.terms.is_empty()
    }
}

/// Lets clap take `-q` straight into a [`Filter`].
impl FromStr for Filter {
    type Err = FilterError;

    fn from_str(input: &str) -> Result<Filter, FilterError> {
        parse_filter(input)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FilterError {
    /// 1-based char column where the bad term starts.
    pub column: usize,
    /// The bad term as typed.
    pub term: String,
    pub message: String,
}

impl fmt::Display for FilterError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "column {}: {}", self.column, self.message)
    }
}

impl std::error::Error for FilterError {}

/// Parses a filter line, times without an offset in UTC; the first bad
/// term is the error.
pub fn parse_filter(input: &str) -> Result<Filter, FilterError> {
    parse_filter_in(input, Zone::Utc)
}

/// Parses a filter line, reading times typed without an offset in `zone`.
pub fn parse_filter_in(input: &str, zone: Zone) -> Result<Filter, FilterError> {
    let terms = structure(input, &lex(input))
        .into_iter()
        .map(|raw| interpret(input, raw, zone))
        .collect::<Result<_, _>>()?;
    Ok(Filter { terms })
}

/// The filter language in a few lines: the browser's help and `--help` of
/// every command that takes `-q` show this same text.
pub const LANGUAGE: &str = "\
user:usr_1 patient:P-0007 tool:issue_refund conv:conv_ab12 model:gpt-4.1
  role:nurse purpose:treatment trigger:retry ip:10.0.1.5   a field's value
tool:get_order|get_customer   any of the values
-tool:search_kb               not this value (any term can be negated)
failed  ok                    the call failed / succeeded
since:2025-07-06  until:2025-07-07T12:00+02:00
                              from / to a time; a date alone in until: includes that
                              whole day; times without an offset are UTC in the CLI,
                              the zone shown in the browser
last:1h  last:7d              the span before the NEWEST ENTRY IN THE LOG, not before now
\"free text\"  or  words        case-insensitive substring of the raw line, keys
                              included (`user_id` matches every entry logging one)
Terms are joined with AND; a typo is an error at its column.";
