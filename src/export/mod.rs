//! Output formats for the views: JSON, JSON Lines, CSV and Markdown.
//!
//! Every tabular view becomes one [`Table`] here, and each format prints a
//! `Table` its own way (the terminal's aligned text lives with the CLI), so
//! a column exists once however many formats show it. JSON needs no table:
//! it serialises the view structs themselves.

pub mod atomic;
pub mod csv;
pub mod fhir;
pub mod json;
pub mod markdown;
pub mod report_file;

use crate::backend::{EntryRow, Listed};
use crate::store::store::{NO_TIME, Outcome};
use crate::text::plural;
use crate::time::format_timestamp;
use crate::views::PyNumber;
use crate::views::alerts::Alerts;
use crate::views::histogram::Histogram;
use crate::views::report::{AccessReport, Accounting, ReportPeriod};
use crate::views::retention::{RetentionEntry, ToolRetention};
use crate::views::stats::ToolStats;

/// One value of a table. Text is the log's, unescaped: each format escapes
/// it for its medium.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Text(String),
    Int(i64),
    Float(f64),
    Empty,
}

impl Cell {
    fn text(value: Option<&str>) -> Cell {
        value.map_or(Cell::Empty, |s| Cell::Text(s.to_owned()))
    }

    fn count(n: usize) -> Cell {
        Cell::Int(i64::try_from(n).unwrap_or(i64::MAX))
    }

    fn float(x: Option<f64>) -> Cell {
        x.filter(|x| !x.is_nan()).map_or(Cell::Empty, Cell::Float)
    }

    fn yes_no(b: Option<bool>) -> Cell {
        b.map_or(Cell::Empty, |b| {
            Cell::Text(if b { "yes" } else { "no" }.into())
        })
    }

    /// The cell as plain text (numbers in their shortest round-trip form).
    pub fn display(&self) -> String {
        match self {
            Cell::Text(s) => s.clone(),
            Cell::Int(n) => n.to_string(),
            Cell::Float(x) => x.to_string(),
            Cell::Empty => String::new(),
        }
    }
}

