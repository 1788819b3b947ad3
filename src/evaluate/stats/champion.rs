//! The paired champion test (`test = "paired"`, SPEC §8.3): candidate `a`
//! against champion `b`, both scored on the same rows.
//!
//! - `roc_auc`: DeLong's paired test (`delong_paired`), with z and p-value.
//! - `accuracy`: a paired bootstrap interval plus McNemar's mid-p test
//!   (Fagerland, Lydersen & Laake 2013: better power than the exact test,
//!   nominal size unlike the asymptotic one).
//! - other metrics: paired bootstrap (`paired_bootstrap`): each replicate
//!   resamples rows once, stratified by class, and scores both models on
//!   them. Threshold metrics resample the 8 (class × pred_a × pred_b) cells;
//!   losses resample per-row loss differences. BCa as in `bootstrap`.
//!
//! `improvement` is oriented so that positive means the candidate is better
//! (`b - a` for `log_loss` and `brier`, `a - b` otherwise).

use serde::Serialize;

use super::bootstrap::{self, CellModel, MeanModel};
use super::{
    brier_row, confusion_at, delong, f1_of, log_loss_row, split_by_class, streams, BootstrapConfig,
};
use crate::evaluate::metrics::{self, Confusion};

/// Outcome of a paired gate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Decision {
    Pass,
    Fail,
    Inconclusive,
}

/// Result of the paired test of a candidate against the champion.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct ChampionTest {
    /// Candidate minus champion, oriented so that > 0 = candidate better.
    pub improvement: f64,
    /// Lower end of the interval of `improvement`.
    pub low: f64,
    /// Upper end of the interval of `improvement`.
    pub high: f64,
    /// DeLong (roc_auc) or McNemar mid-p (accuracy) p-value, two-sided.
    pub p_value: Option<f64>,
    /// DeLong's z statistic (roc_auc only).
    pub z: Option<f64>,
    /// `delong_paired` or `paired_bootstrap`.
    pub method: &'static str,
}

impl ChampionTest {
    /// Pass when the interval's lower end clears `min_delta`, fail when its
    /// upper end is below it, inconclusive otherwise. `min_delta` is in
    /// `improvement` units (positive = candidate must be better).
    pub fn decide(&self, min_delta: f64) -> Decision {
        if self.low >= min_delta {
            Decision::Pass
        } else if self.high < min_delta {
            Decision::Fail
        } else {
            Decision::Inconclusive
        }
    }
}

/// Paired test of `score_a` (candidate) against `score_b` (champion) on
/// `metric`. `None` when the metric is unknown or undefined for either model,
/// the three inputs differ in length, the confidence is outside (0, 1), or a
/// bootstrap is needed and `cfg.replicates == 0`.
pub fn champion_test(
    metric: &str,
    y_true: &[u8],
    score_a: &[f64],
    score_b: &[f64],
    thr_a: f64,
    thr_b: f64,
    cfg: &BootstrapConfig,
) -> Option<ChampionTest> {
    if y_true.len() != score_a.len() || y_true.len() != score_b.len() || y_true.is_empty() {
        return None;
    }
    match metric {
        "roc_auc" => {
            let d = delong::paired(y_true, score_a, score_b, cfg.confidence)?;
            Some(ChampionTest {
                improvement: d.delta,
                low: d.low,
                high: d.high,
                p_value: d.p_value,
                z: d.z,
                method: "delong_paired",
            })
        }
        "accuracy" | "precision" | "recall" | "f1" => {
            paired_cells(metric, y_true, score_a, score_b, thr_a, thr_b, cfg)
        }
        "log_loss" | "brier" => paired_loss(metric, y_true, score_a, score_b, cfg),
        _ => None,
    }
}

/// A threshold metric from a confusion matrix (`None` for unknown names).
fn threshold_metric(name: &str, c: &Confusion) -> Option<f64> {
    let ratio = |num: u64, den: u64| {
        if den == 0 {
            0.0
        } else {
            num as f64 / den as f64
        }
    };
    match name {
        "accuracy" => Some(ratio(c.tp + c.tn, c.tp + c.tn + c.fp + c.fn_)),
        "precision" => Some(ratio(c.tp, c.tp + c.fp)),
        "recall" => Some(ratio(c.tp, c.tp + c.fn_)),
        "f1" => Some(f1_of(c.tp, c.fp, c.fn_)),
        _ => None,
    }
}

