//! The filter language: one line, shared by the TUI filter bar and the CLI's `-q`.
//!
//! ```text
//! user:usr_123  tool:get_order|get_customer  -tool:search_kb  failed
//! since:2025-07-06  until:2025-07-07T12:00  last:1h  "free text"  words
//! ```
//!
//! Terms are ANDed; `|` ORs the values of one key (spaces around it are
//! allowed); `-` negates any term. Values may be quoted (`user:"a b"`, with
//! `\"` and `\\` escapes). A bare word with `:` must have a known key, so a
//! typo never silently becomes free text; quote it to search for the text.
//!
//! Parsing goes in three steps so that the parser and [`completion_at`] agree
//! on what the user typed: `lex` cuts the line into atoms, `structure`
//! groups atoms into raw terms without failing (remembering the first
//! problem), and [`parse_filter`] turns raw terms into [`Term`]s or an error.

use crate::text::closest;
use std::borrow::Cow;
use std::fmt;
use std::ops::Range;
use std::str::FromStr;

use chrono::{DateTime, Datelike, NaiveDate, NaiveTime, SecondsFormat, TimeZone};

/// Microseconds since the Unix epoch, UTC: the store's time unit.
pub type Timestamp = i64;

/// A column that `key:value` terms match exactly.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Field {
    User,
    Patient,
    Tool,
    Conversation,
    Model,
    Role,
    Purpose,
    Trigger,
    Ip,
}

impl Field {
    pub const ALL: [Field; 9] = [
        Field::User,
        Field::Patient,
        Field::Tool,
        Field::Conversation,
        Field::Model,
        Field::Role,
        Field::Purpose,
        Field::Trigger,
        Field::Ip,
    ];

    /// The key written before `:` in a filter.
    pub fn key(self) -> &'static str {
        match self {
            Field::User => "user",
            Field::Patient => "patient",
            Field::Tool => "tool",
            Field::Conversation => "conv",
            Field::Model => "model",
            Field::Role => "role",
            Field::Purpose => "purpose",
            Field::Trigger => "trigger",
            Field::Ip => "ip",
        }
    }

    /// Looks a key up case-insensitively.
    pub fn from_key(key: &str) -> Option<Field> {
        Field::ALL
            .into_iter()
            .find(|field| field.key().eq_ignore_ascii_case(key))
    }
}

/// Keys that take a time rather than a column value.
const TIME_KEYS: [&str; 3] = ["since", "until", "last"];

/// Every key accepted before `:`, in the order completion should offer them.
pub fn keys() -> impl Iterator<Item = &'static str> {
    Field::ALL
        .into_iter()
        .map(Field::key)
        .chain(TIME_KEYS.iter().copied())
}

/// What one term asks of an entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Predicate {
    /// Exact match of the column against any of `values`.
    Field {
        field: Field,
        values: Vec<String>,
    },
    Failed,
    Ok,
    Since(Timestamp),
    Until(Timestamp),
    /// Microseconds back from the newest entry; the query engine knows "newest".
    Last(i64),
    /// Case-insensitive substring of the raw line, stored lowercased.
    Text(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Term {
    pub negated: bool,
    pub predicate: Predicate,
    /// 0-based char columns of the term in the input, end exclusive, `-` included.
    pub span: Range<usize>,
}

/// All terms must hold (AND).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Filter {
    pub terms: Vec<Term>,
}

impl Filter {
    /// An empty filter selects every entry.
    pub fn is_empty(&self) -> bool {
        self.terms.is_empty()
    }
}

/// Lets clap take `-q` straight into a [`Filter`].
impl FromStr for Filter {
    type Err = FilterError;

    fn from_str(input: &str) -> Result<Filter, FilterError> {
        parse_filter(input)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FilterError {
    /// 1-based char column where the bad term starts.
    pub column: usize,
    /// The bad term as typed.
    pub term: String,
    pub message: String,
}

impl fmt::Display for FilterError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "column {}: {}", self.column, self.message)
    }
}

impl std::error::Error for FilterError {}

/// Parses a filter line, times without an offset in UTC; the first bad
/// term is the error.
pub fn parse_filter(input: &str) -> Result<Filter, FilterError> {
    parse_filter_in(input, Zone::Utc)
}

/// Parses a filter line, reading times typed without an offset in `zone`.
pub fn parse_filter_in(input: &str, zone: Zone) -> Result<Filter, FilterError> {
    let terms = structure(input, &lex(input))
        .into_iter()
        .map(|raw| interpret(input, raw, zone))
        .collect::<Result<_, _>>()?;
    Ok(Filter { terms })
}

// ---------------------------------------------------------------- lexing

#[derive(Debug, Clone, PartialEq, Eq)]
enum AtomKind {
    Space,
    Pipe,
    /// A run of anything but whitespace, `|` and `"`.
    Bare,
    /// `"…"` with escapes resolved; an unclosed quote runs to the end of input.
    Quoted {
        text: String,
        closed: bool,
    },
}

#[derive(Debug, Clone)]
struct Atom {
    kind: AtomKind,
    /// Byte range in the input.
    range: Range<usize>,
}

fn lex(input: &str) -> Vec<Atom> {
    let mut atoms = Vec::new();
    let mut chars = input.char_indices().peekable();
    while let Some(&(start, first)) = chars.peek() {
        chars.next();
        let kind = if first.is_whitespace() {
            while chars.next_if(|&(_, c)| c.is_whitespace()).is_some() {}
            AtomKind::Space
        } else if first == '|' {
            AtomKind::Pipe
        } else if first == '"' {
            let mut text = String::new();
            let mut closed = false;
            while let Some((_, c)) = chars.next() {
                match c {
                    '"' => {
                        closed = true;
                        break;
                    }
                    '\\' => match chars.next_if(|&(_, n)| n == '"' || n == '\\') {
                        Some((_, escaped)) => text.push(escaped),
                        None => text.push('\\'),
                    },
                    _ => text.push(c),
                }
            }
            AtomKind::Quoted { text, closed }
        } else {
            while chars
                .next_if(|&(_, c)| !c.is_whitespace() && c != '|' && c != '"')
                .is_some()
            {}
            AtomKind::Bare
        };
        let end = chars.peek().map_or(input.len(), |&(at, _)| at);
        atoms.push(Atom {
            kind,
            range: start..end,
        });
    }
    atoms
}

// ---------------------------------------------------------------- structure

/// What is structurally wrong with a raw term; the first one found is kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Problem {
    Unterminated,
    LoneDash,
    StrayPipe,
    StrayQuote,
    MissingValue,
    EmptyAlternative,
}

#[derive(Debug, Clone)]
enum Body {
    Text { text: String, quoted: bool },
    KeyValue { key: Range<usize>, alts: Vec<Alt> },
}

#[derive(Debug, Clone)]
struct Alt {
    text: String,
    /// Byte range including any quotes; empty where a value is missing.
    range: Range<usize>,
}

#[derive(Debug, Clone)]
struct RawTerm {
    /// Byte range, `-` included.
    range: Range<usize>,
    negated: bool,
    body: Body,
    problem: Option<Problem>,
}

