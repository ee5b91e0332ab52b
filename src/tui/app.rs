//! The browser's state, the actions that change it, and [`update`], the one
//! function that applies them.
//!
//! `update` does no I/O and reads no clock: what must happen outside (start
//! a query, copy to the clipboard, write a file) is queued as an [`Effect`]
//! for the event loop, and what happens outside comes back as an
//! [`Action`]. Key sequences are therefore tested without a terminal.

use super::activity::{self, Activity};
use super::completion::Completions;
use super::cursor::Cursor;
use super::export::{Exporting, Format};
use super::filter_bar::FilterBar;
use super::finding_lines::FindingLines;
use super::incident;
use super::input::{Edit, LineInput};
use super::jump::{self, Direction, Jumping};
use super::keymap::{Context, Keymap};
use super::live::FullCheck;
use super::loader::LoadProgress;
use super::lookup::{self, Looked, Lookup};
use super::marks::Marks;
use super::navigation::{self, Motion};
use super::stats_order::StatsSort;
use super::theme::Theme;
use super::worker::{ActivityData, Matches};
use super::{open, paging, reports};
use crate::backend::{Backend, EntryRow, Order, PageAt, RowKey, Selection};
use crate::config::{AlertSettings, RetentionSettings};
use crate::filter::{Field, Filter, Predicate, Term};
use crate::log::chain::{Finding, Verification};
use crate::time::Zone;
use crate::views::alerts::Alerts;
use crate::views::histogram::{TooManyBuckets, Width};
use crate::views::report::AccessReport;
use crate::views::timeline::TimelineEntry;
use crossterm::event::{KeyEvent, MouseEvent};
use ratatui::layout::Rect;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

/// Where the entries list goes when the running query returns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Jump {
    /// To this entry, or the first selected one after it.
    To(RowKey),
    /// To the last entry (follow mode at the end of the list).
    End,
    /// To the entry at this index of the selection shown before, whose row
    /// was not fetched yet: the query's job reads its key.
    Shown(usize),
}

