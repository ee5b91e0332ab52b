//! Realistic, deterministic audit logs in the lesson's formats.
//!
//! Demos, integration tests and benchmarks need logs that look exactly like
//! what the lesson's Python code writes (dataclass key order, `", "` and
//! `": "`, `ensure_ascii`, float `repr`, hash chains), at any size, without
//! committing large files and without needing Python. Everything is derived
//! from one seed through a tiny PRNG and IEEE-exact arithmetic only (no libm
//! `ln`/`exp`, whose last bit differs between platforms), so the same options
//! give byte-identical files on every machine: the committed `sample-logs/`
//! are checked against a fresh generation.
//!
//! The traffic model: ~200 users with roles, conversations interleaved in a
//! pool, each following a plausible plan of tool calls (look up, act,
//! notify), with proactive extra calls, ~8% failures, retries after transient
//! failures, and rare break-the-glass emergencies that an admin reviews
//! later. The `clinic` scenario also plants a burst of accesses to one
//! patient by one user, for the access-pattern alerts.

use crate::log::canonical::{sha256, write_canonical_without, write_float, write_python_str};
use crate::log::entry::Scheme;
use crate::log::json;
use std::fmt::{self, Display, Write as _};
use std::fs::File;
use std::io::{BufWriter, Write as _};
use std::path::{Path, PathBuf};

/// Where the first entry sits unless told otherwise.
pub const DEFAULT_START: &str = "2025-07-06T08:00:00Z";

/// The user planted by the `clinic` scenario.
pub const BURST_USER: &str = "usr_nightshift";
/// The patient that user reads again and again.
pub const BURST_PATIENT: &str = "P-0007";
/// How many accesses the burst holds (all within 50 minutes).
pub const BURST_ACCESSES: u32 = 15;

/// What kind of traffic, beyond the random background.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Scenario {
    /// Customer support with a minority of clinical users (clinic staff only
    /// for the hipaa scheme).
    #[default]
    Mixed,
    /// Clinic staff only, plus a planted burst (`usr_nightshift` reading
    /// `P-0007` 15 times within 50 minutes) and two planted emergency accesses,
    /// each reviewed later by an admin.
    Clinic,
}

/// Everything that determines the output; equal options give equal bytes.
#[derive(Clone, Debug)]
pub struct Options {
    /// Entries over all files.
    pub entries: u64,
    pub seed: u64,
    pub scheme: Scheme,
    pub scenario: Scenario,
    /// Rotated files the chain is split over.
    pub files: u64,
    /// Time of the first entry, microseconds since the Unix epoch (UTC).
    pub start_micros: i64,
    /// File name stem: `NAME.jsonl`, `NAME.1.jsonl`, ...
    pub name: String,
    /// Prefix lines with `INFO:tool_audit:` as Python's `logging` writes
    /// them (plain scheme only; files then end in `.log`).
    pub logging_prefix: bool,
}

impl Options {
    /// Defaults for everything but the size: seed 1, one chained file
    /// `audit.jsonl` starting at [`DEFAULT_START`].
    pub fn new(entries: u64) -> Self {
        Options {
            entries,
            seed: 1,
            scheme: Scheme::Chain,
            scenario: Scenario::Mixed,
            files: 1,
            start_micros: parse_start(DEFAULT_START).expect("the default start parses"),
            name: "audit".into(),
            logging_prefix: false,
        }
    }

    /// Check the combination before anything is written.
    pub fn validate(&self) -> Result<(), String> {
        if self.entries == 0 {
            return Err("--entries must be at least 1".into());
        }
        if self.files == 0 || self.files > self.entries {
            return Err(format!(
                "--files must be between 1 and the number of entries ({}): an empty file would be reported as a finding",
                self.entries
            ));
        }
        if self.logging_prefix && self.scheme != Scheme::Plain {
            return Err("--logging-prefix only applies to --scheme plain (the lesson's chained writers do not use logging)".into());
        }
        if self.name.is_empty() || self.name.contains(['/', '\\']) || self.name.starts_with('.') {
            return Err(format!(
                "--name {:?} must be a plain file name stem such as \"audit\"",
                self.name
            ));
        }
        Ok(())
    }

    /// File names in chain order (oldest first). Like logrotate, the newest
    /// entries are in `NAME.jsonl` and older ones in `NAME.1.jsonl`,
    /// `NAME.2.jsonl`, ... so that neither the order given nor the sorted
    /// order of the names is the chain order: readers must follow linkage.
    pub fn file_names(&self) -> Vec<String> {
        let ext = if self.logging_prefix { "log" } else { "jsonl" };
        (0..self.files)
            .map(|i| match self.files - 1 - i {
                0 => format!("{}.{ext}", self.name),
                n => format!("{}.{n}.{ext}", self.name),
            })
            .collect()
    }

    /// Entries per file, in chain order (as even as possible).
    pub fn file_entries(&self) -> Vec<u64> {
        let (n, k) = (u128::from(self.entries), u128::from(self.files));
        (0..k)
            .map(|i| ((n * (i + 1)) / k - (n * i) / k) as u64)
            .collect()
    }
}

/// Parse `--start`: RFC 3339 (`2025-07-06T08:00:00Z`), or a date-time or date
/// without offset, taken as UTC.
pub fn parse_start(text: &str) -> Result<i64, String> {
    use chrono::{DateTime, NaiveDate, NaiveDateTime};
    let micros = if let Ok(t) = DateTime::parse_from_rfc3339(text) {
        t.timestamp_micros()
    } else if let Ok(t) = NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S%.f") {
        t.and_utc().timestamp_micros()
    } else if let Ok(d) = NaiveDate::parse_from_str(text, "%Y-%m-%d") {
        d.and_hms_opt(0, 0, 0)
            .expect("midnight exists")
            .and_utc()
            .timestamp_micros()
    } else {
        return Err(format!(
            "--start {text:?} is not a time like 2025-07-06T08:00:00Z"
        ));
    };
    // Four-digit years only, with room for the log to run on.
    const YEAR_1970: i64 = 0;
    const YEAR_9000: i64 = 221_845_392_000_000_000;
    if !(YEAR_1970..YEAR_9000).contains(&micros) {
        return Err(format!("--start {text:?} must lie between 1970 and 9000"));
    }
    Ok(micros)
}

/// One generated file, in memory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GeneratedFile {
    pub name: String,
    pub entries: u64,
    pub bytes: Vec<u8>,
}

/// One file written to disk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WrittenFile {
    pub path: PathBuf,
    pub entries: u64,
    pub bytes: u64,
}

/// Generate every file in memory, in chain order (oldest first).
pub fn generate(options: &Options) -> Result<Vec<GeneratedFile>, String> {
    options.validate()?;
    let mut generator = Generator::new(options);
    let names = options.file_names();
    let mut files = Vec::with_capacity(names.len());
    for (name, entries) in names.into_iter().zip(options.file_entries()) {
        let mut bytes = Vec::new();
        for _ in 0..entries {
            generator.next_line(&mut bytes);
        }
        files.push(GeneratedFile {
            name,
            entries,
            bytes,
        });
    }
    Ok(files)
}

/// Write the files into `dir` (created if missing). Existing files are
/// never overwritten without `force`; the error names the first one found.
/// Returns the files in chain order (oldest first).
pub fn write_dir(dir: &Path, options: &Options, force: bool) -> Result<Vec<WrittenFile>, String> {
    options.validate()?;
    let paths: Vec<PathBuf> = options.file_names().iter().map(|n| dir.join(n)).collect();
    if !force {
        // Check all names first so that a refusal leaves nothing half-written.
        if let Some(existing) = paths.iter().find(|p| p.symlink_metadata().is_ok()) {
            return Err(format!(
                "{}: already exists; refusing to overwrite it (use --force)",
                existing.display()
            ));
        }
    }
    std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let mut generator = Generator::new(options);
    let mut line = Vec::with_capacity(4096);
    let mut written = Vec::with_capacity(paths.len());
    for (path, entries) in paths.into_iter().zip(options.file_entries()) {
        let io = |e: std::io::Error| format!("{}: {e}", path.display());
        let file = File::create(&path).map_err(io)?;
        let mut out = BufWriter::with_capacity(1 << 20, file);
        let mut bytes = 0u64;
        for _ in 0..entries {
            line.clear();
            generator.next_line(&mut line);
            out.write_all(&line).map_err(io)?;
            bytes += line.len() as u64;
        }
        // No fsync: the files can be regenerated at will, and benchmarks
        // should not wait for the disk.
        out.flush().map_err(io)?;
        written.push(WrittenFile {
            path,
            entries,
            bytes,
        });
    }
    Ok(written)
}

// ---------------------------------------------------------------------------
// A Python-style JSON writer
// ---------------------------------------------------------------------------

/// A streaming writer of JSON as CPython's `json.dumps(obj)` prints it with
/// default arguments: keys in insertion order, `", "` and `": "`,
/// `ensure_ascii` escapes, floats as `repr`. No value tree is built: values
/// go straight into the buffer, so writing an entry allocates nothing once
/// the buffer has grown.
pub struct PyJson<'a> {
    out: &'a mut Vec<u8>,
    /// Bit `d` set: the container at depth `d + 1` has no member yet.
    empty: u64,
    depth: u32,
    /// A key was written and its value is next (no separator before it).
    after_key: bool,
}

impl<'a> PyJson<'a> {
    pub fn new(out: &'a mut Vec<u8>) -> Self {
        PyJson {
            out,
            empty: 0,
            depth: 0,
            after_key: false,
        }
    }

    /// The `", "` between members, except before the first one.
    fn separate(&mut self) {
        if std::mem::take(&mut self.after_key) || self.depth == 0 {
            return;
        }
        let bit = 1u64 << (self.depth - 1);
        if self.empty & bit != 0 {
            self.empty &= !bit;
        } else {
            self.out.extend_from_slice(b", ");
        }
    }

    fn open(&mut self, bracket: u8) -> &mut Self {
        self.separate();
        assert!(self.depth < 64, "PyJson nests at most 64 levels");
        self.out.push(bracket);
        self.depth += 1;
        self.empty |= 1 << (self.depth - 1);
        self
    }

    fn close(&mut self, bracket: u8) -> &mut Self {
        debug_assert!(self.depth > 0 && !self.after_key, "unbalanced PyJson");
        self.empty &= !(1 << (self.depth - 1));
        self.depth -= 1;
        self.out.push(bracket);
        self
    }

    pub fn begin_object(&mut self) -> &mut Self {
        self.open(b'{')
    }

    pub fn end_object(&mut self) -> &mut Self {
        self.close(b'}')
    }

    pub fn begin_array(&mut self) -> &mut Self {
        self.open(b'[')
    }

    pub fn end_array(&mut self) -> &mut Self {
        self.close(b']')
    }

    /// An object key; the next call writes its value.
    pub fn key(&mut self, key: &str) -> &mut Self {
        self.separate();
        push_py_str(key, self.out);
        self.out.extend_from_slice(b": ");
        self.after_key = true;
        self
    }

    pub fn str(&mut self, value: &str) -> &mut Self {
        self.separate();
        push_py_str(value, self.out);
        self
    }

    /// A string given by its `Display`, escaped like [`PyJson::str`] without
    /// formatting into a temporary `String` first.
    pub fn text(&mut self, value: impl Display) -> &mut Self {
        self.separate();
        self.out.push(b'"');
        write!(Escaper(self.out), "{value}").expect("writing to a Vec cannot fail");
        self.out.push(b'"');
        self
    }