/// Groups atoms into terms. Never fails, so completion can use it on half-typed input.
fn structure(input: &str, atoms: &[Atom]) -> Vec<RawTerm> {
    let mut terms = Vec::new();
    let mut i = 0;
    while let Some(atom) = atoms.get(i) {
        let start = atom.range.start;
        match &atom.kind {
            AtomKind::Space => i += 1,
            AtomKind::Pipe => {
                i += 1;
                terms.push(RawTerm {
                    range: atom.range.clone(),
                    negated: false,
                    body: Body::Text {
                        text: String::new(),
                        quoted: false,
                    },
                    problem: Some(Problem::StrayPipe),
                });
            }
            AtomKind::Quoted { text, closed } => {
                terms.push(quoted_text(atoms, &mut i, start, false, (text, *closed)));
            }
            AtomKind::Bare => {
                let word = &input[atom.range.clone()];
                let (negated, rest) = match word.strip_prefix('-') {
                    Some(rest) => (true, rest),
                    None => (false, word),
                };
                let rest_start = atom.range.end - rest.len();
                if rest.is_empty() {
                    if let Some(AtomKind::Quoted { text, closed }) =
                        atoms.get(i + 1).map(|a| &a.kind)
                    {
                        i += 1;
                        terms.push(quoted_text(atoms, &mut i, start, true, (text, *closed)));
                    } else {
                        i += 1;
                        terms.push(RawTerm {
                            range: atom.range.clone(),
                            negated,
                            body: Body::Text {
                                text: String::new(),
                                quoted: false,
                            },
                            problem: Some(Problem::LoneDash),
                        });
                    }
                } else if let Some(colon) = rest.find(':') {
                    let key = rest_start..rest_start + colon;
                    terms.push(key_value(input, atoms, &mut i, negated, key));
                } else {
                    i += 1;
                    let mut end = atom.range.end;
                    let problem = glued(atoms, &mut i, &mut end).then_some(Problem::StrayQuote);
                    terms.push(RawTerm {
                        range: start..end,
                        negated,
                        body: Body::Text {
                            text: rest.to_string(),
                            quoted: false,
                        },
                        problem,
                    });
                }
            }
        }
    }
    terms
}

/// A `"…"` term whose quoted atom, holding `text`, is `atoms[*i]`.
fn quoted_text(
    atoms: &[Atom],
    i: &mut usize,
    start: usize,
    negated: bool,
    (text, closed): (&str, bool),
) -> RawTerm {
    let mut end = atoms[*i].range.end;
    *i += 1;
    let problem = if !closed {
        Some(Problem::Unterminated)
    } else {
        glued(atoms, i, &mut end).then_some(Problem::StrayQuote)
    };
    RawTerm {
        range: start..end,
        negated,
        body: Body::Text {
            text: text.to_string(),
            quoted: true,
        },
        problem,
    }
}

/// Swallows bare or quoted atoms stuck to the previous one (`a"b"`, `"a"b`);
/// true when there were any.
fn glued(atoms: &[Atom], i: &mut usize, end: &mut usize) -> bool {
    let mut any = false;
    while let Some(atom) = atoms.get(*i) {
        if !matches!(atom.kind, AtomKind::Bare | AtomKind::Quoted { .. }) {
            break;
        }
        any = true;
        *end = atom.range.end;
        *i += 1;
    }
    any
}

/// A `key:value|value…` term whose first atom is `atoms[*i]`; `key` is its byte range.
fn key_value(
    input: &str,
    atoms: &[Atom],
    i: &mut usize,
    negated: bool,
    key: Range<usize>,
) -> RawTerm {
    let first = &atoms[*i];
    let start = first.range.start;
    let mut end = first.range.end;
    let value_start = key.end + 1;
    let mut problem = None;
    *i += 1;

    let mut alts = Vec::new();
    if value_start < first.range.end {
        alts.push(Alt {
            text: input[value_start..first.range.end].to_string(),
            range: value_start..first.range.end,
        });
    } else if let Some(alt) = alternative(input, atoms, i, &mut end, &mut problem) {
        alts.push(alt);
    } else {
        problem.get_or_insert(Problem::MissingValue);
        alts.push(Alt::missing(value_start));
    }

    loop {
        if glued(atoms, i, &mut end) {
            problem.get_or_insert(Problem::StrayQuote);
        }
        let at = skip_space(atoms, *i);
        let Some(pipe) = atoms.get(at).filter(|a| a.kind == AtomKind::Pipe) else {
            break;
        };
        end = pipe.range.end;
        *i = skip_space(atoms, at + 1);
        match alternative(input, atoms, i, &mut end, &mut problem) {
            Some(alt) => alts.push(alt),
            None => {
                problem.get_or_insert(Problem::EmptyAlternative);
                alts.push(Alt::missing(pipe.range.end));
            }
        }
    }

    RawTerm {
        range: start..end,
        negated,
        body: Body::KeyValue { key, alts },
        problem,
    }
}

impl Alt {
    /// Where a value should be but is not.
    fn missing(at: usize) -> Alt {
        Alt {
            text: String::new(),
            range: at..at,
        }
    }
}

/// One value at `atoms[*i]`, bare or quoted, if there is one.
fn alternative(
    input: &str,
    atoms: &[Atom],
    i: &mut usize,
    end: &mut usize,
    problem: &mut Option<Problem>,
) -> Option<Alt> {
    let atom = atoms.get(*i)?;
    let text = match &atom.kind {
        AtomKind::Bare => input[atom.range.clone()].to_string(),
        AtomKind::Quoted { text, closed } => {
            if !closed {
                problem.get_or_insert(Problem::Unterminated);
            }
            text.clone()
        }
        AtomKind::Space | AtomKind::Pipe => return None,
    };
    *i += 1;
    *end = atom.range.end;
    Some(Alt {
        text,
        range: atom.range.clone(),
    })
}

fn skip_space(atoms: &[Atom], mut i: usize) -> usize {
    while atoms.get(i).is_some_and(|a| a.kind == AtomKind::Space) {
        i += 1;
    }
    i
}

// ---------------------------------------------------------------- meaning

/// What a known key asks for.
enum KeyKind {
    Field(Field),
    Since,
    Until,
    Last,
}

fn interpret(input: &str, raw: RawTerm, zone: Zone) -> Result<Term, FilterError> {
    let typed = &input[raw.range.clone()];
    let span = char_index(input, raw.range.start)..char_index(input, raw.range.end);
    let fail = |message: String| FilterError {
        column: span.start + 1,
        term: typed.to_string(),
        message,
    };
    let predicate = match raw.body {
        Body::Text { text, quoted } => {
            if let Some(problem) = raw.problem {
                return Err(fail(problem_message(problem, typed, "")));
            }
            if text.is_empty() {
                return Err(fail(format!("nothing to search for in '{typed}'")));
            }
            if !quoted && text.eq_ignore_ascii_case("failed") {
                Predicate::Failed
            } else if !quoted && text.eq_ignore_ascii_case("ok") {
                Predicate::Ok
            } else {
                Predicate::Text(text.to_lowercase())
            }
        }
        Body::KeyValue { key, alts } => {
            let key = &input[key];
            let kind = key_kind(key, typed).map_err(&fail)?;
            if let Some(problem) = raw.problem {
                return Err(fail(problem_message(problem, typed, key)));
            }
            if alts.iter().any(|alt| alt.text.is_empty()) {
                return Err(fail(format!("empty value in '{typed}'")));
            }
            let single = || match alts.as_slice() {
                [alt] => Ok(alt.text.as_str()),
                _ => Err(fail(format!(
                    "'{}' takes one value, not alternatives, in '{typed}'",
                    key.to_ascii_lowercase()
                ))),
            };
            let date = |text: &str, end_of_day| {
                parse_time_in(text, zone, end_of_day).ok_or_else(|| {
                    fail(format!(
                        "cannot read date '{text}' in '{typed}' \
                         (try 2025-07-07, 2025-07-07T12:00 or 2025-07-07T12:00:00+02:00)"
                    ))
                })
            };
            match kind {
                KeyKind::Field(field) => Predicate::Field {
                    field,
                    values: alts.into_iter().map(|alt| alt.text).collect(),
                },
                KeyKind::Since => Predicate::Since(date(single()?, false)?),
                KeyKind::Until => Predicate::Until(date(single()?, true)?),
                KeyKind::Last => {
                    let text = single()?;
                    Predicate::Last(parse_duration(text).ok_or_else(|| {
                        fail(format!(
                            "cannot read duration '{text}' in '{typed}' (try 90s, 15m, 1h30m, 2d or 1w)"
                        ))
                    })?)
                }
            }
        }
    };
    Ok(Term {
        negated: raw.negated,
        predicate,
        span,
    })
}

