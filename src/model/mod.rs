//! Model kinds: hyper-parameters, training and scoring.
//!
//! Every model scores one row of preprocessed features (`score_row`, the
//! serving path, allocation-free) and a whole matrix (`score_matrix`). Scores
//! are the positive-class probability in [0, 1].
//!
//! All trained kinds are our own code (gradient boosting too, see `gbm`): smartcore 0.7 has no `predict_proba` for
//! logistic regression or random forests, its tree's `predict_proba` is one-hot
//! (1.0 for the leaf's majority class), and it fits forests serially. smartcore
//! serves as an independent oracle in the tests.
pub mod binning;
pub mod forest;
pub mod gbm;
pub mod grow;
pub mod logistic;
pub mod node;
pub mod onnx;
mod optim;
pub mod scorer;
pub mod scores;
pub mod shap;
pub mod tree;

use crate::features::Matrix;
use anyhow::{bail, ensure};
use serde::{Deserialize, Serialize};

/// The model kinds `[model] kind` accepts.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default, schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum ModelKind {
    #[default]
    LogisticRegression,
    RandomForest,
    DecisionTree,
    /// Histogram gradient-boosted trees on log-loss, trained here.
    GradientBoosting,
    /// A model trained elsewhere, scored by ONNX Runtime.
    Onnx,
    /// Predictions made elsewhere, already in the data.
    Scores,
}

impl ModelKind {
    pub fn name(self) -> &'static str {
        match self {
            ModelKind::LogisticRegression => "logistic_regression",
            ModelKind::RandomForest => "random_forest",
            ModelKind::DecisionTree => "decision_tree",
            ModelKind::GradientBoosting => "gradient_boosting",
            ModelKind::Onnx => "onnx",
            ModelKind::Scores => "scores",
        }
    }

    /// Whether release-gate trains this kind (else every row is evaluated).
    pub fn trains(self) -> bool {
        !matches!(self, ModelKind::Onnx | ModelKind::Scores)
    }
}

/// `[model] kind = "onnx"`: the file and how to feed and read it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OnnxSpec {
    /// Resolved against the config's directory.
    pub path: std::path::PathBuf,
    /// The data columns fed to a model with one tensor input, in order.
    pub inputs: Option<Vec<String>>,
    /// The probability output's name.
    pub output: Option<String>,
    /// The positive class's column of that output.
    pub positive_index: Option<usize>,
}

/// `[model] kind = "scores"`: the columns holding the scores.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScoresSpec {
    pub score: String,
    pub champion_score: Option<String>,
    /// The champion column's own decision threshold (default: `threshold`).
    #[serde(default)]
    pub champion_threshold: Option<f64>,
}

/// Resolved hyper-parameters of one kind (parsed from `[model.params]`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ModelSpec {
    LogisticRegression(logistic::LogisticParams),
    RandomForest(forest::ForestParams),
    DecisionTree(tree::TreeParams),
    GradientBoosting(gbm::GbmParams),
    Onnx(OnnxSpec),
    Scores(ScoresSpec),
}

impl ModelSpec {
    pub fn kind(&self) -> ModelKind {
        match self {
            ModelSpec::LogisticRegression(_) => ModelKind::LogisticRegression,
            ModelSpec::RandomForest(_) => ModelKind::RandomForest,
            ModelSpec::DecisionTree(_) => ModelKind::DecisionTree,
            ModelSpec::GradientBoosting(_) => ModelKind::GradientBoosting,
            ModelSpec::Onnx(_) => ModelKind::Onnx,
            ModelSpec::Scores(_) => ModelKind::Scores,
        }
    }

    /// The data columns that hold scores made elsewhere (`kind = "scores"`:
    /// `score`, then `champion_score`); none for other kinds.
    pub fn score_columns(&self) -> Vec<&str> {
        match self {
            ModelSpec::Scores(s) => std::iter::once(s.score.as_str())
                .chain(s.champion_score.as_deref())
                .collect(),
            _ => Vec::new(),
        }
    }

