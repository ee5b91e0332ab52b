//! One log line: its JSON, its hash scheme and seal, and the fields the
//! store indexes. Pure and allocation-light so lines can be analysed in
//! parallel.

use super::canonical::{MemberSlot, parse_hex, sha256, write_node};
use super::json::{self, ParseError, Str, Value};
use super::memo::Memos;
use super::tape::{Kind, Node, Tape};
use crate::time::TimeReader;
use std::borrow::Cow;

/// How a log protects its entries (ARCHITECTURE.md, "Log formats").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Scheme {
    /// `_hash`/`_previous_hash` over the whole entry (the lesson's
    /// `ImmutableAuditLog`).
    Chain,
    /// `entry_hash`/`previous_hash` over five fields only: weak (the
    /// lesson's `HIPAAAuditLog`).
    Hipaa,
    /// No hashes at all: unchained (the lesson's `AuditLogger`).
    Plain,
}

impl Scheme {
    pub fn name(self) -> &'static str {
        match self {
            Scheme::Chain => "chain",
            Scheme::Hipaa => "hipaa",
            Scheme::Plain => "plain",
        }
    }

    /// Key names of (own hash, previous hash).
    pub fn hash_keys(self) -> Option<(&'static str, &'static str)> {
        match self {
            Scheme::Chain => Some(("_hash", "_previous_hash")),
            Scheme::Hipaa => Some(("entry_hash", "previous_hash")),
            Scheme::Plain => None,
        }
    }
}

/// The fields the hipaa scheme hashes, in the lesson's order.
pub const HIPAA_HASHED_FIELDS: [&str; 5] = [
    "timestamp",
    "user_id",
    "tool_name",
    "patient_id",
    "previous_hash",
];

/// What an entry says about its place in the chain.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Seal {
    pub scheme: Scheme,
    /// The stored own hash, if it is a hash `hexdigest()` could have written.
    pub stored: Option<[u8; 32]>,
    pub previous: Previous,
    /// The hash recomputed from the entry's content.
    pub computed: [u8; 32],
}

/// The stored previous-hash value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Previous {
    Genesis,
    Hash([u8; 32]),
    /// Neither `genesis` nor a lowercase hex hash: links to nothing.
    Invalid,
}

/// A line that is not an entry, with the reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineError(pub String);

/// A parsed entry line, as a tree for views that walk it.
pub struct Entry<'a> {
    pub value: Value<'a>,
    /// The JSON text of the line (after any logging prefix).
    json: &'a str,
}

/// Parse one line (without its newline) as an entry object. Accepts a
/// Python `logging` prefix such as `INFO:tool_audit:` before the object.
pub fn parse_line(bytes: &[u8]) -> Result<Entry<'_>, LineError> {
    let json = json_text(bytes)?;
    let value = json::parse(json).map_err(|e| not_json(e, bytes, json))?;
    if !matches!(value, Value::Object(_)) {
        return Err(not_object());
    }
    Ok(Entry { value, json })
}

/// Reads entry lines for verification and the store, reusing its buffers
/// so that a line costs no allocation.
#[derive(Debug, Default)]
pub struct LineReader {
    tape: Tape,
    canonical: Vec<u8>,
    order: Vec<MemberSlot>,
    memos: Memos,
    times: TimeReader,
}

impl LineReader {
    pub fn new() -> Self {
        LineReader::default()
    }

    /// A reader that replays lines around an object member of the top
    /// level from its first lines on (`Memos::partial_only`): for checking
    /// that path (tests, fuzzing).
    pub fn partial_only() -> Self {
        LineReader {
            memos: Memos::partial_only(),
            ..LineReader::default()
        }
    }

