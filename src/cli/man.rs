//! `auditui man`: the manual page (roff) on stdout.

use super::{Cli, EXIT_OK};
use clap::CommandFactory;

/// Print the manual page
#[derive(clap::Args, Debug)]
#[command(
    after_help = "Examples:\n  auditui man | man -l -\n  auditui man > ~/.local/share/man/man1/auditui.1"
)]
pub struct Args {}

pub fn run(_args: Args) -> Result<u8, String> {
    let page = clap_mangen::Man::new(Cli::command());
    super::common::write_stdout(|out| page.render(out))?;
    Ok(EXIT_OK)
}
