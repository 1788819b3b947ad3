//! Binary-classification quality metrics (accuracy, precision, recall, F1,
//! ROC AUC, log loss, Brier score and the confusion matrix), defined exactly
//! as scikit-learn defines them so that `report.json` agrees with
//! `sklearn.metrics` to 1e-9 on the same predictions (SPEC §6).
//!
//! Conventions:
//! - `y_true` is 0/1; any non-zero value counts as the positive class.
//! - `y_pred = (score >= threshold)`.
//! - A metric that is undefined is `None`, never NaN: empty input, ROC AUC with
//!   a single class, or inputs scikit-learn would reject (non-finite scores for
//!   ROC AUC; scores outside `[0, 1]` or NaN for log loss and Brier).
//! - If `y_true` and `score` differ in length only the common prefix is used
//!   (callers are expected to pass equal lengths; this keeps the function total).
//! - Precision/recall/F1 use `zero_division=0` semantics.
//! - Log loss clips probabilities to `[eps, 1 - eps]` with
//!   `eps = f64::EPSILON` (2.220446049250313e-16), as scikit-learn >= 1.5
//!   does (`np.finfo(y_proba.dtype).eps`); verified against scikit-learn 1.9.1.

use crate::domain::metric::LOG_LOSS_EPS;
use crate::domain::Metric;
use crate::evaluate::ranked::Ranked;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

/// Binary confusion matrix with the positive class = 1.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, schemars::JsonSchema,
)]
pub struct Confusion {
    pub tp: u64,
    pub fp: u64,
    pub tn: u64,
    /// False negatives; `fn` is a Rust keyword, hence the trailing underscore.
    #[serde(rename = "fn")]
    pub fn_: u64,
}

/// All quality metrics of one model on one test set. `None` = undefined.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Metrics {
    pub accuracy: Option<f64>,
    pub precision: Option<f64>,
    pub recall: Option<f64>,
    pub f1: Option<f64>,
    pub roc_auc: Option<f64>,
    pub log_loss: Option<f64>,
    pub brier: Option<f64>,
    pub confusion: Confusion,
}

/// Confusion matrix of hard predictions (non-zero = positive).
pub fn confusion(y_true: &[u8], y_pred: &[u8]) -> Confusion {
    let n = y_true.len().min(y_pred.len());
    // Sums of 0/1 flags rather than a four-way branch per row: labels and
    // predictions are unpredictable row to row, and sums vectorise.
    let counts = |y: &[u8], p: &[u8]| {
        let (mut tp, mut t, mut q) = (0u64, 0u64, 0u64);
        for (&y, &p) in y.iter().zip(p) {
            let (y, p) = (u64::from(y != 0), u64::from(p != 0));
            tp += y & p;
            t += y;
            q += p;
        }
        (tp, t, q)
    };
    let (tp, t, q) = by_blocks(&y_true[..n], &y_pred[..n], MEAN_BLOCK, counts)
        .into_iter()
        .fold((0, 0, 0), |a, b| (a.0 + b.0, a.1 + b.1, a.2 + b.2));
    Confusion {
        tp,
        fp: q - tp,
        // Rows that are neither labelled nor predicted positive (t + q - tp
        // rows are either), never below zero on the way.
        tn: n as u64 + tp - t - q,
        fn_: t - tp,
    }
}

/// `block` of each `size`-row block of the common prefix of `a` and `b`,
/// side by side, in block order: what is then added in that order gives
/// the same bits for any thread count.
pub fn by_blocks<A: Sync, B: Sync, T: Send>(
    a: &[A],
    b: &[B],
    size: usize,
    block: impl Fn(&[A], &[B]) -> T + Sync,
) -> Vec<T> {
    let n = a.len().min(b.len());
    a[..n]
        .par_chunks(size)
        .zip(b[..n].par_chunks(size))
        .map(|(a, b)| block(a, b))
        .collect()
}

/// Computes every metric; `y_pred = (score >= threshold)`.
pub fn compute(y_true: &[u8], score: &[f64], threshold: f64) -> Metrics {
    let ranked = Ranked::new(y_true, score);
    compute_ranked(y_true, score, &predicted(score, threshold), ranked.as_ref())
}