    /// Parse a line, recompute its hash and pick the indexed fields.
    pub fn read<'a>(&mut self, bytes: &'a [u8]) -> Result<(Option<Seal>, Fields<'a>), LineError> {
        let (seal, fields) = self.read_line(bytes, Some(Picks::ALL), true, |top| top.fields())?;
        Ok((seal, fields.expect("fields were asked for")))
    }

    /// Parse a line and recompute its hash, keeping only what a stored row
    /// keeps: its [`Row`], and the texts `picks` names written to `texts`
    /// in [`Text`] order (one place each, as many as [`Picks::texts`]).
    /// The other values are neither replayed nor decoded, and no
    /// [`Fields`] is built (ARCHITECTURE.md, "Where a verified, indexed
    /// entry's time goes").
    pub fn read_row<'a>(
        &mut self,
        bytes: &'a [u8],
        picks: Picks,
        texts: &mut [Option<Cow<'a, str>>],
    ) -> Result<(Option<Seal>, Row<'a>), LineError> {
        let (seal, row) = self.read_row_if(bytes, picks, texts, true, |_| true)?;
        Ok((seal, row.expect("every row is wanted")))
    }

    /// [`LineReader::read_row`] of a line verified already (the browser
    /// verifies first, then indexes: ARCHITECTURE.md, "The browser's
    /// load"): the same row, texts and error, but a line whose skeleton is
    /// known is neither written in canonical form nor hashed, and its seal
    /// is not returned.
    pub fn index_row<'a>(
        &mut self,
        bytes: &'a [u8],
        picks: Picks,
        texts: &mut [Option<Cow<'a, str>>],
    ) -> Result<Row<'a>, LineError> {
        let (_, row) = self.read_row_if(bytes, picks, texts, false, |_| true)?;
        Ok(row.expect("every row is wanted"))
    }

    /// [`LineReader::read_row`] when `hashing`, else
    /// [`LineReader::index_row`] (no seal), the row read only if `wanted`
    /// says so of the texts written: a line a test rules out by its texts
    /// alone costs no row (`None`), and its caller no time read (most
    /// lines of a field's count: BENCHMARKS.md, "Issue 21").
    pub fn read_row_if<'a>(
        &mut self,
        bytes: &'a [u8],
        picks: Picks,
        texts: &mut [Option<Cow<'a, str>>],
        hashing: bool,
        wanted: impl FnOnce(&[Option<Cow<'a, str>>]) -> bool,
    ) -> Result<(Option<Seal>, Option<Row<'a>>), LineError> {
        let (seal, row) = self.read_line(bytes, Some(picks), hashing, |top| {
            for (place, text) in texts.iter_mut().zip(picks.texts()) {
                *place = top.text(text);
            }
            wanted(texts).then(|| top.row())
        })?;
        Ok((seal.filter(|_| hashing), row.expect("a row was asked for")))
    }

    /// [`Row::time`], read knowing the timestamps read before.
    pub fn time(&mut self, row: &Row<'_>) -> Option<i64> {
        let times = &mut self.times;
        row.timestamp.and_then(|t| times.read(&t.decode()))
    }

    /// [`LineReader::read`] without the indexed fields, for verifying alone.
    pub fn read_seal(&mut self, bytes: &[u8]) -> Result<Option<Seal>, LineError> {
        self.read_line(bytes, None, true, |_| ())
            .map(|(seal, _)| seal)
    }

    /// A line's seal (unless not `hashing` a known skeleton: `None`), and
    /// what `keep` takes of the values `picks` names if any: replayed when
    /// its skeleton is known, else parsed (and the skeleton recorded).
    fn read_line<'a, T>(
        &mut self,
        bytes: &'a [u8],
        picks: Option<Picks>,
        hashing: bool,
        keep: impl FnOnce(&TopLevel<'_, 'a>) -> T,
    ) -> Result<(Option<Seal>, Option<T>), LineError> {
        // A line that opens its object at once (no logging prefix) is
        // walked before its UTF-8 is checked: one whose skeleton is found
        // is UTF-8 (`Memos::find`), and only the others are checked, so
        // most lines are not read once more for it.
        let json = match bytes.first() {
            Some(b'{') => None,
            _ => Some(json_text(bytes)?),
        };
        let wanted = picks.unwrap_or(Picks::SEAL);
        // A partial skeleton replays values of the top level alone (its
        // object's vary); a line that needs others is parsed.
        if let Some(replay) = self.memos.find(json.map_or(bytes, str::as_bytes))
            && !(replay.partial() && wanted.nested())
        {
            // Only the values read are replayed (every one a scalar): the
            // seal's, whose slots come first, and the picked fields'. The
            // slots named are walked, not all of them: a load names eight
            // or so of the 28 (BENCHMARKS.md, "Issue 21").
            let positions = replay.picked();
            let read = wanted
                .slots()
                .filter_map(|slot| positions.get(slot).copied()?);
            let first = replay.some(&mut self.tape, read);
            let top = TopLevel::replayed(first, positions, wanted);
            if !hashing {
                // A skeleton is recorded only from a line that sealed, and
                // a line of the same skeleton has the same keys: the seal
                // would be made, so the line is an entry.
                #[cfg(debug_assertions)]
                check_replay(bytes, None, picks.map(|_| top.fields()).as_ref(), wanted);
                return Ok((None, picks.map(|_| keep(&top))));
            }
            // A skeleton without a plan has no hash keys: its seal never
            // asks for the canonical form.
            let seal = top.seal(&mut self.canonical, |_, out| {
                replay.write_canonical(out);
                Ok(())
            })?;
            // What is kept is read from the same values as the fields, so
            // checking the fields checks it.
            #[cfg(debug_assertions)]
            check_replay(
                bytes,
                Some(&seal),
                picks.map(|_| top.fields()).as_ref(),
                wanted,
            );
            return Ok((seal, picks.map(|_| keep(&top))));
        }
        let json = match json {
            Some(json) => json,
            None => json_text(bytes)?,
        };
        self.parse(bytes, json, picks, keep)
    }

    /// Read a line the memos did not know, and record its skeleton.
    fn parse<'a, T>(
        &mut self,
        bytes: &'a [u8],
        json: &'a str,
        picks: Option<Picks>,
        keep: impl FnOnce(&TopLevel<'_, 'a>) -> T,
    ) -> Result<(Option<Seal>, Option<T>), LineError> {
        let root = self
            .tape
            .parse(json)
            .map_err(|e| not_json(e, bytes, json))?;
        if root.kind() != Kind::Object {
            return Err(not_object());
        }
        let top = TopLevel::pick(root);
        let order = &mut self.order;
        let seal = top.seal(&mut self.canonical, |scheme, out| {
            top.write_canonical(root, scheme, out, order)
        })?;
        let result = (seal, picks.map(|picks| keep(&top.only(picks))));
        let picked = top.positions();
        self.memos.record(
            json,
            &self.tape,
            |root, out| {
                let top = TopLevel::pick(root);
                let seal = top.seal(out, |scheme, out| {
                    top.write_canonical(root, scheme, out, &mut Vec::new())
                })?;
                Ok(seal.is_some())
            },
            || picked.to_vec(),
        );
        Ok(result)
    }
}

