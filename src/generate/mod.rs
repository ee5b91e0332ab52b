//! Realistic, deterministic audit logs in the lesson's formats.
//!
//! Demos, integration tests and benchmarks need logs that look exactly like
//! what the lesson's Python code writes (dataclass key order, `", "` and
//! `": "`, `ensure_ascii`, float `repr`, hash chains), at any size, without
//! committing large files and without needing Python. Everything is derived
//! from one seed through a tiny PRNG and IEEE-exact arithmetic only (no libm
//! `ln`/`exp`, whose last bit differs between platforms), so the same options
//! give byte-identical files on every machine: the committed `sample-logs/`
//! are checked against a fresh generation.
//!
//! The traffic model: ~200 users with roles, conversations interleaved in a
//! pool, each following a plausible plan of tool calls (look up, act,
//! notify), with proactive extra calls, ~8% failures, retries after transient
//! failures, and rare break-the-glass emergencies that an admin reviews
//! later. The `clinic` scenario also plants a burst of accesses to one
//! patient by one user, for the access-pattern alerts.

mod bodies;
mod isoformat;
mod plans;
mod pyjson;
mod rng;
#[cfg(test)]
mod tests;
mod traffic;
mod world;

use crate::log::entry::Scheme;
use std::fs::File;
use std::io::{BufWriter, Write as _};
use std::path::{Path, PathBuf};
use traffic::Generator;

/// Where the first entry sits unless told otherwise.
pub const DEFAULT_START: &str = "2025-07-06T08:00:00Z";

/// The user planted by the `clinic` scenario.
pub const BURST_USER: &str = "usr_nightshift";
/// The patient that user reads again and again.
pub const BURST_PATIENT: &str = "P-0007";
/// How many accesses the burst holds (all within 50 minutes).
pub const BURST_ACCESSES: u32 = 15;

/// What kind of traffic, beyond the random background.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Scenario {
    /// Customer support with a minority of clinical users (clinic staff only
    /// for the hipaa scheme).
    #[default]
    Mixed,
    /// Clinic staff only, plus a planted burst (`usr_nightshift` reading
    /// `P-0007` 15 times within 50 minutes) and two planted emergency accesses,
    /// each reviewed later by an admin.
    Clinic,
}

/// Everything that determines the output; equal options give equal bytes.
#[derive(Clone, Debug)]
pub struct Options {
    /// Entries over all files.
    pub entries: u64,
    pub seed: u64,
    pub scheme: Scheme,
    pub scenario: Scenario,
    /// Rotated files the chain is split over.
    pub files: u64,
    /// Time of the first entry, microseconds since the Unix epoch (UTC).
    pub start_micros: i64,
    /// File name stem: `NAME.jsonl`, `NAME.1.jsonl`, ...
    pub name: String,
    /// Prefix lines with `INFO:tool_audit:` as Python's `logging` writes
    /// them (plain scheme only; files then end in `.log`).
    pub logging_prefix: bool,
}

impl Options {
    /// Defaults for everything but the size: seed 1, one chained file
    /// `audit.jsonl` starting at [`DEFAULT_START`].
    pub fn new(entries: u64) -> Self {
        Options {
            entries,
            seed: 1,
            scheme: Scheme::Chain,
            scenario: Scenario::Mixed,
            files: 1,
            start_micros: parse_start(DEFAULT_START).expect("the default start parses"),
            name: "audit".into(),
            logging_prefix: false,
        }
    }

    /// Check the combination before anything is written.
    pub fn validate(&self) -> Result<(), String> {
        if self.entries == 0 {
            return Err("--entries must be at least 1".into());
        }
        if self.files == 0 || self.files > self.entries {
            return Err(format!(
                "--files must be between 1 and the number of entries ({}): an empty file would be reported as a finding",
                self.entries
            ));
        }
        if self.logging_prefix && self.scheme != Scheme::Plain {
            return Err("--logging-prefix only applies to --scheme plain (the lesson's chained writers do not use logging)".into());
        }
        if self.name.is_empty() || self.name.contains(['/', '\\']) || self.name.starts_with('.') {
            return Err(format!(
                "--name {:?} must be a plain file name stem such as \"audit\"",
                self.name
            ));
        }
        Ok(())
    }

