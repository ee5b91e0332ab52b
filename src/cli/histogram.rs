//! `auditui histogram`: calls and failures per time bucket.

use super::EXIT_OK;
use super::common::Format;
use super::common::{self, Input};
use crate::export;
use crate::export::json::write_pretty;
use crate::log::entry::Picks;
use crate::store::Columns;
use crate::time::{format_duration, format_timestamp, parse_duration};
use crate::views::histogram::{Bucket, Histogram, MAX_BUCKETS, TooManyBuckets, Width};
use serde::Serialize;
use std::io::{self, Write};

/// Calls and failures per time bucket: when did it start?
#[derive(clap::Args, Debug)]
#[command(
    after_help = "Buckets are UTC intervals aligned to multiples of their width (a 1d bucket runs from midnight to midnight UTC, whatever offset the log wrote). Without --bucket, the narrowest of 1s 5s 10s 30s 1m 5m 10m 30m 1h 3h 6h 12h 1d (or whole days) that gives at most 60 buckets. Text draws one bar per bucket: █ calls, ▒ the failed share.\n\nExamples:\n  auditui histogram logs/\n  auditui histogram logs/ -q 'tool:issue_refund since:2025-07-06' --bucket 5m\n  auditui histogram logs/ --bucket 1h --format csv > hourly.csv"
)]
pub struct Args {
    #[command(flatten)]
    pub input: Input,
    /// Bucket width: 30s, 5m, 1h, 1d, … (default: chosen from the span)
    #[arg(long, value_name = "WIDTH", value_parser = parse_bucket)]
    pub bucket: Option<i64>,
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

/// At most this many buckets when the width is chosen automatically: a
/// screenful of lines.
const AUTO_BUCKETS: usize = 60;
/// Columns of the longest bar in text.
const BAR_WIDTH: usize = 40;

fn parse_bucket(text: &str) -> Result<i64, String> {
    parse_duration(text)
        .filter(|&width| width > 0)
        .ok_or_else(|| format!("'{text}' is not a bucket width; try 30s, 5m, 1h or 1d"))
}

/// The JSON output.
#[derive(Serialize)]
struct Output {
    /// The width as `--bucket` reads it.
    bucket: String,
    bucket_seconds: f64,
    calls: u64,
    failures: u64,
    /// Selected entries without a readable timestamp, in no bucket.
    untimed: usize,
    buckets: Vec<OutputBucket>,
}

#[derive(Serialize)]
struct OutputBucket {
    start: String,
    end: String,
    calls: u32,
    failures: u32,
}

pub fn run(args: Args) -> Result<u8, String> {
    // Buckets count times and outcomes: no interned column, duration or
    // turn is read, and no line after the load.
    let times = Columns::FILTER_ONLY.reading(Picks::TIME.and(Picks::OUTCOME));
    // Read once even without a filter: unmapping the file after the answer
    // was most of its tail (BENCHMARKS.md, "Issue 21", session of 21:50 UTC).
    let loaded = common::load_matching(&args.input, times, true)?;
    let width = args.bucket.map_or(Width::Auto(AUTO_BUCKETS), Width::Fixed);
    let histogram = loaded.selection.histogram(width)?.map_err(too_many)?;
    if histogram.buckets.is_empty() {
        eprintln!("auditui: no selected entry has a readable timestamp");
    }
    common::write_stdout(|out| match args.format {
        Format::Text => write_text(&histogram, out),
        Format::Json => write_pretty(&output(&histogram), out),
        Format::Csv => export::csv::write_table(&export::histogram(&histogram), out),
    })?;
    Ok(EXIT_OK)
}

fn too_many(e: TooManyBuckets) -> String {
    format!(
        "--bucket {} would make {} buckets over this span (at most {MAX_BUCKETS}); choose a wider one",
        format_duration(e.width),
        e.count
    )
}

fn output(histogram: &Histogram) -> Output {
    let (calls, failures) = histogram.totals(0..=histogram.buckets.len().saturating_sub(1));
    Output {
        bucket: format_duration(histogram.width),
        bucket_seconds: histogram.width as f64 / 1e6,
        calls,
        failures,
        untimed: histogram.untimed,
        buckets: histogram
            .buckets
            .iter()
            .map(|b| OutputBucket {
                start: format_timestamp(b.start),
                end: format_timestamp(b.start + histogram.width),
                calls: b.calls,
                failures: b.failures,
            })
            .collect(),
    }
}

fn write_text(histogram: &Histogram, out: &mut dyn Write) -> io::Result<()> {
    let (Some(first), Some(end)) = (histogram.buckets.first(), histogram.end()) else {
        return Ok(());
    };
    let (calls, failures) = histogram.totals(0..=histogram.buckets.len() - 1);
    write!(
        out,
        "{} buckets (UTC) from {} to {}: {calls} calls, {failures} failed",
        format_duration(histogram.width),
        format_timestamp(first.start),
        format_timestamp(end),
    )?;
    if histogram.untimed > 0 {
        write!(out, "; {} without a readable timestamp", histogram.untimed)?;
    }
    writeln!(out)?;
    let peak = histogram.peak();
    let starts: Vec<String> = histogram
        .buckets
        .iter()
        .map(|b| format_timestamp(b.start))
        .collect();
    let time_width = starts.iter().map(String::len).max().unwrap_or(0);
    let count_width = peak.to_string().len().max("failed".len());
    writeln!(
        out,
        "{:time_width$}  {:>count_width$}  {:>count_width$}",
        "start", "calls", "failed"
    )?;
    for (start, b) in starts.iter().zip(&histogram.buckets) {
        let line = format!(
            "{start:time_width$}  {:>count_width$}  {:>count_width$}  {}",
            b.calls,
            b.failures,
            bar(b, peak, BAR_WIDTH)
        );
        writeln!(out, "{}", line.trim_end())?;
    }
    Ok(())
}

/// A bucket's bar, `peak` calls filling `width` columns, to an eighth of
/// a column; the failed share first, drawn as `▒` so that it reads without
/// colour.
fn bar(bucket: &Bucket, peak: u32, width: usize) -> String {
    const EIGHTHS: [char; 8] = [' ', '▏', '▎', '▍', '▌', '▋', '▊', '▉'];
    let fill = bucket.fill(peak, width);
    let columns = fill.eighths.div_ceil(8);
    let full = (fill.eighths / 8).saturating_sub(fill.failed_cells);
    let mut bar = "▒".repeat(fill.failed_cells) + &"█".repeat(full);
    if fill.failed_cells + full < columns {
        bar.push(EIGHTHS[fill.eighths % 8]);
    }
    bar
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bars_scale_to_the_peak_in_eighths_with_failures_first() {
        let bucket = |calls, failures| Bucket {
            start: 0,
            calls,
            failures,
        };
        assert_eq!(bar(&bucket(4, 0), 4, 4), "████");
        assert_eq!(bar(&bucket(1, 0), 4, 4), "█");
        assert_eq!(bar(&bucket(1, 0), 8, 4), "▌");
        assert_eq!(bar(&bucket(4, 2), 4, 4), "▒▒██");
        assert_eq!(bar(&bucket(3, 1), 8, 4), "▒▌");
        assert_eq!(bar(&bucket(1, 1), 100, 4), "▒", "a failure always shows");
        assert_eq!(bar(&bucket(0, 0), 4, 4), "");
    }

    #[test]
    fn bucket_widths_are_durations_and_never_zero() {
        assert_eq!(parse_bucket("5m"), Ok(300_000_000));
        assert_eq!(parse_bucket("1h30m"), Ok(5_400_000_000));
        assert!(parse_bucket("0s").is_err());
        assert!(parse_bucket("5M").is_err());
    }
}
