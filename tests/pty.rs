//! The real binary in a pseudo-terminal, driven like a person would: wait
//! for the banner, filter, open the detail, quit, and check the terminal
//! was handed back as it was found.
#![allow(clippy::unwrap_used)] // a test crate: a failed unwrap is a failed test

use portable_pty::{CommandBuilder, PtySize, native_pty_system};
use std::io::{Read, Write};
use std::num::NonZeroU16;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const ROWS: u16 = 40;
const COLS: u16 = 120;
/// Generous: a debug build on a loaded CI machine.
const TIMEOUT: Duration = Duration::from_secs(30);

/// Everything the program wrote, and the screen it amounts to.
struct Output {
    bytes: Vec<u8>,
    screen: vt100::Parser,
}

fn wait_for(output: &Mutex<Output>, what: &str, done: impl Fn(&str) -> bool) -> String {
    let start = Instant::now();
    loop {
        let contents = output.lock().unwrap().screen.screen().contents();
        if done(&contents) {
            return contents;
        }
        assert!(
            start.elapsed() < TIMEOUT,
            "timed out waiting for {what}; screen:\n{contents}"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// The number in "Entries N of M" on the screen.
fn match_count(screen: &str) -> Option<usize> {
    let after = screen.split("Entries ").nth(1)?;
    let number: String = after
        .chars()
        .take_while(|c| c.is_ascii_digit() || *c == ',')
        .collect();
    number.replace(',', "").parse().ok()
}

/// The real binary in a pseudo-terminal, and what it has drawn so far.
struct Session {
    pty: portable_pty::PtyPair,
    child: Box<dyn portable_pty::Child + Send + Sync>,
    output: Arc<Mutex<Output>>,
    keys: Box<dyn Write + Send>,
}

impl Session {
    /// `auditui ARGS` in a ROWS x COLS terminal, with extra environment.
    fn start(args: &[&str], env: &[(&str, &str)]) -> Session {
        let pty = native_pty_system()
            .openpty(PtySize {
                rows: ROWS,
                cols: COLS,
                pixel_width: 0,
                pixel_height: 0,
            })
            .expect("a pseudo-terminal");
        let mut command = CommandBuilder::new(env!("CARGO_BIN_EXE_auditui"));
        command.args(args);
        command.cwd(env!("CARGO_MANIFEST_DIR"));
        command.env("TERM", "xterm-256color");
        command.env("TZ", "UTC");
        for (key, value) in env {
            command.env(key, value);
        }
        let child = pty.slave.spawn_command(command).expect("starting auditui");
        let output = Arc::new(Mutex::new(Output {
            bytes: Vec::new(),
            screen: vt100::Parser::new(
                NonZeroU16::new(ROWS).unwrap(),
                NonZeroU16::new(COLS).unwrap(),
                0,
            ),
        }));
        let mut reader = pty.master.try_clone_reader().expect("a reader");
        let sink = Arc::clone(&output);
        std::thread::spawn(move || {
            let mut buffer = [0u8; 8192];
            while let Ok(n) = reader.read(&mut buffer) {
                if n == 0 {
                    break;
                }
                let mut out = sink.lock().unwrap();
                out.bytes.extend_from_slice(&buffer[..n]);
                out.screen.process(&buffer[..n]);
            }
        });
        let keys = pty.master.take_writer().expect("a writer");
        Session {
            pty,
            child,
            output,
            keys,
        }
    }

    fn type_keys(&mut self, text: &str) {
        self.keys.write_all(text.as_bytes()).unwrap();
        self.keys.flush().unwrap();
    }

    fn wait_for(&self, what: &str, done: impl Fn(&str) -> bool) -> String {
        wait_for(&self.output, what, done)
    }

    /// Wait for the process to end; its exit status.
    fn exit(&mut self) -> portable_pty::ExitStatus {
        let start = Instant::now();
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status;
            }
            assert!(start.elapsed() < TIMEOUT, "auditui did not exit");
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

#[test]
fn browse_filter_open_detail_and_quit_restores_the_terminal() {
    let mut session = Session::start(&["tests/fixtures/chain.jsonl"], &[]);
    // A frame may be read half drawn: each wait is for all that is checked.
    session.wait_for("the verdict and the entries", |s| {
        s.contains("INTACT") && match_count(s) == Some(60) && s.contains("chain · 60 entries")
    });

    session.type_keys("/user:usr_98765");
    session.wait_for("the filtered count", |s| {
        match_count(s) == Some(14) && s.contains("/ user:usr_98765")
    });

    session.type_keys("\r\r");
    session.wait_for("the detail focused", |s| {
        s.contains("┏ Detail")
            && s.contains("\"user_id\": \"usr_98765\"")
            && s.contains("User usr_98765")
    });

    session.type_keys("q");
    let status = session.exit();
    assert!(status.success(), "exit status {status:?}");
    let output = &session.output;
    // The reader sees the last bytes shortly after the exit.
    let start = Instant::now();
    let tail = loop {
        let bytes = output.lock().unwrap().bytes.clone();
        let tail = String::from_utf8_lossy(&bytes[bytes.len().saturating_sub(64)..]).into_owned();
        if tail.contains("\x1b[?25h") || start.elapsed() > TIMEOUT {
            break tail;
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    assert!(
        tail.contains("\x1b[?1049l"),
        "left the alternate screen: {tail:?}"
    );
    assert!(tail.contains("\x1b[?25h"), "showed the cursor: {tail:?}");
    assert!(!output.lock().unwrap().screen.screen().alternate_screen());
    // Raw mode off: the line discipline is canonical and echoes again.
    if let Some(termios) = session.pty.master.get_termios() {
        let flags = format!("{:?}", termios.local_flags);
        assert!(
            flags.contains("ICANON") && flags.contains("ECHO"),
            "{flags}"
        );
    }
}

/// `n` chained entries of a generated log, one line each.
fn chain_lines(n: u64) -> Vec<String> {
    let files = auditui::generate::generate(&auditui::generate::Options::new(n)).unwrap();
    let text = String::from_utf8(files[0].bytes.clone()).unwrap();
    text.lines().map(|l| format!("{l}\n")).collect()
}

#[test]
fn following_survives_rotation_copytruncate_and_reports_a_shrink() {
    let dir = tempfile::tempdir().unwrap();
    let live = dir.path().join("live.jsonl");
    let lines = chain_lines(40);
    std::fs::write(&live, lines[..30].concat()).unwrap();
    let path = dir.path().to_str().unwrap().to_owned();
    let mut session = Session::start(&["--follow", &path], &[]);
    session.wait_for("the log", |s| {
        s.contains("INTACT") && match_count(s) == Some(30)
    });
    // The cursor low in the list, then a rotation to a continuing file.
    session.type_keys("G");
    std::fs::rename(&live, dir.path().join("live.1.jsonl")).unwrap();
    std::fs::write(&live, lines[30..33].concat()).unwrap();
    session.wait_for("the rotated logs", |s| {
        s.contains("INTACT") && match_count(s) == Some(33)
    });

    // copytruncate: the entries are copied away, the file emptied in place.
    std::fs::write(dir.path().join("live.2.jsonl"), lines[30..33].concat()).unwrap();
    std::fs::write(&live, "").unwrap();
    session.wait_for("the copied logs", |s| s.contains("3 files"));
    std::fs::write(&live, lines[33..40].concat()).unwrap();
    session.wait_for("the grown log", |s| match_count(s) == Some(40));

    // Lines cut off the end: the shorter file is valid alone, but entries
    // shown a moment ago are gone.
    std::fs::write(&live, lines[33..36].concat()).unwrap();
    session.wait_for("the truncation", |s| {
        s.contains("truncated") && s.contains("BROKEN")
    });
    session.type_keys("q");
    let status = session.exit();
    assert!(status.success(), "exit status {status:?}");
}

/// Ctrl-U and Up in the bar right after opening it, before the completions
/// for the old text are recomputed: this used to panic.
#[test]
fn clearing_and_recalling_the_filter_keeps_the_browser_alive() {
    let mut session = Session::start(&["tests/fixtures/chain.jsonl"], &[]);
    session.wait_for("the entries", |s| match_count(s) == Some(60));
    session.type_keys("/user:usr_98765\r");
    session.wait_for("the filtered count", |s| match_count(s) == Some(14));
    for _ in 0..3 {
        // `/`, Ctrl-U, Up (ESC [ A): the history brings the filter back.
        session.type_keys("/\x15\x1b[A");
        session.wait_for("the filter recalled", |s| {
            s.contains("/ user:usr_98765") && match_count(s) == Some(14)
        });
        session.type_keys("\r");
    }
    session.type_keys("q");
    assert!(session.exit().success());
}

/// Times typed without an offset are read in the zone the screen shows:
/// local here (UTC+05:30), so 21:30 typed is 16:00 UTC.
#[test]
fn typed_times_are_read_in_the_zone_shown() {
    let mut session = Session::start(&["tests/fixtures/chain.jsonl"], &[("TZ", "Asia/Kolkata")]);
    // The rows too, not only the count: a frame can be read half drawn.
    session.wait_for("14:23:01 UTC shown local", |s| {
        match_count(s) == Some(60) && s.contains("2025-07-06 19:53:01") && s.contains("times local")
    });
    session.type_keys("/since:2025-07-06T21:30");
    session.wait_for("entries since 16:00 UTC", |s| match_count(s) == Some(43));
    // Times with an offset are that instant whatever the zone.
    session.type_keys("Z");
    session.wait_for("entries since 21:30 UTC", |s| match_count(s) == Some(10));
    session.type_keys("\rq");
    assert!(session.exit().success());
}

/// The sample logs as an incident reader meets them: every log merged by
/// time (the first screen starts where the histogram does), `o` for file
/// by file, jumps to a failure and to a finding, a mark, and back to all
/// entries around the one found.
#[test]
fn sample_logs_merge_by_time_and_incident_keys_work_in_the_terminal() {
    let mut session = Session::start(&["sample-logs"], &[("TZ", "UTC")]);
    // The earliest entry first, and each row names its log. A frame may be
    // read half drawn, so the wait is for all of it.
    session.wait_for("the entries by time, the earliest first", |s| {
        let first_row = s
            .lines()
            .find(|l| l.contains("┃▶2025-07-"))
            .unwrap_or_default();
        match_count(s) == Some(4699)
            && s.contains("by time")
            && first_row.contains("2025-07-06 08:00:00")
            && first_row.contains("support-chain")
    });
    session.type_keys("o");
    // Still on the same entry, now among its own file's neighbours.
    session.wait_for("file order, on the same entry", |s| {
        s.contains("file by file")
            && s.contains("┃▶2025-07-06 08:00:00 support-chain")
            && s.contains(" audit ")
    });
    session.type_keys("n");
    session.wait_for("a failure", |s| s.contains(" of 337 in this view"));
    session.type_keys("g]");
    session.wait_for("a finding", |s| {
        s.contains("entry with an integrity finding 1 of ")
    });
    session.type_keys(" ");
    session.wait_for("the mark", |s| s.contains("1 marked") && s.contains('●'));
    session.type_keys("/failed\r");
    session.wait_for("the failures", |s| {
        s.contains("/ failed") && match_count(s) != Some(4699)
    });
    session.type_keys("c");
    let screen = session.wait_for("all entries around it", |s| {
        s.contains("around this entry") && match_count(s) == Some(4699) && s.contains("by time")
    });
    // The entry is shown with the entries just after it too, not at the
    // bottom edge of the list.
    let lines: Vec<&str> = screen.lines().collect();
    let at = lines
        .iter()
        .position(|l| l.contains("┃▶"))
        .unwrap_or_default();
    assert!(
        lines[at + 1..]
            .iter()
            .take(3)
            .all(|l| l.starts_with("┃ ") && l.contains(" 2025-07-")),
        "{screen}"
    );
    session.type_keys("q");
    assert!(session.exit().success());
}
