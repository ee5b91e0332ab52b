//! The full re-verification behind following: the incremental verifier
//! (`super::follow`) re-reads only the last line it verified, so an edit
//! further back is caught by verifying the whole file again now and then,
//! exactly as `verify` does, on a thread at the lowest CPU priority.

use super::chain::{FindingKind, Verification};
use super::entry::Previous;
use super::pass::verify;
use super::source::Source;
use crate::time::parse_duration;
use std::io;
use std::path::Path;
use std::sync::mpsc::Sender;
use std::time::{Duration, Instant};

/// The verdict of one full re-verification.
pub struct Reverified {
    /// `None` when the file held no complete line yet: nothing to judge.
    pub verification: Option<Verification>,
    pub took: Duration,
}

/// Verify the complete lines now in `path`. `rotated_from` is the head of
/// the file rotated away before it (`Follower::rotated_from`): the first
/// entry linking there is no finding, although no file here ends with it.
pub fn reverify(path: &Path, rotated_from: Option<[u8; 32]>) -> io::Result<Option<Verification>> {
    let mut bytes = std::fs::read(path)?;
    // A line still being written is not judged, as when following.
    let complete = memchr::memrchr(b'\n', &bytes).map_or(0, |end| end + 1);
    if complete == 0 {
        return Ok(None);
    }
    bytes.truncate(complete);
    let mut verification = verify(&[Source::from_bytes(path.display().to_string(), bytes)]);
    if let Some(head) = rotated_from {
        let first = verification.files[0].first;
        let continues = |line| {
            first.is_some_and(|(at, previous)| at == line && previous == Previous::Hash(head))
        };
        verification
            .findings
            .retain(|f| !(f.kind == FindingKind::Link && continues(f.line)));
        // Recomputes the chains' verdicts from what is left.
        verification.add_findings([]);
    }
    Ok(Some(verification))
}

/// Run [`reverify`] on a thread of its own at the lowest priority; the
/// verdict (or why the file could not be read) arrives on `tx`.
pub fn spawn(
    path: &Path,
    rotated_from: Option<[u8; 32]>,
    tx: Sender<io::Result<Reverified>>,
) -> io::Result<()> {
    let path = path.to_owned();
    std::thread::Builder::new()
        .name("auditui-reverify".into())
        .spawn(move || {
            // Threads the pass starts inherit the priority.
            lower_priority();
            let started = Instant::now();
            let result = reverify(&path, rotated_from).map(|verification| Reverified {
                verification,
                took: started.elapsed(),
            });
            let _ = tx.send(result);
        })
        .map(drop)
}

/// Give the calling thread the lowest CPU priority (nice 19): it runs on
/// what the follower and everything else on the machine leave idle.
pub fn lower_priority() {
    // SAFETY: `gettid` and `setpriority` only read their integer arguments;
    // on Linux the nice value belongs to the thread `gettid` names.
    let _ = unsafe { libc::setpriority(libc::PRIO_PROCESS, libc::gettid() as libc::id_t, 19) };
}

/// Reads an interval like `10m` or `1h`; `0` (or `off`) turns it off.
pub fn parse_every(text: &str) -> Result<Option<Duration>, String> {
    match text.trim() {
        "0" | "off" => Ok(None),
        other => match parse_duration(other) {
            Some(0) => Ok(None),
            Some(micros) if micros > 0 => Ok(Some(Duration::from_micros(micros as u64))),
            _ => Err(format!(
                "{text:?} is not an interval: use 10m, 1h, or 0 for never"
            )),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::generate::{Options, generate};

    fn chain(entries: u64) -> Vec<u8> {
        generate(&Options::new(entries)).unwrap()[0].bytes.clone()
    }

    #[test]
    fn a_half_written_last_line_is_not_judged() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("live.jsonl");
        let mut bytes = chain(3);
        bytes.extend_from_slice(b"{\"timestamp\": \"2025");
        std::fs::write(&path, &bytes).unwrap();
        let v = reverify(&path, None).unwrap().unwrap();
        assert!(v.intact(), "{:?}", v.findings);
        assert_eq!(v.entries(), 3);
        std::fs::write(&path, b"{\"half").unwrap();
        assert!(reverify(&path, None).unwrap().is_none());
    }

    #[test]
    fn an_edit_far_behind_the_head_is_found_and_a_rotation_is_not_a_break() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("live.jsonl");
        let text = String::from_utf8(chain(6)).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        let edited = text.replacen(lines[1], &lines[1].replacen("usr_", "usr_x", 1), 1);
        assert_ne!(edited, text);
        std::fs::write(&path, &edited).unwrap();
        let v = reverify(&path, None).unwrap().unwrap();
        assert_eq!(v.findings[0].line, 2);
        assert_eq!(v.findings[0].kind, FindingKind::Modified);

        // The file after a rotation: its first entry continues the old head.
        let rotated = format!("{}\n{}\n", lines[4], lines[5]);
        std::fs::write(&path, rotated).unwrap();
        let alone = reverify(&path, None).unwrap().unwrap();
        assert_eq!(alone.findings[0].kind, FindingKind::Link);
        let head_of_old: serde_json::Value = serde_json::from_str(lines[3]).unwrap();
        let head = crate::log::canonical::parse_hex(
            head_of_old["hash"]
                .as_str()
                .or(head_of_old["_hash"].as_str())
                .unwrap(),
        )
        .unwrap();
        let continued = reverify(&path, Some(head)).unwrap().unwrap();
        assert!(continued.intact(), "{:?}", continued.findings);
        assert!(continued.chains.iter().all(|c| c.intact));
        // Linking to another head is still a break.
        let elsewhere = reverify(&path, Some([7; 32])).unwrap().unwrap();
        assert_eq!(elsewhere.findings[0].kind, FindingKind::Link);
    }

    #[test]
    fn intervals_read_like_durations_and_zero_is_off() {
        assert_eq!(parse_every("10m"), Ok(Some(Duration::from_secs(600))));
        assert_eq!(parse_every("0"), Ok(None));
        assert_eq!(parse_every("off"), Ok(None));
        assert_eq!(parse_every("0s"), Ok(None));
        assert!(parse_every("soon").is_err());
        assert!(parse_every("-5m").is_err());
    }
}
