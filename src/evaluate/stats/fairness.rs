//! Intervals for the fairness summaries of `evaluate::fairness`, and
//! fairlearn's equalized odds difference.
//!
//! | metric | two groups | more groups |
//! | --- | --- | --- |
//! | `disparate_impact` (min/max selection rate) | Katz log interval of the ratio (`katz`) | bootstrap stratified by group |
//! | `selection_rate_difference` | Newcombe hybrid score (`newcombe`) | bootstrap stratified by group |
//! | `tpr_difference` | Newcombe on the groups' TPRs | bootstrap stratified by group × class |
//! | `equalized_odds_difference` | bootstrap stratified by group × class | same |
//!
//! A bootstrap interval of no width (every group's rates at 0 or 1) is
//! widened to what the groups' Wilson intervals allow (`wilson_bound`).
//!
//! With two groups the closed forms are oriented from the observed values:
//! the ratio is (lower rate)/(higher rate) and the difference is
//! (higher) - (lower), as the point values are; the ratio's upper end is
//! capped at 1 and the difference's lower end at 0 because the summaries
//! cannot leave those ranges. Groups are codes as in `evaluate::fairness`
//! (`u32::MAX` = missing is a group of its own); `tpr_difference` ignores
//! groups without positives, as `evaluate::fairness` does.

use std::collections::BTreeMap;

use super::bootstrap::{self, CellModel};
use super::proportion::{katz_ratio, newcombe_difference};
use super::{streams, BootstrapConfig, Interval};

/// Fairness summaries that have an interval.
pub const FAIRNESS_METRICS: [&str; 4] = [
    "disparate_impact",
    "tpr_difference",
    "selection_rate_difference",
    "equalized_odds_difference",
];

/// Counts of one group: `[pos & selected, pos & not, neg & selected, neg & not]`.
pub type Cells = [u64; 4];

/// Cells per group code, in code order; rows past the shortest input are
/// ignored.
/// Counted a block of rows at a time, side by side: integer sums, the same
/// in any order.
pub fn tally(groups: &[u32], y_true: &[u8], y_pred: &[u8]) -> BTreeMap<u32, Cells> {
    use rayon::prelude::*;
    const BLOCK: usize = 1 << 16;
    let n = groups.len().min(y_true.len()).min(y_pred.len());
    groups[..n]
        .par_chunks(BLOCK)
        .zip(y_true[..n].par_chunks(BLOCK))
        .zip(y_pred[..n].par_chunks(BLOCK))
        .map(|((g, t), p)| tally_block(g, t, p))
        .reduce(BTreeMap::new, |mut a, b| {
            for (g, cells) in b {
                let to = a.entry(g).or_default();
                to.iter_mut().zip(cells).for_each(|(x, y)| *x += y);
            }
            a
        })
}

/// [`tally`] of one block, row by row.
fn tally_block(groups: &[u32], y_true: &[u8], y_pred: &[u8]) -> BTreeMap<u32, Cells> {
    // Small codes (every group of a text level) in a dense table.
    const DENSE: usize = 1 << 12;
    let mut dense: Vec<Cells> = Vec::new();
    let mut out: BTreeMap<u32, Cells> = BTreeMap::new();
    for ((&g, &t), &p) in groups.iter().zip(y_true).zip(y_pred) {
        let idx = 2 * usize::from(t == 0) + usize::from(p == 0);
        let cells = match g as usize {
            i if i < DENSE => {
                if dense.len() <= i {
                    dense.resize(i + 1, [0; 4]);
                }
                &mut dense[i]
            }
            _ => out.entry(g).or_default(),
        };
        cells[idx] += 1;
    }
    for (g, cells) in dense.into_iter().enumerate() {
        if cells.iter().any(|&c| c > 0) {
            out.insert(g as u32, cells);
        }
    }
    out
}

/// Rate `num / den`, `None` for an empty denominator.
fn rate(num: u64, den: u64) -> Option<f64> {
    (den > 0).then(|| num as f64 / den as f64)
}

/// (min, max) of the defined values, `None` when there are none.
fn extremes(values: impl Iterator<Item = Option<f64>>) -> Option<(f64, f64)> {
    values.flatten().fold(None, |acc, v| match acc {
        None => Some((v, v)),
        Some((lo, hi)) => Some((f64::min(lo, v), f64::max(hi, v))),
    })
}

fn selection(c: &Cells) -> Option<f64> {
    rate(c[0] + c[2], c.iter().sum())
}

fn tpr(c: &Cells) -> Option<f64> {
    rate(c[0], c[0] + c[1])
}