    /// File names in chain order (oldest first). Like logrotate, the newest
    /// entries are in `NAME.jsonl` and older ones in `NAME.1.jsonl`,
    /// `NAME.2.jsonl`, ... so that neither the order given nor the sorted
    /// order of the names is the chain order: readers must follow linkage.
    pub fn file_names(&self) -> Vec<String> {
        let ext = if self.logging_prefix { "log" } else { "jsonl" };
        (0..self.files)
            .map(|i| match self.files - 1 - i {
                0 => format!("{}.{ext}", self.name),
                n => format!("{}.{n}.{ext}", self.name),
            })
            .collect()
    }

    /// Entries per file, in chain order (as even as possible).
    pub fn file_entries(&self) -> Vec<u64> {
        let (n, k) = (u128::from(self.entries), u128::from(self.files));
        (0..k)
            .map(|i| ((n * (i + 1)) / k - (n * i) / k) as u64)
            .collect()
    }
}

/// Parse `--start`: RFC 3339 (`2025-07-06T08:00:00Z`), or a date-time or date
/// without offset, taken as UTC.
pub fn parse_start(text: &str) -> Result<i64, String> {
    use chrono::{DateTime, NaiveDate, NaiveDateTime};
    let micros = if let Ok(t) = DateTime::parse_from_rfc3339(text) {
        t.timestamp_micros()
    } else if let Ok(t) = NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S%.f") {
        t.and_utc().timestamp_micros()
    } else if let Ok(d) = NaiveDate::parse_from_str(text, "%Y-%m-%d") {
        d.and_hms_opt(0, 0, 0)
            .expect("midnight exists")
            .and_utc()
            .timestamp_micros()
    } else {
        return Err(format!(
            "--start {text:?} is not a time like 2025-07-06T08:00:00Z"
        ));
    };
    // Four-digit years only, with room for the log to run on.
    const YEAR_1970: i64 = 0;
    const YEAR_9000: i64 = 221_845_392_000_000_000;
    if !(YEAR_1970..YEAR_9000).contains(&micros) {
        return Err(format!("--start {text:?} must lie between 1970 and 9000"));
    }
    Ok(micros)
}

/// One generated file, in memory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GeneratedFile {
    pub name: String,
    pub entries: u64,
    pub bytes: Vec<u8>,
}

/// One file written to disk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WrittenFile {
    pub path: PathBuf,
    pub entries: u64,
    pub bytes: u64,
}

/// Generate every file in memory, in chain order (oldest first).
pub fn generate(options: &Options) -> Result<Vec<GeneratedFile>, String> {
    options.validate()?;
    let mut generator = Generator::new(options);
    let names = options.file_names();
    let mut files = Vec::with_capacity(names.len());
    for (name, entries) in names.into_iter().zip(options.file_entries()) {
        let mut bytes = Vec::new();
        for _ in 0..entries {
            generator.next_line(&mut bytes);
        }
        files.push(GeneratedFile {
            name,
            entries,
            bytes,
        });
    }
    Ok(files)
}

/// Write the files into `dir` (created if missing). Existing files are
/// never overwritten without `force`; the error names the first one found.
/// Returns the files in chain order (oldest first).
pub fn write_dir(dir: &Path, options: &Options, force: bool) -> Result<Vec<WrittenFile>, String> {
    options.validate()?;
    let paths: Vec<PathBuf> = options.file_names().iter().map(|n| dir.join(n)).collect();
    if !force {
        // Check all names first so that a refusal leaves nothing half-written.
        if let Some(existing) = paths.iter().find(|p| p.symlink_metadata().is_ok()) {
            return Err(format!(
                "{}: already exists; refusing to overwrite it (use --force)",
                existing.display()
            ));
        }
    }
    std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let mut generator = Generator::new(options);
    let mut line = Vec::with_capacity(4096);
    let mut written = Vec::with_capacity(paths.len());
    for (path, entries) in paths.into_iter().zip(options.file_entries()) {
        let io = |e: std::io::Error| format!("{}: {e}", path.display());
        let file = File::create(&path).map_err(io)?;
        let mut out = BufWriter::with_capacity(1 << 20, file);
        let mut bytes = 0u64;
        for _ in 0..entries {
            line.clear();
            generator.next_line(&mut line);
            out.write_all(&line).map_err(io)?;
            bytes += line.len() as u64;
        }
        // No fsync: the files can be regenerated at will, and benchmarks
        // should not wait for the disk.
        out.flush().map_err(io)?;
        written.push(WrittenFile {
            path,
            entries,
            bytes,
        });
    }
    Ok(written)
}
