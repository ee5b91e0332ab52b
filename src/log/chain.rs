//! Chain verification: every finding, located by file and line, re-syncing
//! after each break; rotated files ordered by linkage, not by name.
//!
//! Lines are analysed (parsed, canonicalised, hashed) independently, in
//! parallel elsewhere; this module only needs their outcomes, in order, and
//! does the cheap sequential link check.

use super::canonical::to_hex;
use super::entry::{LineError, Previous, Scheme, Seal};
use serde::Serialize;

/// What is wrong (ARCHITECTURE.md, "Verification").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, PartialOrd, Ord, Hash)]
#[serde(rename_all = "lowercase")]
pub enum FindingKind {
    /// The stored hash differs from the recomputed one: the entry was edited.
    Modified,
    /// The previous hash is not the prior entry's hash: deletion, insertion or reordering.
    Link,
    /// Not JSON, not an object, or missing its hash keys.
    Malformed,
    /// A last line without newline that does not parse: a crashed writer.
    Incomplete,
    /// The checkpoint's entry is gone.
    Truncated,
    /// The checkpoint's hash no longer matches at its position.
    Rewritten,
    /// The checkpoint's signature is missing, does not match it, or is not
    /// by the trusted key.
    Signature,
    /// An inclusion or consistency proof does not lead to the checkpoint's
    /// Merkle tree head.
    Proof,
    /// An excerpt holds fewer (or more) entries than it says matched.
    Missing,
}

impl FindingKind {
    pub fn name(self) -> &'static str {
        match self {
            FindingKind::Modified => "modified",
            FindingKind::Link => "link",
            FindingKind::Malformed => "malformed",
            FindingKind::Incomplete => "incomplete",
            FindingKind::Truncated => "truncated",
            FindingKind::Rewritten => "rewritten",
            FindingKind::Signature => "signature",
            FindingKind::Proof => "proof",
            FindingKind::Missing => "missing",
        }
    }
}

/// What a hipaa chain's hash leaves out.
pub const HIPAA_NOTE: &str = "hipaa chains hash only timestamp, user_id, tool_name, patient_id and previous_hash: purpose, role, arguments, result and success can be edited undetected";

/// One integrity problem at one line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    pub file: String,
    /// 1-based line number in `file`.
    pub line: usize,
    pub kind: FindingKind,
    pub message: String,
}

/// The outcome of analysing one line.
#[derive(Debug, Clone, PartialEq)]
pub enum LineOutcome {
    /// An entry; `None` seal for a plain (unchained) entry.
    Entry(Option<Seal>),
    NotEntry(LineError),
    /// Longer than the source's entry limit, so not read: neither an entry
    /// nor a finding, but a gap in what was verified.
    TooLarge {
        bytes: usize,
        limit: usize,
    },
}

/// A line that was not verified because it is longer than the limit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Unverified {
    pub file: String,
    /// 1-based line number in `file`.
    pub line: usize,
    pub bytes: usize,
    pub limit: usize,
}

impl Unverified {
    pub fn message(&self) -> String {
        format!(
            "not verified: too large ({} bytes; the limit is {}, set with --max-entry-bytes)",
            self.bytes, self.limit
        )
    }
}

/// Verifies one file's lines in order and summarises it for assembly into
/// chains.
pub struct FileVerifier {
    summary: FileSummary,
    /// The last two sealed entries (line, stored hash), to explain link breaks.
    recent: [Option<(usize, Option<[u8; 32]>)>; 2],
    /// After an unreadable line the next link cannot be judged.
    after_unreadable: bool,
    /// Line of the last sealed entry, to tell whether an unverified line
    /// came after it.
    last_sealed: Option<usize>,
}