/// A summary metric of the group cells (`cells` = groups concatenated).
fn summary(metric: &str, cells: &[u64]) -> Option<f64> {
    let groups = cells.chunks_exact(4).map(|c| [c[0], c[1], c[2], c[3]]);
    match metric {
        "disparate_impact" => {
            let (lo, hi) = extremes(groups.map(|c| selection(&c)))?;
            (hi > 0.0).then(|| lo / hi)
        }
        "selection_rate_difference" => {
            extremes(groups.map(|c| selection(&c))).map(|(lo, hi)| hi - lo)
        }
        "tpr_difference" => extremes(groups.map(|c| tpr(&c))).map(|(lo, hi)| hi - lo),
        "equalized_odds_difference" => {
            // fairlearn: a rate with an empty denominator counts as 0.
            let gs: Vec<Cells> = groups.collect();
            let t = extremes(gs.iter().map(|c| Some(tpr(c).unwrap_or(0.0))))?;
            let f = extremes(
                gs.iter()
                    .map(|c| Some(rate(c[2], c[2] + c[3]).unwrap_or(0.0))),
            )?;
            Some((t.1 - t.0).max(f.1 - f.0))
        }
        _ => None,
    }
}

/// `fairlearn.metrics.equalized_odds_difference(y_true, y_pred,
/// sensitive_features=groups)`: the larger of the TPR and FPR spreads
/// (max - min over groups), where a group without positives (negatives) has
/// TPR (FPR) 0 as in fairlearn. `None` for empty input.
pub fn equalized_odds_difference(y_true: &[u8], y_pred: &[u8], groups: &[u32]) -> Option<f64> {
    equalized_odds_of(&tally(groups, y_true, y_pred))
}

/// [`equalized_odds_difference`] of the groups' [`tally`].
pub fn equalized_odds_of(tallies: &BTreeMap<u32, Cells>) -> Option<f64> {
    let cells: Vec<u64> = tallies.values().flatten().copied().collect();
    summary("equalized_odds_difference", &cells)
}

/// Interval of the fairness summary `metric` (see the module table) of hard
/// predictions `y_pred` across `groups`. `None` when the summary is
/// undefined, fewer than two groups take part, the metric is unknown, or a
/// bootstrap is needed and `cfg.replicates == 0`.
pub fn fairness_interval(
    metric: &str,
    groups: &[u32],
    y_true: &[u8],
    y_pred: &[u8],
    cfg: &BootstrapConfig,
) -> Option<Interval> {
    let tallies = tally(groups, y_true, y_pred);
    // Groups taking part: every group, or those with positives for TPR.
    let parts: Vec<Cells> = tallies
        .into_values()
        .filter(|c| metric != "tpr_difference" || c[0] + c[1] > 0)
        .collect();
    if parts.len() < 2 {
        return None;
    }
    let cells: Vec<u64> = parts.iter().flatten().copied().collect();
    summary(metric, &cells)?;
    if parts.len() == 2 && metric != "equalized_odds_difference" {
        return two_group_interval(metric, &parts[0], &parts[1], cfg.confidence);
    }
    let by_class = matches!(metric, "tpr_difference" | "equalized_odds_difference");
    let strata: Vec<Vec<u64>> = if by_class {
        // One stratum per (group, class): class counts per group stay fixed.
        parts
            .iter()
            .flat_map(|c| [vec![c[0], c[1], 0, 0], vec![0, 0, c[2], c[3]]])
            .collect()
    } else {
        parts.iter().map(|c| c.to_vec()).collect()
    };
    let model = CellModel::new(&strata, |k: &[u64]| {
        if by_class {
            // Merge each group's two strata back into its 4 cells.
            let merged: Vec<u64> = k
                .chunks_exact(8)
                .flat_map(|s| [s[0], s[1], s[6], s[7]])
                .collect();
            summary(metric, &merged)
        } else {
            summary(metric, k)
        }
    });
    let i = bootstrap::interval(&model, cfg, streams::FAIRNESS)?;
    if i.high - i.low > 0.0 {
        return Some(i);
    }
    Some(no_wider_than_the_rates(metric, &parts, i, cfg.confidence))
}

/// (successes, trials) of one rate of a group's cells.
type Rate = fn(&Cells) -> (u64, u64);

