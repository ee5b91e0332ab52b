//! The rows auditui writes, encoded as RowBinary in the column order of
//! [`super::schema`]. Verifying from the database encodes the row its
//! stored line would give and compares: an edited column shows up even
//! when the original line was left alone.

use super::rowbinary::Writer;
use super::schema::Hashes;
use crate::log::canonical::to_hex;
use crate::log::chain::Chain;
use crate::log::entry::{Fields, Previous, Seal};
use crate::store::store::NO_TIME;

/// Where a line sits: its chain, its place there, and its file and line.
pub struct Place<'a> {
    pub chain: &'a str,
    pub position: u64,
    pub file: &'a str,
    pub line: u64,
}

/// The name a chain is stored under: its first entry's stored hash, or,
/// for a chain without one (a plain log, an empty file), its first file.
pub fn chain_id(chain: &Chain) -> String {
    match chain.origin {
        Some(origin) => to_hex(&origin),
        None => format!("file:{}", chain.files.first().map_or("", String::as_str)),
    }
}

/// An entry's `ts` column: microseconds since the epoch, or [`NO_TIME`].
pub fn timestamp(fields: &Fields<'_>) -> i64 {
    fields.time().unwrap_or(NO_TIME)
}

/// One `audit_entries` row, its hashes in the table's form; `ts` is
/// [`timestamp`] of `fields`.
pub fn entry(
    out: &mut Writer,
    place: &Place<'_>,
    fields: &Fields<'_>,
    ts: i64,
    seal: Option<&Seal>,
    hashes: Hashes,
    raw: &[u8],
) {
    put_place(out, place);
    out.i64(ts);
    for text in [
        &fields.user,
        &fields.patient,
        &fields.tool,
        &fields.conversation,
        &fields.model,
        &fields.role,
        &fields.purpose,
        &fields.trigger,
        &fields.ip,
    ] {
        out.string(text.as_deref().unwrap_or("").as_bytes());
    }
    out.i8(match fields.success {
        Some(true) => 1,
        Some(false) => 0,
        None => -1,
    });
    out.f64(fields.duration_ms.unwrap_or(f64::NAN));
    out.i32(
        fields
            .turn
            .and_then(|t| i32::try_from(t).ok())
            .unwrap_or(-1),
    );
    out.string(fields.error.as_deref().unwrap_or("").as_bytes());
    let previous = seal.map(|s| s.previous);
    match hashes {
        Hashes::Bytes => {
            const NONE: [u8; 32] = [0; 32];
            out.fixed(seal.and_then(|s| s.stored.as_ref()).unwrap_or(&NONE));
            match &previous {
                Some(Previous::Hash(hash)) => out.fixed(hash),
                _ => out.fixed(&NONE),
            }
        }
        Hashes::Hex => {
            match seal.and_then(|s| s.stored) {
                Some(hash) => out.hex(&hash),
                None => out.string(b""),
            }
            match previous {
                Some(Previous::Genesis) => out.string(b"genesis"),
                Some(Previous::Hash(hash)) => out.hex(&hash),
                Some(Previous::Invalid) | None => out.string(b""),
            }
        }
    }
    out.string(raw);
}

/// One `audit_rejected` row: a line that is not an entry.
pub fn rejected(out: &mut Writer, place: &Place<'_>, raw: &[u8]) {
    put_place(out, place);
    out.string(raw);
}

fn put_place(out: &mut Writer, place: &Place<'_>) {
    out.string(place.chain.as_bytes());
    out.u64(place.position);
    out.string(place.file.as_bytes());
    out.u64(place.line);
}

/// One `audit_chains` row.
pub struct ChainRecord<'a> {
    pub chain: &'a Chain,
    pub lines: u64,
    pub findings_json: String,
    pub ingested_at: i64,
    /// The chain's newest entry time, or [`NO_TIME`].
    pub newest: i64,
    /// Entries per file, in the chain's file order.
    pub file_entries: Vec<u64>,
}

pub fn chain(out: &mut Writer, record: &ChainRecord<'_>) {
    let chain = record.chain;
    out.string(chain_id(chain).as_bytes());
    out.strings(chain.files.iter().map(String::as_str));
    out.string(chain.scheme_name().as_bytes());
    out.u64(chain.entries as u64);
    out.u64(record.lines);
    out.string(
        chain
            .head
            .map(|h| to_hex(&h))
            .unwrap_or_default()
            .as_bytes(),
    );
    out.string(if chain.intact { b"intact" } else { b"broken" });
    out.string(record.findings_json.as_bytes());
    out.i64(record.ingested_at);
    out.i64(record.newest);
    out.u64s(&record.file_entries);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::log::entry::Scheme;

    /// The `hash` and `previous` columns of an entry row: the row's last
    /// bytes before `raw` (empty here, one length byte).
    fn hash_columns(seal: Option<&Seal>, hashes: Hashes) -> Vec<u8> {
        let place = Place {
            chain: "c",
            position: 0,
            file: "f",
            line: 1,
        };
        let (mut out, mut bare) = (Writer::default(), Writer::default());
        entry(&mut out, &place, &Fields::default(), 0, seal, hashes, b"");
        entry(
            &mut bare,
            &place,
            &Fields::default(),
            0,
            None,
            Hashes::Hex,
            b"",
        );
        // Without a seal the hex form has two empty strings there.
        let before = bare.bytes.len() - 3;
        out.bytes[before..out.bytes.len() - 1].to_vec()
    }

    #[test]
    fn hashes_are_32_bytes_zero_for_genesis_absent_or_invalid_or_hex_in_older_tables() {
        let seal = |stored, previous| Seal {
            scheme: Scheme::Chain,
            stored,
            previous,
            computed: [9; 32],
        };
        let linked = seal(Some([1; 32]), Previous::Hash([2; 32]));
        assert_eq!(
            hash_columns(Some(&linked), Hashes::Bytes),
            [[1u8; 32], [2; 32]].concat()
        );
        for unlinked in [seal(None, Previous::Genesis), seal(None, Previous::Invalid)] {
            assert_eq!(hash_columns(Some(&unlinked), Hashes::Bytes), [0; 64]);
        }
        assert_eq!(hash_columns(None, Hashes::Bytes), [0; 64]);
        let hex = hash_columns(
            Some(&seal(Some([0xab; 32]), Previous::Genesis)),
            Hashes::Hex,
        );
        assert_eq!(
            hex,
            [&[64u8][..], &[b'a', b'b'].repeat(32), b"\x07genesis"].concat()
        );
    }
}
