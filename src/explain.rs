//! Per-row feature contributions of a saved model, summed back onto its
//! input columns (a text column's one-hot levels add up to one value), and
//! the report's `importance` (mean |contribution| over test rows).
//!
//! Units are the model's output units: log-odds for logistic regression and
//! gradient boosting, probability for random forests and decision trees;
//! `base + sum(contributions)` equals `logit(score)` or `score`.
//!
//! - Logistic regression: exact, `coef[j] * x[j]` per encoded column, base =
//!   the intercept. That is relative to the all-zero encoded row: the training
//!   mean for (standardized) numeric columns, "no level" for one-hot columns.
//! - Trees, forests, gradient boosting: path-dependent TreeSHAP (Lundberg et
//!   al. 2018) with the per-node cover recorded at training; a forest is the
//!   mean over its trees. Base = the cover-weighted mean output.
use crate::artifact::ModelArtifact;
use crate::domain::Importance;
use crate::features::Matrix;
use crate::model::node::Node;
use crate::model::shap::memo::{Memo, MemoPool, Views};
use crate::model::{shap, Model};
use rayon::prelude::*;
use std::collections::BTreeMap;
use std::ops::Range;
use std::sync::Arc;

/// At most this many test rows are explained for `importance` (a seeded
/// sample when there are more): TreeSHAP costs ~100x a prediction.
pub const MAX_IMPORTANCE_ROWS: usize = 2000;
/// TreeSHAP steps (a leaf's squared depth per tree and row) `importance`
/// may spend: about 2 s on two cores (a step is about 2.7 ns). A default
/// random forest on the telco example (100 unlimited trees, a few hundred
/// leaves up to 20 deep) costs about 1.8e7 a row, so its 1,409 test rows
/// took 52 s against 0.07 s of training (round 21, F4).
pub const IMPORTANCE_BUDGET: f64 = 1.5e9;
/// Fewest rows `importance` is worth computing over.
pub const MIN_IMPORTANCE_ROWS: usize = 20;

/// The units contributions are in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Units {
    LogOdds,
    Probability,
}

impl Units {
    pub fn name(self) -> &'static str {
        match self {
            Units::LogOdds => "log-odds",
            Units::Probability => "probability",
        }
    }
}

/// Explains rows of one artifact, reusing its buffers across rows (a clone
/// shares the model's tables and has buffers of its own).
#[derive(Clone)]
pub struct Explainer<'a> {
    model: &'a Model,
    units: Units,
    /// Encoded column -> input feature index.
    groups: Vec<usize>,
    n_inputs: usize,
    encoded: Vec<f64>,
    scratch: shap::Scratch,
    /// Gradient boosting: the trees as TreeSHAP reads them (their leaf
    /// tables made once, shared by clones), the base, and a memo (with its
    /// cache of tree contributions) per thread, shared by clones so the
    /// caches stay warm from block to block.
    gbm: Option<(Arc<Views<'a>>, f64, Arc<MemoPool>)>,
    /// [`Explainer::explain`]'s own buffers and cache.
    memo: Memo,
    /// [`Explainer::explain_block`]'s feature-major block.
    scratch_block: Vec<f64>,
    /// [`Explainer::explain_block`]'s per-input sums, feature-major.
    scratch_inputs: Vec<f64>,
}

/// Why `model` cannot explain its scores, if it cannot.
fn units_of(model: &Model) -> Result<Units, String> {
    let predates = "the model predates explanations (its trees carry no cover); retrain it";
    match model {
        Model::LogisticRegression(_) | Model::GradientBoosting(_) => Ok(Units::LogOdds),
        Model::RandomForest(f) => {
            if f.trees().iter().all(|t| t.cover().len() == t.nodes().len()) {
                Ok(Units::Probability)
            } else {
                Err(predates.to_string())
            }
        }
        Model::DecisionTree(t) => {
            if t.cover().len() == t.nodes().len() {
                Ok(Units::Probability)
            } else {
                Err(predates.to_string())
            }
        }
    }
}