/// A zero-width bootstrap interval (every group's rates at 0 or 1: a
/// perfect classifier has equalized odds [0, 0] in every replicate) claims
/// certainty. It is widened to what each group's Wilson intervals allow:
/// a spread of true rates up to the largest high end minus the smallest
/// low end, and a ratio down to the smallest low end over the largest high
/// end (method `wilson_bound`).
fn no_wider_than_the_rates(
    metric: &str,
    parts: &[Cells],
    i: Interval,
    confidence: f64,
) -> Interval {
    // (successes, trials) of each rate the metric compares.
    let rates: Vec<Rate> = match metric {
        "tpr_difference" => vec![|c| (c[0], c[0] + c[1])],
        "equalized_odds_difference" => vec![|c| (c[0], c[0] + c[1]), |c| (c[2], c[2] + c[3])],
        _ => vec![|c| (c[0] + c[2], c.iter().sum())],
    };
    let ends = |pick: &Rate| {
        let bounds: Vec<(f64, f64)> = parts
            .iter()
            .filter_map(|c| {
                let (k, n) = pick(c);
                super::proportion::wilson(k, n, confidence)
            })
            .collect();
        let low = bounds.iter().map(|b| b.0).fold(f64::INFINITY, f64::min);
        let high = bounds.iter().map(|b| b.1).fold(f64::NEG_INFINITY, f64::max);
        (low, high)
    };
    let widened = match metric {
        "disparate_impact" => {
            let (low, high) = ends(&rates[0]);
            Interval {
                low: if high > 0.0 {
                    (low / high).min(i.low)
                } else {
                    i.low
                },
                high: i.high,
                method: "wilson_bound",
            }
        }
        _ => Interval {
            low: i.low,
            high: rates
                .iter()
                .map(|r| {
                    let (low, high) = ends(r);
                    high - low
                })
                .fold(i.high, f64::max),
            method: "wilson_bound",
        },
    };
    if widened.high - widened.low > 0.0 {
        widened
    } else {
        i
    }
}