    pub fn int(&mut self, value: i64) -> &mut Self {
        self.separate();
        std::io::Write::write_fmt(self.out, format_args!("{value}"))
            .expect("writing to a Vec cannot fail");
        self
    }

    /// A float as Python's `repr` (`145.23`, `25.0`, `1e-05`).
    pub fn float(&mut self, value: f64) -> &mut Self {
        self.separate();
        write_float(value, self.out);
        self
    }

    pub fn bool(&mut self, value: bool) -> &mut Self {
        self.separate();
        self.out
            .extend_from_slice(if value { b"true" } else { b"false" });
        self
    }

    pub fn null(&mut self) -> &mut Self {
        self.separate();
        self.out.extend_from_slice(b"null");
        self
    }
}

/// `fmt::Write` into a JSON string body with `ensure_ascii` escapes, reusing
/// `write_python_str` so that the escaping rules live in one place.
struct Escaper<'a>(&'a mut Vec<u8>);

impl fmt::Write for Escaper<'_> {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        if needs_no_escape(s) {
            self.0.extend_from_slice(s.as_bytes());
        } else {
            let at = self.0.len();
            write_python_str(s, self.0);
            self.0.pop();
            self.0.remove(at);
        }
        Ok(())
    }
}

/// Printable ASCII without `"` or `\\`: `json.dumps` writes it as is.
fn needs_no_escape(s: &str) -> bool {
    // No short-circuit, so the compiler can vectorise the scan.
    s.bytes().fold(true, |ok, b| {
        ok & (b.wrapping_sub(0x20) < 0x5f) & (b != b'"') & (b != b'\\')
    })
}

/// `write_python_str`, with a fast path for the common all-plain string
/// (escaping char by char was the generator's hottest loop).
fn push_py_str(s: &str, out: &mut Vec<u8>) {
    if needs_no_escape(s) {
        out.push(b'"');
        out.extend_from_slice(s.as_bytes());
        out.push(b'"');
    } else {
        write_python_str(s, out);
    }
}

/// One object member in a line this module wrote: byte ranges of the key
/// (with quotes) and of the value.
#[derive(Clone, Copy)]
struct Member {
    key: (usize, usize),
    value: (usize, usize),
}

/// The canonical form (`json.dumps(sort_keys=True)`) of JSON that [`PyJson`]
/// wrote. Its scalars are already exactly what CPython prints (ensure_ascii
/// escapes, float repr), so only object members need reordering; its keys
/// are plain ASCII, so byte order is code-point order. Much faster than
/// parsing the line back, and checked against the verifier's canonical
/// writer in debug builds.
fn canonicalize_own(src: &[u8], out: &mut Vec<u8>, members: &mut Vec<Member>) {
    let end = canonical_value(src, 0, out, members);
    debug_assert_eq!(end, src.len(), "one value per line");
}

/// Canonicalise the value starting at `pos`; returns where it ends.
///
/// One pass over the source: each member's value is canonicalised at the end
/// of `out` in source order, then the members are assembled in key order
/// behind them and moved down over them.
fn canonical_value(src: &[u8], pos: usize, out: &mut Vec<u8>, members: &mut Vec<Member>) -> usize {
    match src[pos] {
        b'{' => {
            let base = members.len();
            let scratch_start = out.len();
            let mut at = pos + 1;
            if src[at] != b'}' {
                loop {
                    let key = (at, skip_scalar(src, at));
                    let value_start = out.len();
                    at = canonical_value(src, key.1 + 2, out, members);
                    members.push(Member {
                        key,
                        value: (value_start, out.len()),
                    });
                    if src[at] == b'}' {
                        break;
                    }
                    at += 2;
                }
            }
            members[base..]
                .sort_unstable_by(|a, b| src[a.key.0..a.key.1].cmp(&src[b.key.0..b.key.1]));
            let assembled_start = out.len();
            out.push(b'{');
            for (i, member) in members[base..].iter().enumerate() {
                if i > 0 {
                    out.extend_from_slice(b", ");
                }
                out.extend_from_slice(&src[member.key.0..member.key.1]);
                out.extend_from_slice(b": ");
                out.extend_from_within(member.value.0..member.value.1);
            }
            out.push(b'}');
            let assembled_len = out.len() - assembled_start;
            out.copy_within(assembled_start.., scratch_start);
            out.truncate(scratch_start + assembled_len);
            members.truncate(base);
            at + 1
        }
        b'[' => {
            let mut at = pos + 1;
            out.push(b'[');
            if src[at] != b']' {
                loop {
                    at = canonical_value(src, at, out, members);
                    if src[at] == b']' {
                        break;
                    }
                    out.extend_from_slice(b", ");
                    at += 2;
                }
            }
            out.push(b']');
            at + 1
        }
        _ => {
            let end = skip_scalar(src, pos);
            out.extend_from_slice(&src[pos..end]);
            end
        }
    }
}

/// End of the string, number or literal starting at `pos`.
fn skip_scalar(src: &[u8], pos: usize) -> usize {
    if src[pos] == b'"' {
        let mut at = pos + 1;
        loop {
            match memchr::memchr2(b'"', b'\\', &src[at..]) {
                Some(i) if src[at + i] == b'"' => return at + i + 1,
                Some(i) => at += i + 2,
                None => return src.len(),
            }
        }
    }
    pos + src[pos..]
        .iter()
        .position(|&b| matches!(b, b',' | b'}' | b']'))
        .unwrap_or(src.len() - pos)
}

// ---------------------------------------------------------------------------
// Deterministic randomness
// ---------------------------------------------------------------------------

/// splitmix64: tiny, fast, and good enough for synthetic traffic.
#[derive(Clone, Debug)]
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Self {
        Rng(seed)
    }

    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (n > 0), by multiply-shift.
    fn below(&mut self, n: u64) -> u64 {
        ((u128::from(self.next_u64()) * u128::from(n)) >> 64) as u64
    }

    /// Uniform in `lo..=hi`.
    fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.below(hi - lo + 1)
    }

    /// Uniform in `[0, 1)`.
    fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }

    fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len() as u64) as usize]
    }

    /// An index drawn with the given weights.
    fn weighted(&mut self, weights: &[u32]) -> usize {
        let total: u32 = weights.iter().sum();
        let mut x = self.below(u64::from(total)) as u32;
        for (i, &w) in weights.iter().enumerate() {
            if x < w {
                return i;
            }
            x -= w;
        }
        weights.len() - 1
    }

    /// Approximately standard normal (Irwin–Hall of four uniforms, scaled):
    /// bounded tails are fine for synthetic durations.
    fn normal(&mut self) -> f64 {
        let sum = self.unit() + self.unit() + self.unit() + self.unit();
        (sum - 2.0) * 1.732_050_807_568_877_2
    }

    /// Exponential with the given mean.
    fn exponential(&mut self, mean: f64) -> f64 {
        -det_ln(1.0 - self.unit()) * mean
    }

    /// Log-normal around `median`.
    fn log_normal(&mut self, median: f64, sigma: f64) -> f64 {
        median * det_exp(sigma * self.normal())
    }
}

const LN_2: f64 = std::f64::consts::LN_2;

/// `exp` from `+ - * /` only, so results are identical on every platform.
fn det_exp(x: f64) -> f64 {
    let k = (x / LN_2).round().clamp(-1000.0, 1000.0);
    let r = x - k * LN_2;
    let (mut term, mut sum) = (1.0, 1.0);
    for n in 1..=16 {
        term *= r / f64::from(n);
        sum += term;
    }
    sum * f64::from_bits(((k as i64 + 1023) as u64) << 52)
}

/// Natural log of a positive normal number, from `+ - * /` only.
fn det_ln(x: f64) -> f64 {
    let bits = x.to_bits();
    let exponent = ((bits >> 52) & 0x7ff) as i64 - 1023;
    let mantissa = f64::from_bits((bits & ((1 << 52) - 1)) | (1023 << 52));
    // ln(m) = 2 atanh(s) with s = (m-1)/(m+1) <= 1/3: the series converges fast.
    let s = (mantissa - 1.0) / (mantissa + 1.0);
    let (s2, mut power, mut sum) = (s * s, s, 0.0);
    for n in 0..24 {
        sum += power / f64::from(2 * n + 1);
        power *= s2;
    }
    exponent as f64 * LN_2 + 2.0 * sum
}

/// A bijection on u32 (lowbias32): distinct counters give distinct,
/// random-looking conversation ids, so ids never collide.
fn mix32(mut x: u32) -> u32 {
    x ^= x >> 16;
    x = x.wrapping_mul(0x7feb_352d);
    x ^= x >> 15;
    x = x.wrapping_mul(0x846c_a68b);
    x ^ (x >> 16)
}

// ---------------------------------------------------------------------------
// The world: users, patients, tools
// ---------------------------------------------------------------------------

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Role {
    SupportAgent,
    Admin,
    Customer,
    Nurse,
    Doctor,
    BillingClerk,
    Researcher,
}

impl Role {
    const ALL: [Role; 7] = [
        Role::SupportAgent,
        Role::Admin,
        Role::Customer,
        Role::Nurse,
        Role::Doctor,
        Role::BillingClerk,
        Role::Researcher,
    ];

