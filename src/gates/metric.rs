//! `kind = "metric"`: a quality metric of the candidate within `min`/`max`.
use super::bound::{Bound, Limit, Side};
use super::evidence::{Evidence, Outcome};
use crate::domain::Metric;
use crate::evaluate::metrics::Confusion;
use schemars::JsonSchema;
use serde::Deserialize;

/// The keys of a `metric` gate besides `name`, `kind` and `severity`.
pub const KEYS: &[&str] = &["metric", "min", "max", "bound"];

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MetricTable {
    /// A quality metric.
    pub metric: Metric,
    /// Lower bound on the metric.
    #[serde(default)]
    pub min: Limit,
    /// Upper bound on the metric.
    #[serde(default)]
    pub max: Limit,
    /// The value compared: `point` (default), or the `lower`/`upper` end of
    /// its interval (needs `[stats]`).
    #[serde(default)]
    pub bound: Side,
}

#[derive(Debug, Clone, PartialEq)]
pub struct MetricGate {
    pub metric: Metric,
    pub bound: Bound,
    pub side: Side,
}

impl MetricGate {
    pub fn from_table(t: MetricTable, stats: bool) -> Result<MetricGate, String> {
        t.bound.check(stats)?;
        let bound = Bound {
            min: t.min.or(None),
            max: t.max.or(None),
        };
        bound.check(t.metric.name(), t.metric.range())?;
        Ok(MetricGate {
            metric: t.metric,
            bound,
            side: t.bound,
        })
    }

    pub fn default_name(&self) -> String {
        format!("metric {}", self.metric)
    }

    /// The gate's conclusion; a pass that the test rows do not support
    /// (see [`super::Caveats`]) is inconclusive.
    pub fn evaluate(&self, ev: &Evidence) -> Outcome {
        ev.caveats
            .judged(self.measure(ev), self.metric.uses_threshold())
    }

    fn measure(&self, ev: &Evidence) -> Outcome {
        let c = &ev.metrics.confusion;
        if let Some(why) = too_few_rows(c, ev.min_test_rows, ev.distinct) {
            return Outcome {
                observed: ev.metrics.get(self.metric),
                ..Outcome::inconclusive(self.bound.shown(), why)
            };
        }
        let name = self.metric.name();
        let interval = ev
            .intervals
            .and_then(|i| i.metric(name).map(|v| (v, i.confidence)));
        let mut out = self
            .bound
            .apply_side(name, ev.metrics.get(self.metric), self.side, interval);
        if out.observed.is_none() {
            let why = undefined_reason(c);
            if why.is_empty() && !self.metric.higher_is_better() {
                out.message.push_str(
                    " (it needs probabilities: a score outside [0, 1], such as a raw margin, leaves it undefined)",
                );
            }
            out.message.push_str(&why);
        }
        out
    }
}

/// The fewest test rows of one class a judgement needs under
/// `min_test_rows`: a tenth of it, and never fewer than 10, whatever
/// `min_test_rows` says (round 14, F8: `min_test_rows = 0` passed a gate
/// on two positives).
pub fn class_minimum(min_rows: u64) -> u64 {
    (min_rows / 10).max(10)
}

/// A metric measured on fewer than `min_rows` test rows, or on fewer than
/// `max(10, min_rows / 10)` rows of either class (or, when `distinct`
/// counts them, distinct rows: [negative, positive]), says too little to
/// pass.
pub fn too_few_rows(c: &Confusion, min_rows: u64, distinct: Option<[u64; 2]>) -> Option<String> {
    let (pos, neg) = (c.tp + c.fn_, c.tn + c.fp);
    let rows = pos + neg;
    let per_class = class_minimum(min_rows);
    if rows < min_rows {
        Some(format!(
            "only {rows} test rows, fewer than min_test_rows = {min_rows}: \
             too few to judge (add data or raise test_fraction)"
        ))
    } else if pos.min(neg) < per_class {
        Some(format!(
            "the test rows hold {pos} positive and {neg} negative, fewer than {per_class} \
             of one class: too few to judge (add data, or set stratify)"
        ))
    } else if let Some([dn, dp]) = distinct.filter(|d| d[0].min(d[1]) < per_class) {
        Some(format!(
            "the test rows hold {pos} positive and {neg} negative, but only {dp} and {dn} \
             distinct rows (copies of a row are one observation), fewer than {per_class} of one \
             class: too few to judge (add data)"
        ))
    } else {
        None
    }
}

/// Why a quality metric may be undefined: a test set of one class (ROC AUC),
/// no predicted positive (precision), no actual positive (recall).
fn undefined_reason(c: &Confusion) -> String {
    let (pos, neg) = (c.tp + c.fn_, c.tn + c.fp);
    if pos == 0 {
        format!(" (its {neg} rows hold no positive: too few positives in the data to split)")
    } else if neg == 0 {
        format!(" (its {pos} rows are all positive)")
    } else if c.tp + c.fp == 0 {
        " (no row is predicted positive at this threshold)".to_string()
    } else {
        String::new()
    }
}
