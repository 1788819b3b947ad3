//! Stratified bootstrap with BCa intervals (Efron 1987), as
//! `scipy.stats.bootstrap(method="BCa")` computes them for several
//! independent samples (one per stratum).
//!
//! Two resampling models cover every statistic we need:
//! - [`CellModel`]: the statistic depends only on counts of a few cells per
//!   stratum (confusion cells for F1 and the paired threshold metrics, group ×
//!   outcome cells for fairness). Resampling `n_s` rows of stratum `s` with
//!   replacement is exactly a multinomial draw of its cell counts, so a
//!   replicate costs O(cells), whatever the row count. The jackknife is exact
//!   too: deleting a row only decrements one cell.
//! - [`MeanModel`]: the statistic is a mean of per-row values (log loss,
//!   Brier, per-row loss differences). A stratum of up to [`EXACT_ROWS`]
//!   rows keeps one bin per row, so its bootstrap is exact (it draws `n` row
//!   indices uniformly, with replacement); a larger one has
//!   its sorted values cut into [`LARGE_BINS`] equal-count bins. A replicate draws
//!   multinomial bin counts `k_b` and adds `k_b·mean_b + √k_b·sd_b·Z` (the
//!   CLT for the sum of `k_b` draws within a bin; it keeps the first two
//!   moments exact). Only the within-bin spread is approximated, and it is
//!   small because bins of sorted values are narrow. The jackknife of a mean is analytic (central moments),
//!   so BCa stays O(n) for any n: no grouped jackknife is needed.
//!
//! Replicate `r` draws from `SplitMix64::for_replicate(seed, stream, r)`;
//! replicates run in parallel and are collected in order, so intervals are
//! bit-identical for any thread count.

use rayon::prelude::*;

use super::normal::{norm_cdf, norm_ppf};
use super::rng::SplitMix64;
use super::{BootstrapConfig, Interval};

/// Strata of a [`MeanModel`] up to this size are resampled row by row.
pub const EXACT_ROWS: usize = 4096;
/// Bins per stratum of a [`MeanModel`] above [`EXACT_ROWS`] rows.
pub const LARGE_BINS: usize = 512;

/// A statistic that can be bootstrapped.
pub(crate) trait Resample: Sync {
    /// The statistic on the original data.
    fn theta_hat(&self) -> Option<f64>;
    /// One bootstrap replicate; `None` when the statistic is undefined on it.
    fn replicate(&self, rng: &mut SplitMix64) -> Option<f64>;
    /// Acceleration `a` of the stratified jackknife (scipy's multi-sample
    /// formula), `None` when undefined.
    fn acceleration(&self) -> Option<f64>;
}

/// scipy's acceleration from per-stratum jackknife sums
/// `Σ_j Σ_i U_ji³ / n_j³` and `Σ_j Σ_i U_ji² / n_j²`.
fn acceleration_from(num: f64, den: f64) -> Option<f64> {
    let a = num / 6.0 / den.powf(1.5);
    a.is_finite().then_some(a)
}

/// Cell counts per stratum and a statistic of all cells.
pub(crate) struct CellModel<F> {
    /// Cell counts, strata concatenated.
    cells: Vec<u64>,
    /// `(start, len)` of each stratum in `cells`.
    strata: Vec<(usize, usize)>,
    stat: F,
}

impl<F: Fn(&[u64]) -> Option<f64> + Sync> CellModel<F> {
    /// Model over `strata` (cell counts of each stratum) and `stat`, which
    /// receives the cells of all strata concatenated in the same order.
    pub(crate) fn new(strata: &[Vec<u64>], stat: F) -> Self {
        let mut cells = Vec::new();
        let mut spans = Vec::new();
        for s in strata {
            spans.push((cells.len(), s.len()));
            cells.extend_from_slice(s);
        }
        Self {
            cells,
            strata: spans,
            stat,
        }
    }
}

impl<F: Fn(&[u64]) -> Option<f64> + Sync> Resample for CellModel<F> {
    fn theta_hat(&self) -> Option<f64> {
        (self.stat)(&self.cells)
    }

    fn replicate(&self, rng: &mut SplitMix64) -> Option<f64> {
        let mut out = vec![0u64; self.cells.len()];
        for &(start, len) in &self.strata {
            let span = start..start + len;
            let n = self.cells[span.clone()].iter().sum();
            rng.multinomial(n, &self.cells[span.clone()], &mut out[span]);
        }
        (self.stat)(&out)
    }