/// `score >= threshold` as 0/1, row by row.
pub fn predicted(score: &[f64], threshold: f64) -> Vec<u8> {
    score
        .par_iter()
        .map(|&s| u8::from(s >= threshold))
        .collect()
}

/// [`compute`] with the hard predictions made ([`predicted`]) and the
/// scores already ranked (`None`: ROC AUC undefined).
pub fn compute_ranked(
    y_true: &[u8],
    score: &[f64],
    y_pred: &[u8],
    ranked: Option<&Ranked>,
) -> Metrics {
    let n = y_true.len().min(score.len()).min(y_pred.len());
    let (y_true, score) = (&y_true[..n], &score[..n]);
    let c = confusion(y_true, &y_pred[..n]);
    if n == 0 {
        return Metrics {
            accuracy: None,
            precision: None,
            recall: None,
            f1: None,
            roc_auc: None,
            log_loss: None,
            brier: None,
            confusion: c,
        };
    }
    let probabilities = all_probabilities(score);
    Metrics {
        accuracy: Some(ratio_or_zero(c.tp + c.tn, n as u64)),
        precision: Some(ratio_or_zero(c.tp, c.tp + c.fp)),
        recall: Some(ratio_or_zero(c.tp, c.tp + c.fn_)),
        // sklearn computes F1 as 2tp / (2tp + fp + fn), not 2PR / (P + R);
        // using the same formula keeps the rounding identical.
        f1: Some(ratio_or_zero(2 * c.tp, 2 * c.tp + c.fp + c.fn_)),
        roc_auc: ranked.map(Ranked::roc_auc),
        log_loss: probabilities
            .then(|| cross_entropy(y_true, score))
            .flatten(),
        brier: probabilities
            .then(|| squared_error(y_true, score))
            .flatten(),
        confusion: c,
    }
}

/// `num / den`, or 0.0 when `den == 0` (sklearn's `zero_division=0`).
fn ratio_or_zero(num: u64, den: u64) -> f64 {
    if den == 0 {
        0.0
    } else {
        num as f64 / den as f64
    }
}

/// ROC AUC as `sklearn.metrics.roc_auc_score` for binary targets
/// ([`Ranked::roc_auc`]). `None` with a single class or any non-finite
/// score (sklearn raises).
pub fn roc_auc(y_true: &[u8], score: &[f64]) -> Option<f64> {
    Ranked::new(y_true, score).map(|r| r.roc_auc())
}

/// Mean cross-entropy as `sklearn.metrics.log_loss(y, p, labels=[0, 1])`.
///
/// sklearn builds the column `1 - p` first and then clips both columns to
/// `[eps, 1 - eps]`, so the negative-class term clips `1 - p`, not `p`.
/// `None` for empty input or any score outside `[0, 1]` / NaN (sklearn raises).
pub fn log_loss(y_true: &[u8], score: &[f64]) -> Option<f64> {
    all_probabilities(score)
        .then(|| cross_entropy(y_true, score))
        .flatten()
}

/// [`log_loss`] of scores known to be probabilities.
///
/// One logarithm per [`FACTORS`] rows, of the product of their clipped
/// probabilities: no product of so few factors of at least 1e-15
/// underflows, and its rounding moves the mean by far less than 1e-15 of
/// itself.
fn cross_entropy(y_true: &[u8], score: &[f64]) -> Option<f64> {
    let clipped = |t: u8, p: f64| {
        let q = if t != 0 { p } else { 1.0 - p };
        q.clamp(LOG_LOSS_EPS, 1.0 - LOG_LOSS_EPS)
    };
    mean_of_blocks(y_true, score, |y, s| {
        let mut acc = Neumaier::default();
        let (y_tail, s_tail) = (y.chunks_exact(FACTORS), s.chunks_exact(FACTORS));
        let tail = y_tail.remainder().iter().zip(s_tail.remainder());
        let tail = tail.fold(1.0, |prod, (&t, &p)| prod * clipped(t, p));
        for (y, s) in y_tail.zip(s_tail) {
            let prod = y
                .iter()
                .zip(s)
                .fold(1.0, |prod, (&t, &p)| prod * clipped(t, p));
            acc.add(-prod.ln());
        }
        acc.add(-tail.ln());
        acc
    })
}

/// Rows whose probabilities [`cross_entropy`] multiplies before taking
/// one logarithm.
const FACTORS: usize = 8;

