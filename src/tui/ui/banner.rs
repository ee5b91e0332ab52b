//! The integrity banner: always on top, the first thing read. The verdict
//! is a word (INTACT, BROKEN, NOT VERIFIED, WEAK, UNCHAINED) as well as a colour, so it
//! reads the same without colour.

use super::{App, sanitized, thousands, wrap};
use crate::log::chain::{Verification, short};
use crate::log::entry::Scheme;
use crate::text::plural;
use crate::tui::app::Load;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::style::Stylize;
use ratatui::text::{Line, Text};
use ratatui::widgets::Paragraph;

/// Most lines the banner takes: enough for a weak scheme's note at 80
/// columns, so what is unprotected is never cut off.
const MAX_HEIGHT: u16 = 4;

pub fn draw(app: &App, area: Rect, frame: &mut Frame) {
    let (verdict, style, summary, detail) = content(app);
    let (headline, details) = wrapped(verdict, &summary, &detail, area.width);
    // The verdict lines are filled with their style across the whole width.
    let verdict_area = Rect {
        height: (headline.len() as u16).min(area.height),
        ..area
    };
    frame.buffer_mut().set_style(verdict_area, style);
    let lines: Vec<Line> = headline
        .into_iter()
        .enumerate()
        .map(|(i, text)| {
            let line = Line::raw(format!(" {text}")).style(style);
            if i == 0 { line.bold() } else { line }
        })
        .chain(
            details
                .into_iter()
                .map(|text| Line::raw(format!(" {text}"))),
        )
        .take(usize::from(area.height))
        .collect();
    frame.render_widget(Paragraph::new(Text::from(lines)), area);
}

/// Lines the banner needs at `width`.
pub fn height(app: &App, width: u16) -> u16 {
    let (verdict, _, summary, detail) = content(app);
    let (headline, details) = wrapped(verdict, &summary, &detail, width);
    ((headline.len() + details.len()) as u16).clamp(2, MAX_HEIGHT)
}

/// The verdict and summary, and the detail, each wrapped to `width` less
/// the one-column margin.
fn wrapped(verdict: &str, summary: &str, detail: &str, width: u16) -> (Vec<String>, Vec<String>) {
    let width = usize::from(width.saturating_sub(1));
    let headline = wrap(&format!("{verdict}  {summary}"), width);
    let details = if detail.is_empty() {
        Vec::new()
    } else {
        wrap(detail, width)
    };
    (headline, details)
}

/// Verdict word, its style, a one-line summary and a longer detail.
fn content(app: &App) -> (&'static str, Style, String, String) {
    let theme = app.theme;
    match &app.load {
        Load::Loading(p) => {
            let percent = (100 * p.progress.bytes_done)
                .checked_div(p.progress.bytes_total)
                .unwrap_or(0);
            (
                "VERIFYING…",
                theme.neutral(),
                format!(
                    "{percent}% · {} entries hashed so far",
                    thousands(p.progress.entries as usize)
                ),
                "the verdict appears here once every entry is hashed; / ? and q work meanwhile"
                    .into(),
            )
        }
        Load::Failed(message) => (
            "ERROR",
            theme.broken(),
            "the logs could not be read".into(),
            sanitized(message).into_owned(),
        ),
        Load::Indexing { verification, .. } => verdict(app, verification),
        Load::Ready(data) => verdict(app, data.verification()),
    }
}

/// Follow mode, and the last full re-verification's verdict.
fn following(app: &App) -> String {
    if !app.follow {
        return String::new();
    }
    match &app.full_check {
        None => " · following".into(),
        Some(check) if check.findings.is_empty() => format!(
            " · following · full check: {} intact",
            thousands(check.entries)
        ),
        Some(check) => format!(
            " · following · full check: {} {}",
            check.findings.len(),
            plural(check.findings.len(), "finding", "findings")
        ),
    }
}

/// What still holds and what to do: the first break in a log bounds the
/// trust; a file with no entry at all (binary, empty, another kind of
/// text) is named as such, not as a broken chain.
fn broken_advice(v: &Verification) -> String {
    let no_entries: Vec<&str> = v
        .files
        .iter()
        .filter(|f| f.entries == 0)
        .map(|f| f.name.as_str())
        .collect();
    let mut parts = Vec::new();
    if let Some(first) = v
        .findings
        .iter()
        .find(|f| !no_entries.contains(&f.file.as_str()))
    {
        parts.push(format!(
            "entries before {}:{} verify; from there on the chain cannot vouch for order or content ({}) · keep the original file, compare with a backup or checkpoint",
            sanitized(&first.file),
            first.line,
            first.kind.name(),
        ));
    }
    if !no_entries.is_empty() {
        let names: Vec<String> = no_entries
            .iter()
            .map(|n| sanitized(n).into_owned())
            .collect();
        parts.push(format!(
            "{} {} no entry: not a JSON-lines audit log, or empty",
            names.join(", "),
            plural(names.len(), "holds", "hold"),
        ));
    }
    parts.join(" · ")
}

fn verdict(app: &App, v: &Verification) -> (&'static str, Style, String, String) {
    let theme = app.theme;
    let files = v.files.len();
    let counts = format!(
        "{} · {} {} · {} {}",
        v.scheme(),
        thousands(v.entries()),
        plural(v.entries(), "entry", "entries"),
        files,
        plural(files, "file", "files"),
    ) + &following(app);
    let head = v
        .main_chain()
        .and_then(|c| c.head)
        .map(|h| format!(" · head {}", short(&h)))
        .unwrap_or_default();
    let notes = v.weakness_notes().join("; ");
    if !v.findings.is_empty() {
        let n = v.findings.len();
        let mut detail = broken_advice(v);
        detail.push_str(plural(n, " · i lists it", " · i lists all"));
        if !v.complete() {
            detail.push_str(&format!(" · {} too large to verify", v.unverified.len()));
        }
        if !notes.is_empty() {
            detail.push_str(&format!(" · also: {notes}"));
        }
        return (
            "✗ BROKEN",
            theme.broken(),
            format!(
                "{n} integrity {} · {counts}",
                plural(n, "finding", "findings")
            ),
            detail,
        );
    }
    if let Some(first) = v.unverified.first() {
        let n = v.unverified.len();
        return (
            "? NOT VERIFIED",
            theme.weak(),
            format!(
                "no finding, but {n} {} too large to read · {counts}",
                plural(n, "line", "lines")
            ),
            format!(
                "first: {}:{} {} · not shown in the list",
                sanitized(&first.file),
                first.line,
                first.message()
            ),
        );
    }
    let chained = v
        .chains
        .iter()
        .any(|c| matches!(c.scheme, Some(Scheme::Chain | Scheme::Hipaa)));
    match (v.weak(), chained) {
        (false, _) => (
            "✓ INTACT",
            theme.intact(),
            format!("{counts}{head}"),
            format!(
                "every field of every entry is covered by the hash chain · {}",
                chain_files(v)
            ),
        ),
        (true, true) => ("! WEAK", theme.weak(), format!("{counts}{head}"), notes),
        (true, false) => (
            "! UNCHAINED",
            theme.weak(),
            format!("{counts} · no hash chain"),
            notes,
        ),
    }
}

/// The files of each chain in linkage order.
fn chain_files(v: &Verification) -> String {
    let chains: Vec<String> = v
        .chains
        .iter()
        .map(|c| sanitized(&c.files.join(" → ")).into_owned())
        .collect();
    format!("files: {}", chains.join("; "))
}
