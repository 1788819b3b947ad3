//! Per-feature explanations (`predict --explain`, `report.json` `importance`):
//! path-dependent TreeSHAP for trees and exact contributions for linear
//! models.
//!
//! TreeSHAP is Algorithm 2 of Lundberg, Erion & Lee (2018), "Consistent
//! individualized feature attribution for tree ensembles", ported from the
//! reference implementation in the `shap` package (`tree_shap_recursive`):
//! `O(leaves * depth²)` per tree and row. The "background" is the training
//! data as the tree saw it, summarised by each node's cover (training rows or
//! weight reaching it). For one tree, `base + sum(contributions)` equals the
//! leaf value the row reaches, where `base` is the cover-weighted mean of the
//! leaf values; ensembles add (GBM, log-odds) or average (forests,
//! probability) both parts.

use crate::model::node::Node;

/// One element of the unique feature path (`shap`'s `PathElement`).
#[derive(Debug, Clone, Copy, Default)]
struct PathElement {
    /// Feature index, `usize::MAX` for the root's dummy element.
    feature: usize,
    zero_fraction: f64,
    one_fraction: f64,
    pweight: f64,
}

/// Reusable buffers for TreeSHAP (one per thread), so explaining many rows
/// does not allocate per row.
#[derive(Debug, Clone, Default)]
pub struct Scratch {
    path: Vec<PathElement>,
    depth: Vec<usize>,
    weight: Vec<f64>,
}

/// TreeSHAP of one tree for one row. `nodes` follow [`Node`]'s layout (a
/// leaf has `left == 0`, the right child is `left + 1`, `x[feature] <=
/// threshold` goes left, NaN goes right); `cover[i]` is the training weight
/// of node `i` and must add up (`cover[i] == cover[left] + cover[left + 1]`,
/// all > 0). Adds each feature's contribution to `out` (indexed by
/// `Node::feature`, so `out.len()` must exceed every split's feature) and
/// returns the base value: `base + Σ added == leaf value of x` up to rounding.
pub fn tree_contributions(nodes: &[Node], cover: &[f64], x: &[f64], out: &mut [f64]) -> f64 {
    tree_contributions_with(nodes, cover, &[], x, out, &mut Scratch::default())
}

/// [`tree_contributions`] with learned NaN directions (`nan_left[i]`: NaN
/// goes left at node `i`; empty = NaN always goes right, as `Tree::walk`) and
/// reusable buffers.
pub fn tree_contributions_with(
    nodes: &[Node],
    cover: &[f64],
    nan_left: &[bool],
    x: &[f64],
    out: &mut [f64],
    scratch: &mut Scratch,
) -> f64 {
    let (base, depth) = expected_value(nodes, cover, &mut scratch.depth, &mut scratch.weight);
    // Path segments for unique depths 0..=depth+1, each one longer.
    let need = (depth + 2) * (depth + 3) / 2 + depth + 2;
    if scratch.path.len() < need {
        scratch.path.resize(need, PathElement::default());
    }
    let mut t = Walk {
        nodes,
        cover,
        nan_left,
        x,
        out,
        path: &mut scratch.path,
    };
    t.recurse(0, 0, 0, 1.0, 1.0, usize::MAX);
    base
}

/// (cover-weighted mean leaf value, depth). The weights are products of the
/// child/parent cover ratios, the fractions TreeSHAP itself uses, so the
/// additivity holds to rounding even for covers that add up only roughly.
fn expected_value(
    nodes: &[Node],
    cover: &[f64],
    depth: &mut Vec<usize>,
    weight: &mut Vec<f64>,
) -> (f64, usize) {
    depth.clear();
    depth.resize(nodes.len(), 0);
    weight.clear();
    weight.resize(nodes.len(), 0.0);
    weight[0] = 1.0;
    let (mut base, mut max_depth) = (0.0, 0);
    for (i, n) in nodes.iter().enumerate() {
        if n.left == 0 {
            base += weight[i] * n.value;
            max_depth = max_depth.max(depth[i]);
            continue;
        }
        let l = n.left as usize;
        for c in [l, l + 1] {
            weight[c] = weight[i] * (cover[c] / cover[i]);
            depth[c] = depth[i] + 1;
        }
    }
    (base, max_depth)
}

/// The state of one TreeSHAP traversal.
struct Walk<'a> {
    nodes: &'a [Node],
    cover: &'a [f64],
    nan_left: &'a [bool],
    x: &'a [f64],
    out: &'a mut [f64],
    path: &'a mut [PathElement],
}

