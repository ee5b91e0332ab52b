//! Escaping hostile log text for every place it is shown or exported.
//!
//! Log content is attacker-controlled: an AI tool call can carry terminal
//! escape sequences, bidi overrides that reorder what a reviewer sees,
//! invisible characters that smuggle instructions, or spreadsheet formulas.
//! All terminal output (TUI and CLI text formats) goes through
//! [`for_terminal`]; CSV cells through [`csv_field`] / [`csv_number`];
//! Markdown table cells through [`markdown_cell`].
//!
//! JSON stays lossless through serde_json, which escapes C0 controls but
//! writes DEL, C1 controls and bidi/invisible characters raw. JSON that may
//! land on a terminal should also write every [`is_hidden`] character (and
//! U+FE00–U+FE0F) as `\uXXXX`, which is still exact JSON.

use std::borrow::Cow;
use std::fmt::Write as _;

use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

/// Makes `s` safe to print to a terminal, on a single line.
///
/// Every character that a terminal would interpret, or that renders
/// invisibly / reorders text, is replaced by a visible escape:
///
/// * `\n`, `\t`, `\r` for those three;
/// * `\x1b` style (two lowercase hex digits) for other C0 controls, DEL and
///   C1 controls (U+0080–U+009F), so `ESC [ 31 m` shows as `\x1b[31m`;
/// * `\u{202e}` style for everything else: bidi embeddings, overrides,
///   isolates and marks, zero-width characters, word joiner, BOM, line and
///   paragraph separators, all other Unicode format characters (`Cf`), Hangul
///   fillers, tag characters and variation selectors beyond the one that
///   may legitimately follow a visible character (see below).
///
/// A single variation selector U+FE00–U+FE0F right after a visible character
/// is kept, because emoji like "❤️" need VS16 to render; a second selector
/// in a row, or one with no visible base, is escaped, since runs of
/// selectors are a known way to smuggle hidden bytes past a reader.
///
/// A literal backslash is deliberately *not* escaped. This output is for
/// human eyes only (exports are the lossless path), and log content is full
/// of backslashes — Windows paths, regexes, JSON-in-JSON — which doubling
/// would make hard to read. The cost is that the text `\x1b` and an escaped
/// ESC look alike; the TUI can style escapes differently if that matters,
/// and nothing raw ever reaches the terminal either way.
///
/// Returns the input borrowed when nothing needed escaping (the common,
/// plain-ASCII case costs one byte scan and no allocation).
pub fn for_terminal(s: &str) -> Cow<'_, str> {
    sanitize(s, false)
}

/// Same as [`for_terminal`]; the name documents at the call site that the
/// result is guaranteed to contain no line break (newlines become `\n`).
#[inline]
pub fn for_terminal_line(s: &str) -> Cow<'_, str> {
    for_terminal(s)
}

/// Like [`for_terminal`] but keeps `\n` as a real line break, for CLI
/// output of multi-line bodies (command output, file contents) where
/// one-line escaping would be unreadable.
///
/// `\r` is still escaped (it would let a line overwrite what precedes it),
/// so a CRLF shows as `\r` followed by a line break. Never use this for a
/// TUI cell: a newline there breaks the layout.
pub fn for_terminal_multiline(s: &str) -> Cow<'_, str> {
    sanitize(s, true)
}

fn sanitize(s: &str, keep_newline: bool) -> Cow<'_, str> {
    let bytes = s.as_bytes();
    let mut out = String::new();
    // Bytes of `s` before this index are already in `out` (or need not be,
    // if nothing was escaped yet).
    let mut copied = 0;
    let mut after_visible = false;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        let c = if b < 0x80 {
            char::from(b)
        } else {
            match s[i..].chars().next() {
                Some(c) => c,
                None => break,
            }
        };
        let len = c.len_utf8();
        let escape = !(keep_newline && c == '\n') && needs_escape(c, after_visible);
        if escape {
            if out.capacity() == 0 {
                out.reserve(s.len() + 16);
            }
            out.push_str(&s[copied..i]);
            push_escape(&mut out, c, "\\");
            copied = i + len;
        }
        after_visible = !escape && !c.is_control() && !is_variation_selector(c);
        i += len;
    }
    if copied == 0 {
        Cow::Borrowed(s)
    } else {
        out.push_str(&s[copied..]);
        Cow::Owned(out)
    }
}

