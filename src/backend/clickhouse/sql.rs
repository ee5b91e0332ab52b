//! The filter language compiled to a ClickHouse `WHERE` condition over the
//! entries table, with the in-memory store's semantics (src/store/query.rs):
//!
//! - `key:a|b` is `column IN ('a', 'b')`: exact, and an absent field (stored
//!   as the empty string, which no filter value can be) matches nothing, so
//!   its negation matches;
//! - `since:`/`until:` are inclusive, and rows whose time could not be read
//!   (stored as `i64::MIN`) match no time term; `last:D` is `since:` the
//!   newest entry's time minus D, the caller asking the database for "newest";
//! - `failed`/`ok` match only entries that logged `success`;
//! - free text is a case-insensitive substring of the raw line: ASCII
//!   needles fold ASCII case only (`positionCaseInsensitive`), other needles
//!   become a regular expression that accepts, for each needle character,
//!   every character that lowercases to it (see [`unicode_pattern`]).
//!
//! Values reach SQL only as escaped string literals ([`string_literal`]:
//! backslash before `\` and `'`; every other byte, newline and NUL included,
//! stands for itself inside quotes, so no value can end a literal early);
//! numbers are formatted from integers. The SQL uses nothing newer than
//! ClickHouse 18.16 understands.

pub use super::client::string_literal;
use crate::filter::{Field, Filter, Predicate, Term};
use crate::time::Timestamp;
use std::collections::HashMap;
use std::sync::OnceLock;

/// The timestamp column's value for an entry whose time could not be read.
pub const NO_TIME: Timestamp = i64::MIN;

/// The entries table's column holding a [`Field`].
pub fn field_column(field: Field) -> &'static str {
    match field {
        Field::User => "user",
        Field::Patient => "patient",
        Field::Tool => "tool",
        Field::Conversation => "conversation",
        Field::Model => "model",
        Field::Role => "role",
        Field::Purpose => "purpose",
        Field::Trigger => "trigger",
        Field::Ip => "ip",
    }
}

/// Microseconds since the epoch; [`NO_TIME`] when unreadable.
pub const TIME_COLUMN: &str = "ts";
/// 1 when the entry logged success, 0 when it logged failure, else neither.
pub const SUCCESS_COLUMN: &str = "success";
/// The original line, byte for byte.
pub const LINE_COLUMN: &str = "raw";

/// The condition selecting the rows `filter` selects; `newest` is the
/// newest readable timestamp in the table (`None` when there is none), which
/// `last:` counts back from. An empty filter is `1`.
pub fn condition(filter: &Filter, newest: Option<Timestamp>) -> String {
    if filter.terms.is_empty() {
        return "1".into();
    }
    filter
        .terms
        .iter()
        .map(|term| term_condition(term, newest))
        .collect::<Vec<_>>()
        .join(" AND ")
}

fn term_condition(term: &Term, newest: Option<Timestamp>) -> String {
    let positive = predicate_condition(&term.predicate, newest);
    if term.negated {
        format!("NOT ({positive})")
    } else {
        format!("({positive})")
    }
}

fn predicate_condition(predicate: &Predicate, newest: Option<Timestamp>) -> String {
    match predicate {
        Predicate::Field { field, values } => {
            let list: Vec<String> = values.iter().map(|v| string_literal(v)).collect();
            format!("{} IN ({})", field_column(*field), list.join(", "))
        }
        Predicate::Failed => format!("{SUCCESS_COLUMN} = 0"),
        Predicate::Ok => format!("{SUCCESS_COLUMN} = 1"),
        Predicate::Since(t) => time_range(*t, i64::MAX),
        Predicate::Until(t) => time_range(i64::MIN, *t),
        Predicate::Last(span) => match newest {
            Some(newest) => time_range(newest.saturating_sub(*span), i64::MAX),
            None => "0".into(),
        },
        Predicate::Text(needle) => text_condition(needle),
    }
}

