//! Every key binding, as data. Dispatch, the help screen and the footer hints
//! are all read from [`BINDINGS`] through a [`Keymap`] (which applies the
//! configuration's `[keys]`), so a key is never documented twice and never
//! documented wrongly.

use super::app::Action;
use super::input::Edit;
use crate::config::keys::Key;
use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};
use std::collections::BTreeMap;

/// Where a binding applies. The app lists the active contexts, most
/// specific first; the first binding found wins.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Context {
    /// Always, even while typing.
    Global,
    /// Anywhere except in a text field.
    App,
    /// Lists and tables.
    Navigate,
    /// The main panes.
    Panes,
    /// The per-tool stats pane.
    Stats,
    /// The activity histogram.
    Histogram,
    /// The findings, report, alerts and help views.
    View,
    /// Views whose rows lead to an entry (findings, alerts).
    Jump,
    /// The filter bar while it has focus.
    Filter,
    /// Any text field (filter bar, export prompt).
    TextInput,
    /// The export path prompt.
    Prompt,
    /// The question before overwriting a file.
    Confirm,
}

impl Context {
    /// Heading in the help screen.
    pub fn title(self) -> &'static str {
        match self {
            Context::Global => "Everywhere",
            Context::App => "Browsing",
            Context::Navigate => "Moving in lists",
            Context::Panes => "Panes",
            Context::Stats => "Per-tool stats pane",
            Context::Histogram => "Activity histogram",
            Context::View => "Findings, report, alerts, help",
            Context::Jump => "Findings and alerts",
            Context::Filter => "Filter bar",
            Context::TextInput => "Editing text",
            Context::Prompt => "Export prompt",
            Context::Confirm => "Overwrite question",
        }
    }
}

const fn plain(code: KeyCode) -> Key {
    Key { code, ctrl: false }
}

const fn ch(c: char) -> Key {
    plain(KeyCode::Char(c))
}

const fn ctrl(c: char) -> Key {
    Key {
        code: KeyCode::Char(c),
        ctrl: true,
    }
}

impl Key {
    pub fn label(self) -> String {
        let name = match self.code {
            KeyCode::Char(' ') => "Space".to_string(),
            KeyCode::Char(c) if self.ctrl => c.to_ascii_uppercase().to_string(),
            KeyCode::Char(c) => c.to_string(),
            KeyCode::Up => "↑".into(),
            KeyCode::Down => "↓".into(),
            KeyCode::Left => "←".into(),
            KeyCode::Right => "→".into(),
            KeyCode::PageUp => "PgUp".into(),
            KeyCode::PageDown => "PgDn".into(),
            KeyCode::BackTab => "Shift-Tab".into(),
            KeyCode::Backspace => "Backspace".into(),
            KeyCode::Delete => "Del".into(),
            KeyCode::Enter => "Enter".into(),
            KeyCode::Esc => "Esc".into(),
            KeyCode::Tab => "Tab".into(),
            KeyCode::Home => "Home".into(),
            KeyCode::End => "End".into(),
            other => format!("{other}"),
        };
        if self.ctrl {
            format!("Ctrl-{name}")
        } else {
            name
        }
    }

    fn matches(self, event: &KeyEvent) -> bool {
        let ctrl = event.modifiers.contains(KeyModifiers::CONTROL);
        let code = match event.code {
            // Terminals differ on whether Ctrl-letter arrives upper-case.
            KeyCode::Char(c) if ctrl => KeyCode::Char(c.to_ascii_lowercase()),
            code => code,
        };
        code == self.code && ctrl == self.ctrl && !event.modifiers.contains(KeyModifiers::ALT)
    }
}

pub struct Binding {
    pub keys: &'static [Key],
    pub action: Action,
    pub description: &'static str,
    pub context: Context,
    /// Short label for the footer; `None` keeps the binding out of it.
    pub hint: Option<&'static str>,
}

const fn bind(
    context: Context,
    keys: &'static [Key],
    action: Action,
    description: &'static str,
    hint: Option<&'static str>,
) -> Binding {
    Binding {
        keys,
        action,
        description,
        context,
        hint,
    }
}

use Context::*;
use KeyCode as K;