/// Whether `c` must be shown as an escape. `after_visible` says whether the
/// previous character was printed as-is and is not itself a selector.
fn needs_escape(c: char, after_visible: bool) -> bool {
    match c {
        ' '..='~' => false,
        '\u{FE00}'..='\u{FE0F}' => !after_visible,
        _ => is_hidden(c),
    }
}

fn is_variation_selector(c: char) -> bool {
    matches!(c, '\u{FE00}'..='\u{FE0F}')
}

/// Whether [`for_terminal`] always escapes `c`: controls (Cc), format
/// characters (Cf, as of Unicode 15), line/paragraph separators (Zl, Zp)
/// and the rest of Default_Ignorable_Code_Point except the basic variation
/// selectors U+FE00–U+FE0F, which are judged in context. All of these are
/// either interpreted by terminals or render as nothing / reorder their
/// neighbours, so a reader cannot see them.
///
/// Public so other writers (e.g. a terminal-safe JSON formatter) escape
/// exactly the same set.
pub fn is_hidden(c: char) -> bool {
    matches!(
        c,
        '\u{0}'..='\u{1F}'
            | '\u{7F}'..='\u{9F}'
            | '\u{AD}' // soft hyphen
            | '\u{34F}' // combining grapheme joiner
            | '\u{600}'..='\u{605}'
            | '\u{61C}' // Arabic letter mark
            | '\u{6DD}'
            | '\u{70F}'
            | '\u{890}'..='\u{891}'
            | '\u{8E2}'
            | '\u{115F}'..='\u{1160}' // Hangul fillers: blank "letters"
            | '\u{17B4}'..='\u{17B5}'
            | '\u{180B}'..='\u{180F}' // Mongolian selectors and separator
            | '\u{200B}'..='\u{200F}' // zero-width space/joiners, LRM, RLM
            | '\u{2028}'..='\u{202E}' // separators, bidi embeddings/overrides
            | '\u{2060}'..='\u{206F}' // word joiner, invisible ops, isolates
            | '\u{3164}' // Hangul filler
            | '\u{FEFF}' // BOM / zero-width no-break space
            | '\u{FFA0}' // halfwidth Hangul filler
            | '\u{FFF0}'..='\u{FFFB}' // interlinear annotation
            | '\u{110BD}'
            | '\u{110CD}'
            | '\u{13430}'..='\u{1343F}' // Egyptian hieroglyph format controls
            | '\u{1BCA0}'..='\u{1BCA3}'
            | '\u{1D173}'..='\u{1D17A}'
            // Tags (ASCII smuggling) and variation selectors supplement.
            | '\u{E0000}'..='\u{E0FFF}'
    )
}

/// Appends the visible escape for `c`; `backslash` is what introduces it
/// (Markdown needs it doubled).
pub fn push_escape(out: &mut String, c: char, backslash: &str) {
    out.push_str(backslash);
    match c {
        '\n' => out.push('n'),
        '\t' => out.push('t'),
        '\r' => out.push('r'),
        // Writing to a String cannot fail.
        _ if u32::from(c) < 0xA0 => {
            let _ = write!(out, "x{:02x}", u32::from(c));
        }
        _ => {
            let _ = write!(out, "u{{{:x}}}", u32::from(c));
        }
    }
}

/// Cuts `s` to at most `width` terminal columns, ending with `…` when
/// anything was cut.
///
/// Widths follow `unicode-width` (the crate ratatui measures with): CJK and
/// emoji count 2, combining marks 0. Pass already-sanitised text; raw
/// control characters are counted as one column each. The cut never splits
/// a character and never leaves a trailing combining mark orphaned from a
/// base that was cut. The result may be narrower than `width` when a wide
/// character does not fit; callers pad.
pub fn truncate_to_width(s: &str, width: usize) -> Cow<'_, str> {
    if s.width() <= width {
        return Cow::Borrowed(s);
    }
    if width == 0 {
        return Cow::Borrowed("");
    }
    let budget = width - 1; // the ellipsis is one column
    let mut used = 0;
    let mut end = 0;
    for (i, c) in s.char_indices() {
        let w = c.width().unwrap_or(1);
        if used + w > budget {
            break;
        }
        used += w;
        end = i + c.len_utf8();
    }
    let mut kept = &s[..end];
    // Summed char widths can undercount contextual sequences (a VS16 makes
    // its base two columns), so re-measure until the result really fits.
    while kept.width() > budget {
        let Some(last) = kept.chars().next_back() else {
            break;
        };
        kept = &kept[..kept.len() - last.len_utf8()];
    }
    let mut out = String::with_capacity(kept.len() + '…'.len_utf8());
    out.push_str(kept);
    out.push('…');
    Cow::Owned(out)
}