/// What assembly needs to know about one file once its lines are checked.
#[derive(Debug, Clone)]
pub struct FileSummary {
    pub name: String,
    pub scheme: Option<Scheme>,
    pub mixed_schemes: bool,
    pub entries: usize,
    /// Line and previous-hash of the first sealed entry.
    pub first: Option<(usize, Previous)>,
    /// Stored hash of the first sealed entry (a chain's origin if it starts one).
    pub first_hash: Option<[u8; 32]>,
    /// Stored hash of the last sealed entry.
    pub last_hash: Option<[u8; 32]>,
    /// Where the entries are among the file's lines.
    pub lines: LineMap,
    pub findings: Vec<Finding>,
    /// Lines too long to verify.
    pub unverified: Vec<Unverified>,
    /// An unverified line comes before the first sealed entry: what that
    /// entry links to is unknown, not missing.
    pub opens_unverified: bool,
    /// An unverified line comes after the last sealed entry: the file's
    /// head is unknown.
    pub ends_unverified: bool,
    pub empty: bool,
    /// The entries' stored hashes in order, the leaves of a checkpoint's
    /// Merkle tree: kept only when asked for (32 bytes an entry), and
    /// `None` then too once an entry has no hash a tree could commit to.
    pub leaves: Option<Vec<[u8; 32]>>,
}

impl FileSummary {
    /// The 1-based line of the file's `index`-th entry (from 0).
    pub fn entry_line(&self, index: usize) -> Option<usize> {
        (index < self.entries).then(|| self.lines.line(index))
    }
}

/// A file's lines that are not entries, in order: with them the line of
/// any entry, and the entry at any line, are known without a column of
/// line numbers, at a cost that grows with the damage, not with the log.
#[derive(Debug, Clone, Default)]
pub struct LineMap {
    not_entries: Vec<u32>,
}

impl LineMap {
    /// The 1-based line of the `index`-th entry (from 0), for an index
    /// below the file's count of entries.
    pub fn line(&self, index: usize) -> usize {
        // Before the j-th line that is not an entry come `line - 1 - j`
        // entries, a count that never decreases with j: the lines that push
        // this entry further are those with at most `index` entries before.
        let (mut low, mut high) = (0, self.not_entries.len());
        while low < high {
            let j = (low + high) / 2;
            if self.not_entries[j] as usize - 1 - j <= index {
                low = j + 1;
            } else {
                high = j;
            }
        }
        index + 1 + low
    }

    /// The entry (from 0) at a 1-based line; `None` for a line that is not
    /// one.
    pub fn index(&self, line: usize) -> Option<usize> {
        let before = self.not_entries.partition_point(|&l| (l as usize) < line);
        let is_entry = self.not_entries.get(before) != Some(&(line as u32));
        (line > 0 && is_entry).then(|| line - 1 - before)
    }
}

impl FileVerifier {
    pub fn new(name: impl Into<String>) -> Self {
        FileVerifier {
            summary: FileSummary {
                name: name.into(),
                scheme: None,
                mixed_schemes: false,
                entries: 0,
                first: None,
                first_hash: None,
                last_hash: None,
                lines: LineMap::default(),
                findings: Vec::new(),
                unverified: Vec::new(),
                opens_unverified: false,
                ends_unverified: false,
                empty: true,
                leaves: None,
            },
            recent: [None, None],
            after_unreadable: false,
            last_sealed: None,
        }
    }

    /// Go on verifying a file already verified up to its line `last_line`
    /// (its summary `summary`): the next line must link to its head.
    pub fn resume(summary: FileSummary, last_line: usize) -> Self {
        let last_entry = summary
            .entries
            .checked_sub(1)
            .map(|i| summary.lines.line(i));
        let sealed = last_entry.filter(|_| summary.last_hash.is_some());
        FileVerifier {
            recent: [sealed.map(|line| (line, summary.last_hash)), None],
            after_unreadable: last_entry != Some(last_line),
            last_sealed: sealed,
            summary,
        }
    }

    /// The summary of the lines so far, as [`FileVerifier::finish`] would
    /// give it.
    pub fn snapshot(&self) -> FileSummary {
        finished(self.summary.clone(), self.last_sealed)
    }

