//! The first entries of the logs, read before they are verified and
//! indexed, so that real entries are on screen at once (ARCHITECTURE.md,
//! "The browser's load").

use crate::backend::EntryRow;
use crate::log::entry::LineReader;
use crate::log::source::Source;
use crate::store::RowKey;
use crate::store::store::{NO_TIME, Outcome};

/// More than a screen holds.
pub const SHOWN: usize = 200;

/// A longer line, and what follows it, are left to the load: a huge first
/// entry must not delay the verdict.
const LONGEST: usize = 64 * 1024;

/// The first `count` entries of `sources`, in file order, read from their
/// first lines as a load reads them (lines that are not entries are
/// skipped; the reading stops at a line longer than [`LONGEST`]): for a
/// screen, about a millisecond.
pub fn read(sources: &[Source], count: usize) -> Vec<EntryRow> {
    let mut reader = LineReader::new();
    let mut entries = Vec::with_capacity(count);
    for (index, source) in sources.iter().enumerate() {
        for line in source.lines() {
            if entries.len() == count {
                return entries;
            }
            if line.bytes.len() > source.max_entry_bytes() {
                continue;
            }
            if line.bytes.len() > LONGEST {
                return entries;
            }
            let Ok((_, fields)) = reader.read(line.bytes) else {
                continue;
            };
            let owned =
                |text: &Option<std::borrow::Cow<'_, str>>| text.as_deref().map(str::to_owned);
            entries.push(EntryRow {
                key: RowKey {
                    time: fields.time().unwrap_or(NO_TIME),
                    source: index as u32,
                    position: entries.len() as u64,
                },
                user: owned(&fields.user),
                tool: owned(&fields.tool),
                outcome: Outcome::of(fields.success),
                duration_ms: fields.duration_ms,
                conversation: owned(&fields.conversation),
                patient: owned(&fields.patient),
                // As the store keeps it: a turn below 0 is none.
                turn: (fields.turn)
                    .and_then(|turn| i32::try_from(turn).ok())
                    .filter(|&turn| turn >= 0),
                role: owned(&fields.role),
                purpose: owned(&fields.purpose),
                model: owned(&fields.model),
                trigger: owned(&fields.trigger),
                ip: owned(&fields.ip),
                file: source.name.clone(),
                line: line.number,
            });
        }
    }
    entries
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{chain_log, support_calls};

    #[test]
    fn lines_that_are_not_entries_are_skipped_and_a_long_line_ends_the_reading() {
        let log = chain_log(&support_calls());
        let lines: Vec<&str> = log.lines().collect();
        let long = format!("{{\"x\": \"{}\"}}", "a".repeat(LONGEST));
        let first = format!("{}\nnot json\n{}\n", lines[0], lines[1]);
        let second = format!("{}\n{long}\n{}\n", lines[2], lines[3]);
        let sources = [
            Source::from_bytes("a.jsonl", first.into_bytes()),
            Source::from_bytes("b.jsonl", second.into_bytes()),
        ];
        let places = |entries: Vec<EntryRow>| -> Vec<(String, usize, u32, u64)> {
            let place = |e: EntryRow| (e.file, e.line, e.key.source, e.key.position);
            entries.into_iter().map(place).collect()
        };
        let a = |line| ("a.jsonl".to_owned(), line, 0, line as u64 / 2);
        assert_eq!(
            places(read(&sources, SHOWN)),
            [a(1), a(3), ("b.jsonl".to_owned(), 1, 1, 2)]
        );
        assert_eq!(places(read(&sources, 1)), [a(1)]);
        let users: Vec<_> = read(&sources, 2).into_iter().map(|e| e.user).collect();
        assert_eq!(users, [Some("usr_100".into()), Some("usr_200".into())]);
    }
}
