//! Unusual access patterns (the lesson's bonus: "same patient accessed 10+
//! times in an hour") and every break-the-glass emergency access, with
//! whether someone reviewed it afterwards.

use super::{field_text, is_emergency, justification, timestamp_text};
use crate::filter::Field;
use crate::store::store::{MISSING, NO_TIME, Sym};
use crate::store::{Grown, RowKey, Rows, Store};
use crate::time::{format_duration, format_timestamp};
use serde::Serialize;
use std::collections::HashMap;
use std::sync::Arc;

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
pub fn alerts<'a>(
    store: &Store,
    rows: impl Rows<'a>,
    threshold: usize,
    window_micros: i64,
) -> Alerts {
    let mut found = Found::new(threshold, window_micros);
    found.extend(store, rows);
    found.alerts(store)
}

/// What [`alerts`] finds, kept so that rows appended to a selection (and
/// to the store) are looked at on top of it rather than all rows again
/// (ARCHITECTURE.md, "Following"). Each part is shared behind `Arc`s with
/// the copy it was extended from: an extension copies the maps' pointers
/// and the parts the appended rows touch.
#[derive(Clone)]
pub struct Found {
    pub threshold: usize,
    pub window_micros: i64,
    /// Each user and patient's accesses in (time, row) order, and their
    /// bursts.
    pairs: HashMap<(Sym, Sym), Arc<Pair>>,
    /// Rows of emergency accesses, in row order.
    emergencies: Grown<u32>,
    /// Reviews per patient in (time, row) order, from the whole store.
    reviews: HashMap<Sym, Arc<Vec<(i64, u32)>>>,
    /// The store's rows looked at for reviews.
    reviewed_to: usize,
}

struct Pair {
    accesses: Vec<u32>,
    bursts: Vec<Burst>,
}

impl Found {
    pub fn new(threshold: usize, window_micros: i64) -> Found {
        Found {
            threshold,
            window_micros,
            pairs: HashMap::new(),
            emergencies: Grown::default(),
            reviews: HashMap::new(),
            reviewed_to: 0,
        }
    }

    /// Look at `rows`, which come after every row looked at so far, and
    /// for reviews at the store's rows not looked at yet.
    pub fn extend<'a>(&mut self, store: &Store, rows: impl Rows<'a>) {
        let (touched, emergencies) = sorted_out(store, rows);
        self.emergencies.extend_from_slice(&emergencies);
        let (threshold, window) = (self.threshold.max(1), self.window_micros);
        for (key, added) in touched {
            let mut accesses = self
                .pairs
                .get(&key)
                .map_or_else(Vec::new, |pair| pair.accesses.clone());
            accesses.extend(added);
            // Rows of one pair are few; new ones are usually the latest.
            accesses.sort_by_key(|&r| (store.time[r as usize], store.file_rank(r)));
            let bursts = pair_bursts(store, key, &accesses, threshold, window);
            self.pairs.insert(key, Arc::new(Pair { accesses, bursts }));
        }
        self.extend_reviews(store);
    }

    /// Take out `rows`, the first rows looked at (in row order), which
    /// left a `last:` window: only the pairs they were of are looked at
    /// again.
    pub fn remove(&mut self, store: &Store, rows: &[u32]) {
        let (touched, emergencies) = sorted_out(store, rows);
        // Emergencies are in row order, and `rows` came first.
        self.emergencies.drop_front(emergencies.len());
        let (threshold, window) = (self.threshold.max(1), self.window_micros);
        for (key, left) in touched {
            let Some(pair) = self.pairs.get(&key) else {
                continue;
            };
            // `left` is in row order, as `rows` is.
            let accesses: Vec<u32> = pair
                .accesses
                .iter()
                .copied()
                .filter(|r| left.binary_search(r).is_err())
                .collect();
            if accesses.is_empty() {
                self.pairs.remove(&key);
                continue;
            }
            let bursts = pair_bursts(store, key, &accesses, threshold, window);
            self.pairs.insert(key, Arc::new(Pair { accesses, bursts }));
        }
    }

    fn extend_reviews(&mut self, store: &Store) {
        let patients = &store.column(Field::Patient).ids;
        let mut added: HashMap<Sym, Vec<(i64, u32)>> = HashMap::new();
        for (r, patient) in patients.iter().enumerate().skip(self.reviewed_to) {
            if patient != MISSING
                && is_review(store.text(Field::Tool, r), store.text(Field::Purpose, r))
            {
                added
                    .entry(patient)
                    .or_default()
                    .push((store.time[r], r as u32));
            }
        }
        self.reviewed_to = patients.len();
        for (patient, added) in added {
            let list = Arc::make_mut(self.reviews.entry(patient).or_default());
            list.extend(added);
            list.sort_by_key(|&(time, r)| (time, store.file_rank(r)));
        }
    }

    /// The alerts of the rows looked at.
    pub fn alerts(&self, store: &Store) -> Alerts {
        let mut bursts: Vec<Burst> = self
            .pairs
            .values()
            .flat_map(|pair| pair.bursts.iter().cloned())
            .collect();
        bursts.sort_by_key(|b| (store.time[b.rows[0] as usize], store.file_rank(b.rows[0])));
        // Looked at in row order; listed in file order (they differ once
        // several followed files grew).
        let mut emergencies: Vec<u32> = self.emergencies.iter().copied().collect();
        emergencies.sort_by_key(|&row| store.file_rank(row));
        let emergencies = emergencies
            .into_iter()
            .map(|row| emergency(store, row, &self.reviews))
            .collect();
        Alerts {
            threshold: self.threshold,
            window: format_duration(self.window_micros),
            bursts,
            emergencies,
        }
    }
}

