//! TreeSHAP of many rows with each leaf's arithmetic done once per model.
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
//! algorithm. Both the per-row and the block path use the same code per
//! tree, so a row's values do not depend on the path, block or threads.
use super::{extend_path, tree_contributions_with, unwound_path_sum, PathElement, Scratch};
use crate::model::node::Node;

/// Distinct features on a path above which a leaf gets no table.
const MAX_TABLE_DEPTH: usize = 12;
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
}

/// One leaf's contributions for every pattern of its path's features.
struct LeafTable {
    /// The path's distinct features, by slot.
    feats: Vec<usize>,
    /// `values[mask * d + k]`: the contribution to `feats[k]` of a row that
    /// follows the path on exactly the slots set in `mask`.
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
        let leaves = leaf_tables(nodes, cover, budget, &mut slot_or_leaf);
        TreeView {
            nodes,
            cover,
            nan_left,
            features,
            leaves,
            slot_or_leaf,
        }
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

    /// Adds this tree's contributions to `row` into `out`.
    pub fn add_row(&self, row: &[f64], out: &mut [f64], memo: &mut Memo) {
        let Some(leaves) = &self.leaves else {
            memo.zeros.resize(out.len().max(row.len()), 0.0);
            let zeros = &mut memo.zeros;
            tree_contributions_with(
                self.nodes,
                self.cover,
                self.nan_left,
                row,
                zeros,
                &mut memo.shap,
            );
            for &f in &self.features {
                out[f] += zeros[f];
                zeros[f] = 0.0;
            }
            return;
        };
        // Down the tree once, carrying which of the path's features the row
        // still follows: going the other way at a split clears its slot.
        memo.stack.clear();
        memo.stack.push((0, u32::MAX));
        while let Some((node, mask)) = memo.stack.pop() {
            let n = &self.nodes[node as usize];
            let code = self.slot_or_leaf[node as usize];
            if n.left == 0 {
                let leaf = &leaves[code as usize];
                let d = leaf.feats.len();
                let m = (mask as usize) & ((1usize << d) - 1);
                let values = &leaf.values[m * d..(m + 1) * d];
                for (&f, &v) in leaf.feats.iter().zip(values) {
                    out[f] += v;
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

/// Each leaf's table, or `None` when one would be too deep or the budget
/// is spent (the budget is then left as it was).
fn leaf_tables(
    nodes: &[Node],
    cover: &[f64],
    budget: &mut usize,
    slot_or_leaf: &mut [u32],
) -> Option<Vec<LeafTable>> {
    // Each node's parent, to walk a leaf's path back to the root.
    let mut parent = vec![usize::MAX; nodes.len()];
    for (i, n) in nodes.iter().enumerate() {
        if n.left != 0 {
            let l = n.left as usize;
            *parent.get_mut(l)? = i;
            *parent.get_mut(l + 1)? = i;
        }
    }
    let mut cost = 0usize;
    let mut leaves = Vec::new();
    for (leaf, n) in nodes.iter().enumerate() {
        if n.left != 0 {
            continue;
        }
        // (node, leaf on its left) from the root down.
        let mut path = Vec::new();
        let mut at = leaf;
        while parent[at] != usize::MAX {
            let p = parent[at];
            path.push((p, nodes[p].left as usize == at));
            at = p;
        }
        path.reverse();
        let mut feats: Vec<usize> = Vec::new();
        let mut zero: Vec<f64> = Vec::new();
        for &(p, left) in &path {
            let f = nodes[p].feature as usize;
            let slot = feats.iter().position(|&g| g == f).unwrap_or_else(|| {
                feats.push(f);
                zero.push(1.0);
                feats.len() - 1
            });
            let child = if left {
                nodes[p].left as usize
            } else {
                nodes[p].left as usize + 1
            };
            zero[slot] *= cover[child] / cover[p];
            slot_or_leaf[p] = slot as u32;
        }
        slot_or_leaf[leaf] = leaves.len() as u32;
        let d = feats.len();
        if d > MAX_TABLE_DEPTH {
            return None;
        }
        cost += d << d;
        if cost > *budget {
            return None;
        }
        let mut values = vec![0.0; d << d];
        let mut elems = vec![PathElement::default(); d + 2];
        for mask in 0..1usize << d {
            extend_path(&mut elems, 0, 1.0, 1.0, usize::MAX);
            for k in 0..d {
                let one = if mask >> k & 1 == 1 { 1.0 } else { 0.0 };
                extend_path(&mut elems, k + 1, zero[k], one, feats[k]);
            }
            for k in 0..d {
                let w = unwound_path_sum(&elems, d, k + 1);
                let e = elems[k + 1];
                values[mask * d + k] = w * (e.one_fraction - e.zero_fraction) * n.value;
            }
        }
        leaves.push(LeafTable { feats, values });
    }
    *budget -= cost;
    Some(leaves)
}

/// Reusable buffers of [`TreeView::add_row`].
#[derive(Clone, Default)]
pub struct Memo {
    shap: Scratch,
    zeros: Vec<f64>,
    /// (node, mask) still to visit in [`TreeView::add_row`].
    stack: Vec<(u32, u32)>,
}
