//! Lexing: the line cut into spaces, pipes, bare words and quoted strings.

use std::ops::Range;

#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum AtomKind {
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
pub(super) struct Atom {
    pub(super) kind: AtomKind,
    /// Byte range in the input.
    pub(super) range: Range<usize>,
}

pub(super) fn lex(input: &str) -> Vec<Atom> {
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
