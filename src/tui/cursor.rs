//! A selection in a list and the first visible item, shared by every list
//! and table so that scrolling behaves the same everywhere.

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Cursor {
    pub selected: usize,
    /// First visible item. Kept in the state rather than derived while
    /// drawing so that the view only scrolls when the selection leaves it.
    pub offset: usize,
}

impl Cursor {
    /// Move by `delta` items, stopping at either end of a list of `len`.
    pub fn move_by(&mut self, delta: isize, len: usize) {
        let target = self.selected.saturating_add_signed(delta);
        self.select(target, len);
    }

    pub fn select(&mut self, index: usize, len: usize) {
        self.selected = index.min(len.saturating_sub(1));
    }

    /// Scroll the least needed for the selection to be among `height`
    /// visible items, and never past the end of the list.
    pub fn fit(&mut self, height: usize, len: usize) {
        self.select(self.selected, len);
        let height = height.max(1);
        if self.selected < self.offset {
            self.offset = self.selected;
        } else if self.selected >= self.offset + height {
            self.offset = self.selected + 1 - height;
        }
        self.offset = self.offset.min(len.saturating_sub(height));
    }

    /// When the selection is not among the `height` visible items, scroll
    /// it to the middle (then [`Cursor::fit`]): an entry jumped to is
    /// shown with its neighbours on both sides.
    pub fn center_if_hidden(&mut self, height: usize) {
        if !(self.offset..self.offset.saturating_add(height)).contains(&self.selected) {
            self.offset = self.selected.saturating_sub(height / 2);
        }
    }

    /// The visible index range for `height` rows of a list of `len`.
    pub fn visible(&self, height: usize, len: usize) -> std::ops::Range<usize> {
        let start = self.offset.min(len);
        start..(start + height).min(len)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_view_scrolls_only_when_the_selection_leaves_it() {
        let mut c = Cursor::default();
        c.move_by(5, 100);
        c.fit(10, 100);
        assert_eq!((c.selected, c.offset), (5, 0));
        c.move_by(10, 100);
        c.fit(10, 100);
        assert_eq!((c.selected, c.offset), (15, 6));
        c.move_by(-3, 100);
        c.fit(10, 100);
        assert_eq!((c.selected, c.offset), (12, 6));
        c.move_by(-1000, 100);
        c.fit(10, 100);
        assert_eq!((c.selected, c.offset), (0, 0));
    }

    #[test]
    fn a_hidden_selection_is_scrolled_to_the_middle_a_visible_one_stays() {
        let mut c = Cursor {
            selected: 40,
            offset: 0,
        };
        c.center_if_hidden(10);
        c.fit(10, 100);
        assert_eq!((c.selected, c.offset), (40, 35));
        c.selected = 42;
        c.center_if_hidden(10);
        assert_eq!(c.offset, 35);
        // Near the end, the list still ends at the bottom.
        c.selected = 99;
        c.center_if_hidden(10);
        c.fit(10, 100);
        assert_eq!(c.offset, 90);
    }

    #[test]
    fn a_shrinking_list_pulls_the_selection_back() {
        let mut c = Cursor {
            selected: 50,
            offset: 45,
        };
        c.fit(10, 8);
        assert_eq!((c.selected, c.offset), (7, 0));
        assert_eq!(c.visible(10, 8), 0..8);
    }
}
