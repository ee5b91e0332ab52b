//! `--color`: when output gets colour. `auto` follows the conventions of
//! ripgrep and bat: colour on a terminal only, never with `NO_COLOR`,
//! always with `CLICOLOR_FORCE` (rules from anstream, which clap already
//! uses for its own help).

use anstream::ColorChoice;
use anstyle::{AnsiColor, Style};

#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum ColorWhen {
    /// Colour when the output is a terminal, unless NO_COLOR is set
    #[default]
    Auto,
    Always,
    Never,
}

/// Make `when` the process-wide choice, for our output and clap's.
pub fn init(when: ColorWhen) {
    match when {
        ColorWhen::Auto => ColorChoice::Auto,
        ColorWhen::Always => ColorChoice::Always,
        ColorWhen::Never => ColorChoice::Never,
    }
    .write_global();
}

/// Whether text written to stdout gets colour.
pub fn stdout_has_color() -> bool {
    anstream::AutoStream::choice(&std::io::stdout()) != ColorChoice::Never
}

/// Styles for the CLI's text output; all plain when colour is off, so
/// pipes and files never see escape codes.
#[derive(Debug, Clone, Copy)]
pub struct Paint {
    on: bool,
}

impl Paint {
    pub fn stdout() -> Paint {
        Paint {
            on: stdout_has_color(),
        }
    }

    pub fn plain() -> Paint {
        Paint { on: false }
    }

    fn wrap(self, style: Style, text: &str) -> String {
        if self.on {
            format!("{style}{text}{style:#}")
        } else {
            text.to_owned()
        }
    }

    pub fn good(self, text: &str) -> String {
        self.wrap(
            Style::new().fg_color(Some(AnsiColor::Green.into())).bold(),
            text,
        )
    }

    pub fn bad(self, text: &str) -> String {
        self.wrap(
            Style::new().fg_color(Some(AnsiColor::Red.into())).bold(),
            text,
        )
    }

    pub fn warn(self, text: &str) -> String {
        self.wrap(
            Style::new().fg_color(Some(AnsiColor::Yellow.into())).bold(),
            text,
        )
    }

    pub fn header(self, text: &str) -> String {
        self.wrap(Style::new().bold(), text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_paint_adds_nothing_and_colour_wraps_in_sgr_codes() {
        assert_eq!(Paint::plain().bad("BROKEN"), "BROKEN");
        let colored = Paint { on: true }.bad("BROKEN");
        assert!(colored.starts_with("\x1b[") && colored.ends_with("\x1b[0m"));
        assert!(colored.contains("BROKEN"));
    }
}
