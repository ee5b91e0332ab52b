//! `auditui timeline`: one conversation's tool calls in order.

use super::EXIT_OK;
use super::common::{self, Input};
use crate::export::json::write_pretty;
use crate::text::{for_terminal, truncate_to_width};
use crate::views::timeline::TimelineEntry;
use serde::Serialize;
use std::io::{self, IsTerminal, Write};

/// A conversation's tool calls in order, with who caused each one
#[derive(clap::Args, Debug)]
#[command(
    after_help = "--format seed prints exactly the lines of the lesson's conversation_timeline(); piped, its bytes are the lesson's own (on a terminal, control and bidi characters in tool names are shown escaped).\n\nExamples:\n  auditui timeline logs/ --conversation conv_abc123\n  auditui timeline logs/ --conversation conv_abc123 --format seed > timeline.txt\n  auditui timeline logs/ --conversation conv_abc123 -q failed --format json"
)]
pub struct Args {
    #[command(flatten)]
    pub input: Input,
    /// The conversation_id to show
    #[arg(long, value_name = "ID")]
    pub conversation: String,
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Text,
    Json,
    Seed,
}

/// The JSON output: the conversation asked for and its calls.
#[derive(Serialize)]
struct Conversation<'a> {
    conversation: &'a str,
    entries: &'a [TimelineEntry],
}

/// Widest the arguments or result of a call may print in text before being cut.
const MAX_JSON_WIDTH: usize = 80;

pub fn run(args: Args) -> Result<u8, String> {
    let loaded = common::load(&args.input)?;
    let entries = loaded.selection.timeline(&args.conversation)?;
    if entries.is_empty() {
        eprintln!(
            "auditui: no entries of conversation '{}'{}",
            for_terminal(&args.conversation),
            if args.input.query.is_some() {
                " match the filter"
            } else {
                ""
            }
        );
    }
    let exact = !io::stdout().is_terminal();
    common::write_stdout(|out| match args.format {
        Format::Json => write_pretty(
            &Conversation {
                conversation: &args.conversation,
                entries: &entries,
            },
            out,
        ),
        Format::Seed => entries.iter().try_for_each(|e| {
            if exact {
                writeln!(out, "{}", e.line)
            } else {
                writeln!(out, "{}", for_terminal(&e.line))
            }
        }),
        Format::Text => write_text(&entries, out),
    })?;
    Ok(EXIT_OK)
}

fn write_text(entries: &[TimelineEntry], out: &mut dyn Write) -> io::Result<()> {
    let cut = |s: &str| truncate_to_width(&for_terminal(s), MAX_JSON_WIDTH).into_owned();
    for e in entries {
        writeln!(
            out,
            "{}  [Turn {}] {} {}({}) → {} [{}]",
            for_terminal(e.timestamp.as_deref().unwrap_or("-")),
            e.turn.map_or_else(|| "-".to_owned(), |t| t.to_string()),
            match e.success {
                Some(true) => "✅",
                Some(false) => "❌",
                None => "❔",
            },
            for_terminal(e.tool.as_deref().unwrap_or("-")),
            cut(&e.arguments),
            cut(&e.result_summary),
            e.duration_ms
                .map_or_else(|| "-".to_owned(), |d| format!("{d}ms")),
        )?;
        writeln!(out, "    {}", for_terminal(&e.attribution))?;
    }
    Ok(())
}
