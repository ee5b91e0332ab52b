//! Unusual access patterns (the lesson's bonus: "same patient accessed 10+
//! times in an hour") and every break-the-glass emergency access, with
//! whether someone reviewed it afterwards.

use super::{field_text, is_emergency, justification, timestamp_text};
use crate::filter::Field;
use crate::store::store::{MISSING, NO_TIME, Sym};
use crate::store::{RowKey, Store};
use crate::time::{format_duration, format_timestamp};
use serde::Serialize;
use std::collections::HashMap;

/// One user reading one patient's record at least `threshold` times within
/// `window`: overlapping windows are merged, so a long burst is one alert.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Burst {
    pub user: Option<String>,
    pub patient: String,
    pub count: usize,
    /// Timestamps as logged.
    pub first: String,
    pub last: String,
    pub rows: Vec<u32>,
    /// The first access of the burst, for finding it through the backend.
    #[serde(skip)]
    pub first_key: RowKey,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EmergencyAccess {
    pub row: u32,
    /// Which entry, for finding it again through the backend.
    #[serde(skip)]
    pub key: RowKey,
    pub timestamp: Option<String>,
    pub user: Option<String>,
    pub role: Option<String>,
    pub patient: Option<String>,
    pub tool: Option<String>,
    pub purpose: Option<String>,
    /// Why the glass was broken, as logged.
    pub justification: Option<String>,
    /// Whether a later entry for the same patient is a review (see [`is_review`]).
    pub reviewed: bool,
    /// When the first such review was logged.
    pub review_timestamp: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Alerts {
    pub threshold: usize,
    /// The window as a duration (`1h`).
    pub window: String,
    pub bursts: Vec<Burst>,
    pub emergencies: Vec<EmergencyAccess>,
}

/// Bursts and emergency accesses among `rows`. Reviews are looked for in
/// the whole store: a review is no less a review for being filtered out.
pub fn alerts(store: &Store, rows: &[u32], threshold: usize, window_micros: i64) -> Alerts {
    Alerts {
        threshold,
        window: format_duration(window_micros),
        bursts: bursts(store, rows, threshold.max(1), window_micros),
        emergencies: emergencies(store, rows),
    }
}

fn bursts(store: &Store, rows: &[u32], threshold: usize, window: i64) -> Vec<Burst> {
    let users = &store.column(Field::User).ids;
    let patients = &store.column(Field::Patient).ids;
    let mut by_pair: HashMap<(Sym, Sym), Vec<u32>> = HashMap::new();
    for &row in rows {
        let r = row as usize;
        if patients.get(r) != MISSING && store.time[r] != NO_TIME {
            by_pair
                .entry((users.get(r), patients.get(r)))
                .or_default()
                .push(row);
        }
    }
    let mut found = Vec::new();
    for ((user, patient), mut accesses) in by_pair {
        accesses.sort_by_key(|&r| (store.time[r as usize], r));
        let time = |i: usize| store.time[accesses[i] as usize];
        // Each qualifying window [i, end]; windows that share an access merge.
        let mut current: Option<(usize, usize)> = None;
        let mut end = 0;
        for i in 0..accesses.len() {
            end = end.max(i);
            while end + 1 < accesses.len() && time(end + 1) - time(i) <= window {
                end += 1;
            }
            if end + 1 - i < threshold {
                continue;
            }
            current = match current {
                Some((first, last)) if i <= last => Some((first, end)),
                Some(done) => {
                    found.push((user, patient, accesses[done.0..=done.1].to_vec()));
                    Some((i, end))
                }
                None => Some((i, end)),
            };
        }
        if let Some((first, last)) = current {
            found.push((user, patient, accesses[first..=last].to_vec()));
        }
    }
    let mut bursts: Vec<Burst> = found
        .into_iter()
        .map(|(user, patient, rows)| {
            let stamp = |r: u32| {
                timestamp_text(store, r as usize)
                    .unwrap_or_else(|| format_timestamp(store.time[r as usize]))
            };
            Burst {
                user: store.column(Field::User).dict.get(user).map(str::to_owned),
                patient: store
                    .column(Field::Patient)
                    .dict
                    .get(patient)
                    .unwrap_or_default()
                    .to_owned(),
                count: rows.len(),
                first: stamp(rows[0]),
                first_key: store.key(rows[0] as usize),
                last: stamp(rows[rows.len() - 1]),
                rows,
            }
        })
        .collect();
    bursts.sort_by_key(|b| (store.time[b.rows[0] as usize], b.rows[0]));
    bursts
}

/// A review of a patient's record: a tool whose name contains `review`, or
/// a purpose of `review` or `audit` (any case).
pub fn is_review(tool: Option<&str>, purpose: Option<&str>) -> bool {
    let (tool, purpose) = (tool.unwrap_or_default(), purpose.unwrap_or_default());
    tool.to_lowercase().contains("review")
        || purpose.eq_ignore_ascii_case("review")
        || purpose.eq_ignore_ascii_case("audit")
}

fn emergencies(store: &Store, rows: &[u32]) -> Vec<EmergencyAccess> {
    let patients = &store.column(Field::Patient).ids;
    // Reviews per patient, in (time, row) order, from the whole store.
    let mut reviews: HashMap<Sym, Vec<(i64, u32)>> = HashMap::new();
    for (r, patient) in patients.iter().enumerate() {
        if patient != MISSING
            && is_review(store.text(Field::Tool, r), store.text(Field::Purpose, r))
        {
            reviews
                .entry(patient)
                .or_default()
                .push((store.time[r], r as u32));
        }
    }
    for list in reviews.values_mut() {
        list.sort_unstable();
    }
    rows.iter()
        .copied()
        .filter(|&r| {
            store
                .text(Field::Purpose, r as usize)
                .is_some_and(is_emergency)
        })
        .map(|row| {
            let r = row as usize;
            let key = (store.time[r], row);
            let review = reviews.get(&patients.get(r)).and_then(|list| {
                let later = list.partition_point(|&k| k <= key);
                list.get(later)
            });
            EmergencyAccess {
                row,
                key: store.key(r),
                timestamp: timestamp_text(store, r),
                user: field_text(store, Field::User, r),
                role: field_text(store, Field::Role, r),
                patient: field_text(store, Field::Patient, r),
                tool: field_text(store, Field::Tool, r),
                purpose: field_text(store, Field::Purpose, r),
                justification: justification(store, r),
                reviewed: review.is_some(),
                review_timestamp: review.and_then(|&(_, rr)| timestamp_text(store, rr as usize)),
            }
        })
        .collect()
}
