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

/// Group codes of one attribute's values (missing values one group).
pub fn group_codes(texts: &[Option<String>]) -> Vec<u32> {
    let mut names: std::collections::HashMap<&str, u32> = std::collections::HashMap::new();
    texts
        .iter()
        .map(|t| match t {
            None => crate::data::NULL_CODE,
            Some(v) => {
                let next = names.len() as u32;
                *names.entry(v.as_str()).or_insert(next)
            }
        })
        .collect()
}

pub fn compute(
    plan: &Plan,
    y: &[u8],
    scores: &[f64],
    y_pred: &[u8],
    protected: &[(String, Vec<Option<String>>)],
) -> Option<Intervals> {
    let cfg = config(plan)?;
    let metrics: BTreeMap<String, IntervalValue> =
        stats::all_intervals(y, scores, plan.threshold, &cfg)
            .into_iter()
            .map(|(k, v)| (k, value(v)))
            .collect();
    let mut fairness = BTreeMap::new();
    for (attr, texts) in protected {
        let codes = group_codes(texts);
        let per: BTreeMap<String, IntervalValue> = FairnessMetric::ALL
            .into_iter()
            .filter_map(|m| {
                stats::fairness_interval(m.name(), &codes, y, y_pred, &cfg)
                    .map(|iv| (m.name().to_string(), value(iv)))
            })
            .collect();
        fairness.insert(attr.clone(), per);
    }
    Some(Intervals {
        confidence: cfg.confidence,
        metrics,
        fairness,
    })
}
