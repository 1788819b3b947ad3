//! TreeSHAP of many rows with each leaf's arithmetic done once per model,
//! and each group of leaves' once per decision pattern.
//!
//! Path-dependent TreeSHAP reads a row only through the side it takes at
//! each split. A leaf's share of the contributions depends on the row only
//! through which of the features on the leaf's path the row "follows" (takes
//! the leaf's side at every split on that feature): `d` bits for a path of
//! `d` distinct features. So each leaf keeps a table of its contributions for
//! all `2^d` patterns, made once with TreeSHAP's own path arithmetic
//! (`extend_path`, `unwound_path_sum`); a row then costs one comparison per
//! split and one table lookup per leaf, `O(leaves · depth)` instead of
//! `O(leaves · depth²)` (Fast TreeSHAP v2, Yang 2021, by another route).
//!
//! A tree whose tables would be too large (deep paths) keeps the recursive
//! algorithm. Before either, [`Views::add_row`] looks the contributions of
//! each group of leaves (a subtree of height [`super::group::GROUP_HEIGHT`], see
//! [`super::group`]) up by the row's decision vector in the thread's
//! [`Cache`] (see [`super::cache`]): repeated decision patterns cost one
//! pass over the group's split tests and one lookup: a table indexed by the
//! pattern for groups of at most [`super::group::DENSE_BITS`] tests (a
//! depth-6 tree's), a hash map for the others. A block of rows whose
//! patterns are all kept adds a dense group's contributions column by
//! column.
//!
//! Every path computes a group's contributions into a vector of its own,
//! from zero and in leaf order, and adds that vector into the row's totals
//! feature by feature, group by group and tree by tree, so a row's values
//! do not depend on the path, the cache, the block, the row order or the
//! threads.
use super::cache::{Cache, MAX_ENTRIES_PER_GROUP};
use super::group::{groups, Group, Tests};
use super::{extend_path, tree_contributions_with, unwound_path_sum, PathElement, Scratch};
use crate::features::Matrix;
use crate::model::node::Node;
use std::ops::Range;
use std::sync::atomic::{AtomicU64, Ordering};

mod codes;
mod tables;
use codes::{Codes, GroupCodes};
use tables::{depth, leaf_tables};

/// Distinct features on a path above which a leaf gets no table.
const MAX_TABLE_DEPTH: usize = 12;
/// Leaf values (f64) the coded trees' groups may hold over a model
/// (32 MB): some 500 trees of depth 6.
const CODED_BUDGET: usize = 1 << 22;
/// Table entries (f64) a whole model may hold (64 MB); trees past the
/// budget keep the recursive algorithm.
pub const TABLE_BUDGET: usize = 1 << 23;

/// One tree as TreeSHAP reads it.
pub struct TreeView<'a> {
    nodes: &'a [Node],
    cover: &'a [f64],
    nan_left: &'a [bool],
    /// The features the tree splits on, ascending: the only entries of a
    /// row's contributions the tree can change.
    features: Vec<usize>,
    /// A table per leaf, or `None` (the recursive algorithm).
    leaves: Option<Vec<LeafTable>>,
    /// Per node: a split's slot (its feature's place among the distinct
    /// features on the path down to it, the same for every leaf below), or
    /// a leaf's index in `leaves`.
    slot_or_leaf: Vec<u32>,
    /// The groups of leaves the contributions are made and cached by (one,
    /// the whole tree, without tables).
    groups: Vec<Group>,
    /// The tree's split tests, read into a row's decision vector.
    tests: Tests,
    /// Per node, the place of a split's test in the decision vector (0
    /// for leaves); empty when a split's test is not kept.
    places: Vec<u8>,
    /// Per node, the next node of a row whose test bit is 0 (right) or 1
    /// (left); a leaf leads to itself. Empty with `places`.
    hops: Vec<[u32; 2]>,
    /// Splits on the longest path from the root to a leaf.
    depth: usize,
}

/// One leaf's contributions for every pattern of its path's features.
struct LeafTable {
    /// The path's distinct features, by slot, as places in its group's
    /// `features`.
    places: Vec<u32>,
    /// `values[mask * d + k]`: the contribution to slot `k`'s feature of a
    /// row that follows the path on exactly the slots set in `mask`.
    values: Vec<f64>,
}