/// Brier score as `sklearn.metrics.brier_score_loss`: mean of (p - y)^2.
/// `None` for empty input or any score outside `[0, 1]` / NaN (sklearn raises).
pub fn brier(y_true: &[u8], score: &[f64]) -> Option<f64> {
    all_probabilities(score)
        .then(|| squared_error(y_true, score))
        .flatten()
}

/// [`brier`] of scores known to be probabilities.
fn squared_error(y_true: &[u8], score: &[f64]) -> Option<f64> {
    mean(y_true, score, |t, p| {
        let d = p - f64::from(u8::from(t != 0));
        d * d
    })
}

/// True when every score is a probability (NaN fails both comparisons).
fn all_probabilities(score: &[f64]) -> bool {
    score.par_iter().all(|&p| (0.0..=1.0).contains(&p))
}

/// Rows per block of [`mean`]: a test set of up to this many rows is
/// summed in one sequential pass.
const MEAN_BLOCK: usize = 1 << 16;

/// Mean of `term(y, score)` over the common prefix, with Neumaier-compensated
/// summation, accurate enough to agree with numpy's pairwise sum far below
/// 1e-9. Fixed blocks of [`MEAN_BLOCK`] rows are summed side by side and
/// their (sum, compensation) pairs added in block order: the same bits for
/// any thread count.
///
/// The terms of each [`TERMS`] rows are added plainly first (a few
/// roundings of a sum of eight), and that sum to the compensated one:
/// one compensated step, a chain of dependent additions, per eight rows
/// rather than per row.
fn mean(y_true: &[u8], score: &[f64], term: impl Fn(u8, f64) -> f64 + Sync) -> Option<f64> {
    mean_of_blocks(y_true, score, |y, s| {
        let sum = |y: &[u8], s: &[f64]| -> f64 { y.iter().zip(s).map(|(&t, &p)| term(t, p)).sum() };
        let mut acc = Neumaier::default();
        let (y_terms, s_terms) = (y.chunks_exact(TERMS), s.chunks_exact(TERMS));
        let tail = sum(y_terms.remainder(), s_terms.remainder());
        for (y, s) in y_terms.zip(s_terms) {
            acc.add(sum(y, s));
        }
        acc.add(tail);
        acc
    })
}

/// Rows whose terms [`mean`] adds plainly before the compensated sum.
const TERMS: usize = 8;

/// [`mean`] of the sums `block` gives of each block of rows.
fn mean_of_blocks(
    y_true: &[u8],
    score: &[f64],
    block: impl Fn(&[u8], &[f64]) -> Neumaier + Sync,
) -> Option<f64> {
    let n = y_true.len().min(score.len());
    if n == 0 {
        return None;
    }
    let blocks = by_blocks(y_true, score, MEAN_BLOCK, block);
    let acc = match blocks.as_slice() {
        [one] => return Some((one.sum + one.comp) / n as f64),
        _ => blocks.iter().fold(Neumaier::default(), |mut acc, block| {
            acc.add(block.sum);
            acc.add(block.comp);
            acc
        }),
    };
    Some((acc.sum + acc.comp) / n as f64)
}

/// A running Neumaier-compensated sum.
#[derive(Clone, Copy, Default)]
struct Neumaier {
    sum: f64,
    comp: f64,
}

impl Neumaier {
    fn add(&mut self, v: f64) {
        let t = self.sum + v;
        // Recover the low-order bits lost in `sum + v`, whichever is larger.
        self.comp += if self.sum.abs() >= v.abs() {
            (self.sum - t) + v
        } else {
            (v - t) + self.sum
        };
        self.sum = t;
    }
}

impl Metrics {
    /// The value of `metric`, `None` when undefined on this test set.
    pub fn get(&self, metric: Metric) -> Option<f64> {
        match metric {
            Metric::Accuracy => self.accuracy,
            Metric::Precision => self.precision,
            Metric::Recall => self.recall,
            Metric::F1 => self.f1,
            Metric::RocAuc => self.roc_auc,
            Metric::LogLoss => self.log_loss,
            Metric::Brier => self.brier,
        }
    }
}

/// The metric called `name` in a report, or `None` if undefined/unknown
/// (reports carry metric names as text).
pub fn named(m: &Metrics, name: &str) -> Option<f64> {
    Metric::parse(name).and_then(|metric| m.get(metric))
}

