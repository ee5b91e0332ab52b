//! The lines that hold integrity findings, file by file, so that a frame
//! finds those of each row it shows by looking them up. A log edited
//! throughout has a finding per entry: scanning them all for each row took
//! a frame ~0.3 s on 200,000 entries, and held the verdict off the screen
//! that long (ARCHITECTURE.md, "The browser's load").

use crate::log::chain::Finding;
use std::collections::HashMap;

/// Where a verdict's findings are.
#[derive(Debug, Default)]
pub struct FindingLines {
    /// Per file, the line of each finding and its index in the verdict's
    /// list, by line.
    files: HashMap<String, Vec<(usize, usize)>>,
}

impl FindingLines {
    pub fn new(findings: &[Finding]) -> FindingLines {
        let mut files: HashMap<String, Vec<(usize, usize)>> = HashMap::new();
        let mut index = 0;
        // A verdict lists a file's findings together: a name is hashed once
        // a run of them, not once a finding.
        for run in findings.chunk_by(|a, b| a.file == b.file) {
            let lines = files.entry(run[0].file.clone()).or_default();
            lines.extend(run.iter().zip(index..).map(|(f, i)| (f.line, i)));
            index += run.len();
        }
        for lines in files.values_mut() {
            lines.sort_unstable();
        }
        FindingLines { files }
    }

    /// The indices of the findings on `file:line`, in the verdict's list.
    pub fn on(&self, file: &str, line: usize) -> impl Iterator<Item = usize> + '_ {
        let lines = self.files.get(file).map_or(&[][..], Vec::as_slice);
        let start = lines.partition_point(|&(l, _)| l < line);
        lines[start..]
            .iter()
            .take_while(move |&&(l, _)| l == line)
            .map(|&(_, index)| index)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::log::chain::FindingKind;

    fn finding(file: &str, line: usize, kind: FindingKind) -> Finding {
        Finding {
            file: file.into(),
            line,
            kind,
            message: String::new(),
        }
    }

    #[test]
    fn each_line_has_the_findings_on_it_and_no_other() {
        use FindingKind::{Link, Modified};
        // Files interleaved and lines out of order, as a verdict may list
        // findings of files that belong to no chain.
        let findings = [
            finding("b.jsonl", 9, Modified),
            finding("a.jsonl", 7, Modified),
            finding("a.jsonl", 3, Link),
            finding("a.jsonl", 3, Modified),
            finding("b.jsonl", 3, Modified),
            finding("a.jsonl", 5, Modified),
        ];
        let lines = FindingLines::new(&findings);
        let on = |file, line| lines.on(file, line).collect::<Vec<_>>();
        assert_eq!(on("a.jsonl", 3), [2, 3]);
        assert_eq!(on("a.jsonl", 5), [5]);
        assert_eq!(on("a.jsonl", 7), [1]);
        assert_eq!(on("b.jsonl", 3), [4]);
        assert_eq!(on("b.jsonl", 9), [0]);
        for (file, line) in [
            ("a.jsonl", 4),
            ("a.jsonl", 9),
            ("b.jsonl", 5),
            ("c.jsonl", 3),
        ] {
            assert!(on(file, line).is_empty(), "{file}:{line}");
        }
        assert_eq!(FindingLines::new(&[]).on("a.jsonl", 1).count(), 0);
    }

    proptest::proptest! {
        /// The lookup finds on each line what a scan of every finding
        /// finds there, in the verdict's order, however they are listed.
        #[test]
        fn the_lookup_finds_what_a_scan_finds(
            places in proptest::collection::vec((0..3usize, 0..12usize, proptest::bool::ANY), 0..40),
        ) {
            let files = ["a.jsonl", "b.jsonl", "c/a.jsonl"];
            let findings: Vec<Finding> = (places.iter())
                .map(|&(file, line, link)| {
                    let kind = if link { FindingKind::Link } else { FindingKind::Modified };
                    finding(files[file], line, kind)
                })
                .collect();
            let lines = FindingLines::new(&findings);
            for file in files.iter().chain(&["d.jsonl"]) {
                for line in 0..13 {
                    let scanned: Vec<usize> = (0..findings.len())
                        .filter(|&i| findings[i].file == *file && findings[i].line == line)
                        .collect();
                    proptest::prop_assert_eq!(lines.on(file, line).collect::<Vec<_>>(), scanned);
                }
            }
        }
    }
}