impl<'a> TreeView<'a> {
    /// A view of one tree; tables are made while `budget` (table entries
    /// left for the model) allows, and it is charged for them.
    pub fn new(
        nodes: &'a [Node],
        cover: &'a [f64],
        nan_left: &'a [bool],
        budget: &mut usize,
    ) -> TreeView<'a> {
        let mut features: Vec<usize> = nodes
            .iter()
            .filter(|n| n.left != 0)
            .map(|n| n.feature as usize)
            .collect();
        features.sort_unstable();
        features.dedup();
        let mut slot_or_leaf = vec![0u32; nodes.len()];
        let (mut parts, group_of, mut tests) = groups(nodes, nan_left, false);
        let leaves = leaf_tables(nodes, cover, (&parts, &group_of), budget, &mut slot_or_leaf);
        if leaves.is_none() {
            (parts, _, tests) = groups(nodes, nan_left, true);
        }
        let places = (0..nodes.len())
            .map(|i| match nodes[i].left {
                0 => Some(0),
                _ => tests.place(nodes, nan_left, i),
            })
            .collect::<Option<Vec<u8>>>()
            .unwrap_or_default();
        let hops = if places.is_empty() {
            Vec::new()
        } else {
            (0..nodes.len())
                .map(|i| match nodes[i].left {
                    0 => [i as u32; 2],
                    l => [l + 1, l],
                })
                .collect()
        };
        TreeView {
            nodes,
            cover,
            nan_left,
            features,
            leaves,
            slot_or_leaf,
            groups: parts,
            tests,
            places,
            hops,
            depth: depth(nodes),
        }
    }

    /// Adds the value of the leaf each row reaches to `margins`, read off
    /// the rows' decision vectors (`low`, `high` as [`Tests::vectors`]
    /// makes them), level by level over the block so the rows' walks
    /// overlap; `at` is scratch. The same values as the walk
    /// [`crate::model::gbm`] scores by. False (nothing added) when a
    /// split's test is not kept.
    fn add_leaves_by_vectors(
        &self,
        (low, high): (&[u64], &[u64]),
        margins: &mut [f64],
        at: &mut Vec<u32>,
    ) -> bool {
        if self.hops.len() != self.nodes.len() || low.len() < margins.len() {
            return false;
        }
        at.clear();
        at.resize(margins.len(), 0);
        for _ in 0..self.depth {
            for (i, k) in at.iter_mut().enumerate() {
                let k_at = *k as usize;
                let place = u32::from(self.places[k_at]);
                let word = if place < 64 {
                    low[i]
                } else {
                    high.get(i).copied().unwrap_or(0)
                };
                *k = self.hops[k_at][((word >> (place & 63)) & 1) as usize];
            }
        }
        for (z, &k) in margins.iter_mut().zip(at.iter()) {
            *z += self.nodes[k as usize].value;
        }
        true
    }

    /// The groups of leaves, in the order their contributions are added.
    pub fn groups(&self) -> &[Group] {
        &self.groups
    }

    /// The tree's split tests (its decision vectors).
    pub fn tests(&self) -> &Tests {
        &self.tests
    }

    /// Whether a row with value `v` at `node`'s feature goes left (NaN by the
    /// learned direction, else right), as `Walk::recurse` decides.
    fn goes_left(&self, node: usize, v: f64) -> bool {
        if v.is_nan() {
            self.nan_left.get(node).copied().unwrap_or(false)
        } else {
            v <= self.nodes[node].threshold
        }
    }

    /// Adds this tree's contributions to `row` into `out` (no cache),
    /// group by group.
    pub fn add_row(&self, row: &[f64], out: &mut [f64], memo: &mut Memo) {
        let mut local = std::mem::take(&mut memo.local);
        for g in 0..self.groups.len() {
            self.contributions_into(g, row, &mut local, memo);
            add_into(out, &self.groups[g].features, &local);
        }
        memo.local = local;
    }

    /// `local` = the contributions of group `g`'s leaves to `row`, one per
    /// feature of the group (in its `features` order), summed from zero in
    /// leaf order.
    fn contributions_into(&self, g: usize, row: &[f64], local: &mut Vec<f64>, memo: &mut Memo) {
        let group = &self.groups[g];
        local.clear();
        local.resize(group.features.len(), 0.0);
        let Some(leaves) = &self.leaves else {
            // One group, the whole tree.
            let top = self.features.last().map_or(0, |&f| f + 1);
            memo.zeros
                .resize(memo.zeros.len().max(top).max(row.len()), 0.0);
            let zeros = &mut memo.zeros;
            tree_contributions_with(
                self.nodes,
                self.cover,
                self.nan_left,
                row,
                zeros,
                &mut memo.shap,
            );
            for (l, &f) in local.iter_mut().zip(&group.features) {
                *l = zeros[f];
                zeros[f] = 0.0;
            }
            return;
        };
        // Which of the path's features the row still follows at the
        // group's root: going the other way at a split above clears its slot.
        let mut mask = u32::MAX;
        for &(p, lies_left) in &group.above {
            let n = &self.nodes[p as usize];
            let v = row.get(n.feature as usize).copied().unwrap_or(f64::NAN);
            if self.goes_left(p as usize, v) != lies_left {
                mask &= !(1u32 << self.slot_or_leaf[p as usize]);
            }
        }
        // Down the subtree once, carrying that mask on.
        memo.stack.clear();
        memo.stack.push((group.root, mask));
        while let Some((node, mask)) = memo.stack.pop() {
            let n = &self.nodes[node as usize];
            let code = self.slot_or_leaf[node as usize];
            if n.left == 0 {
                let leaf = &leaves[code as usize];
                let d = leaf.places.len();
                let m = (mask as usize) & ((1usize << d) - 1);
                let values = &leaf.values[m * d..(m + 1) * d];
                for (&p, &v) in leaf.places.iter().zip(values) {
                    local[p as usize] += v;
                }
                continue;
            }
            let v = row.get(n.feature as usize).copied().unwrap_or(f64::NAN);
            let cleared = mask & !(1u32 << code);
            let (left, right) = if self.goes_left(node as usize, v) {
                (mask, cleared)
            } else {
                (cleared, mask)
            };
            memo.stack.push((n.left + 1, right));
            memo.stack.push((n.left, left));
        }
    }
}

