//! A tree cut into groups of leaves (small subtrees), each with the split
//! tests its contributions depend on: the unit the decision-vector cache
//! ([`super::cache`]) keeps.
//!
//! Path-dependent TreeSHAP reads a row only through the side it takes at
//! each split, and a leaf's share only through the splits on its path. So
//! the leaves of a subtree contribute a function of the row's decisions at
//! the splits above the subtree and inside it: its decision vector. A whole
//! tree's vector rarely repeats on rows with a few continuous features (a
//! depth-6 tree has some 40 distinct tests), a depth-3 subtree's (about 10
//! tests) nearly always does, and its entries are few and small enough to
//! stay in the processor's caches.
use crate::features::Matrix;
use crate::model::node::Node;
use std::ops::Range;

/// The height of a group: the largest subtrees at most this tall are
/// groups (the whole tree, when it is no taller).
pub const GROUP_HEIGHT: usize = 3;

/// Distinct split tests a decision vector (a `u128` key) can hold; a tree
/// with more is not cached.
pub const MAX_KEY_TESTS: usize = 128;

/// Tests a group's decision vector may read for its cache to be a dense
/// table (a slot per pattern of those bits, `2^DENSE_BITS` at most) rather
/// than a hash map: a depth-6 tree's groups read at most 10.
pub const DENSE_BITS: usize = 10;

/// One group of leaves: a subtree and the splits above it.
#[derive(Debug, Clone)]
pub struct Group {
    /// The subtree's root node.
    pub root: u32,
    /// The splits above the root, from the tree's root down: the node and
    /// whether the subtree lies on its left.
    pub above: Vec<(u32, bool)>,
    /// The features split on above the root and inside the subtree,
    /// ascending: the only features the group's leaves contribute to, and
    /// the places of its contributions vector.
    pub features: Vec<usize>,
    /// The bits of the tree's decision vector ([`Tests`]) for the splits
    /// above and inside: the group's decision vector is the tree's masked.
    pub mask: u128,
    /// The places of `mask`'s bits, ascending, when there are at most
    /// [`DENSE_BITS`] of them (else empty): the group's decision vector is
    /// then also a small number, [`Group::dense_index`].
    pub bits: Vec<u8>,
}

impl Group {
    /// Whether the group's decision vectors are numbered densely (its
    /// mask has 1 to [`DENSE_BITS`] bits).
    pub fn dense(&self) -> bool {
        !self.bits.is_empty()
    }

    /// The group's decision vector in the tree's vector `key`, as a number
    /// below `2^bits.len()`: bit `j` is `key`'s bit `bits[j]`. Two keys get
    /// the same number exactly when they agree on `mask`.
    pub fn dense_index(&self, key: u128) -> usize {
        self.bits
            .iter()
            .enumerate()
            .fold(0, |a, (j, &b)| a | (((key >> b) & 1) as usize) << j)
    }

    /// [`Group::dense_index`] of every row's vector (`low`, `high` as
    /// [`Tests::vectors`] makes them) into `out` (overwritten), bit by bit
    /// over all rows.
    pub fn dense_indices(&self, low: &[u64], high: &[u64], out: &mut Vec<u16>) {
        out.clear();
        out.resize(low.len(), 0);
        for (j, &b) in self.bits.iter().enumerate() {
            let word = if b < 64 { low } else { high };
            let b = u32::from(b & 63);
            for (o, &w) in out.iter_mut().zip(word) {
                *o |= (((w >> b) & 1) as u16) << j;
            }
        }
    }
}

/// A tree's distinct split tests (feature, threshold, NaN side; splits with
/// the same test decide alike and share a bit), read into a row's decision
/// vector: bit `i` set when the row goes left at test `i`. Empty when the
/// tree has more than [`MAX_KEY_TESTS`] (its groups are then not cached).
#[derive(Debug, Clone, Default)]
pub struct Tests {
    feature: Vec<u32>,
    threshold: Vec<f64>,
    nan_left: Vec<bool>,
}

