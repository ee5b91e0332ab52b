//! The loop: draw, wait for the next action (a key, a mouse event, a
//! worker's result), apply it and everything queued behind it, repeat.
//! Generic over the backend so tests run it on ratatui's `TestBackend`.

use super::app::{Action, App, update};
use super::runtime::{Host, Runtime};
use super::ui;
use ratatui::Terminal;
use ratatui::backend::Backend;
use std::sync::mpsc::Receiver;

/// Run until the app quits or every sender is gone.
pub fn run<B: Backend, H: Host>(
    terminal: &mut Terminal<B>,
    app: &mut App,
    actions: &Receiver<Action>,
    runtime: &mut Runtime<H>,
) -> Result<(), B::Error> {
    let size = terminal.size()?;
    update(app, Action::Resize(size.width, size.height));
    while !app.quit {
        terminal.draw(|frame| ui::draw(app, frame))?;
        let Ok(action) = actions.recv() else {
            break;
        };
        step(app, action, runtime);
        // A burst of keys or progress reports costs one frame, not one each.
        while !app.quit {
            match actions.try_recv() {
                Ok(action) => step(app, action, runtime),
                Err(_) => break,
            }
        }
    }
    Ok(())
}

fn step<H: Host>(app: &mut App, action: Action, runtime: &mut Runtime<H>) {
    update(app, action);
    runtime.execute(app.take_effects());
}