impl Walk<'_> {
    /// `shap`'s `tree_shap_recursive`: the node's path segment starts at
    /// `at`; the parent's occupies `parent_at..at` (its first
    /// `unique_depth` elements are the parent's path).
    fn recurse(
        &mut self,
        node: usize,
        parent_at: usize,
        unique_depth: usize,
        zero_fraction: f64,
        one_fraction: f64,
        feature: usize,
    ) {
        let at = if node == 0 {
            0
        } else {
            parent_at + unique_depth
        };
        if node != 0 {
            self.path
                .copy_within(parent_at..parent_at + unique_depth, at);
        }
        let path = &mut self.path[at..];
        extend_path(path, unique_depth, zero_fraction, one_fraction, feature);
        let n = self.nodes[node];
        if n.left == 0 {
            for i in 1..=unique_depth {
                let w = unwound_path_sum(path, unique_depth, i);
                let el = path[i];
                self.out[el.feature] += w * (el.one_fraction - el.zero_fraction) * n.value;
            }
            return;
        }
        let split = n.feature as usize;
        let v = self.x.get(split).copied().unwrap_or(f64::NAN);
        let go_left = if v.is_nan() {
            self.nan_left.get(node).copied().unwrap_or(false)
        } else {
            v <= n.threshold
        };
        let l = n.left as usize;
        let (hot, cold) = if go_left { (l, l + 1) } else { (l + 1, l) };
        let w = self.cover[node];
        let hot_zero = self.cover[hot] / w;
        let cold_zero = self.cover[cold] / w;
        let (mut in_zero, mut in_one) = (1.0, 1.0);
        let mut depth = unique_depth;
        // A feature already on the path: undo its earlier split first.
        if let Some(k) = (1..=depth).find(|&k| path[k].feature == split) {
            in_zero = path[k].zero_fraction;
            in_one = path[k].one_fraction;
            unwind_path(path, depth, k);
            depth -= 1;
        }
        self.recurse(hot, at, depth + 1, hot_zero * in_zero, in_one, split);
        self.recurse(cold, at, depth + 1, cold_zero * in_zero, 0.0, split);
    }
}

fn extend_path(path: &mut [PathElement], depth: usize, zero: f64, one: f64, feature: usize) {
    path[depth] = PathElement {
        feature,
        zero_fraction: zero,
        one_fraction: one,
        pweight: if depth == 0 { 1.0 } else { 0.0 },
    };
    let d1 = (depth + 1) as f64;
    for i in (0..depth).rev() {
        path[i + 1].pweight += one * path[i].pweight * (i + 1) as f64 / d1;
        path[i].pweight = zero * path[i].pweight * (depth - i) as f64 / d1;
    }
}

fn unwind_path(path: &mut [PathElement], depth: usize, k: usize) {
    let (one, zero) = (path[k].one_fraction, path[k].zero_fraction);
    let mut next_one = path[depth].pweight;
    let d1 = (depth + 1) as f64;
    for i in (0..depth).rev() {
        if one != 0.0 {
            let tmp = path[i].pweight;
            path[i].pweight = next_one * d1 / ((i + 1) as f64 * one);
            next_one = tmp - path[i].pweight * zero * (depth - i) as f64 / d1;
        } else {
            path[i].pweight = path[i].pweight * d1 / (zero * (depth - i) as f64);
        }
    }
    for i in k..depth {
        path[i].feature = path[i + 1].feature;
        path[i].zero_fraction = path[i + 1].zero_fraction;
        path[i].one_fraction = path[i + 1].one_fraction;
    }
}

fn unwound_path_sum(path: &[PathElement], depth: usize, k: usize) -> f64 {
    let (one, zero) = (path[k].one_fraction, path[k].zero_fraction);
    let mut next_one = path[depth].pweight;
    let mut total = 0.0;
    let d1 = (depth + 1) as f64;
    for i in (0..depth).rev() {
        if one != 0.0 {
            let tmp = next_one * d1 / ((i + 1) as f64 * one);
            total += tmp;
            next_one = path[i].pweight - tmp * zero * ((depth - i) as f64 / d1);
        } else {
            total += (path[i].pweight / zero) / ((depth - i) as f64 / d1);
        }
    }
    total
}

/// A tree's base value alone: the cover-weighted mean of its leaf values
/// (what [`tree_contributions`] returns).
pub fn tree_base(nodes: &[Node], cover: &[f64]) -> f64 {
    expected_value(nodes, cover, &mut Vec::new(), &mut Vec::new()).0
}

/// Mean TreeSHAP over a forest's trees (probability units): `trees` yields
/// `(nodes, cover)`; `out` is overwritten with the mean contributions and the mean base
/// is returned, so `base + sum(out)` equals the forest's score.
pub fn forest_contributions<'a>(
    trees: impl ExactSizeIterator<Item = (&'a [Node], &'a [f64])>,
    x: &[f64],
    out: &mut [f64],
    scratch: &mut Scratch,
) -> f64 {
    let n = trees.len();
    out.fill(0.0);
    if n == 0 {
        return 0.0;
    }
    let mut base = 0.0;
    for (nodes, cover) in trees {
        base += tree_contributions_with(nodes, cover, &[], x, out, scratch);
    }
    let k = n as f64;
    out.iter_mut().for_each(|v| *v /= k);
    base / k
}

/// Exact contributions of a linear model in its raw (log-odds) units:
/// `coef[j] * x[j]` per encoded column and the intercept as the base, so
/// `base + sum` is the linear score. (Relative to a zero input, not to the
/// mean row: the preprocessing standardises, so zero is the training mean
/// for scaled numeric columns.)
pub fn linear_contributions(coef: &[f64], intercept: f64, x_encoded: &[f64]) -> (f64, Vec<f64>) {
    let c = coef.iter().zip(x_encoded).map(|(w, v)| w * v).collect();
    (intercept, c)
}

pub mod cache;
pub mod group;
pub mod memo;
#[cfg(test)]
mod oracle;
#[cfg(test)]
mod tests;
