//! Indented JSON of an entry for the detail pane, from the log layer's own
//! parse: keys stay in file order, duplicates stay visible, integers keep
//! their digits, and NaN/Infinity (which Python writes) are shown as such.
//! Strings are sanitised for the terminal, not JSON-escaped: this is for
//! reading; `y` copies the exact line.

use crate::log::canonical::write_float;
use crate::log::json::Value;
use crate::text::for_terminal;

const INDENT: &str = "  ";

pub fn pretty_lines(value: &Value<'_>) -> Vec<String> {
    let mut lines = Vec::new();
    let mut current = String::new();
    write_value(value, 0, &mut current, &mut lines);
    lines.push(current);
    lines
}

fn write_value(value: &Value<'_>, depth: usize, line: &mut String, lines: &mut Vec<String>) {
    match value {
        Value::Null => line.push_str("null"),
        Value::Bool(b) => line.push_str(if *b { "true" } else { "false" }),
        Value::Int(digits) => line.push_str(digits),
        Value::Float(x) => {
            let mut out = Vec::new();
            write_float(*x, &mut out);
            line.push_str(&String::from_utf8_lossy(&out));
        }
        Value::Str(s) => {
            line.push('"');
            line.push_str(&for_terminal(&s.decode()));
            line.push('"');
        }
        Value::Array(items) if items.is_empty() => line.push_str("[]"),
        Value::Object(members) if members.is_empty() => line.push_str("{}"),
        Value::Array(items) => {
            line.push('[');
            for (i, item) in items.iter().enumerate() {
                new_line(depth + 1, line, lines);
                write_value(item, depth + 1, line, lines);
                if i + 1 < items.len() {
                    line.push(',');
                }
            }
            new_line(depth, line, lines);
            line.push(']');
        }
        Value::Object(members) => {
            line.push('{');
            for (i, (key, item)) in members.iter().enumerate() {
                new_line(depth + 1, line, lines);
                line.push('"');
                line.push_str(&for_terminal(&key.decode()));
                line.push_str("\": ");
                write_value(item, depth + 1, line, lines);
                if i + 1 < members.len() {
                    line.push(',');
                }
            }
            new_line(depth, line, lines);
            line.push('}');
        }
    }
}

fn new_line(depth: usize, line: &mut String, lines: &mut Vec<String>) {
    lines.push(std::mem::take(line));
    line.push_str(&INDENT.repeat(depth));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::log::json::parse;

    #[test]
    fn nesting_is_indented_and_hostile_strings_are_visible() {
        let value =
            parse(r#"{"a": [1, 2.50], "b": {}, "c": "x\u001b[31m\u202e", "d": NaN}"#).unwrap();
        assert_eq!(
            pretty_lines(&value),
            [
                "{",
                "  \"a\": [",
                "    1,",
                "    2.5",
                "  ],",
                "  \"b\": {},",
                "  \"c\": \"x\\x1b[31m\\u{202e}\",",
                "  \"d\": NaN",
                "}",
            ]
        );
    }
}