#[cfg(test)]
mod tests {
    //! Known answers computed with scikit-learn 1.9.1 / numpy 2.4.6:
    //!
    //! ```python
    //! import numpy as np
    //! from sklearn.metrics import (accuracy_score, precision_score, recall_score,
    //!     f1_score, roc_auc_score, log_loss, brier_score_loss, confusion_matrix)
    //! def report(y, p, thr):
    //!     y = np.asarray(y); p = np.asarray(p, dtype=float)
    //!     yp = (p >= thr).astype(int)
    //!     tn, fp, fn, tp = confusion_matrix(y, yp, labels=[0, 1]).ravel()
    //!     return dict(
    //!         accuracy=accuracy_score(y, yp),
    //!         precision=precision_score(y, yp, zero_division=0),
    //!         recall=recall_score(y, yp, zero_division=0),
    //!         f1=f1_score(y, yp, zero_division=0),
    //!         roc_auc=roc_auc_score(y, p) if len(set(y)) == 2 else None,
    //!         log_loss=log_loss(y, p, labels=[0, 1]),
    //!         brier=brier_score_loss(y, p))
    //! def lcg_data(n, seed):   # mirrored by `lcg_data` below
    //!     s = seed
    //!     def u():
    //!         nonlocal s
    //!         s = (s * 6364136223846793005 + 1442695040888963407) % 2**64
    //!         return (s >> 11) / float(2**53)
    //!     y, p = [], []
    //!     for i in range(n):
    //!         sc = np.floor(u() * 1000.0) / 1000.0   # 3 decimals -> many ties
    //!         if i % 97 == 0: sc = 0.0
    //!         if i % 89 == 0: sc = 1.0
    //!         y.append(1 if u() < sc * 0.8 + 0.1 else 0)
    //!         p.append(sc)
    //!     return np.array(y), np.array(p)
    //! ```
    use super::*;

    /// Past one block the sums are taken block by block, side by side:
    /// the same bits on one thread as on several, and as accurate as one
    /// sequential compensated pass.
    #[test]
    fn block_sums_are_the_same_bits_on_any_thread_count() {
        let n = 3 * MEAN_BLOCK + 17;
        let y: Vec<u8> = (0..n).map(|i| u8::from(i % 7 < 3)).collect();
        let p: Vec<f64> = (0..n)
            .map(|i| (i as f64 * 0.618_033_988_7).fract())
            .collect();
        let on = |threads| {
            rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap()
                .install(|| {
                    let cal: Vec<_> = crate::evaluate::curves::calibration(&y, &p)
                        .iter()
                        .map(|b| (b.count, b.mean_score.map(f64::to_bits)))
                        .collect();
                    (
                        log_loss(&y, &p).map(f64::to_bits),
                        brier(&y, &p).map(f64::to_bits),
                        confusion(
                            &y,
                            &p.iter().map(|&s| u8::from(s >= 0.5)).collect::<Vec<_>>(),
                        ),
                        cal,
                    )
                })
        };
        let one = on(1);
        assert_eq!(one, on(3));
        // One sequential compensated pass over every row.
        let mut seq = Neumaier::default();
        for (&t, &q) in y.iter().zip(&p) {
            let q = if t != 0 { q } else { 1.0 - q };
            seq.add(-q.clamp(LOG_LOSS_EPS, 1.0 - LOG_LOSS_EPS).ln());
        }
        let seq = (seq.sum + seq.comp) / n as f64;
        let blocks = f64::from_bits(one.0.unwrap());
        assert!((blocks - seq).abs() <= 1e-15 * seq, "{blocks} vs {seq}");
        let c = one.2;
        assert_eq!(c.tp + c.fp + c.tn + c.fn_, n as u64);
    }

    /// Expected values in `Metric::ALL` order, then (tp, fp, tn, fn).
    struct Expected {
        values: [Option<f64>; 7],
        confusion: (u64, u64, u64, u64),
    }

