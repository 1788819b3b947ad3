//! The one serde model of a run: what `report.json` holds (SPEC section 6,
//! `schema_version` 1) and what every renderer reads. Keys are a contract
//! with users' pipelines: add freely, never rename.
use crate::evaluate::curves::Curves;
use crate::evaluate::fairness::AttributeFairness;
use crate::evaluate::metrics::Metrics;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

pub const SCHEMA_VERSION: u32 = 1;

/// The JSON Schema of `report.json`, generated from [`Report`].
pub fn json_schema() -> serde_json::Value {
    serde_json::Value::from(schemars::schema_for!(Report))
}

/// GO / NO-GO (`"go"` / `"no-go"` in JSON).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum Verdict {
    #[serde(rename = "go")]
    Go,
    #[serde(rename = "no-go")]
    NoGo,
}

impl Verdict {
    pub fn label(self) -> &'static str {
        match self {
            Verdict::Go => "GO",
            Verdict::NoGo => "NO-GO",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Report {
    pub schema_version: u32,
    pub tool_version: String,
    /// `check` or `validate`.
    pub command: String,
    pub verdict: Verdict,
    pub exit_code: u8,
    pub data: DataInfo,
    /// Absent for `validate` (no model is trained).
    pub model: Option<ModelInfo>,
    pub metrics: Option<Metrics>,
    pub fairness: BTreeMap<String, AttributeFairness>,
    pub latency: Option<Latency>,
    pub champion: Option<ChampionInfo>,
    pub contract: ContractReport,
    pub drift: Option<DriftReport>,
    pub gates: Vec<GateResult>,
    pub lineage: Lineage,
    /// What a reader should know that is not a failure, e.g. a text column
    /// whose one-hot encoding was capped (`MAX_CATEGORIES`).
    #[serde(default)]
    pub notes: Vec<String>,
    #[serde(default)]
    pub model_card: ModelCardMeta,
    /// Wall time per pipeline stage, milliseconds (load, contract, split, ...).
    #[serde(default)]
    pub timings_ms: BTreeMap<String, f64>,
    /// Chart data for `report.html` (ROC, calibration, latency histogram);
    /// absent for `validate` and for runs saved before it existed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub curves: Option<Curves>,
    /// `[stats]`: an interval on every metric and fairness value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub intervals: Option<Intervals>,
    /// Mean |contribution| per input feature over (a sample of) the test
    /// rows, for models that can explain their scores.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub importance: Option<Importance>,
}

/// The columns every gate table shows, one per [`GateResult`] field shown
/// (terminal table, Markdown and HTML).
pub const GATE_COLUMNS: [&str; 7] = [
    "gate",
    "kind",
    "status",
    "observed",
    "threshold",
    "severity",
    "message",
];

impl Report {
    /// `[stats] confidence`, when the run computed intervals.
    pub fn confidence(&self) -> Option<f64> {
        self.intervals.as_ref().map(|i| i.confidence)
    }
}

/// `report.json` `importance`: which inputs drive the model's scores.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default, JsonSchema)]
pub struct Importance {
    /// `log-odds` (logistic regression, gradient boosting) or `probability`
    /// (random forest, decision tree).
    pub units: String,
    /// Input feature -> mean |contribution| over the explained test rows.
    pub features: BTreeMap<String, f64>,
    /// The input features, most important first (ties by name).
    pub ranked: Vec<String>,
    /// How many test rows were explained (a seeded sample when there are more).
    #[serde(default)]
    pub rows: u64,
}

impl Importance {
    /// `(feature, mean |contribution|)`, most important first.
    pub fn ranked_values(&self) -> Vec<(String, f64)> {
        self.ranked
            .iter()
            .map(|k| (k.clone(), self.features.get(k).copied().unwrap_or(f64::NAN)))
            .collect()
    }
}

/// The intervals of a run (`report.json` `intervals`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default, JsonSchema)]
pub struct Intervals {
    /// The confidence of every interval (`[stats] confidence`).
    pub confidence: f64,
    /// Per metric in `metrics`.
    pub metrics: BTreeMap<String, IntervalValue>,
    /// Per protected attribute, per fairness metric.
    #[serde(default)]
    pub fairness: BTreeMap<String, BTreeMap<String, IntervalValue>>,
}

/// One interval and how it was computed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct IntervalValue {
    pub low: f64,
    pub high: f64,
    /// `delong`, `delong_logit`, `wilson`, `bootstrap_bca`,
    /// `bootstrap_percentile`, `katz`, `newcombe`, `clopper_pearson`,
    /// `wilson_bound`.
    pub method: String,
}

impl Intervals {
    /// The interval of `metric`'s value, as `(low, high)`.
    pub fn ends(this: Option<&Intervals>, metric: &str) -> Option<(f64, f64)> {
        this.and_then(|i| i.metric(metric)).map(|v| (v.low, v.high))
    }