impl TreeView<'_> {
    /// For dense group `g` (cache number `c`) and a block of rows from
    /// `start` in `x` with pattern numbers `slots`: `entries` = where each
    /// row's contributions start in the group's cache values, computing and
    /// keeping the patterns not kept yet. False when the cache cannot keep
    /// one of them (full): `entries` is then incomplete.
    fn dense_entries(
        &self,
        (c, g): (usize, usize),
        (x, start): (&Matrix, usize),
        (slots, entries): (&[u16], &mut Vec<u32>),
        (row, local): (&mut [f64], &mut Vec<f64>),
        memo: &mut Memo,
    ) -> bool {
        let group = &self.groups[g];
        let width = group.features.len();
        entries.clear();
        for (i, &s) in slots.iter().enumerate() {
            let s = usize::from(s);
            let e = match memo.cache.dense_entry(c, s) {
                Some(e) => e,
                None => {
                    x.row_into(start + i, row);
                    self.contributions_into(g, row, local, memo);
                    match memo.cache.insert_dense(c, s, group.bits.len(), local) {
                        Some(e) => e,
                        None => return false,
                    }
                }
            };
            let Ok(at) = u32::try_from(e * width) else {
                return false;
            };
            entries.push(at);
        }
        true
    }
}

/// A group's decision vector as its cache looks it up: the pattern's
/// number for a dense group, the masked vector for the others.
#[derive(Clone, Copy)]
enum Key {
    Dense(usize),
    Hashed(u128),
}

impl Key {
    /// The key of the tree's decision vector `vector` for `group`.
    fn of(group: &Group, vector: u128) -> Key {
        if group.dense() {
            Key::Dense(group.dense_index(vector))
        } else {
            Key::Hashed(vector & group.mask)
        }
    }

    fn get(self, cache: &Cache, c: usize, width: usize) -> Option<&[f64]> {
        match self {
            Key::Dense(s) => cache.get_dense(c, s, width),
            Key::Hashed(k) => cache.get(c, k, width),
        }
    }

    fn insert(self, cache: &mut Cache, c: usize, group: &Group, values: &[f64]) {
        match self {
            Key::Dense(s) => {
                cache.insert_dense(c, s, group.bits.len(), values);
            }
            Key::Hashed(k) => cache.insert(c, k, values),
        }
    }
}

/// Adds a group's contributions (`local`, by place in `features`) into a
/// row's totals `out`.
fn add_into(out: &mut [f64], features: &[usize], local: &[f64]) {
    for (&f, &v) in features.iter().zip(local) {
        out[f] += v;
    }
}

