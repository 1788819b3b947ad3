//! Histogram gradient-boosted trees on log-loss (`gradient_boosting`): the
//! parameters, the fitted model (its validation on load and scoring) and the
//! boosting loop.
//!
//! Newton boosting as XGBoost/LightGBM: the raw score starts at the log-odds
//! of the training base rate; each tree fits the gradient `p - y` and hessian
//! `p (1 - p)` of the log-loss, and a leaf adds `-G / (H + l2) *
//! learning_rate` to the raw score. Trees are grown depth-first to
//! `max_depth` (every node with a positive-gain split is split, which is the
//! tree LightGBM's leaf-wise growth builds when `num_leaves` is not binding),
//! on features binned once by `binning` (see `gbm/grow_tree.rs`).
//!
//! Missing values (NaN) are allowed: each split learns where they go (both
//! directions are tried, the better kept); at a split that saw no NaN they go
//! to the child with more training rows. Everything random (row subsample,
//! feature subsample, the early-stopping hold-out) comes from `SplitMix64`
//! streams derived from the seed, and histograms are summed over fixed row
//! chunks added in chunk order, so the model is bit-identical whatever the
//! thread count.

mod boost;
mod bundle;
mod grow_tree;

use boost::{check_data, holdout, log_loss, subset, Booster};

use crate::features::Matrix;
use crate::model::binning::{Binned, MAX_BINS};
use crate::model::grow::{mix64, SplitMix64};
use crate::model::node::Node;
use crate::model::shap::memo::{Memo, MemoPool, TreeView, Views};
use crate::model::Tick;
use anyhow::Result;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::fmt;

/// Deepest tree `max_depth` allows (keeps TreeSHAP's path buffers small).
pub const MAX_DEPTH: usize = 64;

/// `[model.params]` of `kind = "gradient_boosting"`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct GbmParams {
    /// Boosting rounds (trees), an upper bound when early stopping is on.
    pub n_trees: usize,
    /// Shrinkage applied to every leaf value, in (0, 1].
    pub learning_rate: f64,
    /// Maximum tree depth (root = depth 0), 1..=64.
    pub max_depth: usize,
    /// Minimum training rows in each child of a split.
    pub min_samples_leaf: usize,
    /// L2 penalty on leaf values (XGBoost's `lambda`, LightGBM's `lambda_l2`).
    pub l2: f64,
    /// Fraction of the training rows each tree sees, in (0, 1].
    pub subsample: f64,
    /// Fraction of the features each tree may split on, in (0, 1].
    pub colsample: f64,
    /// Histogram bins per feature, 2..=256 (one of them is the NaN bin when
    /// a feature has missing values).
    pub max_bins: usize,
    /// Stop when the validation log-loss has not improved for this many
    /// trees, keeping the best prefix; 0 = off (no rows are held out).
    pub early_stopping_rounds: usize,
    /// Fraction of the training rows held out (stratified) for early stopping.
    pub validation_fraction: f64,
}

impl Default for GbmParams {
    fn default() -> Self {
        GbmParams {
            n_trees: 100,
            learning_rate: 0.1,
            max_depth: 6,
            min_samples_leaf: 20,
            l2: 1.0,
            subsample: 1.0,
            colsample: 1.0,
            max_bins: 255,
            early_stopping_rounds: 0,
            validation_fraction: 0.1,
        }
    }
}

/// An out-of-range parameter: which key, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParamError {
    pub key: &'static str,
    pub message: String,
}

impl fmt::Display for ParamError {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(f, "{}: {}", self.key, self.message)
    }
}

impl std::error::Error for ParamError {}

fn param_err(key: &'static str, message: String) -> Result<(), ParamError> {
    Err(ParamError { key, message })
}

/// `lo < v <= 1` and finite.
fn fraction(key: &'static str, v: f64) -> Result<(), ParamError> {
    if v > 0.0 && v <= 1.0 {
        Ok(())
    } else {
        param_err(key, format!("must be in (0, 1], got {v}"))
    }
}

