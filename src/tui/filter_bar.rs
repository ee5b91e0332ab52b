//! The filter bar's state: the line being typed, its parse error, the
//! completions at the cursor and the history of applied filters.

use super::completion::{COMPLETIONS_SHOWN, Completions, complete};
use super::input::{Edit, LineInput};
use crate::backend::Backend;
use crate::filter::{Filter, FilterError, parse_filter_in};
use crate::time::Zone;
use std::sync::atomic::AtomicBool;

/// Applied filters kept for Up/Down.
const HISTORY_LEN: usize = 100;

#[derive(Debug, Default)]
pub struct FilterBar {
    pub input: LineInput,
    /// The bar has the keyboard focus.
    pub active: bool,
    /// Why the current text does not parse; the selection then stays that
    /// of the last text that did.
    pub error: Option<FilterError>,
    pub completions: Completions,
    /// Generation of the newest completion request.
    completion_generation: u64,
    history: Vec<String>,
    /// Index into `history` while browsing it with Up/Down.
    browsing: Option<usize>,
    /// The line being typed before browsing started, restored past the end.
    draft: String,
    /// The text of the filter last applied, which Esc goes back to.
    applied: String,
}

impl FilterBar {
    /// The filter for the current text, times without an offset read in
    /// `zone` (the one the screen shows), or `None` (and the error kept) if
    /// it does not parse.
    pub fn parse(&mut self, zone: Zone) -> Option<Filter> {
        match parse_filter_in(self.input.text(), zone) {
            Ok(filter) => {
                self.error = None;
                Some(filter)
            }
            Err(e) => {
                self.error = Some(e);
                None
            }
        }
    }

    /// Apply an edit; true when the text changed.
    pub fn edit(&mut self, edit: Edit) -> bool {
        let changed = self.input.apply(edit);
        if changed {
            self.browsing = None;
        }
        changed
    }

    /// Replace the text (history, Esc, a filter added by a key).
    pub fn set(&mut self, text: &str) {
        self.input.set(text);
    }

    /// Start computing completions for the text and cursor as they are
    /// now; answers for older requests are then ignored.
    pub fn completion_request(&mut self) -> (u64, String, usize) {
        self.completion_generation += 1;
        (
            self.completion_generation,
            self.input.text().to_string(),
            self.input.cursor(),
        )
    }

    /// An answer to [`FilterBar::completion_request`].
    pub fn receive_completions(&mut self, generation: u64, completions: Completions) {
        if generation == self.completion_generation && self.active {
            self.completions = completions;
        }
    }

    pub fn clear_completions(&mut self) {
        self.completion_generation += 1;
        self.completions = Completions::default();
    }

    /// Move the highlight among the completions, wrapping around.
    pub fn cycle_completion(&mut self, forward: bool) {
        let n = self.completions.candidates.len();
        if n > 0 {
            let c = &mut self.completions.highlighted;
            *c = if forward {
                (*c + 1) % n
            } else {
                (*c + n - 1) % n
            };
        }
    }

    /// Put the highlighted completion in the text; true if there was one.
    /// Completions still being computed for the current text are computed
    /// here instead: Tab must never apply candidates for older text.
    pub fn accept_completion(&mut self, backend: Option<&dyn Backend>) -> bool {
        let (text, cursor) = (self.input.text(), self.input.cursor());
        let completions = if self.completions.text == text && self.completions.cursor == cursor {
            std::mem::take(&mut self.completions)
        } else {
            let mut fresh = complete(
                backend,
                text,
                cursor,
                COMPLETIONS_SHOWN,
                &AtomicBool::new(false),
            )
            .unwrap_or_default();
            fresh.highlighted = self.completions.highlighted.min(fresh.candidates.len());
            fresh
        };
        let Some(chosen) = completions.candidates.get(completions.highlighted) else {
            return false;
        };
        let mut insert = chosen.insert.clone();
        // A finished value is followed by a space so the next term can be
        // typed at once; a key is followed by its value instead.
        let rest = &self.input.text()[completions.replace.end..];
        if !insert.ends_with(':') && !rest.starts_with(' ') {
            insert.push(' ');
        }
        self.input.replace(completions.replace, &insert);
        self.browsing = None;
        true
    }

    /// The text now in the bar is the applied filter.
    pub fn mark_applied(&mut self) {
        self.applied = self.input.text().to_owned();
    }

    pub fn applied(&self) -> &str {
        &self.applied
    }

    /// Remember an applied filter for Up/Down.
    pub fn remember(&mut self) {
        let text = self.input.text().trim();
        self.browsing = None;
        if text.is_empty() || self.history.last().is_some_and(|last| last == text) {
            return;
        }
        self.history.push(text.to_string());
        if self.history.len() > HISTORY_LEN {
            self.history.remove(0);
        }
    }

    /// Step through the history; true when the text changed.
    pub fn history_step(&mut self, back: bool) -> bool {
        let len = self.history.len();
        let next = match (self.browsing, back) {
            (None, true) if len > 0 => Some(Some(len - 1)),
            (Some(i), true) if i > 0 => Some(Some(i - 1)),
            (Some(i), false) if i + 1 < len => Some(Some(i + 1)),
            (Some(_), false) => Some(None),
            _ => None,
        };
        let Some(next) = next else { return false };
        if self.browsing.is_none() {
            self.draft = self.input.text().to_string();
        }
        self.browsing = next;
        let text = match next {
            Some(i) => self.history[i].clone(),
            None => std::mem::take(&mut self.draft),
        };
        self.set(&text);
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn typed(bar: &mut FilterBar, text: &str) {
        for c in text.chars() {
            bar.edit(Edit::Insert(c));
        }
    }

    #[test]
    fn history_walks_back_and_returns_to_the_draft() {
        let mut bar = FilterBar::default();
        for text in ["user:a", "tool:b"] {
            bar.set(text);
            bar.remember();
        }
        bar.set("");
        typed(&mut bar, "fail");
        assert!(bar.history_step(true));
        assert_eq!(bar.input.text(), "tool:b");
        assert!(bar.history_step(true));
        assert_eq!(bar.input.text(), "user:a");
        assert!(!bar.history_step(true));
        bar.history_step(false);
        bar.history_step(false);
        assert_eq!(bar.input.text(), "fail");
    }

    #[test]
    fn tab_on_completions_for_older_text_recomputes_them() {
        let mut bar = FilterBar {
            active: true,
            ..FilterBar::default()
        };
        typed(&mut bar, "us");
        bar.completions = complete(None, "u", 1, 8, &AtomicBool::new(false)).unwrap();
        assert!(bar.accept_completion(None));
        assert_eq!(bar.input.text(), "user:");
    }

    #[test]
    fn accepting_a_key_completion_leaves_the_cursor_after_the_colon() {
        let mut bar = FilterBar {
            active: true,
            ..FilterBar::default()
        };
        typed(&mut bar, "failed pat");
        assert!(bar.accept_completion(None));
        assert_eq!(bar.input.text(), "failed patient:");
        assert_eq!(bar.input.cursor(), bar.input.text().len());
    }

    #[test]
    fn a_bad_term_keeps_its_error() {
        let mut bar = FilterBar::default();
        bar.set("user:a bogus:x");
        assert!(bar.parse(Zone::Utc).is_none());
        assert_eq!(bar.error.as_ref().map(|e| e.column), Some(8));
    }
}