/// The trees of one model as TreeSHAP reads them, numbered so that a
/// thread's [`Cache`] knows which model its entries belong to.
pub struct Views<'a> {
    trees: Vec<TreeView<'a>>,
    /// The model's tests on codes, when some tree's groups are all dense.
    codes: Option<Codes>,
    /// Per tree, its groups on codes, when all are dense.
    coded: Vec<Option<Vec<GroupCodes>>>,
    /// Per tree, the cache number of its first group (groups are numbered
    /// across the model).
    first: Vec<usize>,
    /// Groups over all trees.
    n_groups: usize,
    id: u64,
}

/// The next [`Views`] number (0 is no views).
static NEXT_VIEWS: AtomicU64 = AtomicU64::new(1);

impl<'a> Views<'a> {
    /// Views of a model's trees, with a number no other views share.
    pub fn new(trees: Vec<TreeView<'a>>) -> Views<'a> {
        let id = NEXT_VIEWS.fetch_add(1, Ordering::Relaxed);
        let mut first = Vec::with_capacity(trees.len());
        let mut n_groups = 0;
        for t in &trees {
            first.push(n_groups);
            n_groups += t.groups.len();
        }
        let codes = Codes::new(trees.iter().map(|t| &t.tests));
        // Each dense group's leaf table (2^bits values) is charged to a
        // budget; trees past it keep the decision vectors.
        let mut budget = CODED_BUDGET;
        let coded: Vec<Option<Vec<GroupCodes>>> = trees
            .iter()
            .map(|t| {
                let c = codes.as_ref()?;
                let cost: usize = t.groups.iter().map(|g| 1usize << g.bits.len()).sum();
                budget = budget.checked_sub(cost)?;
                c.tree((t.nodes, &t.places), &t.tests, &t.groups)
            })
            .collect();
        let codes = codes.filter(|_| coded.iter().any(Option::is_some));
        Views {
            trees,
            codes,
            coded,
            first,
            n_groups,
            id,
        }
    }

    /// The trees, in model order.
    pub fn trees(&self) -> &[TreeView<'a>] {
        &self.trees
    }

    /// Adds every tree's contributions to `row` into `out`, tree by tree
    /// and group by group, looking each group's up by the row's decision
    /// vector in `memo`'s cache first (and keeping what it computes while
    /// the cache has room). The values equal [`TreeView::add_row`]'s tree
    /// by tree, bit for bit.
    pub fn add_row(&self, row: &[f64], out: &mut [f64], memo: &mut Memo) {
        memo.cache.bind(self.id, self.n_groups);
        let cached = memo.cache.per_group() > 0;
        let mut local = std::mem::take(&mut memo.local);
        for (view, &first) in self.trees.iter().zip(&self.first) {
            let vector = (cached && view.tests.usable()).then(|| view.tests.vector(row));
            for (g, group) in view.groups.iter().enumerate() {
                let width = group.features.len();
                if width == 0 {
                    continue;
                }
                let key = vector.map(|v| Key::of(group, v));
                if let Some(values) = key.and_then(|k| k.get(&memo.cache, first + g, width)) {
                    add_into(out, &group.features, values);
                    continue;
                }
                view.contributions_into(g, row, &mut local, memo);
                add_into(out, &group.features, &local);
                if let Some(k) = key {
                    k.insert(&mut memo.cache, first + g, group, &local);
                }
            }
        }
        memo.local = local;
    }

    /// [`Views::add_row`] for rows `rows` of `x` at once, tree by tree and
    /// group by group over all the rows (so a group's cache entries stay in
    /// the processor's caches while they serve the block). `out` is
    /// feature-major: row `i`'s contribution to feature `f` at
    /// `out[f * stride + i]` (`stride >= rows.len()`; one that is not a
    /// multiple of 512 keeps the features' columns off the same cache
    /// sets). Each element gets the same additions in the same order as
    /// [`Views::add_row`] gives it, so the values are the same bits.
    pub fn add_block(
        &self,
        x: &Matrix,
        rows: Range<usize>,
        (out, stride): (&mut [f64], usize),
        memo: &mut Memo,
    ) {
        self.add_block_scored(x, rows, (out, stride), None, memo);
    }

    /// [`Views::add_block`], also adding each row's leaf value to
    /// `margins` (one per row) tree by tree, in tree order: from the
    /// initial score, the margin gradient boosting scores by, the same bits
    /// (the leaf found from the decision vector the block reads anyway).
    pub fn add_block_scored(
        &self,
        x: &Matrix,
        rows: Range<usize>,
        (out, stride): (&mut [f64], usize),
        mut margins: Option<&mut [f64]>,
        memo: &mut Memo,
    ) {
        memo.cache.bind(self.id, self.n_groups);
        let cached = memo.cache.per_group() > 0;
        let n = rows.len();
        let mut local = std::mem::take(&mut memo.local);
        let mut low = std::mem::take(&mut memo.low);
        let mut high = std::mem::take(&mut memo.high);
        let mut slots = std::mem::take(&mut memo.slots);
        let mut entries = std::mem::take(&mut memo.entries);
        let mut row = std::mem::take(&mut memo.row);
        let mut codes = std::mem::take(&mut memo.codes);
        let mut at = std::mem::take(&mut memo.at);
        row.resize(x.cols, 0.0);
        if let Some(c) = self.codes.as_ref().filter(|_| cached) {
            c.fill(x, rows.clone(), &mut codes);
        }
        for ((view, &first), coded) in self.trees.iter().zip(&self.first).zip(&self.coded) {
            // A tree whose groups are all dense reads its pattern numbers
            // off the codes; the others, off decision vectors.
            let coded = coded.as_deref().filter(|_| cached && self.codes.is_some());
            let keyed = cached && coded.is_none() && view.tests.usable();
            if keyed {
                view.tests.vectors(x, rows.clone(), &mut low, &mut high);
            }
            if let Some(m) = margins.as_deref_mut().filter(|_| coded.is_none()) {
                let len = n.min(m.len());
                let m = &mut m[..len];
                let walked = keyed && view.add_leaves_by_vectors((&low, &high), m, &mut at);
                // Without the vectors (or a kept test per split), each
                // row walks the tree over its values.
                for (i, z) in m.iter_mut().enumerate().filter(|_| !walked) {
                    *z += crate::model::node::leaf_value_col(
                        view.nodes,
                        view.nan_left,
                        x,
                        rows.start + i,
                    );
                }
            }
            for (g, group) in view.groups.iter().enumerate() {
                let width = group.features.len();
                if width == 0 {
                    continue;
                }
                if let Some(gc) = coded.and_then(|c| c.get(g)) {
                    gc.slots(&codes, n, &mut slots);
                    if let Some(m) = margins.as_deref_mut() {
                        let len = n.min(m.len());
                        gc.add_reached(&slots, &mut m[..len]);
                    }
                } else if keyed && group.dense() {
                    group.dense_indices(&low, &high, &mut slots);
                }
                if (coded.is_some() || keyed) && group.dense() {
                    let found = view.dense_entries(
                        (first + g, g),
                        (x, rows.start),
                        (&slots, &mut entries),
                        (&mut row, &mut local),
                        memo,
                    );
                    if found {
                        // Every row's entry is kept: add them column by
                        // column (each element still gets this group's one
                        // addition, so the order per element is unchanged).
                        let values = memo.cache.values(first + g);
                        for (k, &f) in group.features.iter().enumerate() {
                            let column = &mut out[f * stride..f * stride + n];
                            for (o, &e) in column.iter_mut().zip(&entries) {
                                *o += values[e as usize + k];
                            }
                        }
                        continue;
                    }
                }
                for i in 0..n {
                    let key = match coded {
                        Some(_) => slots.get(i).map(|&s| Key::Dense(usize::from(s))),
                        None => low.get(i).filter(|_| keyed).map(|&l| {
                            let h = high.get(i).copied().unwrap_or(0);
                            Key::of(group, u128::from(l) | (u128::from(h) << 64))
                        }),
                    };
                    if let Some(values) = key.and_then(|k| k.get(&memo.cache, first + g, width)) {
                        add_column(out, stride, i, &group.features, values);
                        continue;
                    }
                    x.row_into(rows.start + i, &mut row);
                    view.contributions_into(g, &row, &mut local, memo);
                    add_column(out, stride, i, &group.features, &local);
                    if let Some(k) = key {
                        k.insert(&mut memo.cache, first + g, group, &local);
                    }
                }
            }
        }
        memo.local = local;
        memo.low = low;
        memo.high = high;
        memo.slots = slots;
        memo.entries = entries;
        memo.row = row;
        memo.codes = codes;
        memo.at = at;
    }
}

/// [`add_into`] for row `i` of a feature-major block (`stride` apart).
fn add_column(out: &mut [f64], stride: usize, i: usize, features: &[usize], local: &[f64]) {
    for (&f, &v) in features.iter().zip(local) {
        out[f * stride + i] += v;
    }
}

/// Reusable buffers of [`TreeView::add_row`] and [`Views::add_row`], and
/// the thread's [`Cache`] of tree contributions. A clone starts afresh
/// (empty buffers, an empty cache of the same size).
#[derive(Debug)]
pub struct Memo {
    shap: Scratch,
    zeros: Vec<f64>,
    /// (node, mask) still to visit in `TreeView::contributions_into`.
    stack: Vec<(u32, u32)>,
    /// One group's contributions, by place in its `features`.
    local: Vec<f64>,
    /// A block's decision vectors for one tree: tests 0..64, 64..128.
    low: Vec<u64>,
    high: Vec<u64>,
    /// A block's pattern numbers for one dense group, and where each
    /// row's kept contributions start in the group's cache values.
    slots: Vec<u16>,
    entries: Vec<u32>,
    /// A block's codes ([`Codes::fill`]) and each row's node in a walk.
    codes: Vec<u16>,
    at: Vec<u32>,
    /// One row of a block.
    row: Vec<f64>,
    cache: Cache,
}

impl Memo {
    /// Buffers and a cache of at most `per_group` decision vectors per
    /// group of leaves (0: no cache).
    pub fn with_cache(per_group: usize) -> Memo {
        Memo {
            shap: Scratch::default(),
            zeros: Vec::new(),
            stack: Vec::new(),
            local: Vec::new(),
            low: Vec::new(),
            high: Vec::new(),
            slots: Vec::new(),
            entries: Vec::new(),
            codes: Vec::new(),
            at: Vec::new(),
            row: Vec::new(),
            cache: Cache::new(per_group),
        }
    }

