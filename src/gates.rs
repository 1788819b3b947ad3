//! Gates: each `[[gate]]` checked against the evaluation, as data. A failed
//! gate is a [`GateResult`], never an `Err`; the verdict is decided at the end.
use crate::config::{Bound, Gate, GateSpec, OnMissing};
use crate::evaluate::fairness::{self, AttributeFairness};
use crate::evaluate::metrics::{self, Metrics};
use crate::report::num::ms;
use crate::report::{DriftReport, GateResult, GateStatus, Severity, Verdict};
use std::collections::BTreeMap;

/// What the champion re-scoring produced.
#[derive(Debug, Clone)]
pub enum ChampionEval {
    /// No champion in the registry.
    Missing,
    /// A champion could not be scored on today's rows (e.g. missing columns).
    Unusable { version: String, reason: String },
    /// The champion's scores on the candidate's test rows.
    Scored {
        version: String,
        metrics: Metrics,
        /// The champion's model is byte-identical to the candidate's.
        identical: bool,
        /// Test rows that were among the champion's training rows.
        leaked_rows: u64,
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
}

/// Checks every gate in order.
pub fn evaluate(gates: &[Gate], ev: &Evidence) -> Vec<GateResult> {
    gates
        .iter()
        .enumerate()
        .map(|(i, g)| evaluate_one(i, g, ev))
        .collect()
}

fn evaluate_one(index: usize, g: &Gate, ev: &Evidence) -> GateResult {
    let (status, observed, threshold, message) = match &g.spec {
        GateSpec::Metric { metric, bound } => {
            let mut out = bounded(metric, metrics::named(ev.metrics, metric), *bound);
            if out.1.is_none() {
                out.3.push_str(&undefined_reason(&ev.metrics.confusion));
            }
            out
        }
        GateSpec::Fairness {
            attribute,
            metric,
            bound,
            min_group_size,
        } => fairness_gate(
            ev.fairness.get(attribute),
            attribute,
            metric,
            *bound,
            *min_group_size,
        ),
        GateSpec::Latency { percentile, max_ms } => {
            latency_gate(ev.latencies_ms, *percentile, *max_ms)
        }
        GateSpec::Champion {
            metric,
            min_delta,
            on_missing,
        } => champion_gate(ev.metrics, ev.champion, metric, *min_delta, *on_missing),
        GateSpec::Drift { max_psi, .. } => drift_gate(ev.drift.get(&index), *max_psi),
    };
    // A failing warning-severity gate is reported as `warn` and never blocks.
    let status = match (status, g.severity) {
        (GateStatus::Fail | GateStatus::Inconclusive, Severity::Warn) => GateStatus::Warn,
        (s, _) => s,
    };
    GateResult {
        name: g.name.clone(),
        kind: g.kind.name().to_string(),
        status,
        observed,
        threshold,
        severity: g.severity,
        message,
        line: Some(g.line),
    }
}

type Outcome = (GateStatus, Option<f64>, Option<f64>, String);

/// Why a quality metric may be undefined: a test set of one class (ROC AUC),
/// no predicted positive (precision), no actual positive (recall).
fn undefined_reason(c: &metrics::Confusion) -> String {
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

fn bounded(label: &str, value: Option<f64>, b: Bound) -> Outcome {
    let Some(v) = value else {
        let t = b.min.or(b.max);
        return (
            GateStatus::Inconclusive,
            None,
            t,
            format!("{label} is undefined on this test set"),
        );
    };
    if let Some(lo) = b.min {
        if v < lo {
            return (
                GateStatus::Fail,
                Some(v),
                Some(lo),
                format!("{label} {v:.4} < {lo:.4}"),
            );
        }
    }
    if let Some(hi) = b.max {
        if v > hi {
            return (
                GateStatus::Fail,
                Some(v),
                Some(hi),
                format!("{label} {v:.4} > {hi:.4}"),
            );
        }
    }
    let message = match (b.min, b.max) {
        (Some(lo), Some(hi)) => format!("{label} {v:.4} within [{lo:.4}, {hi:.4}]"),
        (Some(lo), None) => format!("{label} {v:.4} >= {lo:.4}"),
        (None, Some(hi)) => format!("{label} {v:.4} <= {hi:.4}"),
        (None, None) => format!("{label} {v:.4}"),
    };
    (GateStatus::Pass, Some(v), b.min.or(b.max), message)
}

fn fairness_gate(
    f: Option<&AttributeFairness>,
    attribute: &str,
    metric: &str,
    b: Bound,
    min_group_size: u64,
) -> Outcome {
    let threshold = b.min.or(b.max);
    let Some(f) = f else {
        return (
            GateStatus::Inconclusive,
            None,
            threshold,
            format!("no fairness figures for {attribute:?}"),
        );
    };
    if f.groups.len() < 2 {
        let msg = format!(
            "{attribute}: only {} group(s) in the test set; cannot compare groups",
            f.groups.len()
        );
        return (GateStatus::Inconclusive, None, threshold, msg);
    }
    let small: Vec<String> = f
        .groups
        .iter()
        .filter(|(_, g)| g.count < min_group_size)
        .map(|(name, g)| format!("{name} ({})", g.count))
        .collect();
    let value = fairness::named(f, metric);
    if !small.is_empty() {
        let msg = format!(
            "{attribute}: group(s) smaller than min_group_size {min_group_size}: {}",
            small.join(", ")
        );
        return (GateStatus::Inconclusive, value, threshold, msg);
    }
    let (status, observed, threshold, message) =
        bounded(&format!("{attribute} {metric}"), value, b);
    if status == GateStatus::Inconclusive {
        let msg = format!("{attribute} {metric} is undefined (a zero denominator: no group selected, or no positives)");
        return (status, observed, threshold, msg);
    }
    (status, observed, threshold, message)
}

/// Nearest-rank style percentile with linear interpolation (numpy's default).
pub fn percentile(sorted: &[f64], p: f64) -> Option<f64> {
    if sorted.is_empty() {
        return None;
    }
    let pos = (p / 100.0) * (sorted.len() - 1) as f64;
    let lo = pos.floor() as usize;
    let hi = pos.ceil() as usize;
    let frac = pos - lo as f64;
    Some(sorted[lo] + (sorted[hi.min(sorted.len() - 1)] - sorted[lo]) * frac)
}

fn latency_gate(latencies: &[f64], p: f64, max_ms: f64) -> Outcome {
    let label = format!("p{p} latency");
    match percentile(latencies, p) {
        None => (
            GateStatus::Inconclusive,
            None,
            Some(max_ms),
            "no latency measured".to_string(),
        ),
        Some(v) if v <= max_ms => (
            GateStatus::Pass,
            Some(v),
            Some(max_ms),
            format!("{label} {} ms <= {max_ms} ms", ms(Some(v))),
        ),
        Some(v) => (
            GateStatus::Fail,
            Some(v),
            Some(max_ms),
            format!("{label} {} ms > {max_ms} ms", ms(Some(v))),
        ),
    }
}

fn champion_gate(
    candidate: &Metrics,
    champ: &ChampionEval,
    metric: &str,
    min_delta: f64,
    on_missing: OnMissing,
) -> Outcome {
    let cand = metrics::named(candidate, metric);
    match champ {
        ChampionEval::Missing => {
            let status = match on_missing {
                OnMissing::Pass => GateStatus::Pass,
                OnMissing::Fail => GateStatus::Fail,
            };
            (
                status,
                cand,
                None,
                format!(
                    "no champion in the registry (on_missing = {})",
                    on_label(on_missing)
                ),
            )
        }
        ChampionEval::Unusable { version, reason } => (
            GateStatus::Inconclusive,
            cand,
            None,
            format!("champion {version} cannot be re-scored: {reason}"),
        ),
        ChampionEval::Scored {
            version,
            metrics: cm,
            identical,
            leaked_rows,
        } => {
            let (Some(c), Some(h)) = (cand, metrics::named(cm, metric)) else {
                return (
                    GateStatus::Inconclusive,
                    cand,
                    None,
                    format!("{metric} is undefined on this test set"),
                );
            };
            scored_champion(metric, c, h, min_delta, version, *identical, *leaked_rows)
        }
    }
}

fn on_label(m: OnMissing) -> &'static str {
    match m {
        OnMissing::Pass => "pass",
        OnMissing::Fail => "fail",
    }
}

/// Direction-aware: for lower-is-better metrics the candidate must be lower.
fn scored_champion(
    metric: &str,
    cand: f64,
    champ: f64,
    min_delta: f64,
    version: &str,
    identical: bool,
    leaked: u64,
) -> Outcome {
    let higher = metrics::higher_is_better(metric);
    let improvement = if higher { cand - champ } else { champ - cand };
    let needed = if higher {
        champ + min_delta
    } else {
        champ - min_delta
    };
    let pass = improvement >= min_delta;
    let mut message = if min_delta >= 0.0 {
        let cmp = if pass { "beats" } else { "does not beat" };
        format!(
            "{metric}: candidate {cand:.4} {cmp} champion {version} {champ:.4} by the required {min_delta} (improvement {improvement:+.4})"
        )
    } else {
        // A negative min_delta tolerates a regression of up to |min_delta|.
        let cmp = if pass { "is within" } else { "is worse than" };
        format!(
            "{metric}: candidate {cand:.4} {cmp} the allowed regression of {} from champion {version} {champ:.4} (change {improvement:+.4})",
            -min_delta
        )
    };
    if identical {
        message.push_str("; candidate and champion models are byte-identical");
    }
    if leaked > 0 {
        message.push_str(&format!(
            "; warning: {leaked} test rows match rows the champion was trained on \
             (beyond duplicates within the data): its score may be optimistic"
        ));
    }
    let status = if pass {
        GateStatus::Pass
    } else {
        GateStatus::Fail
    };
    (status, Some(cand), Some(needed), message)
}

fn drift_gate(drift: Option<&Result<DriftReport, String>>, max_psi: f64) -> Outcome {
    let report = match drift {
        Some(Ok(r)) => r,
        Some(Err(e)) => {
            return (
                GateStatus::Inconclusive,
                None,
                Some(max_psi),
                format!("drift not computed: {e}"),
            )
        }
        None => {
            return (
                GateStatus::Inconclusive,
                None,
                Some(max_psi),
                "drift not computed".to_string(),
            )
        }
    };
    let Some(worst) = report.ranked.first() else {
        // Nothing measured is not "no drift": a reference sharing no feature
        // with the model must not let the run through.
        return (
            GateStatus::Inconclusive,
            None,
            Some(max_psi),
            format!(
                "no feature of the model could be compared with {} (no shared columns)",
                report.reference
            ),
        );
    };
    let psi = report.psi.get(worst).copied().unwrap_or(0.0);
    if psi > max_psi {
        let over: Vec<&str> = report
            .ranked
            .iter()
            .filter(|f| report.psi.get(*f).is_some_and(|v| *v > max_psi))
            .map(String::as_str)
            .collect();
        let msg = format!(
            "PSI {psi:.4} on {worst} > {max_psi} ({} feature(s) over: {})",
            over.len(),
            over.join(", ")
        );
        (GateStatus::Fail, Some(psi), Some(max_psi), msg)
    } else {
        let mut msg = format!("worst PSI {psi:.4} ({worst}) <= {max_psi}");
        if !report.not_compared.is_empty() {
            // A pass over part of the features must say which were not seen.
            msg.push_str(&format!(
                "; not compared (absent from {} or the test data): {}",
                report.reference,
                report.not_compared.join(", ")
            ));
        }
        (GateStatus::Pass, Some(psi), Some(max_psi), msg)
    }
}

/// GO iff no blocking gate failed or was inconclusive.
pub fn verdict(results: &[GateResult]) -> Verdict {
    let blocked = results.iter().any(|r| {
        r.severity == Severity::Block
            && matches!(r.status, GateStatus::Fail | GateStatus::Inconclusive)
    });
    if blocked {
        Verdict::NoGo
    } else {
        Verdict::Go
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounds_pass_and_fail() {
        let b = Bound {
            min: Some(0.8),
            max: None,
        };
        assert_eq!(bounded("auc", Some(0.85), b).0, GateStatus::Pass);
        assert_eq!(bounded("auc", Some(0.75), b).0, GateStatus::Fail);
        assert_eq!(bounded("auc", Some(0.8), b).0, GateStatus::Pass);
        assert_eq!(bounded("auc", None, b).0, GateStatus::Inconclusive);
        let none_positive = metrics::Confusion {
            tn: 9,
            fp: 1,
            ..Default::default()
        };
        assert!(undefined_reason(&none_positive).contains("10 rows hold no positive"));
        let none_predicted = metrics::Confusion {
            tn: 9,
            fn_: 1,
            ..Default::default()
        };
        assert!(undefined_reason(&none_predicted).contains("no row is predicted positive"));
        let b = Bound {
            min: None,
            max: Some(0.5),
        };
        assert_eq!(bounded("log_loss", Some(0.6), b).0, GateStatus::Fail);
    }

    #[test]
    fn percentile_interpolates_like_numpy() {
        let v = [1.0, 2.0, 3.0, 4.0];
        assert_eq!(percentile(&v, 50.0), Some(2.5));
        assert_eq!(percentile(&v, 100.0), Some(4.0));
        assert_eq!(percentile(&v, 0.0), Some(1.0));
        assert_eq!(percentile(&[], 95.0), None);
    }

    #[test]
    fn champion_direction_matters() {
        let r = scored_champion("roc_auc", 0.81, 0.80, 0.005, "v0001", false, 0);
        assert_eq!(r.0, GateStatus::Pass);
        let r = scored_champion("roc_auc", 0.801, 0.80, 0.005, "v0001", false, 0);
        assert_eq!(r.0, GateStatus::Fail);
        let r = scored_champion("log_loss", 0.40, 0.42, 0.01, "v0001", false, 0);
        assert_eq!(r.0, GateStatus::Pass);
        let r = scored_champion("log_loss", 0.42, 0.40, 0.0, "v0001", true, 0);
        assert_eq!(r.0, GateStatus::Fail);
        let r = scored_champion("brier", 0.2, 0.2, 0.0, "v0001", true, 3);
        assert_eq!(r.0, GateStatus::Pass);
        assert!(
            r.3.contains("byte-identical") && r.3.contains("3 test rows"),
            "{}",
            r.3
        );
    }

    #[test]
    fn negative_min_delta_reads_as_an_allowed_regression() {
        let r = scored_champion("roc_auc", 0.78, 0.80, -0.05, "v0001", false, 0);
        assert_eq!(r.0, GateStatus::Pass);
        assert!(
            r.3.contains("is within the allowed regression of 0.05"),
            "{}",
            r.3
        );
        let r = scored_champion("roc_auc", 0.70, 0.80, -0.05, "v0001", false, 0);
        assert_eq!(r.0, GateStatus::Fail);
        assert!(
            r.3.contains("is worse than the allowed regression"),
            "{}",
            r.3
        );
        assert!(!r.3.contains("beats"), "{}", r.3);
    }
}
