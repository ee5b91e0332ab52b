//! Completion: what the user is typing at the cursor.

use super::Field;
use super::lex::{AtomKind, lex};
use super::structure::{Body, Problem, structure};
use std::ops::Range;

/// What the user is typing at the cursor, for fuzzy completion in the TUI.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Completion {
    /// The key whose value is being typed; `None` while typing a key name.
    pub field: Option<Field>,
    /// What is typed so far, quotes and escapes resolved.
    pub prefix: String,
    /// Byte range to replace with the chosen value (through [`quote_value`]) or key.
    pub replace: Range<usize>,
}

/// Completion at byte offset `cursor`: inside or after a field's value (the
/// alternative after the last `|`), or a bare word that may become a key.
/// `None` for free text, time keys, unknown keys and between terms.
pub fn completion_at(input: &str, cursor: usize) -> Option<Completion> {
    // What is being typed is decided by the text before the cursor; the rest
    // of the line only says how far the replaced value reaches.
    let head = input.get(..cursor)?;
    let atoms = lex(head);
    let after_space = atoms.last()?.kind == AtomKind::Space;
    let term = structure(head, &atoms).pop()?;
    if matches!(
        term.problem,
        Some(Problem::StrayQuote | Problem::LoneDash | Problem::StrayPipe)
    ) {
        return None;
    }
    let whole = structure(input, &lex(input))
        .into_iter()
        .find(|t| t.range.start == term.range.start);
    match term.body {
        Body::Text {
            text,
            quoted: false,
        } if !after_space => {
            let start = term.range.end - text.len();
            let end = whole.and_then(|whole| match whole.body {
                Body::Text {
                    text,
                    quoted: false,
                } => Some(whole.range.start + usize::from(whole.negated) + text.len()),
                Body::KeyValue { key, .. } => Some(key.end),
                Body::Text { .. } => None,
            });
            Some(Completion {
                field: None,
                prefix: text,
                replace: start..end.unwrap_or(cursor).max(cursor),
            })
        }
        Body::KeyValue { key, mut alts } => {
            let field = Field::from_key(&head[key])?;
            let index = alts.len() - 1;
            let alt = alts.pop()?;
            let (prefix, start) = if alt.range.is_empty() {
                // After `:` or `|`; past spaces only `|` keeps the term open.
                if after_space && index == 0 {
                    return None;
                }
                (String::new(), cursor)
            } else if after_space {
                return None;
            } else {
                (alt.text, alt.range.start)
            };
            let end = whole.and_then(|whole| match whole.body {
                Body::KeyValue { alts, .. } => alts.get(index).map(|alt| alt.range.end),
                Body::Text { .. } => None,
            });
            Some(Completion {
                field: Some(field),
                prefix,
                replace: start..end.unwrap_or(cursor).max(cursor),
            })
        }
        Body::Text { .. } => None,
    }
}