/// Everything that can happen to the browser.
#[derive(Clone)]
pub enum Action {
    // What keys mean (see the keymap).
    Quit,
    Up,
    Down,
    PageUp,
    PageDown,
    Top,
    Bottom,
    FocusNext,
    FocusPrev,
    Maximize,
    /// Enter on a pane or a view row.
    Open,
    /// Esc outside text fields.
    Back,
    OpenFilter,
    ToggleHelp,
    ShowFindings,
    ShowReport,
    ShowAlerts,
    Export,
    Copy,
    ToggleMouse,
    ToggleUtc,
    SortStats,
    ToggleFollow,
    /// List the entries by time across files, or file by file.
    ToggleOrder,
    NextFailure,
    PrevFailure,
    NextFinding,
    PrevFinding,
    /// Mark the selected entry for export, or unmark it.
    ToggleMark,
    ClearMarks,
    ExportMarked,
    /// Clear the filter, staying on the selected entry.
    AroundEntry,
    /// Start a range at the histogram's cursor, or drop it.
    MarkBucket,
    /// Put back the time range of before the last one applied.
    RestoreRange,
    WiderBuckets,
    NarrowerBuckets,
    Edit(Edit),
    Complete,
    NextCompletion,
    PrevCompletion,
    HistoryPrev,
    HistoryNext,
    /// Enter in a text field.
    Submit,
    /// Esc in a text field.
    Cancel,
    /// The answer to "overwrite?".
    Confirm(bool),
    // What the terminal reports; keys go through the keymap.
    Key(KeyEvent),
    Mouse(MouseEvent),
    Resize(u16, u16),
    // What the workers report.
    /// The logs on disk changed (size or modification time).
    SourcesChanged,
    /// The first entries of the logs, read while they load.
    FirstEntries(Arc<[EntryRow]>),
    Progress(LoadProgress),
    /// The logs are verified, in this time: their verdict is known, their
    /// entries are being indexed.
    Verified(Arc<Verification>, Duration),
    Loaded(Arc<dyn Backend>, Duration),
    /// Follow mode verified and appended this many new entries (without
    /// reloading the rest), in this time.
    Appended(Arc<dyn Backend>, usize, Duration),
    /// The followed logs were verified again in full, in the background.
    FullyChecked(FullCheck),
    LoadFailed(String),
    /// A question the backend could not answer.
    BackendFailed(String),
    /// A query's result, with the generation it was started for and the
    /// index of the entry to select.
    Selected(u64, Arc<Matches>, usize),
    /// A pane's view of the current selection (stats, failures) is computed.
    PaneReady,
    /// Completions for the filter bar, with their request's generation.
    Completed(u64, Completions),
    /// Alerts over the selection of a generation.
    AlertsReady(u64, Arc<Alerts>),
    /// The activity histogram, with its request's generation.
    ActivityReady(u64, Result<Arc<ActivityData>, TooManyBuckets>),
    /// An answer about the selected entry, with its lookup's generation.
    Looked(u64, Looked),
    /// Where a jump goes, with its generation.
    Jumped(u64, jump::Answer),
    /// A page of this selection was fetched (the selection keeps it).
    Paged(Arc<Matches>, Result<(), String>),
    Exported(PathBuf, ExportOutcome),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExportOutcome {
    Written,
    /// The file exists and was left alone.
    Exists,
    Failed(String),
}

/// What an export writes.
pub enum Export {
    Report(Arc<AccessReport>),
    /// The entries the filter selects.
    Entries(Arc<Matches>),
    /// The marked entries, listed in this order.
    Marked(Marks, Order),
}

/// Work for the event loop, queued by `update`.
pub enum Effect {
    Query {
        generation: u64,
        filter: Filter,
        order: Order,
        data: Arc<dyn Backend>,
        /// The selection shown, which the query may extend.
        previous: Arc<dyn Selection>,
        /// The entry to select in the new selection (the one selected now,
        /// or a jump's), found by the query's job.
        target: Option<Jump>,
        /// The screen's rows: the job asks for the entries around the
        /// target before anything else (see `worker::place`).
        rows: usize,
    },
    /// Load the logs again (follow mode).
    Reload {
        paths: Vec<PathBuf>,
        /// The logs shown now: entries they held that are gone are findings.
        previous: Arc<dyn Backend>,
    },
    Alerts {
        generation: u64,
        selection: Arc<Matches>,
        settings: AlertSettings,
    },
    Activity {
        generation: u64,
        selection: Arc<Matches>,
        width: Width,
    },
    Complete {
        generation: u64,
        text: String,
        cursor: usize,
        data: Option<Arc<dyn Backend>>,
    },
    /// Look up the selected entry's detail and conversation.
    Lookup(lookup::Job),
    /// Find where a jump goes.
    Jump(jump::Job),
    /// Fetch the entries the screen shows.
    Page(paging::Job),
    /// Put this text on the clipboard (OSC 52).
    Copy(String),
    /// Capture the mouse, or release it so the terminal can select text.
    SetMouse(bool),
    Export {
        path: PathBuf,
        format: Format,
        force: bool,
        what: Export,
        data: Arc<dyn Backend>,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pane {
    Entries,
    Detail,
    Timeline,
    Stats,
    Failures,
    /// Calls and failures over time.
    Histogram,
}

impl Pane {
    /// Focus order of Tab.
    pub const ALL: [Pane; 6] = [
        Pane::Entries,
        Pane::Detail,
        Pane::Timeline,
        Pane::Stats,
        Pane::Failures,
        Pane::Histogram,
    ];

    /// Rows of the pane's area that are not items (borders, header).
    pub fn chrome(self) -> u16 {
        use super::layout::{LIST_CHROME, TABLE_CHROME};
        match self {
            Pane::Entries | Pane::Stats | Pane::Failures => TABLE_CHROME,
            Pane::Detail | Pane::Timeline | Pane::Histogram => LIST_CHROME,
        }
    }
}

/// What covers the body: the panes, or one full view.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum View {
    Panes,
    Help,
    Findings,
    Report,
    Alerts,
}

/// A question in a popup, which takes the keyboard until answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Prompt {
    ExportPath(LineInput, Exporting),
    Overwrite(PathBuf, Exporting),
}

pub enum Load {
    /// Verifying.
    Loading(LoadProgress),
    /// Verified, in `verified_in`: the verdict is shown while the entries
    /// are indexed (the filter, the panes and the views wait for that).
    Indexing {
        verification: Arc<Verification>,
        verified_in: Duration,
        progress: LoadProgress,
    },
    Failed(String),
    Ready(Arc<dyn Backend>),
}

/// The calls of the selected entry's conversation.
#[derive(Clone)]
pub struct Conversation {
    pub id: String,
    pub entries: Vec<TimelineEntry>,
    /// The entries with an integrity finding on their line, marked `!`.
    pub tampered: Vec<RowKey>,
}

pub struct App {
    pub theme: Theme,
    /// Key bindings, with the configuration's overrides.
    pub keymap: Keymap,
    /// Alert thresholds and retention policies from the configuration.
    pub alert_settings: AlertSettings,
    pub retention: RetentionSettings,
    /// Times in UTC rather than local time.
    pub utc: bool,
    /// When the session started (micros, UTC), for retention deadlines.
    pub now: i64,
    /// The mouse is captured (wheel and clicks work, text selection does not).
    pub mouse: bool,
    pub screen: Rect,
    pub load: Load,
    /// The first entries of the logs, shown until they are loaded.
    pub first_entries: Arc<[EntryRow]>,
    pub filter: FilterBar,
    /// How the entries are listed: all logs merged by time, or file by file.
    pub order: Order,
    /// Entries marked (Space) for export.
    pub marks: Marks,
    /// The entries the integrity findings are on, in an order; computed
    /// on the first jump to a finding after a load.
    pub finding_keys: Option<(Order, Vec<RowKey>)>,
    /// The lines of [`App::verification`]'s findings, set with it: the
    /// rows shown are marked from them.
    pub finding_lines: FindingLines,
    pub selection: Arc<Matches>,
    /// Generation of the newest query; results of older ones are dropped.
    pub generation: u64,
    /// A query is running; titles show "…" until it returns.
    pub querying: bool,
    pub focus: Pane,
    /// The focused pane takes the whole body.
    pub zoomed: bool,
    pub entries: Cursor,
    /// First line of the detail pane shown.
    pub detail_scroll: usize,
    /// What is known yet about the selected entry.
    pub lookup: Lookup,
    /// The jump whose target a worker is finding.
    pub jumping: Jumping,
    /// The entries on screen (first index, how many) asked of a worker.
    pub paging: Option<(usize, usize)>,
    /// The selected entry's conversation, once looked up.
    pub conversation: Option<Conversation>,
    pub timeline: Cursor,
    pub stats: Cursor,
    pub stats_sort: StatsSort,
    pub failures: Cursor,
    pub activity: Activity,
    pub view: View,
    /// Selection in the current full view.
    pub view_cursor: Cursor,
    pub report: Option<Arc<AccessReport>>,
    /// `None` while being computed.
    pub alerts: Option<Arc<Alerts>>,
    pub prompt: Option<Prompt>,
    /// One line for the footer: what the last action did or why it did not.
    pub status: Option<String>,
    /// Follow mode: verify and show the entries appended to the logs on
    /// disk (anything else that changed loads them again).
    pub follow: bool,
    /// A follow-mode reload is running; the old data stays on screen.
    pub reloading: bool,
    /// The last full re-verification while following.
    pub full_check: Option<FullCheck>,
    /// The logs as given on the command line, for reloads.
    pub paths: Vec<PathBuf>,
    pub quit: bool,
    pub(super) effects: Vec<Effect>,
    /// Row to select when the running query returns (a jump to an entry
    /// that the previous filter hid).
    pub(super) pending_jump: Option<Jump>,
    /// A query was answered: if its entry is off screen, the entries list
    /// scrolls to show it in the middle, with what came just before and
    /// after it (a jump, "around this entry"), not at an edge.
    pub(super) center_entries: bool,
}

impl App {
    pub fn new(theme: Theme, utc: bool, now: i64, screen: Rect) -> App {
        App {
            theme,
            keymap: Keymap::default(),
            alert_settings: AlertSettings::default(),
            retention: RetentionSettings::default(),
            utc,
            now,
            mouse: true,
            screen,
            load: Load::Loading(LoadProgress::default()),
            first_entries: Arc::new([]),
            filter: FilterBar::default(),
            order: Order::default(),
            marks: Marks::default(),
            finding_keys: None,
            finding_lines: FindingLines::default(),
            selection: Arc::new(Matches::none()),
            generation: 0,
            querying: false,
            focus: Pane::Entries,
            zoomed: false,
            entries: Cursor::default(),
            detail_scroll: 0,
            lookup: Lookup::default(),
            jumping: Jumping::default(),
            paging: None,
            conversation: None,
            timeline: Cursor::default(),
            stats: Cursor::default(),
            stats_sort: StatsSort::default(),
            failures: Cursor::default(),
            activity: Activity::default(),
            view: View::Panes,
            view_cursor: Cursor::default(),
            report: None,
            alerts: None,
            prompt: None,
            status: None,
            follow: false,
            reloading: false,
            full_check: None,
            paths: Vec::new(),
            quit: false,
            effects: Vec::new(),
            pending_jump: None,
            center_entries: false,
        }
    }

