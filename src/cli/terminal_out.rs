//! The last guard between log content and the user's terminal: when stdout
//! is a terminal, every byte the CLI writes passes through here. Controls,
//! C1 codes, bidi and other invisible characters become visible escapes
//! (`\x1b`, `\u{202e}`), exactly as `text::for_terminal` shows them; only
//! the colour sequences auditui itself writes (SGR: `ESC [ digits ; m`)
//! pass. Text views sanitise their cells already; this also covers JSON,
//! whose strings may hold raw C1 and bidi characters, and original log
//! lines. Pipes and files get the exact bytes.

use crate::text::{is_hidden, push_escape};
use std::io::{self, Write};

/// Longest SGR sequence let through; anything longer is escaped.
const MAX_SGR: usize = 32;

pub struct TerminalSafe<W: Write> {
    inner: W,
    /// Bytes of a character or escape sequence cut by a write boundary.
    pending: Vec<u8>,
}

impl<W: Write> TerminalSafe<W> {
    pub fn new(inner: W) -> Self {
        TerminalSafe {
            inner,
            pending: Vec::new(),
        }
    }

    /// Make `bytes` safe; with `complete` false, an unfinished character
    /// or sequence at the end is kept for the next write.
    fn convert(&mut self, bytes: &[u8], complete: bool) -> String {
        let mut data = std::mem::take(&mut self.pending);
        data.extend_from_slice(bytes);
        let mut out = String::with_capacity(data.len());
        let mut i = 0;
        while i < data.len() {
            if data[i] == 0x1b {
                match sgr_length(&data[i..]) {
                    Some(Some(len)) => {
                        out.push_str(std::str::from_utf8(&data[i..i + len]).expect("ASCII"));
                        i += len;
                        continue;
                    }
                    Some(None) if !complete => break,
                    _ => {}
                }
            }
            match decode(&data[i..]) {
                Decoded::Char(c, len) => {
                    if c != '\n' && c != '\t' && is_hidden(c) {
                        push_escape(&mut out, c, "\\");
                    } else {
                        out.push(c);
                    }
                    i += len;
                }
                Decoded::Incomplete if !complete => break,
                Decoded::Incomplete | Decoded::Invalid => {
                    out.push_str(&format!("\\x{:02x}", data[i]));
                    i += 1;
                }
            }
        }
        self.pending = data[i..].to_vec();
        out
    }
}

/// `Some(Some(len))`: an SGR sequence of `len` bytes starts here;
/// `Some(None)`: it may, more bytes are needed; `None`: it does not.
fn sgr_length(bytes: &[u8]) -> Option<Option<usize>> {
    for (i, &b) in bytes.iter().enumerate().take(MAX_SGR).skip(1) {
        match (i, b) {
            (1, b'[') => {}
            (1, _) => return None,
            (_, b'0'..=b'9' | b';') => {}
            (_, b'm') => return Some(Some(i + 1)),
            _ => return None,
        }
    }
    (bytes.len() < MAX_SGR).then_some(None)
}

enum Decoded {
    Char(char, usize),
    Incomplete,
    Invalid,
}

fn decode(bytes: &[u8]) -> Decoded {
    let len = match bytes[0] {
        0x00..=0x7f => 1,
        0xc2..=0xdf => 2,
        0xe0..=0xef => 3,
        0xf0..=0xf4 => 4,
        _ => return Decoded::Invalid,
    };
    if bytes.len() < len {
        return match std::str::from_utf8(bytes) {
            Err(e) if e.error_len().is_none() => Decoded::Incomplete,
            _ => Decoded::Invalid,
        };
    }
    match std::str::from_utf8(&bytes[..len]) {
        Ok(s) => Decoded::Char(s.chars().next().expect("one char"), len),
        Err(_) => Decoded::Invalid,
    }
}

impl<W: Write> Write for TerminalSafe<W> {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        let safe = self.convert(bytes, false);
        self.inner.write_all(safe.as_bytes())?;
        Ok(bytes.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        let rest = self.convert(&[], true);
        self.inner.write_all(rest.as_bytes())?;
        self.inner.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn through(chunks: &[&[u8]]) -> String {
        let mut out = TerminalSafe::new(Vec::new());
        for chunk in chunks {
            out.write_all(chunk).unwrap();
        }
        out.flush().unwrap();
        String::from_utf8(out.inner).unwrap()
    }

    #[test]
    fn colour_passes_and_everything_else_invisible_is_escaped() {
        let text = "\x1b[1;31mBROKEN\x1b[0m \x1b]52;c;aGk=\x07 \x1b[2J a\u{202e}b \u{9b}6n é\t😀\n";
        assert_eq!(
            through(&[text.as_bytes()]),
            "\x1b[1;31mBROKEN\x1b[0m \\x1b]52;c;aGk=\\x07 \\x1b[2J a\\u{202e}b \\x9b6n é\t😀\n"
        );
    }

    #[test]
    fn characters_and_sequences_split_across_writes_are_kept_whole() {
        let text = "é😀\x1b[32mok\x1b[0m\n".as_bytes();
        for cut in 0..text.len() {
            assert_eq!(
                through(&[&text[..cut], &text[cut..]]),
                "é😀\x1b[32mok\x1b[0m\n",
                "cut at {cut}"
            );
        }
    }

    #[test]
    fn invalid_utf8_is_shown_as_bytes() {
        assert_eq!(
            through(&[b"a\xff\xc3(b", b"\xe2\x82"]),
            "a\\xff\\xc3(b\\xe2\\x82"
        );
    }
}
