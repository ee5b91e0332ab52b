//! What the view subcommands share: their inputs (`PATH...` and `-q`),
//! loading with the integrity verdict on stderr, output to stdout or to a
//! file written atomically, and the aligned text table.

use super::color::Paint;
use super::open_sources;
use super::progress;
use super::terminal_out::TerminalSafe;
use crate::backend::clickhouse::ClickHouseBackend;
use crate::backend::clickhouse::query::database_source;
use crate::backend::memory::MemoryBackend;
use crate::backend::{Backend, BackendError, Order, Selection};
use crate::export::atomic::{refuse_evidence, write_atomic};
use crate::export::{Document, Table};
use crate::filter::{Filter, parse_filter};
use crate::log::chain::Verification;
use crate::log::source::Source;
use crate::store::Columns;
use crate::text::{for_terminal, truncate_to_width};
use std::io::{self, BufWriter, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use unicode_width::UnicodeWidthStr;

/// `--format` of the view commands: an aligned table for people, JSON or
/// CSV for programs.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Text,
    Json,
    Csv,
}

/// The logs to read and which of their entries to use.
#[derive(clap::Args, Debug)]
pub struct Input {
    /// Log files, directories, - for stdin, or one
    /// clickhouse://[user[:password]@]host[:port]/database
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
    /// Only entries matching FILTER, as in the browser's filter bar
    /// (e.g. 'user:usr_1 tool:get_order|get_customer since:2025-07-06 failed');
    /// since:/until: read times in UTC unless they carry an offset, and a date
    /// alone in until: includes that whole day
    #[arg(
        short = 'q',
        long = "query",
        value_name = "FILTER",
        value_parser = parse_query,
        long_help = query_help()
    )]
    pub query: Option<Filter>,
}

/// The order a command that lists entries lists them in.
#[derive(clap::Args, Debug)]
pub struct Listing {
    /// List entries file by file, each in line order, instead of all
    /// files merged by timestamp (ties by file, then line), as the browser
    /// lists them by default
    #[arg(long)]
    pub file_order: bool,
}

impl Listing {
    pub fn order(&self) -> Order {
        if self.file_order {
            Order::File
        } else {
            Order::Time
        }
    }
}

/// Where a file-producing command writes.
#[derive(clap::Args, Debug)]
pub struct Output {
    /// Write to FILE (atomically) instead of stdout; - is stdout
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Replace FILE if it exists
    #[arg(long)]
    pub force: bool,
}

/// Reads a `-q` filter; a bad one is a usage error (exit 2) that shows the
/// filter with the bad term underlined.
pub fn parse_query(text: &str) -> Result<Filter, String> {
    parse_filter(text).map_err(|e| {
        let before: String = text.chars().take(e.column.saturating_sub(1)).collect();
        format!(
            "{}\n\n  {}\n  {}{}",
            for_terminal(&e.to_string()),
            for_terminal(text),
            " ".repeat(for_terminal(&before).width()),
            "^".repeat(for_terminal(&e.term).width().max(1)),
        )
    })
}

/// The loaded logs and the selected entries.
pub struct SelectedLogs {
    pub backend: Box<dyn Backend>,
    /// Entries matching `-q` (all entries without it), in file order
    /// unless loaded with [`load_listed`].
    pub selection: Arc<dyn Selection>,
}

/// A question the logs could not answer ends the command (exit 2).
impl From<BackendError> for String {
    fn from(error: BackendError) -> String {
        format!("the logs could not answer: {error}")
    }
}

/// Read and verify the inputs, say on stderr (one line) if they are not
/// intact or only weakly protected, and select the rows. Answers come from
/// the log as it is, broken or not: the line on stderr is the caveat.
pub fn load(input: &Input) -> Result<SelectedLogs, String> {
    load_selected(
        input,
        Keep::All { leaves: false },
        Order::File,
        Columns::ALL,
    )
}

/// [`load`] for a command that lists entries, selected in `order`.
pub fn load_listed(input: &Input, order: Order) -> Result<SelectedLogs, String> {
    load_selected(input, Keep::All { leaves: false }, order, Columns::ALL)
}

/// [`load_listed`] for a command that reads only `columns` of the
/// entries (besides times, outcomes, durations and lines): only those and
/// the filter's are interned while loading, and any other is built if
/// asked for, so the answers are the same (see `store::lazy`).
pub fn load_reading(input: &Input, order: Order, columns: Columns) -> Result<SelectedLogs, String> {
    load_selected(input, Keep::All { leaves: false }, order, columns)
}

/// [`load`], keeping the entries' stored hashes in the verdict when
/// `keep_leaves` (for Merkle proofs; a database keeps none).
pub fn load_keeping(input: &Input, keep_leaves: bool) -> Result<SelectedLogs, String> {
    load_selected(
        input,
        Keep::All {
            leaves: keep_leaves,
        },
        Order::File,
        Columns::ALL,
    )
}