    pub fn loaded(&self) -> Option<&Arc<dyn Backend>> {
        match &self.load {
            Load::Ready(data) => Some(data),
            _ => None,
        }
    }

    /// The logs' verdict, once verified (before they are indexed too).
    pub fn verification(&self) -> Option<&Verification> {
        match &self.load {
            Load::Ready(data) => Some(data.verification()),
            Load::Indexing { verification, .. } => Some(verification),
            Load::Loading(_) | Load::Failed(_) => None,
        }
    }

    /// The findings on `file:line`, from the lines of the verdict's
    /// findings rather than a scan of them all: a frame asks this for every
    /// row it shows.
    pub fn findings_on(&self, file: &str, line: usize) -> impl Iterator<Item = &Finding> {
        let findings = self.verification().map_or(&[][..], |v| &v.findings);
        self.finding_lines
            .on(file, line)
            .map(|index| &findings[index])
    }

    /// The zone times are shown in, and typed times without an offset read in.
    pub fn zone(&self) -> Zone {
        if self.utc { Zone::Utc } else { Zone::Local }
    }

    /// The selected entry's key and columns, if the selection has them
    /// without asking the logs; `None` while its page is being fetched
    /// (`tui::paging`): the event loop never waits for the logs.
    pub fn selected_entry(&self) -> Option<EntryRow> {
        let page = self
            .selection
            .selected
            .kept(PageAt::Index(self.entries.selected), 1);
        page?.rows.pop()
    }