impl From<PyNumber> for Cell {
    fn from(n: PyNumber) -> Cell {
        match n {
            PyNumber::Int(i) => Cell::Int(i),
            PyNumber::Float(x) => Cell::float(Some(x)),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Column {
    /// Header in every format (the view's JSON key where there is one).
    pub name: &'static str,
    /// Numbers: right-aligned on a terminal, written raw in CSV.
    pub numeric: bool,
    /// Kept out of the terminal table (too wide to be useful there), still
    /// in CSV and Markdown.
    pub detail: bool,
}

const fn text(name: &'static str) -> Column {
    Column {
        name,
        numeric: false,
        detail: false,
    }
}

const fn number(name: &'static str) -> Column {
    Column {
        name,
        numeric: true,
        detail: false,
    }
}

const fn detail(column: Column) -> Column {
    Column {
        detail: true,
        ..column
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    pub columns: Vec<Column>,
    pub rows: Vec<Vec<Cell>>,
}

/// Visit each entry of `selection` with its line; a question the backend
/// could not answer is an I/O error of the export.
pub fn each_entry(
    selection: &dyn Listed,
    visit: &mut dyn FnMut(&EntryRow, &[u8]) -> std::io::Result<()>,
) -> std::io::Result<()> {
    selection.for_each(visit).map_err(std::io::Error::other)?
}

/// Log entries, one per row: what `query` and `export` print.
pub fn entries(selection: &dyn Listed) -> std::io::Result<Table> {
    let columns = vec![
        text("time"),
        text("user"),
        text("tool"),
        text("status"),
        number("duration_ms"),
        text("conversation"),
        text("patient"),
        detail(number("turn")),
        detail(text("role")),
        detail(text("purpose")),
        detail(text("model")),
        detail(text("trigger")),
        detail(text("ip")),
        detail(text("error")),
        detail(text("file")),
        detail(number("line")),
    ];
    let mut rows = Vec::with_capacity(selection.count());
    each_entry(selection, &mut |entry, line| {
        let field = |text: &Option<String>| Cell::text(text.as_deref());
        rows.push(vec![
            match entry.key.time {
                NO_TIME => Cell::Empty,
                t => Cell::Text(format_timestamp(t)),
            },
            field(&entry.user),
            field(&entry.tool),
            match entry.outcome {
                Outcome::Ok => Cell::Text("ok".into()),
                Outcome::Failed => Cell::Text("failed".into()),
                Outcome::Unknown => Cell::Empty,
            },
            Cell::float(Some(entry.duration_ms.unwrap_or(f64::NAN))),
            field(&entry.conversation),
            field(&entry.patient),
            entry
                .turn
                .map_or(Cell::Empty, |turn| Cell::Int(i64::from(turn))),
            field(&entry.role),
            field(&entry.purpose),
            field(&entry.model),
            field(&entry.trigger),
            field(&entry.ip),
            Cell::text(error_message(entry.outcome, line).as_deref()),
            Cell::Text(entry.file.clone()),
            Cell::count(entry.line),
        ]);
        Ok(())
    })?;
    Ok(Table { columns, rows })
}

/// The `result_summary.error` a call that did not succeed logged, re-read
/// from its line (successful calls are not re-read).
fn error_message(outcome: Outcome, line: &[u8]) -> Option<String> {
    if outcome == Outcome::Ok {
        return None;
    }
    let entry = crate::log::entry::parse_line(line).ok()?;
    entry.fields().error.map(|e| e.into_owned())
}

/// Per-tool statistics, the lesson's keys first.
pub fn stats(stats: &[ToolStats]) -> Table {
    Table {
        columns: vec![
            text("tool"),
            number("total_calls"),
            number("success_rate"),
            number("avg_duration_ms"),
            number("max_duration_ms"),
            number("unique_users"),
            number("failures"),
            number("p50_duration_ms"),
            number("p95_duration_ms"),
        ],
        rows: stats
            .iter()
            .map(|s| {
                vec![
                    Cell::text(s.tool.as_deref()),
                    Cell::count(s.total_calls),
                    Cell::Float(s.success_rate),
                    Cell::float(s.avg_duration_ms),
                    s.max_duration_ms.map_or(Cell::Empty, Cell::from),
                    Cell::count(s.unique_users),
                    Cell::count(s.failures),
                    Cell::float(s.p50_duration_ms),
                    Cell::float(s.p95_duration_ms),
                ]
            })
            .collect(),
    }
}

/// A report as a document: what is said before its table, and the table.
#[derive(Debug, Clone, PartialEq)]
pub struct Document {
    pub title: &'static str,
    pub patient: String,
    pub period: ReportPeriod,
    /// Counts, in words.
    pub summary: String,
    /// Why integrity is not verified; `None` when it is (the views set a
    /// note exactly when `integrity_verified` is false).
    pub integrity_note: Option<String>,
    /// What else a reader must know: the filter that narrowed the entries,
    /// a patient id that never occurs in the log.
    pub notes: Vec<String>,
    pub table: Table,
}

/// The notes of a report or accounting, in words.
fn notes(filter: &Option<String>, patient_note: &Option<String>) -> Vec<String> {
    let filter = filter
        .iter()
        .map(|f| format!("filter: {f} (only entries matching every term)"));
    filter.chain(patient_note.iter().cloned()).collect()
}

/// The access report; each row carries the patient so that a CSV row
/// stands on its own.
pub fn report_document(report: &AccessReport) -> Document {
    Document {
        title: "Access report",
        patient: report.patient_id.clone(),
        period: report.report_period.clone(),
        summary: format!(
            "{} {} by {} {}",
            report.total_accesses,
            plural(report.total_accesses, "access", "accesses"),
            report.unique_users,
            plural(report.unique_users, "user", "users")
        ),
        integrity_note: report.integrity_note.clone(),
        notes: notes(&report.filter, &report.patient_note),
        table: Table {
            columns: vec![
                detail(text("patient_id")),
                text("timestamp"),
                text("accessed_by"),
                text("role"),
                text("tool"),
                text("purpose"),
                text("success"),
                text("emergency"),
                text("justification"),
            ],
            rows: report
                .accesses
                .iter()
                .map(|a| {
                    vec![
                        Cell::Text(report.patient_id.clone()),
                        Cell::Text(a.timestamp.clone()),
                        Cell::text(a.accessed_by.as_deref()),
                        Cell::text(a.role.as_deref()),
                        Cell::text(a.tool.as_deref()),
                        Cell::text(a.purpose.as_deref()),
                        Cell::yes_no(a.success),
                        Cell::yes_no(Some(a.emergency)),
                        Cell::text(a.justification.as_deref()),
                    ]
                })
                .collect(),
        },
    }
}

/// The accounting of disclosures.
pub fn accounting_document(accounting: &Accounting) -> Document {
    Document {
        title: "Accounting of disclosures",
        patient: accounting.patient_id.clone(),
        period: accounting.report_period.clone(),
        summary: format!(
            "{} {}",
            accounting.total_disclosures,
            plural(accounting.total_disclosures, "disclosure", "disclosures")
        ),
        integrity_note: accounting.integrity_note.clone(),
        notes: notes(&accounting.filter, &accounting.patient_note),
        table: Table {
            columns: vec![
                detail(text("patient_id")),
                text("date"),
                text("recipient"),
                text("recipient_role"),
                text("purpose"),
                text("tool"),
                text("emergency"),
                text("justification"),
                detail(text("timestamp")),
            ],
            rows: accounting
                .disclosures
                .iter()
                .map(|d| {
                    vec![
                        Cell::Text(accounting.patient_id.clone()),
                        Cell::Text(d.date.clone()),
                        Cell::text(d.recipient.as_deref()),
                        Cell::text(d.recipient_role.as_deref()),
                        Cell::text(d.purpose.as_deref()),
                        Cell::text(d.tool.as_deref()),
                        Cell::yes_no(Some(d.emergency)),
                        Cell::text(d.justification.as_deref()),
                        Cell::Text(d.timestamp.clone()),
                    ]
                })
                .collect(),
        },
    }
}

/// Calls and failures per bucket, times in UTC.
pub fn histogram(histogram: &Histogram) -> Table {
    Table {
        columns: vec![
            text("start"),
            text("end"),
            number("calls"),
            number("failures"),
        ],
        rows: histogram
            .buckets
            .iter()
            .map(|b| {
                vec![
                    Cell::Text(format_timestamp(b.start)),
                    Cell::Text(format_timestamp(b.start + histogram.width)),
                    Cell::Int(b.calls.into()),
                    Cell::Int(b.failures.into()),
                ]
            })
            .collect(),
    }
}

/// Access bursts.
pub fn bursts(alerts: &Alerts) -> Table {
    Table {
        columns: vec![
            text("user"),
            text("patient"),
            number("count"),
            text("first"),
            text("last"),
        ],
        rows: alerts
            .bursts
            .iter()
            .map(|b| {
                vec![
                    Cell::text(b.user.as_deref()),
                    Cell::Text(b.patient.clone()),
                    Cell::count(b.count),
                    Cell::Text(b.first.clone()),
                    Cell::Text(b.last.clone()),
                ]
            })
            .collect(),
    }
}

/// Break-the-glass accesses.
pub fn emergencies(alerts: &Alerts) -> Table {
    Table {
        columns: vec![
            text("timestamp"),
            text("user"),
            text("role"),
            text("patient"),
            text("tool"),
            text("purpose"),
            text("justification"),
            text("reviewed"),
            text("review_timestamp"),
        ],
        rows: alerts
            .emergencies
            .iter()
            .map(|e| {
                vec![
                    Cell::text(e.timestamp.as_deref()),
                    Cell::text(e.user.as_deref()),
                    Cell::text(e.role.as_deref()),
                    Cell::text(e.patient.as_deref()),
                    Cell::text(e.tool.as_deref()),
                    Cell::text(e.purpose.as_deref()),
                    Cell::text(e.justification.as_deref()),
                    Cell::yes_no(Some(e.reviewed)),
                    Cell::text(e.review_timestamp.as_deref()),
                ]
            })
            .collect(),
    }
}

/// Retention per entry.
pub fn retention(entries: &[RetentionEntry]) -> Table {
    Table {
        columns: vec![
            text("time"),
            text("tool"),
            text("policy"),
            number("retention_days"),
            text("expires"),
            text("status"),
            text("file"),
            number("line"),
        ],
        rows: entries
            .iter()
            .map(|e| {
                vec![
                    Cell::text(e.time.as_deref()),
                    Cell::text(e.tool.as_deref()),
                    Cell::text(e.policy.as_deref()),
                    e.retention_days
                        .map_or(Cell::Empty, |d| Cell::Int(i64::from(d))),
                    Cell::text(e.expires.as_deref()),
                    Cell::Text(e.status.name().into()),
                    Cell::Text(e.file.clone()),
                    Cell::count(e.line),
                ]
            })
            .collect(),
    }
}

/// Retention counts per tool.
pub fn retention_by_tool(tools: &[ToolRetention]) -> Table {
    Table {
        columns: vec![
            text("tool"),
            text("policy"),
            number("retention_days"),
            number("entries"),
            number("past"),
            number("due"),
            number("retained"),
            number("unknown"),
            text("next_expiry"),
        ],
        rows: tools
            .iter()
            .map(|t| {
                vec![
                    Cell::text(t.tool.as_deref()),
                    Cell::text(t.policy.as_deref()),
                    t.retention_days
                        .map_or(Cell::Empty, |d| Cell::Int(i64::from(d))),
                    Cell::count(t.entries),
                    Cell::count(t.past),
                    Cell::count(t.due),
                    Cell::count(t.retained),
                    Cell::count(t.unknown),
                    Cell::text(t.next_expiry.as_deref()),
                ]
            })
            .collect(),
    }
}