impl GbmParams {
    /// Parameter ranges, checked when `gates.toml` is read and again by `fit`.
    pub fn check(&self) -> Result<(), ParamError> {
        if !(1..=super::MAX_TREES).contains(&self.n_trees) {
            let (n, max) = (self.n_trees, super::MAX_TREES);
            return param_err("n_trees", format!("must be in 1..={max}, got {n}"));
        }
        fraction("learning_rate", self.learning_rate)?;
        if !(1..=MAX_DEPTH).contains(&self.max_depth) {
            let d = self.max_depth;
            return param_err("max_depth", format!("must be in 1..={MAX_DEPTH}, got {d}"));
        }
        if self.min_samples_leaf == 0 {
            return param_err("min_samples_leaf", "must be >= 1".into());
        }
        if !(self.l2.is_finite() && self.l2 >= 0.0) {
            let l2 = self.l2;
            return param_err("l2", format!("must be a finite number >= 0, got {l2}"));
        }
        fraction("subsample", self.subsample)?;
        fraction("colsample", self.colsample)?;
        if !(2..=MAX_BINS).contains(&self.max_bins) {
            let b = self.max_bins;
            return param_err("max_bins", format!("must be in 2..={MAX_BINS}, got {b}"));
        }
        let v = self.validation_fraction;
        if !(v > 0.0 && v < 1.0) {
            return param_err("validation_fraction", format!("must be in (0, 1), got {v}"));
        }
        Ok(())
    }
}

/// One boosted tree: `main`'s flat [`Node`]s (a leaf's `value` is its
/// contribution to the raw log-odds score, learning rate included; an inner
/// node's is what it would add as a leaf), plus per-node data `Node` has no
/// room for.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GbmTree {
    pub nodes: Vec<Node>,
    /// Per node: whether NaN (or a feature missing from a short row) goes left.
    pub nan_left: Vec<bool>,
    /// Per node: training rows that reached it (TreeSHAP's cover).
    pub cover: Vec<f64>,
}

impl GbmTree {
    /// The leaf value a row reaches; children have larger indices than their
    /// parent, so the walk terminates.
    #[inline]
    pub fn leaf_value(&self, x: &[f64]) -> f64 {
        let mut i = 0;
        loop {
            let n = &self.nodes[i];
            if n.left == 0 {
                return n.value;
            }
            let v = x.get(n.feature as usize).copied().unwrap_or(f64::NAN);
            let go_left = if v.is_nan() {
                self.nan_left[i]
            } else {
                v <= n.threshold
            };
            i = n.left as usize + usize::from(!go_left);
        }
    }

    /// Longest root-to-leaf path (edges).
    pub fn depth(&self) -> usize {
        let mut depth = vec![0usize; self.nodes.len()];
        for (i, n) in self.nodes.iter().enumerate() {
            if n.left != 0 {
                depth[n.left as usize] = depth[i] + 1;
                depth[n.left as usize + 1] = depth[i] + 1;
            }
        }
        depth.into_iter().max().unwrap_or(0)
    }