    /// The selected entry's key, if its row is here (see
    /// [`App::selected_entry`]).
    pub fn selected_key(&self) -> Option<RowKey> {
        self.selected_entry().map(|entry| entry.key)
    }

    /// [`App::selected_entry`] for a key that acts on it; while its row is
    /// still being fetched, the status line says so and nothing is done.
    pub fn selected_entry_or_say(&mut self) -> Option<EntryRow> {
        let entry = self.selected_entry();
        if entry.is_none() && self.selection.count() > 0 {
            self.status = Some("the selected entry is still being looked up".into());
        }
        entry
    }

    /// Work queued for the event loop since the last call.
    pub fn take_effects(&mut self) -> Vec<Effect> {
        std::mem::take(&mut self.effects)
    }

    /// The keymap contexts that apply now, most specific first.
    pub fn contexts(&self) -> Vec<Context> {
        use Context as C;
        let mut contexts = match (&self.prompt, self.filter.active, self.view) {
            (Some(Prompt::Overwrite(..)), ..) => vec![C::Confirm],
            (Some(Prompt::ExportPath(..)), ..) => vec![C::Prompt, C::TextInput],
            (None, true, _) => vec![C::Filter, C::TextInput],
            // Until the logs are loaded there is nothing to move in.
            (None, false, View::Panes) if self.loaded().is_none() => vec![C::App],
            (None, false, View::Panes) if self.focus == Pane::Stats => {
                vec![C::Stats, C::Panes, C::Navigate, C::App]
            }
            (None, false, View::Panes) if self.focus == Pane::Histogram => {
                vec![C::Histogram, C::Panes, C::Navigate, C::App]
            }
            (None, false, View::Panes) => vec![C::Panes, C::Navigate, C::App],
            (None, false, View::Findings | View::Alerts) => {
                vec![C::Jump, C::View, C::Navigate, C::App]
            }
            (None, false, View::Help | View::Report) => vec![C::View, C::Navigate, C::App],
        };
        contexts.push(C::Global);
        contexts
    }
}

/// Apply one action to the state.
pub fn update(app: &mut App, action: Action) {
    let typed = typed_state(app);
    match action {
        Action::Key(key) => {
            app.status = None;
            if let Some(action) = app.keymap.dispatch(&app.contexts(), &key) {
                update(app, action);
            }
            return;
        }
        Action::Mouse(event) => navigation::mouse(app, event),
        Action::Resize(width, height) => {
            let columns_changed = width != app.screen.width;
            app.screen = Rect::new(0, 0, width, height);
            // An automatic bucket width depends on the columns there are.
            if columns_changed && app.activity.chosen.is_none() {
                activity::request(app);
            }
        }
        Action::FirstEntries(_) | Action::Progress(_) | Action::Verified(..) => {
            loading(app, action)
        }
        Action::Loaded(data, elapsed) => loaded(app, data, elapsed),
        Action::Appended(data, added, elapsed) => appended(app, data, added, elapsed),
        Action::FullyChecked(check) => fully_checked(app, check),
        Action::LoadFailed(message) => app.load = Load::Failed(message),
        Action::BackendFailed(message) => {
            app.querying = false;
            app.status = Some(format!("the logs could not answer: {message}"));
        }
        Action::Selected(query, selection, index) => selected(app, query, selection, index),
        Action::ActivityReady(generation, result) => activity::received(app, generation, result),
        Action::Looked(generation, looked) => lookup::received(app, generation, looked),
        Action::Jumped(generation, answer) => jump::received(app, generation, answer),
        Action::Paged(selection, fetched) => paging::received(app, selection, fetched),
        Action::AlertsReady(generation, alerts) => {
            reports::received_alerts(app, generation, alerts)
        }
        Action::Exported(path, outcome) => reports::exported(app, path, outcome),
        Action::Quit => app.quit = true,
        Action::ToggleFollow => toggle_follow(app),
        Action::SourcesChanged => reload_if_following(app),
        Action::NextFailure => incident::jump_to_failure(app, Direction::Next),
        Action::PrevFailure => incident::jump_to_failure(app, Direction::Previous),
        Action::NextFinding => incident::jump_to_finding(app, Direction::Next),
        Action::PrevFinding => incident::jump_to_finding(app, Direction::Previous),
        Action::ToggleMark => incident::toggle_mark(app),
        Action::ClearMarks => incident::clear_marks(app),
        Action::ExportMarked => reports::start_export_marked(app),
        Action::AroundEntry => incident::around_entry(app),
        Action::ToggleOrder => toggle_order(app),
        Action::Up => navigation::navigate(app, Motion::By(-1)),
        Action::Down => navigation::navigate(app, Motion::By(1)),
        Action::PageUp => navigation::navigate(app, Motion::Page(-1)),
        Action::PageDown => navigation::navigate(app, Motion::Page(1)),
        Action::Top => navigation::navigate(app, Motion::Top),
        Action::Bottom => navigation::navigate(app, Motion::Bottom),
        Action::FocusNext => navigation::cycle_focus(app, 1),
        Action::FocusPrev => navigation::cycle_focus(app, Pane::ALL.len() - 1),
        Action::Maximize => app.zoomed = !app.zoomed,
        Action::Open => open::open(app),
        Action::Back => open::back(app),
        Action::OpenFilter => {
            app.view = View::Panes;
            app.filter.active = true;
        }
        Action::ToggleHelp => show_view(app, View::Help),
        Action::ShowFindings => show_view(app, View::Findings),
        Action::ShowReport => reports::show_report(app),
        Action::ShowAlerts => reports::show_alerts(app),
        Action::Export => reports::start_export(app),
        Action::Copy => copy(app),
        Action::ToggleMouse => toggle_mouse(app),
        Action::ToggleUtc => toggle_utc(app),
        Action::SortStats => {
            app.stats_sort = app.stats_sort.next();
            app.stats = Cursor::default();
        }
        Action::MarkBucket => activity::toggle_mark(app),
        Action::RestoreRange => activity::restore_range(app),
        Action::WiderBuckets => activity::step_width(app, true),
        Action::NarrowerBuckets => activity::step_width(app, false),
        Action::Edit(edit) => edit_text(app, edit),
        Action::Complete => {
            let data = app.loaded().cloned();
            if app.filter.accept_completion(data.as_deref()) {
                requery(app);
            }
        }
        Action::NextCompletion => app.filter.cycle_completion(true),
        Action::PrevCompletion => app.filter.cycle_completion(false),
        Action::HistoryPrev | Action::HistoryNext => {
            if app
                .filter
                .history_step(matches!(action, Action::HistoryPrev))
            {
                requery(app);
            }
        }
        Action::Submit => match app.prompt {
            Some(_) => reports::submit_path(app),
            None => submit_filter(app),
        },
        Action::Cancel => match app.prompt.take() {
            Some(_) => app.status = Some("export cancelled".into()),
            None => {
                // Leaving the bar keeps what was applied; Ctrl-U clears.
                let applied = app.filter.applied().to_owned();
                set_filter(app, &applied);
            }
        },
        Action::Confirm(overwrite) => reports::confirm(app, overwrite),
        Action::PaneReady => {}
        Action::Completed(generation, completions) => {
            app.filter.receive_completions(generation, completions)
        }
    }
    if typed_state(app) != typed {
        complete_later(app);
    }
    navigation::fit(app);
}

/// The loader's news before the logs are loaded: the first entries, how
/// far it is, the verdict. A reload keeps the logs shown until it is done.
fn loading(app: &mut App, action: Action) {
    match (action, &mut app.load) {
        (Action::FirstEntries(entries), Load::Loading(_) | Load::Indexing { .. }) => {
            app.first_entries = entries;
        }
        (Action::Progress(next), Load::Loading(progress) | Load::Indexing { progress, .. }) => {
            *progress = next;
        }
        (Action::Verified(verification, verified_in), &mut Load::Loading(progress)) => {
            app.finding_lines = FindingLines::new(&verification.findings);
            app.load = Load::Indexing {
                verification,
                verified_in,
                progress,
            };
        }
        _ => {}
    }
}

/// The logs are loaded (or reloaded while following): say how many and
/// how fast, and query them.
fn loaded(app: &mut App, data: Arc<dyn Backend>, elapsed: Duration) {
    let reloading = std::mem::take(&mut app.reloading);
    let loaded = match (reloading, app.loaded()) {
        (true, Some(before)) => format!(
            "following: {} new entries, all {} re-verified in {:.2} s",
            super::ui::thousands(data.entry_count().saturating_sub(before.entry_count())),
            super::ui::thousands(data.entry_count()),
            elapsed.as_secs_f64()
        ),
        _ => {
            let count = super::ui::thousands(data.entry_count());
            let entries = crate::text::plural(data.entry_count(), "entry", "entries");
            let elapsed = elapsed.as_secs_f64();
            match app.load {
                Load::Indexing { verified_in, .. } => format!(
                    "verified {count} {entries} in {:.2} s, indexed by {elapsed:.2} s",
                    verified_in.as_secs_f64()
                ),
                _ => format!("loaded and verified {count} {entries} in {elapsed:.2} s"),
            }
        }
    };
    // A configuration problem shown at start stays until read; a reload's
    // status replaces the last one (follow mode would pile them up).
    app.status = Some(match app.status.take() {
        Some(problem) if !reloading => format!("{loaded} · {problem}"),
        _ => loaded,
    });
    show(app, data);
}

/// Follow mode appended new entries to the logs shown, verified against
/// the heads already verified: nothing else was re-read.
fn appended(app: &mut App, data: Arc<dyn Backend>, added: usize, elapsed: Duration) {
    app.reloading = false;
    app.status = Some(format!(
        "following: {} new {} verified in {:.0} ms (only the appended lines)",
        super::ui::thousands(added),
        crate::text::plural(added, "entry", "entries"),
        elapsed.as_secs_f64() * 1000.0
    ));
    show(app, data);
}

/// A full re-verification ended: its verdict goes to the banner, and what
/// it found that is not shown yet is listed by loading the logs in full.
fn fully_checked(app: &mut App, check: FullCheck) {
    if check.new_findings > 0 && app.follow {
        reload_if_following(app);
    }
    app.full_check = Some(check);
}

/// Show `data` from now on: it replaces the panes once queried.
fn show(app: &mut App, data: Arc<dyn Backend>) {
    // The verdict shown while indexing is usually the loaded logs' own
    // (the loader shares it): its findings' lines are known already.
    let shown = app.verification();
    if !shown.is_some_and(|shown| std::ptr::eq(shown, data.verification())) {
        app.finding_lines = FindingLines::new(&data.verification().findings);
    }
    app.load = Load::Ready(data);
    app.first_entries = Arc::new([]);
    app.finding_keys = None;
    requery(app);
    // Values typed while loading can be completed now.
    if app.filter.active {
        complete_later(app);
    }
}

fn toggle_order(app: &mut App) {
    app.order = app.order.toggled();
    // The cursor stays on its entry (see `selected`).
    requery(app);
    app.status = Some(order_status(app.order).into());
}

fn toggle_follow(app: &mut App) {
    app.follow = !app.follow;
    // Reloaded now, the logs are held as copies from here on.
    reload_if_following(app);
    app.status = Some(if app.follow {
        "following: lines appended to the logs are verified and shown as they arrive (F stops)"
            .into()
    } else {
        "stopped following".into()
    });
}

fn toggle_mouse(app: &mut App) {
    app.mouse = !app.mouse;
    app.effects.push(Effect::SetMouse(app.mouse));
    app.status = Some(if app.mouse {
        "mouse captured: wheel and click work".into()
    } else {
        "mouse released: select text with the terminal; m captures it again".into()
    });
}

fn toggle_utc(app: &mut App) {
    app.utc = !app.utc;
    // Times typed without an offset now mean another instant.
    requery(app);
    app.status = Some(format!(
        "times shown in {}; times typed without an offset are read in it too",
        super::clock::zone_label(app.utc)
    ));
}

/// What completions depend on: the bar's text, cursor and focus.
fn typed_state(app: &App) -> (String, usize, bool) {
    let input = &app.filter.input;
    (input.text().to_string(), input.cursor(), app.filter.active)
}

/// Completions come from a job: fuzzy matching a large dictionary (every
/// conversation id of a big log) must not delay the keystroke.
fn complete_later(app: &mut App) {
    if !app.filter.active {
        app.filter.clear_completions();
        return;
    }
    let (generation, text, cursor) = app.filter.completion_request();
    let data = app.loaded().cloned();
    app.effects.push(Effect::Complete {
        generation,
        text,
        cursor,
        data,
    });
}

/// Parse the filter text and, if it parses, start a query for it.
pub(super) fn requery(app: &mut App) {
    let zone = app.zone();
    let Some(filter) = app.filter.parse(zone) else {
        return;
    };
    let Some(data) = app.loaded().cloned() else {
        return;
    };
    app.generation += 1;
    app.querying = true;
    // Stay on the same entry when it is still selected, else on the
    // nearest one after it: narrowing a filter should not lose the place.
    let target = app.pending_jump.or_else(|| match app.selected_key() {
        Some(key) => Some(Jump::To(key)),
        None => (app.selection.count() > 0).then_some(Jump::Shown(app.entries.selected)),
    });
    app.effects.push(Effect::Query {
        generation: app.generation,
        filter,
        order: app.order,
        data,
        previous: Arc::clone(&app.selection.selected),
        target,
        rows: usize::from(app.screen.height),
    });
}

fn order_status(order: Order) -> &'static str {
    match order {
        Order::Time => {
            "entries of all logs merged by time (ties by file, then line; entries without a timestamp first)"
        }
        Order::File => "entries listed file by file, each in line order",
    }
}