    pub fn metric(&self, name: &str) -> Option<&IntervalValue> {
        self.metrics.get(name)
    }

    pub fn fairness(&self, attribute: &str, metric: &str) -> Option<&IntervalValue> {
        self.fairness.get(attribute).and_then(|m| m.get(metric))
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default, JsonSchema)]
pub struct DataInfo {
    pub path: String,
    pub sha256: String,
    /// Rows in the source file (before dropping rows with a missing target).
    pub rows: u64,
    pub train_rows: u64,
    pub test_rows: u64,
    pub target: String,
    pub positive: String,
    /// Rows dropped because the target was missing.
    pub dropped_null_target: u64,
    /// Positive-class rows in the train and test sets.
    pub train_positives: u64,
    pub test_positives: u64,
    /// Set when a held-out `test_path` was used instead of a split.
    pub test_path: Option<String>,
    pub test_sha256: Option<String>,
    /// The sha256 of the test rows (source digest and row numbers): two
    /// runs measured the same rows exactly when these are equal.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub test_set_sha256: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ModelInfo {
    pub kind: String,
    pub params: serde_json::Value,
    pub threshold: f64,
    /// Input columns the model reads (after `drop`, target and protected).
    pub features: Vec<String>,
    /// Columns after preprocessing (one-hot expanded), in model order.
    pub encoded_features: Vec<String>,
    /// sha256 of the saved model artifact (`model.json`).
    pub sha256: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Latency {
    pub p50_ms: f64,
    pub p95_ms: f64,
    pub p99_ms: f64,
    /// Batch scoring throughput over the test set (preprocessing + model).
    pub rows_per_sec: f64,
    /// Number of timed single-row calls.
    pub calls: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ChampionInfo {
    pub present: bool,
    pub version: Option<String>,
    pub metric: String,
    pub champion_value: Option<f64>,
    pub candidate_value: Option<f64>,
    pub delta: Option<f64>,
    pub message: String,
    /// Set when the champion was promoted with `--force`: the recorded reason.
    #[serde(default)]
    pub forced_reason: Option<String>,
    /// `test = "paired"`: the interval of the improvement (candidate better
    /// is positive), its p-value and how it was computed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delta_low: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delta_high: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub p_value: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub method: Option<String>,
    /// The sha256 of the champion's model file this run was compared with:
    /// `promote` refuses when the registry's champion is no longer it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sha256: Option<String>,
}

impl ChampionInfo {
    /// Whether the champion was re-scored against the candidate (a champion
    /// gate exists); otherwise `present` only says whether there is one.
    pub fn compared(&self) -> bool {
        !self.metric.is_empty()
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default, JsonSchema)]
pub struct ContractReport {
    pub passed: bool,
    pub violations: Vec<Violation>,
}

/// One broken contract rule: which column, which rule, how many rows, examples.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Violation {
    /// Column name, or `"*"` for table-level rules (min_rows, duplicates).
    pub column: String,
    /// Rule name as written in `gates.toml` (`max`, `allowed`, `nullable`, ...).
    pub rule: String,
    /// Offending rows (or the observed figure for table-level rules).
    pub count: u64,
    /// Up to 5 offending values, as JSON (numbers stay numbers).
    pub examples: Vec<serde_json::Value>,
    /// 0-based data row indices of the examples, in the same order.
    #[serde(default)]
    pub rows: Vec<u64>,
    pub message: String,
    /// The violation is in the held-out test file (`test_path`), not `path`.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub test_file: bool,
}

impl Violation {
    /// The examples as a person reads them, each with its 0-based data row
    /// when known (`row 4: -3, row 9: 150`); values as JSON, so `""` and
    /// `" "` differ.
    pub fn examples_text(&self) -> String {
        let shown: Vec<String> = if self.rows.len() == self.examples.len() {
            self.examples
                .iter()
                .zip(&self.rows)
                .map(|(v, r)| format!("row {r}: {v}"))
                .collect()
        } else {
            self.examples.iter().map(|v| v.to_string()).collect()
        };
        shown.join(", ")
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default, JsonSchema)]
pub struct DriftReport {
    /// Population Stability Index per feature.
    pub psi: BTreeMap<String, f64>,
    /// Kolmogorov-Smirnov statistic per numeric feature.
    pub ks: BTreeMap<String, f64>,
    /// Features ordered from most to least drifted (by PSI).
    pub ranked: Vec<String>,
    /// `training split` or the reference file's path.
    pub reference: String,
    /// Model features absent from the reference or the current data, so not
    /// compared (the gate says so).
    #[serde(default)]
    pub not_compared: Vec<String>,
    /// Per numeric feature with values far outside the reference's range
    /// (more than two spans past its 1st or 99th percentile, the span
    /// being the distance between them): their share of the rows. PSI's end bins take such values in (a unit error in
    /// the top decile moves no PSI); the drift gate fails on them.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub beyond_range: BTreeMap<String, f64>,
    /// What a reader should know about the reference: that it holds most
    /// of the test rows with a column or two changed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// On few rows: per feature, the PSI that sampling alone reaches
    /// (200 random splits of the two sides' pooled rows, sizes kept;
    /// family-wise 95% over the features). The drift gate fails only on a
    /// feature above its own. Absent when the rows are many enough for
    /// PSI's noise to be small.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub noise: BTreeMap<String, f64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum GateStatus {
    Pass,
    Fail,
    Warn,
    Inconclusive,
    Skipped,
}

impl GateStatus {
    pub fn label(self) -> &'static str {
        match self {
            GateStatus::Pass => "pass",
            GateStatus::Fail => "fail",
            GateStatus::Warn => "warn",
            GateStatus::Inconclusive => "inconclusive",
            GateStatus::Skipped => "skipped",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    #[default]
    Block,
    Warn,
}

impl Severity {
    pub fn label(self) -> &'static str {
        match self {
            Severity::Block => "block",
            Severity::Warn => "warn",
        }
    }
}

/// The outcome of one `[[gate]]`: data, never an error.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct GateResult {
    pub name: String,
    pub kind: String,
    pub status: GateStatus,
    pub observed: Option<f64>,
    pub threshold: Option<f64>,
    pub severity: Severity,
    pub message: String,
    /// Line of the `[[gate]]` header in `gates.toml` (1-based), for annotations.
    #[serde(default)]
    pub line: Option<usize>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default, JsonSchema)]
