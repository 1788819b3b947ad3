//! DeLong's variance of the ROC AUC (DeLong, DeLong & Clarke-Pearson 1988)
//! with the O(n log n) mid-rank algorithm of Sun & Xu (2014), for one model
//! and for two models scored on the same rows (paired test).
//!
//! With `m` positives X and `n` negatives Y, mid-ranks among X (`Tx`), among
//! Y (`Ty`) and in the pooled sample (`Tz`) give the structural components
//! `V10_i = (Tz_i - Tx_i) / n` and `V01_j = 1 - (Tz_j - Ty_j) / m`; the AUC is
//! their mean and `Var(AUC) = S10 / m + S01 / n` with `S` the sample
//! variances (ddof = 1). One sort of the pooled scores yields all three
//! rankings. Fewer than two positives or negatives leave the variance
//! undefined (`None`), as does a non-finite score.

use rayon::prelude::*;

use super::normal::{norm_ppf, two_sided_p};
use super::Interval;

/// Structural components of one score vector.
struct Components {
    /// `V10` per positive, in row order of the positives.
    v10: Vec<f64>,
    /// `V01` per negative, in row order of the negatives.
    v01: Vec<f64>,
    /// AUC from exact integer pair counts (bit-identical to `metrics::roc_auc`).
    auc: f64,
}

/// Sun & Xu's components, or `None` with < 2 positives or negatives or a
/// non-finite score. Rows beyond the shorter input are ignored.
fn components(y_true: &[u8], score: &[f64]) -> Option<Components> {
    let len = y_true.len().min(score.len());
    let (y_true, score) = (&y_true[..len], &score[..len]);
    if score.iter().any(|s| !s.is_finite()) {
        return None;
    }
    let m = y_true.iter().filter(|&&t| t != 0).count();
    let n = len - m;
    if m < 2 || n < 2 {
        return None;
    }
    // (score, row) pairs sorted by score then row: a total order, so the
    // parallel sort is deterministic; contiguous keys sort fast.
    let mut pairs: Vec<(f64, usize)> = score.iter().copied().zip(0..len).collect();
    pairs.par_sort_unstable_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
    let order: Vec<usize> = pairs.into_iter().map(|(_, row)| row).collect();
    // Index of each row within its class (row order), to place components.
    let mut class_index = vec![0usize; len];
    let (mut ip, mut ineg) = (0, 0);
    for (i, &t) in y_true.iter().enumerate() {
        if t != 0 {
            class_index[i] = ip;
            ip += 1;
        } else {
            class_index[i] = ineg;
            ineg += 1;
        }
    }
    let (mut v10, mut v01) = (vec![0.0; m], vec![0.0; n]);
    let (mut seen, mut pos_seen, mut neg_seen) = (0u64, 0u64, 0u64);
    // 2 × Σ Tz over positives; exact in integers (mid-ranks are half-integers).
    let mut twice_rank_sum: u128 = 0;
    let (mf, nf) = (m as f64, n as f64);
    let mut i = 0;
    while i < len {
        // Tie group [i, j): `==` groups -0.0 with 0.0 (adjacent in total_cmp).
        let mut j = i;
        let (mut gp, mut gn) = (0u64, 0u64);
        while j < len && score[order[j]] == score[order[i]] {
            if y_true[order[j]] != 0 {
                gp += 1;
            } else {
                gn += 1;
            }
            j += 1;
        }
        let g = gp + gn;
        // Doubled mid-ranks (1-based): pooled, among positives, among negatives.
        let tz2 = 2 * seen + g + 1;
        let tx2 = 2 * pos_seen + gp + 1;
        let ty2 = 2 * neg_seen + gn + 1;
        for &row in &order[i..j] {
            if y_true[row] != 0 {
                v10[class_index[row]] = (tz2 - tx2) as f64 / (2.0 * nf);
                twice_rank_sum += u128::from(tz2);
            } else {
                v01[class_index[row]] = 1.0 - (tz2 - ty2) as f64 / (2.0 * mf);
            }
        }
        seen += g;
        pos_seen += gp;
        neg_seen += gn;
        i = j;
    }
    // 2 × wins = 2 Σ Tz - m (m + 1)   (Mann–Whitney U, doubled for ties).
    let (mu, nu) = (m as u128, n as u128);
    let twice_wins = twice_rank_sum - mu * (mu + 1);
    let auc = twice_wins as f64 / (2 * mu * nu) as f64;
    Some(Components { v10, v01, auc })
}

/// Sample covariance (ddof = 1) of two equally long slices, two-pass.
fn cov(a: &[f64], b: &[f64]) -> f64 {
    let k = a.len() as f64;
    let ma = a.iter().sum::<f64>() / k;
    let mb = b.iter().sum::<f64>() / k;
    a.iter()
        .zip(b)
        .map(|(x, y)| (x - ma) * (y - mb))
        .sum::<f64>()
        / (k - 1.0)
}

