//! The data behind the HTML report's charts: ROC points, a reliability
//! diagram (calibration bins) and the single-row latency histogram.
//!
//! Computed once by the pipeline and stored in `report.json` under `curves`,
//! so `release-gate report --format html` re-renders a saved run without the
//! predictions. Sizes are bounded whatever the test set: at most
//! [`MAX_ROC_POINTS`] ROC points, [`CALIBRATION_BINS`] bins,
//! [`LATENCY_BINS`] histogram bins.
//!
//! Conventions (scikit-learn's where it has one):
//! - ROC points are `roc_curve(drop_intermediate=False)`: one point per
//!   distinct score, from a single descending sort, starting at (0, 0) (whose
//!   threshold, `inf` in scikit-learn, is `None` here since JSON has no `inf`).
//!   Undefined (empty) with one class or a non-finite score, as ROC AUC is.
//! - Calibration bins are `calibration_curve(n_bins=10, strategy="uniform")`:
//!   bin `i` holds scores in `(i/10, (i+1)/10]` (0 goes to the first bin);
//!   empty bins are kept with `None` means, where scikit-learn drops them.
//! - The latency histogram spans the fastest call to the 99th percentile in
//!   equal-width bins; slower calls are counted in `above`.
use crate::evaluate::ranked::Ranked;
use serde::{Deserialize, Serialize};

/// Most ROC points stored; longer curves are thinned evenly by index.
pub const MAX_ROC_POINTS: usize = 200;
/// Bins of the reliability diagram.
pub const CALIBRATION_BINS: usize = 10;
/// Bins of the latency histogram.
pub const LATENCY_BINS: usize = 30;

