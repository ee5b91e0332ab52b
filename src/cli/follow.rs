//! `auditui follow`: verify logs as they grow, one line of output per
//! appended entry, like `tail -f` with a verdict. Each file (several
//! hosts' logs, say) has its own incremental verifier, polled in turn.

use super::color::Paint;
use super::{EXIT_FINDINGS, EXIT_OK};
use crate::config::VerifySettings;
use crate::log::follow::{Followed, Follower};
use crate::log::reverify::{self, Reverified};
use crate::text::for_terminal;
use crate::time::parse_duration;
use serde_json::json;
use std::io::{self, Write};
use std::path::PathBuf;
use std::sync::mpsc::{self, Receiver, TryRecvError};
use std::time::{Duration, Instant};

/// Verify a growing log as entries are appended (Ctrl-C stops)
#[derive(clap::Args, Debug)]
#[command(
    after_help = "The entries already in each FILE are verified first (one summary line a file), then every appended line is printed with its verdict as it arrives. Only the appended bytes are read and verified, against the head verified so far; the last verified line is re-read on every poll, so an edit or rewrite of it is reported as rewritten. A line still being written waits for its newline; a file that shrinks is reported as truncated; a rotated file is followed into its successor, whose first entry must link to the last one seen. Edits further back are caught by a full re-verification at the lowest CPU priority every --reverify-every (its verdict goes to stderr).\n\nExit codes: runs until interrupted; with --fail-fast, exits 1 at the first finding.\n\nExamples:\n  auditui follow /var/log/agent/audit.jsonl\n  auditui follow host-a/audit.jsonl host-b/audit.jsonl\n  auditui follow audit.jsonl --format jsonl | jq -c 'select(.findings != [])'\n  auditui follow audit.jsonl --fail-fast && echo stopped"
)]
pub struct Args {
    /// The log files to follow (each its own chain, followed into its
    /// successors when rotated)
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<PathBuf>,
    /// How often to look for new lines (1s, 5s)
    #[arg(long, value_name = "DURATION", default_value = "1s", value_parser = parse_interval)]
    pub interval: Duration,
    /// Exit 1 at the first integrity finding
    #[arg(long)]
    pub fail_fast: bool,
    /// Also print the entries already in the file, not just a summary
    #[arg(long)]
    pub from_start: bool,
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Text,
    /// One JSON object per line
    Jsonl,
}

fn parse_interval(text: &str) -> Result<Duration, String> {
    let micros = parse_duration(text)
        .filter(|&m| m > 0)
        .ok_or("expected a duration like 1s or 5s")?;
    Ok(Duration::from_micros(micros as u64))
}

pub fn run(args: Args, settings: &VerifySettings) -> Result<u8, String> {
    let mut followers = Vec::with_capacity(args.files.len());
    for file in &args.files {
        followers.push(Follower::open(file).map_err(|e| format!("{}: {e}", file.display()))?);
    }
    let mut checks: Vec<FullCheck> = followers
        .iter()
        .map(|_| FullCheck::new(settings.reverify_every))
        .collect();
    let paint = Paint::stdout();
    let mut out = io::LineWriter::new(super::common::stdout());
    let mut findings = 0usize;
    let mut first_poll = true;
    loop {
        for (follower, check) in followers.iter_mut().zip(&mut checks) {
            let print = !first_poll || args.from_start;
            let found = match poll(follower, &mut out, print, args.format, paint)? {
                Some(found) => found,
                // A closed pipe (`| head`) ends following quietly.
                None => return Ok(EXIT_OK),
            };
            findings += found;
            if first_poll {
                eprintln!(
                    "auditui: {} {} in {}, {}; following (Ctrl-C stops)",
                    follower.entries(),
                    crate::text::plural(follower.entries(), "entry", "entries"),
                    for_terminal(&follower.name()),
                    match found {
                        0 => "intact so far".to_owned(),
                        1 => "1 finding so far".to_owned(),
                        n => format!("{n} findings so far"),
                    }
                );
            }
            findings += check.poll(follower)?;
        }
        first_poll = false;
        if args.fail_fast && findings > 0 {
            return Ok(EXIT_FINDINGS);
        }
        std::thread::sleep(args.interval);
    }
}