    fn validate(&self, n_features: usize) -> Result<(), String> {
        let len = self.nodes.len();
        if len == 0 {
            return Err("has no nodes".into());
        }
        if self.nan_left.len() != len || self.cover.len() != len {
            return Err(format!(
                "has {len} nodes but {} nan_left and {} cover entries",
                self.nan_left.len(),
                self.cover.len()
            ));
        }
        let mut parents = vec![0u8; len];
        for (i, n) in self.nodes.iter().enumerate() {
            if !n.value.is_finite() {
                return Err(format!("node {i} has a non-finite value"));
            }
            let c = self.cover[i];
            if !(c.is_finite() && c > 0.0) {
                return Err(format!("node {i} has cover {c} (must be > 0)"));
            }
            let l = n.left as usize;
            if l == 0 {
                continue;
            }
            if l <= i || l + 1 >= len || n.threshold.is_nan() || n.feature as usize >= n_features {
                return Err(format!("node {i} has an invalid split"));
            }
            parents[l] = parents[l].saturating_add(1);
            parents[l + 1] = parents[l + 1].saturating_add(1);
            let sum = self.cover[l] + self.cover[l + 1];
            if (sum - c).abs() > 1e-9 * c {
                return Err(format!("node {i}: children's cover does not add up"));
            }
        }
        // Every node but the root is the child of exactly one split (a tree,
        // not a DAG: TreeSHAP's cost and buffers rely on it).
        if parents[0] != 0 || parents[1..].iter().any(|&p| p != 1) {
            return Err("nodes do not form a tree".into());
        }
        if self.depth() > MAX_DEPTH {
            return Err(format!("deeper than {MAX_DEPTH}"));
        }
        Ok(())
    }
}

/// A fitted gradient-boosted model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Gbm {
    /// Columns of the preprocessed matrix it was trained on.
    pub n_features: usize,
    /// Raw score before any tree: the log-odds of the training base rate.
    pub init_score: f64,
    pub trees: Vec<GbmTree>,
}

/// What `fit` wants the user to know.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct FitInfo {
    /// Human-readable remarks for `report.json` `notes`.
    pub notes: Vec<String>,
    /// Trees in the model (fewer than `n_trees` after early stopping).
    pub trees_used: usize,
}

/// Numerically stable logistic function (same formula as
/// `logistic::sigmoid`).
pub fn sigmoid(z: f64) -> f64 {
    if z >= 0.0 {
        1.0 / (1.0 + (-z).exp())
    } else {
        let e = z.exp();
        e / (1.0 + e)
    }
}

/// Rows per scoring block (transposed to row-major, stays in L1).
const SCORE_BLOCK: usize = 64;

impl Gbm {
    /// Raw score (log-odds) of one row: the initial score plus every tree's
    /// leaf, added in tree order. Missing trailing features count as NaN.
    pub fn raw_row(&self, x: &[f64]) -> f64 {
        let mut z = self.init_score;
        for t in &self.trees {
            z += t.leaf_value(x);
        }
        z
    }

    /// Positive-class probability of one row.
    pub fn score_row(&self, x: &[f64]) -> f64 {
        sigmoid(self.raw_row(x))
    }

    /// Raw scores of every row, bit-identical to `raw_row`.
    pub fn raw_matrix(&self, x: &Matrix) -> Vec<f64> {
        let mut out = vec![self.init_score; x.rows];
        let d = x.cols;
        out.par_chunks_mut(SCORE_BLOCK)
            .enumerate()
            .for_each_init(Vec::new, |buf, (b, chunk)| {
                let r0 = b * SCORE_BLOCK;
                buf.resize(chunk.len() * d, 0.0);
                for (k, row) in buf.chunks_exact_mut(d.max(1)).enumerate() {
                    x.row_into(r0 + k, &mut row[..d]);
                }
                for t in &self.trees {
                    for (k, z) in chunk.iter_mut().enumerate() {
                        *z += t.leaf_value(&buf[k * d..(k + 1) * d]);
                    }
                }
            });
        out
    }

    /// Positive-class probabilities of every row, bit-identical to `score_row`.
    pub fn score_matrix(&self, x: &Matrix) -> Vec<f64> {
        let mut z = self.raw_matrix(x);
        z.par_iter_mut().for_each(|v| *v = sigmoid(*v));
        z
    }

