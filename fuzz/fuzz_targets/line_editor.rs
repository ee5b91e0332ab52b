//! The filter bar's line editor: any sequence of edits, with any
//! characters, keeps the cursor on a character boundary and never panics.
#![no_main]

use auditui::tui::input::{Edit, LineInput};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let mut input = LineInput::default();
    // Control characters below 0x10 are edits; everything else is typed.
    for c in text.chars() {
        let edit = match u32::from(c) {
            0 => Edit::Backspace,
            1 => Edit::Delete,
            2 => Edit::Left,
            3 => Edit::Right,
            4 => Edit::Home,
            5 => Edit::End,
            6 => Edit::DeleteWord,
            7 => Edit::DeleteToEnd,
            8 => Edit::Clear,
            _ => Edit::Insert(c),
        };
        input.apply(edit);
        assert!(input.text().is_char_boundary(input.cursor()));
        input.cursor_column();
    }
});
