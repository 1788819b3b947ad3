//! What the gates look at, and what one gate concludes.
use crate::domain::{DriftReport, GateStatus, Intervals};
use crate::evaluate::fairness::AttributeFairness;
use crate::evaluate::metrics::Metrics;
use std::collections::BTreeMap;

/// What the champion re-scoring produced. One per run: the size of the
/// scored variant costs nothing worth a box.
#[derive(Debug, Clone)]
#[allow(clippy::large_enum_variant)]
pub enum ChampionEval {
    /// No champion in the registry.
    Missing,
    /// A champion could not be scored on today's rows (e.g. missing columns).
    Unusable { version: String, reason: String },
    /// The champion's scores on the candidate's test rows.
    Scored {
        version: String,
        /// The sha256 of the champion's model file (verified against the index).
        sha256: String,
        metrics: Metrics,
        /// The champion's model is byte-identical to the candidate's.
        identical: bool,
        /// Test rows that were among the champion's training rows.
        leaked_rows: u64,
        /// The champion's scores on the test rows.
        scores: Vec<f64>,
        /// `test = "paired"`: the paired test of the champion gate's metric.
        paired: Option<crate::evaluate::stats::ChampionTest>,
    },
}

/// Everything the gates look at.
pub struct Evidence<'a> {
    pub metrics: &'a Metrics,
    pub fairness: &'a BTreeMap<String, AttributeFairness>,
    /// Single-row latencies in milliseconds, sorted ascending.
    pub latencies_ms: &'a [f64],
    pub champion: &'a ChampionEval,
    /// Drift per gate index (a drift gate may name its own reference).
    pub drift: &'a BTreeMap<usize, Result<DriftReport, String>>,
    /// Fewer test rows (or fewer than a tenth of it, at least 10, of
    /// either class) make a metric gate inconclusive (`[data] min_test_rows`).
    pub min_test_rows: u64,
    /// `[stats]`: the intervals of the metrics and fairness values.
    pub intervals: Option<&'a Intervals>,
}

/// One gate's conclusion, before severity is applied.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    pub status: GateStatus,
    pub observed: Option<f64>,
    pub threshold: Option<f64>,
    pub message: String,
}

impl Outcome {
    pub fn new(
        status: GateStatus,
        observed: Option<f64>,
        threshold: Option<f64>,
        message: impl Into<String>,
    ) -> Outcome {
        Outcome {
            status,
            observed,
            threshold,
            message: message.into(),
        }
    }

    pub fn inconclusive(threshold: Option<f64>, message: impl Into<String>) -> Outcome {
        Outcome::new(GateStatus::Inconclusive, None, threshold, message)
    }
}