impl<'a> Explainer<'a> {
    /// An explainer for `artifact`, or why its model cannot explain.
    pub fn new(artifact: &'a ModelArtifact) -> Result<Explainer<'a>, String> {
        let model = &artifact.model;
        let units = units_of(model)?;
        let pre = &artifact.preprocessor;
        let mut groups = Vec::with_capacity(pre.width());
        for (k, f) in pre.features.iter().enumerate() {
            let w = match f {
                crate::features::FeatureSpec::Numeric { .. } => 1,
                crate::features::FeatureSpec::Categorical { levels, .. } => levels.len(),
            };
            groups.extend(std::iter::repeat_n(k, w));
        }
        let gbm = match model {
            Model::GradientBoosting(m) => Some((
                Arc::new(m.shap_views()),
                m.shap_base(),
                Arc::new(MemoPool::new()),
            )),
            _ => None,
        };
        Ok(Explainer {
            model,
            units,
            n_inputs: pre.features.len(),
            encoded: vec![0.0; groups.len()],
            groups,
            scratch: shap::Scratch::default(),
            gbm,
            memo: Memo::default(),
            scratch_block: Vec::new(),
            scratch_inputs: Vec::new(),
        })
    }

    /// Whether [`Explainer::explain_block_scored`] gives the scores too.
    pub fn scores_itself(&self) -> bool {
        self.gbm.is_some()
    }

    pub fn units(&self) -> Units {
        self.units
    }

    /// Number of input features (the length `explain` writes).
    pub fn n_inputs(&self) -> usize {
        self.n_inputs
    }

    /// Contributions of one preprocessed row `x` per input feature, written
    /// to `out` (length `n_inputs()`, overwritten); returns the base value.
    pub fn explain(&mut self, x: &[f64], out: &mut [f64]) -> f64 {
        let enc = &mut self.encoded;
        let base = match self.model {
            Model::LogisticRegression(m) => {
                for ((e, w), v) in enc.iter_mut().zip(&m.coef).zip(x) {
                    *e = w * v;
                }
                m.intercept
            }
            Model::GradientBoosting(m) => match &self.gbm {
                Some((views, base, _)) => {
                    enc.fill(0.0);
                    views.add_row(x, enc, &mut self.memo);
                    *base
                }
                None => m.contributions(x, enc),
            },
            Model::RandomForest(f) => shap::forest_contributions(
                f.trees().iter().map(|t| (t.nodes(), t.cover())),
                x,
                enc,
                &mut self.scratch,
            ),
            Model::DecisionTree(t) => shap::forest_contributions(
                std::iter::once((t.nodes(), t.cover())),
                x,
                enc,
                &mut self.scratch,
            ),
        };
        self.grouped(out);
        base
    }

    /// `out` (length `n_inputs()`) = the encoded contributions in
    /// `self.encoded` summed per input feature.
    fn grouped(&self, out: &mut [f64]) {
        out.fill(0.0);
        for (&g, &e) in self.groups.iter().zip(self.encoded.iter()) {
            out[g] += e;
        }
    }

    /// Contributions of rows `rows` of `x` (preprocessed), `n_inputs()`
    /// per row, and the base value of each row. Gradient boosting reads the
    /// model's leaf tables ([`crate::model::shap::memo`]) through the
    /// calling thread's cache; the values equal [`Explainer::explain`]'s
    /// bit for bit.
    pub fn explain_rows(&mut self, x: &Matrix, rows: Range<usize>) -> Vec<(f64, Vec<f64>)> {
        let (mut flat, mut bases) = (Vec::new(), Vec::new());
        self.explain_block(x, rows, &mut flat, &mut bases);
        let d = self.n_inputs.max(1);
        bases
            .into_iter()
            .zip(flat.chunks_exact(d))
            .map(|(b, c)| (b, c[..self.n_inputs].to_vec()))
            .collect()
    }

    /// [`Explainer::explain_rows`] into reused buffers: `contrib` gets
    /// `max(n_inputs(), 1)` values per row (row-major), `bases` one per row
    /// (both overwritten).
    pub fn explain_block(
        &mut self,
        x: &Matrix,
        rows: Range<usize>,
        contrib: &mut Vec<f64>,
        bases: &mut Vec<f64>,
    ) {
        self.explain_block_scored(x, rows, contrib, bases, None);
    }

    /// [`Explainer::explain_block`], and for gradient boosting each row's
    /// score into `scores` (overwritten), bit for bit the model's
    /// `score_matrix`, from the walks the explanation makes anyway: true
    /// when it did so (false, `scores` untouched, for other kinds).
    pub fn explain_block_scored(
        &mut self,
        x: &Matrix,
        rows: Range<usize>,
        contrib: &mut Vec<f64>,
        bases: &mut Vec<f64>,
        scores: Option<&mut Vec<f64>>,
    ) -> bool {
        let d = self.n_inputs.max(1);
        let n = rows.len();
        contrib.clear();
        contrib.resize(n * d, 0.0);
        bases.clear();
        let (Model::GradientBoosting(gbm), Some((views, base, memos))) = (self.model, &self.gbm)
        else {
            let mut row = vec![0.0; x.cols];
            let mut out = vec![0.0; self.n_inputs];
            for (k, c) in rows.zip(contrib.chunks_exact_mut(d)) {
                x.row_into(k, &mut row);
                bases.push(self.explain(&row, &mut out));
                c[..self.n_inputs].copy_from_slice(&out);
            }
            return false;
        };
        // The trees add up feature-major (columns 8 values longer than the
        // block, off the cache sets of their neighbours); then each row's
        // encoded columns are summed per input, in column order from zero,
        // as `grouped` sums them.
        let width = self.encoded.len().max(1);
        let stride = n + 8;
        let mut by_feature = std::mem::take(&mut self.scratch_block);
        by_feature.clear();
        by_feature.resize(stride * width, 0.0);
        // The margin from the initial score, as `raw_matrix` sums it.
        let mut margins = scores;
        if let Some(z) = margins.as_deref_mut() {
            z.clear();
            z.resize(n, gbm.init_score);
        }
        memos.with(|memo| {
            let m = margins.as_deref_mut().map(Vec::as_mut_slice);
            views.add_block_scored(x, rows, (&mut by_feature, stride), m, memo)
        });
        let scored = match margins {
            Some(z) => {
                z.iter_mut()
                    .for_each(|v| *v = crate::model::gbm::sigmoid(*v));
                true
            }
            None => false,
        };
        // Summed per input still feature-major (each a run of adds in
        // column order from zero), then turned row-major in one pass: a
        // strided add per encoded column would walk the whole block once
        // per column.
        let mut by_input = std::mem::take(&mut self.scratch_inputs);
        by_input.clear();
        by_input.resize(d * n, 0.0);
        for (column, &g) in by_feature.chunks_exact(stride).zip(&self.groups) {
            let sums = &mut by_input[g * n..(g + 1) * n];
            for (o, &v) in sums.iter_mut().zip(column) {
                *o += v;
            }
        }
        for (i, c) in contrib.chunks_exact_mut(d).enumerate() {
            for (g, o) in c.iter_mut().enumerate() {
                *o = by_input[g * n + i];
            }
        }
        bases.resize(n, *base);
        self.scratch_block = by_feature;
        self.scratch_inputs = by_input;
        scored
    }
}

/// The output `base + sum(contributions)` equals for `score`: `logit(score)`
/// in log-odds units, `score` itself in probability units.
pub fn output_of(units: Units, score: f64) -> f64 {
    match units {
        Units::LogOdds => (score / (1.0 - score)).ln(),
        Units::Probability => score,
    }
}

/// Up to `k` of `n` row positions: all of them, or a seeded sample
/// (sorted, so the result does not depend on draw order).
pub fn sample_rows(n: usize, k: usize, seed: u64) -> Vec<usize> {
    if n <= k {
        return (0..n).collect();
    }
    // Partial Fisher-Yates over positions, driven by SplitMix64.
    let mut rng = crate::model::grow::SplitMix64::new(seed ^ 0x1b87_3593_c1d2_e5a7);
    let mut pos: Vec<usize> = (0..n).collect();
    for i in 0..k {
        let j = i + (rng.next_u64() % (n - i) as u64) as usize;
        pos.swap(i, j);
    }
    let mut s = pos[..k].to_vec();
    s.sort_unstable();
    s
}

/// About how many TreeSHAP steps explaining one row of `model` takes: per
/// tree, the sum over its leaves of (depth + 1)², the recursive
/// algorithm's unwinding (an upper bound for the leaf tables of gradient
/// boosting). Linear models cost one step per coefficient.
pub fn steps_per_row(model: &Model) -> f64 {
    match model {
        Model::LogisticRegression(m) => m.coef.len() as f64,
        Model::GradientBoosting(m) => m.trees.iter().map(|t| tree_steps(&t.nodes)).sum(),
        Model::RandomForest(f) => f.trees().iter().map(|t| tree_steps(t.nodes())).sum(),
        Model::DecisionTree(t) => tree_steps(t.nodes()),
    }
}

/// One tree's share of [`steps_per_row`]: the sum over its leaves of
/// (depth + 1)². Children follow their parent (`Node`'s layout), so one
/// pass in index order gives every node its depth.
fn tree_steps(nodes: &[Node]) -> f64 {
    let mut depth = vec![0usize; nodes.len()];
    let mut steps = 0.0;
    for (i, n) in nodes.iter().enumerate() {
        let d = depth[i];
        if n.left == 0 {
            steps += ((d + 1) * (d + 1)) as f64;
            continue;
        }
        for c in [n.left as usize, n.left as usize + 1] {
            if let Some(slot) = depth.get_mut(c) {
                *slot = d + 1;
            }
        }
    }
    steps
}

/// How many rows `importance` explains for `model` out of `n`: at most
/// [`MAX_IMPORTANCE_ROWS`], and no more than [`IMPORTANCE_BUDGET`] allows.
pub fn importance_rows(model: &Model, n: usize) -> usize {
    rows_within(steps_per_row(model), n)
}

/// Of `n` rows at `steps` each, how many [`IMPORTANCE_BUDGET`] and
/// [`MAX_IMPORTANCE_ROWS`] allow.
fn rows_within(steps: f64, n: usize) -> usize {
    let affordable = IMPORTANCE_BUDGET / steps.max(1.0);
    n.min(MAX_IMPORTANCE_ROWS).min(affordable as usize)
}

/// `importance` over the rows of `x` (preprocessed test rows): mean
/// |contribution| per input feature, ranked. Rows are explained in parallel
/// and summed in row order, so the result is the same for any thread count.
pub fn importance(artifact: &ModelArtifact, x: &Matrix) -> Result<Importance, String> {
    let probe = Explainer::new(artifact)?;
    let (units, d) = (probe.units(), probe.n_inputs());
    // Blocks of rows in parallel, each explainer a clone sharing the leaf
    // tables; a row's values do not depend on its block. At least 16
    // blocks, so that a few costly rows (a deep forest) still use every
    // core.
    let block = (x.rows / 16).clamp(1, 512);
    let blocks: Vec<Range<usize>> = (0..x.rows)
        .step_by(block)
        .map(|s| s..(s + block).min(x.rows))
        .collect();
    let per_block: Vec<Vec<(f64, Vec<f64>)>> = blocks
        .into_par_iter()
        .map_init(|| probe.clone(), |ex, r| ex.explain_rows(x, r))
        .collect();
    let per_row: Vec<Vec<f64>> = per_block.into_iter().flatten().map(|(_, c)| c).collect();
    let mut sums = vec![0.0; d];
    for r in &per_row {
        for (s, v) in sums.iter_mut().zip(r) {
            *s += v.abs();
        }
    }
    let n = x.rows.max(1) as f64;
    let names = artifact.preprocessor.input_names();
    let features: BTreeMap<String, f64> = names
        .iter()
        .zip(&sums)
        .map(|(k, s)| (k.clone(), s / n))
        .collect();
    let mut ranked: Vec<(String, f64)> = features.iter().map(|(k, v)| (k.clone(), *v)).collect();
    ranked.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    Ok(Importance {
        units: units.name().to_string(),
        features,
        ranked: ranked.into_iter().map(|(k, _)| k).collect(),
        rows: x.rows as u64,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn node(feature: u32, left: u32) -> Node {
        Node {
            feature,
            left,
            threshold: 0.5,
            value: 0.0,
        }
    }

    #[test]
    fn steps_count_each_leaf_by_its_squared_depth() {
        // A leaf alone: depth 0.
        assert_eq!(tree_steps(&[node(0, 0)]), 1.0);
        // Root -> (leaf, split -> (leaf, leaf)): depths 1, 2, 2.
        let tree = [node(0, 1), node(0, 0), node(1, 3), node(0, 0), node(0, 0)];
        assert_eq!(tree_steps(&tree), 4.0 + 9.0 + 9.0);
    }

    #[test]
    fn costly_models_explain_fewer_rows() {
        assert_eq!(rows_within(100.0, 1409), 1409);
        assert_eq!(rows_within(100.0, 50_000), MAX_IMPORTANCE_ROWS);
        // A default forest on the telco example: about 1.8e7 steps a row.
        assert_eq!(rows_within(1.8e7, 1409), 83);
        assert_eq!(rows_within(f64::INFINITY, 1409), 0);
        assert_eq!(rows_within(0.0, 10), 10);
    }
}
