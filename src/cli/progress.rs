//! A progress bar on stderr for long reads: bytes, entries per second and
//! ETA. indicatif draws nothing when stderr is not a terminal, so logs
//! and pipes stay clean.

use crate::log::pass::Progress;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::time::Instant;

/// Inputs smaller than this are read before a bar would be noticed.
const WORTH_A_BAR: u64 = 32 << 20;

pub struct Bar {
    bar: Option<ProgressBar>,
    started: Instant,
}

impl Bar {
    /// A bar for reading `bytes_total` bytes; hidden for small inputs and
    /// when stderr is not a terminal.
    pub fn new(bytes_total: u64, verb: &str) -> Bar {
        let bar = (bytes_total >= WORTH_A_BAR).then(|| {
            let bar =
                ProgressBar::with_draw_target(Some(bytes_total), ProgressDrawTarget::stderr());
            bar.set_style(
                ProgressStyle::with_template(&format!(
                    "{verb} [{{wide_bar}}] {{bytes}}/{{total_bytes}} {{msg}} ETA {{eta}}"
                ))
                .expect("valid template")
                .progress_chars("=> "),
            );
            bar
        });
        Bar {
            bar,
            started: Instant::now(),
        }
    }

    pub fn update(&self, progress: Progress) {
        let Some(bar) = &self.bar else { return };
        bar.set_position(progress.bytes_done);
        let seconds = self.started.elapsed().as_secs_f64().max(1e-3);
        bar.set_message(format!(
            "{:.0} entries/s",
            progress.entries as f64 / seconds
        ));
    }

    pub fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}
