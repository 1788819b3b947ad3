//! `[stats]`: the interval of every metric and fairness value, seeded by
//! `[data] seed` (bit-identical whatever the thread count).
use crate::config::Plan;
use crate::domain::{FairnessMetric, IntervalValue, Intervals};
use crate::evaluate::stats::{self, BootstrapConfig, Interval};
use std::collections::BTreeMap;

fn value(iv: Interval) -> IntervalValue {
    IntervalValue {
        low: iv.low,
        high: iv.high,
        method: iv.method.to_string(),
    }
}

/// The bootstrap settings of a plan with `[stats]`.
pub fn config(plan: &Plan) -> Option<BootstrapConfig> {
    plan.stats.map(|s| BootstrapConfig {
        replicates: s.bootstrap,
        confidence: s.confidence,
        seed: plan.data.seed,
    })
}

/// The settings of the champion gate's `test = "paired"`: `[stats]`'s when
/// intervals are on, else 95% and 1000 replicates (the test needs them even
/// when no interval is reported).
pub fn paired_config(plan: &Plan) -> BootstrapConfig {
    config(plan).unwrap_or(BootstrapConfig {
        replicates: 1000,
        confidence: 0.95,
        seed: plan.data.seed,
    })
}

pub fn compute(
    plan: &Plan,
    y: &[u8],
    scores: &[f64],
    y_pred: &[u8],
    protected: &[(&String, &crate::evaluate::fairness::Groups)],
) -> Option<Intervals> {
    use rayon::prelude::*;
    let cfg = config(plan)?;
    // The metric and the fairness intervals side by side, each interval on
    // its own seeded stream: the same bits whatever the thread count.
    let fairness_of = || {
        let pairs: Vec<(&String, &[u32], FairnessMetric)> = protected
            .iter()
            .flat_map(|(attr, g)| {
                FairnessMetric::ALL
                    .into_iter()
                    .map(move |m| (*attr, g.codes.as_slice(), m))
            })
            .collect();
        let found: Vec<(String, String, IntervalValue)> = pairs
            .par_iter()
            .filter_map(|(attr, codes, m)| {
                stats::fairness_interval(m.name(), codes, y, y_pred, &cfg)
                    .map(|iv| ((*attr).clone(), m.name().to_string(), value(iv)))
            })
            .collect();
        let mut fairness: BTreeMap<String, BTreeMap<String, IntervalValue>> = protected
            .iter()
            .map(|(attr, _)| ((*attr).clone(), BTreeMap::new()))
            .collect();
        for (attr, m, v) in found {
            fairness.entry(attr).or_default().insert(m, v);
        }
        fairness
    };
    let (metrics, fairness) = rayon::join(
        || {
            stats::all_intervals(y, scores, plan.threshold, &cfg)
                .into_iter()
                .map(|(k, v)| (k, value(v)))
                .collect::<BTreeMap<String, IntervalValue>>()
        },
        fairness_of,
    );
    Some(Intervals {
        confidence: cfg.confidence,
        metrics,
        fairness,
    })
}
