//! Fuzzy completion in the filter bar: filter keys, and values from the
//! store's dictionaries (users, patients, tools, conversations, …).

use crate::backend::Backend;
use crate::filter::{Completion, completion_at, keys, quote_value};
use fuzzy_matcher::FuzzyMatcher;
use fuzzy_matcher::skim::SkimMatcherV2;
use std::ops::Range;
use std::sync::atomic::{AtomicBool, Ordering};

/// Completions shown at once under the bar.
pub const COMPLETIONS_SHOWN: usize = 8;

/// Candidates for what is typed at the cursor, best first.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Completions {
    /// The input and cursor these were computed for.
    pub text: String,
    pub cursor: usize,
    /// Byte range of the input that the chosen candidate replaces.
    pub replace: Range<usize>,
    /// What the user is completing, for the popup title (`tool`, `key`).
    pub what: &'static str,
    pub candidates: Vec<Candidate>,
    pub highlighted: usize,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    /// The value as logged (sanitised when drawn).
    pub label: String,
    /// The text to put in the input: quoted if needed, `key:` for keys.
    pub insert: String,
}

/// Words that complete to themselves when typing a term that is not a key.
const FLAGS: [&str; 2] = ["failed", "ok"];

/// Candidates at `cursor`; `None` if `cancel` was set meanwhile (a large
/// dictionary takes a while, and the user has typed on).
pub fn complete(
    backend: Option<&dyn Backend>,
    input: &str,
    cursor: usize,
    limit: usize,
    cancel: &AtomicBool,
) -> Option<Completions> {
    let none = || Completions {
        text: input.to_string(),
        cursor,
        ..Completions::default()
    };
    let Some(Completion {
        field,
        prefix,
        replace,
    }) = completion_at(input, cursor)
    else {
        return Some(none());
    };
    let matcher = SkimMatcherV2::default().ignore_case();
    let (what, candidates) = match field {
        Some(field) => {
            // A backend that cannot list values offers no completions.
            let values = backend
                .and_then(|b| b.values(field, cancel).ok())
                .unwrap_or_default();
            let values = values.iter().map(String::as_str).collect();
            let best = best_matches(&matcher, &prefix, values, limit, cancel)?;
            let candidates = best
                .into_iter()
                .map(|value| Candidate {
                    label: value.to_string(),
                    insert: quote_value(value).into_owned(),
                })
                .collect();
            (field.key(), candidates)
        }
        None => {
            let words = keys().chain(FLAGS);
            let best = best_matches(&matcher, &prefix, words.collect(), limit, cancel)?;
            let candidates = best
                .into_iter()
                .map(|word| Candidate {
                    label: word.to_string(),
                    insert: if FLAGS.contains(&word) {
                        word.to_string()
                    } else {
                        format!("{word}:")
                    },
                })
                .collect();
            ("key", candidates)
        }
    };
    Some(Completions {
        replace,
        what,
        candidates,
        ..none()
    })
}

/// The `limit` best fuzzy matches of `pattern`, best score first, then
/// shortest, then alphabetical, so the order is stable as the user types.
fn best_matches<'a>(
    matcher: &SkimMatcherV2,
    pattern: &str,
    items: Vec<&'a str>,
    limit: usize,
    cancel: &AtomicBool,
) -> Option<Vec<&'a str>> {
    let mut scored: Vec<(i64, &str)> = Vec::new();
    for (i, item) in items.into_iter().enumerate() {
        if i % 4096 == 0 && cancel.load(Ordering::Relaxed) {
            return None;
        }
        if let Some(score) = matcher.fuzzy_match(item, pattern) {
            scored.push((score, item));
        }
    }
    let order = |a: &(i64, &str), b: &(i64, &str)| {
        b.0.cmp(&a.0)
            .then(a.1.len().cmp(&b.1.len()))
            .then(a.1.cmp(b.1))
    };
    if scored.len() > limit && limit > 0 {
        scored.select_nth_unstable_by(limit - 1, order);
        scored.truncate(limit);
    }
    scored.sort_unstable_by(order);
    Some(scored.into_iter().map(|(_, item)| item).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_complete_with_their_colon_and_flags_alone() {
        let never = AtomicBool::new(false);
        let c = complete(None, "too", 3, 5, &never).unwrap();
        assert_eq!(c.candidates[0].insert, "tool:");
        assert_eq!(c.replace, 0..3);
        let c = complete(None, "user:a fail", 11, 5, &never).unwrap();
        assert_eq!(c.candidates[0].insert, "failed");
    }

    #[test]
    fn ranking_prefers_better_then_shorter_matches() {
        let matcher = SkimMatcherV2::default().ignore_case();
        let items = vec!["issue_refund_partial", "get_order", "issue_refund"];
        assert_eq!(
            best_matches(&matcher, "refund", items, 2, &AtomicBool::new(false)).unwrap(),
            ["issue_refund", "issue_refund_partial"]
        );
    }
}