/// DeLong variance of the AUC from its components.
fn variance(c: &Components) -> f64 {
    cov(&c.v10, &c.v10) / c.v10.len() as f64 + cov(&c.v01, &c.v01) / c.v01.len() as f64
}

/// Two-sided normal critical value for `confidence`, `None` outside (0, 1).
pub(crate) fn critical_value(confidence: f64) -> Option<f64> {
    (confidence > 0.0 && confidence < 1.0).then(|| norm_ppf(0.5 + confidence / 2.0))
}

/// AUC and its DeLong variance; `None` as described in the module docs.
pub fn auc_variance(y_true: &[u8], score: &[f64]) -> Option<(f64, f64)> {
    let c = components(y_true, score)?;
    Some((c.auc, variance(&c)))
}

/// Wald interval `auc ± z·√var` clipped to `[0, 1]` (method `"delong"`).
///
/// Where `auc ± z·se` leaves [0, 1] (a score near 1), the clipped Wald
/// interval claims more than the data gives: AUC 0.9995 got [0.9978, 1]
/// while a perfect score gets its exact bound. There the interval is
/// taken on the logit scale, `logit(auc) ± z·se / (auc (1 - auc))`, and
/// mapped back (method `delong_logit`): it respects the boundary and
/// widens toward the middle. Inside [0, 1] the Wald interval stays.
pub fn auc_interval(y_true: &[u8], score: &[f64], confidence: f64) -> Option<Interval> {
    let z = critical_value(confidence)?;
    let (auc, var) = auc_variance(y_true, score)?;
    let se = var.max(0.0).sqrt();
    let half = z * se;
    let (low, high) = (auc - half, auc + half);
    if (low >= 0.0 && high <= 1.0) || auc <= 0.0 || auc >= 1.0 {
        return Some(Interval {
            low: low.clamp(0.0, 1.0),
            high: high.clamp(0.0, 1.0),
            method: "delong",
        });
    }
    let logit = (auc / (1.0 - auc)).ln();
    let half = z * se / (auc * (1.0 - auc));
    let back = |x: f64| 1.0 / (1.0 + (-x).exp());
    Some(Interval {
        low: back(logit - half),
        high: back(logit + half),
        method: "delong_logit",
    })
}

/// DeLong's paired comparison of two score vectors on the same rows.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PairedDelong {
    /// `auc_a - auc_b`.
    pub delta: f64,
    /// Variance of `delta` (`Var a + Var b - 2 Cov`), >= 0.
    pub variance: f64,
    /// `delta / √variance`; `None` when the variance is 0.
    pub z: Option<f64>,
    /// Two-sided p-value of `z`; `None` when the variance is 0.
    pub p_value: Option<f64>,
    /// Interval of `delta`, `delta ± z_c·√variance` clipped to `[-1, 1]`.
    pub low: f64,
    /// Upper end of the interval of `delta`.
    pub high: f64,
}

/// Paired DeLong test of `score_a` against `score_b` (same `y_true`).
/// `None` when either AUC variance is undefined, lengths differ, or
/// `confidence` is outside (0, 1).
pub fn paired(
    y_true: &[u8],
    score_a: &[f64],
    score_b: &[f64],
    confidence: f64,
) -> Option<PairedDelong> {
    if score_a.len() != score_b.len() || y_true.len() != score_a.len() {
        return None;
    }
    let zc = critical_value(confidence)?;
    let a = components(y_true, score_a)?;
    let b = components(y_true, score_b)?;
    // Var(A - B) from the component differences: never negative, and exactly
    // 0 for identical scores (Var a + Var b - 2 Cov could round below 0).
    let d10: Vec<f64> = a.v10.iter().zip(&b.v10).map(|(x, y)| x - y).collect();
    let d01: Vec<f64> = a.v01.iter().zip(&b.v01).map(|(x, y)| x - y).collect();
    let variance =
        (cov(&d10, &d10) / d10.len() as f64 + cov(&d01, &d01) / d01.len() as f64).max(0.0);
    let delta = a.auc - b.auc;
    let sd = variance.sqrt();
    let (z, p_value) = if sd > 0.0 {
        let z = delta / sd;
        (Some(z), Some(two_sided_p(z)))
    } else {
        (None, None)
    };
    Some(PairedDelong {
        delta,
        variance,
        z,
        p_value,
        low: (delta - zc * sd).clamp(-1.0, 1.0),
        high: (delta + zc * sd).clamp(-1.0, 1.0),
    })
}

#[cfg(test)]
mod tests {
    use super::super::oracle;
    use super::*;
    use crate::evaluate::metrics::roc_auc;

    fn close(a: f64, b: f64, tol: f64) -> bool {
        (a - b).abs() <= tol * (1.0 + b.abs())
    }