fn key_kind(key: &str, typed: &str) -> Result<KeyKind, String> {
    if key.is_empty() {
        return Err(format!(
            "missing key before ':' in '{typed}' (quote text that contains ':')"
        ));
    }
    let lower = key.to_ascii_lowercase();
    match lower.as_str() {
        "since" => Ok(KeyKind::Since),
        "until" => Ok(KeyKind::Until),
        "last" => Ok(KeyKind::Last),
        "failed" | "ok" => Err(format!(
            "'{lower}' takes no value in '{typed}'; write '{lower}' or '-{lower}'"
        )),
        _ => Field::from_key(key)
            .map(KeyKind::Field)
            .ok_or_else(|| match suggest(key) {
                Some(close) => {
                    format!("unknown key '{key}' in '{typed}' (did you mean '{close}'?)")
                }
                None => format!(
                    "unknown key '{key}' in '{typed}' (keys: {}; quote text that contains ':')",
                    keys().collect::<Vec<_>>().join(", ")
                ),
            }),
    }
}

fn problem_message(problem: Problem, typed: &str, key: &str) -> String {
    match problem {
        Problem::Unterminated => format!("missing closing '\"' in '{typed}'"),
        Problem::LoneDash => "'-' must be followed by the term to negate, as in '-tool:x'".into(),
        Problem::StrayPipe => {
            "'|' must follow a key's value, as in 'tool:a|b' (quote text that contains '|')".into()
        }
        Problem::StrayQuote => {
            format!("unexpected '\"' in '{typed}' (quote the whole value, as in 'user:\"a b\"')")
        }
        Problem::MissingValue => {
            format!("missing value after '{key}:' in '{typed}' (write it right after the ':')")
        }
        Problem::EmptyAlternative => format!("empty alternative after '|' in '{typed}'"),
    }
}

/// The key a typo most likely meant (`uesr` → `user`, `pat` → `patient`).
fn suggest(key: &str) -> Option<&'static str> {
    closest(&key.to_lowercase(), keys())
}

fn char_index(input: &str, byte: usize) -> usize {
    input[..byte].chars().count()
}

// ---------------------------------------------------------------- times

/// Reads the timestamps logs and users write: `2025-07-07`, `2025-07-07T12:00`,
/// `2025-07-07 12:00:00.123`, each optionally followed by `Z`, `+02:00`, `+0200`
/// or `+02`. Naive times are UTC. Digits past microseconds are truncated.
pub fn parse_timestamp(text: &str) -> Option<Timestamp> {
    let s = text.trim().as_bytes();
    let number = |at: usize, len: usize| -> Option<u32> {
        let digits = s.get(at..at + len)?;
        digits
            .iter()
            .all(u8::is_ascii_digit)
            .then(|| digits.iter().fold(0, |n, d| n * 10 + u32::from(d - b'0')))
    };
    if s.get(4) != Some(&b'-') || s.get(7) != Some(&b'-') {
        return None;
    }
    let year = i32::try_from(number(0, 4)?).ok()?;
    let date = NaiveDate::from_ymd_opt(year, number(5, 2)?, number(8, 2)?)?;
    if s.len() == 10 {
        return Some(date.and_time(NaiveTime::MIN).and_utc().timestamp_micros());
    }

    if !matches!(s[10], b'T' | b't' | b' ') || s.get(13) != Some(&b':') {
        return None;
    }
    let (hour, minute) = (number(11, 2)?, number(14, 2)?);
    let mut at = 16;
    let (mut second, mut micros) = (0, 0);
    if s.get(at) == Some(&b':') {
        second = number(at + 1, 2)?;
        at += 3;
        if matches!(s.get(at), Some(b'.' | b',')) {
            at += 1;
            let digits = s[at..].iter().take_while(|b| b.is_ascii_digit()).count();
            if digits == 0 {
                return None;
            }
            let kept = digits.min(6);
            micros = number(at, kept)? * 10u32.pow(6 - kept as u32);
            at += digits;
        }
    }
    let time = NaiveTime::from_hms_micro_opt(hour, minute, second, micros)?;

    let offset_seconds = match s.get(at) {
        None => 0,
        Some(b'Z' | b'z') if at + 1 == s.len() => 0,
        Some(&sign @ (b'+' | b'-')) => {
            let hours = number(at + 1, 2)?;
            at += 3;
            let minutes = match s.get(at) {
                None => 0,
                Some(b':') => number(at + 1, 2)?,
                Some(_) => number(at, 2)?,
            };
            let width = match s.get(at) {
                None => 0,
                Some(b':') => 3,
                Some(_) => 2,
            };
            if at + width != s.len() || hours > 23 || minutes > 59 {
                return None;
            }
            let seconds = i64::from(hours * 3600 + minutes * 60);
            if sign == b'-' { -seconds } else { seconds }
        }
        Some(_) => return None,
    };
    Some(date.and_time(time).and_utc().timestamp_micros() - offset_seconds * 1_000_000)
}

/// How a typed time without an offset is read: in UTC (the CLI, and the
/// browser showing UTC) or in the local zone the browser shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Zone {
    #[default]
    Utc,
    Local,
}

impl Zone {
    /// The instant that the wall-clock time `naive` (read as if UTC) names
    /// in this zone; in a repeated local hour, the earlier one.
    fn resolve(self, naive: Timestamp) -> Option<Timestamp> {
        match self {
            Zone::Utc => Some(naive),
            Zone::Local => {
                let wall = DateTime::from_timestamp_micros(naive)?.naive_utc();
                let local = chrono::Local.from_local_datetime(&wall).earliest()?;
                Some(local.timestamp_micros())
            }
        }
    }
}

const DAY: Timestamp = 86_400_000_000;

/// A time a person typed: with an offset, that instant; without one, read
/// in `zone`. A date alone is the start of that day, or with `end_of_day`
/// (the end of a range, which includes it) its last microsecond.
pub fn parse_time_in(text: &str, zone: Zone, end_of_day: bool) -> Option<Timestamp> {
    let text = text.trim();
    let micros = parse_timestamp(text)?;
    // Past the date only an offset has a sign or a `Z`.
    if text[10..].contains(['+', '-', 'Z', 'z']) {
        return Some(micros);
    }
    if end_of_day && text.len() == 10 {
        return Some(zone.resolve(micros.checked_add(DAY)?)? - 1);
    }
    zone.resolve(micros)
}