/// Debug builds check every replayed line against a full parse.
#[cfg(debug_assertions)]
fn check_replay(
    bytes: &[u8],
    seal: Option<&Option<Seal>>,
    fields: Option<&Fields<'_>>,
    picks: Picks,
) {
    let entry = parse_line(bytes).expect("a replayed line parses");
    let parsed = entry.seal(&mut Vec::new()).expect("a replayed line seals");
    if let Some(seal) = seal {
        assert_eq!(
            &parsed,
            seal,
            "replayed seal of {:?}",
            String::from_utf8_lossy(bytes)
        );
    }
    if let Some(fields) = fields {
        let parsed = entry.with_top(|top, _| top.only(picks).fields());
        assert_eq!(&parsed, fields, "replayed fields");
    }
}

/// Lines longer than this are checked for a plausible start first.
const QUICK_REFUSAL_BYTES: usize = 1 << 20;

/// The line's JSON text: UTF-8, not blank, logging prefix removed. Its
/// length is the caller's business: a long line is an entry like any other.
fn json_text(bytes: &[u8]) -> Result<&str, LineError> {
    // A long line that can start neither an object nor a logging prefix
    // is refused before its whole length is validated: a crashed writer's
    // gigabytes of NULs cost one byte, not a pass over all of them.
    if bytes.len() > QUICK_REFUSAL_BYTES {
        let start = bytes
            .iter()
            .position(|b| !matches!(b, b' ' | b'\t' | b'\r'));
        if let Some(at) = start.filter(|&i| bytes[i] != b'{' && !bytes[i].is_ascii_graphic()) {
            return Err(LineError(format!(
                "not JSON: expected a JSON value at byte {}",
                at + 1
            )));
        }
    }
    // The SIMD check is several times faster on the (ASCII) lines logs
    // hold; the standard one, on failure, says where.
    let text = simdutf8::basic::from_utf8(bytes)
        .or_else(|_| std::str::from_utf8(bytes))
        .map_err(|e| LineError(format!("invalid UTF-8 at byte {}", e.valid_up_to() + 1)))?;
    if text.trim_matches([' ', '\t', '\r', '\n']).is_empty() {
        return Err(LineError("blank line".into()));
    }
    Ok(strip_logging_prefix(text))
}

/// A parse error located in the whole line, prefix included.
fn not_json(e: ParseError, line: &[u8], json: &str) -> LineError {
    let offset = e.offset + (line.len() - json.len());
    LineError(format!("not JSON: {} at byte {}", e.message, offset + 1))
}

fn not_object() -> LineError {
    LineError("not a JSON object".into())
}

/// `LEVEL:logger:{...}` as Python's default logging format writes it.
fn strip_logging_prefix(text: &str) -> &str {
    let trimmed = text.trim_start_matches([' ', '\t']);
    if trimmed.starts_with('{') {
        return text;
    }
    match trimmed.find(":{") {
        Some(i)
            if trimmed[..i]
                .bytes()
                .all(|b| b.is_ascii_graphic() && b != b'"' && b != b'{') =>
        {
            &trimmed[i + 1..]
        }
        _ => text,
    }
}

impl<'a> Entry<'a> {
    /// Run `f` on this entry's top-level keys (read again from its text).
    fn with_top<T>(&self, f: impl FnOnce(&TopLevel<'_, 'a>, Node<'_, 'a>) -> T) -> T {
        let mut tape = Tape::new();
        let root = tape.parse(self.json).expect("parsed once already");
        f(&TopLevel::pick(root), root)
    }

    /// The scheme this entry's keys announce.
    pub fn scheme(&self) -> Scheme {
        self.with_top(|top, _| top.scheme())
    }

    /// Recompute this entry's hash and read its stored links.
    pub fn seal(&self, scratch: &mut Vec<u8>) -> Result<Option<Seal>, LineError> {
        self.with_top(|top, root| {
            top.seal(scratch, |scheme, out| {
                top.write_canonical(root, scheme, out, &mut Vec::new())
            })
        })
    }

    /// The fields the store indexes, wherever this schema keeps them.
    pub fn fields(&self) -> Fields<'a> {
        self.with_top(|top, _| top.fields())
    }
}

/// The members an entry is read for: top-level ones found in one pass over
/// its keys (the last of duplicate keys wins, as in Python's dict), and a
/// few nested ones found in those. Kept as positions on their tape, not
/// as nodes: 28 nodes were ~1 KB to set and, in a load, to copy for every
/// line (BENCHMARKS.md, "Issue 21").
struct TopLevel<'t, 'a> {
    /// A node of the tape the values are on, to reach them by position.
    tape: Node<'t, 'a>,
    /// Each slot's position on that tape, or [`ABSENT`].
    at: [u32; SLOTS],
}

/// The position of a slot the entry does not have.
const ABSENT: u32 = u32::MAX;

/// The values the reader needs, naming their slots: top-level keys, then
/// values nested in them.
#[derive(Clone, Copy)]
enum Top {
    Hash,
    PreviousHash,
    EntryHash,
    HipaaPreviousHash,
    Timestamp,
    UserId,
    PatientId,
    ToolName,
    ConversationId,
    Model,
    UserRole,
    Purpose,
    CallTrigger,
    Success,
    DurationMs,
    TurnNumber,
    Arguments,
    ArgumentsSanitized,
    SessionMetadata,
    ResultSummary,
    /// In `session_metadata`.
    MetaRole,
    MetaAccessPurpose,
    MetaPurpose,
    MetaTrigger,
    MetaIp,
    /// In `arguments`, or else `arguments_sanitized`.
    ArgsPatient,
    ArgsPurpose,
    /// In `result_summary`.
    Error,
}

const SLOTS: usize = Top::Error as usize + 1;

/// The slots [`TopLevel::seal`] reads come first.
const SEAL_SLOTS: usize = Top::HipaaPreviousHash as usize + 1;

