//! The chains files form, known before the files are read through: which
//! files link into which chain, in which order, and each chain's origin,
//! from the first and last sealed entries of each file only. `ingest`
//! names every row by its chain and position while the same pass verifies
//! it (ARCHITECTURE.md, "ClickHouse"). Assembling these ends gives the
//! chains that assembling the whole verification gives, because assembly
//! reads nothing else of a file: its first sealed entry (line, link,
//! stored hash), its last sealed entry's stored hash, and whether a line
//! too large to read comes before or after them (refused here instead).

use super::chain::{FileSummary, FileVerifier, LineOutcome, Unverified, Verification, assemble};
use super::entry::LineReader;
use super::pass::not_json_lines;
use super::source::{Line, Source};
use rayon::prelude::*;

/// The chains of `sources` as verifying them would assemble them (their
/// files, order and origin; counts and findings are not known yet), or the
/// first line too large to verify: it hides a link, so such a log has no
/// verdict to store. Reads a line or two per file, except in a file
/// without sealed entries (a plain log), which is read through.
pub fn chains(sources: &[Source]) -> Result<Verification, Unverified> {
    let ends: Vec<FileSummary> = sources.par_iter().map(ends_of).collect::<Result<_, _>>()?;
    Ok(assemble(ends))
}

/// Whether two verdicts on the same files name the same chains: their
/// files in order and their origins.
pub fn same_chains(a: &Verification, b: &Verification) -> bool {
    let shape = |v: &Verification| -> Vec<(Vec<String>, Option<[u8; 32]>)> {
        v.chains
            .iter()
            .map(|c| (c.files.clone(), c.origin))
            .collect()
    };
    shape(a) == shape(b)
}

/// One file's summary, right in what assembly reads.
fn ends_of(source: &Source) -> Result<FileSummary, Unverified> {
    let mut verifier = FileVerifier::new(source.name.clone());
    let bytes = source.bytes();
    if let Some(why) = not_json_lines(bytes) {
        verifier.not_json_lines(why);
        return Ok(verifier.finish());
    }
    let limit = source.max_entry_bytes();
    if limit < bytes.len()
        && let Some(line) = source.lines().find(|l| l.bytes.len() > limit)
    {
        return Err(Unverified {
            file: source.name.clone(),
            line: line.number,
            bytes: line.bytes.len(),
            limit,
        });
    }
    let mut reader = LineReader::new();
    let mut read = |line: &Line<'_>| match reader.read_seal(line.bytes) {
        Ok(seal) => LineOutcome::Entry(seal),
        Err(e) => LineOutcome::NotEntry(e),
    };
    let sealed = |outcome: &LineOutcome| matches!(outcome, LineOutcome::Entry(Some(_)));
    let mut first = None;
    for line in source.lines() {
        let outcome = read(&line);
        verifier.push(line.number, line.terminated, &outcome);
        if sealed(&outcome) {
            first = Some(line);
            break;
        }
    }
    let Some(first) = first else {
        return Ok(verifier.finish());
    };
    for line in lines_backwards(bytes).take_while(|l| l.offset > first.offset) {
        let outcome = read(&line);
        if sealed(&outcome) {
            // Its line number is unknown and unused: any after the first's.
            verifier.push(first.number + 1, line.terminated, &outcome);
            break;
        }
    }
    Ok(verifier.finish())
}

