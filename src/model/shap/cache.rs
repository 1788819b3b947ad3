//! One thread's memory of contributions by decision vector, per group of
//! leaves.
//!
//! Path-dependent TreeSHAP reads a row only through the side it takes at
//! each split, so the contributions of a group of leaves (a small subtree,
//! [`crate::model::shap::group`]) are a function of the row's decision
//! vector at the splits above and inside it. Tabular data repeats those
//! vectors a lot, so they are worth keeping:
//! [`crate::model::shap::memo::Views`] looks them up here before it
//! computes them.
//!
//! The cache never changes a value: whether found or just computed, a
//! group's contributions are the same vector (made from zero in a fixed
//! order), added into the row's totals the same way. A full cache stops
//! taking entries instead of evicting, so what it holds is only ever a
//! speed matter, never an order one.

/// Entries one group's cache may hold.
pub const MAX_ENTRIES_PER_GROUP: usize = 4096;
/// Contributions (f64) one cache may hold over all its groups: 32 MB, per
/// thread.
pub const CACHE_BUDGET: usize = 1 << 22;

/// Per-group maps from decision vector to that group's contributions over
/// its features, for one model (`owner`) and one thread.
#[derive(Debug)]
pub struct Cache {
    /// The views the entries belong to (0: none yet).
    owner: u64,
    groups: Vec<GroupCache>,
    /// Entries a group may hold (0: no cache at all).
    per_group: usize,
    /// Contributions the cache may still take, over all groups.
    budget: usize,
}

/// One group's entries: `values[i * width..(i + 1) * width]` for the key
/// mapped to `i`, by a hash map, or for a dense group (see
/// [`crate::model::shap::group::Group::dense_index`]) by a table with a
/// slot per pattern (`i + 1`, 0 for none; made at the first entry, 2 KB
/// for a group of 10 bits).
#[derive(Debug, Default)]
struct GroupCache {
    index: foldhash::HashMap<u128, u32>,
    slots: Vec<u16>,
    len: usize,
    values: Vec<f64>,
}

impl Cache {
    /// An empty cache of at most `per_group` entries per group (0 keeps
    /// nothing: every group is computed every time).
    pub fn new(per_group: usize) -> Cache {
        Cache {
            owner: 0,
            groups: Vec::new(),
            per_group,
            budget: CACHE_BUDGET,
        }
    }

    /// Entries a group may hold.
    pub fn per_group(&self) -> usize {
        self.per_group
    }

    /// Makes the cache serve the views numbered `owner` with `n_groups`
    /// groups, forgetting entries of any other views.
    pub fn bind(&mut self, owner: u64, n_groups: usize) {
        if self.owner == owner && self.groups.len() == n_groups {
            return;
        }
        self.owner = owner;
        self.groups.clear();
        self.groups.resize_with(n_groups, GroupCache::default);
        self.budget = CACHE_BUDGET;
    }

    /// Group `group`'s contributions (`width` of them) for decision vector
    /// `key`, if kept.
    pub fn get(&self, group: usize, key: u128, width: usize) -> Option<&[f64]> {
        let t = self.groups.get(group)?;
        let &i = t.index.get(&key)?;
        let start = i as usize * width;
        t.values.get(start..start + width)
    }

    /// Keeps `values` as group `group`'s contributions for `key`, while
    /// the group and the whole cache have room.
    pub fn insert(&mut self, group: usize, key: u128, values: &[f64]) {
        let Some(t) = self.groups.get_mut(group) else {
            return;
        };
        if t.len >= self.per_group || self.budget < values.len() || t.index.contains_key(&key) {
            return;
        }
        let Ok(i) = u32::try_from(t.len) else {
            return;
        };
        t.index.insert(key, i);
        t.len += 1;
        t.values.extend_from_slice(values);
        self.budget -= values.len();
    }

    /// The entry kept for pattern number `slot` of dense group `group`
    /// (see [`Cache::insert_dense`]), if any: its values start at
    /// `entry * width` of [`Cache::values`].
    pub fn dense_entry(&self, group: usize, slot: usize) -> Option<usize> {
        let t = self.groups.get(group)?;
        usize::from(*t.slots.get(slot)?).checked_sub(1)
    }

    /// [`Cache::get`] for a dense group, by the pattern's number `slot`
    /// (below `2^bits` of [`Cache::insert_dense`]).
    pub fn get_dense(&self, group: usize, slot: usize, width: usize) -> Option<&[f64]> {
        let i = self.dense_entry(group, slot)?;
        self.values(group).get(i * width..(i + 1) * width)
    }

    /// [`Cache::insert`] for a dense group of `bits` bits, by the pattern's
    /// number `slot`: the new entry, or `None` when the group or the
    /// cache is full (or the pattern is kept already).
    pub fn insert_dense(
        &mut self,
        group: usize,
        slot: usize,
        bits: usize,
        values: &[f64],
    ) -> Option<usize> {
        let t = self.groups.get_mut(group).filter(|_| bits <= 16)?;
        // The table itself is charged to the budget too (four u16 slots
        // an f64), so many dense groups cannot grow a thread past it.
        let table = if t.slots.is_empty() {
            (1 << bits) / 4
        } else {
            0
        };
        if t.len >= self.per_group || self.budget < values.len() + table {
            return None;
        }
        if t.slots.is_empty() {
            t.slots.resize(1 << bits, 0);
            self.budget -= table;
        }
        let i = u16::try_from(t.len + 1).ok()?;
        match t.slots.get_mut(slot) {
            Some(s) if *s == 0 => *s = i,
            _ => return None,
        }
        t.len += 1;
        t.values.extend_from_slice(values);
        self.budget -= values.len();
        Some(t.len - 1)
    }

    /// All of group `group`'s kept contributions, entry after entry.
    pub fn values(&self, group: usize) -> &[f64] {
        self.groups.get(group).map_or(&[], |t| &t.values)
    }

    /// Entries kept over all groups.
    pub fn len(&self) -> usize {
        self.groups.iter().map(|t| t.len).sum()
    }

    /// Whether no entry is kept.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}