    fn name(self) -> &'static str {
        match self {
            Role::SupportAgent => "support_agent",
            Role::Admin => "admin",
            Role::Customer => "customer",
            Role::Nurse => "nurse",
            Role::Doctor => "doctor",
            Role::BillingClerk => "billing_clerk",
            Role::Researcher => "researcher",
        }
    }

    fn is_clinician(self) -> bool {
        matches!(self, Role::Nurse | Role::Doctor)
    }

    /// Roles whose conversations are about patients, whatever the domain.
    fn is_clinical(self) -> bool {
        matches!(self, Role::Nurse | Role::Doctor | Role::Researcher)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Domain {
    Support,
    Clinic,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Tool {
    GetCustomer,
    GetOrder,
    UpdateOrderStatus,
    IssueRefund,
    ChargePayment,
    ApplyCredit,
    SearchKb,
    SendEmail,
    InitiateReturn,
    AccessPatientRecord,
    UpdateTreatment,
    ScheduleAppointment,
    PrescribeMedication,
    GetLabResults,
    ReviewEmergencyAccess,
}

impl Tool {
    fn name(self) -> &'static str {
        match self {
            Tool::GetCustomer => "get_customer",
            Tool::GetOrder => "get_order",
            Tool::UpdateOrderStatus => "update_order_status",
            Tool::IssueRefund => "issue_refund",
            Tool::ChargePayment => "charge_payment",
            Tool::ApplyCredit => "apply_credit",
            Tool::SearchKb => "search_kb",
            Tool::SendEmail => "send_email",
            Tool::InitiateReturn => "initiate_return",
            Tool::AccessPatientRecord => "access_patient_record",
            Tool::UpdateTreatment => "update_treatment",
            Tool::ScheduleAppointment => "schedule_appointment",
            Tool::PrescribeMedication => "prescribe_medication",
            Tool::GetLabResults => "get_lab_results",
            Tool::ReviewEmergencyAccess => "review_emergency_access",
        }
    }

    /// Typical latency in ms: lookups are fast, payments and email slow.
    fn median_ms(self) -> f64 {
        match self {
            Tool::GetCustomer => 45.0,
            Tool::GetOrder => 60.0,
            Tool::UpdateOrderStatus => 120.0,
            Tool::IssueRefund => 350.0,
            Tool::ChargePayment => 850.0,
            Tool::ApplyCredit => 140.0,
            Tool::SearchKb => 230.0,
            Tool::SendEmail => 420.0,
            Tool::InitiateReturn => 180.0,
            Tool::AccessPatientRecord => 95.0,
            Tool::UpdateTreatment => 210.0,
            Tool::ScheduleAppointment => 160.0,
            Tool::PrescribeMedication => 300.0,
            Tool::GetLabResults => 130.0,
            Tool::ReviewEmergencyAccess => 70.0,
        }
    }

    fn is_clinical(self) -> bool {
        matches!(
            self,
            Tool::AccessPatientRecord
                | Tool::UpdateTreatment
                | Tool::ScheduleAppointment
                | Tool::PrescribeMedication
                | Tool::GetLabResults
                | Tool::ReviewEmergencyAccess
        )
    }

    /// The backend named in timeout and outage messages.
    fn service(self) -> &'static str {
        match self {
            Tool::GetCustomer => "crm-api",
            Tool::GetOrder | Tool::UpdateOrderStatus | Tool::InitiateReturn => "orders-api",
            Tool::IssueRefund | Tool::ChargePayment | Tool::ApplyCredit => "payments-api",
            Tool::SearchKb => "kb-search",
            Tool::SendEmail => "smtp-relay",
            _ => "ehr-gateway",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Purpose {
    Treatment,
    Billing,
    Research,
    Operations,
    Emergency,
}

impl Purpose {
    fn name(self) -> &'static str {
        match self {
            Purpose::Treatment => "treatment",
            Purpose::Billing => "billing",
            Purpose::Research => "research",
            Purpose::Operations => "operations",
            Purpose::Emergency => "emergency",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Trigger {
    UserRequest,
    Proactive,
    Retry,
    FollowUp,
    System,
}

impl Trigger {
    fn name(self) -> &'static str {
        match self {
            Trigger::UserRequest => "user_request",
            Trigger::Proactive => "proactive",
            Trigger::Retry => "retry",
            Trigger::FollowUp => "follow_up",
            Trigger::System => "system",
        }
    }
}

const MODELS: [&str; 4] = [
    "gpt-4.1",
    "gpt-4.1-mini",
    "claude-sonnet-4",
    "gemini-2.5-pro",
];
const MODEL_WEIGHTS: [u32; 4] = [35, 30, 20, 15];

/// Users per generated world (the burst user comes on top).
const USERS: usize = 200;
/// Patients `P-0001` ..= `P-0300`.
const PATIENTS: u16 = 300;

struct User {
    id: String,
    role: Role,
    ip: String,
    agent: &'static str,
}

/// A patient's PII as the hipaa writer logs it: `hash_pii(value)`.
struct Patient {
    id: String,
    name: String,
    date_of_birth: String,
    ssn: String,
    phone: String,
}

struct World {
    domain: Domain,
    users: Vec<User>,
    admins: Vec<usize>,
    clinicians: Vec<usize>,
    patients: Vec<Patient>,
}

/// The lesson's `hash_pii`: `sha256:` and the first 16 hex digits.
fn hash_pii(value: &str) -> String {
    let digest = sha256(value.as_bytes());
    let mut out = String::with_capacity(23);
    out.push_str("sha256:");
    for b in &digest[..8] {
        write!(out, "{b:02x}").expect("writing to a String cannot fail");
    }
    out
}

const FIRST_NAMES: [&str; 16] = [
    "José", "Anna", "Lei", "Zoë", "Mohammed", "Ngozi", "Sven", "Priya", "Liam", "Hana", "María",
    "Olga", "Kwame", "Élodie", "Tomás", "Aiko",
];
const LAST_NAMES: [&str; 13] = [
    "Müller", "Kowalski", "Li", "Dubois", "Al-Farsi", "Okafor", "Åström", "Raman", "O'Brien",
    "Tanaka", "García", "Ivanova", "Mensah",
];

impl World {
    fn new(rng: &mut Rng, domain: Domain, burst: bool) -> World {
        // Support traffic is mostly agents and customers, with some clinic
        // staff; clinic traffic is clinicians plus billing and front desk.
        let weights: [u32; 7] = match domain {
            // SupportAgent, Admin, Customer, Nurse, Doctor, BillingClerk, Researcher
            Domain::Support => [40, 6, 30, 6, 5, 10, 3],
            Domain::Clinic => [7, 7, 0, 38, 28, 12, 8],
        };
        let mut users: Vec<User> = Vec::with_capacity(USERS + 1);
        while users.len() < USERS {
            let id = format!("usr_{}", rng.range(10_000, 99_999));
            if users.iter().any(|u| u.id == id) {
                continue;
            }
            let role = Role::ALL[rng.weighted(&weights)];
            users.push(User {
                id,
                ip: client_ip(rng, role),
                agent: user_agent(rng, role),
                role,
            });
        }
        // Reviews and system jobs need an admin, clinics need clinicians;
        // the last users are the quietest, so forcing their roles changes
        // the role mix least.
        users[USERS - 1].role = Role::Admin;
        users[USERS - 2].role = Role::Doctor;
        if burst {
            users.push(User {
                id: BURST_USER.into(),
                role: Role::Nurse,
                ip: "10.20.7.77".into(),
                agent: "ClinicalAssist/4.0 (Windows NT 10.0; Win64; x64)",
            });
        }
        let by_role = |pred: fn(Role) -> bool| {
            (0..USERS)
                .filter(|&i| pred(users[i].role))
                .collect::<Vec<_>>()
        };
        let admins = by_role(|r| r == Role::Admin);
        let clinicians = by_role(Role::is_clinician);
        let patients = (1..=PATIENTS)
            .map(|n| {
                let i = usize::from(n);
                let name = format!(
                    "{} {}",
                    FIRST_NAMES[i % FIRST_NAMES.len()],
                    LAST_NAMES[(i * 7) % LAST_NAMES.len()]
                );
                let dob = format!(
                    "{}-{:02}-{:02}",
                    1940 + (i * 37) % 80,
                    1 + (i * 5) % 12,
                    1 + (i * 11) % 28
                );
                let ssn = format!(
                    "{:03}-{:02}-{:04}",
                    100 + (i * 7919) % 800,
                    10 + i % 89,
                    (i * 104_729) % 10_000
                );
                let phone = format!("+1-555-{:04}", (i * 3571) % 10_000);
                Patient {
                    id: format!("P-{n:04}"),
                    name: hash_pii(&name),
                    date_of_birth: hash_pii(&dob),
                    ssn: hash_pii(&ssn),
                    phone: hash_pii(&phone),
                }
            })
            .collect();
        World {
            domain,
            users,
            admins,
            clinicians,
            patients,
        }
    }

    /// Some users are far busier than others.
    fn pick_user(&self, rng: &mut Rng) -> usize {
        let u = rng.unit();
        let skewed = if rng.chance(0.3) { u * u } else { u };
        ((skewed * USERS as f64) as usize).min(USERS - 1)
    }

    /// Patient numbers 1..=300; a few dozen chronic patients come up often.
    fn pick_patient(&self, rng: &mut Rng) -> u16 {
        if rng.chance(0.3) {
            rng.range(1, 40) as u16
        } else {
            rng.range(1, u64::from(PATIENTS)) as u16
        }
    }
}

fn client_ip(rng: &mut Rng, role: Role) -> String {
    match role {
        // Documentation ranges (RFC 5737, RFC 3849): realistic, never real.
        Role::Customer => match rng.below(3) {
            0 => format!("203.0.113.{}", rng.range(1, 254)),
            1 => format!("198.51.100.{}", rng.range(1, 254)),
            _ => format!("2001:db8::{:x}", rng.range(1, 0xffff)),
        },
        Role::Nurse | Role::Doctor => format!("10.20.{}.{}", rng.range(0, 15), rng.range(2, 254)),
        Role::Researcher => format!("172.16.{}.{}", rng.range(0, 3), rng.range(2, 254)),
        _ => format!("10.0.{}.{}", rng.range(0, 9), rng.range(2, 254)),
    }
}

fn user_agent(rng: &mut Rng, role: Role) -> &'static str {
    let choices: &[&'static str] = match role {
        Role::SupportAgent | Role::BillingClerk => {
            &["SupportDashboard/2.1", "SupportDashboard/2.2"]
        }
        Role::Admin => &["AdminConsole/1.9", "SupportDashboard/2.2"],
        Role::Customer => &[
            "MyShop-iOS/5.12.1",
            "MyShop-Android/5.11.0",
            "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15",
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/126.0",
        ],
        Role::Nurse | Role::Doctor => &[
            "ClinicalAssist/4.0 (iPad; iOS 18.5)",
            "ClinicalAssist/4.0 (Windows NT 10.0; Win64; x64)",
        ],
        Role::Researcher => &["jupyter-client/8.6.2", "python-httpx/0.27.0"],
    };
    rng.pick(choices)
}

// Conversation plans: the calls an assistant makes for one user request.
const REFUND: &[Tool] = &[
    Tool::GetCustomer,
    Tool::GetOrder,
    Tool::IssueRefund,
    Tool::SendEmail,
];
const ORDER_STATUS: &[Tool] = &[Tool::GetOrder, Tool::UpdateOrderStatus, Tool::SendEmail];
const RETURN: &[Tool] = &[Tool::GetOrder, Tool::InitiateReturn, Tool::SendEmail];
const CHARGE: &[Tool] = &[Tool::GetCustomer, Tool::ChargePayment, Tool::SendEmail];
const CREDIT: &[Tool] = &[Tool::GetCustomer, Tool::ApplyCredit];
const KB: &[Tool] = &[Tool::SearchKb];
const KB_EMAIL: &[Tool] = &[Tool::SearchKb, Tool::SendEmail];
const LOOKUP: &[Tool] = &[Tool::GetCustomer, Tool::GetOrder];
const ORDER: &[Tool] = &[Tool::GetOrder];
const ORDER_REFUND: &[Tool] = &[Tool::GetOrder, Tool::IssueRefund];
const CUSTOMER_RETURN: &[Tool] = &[Tool::GetOrder, Tool::InitiateReturn];
const CUSTOMER_CANCEL: &[Tool] = &[Tool::GetOrder, Tool::UpdateOrderStatus];
const KB_ORDER: &[Tool] = &[Tool::SearchKb, Tool::GetOrder];
const RECORD_LABS: &[Tool] = &[Tool::AccessPatientRecord, Tool::GetLabResults];
const RECORD_TREAT: &[Tool] = &[Tool::AccessPatientRecord, Tool::UpdateTreatment];
const APPOINTMENT: &[Tool] = &[Tool::ScheduleAppointment];
const APPOINTMENT_EMAIL: &[Tool] = &[Tool::ScheduleAppointment, Tool::SendEmail];
const RECORD_APPOINTMENT: &[Tool] = &[
    Tool::AccessPatientRecord,
    Tool::ScheduleAppointment,
    Tool::SendEmail,
];
const WORKUP: &[Tool] = &[
    Tool::AccessPatientRecord,
    Tool::GetLabResults,
    Tool::UpdateTreatment,
];
const PRESCRIBE: &[Tool] = &[Tool::AccessPatientRecord, Tool::PrescribeMedication];
const TREAT_FOLLOW_UP: &[Tool] = &[
    Tool::AccessPatientRecord,
    Tool::UpdateTreatment,
    Tool::ScheduleAppointment,
];
const LABS: &[Tool] = &[Tool::GetLabResults];
const COHORT: &[Tool] = &[
    Tool::AccessPatientRecord,
    Tool::AccessPatientRecord,
    Tool::AccessPatientRecord,
];
const LITERATURE: &[Tool] = &[Tool::SearchKb, Tool::AccessPatientRecord];
const LAB_SERIES: &[Tool] = &[Tool::GetLabResults, Tool::GetLabResults];
const RECORD: &[Tool] = &[Tool::AccessPatientRecord];
const BILLING_RECORD: &[Tool] = &[Tool::AccessPatientRecord, Tool::SendEmail];
const EMERGENCY: &[Tool] = &[
    Tool::AccessPatientRecord,
    Tool::GetLabResults,
    Tool::PrescribeMedication,
];
const EMERGENCY_SHORT: &[Tool] = &[Tool::AccessPatientRecord, Tool::UpdateTreatment];
const REVIEW: &[Tool] = &[Tool::ReviewEmergencyAccess];
const BURST: &[Tool] = &[
    Tool::AccessPatientRecord,
    Tool::AccessPatientRecord,
    Tool::GetLabResults,
];
const EMAIL: &[Tool] = &[Tool::SendEmail];
const STATUS_JOB: &[Tool] = &[Tool::UpdateOrderStatus];

type Plans = &'static [(&'static [Tool], u32)];

fn plans(role: Role, domain: Domain) -> Plans {
    match (role, domain) {
        (Role::Nurse, _) => &[
            (RECORD_LABS, 4),
            (RECORD_TREAT, 3),
            (APPOINTMENT, 2),
            (RECORD_APPOINTMENT, 2),
        ],
        (Role::Doctor, _) => &[(WORKUP, 4), (PRESCRIBE, 3), (TREAT_FOLLOW_UP, 2), (LABS, 2)],
        (Role::Researcher, _) => &[(COHORT, 3), (LITERATURE, 2), (LAB_SERIES, 2)],
        (Role::BillingClerk, Domain::Clinic) => &[(BILLING_RECORD, 3), (RECORD, 2)],
        (Role::Admin, Domain::Clinic) => &[(RECORD, 2), (APPOINTMENT, 1)],
        (_, Domain::Clinic) => &[(APPOINTMENT_EMAIL, 3), (APPOINTMENT, 2)],
        (Role::SupportAgent, Domain::Support) => &[
            (REFUND, 4),
            (ORDER_STATUS, 3),
            (RETURN, 3),
            (CHARGE, 1),
            (CREDIT, 1),
            (KB, 2),
            (KB_EMAIL, 2),
            (LOOKUP, 2),
        ],
        (Role::Customer, Domain::Support) => &[
            (ORDER, 4),
            (CUSTOMER_RETURN, 2),
            (CUSTOMER_CANCEL, 2),
            (KB, 3),
            (KB_ORDER, 2),
        ],
        (Role::BillingClerk, Domain::Support) => {
            &[(CHARGE, 3), (CREDIT, 3), (REFUND, 2), (ORDER_REFUND, 2)]
        }
        (Role::Admin, Domain::Support) => &[
            (CREDIT, 2),
            (LOOKUP, 2),
            (KB, 1),
            (ORDER_STATUS, 2),
            (REFUND, 1),
        ],
    }
}

fn system_plans(domain: Domain) -> Plans {
    match domain {
        Domain::Support => &[(EMAIL, 3), (STATUS_JOB, 2), (KB, 1)],
        Domain::Clinic => &[(EMAIL, 3), (APPOINTMENT, 1)],
    }
}

fn pick_plan(rng: &mut Rng, plans: Plans) -> &'static [Tool] {
    let weights: Vec<u32> = plans.iter().map(|p| p.1).collect();
    plans[rng.weighted(&weights)].0
}