/// Which of an entry's values a reader picks, as a set of slots: the
/// seal's and the numbers and timestamp every row keeps always, each
/// indexed text only when named (a load that interns no column decodes no
/// text; ARCHITECTURE.md, "Where a verified, indexed entry's time goes").
/// The texts named are kept as a set too, which each line's read walks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Picks {
    slots: u32,
    texts: TextSet,
}

impl Picks {
    pub const ALL: Picks = Picks {
        slots: (1 << SLOTS) - 1,
        texts: TextSet((1 << Text::ALL.len()) - 1),
    };
    /// What [`TopLevel::seal`] reads: a row read with these alone holds
    /// neither time nor numbers.
    pub const SEAL: Picks = Picks {
        slots: (1 << SEAL_SLOTS) - 1,
        texts: TextSet::NONE,
    };
    /// The timestamp, [`Row::timestamp`].
    pub const TIME: Picks = Picks::of(&[Top::Timestamp]);
    /// The outcome, [`Row::success`].
    pub const OUTCOME: Picks = Picks::of(&[Top::Success]);
    /// The duration, [`Row::duration_ms`].
    pub const DURATION: Picks = Picks::of(&[Top::DurationMs]);
    /// The seal, the timestamp and the numbers: no text.
    pub const NUMBERS: Picks = Picks::SEAL
        .and(Picks::TIME)
        .and(Picks::OUTCOME)
        .and(Picks::of(&[Top::DurationMs, Top::TurnNumber]));

    /// `text`, read from these slots.
    pub const fn text(text: Text) -> Picks {
        let slots = Picks::of(match text {
            Text::User => &[Top::UserId],
            Text::Patient => &[Top::PatientId, Top::ArgsPatient],
            Text::Tool => &[Top::ToolName],
            Text::Conversation => &[Top::ConversationId],
            Text::Model => &[Top::Model],
            Text::Role => &[Top::UserRole, Top::MetaRole],
            Text::Purpose => &[
                Top::Purpose,
                Top::MetaAccessPurpose,
                Top::MetaPurpose,
                Top::ArgsPurpose,
            ],
            Text::Trigger => &[Top::MetaTrigger, Top::CallTrigger],
            Text::Ip => &[Top::MetaIp],
            Text::Error => &[Top::Error],
        });
        Picks {
            texts: TextSet(1 << text as u16),
            ..slots
        }
    }

    /// The texts named, in [`Text`] order.
    pub fn texts(self) -> impl Iterator<Item = Text> {
        let mut bits = self.texts.0;
        std::iter::from_fn(move || {
            let next = Text::ALL.get(bits.trailing_zeros() as usize)?;
            bits &= bits - 1;
            Some(*next)
        })
    }

    /// [`Picks::texts`] as a set.
    pub fn text_set(self) -> TextSet {
        self.texts
    }

    const fn of(slots: &[Top]) -> Picks {
        let mut bits = 0;
        let mut i = 0;
        while i < slots.len() {
            bits |= 1 << slots[i] as u32;
            i += 1;
        }
        Picks {
            slots: bits,
            texts: TextSet::NONE,
        }
    }

    /// Both sets.
    pub const fn and(self, other: Picks) -> Picks {
        Picks {
            slots: self.slots | other.slots,
            texts: TextSet(self.texts.0 | other.texts.0),
        }
    }

    /// Whether some slot named is inside a container of the top level.
    fn nested(self) -> bool {
        self.slots >> Top::MetaRole as u32 != 0
    }

    fn has(self, slot: usize) -> bool {
        self.slots & (1 << slot) != 0
    }

    /// The slots named, ascending.
    fn slots(self) -> impl Iterator<Item = usize> {
        let mut bits = self.slots;
        std::iter::from_fn(move || {
            let slot = (bits != 0).then(|| bits.trailing_zeros() as usize)?;
            bits &= bits - 1;
            Some(slot)
        })
    }
}

/// The texts an entry is indexed by: the store's columns and the error, in
/// alphabetical order; where each is read from is [`TopLevel::text`]'s.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Text {
    Conversation,
    Error,
    Ip,
    Model,
    Patient,
    Purpose,
    Role,
    Tool,
    Trigger,
    User,
}

impl Text {
    pub const ALL: [Text; 10] = [
        Text::Conversation,
        Text::Error,
        Text::Ip,
        Text::Model,
        Text::Patient,
        Text::Purpose,
        Text::Role,
        Text::Tool,
        Text::Trigger,
        Text::User,
    ];
}

/// What every stored row keeps of an entry, whichever texts were picked:
/// a few dozen bytes, where [`Fields`] is a few hundred.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Row<'a> {
    pub timestamp: Option<Str<'a>>,
    pub success: Option<bool>,
    pub duration_ms: Option<f64>,
    pub turn: Option<i64>,
}

/// The slot of a top-level key, if it is one the reader needs.
fn slot_of(key: &[u8]) -> Option<Top> {
    // A match compiles to a switch on length, then one comparison.
    Some(match key {
        b"_hash" => Top::Hash,
        b"_previous_hash" => Top::PreviousHash,
        b"entry_hash" => Top::EntryHash,
        b"previous_hash" => Top::HipaaPreviousHash,
        b"timestamp" => Top::Timestamp,
        b"user_id" => Top::UserId,
        b"patient_id" => Top::PatientId,
        b"tool_name" => Top::ToolName,
        b"conversation_id" => Top::ConversationId,
        b"model" => Top::Model,
        b"user_role" => Top::UserRole,
        b"purpose" => Top::Purpose,
        b"call_trigger" => Top::CallTrigger,
        b"success" => Top::Success,
        b"duration_ms" => Top::DurationMs,
        b"turn_number" => Top::TurnNumber,
        b"arguments" => Top::Arguments,
        b"arguments_sanitized" => Top::ArgumentsSanitized,
        b"session_metadata" => Top::SessionMetadata,
        b"result_summary" => Top::ResultSummary,
        _ => return None,
    })
}