/// Everything the charts need that the rest of `report.json` does not hold.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Curves {
    /// ROC curve from (0, 0) to (1, 1); empty when undefined.
    pub roc: Vec<RocPoint>,
    /// Exactly [`CALIBRATION_BINS`] bins over `[0, 1]`.
    pub calibration: Vec<CalibrationBin>,
    /// Single-row latency distribution; `None` without timed calls.
    pub latency: Option<LatencyHistogram>,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct RocPoint {
    pub fpr: f64,
    pub tpr: f64,
    /// Scores `>=` this are predicted positive; `None` for the (0, 0) start.
    pub threshold: Option<f64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct CalibrationBin {
    pub lo: f64,
    pub hi: f64,
    pub count: u64,
    /// Mean score in the bin (scikit-learn's `prob_pred`).
    pub mean_score: Option<f64>,
    /// Fraction of positives in the bin (scikit-learn's `prob_true`).
    pub fraction_positive: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct LatencyHistogram {
    /// Bin edges in milliseconds, one more than `counts`.
    pub edges_ms: Vec<f64>,
    pub counts: Vec<u64>,
    /// Calls slower than the last edge (the 99th percentile).
    pub above: u64,
    /// The slowest call.
    pub max_ms: f64,
}

/// All curves of one run. `latencies_ms` must be sorted ascending.
pub fn compute(y_true: &[u8], score: &[f64], latencies_ms: &[f64]) -> Curves {
    compute_ranked(
        Ranked::new(y_true, score).as_ref(),
        y_true,
        score,
        latencies_ms,
    )
}

/// [`compute`] with the scores already ranked (`None`: no ROC curve).
pub fn compute_ranked(
    ranked: Option<&Ranked>,
    y_true: &[u8],
    score: &[f64],
    latencies_ms: &[f64],
) -> Curves {
    Curves {
        roc: ranked.map_or_else(Vec::new, |r| roc_points(r, MAX_ROC_POINTS)),
        calibration: calibration(y_true, score),
        latency: latency_histogram(latencies_ms),
    }
}

/// The full ROC curve, one point per distinct score (no downsampling).
pub fn roc(y_true: &[u8], score: &[f64]) -> Vec<RocPoint> {
    Ranked::new(y_true, score).map_or_else(Vec::new, |r| roc_points(&r, usize::MAX))
}

/// The ROC curve from (0, 0), thinned to `max` points evenly by index
/// ([`spread`]): only the points kept are made (a curve of 20M distinct
/// scores is never held whole).
fn roc_points(r: &Ranked, max: usize) -> Vec<RocPoint> {
    let (positives, negatives) = (r.positives() as f64, r.negatives() as f64);
    let start = RocPoint {
        fpr: 0.0,
        tpr: 0.0,
        threshold: None,
    };
    let point = |s: crate::evaluate::ranked::Step| RocPoint {
        fpr: s.fp as f64 / negatives,
        tpr: s.tp as f64 / positives,
        threshold: Some(s.threshold),
    };
    let len = r.distinct_steps() + 1;
    if len <= max || max < 2 {
        return std::iter::once(start).chain(r.steps().map(point)).collect();
    }
    // Point i is step i - 1; the start, point 0, is always kept.
    let wanted: Vec<usize> = spread(len, max).skip(1).map(|i| i - 1).collect();
    std::iter::once(start)
        .chain(r.steps_at(&wanted).into_iter().map(point))
        .collect()
}

/// `max` (at least 2) indices evenly spread over `0..len`, both ends kept.
fn spread(len: usize, max: usize) -> impl Iterator<Item = usize> {
    let last = len.saturating_sub(1);
    (0..max).map(move |i| (i * last + (max - 1) / 2) / (max - 1))
}

/// The interior edges of `np.linspace(0, 1, 11)`: `i * 0.1` for `i` in 1..10.
fn calibration_edges() -> [f64; CALIBRATION_BINS - 1] {
    let step = 1.0 / CALIBRATION_BINS as f64;
    std::array::from_fn(|i| (i + 1) as f64 * step)
}

/// The bin of `p` among [`CALIBRATION_BINS`] uniform bins, as `np.searchsorted`
/// on the interior `edges` ([`calibration_edges`]) places it: the edges
/// below `p`, counted without a branch.
fn calibration_bin(p: f64, edges: &[f64; CALIBRATION_BINS - 1]) -> usize {
    edges.iter().map(|&e| usize::from(e < p)).sum()
}

/// Rows per block of [`calibration`].
const CALIBRATION_BLOCK: usize = 1 << 16;

/// The reliability diagram: per bin, mean score and observed positive rate.
pub fn calibration(y_true: &[u8], score: &[f64]) -> Vec<CalibrationBin> {
    // Each bin's (rows, score sum, positives), and a slot past the bins
    // for non-finite scores, left out of the totals.
    type Sums = [(u64, f64, u64); CALIBRATION_BINS + 1];
    // Blocks side by side, their sums added in block order: the same bits
    // for any thread count (one block, up to `CALIBRATION_BLOCK` rows, is
    // the plain sequential sum).
    let blocks: Vec<Sums> =
        crate::evaluate::metrics::by_blocks(y_true, score, CALIBRATION_BLOCK, |y_true, score| {
            // Each row's bin first, then the sums in row order: no branch
            // per row.
            let mut sums: Sums = [(0, 0.0, 0); CALIBRATION_BINS + 1];
            let edges = calibration_edges();
            let bins: Vec<u8> = score
                .iter()
                .map(|&s| match s.is_finite() {
                    true => calibration_bin(s, &edges) as u8,
                    false => CALIBRATION_BINS as u8,
                })
                .collect();
            for ((&y, &s), &bin) in y_true.iter().zip(score).zip(&bins) {
                let b = &mut sums[usize::from(bin)];
                b.0 += 1;
                b.1 += s;
                b.2 += u64::from(y != 0);
            }
            sums
        });
    let mut sums = [(0u64, 0.0f64, 0u64); CALIBRATION_BINS];
    for block in &blocks {
        for (total, b) in sums.iter_mut().zip(block) {
            total.0 += b.0;
            total.1 += b.1;
            total.2 += b.2;
        }
    }
    let step = 1.0 / CALIBRATION_BINS as f64;
    sums.iter()
        .enumerate()
        .map(|(i, &(count, total, pos))| {
            let mean = |x: f64| (count > 0).then(|| x / count as f64);
            CalibrationBin {
                lo: i as f64 * step,
                hi: if i + 1 == CALIBRATION_BINS {
                    1.0
                } else {
                    (i + 1) as f64 * step
                },
                count,
                mean_score: mean(total),
                fraction_positive: mean(pos as f64),
            }
        })
        .collect()
}

/// Equal-width bins from the fastest call to the 99th percentile.
pub fn latency_histogram(sorted_ms: &[f64]) -> Option<LatencyHistogram> {
    let finite: Vec<f64> = sorted_ms
        .iter()
        .copied()
        .filter(|v| v.is_finite())
        .collect();
    let (&lo, &max_ms) = (finite.first()?, finite.last()?);
    let p99 = crate::evaluate::percentile::percentile(&finite, 99.0).unwrap_or(max_ms);
    // All calls equally fast: one bin of a nominal width around them.
    let hi = if p99 > lo {
        p99
    } else {
        lo + lo.abs().max(1e-6)
    };
    let width = (hi - lo) / LATENCY_BINS as f64;
    let edges_ms: Vec<f64> = (0..=LATENCY_BINS)
        .map(|i| {
            if i == LATENCY_BINS {
                hi
            } else {
                lo + i as f64 * width
            }
        })
        .collect();
    let mut counts = vec![0u64; LATENCY_BINS];
    let mut above = 0;
    for &v in &finite {
        if v > hi {
            above += 1;
        } else {
            let i = ((v - lo) / width) as usize;
            counts[i.min(LATENCY_BINS - 1)] += 1;
        }
    }
    Some(LatencyHistogram {
        edges_ms,
        counts,
        above,
        max_ms,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// At most `max` points, evenly spaced by index, always keeping both
    /// ends: the thinning `roc_points` does while walking, done on a
    /// whole curve.
    fn downsample<T: Copy>(points: Vec<T>, max: usize) -> Vec<T> {
        if points.len() <= max || max < 2 {
            return points;
        }
        spread(points.len(), max).map(|i| points[i]).collect()
    }

    #[test]
    fn the_curve_thinned_while_walked_is_the_whole_curve_thinned() {
        let y: Vec<u8> = (0..5000).map(|i| u8::from((i * 7919) % 13 < 5)).collect();
        let s: Vec<f64> = (0..5000)
            .map(|i| ((i * 104729) % 997) as f64 / 997.0)
            .collect();
        let whole = roc(&y, &s);
        assert!(whole.len() > MAX_ROC_POINTS);
        let r = Ranked::new(&y, &s).unwrap();
        assert_eq!(
            roc_points(&r, MAX_ROC_POINTS),
            downsample(whole, MAX_ROC_POINTS)
        );
        assert_eq!(compute(&y, &s, &[]).roc, roc_points(&r, MAX_ROC_POINTS));
    }

    fn xy(points: &[RocPoint]) -> Vec<(f64, f64)> {
        points.iter().map(|p| (p.fpr, p.tpr)).collect()
    }

    #[test]
    fn roc_matches_sklearn_with_ties() {
        // sklearn.metrics.roc_curve([0,0,1,1,1,0], [.1,.4,.35,.8,.4,.9],
        //                           drop_intermediate=False)
        let y = [0, 0, 1, 1, 1, 0];
        let s = [0.1, 0.4, 0.35, 0.8, 0.4, 0.9];
        let r = roc(&y, &s);
        let third = 1.0 / 3.0;
        assert_eq!(
            xy(&r),
            vec![
                (0.0, 0.0),
                (third, 0.0),
                (third, third),
                (2.0 * third, 2.0 * third),
                (2.0 * third, 1.0),
                (1.0, 1.0)
            ]
        );
        let thresholds: Vec<Option<f64>> = r.iter().map(|p| p.threshold).collect();
        assert_eq!(
            thresholds,
            vec![None, Some(0.9), Some(0.8), Some(0.4), Some(0.35), Some(0.1)]
        );
    }

    #[test]
    fn roc_area_equals_roc_auc() {
        let y: Vec<u8> = (0..500).map(|i| u8::from((i * 7919) % 13 < 5)).collect();
        let s: Vec<f64> = (0..500)
            .map(|i| ((i * 104729) % 97) as f64 / 97.0 * 0.5 + f64::from(y[i]) * 0.3)
            .collect();
        let r = roc(&y, &s);
        let area: f64 = r
            .windows(2)
            .map(|w| (w[1].fpr - w[0].fpr) * (w[1].tpr + w[0].tpr) / 2.0)
            .sum();
        let auc = crate::evaluate::metrics::compute(&y, &s, 0.5)
            .roc_auc
            .unwrap();
        assert!((area - auc).abs() < 1e-12, "{area} vs {auc}");
    }

    #[test]
    fn roc_is_empty_when_undefined() {
        assert!(roc(&[1, 1], &[0.2, 0.3]).is_empty());
        assert!(roc(&[0, 1], &[0.2, f64::NAN]).is_empty());
        assert!(roc(&[], &[]).is_empty());
    }

    #[test]
    fn downsample_keeps_ends_and_bound() {
        let v: Vec<usize> = (0..1409).collect();
        let d = downsample(v, MAX_ROC_POINTS);
        assert_eq!(d.len(), MAX_ROC_POINTS);
        assert_eq!((d[0], d[MAX_ROC_POINTS - 1]), (0, 1408));
        assert!(d.windows(2).all(|w| w[0] < w[1]));
        assert_eq!(downsample(vec![1, 2, 3], 200), vec![1, 2, 3]);
    }

    #[test]
    fn calibration_bins_like_sklearn_uniform() {
        // calibration_curve(y, p, n_bins=10): 0.1 and 0.0 land in bin 0,
        // 0.3 in bin 2 (edge 0.30000000000000004), 1.0 in bin 9.
        let y = [0, 1, 1, 0, 1, 1];
        let p = [0.0, 0.1, 0.3, 0.35, 1.0, 0.95];
        let c = calibration(&y, &p);
        assert_eq!(c.len(), CALIBRATION_BINS);
        let counts: Vec<u64> = c.iter().map(|b| b.count).collect();
        assert_eq!(counts, vec![2, 0, 1, 1, 0, 0, 0, 0, 0, 2]);
        assert_eq!(c[0].mean_score, Some(0.05));
        assert_eq!(c[0].fraction_positive, Some(0.5));
        assert_eq!(c[1].mean_score, None);
        assert_eq!(c[9].fraction_positive, Some(1.0));
        assert_eq!((c[9].lo, c[9].hi), (0.9, 1.0));
    }

    /// Non-finite scores are left out of every bin, and the sums are those
    /// of the finite rows alone, over more than one block.
    #[test]
    fn calibration_leaves_out_non_finite_scores() {
        let n = 2 * CALIBRATION_BLOCK + 5;
        let p: Vec<f64> = (0..n)
            .map(|i| match i % 97 {
                0 => f64::NAN,
                1 => f64::INFINITY,
                2 => f64::NEG_INFINITY,
                _ => (i % 1000) as f64 / 1000.0,
            })
            .collect();
        let y: Vec<u8> = (0..n).map(|i| u8::from(i % 3 == 0)).collect();
        let finite: Vec<usize> = (0..n).filter(|&i| p[i].is_finite()).collect();
        let (fy, fp): (Vec<u8>, Vec<f64>) = finite.iter().map(|&i| (y[i], p[i])).unzip();
        let got = calibration(&y, &p);
        assert_eq!(
            got.iter().map(|b| b.count).sum::<u64>(),
            finite.len() as u64
        );
        // The finite rows alone, each block's sums as before: equal counts
        // and positives, means within rounding of block order.
        let want = calibration(&fy, &fp);
        for (g, w) in got.iter().zip(&want) {
            assert_eq!(
                (g.count, g.fraction_positive),
                (w.count, w.fraction_positive)
            );
            let (g, w) = (g.mean_score.unwrap_or(-1.0), w.mean_score.unwrap_or(-1.0));
            assert!((g - w).abs() < 1e-12, "{g} {w}");
        }
    }

    #[test]
    fn calibration_bin_counts_the_edges_below() {
        // Each edge as `i * 0.1` gives it, a hair either side, the ends and NaN.
        let edges = calibration_edges();
        let step = 1.0 / CALIBRATION_BINS as f64;
        let by_filter = |p: f64| {
            (1..CALIBRATION_BINS)
                .filter(|&i| i as f64 * step < p)
                .count()
        };
        let mut ps = vec![-1.0, 0.0, 1.0, 2.0, f64::NAN, f64::INFINITY];
        for e in edges {
            ps.extend([
                e,
                f64::from_bits(e.to_bits() - 1),
                f64::from_bits(e.to_bits() + 1),
            ]);
        }
        for p in ps {
            assert_eq!(calibration_bin(p, &edges), by_filter(p), "{p}");
        }
        assert_eq!(calibration_bin(0.3, &edges), 2);
    }

    #[test]
    fn latency_histogram_counts_every_call() {
        let mut lat: Vec<f64> = (1..=2000).map(|i| f64::from(i) / 1000.0).collect();
        lat.push(50.0);
        let h = latency_histogram(&lat).unwrap();
        assert_eq!(h.counts.len(), LATENCY_BINS);
        assert_eq!(h.edges_ms.len(), LATENCY_BINS + 1);
        assert_eq!(h.counts.iter().sum::<u64>() + h.above, 2001);
        assert!(h.above >= 20, "the slowest 1% lie above p99");
        assert_eq!(h.max_ms, 50.0);
        assert_eq!(h.edges_ms[0], 0.001);
    }

    #[test]
    fn latency_histogram_of_equal_or_no_calls() {
        let h = latency_histogram(&[0.5; 10]).unwrap();
        assert_eq!(h.counts[0], 10);
        assert_eq!(h.above, 0);
        assert!(latency_histogram(&[]).is_none());
    }
}