    /// Also keep the entries' stored hashes (see [`FileSummary::leaves`]).
    pub fn keeping_leaves(mut self) -> Self {
        self.summary.leaves = Some(Vec::new());
        self
    }

    /// Feed the next line's outcome. `terminated` is false for a final line
    /// without newline.
    pub fn push(&mut self, line: usize, terminated: bool, outcome: &LineOutcome) {
        self.summary.empty = false;
        match outcome {
            LineOutcome::NotEntry(LineError(reason)) => {
                let kind = if terminated {
                    FindingKind::Malformed
                } else {
                    FindingKind::Incomplete
                };
                let message = if terminated {
                    reason.clone()
                } else {
                    format!(
                        "last line has no newline and does not parse ({reason}): a writer stopped mid-entry"
                    )
                };
                self.finding(line, kind, message);
                self.summary.lines.not_entries.push(line as u32);
                self.after_unreadable = true;
            }
            &LineOutcome::TooLarge { bytes, limit } => {
                self.summary.unverified.push(Unverified {
                    file: self.summary.name.clone(),
                    line,
                    bytes,
                    limit,
                });
                self.summary.lines.not_entries.push(line as u32);
                self.summary.opens_unverified |= self.last_sealed.is_none();
                self.after_unreadable = true;
            }
            LineOutcome::Entry(seal) => {
                self.summary.entries += 1;
                if let Some(leaves) = &mut self.summary.leaves {
                    match seal.and_then(|s| s.stored) {
                        Some(stored) => leaves.push(stored),
                        None => self.summary.leaves = None,
                    }
                }
                self.note_scheme(line, seal.map_or(Scheme::Plain, |s| s.scheme));
                if let Some(seal) = seal {
                    self.check_sealed(line, seal);
                }
            }
        }
    }

    fn note_scheme(&mut self, line: usize, scheme: Scheme) {
        match self.summary.scheme {
            None => self.summary.scheme = Some(scheme),
            Some(s) if s != scheme && !self.summary.mixed_schemes => {
                self.summary.mixed_schemes = true;
                let message = format!("a {} entry in a {} log", scheme.name(), s.name());
                self.finding(line, FindingKind::Malformed, message);
            }
            Some(_) => {}
        }
    }

    fn check_sealed(&mut self, line: usize, seal: &Seal) {
        if seal.stored != Some(seal.computed) {
            let message = match seal.stored {
                Some(_) => format!(
                    "content does not match its hash (recomputed {})",
                    short(&seal.computed)
                ),
                None => "stored hash is not a lowercase SHA-256 hex digest".to_string(),
            };
            self.finding(line, FindingKind::Modified, message);
        }
        match self.recent[0] {
            None => {
                self.summary.first = Some((line, seal.previous));
                self.summary.first_hash = seal.stored;
            }
            Some((prior_line, prior_hash)) if !self.after_unreadable => {
                if Previous::Hash(prior_hash.unwrap_or_default()) != seal.previous
                    || prior_hash.is_none()
                {
                    // A line identical to the one before it links where that
                    // one did: it is the copy, not the genuine line, that is wrong.
                    let message = if prior_hash.is_some() && seal.stored == prior_hash {
                        format!("repeats line {prior_line}: a duplicated entry")
                    } else {
                        self.explain_link(prior_line, seal.previous)
                    };
                    self.finding(line, FindingKind::Link, message);
                }
            }
            Some(_) => {}
        }
        self.after_unreadable = false;
        self.last_sealed = Some(line);
        self.recent = [Some((line, seal.stored)), self.recent[0]];
        self.summary.last_hash = seal.stored;
    }

