//! `kind = "latency"`: a percentile of single-row scoring latency.
use super::evidence::{Evidence, Outcome};
use crate::domain::num::ms;
use crate::domain::GateStatus;
use crate::evaluate::percentile::percentile;
use schemars::JsonSchema;
use serde::Deserialize;

pub const KEYS: &[&str] = &["percentile", "max_ms"];

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LatencyTable {
    /// Which percentile of single-row latency, in [1, 100] (default 95).
    #[serde(default = "default_percentile")]
    pub percentile: f64,
    /// The limit in milliseconds (> 0).
    pub max_ms: f64,
}

fn default_percentile() -> f64 {
    95.0
}

#[derive(Debug, Clone, PartialEq)]
pub struct LatencyGate {
    pub percentile: f64,
    pub max_ms: f64,
}

impl LatencyGate {
    pub fn from_table(t: LatencyTable) -> Result<LatencyGate, String> {
        // Below p1 the gate judges the fastest row only: not a latency SLO.
        if !(1.0..=100.0).contains(&t.percentile) {
            return Err(format!(
                "percentile must be within [1, 100], not {:?}",
                t.percentile
            ));
        }
        if !(t.max_ms.is_finite() && t.max_ms > 0.0) {
            let why = if t.max_ms > 0.0 {
                "it could never fail"
            } else {
                "it could never pass"
            };
            return Err(format!(
                "max_ms must be a positive number of milliseconds, not {} ({why})",
                t.max_ms
            ));
        }
        Ok(LatencyGate {
            percentile: t.percentile,
            max_ms: t.max_ms,
        })
    }

    pub fn default_name(&self) -> String {
        format!("latency p{}", self.percentile)
    }

    pub fn evaluate(&self, ev: &Evidence) -> Outcome {
        let (p, max_ms) = (self.percentile, self.max_ms);
        let label = format!("p{p} latency");
        match percentile(ev.latencies_ms, p) {
            None => Outcome::inconclusive(Some(max_ms), "no latency measured"),
            Some(v) if v <= max_ms => Outcome::new(
                GateStatus::Pass,
                Some(v),
                Some(max_ms),
                format!("{label} {} ms <= {max_ms} ms", ms(Some(v))),
            ),
            Some(v) => Outcome::new(
                GateStatus::Fail,
                Some(v),
                Some(max_ms),
                format!("{label} {} ms > {max_ms} ms", ms(Some(v))),
            ),
        }
    }
}
