//! Statistical gating (SPEC §8.3): confidence intervals for every quality
//! metric, the paired champion test, and intervals for fairness summaries.
//!
//! | metric | interval | method |
//! | --- | --- | --- |
//! | `roc_auc` | DeLong variance (Sun & Xu 2014), Wald; on the logit scale where Wald's leaves [0, 1] | `delong` / `delong_logit` |
//! | `accuracy`, `precision`, `recall` | Wilson score | `wilson` |
//! | `f1`, `log_loss`, `brier` | class-stratified bootstrap, BCa | `bootstrap_bca` / `bootstrap_percentile` |
//!
//! Conventions follow `evaluate::metrics`: `y_true` is 0/1 (non-zero =
//! positive), `y_pred = score >= threshold`, and inputs of different length
//! are cut to the common prefix. An interval that is undefined is `None`:
//! the metric itself is undefined, a proportion has an empty denominator
//! (precision without predicted positives, recall without positives), DeLong
//! has fewer than two rows of a class, or `confidence` is outside (0, 1).
//! Everything is deterministic: same data, config and seed give bit-identical
//! intervals whatever the thread count.

mod bootstrap;
mod champion;
mod delong;
mod fairness;
mod normal;
mod proportion;
mod rng;

#[cfg(test)]
#[cfg(test)]
mod oracle;

use rayon::prelude::*;
use std::collections::BTreeMap;

use serde::Serialize;

use crate::domain::Metric;
use crate::evaluate::metrics::{self, confusion, Confusion};

pub use champion::{champion_test, mcnemar_mid_p, ChampionTest, Decision};
pub use delong::{auc_interval, auc_variance, paired as delong_paired, PairedDelong};
pub use fairness::{
    equalized_odds_difference, equalized_odds_of, fairness_interval, tally as group_cells, Cells,
    FAIRNESS_METRICS,
};
pub use normal::{norm_cdf, norm_ppf};
pub use proportion::{katz_ratio, newcombe_difference, wilson};

use bootstrap::{CellModel, MeanModel};

/// A two-sided confidence interval and the method that produced it.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Interval {
    pub low: f64,
    pub high: f64,
    /// `delong`, `wilson`, `bootstrap_bca`, `bootstrap_percentile`, `katz`,
    /// `newcombe`, `clopper_pearson`.
    pub method: &'static str,
}

/// Settings shared by every interval (`[stats]` in `gates.toml`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BootstrapConfig {
    /// Bootstrap replicates; 0 turns intervals off ([`all_intervals`] is empty).
    pub replicates: usize,
    /// Two-sided confidence level in (0, 1), e.g. 0.95.
    pub confidence: f64,
    /// Seed of the bootstrap random streams.
    pub seed: u64,
}

/// Random-stream ids, one per bootstrapped statistic, so that two statistics
/// never share draws by accident.
pub(crate) mod streams {
    pub const F1: u64 = 1;
    pub const LOG_LOSS: u64 = 2;
    pub const BRIER: u64 = 3;
    pub const PAIRED_CELLS: u64 = 10;
    pub const PAIRED_LOSS: u64 = 11;
    pub const FAIRNESS: u64 = 20;
}

/// Interval of the metric called `name` (see the table in the module docs);
/// `None` when undefined or the name is unknown. Bootstrap-based intervals
/// are also `None` when `cfg.replicates == 0`.
pub fn metric_interval(
    name: &str,
    y_true: &[u8],
    score: &[f64],
    threshold: f64,
    cfg: &BootstrapConfig,
) -> Option<Interval> {
    let n = y_true.len().min(score.len());
    if n == 0 {
        return None;
    }
    let (y_true, score) = (&y_true[..n], &score[..n]);
    let wilson_of = |k: u64, n: u64| {
        wilson(k, n, cfg.confidence).map(|(low, high)| Interval {
            low,
            high,
            method: "wilson",
        })
    };
    match name {
        "accuracy" | "precision" | "recall" | "f1" => {
            let c = confusion_at(y_true, score, threshold);
            match name {
                "accuracy" => wilson_of(c.tp + c.tn, n as u64),
                "precision" => wilson_of(c.tp, c.tp + c.fp),
                "recall" => wilson_of(c.tp, c.tp + c.fn_),
                _ => f1_interval(&c, cfg).map(|i| not_degenerate(i, c.tp + c.fn_, cfg.confidence)),
            }
        }
        "roc_auc" => {
            let pos = y_true.iter().filter(|&&y| y == 1).count() as u64;
            let fewer = pos.min(n as u64 - pos);
            auc_interval(y_true, score, cfg.confidence)
                .map(|i| not_degenerate(i, fewer, cfg.confidence))
        }
        "log_loss" => {
            let theta = metrics::log_loss(y_true, score)?;
            loss_interval(
                y_true,
                score,
                log_loss_row,
                WORST_LOG_LOSS,
                theta,
                cfg,
                streams::LOG_LOSS,
            )
        }
        "brier" => {
            let theta = metrics::brier(y_true, score)?;
            loss_interval(y_true, score, brier_row, 1.0, theta, cfg, streams::BRIER)
        }
        _ => None,
    }
}