/// `rows`' timed accesses to a patient's record by user and patient, and
/// its emergency accesses, each in the order of `rows`.
type SortedOut = (HashMap<(Sym, Sym), Vec<u32>>, Vec<u32>);

fn sorted_out<'a>(store: &Store, rows: impl Rows<'a>) -> SortedOut {
    let users = &store.column(Field::User).ids;
    let patients = &store.column(Field::Patient).ids;
    let mut touched: HashMap<(Sym, Sym), Vec<u32>> = HashMap::new();
    let mut emergencies = Vec::new();
    for &row in rows {
        let r = row as usize;
        if patients.get(r) != MISSING && store.time[r] != NO_TIME {
            touched
                .entry((users.get(r), patients.get(r)))
                .or_default()
                .push(row);
        }
        if store.text(Field::Purpose, r).is_some_and(is_emergency) {
            emergencies.push(row);
        }
    }
    (touched, emergencies)
}

/// The bursts of one user reading one patient, `accesses` in (time, row)
/// order.
fn pair_bursts(
    store: &Store,
    (user, patient): (Sym, Sym),
    accesses: &[u32],
    threshold: usize,
    window: i64,
) -> Vec<Burst> {
    let time = |i: usize| store.time[accesses[i] as usize];
    let mut found = Vec::new();
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
                found.push(accesses[done.0..=done.1].to_vec());
                Some((i, end))
            }
            None => Some((i, end)),
        };
    }
    if let Some((first, last)) = current {
        found.push(accesses[first..=last].to_vec());
    }
    found
        .into_iter()
        .map(|rows| burst(store, user, patient, rows))
        .collect()
}

fn burst(store: &Store, user: Sym, patient: Sym, rows: Vec<u32>) -> Burst {
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
}

/// A review of a patient's record: a tool whose name contains `review`, or
/// a purpose of `review` or `audit` (any case).
pub fn is_review(tool: Option<&str>, purpose: Option<&str>) -> bool {
    let (tool, purpose) = (tool.unwrap_or_default(), purpose.unwrap_or_default());
    tool.to_lowercase().contains("review")
        || purpose.eq_ignore_ascii_case("review")
        || purpose.eq_ignore_ascii_case("audit")
}

/// The emergency access of `row`, reviewed if a later entry of `reviews`
/// is for its patient.
fn emergency(
    store: &Store,
    row: u32,
    reviews: &HashMap<Sym, Arc<Vec<(i64, u32)>>>,
) -> EmergencyAccess {
    let r = row as usize;
    // Ties by file, then line (`Store::file_rank`).
    let key = (store.time[r], store.file_rank(row));
    let patient = store.column(Field::Patient).ids.get(r);
    let review = reviews.get(&patient).and_then(|list| {
        let later = list.partition_point(|&(time, rr)| (time, store.file_rank(rr)) <= key);
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
}
