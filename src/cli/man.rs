//! `auditui man`: the manual page (roff) on stdout. One page holds every
//! command: clap_mangen's own subcommand section cites a page per command
//! (`auditui-verify(1)`), which no one installs.

use super::{Cli, EXIT_OK};
use clap::CommandFactory;
use std::io::{self, Write};

/// Print the manual page
#[derive(clap::Args, Debug)]
#[command(
    after_help = "Examples:\n  auditui man | man -l -\n  auditui man > ~/.local/share/man/man1/auditui.1"
)]
pub struct Args {}

pub fn run(_args: Args) -> Result<u8, String> {
    super::common::write_stdout(render)?;
    Ok(EXIT_OK)
}

fn render(out: &mut dyn Write) -> io::Result<()> {
    let mut cli = Cli::command();
    let page = clap_mangen::Man::new(cli.clone());
    page.render_title(out)?;
    page.render_name_section(out)?;
    page.render_synopsis_section(out)?;
    page.render_description_section(out)?;
    page.render_options_section(out)?;
    writeln!(out, ".SH COMMANDS")?;
    cli.build();
    for command in cli.get_subcommands_mut() {
        if command.is_hide_set() || command.get_name() == "help" {
            continue;
        }
        writeln!(out, ".SS \"auditui {}\"", command.get_name())?;
        writeln!(out, ".nf")?;
        for line in command.render_long_help().to_string().lines() {
            writeln!(out, "{}", roff_line(line))?;
        }
        writeln!(out, ".fi")?;
    }
    page.render_extra_section(out)?;
    page.render_version_section(out)?;
    page.render_authors_section(out)
}

/// A line of text as roff shows it literally: backslashes escaped, and a
/// leading `.` or `'` not read as a request.
fn roff_line(line: &str) -> String {
    let escaped = line.replace('\\', "\\e");
    if escaped.starts_with(['.', '\'']) {
        format!("\\&{escaped}")
    } else {
        escaped
    }
}
