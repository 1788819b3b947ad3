//! `gates.toml`: parse (strict, with line/column errors), then resolve into a
//! validated [`Plan`] before any data is read or any model trained.
use crate::data::contract::{self, ContractConfig};
use crate::error::GateError;
use crate::model::{forest, logistic, tree, ModelKind, ModelSpec};
use crate::report::{ModelCardMeta, Severity};
use schemars::JsonSchema;
use serde::Deserialize;
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};
use toml::Spanned;

/// Quality metrics a `metric` or `champion` gate may name.
pub const METRICS: [&str; 7] = [
    "accuracy",
    "precision",
    "recall",
    "f1",
    "roc_auc",
    "log_loss",
    "brier",
];
/// Fairness metrics a `fairness` gate may name.
pub const FAIRNESS_METRICS: [&str; 3] = [
    "disparate_impact",
    "tpr_difference",
    "selection_rate_difference",
];

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
    /// The gates: each `[[gate]]` has a `kind` and the keys of that kind.
    #[serde(default)]
    #[schemars(with = "Vec<RawGate>")]
    gate: Vec<Spanned<RawGate>>,
}

/// A TOML scalar compared as text (`positive = "Yes"`, `positive = 1`).
#[derive(Debug, Deserialize, Clone, JsonSchema)]
#[serde(untagged)]
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
}

fn default_test_fraction() -> Spanned<f64> {
    Spanned::new(0..0, 0.2)
}
fn default_seed() -> u64 {
    42
}
fn default_true() -> bool {
    true
}
fn default_threshold() -> Spanned<f64> {
    Spanned::new(0..0, 0.5)
}

/// `[model]`: which model to train and its decision threshold.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "Model")]
struct RawModel {
    #[serde(default)]
    kind: ModelKind,
    /// Decision threshold on the positive-class score.
    #[serde(default = "default_threshold")]
    #[schemars(with = "f64", range(min = 0.0, max = 1.0))]
    threshold: Spanned<f64>,
    /// Hyper-parameters of `kind` (each kind's keys are listed below).
    #[serde(default)]
    #[schemars(schema_with = "model_params_schema")]
    params: Option<Spanned<toml::Table>>,
}

/// `[model.params]`: the parameters of one of the model kinds.
fn model_params_schema(g: &mut schemars::SchemaGenerator) -> schemars::Schema {
    let kinds = [
        g.subschema_for::<logistic::LogisticParams>(),
        g.subschema_for::<forest::ForestParams>(),
        g.subschema_for::<tree::TreeParams>(),
    ];
    schemars::json_schema!({ "anyOf": kinds })
}

impl Default for RawModel {
    fn default() -> Self {
        RawModel {
            kind: ModelKind::default(),
            threshold: default_threshold(),
            params: None,
        }
    }
}

/// `[registry]`: where the champion lives.
#[derive(Debug, Deserialize, Default, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "Registry")]
struct RawRegistry {
    /// A directory (default `models/registry`), may be committed to git.
    path: Option<String>,
}

#[derive(Debug, Deserialize, Clone, Copy, PartialEq, Eq, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum GateKind {
    Metric,
    Fairness,
    Latency,
    Champion,
    Drift,
}

impl GateKind {
    pub fn name(self) -> &'static str {
        match self {
            GateKind::Metric => "metric",
            GateKind::Fairness => "fairness",
            GateKind::Latency => "latency",
            GateKind::Champion => "champion",
            GateKind::Drift => "drift",
        }
    }
}

/// What the champion gate does when there is no champion yet.
#[derive(Debug, Deserialize, Clone, Copy, PartialEq, Eq, Default, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum OnMissing {
    #[default]
    Pass,
    Fail,
}

