//! The filter language: parsing, errors, display and completion.

use super::*;
use crate::time::tests::any_timestamp;
use crate::time::{parse_duration, parse_timestamp};
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
fn last_takes_a_duration() {
    assert_eq!(only("last:1h30m"), Predicate::Last(HOUR * 3 / 2));
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
    let filter =
        parse("USER:a  tool:b | c\t-\"Hello World\" FAILED since:2025-07-07T12:00+02:00 last:90m");
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

}