fn purpose_for(rng: &mut Rng, role: Role) -> Purpose {
    match role {
        Role::Nurse | Role::Doctor => {
            if rng.chance(0.9) {
                Purpose::Treatment
            } else {
                Purpose::Operations
            }
        }
        Role::BillingClerk => Purpose::Billing,
        Role::Researcher => Purpose::Research,
        Role::SupportAgent => {
            if rng.chance(0.7) {
                Purpose::Operations
            } else {
                Purpose::Billing
            }
        }
        Role::Admin | Role::Customer => Purpose::Operations,
    }
}

// ---------------------------------------------------------------------------
// Conversations and calls
// ---------------------------------------------------------------------------

#[derive(Clone, Copy, Debug)]
struct Retry {
    tool: Tool,
    args_seed: u64,
    patient: u16,
    break_glass: bool,
    /// Retries made so far; clients give up after two.
    attempts: u8,
}

struct Conversation {
    id: u32,
    user: usize,
    model: usize,
    turn: u32,
    plan: &'static [Tool],
    step: usize,
    started: bool,
    /// The next planned call answers a new user message.
    new_request: bool,
    system: bool,
    emergency: bool,
    glass_broken: bool,
    purpose: Purpose,
    customer: u32,
    order: u32,
    /// Patient number, 0 for none.
    patient: u16,
    retry: Option<Retry>,
}