#[rustfmt::skip]
pub static BINDINGS: &[Binding] = &[
    bind(Global, &[ctrl('c')], Action::Quit, "quit, restoring the terminal", None),
    bind(Confirm, &[ch('y')], Action::Confirm(true), "overwrite the file", Some("overwrite")),
    bind(Confirm, &[ch('n'), plain(K::Esc)], Action::Confirm(false), "keep the file, choose another path", Some("keep")),
    bind(Prompt, &[plain(K::Enter)], Action::Submit, "export to this path (.json, .csv, .md or .fhir.json: FHIR R4)", Some("export")),
    bind(Prompt, &[plain(K::Esc)], Action::Cancel, "cancel the export", Some("cancel")),
    bind(Filter, &[plain(K::Enter)], Action::Submit, "apply the filter, back to the entries", Some("apply")),
    bind(Filter, &[plain(K::Esc)], Action::Cancel, "leave the bar, keeping the filter applied before (Ctrl-U clears)", Some("cancel")),
    bind(Filter, &[plain(K::Tab)], Action::Complete, "accept the highlighted completion", Some("complete")),
    bind(Filter, &[ctrl('n')], Action::NextCompletion, "highlight the next completion", None),
    bind(Filter, &[ctrl('p')], Action::PrevCompletion, "highlight the previous completion", None),
    bind(Filter, &[plain(K::Up)], Action::HistoryPrev, "previous filter from the history", Some("history")),
    bind(Filter, &[plain(K::Down)], Action::HistoryNext, "next filter from the history", None),
    bind(TextInput, &[plain(K::Left)], Action::Edit(Edit::Left), "cursor left", None),
    bind(TextInput, &[plain(K::Right)], Action::Edit(Edit::Right), "cursor right", None),
    bind(TextInput, &[plain(K::Home), ctrl('a')], Action::Edit(Edit::Home), "start of line", None),
    bind(TextInput, &[plain(K::End), ctrl('e')], Action::Edit(Edit::End), "end of line", None),
    bind(TextInput, &[plain(K::Backspace)], Action::Edit(Edit::Backspace), "delete before the cursor", None),
    bind(TextInput, &[plain(K::Delete)], Action::Edit(Edit::Delete), "delete at the cursor", None),
    bind(TextInput, &[ctrl('w')], Action::Edit(Edit::DeleteWord), "delete the word before the cursor", None),
    bind(TextInput, &[ctrl('k')], Action::Edit(Edit::DeleteToEnd), "delete to the end of the line", None),
    bind(TextInput, &[ctrl('u')], Action::Edit(Edit::Clear), "clear the line", None),
    bind(App, &[ch('q')], Action::Quit, "quit", Some("quit")),
    bind(App, &[ch('?')], Action::ToggleHelp, "help: this list of keys", Some("help")),
    bind(App, &[ch('/')], Action::OpenFilter, "filter: user: patient: tool: conv: failed since: …", Some("filter")),
    bind(App, &[ch('i')], Action::ShowFindings, "integrity findings (Enter jumps to the entry)", Some("findings")),
    bind(App, &[ch('r')], Action::ShowReport, "access report of the patient: in the filter", Some("report")),
    bind(App, &[ch('a')], Action::ShowAlerts, "alerts: access bursts and emergency accesses", Some("alerts")),
    bind(App, &[ch('e')], Action::Export, "export the report shown, else the filtered entries", Some("export")),
    bind(App, &[ch('t')], Action::ToggleUtc, "show times in local time / UTC", None),
    bind(App, &[ch('F')], Action::ToggleFollow, "follow on/off: verify and show appended entries", None),
    bind(App, &[ch('o')], Action::ToggleOrder, "list the entries of all logs merged by time / file by file", None),
    bind(App, &[ch('m')], Action::ToggleMouse, "release the mouse to select text / capture it again", None),
    bind(Jump, &[plain(K::Enter)], Action::Open, "jump to the entry", Some("jump")),
    bind(View, &[plain(K::Esc)], Action::Back, "close, back to the panes", Some("close")),
    bind(Stats, &[ch('s')], Action::SortStats, "sort by the next column", Some("sort")),
    bind(Histogram, &[plain(K::Left), ch('h')], Action::Up, "previous bucket", None),
    bind(Histogram, &[plain(K::Right), ch('l')], Action::Down, "next bucket", None),
    bind(Histogram, &[ch(' ')], Action::MarkBucket, "mark where a range starts (it ends at the cursor); again: unmark", Some("mark")),
    bind(Histogram, &[plain(K::Enter)], Action::Open, "filter to the range (or the bucket): since:/until: in the filter bar", Some("filter range")),
    bind(Histogram, &[plain(K::Backspace)], Action::RestoreRange, "restore the time range of before the last Enter", Some("undo range")),
    bind(Histogram, &[ch('+')], Action::WiderBuckets, "wider buckets", Some("wider")),
    bind(Histogram, &[ch('-')], Action::NarrowerBuckets, "narrower buckets", Some("narrower")),
    bind(Panes, &[plain(K::Tab)], Action::FocusNext, "focus the next pane", Some("pane")),
    bind(Panes, &[plain(K::BackTab)], Action::FocusPrev, "focus the previous pane", None),
    bind(Panes, &[plain(K::Enter)], Action::Open, "entry detail; on a timeline row or failure, its entry; on a tool, filter by it", Some("open")),
    bind(Panes, &[ch('z')], Action::Maximize, "maximise the focused pane / restore", Some("zoom")),
    bind(Panes, &[ch('y')], Action::Copy, "copy the selected entry as JSON (OSC 52)", Some("copy")),
    bind(Panes, &[plain(K::Esc)], Action::Back, "restore the layout, focus the entries", None),
    bind(Panes, &[ch('n')], Action::NextFailure, "next failed call among the entries shown", Some("next failure")),
    bind(Panes, &[ch('N')], Action::PrevFailure, "previous failed call among the entries shown", None),
    bind(Panes, &[ch(']')], Action::NextFinding, "next entry with an integrity finding among those shown", Some("next finding")),
    bind(Panes, &[ch('[')], Action::PrevFinding, "previous entry with an integrity finding among those shown", None),
    bind(Panes, &[ch(' ')], Action::ToggleMark, "mark the selected entry for export / unmark it", Some("mark")),
    bind(Panes, &[ch('E')], Action::ExportMarked, "export the marked entries", None),
    bind(Panes, &[ch('U')], Action::ClearMarks, "clear all marks", None),
    bind(Panes, &[ch('c')], Action::AroundEntry, "around this entry: clear the filter, list all logs by time, stay on the entry", Some("around")),
    bind(Navigate, &[ch('k'), plain(K::Up)], Action::Up, "up", None),
    bind(Navigate, &[ch('j'), plain(K::Down)], Action::Down, "down", None),
    bind(Navigate, &[plain(K::PageUp), ctrl('b')], Action::PageUp, "page up", None),
    bind(Navigate, &[plain(K::PageDown), ctrl('f')], Action::PageDown, "page down", None),
    bind(Navigate, &[ch('g'), plain(K::Home)], Action::Top, "first", None),
    bind(Navigate, &[ch('G'), plain(K::End)], Action::Bottom, "last", None),
];