/// The slot of a key in `session_metadata`.
fn meta_slot_of(key: &[u8]) -> Option<Top> {
    Some(match key {
        b"user_role" => Top::MetaRole,
        b"access_purpose" => Top::MetaAccessPurpose,
        b"purpose" => Top::MetaPurpose,
        b"call_trigger" => Top::MetaTrigger,
        b"client_ip" => Top::MetaIp,
        _ => return None,
    })
}

/// The slot of a key in `arguments` (or `arguments_sanitized`).
fn args_slot_of(key: &[u8]) -> Option<Top> {
    Some(match key {
        b"patient_id" => Top::ArgsPatient,
        b"purpose" => Top::ArgsPurpose,
        _ => return None,
    })
}

/// The slot of a key in `result_summary`.
fn result_slot_of(key: &[u8]) -> Option<Top> {
    (key == b"error").then_some(Top::Error)
}

impl<'t, 'a> TopLevel<'t, 'a> {
    /// One pass over the members, each key matched by its bytes (the last
    /// of duplicates wins, as in Python's dict), then one over each
    /// container the nested slots come from.
    fn pick(root: Node<'t, 'a>) -> Self {
        let mut top = TopLevel {
            tape: root,
            at: [ABSENT; SLOTS],
        };
        top.pick_members(Some(root), slot_of);
        top.pick_members(top.get(Top::SessionMetadata), meta_slot_of);
        let arguments = top
            .get(Top::Arguments)
            .or_else(|| top.get(Top::ArgumentsSanitized));
        top.pick_members(arguments, args_slot_of);
        top.pick_members(top.get(Top::ResultSummary), result_slot_of);
        top
    }

    /// Fill the slots `slot_of` gives the members of `object` (nothing
    /// for a value that is not an object).
    #[inline]
    fn pick_members(
        &mut self,
        object: Option<Node<'t, 'a>>,
        slot_of: impl Fn(&[u8]) -> Option<Top>,
    ) {
        if let Some(object) = object {
            object.for_each_member(|key, value| {
                if let Some(slot) = slot_of(key) {
                    self.at[slot as usize] = value.position();
                }
            });
        }
    }

    /// The slots at these positions, from a tape of their values alone as
    /// [`Replay::some`] replays them: every value the reader reads is a
    /// scalar with a slot of its own.
    fn replayed(first: Node<'t, 'a>, positions: &[Option<u32>], picks: Picks) -> Self {
        let mut at = [ABSENT; SLOTS];
        let mut next = first.position();
        for slot in picks.slots() {
            if let (Some(Some(_)), Some(place)) = (positions.get(slot), at.get_mut(slot)) {
                *place = next;
                next += 1;
            }
        }
        TopLevel { tape: first, at }
    }

    /// Where each slot's value is on the tape, for [`TopLevel::replayed`].
    /// The containers the nested values come from are left out: nothing
    /// reads them once those values have slots, and a replay could not
    /// walk them (it rebuilds lone tokens).
    fn positions(&self) -> [Option<u32>; SLOTS] {
        let containers = Top::Arguments as usize..=Top::ResultSummary as usize;
        let mut positions = [None; SLOTS];
        for (slot, (position, &at)) in positions.iter_mut().zip(&self.at).enumerate() {
            *position = (at != ABSENT && !containers.contains(&slot)).then_some(at);
        }
        positions
    }

    /// These values with only the slots `picks` names: what a replay
    /// picking them reads.
    fn only(&self, picks: Picks) -> Self {
        let mut at = self.at;
        for (index, at) in at.iter_mut().enumerate() {
            if !picks.has(index) {
                *at = ABSENT;
            }
        }
        TopLevel {
            tape: self.tape,
            at,
        }
    }

    fn get(&self, key: Top) -> Option<Node<'t, 'a>> {
        let at = self.at[key as usize];
        (at != ABSENT).then(|| self.tape.sibling(at))
    }

    fn scheme(&self) -> Scheme {
        let has = |k| self.get(k).is_some();
        if has(Top::Hash) || has(Top::PreviousHash) {
            Scheme::Chain
        } else if has(Top::EntryHash) || has(Top::HipaaPreviousHash) {
            Scheme::Hipaa
        } else {
            Scheme::Plain
        }
    }

    /// Recompute the hash into `scratch`, the canonical form written by
    /// `canonical`, and read the stored links.
    fn seal(
        &self,
        scratch: &mut Vec<u8>,
        canonical: impl FnOnce(Scheme, &mut Vec<u8>) -> Result<(), LineError>,
    ) -> Result<Option<Seal>, LineError> {
        let scheme = self.scheme();
        let Some((own_key, previous_key)) = scheme.hash_keys() else {
            return Ok(None);
        };
        let (own, previous) = match scheme {
            Scheme::Chain => (Top::Hash, Top::PreviousHash),
            _ => (Top::EntryHash, Top::HipaaPreviousHash),
        };
        let own = self.get(own).ok_or_else(|| missing(own_key))?;
        let previous = self.get(previous).ok_or_else(|| missing(previous_key))?;
        scratch.clear();
        canonical(scheme, scratch)?;
        Ok(Some(Seal {
            scheme,
            stored: own
                .as_str()
                .filter(|s| !s.is_escaped())
                .and_then(|s| parse_hex(s.raw())),
            previous: read_previous(previous),
            computed: sha256(scratch),
        }))
    }

