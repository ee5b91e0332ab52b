//! Meaning: a raw term becomes a [`Term`] of known keys, dates and
//! durations, or an error that names the term and suggests a fix.

use super::structure::{Body, Problem, RawTerm};
use super::{Field, FilterError, Predicate, Term, keys};
use crate::text::closest;
use crate::time::{Zone, parse_duration, parse_time_in};

/// What a known key asks for.
pub(super) enum KeyKind {
    Field(Field),
    Since,
    Until,
    Last,
}

pub(super) fn interpret(input: &str, raw: RawTerm, zone: Zone) -> Result<Term, FilterError> {
    let typed = &input[raw.range.clone()];
    let span = char_index(input, raw.range.start)..char_index(input, raw.range.end);
    let fail = |message: String| FilterError {
        column: span.start + 1,
        term: typed.to_string(),
        message,
    };
    let predicate = match raw.body {
        Body::Text { text, quoted } => {
            if let Some(problem) = raw.problem {
                return Err(fail(problem_message(problem, typed, "")));
            }
            if text.is_empty() {
                return Err(fail(format!("nothing to search for in '{typed}'")));
            }
            if !quoted && text.eq_ignore_ascii_case("failed") {
                Predicate::Failed
            } else if !quoted && text.eq_ignore_ascii_case("ok") {
                Predicate::Ok
            } else {
                Predicate::Text(text.to_lowercase())
            }
        }
        Body::KeyValue { key, alts } => {
            let key = &input[key];
            let kind = key_kind(key, typed).map_err(&fail)?;
            if let Some(problem) = raw.problem {
                return Err(fail(problem_message(problem, typed, key)));
            }
            if alts.iter().any(|alt| alt.text.is_empty()) {
                return Err(fail(format!("empty value in '{typed}'")));
            }
            let single = || match alts.as_slice() {
                [alt] => Ok(alt.text.as_str()),
                _ => Err(fail(format!(
                    "'{}' takes one value, not alternatives, in '{typed}'",
                    key.to_ascii_lowercase()
                ))),
            };
            let date = |text: &str, end_of_day| {
                parse_time_in(text, zone, end_of_day).ok_or_else(|| {
                    fail(format!(
                        "cannot read date '{text}' in '{typed}' \
                         (try 2025-07-07, 2025-07-07T12:00 or 2025-07-07T12:00:00+02:00)"
                    ))
                })
            };
            match kind {
                KeyKind::Field(field) => Predicate::Field {
                    field,
                    values: alts.into_iter().map(|alt| alt.text).collect(),
                },
                KeyKind::Since => Predicate::Since(date(single()?, false)?),
                KeyKind::Until => Predicate::Until(date(single()?, true)?),
                KeyKind::Last => {
                    let text = single()?;
                    Predicate::Last(parse_duration(text).ok_or_else(|| {
                        fail(format!(
                            "cannot read duration '{text}' in '{typed}' (try 90s, 15m, 1h30m, 2d or 1w)"
                        ))
                    })?)
                }
            }
        }
    };
    Ok(Term {
        negated: raw.negated,
        predicate,
        span,
    })
}

pub(super) fn key_kind(key: &str, typed: &str) -> Result<KeyKind, String> {
    if key.is_empty() {
        return Err(format!(
            "missing key before ':' in '{typed}' (quote text that contains ':')"
        ));
    }
    let lower = key.to_ascii_lowercase();
    match lower.as_str() {
        "since" => Ok(KeyKind::Since),
        "until" => Ok(KeyKind::Until),
        "last" => Ok(KeyKind::Last),
        "failed" | "ok" => Err(format!(
            "'{lower}' takes no value in '{typed}'; write '{lower}' or '-{lower}'"
        )),
        _ => Field::from_key(key)
            .map(KeyKind::Field)
            .ok_or_else(|| match suggest(key) {
                Some(close) => {
                    format!("unknown key '{key}' in '{typed}' (did you mean '{close}'?)")
                }
                None => format!(
                    "unknown key '{key}' in '{typed}' (keys: {}; quote text that contains ':')",
                    keys().collect::<Vec<_>>().join(", ")
                ),
            }),
    }
}

pub(super) fn problem_message(problem: Problem, typed: &str, key: &str) -> String {
    match problem {
        Problem::Unterminated => format!("missing closing '\"' in '{typed}'"),
        Problem::LoneDash => "'-' must be followed by the term to negate, as in '-tool:x'".into(),
        Problem::StrayPipe => {
            "'|' must follow a key's value, as in 'tool:a|b' (quote text that contains '|')".into()
        }
        Problem::StrayQuote => {
            format!("unexpected '\"' in '{typed}' (quote the whole value, as in 'user:\"a b\"')")
        }
        Problem::MissingValue => {
            format!("missing value after '{key}:' in '{typed}' (write it right after the ':')")
        }
        Problem::EmptyAlternative => format!("empty alternative after '|' in '{typed}'"),
    }
}

/// The key a typo most likely meant (`uesr` → `user`, `pat` → `patient`).
pub(super) fn suggest(key: &str) -> Option<&'static str> {
    closest(&key.to_lowercase(), keys())
}

pub(super) fn char_index(input: &str, byte: usize) -> usize {
    input[..byte].chars().count()
}
