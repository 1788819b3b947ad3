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
use crate::model::shap::memo::{Memo, TreeView};
use crate::model::{shap, Model};
use rayon::prelude::*;
use std::collections::BTreeMap;
use std::ops::Range;
use std::sync::Arc;

/// At most this many test rows are explained for `importance` (a seeded
/// sample when there are more): TreeSHAP costs ~100x a prediction.
pub const MAX_IMPORTANCE_ROWS: usize = 2000;

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
    /// tables made once, shared by clones), and the base.
    gbm: Option<(Arc<Vec<TreeView<'a>>>, f64)>,
    memo: Memo,
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
            Model::GradientBoosting(m) => Some((Arc::new(m.shap_views()), m.shap_base())),
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
        })
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
                Some((views, base)) => {
                    enc.fill(0.0);
                    for v in views.iter() {
                        v.add_row(x, enc, &mut self.memo);
                    }
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
    /// model's leaf tables ([`crate::model::shap::memo`]); the values equal
    /// [`Explainer::explain`]'s bit for bit.
    pub fn explain_rows(&mut self, x: &Matrix, rows: Range<usize>) -> Vec<(f64, Vec<f64>)> {
        let (Model::GradientBoosting(m), Some((views, base))) = (self.model, &self.gbm) else {
            let mut row = vec![0.0; x.cols];
            return rows
                .map(|k| {
                    let mut out = vec![0.0; self.n_inputs];
                    x.row_into(k, &mut row);
                    (self.explain(&row, &mut out), out)
                })
                .collect();
        };
        let n_encoded = self.encoded.len();
        let width = n_encoded.max(1);
        let mut enc = vec![0.0; rows.len() * width];
        m.contributions_block(views, x, rows, &mut enc, &mut self.memo);
        let base = *base;
        enc.chunks_exact(width)
            .map(|r| {
                self.encoded.copy_from_slice(&r[..n_encoded]);
                let mut out = vec![0.0; self.n_inputs];
                self.grouped(&mut out);
                (base, out)
            })
            .collect()
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

/// Up to [`MAX_IMPORTANCE_ROWS`] of `n` row positions: all of them, or a
/// seeded sample (sorted, so the result does not depend on draw order).
pub fn sample_rows(n: usize, seed: u64) -> Vec<usize> {
    if n <= MAX_IMPORTANCE_ROWS {
        return (0..n).collect();
    }
    // Partial Fisher-Yates over positions, driven by SplitMix64.
    let mut rng = crate::model::grow::SplitMix64::new(seed ^ 0x1b87_3593_c1d2_e5a7);
    let mut pos: Vec<usize> = (0..n).collect();
    for i in 0..MAX_IMPORTANCE_ROWS {
        let j = i + (rng.next_u64() % (n - i) as u64) as usize;
        pos.swap(i, j);
    }
    let mut s = pos[..MAX_IMPORTANCE_ROWS].to_vec();
    s.sort_unstable();
    s
}

/// `importance` over the rows of `x` (preprocessed test rows): mean
/// |contribution| per input feature, ranked. Rows are explained in parallel
/// and summed in row order, so the result is the same for any thread count.
pub fn importance(artifact: &ModelArtifact, x: &Matrix) -> Result<Importance, String> {
    let probe = Explainer::new(artifact)?;
    let (units, d) = (probe.units(), probe.n_inputs());
    // Blocks of rows in parallel, each explainer a clone sharing the leaf
    // tables; a row's values do not depend on its block.
    const BLOCK: usize = 512;
    let blocks: Vec<Range<usize>> = (0..x.rows)
        .step_by(BLOCK)
        .map(|s| s..(s + BLOCK).min(x.rows))
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
