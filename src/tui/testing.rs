//! A browser driven without a terminal, for the unit tests and
//! `tests/tui_snapshots.rs`: logs from memory, jobs run inline, frames
//! drawn on ratatui's `TestBackend` and read back as text.

use super::app::{Action, App, update};
use super::runtime::{Host, Runtime};
use super::theme::Theme;
use super::{event_loop, ui};
use crate::backend::Backend;
use crate::backend::memory::MemoryBackend;
use crate::log::source::Source;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use std::io;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::sync::mpsc::{Receiver, channel};
use std::time::Duration;
use unicode_width::UnicodeWidthStr;

/// 2025-08-01T00:00:00Z: a fixed "now" so retention reads the same every run.
pub const NOW: i64 = 1_754_006_400_000_000;

/// Load and verify logs given as (file name, contents).
pub fn load(logs: &[(&str, &str)]) -> Arc<dyn Backend> {
    let sources = logs
        .iter()
        .map(|(name, text)| Source::from_bytes(*name, text.as_bytes().to_vec()))
        .collect();
    Arc::new(MemoryBackend::load(sources, |_| {}, &AtomicBool::new(false)).expect("not cancelled"))
}

/// Terminal requests, recorded.
#[derive(Debug, Default)]
pub struct RecordingHost {
    pub osc52: Vec<String>,
    pub mouse: Vec<bool>,
}

impl Host for RecordingHost {
    fn set_mouse_capture(&mut self, on: bool) -> io::Result<()> {
        self.mouse.push(on);
        Ok(())
    }

    fn write_osc52(&mut self, sequence: &str) -> io::Result<()> {
        self.osc52.push(sequence.to_string());
        Ok(())
    }
}

pub struct Harness {
    pub app: App,
    pub runtime: Runtime<RecordingHost>,
    results: Receiver<Action>,
}

impl Harness {
    /// A browser of `width` x `height`, without colour, times in UTC,
    /// before anything is loaded.
    pub fn new(width: u16, height: u16) -> Harness {
        let (tx, results) = channel();
        Harness {
            app: App::new(Theme::plain(), true, NOW, Rect::new(0, 0, width, height)),
            runtime: Runtime::inline(tx, RecordingHost::default()),
            results,
        }
    }

    /// A browser with `logs` loaded and the first query answered.
    pub fn loaded(logs: &[(&str, &str)], width: u16, height: u16) -> Harness {
        let mut harness = Harness::new(width, height);
        harness.send(Action::Loaded(load(logs), Duration::from_millis(5)));
        harness.app.status = None;
        harness
    }

    /// Apply an action and everything it sets off, to the end.
    pub fn send(&mut self, action: Action) {
        update(&mut self.app, action);
        loop {
            self.runtime.execute(self.app.take_effects());
            match self.results.try_recv() {
                Ok(result) => update(&mut self.app, result),
                Err(_) => break,
            }
        }
    }

    /// Apply an action but hold back the work it queues, as the real loop
    /// draws before a job has answered; the next [`Harness::send`] runs it.
    pub fn send_before_jobs(&mut self, action: Action) {
        update(&mut self.app, action);
    }

    /// Type each character as a key press.
    pub fn keys(&mut self, text: &str) {
        for c in text.chars() {
            self.key(KeyCode::Char(c));
        }
    }

    pub fn key(&mut self, code: KeyCode) {
        self.send(Action::Key(KeyEvent::new(code, KeyModifiers::NONE)));
    }

    pub fn ctrl(&mut self, c: char) {
        self.send(Action::Key(KeyEvent::new(
            KeyCode::Char(c),
            KeyModifiers::CONTROL,
        )));
    }

    /// Draw one frame.
    pub fn buffer(&self) -> Buffer {
        let mut terminal = self.terminal();
        terminal
            .draw(|frame| ui::draw(&self.app, frame))
            .expect("drawing on a test backend");
        terminal.backend().buffer().clone()
    }

    /// Draw one frame, as text.
    pub fn render(&self) -> String {
        to_text(&self.buffer())
    }

    /// Run the real event loop until it quits, with `actions` queued as if
    /// typed, and return the last frame.
    pub fn run_loop(&mut self, actions: Vec<Action>) -> String {
        let (tx, rx) = channel();
        for action in actions {
            tx.send(action).expect("the receiver is alive");
        }
        let mut runtime = Runtime::inline(tx, RecordingHost::default());
        let mut terminal = self.terminal();
        event_loop::run(&mut terminal, &mut self.app, &rx, &mut runtime)
            .expect("drawing on a test backend");
        terminal
            .draw(|frame| ui::draw(&self.app, frame))
            .expect("drawing on a test backend");
        to_text(terminal.backend().buffer())
    }

    fn terminal(&self) -> Terminal<TestBackend> {
        let size = self.app.screen;
        Terminal::new(TestBackend::new(size.width, size.height)).expect("a test backend")
    }
}

/// The screen as lines of text, wide characters counted once.
pub fn to_text(buffer: &Buffer) -> String {
    let area = buffer.area;
    let mut out = String::new();
    for y in area.top()..area.bottom() {
        let mut line = String::new();
        let mut skip = 0;
        for x in area.left()..area.right() {
            let symbol = buffer[(x, y)].symbol();
            if skip == 0 {
                line.push_str(symbol);
            }
            skip = symbol.width().max(skip).saturating_sub(1);
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}