impl Conversation {
    fn finished(&self) -> bool {
        self.started && self.step >= self.plan.len() && self.retry.is_none()
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Failure {
    Timeout,
    RateLimited,
    Unavailable,
    NotFound,
    Conflict,
    Declined,
    Denied,
    Invalid,
}

impl Failure {
    /// Worth retrying: the same call may succeed a moment later.
    fn transient(self) -> bool {
        matches!(
            self,
            Failure::Timeout | Failure::RateLimited | Failure::Unavailable
        )
    }
}

/// How `duration_ms` is written.
#[derive(Clone, Copy, Debug)]
enum Duration {
    /// `round(ms, 2)` of a float.
    Ms(f64),
    /// The lesson's `log_with_trigger` passes `duration_ms=0`, and
    /// `round(0, 2)` stays the integer `0`.
    ZeroInt,
}

#[derive(Clone, Copy, Debug)]
struct Review {
    reviewed: usize,
    at_micros: i64,
}

/// One tool call, ready to be written in any scheme.
struct Call {
    conversation: u32,
    turn: u32,
    user: usize,
    model: usize,
    tool: Tool,
    args_seed: u64,
    trigger: Trigger,
    failure: Option<Failure>,
    duration: Duration,
    purpose: Purpose,
    customer: u32,
    order: u32,
    patient: u16,
    break_glass: bool,
    review: Option<Review>,
}

enum Event {
    Review { patient: u16, review: Review },
    Burst,
    PlantedEmergency,
}

struct Scheduled {
    due: u64,
    event: Event,
}

/// Writes one entry after another; the state carries the hash chain,
/// the clock and the open conversations.
pub struct Generator {
    rng: Rng,
    world: World,
    scheme: Scheme,
    logging_prefix: bool,
    total: u64,
    index: u64,
    clock: i64,
    /// Hex of the last entry's hash; `None` before the first (genesis).
    previous: Option<[u8; 64]>,
    pool: Vec<Conversation>,
    conversations: u32,
    conversation_salt: u32,
    pending: Vec<Scheduled>,
    burst: Option<Conversation>,
    /// When the next burst access is due, and how many are left.
    burst_due: Option<(i64, u32)>,
    scratch: Vec<u8>,
    members: Vec<Member>,
}

/// Conversations open at once: enough to interleave visibly.
const POOL_TARGET: usize = 20;

impl Generator {
    pub fn new(options: &Options) -> Generator {
        let mut rng = Rng::new(options.seed ^ 0x6175_6469_7475_6921);
        let domain = if options.scheme == Scheme::Hipaa || options.scenario == Scenario::Clinic {
            Domain::Clinic
        } else {
            Domain::Support
        };
        let clinic = options.scenario == Scenario::Clinic;
        let world = World::new(&mut rng, domain, clinic);
        let conversation_salt = rng.next_u64() as u32;
        let mut generator = Generator {
            rng,
            world,
            scheme: options.scheme,
            logging_prefix: options.logging_prefix,
            total: options.entries,
            index: 0,
            clock: options.start_micros,
            previous: None,
            pool: Vec::with_capacity(POOL_TARGET * 2),
            conversations: 0,
            conversation_salt,
            pending: Vec::new(),
            burst: None,
            burst_due: None,
            scratch: Vec::with_capacity(4096),
            members: Vec::with_capacity(64),
        };
        if clinic && options.entries >= 100 {
            generator.plant_clinic_scenario();
        }
        generator
    }

    /// Two emergencies (each reviewed later) and the burst, at fixed
    /// fractions of the log so that they exist whatever its size.
    fn plant_clinic_scenario(&mut self) {
        let n = self.total;
        self.schedule(n * 3 / 10, Event::PlantedEmergency);
        self.schedule(n * 11 / 20, Event::PlantedEmergency);
        let burst_user = self.world.users.len() - 1;
        let patient: u16 = BURST_PATIENT[2..].parse().expect("P-NNNN");
        let mut conversation =
            self.conversation_for(burst_user, BURST, Purpose::Treatment, patient);
        conversation.model = 0;
        self.burst = Some(conversation);
        self.schedule(n * 2 / 5, Event::Burst);
    }

    fn schedule(&mut self, due: u64, event: Event) {
        let at = self.pending.partition_point(|s| s.due <= due);
        self.pending.insert(at, Scheduled { due, event });
    }

    /// Append the next entry (one line, with its `\n`) to `out`.
    pub fn next_line(&mut self, out: &mut Vec<u8>) {
        if self.index > 0 {
            self.advance_clock();
        }
        let call = self.next_call();
        let line_start = out.len();
        if self.logging_prefix {
            out.extend_from_slice(b"INFO:tool_audit:");
        }
        let json_start = out.len();
        match self.scheme {
            Scheme::Hipaa => self.write_hipaa(&call, out),
            Scheme::Chain | Scheme::Plain => self.write_audit_entry(&call, out, json_start),
        }
        debug_assert!(out[line_start..].is_ascii(), "ensure_ascii output is ASCII");
        out.push(b'\n');
        self.index += 1;
    }

    /// Busy days, quiet nights: mean gap by hour of day (UTC), exponential
    /// jitter, never less than a millisecond so timestamps strictly increase.
    fn advance_clock(&mut self) {
        let hour = self.clock.div_euclid(3_600_000_000).rem_euclid(24);
        let mean_s = match hour {
            8..=17 => 2.0,
            18..=22 => 5.0,
            _ => 12.0,
        };
        let gap_us = (self.rng.exponential(mean_s) * 1e6) as i64;
        self.clock += gap_us.max(1000);
    }

    fn next_call(&mut self) -> Call {
        let remaining = self.total - self.index;
        let burst_left = self.burst_due.map_or(0, |(_, left)| u64::from(left));
        // Scheduled events never fall off the end of the log.
        let owed = self.pending.len() as u64 + burst_left >= remaining;
        if self.pending.first().is_some_and(|s| s.due <= self.index)
            || (owed && !self.pending.is_empty())
        {
            let scheduled = self.pending.remove(0);
            return self.scheduled_call(scheduled.event);
        }
        if self.burst_due.is_some_and(|(at, _)| at <= self.clock) || (owed && burst_left > 0) {
            return self.burst_call();
        }
        let start_new = self.pool.is_empty()
            || (self.pool.len() < POOL_TARGET && self.rng.chance(0.35))
            || self.rng.chance(0.01);
        let slot = if start_new {
            let conversation = self.new_conversation();
            self.pool.push(conversation);
            self.pool.len() - 1
        } else {
            self.rng.below(self.pool.len() as u64) as usize
        };
        let call = step(&mut self.pool[slot], &mut self.rng, &self.world, true);
        self.after_call(&call);
        let conversation = &mut self.pool[slot];
        if conversation.finished() {
            // Sometimes the user asks for something else in the same chat.
            let role = self.world.users[conversation.user].role;
            if !conversation.system && !conversation.emergency && self.rng.chance(0.3) {
                conversation.plan = pick_plan(&mut self.rng, plans(role, self.world.domain));
                conversation.step = 0;
                conversation.new_request = true;
                conversation.customer = self.rng.range(1, 4999) as u32;
                conversation.order = self.rng.range(10_000, 99_999) as u32;
                if conversation.patient != 0 {
                    // The next request is about another patient: one chat
                    // must not look like an access burst by itself.
                    conversation.patient = self.world.pick_patient(&mut self.rng);
                }
            } else {
                self.pool.swap_remove(slot);
            }
        }
        call
    }

    /// Bookkeeping that needs the whole generator: a broken glass gets a
    /// review by an admin later in the log.
    fn after_call(&mut self, call: &Call) {
        if call.break_glass && call.trigger != Trigger::Retry {
            let remaining = self.total - self.index;
            let delay = 1 + self.rng.below((remaining / 2).clamp(1, 300));
            let review = Review {
                reviewed: call.user,
                at_micros: self.clock,
            };
            self.schedule(
                self.index + delay,
                Event::Review {
                    patient: call.patient,
                    review,
                },
            );
        }
    }

    fn next_conversation_id(&mut self) -> u32 {
        self.conversations = self.conversations.wrapping_add(1);
        mix32(self.conversations.wrapping_add(self.conversation_salt))
    }

    fn conversation_for(
        &mut self,
        user: usize,
        plan: &'static [Tool],
        purpose: Purpose,
        patient: u16,
    ) -> Conversation {
        Conversation {
            id: self.next_conversation_id(),
            user,
            model: self.rng.weighted(&MODEL_WEIGHTS),
            turn: 1,
            plan,
            step: 0,
            started: false,
            new_request: false,
            system: false,
            emergency: false,
            glass_broken: false,
            purpose,
            customer: self.rng.range(1, 4999) as u32,
            order: self.rng.range(10_000, 99_999) as u32,
            patient,
            retry: None,
        }
    }

    fn new_conversation(&mut self) -> Conversation {
        let domain = self.world.domain;
        if self.rng.chance(0.03) {
            // A scheduled job run: no user turn, owned by an admin.
            let admin = self.rng.pick(&self.world.admins);
            let plan = pick_plan(&mut self.rng, system_plans(domain));
            let patient = self.patient_for_plan(plan, Role::Admin);
            let mut conversation = self.conversation_for(admin, plan, Purpose::Operations, patient);
            conversation.system = true;
            conversation.turn = 0;
            return conversation;
        }
        let user = self.world.pick_user(&mut self.rng);
        let role = self.world.users[user].role;
        let remaining = self.total - self.index;
        if role.is_clinician() && remaining >= 20 && self.rng.chance(0.004) {
            return self.emergency_conversation(user);
        }
        let plan = pick_plan(&mut self.rng, plans(role, domain));
        let purpose = purpose_for(&mut self.rng, role);
        let patient = self.patient_for_plan(plan, role);
        self.conversation_for(user, plan, purpose, patient)
    }

    fn emergency_conversation(&mut self, user: usize) -> Conversation {
        let plan = if self.rng.chance(0.5) {
            EMERGENCY
        } else {
            EMERGENCY_SHORT
        };
        let patient = self.world.pick_patient(&mut self.rng);
        let mut conversation = self.conversation_for(user, plan, Purpose::Emergency, patient);
        conversation.emergency = true;
        conversation
    }

    fn patient_for_plan(&mut self, plan: &[Tool], role: Role) -> u16 {
        let about_patients = plan.iter().any(|t| t.is_clinical())
            || role.is_clinical()
            || (self.world.domain == Domain::Clinic && plan.contains(&Tool::SendEmail));
        if about_patients {
            self.world.pick_patient(&mut self.rng)
        } else {
            0
        }
    }

    fn scheduled_call(&mut self, event: Event) -> Call {
        match event {
            Event::Review { patient, review } => {
                let admin = self.rng.pick(&self.world.admins);
                let mut conversation =
                    self.conversation_for(admin, REVIEW, Purpose::Operations, patient);
                // A review is bookkeeping that someone retries until it is
                // recorded: the log shows the one that went through.
                let mut call = step(&mut conversation, &mut self.rng, &self.world, false);
                call.review = Some(review);
                call
            }
            Event::Burst => {
                self.burst_due = Some((self.clock, BURST_ACCESSES));
                self.burst_call()
            }
            Event::PlantedEmergency => {
                let user = self.rng.pick(&self.world.clinicians);
                let mut conversation = self.emergency_conversation(user);
                // The planted break-glass access itself goes through.
                let call = step(&mut conversation, &mut self.rng, &self.world, false);
                self.after_call(&call);
                self.pool.push(conversation);
                call
            }
        }
    }

    /// One access of the burst; the next follows 1.5 to 3.7 minutes later,
    /// so all of them fall within the hour an alert looks at.
    fn burst_call(&mut self) -> Call {
        let (_, left) = self.burst_due.expect("a burst is running");
        self.burst_due = (left > 1).then(|| {
            (
                self.clock + self.rng.range(90, 220) as i64 * 1_000_000,
                left - 1,
            )
        });
        let mut burst = self.burst.take().expect("burst conversation planted");
        if burst.step >= burst.plan.len() && burst.retry.is_none() {
            burst.step = 0;
            burst.new_request = true;
        }
        let call = step(&mut burst, &mut self.rng, &self.world, true);
        self.burst = Some(burst);
        call
    }

    // -- writing -----------------------------------------------------------

    /// `AuditEntry` as `json.dumps(asdict(entry))`, plus the chain's two keys.
    fn write_audit_entry(&mut self, call: &Call, out: &mut Vec<u8>, json_start: usize) {
        let user = &self.world.users[call.user];
        let timestamp = Timestamp::new(self.clock);
        let mut w = PyJson::new(out);
        w.begin_object();
        w.key("timestamp").str(timestamp.as_str());
        w.key("conversation_id")
            .text(ConversationId(call.conversation));
        w.key("turn_number").int(i64::from(call.turn));
        w.key("user_id").str(&user.id);
        w.key("tool_name").str(call.tool.name());
        write_body(&mut w, &self.world, &mut self.rng, call, self.clock, false);
        match call.duration {
            Duration::Ms(ms) => w.key("duration_ms").float(ms),
            Duration::ZeroInt => w.key("duration_ms").int(0),
        };
        w.key("model").str(MODELS[call.model]);
        w.key("success").bool(call.failure.is_none());
        w.key("session_metadata").begin_object();
        w.key("user_role").str(user.role.name());
        w.key("client_ip").str(&user.ip);
        w.key("user_agent").str(user.agent);
        w.key("call_trigger").str(call.trigger.name());
        w.end_object();
        if self.scheme == Scheme::Plain {
            w.end_object();
            return;
        }
        w.key("_previous_hash").str(self.previous_str());
        w.end_object();
        // Hash what the lesson hashes: the entry (no `_hash` yet) in
        // canonical form.
        self.scratch.clear();
        canonicalize_own(&out[json_start..], &mut self.scratch, &mut self.members);
        if cfg!(debug_assertions) {
            // Every entry generated by the tests is cross-checked against
            // the verifier's own parser and canonical writer.
            let text =
                std::str::from_utf8(&out[json_start..]).expect("ensure_ascii output is ASCII");
            let value = json::parse(text).expect("the generator writes valid JSON");
            let mut reference = Vec::new();
            write_canonical_without(&value, "_hash", &mut reference);
            assert_eq!(
                String::from_utf8_lossy(&self.scratch),
                String::from_utf8_lossy(&reference),
                "canonical forms differ"
            );
        }
        let hash = sha256(&self.scratch);
        out.pop();
        out.extend_from_slice(b", \"_hash\": \"");
        self.push_hash(&hash, out);
        out.extend_from_slice(b"\"}");
    }

    /// `MedicalAuditEntry` in field order; `entry_hash` covers only the five
    /// fields the lesson hashes.
    fn write_hipaa(&mut self, call: &Call, out: &mut Vec<u8>) {
        let user = &self.world.users[call.user];
        let timestamp = Timestamp::new(self.clock);
        let patient = patient_id(&self.world, call);
        let mut w = PyJson::new(out);
        w.begin_object();
        w.key("timestamp").str(timestamp.as_str());
        w.key("user_id").str(&user.id);
        w.key("user_role").str(user.role.name());
        w.key("tool_name").str(call.tool.name());
        w.key("patient_id").str(patient);
        w.key("purpose").str(call.purpose.name());
        write_body(&mut w, &self.world, &mut self.rng, call, self.clock, true);
        w.key("success").bool(call.failure.is_none());
        w.key("previous_hash").str(self.previous_str());
        // json.dumps({...}, sort_keys=True) of the five hashed fields.
        self.scratch.clear();
        let mut h = PyJson::new(&mut self.scratch);
        h.begin_object();
        h.key("patient_id").str(patient);
        h.key("previous_hash").str(match &self.previous {
            Some(hex) => std::str::from_utf8(hex).expect("hex"),
            None => "genesis",
        });
        h.key("timestamp").str(timestamp.as_str());
        h.key("tool_name").str(call.tool.name());
        h.key("user_id").str(&user.id);
        h.end_object();
        let hash = sha256(&self.scratch);
        w.key("entry_hash");
        out.push(b'"');
        self.push_hash(&hash, out);
        out.extend_from_slice(b"\"}");
    }

    fn previous_str(&self) -> &str {
        match &self.previous {
            Some(hex) => std::str::from_utf8(hex).expect("hex"),
            None => "genesis",
        }
    }

    /// Append the hash as lowercase hex and remember it as the next link.
    fn push_hash(&mut self, hash: &[u8; 32], out: &mut Vec<u8>) {
        const HEX: &[u8; 16] = b"0123456789abcdef";
        let mut hex = [0u8; 64];
        for (i, b) in hash.iter().enumerate() {
            hex[2 * i] = HEX[usize::from(b >> 4)];
            hex[2 * i + 1] = HEX[usize::from(b & 0xf)];
        }
        out.extend_from_slice(&hex);
        self.previous = Some(hex);
    }
}

/// The next call of a conversation: a retry of a failed call, the next step
/// of its plan, or a proactive extra lookup.
fn step(c: &mut Conversation, rng: &mut Rng, world: &World, may_fail: bool) -> Call {
    let role = world.users[c.user].role;
    let mut break_glass = false;
    let mut attempts = 0;
    let (tool, trigger, args_seed, patient) = match c.retry.take() {
        Some(r) if c.step >= c.plan.len() || rng.chance(0.75) => {
            break_glass = r.break_glass;
            attempts = r.attempts + 1;
            (r.tool, Trigger::Retry, r.args_seed, r.patient)
        }
        _ if !c.started => {
            c.started = true;
            c.step = 1;
            let trigger = if c.system {
                Trigger::System
            } else {
                Trigger::UserRequest
            };
            (c.plan[0], trigger, rng.next_u64(), c.patient)
        }
        _ if !c.system && !c.new_request && c.step < c.plan.len() && rng.chance(0.12) => {
            // The model decides on its own to look something up.
            let tool = match (role.is_clinical() || world.domain == Domain::Clinic, role) {
                (true, Role::Researcher) => Tool::SearchKb,
                (true, r) if r.is_clinician() => Tool::GetLabResults,
                (true, _) => Tool::AccessPatientRecord,
                (false, _) => rng.pick(&[Tool::GetOrder, Tool::GetCustomer, Tool::SearchKb]),
            };
            (tool, Trigger::Proactive, rng.next_u64(), c.patient)
        }
        _ => {
            let tool = c.plan[c.step];
            c.step += 1;
            let trigger = if std::mem::take(&mut c.new_request) || rng.chance(0.45) {
                c.turn += 1;
                Trigger::UserRequest
            } else {
                Trigger::FollowUp
            };
            (tool, trigger, rng.next_u64(), c.patient)
        }
    };
    // Researchers look at a different patient with each record they pull.
    let patient = if role == Role::Researcher && trigger != Trigger::Retry && tool != Tool::SearchKb
    {
        world.pick_patient(rng)
    } else {
        patient
    };
    if c.emergency && !c.glass_broken && tool == Tool::AccessPatientRecord {
        c.glass_broken = true;
        break_glass = true;
    }
    let failure = if may_fail {
        roll_failure(rng, tool, role, world.domain, trigger == Trigger::Retry)
    } else {
        None
    };
    if failure.is_some_and(Failure::transient) && attempts < 2 {
        c.retry = Some(Retry {
            tool,
            args_seed,
            patient,
            break_glass,
            attempts,
        });
    }
    let duration = if trigger == Trigger::System {
        Duration::ZeroInt
    } else {
        Duration::Ms(duration_ms(rng, tool, failure))
    };
    Call {
        conversation: c.id,
        turn: c.turn,
        user: c.user,
        model: c.model,
        tool,
        args_seed,
        trigger,
        failure,
        duration,
        purpose: c.purpose,
        customer: c.customer,
        order: c.order,
        patient,
        break_glass,
        review: None,
    }
}

/// About 8% of calls fail: transient outages (retried), business-rule
/// errors per tool, and permission denials by role.
fn roll_failure(
    rng: &mut Rng,
    tool: Tool,
    role: Role,
    domain: Domain,
    retry: bool,
) -> Option<Failure> {
    if role == Role::BillingClerk
        && domain == Domain::Clinic
        && tool.is_clinical()
        && rng.chance(0.12)
    {
        return Some(Failure::Denied);
    }
    if role == Role::Researcher && tool == Tool::AccessPatientRecord && rng.chance(0.08) {
        return Some(Failure::Denied);
    }
    let own_order = matches!(
        tool,
        Tool::GetOrder | Tool::InitiateReturn | Tool::UpdateOrderStatus
    );
    if role == Role::Customer && own_order && rng.chance(0.02) {
        return Some(Failure::Denied);
    }
    let transient = if retry { 0.2 } else { 0.035 };
    if rng.chance(transient) {
        return Some(match rng.below(10) {
            0..=1 => Failure::Timeout,
            2..=6 => Failure::RateLimited,
            _ => Failure::Unavailable,
        });
    }
    let u = rng.unit();
    let table: &[(Failure, f64)] = match tool {
        Tool::GetCustomer => &[(Failure::NotFound, 0.03)],
        Tool::GetOrder => &[(Failure::NotFound, 0.035), (Failure::Conflict, 0.005)],
        Tool::UpdateOrderStatus => &[(Failure::Conflict, 0.06), (Failure::Invalid, 0.02)],
        Tool::IssueRefund => &[(Failure::Conflict, 0.04), (Failure::NotFound, 0.01)],
        Tool::ChargePayment => &[(Failure::Declined, 0.06), (Failure::Conflict, 0.01)],
        Tool::ApplyCredit => &[(Failure::Conflict, 0.03)],
        Tool::SearchKb => &[(Failure::Unavailable, 0.01)],
        Tool::SendEmail => &[(Failure::Invalid, 0.02), (Failure::NotFound, 0.01)],
        Tool::InitiateReturn => &[(Failure::Conflict, 0.05), (Failure::NotFound, 0.01)],
        Tool::AccessPatientRecord => &[(Failure::NotFound, 0.01)],
        Tool::UpdateTreatment => &[(Failure::Conflict, 0.03)],
        Tool::ScheduleAppointment => &[(Failure::Conflict, 0.06)],
        Tool::PrescribeMedication => &[(Failure::Conflict, 0.05)],
        Tool::GetLabResults => &[(Failure::NotFound, 0.02)],
        Tool::ReviewEmergencyAccess => &[],
    };
    let mut acc = 0.0;
    for &(failure, p) in table {
        acc += p;
        if u < acc {
            return Some(failure);
        }
    }
    None
}

/// Log-normal latency per tool with a few slow outliers; timeouts take the
/// full 30 s. Rounded like `round(ms, 2)`: the nearest double to n/100.
fn duration_ms(rng: &mut Rng, tool: Tool, failure: Option<Failure>) -> f64 {
    let ms = match failure {
        Some(Failure::Timeout) => 30_000.0 + rng.unit() * 40.0,
        Some(Failure::RateLimited) => 2.0 + rng.unit() * 12.0,
        Some(Failure::Unavailable) => rng.log_normal(tool.median_ms() * 0.3, 0.4),
        _ => {
            let base = rng.log_normal(tool.median_ms(), 0.45);
            if rng.chance(0.004) {
                base * (5.0 + rng.unit() * 30.0)
            } else {
                base
            }
        }
    };
    (ms * 100.0).round() / 100.0
}

fn patient_id<'w>(world: &'w World, call: &Call) -> &'w str {
    if call.patient == 0 || !has_patient_argument(world.domain, call.tool) {
        // `arguments.get("patient_id", "unknown")`
        "unknown"
    } else {
        &world.patients[usize::from(call.patient) - 1].id
    }
}