    /// The parameters as a JSON object (for `report.json` `model.params`).
    pub fn params_json(&self) -> serde_json::Value {
        let v = match self {
            ModelSpec::LogisticRegression(p) => serde_json::to_value(p),
            ModelSpec::RandomForest(p) => serde_json::to_value(p),
            ModelSpec::DecisionTree(p) => serde_json::to_value(p),
            ModelSpec::GradientBoosting(p) => serde_json::to_value(p),
            ModelSpec::Onnx(p) => serde_json::to_value(p),
            ModelSpec::Scores(p) => serde_json::to_value(p),
        };
        v.unwrap_or(serde_json::Value::Null)
    }
}

/// A trained model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Model {
    LogisticRegression(logistic::Logistic),
    RandomForest(forest::Forest),
    DecisionTree(tree::Tree),
    GradientBoosting(gbm::Gbm),
}

impl Model {
    pub fn kind(&self) -> ModelKind {
        match self {
            Model::LogisticRegression(_) => ModelKind::LogisticRegression,
            Model::RandomForest(_) => ModelKind::RandomForest,
            Model::DecisionTree(_) => ModelKind::DecisionTree,
            Model::GradientBoosting(_) => ModelKind::GradientBoosting,
        }
    }

    /// Whether the model reads exactly `width` preprocessed inputs: a model
    /// edited or truncated on disk is refused when loaded, not trusted.
    pub fn check_width(&self, width: usize) -> Result<(), String> {
        let trees_ok = |trees: &[tree::Tree]| {
            trees
                .iter()
                .flat_map(|t| t.nodes())
                .all(|n| n.left == 0 || (n.feature as usize) < width)
        };
        match self {
            Model::LogisticRegression(m) => {
                if m.coef.len() != width {
                    return Err(format!("{} coefficients for {width} inputs", m.coef.len()));
                }
                if !(m.intercept.is_finite() && m.coef.iter().all(|c| c.is_finite())) {
                    return Err("a coefficient is not a finite number".into());
                }
            }
            Model::RandomForest(m) if !trees_ok(m.trees()) => {
                return Err(format!(
                    "a tree splits on an input beyond the {width} it has"
                ));
            }
            Model::DecisionTree(m) if !trees_ok(std::slice::from_ref(m)) => {
                return Err(format!(
                    "the tree splits on an input beyond the {width} it has"
                ));
            }
            Model::GradientBoosting(m) => m.validate(width)?,
            _ => {}
        }
        Ok(())
    }

    /// Positive-class score of one preprocessed row (`x.len()` = feature count).
    pub fn score_row(&self, x: &[f64]) -> f64 {
        match self {
            Model::LogisticRegression(m) => m.score_row(x),
            Model::RandomForest(m) => m.score_row(x),
            Model::DecisionTree(m) => m.score_row(x),
            Model::GradientBoosting(m) => m.score_row(x),
        }
    }

    /// Positive-class scores of every row of `x`.
    pub fn score_matrix(&self, x: &Matrix) -> Vec<f64> {
        match self {
            Model::LogisticRegression(m) => m.score_matrix(x),
            Model::RandomForest(m) => m.score_matrix(x),
            Model::DecisionTree(m) => m.score_matrix(x),
            Model::GradientBoosting(m) => m.score_matrix(x),
        }
    }
}

/// Trains `spec` on `x` (rows = samples) and 0/1 labels `y`.
/// Same inputs + seed => bit-identical model, whatever the thread count.
pub fn train(spec: &ModelSpec, x: &Matrix, y: &[u8], seed: u64) -> anyhow::Result<Model> {
    train_observed(spec, x, y, seed, &|_, _| {})
}

/// Progress of a fit: `(done, total)` units (trees of a forest), or
/// `(iteration, 0)` when the total is unknown (solver iterations). Called from
/// worker threads; it never influences the result.
pub type Tick<'a> = &'a (dyn Fn(usize, usize) + Sync);

/// [`train`], reporting progress through `tick`.
pub fn train_observed(
    spec: &ModelSpec,
    x: &Matrix,
    y: &[u8],
    seed: u64,
    tick: Tick,
) -> anyhow::Result<Model> {
    Ok(train_noted(spec, x, y, seed, tick)?.0)
}

