//! Display: the canonical text of a filter, which parses back to it.

use super::{Filter, Predicate, Term};
use crate::time::{format_duration, format_timestamp};
use std::borrow::Cow;
use std::fmt;

/// `value` as written after `key:`: bare when it reads back as one value, else
/// quoted. The TUI uses it to insert completions.
pub fn quote_value(value: &str) -> Cow<'_, str> {
    let bare = !value.is_empty()
        && !value
            .chars()
            .any(|c| c.is_whitespace() || matches!(c, '"' | '|'));
    if bare {
        Cow::Borrowed(value)
    } else {
        Cow::Owned(quoted(value))
    }
}

/// Free text as a term: quoted unless it would read back as the same bare word.
fn quote_text(text: &str) -> Cow<'_, str> {
    let bare = !text.is_empty()
        && !text.starts_with('-')
        && !text.eq_ignore_ascii_case("failed")
        && !text.eq_ignore_ascii_case("ok")
        && !text
            .chars()
            .any(|c| c.is_whitespace() || matches!(c, '"' | '|' | ':'));
    if bare {
        Cow::Borrowed(text)
    } else {
        Cow::Owned(quoted(text))
    }
}

fn quoted(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        if matches!(c, '"' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('"');
    out
}

impl fmt::Display for Predicate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Predicate::Field { field, values } => {
                write!(f, "{}:", field.key())?;
                for (n, value) in values.iter().enumerate() {
                    if n > 0 {
                        f.write_str("|")?;
                    }
                    f.write_str(&quote_value(value))?;
                }
                Ok(())
            }
            Predicate::Failed => f.write_str("failed"),
            Predicate::Ok => f.write_str("ok"),
            Predicate::Since(time) => write!(f, "since:{}", format_timestamp(*time)),
            Predicate::Until(time) => write!(f, "until:{}", format_timestamp(*time)),
            Predicate::Last(micros) => write!(f, "last:{}", format_duration(*micros)),
            Predicate::Text(text) => f.write_str(&quote_text(text)),
        }
    }
}

impl fmt::Display for Term {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.negated {
            f.write_str("-")?;
        }
        self.predicate.fmt(f)
    }
}

/// The canonical text: terms separated by one space, parsing back to an equal
/// filter (spans included) when the filter came from [`parse_filter`].
impl fmt::Display for Filter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (n, term) in self.terms.iter().enumerate() {
            if n > 0 {
                f.write_str(" ")?;
            }
            term.fmt(f)?;
        }
        Ok(())
    }
}