/// The canonical form [`parse_timestamp`] reads back: RFC 3339 in UTC with a
/// fraction only when needed. Instants outside years 0–9999, which the parser
/// never produces, print as raw microseconds.
pub fn format_timestamp(micros: Timestamp) -> String {
    DateTime::from_timestamp_micros(micros)
        .filter(|time| (0..=9999).contains(&time.year()))
        .map_or_else(
            || micros.to_string(),
            |time| time.to_rfc3339_opts(SecondsFormat::AutoSi, true),
        )
}

/// Duration units, largest first, in microseconds.
const UNITS: [(&str, i64); 7] = [
    ("w", 7 * 86_400_000_000),
    ("d", 86_400_000_000),
    ("h", 3_600_000_000),
    ("m", 60_000_000),
    ("s", 1_000_000),
    ("ms", 1_000),
    ("us", 1),
];

/// Reads `90s`, `15m`, `1h30m`, `2d`, `1w`, `250ms`, `10us` into microseconds.
/// Units are lowercase so that `M` is never mistaken for months.
pub fn parse_duration(text: &str) -> Option<i64> {
    let mut rest = text.trim().as_bytes();
    if rest.is_empty() {
        return None;
    }
    let mut total: i64 = 0;
    while !rest.is_empty() {
        let digits = rest.iter().take_while(|b| b.is_ascii_digit()).count();
        let (number, tail) = rest.split_at(digits);
        let letters = tail.iter().take_while(|b| b.is_ascii_lowercase()).count();
        let (unit, tail) = tail.split_at(letters);
        if number.is_empty() {
            return None;
        }
        let count = number.iter().try_fold(0i64, |n, d| {
            n.checked_mul(10)?.checked_add(i64::from(d - b'0'))
        })?;
        let (_, scale) = UNITS.iter().find(|(name, _)| name.as_bytes() == unit)?;
        total = total.checked_add(count.checked_mul(*scale)?)?;
        rest = tail;
    }
    Some(total)
}

/// The canonical form [`parse_duration`] reads back (`1h30m`, `0s`).
pub fn format_duration(micros: i64) -> String {
    if micros == 0 {
        return "0s".into();
    }
    let mut out = String::new();
    if micros < 0 {
        out.push('-');
    }
    let mut left = micros.unsigned_abs();
    for (name, scale) in UNITS {
        let scale = scale.unsigned_abs();
        if left >= scale {
            out.push_str(&format!("{}{name}", left / scale));
            left %= scale;
        }
    }
    out
}

// ---------------------------------------------------------------- display

/// `value` as written after `key:`: bare when it reads back as one value, else
/// quoted. The TUI uses it to insert completions.
pub fn quote_value(value: &str) -> Cow<'_, str> {
    let bare = !value.is_empty()
        && !value
            .chars()
            .any(|c| c.is_whitespace() || matches!(c, '"' | '|'));
    if bare {
        Cow::Borrowed(value)
    } else {
        Cow::Owned(quoted(value))
    }
}

/// Free text as a term: quoted unless it would read back as the same bare word.
fn quote_text(text: &str) -> Cow<'_, str> {
    let bare = !text.is_empty()
        && !text.starts_with('-')
        && !text.eq_ignore_ascii_case("failed")
        && !text.eq_ignore_ascii_case("ok")
        && !text
            .chars()
            .any(|c| c.is_whitespace() || matches!(c, '"' | '|' | ':'));
    if bare {
        Cow::Borrowed(text)
    } else {
        Cow::Owned(quoted(text))
    }
}

fn quoted(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        if matches!(c, '"' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('"');
    out
}

impl fmt::Display for Predicate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Predicate::Field { field, values } => {
                write!(f, "{}:", field.key())?;
                for (n, value) in values.iter().enumerate() {
                    if n > 0 {
                        f.write_str("|")?;
                    }
                    f.write_str(&quote_value(value))?;
                }
                Ok(())
            }
            Predicate::Failed => f.write_str("failed"),
            Predicate::Ok => f.write_str("ok"),
            Predicate::Since(time) => write!(f, "since:{}", format_timestamp(*time)),
            Predicate::Until(time) => write!(f, "until:{}", format_timestamp(*time)),
            Predicate::Last(micros) => write!(f, "last:{}", format_duration(*micros)),
            Predicate::Text(text) => f.write_str(&quote_text(text)),
        }
    }
}

impl fmt::Display for Term {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.negated {
            f.write_str("-")?;
        }
        self.predicate.fmt(f)
    }
}

/// The canonical text: terms separated by one space, parsing back to an equal
/// filter (spans included) when the filter came from [`parse_filter`].
impl fmt::Display for Filter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (n, term) in self.terms.iter().enumerate() {
            if n > 0 {
                f.write_str(" ")?;
            }
            term.fmt(f)?;
        }
        Ok(())
    }
}

// ---------------------------------------------------------------- completion

/// What the user is typing at the cursor, for fuzzy completion in the TUI.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Completion {
    /// The key whose value is being typed; `None` while typing a key name.
    pub field: Option<Field>,
    /// What is typed so far, quotes and escapes resolved.
    pub prefix: String,
    /// Byte range to replace with the chosen value (through [`quote_value`]) or key.
    pub replace: Range<usize>,
}

