//! Keys as the configuration file writes them (`q`, `ctrl-q`, `pgdn`) and
//! the actions its `[keys]` table may rebind. The browser's keymap table
//! uses the same [`Key`] and checks in a test that its rebindable actions
//! are exactly [`ACTIONS`].

use crossterm::event::KeyCode;

/// Every action name `[keys]` accepts, sorted.
pub const ACTIONS: &[&str] = &[
    "around_entry",
    "back",
    "bottom",
    "clear_marks",
    "copy",
    "down",
    "export",
    "export_marked",
    "focus_next",
    "focus_prev",
    "mark_bucket",
    "maximize",
    "narrower_buckets",
    "next_failure",
    "next_finding",
    "open",
    "open_filter",
    "page_down",
    "page_up",
    "prev_failure",
    "prev_finding",
    "quit",
    "show_alerts",
    "show_findings",
    "show_report",
    "sort_stats",
    "toggle_follow",
    "toggle_help",
    "toggle_mark",
    "toggle_mouse",
    "toggle_order",
    "toggle_utc",
    "top",
    "up",
    "wider_buckets",
];

/// One key: a code and the modifiers that matter (Ctrl, Alt).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Key {
    pub code: KeyCode,
    pub ctrl: bool,
}

impl Key {
    /// A key as the configuration file writes it: `q`, `G`, `ctrl-q`,
    /// `enter`, `pgdn`, `f5`...
    pub fn parse(text: &str) -> Result<Key, String> {
        let lower = text.to_ascii_lowercase();
        let (ctrl, name) = match lower.strip_prefix("ctrl-") {
            Some(rest) => (true, rest),
            None => (false, lower.as_str()),
        };
        let mut chars = text[text.len() - name.len()..].chars();
        let code = match (chars.next(), chars.next()) {
            (Some(c), None) if !c.is_control() => {
                KeyCode::Char(if ctrl { c.to_ascii_lowercase() } else { c })
            }
            _ => match name {
                "enter" => KeyCode::Enter,
                "esc" => KeyCode::Esc,
                "tab" if !ctrl => KeyCode::Tab,
                "shift-tab" if !ctrl => KeyCode::BackTab,
                "space" => KeyCode::Char(' '),
                "backspace" => KeyCode::Backspace,
                "delete" => KeyCode::Delete,
                "up" => KeyCode::Up,
                "down" => KeyCode::Down,
                "left" => KeyCode::Left,
                "right" => KeyCode::Right,
                "home" => KeyCode::Home,
                "end" => KeyCode::End,
                "pgup" => KeyCode::PageUp,
                "pgdn" => KeyCode::PageDown,
                f => match f.strip_prefix('f').and_then(|n| n.parse::<u8>().ok()) {
                    Some(n @ 1..=12) => KeyCode::F(n),
                    _ => {
                        return Err(format!(
                            "{text:?} is not a key (try q, ctrl-q, enter, pgdn, f5)"
                        ));
                    }
                },
            },
        };
        Ok(Key { code, ctrl })
    }
}
