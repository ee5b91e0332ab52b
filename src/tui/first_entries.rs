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

/// The first `count` entries of `sources`, in file order, read from their
/// first lines as a load reads them (lines that are not entries, or too
/// long, are skipped): for a screen, about a millisecond.
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
