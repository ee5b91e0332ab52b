//! Copying through the terminal with OSC 52, which works over SSH and tmux
//! where no local clipboard tool can reach the user's machine.

/// The escape sequence that asks the terminal to put `text` on the
/// clipboard. The payload is base64, so log content can never end the
/// sequence early or smuggle its own escapes.
pub fn osc52(text: &str) -> String {
    format!("\x1b]52;c;{}\x07", base64(text.as_bytes()))
}

/// What `y` can honestly say: the terminal may ignore OSC 52, and tmux
/// drops it unless `set-clipboard` is on, so "sent", never "copied".
pub fn sent_status(place: &str, bytes: usize, inside_tmux: bool) -> String {
    let mut status = format!(
        "sent {place} ({bytes} {}) to the terminal's clipboard (OSC 52); ",
        crate::text::plural(bytes, "byte", "bytes")
    );
    status.push_str(if inside_tmux {
        "inside tmux it arrives only with `set -g set-clipboard on`"
    } else {
        "a terminal without OSC 52 ignores it"
    });
    status
}

/// Standard base64 with padding (RFC 4648), the alphabet OSC 52 expects.
fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = u32::from(b[0]) << 16 | u32::from(b[1]) << 8 | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(ALPHABET[(n >> (18 - 6 * i)) as usize & 63]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_copy_status_says_sent_and_names_tmux_when_inside_it() {
        let outside = sent_status("a.jsonl:3", 1, false);
        assert_eq!(
            outside,
            "sent a.jsonl:3 (1 byte) to the terminal's clipboard (OSC 52); a terminal without OSC 52 ignores it"
        );
        let inside = sent_status("a.jsonl:3", 120, true);
        assert!(inside.starts_with("sent a.jsonl:3 (120 bytes)"), "{inside}");
        assert!(inside.contains("set-clipboard on"), "{inside}");
        assert!(!outside.contains("copied") && !inside.contains("copied"));
    }

    #[test]
    fn base64_matches_rfc_4648_vectors() {
        let vectors = [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ];
        for (plain, encoded) in vectors {
            assert_eq!(base64(plain.as_bytes()), encoded, "{plain:?}");
        }
    }

    #[test]
    fn hostile_text_cannot_escape_the_sequence() {
        let sequence = osc52("\x1b]52;c;aGVsbG8=\x07\u{202e}");
        let payload = &sequence["\x1b]52;c;".len()..sequence.len() - 1];
        assert!(
            payload
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"+/=".contains(&b))
        );
        assert!(sequence.ends_with('\x07'));
    }
}
