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

/// A `chain` log of `entries`, each sealed with `_previous_hash` and `_hash`.
pub fn chain_log(entries: &[serde_json::Value]) -> String {
    seal_all(entries, "_previous_hash", "_hash", |entry| entry.clone())
}

/// A `hipaa` log of `entries`: only the five hashed fields are sealed.
pub fn hipaa_log(entries: &[serde_json::Value]) -> String {
    seal_all(entries, "previous_hash", "entry_hash", |entry| {
        let keep = crate::log::entry::HIPAA_HASHED_FIELDS;
        let sealed = entry
            .as_object()
            .expect("entries are objects")
            .iter()
            .filter(|(k, _)| keep.contains(&k.as_str()))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        serde_json::Value::Object(sealed)
    })
}

/// One JSON line per entry, without hashes.
pub fn plain_log(entries: &[serde_json::Value]) -> String {
    entries.iter().map(|e| format!("{e}\n")).collect()
}

fn seal_all(
    entries: &[serde_json::Value],
    previous_key: &str,
    hash_key: &str,
    hashed: impl Fn(&serde_json::Value) -> serde_json::Value,
) -> String {
    use crate::log::canonical::{sha256, to_hex, write_canonical};
    let mut previous = "genesis".to_string();
    let mut out = String::new();
    for entry in entries {
        let mut entry = entry.clone();
        entry[previous_key] = previous.clone().into();
        let text = hashed(&entry).to_string();
        let value = crate::log::json::parse(&text).expect("serde_json writes JSON");
        let mut canonical = Vec::new();
        write_canonical(&value, &mut canonical);
        previous = to_hex(&sha256(&canonical));
        entry[hash_key] = previous.clone().into();
        out.push_str(&entry.to_string());
        out.push('\n');
    }
    out
}

/// One support-desk tool call in the `chain` schema's fields.
#[allow(clippy::too_many_arguments)]
pub fn call(
    time: &str,
    conversation: &str,
    turn: u32,
    user: &str,
    tool: &str,
    success: bool,
    duration_ms: f64,
    error: Option<&str>,
) -> serde_json::Value {
    let result = match error {
        Some(error) => serde_json::json!({"success": false, "error": error}),
        None => serde_json::json!({"success": true}),
    };
    serde_json::json!({
        "timestamp": time,
        "conversation_id": conversation,
        "turn_number": turn,
        "user_id": user,
        "tool_name": tool,
        "arguments": {"order_id": format!("ORD-{turn}")},
        "result_summary": result,
        "duration_ms": duration_ms,
        "model": "gpt-4.1",
        "success": success,
        "session_metadata": {"user_role": "support_agent", "client_ip": "10.0.1.5"},
    })
}

/// Eight calls in three conversations; usr_200's refund in conv_b2 failed.
#[rustfmt::skip]
pub fn support_calls() -> Vec<serde_json::Value> {
    vec![
        call("2025-07-06T09:00:00+00:00", "conv_a1", 1, "usr_100", "get_order", true, 80.4, None),
        call("2025-07-06T09:00:05+00:00", "conv_b2", 1, "usr_200", "get_customer", true, 120.0, None),
        call("2025-07-06T09:00:09+00:00", "conv_a1", 2, "usr_100", "issue_refund", true, 240.5, None),
        call("2025-07-06T09:01:00+00:00", "conv_b2", 2, "usr_200", "get_order", true, 95.0, None),
        call("2025-07-06T09:01:30+00:00", "conv_b2", 3, "usr_200", "issue_refund", false, 30000.5, Some("Timed out after 30000 ms")),
        call("2025-07-06T09:02:00+00:00", "conv_c3", 1, "usr_300", "search_kb", true, 45.0, None),
        call("2025-07-06T09:02:10+00:00", "conv_b2", 4, "usr_200", "send_email", true, 310.2, None),
        call("2025-07-06T09:03:00+00:00", "conv_c3", 2, "usr_300", "get_order", false, 60.0, Some("Permission denied")),
    ]
}

/// Clinic accesses in the `hipaa` schema, with one emergency access.
#[rustfmt::skip]
pub fn clinic_accesses() -> Vec<serde_json::Value> {
    let access = |time: &str, user: &str, role: &str, tool: &str, patient: &str, purpose: &str| {
        serde_json::json!({
            "timestamp": time,
            "user_id": user,
            "user_role": role,
            "tool_name": tool,
            "patient_id": patient,
            "purpose": purpose,
            "arguments_sanitized": {"patient_id": patient},
            "result_summary": {"success": true},
            "success": true,
        })
    };
    vec![
        access("2025-07-07T08:00:00+00:00", "usr_nurse1", "nurse", "access_patient_record", "P-0001", "treatment"),
        access("2025-07-07T08:10:00+00:00", "usr_doc1", "physician", "update_treatment", "P-0001", "treatment"),
        access("2025-07-07T08:20:00+00:00", "usr_doc2", "physician", "access_patient_record", "P-0002", "emergency"),
        access("2025-07-07T09:00:00+00:00", "usr_billing", "billing_clerk", "access_patient_record", "P-0001", "billing"),
        access("2025-07-08T10:00:00+00:00", "usr_nurse1", "nurse", "access_patient_record", "P-0002", "treatment"),
    ]
}