/// Characters that make a spreadsheet treat a cell as a formula (OWASP CSV
/// injection list).
fn starts_like_formula(s: &str) -> bool {
    matches!(s.chars().next(), Some('=' | '+' | '-' | '@' | '\t' | '\r'))
}

/// One CSV cell, RFC 4180 quoted and safe against formula injection.
///
/// Quotes the cell when it contains `,` `"` CR or LF, or starts or ends
/// with whitespace (which some readers trim); quotes are doubled. Control
/// and bidi characters are kept: CSV is an export and must stay exact.
///
/// A cell starting with `=`, `+`, `-`, `@`, TAB or CR gets a leading `'`
/// inside the quotes (the OWASP recommendation), so spreadsheets show it as
/// text instead of evaluating it. That includes text such as `-2`: numeric
/// columns must go through [`csv_number`] instead.
///
/// A cell that itself starts with `'` also gets one, so the transformation
/// stays reversible: a reader recovers the exact original by removing one
/// leading `'` whenever a cell starts with `'`. Without that, `'=1` (kept
/// as is) and `=1` (prefixed to `'=1`) would be indistinguishable.
pub fn csv_field(s: &str) -> String {
    let prefix = starts_like_formula(s) || s.starts_with('\'');
    let quote = prefix
        || s.contains([',', '"', '\r', '\n'])
        || s.starts_with(char::is_whitespace)
        || s.ends_with(char::is_whitespace);
    if !quote {
        return s.to_owned();
    }
    let mut out = String::with_capacity(s.len() + 4);
    out.push('"');
    if prefix {
        out.push('\'');
    }
    for c in s.chars() {
        if c == '"' {
            out.push('"');
        }
        out.push(c);
    }
    out.push('"');
    out
}

/// Values that can be written raw into a numeric CSV column.
pub trait CsvNumber {
    /// The cell text; only ever a plain number or a [`csv_field`]-escaped
    /// fallback.
    fn csv_cell(&self) -> String;
}

macro_rules! csv_integer {
    ($($t:ty)*) => {$(
        impl CsvNumber for $t {
            fn csv_cell(&self) -> String {
                self.to_string()
            }
        }
    )*};
}
csv_integer!(i8 i16 i32 i64 i128 isize u8 u16 u32 u64 u128 usize);

impl CsvNumber for f64 {
    /// Finite values use Rust's shortest round-trip form (never exponent
    /// notation, which spreadsheets would parse anyway). NaN and infinities
    /// are not numbers to a spreadsheet, so they go through the text path
    /// (`-inf` would otherwise look like a formula).
    fn csv_cell(&self) -> String {
        if self.is_finite() {
            self.to_string()
        } else {
            csv_field(&self.to_string())
        }
    }
}

impl CsvNumber for f32 {
    fn csv_cell(&self) -> String {
        if self.is_finite() {
            self.to_string()
        } else {
            csv_field(&self.to_string())
        }
    }
}

/// Text that should be a number, e.g. a `serde_json::Number` printed with
/// `to_string()` (which keeps full precision). Written raw only if it is a
/// strict JSON number; anything else falls back to [`csv_field`], so this
/// path can never be used to smuggle a formula.
impl CsvNumber for &str {
    fn csv_cell(&self) -> String {
        if is_json_number(self) {
            (*self).to_owned()
        } else {
            csv_field(self)
        }
    }
}

/// A numeric CSV cell, written without the formula prefix that
/// [`csv_field`] would add to `-2`.
///
/// Accepts integers, floats and number text (see the [`CsvNumber`] impls).
pub fn csv_number<N: CsvNumber>(n: N) -> String {
    n.csv_cell()
}