/// `min <= time <= max`, never matching [`NO_TIME`]. Written as two plain
/// comparisons on the column so ClickHouse can use the table's time order.
fn time_range(min: Timestamp, max: Timestamp) -> String {
    let min = min.max(NO_TIME + 1);
    format!("{TIME_COLUMN} >= {min} AND {TIME_COLUMN} <= {max}")
}

/// Free text, `needle` already lowercased by the parser.
fn text_condition(needle: &str) -> String {
    let literal = |text: &str| string_literal(text);
    if !needle.is_ascii() {
        format!(
            "match({LINE_COLUMN}, {})",
            literal(&unicode_pattern(needle))
        )
    } else if needle.bytes().any(|b| b.is_ascii_alphabetic()) {
        format!(
            "positionCaseInsensitive({LINE_COLUMN}, {}) > 0",
            literal(needle)
        )
    } else {
        format!("position({LINE_COLUMN}, {}) > 0", literal(needle))
    }
}

/// A regular expression (RE2, as ClickHouse's `match` reads it) finding
/// `needle` in a line exactly where the store finds it in the line's
/// Unicode lowercase: each needle character becomes the alternation of
/// every character that lowercases to it. One character lowercases to two
/// (`İ` to `i` + U+0307), so it also stands for that pair, for a needle
/// that starts with U+0307 and for one that ends with `i`.
///
/// The store lowercases a capital sigma at the end of a word to `ς` and
/// elsewhere to `σ`; a pattern cannot see the word around a match, so here
/// `Σ` stands for both, a superset in that one corner.
///
/// Alternatives are written as whole characters (never `[…]` classes),
/// so the pattern means the same whether RE2 reads it as UTF-8 or bytes.
/// The store's match is searched in the whole line, NUL bytes included.
pub fn unicode_pattern(needle: &str) -> String {
    let chars: Vec<char> = needle.chars().collect();
    let mut pattern = String::new();
    let mut at = 0;
    while at < chars.len() {
        let mut width = 1;
        let mut alternatives;
        if chars[at] == 'i' && chars.get(at + 1) == Some(&COMBINING_DOT) {
            // `i̇` in the needle: either that pair (in any case) or `İ`.
            let i = group(characters_lowercasing_to('i'));
            alternatives = vec![
                format!("{i}{}", escape(COMBINING_DOT)),
                escape(DOTTED_CAPITAL_I),
            ];
            width = 2;
        } else {
            alternatives = characters_lowercasing_to(chars[at]);
            let first = at == 0 && chars[at] == COMBINING_DOT;
            let last = at + 1 == chars.len() && chars[at] == 'i';
            if first || last {
                alternatives.push(escape(DOTTED_CAPITAL_I));
            }
        }
        pattern.push_str(&group(alternatives));
        at += width;
    }
    pattern
}

const DOTTED_CAPITAL_I: char = '\u{130}';
const COMBINING_DOT: char = '\u{307}';

/// Every character whose lowercase is `lower`, each as a pattern.
fn characters_lowercasing_to(lower: char) -> Vec<String> {
    let mut alternatives = vec![escape(lower)];
    if let Some(uppers) = lowercase_sources().get(&lower) {
        alternatives.extend(uppers.iter().map(|&c| escape(c)));
    }
    if lower == 'ς' {
        alternatives.push(escape('Σ'));
    }
    alternatives
}

/// Every unit is a group, even of one character: ClickHouse 18.16 searches
/// a pattern's ungrouped literal text with C string functions first, which
/// stop at a NUL byte in the line and so miss text after it.
fn group(alternatives: Vec<String>) -> String {
    format!("(?:{})", alternatives.join("|"))
}

/// A character as a pattern that matches only it: letters and digits as
/// themselves, other ASCII as `\xHH` (never special, NUL included), other
/// characters as themselves (RE2 gives none of them a meaning).
fn escape(c: char) -> String {
    if c.is_ascii_alphanumeric() || !c.is_ascii() {
        c.to_string()
    } else {
        format!("\\x{:02x}", c as u32)
    }
}

