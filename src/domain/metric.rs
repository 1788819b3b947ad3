//! The metric vocabulary: every quality and fairness metric a gate may name,
//! with its report name, its direction and the range of values it can take.
//! Config, evaluation, gates, renderers and tests all use these two enums;
//! nothing else spells a metric name.
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// A binary-classification quality metric.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Metric {
    Accuracy,
    Precision,
    Recall,
    F1,
    RocAuc,
    LogLoss,
    Brier,
}

/// Where log loss clips probabilities (`[eps, 1 - eps]`): machine epsilon
/// for f64, as scikit-learn >= 1.5 does.
pub const LOG_LOSS_EPS: f64 = f64::EPSILON;

impl Metric {
    /// Every metric, in report order.
    pub const ALL: [Metric; 7] = [
        Metric::Accuracy,
        Metric::Precision,
        Metric::Recall,
        Metric::F1,
        Metric::RocAuc,
        Metric::LogLoss,
        Metric::Brier,
    ];

    /// The name used in `gates.toml` and `report.json`.
    pub fn name(self) -> &'static str {
        match self {
            Metric::Accuracy => "accuracy",
            Metric::Precision => "precision",
            Metric::Recall => "recall",
            Metric::F1 => "f1",
            Metric::RocAuc => "roc_auc",
            Metric::LogLoss => "log_loss",
            Metric::Brier => "brier",
        }
    }

    pub fn parse(name: &str) -> Option<Metric> {
        Metric::ALL.into_iter().find(|m| m.name() == name)
    }

    /// Only the two losses are lower-is-better.
    /// Computed from the hard predictions at the threshold (not the scores).
    pub fn uses_threshold(self) -> bool {
        matches!(
            self,
            Metric::Accuracy | Metric::Precision | Metric::Recall | Metric::F1
        )
    }

    pub fn higher_is_better(self) -> bool {
        !matches!(self, Metric::LogLoss | Metric::Brier)
    }

    /// The values the metric can take: `[0, 1]`, except log loss: each
    /// row's loss is at most `-ln(eps)` (about 36.04), for probabilities are
    /// clipped to `[eps, 1 - eps]`.
    pub fn range(self) -> (f64, f64) {
        match self {
            Metric::LogLoss => (0.0, -LOG_LOSS_EPS.ln()),
            _ => (0.0, 1.0),
        }
    }

    /// The names, comma-separated (for error messages).
    pub fn names() -> String {
        Metric::ALL.map(Metric::name).join(", ")
    }
}

impl std::fmt::Display for Metric {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// A group-fairness metric over one protected attribute.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum FairnessMetric {
    /// Lowest over highest group selection rate (a ratio in `[0, 1]`).
    DisparateImpact,
    /// Largest minus smallest group recall.
    TprDifference,
    /// Largest minus smallest group selection rate.
    SelectionRateDifference,
    /// fairlearn's: the larger of the TPR and FPR differences.
    EqualizedOddsDifference,
}

impl FairnessMetric {
    pub const ALL: [FairnessMetric; 4] = [
        FairnessMetric::DisparateImpact,
        FairnessMetric::TprDifference,
        FairnessMetric::SelectionRateDifference,
        FairnessMetric::EqualizedOddsDifference,
    ];

    pub fn name(self) -> &'static str {
        match self {
            FairnessMetric::DisparateImpact => "disparate_impact",
            FairnessMetric::TprDifference => "tpr_difference",
            FairnessMetric::SelectionRateDifference => "selection_rate_difference",
            FairnessMetric::EqualizedOddsDifference => "equalized_odds_difference",
        }
    }

    pub fn parse(name: &str) -> Option<FairnessMetric> {
        FairnessMetric::ALL.into_iter().find(|m| m.name() == name)
    }

    /// Every value lies in `[0, 1]`: a ratio of rates, or a gap between rates.
    pub fn range(self) -> (f64, f64) {
        (0.0, 1.0)
    }

    /// A ratio wants a floor (the four-fifths rule); a gap wants a ceiling.
    pub fn default_bound(self) -> (Option<f64>, Option<f64>) {
        match self {
            FairnessMetric::DisparateImpact => (Some(0.8), None),
            _ => (None, Some(0.1)),
        }
    }

    pub fn names() -> String {
        FairnessMetric::ALL.map(FairnessMetric::name).join(", ")
    }
}

impl std::fmt::Display for FairnessMetric {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_through_serde_and_parse() {
        for m in Metric::ALL {
            assert_eq!(Metric::parse(m.name()), Some(m));
            let json = serde_json::to_string(&m).unwrap();
            assert_eq!(json, format!("\"{}\"", m.name()));
        }
        for m in FairnessMetric::ALL {
            assert_eq!(FairnessMetric::parse(m.name()), Some(m));
            let json = serde_json::to_string(&m).unwrap();
            assert_eq!(json, format!("\"{}\"", m.name()));
        }
        assert_eq!(Metric::parse("auc"), None);
    }

    #[test]
    fn only_the_losses_are_lower_is_better() {
        let lower: Vec<_> = Metric::ALL
            .into_iter()
            .filter(|m| !m.higher_is_better())
            .collect();
        assert_eq!(lower, [Metric::LogLoss, Metric::Brier]);
    }
}