pub struct Lineage {
    pub git: Option<GitInfo>,
    pub config_path: String,
    pub config_sha256: String,
    pub data_sha256: String,
    pub seed: u64,
    pub started_at: String,
    pub tool_version: String,
    pub ci: Option<CiInfo>,
    /// The registry this run was gated against (an absolute path), which
    /// `promote` uses and holds it to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub registry: Option<String>,
    /// Where `[mlflow]` logged this run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mlflow: Option<MlflowLink>,
}

/// An MLflow run: `report.json` `lineage.mlflow`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct MlflowLink {
    pub run_id: String,
    pub experiment_id: String,
    /// The run's page in the MLflow UI.
    pub url: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct GitInfo {
    pub commit: String,
    pub branch: Option<String>,
    pub dirty: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct CiInfo {
    pub provider: String,
    pub run_id: Option<String>,
    pub run_url: Option<String>,
    pub sha: Option<String>,
    #[serde(rename = "ref")]
    pub git_ref: Option<String>,
}

/// `[model_card]` metadata from `gates.toml`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ModelCardMeta {
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub version: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub owners: Vec<String>,
    #[serde(default)]
    pub intended_use: Option<String>,
    #[serde(default)]
    pub limitations: Option<String>,
    #[serde(default)]
    pub ethical_considerations: Option<String>,
}