    fn acceleration(&self) -> Option<f64> {
        let (mut num, mut den) = (0.0, 0.0);
        let mut work = self.cells.clone();
        for &(start, len) in &self.strata {
            let n: u64 = self.cells[start..start + len].iter().sum();
            if n < 2 {
                continue; // U = (n - 1)(...) = 0
            }
            // Leave-one-out value per non-empty cell, weighted by its count.
            let mut loo = Vec::with_capacity(len);
            for c in start..start + len {
                if self.cells[c] > 0 {
                    work[c] -= 1;
                    loo.push(((self.stat)(&work)?, self.cells[c] as f64));
                    work[c] += 1;
                }
            }
            let nf = n as f64;
            let mean = loo.iter().map(|(v, w)| v * w).sum::<f64>() / nf;
            for (v, w) in loo {
                let u = (nf - 1.0) * (mean - v);
                num += w * u * u * u / (nf * nf * nf);
                den += w * u * u / (nf * nf);
            }
        }
        acceleration_from(num, den)
    }
}

/// Equal-count bins of one stratum's sorted values.
struct Bins {
    count: Vec<u64>,
    mean: Vec<f64>,
    sd: Vec<f64>,
    n: u64,
    /// Central moments Σ(x - x̄)² and Σ(x - x̄)³ over the stratum's rows.
    m2: f64,
    m3: f64,
}

impl Bins {
    fn new(mut values: Vec<f64>) -> Self {
        let n = values.len();
        let nf = n as f64;
        let mean_all = values.iter().sum::<f64>() / nf.max(1.0);
        let (m2, m3) = values.iter().fold((0.0, 0.0), |(a, b), &x| {
            let d = x - mean_all;
            (a + d * d, b + d * d * d)
        });
        let k = if n <= EXACT_ROWS { n } else { LARGE_BINS };
        if n > EXACT_ROWS {
            // total_cmp is a total order: the sorted vector is unique, so the
            // parallel sort is deterministic.
            values.par_sort_unstable_by(f64::total_cmp);
        }
        let (mut count, mut mean, mut sd) = (vec![], vec![], vec![]);
        for b in 0..k {
            let bin = &values[b * n / k..(b + 1) * n / k];
            let c = bin.len() as f64;
            let mu = bin.iter().sum::<f64>() / c;
            let var = bin.iter().map(|x| (x - mu) * (x - mu)).sum::<f64>() / c;
            count.push(bin.len() as u64);
            mean.push(mu);
            sd.push(var.sqrt());
        }
        Self {
            count,
            mean,
            sd,
            n: n as u64,
            m2,
            m3,
        }
    }

    /// Sum of one stratified resample of this stratum.
    fn resample_sum(&self, rng: &mut SplitMix64, k: &mut [u64]) -> f64 {
        if self.count.len() as u64 == self.n {
            // One row per bin: draw the n rows themselves (the same
            // multinomial, without a binomial draw per row).
            return (0..self.n)
                .map(|_| self.mean[rng.index(self.n) as usize])
                .sum();
        }
        rng.multinomial(self.n, &self.count, k);
        let mut sum = 0.0;
        for ((&kb, &mu), &sd) in k.iter().zip(&self.mean).zip(&self.sd) {
            if kb == 0 {
                continue;
            }
            let kf = kb as f64;
            sum += kf * mu;
            if sd > 0.0 {
                sum += kf.sqrt() * sd * rng.normal();
            }
        }
        sum
    }
}

/// Mean of per-row values over all strata, resampled within each stratum.
pub(crate) struct MeanModel {
    strata: Vec<Bins>,
    total: u64,
    theta_hat: f64,
}

impl MeanModel {
    /// Model over per-stratum values; `theta_hat` is the reported value of
    /// the mean (passed in so the interval is centred on exactly it).
    pub(crate) fn new(strata: Vec<Vec<f64>>, theta_hat: f64) -> Self {
        let strata: Vec<Bins> = strata
            .into_iter()
            .filter(|s| !s.is_empty())
            .map(Bins::new)
            .collect();
        let total = strata.iter().map(|s| s.n).sum();
        Self {
            strata,
            total,
            theta_hat,
        }
    }
}

