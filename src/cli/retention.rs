//! `auditui retention`: the lesson's retention policy applied to each entry.

use super::EXIT_OK;
use super::common::{self, Format, Input};
use crate::backend::Order;
use crate::config::RetentionSettings;
use crate::export;
use crate::filter::Field;
use crate::store::Columns;
use crate::time::{format_timestamp, parse_duration, parse_timestamp};
use crate::views::retention::{Policies, RetentionEntry, Status, ToolRetention, by_tool};
use serde::Serialize;

/// Retention period of each entry (financial 7 years, healthcare 6, others 1) and what is past it
#[derive(clap::Args, Debug)]
#[command(
    after_help = "Policies (the lesson's RETENTION_POLICIES): financial 2555 days (charge_payment, issue_refund, apply_credit), healthcare 2190 days (access_patient_record, update_treatment), general 365 days (every other tool). The configuration file's [retention] section replaces them (auditui config --print-default shows the format; --config FILE reads another file). auditui reports; it never deletes anything.\n\nExamples:\n  auditui retention logs/\n  auditui retention logs/ --now 2026-07-07 --format json\n  auditui retention logs/ -q 'tool:charge_payment' --format csv > retention.csv\n  auditui retention logs/ --config hospital-policies.toml"
)]
pub struct Args {
    #[command(flatten)]
    pub input: Input,
    /// The date to judge against (default: now)
    #[arg(long, value_name = "DATE", value_parser = parse_now)]
    pub now: Option<i64>,
    /// How close to its end a retention period counts as due [default: 30d, or the configuration's]
    #[arg(long, value_name = "DURATION", value_parser = parse_due)]
    pub due_within: Option<i64>,
    /// text: counts per tool; json and csv: every entry
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

fn parse_now(text: &str) -> Result<i64, String> {
    parse_timestamp(text)
        .ok_or_else(|| "expected a date like 2026-07-07 or 2026-07-07T12:00Z".into())
}

fn parse_due(text: &str) -> Result<i64, String> {
    parse_duration(text).ok_or_else(|| "expected a duration like 30d or 2w".into())
}

/// A duration in days, as the policies count.
fn days(micros: i64) -> f64 {
    micros as f64 / 86_400_000_000.0
}

/// The JSON output.
#[derive(Serialize)]
struct Retention<'a> {
    now: String,
    due_within_days: f64,
    policies: &'a Policies,
    by_tool: &'a [ToolRetention],
    entries: &'a [RetentionEntry],
}

pub fn run(args: Args, settings: &RetentionSettings) -> Result<u8, String> {
    // Retention reads the tools (see `views::retention`).
    let columns = Columns::NONE.with(Field::Tool);
    let loaded = common::load_reading(&args.input, Order::File, columns)?;
    let now = args
        .now
        .unwrap_or_else(|| chrono::Utc::now().timestamp_micros());
    let policies = &settings.policies;
    let due_within = args.due_within.unwrap_or(settings.due_within);
    let entries = loaded.selection.retention(policies, now, due_within)?;
    let tools = by_tool(&entries);
    common::write_stdout(|out| match args.format {
        Format::Json => export::json::write_pretty(
            &Retention {
                now: format_timestamp(now),
                due_within_days: days(due_within),
                policies,
                by_tool: &tools,
                entries: &entries,
            },
            out,
        ),
        Format::Csv => export::csv::write_table(&export::retention(&entries), out),
        Format::Text => {
            writeln!(
                out,
                "Retention at {} (due = ending within {} days):",
                format_timestamp(now),
                days(due_within)
            )?;
            common::write_table(
                &export::retention_by_tool(&tools),
                common::TextLayout::stdout(),
                out,
            )?;
            let count = |s| entries.iter().filter(|e| e.status == s).count();
            writeln!(
                out,
                "\n{} past retention, {} due; --format csv lists every entry",
                count(Status::Past),
                count(Status::Due)
            )
        }
    })?;
    Ok(EXIT_OK)
}