/// [`load_reading`] for a command that answers from the selected rows
/// alone and reads no line after loading (a count, `stats`, `histogram`):
/// only the entries matching `-q` are kept, tested as each line is read,
/// when `-q` can be tested on one entry (`store::load_matching`). With
/// `read_once`, each batch's pages are handed back as it is linked, as
/// `verify` reads, not unmapped after the answer (`Source::read_once`):
/// the caller says whether that pays (BENCHMARKS.md, "Issue 21").
pub fn load_matching(
    input: &Input,
    columns: Columns,
    read_once: bool,
) -> Result<SelectedLogs, String> {
    load_selected(input, Keep::Matching { read_once }, Order::File, columns)
}

/// What a load keeps besides the store of every entry.
enum Keep {
    /// Every entry; the stored hashes too when `leaves`.
    All { leaves: bool },
    /// Only the entries the filter matches, from sources read once when
    /// `read_once`.
    Matching { read_once: bool },
}

fn load_selected(
    input: &Input,
    keep: Keep,
    order: Order,
    columns: Columns,
) -> Result<SelectedLogs, String> {
    let never = AtomicBool::new(false);
    let filter = input.query.clone().unwrap_or_default();
    let backend: Box<dyn Backend> = match database_source(&input.paths)? {
        Some(url) => Box::new(ClickHouseBackend::open_url(url)?),
        None => {
            let sources = open_sources(&input.paths)?;
            let bar = progress::Bar::new(total_bytes(&sources), "reading");
            let on_progress = |p| bar.update(p);
            let (store, verification) = match keep {
                Keep::All { leaves } => {
                    let columns = columns.with_filter(&filter);
                    crate::store::load_keeping(sources, leaves, columns, on_progress, &never)
                }
                Keep::Matching { read_once } => {
                    let sources = if read_once {
                        sources.into_iter().map(Source::read_once).collect()
                    } else {
                        sources
                    };
                    // It adds the filter's columns where they are needed.
                    crate::store::load_matching(sources, columns, &filter, on_progress, &never)
                }
            }
            .ok_or("loading was cancelled")?;
            bar.finish();
            Box::new(MemoryBackend::new(store, verification))
        }
    };
    if let Some(caveat) = integrity_caveat(backend.verification()) {
        eprintln!("auditui: {}", for_terminal(&caveat));
    }
    let selection = backend
        .select(&filter, order, &never)?
        .ok_or("the query was cancelled")?;
    Ok(SelectedLogs { backend, selection })
}

/// Bytes to read from `sources`, for a progress bar.
pub fn total_bytes(sources: &[crate::log::source::Source]) -> u64 {
    sources.iter().map(|s| s.bytes().len() as u64).sum()
}

fn integrity_caveat(v: &Verification) -> Option<String> {
    if let Some(first) = v.findings.first() {
        return Some(format!(
            "warning: {} integrity finding{}, the first at {}:{} ({}); the answer below reads the log as it is (details: auditui verify)",
            v.findings.len(),
            if v.findings.len() == 1 { "" } else { "s" },
            first.file,
            first.line,
            first.kind.name(),
        ));
    }
    if let Some(first) = v.unverified.first() {
        return Some(format!(
            "warning: {} line{} not verified and not read, the first at {}:{} ({}); the answer below leaves {} out",
            v.unverified.len(),
            if v.unverified.len() == 1 { "" } else { "s" },
            first.file,
            first.line,
            first.message(),
            if v.unverified.len() == 1 {
                "it"
            } else {
                "them"
            },
        ));
    }
    let notes = v.weakness_notes();
    (!notes.is_empty()).then(|| format!("note: {}", notes.join("; ")))
}

/// Run `write` against stdout (no path, or `-`) or an atomically written
/// file that is never silently replaced (`force` replaces it). A closed
/// pipe (`| head`) ends the output quietly.
pub fn write_output(
    output: &Output,
    input: &Input,
    write: impl FnOnce(&mut dyn Write) -> io::Result<()>,
) -> Result<(), String> {
    match output.output.as_deref() {
        Some(path) if path != Path::new("-") => {
            refuse_evidence(path, &input.paths)?;
            write_atomic(path, output.force, write).map_err(|e| e.to_string())
        }
        _ => write_stdout(write),
    }
}

/// Run `write` against a buffered stdout; on a terminal, through the
/// guard that keeps log content from acting on it.
pub fn write_stdout(write: impl FnOnce(&mut dyn Write) -> io::Result<()>) -> Result<(), String> {
    let mut out = BufWriter::new(stdout());
    match write(&mut out).and_then(|()| out.flush()) {
        Err(e) if e.kind() != io::ErrorKind::BrokenPipe => {
            Err(format!("cannot write to stdout: {e}"))
        }
        _ => Ok(()),
    }
}

/// Stdout, guarded by [`TerminalSafe`] when it is a terminal.
pub fn stdout() -> Box<dyn Write> {
    let stdout = io::stdout();
    if stdout.is_terminal() {
        Box::new(TerminalSafe::new(stdout.lock()))
    } else {
        Box::new(stdout.lock())
    }
}