    /// Decision vectors the cache keeps, over all groups.
    pub fn cached(&self) -> usize {
        self.cache.len()
    }
}

impl Default for Memo {
    /// [`MAX_ENTRIES_PER_GROUP`] decision vectors per group.
    fn default() -> Memo {
        Memo::with_cache(MAX_ENTRIES_PER_GROUP)
    }
}

impl Clone for Memo {
    fn clone(&self) -> Memo {
        Memo::with_cache(self.cache.per_group())
    }
}

/// One [`Memo`] per thread of the current rayon pool, plus one for callers
/// outside it, so each thread's cache stays warm across the blocks and
/// chunks it explains. A block locks its thread's memo once; threads of
/// another, larger pool share memos (waiting their turn), which costs time,
/// never values.
#[derive(Debug)]
pub struct MemoPool {
    memos: Vec<std::sync::Mutex<Memo>>,
}

impl MemoPool {
    /// A memo for each thread of the current rayon pool and one more.
    pub fn new() -> MemoPool {
        let n = rayon::current_num_threads() + 1;
        MemoPool {
            memos: (0..n)
                .map(|_| std::sync::Mutex::new(Memo::default()))
                .collect(),
        }
    }

    /// Runs `f` with the calling thread's memo.
    pub fn with<R>(&self, f: impl FnOnce(&mut Memo) -> R) -> R {
        let pooled = self.memos.len().saturating_sub(1).max(1);
        let i = rayon::current_thread_index().map_or(0, |t| t % pooled + 1);
        let i = i.min(self.memos.len().saturating_sub(1));
        match self.memos.get(i) {
            Some(m) => f(&mut m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)),
            None => f(&mut Memo::default()),
        }
    }
}

impl Default for MemoPool {
    fn default() -> MemoPool {
        MemoPool::new()
    }
}

#[cfg(test)]
impl<'a> Views<'a> {
    /// Trees whose pattern numbers are read off codes.
    pub fn coded_trees(&self) -> usize {
        let on = usize::from(self.codes.is_some());
        on * self.coded.iter().filter(|c| c.is_some()).count()
    }

    /// These views with every tree read through decision vectors.
    pub fn without_codes(mut self) -> Views<'a> {
        self.codes = None;
        self
    }
}
