//! `auditui alerts`: access bursts and break-the-glass accesses.

use super::EXIT_OK;
use super::common::{self, Input};
use super::verify::Format;
use crate::backend::Order;
use crate::config::AlertSettings;
use crate::export;
use crate::filter::Field;
use crate::store::Columns;
use crate::time::parse_duration;

/// Bursts of accesses to one patient, and every emergency (break-the-glass) access
#[derive(clap::Args, Debug)]
#[command(
    after_help = "A burst is one user reading one patient's record THRESHOLD or more times within WINDOW; overlapping windows are reported once. Emergency accesses (purpose emergency, btg, break_glass, break-the-glass) are always listed, with whether a later review entry exists for that patient.\n\nExamples:\n  auditui alerts logs/\n  auditui alerts logs/ --threshold 5 --window 30m\n  auditui alerts logs/ -q 'since:2025-07-01' --format json"
)]
pub struct Args {
    #[command(flatten)]
    pub input: Input,
    /// Accesses within the window that make a burst [default: 10, or the configuration's]
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    pub threshold: Option<u32>,
    /// The sliding window (90s, 15m, 1h, 1h30m, 2d) [default: 1h, or the configuration's]
    #[arg(long, value_name = "DURATION", value_parser = parse_window)]
    pub window: Option<i64>,
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

fn parse_window(text: &str) -> Result<i64, String> {
    parse_duration(text).ok_or_else(|| "expected a duration like 90s, 15m, 1h or 1h30m".into())
}

pub fn run(args: Args, settings: &AlertSettings) -> Result<u8, String> {
    // Alerts read users, patients, tools, purposes and roles (see
    // `views::alerts`): not the conversations, most of a load's interning.
    let columns = [
        Field::User,
        Field::Patient,
        Field::Tool,
        Field::Purpose,
        Field::Role,
    ]
    .into_iter()
    .fold(Columns::NONE, Columns::with);
    let loaded = common::load_reading(&args.input, Order::File, columns)?;
    let alerts = loaded.selection.alerts(
        args.threshold.unwrap_or(settings.threshold) as usize,
        args.window.unwrap_or(settings.window),
    )?;
    let layout = common::TextLayout::stdout();
    common::write_stdout(|out| match args.format {
        Format::Json => export::json::write_pretty(&alerts, out),
        Format::Text => {
            writeln!(
                out,
                "Bursts ({} or more accesses to one patient by one user within {}):",
                alerts.threshold, alerts.window
            )?;
            common::write_table(&export::bursts(&alerts), layout, out)?;
            writeln!(out, "\nEmergency (break-the-glass) accesses:")?;
            common::write_table(&export::emergencies(&alerts), layout, out)
        }
    })?;
    Ok(EXIT_OK)
}
