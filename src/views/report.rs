//! The access report for one patient over a period: the lesson's
//! `HIPAAAuditLog.generate_access_report`, same keys and values, except that
//! `integrity_verified` comes from real verification.
//!
//! The lesson's `verify_integrity` only follows the `previous_hash` links, so
//! it says `true` for any log whose links are in order, even when an entry's
//! content was edited, and it cannot know that its own hipaa scheme leaves
//! role, purpose, arguments, result and success unhashed. Here the report is
//! verified only if the chains holding its entries have no finding at all
//! *and* hash every field; otherwise `integrity_note` says why not.
//!
//! Extras beyond the lesson's keys appear only when they say something:
//! `emergency: true` on a break-the-glass access, `integrity_note` when not
//! verified. The accounting of disclosures is a projection of the report.

use super::{Moment, field_text, is_emergency, justification, rows_with, timestamp_text};
use crate::filter::{Field, Filter, Predicate};
use crate::log::chain::Verification;
use crate::log::entry::Scheme;
use crate::store::store::Outcome;
use crate::store::{RowKey, Rows, Store};
use crate::text::closest;
use crate::time::format_timestamp;
use serde::Serialize;
use std::collections::{BTreeSet, HashSet};

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReportPeriod {
    pub start: String,
    pub end: String,
}

/// One access, in the lesson's keys.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Access {
    /// As logged.
    pub timestamp: String,
    pub accessed_by: Option<String>,
    pub role: Option<String>,
    pub tool: Option<String>,
    pub purpose: Option<String>,
    pub success: Option<bool>,
    /// Break-the-glass access (see [`is_emergency`]); omitted when false.
    #[serde(skip_serializing_if = "is_false")]
    pub emergency: bool,
    /// Why the glass was broken, as logged; omitted when none.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub justification: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AccessReport {
    pub patient_id: String,
    pub report_period: ReportPeriod,
    pub total_accesses: usize,
    pub unique_users: usize,
    pub accesses: Vec<Access>,
    pub integrity_verified: bool,
    /// Why `integrity_verified` is false; omitted when it is true.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub integrity_note: Option<String>,
    /// Every term of the filter that chose the entries (`patient:P-0007
    /// failed`); omitted when none narrowed them.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub filter: Option<String>,
    /// Said when the patient id never occurs in the log: an empty report
    /// for a mistyped id must not read as "nobody accessed the record".
    #[serde(skip_serializing_if = "Option::is_none")]
    pub patient_note: Option<String>,
    /// The entries of `accesses`, one each (for exports of the entries).
    #[serde(skip)]
    pub keys: Vec<RowKey>,
}

fn is_false(b: &bool) -> bool {
    !*b
}

/// Every access to `patient` among `rows` with `start <= time <= end` (by
/// instant, whatever the offsets), in log order. Entries whose timestamp
/// cannot be read are left out: they cannot be placed in the period.
pub fn access_report<'a>(
    store: &Store,
    verification: &Verification,
    rows: impl Rows<'a>,
    patient: &str,
    start: Moment,
    end: Moment,
) -> AccessReport {
    let in_period: Vec<u32> = rows_with(store, rows, Field::Patient, patient)
        .into_iter()
        .filter(|&r| (start.micros..=end.micros).contains(&store.time[r as usize]))
        .collect();
    let accesses: Vec<Access> = in_period
        .iter()
        .map(|&r| access(store, r as usize))
        .collect();
    let users: HashSet<&Option<String>> = accesses.iter().map(|a| &a.accessed_by).collect();
    // No entry in the period: the chains holding the patient's other
    // entries speak for it (a deleted entry is a missing access). Chains
    // that never held this patient say nothing about their record.
    let integrity = if !in_period.is_empty() {
        integrity(store, verification, &in_period)
    } else {
        let all: Vec<u32> = (0..store.len() as u32).collect();
        match rows_with(store, &all, Field::Patient, patient).as_slice() {
            [] => Integrity {
                verified: false,
                note: Some("nothing to verify: no entry for this patient in the log".to_owned()),
            },
            own => integrity(store, verification, own),
        }
    };
    AccessReport {
        patient_id: patient.to_owned(),
        report_period: ReportPeriod {
            start: start.isoformat(),
            end: end.isoformat(),
        },
        total_accesses: accesses.len(),
        unique_users: users.len(),
        accesses,
        integrity_verified: integrity.verified,
        integrity_note: integrity.note,
        filter: None,
        patient_note: patient_note(store, patient),
        keys: in_period.iter().map(|&r| store.key(r as usize)).collect(),
    }
}

/// The one patient a filter asks for, if it asks for exactly one.
pub fn single_patient(filter: &Filter) -> Option<String> {
    let mut patients = filter.terms.iter().filter_map(|t| match &t.predicate {
        Predicate::Field {
            field: Field::Patient,
            values,
        } if !t.negated && values.len() == 1 => Some(values[0].clone()),
        _ => None,
    });
    let first = patients.next()?;
    patients.next().is_none().then_some(first)
}

/// "no entry for this patient in the log", with the id most likely meant.
pub fn patient_note(store: &Store, patient: &str) -> Option<String> {
    let dict = &store.column(Field::Patient).dict;
    if dict.lookup(patient).is_some() {
        return None;
    }
    let values = || dict.values().map(|(_, v)| v);
    let meant = values()
        .find(|v| v.eq_ignore_ascii_case(patient))
        .or_else(|| closest(patient, values()));
    Some(match meant {
        Some(meant) => format!(
            "no entry for this patient in the log: '{patient}' never occurs (did you mean '{meant}'?)"
        ),
        None => format!("no entry for this patient in the log: '{patient}' never occurs"),
    })
}

