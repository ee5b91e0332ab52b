//! `auditui stats`: per-tool statistics over the selection.

use super::EXIT_OK;
use super::common::{self, Format, Input};
use crate::export;
use crate::views::stats;

/// Per-tool calls, success rate, durations and users (the lesson's by_tool)
#[derive(clap::Args, Debug)]
#[command(
    after_help = "JSON objects carry the lesson's by_tool keys (tool, total_calls, success_rate, avg_duration_ms, max_duration_ms, unique_users) plus failures and p50/p95 durations.\n\nExamples:\n  auditui stats logs/\n  auditui stats logs/ -q 'since:2025-07-06 user:usr_98765' --format json\n  auditui stats logs/ --format csv > tools.csv"
)]
pub struct Args {
    #[command(flatten)]
    pub input: Input,
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

pub fn run(args: Args) -> Result<u8, String> {
    // Read once with a filter only: without one every entry is kept, and
    // reading once then cost CPU (BENCHMARKS.md, "Issue 21", session of
    // 19:10 UTC).
    let filtered = (args.input.query.as_ref()).is_some_and(|filter| !filter.is_empty());
    let loaded = common::load_matching(&args.input, stats::COLUMNS, filtered)?;
    let stats = loaded.selection.tool_stats()?;
    common::write_stdout(|out| match args.format {
        Format::Text => {
            common::write_table(&export::stats(&stats), common::TextLayout::stdout(), out)
        }
        Format::Json => export::json::write_pretty(&stats, out),
        Format::Csv => export::csv::write_table(&export::stats(&stats), out),
    })?;
    Ok(EXIT_OK)
}