fn has_patient_argument(domain: Domain, tool: Tool) -> bool {
    tool.is_clinical() || (domain == Domain::Clinic && tool == Tool::SendEmail)
}

// ---------------------------------------------------------------------------
// Arguments and results
// ---------------------------------------------------------------------------

const REDACTED: &str = "***REDACTED***";

const REASONS: [&str; 10] = [
    "Item arrived damaged",
    "Customer changed mind",
    "Wrong size delivered",
    "Package lost in transit",
    "Duplicate charge",
    "Late delivery",
    "Kunde José Müller: Rückerstattung wegen Lieferverzug",
    "Colis reçu endommagé — remboursement demandé",
    "李雷 reports the item never arrived",
    "Zoë asked to cancel before shipping 📦",
];
const QUERIES: [&str; 10] = [
    "refund policy",
    "shipping times",
    "how to reset password",
    "return window for electronics",
    "warranty claim process",
    "international shipping rates",
    "Rückgabe ohne Kassenbon",
    "envío a Canarias",
    "退货政策",
    "cancel subscription 😕",
];
const CLINICAL_QUERIES: [&str; 6] = [
    "sepsis protocol",
    "pediatric dosing amoxicillin",
    "HbA1c target elderly",
    "drug interaction warfarin ibuprofen",
    "Leitlinie Hypertonie 2024",
    "post-op wound care",
];
const ORDER_NOTES: [&str; 6] = [
    "Customer requested expedited handling",
    "Address corrected by agent",
    "Hold until payment clears",
    "Kunde möchte Lieferung an Packstation",
    "李雷 asked for delivery after 6pm",
    "Fragile — handle with care 🙏",
];
const CLINICAL_NOTES: [&str; 7] = [
    "Continue current regimen, review in 2 weeks",
    "Dose reduced after lab results",
    "Patient reports mild headache",
    "Allergic to penicillin — avoid β-lactams",
    "Paciente refiere dolor torácico leve",
    "家属要求复诊",
    "BP 128/82, HR 72, afebrile",
];
const SUBJECTS: [&str; 8] = [
    "Your refund is on its way 💸",
    "Update on your order",
    "Your return label",
    "Payment receipt",
    "Re: Ihre Bestellung — Rückerstattung",
    "Votre commande a été expédiée",
    "您的订单已发货",
    "How to reset your password",
];
const JUSTIFICATIONS: [&str; 4] = [
    "Unresponsive patient in ER, consent not possible",
    "Trauma admission, attending unavailable",
    "Suspected anaphylaxis — need allergy history now",
    "Code blue on ward 4B",
];
const ORDER_STATUSES: [&str; 5] = ["shipped", "cancelled", "on_hold", "processing", "delivered"];
const CUSTOMER_STATUSES: [&str; 5] = ["active", "active", "active", "vip", "suspended"];
const CURRENCIES: [&str; 5] = ["USD", "USD", "USD", "EUR", "GBP"];
const PAYMENT_METHODS: [&str; 3] = ["pm_card_visa", "pm_card_mastercard", "pm_sepa_debit"];
const SUPPORT_TEMPLATES: [&str; 5] = [
    "refund_confirmation",
    "order_update",
    "return_label",
    "payment_receipt",
    "kb_article",
];
const CLINIC_TEMPLATES: [&str; 3] = [
    "appointment_reminder",
    "lab_results_ready",
    "billing_statement",
];
const SECTIONS: [&[&str]; 6] = [
    &["allergies", "medications"],
    &["labs"],
    &["notes", "vitals"],
    &["medications"],
    &["demographics"],
    &["allergies", "medications", "labs"],
];
const BILLING_SECTIONS: &[&str] = &["billing", "insurance"];
const DEPARTMENTS: [&str; 7] = [
    "Cardiology",
    "Oncology",
    "Pediatrics",
    "Orthopedics",
    "Dermatology",
    "Radiology",
    "General Practice",
];
const DRUGS: [&str; 6] = [
    "Amoxicillin 500 mg",
    "Metformin 850 mg",
    "Lisinopril 10 mg",
    "Atorvastatin 20 mg",
    "Ibuprofen 400 mg",
    "Levothyroxine 50 µg",
];
const PANELS: [&str; 6] = ["CBC", "BMP", "Lipid panel", "HbA1c", "TSH", "Troponin"];
const LANGS: [&str; 5] = ["en", "en", "de", "fr", "es"];
/// Test card numbers: the lesson's `_sanitize` misses the key `card_number`,
/// so a careless integration leaks them (something a leak scan should find).
const LEAKED_CARDS: [&str; 2] = ["4111111111111111", "5555555555554444"];

struct ConversationId(u32);
impl Display for ConversationId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "conv_{:08x}", self.0)
    }
}

struct OrderId(u32);
impl Display for OrderId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ORD-{}", self.0)
    }
}

struct CustomerId(u32);
impl Display for CustomerId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "C-{}", self.0)
    }
}

/// Result identifiers such as `RF-123456` or `ch_5f0c3a9b81d2`.
#[derive(Clone, Copy)]
enum Ident {
    Num(&'static str, u64),
    Hex(&'static str, u64),
}
impl Display for Ident {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Ident::Num(prefix, n) => write!(f, "{prefix}{n}"),
            Ident::Hex(prefix, n) => write!(f, "{prefix}{:012x}", n & 0xffff_ffff_ffff),
        }
    }
}

