//! `kind = "drift"`: the Population Stability Index of every feature between
//! a reference (default: the training split) and the test rows.
use super::evidence::{Evidence, Outcome};
use crate::domain::GateStatus;
use schemars::JsonSchema;
use serde::Deserialize;
use std::path::{Path, PathBuf};

pub const KEYS: &[&str] = &["reference", "max_psi"];

/// Share of a feature's rows past the reference's range by more than its
/// span that fails the gate whatever PSI says: fresh values of the same
/// data land there about never, a tenth of values in other units does.
pub const BEYOND_RANGE_SHARE: f64 = 0.01;

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DriftTable {
    /// A reference data file, relative to gates.toml (default: the training split).
    #[serde(default)]
    pub reference: Option<String>,
    /// The Population Stability Index limit per feature (>= 0).
    pub max_psi: f64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct DriftGate {
    pub reference: Option<PathBuf>,
    pub max_psi: f64,
}

impl DriftGate {
    pub fn from_table(t: DriftTable, dir: &Path) -> Result<DriftGate, String> {
        if !(t.max_psi.is_finite() && t.max_psi >= 0.0) {
            return Err(format!(
                "max_psi must be a finite number >= 0 (PSI is never negative), not {:?}",
                t.max_psi
            ));
        }
        let most = crate::evaluate::drift::max_psi();
        if t.max_psi >= most {
            return Err(format!(
                "max_psi {} can never fail: PSI always lies in [0, {most:.4}] (empty bins are \
                 floored at 1e-6)",
                t.max_psi
            ));
        }
        let reference = t
            .reference
            .as_ref()
            .filter(|r| !r.trim().is_empty())
            .map(|r| dir.join(r));
        Ok(DriftGate {
            reference,
            max_psi: t.max_psi,
        })
    }

    pub fn default_name(&self) -> String {
        "drift psi".to_string()
    }

    pub fn evaluate(&self, index: usize, ev: &Evidence) -> Outcome {
        let max_psi = self.max_psi;
        let report = match ev.drift.get(&index) {
            Some(Ok(r)) => r,
            Some(Err(e)) => {
                return Outcome::inconclusive(Some(max_psi), format!("drift not computed: {e}"))
            }
            None => return Outcome::inconclusive(Some(max_psi), "drift not computed"),
        };
        let Some(worst) = report.ranked.first() else {
            // Nothing measured is not "no drift": a reference sharing no feature
            // with the model must not let the run through.
            return Outcome::inconclusive(
                Some(max_psi),
                format!(
                    "no feature of the model could be compared with {} (no shared columns)",
                    report.reference
                ),
            );
        };
        let psi = report.psi.get(worst).copied().unwrap_or(0.0);
        let far: Vec<String> = report
            .beyond_range
            .iter()
            .filter(|(_, &share)| share >= BEYOND_RANGE_SHARE)
            .map(|(f, share)| format!("{f} {:.1}%", 100.0 * share))
            .collect();
        // On few rows sampling alone moves PSI past max_psi: a feature is
        // evidence of drift only above the PSI random splits of the same
        // rows give it (round 24, F1), each feature its own (round 25, F1).
        let noise = |f: &str| report.noise.get(f).copied().unwrap_or(0.0);
        let over: Vec<&str> = report
            .ranked
            .iter()
            .filter(|f| report.psi.get(*f).is_some_and(|v| *v > max_psi))
            .map(String::as_str)
            .collect();
        let drifted: Vec<&str> = over
            .iter()
            .copied()
            .filter(|f| report.psi.get(*f).is_some_and(|v| *v > noise(f)))
            .collect();
        let within_noise = !over.is_empty() && drifted.is_empty();
        // PSI's end bins take in values past the reference's range: a unit
        // error in the top decile moves no PSI. Such values fail the gate
        // whenever PSI shows no drift, within max_psi or within its noise.
        if drifted.is_empty() && !far.is_empty() {
            let msg = format!(
                "worst PSI {psi:.4} ({worst}) {}, but values lie far past {}'s \
                 range (two spans beyond its 1st-99th percentiles), which PSI's end bins hide: \
                 {} of the rows (other units, a broken feed?)",
                if within_noise {
                    "is within sampling noise".to_string()
                } else {
                    format!("<= {max_psi}")
                },
                report.reference,
                far.join(", ")
            );
            return Outcome::new(GateStatus::Fail, Some(psi), Some(max_psi), msg);
        }
        if within_noise && report.not_compared.is_empty() {
            let msg = format!(
                "PSI {psi:.4} on {worst} > {max_psi}, but within sampling noise: random splits \
                 of these rows and {}'s give it up to {:.4} (family-wise 95% over {} splits), \
                 and no feature over {max_psi} passes its own; too few rows to tell drift of \
                 this size from chance",
                report.reference,
                noise(worst),
                crate::evaluate::drift::noise::SPLITS
            );
            return Outcome::new(GateStatus::Pass, Some(psi), Some(max_psi), msg);
        }
        if let Some(first) = drifted.first() {
            let top = report.psi.get(*first).copied().unwrap_or(psi);
            let beyond = if report.noise.is_empty() {
                String::new()
            } else {
                ", each above its sampling noise".to_string()
            };
            let msg = format!(
                "PSI {top:.4} on {first} > {max_psi} ({} feature(s) over{beyond}: {})",
                drifted.len(),
                drifted.join(", ")
            );
            Outcome::new(GateStatus::Fail, Some(top), Some(max_psi), msg)
        } else if !report.not_compared.is_empty() {
            // A feature that could not be compared may be the one that
            // drifted: part of the features is no evidence of no drift.
            let bound = if within_noise {
                format!("is within sampling noise ({:.4})", noise(worst))
            } else {
                format!("<= {max_psi}")
            };
            let msg = format!(
                "worst PSI {psi:.4} ({worst}) {bound} over the features compared, but \
                 {} could not be compared (absent from {} or the test data): their drift \
                 is unknown",
                report.not_compared.join(", "),
                report.reference,
            );
            Outcome {
                observed: Some(psi),
                ..Outcome::inconclusive(Some(max_psi), msg)
            }
        } else {
            let msg = format!("worst PSI {psi:.4} ({worst}) <= {max_psi}");
            Outcome::new(GateStatus::Pass, Some(psi), Some(max_psi), msg)
        }
    }
}
