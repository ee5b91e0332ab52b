//! Styles, with and without colour.
//!
//! Every state that colour shows is also carried by words or glyphs
//! ("INTACT", "✗", "▶"), so `NO_COLOR` loses nothing: without colour the
//! styles fall back to bold, reverse and underline.

use crate::config::Colors;
use ratatui::style::{Color, Modifier, Style};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Theme {
    pub color: bool,
    palette: Colors,
}

impl Theme {
    /// The configured colours, if `color` (the terminal, `--color`,
    /// `NO_COLOR` and the configuration all allow colour).
    pub fn new(color: bool, palette: Colors) -> Theme {
        Theme {
            color: color && palette.enabled,
            palette,
        }
    }

    /// No colour: what tests and `NO_COLOR` see.
    pub fn plain() -> Theme {
        Theme::new(false, Colors::default())
    }

    fn pick(self, colored: Style, plain: Style) -> Style {
        if self.color { colored } else { plain }
    }

    pub fn intact(self) -> Style {
        self.pick(
            Style::new().fg(Color::Black).bg(self.palette.intact).bold(),
            Style::new().bold(),
        )
    }

    pub fn broken(self) -> Style {
        self.pick(
            Style::new().fg(Color::White).bg(self.palette.broken).bold(),
            Style::new().add_modifier(Modifier::REVERSED | Modifier::BOLD),
        )
    }

    pub fn weak(self) -> Style {
        self.pick(
            Style::new().fg(Color::Black).bg(self.palette.weak).bold(),
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
        self.pick(Style::new().fg(self.palette.intact), Style::new())
    }

    pub fn failed(self) -> Style {
        self.pick(
            Style::new().fg(self.palette.failed).bold(),
            Style::new().bold(),
        )
    }

    pub fn error(self) -> Style {
        self.pick(Style::new().fg(self.palette.broken), Style::new().bold())
    }

    /// Emergency accesses and other rows that must stand out.
    pub fn alarm(self) -> Style {
        self.pick(
            Style::new().fg(self.palette.alarm).bold(),
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
        self.pick(
            Style::new().fg(self.palette.accent).bold(),
            Style::new().bold(),
        )
    }

    pub fn header(self) -> Style {
        self.pick(
            Style::new().fg(self.palette.header).bold(),
            Style::new().add_modifier(Modifier::BOLD | Modifier::UNDERLINED),
        )
    }

    /// The selected row; reverse video reads the same with or without colour.
    pub fn selected(self) -> Style {
        Style::new().add_modifier(Modifier::REVERSED)
    }

    pub fn border(self, focused: bool) -> Style {
        match (focused, self.color) {
            (true, true) => Style::new().fg(self.palette.accent),
            (true, false) => Style::new().bold(),
            (false, _) => self.dim(),
        }
    }
}
