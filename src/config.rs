//! `gates.toml`: parse (strict, with line/column errors), then resolve into a
//! validated [`Plan`] before any data is read or any model trained.
use crate::data::contract::{self, ContractConfig};
use crate::domain::ModelCardMeta;
use crate::error::GateError;
use crate::gates::{parse_gate, Gate, GateContext};
use crate::model::ModelSpec;
use schemars::JsonSchema;
use serde::Deserialize;
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};
use toml::Spanned;

mod model;
mod span;

use model::{check_external_gates, resolve_model, RawModel};
pub use span::line_col;
use span::{located, Ctx};

// ---------------------------------------------------------------- raw (serde)

/// `gates.toml`: the data, its contract, the model and the gates it must pass.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "gates.toml", rename = "GatesToml")]
struct RawConfig {
    /// Metadata rendered into `model_card.md`.
    #[serde(default)]
    model_card: ModelCardMeta,
    data: RawData,
    /// The data contract; any violation is a NO-GO.
    #[serde(default)]
    contract: ContractConfig,
    #[serde(default)]
    model: RawModel,
    #[serde(default)]
    registry: RawRegistry,
    /// Intervals on every number; gates on their ends (`bound`, `test`).
    #[serde(default)]
    #[schemars(with = "Option<StatsConfig>")]
    stats: Option<Spanned<StatsConfig>>,
    /// Log every check run to an MLflow tracking server.
    #[serde(default)]
    mlflow: Option<crate::integrations::MlflowConfig>,
    /// Post the verdict to a Slack-compatible incoming webhook.
    #[serde(default)]
    notify: Option<crate::integrations::NotifyConfig>,
    /// The gates: each `[[gate]]` has a `kind` and the keys of that kind.
    #[serde(default)]
    #[schemars(with = "Vec<crate::gates::GateSchema>")]
    gate: Vec<Spanned<toml::Table>>,
}

/// `[stats]`: the confidence of every interval and the bootstrap size.
#[derive(Debug, Clone, Copy, PartialEq, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct StatsConfig {
    /// Of every interval, in (0, 1) (default 0.95).
    #[serde(default = "default_confidence")]
    pub confidence: f64,
    /// Replicates where no exact or analytic interval exists (default
    /// 1000); 0 turns intervals off.
    #[serde(default = "default_bootstrap")]
    pub bootstrap: usize,
}

impl Default for StatsConfig {
    fn default() -> StatsConfig {
        StatsConfig {
            confidence: default_confidence(),
            bootstrap: default_bootstrap(),
        }
    }
}

/// Fewer replicates cannot place the ends of a 95% interval.
const MIN_BOOTSTRAP: usize = 200;
/// Most bootstrap replicates: beyond this the Monte-Carlo error is far below
/// the interval's own width, and the replicates would only cost memory and time.
const MAX_BOOTSTRAP: usize = 100_000;

fn default_confidence() -> f64 {
    0.95
}
fn default_bootstrap() -> usize {
    1000
}

/// A TOML scalar compared as text (`positive = "Yes"`, `positive = 1`).
#[derive(Debug, Deserialize, Clone, JsonSchema)]
#[serde(
    untagged,
    expecting = "one value (text, a number or a boolean), not a list or table: positive = \"Yes\" or positive = 1"
)]
enum TextLike {
    Text(String),
    Int(i64),
    Float(f64),
    Bool(bool),
}

impl TextLike {
    fn into_text(self) -> String {
        match self {
            TextLike::Text(s) => s,
            TextLike::Int(i) => i.to_string(),
            TextLike::Float(f) => crate::data::table::format_number(f),
            TextLike::Bool(b) => b.to_string(),
        }
    }
}

