//! `auditui completions SHELL`: a tab-completion script on stdout.

use super::{Cli, EXIT_OK};
use clap::CommandFactory;
use clap_complete::Shell;

/// Print a shell completion script
#[derive(clap::Args, Debug)]
#[command(
    after_help = "Examples:\n  auditui completions bash > ~/.local/share/bash-completion/completions/auditui\n  auditui completions zsh > ~/.zfunc/_auditui      # with fpath+=~/.zfunc in ~/.zshrc\n  auditui completions fish > ~/.config/fish/completions/auditui.fish"
)]
pub struct Args {
    #[arg(value_enum)]
    pub shell: Shell,
}

pub fn run(args: Args) -> Result<u8, String> {
    let mut command = Cli::command();
    super::common::write_stdout(|out| {
        clap_complete::generate(args.shell, &mut command, "auditui", out);
        Ok(())
    })?;
    Ok(EXIT_OK)
}
