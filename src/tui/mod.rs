//! The terminal browser.
//!
//! State, actions and a pure `update` live in [`app`]; [`ui`] draws the
//! state with one file per pane; slow work (loading and verifying,
//! queries) runs on threads that report back as actions over one channel,
//! so drawing never waits. The keymap is one table ([`keymap`]) from which
//! dispatch, the help screen and the footer are all generated.

pub mod activity;
pub mod app;
mod clipboard;
mod clock;
pub mod completion;
pub mod cursor;
pub mod event_loop;
pub mod export;
pub mod filter_bar;
pub mod finding_lines;
pub mod first_entries;
mod incident;
#[cfg(test)]
mod incident_tests;
pub mod input;
pub mod jump;
#[cfg(test)]
mod jump_tests;
pub mod keymap;
pub mod layout;
pub mod live;
#[cfg(test)]
mod live_tests;
pub mod loader;
pub mod lookup;
#[cfg(test)]
mod lookup_tests;
pub mod marks;
mod navigation;
mod open;
mod paging;
#[cfg(test)]
mod paging_tests;
mod pretty;
mod reload;
pub mod reports;
pub mod runtime;
pub mod stats_order;
mod terminal;
pub mod testing;
#[cfg(test)]
mod tests;
pub mod theme;
pub mod ui;
mod watch;
pub mod worker;

pub use app::{Action, App, update};

use crate::text::for_terminal;
use ratatui::layout::Rect;
use std::io::IsTerminal;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;

/// How a browsing session ended; the caller turns it into an exit code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// The user closed the browser over logs that loaded.
    Closed,
    /// No browser, or the logs could not be loaded; already said on stderr
    /// or on screen.
    Failed,
}

/// Open the browser on `paths`.
pub fn run(
    mut paths: Vec<PathBuf>,
    usage: &str,
    config: crate::config::LoadedConfig,
    color: bool,
    follow: bool,
) -> Result<Outcome, String> {
    let crate::config::LoadedConfig { config, problem } = config;
    if paths.is_empty() {
        if !config.paths.iter().any(|p| p.exists()) {
            let wanted: Vec<String> = config
                .paths
                .iter()
                .map(|p| p.display().to_string())
                .collect();
            eprintln!(
                "{usage}\nno PATH given and none of the default paths exists ({}); see auditui --help",
                for_terminal(&wanted.join(", "))
            );
            return Ok(Outcome::Failed);
        }
        paths = config.paths.clone();
    }
    if !std::io::stdout().is_terminal() {
        let list: Vec<String> = paths
            .iter()
            .map(|p| for_terminal(&p.display().to_string()).into_owned())
            .collect();
        let list = list.join(" ");
        eprintln!(
            "auditui: the browser needs a terminal; without one, run for example:\n  \
             auditui verify {list}\n  auditui query {list} -q failed\n  auditui stats {list}"
        );
        return Ok(Outcome::Failed);
    }
    let mut screen = terminal::enter().map_err(|e| {
        terminal::restore();
        format!("cannot take over the terminal: {e}")
    })?;
    let (tx, rx) = mpsc::channel();
    let cancel_load = Arc::new(AtomicBool::new(false));
    let request = loader::Request {
        paths: paths.clone(),
        follow,
        previous: None,
        kept: Vec::new(),
    };
    let mut runtime = runtime::Runtime::threaded(tx.clone(), terminal::StdoutHost);
    loader::spawn(
        request,
        tx.clone(),
        Arc::clone(&cancel_load),
        runtime.live(),
    );
    watch::spawn(paths.clone(), tx.clone());
    if let Some(every) = config.verify.reverify_every {
        live::spawn_full_checks(runtime.live(), every, tx.clone());
    }
    terminal::spawn_input(tx.clone());
    if let Err(e) = terminal::spawn_signals(tx.clone()) {
        terminal::restore();
        return Err(format!("cannot watch for signals: {e}"));
    }
    let now = chrono::Utc::now().timestamp_micros();
    let mut app = App::new(
        theme::Theme::new(color, config.colors),
        false,
        now,
        Rect::default(),
    );
    app.keymap = keymap::Keymap::new(config.keys);
    app.paths = paths;
    app.follow = follow;
    app.alert_settings = config.alerts;
    app.retention = config.retention;
    // The same message went to stderr, but the browser's screen hides it.
    app.status = problem.map(|p| p.replace('\n', " "));
    drop(tx);
    let result = event_loop::run(&mut screen, &mut app, &rx, &mut runtime);
    cancel_load.store(true, Ordering::Relaxed);
    terminal::restore();
    result.map_err(|e| format!("terminal error: {e}"))?;
    Ok(match app.load {
        app::Load::Failed(_) => Outcome::Failed,
        _ => Outcome::Closed,
    })
}