/// Follow mode: load the changed logs again, in the background; the
/// entries list stays at its end if it was there, like `tail -f`.
fn reload_if_following(app: &mut App) {
    if !app.follow || app.reloading {
        return;
    }
    let Some(previous) = app.loaded().cloned() else {
        return;
    };
    app.reloading = true;
    let at_end = app.entries.selected + 1 >= app.selection.count();
    if at_end {
        app.pending_jump = Some(Jump::End);
    }
    app.effects.push(Effect::Reload {
        paths: app.paths.clone(),
        previous,
    });
}

/// Replace the filter text, leave the bar and query.
pub(super) fn set_filter(app: &mut App, text: &str) {
    app.filter.active = false;
    app.filter.set(text);
    app.filter.mark_applied();
    requery(app);
}

/// A query answered: show its selection with the cursor on `index`, where
/// its job found the entry selected when it started (or a jump's).
fn selected(app: &mut App, generation: u64, selection: Arc<Matches>, index: usize) {
    if generation != app.generation {
        return;
    }
    app.pending_jump = None;
    app.selection = selection;
    app.querying = false;
    app.paging = None;
    let count = app.selection.count();
    app.entries.select(index, count);
    app.center_entries = true;
    app.stats = Cursor::default();
    app.failures = Cursor::default();
    if app.view == View::Alerts {
        reports::request_alerts(app);
    }
    activity::request(app);
    entry_changed(app);
}