fn access(store: &Store, row: usize) -> Access {
    let purpose = field_text(store, Field::Purpose, row);
    let emergency = purpose.as_deref().is_some_and(is_emergency);
    Access {
        timestamp: timestamp_text(store, row).unwrap_or_else(|| format_timestamp(store.time[row])),
        accessed_by: field_text(store, Field::User, row),
        role: field_text(store, Field::Role, row),
        tool: field_text(store, Field::Tool, row),
        emergency,
        justification: emergency.then(|| justification(store, row)).flatten(),
        purpose,
        success: match store.outcome[row] {
            Outcome::Ok => Some(true),
            Outcome::Failed => Some(false),
            Outcome::Unknown => None,
        },
    }
}

/// Whether entries can be trusted as logged, and if not, why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Integrity {
    pub verified: bool,
    pub note: Option<String>,
}

/// The integrity of the chains holding `rows`: every file of every chain
/// that holds one of them.
pub fn integrity<'a>(store: &Store, verification: &Verification, rows: impl Rows<'a>) -> Integrity {
    let mut files: BTreeSet<&str> = rows
        .into_iter()
        .map(|&r| store.location(r as usize).0)
        .collect();
    for chain in &verification.chains {
        if chain.files.iter().any(|f| files.contains(f.as_str())) {
            files.extend(chain.files.iter().map(String::as_str));
        }
    }
    let mut problems = Vec::new();
    if files.is_empty() {
        problems.push("nothing was loaded to verify".to_owned());
    }
    let findings: Vec<_> = verification
        .findings
        .iter()
        .filter(|f| files.contains(f.file.as_str()))
        .collect();
    if let Some(first) = findings.first() {
        problems.push(format!(
            "{} integrity finding{} in the log holding these entries, the first at {}:{} ({}): {}",
            findings.len(),
            if findings.len() == 1 { "" } else { "s" },
            first.file,
            first.line,
            first.kind.name(),
            first.message
        ));
    }
    let schemes: BTreeSet<Option<Scheme>> = verification
        .files
        .iter()
        .filter(|f| files.contains(f.name.as_str()) && f.entries > 0)
        .flat_map(|f| {
            // A file mixing schemes is only as strong as its weakest entry.
            let mixed = f.mixed_schemes.then_some(Some(Scheme::Plain));
            [f.scheme].into_iter().chain(mixed)
        })
        .collect();
    if schemes.contains(&Some(Scheme::Hipaa)) {
        problems.push(
            "the hipaa scheme hashes only timestamp, user_id, tool_name, patient_id and \
             previous_hash: role, purpose and success could have been edited undetected"
                .to_owned(),
        );
    }
    if schemes.contains(&Some(Scheme::Plain)) || schemes.contains(&None) {
        problems
            .push("some entries have no hash chain (plain log): nothing protects them".to_owned());
    }
    Integrity {
        verified: problems.is_empty(),
        note: (!problems.is_empty()).then(|| problems.join("; ")),
    }
}

/// One disclosure in an accounting (45 CFR 164.528 style).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Disclosure {
    /// The date part of the logged timestamp, in the offset it was logged in.
    pub date: String,
    pub timestamp: String,
    pub recipient: Option<String>,
    pub recipient_role: Option<String>,
    pub purpose: Option<String>,
    pub tool: Option<String>,
    #[serde(skip_serializing_if = "is_false")]
    pub emergency: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub justification: Option<String>,
}

/// What a patient may be given: who received their information, when, why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Accounting {
    pub patient_id: String,
    pub report_period: ReportPeriod,
    pub total_disclosures: usize,
    pub disclosures: Vec<Disclosure>,
    pub integrity_verified: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub integrity_note: Option<String>,
    /// As in [`AccessReport`].
    #[serde(skip_serializing_if = "Option::is_none")]
    pub filter: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub patient_note: Option<String>,
    /// The entries of `disclosures`, one each.
    #[serde(skip)]
    pub keys: Vec<RowKey>,
}

/// The accounting of disclosures of a report: its successful accesses (a
/// refused access disclosed nothing; one that logged no outcome is kept,
/// since it cannot be shown to have disclosed nothing).
pub fn accounting(report: &AccessReport) -> Accounting {
    let (disclosures, keys): (Vec<Disclosure>, Vec<RowKey>) = report
        .accesses
        .iter()
        .zip(&report.keys)
        .filter(|(a, _)| a.success != Some(false))
        .map(|(a, &key)| {
            let disclosure = Disclosure {
                date: a.timestamp.chars().take(10).collect(),
                timestamp: a.timestamp.clone(),
                recipient: a.accessed_by.clone(),
                recipient_role: a.role.clone(),
                purpose: a.purpose.clone(),
                tool: a.tool.clone(),
                emergency: a.emergency,
                justification: a.justification.clone(),
            };
            (disclosure, key)
        })
        .unzip();
    Accounting {
        patient_id: report.patient_id.clone(),
        report_period: report.report_period.clone(),
        total_disclosures: disclosures.len(),
        disclosures,
        integrity_verified: report.integrity_verified,
        integrity_note: report.integrity_note.clone(),
        filter: report.filter.clone(),
        patient_note: report.patient_note.clone(),
        keys,
    }
}
