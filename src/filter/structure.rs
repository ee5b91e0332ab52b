//! Structure: atoms grouped into raw terms (negation, key, alternatives),
//! never failing so that completion works on half-typed input.

use super::lex::{Atom, AtomKind};
use std::ops::Range;

/// What is structurally wrong with a raw term; the first one found is kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Problem {
    Unterminated,
    LoneDash,
    StrayPipe,
    StrayQuote,
    MissingValue,
    EmptyAlternative,
}

#[derive(Debug, Clone)]
pub(super) enum Body {
    Text { text: String, quoted: bool },
    KeyValue { key: Range<usize>, alts: Vec<Alt> },
}

#[derive(Debug, Clone)]
pub(super) struct Alt {
    pub(super) text: String,
    /// Byte range including any quotes; empty where a value is missing.
    pub(super) range: Range<usize>,
}

#[derive(Debug, Clone)]
pub(super) struct RawTerm {
    /// Byte range, `-` included.
    pub(super) range: Range<usize>,
    pub(super) negated: bool,
    pub(super) body: Body,
    pub(super) problem: Option<Problem>,
}

/// Groups atoms into terms. Never fails, so completion can use it on half-typed input.
pub(super) fn structure(input: &str, atoms: &[Atom]) -> Vec<RawTerm> {
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
pub(super) fn quoted_text(
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
pub(super) fn glued(atoms: &[Atom], i: &mut usize, end: &mut usize) -> bool {
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
pub(super) fn key_value(
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
pub(super) fn alternative(
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

pub(super) fn skip_space(atoms: &[Atom], mut i: usize) -> usize {
    while atoms.get(i).is_some_and(|a| a.kind == AtomKind::Space) {
        i += 1;
    }
    i
}
