//! Ed25519 keys that sign checkpoints, and the one-line files they live in.
//!
//! Whoever holds the secret key can vouch for any log, so it belongs to the
//! job that takes checkpoints, never to the host that writes the log.

use ed25519_dalek::{SigningKey, VerifyingKey};
use std::fmt::Write;

/// The first word of a key file, and what to call it in messages.
struct KeyKind {
    label: &'static str,
    what: &'static str,
}

const SECRET: KeyKind = KeyKind {
    label: "auditui-ed25519-secret-key",
    what: "secret key",
};
const PUBLIC: KeyKind = KeyKind {
    label: "auditui-ed25519-public-key",
    what: "public key",
};

/// A new key from the operating system's random source.
pub fn generate() -> Result<SigningKey, String> {
    let mut seed = [0u8; 32];
    getrandom::fill(&mut seed).map_err(|e| format!("no randomness from the OS: {e}"))?;
    Ok(SigningKey::from_bytes(&seed))
}

/// The secret key file's text.
pub fn secret_key_text(key: &SigningKey) -> String {
    format!("{} {}\n", SECRET.label, to_hex(key.as_bytes()))
}

/// The public key file's text: what verifiers are given.
pub fn public_key_text(key: &VerifyingKey) -> String {
    format!("{} {}\n", PUBLIC.label, to_hex(key.as_bytes()))
}

/// Read a secret key file's text.
pub fn parse_secret_key(text: &str) -> Result<SigningKey, String> {
    let seed = labelled(text, &SECRET, &PUBLIC)?;
    Ok(SigningKey::from_bytes(&seed))
}

/// Read a public key file's text.
pub fn parse_public_key(text: &str) -> Result<VerifyingKey, String> {
    let bytes = labelled(text, &PUBLIC, &SECRET)?;
    VerifyingKey::from_bytes(&bytes).map_err(|_| "not a valid ed25519 public key".to_string())
}

/// The 32 bytes after the label of `kind`; naming the other kind of key
/// file when the user swapped them.
fn labelled(text: &str, kind: &KeyKind, other: &KeyKind) -> Result<[u8; 32], String> {
    let line = text.trim();
    if line.starts_with(other.label) {
        return Err(format!(
            "this is a {} file, but a {} is needed here",
            other.what, kind.what
        ));
    }
    let hex = line
        .strip_prefix(kind.label)
        .and_then(|rest| rest.strip_prefix(' '))
        .ok_or_else(|| {
            format!(
                "not a {} file: expected \"{} <64 hex digits>\"",
                kind.what, kind.label
            )
        })?;
    from_hex(hex).ok_or_else(|| format!("the {} is not 64 hex digits", kind.what))
}

/// Lowercase hex of any bytes.
pub fn to_hex(bytes: &[u8]) -> String {
    bytes.iter().fold(String::new(), |mut out, b| {
        let _ = write!(out, "{b:02x}");
        out
    })
}

/// Exactly `N` bytes of hex digits (no sign, no spaces).
pub fn from_hex<const N: usize>(text: &str) -> Option<[u8; N]> {
    if text.len() != 2 * N || !text.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    let mut out = [0u8; N];
    for (byte, pair) in out.iter_mut().zip(text.as_bytes().chunks(2)) {
        let pair = std::str::from_utf8(pair).ok()?;
        *byte = u8::from_str_radix(pair, 16).ok()?;
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_round_trip_through_their_files() {
        let key = generate().unwrap();
        let again = parse_secret_key(&secret_key_text(&key)).unwrap();
        assert_eq!(again.as_bytes(), key.as_bytes());
        let public = key.verifying_key();
        assert_eq!(parse_public_key(&public_key_text(&public)), Ok(public));
    }

    #[test]
    fn swapped_or_damaged_key_files_are_named_as_such() {
        let key = generate().unwrap();
        let err = parse_public_key(&secret_key_text(&key)).unwrap_err();
        assert!(err.contains("a secret key file, but a public key"), "{err}");
        let err = parse_secret_key("auditui-ed25519-secret-key 12").unwrap_err();
        assert!(err.contains("64 hex digits"), "{err}");
        assert!(
            parse_secret_key("hello")
                .unwrap_err()
                .contains("not a secret key file")
        );
    }

    #[test]
    fn hex_needs_exact_length_and_digits() {
        assert_eq!(from_hex::<2>("0aFf"), Some([0x0a, 0xff]));
        assert_eq!(from_hex::<2>("0a"), None);
        assert_eq!(from_hex::<2>("0g00"), None);
        assert_eq!(from_hex::<2>("+a00"), None);
        assert_eq!(to_hex(&[0, 171]), "00ab");
    }
}
