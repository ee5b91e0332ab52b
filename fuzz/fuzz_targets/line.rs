//! One log line: the entry parser, the seal (canonical form + SHA-256),
//! the verifier's reader with its skeleton memo (and the indexing reader,
//! which does not hash) (and the walk's reader of
//! one value against the general one at every place of the input), and the
//! canonical form's own promises. Nothing may panic; the canonical text
//! must read back to itself, and the verifier's writer (straight from the
//! tape: copies, member slots sorted by key prefix) must write what the
//! tree's writer (a plain sort of decoded keys) writes, with and without
//! the seal's own key; the reader's picks (keys matched by their bytes on
//! the tape) must be the tree's `get`; lines that differ from the input
//! only in an object member's first key are replayed around that object
//! (a partial skeleton) and seal as parsed; strict JSON that serde_json accepts must be
//! accepted too (auditui reads what CPython reads, a superset).
#![no_main]

use auditui::log::canonical::{write_canonical, write_canonical_without, write_node};
use auditui::log::entry::{LineReader, Picks, Text, parse_line};
use auditui::log::json;
use auditui::log::tape::skeleton::{self, At, HoleKind};
use auditui::log::tape::{Kind, Tape};
use libfuzzer_sys::fuzz_target;
use std::cell::RefCell;

thread_local! {
    /// Kept between inputs, as the verifier keeps it between lines: it
    /// remembers skeletons, and replays them for inputs that share one.
    static READER: RefCell<LineReader> = RefCell::new(LineReader::new());
}

/// `skeleton::hole`, which the walk over recorded skeletons reads values
/// with, finds a hole of a kind exactly where `skeleton::at` (what
/// skeletons are recorded with) finds one of that kind.
fn holes_agree(data: &[u8]) {
    let mut scratch = Tape::new();
    for pos in 0..data.len() {
        let found = match skeleton::at(data, pos, &mut scratch) {
            At::Hole(end, kind) => Some((end, kind)),
            _ => None,
        };
        for kind in HoleKind::ALL {
            let expected = found.filter(|&(_, k)| k == kind).map(|(end, _)| end);
            assert_eq!(
                skeleton::hole(data, pos, kind, &mut scratch),
                expected,
                "{kind:?} at {pos}"
            );
        }
    }
}

/// A partial skeleton (`log::memo`): when the input is an object with a
/// non-empty object member, two lines that differ from it only in that
/// object's first key are read after it by a fresh reader that records no
/// whole skeletons, which records the second's skeleton with the object
/// open and replays the third around it (debug builds check every replay
/// against a full parse).
/// Each must seal as a full parse does, alone and with the top level's
/// numbers picked.
fn partial_replays_agree(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let mut tape = Tape::new();
    let Ok(root) = tape.parse(text) else {
        return;
    };
    let Some(key) = root.members().find_map(|(_, value)| {
        if value.kind() != Kind::Object || value.members().next().is_none() {
            return None;
        }
        // The first key's body: after `{`, whitespace and its quote.
        let span = value.span();
        let quote = text[span.start + 1..].find('"')?;
        Some(span.start + quote + 2)
    }) else {
        return;
    };
    let variant = |prefix: &str| format!("{}{prefix}{}", &text[..key], &text[key..]);
    let mut reader = LineReader::partial_only();
    for line in [text.to_string(), variant("p"), variant("q")] {
        let line = line.as_bytes();
        let parsed = parse_line(line).and_then(|entry| entry.seal(&mut Vec::new()));
        let read = reader.read_seal(line);
        assert_eq!(
            read.is_ok(),
            parsed.is_ok(),
            "read {read:?}, parsed {parsed:?}"
        );
        if let (Ok(read), Ok(parsed)) = (read, &parsed) {
            assert_eq!(&read, parsed, "the seal of a line read around its object");
        }
        if let (Ok((seal, _)), Ok(parsed)) =
            (reader.read_row(line, Picks::NUMBERS, &mut []), &parsed)
        {
            assert_eq!(&seal, parsed, "the seal with the top level's numbers");
        }
    }
}

/// A text as the reader reads it from the tree (a string, decoded, or an
/// integer's digits), for checking the reader's picks made on the tape.
fn text_of(value: Option<&json::Value<'_>>) -> Option<String> {
    match value? {
        json::Value::Str(s) => Some(s.decode().into_owned()),
        json::Value::Int(digits) => Some((*digits).to_string()),
        _ => None,
    }
}

/// The reader's picks (each key matched by its bytes on the tape) against
/// the tree's `get` (the last of equal decoded keys, as Python's dict):
/// a top-level text and one from each container the nested ones come from.
fn picks_agree(entry: &auditui::log::entry::Entry<'_>) {
    let value = &entry.value;
    let fields = entry.fields();
    let nested = |container: &str, key: &str| text_of(value.get(container)?.get(key));
    assert_eq!(fields.user.as_deref(), text_of(value.get("user_id")).as_deref());
    assert_eq!(
        fields.ip.as_deref(),
        nested("session_metadata", "client_ip").as_deref()
    );
    assert_eq!(
        fields.error.as_deref(),
        nested("result_summary", "error").as_deref()
    );
    let arguments = match value.get("arguments") {
        Some(_) => "arguments",
        None => "arguments_sanitized",
    };
    // A top-level `patient_id` wins even when it is not a text.
    let patient = match value.get("patient_id") {
        Some(top) => text_of(Some(top)),
        None => nested(arguments, "patient_id"),
    };
    assert_eq!(fields.patient.as_deref(), patient.as_deref());
}