/// Widest a text cell may be before it is cut with `…`.
const MAX_CELL_WIDTH: usize = 40;

/// Narrowest a column is squeezed to when the terminal is narrow.
const MIN_CELL_WIDTH: usize = 6;

/// How text output is laid out for where it goes: colour and the
/// terminal's width when that is a terminal, plain and unbounded otherwise.
#[derive(Debug, Clone, Copy)]
pub struct TextLayout {
    pub paint: Paint,
    /// Columns available; `None` when not writing to a terminal.
    pub width: Option<usize>,
}

impl TextLayout {
    pub fn stdout() -> TextLayout {
        let width = io::stdout()
            .is_terminal()
            .then(|| crossterm::terminal::size().ok())
            .flatten()
            .map(|(columns, _)| usize::from(columns));
        TextLayout {
            paint: Paint::stdout(),
            width,
        }
    }

    /// For `-o`: a file gets neither colour nor a width limit.
    pub fn for_output(output: &Output) -> TextLayout {
        match output.output.as_deref() {
            Some(path) if path != Path::new("-") => TextLayout {
                paint: Paint::plain(),
                width: None,
            },
            _ => TextLayout::stdout(),
        }
    }
}

/// Narrow the widest columns until the row, with two-space gaps, fits in
/// `available` (or every column is at its minimum).
fn fit_widths(widths: &mut [usize], available: usize) {
    let gaps = 2 * widths.len().saturating_sub(1);
    while widths.iter().sum::<usize>() + gaps > available {
        let Some(widest) = widths
            .iter_mut()
            .filter(|w| **w > MIN_CELL_WIDTH)
            .max_by_key(|w| **w)
        else {
            return;
        };
        *widest -= 1;
    }
}

/// A table for a terminal: sanitised, aligned, wide cells cut with `…`,
/// squeezed to the terminal's width. Detail columns and columns empty in
/// every row are left out; `(none)` for no rows.
pub fn write_table(table: &Table, layout: TextLayout, out: &mut dyn Write) -> io::Result<()> {
    if table.rows.is_empty() {
        return writeln!(out, "(none)");
    }
    let shown: Vec<usize> = (0..table.columns.len())
        .filter(|&c| {
            !table.columns[c].detail
                && table
                    .rows
                    .iter()
                    .any(|row| !matches!(row[c], crate::export::Cell::Empty))
        })
        .collect();
    let header: Vec<String> = shown
        .iter()
        .map(|&c| table.columns[c].name.to_owned())
        .collect();
    let mut cells: Vec<Vec<String>> = table
        .rows
        .iter()
        .map(|row| {
            shown
                .iter()
                .map(|&c| {
                    truncate_to_width(&for_terminal(&row[c].display()), MAX_CELL_WIDTH).into_owned()
                })
                .collect()
        })
        .collect();
    let mut widths: Vec<usize> = (0..shown.len())
        .map(|i| {
            cells
                .iter()
                .map(|row| row[i].width())
                .chain([header[i].width()])
                .max()
                .unwrap_or(0)
        })
        .collect();
    if let Some(available) = layout.width {
        fit_widths(&mut widths, available);
    }
    cells.insert(0, header);
    for (r, row) in cells.iter().enumerate() {
        let mut line = String::new();
        for (i, cell) in row.iter().enumerate() {
            let cell = truncate_to_width(cell, widths[i]);
            let pad = " ".repeat(widths[i] - cell.width());
            if i > 0 {
                line.push_str("  ");
            }
            if table.columns[shown[i]].numeric {
                line.push_str(&pad);
                line.push_str(&cell);
            } else {
                line.push_str(&cell);
                line.push_str(&pad);
            }
        }
        let line = line.trim_end();
        if r == 0 {
            writeln!(out, "{}", layout.paint.header(line))?;
        } else {
            writeln!(out, "{line}")?;
        }
    }
    Ok(())
}

/// A report for a terminal: heading lines, then its table.
pub fn write_document(doc: &Document, layout: TextLayout, out: &mut dyn Write) -> io::Result<()> {
    writeln!(out, "{}: {}", doc.title, for_terminal(&doc.patient))?;
    writeln!(
        out,
        "period {} to {}",
        for_terminal(&doc.period.start),
        for_terminal(&doc.period.end)
    )?;
    writeln!(out, "{}", doc.summary)?;
    for note in &doc.notes {
        writeln!(out, "{}: {}", layout.paint.bad("note"), for_terminal(note))?;
    }
    match &doc.integrity_note {
        None => writeln!(out, "integrity: verified")?,
        Some(note) => writeln!(
            out,
            "integrity: {}: {}",
            layout.paint.bad("NOT VERIFIED"),
            for_terminal(note)
        )?,
    }
    writeln!(out)?;
    write_table(&doc.table, layout, out)
}

/// `-q`'s long help: the one-line summary, then the whole filter language.
fn query_help() -> String {
    format!(
        "Only entries matching FILTER, as in the browser's filter bar; since:/until: read \
         times in UTC unless they carry an offset.\n\n{}",
        crate::filter::LANGUAGE
    )
}