impl Resample for MeanModel {
    fn theta_hat(&self) -> Option<f64> {
        (self.total > 0).then_some(self.theta_hat)
    }

    fn replicate(&self, rng: &mut SplitMix64) -> Option<f64> {
        let mut k = vec![0u64; EXACT_ROWS.max(LARGE_BINS)];
        let sum: f64 = self
            .strata
            .iter()
            .map(|s| s.resample_sum(rng, &mut k[..s.count.len()]))
            .sum();
        Some(sum / self.total as f64)
    }

    fn acceleration(&self) -> Option<f64> {
        // Leaving row i of stratum j out gives (S - x_i)/(N - 1), hence
        // U_ji = (n_j - 1)(x_i - x̄_j)/(N - 1).
        let big_n = self.total as f64;
        let (mut num, mut den) = (0.0, 0.0);
        for s in &self.strata {
            let nf = s.n as f64;
            let c = (nf - 1.0) / (big_n - 1.0);
            num += c.powi(3) * s.m3 / nf.powi(3);
            den += c.powi(2) * s.m2 / nf.powi(2);
        }
        acceleration_from(num, den)
    }
}

/// Bootstrap interval of `model`'s statistic: BCa, or the percentile
/// interval when BCa is degenerate. `None` when `cfg.replicates == 0`, the
/// confidence is outside (0, 1), the statistic is undefined, or fewer than
/// half of the replicates are defined.
pub(crate) fn interval(
    model: &impl Resample,
    cfg: &BootstrapConfig,
    stream: u64,
) -> Option<Interval> {
    if cfg.replicates == 0 || !(cfg.confidence > 0.0 && cfg.confidence < 1.0) {
        return None;
    }
    let theta_hat = model.theta_hat()?;
    let replicates: Vec<f64> = (0..cfg.replicates as u64)
        .into_par_iter()
        .map(|r| {
            let mut rng = SplitMix64::for_replicate(cfg.seed, stream, r);
            model.replicate(&mut rng).filter(|v| v.is_finite())
        })
        .collect::<Vec<_>>()
        .into_iter()
        .flatten()
        .collect();
    if replicates.len() * 2 < cfg.replicates {
        return None;
    }
    from_replicates(theta_hat, replicates, model.acceleration(), cfg.confidence)
}

/// BCa interval from given replicates and acceleration, exactly as scipy's
/// `_bca_interval` + `np.percentile`; falls back to the percentile interval
/// when `z0`, `a` or the adjusted levels are not finite (e.g. every
/// replicate on one side of `theta_hat`, or a constant jackknife).
pub(crate) fn from_replicates(
    theta_hat: f64,
    mut replicates: Vec<f64>,
    acceleration: Option<f64>,
    confidence: f64,
) -> Option<Interval> {
    if replicates.is_empty() || !(confidence > 0.0 && confidence < 1.0) {
        return None;
    }
    replicates.sort_unstable_by(f64::total_cmp);
    let alpha = (1.0 - confidence) / 2.0;
    let b = replicates.len() as f64;
    let below = replicates.partition_point(|&v| v < theta_hat) as f64;
    let at_or_below = replicates.partition_point(|&v| v <= theta_hat) as f64;
    let z0 = norm_ppf((below + at_or_below) / (2.0 * b));
    let levels = acceleration.and_then(|a| {
        let za = norm_ppf(alpha);
        let adjust = |z: f64| {
            let num = z0 + z;
            norm_cdf(z0 + num / (1.0 - a * num))
        };
        let (a1, a2) = (adjust(za), adjust(-za));
        (z0.is_finite() && a1.is_finite() && a2.is_finite()).then_some((a1, a2))
    });
    let (q1, q2, method) = match levels {
        Some((a1, a2)) => (a1, a2, "bootstrap_bca"),
        None => (alpha, 1.0 - alpha, "bootstrap_percentile"),
    };
    Some(Interval {
        low: percentile(&replicates, q1),
        high: percentile(&replicates, q2),
        method,
    })
}

/// `np.percentile(sorted, 100 q)` with numpy's default linear method.
pub(crate) fn percentile(sorted: &[f64], q: f64) -> f64 {
    let h = (sorted.len() - 1) as f64 * q.clamp(0.0, 1.0);
    let lo = h.floor();
    let t = h - lo;
    let i = lo as usize;
    let a = sorted[i];
    let b = sorted[(i + 1).min(sorted.len() - 1)];
    let diff = b - a;
    // numpy's _lerp: symmetric form for t >= 0.5 (exact at t = 1).
    if t >= 0.5 {
        b - diff * (1.0 - t)
    } else {
        a + diff * t
    }
}