/// The keys `_summarize_result` copies, in its order.
#[derive(Default)]
struct Summary {
    id: Option<Ident>,
    order: Option<u32>,
    customer: Option<u32>,
    patient_as_id: bool,
    status: Option<&'static str>,
    count: Option<u64>,
    /// `len(json.dumps(result))` when over 1000 characters.
    size: Option<u64>,
}

/// A slot like `2025-07-09T10:30`, some days after `now`.
struct Slot(i64);
impl Display for Slot {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let t = Timestamp::new(self.0);
        f.write_str(&t.as_str()[..16])
    }
}

/// Write `"arguments": {...}, "result_summary": {...}` (hipaa:
/// `arguments_sanitized`, and the sanitised raw result instead of
/// `_summarize_result`'s shape).
fn write_body(
    w: &mut PyJson<'_>,
    world: &World,
    rng: &mut Rng,
    call: &Call,
    now: i64,
    hipaa: bool,
) {
    // Arguments come from the call's own seed so that a retry repeats them.
    let mut a = Rng::new(call.args_seed);
    let role = world.users[call.user].role;
    let patient = (call.patient > 0).then(|| &world.patients[usize::from(call.patient) - 1]);
    let order = OrderId(call.order);
    let customer = CustomerId(call.customer);
    let mut sum = Summary::default();
    // Values shared between arguments and result.
    let mut status = "";
    let mut sections: &[&str] = &[];
    let mut department = "";
    let mut panel = "";
    let mut slot = 0i64;
    w.key(if hipaa {
        "arguments_sanitized"
    } else {
        "arguments"
    })
    .begin_object();
    if has_patient_argument(world.domain, call.tool)
        && let Some(p) = patient
    {
        w.key("patient_id").str(&p.id);
    }
    if call.tool.is_clinical() && !hipaa {
        // AuditEntry has no purpose field: the tool takes it as an argument.
        w.key("purpose").str(call.purpose.name());
    }
    match call.tool {
        Tool::GetCustomer => {
            w.key("customer_id").text(&customer);
            if a.chance(0.2) {
                w.key("include")
                    .begin_array()
                    .str("orders")
                    .str("tickets")
                    .end_array();
            }
            if a.chance(0.04) {
                w.key("auth").begin_object();
                w.key("user")
                    .str(&world.users[call.user].id)
                    .key("password")
                    .str(REDACTED);
                w.end_object();
            }
            sum.customer = Some(call.customer);
            sum.status = Some(rng.pick(&CUSTOMER_STATUSES));
            sum.size = rng.chance(0.15).then(|| rng.range(1001, 9000));
        }
        Tool::GetOrder => {
            w.key("order_id").text(&order);
            let items = a.chance(0.3);
            if items {
                w.key("include_items").bool(true);
            }
            sum.order = Some(call.order);
            sum.status = Some(rng.pick(&ORDER_STATUSES[..]));
            sum.size = (items && rng.chance(0.3)).then(|| rng.range(1001, 6000));
        }
        Tool::UpdateOrderStatus => {
            w.key("order_id").text(&order);
            status = if role == Role::Customer {
                "cancelled"
            } else {
                a.pick(&ORDER_STATUSES)
            };
            w.key("status").str(status);
            if a.chance(0.25) {
                w.key("note").str(a.pick(&ORDER_NOTES));
            }
            sum.order = Some(call.order);
            sum.status = Some(status);
        }
        Tool::IssueRefund => {
            w.key("order_id").text(&order);
            w.key("amount").float(amount(&mut a, 500, 50_000));
            w.key("currency").str(a.pick(&CURRENCIES));
            w.key("reason").str(a.pick(&REASONS));
            sum.id = Some(Ident::Num("RF-", rng.range(100_000, 999_999)));
            sum.order = Some(call.order);
            sum.status = Some(if rng.chance(0.8) {
                "processed"
            } else {
                "pending"
            });
        }
        Tool::ChargePayment => {
            w.key("customer_id").text(&customer);
            w.key("amount").float(amount(&mut a, 999, 120_000));
            w.key("currency").str(a.pick(&CURRENCIES));
            w.key("payment_method").str(a.pick(&PAYMENT_METHODS));
            w.key("api_key").str(REDACTED);
            if a.chance(0.002) {
                w.key("card_number").str(a.pick(&LEAKED_CARDS));
            }
            sum.id = Some(Ident::Hex("ch_", rng.next_u64()));
            sum.customer = Some(call.customer);
            sum.status = Some("succeeded");
        }
        Tool::ApplyCredit => {
            w.key("customer_id").text(&customer);
            w.key("amount").float(amount(&mut a, 500, 10_000));
            w.key("reason").str(a.pick(&REASONS));
            sum.id = Some(Ident::Num("CR-", rng.range(10_000, 99_999)));
            sum.customer = Some(call.customer);
        }
        Tool::SearchKb => {
            let clinical = world.domain == Domain::Clinic || role.is_clinical();
            w.key("query").str(if clinical {
                a.pick(&CLINICAL_QUERIES)
            } else {
                a.pick(&QUERIES)
            });
            w.key("limit").int(a.pick(&[5, 10, 10, 20]));
            if a.chance(0.4) {
                w.key("filters").begin_object();
                w.key("lang").str(a.pick(&LANGS)).key("token").str(REDACTED);
                w.end_object();
            }
            let count = rng.below(60);
            sum.count = Some(count);
            sum.size = (count > 12).then(|| 400 + count * rng.range(60, 160));
        }
        Tool::SendEmail => {
            if world.domain == Domain::Clinic {
                w.key("template").str(a.pick(&CLINIC_TEMPLATES));
                if hipaa && let Some(p) = patient {
                    w.key("patient_name").str(&p.name);
                }
            } else {
                w.key("customer_id").text(&customer);
                w.key("template").str(a.pick(&SUPPORT_TEMPLATES));
                w.key("subject").str(a.pick(&SUBJECTS));
                if a.chance(0.05) {
                    w.key("headers").begin_object();
                    w.key("Authorization").str(REDACTED);
                    w.key("X-Request-Id").text(Ident::Hex("req_", a.next_u64()));
                    w.end_object();
                }
            }
            sum.id = Some(Ident::Hex("msg_", rng.next_u64()));
            sum.status = Some("queued");
        }
        Tool::InitiateReturn => {
            w.key("order_id").text(&order);
            w.key("reason").str(a.pick(&REASONS));
            w.key("items").begin_array();
            for _ in 0..a.range(1, 3) {
                w.text(Ident::Num("SKU-", a.range(10_000, 99_999)));
            }
            w.end_array();
            sum.id = Some(Ident::Num("RET-", rng.range(1000, 9999)));
            sum.order = Some(call.order);
            sum.status = Some("return_requested");
        }
        Tool::AccessPatientRecord => {
            sections = if role == Role::BillingClerk {
                BILLING_SECTIONS
            } else {
                a.pick(&SECTIONS)
            };
            w.key("sections").begin_array();
            for s in sections {
                w.str(s);
            }
            w.end_array();
            if let Some(p) = patient.filter(|_| hipaa) {
                if a.chance(0.3) {
                    w.key("patient_name").str(&p.name);
                }
                if a.chance(0.15) {
                    w.key("date_of_birth").str(&p.date_of_birth);
                }
                if role == Role::BillingClerk && a.chance(0.5) {
                    w.key("ssn").str(&p.ssn);
                }
            } else if role == Role::BillingClerk && a.chance(0.5) {
                // `_sanitize` redacts ssn in the general audit log.
                w.key("ssn").str(REDACTED);
            }
            if call.break_glass {
                w.key("break_glass").bool(true);
                w.key("justification").str(a.pick(&JUSTIFICATIONS));
            }
            sum.patient_as_id = true;
            sum.count = Some(rng.range(1, 40));
            sum.size = rng.chance(0.1).then(|| rng.range(1001, 20_000));
        }
        Tool::UpdateTreatment => {
            w.key("plan").str(a.pick(&CLINICAL_NOTES));
            if let Some(p) = patient.filter(|_| hipaa && a.chance(0.1)) {
                w.key("date_of_birth").str(&p.date_of_birth);
            }
            sum.id = Some(Ident::Num("TX-", rng.range(100_000, 999_999)));
            sum.status = Some("updated");
        }
        Tool::ScheduleAppointment => {
            if let Some(p) = patient.filter(|_| hipaa) {
                w.key("patient_name").str(&p.name);
                w.key("phone").str(&p.phone);
            }
            department = a.pick(&DEPARTMENTS);
            // Whole and half hours, 08:00-16:30, 1-20 days ahead.
            let day = now.div_euclid(86_400_000_000) + a.range(1, 20) as i64;
            slot = day * 86_400_000_000 + (8 * 60 + 30 * a.range(0, 17) as i64) * 60_000_000;
            w.key("department").str(department);
            w.key("slot").text(Slot(slot));
            if a.chance(0.2) {
                w.key("notes").str(a.pick(&CLINICAL_NOTES));
            }
            sum.id = Some(Ident::Num("APT-", rng.range(100_000, 999_999)));
            sum.status = Some("booked");
        }
        Tool::PrescribeMedication => {
            w.key("drug").str(a.pick(&DRUGS));
            w.key("refills").int(a.range(0, 3) as i64);
            if let Some(p) = patient.filter(|_| hipaa && a.chance(0.2)) {
                w.key("patient_name").str(&p.name);
            }
            sum.id = Some(Ident::Num("RX-", rng.range(100_000, 999_999)));
            sum.status = Some("sent_to_pharmacy");
        }
        Tool::GetLabResults => {
            panel = a.pick(&PANELS);
            w.key("panel").str(panel);
            sum.count = Some(rng.range(1, 12));
        }
        Tool::ReviewEmergencyAccess => {
            let review = call.review.unwrap_or(Review {
                reviewed: call.user,
                at_micros: now,
            });
            w.key("reviewed_user").str(&world.users[review.reviewed].id);
            w.key("emergency_access_at")
                .str(Timestamp::new(review.at_micros).as_str());
            status = if a.chance(0.85) {
                "justified"
            } else {
                "needs_follow_up"
            };
            w.key("decision").str(status);
            sum.id = Some(Ident::Num("REV-", rng.range(1000, 9999)));
            sum.status = Some(status);
        }
    }
    w.end_object();

    w.key("result_summary").begin_object();
    let failure_text = call.failure.map(|f| FailureText {
        failure: f,
        call,
        role,
        world,
        args_seed: call.args_seed,
    });
    if !hipaa {
        // `_summarize_result`: success, error, then the identifier keys.
        w.key("success").bool(call.failure.is_none());
        if let Some(text) = failure_text {
            w.key("error").text(text);
        } else {
            if let Some(id) = sum.id {
                w.key("id").text(id);
            } else if let Some(p) = patient.filter(|_| sum.patient_as_id) {
                w.key("id").str(&p.id);
            }
            if let Some(o) = sum.order {
                w.key("order_id").text(OrderId(o));
            }
            if let Some(c) = sum.customer {
                w.key("customer_id").text(CustomerId(c));
            }
            if let Some(s) = sum.status {
                w.key("status").str(s);
            }
            if let Some(n) = sum.count {
                w.key("count").int(n as i64);
            }
            if let Some(size) = sum.size {
                w.key("_result_size")
                    .int(size as i64)
                    .key("_truncated")
                    .bool(true);
            }
        }
    } else if let Some(text) = failure_text {
        w.key("error").text(text);
    } else {
        // The hipaa writer logs the whole result with PII hashed.
        match call.tool {
            Tool::AccessPatientRecord => {
                if let Some(p) = patient {
                    w.key("patient_name").str(&p.name);
                }
                w.key("records_returned").int(sum.count.unwrap_or(1) as i64);
                if let Some(p) = patient.filter(|_| role != Role::BillingClerk) {
                    w.key("date_of_birth").str(&p.date_of_birth);
                }
                w.key("sections").begin_array();
                for s in sections {
                    w.str(s);
                }
                w.end_array();
            }
            Tool::GetLabResults => {
                let count = sum.count.unwrap_or(1);
                w.key("panel")
                    .str(panel)
                    .key("results_count")
                    .int(count as i64);
                w.key("abnormal").int(rng.below(count.min(3) + 1) as i64);
            }
            Tool::ScheduleAppointment => {
                w.key("appointment_id").text(sum.id.expect("id"));
                w.key("slot")
                    .text(Slot(slot))
                    .key("department")
                    .str(department);
            }
            Tool::UpdateTreatment => {
                w.key("treatment_id")
                    .text(sum.id.expect("id"))
                    .key("status")
                    .str("updated");
            }
            Tool::PrescribeMedication => {
                w.key("prescription_id")
                    .text(sum.id.expect("id"))
                    .key("status")
                    .str("sent_to_pharmacy");
            }
            Tool::ReviewEmergencyAccess => {
                w.key("review_id")
                    .text(sum.id.expect("id"))
                    .key("decision")
                    .str(status);
            }
            Tool::SearchKb => {
                w.key("count").int(sum.count.unwrap_or(0) as i64);
            }
            _ => {
                if let Some(id) = sum.id {
                    w.key("message_id").text(id);
                }
                w.key("status").str(sum.status.unwrap_or("ok"));
            }
        }
    }
    w.end_object();
}