/// One `[[gate]]` as written: every key of every kind, resolved per kind.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "Gate")]
struct RawGate {
    /// Shown in reports and annotations; derived from the kind when absent.
    name: Option<String>,
    kind: GateKind,
    /// metric/champion: a quality metric; fairness: a fairness metric.
    #[schemars(with = "Option<String>")]
    metric: Option<Spanned<String>>,
    /// metric/fairness: lower bound on the observed value.
    min: Option<f64>,
    /// metric/fairness: upper bound on the observed value.
    max: Option<f64>,
    /// `block` (default) stops the line; `warn` never changes the exit code.
    #[serde(default)]
    severity: Severity,
    /// fairness: a column listed in `data.protected`.
    #[schemars(with = "Option<String>")]
    attribute: Option<Spanned<String>>,
    /// fairness: a smaller group makes the gate inconclusive (default 30).
    min_group_size: Option<u64>,
    /// latency: which percentile of single-row latency (default 95).
    #[schemars(with = "Option<f64>")]
    percentile: Option<Spanned<f64>>,
    /// latency: the limit in milliseconds.
    max_ms: Option<f64>,
    /// champion: the candidate must beat the champion by at least this much.
    min_delta: Option<f64>,
    /// champion: what the first run (no champion yet) does.
    on_missing: Option<OnMissing>,
    /// drift: a reference data file (default: the training split).
    reference: Option<String>,
    /// drift: the Population Stability Index limit per feature.
    max_psi: Option<f64>,
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
    pub registry: PathBuf,
    pub gates: Vec<Gate>,
    /// `templates/model_card.md.j2` next to the config, when present.
    pub card_template: Option<PathBuf>,
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
}

/// Lower and/or upper bound on an observed value.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Bound {
    pub min: Option<f64>,
    pub max: Option<f64>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum GateSpec {
    Metric {
        metric: String,
        bound: Bound,
    },
    Fairness {
        attribute: String,
        metric: String,
        bound: Bound,
        min_group_size: u64,
    },
    Latency {
        percentile: f64,
        max_ms: f64,
    },
    Champion {
        metric: String,
        min_delta: f64,
        on_missing: OnMissing,
    },
    Drift {
        reference: Option<PathBuf>,
        max_psi: f64,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub struct Gate {
    pub name: String,
    pub kind: GateKind,
    pub severity: Severity,
    /// 1-based line of the `[[gate]]` header in `gates.toml`.
    pub line: usize,
    pub spec: GateSpec,
}

/// The JSON Schema of `gates.toml`, generated from the types above.
pub fn json_schema() -> serde_json::Value {
    serde_json::Value::from(schemars::schema_for!(RawConfig))
}

// ---------------------------------------------------------------- errors

/// Formats `path:line:col: message` plus the offending source line and a caret.
fn located(path: &Path, text: &str, offset: usize, message: &str) -> GateError {
    let (line, col) = line_col(text, offset);
    let src = text.lines().nth(line - 1).unwrap_or("");
    let caret = format!("{}^", " ".repeat(col.saturating_sub(1)));
    GateError::Config(format!(
        "{}:{line}:{col}: {message}\n  {line:>4} | {src}\n       | {caret}",
        path.display()
    ))
}

/// 1-based line and column (in characters) of a byte offset.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = text.get(..offset).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let col = before.get(line_start..).map_or(0, |s| s.chars().count()) + 1;
    (line, col)
}

struct Ctx<'a> {
    path: &'a Path,
    text: &'a str,
}

impl Ctx<'_> {
    fn err<T>(
        &self,
        span: std::ops::Range<usize>,
        message: impl AsRef<str>,
    ) -> Result<T, GateError> {
        Err(located(self.path, self.text, span.start, message.as_ref()))
    }
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
    let model = resolve_model(&ctx, &raw.model)?;
    let threshold = *raw.model.threshold.get_ref();
    if !(0.0..=1.0).contains(&threshold) {
        return ctx.err(
            raw.model.threshold.span(),
            "threshold must be within [0, 1]",
        );
    }
    let gates = resolve_gates(&ctx, &dir, &data, raw.gate)?;
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
        registry,
        gates,
        card_template: card.is_file().then_some(card),
    })
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

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

fn resolve_model(ctx: &Ctx, raw: &RawModel) -> Result<ModelSpec, GateError> {
    let (span, table) = match &raw.params {
        Some(p) => (p.span(), p.get_ref().clone()),
        None => (0..0, toml::Table::new()),
    };
    let value = toml::Value::Table(table);
    let bad = |e: toml::de::Error| {
        located(
            ctx.path,
            ctx.text,
            span.start,
            &format!(
                "[model.params] for {}: {}",
                raw.kind.name(),
                e.message().trim()
            ),
        )
    };
    let spec = match raw.kind {
        ModelKind::LogisticRegression => ModelSpec::LogisticRegression(
            value.try_into::<logistic::LogisticParams>().map_err(bad)?,
        ),
        ModelKind::RandomForest => {
            ModelSpec::RandomForest(value.try_into::<forest::ForestParams>().map_err(bad)?)
        }
        ModelKind::DecisionTree => {
            ModelSpec::DecisionTree(value.try_into::<tree::TreeParams>().map_err(bad)?)
        }
    };
    spec.check_params().map_err(|e| {
        located(
            ctx.path,
            ctx.text,
            span.start,
            &format!("[model.params] for {}: {e}", raw.kind.name()),
        )
    })?;
    Ok(spec)
}

