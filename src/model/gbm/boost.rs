//! The boosting state and the data plumbing of `fit`: input checks, the
//! stratified early-stopping hold-out, row subsets, gradients, row and
//! feature sampling, and score updates after each tree.

use super::bundle::Bundles;
use super::{grow_tree, sigmoid, GbmParams, GbmTree};
use crate::features::Matrix;
use crate::model::binning::Binned;
use crate::model::grow::{mix64, SplitMix64};
use anyhow::{bail, ensure, Result};
use rayon::prelude::*;
use std::borrow::Cow;

impl GbmTree {
    /// `leaf_value` of row `i` of a column-major matrix.
    pub(super) fn leaf_value_col(&self, x: &Matrix, i: usize) -> f64 {
        crate::model::node::leaf_value_col(&self.nodes, &self.nan_left, x, i)
    }
}

/// Shapes, 0/1 labels, no infinities (NaN means missing).
pub(super) fn check_data(x: &Matrix, y: &[u8]) -> Result<()> {
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
    ensure!(
        x.rows < u32::MAX as usize && x.cols < u32::MAX as usize,
        "too large for gradient_boosting ({} x {})",
        x.rows,
        x.cols
    );
    if let Some(i) = y.iter().position(|&v| v > 1) {
        bail!("label of row {i} is {}, expected 0 or 1", y[i]);
    }
    if let Some(k) = x.data.iter().position(|v| v.is_infinite()) {
        bail!(
            "feature {} of row {} is infinite ({}); gradient_boosting accepts NaN as \
             missing but not infinities",
            k / x.rows,
            k % x.rows,
            x.data[k]
        );
    }
    Ok(())
}

/// (training rows, validation rows), both ascending. With early stopping,
/// each class is shuffled by its own seeded stream and `validation_fraction`
/// of it (rounded, but never all of it) is held out.
pub(super) fn holdout(
    p: &GbmParams,
    y: &[u8],
    seed: u64,
    notes: &mut Vec<String>,
) -> (Vec<u32>, Vec<u32>) {
    let all: Vec<u32> = (0..y.len() as u32).collect();
    if p.early_stopping_rounds == 0 {
        return (all, Vec::new());
    }
    let mut valid = Vec::new();
    for class in 0..2u8 {
        let mut rows: Vec<u32> = all
            .iter()
            .copied()
            .filter(|&i| y[i as usize] == class)
            .collect();
        let k = ((rows.len() as f64 * p.validation_fraction).round() as usize)
            .min(rows.len().saturating_sub(1));
        let mut rng = SplitMix64::new(mix64(seed ^ 0x05EE_D0F0_A11D ^ u64::from(class)));
        for i in 0..k {
            let r = i + rng.below(rows.len() - i);
            rows.swap(i, r);
        }
        valid.extend_from_slice(&rows[..k]);
    }
    if valid.is_empty() {
        notes.push(
            "gradient_boosting: too few rows to hold out a validation set; early \
             stopping is off"
                .into(),
        );
        return (all, Vec::new());
    }
    valid.sort_unstable();
    let mut is_valid = vec![false; y.len()];
    valid.iter().for_each(|&i| is_valid[i as usize] = true);
    let train = all.into_iter().filter(|&i| !is_valid[i as usize]).collect();
    (train, valid)
}

/// The rows `idx` of `x` and `y`: borrowed when `idx` is all rows (no
/// hold-out), as copying the whole table costs time and doubles its memory.
pub(super) fn subset<'a>(
    x: &'a Matrix,
    y: &'a [u8],
    idx: &[u32],
) -> (Cow<'a, Matrix>, Cow<'a, [u8]>) {
    if idx.len() == x.rows {
        return (Cow::Borrowed(x), Cow::Borrowed(y));
    }
    let mut m = Matrix::zeros(idx.len(), x.cols);
    for j in 0..x.cols {
        let (src, dst) = (x.col(j), m.col_mut(j));
        dst.iter_mut()
            .zip(idx)
            .for_each(|(d, &i)| *d = src[i as usize]);
    }
    (
        Cow::Owned(m),
        Cow::Owned(idx.iter().map(|&i| y[i as usize]).collect()),
    )
}

