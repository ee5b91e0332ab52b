use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    ExitCode::from(auditui::cli::run(auditui::cli::Cli::parse()))
}
