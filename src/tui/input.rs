//! A one-line text field with a cursor: the filter bar and the export prompt.

use unicode_width::UnicodeWidthStr;

#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct LineInput {
    text: String,
    /// Byte offset, always on a char boundary.
    cursor: usize,
}

/// An edit of the text or a cursor move.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Edit {
    Insert(char),
    Backspace,
    Delete,
    Left,
    Right,
    Home,
    End,
    DeleteWord,
    /// Delete from the cursor to the end of the line.
    DeleteToEnd,
    Clear,
}

impl LineInput {
    pub fn text(&self) -> &str {
        &self.text
    }

    pub fn cursor(&self) -> usize {
        self.cursor
    }

    /// Replace the whole text, cursor at the end.
    pub fn set(&mut self, text: impl Into<String>) {
        self.text = text.into();
        self.cursor = self.text.len();
    }

    /// Replace a byte range and put the cursor after the replacement.
    pub fn replace(&mut self, range: std::ops::Range<usize>, with: &str) {
        self.text.replace_range(range.clone(), with);
        self.cursor = range.start + with.len();
    }

    /// Apply an edit; true when the text changed (not just the cursor).
    pub fn apply(&mut self, edit: Edit) -> bool {
        let before = self.text.len();
        match edit {
            Edit::Insert(c) => {
                self.text.insert(self.cursor, c);
                self.cursor += c.len_utf8();
            }
            Edit::Backspace => {
                if let Some(c) = self.text[..self.cursor].chars().next_back() {
                    self.cursor -= c.len_utf8();
                    self.text.remove(self.cursor);
                }
            }
            Edit::Delete => {
                if self.cursor < self.text.len() {
                    self.text.remove(self.cursor);
                }
            }
            Edit::Left => {
                if let Some(c) = self.text[..self.cursor].chars().next_back() {
                    self.cursor -= c.len_utf8();
                }
            }
            Edit::Right => {
                if let Some(c) = self.text[self.cursor..].chars().next() {
                    self.cursor += c.len_utf8();
                }
            }
            Edit::Home => self.cursor = 0,
            Edit::End => self.cursor = self.text.len(),
            Edit::DeleteWord => {
                let head = self.text[..self.cursor].trim_end();
                let start = head.rfind(' ').map_or(0, |i| i + 1);
                self.text.replace_range(start..self.cursor, "");
                self.cursor = start;
            }
            Edit::DeleteToEnd => self.text.truncate(self.cursor),
            Edit::Clear => self.set(""),
        }
        self.text.len() != before
    }

    /// Terminal columns before the cursor, measured on the shown text.
    pub fn cursor_column(&self) -> usize {
        crate::text::for_terminal(&self.text[..self.cursor]).width()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edits_respect_multibyte_characters() {
        let mut input = LineInput::default();
        for c in "né x".chars() {
            input.apply(Edit::Insert(c));
        }
        input.apply(Edit::Left);
        input.apply(Edit::Left);
        assert!(input.apply(Edit::Backspace));
        assert_eq!((input.text(), input.cursor()), ("n x", 1));
        assert!(!input.apply(Edit::Home));
        assert!(input.apply(Edit::Delete));
        assert_eq!(input.text(), " x");
    }

    proptest::proptest! {
        #[test]
        fn no_edit_sequence_panics_or_leaves_the_cursor_inside_a_character(
            edits in proptest::collection::vec(any_edit(), 0..64)
        ) {
            let mut input = LineInput::default();
            for edit in edits {
                input.apply(edit);
                proptest::prop_assert!(input.text().is_char_boundary(input.cursor()));
                proptest::prop_assert!(input.cursor_column() <= 2 * input.text().chars().count());
            }
        }
    }

    fn any_edit() -> impl proptest::strategy::Strategy<Value = Edit> {
        use proptest::prelude::*;
        prop_oneof![
            3 => proptest::sample::select(vec!['a', ' ', ':', 'é', '漢', '😀', '\u{301}', '\t'])
                .prop_map(Edit::Insert),
            1 => proptest::sample::select(vec![
                Edit::Backspace, Edit::Delete, Edit::Left, Edit::Right, Edit::Home,
                Edit::End, Edit::DeleteWord, Edit::DeleteToEnd, Edit::Clear,
            ]),
        ]
    }

    #[test]
    fn delete_to_end_keeps_what_is_before_the_cursor() {
        let mut input = LineInput::default();
        input.set("user:é tool:b");
        for _ in 0..7 {
            input.apply(Edit::Left);
        }
        assert!(input.apply(Edit::DeleteToEnd));
        assert_eq!((input.text(), input.cursor()), ("user:é", 7));
    }

    #[test]
    fn delete_word_removes_the_term_before_the_cursor() {
        let mut input = LineInput::default();
        input.set("user:a tool:b ");
        input.apply(Edit::DeleteWord);
        assert_eq!(input.text(), "user:a ");
    }
}