/// Mean log-loss of raw scores `z` (stable: `softplus(z) - y z`), summed in
/// row order.
pub(super) fn log_loss(z: &[f64], y: &[u8]) -> f64 {
    let s: f64 = z
        .iter()
        .zip(y)
        .map(|(&z, &y)| z.max(0.0) + (-z.abs()).exp().ln_1p() - f64::from(y) * z)
        .sum();
    s / z.len() as f64
}

/// The boosting state over the training rows.
pub(super) struct Booster<'a> {
    p: &'a GbmParams,
    data: &'a Binned,
    y: &'a [u8],
    /// `data`'s features bundled, codes row-major, for the histograms.
    bundles: Bundles,
    score: Vec<f64>,
    /// Per row (gradient, hessian), packed: one load per row in a histogram.
    gh: Vec<[f64; 2]>,
}

impl<'a> Booster<'a> {
    pub(super) fn new(p: &'a GbmParams, data: &'a Binned, y: &'a [u8], init: f64) -> Booster<'a> {
        let n = y.len();
        Booster {
            p,
            data,
            y,
            bundles: Bundles::new(data),
            score: vec![init; n],
            gh: vec![[0.0; 2]; n],
        }
    }

    /// Grows one tree on the current gradients and adds it to the scores.
    pub(super) fn round(&mut self, x: &Matrix, rng: &mut SplitMix64) -> GbmTree {
        let y = self.y;
        self.gh
            .par_iter_mut()
            .zip(&self.score)
            .zip(y)
            .for_each(|((gh, &z), &y)| {
                let p = sigmoid(z);
                *gh = [p - f64::from(y), p * (1.0 - p)];
            });
        let n = y.len();
        let rows: Vec<u32> = if self.p.subsample < 1.0 {
            // Keep a row when a uniform 53-bit draw is below `subsample`.
            let cut = (self.p.subsample * (1u64 << 53) as f64) as u64;
            let s: Vec<u32> = (0..n as u32)
                .filter(|_| rng.next_u64() >> 11 < cut)
                .collect();
            if s.is_empty() && n > 0 {
                // A tiny `subsample` keeps one row, not all of them: the
                // tree is then as weak as asked for.
                vec![rng.below(n) as u32]
            } else {
                s
            }
        } else {
            (0..n as u32).collect()
        };
        let d = self.data.cols;
        let k = ((self.p.colsample * d as f64).round() as usize).clamp(1, d.max(1));
        let mut features: Vec<usize> = (0..d).collect();
        if k < d {
            for i in 0..k {
                let r = i + rng.below(d - i);
                features.swap(i, r);
            }
            features.truncate(k);
            features.sort_unstable();
        }
        let cfg = grow_tree::Limits {
            max_depth: self.p.max_depth,
            min_leaf: self.p.min_samples_leaf as f64,
            l2: self.p.l2,
            learning_rate: self.p.learning_rate,
        };
        let all_rows = rows.len() == n;
        let codes = grow_tree::Codes {
            binned: self.data,
            bundles: &self.bundles,
        };
        let (tree, leaves, idx) = grow_tree::grow(codes, &self.gh, rows, &features, &cfg);
        if all_rows {
            // Each leaf's rows are a contiguous range of the partitioned `idx`.
            for (node, start, end) in leaves {
                let v = tree.nodes[node].value;
                for &i in &idx[start..end] {
                    self.score[i as usize] += v;
                }
            }
        } else {
            self.score
                .par_iter_mut()
                .enumerate()
                .for_each(|(i, z)| *z += tree.leaf_value_col(x, i));
        }
        tree
    }
}