/// For each character, the other characters that lowercase to it alone
/// (`é` ← `É`, `k` ← `K` and the Kelvin sign), built once from the
/// standard library's tables so it agrees with the store's lowercasing.
fn lowercase_sources() -> &'static HashMap<char, Vec<char>> {
    static TABLE: OnceLock<HashMap<char, Vec<char>>> = OnceLock::new();
    TABLE.get_or_init(|| {
        let mut table: HashMap<char, Vec<char>> = HashMap::new();
        for c in (0..=u32::from(char::MAX)).filter_map(char::from_u32) {
            let mut lower = c.to_lowercase();
            if let (Some(l), None) = (lower.next(), lower.next())
                && l != c
            {
                table.entry(l).or_default().push(c);
            }
        }
        table
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::filter::parse_filter;

    fn sql(filter: &str) -> String {
        condition(&parse_filter(filter).unwrap(), Some(10_000_000))
    }

    #[test]
    fn literals_escape_only_backslash_and_quote() {
        assert_eq!(string_literal(""), "''");
        assert_eq!(string_literal("a'b"), r"'a\'b'");
        assert_eq!(string_literal(r"a\b"), r"'a\\b'");
        assert_eq!(string_literal(r"\'"), r"'\\\''");
        assert_eq!(string_literal("x\n\0é;"), "'x\n\0é;'");
    }

    /// Reads a literal back as ClickHouse's lexer does: the first unescaped
    /// quote ends it. Whatever follows the literal is SQL.
    fn read_literal(sql: &str) -> (String, &str) {
        let mut chars = sql.char_indices();
        assert_eq!(chars.next(), Some((0, '\'')));
        let mut value = String::new();
        while let Some((at, c)) = chars.next() {
            match c {
                '\\' => value.push(chars.next().unwrap().1),
                '\'' => return (value, &sql[at + 1..]),
                _ => value.push(c),
            }
        }
        panic!("unterminated literal in {sql}");
    }

    #[test]
    fn hostile_values_stay_inside_their_literal() {
        for value in [
            "x' OR 1=1 --",
            "a\\' OR '1'='1",
            "\\",
            "';DROP TABLE entries;--",
            "SELECT * FROM system.tables",
            "line\nbreak\r\t",
            "nul\0byte",
            "ünï'cödé\\",
            "''",
            "\\\\'",
        ] {
            let literal = string_literal(value);
            let (read, rest) = read_literal(&literal);
            assert_eq!((read.as_str(), rest), (value, ""), "{literal}");
        }
    }

    #[test]
    fn field_terms_are_in_lists_with_escaped_values() {
        assert_eq!(sql("user:usr_1"), "(user IN ('usr_1'))");
        assert_eq!(
            sql(r#"tool:a|"b'c" -patient:"x\\y""#),
            r"(tool IN ('a', 'b\'c')) AND NOT (patient IN ('x\\y'))"
        );
        assert_eq!(
            sql("conv:c model:m role:r purpose:p trigger:t ip:i")
                .matches(" IN ")
                .count(),
            6
        );
        assert!(sql("conv:c").starts_with("(conversation IN"));
    }

    #[test]
    fn outcomes_and_times() {
        assert_eq!(sql("failed"), "(success = 0)");
        assert_eq!(sql("-ok"), "NOT (success = 1)");
        assert_eq!(
            sql("since:1970-01-01T00:00:01Z"),
            "(ts >= 1000000 AND ts <= 9223372036854775807)"
        );
        assert_eq!(
            sql("until:1970-01-01T00:00:01Z"),
            "(ts >= -9223372036854775807 AND ts <= 1000000)"
        );
        assert_eq!(
            sql("last:2s"),
            "(ts >= 8000000 AND ts <= 9223372036854775807)"
        );
        let none = condition(&parse_filter("last:1h").unwrap(), None);
        assert_eq!(none, "(0)");
        assert_eq!(condition(&Filter::default(), None), "1");
    }

    #[test]
    fn free_text_picks_the_cheapest_exact_search() {
        assert_eq!(
            sql("Refund"),
            "(positionCaseInsensitive(raw, 'refund') > 0)"
        );
        assert_eq!(sql("-0007"), "NOT (position(raw, '0007') > 0)");
        assert_eq!(sql(r#""-0007""#), "(position(raw, '-0007') > 0)");
        assert_eq!(
            sql(r#""it's""#),
            r"(positionCaseInsensitive(raw, 'it\'s') > 0)"
        );
        assert!(sql("Crème").starts_with("(match(raw, "));
    }

    /// What the store does: lowercase the line, then search.
    fn store_finds(needle: &str, line: &str) -> bool {
        line.to_lowercase().contains(&needle.to_lowercase())
    }

    /// The pattern as RE2 reads it; Rust's `regex` has the same syntax for
    /// the constructs used (characters, `\xHH`, `(?:a|b)`).
    fn pattern_finds(pattern: &str, line: &str) -> bool {
        regex::Regex::new(pattern).unwrap().is_match(line)
    }

    #[test]
    fn unicode_patterns_find_what_the_store_finds() {
        let lines = [
            "CAFÉ CRÈME",
            "café crème",
            "ÅNGSTRÖM Å",
            "KELVIN \u{212a}",
            "İSTANBUL",
            "i\u{307}stanbul",
            "Straße STRASSE",
            "ΟΔΟΣ δρόμος",
            "plain ascii",
            "a\0b é",
            "x(?:y)|z [é]",
            "ǅungla ǆ Ǆ",
        ];
        let needles = [
            "é",
            "crème",
            "café c",
            "ångström",
            "å",
            "k\u{212a}",
            "ki",
            "İs",
            "i\u{307}s",
            "\u{307}st",
            "bul",
            "i̇",
            "ß",
            "straße",
            "οδος",
            "δρόμος",
            "\0b é",
            "(?:y)|z [é",
            "ǆ",
            "ǅu",
        ];
        for needle in needles {
            let lower = needle.to_lowercase();
            for line in lines {
                if lower.is_ascii() {
                    continue;
                }
                assert_eq!(
                    pattern_finds(&unicode_pattern(&lower), line),
                    store_finds(&lower, line),
                    "needle {needle:?} line {line:?} pattern {}",
                    unicode_pattern(&lower)
                );
            }
        }
    }

    proptest::proptest! {
        /// Lines and needles from characters whose case is tricky: several
        /// capitals for one small letter, one capital for two characters.
        /// (The sigma, whose lowercase depends on the word, is left out.)
        #[test]
        fn unicode_patterns_agree_with_the_store_on_tricky_text(
            line in "[aAiIİ\u{307}éÉkK\u{212a}åÅ\u{212b}ß .]{0,12}",
            needle in "[aiİ\u{307}éÉk\u{212a}Åß .]{1,4}",
        ) {
            let lower = needle.to_lowercase();
            proptest::prop_assume!(!lower.is_ascii());
            proptest::prop_assert_eq!(
                pattern_finds(&unicode_pattern(&lower), &line),
                store_finds(&lower, &line),
                "pattern {}", unicode_pattern(&lower)
            );
        }
    }

    #[test]
    fn only_dotted_capital_i_lowercases_to_more_than_one_character() {
        let multi: Vec<char> = (0..=u32::from(char::MAX))
            .filter_map(char::from_u32)
            .filter(|c| c.to_lowercase().count() > 1)
            .collect();
        assert_eq!(multi, vec![DOTTED_CAPITAL_I]);
        assert_eq!(
            DOTTED_CAPITAL_I.to_lowercase().collect::<String>(),
            "i\u{307}"
        );
    }

    #[test]
    fn patterns_escape_ascii_punctuation_and_nul() {
        assert_eq!(unicode_pattern("é.*"), r"(?:é|É)(?:\x2e)(?:\x2a)");
        assert_eq!(unicode_pattern("\0→"), r"(?:\x00)(?:→)");
    }
}