/// The lines of `bytes` from the last one back, split as
/// [`Source::lines`] splits them; their numbers are not known (0), and the
/// first line's offset ignores a byte order mark.
fn lines_backwards(bytes: &[u8]) -> impl Iterator<Item = Line<'_>> {
    let terminated = bytes.last() == Some(&b'\n');
    // Where the next line (going back) ends, and whether a newline ends it.
    let mut next_end =
        (!bytes.is_empty()).then(|| (bytes.len() - usize::from(terminated), terminated));
    std::iter::from_fn(move || {
        let (end, terminated) = next_end?;
        let start = memchr::memrchr(b'\n', &bytes[..end]).map_or(0, |i| i + 1);
        next_end = (start > 0).then(|| (start - 1, true));
        Some(Line {
            number: 0,
            offset: start,
            bytes: &bytes[start..end],
            terminated,
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::generate::{Options, generate};
    use crate::log::pass::verify;

    fn lines(entries: u64) -> Vec<String> {
        let bytes: Vec<u8> = generate(&Options::new(entries))
            .expect("valid options")
            .into_iter()
            .flat_map(|f| f.bytes)
            .collect();
        let text = String::from_utf8(bytes).unwrap();
        text.lines().map(|l| format!("{l}\n")).collect()
    }

    fn source(name: &str, lines: &[String]) -> Source {
        Source::from_bytes(name, lines.concat().into_bytes())
    }

    #[test]
    fn lines_backwards_are_the_lines_forwards_reversed() {
        for text in ["", "\n", "a", "a\n", "a\n\n", "a\nb", "a\n\nb\n", "\n\nx\n"] {
            let source = Source::from_bytes("t", text.as_bytes().to_vec());
            let mut forwards: Vec<(usize, &[u8], bool)> = source
                .lines()
                .map(|l| (l.offset, l.bytes, l.terminated))
                .collect();
            forwards.reverse();
            let backwards: Vec<(usize, &[u8], bool)> = lines_backwards(text.as_bytes())
                .map(|l| (l.offset, l.bytes, l.terminated))
                .collect();
            assert_eq!(backwards, forwards, "{text:?}");
        }
    }

    /// Every log shape assembly cares about: rotations given out of order,
    /// a rotation with a missing middle, malformed first and last lines,
    /// plain entries before the first sealed one, a plain log, a binary
    /// file, an empty file, a file without final newline, a fork.
    fn shapes() -> Vec<Vec<Source>> {
        let all = lines(60);
        let garbled = |mut part: Vec<String>| {
            part.insert(0, "not json\n".into());
            part.push("{\"half\": \n".into());
            part
        };
        let plain = "{\"timestamp\": \"2025-01-01T00:00:00\", \"user\": \"u\"}\n".to_string();
        let unterminated = all[..10].concat().trim_end().to_string();
        vec![
            vec![
                source("a.3", &all[40..]),
                source("a.1", &all[..20]),
                source("a.2", &all[20..40]),
            ],
            vec![source("b.1", &all[..20]), source("b.3", &all[40..])],
            vec![
                source("c.1", &garbled(all[..30].to_vec())),
                source("c.2", &garbled(all[30..].to_vec())),
            ],
            vec![source(
                "d",
                &[vec![plain.clone(), plain.clone()], all.clone()].concat(),
            )],
            vec![source("e", &[plain.clone(), plain])],
            vec![
                Source::from_bytes("f.bin", b"\x00\x01\n\x00\x02\n".to_vec()),
                Source::from_bytes("f.empty", Vec::new()),
                Source::from_bytes("f.cut", unterminated.into_bytes()),
            ],
            vec![
                source("g.1", &all[..20]),
                source("g.2", &all[20..40]),
                source("g.fork", &all[20..30]),
            ],
        ]
    }

    #[test]
    fn the_ends_assemble_into_the_chains_the_whole_verification_does() {
        for sources in shapes() {
            let predicted = chains(&sources).expect("nothing too large");
            let verified = verify(&sources);
            let names: Vec<&str> = sources.iter().map(|s| s.name.as_str()).collect();
            assert!(
                same_chains(&predicted, &verified),
                "{names:?}: {:?} against {:?}",
                predicted.chains,
                verified.chains
            );
            let members = |v: &Verification| -> Vec<Vec<usize>> {
                v.chains.iter().map(|c| c.members.clone()).collect()
            };
            assert_eq!(members(&predicted), members(&verified), "{names:?}");
        }
    }

    #[test]
    fn chains_that_differ_are_told_apart() {
        let all = lines(20);
        let whole = verify(&[source("x", &all)]);
        let cut = verify(&[source("x", &all[1..])]);
        let renamed = verify(&[source("y", &all)]);
        assert!(same_chains(&whole, &whole));
        assert!(!same_chains(&whole, &cut), "another origin");
        assert!(!same_chains(&whole, &renamed), "another file");
    }

    #[test]
    fn a_line_too_large_to_verify_is_refused_with_its_place() {
        let all = lines(5);
        // Every line is longer: the first is named.
        let limit = all.iter().map(String::len).min().unwrap() - 2;
        let sources = [source("big", &all).with_max_entry_bytes(limit)];
        let refused = chains(&sources).expect_err("a line past the limit");
        assert_eq!((refused.file.as_str(), refused.line), ("big", 1));
        let roomy = [source("big", &all).with_max_entry_bytes(all[0].len() * 2)];
        assert!(chains(&roomy).is_ok());
    }
}