/// A money amount in [lo, hi] cents as the float the tool received.
fn amount(a: &mut Rng, lo_cents: u64, hi_cents: u64) -> f64 {
    // Round sums are common (credits of 25.0), the rest end in .99 or anything.
    let cents = match a.below(4) {
        0 => a.range(lo_cents / 500, hi_cents / 500) * 500,
        1 => a.range(lo_cents / 100, hi_cents / 100) * 100 + 99,
        _ => a.range(lo_cents, hi_cents),
    };
    cents.max(1) as f64 / 100.0
}

/// A realistic error message for a failed call.
struct FailureText<'a> {
    failure: Failure,
    call: &'a Call,
    role: Role,
    world: &'a World,
    args_seed: u64,
}

impl Display for FailureText<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let call = self.call;
        let tool = call.tool;
        let patient = patient_id(self.world, call);
        match self.failure {
            Failure::Timeout => {
                write!(f, "Timed out after 30000 ms waiting for {}", tool.service())
            }
            Failure::RateLimited => {
                write!(
                    f,
                    "Rate limit exceeded for {}: retry after {}s",
                    tool.service(),
                    1 + self.args_seed % 5
                )
            }
            Failure::Unavailable => write!(f, "{} unavailable (HTTP 503)", tool.service()),
            Failure::NotFound => match tool {
                Tool::GetOrder | Tool::IssueRefund | Tool::InitiateReturn => {
                    write!(f, "Order {} not found", OrderId(call.order))
                }
                Tool::GetCustomer => write!(f, "Customer {} not found", CustomerId(call.customer)),
                Tool::SendEmail => f.write_str("Recipient has no email address on file"),
                Tool::GetLabResults => {
                    write!(f, "No lab results for {patient} in the last 12 months")
                }
                _ => write!(f, "Patient {patient} not found"),
            },
            Failure::Conflict => match tool {
                Tool::UpdateOrderStatus => f.write_str("Cannot cancel shipped order"),
                Tool::IssueRefund => f.write_str("Refund amount exceeds order total"),
                Tool::InitiateReturn => write!(
                    f,
                    "Return window closed for order {} (30 days)",
                    OrderId(call.order)
                ),
                Tool::ApplyCredit => write!(
                    f,
                    "Credit limit exceeded for customer {}",
                    CustomerId(call.customer)
                ),
                Tool::ChargePayment => {
                    f.write_str("Duplicate charge blocked (idempotency key reused)")
                }
                Tool::GetOrder => write!(
                    f,
                    "Order {} belongs to another customer",
                    OrderId(call.order)
                ),
                Tool::ScheduleAppointment => f.write_str("Requested slot is no longer available"),
                Tool::PrescribeMedication => {
                    f.write_str("Interaction check failed: requires pharmacist override")
                }
                Tool::UpdateTreatment => {
                    f.write_str("Treatment plan was changed by another user; reload and retry")
                }
                _ => f.write_str("Conflict: the record was modified concurrently"),
            },
            Failure::Declined => f.write_str(if self.args_seed.is_multiple_of(3) {
                "Payment declined: card expired"
            } else {
                "Payment declined: insufficient funds"
            }),
            Failure::Denied => match (self.role, tool) {
                (Role::BillingClerk, _) if tool.is_clinical() => {
                    f.write_str("Access denied: role billing_clerk cannot view clinical notes")
                }
                (Role::Researcher, _) => write!(
                    f,
                    "Access denied: research access to {patient} requires IRB approval"
                ),
                (Role::Customer, _) => write!(
                    f,
                    "Permission denied: order {} belongs to another account",
                    OrderId(call.order)
                ),
                (role, tool) => write!(
                    f,
                    "Permission denied: role {} cannot call {}",
                    role.name(),
                    tool.name()
                ),
            },
            Failure::Invalid => match tool {
                Tool::UpdateOrderStatus => {
                    f.write_str("Invalid status transition: delivered -> processing")
                }
                _ => f.write_str("Invalid recipient address"),
            },
        }
    }
}

// ---------------------------------------------------------------------------
// Timestamps
// ---------------------------------------------------------------------------

/// `datetime.isoformat()` of an aware UTC datetime:
/// `2025-07-06T14:23:01.456789+00:00`, without the fraction when the
/// microseconds are zero (as Python does).
struct Timestamp {
    buf: [u8; 32],
    len: usize,
}

impl Timestamp {
    fn new(micros: i64) -> Timestamp {
        let secs = micros.div_euclid(1_000_000);
        let micro = micros.rem_euclid(1_000_000);
        let (days, of_day) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
        let (year, month, day) = civil_from_days(days);
        let mut buf = [0u8; 32];
        let mut cursor = std::io::Cursor::new(&mut buf[..]);
        let (h, m, s) = (of_day / 3600, of_day / 60 % 60, of_day % 60);
        std::io::Write::write_fmt(
            &mut cursor,
            format_args!("{year:04}-{month:02}-{day:02}T{h:02}:{m:02}:{s:02}"),
        )
        .expect("fits");
        if micro != 0 {
            std::io::Write::write_fmt(&mut cursor, format_args!(".{micro:06}")).expect("fits");
        }
        std::io::Write::write_all(&mut cursor, b"+00:00").expect("fits");
        let len = cursor.position() as usize;
        Timestamp { buf, len }
    }

    fn as_str(&self) -> &str {
        std::str::from_utf8(&self.buf[..self.len]).expect("ascii")
    }
}

/// Days since 1970-01-01 to (year, month, day), proleptic Gregorian
/// (Howard Hinnant's algorithm).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn py(build: impl FnOnce(&mut PyJson<'_>)) -> String {
        let mut out = Vec::new();
        build(&mut PyJson::new(&mut out));
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn the_writer_prints_like_json_dumps() {
        let text = py(|w| {
            w.begin_object();
            w.key("a")
                .int(-3)
                .key("b")
                .float(25.0)
                .key("c")
                .bool(true)
                .key("d")
                .null();
            w.key("e")
                .begin_array()
                .str("José")
                .text(format_args!("x{}", "\u{1F4E6}"))
                .end_array();
            w.key("f")
                .begin_object()
                .end_object()
                .key("g")
                .begin_array()
                .end_array();
            w.end_object();
        });
        assert_eq!(
            text,
            r#"{"a": -3, "b": 25.0, "c": true, "d": null, "e": ["Jos\u00e9", "x\ud83d\udce6"], "f": {}, "g": []}"#
        );
    }

    #[test]
    fn own_canonical_form_matches_the_verifier() {
        let line = py(|w| {
            w.begin_object();
            w.key("z")
                .str("a \"quoted\", {braced} [list] \\ text")
                .key("b")
                .begin_array();
            w.begin_object()
                .key("y")
                .int(1)
                .key("x")
                .begin_object()
                .end_object()
                .end_object();
            w.begin_array()
                .end_array()
                .float(1e-5)
                .null()
                .str("}")
                .end_array();
            w.key("a")
                .begin_object()
                .key("d")
                .bool(false)
                .key("c")
                .str("é😀")
                .end_object();
            w.key("_previous_hash").str("genesis");
            w.end_object();
        });
        let mut ours = Vec::new();
        canonicalize_own(line.as_bytes(), &mut ours, &mut Vec::new());
        let mut reference = Vec::new();
        write_canonical_without(&json::parse(&line).unwrap(), "_hash", &mut reference);
        assert_eq!(
            String::from_utf8(ours).unwrap(),
            String::from_utf8(reference).unwrap()
        );
    }

    #[test]
    fn timestamps_match_python_isoformat() {
        let start = parse_start("2025-07-06T14:23:01.456789Z").unwrap();
        assert_eq!(
            Timestamp::new(start).as_str(),
            "2025-07-06T14:23:01.456789+00:00"
        );
        assert_eq!(
            Timestamp::new(start - 456_789).as_str(),
            "2025-07-06T14:23:01+00:00"
        );
        assert_eq!(
            Timestamp::new(parse_start("2024-02-29").unwrap()).as_str(),
            "2024-02-29T00:00:00+00:00"
        );
        assert_eq!(Timestamp::new(0).as_str(), "1970-01-01T00:00:00+00:00");
    }

    #[test]
    fn deterministic_math_is_close_to_libm() {
        for x in [-20.0, -1.5, -0.1, 0.0, 0.3, 1.0, 2.5, 10.0] {
            let (ours, std) = (det_exp(x), f64::exp(x));
            assert!(
                ((ours - std) / std).abs() < 1e-14,
                "exp({x}) = {ours} vs {std}"
            );
        }
        for x in [1e-300, 1e-5, 0.1, 0.5, 1.0, 2.0, 123.456, 1e300] {
            let (ours, std) = (det_ln(x), f64::ln(x));
            assert!(
                (ours - std).abs() < 1e-12 * std.abs().max(1.0),
                "ln({x}) = {ours} vs {std}"
            );
        }
    }

    #[test]
    fn pii_hashes_match_the_lesson() {
        // hashlib.sha256("José Müller".encode()).hexdigest()[:16]
        assert_eq!(hash_pii("José Müller"), "sha256:7d47d57d70551eb7");
    }

    #[test]
    fn rotated_names_are_newest_first() {
        let mut options = Options::new(10);
        options.files = 3;
        assert_eq!(
            options.file_names(),
            ["audit.2.jsonl", "audit.1.jsonl", "audit.jsonl"]
        );
        assert_eq!(options.file_entries(), [3, 3, 4]);
    }

    #[test]
    fn conversation_ids_do_not_collide() {
        let ids: std::collections::HashSet<u32> = (0..100_000u32).map(mix32).collect();
        assert_eq!(ids.len(), 100_000);
    }
}