impl Tests {
    /// The distinct tests of `nodes`' splits, ascending.
    fn new(nodes: &[Node], nan_left: &[bool]) -> Tests {
        let mut all: Vec<(u32, u64, bool)> = (0..nodes.len())
            .filter(|&i| nodes[i].left != 0)
            .map(|i| test_of(nodes, nan_left, i))
            .collect();
        all.sort_unstable();
        all.dedup();
        let mut t = Tests::default();
        if all.len() <= MAX_KEY_TESTS {
            for (f, th, nl) in all {
                t.feature.push(f);
                t.threshold.push(f64::from_bits(th));
                t.nan_left.push(nl);
            }
        }
        t
    }

    /// Distinct tests kept.
    pub fn len(&self) -> usize {
        self.feature.len()
    }

    /// Whether no test is kept.
    pub fn is_empty(&self) -> bool {
        self.feature.is_empty()
    }

    /// Test `i`: feature, threshold, NaN side.
    pub fn test(&self, i: usize) -> (u32, f64, bool) {
        (self.feature[i], self.threshold[i], self.nan_left[i])
    }

    /// Whether rows get decision vectors (the tree has 1 to
    /// [`MAX_KEY_TESTS`] distinct tests).
    pub fn usable(&self) -> bool {
        !self.feature.is_empty()
    }

    /// The place of split `node`'s test in the decision vector, if kept.
    pub fn place(&self, nodes: &[Node], nan_left: &[bool], node: usize) -> Option<u8> {
        self.bit(nodes, nan_left, node)
            .and_then(|b| u8::try_from(b.trailing_zeros()).ok())
    }

    /// The bit of split `node`'s test, if kept.
    fn bit(&self, nodes: &[Node], nan_left: &[bool], node: usize) -> Option<u128> {
        let (f, th, nl) = test_of(nodes, nan_left, node);
        (0..self.feature.len())
            .find(|&i| {
                self.feature[i] == f && self.threshold[i].to_bits() == th && self.nan_left[i] == nl
            })
            .map(|i| 1u128 << i)
    }

    /// The row's decision vector (NaN by the learned direction, as the
    /// walks decide; a feature past the row's end reads as NaN).
    pub fn vector(&self, row: &[f64]) -> u128 {
        let mut key = 0u128;
        for (i, ((&f, &th), &nl)) in self
            .feature
            .iter()
            .zip(&self.threshold)
            .zip(&self.nan_left)
            .enumerate()
        {
            let v = row.get(f as usize).copied().unwrap_or(f64::NAN);
            key |= u128::from(goes_left(v, th, nl)) << i;
        }
        key
    }

    /// The decision vectors of rows `rows` of `x`, equal to
    /// [`Tests::vector`] of each row, as two words: `low` (tests 0..64) and
    /// `high` (tests 64..128, left empty when there are none), both
    /// overwritten. Column by column, so the loops run over contiguous
    /// values.
    pub fn vectors(&self, x: &Matrix, rows: Range<usize>, low: &mut Vec<u64>, high: &mut Vec<u64>) {
        low.clear();
        low.resize(rows.len(), 0);
        high.clear();
        if self.feature.len() > 64 {
            high.resize(rows.len(), 0);
        }
        for (i, ((&f, &th), &nl)) in self
            .feature
            .iter()
            .zip(&self.threshold)
            .zip(&self.nan_left)
            .enumerate()
        {
            let word = if i < 64 { &mut *low } else { &mut *high };
            let b = (i & 63) as u32;
            let Some(col) = x
                .data
                .get(f as usize * x.rows..)
                .and_then(|c| c.get(rows.clone()))
            else {
                // A feature past the matrix reads as NaN.
                word.iter_mut().for_each(|k| *k |= u64::from(nl) << b);
                continue;
            };
            if nl {
                for (k, &v) in word.iter_mut().zip(col) {
                    *k |= u64::from((v <= th) | v.is_nan()) << b;
                }
            } else {
                for (k, &v) in word.iter_mut().zip(col) {
                    *k |= u64::from(v <= th) << b;
                }
            }
        }
    }
}

