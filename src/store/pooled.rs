//! Columns interned on the pool: each pool thread finds a text's id in its
//! own dictionary while the line is in its core's caches, and asks the
//! whole load's dictionary, behind a lock, only for a text it has not met
//! (a log's tools and users are few: BENCHMARKS.md, "Issue 21"). The
//! in-order stage then pushes ids and never reads those texts from lines
//! read on another core. The ids follow the order in which the threads
//! met the texts, not the rows' order: a load for a view that reads
//! counts and texts, never the ids' order (`stats`).

use super::store::{Interner, MISSING, Sym, text};
use crate::filter::Field;
use crate::log::entry::Texts;
use std::cell::RefCell;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

/// The whole load's dictionaries of the columns interned on the pool.
pub struct Pooled {
    /// Tells this load's thread-local dictionaries from an earlier load's.
    load: u64,
    fields: Vec<Field>,
    dicts: Vec<Mutex<Interner>>,
}

/// A pool thread's dictionaries: its own ids (dense, from 1) and the
/// whole load's id of each.
#[derive(Default)]
struct Local {
    load: u64,
    dicts: Vec<(Interner, Vec<Sym>)>,
}

thread_local! {
    static LOCAL: RefCell<Local> = RefCell::default();
}

/// Loads numbered from 1, so that a thread's fresh dictionaries (0) are
/// no load's.
static LOADS: AtomicU64 = AtomicU64::new(1);

impl Pooled {
    /// Dictionaries of `fields`, whose ids [`Pooled::ids`] gives in that
    /// order.
    pub fn new(fields: impl Iterator<Item = Field>) -> Self {
        let fields: Vec<Field> = fields.collect();
        Pooled {
            load: LOADS.fetch_add(1, Ordering::Relaxed),
            dicts: fields.iter().map(|_| Mutex::new(Interner::new())).collect(),
            fields,
        }
    }

    /// How many ids [`Pooled::ids`] gives an entry.
    pub fn count(&self) -> usize {
        self.fields.len()
    }

    /// The whole load's ids of an entry's texts, in field order.
    pub fn ids(&self, texts: &Texts<'_, '_>, ids: &mut [Sym]) {
        LOCAL.with_borrow_mut(|local| {
            if local.load != self.load {
                local.load = self.load;
                local.dicts.clear();
                let fresh = || (Interner::new(), vec![MISSING]);
                local.dicts.resize_with(self.fields.len(), fresh);
            }
            let columns = self.fields.iter().zip(&self.dicts);
            for ((&field, shared), ((dict, global), id)) in
                columns.zip(local.dicts.iter_mut().zip(ids))
            {
                let value = texts.get(text(field));
                let mine = dict.intern(value) as usize;
                // Own ids are dense: a new one is the next place.
                if mine == global.len() {
                    let mut shared = shared.lock().unwrap_or_else(|e| e.into_inner());
                    global.push(shared.intern(value));
                }
                *id = global[mine];
            }
        })
    }

    /// The whole load's dictionary of each field, in field order.
    pub fn into_dicts(self) -> impl Iterator<Item = (Field, Interner)> {
        let dicts = self.dicts.into_iter();
        let dicts = dicts.map(|dict| dict.into_inner().unwrap_or_else(|e| e.into_inner()));
        self.fields.into_iter().zip(dicts)
    }
}
