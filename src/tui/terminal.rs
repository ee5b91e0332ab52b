//! The real terminal: raw mode, alternate screen and mouse capture on the
//! way in, all undone on the way out, whether by `q`, an error or a panic.

use super::app::Action;
use super::runtime::Host;
use crossterm::event::{self, DisableMouseCapture, EnableMouseCapture, Event};
use crossterm::terminal::{
    EnterAlternateScreen, LeaveAlternateScreen, disable_raw_mode, enable_raw_mode,
};
use crossterm::{cursor, execute};
use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;
use std::io::{self, Stdout, Write};
use std::sync::mpsc::Sender;

pub type Screen = Terminal<CrosstermBackend<Stdout>>;

/// Take over the terminal. A panic anywhere later restores it before the
/// panic message is printed, so the message is readable and the shell usable.
pub fn enter() -> io::Result<Screen> {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        restore();
        previous(info);
    }));
    // A log truncated under its mapping ends the process from a signal
    // handler; it gives this state back first.
    crate::log::sigbus::restore_terminal_on_exit();
    enable_raw_mode()?;
    execute!(io::stdout(), EnterAlternateScreen, EnableMouseCapture)?;
    Terminal::new(CrosstermBackend::new(io::stdout()))
}

/// Give the terminal back. Every step is tried even if one fails: a
/// terminal left in raw mode or on the alternate screen is worse than an
/// error nobody can act on.
pub fn restore() {
    let _ = execute!(
        io::stdout(),
        DisableMouseCapture,
        LeaveAlternateScreen,
        cursor::Show
    );
    let _ = disable_raw_mode();
    crate::log::sigbus::terminal_restored();
}

/// Forward terminal events to the loop from their own thread, so the loop
/// waits on one channel for keys and worker results alike.
pub fn spawn_input(tx: Sender<Action>) {
    std::thread::Builder::new()
        .name("auditui-input".into())
        .spawn(move || {
            loop {
                let action = match event::read() {
                    Ok(Event::Key(key)) => Action::Key(key),
                    Ok(Event::Mouse(mouse)) => Action::Mouse(mouse),
                    Ok(Event::Resize(width, height)) => Action::Resize(width, height),
                    Ok(_) => continue,
                    Err(_) => break,
                };
                if tx.send(action).is_err() {
                    break;
                }
            }
        })
        .expect("spawning a thread");
}

/// `kill`, a closed terminal window or a dropped ssh session (SIGTERM,
/// SIGHUP, SIGINT, SIGQUIT) end the browser like `q` does, so the terminal
/// is restored instead of left in raw mode on the alternate screen.
pub fn spawn_signals(tx: Sender<Action>) -> io::Result<()> {
    use signal_hook::consts::{SIGHUP, SIGINT, SIGQUIT, SIGTERM};
    let mut signals = signal_hook::iterator::Signals::new([SIGTERM, SIGHUP, SIGINT, SIGQUIT])?;
    std::thread::Builder::new()
        .name("auditui-signals".into())
        .spawn(move || {
            for _ in signals.forever() {
                if tx.send(Action::Quit).is_err() {
                    break;
                }
            }
        })?;
    Ok(())
}

/// Requests to the real terminal go straight to stdout.
pub struct StdoutHost;

impl Host for StdoutHost {
    fn set_mouse_capture(&mut self, on: bool) -> io::Result<()> {
        if on {
            execute!(io::stdout(), EnableMouseCapture)
        } else {
            execute!(io::stdout(), DisableMouseCapture)
        }
    }

    fn write_osc52(&mut self, sequence: &str) -> io::Result<()> {
        let mut out = io::stdout().lock();
        out.write_all(sequence.as_bytes())?;
        out.flush()
    }
}