/// Confusion matrices of `a` and `b` from the 8 paired cells
/// `[class][pred_a][pred_b]` (index `4·class + 2·pred_a + pred_b`, class 1
/// = positive first).
fn paired_confusions(k: &[u64]) -> (Confusion, Confusion) {
    // Positives: cells 0..4; negatives: 4..8.
    let (p, n) = (&k[..4], &k[4..8]);
    let a = Confusion {
        tp: p[2] + p[3],
        fn_: p[0] + p[1],
        fp: n[2] + n[3],
        tn: n[0] + n[1],
    };
    let b = Confusion {
        tp: p[1] + p[3],
        fn_: p[0] + p[2],
        fp: n[1] + n[3],
        tn: n[0] + n[2],
    };
    (a, b)
}

/// Paired bootstrap of a threshold metric (plus McNemar for accuracy).
fn paired_cells(
    metric: &str,
    y_true: &[u8],
    score_a: &[f64],
    score_b: &[f64],
    thr_a: f64,
    thr_b: f64,
    cfg: &BootstrapConfig,
) -> Option<ChampionTest> {
    let mut cells = [0u64; 8];
    for ((&t, &sa), &sb) in y_true.iter().zip(score_a).zip(score_b) {
        let class = usize::from(t == 0); // positives first
        let idx = 4 * class + 2 * usize::from(sa >= thr_a) + usize::from(sb >= thr_b);
        cells[idx] += 1;
    }
    let stat = |k: &[u64]| {
        let (a, b) = paired_confusions(k);
        Some(threshold_metric(metric, &a)? - threshold_metric(metric, &b)?)
    };
    // The point value must be the difference of the reported metrics.
    let (ca, cb) = (
        confusion_at(y_true, score_a, thr_a),
        confusion_at(y_true, score_b, thr_b),
    );
    let improvement = threshold_metric(metric, &ca)? - threshold_metric(metric, &cb)?;
    if metric == "accuracy" {
        // a right & b wrong: positives (1, 0) + negatives (0, 1), and back.
        let a_only = cells[2] + cells[5];
        let b_only = cells[1] + cells[6];
        let (low, high) = discordant_interval(a_only, b_only, y_true.len(), cfg.confidence)?;
        return Some(ChampionTest {
            improvement,
            low,
            high,
            p_value: Some(mcnemar_mid_p(a_only, b_only)),
            z: None,
            method: "mcnemar_exact",
        });
    }
    let model = CellModel::new(&[cells[..4].to_vec(), cells[4..].to_vec()], stat);
    let iv = bootstrap::interval(&model, cfg, streams::PAIRED_CELLS)?;
    Some(ChampionTest {
        improvement,
        low: iv.low,
        high: iv.high,
        p_value: None,
        z: None,
        method: "paired_bootstrap",
    })
}

/// Interval of an accuracy difference `(a_only - b_only) / n` from the
/// rows where the two models disagree: given `d = a_only + b_only`
/// disagreements, `a_only ~ Bin(d, p)`, and the difference is
/// `d/n (2p - 1)`, so Clopper-Pearson's exact interval of `p` maps onto
/// it (the conditional interval behind McNemar's exact test). A paired
/// bootstrap called 4 disagreements out of 300, all one way, significant
/// (round 11, U4); the exact test needs 6 at 95%. Without disagreement
/// the models are the same on these rows: `[0, 0]`.
fn discordant_interval(a_only: u64, b_only: u64, n: usize, confidence: f64) -> Option<(f64, f64)> {
    let d = a_only + b_only;
    if d == 0 {
        return Some((0.0, 0.0));
    }
    let (lo, hi) = super::proportion::clopper_pearson(a_only, d, confidence)?;
    let share = d as f64 / n as f64;
    Some((share * (2.0 * lo - 1.0), share * (2.0 * hi - 1.0)))
}

/// Paired bootstrap of a loss: mean of per-row `loss_b - loss_a`.
fn paired_loss(
    metric: &str,
    y_true: &[u8],
    score_a: &[f64],
    score_b: &[f64],
    cfg: &BootstrapConfig,
) -> Option<ChampionTest> {
    let (row, la, lb): (fn(u8, f64) -> f64, _, _) = if metric == "log_loss" {
        (
            log_loss_row,
            metrics::log_loss(y_true, score_a)?,
            metrics::log_loss(y_true, score_b)?,
        )
    } else {
        (
            brier_row,
            metrics::brier(y_true, score_a)?,
            metrics::brier(y_true, score_b)?,
        )
    };
    let improvement = lb - la;
    let (pos, neg) = split_by_class(y_true, |i| {
        row(y_true[i], score_b[i]) - row(y_true[i], score_a[i])
    });
    let model = MeanModel::new(vec![pos, neg], improvement);
    let iv = bootstrap::interval(&model, cfg, streams::PAIRED_LOSS)?;
    Some(ChampionTest {
        improvement,
        low: iv.low,
        high: iv.high,
        p_value: None,
        z: None,
        method: "paired_bootstrap",
    })
}