    /// Shape checks for a model read from disk, so a hand-edited file cannot
    /// make scoring index out of bounds or loop.
    pub fn validate(&self, n_features: usize) -> Result<(), String> {
        if self.n_features != n_features {
            return Err(format!(
                "gradient_boosting model expects {} features, the preprocessing makes {n_features}",
                self.n_features
            ));
        }
        if !self.init_score.is_finite() {
            return Err("gradient_boosting model has a non-finite init_score".into());
        }
        for (t, tree) in self.trees.iter().enumerate() {
            tree.validate(n_features)
                .map_err(|e| format!("gradient_boosting tree {t} {e}"))?;
        }
        Ok(())
    }

    /// TreeSHAP contributions of one row in log-odds units: writes each
    /// feature's contribution to `out` (length `n_features`, overwritten) and
    /// returns the base value, so `base + sum(out) == raw_row(x)` up to
    /// rounding (about 1e-15 per tree).
    pub fn contributions(&self, x: &[f64], out: &mut [f64]) -> f64 {
        self.contributions_with(&self.shap_views(), x, out, &mut Memo::default())
    }

    /// The trees as TreeSHAP reads them (made once per explainer).
    pub fn shap_views(&self) -> Views<'_> {
        let mut budget = crate::model::shap::memo::TABLE_BUDGET;
        Views::new(
            self.trees
                .iter()
                .map(|t| TreeView::new(&t.nodes, &t.cover, &t.nan_left, &mut budget))
                .collect(),
        )
    }

    /// The base value of every row's contributions: the initial score plus
    /// each tree's cover-weighted mean leaf value.
    pub fn shap_base(&self) -> f64 {
        let mut base = self.init_score;
        for t in &self.trees {
            base += crate::model::shap::tree_base(&t.nodes, &t.cover);
        }
        base
    }

    /// [`Gbm::contributions`] over views made by [`Gbm::shap_views`],
    /// reusing buffers (the per-row serving path). Bit-identical to
    /// [`Gbm::contributions_block`] for the same row.
    pub fn contributions_with(
        &self,
        views: &Views,
        x: &[f64],
        out: &mut [f64],
        memo: &mut Memo,
    ) -> f64 {
        out.fill(0.0);
        views.add_row(x, out, memo);
        self.shap_base()
    }

    /// Contributions of rows `rows` of `x` into `out` (row-major,
    /// `n_features` per row, overwritten), as [`Gbm::contributions_with`]
    /// gives each row; returns the base value.
    pub fn contributions_block(
        &self,
        views: &Views,
        x: &Matrix,
        rows: std::ops::Range<usize>,
        out: &mut [f64],
        memo: &mut Memo,
    ) -> f64 {
        let (n, d) = (rows.len(), self.n_features.max(1));
        // Feature-major while the trees add up (columns 8 values longer
        // than the block, off the cache sets of their neighbours), then
        // row-major.
        let stride = n + 8;
        let mut by_feature = vec![0.0; stride * d];
        views.add_block(x, rows, (&mut by_feature, stride), memo);
        out.fill(0.0);
        for (i, o) in out.chunks_exact_mut(d).enumerate().take(n) {
            for (f, v) in o.iter_mut().enumerate().take(self.n_features) {
                *v = by_feature[f * stride + i];
            }
        }
        self.shap_base()
    }

    /// TreeSHAP of every row (blocks of rows in parallel, each row's values
    /// independent of the block and of the caches, so the result does not
    /// depend on the thread count): the base value (the same for every row)
    /// and a `rows x n_features` matrix of contributions.
    pub fn contributions_matrix(&self, x: &Matrix) -> (f64, Matrix) {
        let d = self.n_features.max(1);
        let views = self.shap_views();
        let memos = MemoPool::new();
        let mut rows = vec![0.0; x.rows * d];
        rows.par_chunks_mut(EXPLAIN_BLOCK * d)
            .enumerate()
            .for_each(|(b, chunk)| {
                let start = b * EXPLAIN_BLOCK;
                let end = start + chunk.len() / d;
                memos.with(|memo| self.contributions_block(&views, x, start..end, chunk, memo));
            });
        let mut m = Matrix::zeros(x.rows, self.n_features);
        for (i, r) in rows.chunks_exact(d).enumerate().take(x.rows) {
            for (j, &v) in r.iter().enumerate().take(self.n_features) {
                m.data[j * x.rows + i] = v;
            }
        }
        (self.shap_base(), m)
    }
}