/// A zero-width interval at the end of [0, 1] (a perfect or a null score:
/// DeLong's variance is 0 when every pair is ordered, and every bootstrap
/// replicate of a perfect F1 is perfect) claims certainty no sample gives.
/// It becomes the exact bound of `n` successes in `n` trials
/// (Clopper-Pearson: `(alpha/2)^(1/n)`), `n` the rows that decide the
/// metric (the smaller class for ROC AUC, the positives for F1): for ROC
/// AUC a true value `A` gives a perfect ordering with probability at least
/// `A^n`, so values above the bound cannot be told from 1 (round 10, T7).
///
/// A score short of perfect is no stronger evidence than a perfect one, so
/// no interval's lower end rises above that bound, nor its upper end below
/// `1 - bound` (round 11, U4: AUC 0.9995 got [0.9978, 1] while a perfect
/// score got 0.84).
fn not_degenerate(i: Interval, n: u64, confidence: f64) -> Interval {
    if n == 0 {
        return i;
    }
    let edge = ((1.0 - confidence) / 2.0).powf(1.0 / n as f64);
    let method = "clopper_pearson";
    if i.high - i.low > 0.0 {
        Interval {
            low: i.low.min(edge),
            high: i.high.max(1.0 - edge),
            method: i.method,
        }
    } else if i.low >= 1.0 {
        Interval {
            low: edge,
            high: 1.0,
            method,
        }
    } else if i.high <= 0.0 {
        Interval {
            low: 0.0,
            high: 1.0 - edge,
            method,
        }
    } else {
        i
    }
}

/// Intervals of every metric in `Metric::ALL` that has one; empty
/// when `cfg.replicates == 0` (intervals off).
pub fn all_intervals(
    y_true: &[u8],
    score: &[f64],
    threshold: f64,
    cfg: &BootstrapConfig,
) -> BTreeMap<String, Interval> {
    if cfg.replicates == 0 {
        return BTreeMap::new();
    }
    // Each interval draws from its own seeded stream: computing them in
    // parallel gives the same bits as one after the other.
    let found: Vec<(String, Interval)> = Metric::ALL
        .par_iter()
        .map(|m| m.name())
        .filter_map(|name| {
            metric_interval(name, y_true, score, threshold, cfg).map(|iv| (name.to_string(), iv))
        })
        .collect();
    found.into_iter().collect()
}

/// Confusion matrix of `score >= threshold`.
pub(crate) fn confusion_at(y_true: &[u8], score: &[f64], threshold: f64) -> Confusion {
    confusion(y_true, &metrics::predicted(score, threshold))
}

/// `2tp / (2tp + fp + fn)` with sklearn's `zero_division=0`.
pub(crate) fn f1_of(tp: u64, fp: u64, fn_: u64) -> f64 {
    let den = 2 * tp + fp + fn_;
    if den == 0 {
        0.0
    } else {
        (2 * tp) as f64 / den as f64
    }
}

/// Class-stratified bootstrap of F1 over the confusion cells: positives
/// split into (tp, fn), negatives into (fp, tn).
fn f1_interval(c: &Confusion, cfg: &BootstrapConfig) -> Option<Interval> {
    let model = CellModel::new(&[vec![c.tp, c.fn_], vec![c.fp, c.tn]], |k: &[u64]| {
        Some(f1_of(k[0], k[2], k[1]))
    });
    bootstrap::interval(&model, cfg, streams::F1)
}

/// Per-row log loss, clipped as `metrics::log_loss` does.
pub(crate) fn log_loss_row(t: u8, p: f64) -> f64 {
    let q = if t != 0 { p } else { 1.0 - p };
    -q.clamp(f64::EPSILON, 1.0 - f64::EPSILON).ln()
}

/// Per-row squared error of the Brier score.
pub(crate) fn brier_row(t: u8, p: f64) -> f64 {
    let d = p - f64::from(u8::from(t != 0));
    d * d
}