    fn explain_link(&self, prior_line: usize, previous: Previous) -> String {
        match previous {
            Previous::Genesis => format!("chain restarts at genesis after line {prior_line}"),
            Previous::Invalid => {
                "previous hash is neither \"genesis\" nor a SHA-256 hex digest".to_string()
            }
            Previous::Hash(h) => match self.recent[1] {
                Some((before, Some(hash))) if hash == h => {
                    format!(
                        "links to line {before}, not line {prior_line}: line {prior_line} was inserted or moved"
                    )
                }
                _ => format!(
                    "does not link to line {prior_line} (links to {}): entries were deleted, inserted or reordered before this line",
                    short(&h)
                ),
            },
        }
    }

    fn finding(&mut self, line: usize, kind: FindingKind, message: String) {
        self.summary.findings.push(Finding {
            file: self.summary.name.clone(),
            line,
            kind,
            message,
        });
    }

    /// Entries seen so far.
    pub fn entries(&self) -> usize {
        self.summary.entries
    }

    /// Stored hash of the last sealed entry so far: what the next entry
    /// must link to.
    pub fn head(&self) -> Option<[u8; 32]> {
        self.summary.last_hash
    }

    /// Findings so far, in line order.
    pub fn findings(&self) -> &[Finding] {
        &self.summary.findings
    }

    /// The file is not a JSON-lines log at all (`why`): one finding for the
    /// whole file, in place of one per line.
    pub fn not_json_lines(&mut self, why: &str) {
        self.summary.empty = false;
        self.finding(
            1,
            FindingKind::Malformed,
            format!("not a JSON-lines log: {why}"),
        );
    }

    /// Record a finding found outside the lines (a file that shrank).
    pub fn add_finding(&mut self, finding: Finding) {
        self.summary.findings.push(finding);
    }

    /// Go on into the next file of a rotation: its first entry must link
    /// to the last one seen here. Counts and findings carry over.
    pub fn continue_into(&mut self, name: String) {
        self.summary.name = name;
    }

    pub fn finish(self) -> FileSummary {
        finished(self.summary, self.last_sealed)
    }
}

/// `summary` once every line is pushed.
fn finished(mut summary: FileSummary, last_sealed: Option<usize>) -> FileSummary {
    summary.ends_unverified = summary
        .unverified
        .last()
        .is_some_and(|u| Some(u.line) > last_sealed);
    if summary.ends_unverified {
        summary.last_hash = None;
    }
    if summary.empty {
        let name = summary.name.clone();
        summary.findings.push(Finding {
            file: name,
            line: 1,
            kind: FindingKind::Malformed,
            message: "empty file: no entries".into(),
        });
    }
    summary
}

/// First 12 hex digits, enough to recognise a hash in a message.
pub fn short(hash: &[u8; 32]) -> String {
    to_hex(hash)[..12].to_string()
}

/// One chain: files in linkage order.
#[derive(Debug, Clone, Serialize)]
pub struct Chain {
    pub files: Vec<String>,
    /// None for a chain of no entries (a binary or empty file).
    #[serde(serialize_with = "scheme_or_none")]
    pub scheme: Option<Scheme>,
    pub entries: usize,
    /// Hash of the first entry: names the chain whatever its files are called.
    #[serde(serialize_with = "hex_opt")]
    pub origin: Option<[u8; 32]>,
    #[serde(serialize_with = "hex_opt")]
    pub head: Option<[u8; 32]>,
    pub intact: bool,
    #[serde(skip)]
    pub(crate) members: Vec<usize>,
}

/// The verdict on everything that was read.
#[derive(Debug, Clone)]
pub struct Verification {
    pub files: Vec<FileSummary>,
    pub chains: Vec<Chain>,
    pub findings: Vec<Finding>,
    /// Lines too long to verify: not findings, but the verdict is partial.
    pub unverified: Vec<Unverified>,
}

impl Verification {
    pub fn intact(&self) -> bool {
        self.findings.is_empty()
    }

    /// Every line was read: no entry was too large to verify.
    pub fn complete(&self) -> bool {
        self.unverified.is_empty()
    }

    pub fn entries(&self) -> usize {
        self.files.iter().map(|f| f.entries).sum()
    }