/// The selected entry changed: reset what depends on it.
pub(super) fn entry_changed(app: &mut App) {
    // The cursor moved on: a jump still on its way would yank it back.
    app.jumping.waiting = false;
    app.detail_scroll = 0;
    lookup::request(app);
}

/// The filter `field:value`, built directly so no value needs quoting.
pub(super) fn field_filter(field: Field, value: &str) -> Filter {
    Filter {
        terms: vec![Term {
            negated: false,
            predicate: Predicate::Field {
                field,
                values: vec![value.to_owned()],
            },
            span: 0..0,
        }],
    }
}

fn show_view(app: &mut App, view: View) {
    app.view = if app.view == view { View::Panes } else { view };
    app.view_cursor = Cursor::default();
}

/// `y`: the selected line as the detail pane has it (looked up already,
/// so the key press asks the logs nothing).
fn copy(app: &mut App) {
    let detail = match &app.lookup.detail {
        lookup::Pending::Ready(answer) => match answer.as_ref() {
            Ok(Some(detail)) => detail,
            Ok(None) => return,
            Err(e) => {
                app.status = Some(format!("the logs could not answer: {e}"));
                return;
            }
        },
        lookup::Pending::Loading if app.lookup.key.is_some() => {
            app.status = Some("the entry is still being looked up; try again".into());
            return;
        }
        lookup::Pending::Loading => return,
    };
    let line = String::from_utf8_lossy(&detail.raw).into_owned();
    let place = format!(
        "{}:{}",
        crate::text::for_terminal(&detail.row.file),
        detail.row.line
    );
    let inside_tmux = std::env::var_os("TMUX").is_some();
    app.status = Some(super::clipboard::sent_status(
        &place,
        line.len(),
        inside_tmux,
    ));
    app.effects.push(Effect::Copy(line));
}

fn edit_text(app: &mut App, edit: Edit) {
    if let Some(Prompt::ExportPath(input, _)) = &mut app.prompt {
        input.apply(edit);
        return;
    }
    if app.filter.edit(edit) {
        requery(app);
    }
}

fn submit_filter(app: &mut App) {
    if app.filter.error.is_some() {
        app.status = Some("the filter has an error (see under the bar); Esc clears it".into());
        return;
    }
    app.filter.remember();
    app.filter.mark_applied();
    app.filter.active = false;
    app.focus = Pane::Entries;
}