fn resolve_gates(
    ctx: &Ctx,
    dir: &Path,
    data: &DataPlan,
    raw: Vec<Spanned<RawGate>>,
) -> Result<Vec<Gate>, GateError> {
    let mut gates: Vec<Gate> = Vec::with_capacity(raw.len());
    for spanned in raw {
        let span = spanned.span();
        let line = line_col(ctx.text, span.start).0;
        let g = spanned.into_inner();
        let spec = resolve_gate_spec(ctx, dir, data, &g, span.clone())?;
        let name = g.name.clone().unwrap_or_else(|| derived_name(&spec));
        if gates.iter().any(|other| other.name == name) {
            return ctx.err(
                span,
                format!("two gates are named {name:?}; give each gate a distinct `name`"),
            );
        }
        gates.push(Gate {
            name,
            kind: g.kind,
            severity: g.severity,
            line,
            spec,
        });
    }
    Ok(gates)
}

fn derived_name(spec: &GateSpec) -> String {
    match spec {
        GateSpec::Metric { metric, .. } => format!("metric {metric}"),
        GateSpec::Fairness {
            attribute, metric, ..
        } => format!("fairness {attribute} {metric}"),
        GateSpec::Latency { percentile, .. } => format!("latency p{percentile}"),
        GateSpec::Champion { metric, .. } => format!("champion {metric}"),
        GateSpec::Drift { .. } => "drift psi".to_string(),
    }
}

/// Keys each gate kind accepts besides name/kind/severity.
fn allowed_keys(kind: GateKind) -> &'static [&'static str] {
    match kind {
        GateKind::Metric => &["metric", "min", "max"],
        GateKind::Fairness => &["attribute", "metric", "min", "max", "min_group_size"],
        GateKind::Latency => &["percentile", "max_ms"],
        GateKind::Champion => &["metric", "min_delta", "on_missing"],
        GateKind::Drift => &["reference", "max_psi"],
    }
}

fn present_keys(g: &RawGate) -> Vec<&'static str> {
    let all = [
        ("metric", g.metric.is_some()),
        ("min", g.min.is_some()),
        ("max", g.max.is_some()),
        ("attribute", g.attribute.is_some()),
        ("min_group_size", g.min_group_size.is_some()),
        ("percentile", g.percentile.is_some()),
        ("max_ms", g.max_ms.is_some()),
        ("min_delta", g.min_delta.is_some()),
        ("on_missing", g.on_missing.is_some()),
        ("reference", g.reference.is_some()),
        ("max_psi", g.max_psi.is_some()),
    ];
    all.iter().filter(|(_, p)| *p).map(|(k, _)| *k).collect()
}

fn resolve_gate_spec(
    ctx: &Ctx,
    dir: &Path,
    data: &DataPlan,
    g: &RawGate,
    span: std::ops::Range<usize>,
) -> Result<GateSpec, GateError> {
    let allowed = allowed_keys(g.kind);
    if let Some(k) = present_keys(g).into_iter().find(|k| !allowed.contains(k)) {
        return ctx.err(
            span,
            format!(
                "key `{k}` does not apply to a {} gate (expected one of: name, kind, severity, {})",
                g.kind.name(),
                allowed.join(", ")
            ),
        );
    }
    let finite = |v: Option<f64>, key: &str| -> Result<(), GateError> {
        match v {
            Some(x) if !x.is_finite() => {
                ctx.err(span.clone(), format!("`{key}` must be a finite number"))
            }
            _ => Ok(()),
        }
    };
    for (v, k) in [
        (g.min, "min"),
        (g.max, "max"),
        (g.max_ms, "max_ms"),
        (g.min_delta, "min_delta"),
        (g.max_psi, "max_psi"),
    ] {
        finite(v, k)?;
    }
    match g.kind {
        GateKind::Metric => {
            let metric = quality_metric(ctx, g, &span)?;
            let bound = bound(ctx, g, &span)?;
            Ok(GateSpec::Metric { metric, bound })
        }
        GateKind::Fairness => fairness_gate(ctx, data, g, &span),
        GateKind::Latency => {
            let percentile = match &g.percentile {
                Some(p) if *p.get_ref() > 0.0 && *p.get_ref() <= 100.0 => *p.get_ref(),
                Some(p) => return ctx.err(p.span(), "percentile must be in (0, 100]"),
                None => 95.0,
            };
            let Some(max_ms) = g.max_ms else {
                return ctx.err(span, "a latency gate needs `max_ms`");
            };
            Ok(GateSpec::Latency { percentile, max_ms })
        }
        GateKind::Champion => {
            let metric = quality_metric(ctx, g, &span)?;
            Ok(GateSpec::Champion {
                metric,
                min_delta: g.min_delta.unwrap_or(0.0),
                on_missing: g.on_missing.unwrap_or_default(),
            })
        }
        GateKind::Drift => {
            let Some(max_psi) = g.max_psi else {
                return ctx.err(span, "a drift gate needs `max_psi`");
            };
            let reference = g
                .reference
                .as_ref()
                .filter(|r| !r.trim().is_empty())
                .map(|r| dir.join(r));
            Ok(GateSpec::Drift { reference, max_psi })
        }
    }
}