    /// The text a scheme hashes: the whole entry but its own hash, or the
    /// five hipaa fields.
    fn write_canonical(
        &self,
        root: Node<'_, '_>,
        scheme: Scheme,
        out: &mut Vec<u8>,
        order: &mut Vec<MemberSlot>,
    ) -> Result<(), LineError> {
        match scheme {
            Scheme::Chain => write_node(root, Some("_hash"), out, order),
            _ => self.write_hipaa_hashed(out, order)?,
        }
        Ok(())
    }

    /// `json.dumps({five fields}, sort_keys=True)`: the keys are fixed and
    /// already sorted here.
    fn write_hipaa_hashed(
        &self,
        out: &mut Vec<u8>,
        order: &mut Vec<MemberSlot>,
    ) -> Result<(), LineError> {
        let mut sorted = HIPAA_HASHED_FIELDS;
        sorted.sort_unstable();
        out.push(b'{');
        for (i, key) in sorted.iter().enumerate() {
            let slot = slot_of(key.as_bytes()).expect("hashed fields have slots");
            let value = self.get(slot).ok_or_else(|| missing(key))?;
            if i > 0 {
                out.extend_from_slice(b", ");
            }
            out.push(b'"');
            out.extend_from_slice(key.as_bytes());
            out.extend_from_slice(b"\": ");
            write_node(value, None, out, order);
        }
        out.push(b'}');
        Ok(())
    }

    fn fields(&self) -> Fields<'a> {
        Fields::assemble(self.row(), |text| self.text(text))
    }

    /// The timestamp and numbers.
    fn row(&self) -> Row<'a> {
        Row {
            timestamp: self.get(Top::Timestamp).and_then(|t| t.as_str()),
            success: self.get(Top::Success).and_then(|s| s.as_bool()),
            duration_ms: self.get(Top::DurationMs).and_then(|d| d.as_f64()),
            turn: self
                .get(Top::TurnNumber)
                .and_then(|t| t.as_int())
                .and_then(|t| t.parse().ok()),
        }
    }

    /// One text, wherever this schema keeps it.
    fn text(&self, text: Text) -> Option<Cow<'a, str>> {
        let text_of = |k| self.get(k).and_then(text_value);
        match text {
            Text::User => text_of(Top::UserId),
            Text::Patient => self
                .get(Top::PatientId)
                .or(self.get(Top::ArgsPatient))
                .and_then(text_value),
            Text::Tool => text_of(Top::ToolName),
            Text::Conversation => text_of(Top::ConversationId),
            Text::Model => text_of(Top::Model),
            Text::Role => text_of(Top::UserRole).or_else(|| text_of(Top::MetaRole)),
            Text::Purpose => text_of(Top::Purpose)
                .or_else(|| text_of(Top::MetaAccessPurpose))
                .or_else(|| text_of(Top::MetaPurpose))
                .or_else(|| text_of(Top::ArgsPurpose)),
            Text::Trigger => text_of(Top::MetaTrigger).or_else(|| text_of(Top::CallTrigger)),
            Text::Ip => text_of(Top::MetaIp),
            Text::Error => text_of(Top::Error),
        }
    }
}

/// The indexed fields of one entry; `None` where the entry has no such field.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Fields<'a> {
    pub timestamp: Option<Str<'a>>,
    pub user: Option<Cow<'a, str>>,
    pub patient: Option<Cow<'a, str>>,
    pub tool: Option<Cow<'a, str>>,
    pub conversation: Option<Cow<'a, str>>,
    pub model: Option<Cow<'a, str>>,
    pub role: Option<Cow<'a, str>>,
    pub purpose: Option<Cow<'a, str>>,
    pub trigger: Option<Cow<'a, str>>,
    pub ip: Option<Cow<'a, str>>,
    pub success: Option<bool>,
    pub duration_ms: Option<f64>,
    pub turn: Option<i64>,
    pub error: Option<Cow<'a, str>>,
}

impl<'a> Fields<'a> {
    /// The fields of `row` and the texts `text` gives.
    pub fn assemble(row: Row<'a>, text: impl Fn(Text) -> Option<Cow<'a, str>>) -> Fields<'a> {
        Fields {
            timestamp: row.timestamp,
            user: text(Text::User),
            patient: text(Text::Patient),
            tool: text(Text::Tool),
            conversation: text(Text::Conversation),
            model: text(Text::Model),
            role: text(Text::Role),
            purpose: text(Text::Purpose),
            trigger: text(Text::Trigger),
            ip: text(Text::Ip),
            success: row.success,
            duration_ms: row.duration_ms,
            turn: row.turn,
            error: text(Text::Error),
        }
    }

    /// The timestamp and numbers.
    pub fn row(&self) -> Row<'a> {
        Row {
            timestamp: self.timestamp,
            success: self.success,
            duration_ms: self.duration_ms,
            turn: self.turn,
        }
    }

    /// The timestamp as microseconds since the Unix epoch, UTC, if readable.
    pub fn time(&self) -> Option<i64> {
        time_of(self.timestamp)
    }
}

/// A set of [`Text`]s, a bit each.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TextSet(u16);

impl TextSet {
    pub const NONE: TextSet = TextSet(0);

    /// How many texts a row of these holds.
    pub fn len(self) -> usize {
        self.0.count_ones() as usize
    }

    pub fn is_empty(self) -> bool {
        self.0 == 0
    }
}

/// One entry's texts as [`LineReader::read_row`] wrote them, by [`Text`].
#[derive(Debug, Clone, Copy)]
pub struct Texts<'e, 'a> {
    picked: TextSet,
    values: &'e [Option<Cow<'a, str>>],
}