/// `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`, the JSON number grammar.
fn is_json_number(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = 0;
    let digits = |i: &mut usize| {
        let start = *i;
        while *i < b.len() && b[*i].is_ascii_digit() {
            *i += 1;
        }
        *i > start
    };
    if b.first() == Some(&b'-') {
        i += 1;
    }
    if b.get(i) == Some(&b'0') {
        i += 1;
    } else if !digits(&mut i) {
        return false;
    }
    if b.get(i) == Some(&b'.') {
        i += 1;
        if !digits(&mut i) {
            return false;
        }
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(b.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        if !digits(&mut i) {
            return false;
        }
    }
    i == b.len()
}

/// One cell of a Markdown (GFM) table, rendering as exactly the original
/// text.
///
/// Escapes `|` (would end the cell), backslash, and the inline-syntax
/// characters `` ` `` `*` `_` `~` `$` `[` `]`, so log text cannot create code
/// spans, emphasis, math, links or tracking images in a rendered report.
/// `<`, `>` and `&` become HTML entities (no raw HTML, no entity decoding).
/// Line breaks (LF or CRLF) become `<br>`; all other characters
/// [`for_terminal`] would escape are shown the same way, so nothing
/// invisible survives.
pub fn markdown_cell(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    let mut after_visible = false;
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        let mut visible = true;
        match c {
            '\n' => {
                out.push_str("<br>");
                visible = false;
            }
            '\r' if chars.peek() == Some(&'\n') => {
                chars.next();
                out.push_str("<br>");
                visible = false;
            }
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '\\' | '|' | '`' | '*' | '_' | '~' | '$' | '[' | ']' => {
                out.push('\\');
                out.push(c);
            }
            _ if needs_escape(c, after_visible) => {
                push_escape(&mut out, c, "\\\\");
                visible = false;
            }
            _ => out.push(c),
        }
        after_visible = visible && !is_variation_selector(c);
    }
    out
}

/// The word for `n` things: `1 call`, `2 calls`, `0 calls`.
pub fn plural<'a>(n: usize, one: &'a str, many: &'a str) -> &'a str {
    if n == 1 { one } else { many }
}

/// The word a typo most likely meant: within a small edit distance, or a
/// prefix either way (`conversation` → `conv`, `pat` → `patient`).
pub fn closest<'a>(key: &str, known: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    let len = key.chars().count();
    let limit = if len <= 3 { 1 } else { 2 };
    known
        .filter_map(|known| {
            let distance = edit_distance(key, known);
            if distance <= limit {
                Some((distance, known))
            } else if len >= 2 && (known.starts_with(key) || key.starts_with(known)) {
                Some((limit + 1, known))
            } else {
                None
            }
        })
        .min_by_key(|&(distance, _)| distance)
        .map(|(_, known)| known)
}