/// Whether value `v` goes left at a test: `v <= th`, NaN by `nan_left`.
fn goes_left(v: f64, th: f64, nan_left: bool) -> bool {
    // `v <= th` is false for NaN, which then takes its learned side.
    (v <= th) | (v.is_nan() & nan_left)
}

/// The test of split `i`: feature, threshold bits, NaN side.
fn test_of(nodes: &[Node], nan_left: &[bool], i: usize) -> (u32, u64, bool) {
    let nl = nan_left.get(i).copied().unwrap_or(false);
    (nodes[i].feature, nodes[i].threshold.to_bits(), nl)
}

/// The tree's groups, in node order of their roots (so leaf order within
/// the tree is group by group), each node's group (`u32::MAX` for the
/// splits above every group), and the tree's tests. With `whole`, one
/// group: the tree.
pub fn groups(nodes: &[Node], nan_left: &[bool], whole: bool) -> (Vec<Group>, Vec<u32>, Tests) {
    let tests = Tests::new(nodes, nan_left);
    let n = nodes.len();
    // Heights bottom-up (children have larger indices than their parent).
    let mut height = vec![0usize; n];
    for i in (0..n).rev() {
        let l = nodes[i].left as usize;
        if l != 0 && l + 1 < n {
            height[i] = 1 + height[l].max(height[l + 1]);
        }
    }
    let mut group_of = vec![u32::MAX; n];
    let mut out = Vec::new();
    if n == 0 {
        return (out, group_of, tests);
    }
    // Depth-first from the root, carrying the splits above.
    let mut stack: Vec<(usize, Vec<(u32, bool)>)> = vec![(0, Vec::new())];
    while let Some((node, above)) = stack.pop() {
        let l = nodes[node].left as usize;
        if whole || height[node] <= GROUP_HEIGHT || l == 0 || l + 1 >= n {
            out.push(group(nodes, nan_left, &tests, node, above, &mut group_of));
            continue;
        }
        let mut right = above.clone();
        right.push((node as u32, false));
        let mut left = above;
        left.push((node as u32, true));
        stack.push((l + 1, right));
        stack.push((l, left));
    }
    out.sort_by_key(|g| g.root);
    let index: Vec<(u32, u32)> = out
        .iter()
        .enumerate()
        .map(|(k, g)| (g.root, k as u32))
        .collect();
    // Renumber the nodes' groups after the sort.
    for g in group_of.iter_mut().filter(|g| **g != u32::MAX) {
        if let Some(&(_, k)) = index.iter().find(|(r, _)| *r == *g) {
            *g = k;
        }
    }
    (out, group_of, tests)
}

/// The group rooted at `root`; marks its nodes in `group_of` with the root
/// (renumbered by [`groups`]).
fn group(
    nodes: &[Node],
    nan_left: &[bool],
    tests: &Tests,
    root: usize,
    above: Vec<(u32, bool)>,
    group_of: &mut [u32],
) -> Group {
    let mut splits: Vec<usize> = above.iter().map(|&(p, _)| p as usize).collect();
    let mut stack = vec![root];
    while let Some(i) = stack.pop() {
        group_of[i] = root as u32;
        let l = nodes[i].left as usize;
        if l != 0 && l + 1 < nodes.len() {
            splits.push(i);
            stack.push(l);
            stack.push(l + 1);
        }
    }
    let mut features: Vec<usize> = splits.iter().map(|&i| nodes[i].feature as usize).collect();
    features.sort_unstable();
    features.dedup();
    let mask = splits
        .iter()
        .filter_map(|&i| tests.bit(nodes, nan_left, i))
        .fold(0, |m, b| m | b);
    let bits: Vec<u8> = if (mask.count_ones() as usize) <= DENSE_BITS {
        (0..128u8).filter(|&b| mask >> b & 1 == 1).collect()
    } else {
        Vec::new()
    };
    Group {
        root: root as u32,
        above,
        features,
        mask,
        bits,
    }
}