    fn check(y: &[u8], score: &[f64], threshold: f64, want: &Expected) {
        let m = compute(y, score, threshold);
        for (name, expected) in Metric::ALL.iter().zip(want.values) {
            let got = m.get(*name);
            match (got, expected) {
                (Some(g), Some(e)) => assert!((g - e).abs() < 1e-9, "{name}: {g} vs {e}"),
                (None, None) => {}
                _ => panic!("{name}: got {got:?}, want {expected:?}"),
            }
        }
        let (tp, fp, tn, fn_) = want.confusion;
        assert_eq!(m.confusion, Confusion { tp, fp, tn, fn_ });
    }

    /// Same generator as the Python `lcg_data` above.
    fn lcg_data(n: usize, seed: u64) -> (Vec<u8>, Vec<f64>) {
        let mut s = seed;
        let mut u = move || {
            s = s
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (s >> 11) as f64 / (1u64 << 53) as f64
        };
        let (mut y, mut p) = (Vec::with_capacity(n), Vec::with_capacity(n));
        for i in 0..n {
            let mut sc = (u() * 1000.0).floor() / 1000.0;
            if i % 97 == 0 {
                sc = 0.0;
            }
            if i % 89 == 0 {
                sc = 1.0;
            }
            y.push(u8::from(u() < sc * 0.8 + 0.1));
            p.push(sc);
        }
        (y, p)
    }

    #[test]
    fn normal_case() {
        let y = [0, 0, 1, 1, 0, 1, 0, 1, 1, 0];
        let p = [0.1, 0.4, 0.35, 0.8, 0.65, 0.9, 0.2, 0.55, 0.45, 0.05];
        let want = Expected {
            values: [
                Some(0.7),
                Some(0.75),
                Some(0.6),
                Some(0.6666666666666666),
                Some(0.8400000000000001),
                Some(0.47151159980683605),
                Some(0.16125),
            ],
            confusion: (3, 1, 4, 2),
        };
        check(&y, &p, 0.5, &want);
    }

    #[test]
    fn ties_in_scores() {
        let y = [0, 1, 0, 1, 1, 0, 0, 1, 0, 1, 1, 0];
        let p = [0.5, 0.5, 0.5, 0.5, 0.3, 0.3, 0.7, 0.7, 0.7, 0.5, 0.3, 0.5];
        let want = Expected {
            values: [
                Some(0.4166666666666667),
                Some(0.4444444444444444),
                Some(0.6666666666666666),
                Some(0.5333333333333333),
                Some(0.37499999999999994),
                Some(0.8073436823784067),
                Some(0.3033333333333333),
            ],
            confusion: (4, 5, 1, 2),
        };
        check(&y, &p, 0.5, &want);
    }

    #[test]
    fn one_class_only_has_no_roc_auc() {
        // sklearn's log_loss needs labels=[0, 1] here; we always assume them.
        let want = Expected {
            values: [
                Some(0.75),
                Some(1.0),
                Some(0.75),
                Some(0.8571428571428571),
                None,
                Some(0.6841124189059771),
                Some(0.24250000000000005),
            ],
            confusion: (3, 0, 0, 1),
        };
        check(&[1, 1, 1, 1], &[0.2, 0.6, 0.9, 0.6], 0.5, &want);
    }

    #[test]
    fn all_positive_predictions() {
        let want = Expected {
            values: [
                Some(0.6),
                Some(0.6),
                Some(1.0),
                Some(0.75),
                Some(0.6666666666666666),
                Some(0.5700356881904503),
                Some(0.20052000000000003),
            ],
            confusion: (3, 2, 0, 0),
        };
        check(&[0, 1, 1, 0, 1], &[0.6, 0.7, 0.9, 0.55, 0.51], 0.5, &want);
    }

    #[test]
    fn all_negative_predictions_zero_division() {
        let want = Expected {
            values: [
                Some(0.4),
                Some(0.0),
                Some(0.0),
                Some(0.0),
                Some(0.6666666666666666),
                Some(0.845620910480325),
                Some(0.32050000000000006),
            ],
            confusion: (0, 0, 2, 3),
        };
        check(&[0, 1, 1, 0, 1], &[0.1, 0.2, 0.3, 0.4, 0.45], 0.5, &want);
    }

