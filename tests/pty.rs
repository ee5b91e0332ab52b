//! The real binary in a pseudo-terminal, driven like a person would: wait
//! for the banner, filter, open the detail, quit, and check the terminal
//! was handed back as it was found.

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

#[test]
fn browse_filter_open_detail_and_quit_restores_the_terminal() {
    let pty = native_pty_system()
        .openpty(PtySize {
            rows: ROWS,
            cols: COLS,
            pixel_width: 0,
            pixel_height: 0,
        })
        .expect("a pseudo-terminal");
    let mut command = CommandBuilder::new(env!("CARGO_BIN_EXE_auditui"));
    command.arg("tests/fixtures/chain.jsonl");
    command.cwd(env!("CARGO_MANIFEST_DIR"));
    command.env("TERM", "xterm-256color");
    command.env("TZ", "UTC");
    let mut child = pty.slave.spawn_command(command).expect("starting auditui");

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
    let mut keys = pty.master.take_writer().expect("a writer");
    let mut type_keys = |text: &str| {
        keys.write_all(text.as_bytes()).unwrap();
        keys.flush().unwrap();
    };

    let screen = wait_for(&output, "the verdict and the entries", |s| {
        s.contains("INTACT") && match_count(s) == Some(60)
    });
    assert!(screen.contains("chain · 60 entries"), "{screen}");

    type_keys("/user:usr_98765");
    let screen = wait_for(&output, "the filtered count", |s| {
        match_count(s) == Some(14)
    });
    assert!(screen.contains("/ user:usr_98765"), "{screen}");

    type_keys("\r\r");
    let screen = wait_for(&output, "the detail focused", |s| {
        s.contains("┏ Detail") && s.contains("\"user_id\": \"usr_98765\"")
    });
    assert!(screen.contains("User usr_98765"), "{screen}");

    type_keys("q");
    let start = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        assert!(start.elapsed() < TIMEOUT, "auditui did not exit on q");
        std::thread::sleep(Duration::from_millis(20));
    };
    assert!(status.success(), "exit status {status:?}");

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
    if let Some(termios) = pty.master.get_termios() {
        let flags = format!("{:?}", termios.local_flags);
        assert!(
            flags.contains("ICANON") && flags.contains("ECHO"),
            "{flags}"
        );
    }
}