/// Closed-form interval for two groups.
fn two_group_interval(metric: &str, a: &Cells, b: &Cells, confidence: f64) -> Option<Interval> {
    // (successes, trials) of the rate each metric compares.
    let pick = |c: &Cells| match metric {
        "tpr_difference" => (c[0], c[0] + c[1]),
        _ => (c[0] + c[2], c.iter().sum()),
    };
    let ((k1, n1), (k2, n2)) = (pick(a), pick(b));
    // Order as (lower rate, higher rate), comparing k1/n1 < k2/n2 exactly.
    let ((kl, nl), (kh, nh)) = if u128::from(k1) * u128::from(n2) <= u128::from(k2) * u128::from(n1)
    {
        ((k1, n1), (k2, n2))
    } else {
        ((k2, n2), (k1, n1))
    };
    match metric {
        "disparate_impact" => {
            let (low, high) = katz_ratio(kl, nl, kh, nh, confidence)?;
            Some(Interval {
                low: low.max(0.0),
                high: high.min(1.0),
                method: "katz",
            })
        }
        "selection_rate_difference" | "tpr_difference" => {
            let (low, high) = newcombe_difference(kh, nh, kl, nl, confidence)?;
            Some(Interval {
                low: low.max(0.0),
                high,
                method: "newcombe",
            })
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::super::oracle;
    use super::*;

    fn cfg() -> BootstrapConfig {
        BootstrapConfig {
            replicates: 500,
            confidence: 0.95,
            seed: 11,
        }
    }

    #[test]
    fn equalized_odds_matches_fairlearn() {
        for case in oracle::EOD {
            let got = equalized_odds_difference(case.y, case.pred, case.groups);
            assert_eq!(
                got.map(|v| (v - case.want).abs() < 1e-12),
                Some(true),
                "{}",
                case.name
            );
        }
        assert_eq!(equalized_odds_difference(&[], &[], &[]), None);
        assert_eq!(
            equalized_odds_difference(&[1, 0], &[1, 1], &[4, 4]),
            Some(0.0)
        );
    }

    #[test]
    fn two_groups_use_closed_forms() {
        // Group 0: 30/100 selected, 20 of 40 positives found;
        // group 1: 45/80 selected, 30 of 35 positives found.
        let mut g = vec![];
        let mut y = vec![];
        let mut p = vec![];
        let mut push =
            |code: u32, pos_sel: usize, pos_not: usize, neg_sel: usize, neg_not: usize| {
                for (t, s, k) in [
                    (1, 1, pos_sel),
                    (1, 0, pos_not),
                    (0, 1, neg_sel),
                    (0, 0, neg_not),
                ] {
                    for _ in 0..k {
                        g.push(code);
                        y.push(t);
                        p.push(s);
                    }
                }
            };
        push(0, 20, 20, 10, 50);
        push(1, 30, 5, 15, 30);
        let di = fairness_interval("disparate_impact", &g, &y, &p, &cfg()).unwrap();
        let (kl, kh) = katz_ratio(30, 100, 45, 80, 0.95).unwrap();
        assert_eq!(
            (di.low, di.high.min(1.0), di.method),
            (kl, kh.min(1.0), "katz")
        );
        let sr = fairness_interval("selection_rate_difference", &g, &y, &p, &cfg()).unwrap();
        let (nl, nh) = newcombe_difference(45, 80, 30, 100, 0.95).unwrap();
        assert_eq!((sr.low, sr.high, sr.method), (nl.max(0.0), nh, "newcombe"));
        let tp = fairness_interval("tpr_difference", &g, &y, &p, &cfg()).unwrap();
        let (tl, th) = newcombe_difference(30, 35, 20, 40, 0.95).unwrap();
        assert_eq!((tp.low, tp.high), (tl.max(0.0), th));
        let eo = fairness_interval("equalized_odds_difference", &g, &y, &p, &cfg()).unwrap();
        let point = equalized_odds_difference(&y, &p, &g).unwrap();
        assert!(eo.low <= point && point <= eo.high, "{eo:?} {point}");
        // From scripts/oracles/stats_oracle.py: statsmodels on the same counts.
        let (ol, oh) = oracle::KATZ_30_100_45_80;
        assert!((di.low - ol).abs() < 1e-12 && (di.high - oh.min(1.0)).abs() < 1e-12);
    }

    // Round 11, U4: a perfect classifier had equalized odds [0, 0].
    #[test]
    fn a_zero_width_bootstrap_is_widened_to_the_groups_rates() {
        // Two groups of 20 positives and 30 negatives, every row right.
        let mut g = Vec::new();
        let mut y = Vec::new();
        for group in 0..2u32 {
            for i in 0..50 {
                g.push(group);
                y.push(u8::from(i < 20));
            }
        }
        let p = y.clone();
        let eo = fairness_interval("equalized_odds_difference", &g, &y, &p, &cfg()).unwrap();
        let (tpr_low, _) = super::super::proportion::wilson(20, 20, 0.95).unwrap();
        let (_, fpr_high) = super::super::proportion::wilson(0, 30, 0.95).unwrap();
        assert_eq!(eo.method, "wilson_bound");
        assert_eq!(eo.low, 0.0);
        assert!(
            (eo.high - (1.0 - tpr_low).max(fpr_high)).abs() < 1e-15,
            "{eo:?}"
        );
        // Three groups: the bootstrap's TPR spread is 0 in every replicate.
        let g3: Vec<u32> = (0..150).map(|i| i / 50).collect();
        let y3: Vec<u8> = (0..150).map(|i| u8::from(i % 50 < 20)).collect();
        let t = fairness_interval("tpr_difference", &g3, &y3, &y3, &cfg()).unwrap();
        assert!(
            t.low == 0.0 && t.high > 0.1 && t.method == "wilson_bound",
            "{t:?}"
        );
    }

    #[test]
    fn more_groups_bootstrap() {
        let n = 3000;
        let g: Vec<u32> = (0..n).map(|i| (i % 3) as u32).collect();
        let y: Vec<u8> = (0..n).map(|i| u8::from((i * 7) % 10 < 4)).collect();
        let p: Vec<u8> = (0..n)
            .map(|i| u8::from((i * 13 + i / 3) % 10 < 3 + (i % 3)))
            .collect();
        for metric in FAIRNESS_METRICS {
            let iv = fairness_interval(metric, &g, &y, &p, &cfg()).unwrap();
            assert!(iv.method.starts_with("bootstrap_"), "{metric}");
            assert!(
                iv.low <= iv.high && iv.high - iv.low < 0.3,
                "{metric}: {iv:?}"
            );
            let again = fairness_interval(metric, &g, &y, &p, &cfg()).unwrap();
            assert_eq!(iv, again);
        }
    }

    #[test]
    fn undefined() {
        let c = cfg();
        assert!(fairness_interval("disparate_impact", &[0, 0], &[1, 0], &[1, 0], &c).is_none());
        assert!(fairness_interval("nope", &[0, 1], &[1, 0], &[1, 0], &c).is_none());
        // Nobody selected: the ratio is undefined.
        assert!(fairness_interval("disparate_impact", &[0, 1], &[1, 0], &[0, 0], &c).is_none());
        // Only one group has positives: no TPR difference interval.
        assert!(
            fairness_interval("tpr_difference", &[0, 1, 1], &[1, 0, 0], &[1, 0, 1], &c).is_none()
        );
    }
}
