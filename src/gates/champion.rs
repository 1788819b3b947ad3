//! `kind = "champion"`: the candidate against the registry's champion,
//! re-scored on the same test rows, each at its own saved threshold.
use super::evidence::{ChampionEval, Evidence, Outcome};
use crate::domain::{GateStatus, Metric};
use schemars::JsonSchema;
use serde::Deserialize;

pub const KEYS: &[&str] = &["metric", "min_delta", "on_missing", "test"];

/// How the champion gate compares: the point values, or a paired test on
/// the same rows (DeLong for roc_auc, else a paired bootstrap).
#[derive(Debug, Deserialize, Clone, Copy, PartialEq, Eq, Default, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Test {
    #[default]
    Point,
    Paired,
}

/// What the champion gate does when there is no champion yet.
#[derive(Debug, Deserialize, Clone, Copy, PartialEq, Eq, Default, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum OnMissing {
    #[default]
    Pass,
    Fail,
}

impl OnMissing {
    pub fn name(self) -> &'static str {
        match self {
            OnMissing::Pass => "pass",
            OnMissing::Fail => "fail",
        }
    }
}

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ChampionTable {
    /// A quality metric.
    pub metric: Metric,
    /// The candidate must beat the champion by at least this much; a
    /// negative value tolerates a regression of that size.
    #[serde(default)]
    pub min_delta: f64,
    /// What the first run (no champion yet) does.
    #[serde(default)]
    pub on_missing: OnMissing,
    /// `point` (default) or `paired`: pass only when the lower end of the
    /// improvement's interval clears `min_delta`.
    #[serde(default)]
    pub test: Test,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ChampionGate {
    pub metric: Metric,
    pub min_delta: f64,
    pub on_missing: OnMissing,
    pub test: Test,
}

impl ChampionGate {
    pub fn from_table(t: ChampionTable) -> Result<ChampionGate, String> {
        if !t.min_delta.is_finite() {
            return Err(format!(
                "min_delta must be a finite number, not {:?}",
                t.min_delta
            ));
        }
        let (lo, hi) = t.metric.range();
        if t.min_delta.abs() >= hi - lo {
            // 1e308 as 1e308, not its 309 digits.
            let shown = if t.min_delta.abs() < 1e15 {
                t.min_delta.to_string()
            } else {
                format!("{:e}", t.min_delta)
            };
            return Err(format!(
                "min_delta {shown} can never be met or never fail: {} always lies in [{lo}, {hi}]",
                t.metric
            ));
        }
        Ok(ChampionGate {
            metric: t.metric,
            min_delta: t.min_delta,
            on_missing: t.on_missing,
            test: t.test,
        })
    }

    pub fn default_name(&self) -> String {
        format!("champion {}", self.metric)
    }

    /// The gate's conclusion; a pass that the test rows do not support
    /// (see [`super::Caveats`]) is inconclusive. A pass for want of a
    /// champion (`on_missing = "pass"`) judged no rows, and stands.
    pub fn evaluate(&self, ev: &Evidence) -> Outcome {
        let out = self.measure(ev);
        if matches!(ev.champion, ChampionEval::Missing) {
            return out;
        }
        ev.caveats.judged(out, self.metric.uses_threshold())
    }

    fn measure(&self, ev: &Evidence) -> Outcome {
        let metric = self.metric;
        let cand = ev.metrics.get(metric);
        match ev.champion {
            ChampionEval::Missing => {
                let status = match self.on_missing {
                    OnMissing::Pass => GateStatus::Pass,
                    OnMissing::Fail => GateStatus::Fail,
                };
                let msg = format!(
                    "no champion in the registry (on_missing = {})",
                    self.on_missing.name()
                );
                Outcome::new(status, cand, None, msg)
            }
            ChampionEval::Unusable { version, reason } => Outcome {
                observed: cand,
                ..Outcome::inconclusive(
                    None,
                    format!("champion {version} cannot be re-scored: {reason}"),
                )
            },
            ChampionEval::Scored {
                version,
                metrics: cm,
                identical,
                paired,
                unseen,
                uncut,
                ..
            } => {
                if let Some(why) = uncut
                    .as_ref()
                    .and_then(|scales| super::uncut_reason(scales, metric))
                {
                    return Outcome {
                        observed: cand,
                        ..Outcome::inconclusive(
                            None,
                            format!("champion {version} cannot be re-scored on {metric}: {why}"),
                        )
                    };
                }
                // Test rows the champion trained on are left out of the
                // comparison: the candidate is judged on the rest too.
                let (cand, confusion, over) = match unseen {
                    Some(u) => (
                        u.candidate.get(metric),
                        &u.candidate.confusion,
                        format!(" ({})", u.compared()),
                    ),
                    None => (cand, &ev.metrics.confusion, String::new()),
                };
                if self.test == Test::Paired {
                    let mut out = self.paired(cand, version, paired.get(self.metric.name()));
                    out.message.push_str(&over);
                    return out;
                }
                // A point comparison on a handful of rows says nothing.
                if let Some(why) =
                    super::metric::too_few_rows(confusion, ev.min_test_rows, ev.distinct)
                {
                    return Outcome {
                        observed: cand,
                        ..Outcome::inconclusive(
                            None,
                            format!("{metric} against champion {version}: {why}{over}"),
                        )
                    };
                }
                let (Some(c), Some(h)) = (cand, cm.get(metric)) else {
                    return Outcome {
                        observed: cand,
                        ..Outcome::inconclusive(
                            None,
                            undefined_message(metric, cand, cm.get(metric), version),
                        )
                    };
                };
                let pair = Pair {
                    cand: c,
                    champ: h,
                    version,
                };
                let mut out = self.scored(pair, *identical);
                out.message.push_str(&over);
                out
            }
        }
    }

    /// `test = "paired"`: pass when the improvement's interval lies at or
    /// above `min_delta`, fail when it lies below, else inconclusive.
    fn paired(
        &self,
        cand: Option<f64>,
        version: &str,
        t: Option<&crate::evaluate::stats::ChampionTest>,
    ) -> Outcome {
        use crate::evaluate::stats::Decision;
        let metric = self.metric;
        let Some(t) = t else {
            return Outcome {
                observed: cand,
                ..Outcome::inconclusive(
                    Some(self.min_delta),
                    format!("{metric}: the paired test against champion {version} is undefined on these rows"),
                )
            };
        };
        let p = t
            .p_value
            .map(|p| format!(", p = {p:.4}"))
            .unwrap_or_default();
        let shown = format!(
            "{metric}: improvement over champion {version} {:+.4}, interval [{:+.4}, {:+.4}]{p} ({})",
            t.improvement, t.low, t.high, t.method
        );
        let (status, verdict) = match t.decide(self.min_delta) {
            Decision::Pass => (GateStatus::Pass, "the lower end clears"),
            Decision::Fail => (GateStatus::Fail, "the upper end is below"),
            Decision::Inconclusive => (
                GateStatus::Inconclusive,
                "the interval straddles, so there is not enough evidence for",
            ),
        };
        Outcome::new(
            status,
            cand,
            Some(self.min_delta),
            format!("{shown}: {verdict} min_delta {}", self.min_delta),
        )
    }

    /// Direction-aware: for lower-is-better metrics the candidate must be lower.
    fn scored(&self, p: Pair, identical: bool) -> Outcome {
        let (metric, min_delta) = (self.metric, self.min_delta);
        let Pair {
            cand,
            champ,
            version,
        } = p;
        let higher = metric.higher_is_better();
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
        let status = if pass {
            GateStatus::Pass
        } else {
            GateStatus::Fail
        };
        Outcome::new(status, Some(cand), Some(needed), message)
    }
}

struct Pair<'a> {
    cand: f64,
    champ: f64,
    version: &'a str,
}

