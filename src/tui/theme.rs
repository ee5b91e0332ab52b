//! Styles, with and without colour.
//!
//! Every state that colour shows is also carried by words or glyphs
//! ("INTACT", "✗", "▶"), so `NO_COLOR` loses nothing: without colour the
//! styles fall back to bold, reverse and underline.

use ratatui::style::{Color, Modifier, Style};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Theme {
    pub color: bool,
}

impl Theme {
    /// Colour unless `NO_COLOR` is set to a non-empty value (no-color.org).
    pub fn from_env() -> Theme {
        Theme {
            color: std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()),
        }
    }

    fn pick(self, colored: Style, plain: Style) -> Style {
        if self.color { colored } else { plain }
    }

    pub fn intact(self) -> Style {
        self.pick(
            Style::new().fg(Color::Black).bg(Color::Green).bold(),
            Style::new().bold(),
        )
    }

    pub fn broken(self) -> Style {
        self.pick(
            Style::new().fg(Color::White).bg(Color::Red).bold(),
            Style::new().add_modifier(Modifier::REVERSED | Modifier::BOLD),
        )
    }

    pub fn weak(self) -> Style {
        self.pick(
            Style::new().fg(Color::Black).bg(Color::Yellow).bold(),
            Style::new().add_modifier(Modifier::BOLD | Modifier::UNDERLINED),
        )
    }

    /// The neutral banner while loading or after an error.
    pub fn neutral(self) -> Style {
        self.pick(
            Style::new().fg(Color::Black).bg(Color::Gray),
            Style::new().bold(),
        )
    }

    pub fn ok(self) -> Style {
        self.pick(Style::new().fg(Color::Green), Style::new())
    }

    pub fn failed(self) -> Style {
        self.pick(Style::new().fg(Color::Red).bold(), Style::new().bold())
    }

    pub fn error(self) -> Style {
        self.pick(Style::new().fg(Color::Red), Style::new().bold())
    }

    /// Emergency accesses and other rows that must stand out.
    pub fn alarm(self) -> Style {
        self.pick(
            Style::new().fg(Color::Magenta).bold(),
            Style::new().add_modifier(Modifier::BOLD | Modifier::UNDERLINED),
        )
    }

    /// Bars of the activity histogram (failures use [`Theme::failed`]).
    pub fn bar(self) -> Style {
        self.pick(Style::new().fg(Color::Cyan), Style::new())
    }

    pub fn dim(self) -> Style {
        self.pick(Style::new().fg(Color::DarkGray), Style::new())
    }

    pub fn key(self) -> Style {
        self.pick(Style::new().fg(Color::Cyan).bold(), Style::new().bold())
    }

    pub fn header(self) -> Style {
        self.pick(
            Style::new().fg(Color::Yellow).bold(),
            Style::new().add_modifier(Modifier::BOLD | Modifier::UNDERLINED),
        )
    }

    /// The selected row; reverse video reads the same with or without colour.
    pub fn selected(self) -> Style {
        Style::new().add_modifier(Modifier::REVERSED)
    }

    pub fn border(self, focused: bool) -> Style {
        match (focused, self.color) {
            (true, true) => Style::new().fg(Color::Cyan),
            (true, false) => Style::new().bold(),
            (false, _) => self.dim(),
        }
    }
}