/// [`train_observed`], also returning what the fit wants the report's
/// `notes` to say (a class rarer than a leaf, early stopping...).
pub fn train_noted(
    spec: &ModelSpec,
    x: &Matrix,
    y: &[u8],
    seed: u64,
    tick: Tick,
) -> anyhow::Result<(Model, Vec<String>)> {
    if let ModelSpec::GradientBoosting(p) = spec {
        let (m, info) = gbm::fit_observed(p, x, y, seed, tick)?;
        return Ok((Model::GradientBoosting(m), info.notes));
    }
    let model = match spec {
        ModelSpec::LogisticRegression(p) => {
            Model::LogisticRegression(logistic::fit_observed(p, x, y, tick)?)
        }
        ModelSpec::RandomForest(p) => {
            Model::RandomForest(forest::fit_observed(p, x, y, seed, tick)?)
        }
        ModelSpec::DecisionTree(p) => Model::DecisionTree(tree::fit(p, x, y, seed)?),
        ModelSpec::GradientBoosting(_) => bail!("gradient boosting is trained above"),
        ModelSpec::Onnx(_) | ModelSpec::Scores(_) => {
            bail!(
                "{} models are made elsewhere: nothing is trained",
                spec.kind().name()
            )
        }
    };
    Ok((model, Vec::new()))
}

impl ModelSpec {
    /// Parameter ranges, checked when `gates.toml` is read (so a bad value is
    /// reported at its line before any data is loaded) and again by `fit`.
    pub fn check_params(&self) -> Result<(), String> {
        let depth = |d: Option<usize>| match d {
            Some(0) => Err("max_depth must be >= 1 (leave it out for no limit)".to_string()),
            _ => Ok(()),
        };
        match self {
            ModelSpec::LogisticRegression(p) => p.check(),
            ModelSpec::RandomForest(p) => {
                check_trees(p.n_trees)?;
                depth(p.max_depth)?;
                check_leaf_and_bins(p.min_samples_leaf, p.max_bins)
            }
            ModelSpec::DecisionTree(p) => {
                if p.min_samples_split < 2 {
                    return Err(format!(
                        "min_samples_split must be >= 2, got {}",
                        p.min_samples_split
                    ));
                }
                depth(p.max_depth)?;
                check_leaf_and_bins(p.min_samples_leaf, p.max_bins)
            }
            ModelSpec::GradientBoosting(p) => p.check().map_err(|e| e.to_string()),
            ModelSpec::Onnx(_) | ModelSpec::Scores(_) => Ok(()),
        }
    }
}

/// Most trees a forest or a boosted model may have: far above any useful
/// model, far below what would exhaust memory before training starts.
pub const MAX_TREES: usize = 100_000;

/// `n_trees` within `1..=MAX_TREES`.
pub(crate) fn check_trees(n_trees: usize) -> Result<(), String> {
    if (1..=MAX_TREES).contains(&n_trees) {
        Ok(())
    } else {
        Err(format!("n_trees must be in 1..={MAX_TREES}, got {n_trees}"))
    }
}

/// The ranges trees and forests share: at least one row per leaf, 2 to
/// [`binning::MAX_BINS`] histogram bins.
pub(crate) fn check_leaf_and_bins(min_samples_leaf: usize, max_bins: usize) -> Result<(), String> {
    if min_samples_leaf == 0 {
        return Err("min_samples_leaf must be >= 1".to_string());
    }
    if !(2..=binning::MAX_BINS).contains(&max_bins) {
        return Err(format!(
            "max_bins must be in 2..={}, got {max_bins}",
            binning::MAX_BINS
        ));
    }
    Ok(())
}

/// Checks shared by every model kind: shapes, 0/1 labels, finite features.
pub(crate) fn validate_xy(x: &Matrix, y: &[u8]) -> anyhow::Result<()> {
    ensure!(x.rows > 0, "cannot train on an empty table (0 rows)");
    ensure!(
        x.data.len() == x.rows * x.cols,
        "feature matrix is malformed: {} values for {} x {}",
        x.data.len(),
        x.rows,
        x.cols
    );
    ensure!(
        y.len() == x.rows,
        "{} labels for {} feature rows",
        y.len(),
        x.rows
    );
    if let Some(i) = y.iter().position(|&v| v > 1) {
        bail!("label of row {i} is {}, expected 0 or 1", y[i]);
    }
    if let Some(k) = x.data.iter().position(|v| !v.is_finite()) {
        bail!(
            "feature {} of row {} is not finite ({})",
            k / x.rows,
            k % x.rows,
            x.data[k]
        );
    }
    Ok(())
}