/// Why a champion comparison on `metric` has no value: whose value is
/// undefined (round 50, F3: a margin champion's log loss was reported as
/// "undefined on this test set" beside the candidate's 0.50), and for a
/// loss, that it needs probabilities.
pub fn undefined_message(
    metric: Metric,
    cand: Option<f64>,
    champ: Option<f64>,
    version: &str,
) -> String {
    let whose = match (cand, champ) {
        (Some(_), None) => format!("{metric} of champion {version} is undefined on this test set"),
        (None, Some(_)) => format!("{metric} of the candidate is undefined on this test set"),
        _ => format!(
            "{metric} is undefined on this test set for both the candidate and champion {version}"
        ),
    };
    if metric.higher_is_better() {
        whose
    } else {
        format!(
            "{whose} (it needs probabilities: a score outside [0, 1], such as a raw margin, \
             leaves it undefined)"
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gate(metric: Metric, min_delta: f64) -> ChampionGate {
        ChampionGate {
            metric,
            min_delta,
            on_missing: OnMissing::Pass,
            test: Test::Point,
        }
    }

    fn run(g: &ChampionGate, cand: f64, champ: f64, identical: bool) -> Outcome {
        let p = Pair {
            cand,
            champ,
            version: "v0001",
        };
        g.scored(p, identical)
    }

    #[test]
    fn champion_direction_matters() {
        let auc = gate(Metric::RocAuc, 0.005);
        assert_eq!(run(&auc, 0.81, 0.80, false).status, GateStatus::Pass);
        assert_eq!(run(&auc, 0.801, 0.80, false).status, GateStatus::Fail);
        let ll = gate(Metric::LogLoss, 0.01);
        assert_eq!(run(&ll, 0.40, 0.42, false).status, GateStatus::Pass);
        let ll = gate(Metric::LogLoss, 0.0);
        assert_eq!(run(&ll, 0.42, 0.40, true).status, GateStatus::Fail);
        let r = run(&gate(Metric::Brier, 0.0), 0.2, 0.2, true);
        assert_eq!(r.status, GateStatus::Pass);
        assert!(r.message.contains("byte-identical"), "{}", r.message);
    }

    #[test]
    fn a_huge_min_delta_is_refused_in_short_form() {
        let t = ChampionTable {
            metric: Metric::RocAuc,
            min_delta: -1e308,
            on_missing: OnMissing::Pass,
            test: Test::Point,
        };
        let err = ChampionGate::from_table(t).unwrap_err();
        assert!(
            err.starts_with("min_delta -1e308 can never be met"),
            "{err}"
        );
    }

    #[test]
    fn negative_min_delta_reads_as_an_allowed_regression() {
        let g = gate(Metric::RocAuc, -0.05);
        let r = run(&g, 0.78, 0.80, false);
        assert_eq!(r.status, GateStatus::Pass);
        assert!(
            r.message
                .contains("is within the allowed regression of 0.05"),
            "{}",
            r.message
        );
        let r = run(&g, 0.70, 0.80, false);
        assert_eq!(r.status, GateStatus::Fail);
        assert!(
            r.message.contains("is worse than the allowed regression"),
            "{}",
            r.message
        );
        assert!(!r.message.contains("beats"), "{}", r.message);
    }
}