    #[test]
    fn scores_exactly_zero_and_one_are_clipped() {
        let want = Expected {
            values: [
                Some(0.6666666666666666),
                Some(0.6666666666666666),
                Some(0.6666666666666666),
                Some(0.6666666666666666),
                Some(0.5555555555555556),
                Some(12.17802267187434),
                Some(0.3854166666666667),
            ],
            confusion: (2, 1, 2, 1),
        };
        let p = [1.0, 0.0, 0.0, 1.0, 0.5, 0.25];
        check(&[1, 0, 1, 0, 1, 0], &p, 0.5, &want);
    }

    #[test]
    fn empty_input_is_all_none() {
        let want = Expected {
            values: [None; 7],
            confusion: (0, 0, 0, 0),
        };
        check(&[], &[], 0.5, &want);
    }

    #[test]
    fn invalid_scores_make_dependent_metrics_none() {
        let m = compute(&[0, 1], &[f64::NAN, 0.7], 0.5);
        assert_eq!((m.roc_auc, m.log_loss, m.brier), (None, None, None));
        assert_eq!(m.accuracy, Some(1.0));
        // Raw scores outside [0, 1] still rank: only the probability losses go.
        let m = compute(&[0, 1], &[-3.0, 2.0], 0.0);
        assert_eq!((m.roc_auc, m.log_loss, m.brier), (Some(1.0), None, None));
    }

    #[test]
    fn lcg_10k_rows() {
        let (y, p) = lcg_data(10_000, 42);
        let want = Expected {
            values: [
                Some(0.7057),
                Some(0.704405022922065),
                Some(0.7076491790148178),
                Some(0.7060233742882829),
                Some(0.7799987431981903),
                Some(0.6225482025588766),
                Some(0.19417638480000002),
            ],
            confusion: (3534, 1483, 3523, 1460),
        };
        check(&y, &p, 0.5, &want);
    }

    #[test]
    fn lcg_1m_rows_summation_accuracy() {
        let (y, p) = lcg_data(1_000_000, 7);
        let want = Expected {
            values: [
                Some(0.705179),
                Some(0.7052710201024849),
                Some(0.704634664553999),
                Some(0.7049526987199182),
                Some(0.7731427381229413),
                Some(0.6637508007279326),
                Some(0.19745866205699997),
            ],
            confusion: (352206, 147185, 352973, 147636),
        };
        check(&y, &p, 0.5, &want);
    }

    #[test]
    fn names_and_directions() {
        let m = compute(&[0, 1], &[0.2, 0.8], 0.5);
        assert_eq!(named(&m, "roc_auc"), Some(1.0));
        assert_eq!(named(&m, "nope"), None);
        assert!(Metric::RocAuc.higher_is_better() && Metric::F1.higher_is_better());
        assert!(!Metric::LogLoss.higher_is_better() && !Metric::Brier.higher_is_better());
    }

    /// The flag sums give each cell as a match per row does, over several
    /// blocks, with any non-zero byte positive and lengths that differ.
    #[test]
    fn confusion_counts_each_cell_as_defined() {
        let n = 3 * MEAN_BLOCK + 17;
        let y: Vec<u8> = (0..n).map(|i| ((i * 7 + i / 5) % 3) as u8).collect();
        let p: Vec<u8> = (0..n + 9).map(|i| ((i * 11 + i / 3) % 4) as u8).collect();
        let mut want = Confusion::default();
        for (&t, &q) in y.iter().zip(&p) {
            match (t != 0, q != 0) {
                (true, true) => want.tp += 1,
                (false, true) => want.fp += 1,
                (false, false) => want.tn += 1,
                (true, false) => want.fn_ += 1,
            }
        }
        assert!(want.tp > 0 && want.fp > 0 && want.tn > 0 && want.fn_ > 0);
        assert_eq!(confusion(&y, &p), want);
        assert_eq!(confusion(&[], &[1]), Confusion::default());
        // Every row labelled and predicted positive: no negative on the way.
        let all = Confusion {
            tp: 3,
            ..Confusion::default()
        };
        assert_eq!(confusion(&[1, 1, 1], &[1, 2, 1]), all);
    }

    #[test]
    fn confusion_serializes_fn_key() {
        let c = Confusion {
            tp: 1,
            fp: 2,
            tn: 3,
            fn_: 4,
        };
        let json = serde_json::to_string(&c).unwrap_or_default();
        assert_eq!(json, r#"{"tp":1,"fp":2,"tn":3,"fn":4}"#);
    }
}
