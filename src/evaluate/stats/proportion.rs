//! Intervals for proportions: Clopper-Pearson's exact interval and
//! Wilson's score interval for one proportion, Newcombe's hybrid score interval for a difference of two
//! independent proportions, and Katz's log interval for their ratio.
//!
//! Wilson is used instead of the Wald interval because it keeps its coverage
//! near 0 and 1 and never leaves `[0, 1]` (Brown, Cai & DasGupta 2001);
//! Newcombe's method 10 (1998) builds on it for differences. Katz (1978) is
//! the standard interval of a risk ratio on the log scale.

use super::delong::critical_value;

/// Wilson score interval `(low, high)` for `k` successes out of `n`;
/// `None` for `n == 0`, `k > n` or `confidence` outside (0, 1).
pub fn wilson(k: u64, n: u64, confidence: f64) -> Option<(f64, f64)> {
    let z = critical_value(confidence)?;
    wilson_z(k, n, z)
}

/// Successes beyond which [`clopper_pearson`] takes Wilson's interval
/// (the same to a few 1e-4 there, and the exact tail sums grow with n).
const EXACT_MAX_N: u64 = 10_000;

/// Clopper-Pearson's exact interval `(low, high)` for `k` successes out of
/// `n`: `low` solves `P(X >= k | low) = alpha/2` and `high` solves
/// `P(X <= k | high) = alpha/2`, X ~ Bin(n, p), by bisection on the
/// binomial tails (scipy: `beta.ppf(alpha/2, k, n-k+1)` and
/// `beta.ppf(1-alpha/2, k+1, n-k)`). Above `EXACT_MAX_N` trials, Wilson's.
/// `None` for `n == 0`, `k > n` or `confidence` outside (0, 1).
pub fn clopper_pearson(k: u64, n: u64, confidence: f64) -> Option<(f64, f64)> {
    if n == 0 || k > n || !(confidence > 0.0 && confidence < 1.0) {
        return None;
    }
    if n > EXACT_MAX_N {
        return wilson(k, n, confidence);
    }
    let tail = (1.0 - confidence) / 2.0;
    // The p where `rising(p)` (a tail that rises with p) reaches `target`.
    let solve = |rising: &dyn Fn(f64) -> f64, target: f64| {
        let (mut lo, mut hi) = (0.0_f64, 1.0_f64);
        for _ in 0..100 {
            let mid = 0.5 * (lo + hi);
            if rising(mid) < target {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        0.5 * (lo + hi)
    };
    let low = if k == 0 {
        0.0
    } else {
        solve(&|p| binomial_tail(k, n, p, true), tail)
    };
    let high = if k == n {
        1.0
    } else {
        // P(X <= k) falls with p.
        solve(&|p| 1.0 - binomial_tail(k, n, p, false), 1.0 - tail)
    };
    Some((low, high))
}

/// `P(X >= k)` (`upper`) or `P(X <= k)` for X ~ Bin(n, p), summed in log
/// space so that large `n` does not underflow.
fn binomial_tail(k: u64, n: u64, p: f64, upper: bool) -> f64 {
    if p <= 0.0 {
        return if upper {
            f64::from(u8::from(k == 0))
        } else {
            1.0
        };
    }
    if p >= 1.0 {
        return if upper {
            1.0
        } else {
            f64::from(u8::from(k == n))
        };
    }
    let (lp, lq) = (p.ln(), (-p).ln_1p());
    // log pmf(j) by the ratio pmf(j+1)/pmf(j) = (n-j)/(j+1) * p/q.
    let mut log_pmf = Vec::with_capacity(n as usize + 1);
    let mut cur = n as f64 * lq;
    for j in 0..=n {
        log_pmf.push(cur);
        cur += ((n - j) as f64).ln() - ((j + 1) as f64).ln() + lp - lq;
    }
    let part = if upper {
        &log_pmf[k as usize..]
    } else {
        &log_pmf[..=k as usize]
    };
    let top = part.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let sum: f64 = part.iter().map(|&l| (l - top).exp()).sum();
    (top + sum.ln()).exp().min(1.0)
}

/// Wilson interval with a given critical value `z`.
fn wilson_z(k: u64, n: u64, z: f64) -> Option<(f64, f64)> {
    if n == 0 || k > n {
        return None;
    }
    let nf = n as f64;
    let p = k as f64 / nf;
    let z2 = z * z;
    let denom = 1.0 + z2 / nf;
    let center = (p + z2 / (2.0 * nf)) / denom;
    let half = z * (p * (1.0 - p) / nf + z2 / (4.0 * nf * nf)).sqrt() / denom;
    // The ends are exactly 0 and 1 at k = 0 and k = n; rounding must not
    // push them outside.
    let low = if k == 0 {
        0.0
    } else {
        (center - half).max(0.0)
    };
    let high = if k == n {
        1.0
    } else {
        (center + half).min(1.0)
    };
    Some((low, high))
}

/// Newcombe's hybrid score interval (method 10) for `k1/n1 - k2/n2`;
/// `None` when either `n` is 0 or `confidence` is outside (0, 1).
pub fn newcombe_difference(
    k1: u64,
    n1: u64,
    k2: u64,
    n2: u64,
    confidence: f64,
) -> Option<(f64, f64)> {
    let z = critical_value(confidence)?;
    let (l1, u1) = wilson_z(k1, n1, z)?;
    let (l2, u2) = wilson_z(k2, n2, z)?;
    let (p1, p2) = (k1 as f64 / n1 as f64, k2 as f64 / n2 as f64);
    let d = p1 - p2;
    let low = d - ((p1 - l1).powi(2) + (u2 - p2).powi(2)).sqrt();
    let high = d + ((u1 - p1).powi(2) + (p2 - l2).powi(2)).sqrt();
    Some((low.max(-1.0), high.min(1.0)))
}

/// Katz log interval for the ratio `(k1/n1) / (k2/n2)`.
///
/// `se = √(1/k1 - 1/n1 + 1/k2 - 1/n2)`, interval `ratio · exp(±z·se)`.
/// With `k1 == 0` the ratio is 0: the lower end is 0 and the upper end uses
/// 0.5 added to both counts and both sizes (Haldane's correction). `None`
/// when `k2 == 0` (undefined ratio), either `n` is 0, or a count exceeds its
/// size.
pub fn katz_ratio(k1: u64, n1: u64, k2: u64, n2: u64, confidence: f64) -> Option<(f64, f64)> {
    let z = critical_value(confidence)?;
    if n1 == 0 || n2 == 0 || k2 == 0 || k1 > n1 || k2 > n2 {
        return None;
    }
    let (k1f, n1f, k2f, n2f) = (k1 as f64, n1 as f64, k2 as f64, n2 as f64);
    if k1 == 0 {
        let (a, m, b, n) = (0.5, n1f + 0.5, k2f + 0.5, n2f + 0.5);
        let ratio = (a / m) / (b / n);
        let se = (1.0 / a - 1.0 / m + 1.0 / b - 1.0 / n).sqrt();
        return Some((0.0, ratio * (z * se).exp()));
    }
    let ratio = (k1f / n1f) / (k2f / n2f);
    let se = (1.0 / k1f - 1.0 / n1f + 1.0 / k2f - 1.0 / n2f)
        .max(0.0)
        .sqrt();
    Some((ratio * (-z * se).exp(), ratio * (z * se).exp()))
}

#[cfg(test)]
mod tests {
    use super::super::oracle;
    use super::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() <= 1e-12 * (1.0 + b.abs())
    }

    #[test]
    fn wilson_matches_statsmodels() {
        for &(k, n, conf, lo, hi) in oracle::WILSON {
            let (l, h) = wilson(k, n, conf).unwrap();
            assert!(close(l, lo) && close(h, hi), "{k}/{n}@{conf}: {l} {h}");
        }
        assert_eq!(wilson(0, 0, 0.95), None);
        assert_eq!(wilson(3, 2, 0.95), None);
        assert_eq!(wilson(1, 2, 0.0), None);
        assert_eq!(wilson(0, 5, 0.95).unwrap().0, 0.0);
        assert_eq!(wilson(5, 5, 0.95).unwrap().1, 1.0);
    }

    #[test]
    fn clopper_pearson_matches_scipy() {
        // scipy.stats.beta.ppf(0.025, k, n-k+1) and beta.ppf(0.975, k+1, n-k)
        // (scipy 1.x, in /work/scratch/onnx/.venv).
        let cases: [(u64, u64, f64, f64); 4] = [
            (4, 4, 0.397_635_364_383_525_3, 1.0),
            (30, 40, 0.588_038_019_848_570_2, 0.873_085_201_067_155),
            (7, 16, 0.197_534_140_532_667_88, 0.701_223_100_916_822_2),
            (500, 950, 0.493_998_889_610_796_24, 0.558_469_093_998_992_7),
        ];
        for (k, n, lo, hi) in cases {
            let (l, h) = clopper_pearson(k, n, 0.95).unwrap();
            assert!(
                (l - lo).abs() < 1e-9 && (h - hi).abs() < 1e-9,
                "{k}/{n}: {l} {h}"
            );
        }
        assert_eq!(clopper_pearson(0, 10, 0.95).unwrap().0, 0.0);
        assert_eq!(clopper_pearson(0, 0, 0.95), None);
        assert_eq!(clopper_pearson(3, 2, 0.95), None);
        assert_eq!(clopper_pearson(1, 2, 1.0), None);
        // Many trials: Wilson's.
        assert_eq!(
            clopper_pearson(6000, 20_000, 0.95),
            wilson(6000, 20_000, 0.95)
        );
    }

    #[test]
    fn newcombe_matches_statsmodels() {
        for &(k1, n1, k2, n2, lo, hi) in oracle::NEWCOMBE {
            let (l, h) = newcombe_difference(k1, n1, k2, n2, 0.95).unwrap();
            assert!(close(l, lo) && close(h, hi), "{k1}/{n1}-{k2}/{n2}: {l} {h}");
        }
        assert_eq!(newcombe_difference(1, 0, 1, 2, 0.95), None);
    }

    #[test]
    fn katz_matches_statsmodels() {
        for &(k1, n1, k2, n2, lo, hi) in oracle::KATZ {
            let (l, h) = katz_ratio(k1, n1, k2, n2, 0.95).unwrap();
            assert!(close(l, lo) && close(h, hi), "{k1}/{n1}/{k2}/{n2}: {l} {h}");
        }
        assert_eq!(katz_ratio(1, 10, 0, 10, 0.95), None);
        let (l, h) = katz_ratio(0, 10, 5, 10, 0.95).unwrap();
        assert!(l == 0.0 && h > 0.0 && h.is_finite());
    }
}