/// McNemar's mid-p value for `b` and `c` discordant pairs:
/// `2·[P(X <= k) - P(X = k)/2]`, `X ~ Bin(b + c, 1/2)`, `k = min(b, c)`,
/// capped at 1; 1 when there are no discordant pairs.
pub fn mcnemar_mid_p(b: u64, c: u64) -> f64 {
    let n = b + c;
    if n == 0 {
        return 1.0;
    }
    let k = b.min(c);
    let pk = binom_half_pmf(k, n);
    // P(X <= k) by the recurrence pmf(i-1) = pmf(i)·i/(n-i+1), downwards.
    let mut tail = 0.0;
    let mut term = pk;
    let mut i = k;
    loop {
        tail += term;
        if i == 0 || term < tail * 1e-18 {
            break;
        }
        term *= i as f64 / (n - i + 1) as f64;
        i -= 1;
    }
    (2.0 * (tail - 0.5 * pk)).min(1.0)
}

/// `P(X = x)` for `X ~ Bin(n, 1/2)`, Loader's saddle-point form (as R's
/// `dbinom` and scipy's boost backend): relative error ~1e-15 for any n.
fn binom_half_pmf(x: u64, n: u64) -> f64 {
    if x == 0 || x == n {
        return (-(n as f64) * std::f64::consts::LN_2).exp();
    }
    let (xf, nf) = (x as f64, n as f64);
    let half = nf / 2.0;
    let lc = stirlerr(n) - stirlerr(x) - stirlerr(n - x) - bd0(xf, half) - bd0(nf - xf, half);
    let lf = std::f64::consts::TAU.ln() + xf.ln() + (-xf / nf).ln_1p();
    (lc - 0.5 * lf).exp()
}

/// `ln(n!) - ln(√(2πn)·(n/e)^n)`, the error of Stirling's formula.
fn stirlerr(n: u64) -> f64 {
    let nf = n as f64;
    if n <= 15 {
        // n! is exact in f64 here.
        let fact: f64 = (1..=n).map(|i| i as f64).product();
        return fact.ln() - (nf + 0.5) * nf.ln() + nf - 0.5 * std::f64::consts::TAU.ln();
    }
    const S0: f64 = 1.0 / 12.0;
    const S1: f64 = 1.0 / 360.0;
    const S2: f64 = 1.0 / 1260.0;
    const S3: f64 = 1.0 / 1680.0;
    const S4: f64 = 1.0 / 1188.0;
    let nn = nf * nf;
    (S0 - (S1 - (S2 - (S3 - S4 / nn) / nn) / nn) / nn) / nf
}

/// `x·ln(x/np) + np - x`, evaluated without cancellation near `x = np`.
fn bd0(x: f64, np: f64) -> f64 {
    if (x - np).abs() < 0.1 * (x + np) {
        let mut v = (x - np) / (x + np);
        let mut s = (x - np) * v;
        let mut ej = 2.0 * x * v;
        v *= v;
        for j in 1..1000 {
            ej *= v;
            let s1 = s + ej / f64::from(2 * j + 1);
            if s1 == s {
                return s1;
            }
            s = s1;
        }
        return s;
    }
    x * (x / np).ln() + np - x
}

#[cfg(test)]
mod tests {
    use super::super::oracle;
    use super::*;

    fn cfg() -> BootstrapConfig {
        BootstrapConfig {
            replicates: 400,
            confidence: 0.95,
            seed: 3,
        }
    }

    #[test]
    fn mcnemar_mid_p_matches_scipy() {
        for &(b, c, want) in oracle::MCNEMAR {
            let got = mcnemar_mid_p(b, c);
            assert!(
                (got - want).abs() <= 1e-10 * want.max(1e-300),
                "{b},{c}: {got} vs {want}"
            );
        }
        assert_eq!(mcnemar_mid_p(0, 0), 1.0);
    }

    #[test]
    fn decisions() {
        let t = ChampionTest {
            improvement: 0.02,
            low: 0.01,
            high: 0.03,
            p_value: None,
            z: None,
            method: "x",
        };
        assert_eq!(t.decide(0.0), Decision::Pass);
        assert_eq!(t.decide(0.01), Decision::Pass);
        assert_eq!(t.decide(0.02), Decision::Inconclusive);
        assert_eq!(t.decide(0.05), Decision::Fail);
    }