/// Optimal string alignment distance: edits plus adjacent transpositions (`uesr`).
fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut before: Vec<usize> = vec![0; b.len() + 1];
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    for i in 1..=a.len() {
        let mut current = vec![i; b.len() + 1];
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (previous[j] + 1)
                .min(current[j - 1] + 1)
                .min(previous[j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(before[j - 2] + 1);
            }
            current[j] = best;
        }
        before = std::mem::replace(&mut previous, current);
    }
    previous[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn plain_text_is_borrowed() {
        let s = "ls -la /tmp && echo 'ok' # ünïcødé 漢字 😀";
        assert!(matches!(for_terminal(s), Cow::Borrowed(_)));
        assert!(matches!(for_terminal(""), Cow::Borrowed("")));
        assert!(matches!(for_terminal("❤️"), Cow::Borrowed(_)));
    }

    #[test]
    fn csi_sgr_is_visible() {
        assert_eq!(for_terminal("\x1b[31mred\x1b[0m"), "\\x1b[31mred\\x1b[0m");
    }

    #[test]
    fn osc52_clipboard_write_is_visible() {
        assert_eq!(
            for_terminal("\x1b]52;c;aGVsbG8=\x07"),
            "\\x1b]52;c;aGVsbG8=\\x07"
        );
    }

    #[test]
    fn dcs_and_string_terminator_are_visible() {
        assert_eq!(for_terminal("\x1bP+q544e\x1b\\"), "\\x1bP+q544e\\x1b\\");
    }

    #[test]
    fn c0_del_and_c1_controls() {
        assert_eq!(for_terminal("a\0b"), "a\\x00b");
        assert_eq!(for_terminal("a\x7fb"), "a\\x7fb");
        assert_eq!(for_terminal("\u{9b}31m"), "\\x9b31m");
        assert_eq!(for_terminal("\u{80}\u{9f}"), "\\x80\\x9f");
        assert_eq!(for_terminal("a\nb\tc\rd"), "a\\nb\\tc\\rd");
        assert_eq!(for_terminal("\x08\x0b\x0c\x1f"), "\\x08\\x0b\\x0c\\x1f");
    }

    #[test]
    fn bidi_controls_are_visible() {
        // The "Trojan Source" pattern: RLO makes "txt.exe" look like "exe.txt".
        assert_eq!(for_terminal("a\u{202e}txt.exe"), "a\\u{202e}txt.exe");
        assert_eq!(
            for_terminal("\u{2066}x\u{2069}\u{2067}\u{2068}"),
            "\\u{2066}x\\u{2069}\\u{2067}\\u{2068}"
        );
        assert_eq!(
            for_terminal("\u{202a}\u{202b}\u{202c}\u{202d}"),
            "\\u{202a}\\u{202b}\\u{202c}\\u{202d}"
        );
        assert_eq!(
            for_terminal("\u{200e}\u{200f}\u{61c}"),
            "\\u{200e}\\u{200f}\\u{61c}"
        );
    }

    #[test]
    fn zero_width_and_separators_are_visible() {
        assert_eq!(
            for_terminal("r\u{200b}m\u{200c}\u{200d}\u{2060}\u{feff}"),
            "r\\u{200b}m\\u{200c}\\u{200d}\\u{2060}\\u{feff}"
        );
        assert_eq!(for_terminal("a\u{2028}b\u{2029}"), "a\\u{2028}b\\u{2029}");
        assert_eq!(for_terminal("soft\u{ad}hyphen"), "soft\\u{ad}hyphen");
        assert_eq!(for_terminal("\u{3164}"), "\\u{3164}");
    }

    #[test]
    fn tag_characters_are_visible() {
        // "hi" hidden as Unicode tags, as in ASCII-smuggling prompt injection.
        assert_eq!(
            for_terminal("ok\u{e0068}\u{e0069}"),
            "ok\\u{e0068}\\u{e0069}"
        );
    }

    #[test]
    fn variation_selectors_only_one_after_visible_base() {
        assert_eq!(for_terminal("❤\u{fe0f}"), "❤\u{fe0f}");
        assert_eq!(for_terminal("1\u{fe0f}\u{20e3}"), "1\u{fe0f}\u{20e3}");
        assert_eq!(for_terminal("\u{fe0f}"), "\\u{fe0f}");
        assert_eq!(
            for_terminal("a\u{fe00}\u{fe01}\u{fe02}"),
            "a\u{fe00}\\u{fe01}\\u{fe02}"
        );
        assert_eq!(for_terminal("\x1b\u{fe0f}"), "\\x1b\\u{fe0f}");
        assert_eq!(for_terminal("a\u{e0100}"), "a\\u{e0100}");
    }

    #[test]
    fn backslash_is_kept_literally() {
        assert_eq!(for_terminal(r"C:\Users\x1b"), r"C:\Users\x1b");
    }

    #[test]
    fn escape_after_multibyte_char() {
        assert_eq!(for_terminal("漢\x1b字"), "漢\\x1b字");
    }

    #[test]
    fn line_variant_has_no_newlines() {
        assert_eq!(for_terminal_line("a\nb"), "a\\nb");
    }

    #[test]
    fn multiline_keeps_only_lf() {
        assert_eq!(for_terminal_multiline("a\nb"), "a\nb");
        assert!(matches!(for_terminal_multiline("a\nb"), Cow::Borrowed(_)));
        assert_eq!(
            for_terminal_multiline("a\r\nb\x1b[2J\u{202e}"),
            "a\\r\nb\\x1b[2J\\u{202e}"
        );
        assert_eq!(for_terminal_multiline("\n\u{fe0f}"), "\n\\u{fe0f}");
    }

    #[test]
    fn truncate_ascii() {
        assert!(matches!(
            truncate_to_width("hello", 5),
            Cow::Borrowed("hello")
        ));
        assert_eq!(truncate_to_width("hello world", 5), "hell…");
        assert_eq!(truncate_to_width("hello", 1), "…");
        assert_eq!(truncate_to_width("hello", 0), "");
        assert_eq!(truncate_to_width("", 0), "");
    }

    #[test]
    fn truncate_cjk_counts_two_columns() {
        assert_eq!("漢字漢字".width(), 8);
        assert_eq!(truncate_to_width("漢字漢字", 8), "漢字漢字");
        assert_eq!(truncate_to_width("漢字漢字", 7), "漢字漢…");
        // A wide char that does not fit leaves the result one column short.
        assert_eq!(truncate_to_width("漢字漢字", 6), "漢字…");
        assert_eq!(truncate_to_width("ab漢字", 4), "ab…");
    }

    #[test]
    fn truncate_emoji_counts_two_columns() {
        assert_eq!(truncate_to_width("😀😀😀", 6), "😀😀😀");
        assert_eq!(truncate_to_width("😀😀😀", 5), "😀😀…");
        assert_eq!(truncate_to_width("😀😀😀", 4), "😀…");
        // VS16 widens the heart to two columns; the re-measure catches it.
        let r = truncate_to_width("❤\u{fe0f}❤\u{fe0f}x", 3);
        assert!(r.width() <= 3, "{r:?}");
    }

    #[test]
    fn truncate_keeps_combining_marks_with_their_base() {
        assert_eq!(
            truncate_to_width("e\u{301}e\u{301}e\u{301}", 2),
            "e\u{301}…"
        );
    }

    #[test]
    fn csv_plain_and_quoted() {
        assert_eq!(csv_field("plain"), "plain");
        assert_eq!(csv_field(""), "");
        assert_eq!(csv_field("a,b"), "\"a,b\"");
        assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_field("two\nlines"), "\"two\nlines\"");
        assert_eq!(csv_field("cr\rinside"), "\"cr\rinside\"");
        assert_eq!(csv_field(" lead"), "\" lead\"");
        assert_eq!(csv_field("trail "), "\"trail \"");
        assert_eq!(csv_field("a b"), "a b");
        assert_eq!(csv_field("1.5"), "1.5");
        assert_eq!(csv_field("\x1b[31m"), "\x1b[31m");
    }

    #[test]
    fn csv_formula_injection() {
        assert_eq!(
            csv_field("=HYPERLINK(\"http://x\")"),
            "\"'=HYPERLINK(\"\"http://x\"\")\""
        );
        assert_eq!(csv_field("+1"), "\"'+1\"");
        assert_eq!(csv_field("-2"), "\"'-2\"");
        assert_eq!(csv_field("@SUM(A1)"), "\"'@SUM(A1)\"");
        assert_eq!(csv_field("\t=1"), "\"'\t=1\"");
        assert_eq!(csv_field("\r=1"), "\"'\r=1\"");
        assert_eq!(csv_field("=1,2"), "\"'=1,2\"");
        // Only the first character matters.
        assert_eq!(csv_field("a=1"), "a=1");
        // A genuine leading quote is prefixed too, keeping it reversible.
        assert_eq!(csv_field("'=1"), "\"''=1\"");
        assert_eq!(csv_field("'quoted'"), "\"''quoted'\"");
    }

    #[test]
    fn csv_numbers_are_raw() {
        assert_eq!(csv_number(-2i64), "-2");
        assert_eq!(csv_number(u64::MAX), "18446744073709551615");
        assert_eq!(csv_number(-0.5f64), "-0.5");
        assert_eq!(csv_number(1.5f32), "1.5");
        assert_eq!(csv_number(1e21f64), "1000000000000000000000");
        assert_eq!(csv_number("-2"), "-2");
        assert_eq!(csv_number("-1.25e-7"), "-1.25e-7");
        assert_eq!(csv_number("0"), "0");
    }

    #[test]
    fn csv_number_rejects_non_numbers() {
        assert_eq!(
            csv_number("-2+cmd|' /C calc'!A0"),
            "\"'-2+cmd|' /C calc'!A0\""
        );
        assert_eq!(csv_number("+1"), "\"'+1\"");
        assert_eq!(csv_number("=1"), "\"'=1\"");
        assert_eq!(csv_number(""), "");
        assert_eq!(csv_number("01"), "01");
        assert_eq!(csv_number("1."), "1.");
        assert_eq!(csv_number("-"), "\"'-\"");
        assert_eq!(csv_number("1e"), "1e");
        assert_eq!(csv_number(f64::NAN), "NaN");
        assert_eq!(csv_number(f64::INFINITY), "inf");
        assert_eq!(csv_number(f64::NEG_INFINITY), "\"'-inf\"");
    }

    #[test]
    fn json_number_grammar() {
        for ok in ["0", "-0", "12", "1.0", "1e5", "1E+5", "-3.25e-10"] {
            assert!(is_json_number(ok), "{ok}");
        }
        for bad in [
            "", "-", "+1", "01", ".5", "1.", "1e", "1e+", "0x10", " 1", "1 ", "NaN",
        ] {
            assert!(!is_json_number(bad), "{bad}");
        }
    }

    #[test]
    fn markdown_cell_escapes() {
        assert_eq!(markdown_cell("a|b"), "a\\|b");
        assert_eq!(markdown_cell(r"C:\dir"), r"C:\\dir");
        assert_eq!(markdown_cell("`rm`"), "\\`rm\\`");
        assert_eq!(markdown_cell("<script>&amp;"), "&lt;script&gt;&amp;amp;");
        assert_eq!(markdown_cell("a\nb\r\nc"), "a<br>b<br>c");
        assert_eq!(
            markdown_cell("![x](http://t/p.png)"),
            "!\\[x\\](http://t/p.png)"
        );
        assert_eq!(markdown_cell("*_~$"), "\\*\\_\\~\\$");
        assert_eq!(markdown_cell("plain 漢字"), "plain 漢字");
    }

    #[test]
    fn markdown_cell_escapes_controls_visibly() {
        // The escape's backslash is itself escaped so it renders as `\x1b`.
        assert_eq!(markdown_cell("\x1b[31m"), "\\\\x1b\\[31m");
        assert_eq!(markdown_cell("a\u{202e}b"), "a\\\\u{202e}b");
        assert_eq!(markdown_cell("lone\rcr"), "lone\\\\rcr");
        assert_eq!(markdown_cell("tab\there"), "tab\\\\there");
        assert_eq!(markdown_cell("❤\u{fe0f}\u{fe0f}"), "❤\u{fe0f}\\\\u{fe0f}");
    }

    /// Every character the sanitiser promises to hide, listed independently
    /// of the implementation (mostly from the brief's threat list).
    fn always_dangerous(c: char) -> bool {
        let u = u32::from(c);
        u < 0x20
            || (0x7F..=0x9F).contains(&u)
            || (0x202A..=0x202E).contains(&u)
            || (0x2066..=0x2069).contains(&u)
            || [0x200E, 0x200F, 0x061C, 0x2060, 0xFEFF, 0x2028, 0x2029, 0xAD].contains(&u)
            || (0x200B..=0x200D).contains(&u)
            || (0xE0000..=0xE007F).contains(&u)
    }

    fn is_vs(c: char) -> bool {
        matches!(c, '\u{FE00}'..='\u{FE0F}')
    }

    fn hostile_char() -> impl Strategy<Value = char> {
        prop_oneof![
            any::<char>(),
            prop::char::range('\0', '\u{A0}'),
            prop::char::range('\u{2000}', '\u{206F}'),
            prop::char::range('\u{FE00}', '\u{FE0F}'),
            prop::char::range('\u{E0000}', '\u{E0080}'),
            Just('\u{FEFF}'),
            Just('\u{61C}'),
            Just('a'),
            Just('\\'),
        ]
    }

    fn hostile_string() -> impl Strategy<Value = String> {
        prop::collection::vec(hostile_char(), 0..40).prop_map(|v| v.into_iter().collect())
    }

    /// Parses RFC 4180 CSV (CRLF or LF record ends) into records of fields.
    fn parse_csv(input: &str) -> Vec<Vec<String>> {
        let mut records = Vec::new();
        let mut record = Vec::new();
        let mut field = String::new();
        let mut chars = input.chars().peekable();
        let mut at_field_start = true;
        let mut any = false;
        while let Some(c) = chars.next() {
            any = true;
            if at_field_start && c == '"' {
                at_field_start = false;
                loop {
                    match chars.next() {
                        Some('"') if chars.peek() == Some(&'"') => {
                            chars.next();
                            field.push('"');
                        }
                        Some('"') => break,
                        Some(c) => field.push(c),
                        None => panic!("unterminated quoted field in {input:?}"),
                    }
                }
                continue;
            }
            at_field_start = false;
            match c {
                ',' => {
                    record.push(std::mem::take(&mut field));
                    at_field_start = true;
                }
                '\r' if chars.peek() == Some(&'\n') => {}
                '\n' => {
                    record.push(std::mem::take(&mut field));
                    records.push(std::mem::take(&mut record));
                    at_field_start = true;
                    any = false;
                }
                '"' => panic!("bare quote inside unquoted field in {input:?}"),
                '\r' => panic!("bare CR inside unquoted field in {input:?}"),
                c => field.push(c),
            }
        }
        if any {
            record.push(field);
            records.push(record);
        }
        records
    }

    proptest! {
        #[test]
        fn terminal_output_has_no_dangerous_chars(s in hostile_string()) {
            for out in [for_terminal(&s), for_terminal_multiline(&s)] {
                let mut prev_visible = false;
                for c in out.chars() {
                    prop_assert!(!always_dangerous(c) || c == '\n', "{c:?} in {out:?}");
                    if is_vs(c) {
                        prop_assert!(prev_visible, "bare selector in {out:?}");
                    }
                    prev_visible = !is_vs(c) && !c.is_control();
                }
            }
            prop_assert!(!for_terminal(&s).contains('\n'));
        }

        #[test]
        fn terminal_output_unchanged_when_safe(s in "[ -~]*") {
            prop_assert!(matches!(for_terminal(&s), Cow::Borrowed(_)));
        }

        #[test]
        fn markdown_has_no_dangerous_chars_or_pipes(s in hostile_string()) {
            let out = markdown_cell(&s);
            prop_assert!(!out.chars().any(always_dangerous), "{out:?}");
            prop_assert!(!out.replace("<br>", "").contains(['<', '>']), "{out:?}");
            // Every pipe is preceded by an odd run of backslashes (escaped).
            let b = out.as_bytes();
            for (i, _) in out.match_indices('|') {
                let run = b[..i].iter().rev().take_while(|&&x| x == b'\\').count();
                prop_assert!(run % 2 == 1, "unescaped pipe in {out:?}");
            }
        }

        #[test]
        fn truncate_fits_and_is_a_prefix(s in hostile_string(), w in 0usize..20) {
            let safe = for_terminal(&s);
            let cut = truncate_to_width(&safe, w);
            prop_assert!(cut.width() <= w, "{cut:?} wider than {w}");
            let body = cut.strip_suffix('…').unwrap_or(&cut);
            prop_assert!(safe.starts_with(body));
            if safe.width() <= w {
                prop_assert_eq!(&*cut, &*safe);
            }
        }

        #[test]
        fn csv_field_round_trips(s in hostile_string()) {
            let cell = csv_field(&s);
            let parsed = parse_csv(&cell);
            let got = match parsed.as_slice() {
                [] => String::new(),
                [record] => {
                    prop_assert_eq!(record.len(), 1, "{:?}", cell);
                    record[0].clone()
                }
                _ => return Err(TestCaseError::fail(format!("many records in {cell:?}"))),
            };
            let formula = s.starts_with(['=', '+', '-', '@', '\t', '\r', '\'']);
            if formula {
                prop_assert_eq!(got, format!("'{s}"));
            } else {
                prop_assert!(!got.starts_with('\''));
                prop_assert_eq!(got, s);
            }
        }

        #[test]
        fn csv_records_round_trip(fields in prop::collection::vec(hostile_string(), 1..6)) {
            let line: Vec<String> = fields.iter().map(|f| csv_field(f)).collect();
            let file = format!("{}\r\n{}\r\n", line.join(","), line.join(","));
            let parsed = parse_csv(&file);
            prop_assert_eq!(parsed.len(), 2);
            for record in parsed {
                let restored: Vec<String> = record
                    .into_iter()
                    .map(|f| f.strip_prefix('\'').map(str::to_owned).unwrap_or(f))
                    .collect();
                prop_assert_eq!(&restored, &fields);
            }
        }

        #[test]
        fn csv_number_is_numeric_or_safe(s in "-?[0-9]{0,3}(\\.[0-9]{0,2})?([eE][+-]?[0-9]{0,2})?|.{0,8}") {
            let cell = csv_number(s.as_str());
            if is_json_number(&s) {
                prop_assert_eq!(&cell, &s);
                prop_assert!(s.parse::<f64>().is_ok());
            } else {
                prop_assert_eq!(cell, csv_field(&s));
            }
        }
    }
}