/// Per-row values split by class: (positives, negatives).
pub(crate) fn split_by_class(y_true: &[u8], value: impl Fn(usize) -> f64) -> (Vec<f64>, Vec<f64>) {
    let (mut pos, mut neg) = (Vec::new(), Vec::new());
    for (i, &t) in y_true.iter().enumerate() {
        if t != 0 {
            pos.push(value(i));
        } else {
            neg.push(value(i));
        }
    }
    (pos, neg)
}

/// The largest per-row log loss: a certain prediction that is wrong,
/// clipped at `f64::EPSILON` as [`log_loss_row`] clips it.
const WORST_LOG_LOSS: f64 = 36.043_653_389_117_15;

/// Class-stratified bootstrap of a mean per-row loss centred on `theta`.
///
/// When every row has the same loss (every prediction certain and right:
/// loss 0), every replicate repeats it and the interval has no width,
/// claiming certainty. It then becomes what the exact bound on the rows
/// allows: up to a share `1 - (alpha/2)^(1/n)` of new rows could be lost
/// at the `worst` per-row loss (method `clopper_pearson`).
fn loss_interval(
    y_true: &[u8],
    score: &[f64],
    row: fn(u8, f64) -> f64,
    worst: f64,
    theta: f64,
    cfg: &BootstrapConfig,
    stream: u64,
) -> Option<Interval> {
    let (pos, neg) = split_by_class(y_true, |i| row(y_true[i], score[i]));
    let n = pos.len() + neg.len();
    let i = bootstrap::interval(&MeanModel::new(vec![pos, neg], theta), cfg, stream)?;
    if i.high - i.low > 0.0 || n == 0 {
        return Some(i);
    }
    let share = 1.0 - ((1.0 - cfg.confidence) / 2.0).powf(1.0 / n as f64);
    Some(Interval {
        low: theta * (1.0 - share),
        high: theta + (worst - theta).max(0.0) * share,
        method: "clopper_pearson",
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cfg(replicates: usize) -> BootstrapConfig {
        BootstrapConfig {
            replicates,
            confidence: 0.95,
            seed: 7,
        }
    }

    // Round 10, T7: a perfect score gave [1, 1] (DeLong's variance 0, every
    // bootstrap replicate of F1 perfect), so a lower-bound gate at 0.999
    // passed on 31 positives. The bound of 31 successes in 31 trials at 99%
    // is 0.005^(1/31) = 0.8429 (scipy.stats.beta.ppf(0.005, 31, 1)).
    #[test]
    fn a_perfect_score_has_the_exact_bound_of_its_rows() {
        let y: Vec<u8> = (0..100).map(|i| u8::from(i < 31)).collect();
        let score: Vec<f64> = (0..100).map(|i| if i < 31 { 0.9 } else { 0.1 }).collect();
        let c = BootstrapConfig {
            replicates: 200,
            confidence: 0.99,
            seed: 3,
        };
        let want = 0.005_f64.powf(1.0 / 31.0);
        assert!((want - 0.842_9).abs() < 1e-4);
        for name in ["roc_auc", "f1"] {
            let i = metric_interval(name, &y, &score, 0.5, &c).unwrap();
            assert_eq!(
                (i.low, i.high, i.method),
                (want, 1.0, "clopper_pearson"),
                "{name}"
            );
        }
        // Round 11, U4: log_loss and brier of certain, right predictions
        // had [0, 0]. Up to 1 - 0.005^(1/100) of new rows may be lost at
        // the worst per-row loss (scipy.stats.beta.ppf(0.995, 1, 100)).
        let certain: Vec<f64> = y.iter().map(|&t| f64::from(t)).collect();
        let share = 1.0 - 0.005_f64.powf(1.0 / 100.0);
        assert!((share - 0.051_57).abs() < 1e-4);
        let ll = metric_interval("log_loss", &y, &certain, 0.5, &c).unwrap();
        let theta = -(1.0 - f64::EPSILON).ln();
        assert_eq!(WORST_LOG_LOSS, -f64::EPSILON.ln());
        assert_eq!(ll.method, "clopper_pearson");
        assert!((ll.high - (theta + (WORST_LOG_LOSS - theta) * share)).abs() < 1e-12);
        assert!(ll.low <= theta && ll.low >= 0.0);
        let b = metric_interval("brier", &y, &certain, 0.5, &c).unwrap();
        assert_eq!((b.low, b.high, b.method), (0.0, share, "clopper_pearson"));
        // Every row wrong: the upper end moves off 0 the same way.
        let worst: Vec<f64> = score.iter().map(|s| 1.0 - s).collect();
        let i = metric_interval("roc_auc", &y, &worst, 0.5, &c).unwrap();
        assert_eq!((i.low, i.high), (0.0, 1.0 - want));
        // An interval of some width is left alone.
        let (y2, s2) = lcg_data(300, 5);
        let i = metric_interval("roc_auc", &y2, &s2, 0.5, &c).unwrap();
        assert_eq!(i.method, "delong");
        assert_eq!(i, delong::auc_interval(&y2, &s2, 0.99).unwrap());
        // Round 11, U4: one pair of 31 x 69 out of order is no stronger
        // evidence than none: its lower end stays at or below the bound.
        let mut near = score.clone();
        near[0] = 0.4;
        near[31] = 0.5;
        let i = metric_interval("roc_auc", &y, &near, 0.5, &c).unwrap();
        assert_eq!((i.low, i.method), (want, "delong_logit"), "{i:?}");
        assert!(i.high < 1.0);
        // The same two rows on the wrong side of 0.5: F1 30/31 keeps its
        // bootstrap interval under the same roof.
        let i = metric_interval("f1", &y, &near, 0.5, &c).unwrap();
        assert_eq!(i.low, want, "{i:?}");
    }

    /// Same generator as `metrics::tests::lcg_data` (3-decimal scores, ties).
    pub(crate) fn lcg_data(n: usize, seed: u64) -> (Vec<u8>, Vec<f64>) {
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
    fn every_metric_gets_an_interval_containing_its_value() {
        let (y, p) = lcg_data(2000, 3);
        let m = metrics::compute(&y, &p, 0.5);
        let all = all_intervals(&y, &p, 0.5, &cfg(500));
        assert_eq!(all.len(), Metric::ALL.len());
        for (name, iv) in &all {
            let v = metrics::named(&m, name).unwrap();
            assert!(iv.low <= v && v <= iv.high, "{name}: {v} not in {iv:?}");
            assert!(iv.high - iv.low < 0.2, "{name}: {iv:?}");
        }
        assert_eq!(all["roc_auc"].method, "delong");
        assert_eq!(all["accuracy"].method, "wilson");
        assert_eq!(all["f1"].method, "bootstrap_bca");
        assert_eq!(all["log_loss"].method, "bootstrap_bca");
    }

    #[test]
    fn wilson_metrics_match_statsmodels_on_data() {
        // from scripts/oracles/stats_oracle.py (lcg_data(500, 11), thr 0.5)
        let (y, p) = lcg_data(500, 11);
        for &(name, lo, hi) in oracle::WILSON_LCG500 {
            let iv = metric_interval(name, &y, &p, 0.5, &cfg(10)).unwrap();
            assert!(
                (iv.low - lo).abs() < 1e-12 && (iv.high - hi).abs() < 1e-12,
                "{name}"
            );
        }
    }

    #[test]
    fn undefined_and_off() {
        assert!(all_intervals(&[0, 1], &[0.2, 0.8], 0.5, &cfg(0)).is_empty());
        assert!(metric_interval("nope", &[0, 1], &[0.2, 0.8], 0.5, &cfg(10)).is_none());
        let empty = all_intervals(&[], &[], 0.5, &cfg(100));
        assert!(empty.is_empty(), "{empty:?}");
        // No predicted positives: precision has no interval, recall does.
        let y = [0, 1, 1, 0];
        let p = [0.1, 0.2, 0.3, 0.4];
        assert!(metric_interval("precision", &y, &p, 0.5, &cfg(10)).is_none());
        assert!(metric_interval("recall", &y, &p, 0.5, &cfg(10)).is_some());
        // Scores outside [0, 1]: no log-loss interval.
        let bad = [0.1, 1.2, 0.3, 0.4];
        assert!(metric_interval("log_loss", &y, &bad, 0.5, &cfg(10)).is_none());
        // One class: no AUC interval, the rest still defined.
        let one = all_intervals(&[1, 1, 1], &[0.9, 0.2, 0.7], 0.5, &cfg(50));
        assert!(!one.contains_key("roc_auc") && one.contains_key("f1"));
    }

    #[test]
    fn seeds_and_threads() {
        // 3000 rows: exact per-row path; 30000 rows: binned path.
        for n in [3000, 30_000] {
            let (y, p) = lcg_data(n, 5);
            let run = |threads| {
                let pool = rayon::ThreadPoolBuilder::new()
                    .num_threads(threads)
                    .build()
                    .unwrap();
                pool.install(|| all_intervals(&y, &p, 0.5, &cfg(200)))
            };
            let one = run(1);
            assert_eq!(one, run(2));
            assert_eq!(one, run(3));
            let other = all_intervals(
                &y,
                &p,
                0.5,
                &BootstrapConfig {
                    seed: 8,
                    ..cfg(200)
                },
            );
            assert_ne!(one["f1"], other["f1"]);
        }
    }

    #[test]
    fn binned_bootstrap_width_matches_standard_error() {
        // For a mean, the stratified bootstrap sd is √(Σ_s M2_s) / N;
        // the 95% interval should be about 2·1.96 of it wide. 60k rows
        // exercise the binned (> EXACT_ROWS per stratum) path.
        let (y, p) = lcg_data(60_000, 17);
        let p: Vec<f64> = p.iter().map(|&v| 0.02 + 0.96 * v).collect();
        for (name, row) in [
            ("brier", brier_row as fn(u8, f64) -> f64),
            ("log_loss", log_loss_row),
        ] {
            let (pos, neg) = split_by_class(&y, |i| row(y[i], p[i]));
            let var: f64 = [&pos, &neg]
                .iter()
                .map(|s| {
                    let m = s.iter().sum::<f64>() / s.len() as f64;
                    s.iter().map(|x| (x - m) * (x - m)).sum::<f64>() / s.len() as f64
                        * s.len() as f64
                })
                .sum();
            let se = var.sqrt() / y.len() as f64;
            let iv = metric_interval(name, &y, &p, 0.5, &cfg(2000)).unwrap();
            let ratio = (iv.high - iv.low) / (2.0 * 1.959964 * se);
            assert!((0.93..1.07).contains(&ratio), "{name}: width ratio {ratio}");
        }
    }

    #[test]
    fn whole_bootstrap_agrees_with_scipy_within_monte_carlo_error() {
        // from scripts/oracles/stats_oracle.py: scipy.stats.bootstrap, BCa,
        // samples = (positives, negatives), 50k resamples of its own RNG.
        let (y, p) = lcg_data(400, 9);
        let c = BootstrapConfig {
            replicates: 20_000,
            confidence: 0.95,
            seed: 2,
        };
        for &(name, lo, hi) in oracle::SCIPY_BOOTSTRAP_LCG400 {
            let iv = metric_interval(name, &y, &p, 0.5, &c).unwrap();
            let tol = 0.04 * (hi - lo);
            assert_eq!(iv.method, "bootstrap_bca", "{name}");
            assert!(
                (iv.low - lo).abs() < tol && (iv.high - hi).abs() < tol,
                "{name}: [{}, {}] vs scipy [{lo}, {hi}]",
                iv.low,
                iv.high
            );
        }
    }

    #[test]
    fn coverage_on_synthetic_data() {
        // Many test sets from one known population: the 90% interval of the
        // mean Brier / log loss / F1 should cover the population value about
        // 90% of the time. Population values come from a 400k-row sample.
        // Scores are squeezed into [0.01, 0.99]: with exact 0/1 scores a
        // wrong row costs 36 nats and no interval covers well at n = 300.
        let squeeze = |(y, p): (Vec<u8>, Vec<f64>)| {
            let p: Vec<f64> = p.iter().map(|&v| 0.01 + 0.98 * v).collect();
            (y, p)
        };
        let (big_y, big_p) = squeeze(lcg_data(400_000, 99));
        let truth = metrics::compute(&big_y, &big_p, 0.5);
        let c = BootstrapConfig {
            replicates: 300,
            confidence: 0.9,
            seed: 1,
        };
        let trials = 120;
        let mut hits: BTreeMap<&str, usize> = BTreeMap::new();
        for t in 0..trials {
            let (y, p) = squeeze(lcg_data(300, 1000 + t as u64));
            for name in ["f1", "brier", "log_loss", "accuracy", "roc_auc"] {
                let iv = metric_interval(name, &y, &p, 0.5, &c).unwrap();
                let v = metrics::named(&truth, name).unwrap();
                *hits.entry(name).or_default() += usize::from(iv.low <= v && v <= iv.high);
            }
        }
        for (name, h) in hits {
            let rate = h as f64 / trials as f64;
            // 120 trials: binomial sd ≈ 0.027; allow ±3.5 sd.
            assert!((0.80..=0.99).contains(&rate), "{name}: coverage {rate}");
        }
    }
}