#[cfg(test)]
mod tests {
    use super::super::oracle;
    use super::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() <= 1e-12 * (1.0 + b.abs())
    }

    /// F1 from stratified cells: positives [tp, fn], negatives [fp, tn].
    fn f1_cells(c: &[u64]) -> Option<f64> {
        let (tp, fn_, fp) = (c[0], c[1], c[2]);
        let den = 2 * tp + fp + fn_;
        Some(if den == 0 {
            0.0
        } else {
            2.0 * tp as f64 / den as f64
        })
    }

    #[test]
    fn bca_on_fixed_replicates_matches_scipy() {
        for case in oracle::BCA {
            let (low, high, method) = match case.kind {
                "f1" => {
                    let m = CellModel::new(
                        &[case.pos_cells.to_vec(), case.neg_cells.to_vec()],
                        f1_cells,
                    );
                    let iv = from_replicates(
                        m.theta_hat().unwrap(),
                        case.replicates.to_vec(),
                        m.acceleration(),
                        0.95,
                    )
                    .unwrap();
                    assert!(close(m.acceleration().unwrap(), case.a), "{}: a", case.name);
                    (iv.low, iv.high, iv.method)
                }
                _ => {
                    let theta = (case.pos_values.iter().sum::<f64>()
                        + case.neg_values.iter().sum::<f64>())
                        / (case.pos_values.len() + case.neg_values.len()) as f64;
                    let m = MeanModel::new(
                        vec![case.pos_values.to_vec(), case.neg_values.to_vec()],
                        theta,
                    );
                    assert!(close(m.acceleration().unwrap(), case.a), "{}: a", case.name);
                    let iv =
                        from_replicates(theta, case.replicates.to_vec(), m.acceleration(), 0.95)
                            .unwrap();
                    (iv.low, iv.high, iv.method)
                }
            };
            assert_eq!(method, "bootstrap_bca", "{}", case.name);
            assert!(
                close(low, case.low) && close(high, case.high),
                "{}: {low} {high} vs {} {}",
                case.name,
                case.low,
                case.high
            );
        }
    }

    #[test]
    fn percentile_matches_numpy() {
        let v = [0.5, 1.0, 2.0, 4.0, 8.0];
        for &(q, want) in oracle::PERCENTILE {
            assert!(close(percentile(&v, q), want), "q={q}");
        }
    }

    #[test]
    fn degenerate_bca_falls_back_to_percentile() {
        // All replicates equal to theta_hat: z0 = 0 but a is undefined.
        let iv = from_replicates(0.5, vec![0.5; 100], None, 0.95).unwrap();
        assert_eq!(
            (iv.low, iv.high, iv.method),
            (0.5, 0.5, "bootstrap_percentile")
        );
        // All replicates above theta_hat: z0 = +inf.
        let iv = from_replicates(0.1, vec![0.2, 0.3, 0.4], Some(0.01), 0.95).unwrap();
        assert_eq!(iv.method, "bootstrap_percentile");
        assert!(from_replicates(0.1, vec![], Some(0.0), 0.95).is_none());
    }

    #[test]
    fn thread_count_does_not_change_results() {
        let pos: Vec<f64> = (0..5000).map(|i| ((i * 37) % 101) as f64 / 100.0).collect();
        let neg: Vec<f64> = (0..3000).map(|i| ((i * 53) % 97) as f64 / 97.0).collect();
        let theta = (pos.iter().sum::<f64>() + neg.iter().sum::<f64>()) / 8000.0;
        let m = MeanModel::new(vec![pos, neg], theta);
        let cfg = BootstrapConfig {
            replicates: 300,
            confidence: 0.9,
            seed: 42,
        };
        let run = |threads| {
            rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap()
                .install(|| interval(&m, &cfg, 7).unwrap())
        };
        let one = run(1);
        assert_eq!(one, run(2));
        assert_eq!(one, run(5));
        assert!(one.low < theta && theta < one.high);
        let other_seed = interval(&m, &BootstrapConfig { seed: 43, ..cfg }, 7).unwrap();
        assert_ne!(one, other_seed);
    }
}