/// The name the configuration file uses for a binding's action; `None`
/// for bindings it cannot change (Ctrl-C, text editing, prompts), so a
/// configuration can never lock the user in.
pub fn config_name(binding: &Binding) -> Option<&'static str> {
    let histogram_own = matches!(
        binding.action,
        Action::MarkBucket | Action::WiderBuckets | Action::NarrowerBuckets
    );
    // The histogram's arrows and Enter share names with moving and opening
    // elsewhere; renaming those there would surprise, so only its own
    // actions can be rebound.
    if !(matches!(
        binding.context,
        App | Navigate | Panes | Stats | View | Jump
    ) || binding.context == Histogram && histogram_own)
    {
        return None;
    }
    Some(match binding.action {
        Action::Quit => "quit",
        Action::Up => "up",
        Action::Down => "down",
        Action::PageUp => "page_up",
        Action::PageDown => "page_down",
        Action::Top => "top",
        Action::Bottom => "bottom",
        Action::FocusNext => "focus_next",
        Action::FocusPrev => "focus_prev",
        Action::Maximize => "maximize",
        Action::Open => "open",
        Action::Back => "back",
        Action::OpenFilter => "open_filter",
        Action::ToggleHelp => "toggle_help",
        Action::ShowFindings => "show_findings",
        Action::ShowReport => "show_report",
        Action::ShowAlerts => "show_alerts",
        Action::Export => "export",
        Action::Copy => "copy",
        Action::ToggleMouse => "toggle_mouse",
        Action::ToggleUtc => "toggle_utc",
        Action::SortStats => "sort_stats",
        Action::ToggleFollow => "toggle_follow",
        Action::ToggleOrder => "toggle_order",
        Action::NextFailure => "next_failure",
        Action::PrevFailure => "prev_failure",
        Action::NextFinding => "next_finding",
        Action::PrevFinding => "prev_finding",
        Action::ToggleMark => "toggle_mark",
        Action::ClearMarks => "clear_marks",
        Action::ExportMarked => "export_marked",
        Action::AroundEntry => "around_entry",
        Action::MarkBucket => "mark_bucket",
        Action::WiderBuckets => "wider_buckets",
        Action::NarrowerBuckets => "narrower_buckets",
        _ => return None,
    })
}