    #[test]
    fn variance_matches_fast_and_brute_force_oracles() {
        for case in oracle::DELONG {
            let (auc, var) = auc_variance(case.y, case.a).unwrap();
            assert!(close(auc, case.auc_a, 1e-12), "{}: auc {auc}", case.name);
            assert!(close(var, case.var_a, 1e-12), "{}: var {var}", case.name);
            assert_eq!(Some(auc), roc_auc(case.y, case.a), "{}", case.name);
            let iv = auc_interval(case.y, case.a, 0.95).unwrap();
            // The oracle's interval is Wald's, clipped to [0, 1]; where
            // Wald's leaves [0, 1] ours is on the logit scale, from the
            // oracle's variance.
            let z = 1.959_963_984_540_054;
            let half = z * case.var_a.sqrt();
            let (low, high) = if case.auc_a - half < 0.0 || case.auc_a + half > 1.0 {
                let logit = (case.auc_a / (1.0 - case.auc_a)).ln();
                let half = half / (case.auc_a * (1.0 - case.auc_a));
                let back = |x: f64| 1.0 / (1.0 + (-x).exp());
                assert_eq!(iv.method, "delong_logit", "{}", case.name);
                (back(logit - half), back(logit + half))
            } else {
                (case.low_a, case.high_a)
            };
            assert!(close(iv.low, low, 1e-12), "{}: low", case.name);
            assert!(close(iv.high, high, 1e-12), "{}: high", case.name);
            let p = paired(case.y, case.a, case.b, 0.95).unwrap();
            assert!(close(p.delta, case.delta, 1e-12), "{}: delta", case.name);
            assert!(close(p.variance, case.var_delta, 1e-10), "{}", case.name);
            assert!(close(p.z.unwrap(), case.z, 1e-9), "{}: z", case.name);
            assert!(close(p.p_value.unwrap(), case.p, 1e-9), "{}: p", case.name);
            assert!(close(p.low, case.delta_low, 1e-10), "{}", case.name);
            assert!(close(p.high, case.delta_high, 1e-10), "{}", case.name);
        }
    }

    #[test]
    fn a_score_near_one_takes_its_interval_on_the_logit_scale() {
        // 40 positives above 40 negatives but for one pair: AUC 1 - 1/1600.
        let mut y = vec![1u8; 40];
        y.extend(vec![0u8; 40]);
        let mut s: Vec<f64> = (0..40).map(|i| 100.0 + f64::from(i)).collect();
        s.extend((0..40).map(f64::from));
        s[0] = 38.5;
        let (auc, var) = auc_variance(&y, &s).unwrap();
        assert_eq!(auc, 1.0 - 1.0 / 1600.0);
        let z = 1.959_963_984_540_054;
        assert!(
            auc + z * var.sqrt() > 1.0,
            "the Wald interval leaves [0, 1]"
        );
        let iv = auc_interval(&y, &s, 0.95).unwrap();
        assert_eq!(iv.method, "delong_logit");
        let logit = (auc / (1.0 - auc)).ln();
        let half = z * var.sqrt() / (auc * (1.0 - auc));
        let back = |x: f64| 1.0 / (1.0 + (-x).exp());
        assert!(close(iv.low, back(logit - half), 1e-12));
        assert!(close(iv.high, back(logit + half), 1e-12));
        assert!(iv.low < auc - z * var.sqrt() && iv.high < 1.0 && iv.high > auc);
        // Mirrored near 0.
        let flipped: Vec<f64> = s.iter().map(|v| -v).collect();
        let lo = auc_interval(&y, &flipped, 0.95).unwrap();
        assert_eq!(lo.method, "delong_logit");
        assert!(close(lo.low, 1.0 - iv.high, 1e-9) && close(lo.high, 1.0 - iv.low, 1e-9));
    }

    #[test]
    fn undefined_cases() {
        assert!(auc_variance(&[1, 0, 0], &[0.1, 0.2, 0.3]).is_none());
        assert!(auc_variance(&[1, 1, 1], &[0.1, 0.2, 0.3]).is_none());
        assert!(auc_variance(&[], &[]).is_none());
        assert!(auc_variance(&[1, 1, 0, 0], &[0.1, f64::NAN, 0.3, 0.2]).is_none());
        assert!(auc_interval(&[1, 1, 0, 0], &[0.9, 0.8, 0.3, 0.2], 1.0).is_none());
        assert!(paired(&[1, 1, 0, 0], &[0.9, 0.8, 0.3, 0.2], &[0.5], 0.95).is_none());
    }

    #[test]
    fn perfect_separation_and_identical_scores() {
        let y = [1, 1, 1, 0, 0, 0];
        let s = [0.9, 0.8, 0.7, 0.3, 0.2, 0.1];
        let iv = auc_interval(&y, &s, 0.95).unwrap();
        assert_eq!((iv.low, iv.high), (1.0, 1.0));
        let p = paired(&y, &s, &s, 0.95).unwrap();
        assert_eq!(
            (p.delta, p.variance, p.z, p.p_value),
            (0.0, 0.0, None, None)
        );
        let t = [0.9, 0.2, 0.7, 0.3, 0.8, 0.1];
        let p = paired(&y, &t, &t, 0.95).unwrap();
        assert_eq!((p.low, p.high), (0.0, 0.0));
    }
}