/// Completion at byte offset `cursor`: inside or after a field's value (the
/// alternative after the last `|`), or a bare word that may become a key.
/// `None` for free text, time keys, unknown keys and between terms.
pub fn completion_at(input: &str, cursor: usize) -> Option<Completion> {
    // What is being typed is decided by the text before the cursor; the rest
    // of the line only says how far the replaced value reaches.
    let head = input.get(..cursor)?;
    let atoms = lex(head);
    let after_space = atoms.last()?.kind == AtomKind::Space;
    let term = structure(head, &atoms).pop()?;
    if matches!(
        term.problem,
        Some(Problem::StrayQuote | Problem::LoneDash | Problem::StrayPipe)
    ) {
        return None;
    }
    let whole = structure(input, &lex(input))
        .into_iter()
        .find(|t| t.range.start == term.range.start);
    match term.body {
        Body::Text {
            text,
            quoted: false,
        } if !after_space => {
            let start = term.range.end - text.len();
            let end = whole.and_then(|whole| match whole.body {
                Body::Text {
                    text,
                    quoted: false,
                } => Some(whole.range.start + usize::from(whole.negated) + text.len()),
                Body::KeyValue { key, .. } => Some(key.end),
                Body::Text { .. } => None,
            });
            Some(Completion {
                field: None,
                prefix: text,
                replace: start..end.unwrap_or(cursor).max(cursor),
            })
        }
        Body::KeyValue { key, mut alts } => {
            let field = Field::from_key(&head[key])?;
            let index = alts.len() - 1;
            let alt = alts.pop()?;
            let (prefix, start) = if alt.range.is_empty() {
                // After `:` or `|`; past spaces only `|` keeps the term open.
                if after_space && index == 0 {
                    return None;
                }
                (String::new(), cursor)
            } else if after_space {
                return None;
            } else {
                (alt.text, alt.range.start)
            };
            let end = whole.and_then(|whole| match whole.body {
                Body::KeyValue { alts, .. } => alts.get(index).map(|alt| alt.range.end),
                Body::Text { .. } => None,
            });
            Some(Completion {
                field: Some(field),
                prefix,
                replace: start..end.unwrap_or(cursor).max(cursor),
            })
        }
        Body::Text { .. } => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// 2025-07-07T00:00:00Z.
    const JULY_7: i64 = 1_751_846_400_000_000;
    const HOUR: i64 = 3_600_000_000;

    fn parse(input: &str) -> Filter {
        parse_filter(input).unwrap_or_else(|e| panic!("{input:?}: {e}"))
    }

    fn terms(input: &str) -> Vec<(bool, Predicate)> {
        parse(input)
            .terms
            .into_iter()
            .map(|t| (t.negated, t.predicate))
            .collect()
    }

    fn only(input: &str) -> Predicate {
        match terms(input).as_slice() {
            [(false, predicate)] => predicate.clone(),
            other => panic!("{input:?} gave {other:?}"),
        }
    }

    fn error(input: &str) -> FilterError {
        match parse_filter(input) {
            Err(e) => e,
            Ok(f) => panic!("{input:?} parsed as {f:?}"),
        }
    }

    fn field(field: Field, values: &[&str]) -> Predicate {
        Predicate::Field {
            field,
            values: values.iter().map(|v| v.to_string()).collect(),
        }
    }

    fn text(t: &str) -> Predicate {
        Predicate::Text(t.into())
    }

    // ------------------------------------------------------------ terms

    #[test]
    fn every_field_key_matches_its_field() {
        for f in Field::ALL {
            assert_eq!(only(&format!("{}:v1", f.key())), field(f, &["v1"]));
        }
        let keys: Vec<_> = Field::ALL.iter().map(|f| f.key()).collect();
        assert_eq!(
            keys,
            [
                "user", "patient", "tool", "conv", "model", "role", "purpose", "trigger", "ip"
            ]
        );
    }

    #[test]
    fn the_design_examples_parse() {
        assert_eq!(
            terms(
                "user:usr_123  patient:P-0007  tool:issue_refund  conv:conv_ab12  model:gpt-4.1 \
                 role:nurse  purpose:treatment  trigger:retry  ip:10.0.1.5"
            ),
            vec![
                (false, field(Field::User, &["usr_123"])),
                (false, field(Field::Patient, &["P-0007"])),
                (false, field(Field::Tool, &["issue_refund"])),
                (false, field(Field::Conversation, &["conv_ab12"])),
                (false, field(Field::Model, &["gpt-4.1"])),
                (false, field(Field::Role, &["nurse"])),
                (false, field(Field::Purpose, &["treatment"])),
                (false, field(Field::Trigger, &["retry"])),
                (false, field(Field::Ip, &["10.0.1.5"])),
            ]
        );
    }

    #[test]
    fn keys_are_case_insensitive_but_values_are_exact() {
        assert_eq!(only("USER:Usr_123"), field(Field::User, &["Usr_123"]));
        assert_eq!(only("Conv:A"), field(Field::Conversation, &["A"]));
        assert_eq!(only("Since:2025-07-07"), Predicate::Since(JULY_7));
    }

    #[test]
    fn values_may_contain_colons_and_dashes() {
        assert_eq!(only("ip:fe80::1"), field(Field::Ip, &["fe80::1"]));
        assert_eq!(
            only("model:openai:gpt-4.1"),
            field(Field::Model, &["openai:gpt-4.1"])
        );
        assert_eq!(only("user:-x"), field(Field::User, &["-x"]));
    }

    #[test]
    fn failed_and_ok_are_keywords_only_when_bare_and_whole() {
        assert_eq!(only("failed"), Predicate::Failed);
        assert_eq!(only("OK"), Predicate::Ok);
        assert_eq!(only("failedX"), text("failedx"));
        assert_eq!(only("okay"), text("okay"));
        assert_eq!(only("\"failed\""), text("failed"));
    }

    #[test]
    fn terms_are_anded_in_order() {
        assert_eq!(
            terms("user:a tool:b failed refund"),
            vec![
                (false, field(Field::User, &["a"])),
                (false, field(Field::Tool, &["b"])),
                (false, Predicate::Failed),
                (false, text("refund")),
            ]
        );
    }

    #[test]
    fn tabs_and_unicode_spaces_separate_terms() {
        assert_eq!(
            terms(" user:a\t\ttool:b \u{3000}x\n"),
            vec![
                (false, field(Field::User, &["a"])),
                (false, field(Field::Tool, &["b"])),
                (false, text("x")),
            ]
        );
    }

    #[test]
    fn empty_input_is_an_empty_filter() {
        assert!(parse("").is_empty());
        assert!(parse(" \t ").is_empty());
        assert!(!parse("x").is_empty());
    }

    #[test]
    fn bar_ors_values_of_one_key() {
        assert_eq!(
            only("tool:get_order|get_customer"),
            field(Field::Tool, &["get_order", "get_customer"])
        );
    }

    #[test]
    fn bar_may_have_spaces_around_it() {
        let filter = parse("tool:a | b |c failed");
        assert_eq!(
            filter.terms[0].predicate,
            field(Field::Tool, &["a", "b", "c"])
        );
        assert_eq!(filter.terms[0].span, 0..13);
        assert_eq!(filter.terms[1].predicate, Predicate::Failed);
    }

    #[test]
    fn dash_negates_any_term() {
        assert_eq!(
            terms("-tool:x|y -failed -ok -\"some text\" -word -since:2025-07-07 -last:1h"),
            vec![
                (true, field(Field::Tool, &["x", "y"])),
                (true, Predicate::Failed),
                (true, Predicate::Ok),
                (true, text("some text")),
                (true, text("word")),
                (true, Predicate::Since(JULY_7)),
                (true, Predicate::Last(HOUR)),
            ]
        );
    }

    #[test]
    fn double_dash_negates_text_starting_with_dash() {
        assert_eq!(terms("--x"), vec![(true, text("-x"))]);
    }

    #[test]
    fn quoted_values_keep_spaces_and_bars() {
        assert_eq!(only("user:\"a b\""), field(Field::User, &["a b"]));
        assert_eq!(
            only("tool:\"a b\"|c|\"d|e\""),
            field(Field::Tool, &["a b", "c", "d|e"])
        );
    }

    #[test]
    fn backslash_escapes_quotes_and_itself_inside_quotes() {
        assert_eq!(only(r#""say \"hi\"""#), text("say \"hi\""));
        assert_eq!(only(r#"user:"a\\b""#), field(Field::User, &[r"a\b"]));
        assert_eq!(only(r#""c:\dir""#), text(r"c:\dir"));
        assert_eq!(only(r"c\d"), text(r"c\d"));
    }

    #[test]
    fn free_text_is_lowercased() {
        assert_eq!(only("Refund"), text("refund"));
        assert_eq!(only("\"Free TEXT\""), text("free text"));
        assert_eq!(only("ÉCHEC"), text("échec"));
    }

    #[test]
    fn quoted_text_may_contain_colons() {
        assert_eq!(only("\"http://example.com\""), text("http://example.com"));
        assert_eq!(only("\"usr:x\""), text("usr:x"));
    }

    #[test]
    fn spans_are_char_columns_including_the_dash() {
        let filter = parse("é -tool:x \"a b\"");
        let spans: Vec<_> = filter.terms.iter().map(|t| t.span.clone()).collect();
        assert_eq!(spans, [0..1, 2..9, 10..15]);
    }

    #[test]
    fn filter_parses_from_str_for_the_cli() {
        let filter: Filter = "tool:x".parse().unwrap();
        assert_eq!(filter, parse("tool:x"));
        assert!("usr:x".parse::<Filter>().is_err());
    }

    // ------------------------------------------------------------ times

    #[test]
    fn since_and_until_take_dates_and_times_as_utc() {
        assert_eq!(only("since:2025-07-07"), Predicate::Since(JULY_7));
        assert_eq!(
            only("until:2025-07-07T12:00"),
            Predicate::Until(JULY_7 + 12 * HOUR)
        );
        assert_eq!(
            only("since:\"2025-07-07 12:00\""),
            Predicate::Since(JULY_7 + 12 * HOUR)
        );
    }

    #[test]
    fn since_after_until_is_not_an_error() {
        assert_eq!(
            terms("since:2025-07-08 until:2025-07-07T00:00"),
            vec![
                (false, Predicate::Since(JULY_7 + 24 * HOUR)),
                (false, Predicate::Until(JULY_7)),
            ]
        );
    }

    #[test]
    fn a_date_alone_in_until_includes_that_whole_day() {
        assert_eq!(
            terms("since:2025-07-07 until:2025-07-07"),
            vec![
                (false, Predicate::Since(JULY_7)),
                (false, Predicate::Until(JULY_7 + 24 * HOUR - 1)),
            ]
        );
        assert_eq!(
            only("until:2025-07-07T00:00"),
            Predicate::Until(JULY_7),
            "a time is the time"
        );
    }

    #[test]
    fn times_without_an_offset_are_read_in_the_zone_asked_for() {
        let local = |text| parse_time_in(text, Zone::Local, false).unwrap();
        let expected = chrono::Local
            .with_ymd_and_hms(2025, 7, 7, 12, 0, 0)
            .earliest()
            .unwrap()
            .timestamp_micros();
        assert_eq!(local("2025-07-07T12:00"), expected);
        assert_eq!(local("2025-07-07T12:00Z"), JULY_7 + 12 * HOUR);
        assert_eq!(local("2025-07-07T14:00+02:00"), JULY_7 + 12 * HOUR);
    }

    #[test]
    fn timestamps_with_offsets_are_converted_to_utc() {
        let ten = JULY_7 + 10 * HOUR;
        assert_eq!(parse_timestamp("2025-07-07T12:00:00+02:00"), Some(ten));
        assert_eq!(parse_timestamp("2025-07-07T12:00:00+0200"), Some(ten));
        assert_eq!(parse_timestamp("2025-07-07T12:00+02"), Some(ten));
        assert_eq!(parse_timestamp("2025-07-07T10:00:00Z"), Some(ten));
        assert_eq!(parse_timestamp("2025-07-07t10:00:00z"), Some(ten));
        assert_eq!(parse_timestamp("2025-07-07T10:00:00-00:00"), Some(ten));
        assert_eq!(parse_timestamp("2025-07-07T04:30:00-05:30"), Some(ten));
    }

    #[test]
    fn timestamps_keep_fractions_to_the_microsecond() {
        let noon = JULY_7 + 12 * HOUR;
        assert_eq!(
            parse_timestamp("2025-07-07T12:00:00.123"),
            Some(noon + 123_000)
        );
        assert_eq!(
            parse_timestamp("2025-07-07T12:00:00,5Z"),
            Some(noon + 500_000)
        );
        assert_eq!(
            parse_timestamp("2025-07-07T12:00:00.123456+00:00"),
            Some(noon + 123_456)
        );
        assert_eq!(
            parse_timestamp("2025-07-07T12:00:00.123456789Z"),
            Some(noon + 123_456)
        );
        assert_eq!(parse_timestamp("2025-07-07 12:00"), Some(noon));
        assert_eq!(parse_timestamp("  2025-07-07  "), Some(JULY_7));
        assert_eq!(parse_timestamp("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(parse_timestamp("1969-12-31T23:59:59.999999Z"), Some(-1));
    }

    #[test]
    fn malformed_timestamps_are_rejected() {
        for bad in [
            "",
            "2025",
            "2025-13-01",
            "2025-02-30",
            "2025-7-7",
            "2025-07-07T25:00",
            "2025-07-07T12:60",
            "2025-07-07T12:00:60",
            "2025-07-07T12",
            "2025-07-07T12:00:00.",
            "2025-07-07T12:00+24:00",
            "2025-07-07T12:00+02:60",
            "2025-07-07T12:00:00+02:00x",
            "2025-07-07Z",
            "2025-07-07T12:00Zx",
            "2025-07-07X12:00",
            "12:00",
            "yesterday",
            "२०२५-07-07",
            "2025-07-07T12:00:00.1é",
        ] {
            assert_eq!(parse_timestamp(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn timestamps_format_as_rfc3339_utc_with_a_fraction_only_when_needed() {
        assert_eq!(format_timestamp(JULY_7 + 10 * HOUR), "2025-07-07T10:00:00Z");
        assert_eq!(
            format_timestamp(JULY_7 + 500_000),
            "2025-07-07T00:00:00.500Z"
        );
        assert_eq!(format_timestamp(JULY_7 + 7), "2025-07-07T00:00:00.000007Z");
        assert_eq!(format_timestamp(i64::MAX), i64::MAX.to_string());
    }

    #[test]
    fn durations_add_up_their_units() {
        for (input, micros) in [
            ("90s", 90_000_000),
            ("15m", 15 * 60_000_000),
            ("1h", HOUR),
            ("2d", 48 * HOUR),
            ("1w", 7 * 24 * HOUR),
            ("1h30m", HOUR * 3 / 2),
            ("250ms", 250_000),
            ("10us", 10),
            ("0s", 0),
        ] {
            assert_eq!(parse_duration(input), Some(micros), "{input}");
        }
        assert_eq!(only("last:1h"), Predicate::Last(HOUR));
    }

    #[test]
    fn malformed_durations_are_rejected() {
        for bad in [
            "",
            "1",
            "h",
            "1H",
            "1M",
            "1.5h",
            "1y",
            "-1h",
            "1h 30m",
            "h1",
            "1hh",
            "99999999999999999999s",
            "9999999999999w",
            "1µs",
        ] {
            assert_eq!(parse_duration(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn durations_format_in_largest_units() {
        assert_eq!(format_duration(HOUR * 3 / 2), "1h30m");
        assert_eq!(format_duration(0), "0s");
        assert_eq!(format_duration(8 * 24 * HOUR + 1_001), "1w1d1ms1us");
    }

    // ------------------------------------------------------------ errors

    #[test]
    fn unknown_key_suggests_the_closest() {
        let e = error("tool:x usr:x");
        assert_eq!((e.column, e.term.as_str()), (8, "usr:x"));
        assert_eq!(
            e.to_string(),
            "column 8: unknown key 'usr' in 'usr:x' (did you mean 'user'?)"
        );
        for (typo, meant) in [
            ("uesr", "user"),
            ("Tol", "tool"),
            ("pateint", "patient"),
            ("conversation", "conv"),
            ("conversation_id", "conv"),
            ("tool_name", "tool"),
            ("sinse", "since"),
            ("untill", "until"),
            ("trig", "trigger"),
        ] {
            let message = error(&format!("{typo}:x")).message;
            assert!(
                message.contains(&format!("did you mean '{meant}'?")),
                "{typo}: {message}"
            );
        }
    }

    #[test]
    fn unknown_key_without_a_close_match_lists_the_keys() {
        let e = error("http://example.com");
        assert_eq!(e.column, 1);
        assert!(e.message.starts_with("unknown key 'http'"), "{}", e.message);
        assert!(
            e.message.contains("keys: user, patient, tool"),
            "{}",
            e.message
        );
        assert!(e.message.contains("quote text"), "{}", e.message);
    }

    #[test]
    fn keywords_take_no_value() {
        let e = error("a failed:yes");
        assert_eq!((e.column, e.term.as_str()), (3, "failed:yes"));
        assert!(
            e.message.contains("'failed' takes no value"),
            "{}",
            e.message
        );
    }

    #[test]
    fn colon_without_a_key_is_an_error() {
        let e = error(":x");
        assert_eq!(e.column, 1);
        assert!(
            e.message.starts_with("missing key before ':'"),
            "{}",
            e.message
        );
    }

    #[test]
    fn key_without_a_value_is_an_error() {
        let e = error("a user:");
        assert_eq!((e.column, e.term.as_str()), (3, "user:"));
        assert!(
            e.message.starts_with("missing value after 'user:'"),
            "{}",
            e.message
        );
        assert_eq!(error("user: x").column, 1);
        assert!(
            error("tool:|a")
                .message
                .starts_with("missing value after 'tool:'")
        );
        assert!(error("user:\"\"").message.starts_with("empty value"));
    }

    #[test]
    fn empty_alternative_is_an_error() {
        for (input, term) in [
            ("tool:a|", "tool:a|"),
            ("tool:a||b", "tool:a||b"),
            ("tool:a | ", "tool:a |"),
            ("tool:a|\"\"", "tool:a|\"\""),
        ] {
            let e = error(&format!("x {input}"));
            assert_eq!((e.column, e.term.as_str()), (3, term), "{input}");
            assert!(
                e.message.contains("empty alternative") || e.message.contains("empty value"),
                "{input}: {}",
                e.message
            );
        }
    }

    #[test]
    fn unbalanced_quote_is_an_error() {
        let e = error("x \"abc d");
        assert_eq!((e.column, e.term.as_str()), (3, "\"abc d"));
        assert_eq!(e.message, "missing closing '\"' in '\"abc d'");
        assert_eq!(error("user:\"a b").column, 1);
        assert_eq!(error("tool:a|\"b").column, 1);
        assert_eq!(error(r#""a\""#).column, 1);
        assert_eq!(error("-\"").column, 1);
    }

    #[test]
    fn lone_dash_is_an_error() {
        let e = error("a - b");
        assert_eq!((e.column, e.term.as_str()), (3, "-"));
        assert!(e.message.contains("'-' must be followed"), "{}", e.message);
        assert_eq!(error("-").column, 1);
        assert_eq!(error("- tool:x").column, 1);
    }

    #[test]
    fn bar_outside_a_key_is_an_error() {
        let e = error("failed | ok");
        assert_eq!((e.column, e.term.as_str()), (8, "|"));
        assert!(
            e.message.contains("'|' must follow a key's value"),
            "{}",
            e.message
        );
        assert_eq!(error("a|b").column, 2);
        assert_eq!(error("|").column, 1);
        assert_eq!(error("\"a\"|b").column, 4);
    }

    #[test]
    fn quote_inside_a_word_is_an_error() {
        for (input, column, term) in [
            ("ab\"c d\"", 1, "ab\"c d\""),
            ("x \"a\"b", 3, "\"a\"b"),
            ("user:a\"b\"", 1, "user:a\"b\""),
            ("user:\"a\"b", 1, "user:\"a\"b"),
            ("-tool:a|b\"c\"", 1, "-tool:a|b\"c\""),
        ] {
            let e = error(input);
            assert_eq!((e.column, e.term.as_str()), (column, term), "{input}");
            assert!(e.message.starts_with("unexpected '\"'"), "{}", e.message);
        }
    }

    #[test]
    fn empty_quotes_are_an_error() {
        let e = error("a \"\"");
        assert_eq!(e.column, 3);
        assert!(
            e.message.starts_with("nothing to search for"),
            "{}",
            e.message
        );
    }

    #[test]
    fn unreadable_dates_and_durations_are_errors() {
        let e = error("tool:x since:2025-13-01");
        assert_eq!((e.column, e.term.as_str()), (8, "since:2025-13-01"));
        assert!(
            e.message.starts_with("cannot read date '2025-13-01'"),
            "{}",
            e.message
        );
        assert!(
            error("until:yesterday")
                .message
                .starts_with("cannot read date")
        );
        let e = error("x -last:1y");
        assert_eq!((e.column, e.term.as_str()), (3, "-last:1y"));
        assert!(
            e.message.starts_with("cannot read duration '1y'"),
            "{}",
            e.message
        );
        assert!(
            error("last:-1h")
                .message
                .starts_with("cannot read duration")
        );
    }

    #[test]
    fn time_keys_take_one_value() {
        let e = error("since:2025-07-06|2025-07-07");
        assert_eq!(e.column, 1);
        assert!(
            e.message.contains("'since' takes one value"),
            "{}",
            e.message
        );
        assert!(
            error("LAST:1h|2h")
                .message
                .contains("'last' takes one value")
        );
    }

    #[test]
    fn the_first_bad_term_is_reported() {
        assert_eq!(error("usr:x tol:y").term, "usr:x");
    }

    #[test]
    fn columns_count_chars_not_bytes() {
        let e = error("ünïcödé usr:x");
        assert_eq!(e.column, 9);
        assert_eq!(error("日本 \"x").column, 4);
    }

    #[test]
    fn filter_error_is_a_std_error() {
        let e: Box<dyn std::error::Error> = Box::new(error("usr:x"));
        assert!(e.to_string().starts_with("column 1: "));
    }

    // ------------------------------------------------------------ completion

    fn complete(input: &str, cursor: usize) -> Option<(Option<Field>, String, Range<usize>)> {
        completion_at(input, cursor).map(|c| (c.field, c.prefix, c.replace))
    }

    #[test]
    fn completes_a_value_right_after_the_colon() {
        assert_eq!(
            complete("user:", 5),
            Some((Some(Field::User), "".into(), 5..5))
        );
        assert_eq!(
            complete("a -TOOL:", 8),
            Some((Some(Field::Tool), "".into(), 8..8))
        );
    }

    #[test]
    fn completes_a_partial_value() {
        assert_eq!(
            complete("tool:get_o", 10),
            Some((Some(Field::Tool), "get_o".into(), 5..10))
        );
        assert_eq!(
            complete("-ip:10.0", 8),
            Some((Some(Field::Ip), "10.0".into(), 4..8))
        );
    }

    #[test]
    fn completion_inside_a_value_replaces_the_whole_value() {
        assert_eq!(
            complete("tool:get_order failed", 8),
            Some((Some(Field::Tool), "get".into(), 5..14))
        );
    }

    #[test]
    fn completes_the_alternative_after_the_last_bar() {
        assert_eq!(
            complete("tool:a|ge", 9),
            Some((Some(Field::Tool), "ge".into(), 7..9))
        );
        assert_eq!(
            complete("tool:a|", 7),
            Some((Some(Field::Tool), "".into(), 7..7))
        );
        assert_eq!(
            complete("tool:a | ", 9),
            Some((Some(Field::Tool), "".into(), 9..9))
        );
        assert_eq!(
            complete("tool:a | ge x", 11),
            Some((Some(Field::Tool), "ge".into(), 9..11))
        );
        assert_eq!(
            complete("tool:a|get_order", 9),
            Some((Some(Field::Tool), "ge".into(), 7..16))
        );
    }

    #[test]
    fn completes_quoted_values_with_their_quotes() {
        assert_eq!(
            complete("user:\"a b", 9),
            Some((Some(Field::User), "a b".into(), 5..9))
        );
        assert_eq!(
            complete("user:\"a b\" x", 8),
            Some((Some(Field::User), "a ".into(), 5..10))
        );
    }

    #[test]
    fn completes_key_names_while_typing_a_word() {
        assert_eq!(complete("us", 2), Some((None, "us".into(), 0..2)));
        assert_eq!(complete("x -pat", 6), Some((None, "pat".into(), 3..6)));
        assert_eq!(complete("user:x", 2), Some((None, "us".into(), 0..4)));
        assert_eq!(complete("refund x", 3), Some((None, "ref".into(), 0..6)));
    }

    #[test]
    fn no_completion_where_nothing_is_being_typed_into_a_field() {
        for (input, cursor) in [
            ("", 0),
            ("user:x ", 7),
            ("tool: ", 6),
            ("x ", 2),
            ("\"free", 5),
            ("-\"free", 6),
            ("since:2025", 10),
            ("last:1", 6),
            ("usr:x", 5),
            ("ab\"c", 4),
            ("ab\"c\"d", 6),
            ("-", 1),
            ("a |", 3),
            ("é", 1),
            ("abc", 4),
        ] {
            assert_eq!(complete(input, cursor), None, "{input:?} at {cursor}");
        }
    }

    // ------------------------------------------------------------ display

    #[test]
    fn display_is_the_canonical_form() {
        let filter = parse(
            "USER:a  tool:b | c\t-\"Hello World\" FAILED since:2025-07-07T12:00+02:00 last:90m",
        );
        assert_eq!(
            filter.to_string(),
            "user:a tool:b|c -\"hello world\" failed since:2025-07-07T10:00:00Z last:1h30m"
        );
    }

    #[test]
    fn display_quotes_values_that_need_it() {
        let predicate = field(Field::User, &["a b", "x\"y", "p|q", r"c:\d", "-e"]);
        assert_eq!(predicate.to_string(), r#"user:"a b"|"x\"y"|"p|q"|c:\d|-e"#);
        assert_eq!(quote_value("a\tb"), "\"a\\tb\"".replace("\\t", "\t"));
        assert_eq!(quote_value(""), "\"\"");
    }

    #[test]
    fn display_quotes_text_that_would_read_as_something_else() {
        for (t, shown) in [
            ("failed", "\"failed\""),
            ("ok", "\"ok\""),
            ("a:b", "\"a:b\""),
            ("-x", "\"-x\""),
            ("a|b", "\"a|b\""),
            (r"a\b", r"a\b"),
            ("plain", "plain"),
        ] {
            assert_eq!(text(t).to_string(), shown);
            assert_eq!(only(shown), text(t));
        }
    }

    // ------------------------------------------------------------ properties

    fn any_value() -> impl Strategy<Value = String> {
        prop_oneof![
            "[a-zA-Z0-9_ :|\"\\\\.-]{1,10}",
            any::<String>().prop_filter("non-empty", |s| !s.is_empty()),
        ]
    }

    fn any_text() -> impl Strategy<Value = String> {
        any_value()
            .prop_map(|s| s.to_lowercase())
            .prop_filter("lowercase is stable", |s| *s == s.to_lowercase())
    }

    /// Years 0000 to 9999, the range RFC 3339 can write.
    fn any_timestamp() -> impl Strategy<Value = i64> {
        -62_167_219_200_000_000i64..=253_402_300_799_999_999
    }

    fn any_predicate() -> impl Strategy<Value = Predicate> {
        prop_oneof![
            (
                proptest::sample::select(Field::ALL.to_vec()),
                proptest::collection::vec(any_value(), 1..4)
            )
                .prop_map(|(field, values)| Predicate::Field { field, values }),
            Just(Predicate::Failed),
            Just(Predicate::Ok),
            any_timestamp().prop_map(Predicate::Since),
            any_timestamp().prop_map(Predicate::Until),
            (0..=i64::MAX).prop_map(Predicate::Last),
            any_text().prop_map(Predicate::Text),
        ]
    }

    /// A filter whose spans are where its canonical text puts each term.
    fn any_filter() -> impl Strategy<Value = Filter> {
        proptest::collection::vec((any::<bool>(), any_predicate()), 0..6).prop_map(|terms| {
            let mut column = 0;
            let terms = terms
                .into_iter()
                .map(|(negated, predicate)| {
                    let mut term = Term {
                        negated,
                        predicate,
                        span: 0..0,
                    };
                    let width = term.to_string().chars().count();
                    term.span = column..column + width;
                    column += width + 1;
                    term
                })
                .collect();
            Filter { terms }
        })
    }

    proptest! {
        #[test]
        fn display_then_parse_is_the_identity(filter in any_filter()) {
            prop_assert_eq!(parse_filter(&filter.to_string()), Ok(filter));
        }

        #[test]
        fn canonical_form_is_stable(input in "[a-z:|\"\\\\ -]{0,24}|\\PC{0,24}") {
            if let Ok(first) = parse_filter(&input) {
                let again = parse_filter(&first.to_string()).expect("canonical form parses");
                let strip = |f: &Filter| -> Vec<(bool, Predicate)> {
                    f.terms.iter().map(|t| (t.negated, t.predicate.clone())).collect()
                };
                prop_assert_eq!(strip(&again), strip(&first));
            }
        }

        #[test]
        fn no_input_or_cursor_panics(input in any::<String>(), cursor in 0usize..40) {
            let _ = parse_filter(&input);
            let _ = completion_at(&input, cursor);
            let _ = parse_timestamp(&input);
            let _ = parse_duration(&input);
        }

        #[test]
        fn completion_replaces_a_range_inside_the_input(
            input in "[a-z:|\" -]{0,16}",
            cursor in 0usize..17,
        ) {
            if let Some(c) = completion_at(&input, cursor) {
                prop_assert!(c.replace.start <= cursor && cursor <= c.replace.end);
                prop_assert!(c.replace.end <= input.len());
            }
        }

        #[test]
        fn timestamps_round_trip(micros in any_timestamp()) {
            prop_assert_eq!(parse_timestamp(&format_timestamp(micros)), Some(micros));
        }

        #[test]
        fn durations_round_trip(micros in 0..=i64::MAX) {
            prop_assert_eq!(parse_duration(&format_duration(micros)), Some(micros));
        }
    }
}