    #[test]
    fn every_metric_orientation_and_consistency() {
        let (y, good) = super::super::tests::lcg_data(3000, 21);
        // A worse model: scores shrunk toward 0.5 plus a deterministic wobble.
        let bad: Vec<f64> = good
            .iter()
            .enumerate()
            .map(|(i, &p)| {
                (0.5 + 0.3 * (p - 0.5) + 0.2 * (((i * 7919) % 101) as f64 / 100.0 - 0.5))
                    .clamp(0.0, 1.0)
            })
            .collect();
        let ma = metrics::compute(&y, &good, 0.5);
        let mb = metrics::compute(&y, &bad, 0.5);
        for name in crate::domain::Metric::ALL.map(|m| m.name()) {
            let t = champion_test(name, &y, &good, &bad, 0.5, 0.5, &cfg()).unwrap();
            let (a, b) = (
                metrics::named(&ma, name).unwrap(),
                metrics::named(&mb, name).unwrap(),
            );
            let want = if crate::domain::Metric::parse(name).is_some_and(|m| m.higher_is_better()) {
                a - b
            } else {
                b - a
            };
            assert!((t.improvement - want).abs() < 1e-12, "{name}");
            assert!(
                t.low <= t.improvement && t.improvement <= t.high,
                "{name}: {t:?}"
            );
            // And the reverse comparison mirrors it.
            let r = champion_test(name, &y, &bad, &good, 0.5, 0.5, &cfg()).unwrap();
            assert!((r.improvement + t.improvement).abs() < 1e-12, "{name}");
        }
        let auc = champion_test("roc_auc", &y, &good, &bad, 0.5, 0.5, &cfg()).unwrap();
        assert_eq!(auc.method, "delong_paired");
        assert!(auc.p_value.unwrap() < 1e-6 && auc.decide(0.0) == Decision::Pass);
        let acc = champion_test("accuracy", &y, &good, &bad, 0.5, 0.5, &cfg()).unwrap();
        assert!(acc.p_value.is_some() && acc.method == "mcnemar_exact");
    }

    // Round 11, U4: the candidate is right on 4 rows where the champion is
    // wrong, and they agree on the other 296. The paired bootstrap gave
    // [+0.0033, +0.0267]; the exact interval of 4 of 4 one way,
    // p in [0.3976, 1] (scipy.stats.beta.ppf(0.025, 4, 1)), gives
    // 4/300 (2p - 1) in [-0.00273, +0.01333]: no evidence.
    #[test]
    fn four_disagreements_are_no_evidence_for_accuracy() {
        let y: Vec<u8> = (0..300).map(|i| u8::from(i % 2 == 0)).collect();
        let right: Vec<f64> = y.iter().map(|&t| if t == 1 { 0.9 } else { 0.1 }).collect();
        let mut champ = right.clone();
        for i in [0, 2, 4, 6] {
            champ[i] = 0.1;
        }
        let t = champion_test("accuracy", &y, &right, &champ, 0.5, 0.5, &cfg()).unwrap();
        let lo = 0.397_635_364_383_525_3;
        assert!((t.improvement - 4.0 / 300.0).abs() < 1e-15);
        assert!(
            (t.low - 4.0 / 300.0 * (2.0 * lo - 1.0)).abs() < 1e-9,
            "{t:?}"
        );
        assert!((t.high - 4.0 / 300.0).abs() < 1e-12, "{t:?}");
        assert_eq!(t.decide(0.0), Decision::Inconclusive);
        // Six one way is significant at 95%: 0.025^(1/6) = 0.5407 > 1/2.
        for i in [8, 10] {
            champ[i] = 0.1;
        }
        let t = champion_test("accuracy", &y, &right, &champ, 0.5, 0.5, &cfg()).unwrap();
        assert!(t.low > 0.0 && t.decide(0.0) == Decision::Pass, "{t:?}");
    }

    #[test]
    fn same_model_is_inconclusive_and_bad_inputs_are_none() {
        let (y, p) = super::super::tests::lcg_data(500, 2);
        for name in crate::domain::Metric::ALL.map(|m| m.name()) {
            let t = champion_test(name, &y, &p, &p, 0.5, 0.5, &cfg()).unwrap();
            assert_eq!(t.improvement, 0.0, "{name}");
            assert_eq!(t.decide(0.0), Decision::Pass, "{name}: identical ⇒ low = 0");
            assert_eq!(t.decide(0.001), Decision::Fail, "{name}");
        }
        assert!(champion_test("f1", &y, &p, &p[1..], 0.5, 0.5, &cfg()).is_none());
        assert!(champion_test("nope", &y, &p, &p, 0.5, 0.5, &cfg()).is_none());
        let off = BootstrapConfig {
            replicates: 0,
            ..cfg()
        };
        assert!(champion_test("f1", &y, &p, &p, 0.5, 0.5, &off).is_none());
        assert!(champion_test("roc_auc", &y, &p, &p, 0.5, 0.5, &off).is_some());
    }
}