/// Read what `follower`'s file gained, writing each line (every one when
/// `print`, else only those with findings); the findings, or `None` when
/// stdout was closed.
fn poll(
    follower: &mut Follower,
    out: &mut dyn Write,
    print: bool,
    format: Format,
    paint: Paint,
) -> Result<Option<usize>, String> {
    let mut findings = 0;
    let mut failed: io::Result<()> = Ok(());
    let mut on_line = |followed: Followed| {
        findings += followed.findings.len();
        if failed.is_ok() && (print || !followed.findings.is_empty()) {
            failed = write_line(out, &followed, format, paint);
        }
    };
    follower
        .poll(&mut on_line)
        .map_err(|e| format!("{}: {e}", follower.name()))?;
    match failed {
        Ok(()) => Ok(Some(findings)),
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(None),
        Err(e) => Err(format!("cannot write to stdout: {e}")),
    }
}

/// The periodic full re-verification: at most one runs at a time, and the
/// next is due `every` after the last one ended.
struct FullCheck {
    every: Option<Duration>,
    due: Option<Instant>,
    running: Option<Receiver<io::Result<Reverified>>>,
}

impl FullCheck {
    fn new(every: Option<Duration>) -> FullCheck {
        FullCheck {
            every,
            due: every.map(|e| Instant::now() + e),
            running: None,
        }
    }

    /// Start a check that is due, report one that ended (on stderr, one
    /// line); the number of findings it reported.
    fn poll(&mut self, follower: &Follower) -> Result<usize, String> {
        let name = || for_terminal(&follower.name()).into_owned();
        if let Some(receiver) = &self.running {
            let result = match receiver.try_recv() {
                Err(TryRecvError::Empty) => return Ok(0),
                Err(TryRecvError::Disconnected) => {
                    Err(io::Error::other("the re-verification stopped"))
                }
                Ok(result) => result,
            };
            self.running = None;
            self.due = self.every.map(|e| Instant::now() + e);
            let reverified = result.map_err(|e| format!("{}: {e}", name()))?;
            eprintln!("auditui: {}", full_verdict(&name(), &reverified));
            return Ok(reverified.verification.map_or(0, |v| v.findings.len()));
        }
        if self.due.is_some_and(|due| Instant::now() >= due) {
            let (tx, rx) = mpsc::channel();
            reverify::spawn(follower.path(), follower.rotated_from(), tx)
                .map_err(|e| format!("cannot start the re-verification: {e}"))?;
            self.running = Some(rx);
            self.due = None;
        }
        Ok(0)
    }
}

/// One line on a full re-verification's verdict.
fn full_verdict(name: &str, reverified: &Reverified) -> String {
    let took = reverified.took.as_secs_f64();
    let Some(v) = &reverified.verification else {
        return format!("full re-verification of {name}: no complete line yet");
    };
    let entries = format!(
        "{} {}",
        v.entries(),
        crate::text::plural(v.entries(), "entry", "entries")
    );
    match v.findings.first() {
        None => format!("full re-verification of {name}: {entries}, intact ({took:.1} s)"),
        Some(first) => format!(
            "full re-verification of {name}: {entries}, BROKEN: {} {} (first: line {}, {}: {}) ({took:.1} s)",
            v.findings.len(),
            crate::text::plural(v.findings.len(), "finding", "findings"),
            first.line,
            first.kind.name(),
            for_terminal(&first.message)
        ),
    }
}

fn write_line(out: &mut dyn Write, f: &Followed, format: Format, paint: Paint) -> io::Result<()> {
    match format {
        Format::Jsonl => writeln!(
            out,
            "{}",
            json!({
                "file": f.file,
                "line": f.line,
                "entry": f.entry.as_ref().map(|e| json!({
                    "timestamp": e.timestamp,
                    "user_id": e.user,
                    "tool_name": e.tool,
                    "success": e.success,
                })),
                "findings": f.findings,
            })
        ),
        Format::Text => {
            let verdict = match f.findings.first() {
                None => paint.good("ok      "),
                Some(finding) => paint.bad(&format!("{:<8}", finding.kind.name().to_uppercase())),
            };
            let mut text = format!("{}:{}  {verdict}", for_terminal(&f.file), f.line);
            if let Some(e) = &f.entry {
                let field =
                    |v: &Option<String>| for_terminal(v.as_deref().unwrap_or("-")).into_owned();
                let outcome = match e.success {
                    Some(false) => "failed",
                    Some(true) => "ok",
                    None => "-",
                };
                text.push_str(&format!(
                    "  {}  {}  {}  {outcome}",
                    field(&e.timestamp),
                    field(&e.user),
                    field(&e.tool)
                ));
            }
            for finding in &f.findings {
                text.push_str(&format!("\n    {}", for_terminal(&finding.message)));
            }
            writeln!(out, "{text}")
        }
    }
}