/// `[data]`: where the rows are and what to predict.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "Data")]
struct RawData {
    /// A `.csv` or `.parquet` file, relative to gates.toml.
    #[schemars(with = "String")]
    path: Spanned<String>,
    /// The label column.
    #[schemars(with = "String")]
    target: Spanned<String>,
    /// The target value that is the positive class (compared as text).
    positive: TextLike,
    #[serde(default)]
    drop: Vec<String>,
    #[serde(default)]
    protected: Vec<String>,
    #[serde(default)]
    use_protected: bool,
    #[serde(default)]
    test_path: String,
    #[serde(default = "default_test_fraction")]
    #[schemars(with = "f64", range(min = 0.0, max = 1.0))]
    test_fraction: Spanned<f64>,
    #[serde(default = "default_seed")]
    seed: u64,
    #[serde(default = "default_true")]
    stratify: bool,
    /// Fewer test rows (or fewer than a tenth of this, at least 10, of one
    /// class) make every metric gate inconclusive (default 100).
    #[serde(default = "default_min_test_rows")]
    min_test_rows: u64,
}

fn default_test_fraction() -> Spanned<f64> {
    Spanned::new(0..0, 0.2)
}
fn default_min_test_rows() -> u64 {
    100
}
fn default_seed() -> u64 {
    42
}
fn default_true() -> bool {
    true
}

/// `[registry]`: where the champion lives.
#[derive(Debug, Deserialize, Default, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "Registry")]
struct RawRegistry {
    /// A directory (default `models/registry`), may be committed to git.
    path: Option<String>,
}

// ---------------------------------------------------------------- resolved

/// The validated plan a command runs.
#[derive(Debug, Clone)]
pub struct Plan {
    pub config_path: PathBuf,
    pub config_dir: PathBuf,
    pub config_text: String,
    pub config_sha256: String,
    pub model_card: ModelCardMeta,
    pub data: DataPlan,
    pub contract: ContractConfig,
    pub model: ModelSpec,
    pub threshold: f64,
    /// Whether `[model] threshold` was written (else the default 0.5).
    pub threshold_set: bool,
    pub registry: PathBuf,
    pub gates: Vec<Gate>,
    /// `templates/model_card.md.j2` next to the config, when present.
    pub card_template: Option<PathBuf>,
    pub mlflow: Option<crate::integrations::MlflowConfig>,
    pub notify: Option<crate::integrations::NotifyConfig>,
    /// `[stats]`, when present with `bootstrap > 0`.
    pub stats: Option<StatsConfig>,
}

#[derive(Debug, Clone)]
pub struct DataPlan {
    pub path: PathBuf,
    /// The path as written in `gates.toml` (for reports).
    pub path_text: String,
    pub target: String,
    pub positive: String,
    pub drop: Vec<String>,
    pub protected: Vec<String>,
    pub use_protected: bool,
    pub test_path: Option<PathBuf>,
    pub test_fraction: f64,
    pub seed: u64,
    pub stratify: bool,
    pub min_test_rows: u64,
}

/// The JSON Schema of `gates.toml`, generated from the types above.
pub fn json_schema() -> serde_json::Value {
    serde_json::Value::from(schemars::schema_for!(RawConfig))
}

// ---------------------------------------------------------------- loading

/// Reads and resolves `path`. Every config mistake is a `GateError::Config`.
pub fn load(path: &Path) -> Result<Plan, GateError> {
    let bytes = std::fs::read(path)
        .map_err(|e| GateError::Config(format!("{}: cannot read config: {e}", path.display())))?;
    let text = String::from_utf8(bytes).map_err(|e| {
        GateError::Config(format!(
            "{}: not valid UTF-8 (byte {}); gates.toml must be UTF-8 text",
            path.display(),
            e.utf8_error().valid_up_to()
        ))
    })?;
    parse(path, &text)
}

