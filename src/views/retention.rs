//! Retention: how long each entry must be kept (the lesson's
//! `RETENTION_POLICIES` and `get_retention_period`) and which entries are
//! past that or due soon. auditui reports; it never deletes anything.

use crate::filter::Field;
use crate::store::store::NO_TIME;
use crate::store::{RowKey, Rows, Store};
use crate::time::format_timestamp;
use chrono::DateTime;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

const DAY_MICROS: i64 = 86_400_000_000;

/// One policy: a retention period for some tools, or for all the others.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Policy {
    pub name: String,
    pub retention_days: u32,
    /// `None` is the lesson's `"*"`: every tool no other policy lists.
    pub tools: Option<Vec<String>>,
}

/// A policy table, in order: the first policy listing a tool wins.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Policies(pub Vec<Policy>);

impl Default for Policies {
    /// The lesson's `RETENTION_POLICIES`.
    fn default() -> Self {
        let policy = |name: &str, days, tools: Option<&[&str]>| Policy {
            name: name.to_owned(),
            retention_days: days,
            tools: tools.map(|t| t.iter().map(|s| (*s).to_owned()).collect()),
        };
        Policies(vec![
            policy(
                "financial",
                2555,
                Some(&["charge_payment", "issue_refund", "apply_credit"]),
            ),
            policy(
                "healthcare",
                2190,
                Some(&["access_patient_record", "update_treatment"]),
            ),
            policy("general", 365, None),
        ])
    }
}

impl Policies {
    /// The lesson's `get_retention_period` lookup: the first policy listing
    /// `tool`, else the catch-all one (`None` only for a table without one).
    pub fn policy_for(&self, tool: &str) -> Option<&Policy> {
        self.0
            .iter()
            .find(|p| {
                p.tools
                    .as_ref()
                    .is_some_and(|t| t.iter().any(|x| x == tool))
            })
            .or_else(|| self.0.iter().find(|p| p.tools.is_none()))
    }
}

/// Where an entry stands against its retention period at `now`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// The period has ended: the entry may be disposed of.
    Past,
    /// The period ends within the "due" horizon.
    Due,
    Retained,
    /// No readable timestamp or no policy: the period cannot be placed.
    Unknown,
}

impl Status {
    pub fn name(self) -> &'static str {
        match self {
            Status::Past => "past",
            Status::Due => "due",
            Status::Retained => "retained",
            Status::Unknown => "unknown",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RetentionEntry {
    pub row: u32,
    /// Which entry, for finding it again through the backend.
    #[serde(skip)]
    pub key: RowKey,
    pub file: String,
    pub line: usize,
    /// The entry's instant in UTC (RFC 3339); `None` if unreadable.
    pub time: Option<String>,
    pub tool: Option<String>,
    pub policy: Option<String>,
    pub retention_days: Option<u32>,
    /// UTC date on which the period ends.
    pub expires: Option<String>,
    pub status: Status,
}

/// Every entry of `rows` against `policies` at `now` (micros, UTC); `due`
/// is how close to its end a period counts as due (the CLI's 30 days).
pub fn retention<'a>(
    store: &Store,
    rows: impl Rows<'a>,
    policies: &Policies,
    now: i64,
    due: i64,
) -> Vec<RetentionEntry> {
    rows.into_iter()
        .map(|&row| {
            let r = row as usize;
            let tool = store.text(Field::Tool, r);
            let policy = policies.policy_for(tool.unwrap_or_default());
            let time = store.time[r];
            let expiry = policy
                .filter(|_| time != NO_TIME)
                .map(|p| time.saturating_add(i64::from(p.retention_days) * DAY_MICROS));
            let status = match expiry {
                None => Status::Unknown,
                Some(expiry) if expiry <= now => Status::Past,
                Some(expiry) if expiry - now <= due => Status::Due,
                Some(_) => Status::Retained,
            };
            let (file, line) = store.location(r);
            RetentionEntry {
                row,
                key: store.key(r),
                file: file.to_owned(),
                line,
                time: (time != NO_TIME).then(|| format_timestamp(time)),
                tool: tool.map(str::to_owned),
                policy: policy.map(|p| p.name.clone()),
                retention_days: policy.map(|p| p.retention_days),
                expires: expiry.and_then(|e| {
                    DateTime::from_timestamp_micros(e).map(|d| d.format("%Y-%m-%d").to_string())
                }),
                status,
            }
        })
        .collect()
}

/// Counts per tool: what a reviewer reads before the per-entry list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ToolRetention {
    pub tool: Option<String>,
    pub policy: Option<String>,
    pub retention_days: Option<u32>,
    pub entries: usize,
    pub past: usize,
    pub due: usize,
    pub retained: usize,
    pub unknown: usize,
    /// The earliest expiry date among the tool's entries.
    pub next_expiry: Option<String>,
}

/// [`retention`] entries summed per tool, by tool name.
pub fn by_tool(entries: &[RetentionEntry]) -> Vec<ToolRetention> {
    let mut tools: BTreeMap<Option<&str>, ToolRetention> = BTreeMap::new();
    for e in entries {
        let t = tools
            .entry(e.tool.as_deref())
            .or_insert_with(|| ToolRetention {
                tool: e.tool.clone(),
                policy: e.policy.clone(),
                retention_days: e.retention_days,
                entries: 0,
                past: 0,
                due: 0,
                retained: 0,
                unknown: 0,
                next_expiry: None,
            });
        t.entries += 1;
        *match e.status {
            Status::Past => &mut t.past,
            Status::Due => &mut t.due,
            Status::Retained => &mut t.retained,
            Status::Unknown => &mut t.unknown,
        } += 1;
        if let Some(expires) = &e.expires
            && t.next_expiry.as_ref().is_none_or(|n| expires < n)
        {
            t.next_expiry = Some(expires.clone());
        }
    }
    tools.into_values().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lookup_follows_the_lessons_table() {
        let p = Policies::default();
        let days = |t: &str| p.policy_for(t).map(|p| p.retention_days);
        assert_eq!(days("charge_payment"), Some(2555));
        assert_eq!(days("apply_credit"), Some(2555));
        assert_eq!(days("update_treatment"), Some(2190));
        assert_eq!(days("search_kb"), Some(365));
        assert_eq!(days(""), Some(365));
        assert_eq!(Policies(vec![]).policy_for("x"), None);
    }
}