fn quality_metric(
    ctx: &Ctx,
    g: &RawGate,
    span: &std::ops::Range<usize>,
) -> Result<String, GateError> {
    let Some(m) = &g.metric else {
        return ctx.err(
            span.clone(),
            format!(
                "a {} gate needs `metric` (one of: {})",
                g.kind.name(),
                METRICS.join(", ")
            ),
        );
    };
    if !METRICS.contains(&m.get_ref().as_str()) {
        return ctx.err(
            m.span(),
            format!(
                "unknown metric {:?} (expected one of: {})",
                m.get_ref(),
                METRICS.join(", ")
            ),
        );
    }
    Ok(m.get_ref().clone())
}

fn bound(ctx: &Ctx, g: &RawGate, span: &std::ops::Range<usize>) -> Result<Bound, GateError> {
    if g.min.is_none() && g.max.is_none() {
        return ctx.err(
            span.clone(),
            format!("a {} gate needs `min` or `max`", g.kind.name()),
        );
    }
    if let (Some(lo), Some(hi)) = (g.min, g.max) {
        if lo > hi {
            return ctx.err(span.clone(), format!("min {lo} is greater than max {hi}"));
        }
    }
    Ok(Bound {
        min: g.min,
        max: g.max,
    })
}

fn fairness_gate(
    ctx: &Ctx,
    data: &DataPlan,
    g: &RawGate,
    span: &std::ops::Range<usize>,
) -> Result<GateSpec, GateError> {
    let Some(attr) = &g.attribute else {
        return ctx.err(
            span.clone(),
            "a fairness gate needs `attribute` (a column listed in data.protected)",
        );
    };
    if !data.protected.contains(attr.get_ref()) {
        return ctx.err(
            attr.span(),
            format!(
                "attribute {:?} is not listed in data.protected (protected = {:?})",
                attr.get_ref(),
                data.protected
            ),
        );
    }
    let metric = match &g.metric {
        None => "disparate_impact".to_string(),
        Some(m) if FAIRNESS_METRICS.contains(&m.get_ref().as_str()) => m.get_ref().clone(),
        Some(m) => {
            return ctx.err(
                m.span(),
                format!(
                    "unknown fairness metric {:?} (expected one of: {})",
                    m.get_ref(),
                    FAIRNESS_METRICS.join(", ")
                ),
            )
        }
    };
    let mut b = Bound {
        min: g.min,
        max: g.max,
    };
    if b.min.is_none() && b.max.is_none() {
        // The four-fifths rule for ratios; a 0.1 gap for differences.
        if metric == "disparate_impact" {
            b.min = Some(0.8);
        } else {
            b.max = Some(0.1);
        }
    }
    Ok(GateSpec::Fairness {
        attribute: attr.get_ref().clone(),
        metric,
        bound: b,
        min_group_size: g.min_group_size.unwrap_or(30),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

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
            ("random_forest", "n_trees = 0", "n_trees must be >= 1"),
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
            GateSpec::Fairness {
                bound,
                min_group_size,
                ..
            } => {
                assert_eq!(bound.min, Some(0.8));
                assert_eq!(*min_group_size, 30);
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