/// What a load may keep, chosen by the input's first byte and length, so
/// that every set of texts is tried, with every number, or with none, the
/// time or the outcome alone (a count's load): the picks and whether the
/// time, the outcome and the other numbers are among them.
fn picks_for(data: &[u8]) -> (Picks, [bool; 3]) {
    let bits = usize::from(data.first().copied().unwrap_or(0)) | (data.len() % 16) << 8;
    let (numbers, read) = match bits >> 10 {
        0 => (Picks::NUMBERS, [true; 3]),
        1 => (Picks::SEAL, [false; 3]),
        2 => (Picks::SEAL.and(Picks::TIME), [true, false, false]),
        _ => (Picks::SEAL.and(Picks::OUTCOME), [false, true, false]),
    };
    let picks = (0..Text::ALL.len())
        .filter(|i| bits & (1 << i) != 0)
        .fold(numbers, |picks, i| picks.and(Picks::text(Text::ALL[i])));
    (picks, read)
}

fuzz_target!(|data: &[u8]| {
    holes_agree(data);
    partial_replays_agree(data);
    // The verifier's reader, twice: the first read may record the line's
    // skeleton and the second then replays it (debug builds, as fuzzing
    // builds are, check every replay against a full parse).
    READER.with_borrow_mut(|reader| {
        let first = reader.read(data);
        assert_eq!(first, reader.read(data), "a second read agrees");
        // Refused when not UTF-8, even with a known skeleton (whose walk
        // is taken as proof of UTF-8).
        if std::str::from_utf8(data).is_err() {
            assert!(first.is_err(), "not UTF-8 but read");
        }
        // Verifying alone replays only the seal's tokens: the same seal.
        // A load that keeps some texts reads only their values into a
        // row: the same seal and numbers, each picked text the full
        // read's (debug builds check the rest against a full parse with
        // the same picks).
        let (picks, [time, outcome, numbers]) = picks_for(data);
        let mut texts = vec![None; picks.texts().count()];
        match (&first, reader.read_row(data, picks, &mut texts)) {
            (Ok((seal, all)), Ok((row_seal, row))) => {
                assert_eq!(seal, &row_seal, "the seal with picks agrees");
                // Each number the full read's if picked, else none.
                assert_eq!(all.timestamp.filter(|_| time), row.timestamp);
                assert_eq!(all.success.filter(|_| outcome), row.success);
                assert_eq!(
                    all.duration_ms.filter(|_| numbers).map(f64::to_bits),
                    row.duration_ms.map(f64::to_bits)
                );
                assert_eq!(all.turn.filter(|_| numbers), row.turn);
                let all_time = all.time().filter(|_| time);
                assert_eq!(all_time, row.time());
                assert_eq!(all_time, reader.time(&row), "the load's reading of the time");
                // In `Text` order.
                let whole = [
                    &all.conversation,
                    &all.error,
                    &all.ip,
                    &all.model,
                    &all.patient,
                    &all.purpose,
                    &all.role,
                    &all.tool,
                    &all.trigger,
                    &all.user,
                ];
                for (text, kept) in picks.texts().zip(&texts) {
                    assert_eq!(kept, whole[text as usize], "{text:?} is the full read's");
                }
            }
            (Err(a), Err(b)) => assert_eq!(a, &b, "the same error with picks"),
            (a, b) => panic!("picks change the outcome: {a:?} against {b:?}"),
        }
        // A line verified already is indexed without its hash (the
        // browser's second pass): the same row, texts and error as the
        // verifying read's, whether the line is replayed or parsed.
        let mut indexed = vec![None; texts.len()];
        let row = reader.index_row(data, picks, &mut indexed);
        let verifying = reader.read_row(data, picks, &mut texts);
        assert_eq!(row, verifying.map(|(_, row)| row), "indexing reads the row");
        assert_eq!(indexed, texts, "indexing reads the texts");
        let seal = first.map(|(seal, _)| seal);
        assert_eq!(seal, reader.read_seal(data), "the seal alone agrees");
    });
    let mut scratch = Vec::new();
    if let Ok(entry) = parse_line(data) {
        let _ = entry.seal(&mut scratch);
        picks_agree(&entry);
    }
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let parsed = json::parse(text);
    if serde_json::from_str::<serde_json::Value>(text).is_ok() {
        assert!(
            parsed.is_ok(),
            "serde_json accepts what auditui rejects: {parsed:?}"
        );
    }
    let Ok(value) = parsed else {
        return;
    };
    let mut canonical = Vec::new();
    write_canonical(&value, &mut canonical);
    let mut tape = Tape::new();
    let mut from_tape = Vec::new();
    let root = tape
        .parse(text)
        .expect("what json::parse read, the tape reads");
    write_node(root, None, &mut from_tape, &mut Vec::new());
    assert_eq!(
        String::from_utf8_lossy(&from_tape),
        String::from_utf8_lossy(&canonical),
        "the tape's canonical form is the tree's"
    );
    // Without the seal's own key, which the tape's writer finds by its
    // prefix and the tree's by its decoded text.
    let (mut without, mut from_tape) = (Vec::new(), Vec::new());
    write_canonical_without(&value, "_hash", &mut without);
    write_node(root, Some("_hash"), &mut from_tape, &mut Vec::new());
    assert_eq!(
        String::from_utf8_lossy(&from_tape),
        String::from_utf8_lossy(&without),
        "the tape's canonical form without `_hash` is the tree's"
    );
    let canonical = String::from_utf8(canonical).expect("canonical JSON is ASCII");
    assert!(canonical.is_ascii(), "ensure_ascii output: {canonical:?}");
    let again = json::parse(&canonical).expect("canonical JSON reads back");
    let mut twice = Vec::new();
    write_canonical(&again, &mut twice);
    assert_eq!(
        canonical.as_bytes(),
        &twice[..],
        "canonical form is a fixed point"
    );
});
