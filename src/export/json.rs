//! JSON and JSON Lines. Views serialise as themselves; log entries are
//! written from their original bytes, never re-encoded, so an export holds
//! exactly what was logged (and still verifies).

use super::each_entry;
use crate::backend::Listed;
use serde::Serialize;
use std::io::{self, Write};

/// A view as pretty JSON and a final newline.
pub fn write_pretty<T: Serialize + ?Sized>(value: &T, out: &mut dyn Write) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, value)?;
    out.write_all(b"\n")
}

/// The original lines, byte for byte, each ended by `\n` (a CRLF line keeps
/// its `\r`).
pub fn write_lines(selection: &dyn Listed, out: &mut dyn Write) -> io::Result<()> {
    each_entry(selection, &mut |_, line| {
        out.write_all(line)?;
        out.write_all(b"\n")
    })
}

/// The entries as one JSON array of their original objects: each line's
/// JSON text as logged, without a `logging` prefix or trailing `\r`. Numbers
/// such as `NaN` that Python wrote stay as Python wrote them.
pub fn write_array(selection: &dyn Listed, out: &mut dyn Write) -> io::Result<()> {
    out.write_all(b"[")?;
    let mut i = 0;
    each_entry(selection, &mut |_, line| {
        // The object starts at the first '{': a logging prefix has none.
        let start = memchr::memchr(b'{', line).unwrap_or(0);
        let end = line
            .iter()
            .rposition(|b| !b" \t\r".contains(b))
            .map_or(start, |p| p + 1);
        out.write_all(if i == 0 { b"\n" } else { b",\n" })?;
        out.write_all(&line[start..end.max(start)])?;
        i += 1;
        Ok(())
    })?;
    out.write_all(if i == 0 { b"]\n" } else { b"\n]\n" })
}