impl<'e, 'a> Texts<'e, 'a> {
    /// The texts `picked`, `values` holding them in [`Text`] order.
    pub fn new(picked: TextSet, values: &'e [Option<Cow<'a, str>>]) -> Self {
        debug_assert_eq!(values.len(), picked.len());
        Texts { picked, values }
    }

    /// The entry's `text`; `None` if it has none, or it was not picked.
    pub fn get(&self, text: Text) -> Option<&'e str> {
        let bit = 1 << text as u16;
        if self.picked.0 & bit == 0 {
            return None;
        }
        let place = (self.picked.0 & (bit - 1)).count_ones() as usize;
        self.values[place].as_deref()
    }
}

impl Row<'_> {
    /// [`Fields::time`].
    pub fn time(&self) -> Option<i64> {
        time_of(self.timestamp)
    }
}

fn time_of(timestamp: Option<Str<'_>>) -> Option<i64> {
    timestamp.and_then(|t| crate::time::parse_timestamp(&t.decode()))
}

/// Text of a string or integer value (ids are sometimes numbers).
fn text_value<'a>(value: Node<'_, 'a>) -> Option<Cow<'a, str>> {
    match value.as_str() {
        Some(s) => Some(s.decode()),
        None => value.as_int().map(Cow::Borrowed),
    }
}

fn read_previous(value: Node<'_, '_>) -> Previous {
    match value.as_str() {
        Some(s) if s.eq_str("genesis") => Previous::Genesis,
        Some(s) if !s.is_escaped() => parse_hex(s.raw()).map_or(Previous::Invalid, Previous::Hash),
        _ => Previous::Invalid,
    }
}