/// Every action name the table lets the configuration rebind, sorted; the
/// configuration keeps its own copy ([`crate::config::keys::ACTIONS`]) and
/// a test holds the two equal.
#[cfg(test)]
fn configurable_actions() -> Vec<&'static str> {
    let mut names: Vec<&str> = BINDINGS.iter().filter_map(config_name).collect();
    names.sort_unstable();
    names.dedup();
    names
}

/// The bindings in use: the table's, with the configuration's keys in
/// place of an action's defaults.
#[derive(Debug, Clone, Default)]
pub struct Keymap {
    overrides: BTreeMap<String, Vec<Key>>,
}

impl Keymap {
    /// Overrides by action name; names the configuration rejects are
    /// ignored (the configuration reader reports them).
    pub fn new(overrides: BTreeMap<String, Vec<Key>>) -> Keymap {
        Keymap { overrides }
    }

    /// The keys that trigger `binding` now.
    pub fn keys<'a>(&'a self, binding: &'static Binding) -> &'a [Key] {
        config_name(binding)
            .and_then(|name| self.overrides.get(name))
            .map_or(binding.keys, Vec::as_slice)
    }

    /// The action for a key in the given contexts (most specific first).
    /// A printable character in a text field is text unless a binding of a
    /// more specific context claims it.
    pub fn dispatch(&self, contexts: &[Context], event: &KeyEvent) -> Option<Action> {
        if event.kind == KeyEventKind::Release {
            return None;
        }
        for &context in contexts {
            let bound = BINDINGS
                .iter()
                .filter(|b| b.context == context)
                .find(|b| self.keys(b).iter().any(|k| k.matches(event)));
            if let Some(binding) = bound {
                return Some(binding.action.clone());
            }
            if let (TextInput, KeyCode::Char(c)) = (context, event.code)
                && !event
                    .modifiers
                    .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT)
            {
                return Some(Action::Edit(Edit::Insert(c)));
            }
        }
        None
    }

    /// The bindings active in `contexts`, for the footer: the broad ones
    /// first (quit, help, filter are what a newcomer looks for), in table
    /// order, each key once with what it does here (the most specific
    /// context's hint, as dispatch decides).
    pub fn hints(&self, contexts: &[Context]) -> Vec<(String, &'static str)> {
        let mut out: Vec<(String, &'static str)> = Vec::new();
        for &context in contexts.iter().rev() {
            for binding in BINDINGS.iter().filter(|b| b.context == context) {
                let (Some(hint), Some(key)) = (binding.hint, self.keys(binding).first()) else {
                    continue;
                };
                let label = key.label();
                match out.iter_mut().find(|(k, _)| *k == label) {
                    Some(shown) => shown.1 = hint,
                    None => out.push((label, hint)),
                }
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_configuration_accepts_exactly_the_rebindable_actions() {
        assert_eq!(configurable_actions(), crate::config::keys::ACTIONS);
    }

    #[test]
    fn no_key_is_bound_twice_in_one_context() {
        for (i, a) in BINDINGS.iter().enumerate() {
            for b in &BINDINGS[i + 1..] {
                let shared = a.keys.iter().find(|k| b.keys.contains(k));
                assert!(
                    a.context != b.context || shared.is_none(),
                    "{:?} bound twice in {:?}",
                    shared.map(|k| k.label()),
                    a.context
                );
            }
        }
    }

    #[test]
    fn plain_letters_are_text_in_the_filter_but_commands_outside() {
        let q = KeyEvent::from(KeyCode::Char('q'));
        let typing = [Context::Filter, Context::TextInput, Context::Global];
        assert!(matches!(
            Keymap::default().dispatch(&typing, &q),
            Some(Action::Edit(Edit::Insert('q')))
        ));
        let browsing = [
            Context::Panes,
            Context::Navigate,
            Context::App,
            Context::Global,
        ];
        assert!(matches!(
            Keymap::default().dispatch(&browsing, &q),
            Some(Action::Quit)
        ));
        let ctrl_c = KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL);
        assert!(matches!(
            Keymap::default().dispatch(&typing, &ctrl_c),
            Some(Action::Quit)
        ));
    }
}
