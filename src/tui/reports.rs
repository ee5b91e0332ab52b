//! The access report (for the `patient:` in the filter), its export, and
//! the alerts view.

use super::app::{App, Effect, Export, ExportOutcome, Prompt, View};
use super::cursor::Cursor;
use super::export::{ENDINGS, Exporting, Format};
use super::input::LineInput;
use crate::backend::RowKey;
use crate::backend::report::filtered_report;
use crate::export::atomic::refuse_evidence;
use crate::filter::parse_filter_in;
use crate::text::for_terminal;
use crate::views::alerts::{Alerts, Burst, EmergencyAccess};
use crate::views::report::AccessReport;
use std::path::PathBuf;
use std::sync::Arc;

pub fn show_report(app: &mut App) {
    if app.view == View::Report {
        app.view = View::Panes;
        return;
    }
    match build_report(app) {
        Ok(report) => {
            app.report = Some(Arc::new(report));
            app.view = View::Report;
            app.view_cursor = Cursor::default();
        }
        Err(message) => app.status = Some(message),
    }
}

/// The report for the filter's `patient:`, over its `since:`/`until:`
/// range (else the span of the selected entries), among the entries it
/// selects: the same report as `auditui report -q` with this filter.
fn build_report(app: &App) -> Result<AccessReport, String> {
    let data = app
        .loaded()
        .ok_or("the report needs the logs loaded first")?;
    let filter = parse_filter_in(app.filter.input.text(), app.zone())
        .map_err(|e| format!("fix the filter first: {e}"))?;
    filtered_report(data.as_ref(), &filter, None, None, None).map_err(|_| {
        let example = app
            .selected_entry()
            .and_then(|entry| entry.patient)
            .unwrap_or_else(|| "P-0007".into());
        format!(
            "the access report needs one patient in the filter: press / and type patient:{}",
            for_terminal(&example)
        )
    })
}

/// `e`: ask where to write the report shown, or else the entries the
/// filter selects.
pub fn start_export(app: &mut App) {
    let (name, what) = match (&app.report, app.view) {
        (Some(report), View::Report) => {
            let name: String = report
                .patient_id
                .chars()
                .map(|c| {
                    if c.is_ascii_alphanumeric() || c == '-' {
                        c
                    } else {
                        '_'
                    }
                })
                .collect();
            (format!("access-report-{name}.json"), Exporting::Report)
        }
        _ if app.loaded().is_some() => ("entries.jsonl".to_owned(), Exporting::Entries),
        _ => {
            app.status = Some("nothing to export until the logs are loaded".into());
            return;
        }
    };
    let mut input = LineInput::default();
    input.set(name);
    app.prompt = Some(Prompt::ExportPath(input, what));
}

/// `E`: ask where to write the marked entries.
pub fn start_export_marked(app: &mut App) {
    if app.marks.is_empty() {
        app.status = Some("no entry is marked: Space marks the selected entry".into());
        return;
    }
    let mut input = LineInput::default();
    input.set("marked.jsonl".to_owned());
    app.prompt = Some(Prompt::ExportPath(input, Exporting::Marked));
}

/// Enter in the path prompt.
pub fn submit_path(app: &mut App) {
    let Some(Prompt::ExportPath(input, what)) = &app.prompt else {
        return;
    };
    let what = *what;
    let path = PathBuf::from(input.text().trim());
    if path.as_os_str().is_empty() {
        app.status = Some(format!("type a file name ending in {ENDINGS}"));
        return;
    }
    let Some(format) = Format::of(&path) else {
        app.status = Some(format!(
            "the name must end in {ENDINGS} (it chooses the format)"
        ));
        return;
    };
    if let Err(refused) = refuse_evidence(&path, &app.paths) {
        app.status = Some(refused);
        return;
    }
    export(app, path, format, what, false);
}

fn export(app: &mut App, path: PathBuf, format: Format, what: Exporting, force: bool) {
    let Some(data) = app.loaded().cloned() else {
        return;
    };
    let what = match (what, &app.report) {
        (Exporting::Report, Some(report)) => Export::Report(Arc::clone(report)),
        (Exporting::Report, None) => return,
        (Exporting::Entries, _) => Export::Entries(Arc::clone(&app.selection)),
        (Exporting::Marked, _) => Export::Marked(app.marks.clone(), app.order),
    };
    app.effects.push(Effect::Export {
        path,
        format,
        force,
        what,
        data,
    });
}

/// The answer to "overwrite?".
pub fn confirm(app: &mut App, overwrite: bool) {
    let Some(Prompt::Overwrite(path, what)) = app.prompt.take() else {
        return;
    };
    match Format::of(&path) {
        Some(format) if overwrite => export(app, path, format, what, true),
        _ => {
            let mut input = LineInput::default();
            input.set(path.display().to_string());
            app.prompt = Some(Prompt::ExportPath(input, what));
            app.status = Some("kept the existing file; choose another name".into());
        }
    }
}

pub fn exported(app: &mut App, path: PathBuf, outcome: ExportOutcome) {
    let shown = for_terminal(&path.display().to_string()).into_owned();
    let what = match &app.prompt {
        Some(Prompt::ExportPath(_, what) | Prompt::Overwrite(_, what)) => *what,
        None => Exporting::Report,
    };
    match outcome {
        ExportOutcome::Written => {
            app.prompt = None;
            app.status = Some(match what {
                Exporting::Report => format!("wrote the access report to {shown}"),
                Exporting::Entries | Exporting::Marked => {
                    let (n, marked) = match what {
                        Exporting::Marked => (app.marks.len(), "marked "),
                        _ => (app.selection.count(), ""),
                    };
                    format!(
                        "wrote {} {marked}{} to {shown}",
                        super::ui::thousands(n),
                        crate::text::plural(n, "entry", "entries")
                    )
                }
            });
        }
        ExportOutcome::Exists => app.prompt = Some(Prompt::Overwrite(path, what)),
        ExportOutcome::Failed(message) => app.status = Some(for_terminal(&message).into_owned()),
    }
}

pub fn show_alerts(app: &mut App) {
    if app.view == View::Alerts {
        app.view = View::Panes;
        return;
    }
    app.view = View::Alerts;
    app.view_cursor = Cursor::default();
    request_alerts(app);
}

/// Compute alerts over the current selection on a worker (they scan the
/// whole log for reviews).
pub fn request_alerts(app: &mut App) {
    app.alerts = None;
    if app.loaded().is_some() {
        app.effects.push(Effect::Alerts {
            generation: app.generation,
            selection: Arc::clone(&app.selection),
            settings: app.alert_settings,
        });
    }
}

/// Alerts arrived: kept if computed over the selection shown.
pub fn received_alerts(app: &mut App, generation: u64, alerts: Arc<Alerts>) {
    if generation == app.generation {
        app.alerts = Some(alerts);
    }
}

/// One row of the alerts view: emergencies first, they need a person.
pub enum AlertItem<'a> {
    Emergency(&'a EmergencyAccess),
    Burst(&'a Burst),
}

impl AlertItem<'_> {
    /// The entry Enter jumps to.
    pub fn key(&self) -> RowKey {
        match self {
            AlertItem::Emergency(e) => e.key,
            AlertItem::Burst(b) => b.first_key,
        }
    }
}

pub fn alert_items(alerts: &Alerts) -> Vec<AlertItem<'_>> {
    alerts
        .emergencies
        .iter()
        .map(AlertItem::Emergency)
        .chain(alerts.bursts.iter().map(AlertItem::Burst))
        .collect()
}