fn missing(key: &str) -> LineError {
    LineError(format!("missing \"{key}\" key"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn logging_prefixes_are_accepted() {
        let entry = parse_line(br#"INFO:tool_audit:{"tool_name": "x"}"#).unwrap();
        assert_eq!(entry.fields().tool.as_deref(), Some("x"));
    }

    #[test]
    fn chain_entries_without_a_previous_hash_are_reported() {
        let entry = parse_line(br#"{"_hash": "ab"}"#).unwrap();
        assert_eq!(
            entry.seal(&mut Vec::new()),
            Err(LineError("missing \"_previous_hash\" key".into()))
        );
    }

    #[test]
    fn bad_lines_say_why() {
        assert_eq!(parse_line(b"  \r").err().unwrap().0, "blank line");
        assert_eq!(
            parse_line(b"{\"a\": \"\xff\"}").err().unwrap().0,
            "invalid UTF-8 at byte 8"
        );
        assert_eq!(parse_line(b"[1]").err().unwrap().0, "not a JSON object");
        assert!(
            parse_line(b"{\"a\": 1")
                .err()
                .unwrap()
                .0
                .starts_with("not JSON: expected ',' or '}'")
        );
    }

    #[test]
    fn a_line_of_a_known_skeleton_is_still_refused_when_not_utf8() {
        let mut reader = LineReader::new();
        let line = |value: &[u8]| {
            [
                br#"{"_hash": "ab", "_previous_hash": "genesis", "a": ""#,
                value,
                b"\"}",
            ]
            .concat()
        };
        let known = reader.read_seal(&line(b"x")).expect("an entry");
        assert!(known.is_some());
        // Replayed (the skeleton is known), with its own canonical form.
        assert_ne!(reader.read_seal(&line(b"y")).unwrap(), known);
        // Not a plain string: parsed, and refused or read as before.
        for (value, read) in [
            (
                &b"\xff"[..],
                Err(LineError("invalid UTF-8 at byte 52".into())),
            ),
            (
                &b"\xc3"[..],
                Err(LineError("invalid UTF-8 at byte 52".into())),
            ),
            (
                &b"\xc3\xa9"[..],
                parse_line(&line(b"\xc3\xa9"))
                    .unwrap()
                    .seal(&mut Vec::new()),
            ),
        ] {
            assert_eq!(reader.read_seal(&line(value)), read, "{value:?}");
        }
    }

    #[test]
    fn a_reader_keeps_only_the_named_texts_parsed_or_replayed() {
        let line = br#"{"timestamp": "2025-07-06T10:00:00+00:00", "user_id": "u1", "tool_name": "t", "arguments": {"patient_id": "P-1", "purpose": "care"}, "session_metadata": {"user_role": "nurse", "client_ip": "10.0.0.1"}, "success": true, "duration_ms": 4, "turn_number": 2, "_previous_hash": "genesis", "_hash": "00"}"#;
        let (mut all, mut some) = (LineReader::new(), LineReader::new());
        let picks = Picks::NUMBERS
            .and(Picks::text(Text::Patient))
            .and(Picks::text(Text::Role));
        assert_eq!(
            picks.texts().collect::<Vec<_>>(),
            [Text::Patient, Text::Role]
        );
        // The first read parses the line, the second replays its skeleton.
        for _ in 0..2 {
            let (seal, full) = all.read(line).unwrap();
            let mut texts = [None, None];
            let (row_seal, row) = some.read_row(line, picks, &mut texts).unwrap();
            assert_eq!(row_seal, seal);
            let expected = Row {
                timestamp: full.timestamp,
                success: full.success,
                duration_ms: full.duration_ms,
                turn: full.turn,
            };
            assert_eq!(row, expected);
            assert_eq!(row.time(), full.time());
            assert_eq!(texts, [full.patient.clone(), full.role.clone()]);
            assert_eq!(
                (texts[0].as_deref(), texts[1].as_deref(), row.turn),
                (Some("P-1"), Some("nurse"), Some(2))
            );
            assert!(full.user.is_some() && full.purpose.is_some() && full.ip.is_some());
        }
    }

    #[test]
    fn a_row_is_read_only_when_its_texts_are_wanted() {
        let line = |tool: &str| {
            format!(
                r#"{{"timestamp": "2025-07-06T10:00:00+00:00", "tool_name": "{tool}", "success": true, "_previous_hash": "genesis", "_hash": "00"}}"#
            )
        };
        let picks = Picks::NUMBERS.and(Picks::text(Text::Tool));
        let mut reader = LineReader::new();
        // Parsed first, then replayed; a value with escapes is another
        // skeleton, parsed the first time too.
        for tool in [
            "get_order",
            "refund",
            "get_order",
            r"get\u005forder",
            r"get\u005forder",
        ] {
            let line = line(tool);
            let (seal, row) = reader
                .read_row(line.as_bytes(), Picks::NUMBERS, &mut [])
                .unwrap();
            let mut texts = [None];
            let wanted = |texts: &[Option<Cow<'_, str>>]| texts[0].as_deref() == Some("get_order");
            let (tested_seal, tested) = reader
                .read_row_if(line.as_bytes(), picks, &mut texts, true, wanted)
                .unwrap();
            assert_eq!(tested_seal, seal, "{tool}");
            assert_eq!(tested, (tool != "refund").then_some(row), "{tool}");
            let decoded = if tool == "refund" {
                "refund"
            } else {
                "get_order"
            };
            assert_eq!(texts[0].as_deref(), Some(decoded));
            let indexed = reader.read_row_if(line.as_bytes(), picks, &mut texts, false, |_| true);
            assert_eq!(indexed.unwrap(), (None, Some(row)));
        }
    }

    #[test]
    fn each_text_kept_alone_is_the_fields_own() {
        let line = br#"{"timestamp": "t", "user_id": 7, "patient_id": "P\u00e9", "tool_name": "t", "conversation_id": "c", "model": "m", "purpose": "p", "session_metadata": {"user_role": "r", "call_trigger": "g", "client_ip": "i"}, "success": false, "result_summary": {"error": "e"}}"#;
        let mut reader = LineReader::new();
        for _ in 0..2 {
            let (_, full) = reader.read(line).unwrap();
            let fields = [
                &full.conversation,
                &full.error,
                &full.ip,
                &full.model,
                &full.patient,
                &full.purpose,
                &full.role,
                &full.tool,
                &full.trigger,
                &full.user,
            ];
            for (text, field) in Text::ALL.into_iter().zip(fields) {
                let mut kept = [None];
                let picks = Picks::NUMBERS.and(Picks::text(text));
                reader.read_row(line, picks, &mut kept).unwrap();
                assert!(field.is_some(), "{text:?} is in the line");
                assert_eq!(&kept[0], field, "{text:?}");
            }
        }
    }

    #[test]
    fn picks_match_keys_by_their_decoded_text_and_keep_the_last() {
        let entry = parse_line(
            br#"{"user_id": "u1", "user\u005fid": "u2", "tool_name": 5, "tool_name": "t", "session_metadata": {"client_ip": "a", "client_ip": "b", "user_rol": "x"}, "arguments": "not an object", "arguments_sanitized": {"patient_id": "P-1"}, "result_summary": {"err\u006fr": "boom"}}"#,
        )
        .unwrap();
        let f = entry.fields();
        assert_eq!(
            (f.user.as_deref(), f.tool.as_deref(), f.ip.as_deref()),
            (Some("u2"), Some("t"), Some("b"))
        );
        // `arguments` is there, so `arguments_sanitized` is not read.
        assert_eq!((f.patient, f.role), (None, None));
        assert_eq!(f.error.as_deref(), Some("boom"));
        let entry = parse_line(
            br#"{"arguments_sanitized": {"patient_id": "P-1", "purpose": "care"}, "session_metadata": []}"#,
        )
        .unwrap();
        let f = entry.fields();
        assert_eq!(
            (f.patient.as_deref(), f.purpose.as_deref(), f.ip),
            (Some("P-1"), Some("care"), None)
        );
    }

    #[test]
    fn fields_come_from_either_schema() {
        let chain = parse_line(
            br#"{"user_id": "u1", "tool_name": "t", "arguments": {"patient_id": "P-1"}, "session_metadata": {"user_role": "nurse", "client_ip": "10.0.0.1", "call_trigger": "retry"}, "success": false, "result_summary": {"error": "boom"}, "duration_ms": 12.5, "turn_number": 3}"#,
        )
        .unwrap();
        let f = chain.fields();
        assert_eq!(
            (
                f.user.as_deref(),
                f.patient.as_deref(),
                f.role.as_deref(),
                f.trigger.as_deref(),
                f.ip.as_deref()
            ),
            (
                Some("u1"),
                Some("P-1"),
                Some("nurse"),
                Some("retry"),
                Some("10.0.0.1")
            )
        );
        assert_eq!(
            (f.success, f.duration_ms, f.turn, f.error.as_deref()),
            (Some(false), Some(12.5), Some(3), Some("boom"))
        );
        let hipaa =
            parse_line(br#"{"user_role": "doctor", "patient_id": "P-7", "purpose": "treatment"}"#)
                .unwrap();
        let f = hipaa.fields();
        assert_eq!(
            (
                f.role.as_deref(),
                f.patient.as_deref(),
                f.purpose.as_deref()
            ),
            (Some("doctor"), Some("P-7"), Some("treatment"))
        );
    }
}