    /// `chain`, `hipaa`, `plain`, `mixed` when files differ, or `none` when
    /// not one entry was read (a binary file, an empty one).
    pub fn scheme(&self) -> &'static str {
        let mut schemes = self.files.iter().filter_map(|f| f.scheme);
        match schemes.next() {
            None => "none",
            Some(first)
                if schemes.all(|s| s == first) && !self.files.iter().any(|f| f.mixed_schemes) =>
            {
                first.name()
            }
            Some(_) => "mixed",
        }
    }

    /// True when some entries are not fully protected (hipaa or plain).
    /// A file without entries protects nothing and leaves nothing
    /// unprotected: it is not weak (its findings say what it is).
    pub fn weak(&self) -> bool {
        self.files
            .iter()
            .any(|f| matches!(f.scheme, Some(Scheme::Hipaa | Scheme::Plain)))
    }

    /// What the scheme of each chain leaves unprotected, in words for the
    /// verdict.
    pub fn weakness_notes(&self) -> Vec<&'static str> {
        let mut notes = Vec::new();
        if self.chains.iter().any(|c| c.scheme == Some(Scheme::Hipaa)) {
            notes.push(HIPAA_NOTE);
        }
        if self.chains.iter().any(|c| c.scheme == Some(Scheme::Plain)) {
            notes.push("plain logs have no hashes: nothing is protected");
        }
        notes
    }

    /// The longest chain: its head is the one a checkpoint would name.
    pub fn main_chain(&self) -> Option<&Chain> {
        self.chains.iter().max_by_key(|c| c.entries)
    }

    pub fn add_findings(&mut self, extra: impl IntoIterator<Item = Finding>) {
        self.findings.extend(extra);
        self.sort_findings();
    }

    fn sort_findings(&mut self) {
        let rank: std::collections::HashMap<&str, usize> = self
            .chains
            .iter()
            .flat_map(|c| c.files.iter())
            .enumerate()
            .map(|(i, f)| (f.as_str(), i))
            .collect();
        self.findings.sort_by_key(|f| {
            (
                rank.get(f.file.as_str()).copied().unwrap_or(usize::MAX),
                f.line,
                f.kind,
            )
        });
        for chain in &mut self.chains {
            chain.intact = !self.findings.iter().any(|f| chain.files.contains(&f.file));
        }
    }
}

/// Group verified files into chains by linkage and check the links between
/// files. Files are given in name order; that order only breaks ties.
pub fn assemble(files: Vec<FileSummary>) -> Verification {
    let mut findings: Vec<Finding> = files
        .iter()
        .flat_map(|f| f.findings.iter().cloned())
        .collect();
    let unverified: Vec<Unverified> = files
        .iter()
        .flat_map(|f| f.unverified.iter().cloned())
        .collect();
    // A file may continue one whose head was not read: its link is unknown.
    let some_head_unknown = files.iter().any(|f| f.ends_unverified);
    let mut used = vec![false; files.len()];
    let mut chains = Vec::new();
    let starts_chain = |f: &FileSummary| match f.first {
        Some((_, Previous::Genesis)) => true,
        None => true,
        Some(_) => f.opens_unverified,
    };
    let mut order: Vec<usize> = (0..files.len())
        .filter(|&i| starts_chain(&files[i]))
        .collect();
    // Files that continue nothing known start their own chain, after a finding.
    order.extend((0..files.len()).filter(|&i| !starts_chain(&files[i])));
    for start in order {
        if used[start] {
            continue;
        }
        used[start] = true;
        let unknown_link =
            some_head_unknown && matches!(files[start].first, Some((_, Previous::Hash(_))));
        if let Some((line, previous)) = files[start]
            .first
            .filter(|_| !starts_chain(&files[start]) && !unknown_link)
        {
            findings.push(Finding {
                file: files[start].name.clone(),
                line,
                kind: FindingKind::Link,
                message: match previous {
                    Previous::Hash(h) => format!(
                        "first entry links to {} which no file here ends with: earlier entries or files are missing",
                        short(&h)
                    ),
                    _ => "first entry's previous hash is invalid".to_string(),
                },
            });
        }
        let mut members = vec![start];
        while let Some(tail) = files[*members.last().expect("non-empty")].last_hash {
            let next = (0..files.len())
                .find(|&j| !used[j] && files[j].first.map(|f| f.1) == Some(Previous::Hash(tail)));
            let Some(next) = next else { break };
            used[next] = true;
            members.push(next);
        }
        chains.push(chain_of(&files, members));
    }
    let mut verification = Verification {
        files,
        chains,
        findings,
        unverified,
    };
    verification.sort_findings();
    verification
}

