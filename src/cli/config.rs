//! `auditui config`: where the configuration is read from, whether it is
//! valid, and the commented default.

use super::{EXIT_ERROR, EXIT_OK};
use crate::config::{self, Config, DEFAULT_TOML};
use crate::text::{for_terminal, for_terminal_multiline};
use crate::tui::keymap;
use std::path::Path;

/// Check the configuration file, or print the default one
#[derive(clap::Args, Debug)]
#[command(
    after_help = "Without options, says which file is read and whether it is valid (exit 0 valid or absent, 2 invalid).\n\nExamples:\n  auditui config\n  auditui config --print-default > ~/.config/auditui/config.toml\n  auditui config --keys"
)]
pub struct Args {
    /// Print the default configuration, with comments
    #[arg(long, conflicts_with = "keys")]
    pub print_default: bool,
    /// List the actions that [keys] can bind, with their default keys
    #[arg(long)]
    pub keys: bool,
}

pub fn run(args: Args, explicit: Option<&Path>) -> Result<u8, String> {
    if args.print_default {
        super::common::write_stdout(|out| out.write_all(DEFAULT_TOML.as_bytes()))?;
        return Ok(EXIT_OK);
    }
    if args.keys {
        super::common::write_stdout(|out| {
            for binding in keymap::BINDINGS {
                if let Some(name) = keymap::config_name(binding) {
                    let keys: Vec<String> = binding.keys.iter().map(|k| k.label()).collect();
                    writeln!(
                        out,
                        "{name:<14} {:<14} {}",
                        keys.join(" "),
                        binding.description
                    )?;
                }
            }
            Ok(())
        })?;
        return Ok(EXIT_OK);
    }
    let path = explicit.map(Path::to_owned).or_else(config::default_path);
    let Some(path) = path else {
        return say("no configuration: neither XDG_CONFIG_HOME nor HOME is set; defaults in use");
    };
    let shown = for_terminal(&path.display().to_string()).into_owned();
    if explicit.is_none() && !path.exists() {
        return say(&format!("{shown}: not present; defaults in use"));
    }
    match Config::load(Some(&path)).problem {
        None => say(&format!("{shown}: valid")),
        Some(problem) => {
            eprintln!("auditui: {}", for_terminal_multiline(&problem));
            Ok(EXIT_ERROR)
        }
    }
}

/// One line of answer on stdout.
fn say(line: &str) -> Result<u8, String> {
    super::common::write_stdout(|out| writeln!(out, "{line}"))?;
    Ok(EXIT_OK)
}