/// Rows per block of [`Gbm::contributions_matrix`] and `predict --explain`.
pub const EXPLAIN_BLOCK: usize = 4096;

/// Trains on `x` (NaN allowed, infinities not) and 0/1 labels `y`.
pub fn fit(p: &GbmParams, x: &Matrix, y: &[u8], seed: u64) -> Result<(Gbm, FitInfo)> {
    fit_observed(p, x, y, seed, &|_, _| {})
}

/// [`fit`], reporting `(trees done, n_trees)` through `tick`.
pub fn fit_observed(
    p: &GbmParams,
    x: &Matrix,
    y: &[u8],
    seed: u64,
    tick: Tick,
) -> Result<(Gbm, FitInfo)> {
    p.check()
        .map_err(|e| anyhow::anyhow!("gradient_boosting: {e}"))?;
    check_data(x, y)?;
    let mut notes = Vec::new();
    let (train, valid) = holdout(p, y, seed, &mut notes);
    let (xt, yt) = subset(x, y, &train);
    let (xv, yv) = subset(x, y, &valid);
    let pos = yt.iter().filter(|&&v| v == 1).count();
    let n = yt.len();
    let rate = pos as f64 / n as f64;
    // Clamped so a one-class target gets a finite (if extreme) score.
    let r = rate.clamp(1e-12, 1.0 - 1e-12);
    let init_score = (r / (1.0 - r)).ln();
    let mut model = Gbm {
        n_features: x.cols,
        init_score,
        trees: Vec::new(),
    };
    if pos == 0 || pos == n {
        notes.push(format!(
            "gradient_boosting: the training labels have one class only; the model \
             scores the constant {}",
            sigmoid(init_score)
        ));
        return Ok((
            model,
            FitInfo {
                notes,
                trees_used: 0,
            },
        ));
    }
    let rare = pos.min(n - pos);
    if rare < p.min_samples_leaf {
        notes.push(format!(
            "gradient_boosting: the rarer class has {rare} training rows, fewer than \
             min_samples_leaf ({}): no leaf can hold only that class",
            p.min_samples_leaf
        ));
    }
    let data = Binned::new(&xt, p.max_bins);
    let mut boost = Booster::new(p, &data, &yt, init_score);
    let mut vscore = vec![init_score; yv.len()];
    let mut best = (f64::INFINITY, 0usize);
    for t in 0..p.n_trees {
        let mut rng = SplitMix64::new(mix64(seed ^ mix64(t as u64 + 1)));
        let tree = boost.round(&xt, &mut rng);
        if !yv.is_empty() {
            vscore
                .par_iter_mut()
                .enumerate()
                .for_each(|(i, z)| *z += tree.leaf_value_col(&xv, i));
            let loss = log_loss(&vscore, &yv);
            model.trees.push(tree);
            if loss < best.0 {
                best = (loss, t + 1);
            } else if t + 1 - best.1 >= p.early_stopping_rounds {
                tick(t + 1, p.n_trees);
                break;
            }
        } else {
            model.trees.push(tree);
        }
        tick(t + 1, p.n_trees);
    }
    if !yv.is_empty() {
        let grown = model.trees.len();
        model.trees.truncate(best.1.max(1));
        notes.push(format!(
            "gradient_boosting: early stopping kept {} of {grown} trees grown (best \
             validation log-loss {:.6} on {} held-out rows)",
            model.trees.len(),
            best.0,
            yv.len()
        ));
    }
    let trees_used = model.trees.len();
    Ok((model, FitInfo { notes, trees_used }))
}

#[cfg(test)]
mod tests;