fn chain_of(files: &[FileSummary], members: Vec<usize>) -> Chain {
    let first = &files[members[0]];
    let last = &files[*members.last().expect("non-empty")];
    Chain {
        files: members.iter().map(|&i| files[i].name.clone()).collect(),
        scheme: first.scheme,
        entries: members.iter().map(|&i| files[i].entries).sum(),
        origin: first.first_hash,
        head: last.last_hash,
        intact: true,
        members,
    }
}

impl Chain {
    /// The scheme's name, or `none` for a chain of no entries.
    pub fn scheme_name(&self) -> &'static str {
        self.scheme.map_or("none", Scheme::name)
    }
}

fn scheme_or_none<S: serde::Serializer>(scheme: &Option<Scheme>, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(scheme.map_or("none", Scheme::name))
}

fn hex_opt<S: serde::Serializer>(hash: &Option<[u8; 32]>, s: S) -> Result<S::Ok, S::Error> {
    match hash {
        Some(h) => s.serialize_str(&to_hex(h)),
        None => s.serialize_none(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seal(own: u8, prev: Option<u8>) -> LineOutcome {
        LineOutcome::Entry(Some(Seal {
            scheme: Scheme::Chain,
            stored: Some([own; 32]),
            previous: prev.map_or(Previous::Genesis, |p| Previous::Hash([p; 32])),
            computed: [own; 32],
        }))
    }

    fn verify_file(name: &str, lines: &[LineOutcome]) -> FileSummary {
        let mut v = FileVerifier::new(name);
        for (i, outcome) in lines.iter().enumerate() {
            v.push(i + 1, true, outcome);
        }
        v.finish()
    }

    fn kinds(v: &Verification) -> Vec<(String, usize, FindingKind)> {
        v.findings
            .iter()
            .map(|f| (f.file.clone(), f.line, f.kind))
            .collect()
    }

    #[test]
    fn entry_lines_step_over_lines_that_are_not_entries() {
        let bad = || LineOutcome::NotEntry(LineError("not JSON".into()));
        let file = verify_file(
            "a",
            &[
                bad(),
                bad(),
                seal(1, None),
                bad(),
                seal(2, Some(1)),
                seal(3, Some(2)),
                bad(),
            ],
        );
        let lines: Vec<Option<usize>> = (0..4).map(|i| file.entry_line(i)).collect();
        assert_eq!(lines, vec![Some(3), Some(5), Some(6), None]);
        let entries: Vec<Option<usize>> = (0..=7).map(|l| file.lines.index(l)).collect();
        let expected = [None, None, None, Some(0), None, Some(1), Some(2), None];
        assert_eq!(entries, expected);
        for index in 0..3 {
            assert_eq!(file.lines.index(file.lines.line(index)), Some(index));
        }
    }

    #[test]
    fn an_intact_chain_has_no_findings() {
        let v = assemble(vec![verify_file(
            "a",
            &[seal(1, None), seal(2, Some(1)), seal(3, Some(2))],
        )]);
        assert!(v.intact());
        assert_eq!(v.chains[0].head, Some([3; 32]));
    }

    #[test]
    fn a_deleted_entry_breaks_the_link_at_the_next_line_only() {
        let v = assemble(vec![verify_file(
            "a",
            &[seal(1, None), seal(3, Some(2)), seal(4, Some(3))],
        )]);
        assert_eq!(kinds(&v), vec![("a".into(), 2, FindingKind::Link)]);
    }

    #[test]
    fn an_inserted_entry_is_named_by_the_line_after_it() {
        let v = assemble(vec![verify_file(
            "a",
            &[seal(1, None), seal(9, Some(1)), seal(2, Some(1))],
        )]);
        assert_eq!(kinds(&v), vec![("a".into(), 3, FindingKind::Link)]);
        assert!(v.findings[0].message.contains("line 2 was inserted"));
    }

    #[test]
    fn a_duplicated_last_line_is_blamed_not_the_genuine_one_before_it() {
        let v = assemble(vec![verify_file(
            "a",
            &[seal(1, None), seal(2, Some(1)), seal(2, Some(1))],
        )]);
        assert_eq!(kinds(&v), vec![("a".into(), 3, FindingKind::Link)]);
        let message = &v.findings[0].message;
        assert_eq!(message, "repeats line 2: a duplicated entry");
    }

    #[test]
    fn rotated_files_are_ordered_by_linkage_not_name() {
        let later = verify_file("a-part2", &[seal(3, Some(2)), seal(4, Some(3))]);
        let earlier = verify_file("b-part1", &[seal(1, None), seal(2, Some(1))]);
        let v = assemble(vec![later, earlier]);
        assert!(v.intact());
        assert_eq!(v.chains.len(), 1);
        assert_eq!(v.chains[0].files, vec!["b-part1", "a-part2"]);
        assert_eq!(v.chains[0].entries, 4);
    }

    #[test]
    fn a_file_that_continues_nothing_is_a_finding() {
        let v = assemble(vec![verify_file("orphan", &[seal(3, Some(2))])]);
        assert_eq!(kinds(&v), vec![("orphan".into(), 1, FindingKind::Link)]);
    }

    #[test]
    fn an_unterminated_garbled_last_line_is_incomplete() {
        let mut v = FileVerifier::new("a");
        v.push(1, true, &seal(1, None));
        v.push(
            2,
            false,
            &LineOutcome::NotEntry(LineError("not JSON".into())),
        );
        let v = assemble(vec![v.finish()]);
        assert_eq!(kinds(&v), vec![("a".into(), 2, FindingKind::Incomplete)]);
    }

    #[test]
    fn an_entry_too_large_to_read_is_unverified_wherever_it_is_never_a_finding() {
        let big = || LineOutcome::TooLarge {
            bytes: 99,
            limit: 10,
        };
        let whole = verify_file("a", &[seal(1, None), big(), seal(3, Some(2))]);
        // The file's first and last entries were too large: what the second
        // file's first entry links to is unknown, not missing.
        let first = verify_file("b-1", &[big(), seal(2, Some(1)), big()]);
        let second = verify_file("b-2", &[seal(4, Some(3))]);
        let v = assemble(vec![whole, first, second]);
        assert_eq!(kinds(&v), vec![]);
        let unverified: Vec<(&str, usize)> = v
            .unverified
            .iter()
            .map(|u| (u.file.as_str(), u.line))
            .collect();
        assert_eq!(unverified, vec![("a", 2), ("b-1", 1), ("b-1", 3)]);
        assert!(v.intact() && !v.complete());
        assert_eq!(v.entries(), 4, "unread lines are not counted as entries");
    }

    #[test]
    fn a_garbled_line_is_reported_once_not_also_as_a_link_break() {
        let bad = LineOutcome::NotEntry(LineError("not JSON".into()));
        let v = assemble(vec![verify_file(
            "a",
            &[seal(1, None), bad, seal(3, Some(2))],
        )]);
        assert_eq!(kinds(&v), vec![("a".into(), 2, FindingKind::Malformed)]);
    }
}