/// Parses and resolves config `text` as if read from `path`.
pub fn parse(path: &Path, text: &str) -> Result<Plan, GateError> {
    let raw: RawConfig = toml::from_str(text).map_err(|e| {
        let offset = e.span().map_or(0, |s| s.start);
        located(path, text, offset, e.message().trim())
    })?;
    let ctx = Ctx { path, text };
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .map_or_else(|| PathBuf::from("."), Path::to_path_buf);
    let data = resolve_data(&ctx, &dir, raw.data)?;
    contract::validate_config(&raw.contract).map_err(|m| {
        located(
            path,
            text,
            contract_offset(text, &m),
            &format!("[contract]: {m}"),
        )
    })?;
    let model = resolve_model(&ctx, &dir, &raw.model)?;
    let threshold = *raw.model.threshold.get_ref();
    if !(0.0..=1.0).contains(&threshold) {
        return ctx.err(
            raw.model.threshold.span(),
            "threshold must be within [0, 1]",
        );
    }
    // A model that outputs probabilities predicts every row positive at 0
    // (and none at 1): selection rates of 1 everywhere, fairness gates that
    // cannot fail. Scores made elsewhere, and ONNX models' outputs, may be
    // margins (a decision function), where 0 is the usual boundary.
    if !matches!(
        model,
        crate::model::ModelSpec::Scores(_) | crate::model::ModelSpec::Onnx(_)
    ) && (threshold == 0.0 || threshold == 1.0)
    {
        return ctx.err(
            raw.model.threshold.span(),
            "threshold must be strictly between 0 and 1 for a model that outputs probabilities \
             (at 0 every row is predicted positive, at 1 almost none)",
        );
    }
    let stats = match raw.stats {
        None => None,
        Some(s) => {
            let c = *s.get_ref();
            if !(0.5..=0.9999).contains(&c.confidence) {
                return ctx.err(
                    s.span(),
                    format!(
                        "[stats] confidence must be within [0.5, 0.9999] (e.g. 0.95), not {:?}",
                        c.confidence
                    ),
                );
            }
            // A handful of replicates gives an interval of zero width that
            // any gate would clear: not evidence.
            if c.bootstrap > 0 && !(MIN_BOOTSTRAP..=MAX_BOOTSTRAP).contains(&c.bootstrap) {
                return ctx.err(
                    s.span(),
                    format!(
                        "[stats] bootstrap must be 0 (intervals off) or {MIN_BOOTSTRAP} to \
                         {MAX_BOOTSTRAP} replicates (1000 is the usual choice), not {}",
                        c.bootstrap
                    ),
                );
            }
            (c.bootstrap > 0).then_some(c)
        }
    };
    let gates = resolve_gates(&ctx, &dir, &data, raw.gate, stats.is_some())?;
    check_external_gates(&ctx, &model, &data, &gates)?;
    let registry = dir.join(raw.registry.path.as_deref().unwrap_or("models/registry"));
    let card = dir.join("templates").join("model_card.md.j2");
    Ok(Plan {
        config_path: path.to_path_buf(),
        config_dir: dir,
        config_text: text.to_string(),
        config_sha256: sha256_hex(text.as_bytes()),
        model_card: raw.model_card,
        data,
        contract: raw.contract,
        model,
        threshold,
        threshold_set: raw.model.threshold.span() != (0..0),
        registry,
        gates,
        card_template: card.is_file().then_some(card),
        mlflow: raw.mlflow,
        notify: raw.notify,
        stats,
    })
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

/// Lower-case hex of `bytes` (a digest).
pub fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    bytes.iter().fold(String::new(), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

/// The columns `predictions.csv` writes before the protected attributes.
pub const PREDICTION_COLUMNS: [&str; 5] = ["row", "y_true", "score", "y_pred", "champion_score"];

fn resolve_data(ctx: &Ctx, dir: &Path, raw: RawData) -> Result<DataPlan, GateError> {
    if raw.path.get_ref().trim().is_empty() {
        return ctx.err(raw.path.span(), "data.path is empty");
    }
    let target = raw.target.get_ref().clone();
    if target.is_empty() {
        return ctx.err(raw.target.span(), "data.target is empty");
    }
    if raw.protected.contains(&target) || raw.drop.contains(&target) {
        return ctx.err(
            raw.target.span(),
            format!("target column {target:?} cannot also be in data.drop or data.protected"),
        );
    }
    // Each protected column is one column of the predictions, and one
    // fairness entry.
    let twice = (1..raw.protected.len()).find(|&i| raw.protected[..i].contains(&raw.protected[i]));
    if let Some(i) = twice {
        return ctx.key_err(
            "[data]",
            "protected",
            format!(
                "column {:?} is listed twice in data.protected",
                raw.protected[i]
            ),
        );
    }
    if raw.use_protected {
        if let Some(c) = raw.protected.iter().find(|c| raw.drop.contains(c)) {
            return ctx.key_err(
                "[data]",
                "drop",
                format!(
                    "column {c:?} is both protected (with use_protected = true, a feature) and \
                     in data.drop; remove it from one of them"
                ),
            );
        }
    }
    // predictions.csv holds these columns beside the protected ones.
    if let Some(c) = raw
        .protected
        .iter()
        .find(|c| PREDICTION_COLUMNS.contains(&c.as_str()))
    {
        return ctx.key_err(
            "[data]",
            "protected",
            format!(
                "protected column {c:?} would collide with predictions.csv's own column of that \
                 name ({}); rename the column in the data",
                PREDICTION_COLUMNS.join(", ")
            ),
        );
    }
    let frac = *raw.test_fraction.get_ref();
    let fraction_needed = raw.test_path.is_empty();
    if fraction_needed && !(frac > 0.0 && frac < 1.0) {
        return ctx.err(
            raw.test_fraction.span(),
            "test_fraction must be between 0 and 1 (exclusive)",
        );
    }
    let test_path = (!raw.test_path.trim().is_empty()).then(|| dir.join(&raw.test_path));
    Ok(DataPlan {
        path: dir.join(raw.path.get_ref()),
        path_text: raw.path.get_ref().clone(),
        target,
        positive: raw.positive.into_text(),
        drop: raw.drop,
        protected: raw.protected,
        use_protected: raw.use_protected,
        test_path,
        test_fraction: frac,
        seed: raw.seed,
        stratify: raw.stratify,
        min_test_rows: raw.min_test_rows,
    })
}

/// Where a `[contract]` error points: the `[contract.columns.NAME]` header
/// of the column it names (`column "NAME": ...`), else `[contract]`, else
/// the start of the file.
fn contract_offset(text: &str, message: &str) -> usize {
    let column = message
        .strip_prefix("column \"")
        .and_then(|m| m.split_once("\":"))
        .map(|(name, _)| name);
    let mut offset = 0;
    let mut contract = None;
    for line in text.split_inclusive('\n') {
        // Whitespace outside quotes is insignificant in a TOML table header.
        let mut quote = None;
        let header: String = line
            .chars()
            .filter(|&c| {
                match (quote, c) {
                    (None, '"' | '\'') => quote = Some(c),
                    (Some(q), _) if c == q => quote = None,
                    _ => {}
                }
                quote.is_some() || !c.is_whitespace()
            })
            .collect();
        if let Some(name) = column {
            let quoted = format!("[contract.columns.\"{name}\"]");
            let bare = format!("[contract.columns.{name}]");
            let single = format!("[contract.columns.'{name}']");
            if [quoted, bare, single]
                .iter()
                .any(|h| header.starts_with(h.as_str()))
            {
                return offset;
            }
        }
        if contract.is_none() && header.starts_with("[contract]") {
            contract = Some(offset);
        }
        offset += line.len();
    }
    contract.unwrap_or(0)
}

fn resolve_gates(
    ctx: &Ctx,
    dir: &Path,
    data: &DataPlan,
    raw: Vec<Spanned<toml::Table>>,
    stats: bool,
) -> Result<Vec<Gate>, GateError> {
    let mut gates: Vec<Gate> = Vec::with_capacity(raw.len());
    for spanned in raw {
        let span = spanned.span();
        let line = line_col(ctx.text, span.start).0;
        let cx = GateContext {
            dir,
            protected: &data.protected,
            text: ctx.text,
            header: span.start,
            stats,
        };
        let g = parse_gate(spanned.into_inner(), &cx, line)
            .map_err(|e| located(ctx.path, ctx.text, e.offset, &e.message))?;
        if gates.iter().any(|other| other.name == g.name) {
            return ctx.err(
                span,
                format!(
                    "two gates are named {:?}; give each gate a distinct `name`",
                    g.name
                ),
            );
        }
        gates.push(g);
    }
    Ok(gates)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gates::GateSpec;
    use crate::model::ModelKind;

    const BASE: &str =
        "[data]\npath = \"d.csv\"\ntarget = \"y\"\npositive = \"Yes\"\nprotected = [\"sex\"]\n";

    fn parse_str(s: &str) -> Result<Plan, GateError> {
        parse(Path::new("gates.toml"), s)
    }

    fn err_text(s: &str) -> String {
        match parse_str(s) {
            Ok(_) => panic!("expected an error for:\n{s}"),
            Err(e) => e.to_string(),
        }
    }

    #[test]
    fn minimal_config_resolves_with_defaults() {
        let p = parse_str(BASE).unwrap();
        assert_eq!(p.data.test_fraction, 0.2);
        assert_eq!(p.data.seed, 42);
        assert!(p.data.stratify);
        assert_eq!(p.threshold, 0.5);
        assert_eq!(p.model.kind(), ModelKind::LogisticRegression);
        assert!(p.gates.is_empty());
        assert_eq!(p.data.path, PathBuf::from("./d.csv"));
    }

    #[test]
    fn positive_may_be_a_number() {
        let p = parse_str(&BASE.replace("\"Yes\"", "1")).unwrap();
        assert_eq!(p.data.positive, "1");
    }

    #[test]
    fn unknown_key_reports_line_and_column() {
        let e = err_text(&format!("{BASE}\n[model]\nthresold = 0.4\n"));
        assert!(e.starts_with("gates.toml:8:1:"), "{e}");
        assert!(e.contains("thresold"), "{e}");
    }

    #[test]
    fn unknown_metric_points_at_the_value() {
        let e = err_text(&format!(
            "{BASE}\n[[gate]]\nkind = \"metric\"\nmetric = \"auc\"\nmin = 0.8\n"
        ));
        assert!(e.starts_with("gates.toml:9:10:"), "{e}");
        assert!(e.contains("unknown metric \"auc\""), "{e}");
    }

    #[test]
    fn fairness_gate_needs_a_protected_attribute() {
        let e = err_text(&format!(
            "{BASE}\n[[gate]]\nkind = \"fairness\"\nattribute = \"age\"\n"
        ));
        assert!(e.contains("gates.toml:9:"), "{e}");
        assert!(e.contains("not listed in data.protected"), "{e}");
    }

    #[test]
    fn key_of_another_gate_kind_is_rejected() {
        let e = err_text(&format!(
            "{BASE}\n[[gate]]\nkind = \"latency\"\nmax_ms = 5\nmetric = \"f1\"\n"
        ));
        assert!(
            e.contains("`metric` does not apply to a latency gate"),
            "{e}"
        );
    }

    #[test]
    fn unknown_model_param_is_rejected() {
        let e = err_text(&format!(
            "{BASE}\n[model]\nkind = \"logistic_regression\"\n[model.params]\nmax_iterr = 3\n"
        ));
        assert!(e.contains("max_iterr"), "{e}");
        assert!(e.starts_with("gates.toml:"), "{e}");
    }

    #[test]
    fn out_of_range_model_params_are_rejected_at_their_line() {
        let cases = [
            (
                "logistic_regression",
                "alpha = -1.0",
                "alpha must be a finite number >= 0",
            ),
            (
                "logistic_regression",
                "max_iter = 0",
                "max_iter must be >= 1",
            ),
            (
                "random_forest",
                "n_trees = 0",
                "n_trees must be in 1..=100000, got 0",
            ),
            ("random_forest", "max_depth = 0", "max_depth must be >= 1"),
            (
                "random_forest",
                "max_bins = 1000",
                "max_bins must be in 2..=256",
            ),
            (
                "random_forest",
                "max_features = 1.5",
                "a fraction in (0, 1]",
            ),
            (
                "decision_tree",
                "min_samples_leaf = 0",
                "min_samples_leaf must be >= 1",
            ),
            (
                "decision_tree",
                "min_samples_split = 1",
                "min_samples_split must be >= 2",
            ),
        ];
        // The `[model.params]` header's line (BASE, a blank line, [model], kind).
        let line = BASE.lines().count() + 4;
        for (kind, param, want) in cases {
            let e = err_text(&format!(
                "{BASE}\n[model]\nkind = \"{kind}\"\n[model.params]\n{param}\n"
            ));
            assert!(e.contains(want), "{param}: {e}");
            assert!(
                e.starts_with(&format!("gates.toml:{line}:")),
                "{param}: {e}"
            );
        }
        let ok =
            format!("{BASE}\n[model]\nkind = \"random_forest\"\n[model.params]\nmax_depth = 1\n");
        assert!(parse_str(&ok).is_ok());
    }

    #[test]
    fn contract_rule_errors_point_at_the_column_table() {
        let e = err_text(&format!(
            "{BASE}[contract]\nmin_rows = 1\n\n[contract.columns.tenure]\nmin = 10\nmax = 5\n"
        ));
        let line = BASE.lines().count() + 4;
        assert!(e.starts_with(&format!("gates.toml:{line}:1: [contract]: column \"tenure\": min (10) is greater than max (5)")), "{e}");
        let e = err_text(&format!(
            "{BASE}[contract]\n[contract.columns.ab]\nmin = 1\n[contract.columns.\"a b\"]\nmin = 10\nmax = 5\n"
        ));
        let line = BASE.lines().count() + 4;
        assert!(
            e.starts_with(&format!("gates.toml:{line}:1: [contract]: column \"a b\"")),
            "{e}"
        );
        let e = err_text(&format!("{BASE}[contract]\nmax_null_fraction = 2.0\n"));
        let line = BASE.lines().count() + 1;
        assert!(
            e.starts_with(&format!("gates.toml:{line}:1: [contract]: ")),
            "{e}"
        );
    }

    #[test]
    fn wrong_type_is_reported() {
        let e = err_text(&BASE.replace("[data]", "[data]\nseed = \"x\""));
        assert!(e.starts_with("gates.toml:2:8:"), "{e}");
    }

    #[test]
    fn not_toml_is_an_error_not_a_panic() {
        let e = err_text("this is = = not toml");
        assert!(e.starts_with("gates.toml:1:"), "{e}");
    }

    #[test]
    fn duplicate_gate_names_are_rejected() {
        let g = "\n[[gate]]\nkind = \"metric\"\nmetric = \"f1\"\nmin = 0.1\n";
        let e = err_text(&format!("{BASE}{g}{g}"));
        assert!(e.contains("two gates are named"), "{e}");
    }

    #[test]
    fn gates_resolve_with_lines() {
        let s = format!(
            "{BASE}\n[[gate]]\nkind = \"metric\"\nmetric = \"log_loss\"\nmax = 0.5\n\n[[gate]]\nkind = \"fairness\"\nattribute = \"sex\"\n"
        );
        let p = parse_str(&s).unwrap();
        assert_eq!(p.gates.len(), 2);
        assert_eq!(p.gates[0].line, 7, "the [[gate]] header line");
        assert_eq!(p.gates[1].name, "fairness sex disparate_impact");
        match &p.gates[1].spec {
            GateSpec::Fairness(f) => {
                assert_eq!(f.bound.min, Some(0.8));
                assert_eq!(f.min_group_size, 30);
            }
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn line_col_counts_characters() {
        assert_eq!(line_col("ab\ncdé\nx", 8), (3, 1));
        assert_eq!(line_col("ab\ncdé", 5), (2, 3));
    }
}
