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
}

/// One leaf's contributions for every pattern of its path's features.
struct LeafTable {
    /// The path's splits: (node, whether the leaf is on its left side,
    /// the slot of the split's feature).
    steps: Vec<(usize, bool, usize)>,
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
        let leaves = leaf_tables(nodes, cover, budget);
        TreeView {
            nodes,
            cover,
            nan_left,
            features,
            leaves,
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
        memo.left.clear();
        memo.left
            .extend(self.nodes.iter().enumerate().map(|(i, n)| {
                n.left != 0
                    && self.goes_left(i, row.get(n.feature as usize).copied().unwrap_or(f64::NAN))
            }));
        for leaf in leaves {
            let d = leaf.feats.len();
            let mut mask = (1usize << d) - 1;
            for &(node, left, slot) in &leaf.steps {
                if memo.left[node] != left {
                    mask &= !(1 << slot);
                }
            }
            let values = &leaf.values[mask * d..(mask + 1) * d];
            for (&f, &v) in leaf.feats.iter().zip(values) {
                out[f] += v;
            }
        }
    }
}

/// Each leaf's table, or `None` when one would be too deep or the budget
/// is spent (the budget is then left as it was).
fn leaf_tables(nodes: &[Node], cover: &[f64], budget: &mut usize) -> Option<Vec<LeafTable>> {
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
        let mut steps = Vec::with_capacity(path.len());
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
            steps.push((p, left, slot));
        }
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
        leaves.push(LeafTable {
            steps,
            feats,
            values,
        });
    }
    *budget -= cost;
    Some(leaves)
}

/// Reusable buffers of [`TreeView::add_row`].
#[derive(Clone, Default)]
pub struct Memo {
    shap: Scratch,
    zeros: Vec<f64>,
    /// Per node: the row goes left there.
    left: Vec<bool>,
}
