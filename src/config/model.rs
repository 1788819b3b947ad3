//! `[model]`: the kind, its threshold and parameters, or the model made
//! elsewhere (`onnx`, `scores`) and the gates that cannot apply to it.
use super::span::{located, Ctx};
use super::DataPlan;
use crate::error::GateError;
use crate::gates::{Gate, GateSpec};
use crate::model::{forest, gbm, logistic, tree, ModelKind, ModelSpec};
use schemars::JsonSchema;
use serde::Deserialize;
use std::path::Path;
use toml::Spanned;

/// `[model]`: which model to train and its decision threshold.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "Model")]
pub struct RawModel {
    #[serde(default)]
    pub kind: ModelKind,
    /// Decision threshold on the positive-class score.
    #[serde(default = "default_threshold")]
    #[schemars(with = "f64", range(min = 0.0, max = 1.0))]
    pub threshold: Spanned<f64>,
    /// Hyper-parameters of `kind` (each kind's keys are listed below).
    #[serde(default)]
    #[schemars(schema_with = "model_params_schema")]
    params: Option<Spanned<toml::Table>>,
    /// onnx: the model file, relative to gates.toml.
    #[serde(default)]
    path: Option<String>,
    /// onnx: the data columns fed to a model with one tensor input, in order
    /// (default: the data's columns less target, drop and protected).
    #[serde(default)]
    inputs: Option<Vec<String>>,
    /// onnx: the probability output's name (default: found).
    #[serde(default)]
    output: Option<String>,
    /// onnx: the positive class's column of the output (default: found from
    /// the model's class labels and `data.positive`).
    #[serde(default)]
    positive_index: Option<usize>,
    /// scores: the column holding the candidate's positive-class score.
    #[serde(default)]
    score: Option<String>,
    /// scores: the column holding the champion's score on the same rows.
    #[serde(default)]
    champion_score: Option<String>,
    /// scores: the champion column's decision threshold (default:
    /// `threshold`), when it is on another scale than `score`.
    #[serde(default)]
    champion_threshold: Option<f64>,
}

/// `[model.params]`: the parameters of one of the model kinds.
fn model_params_schema(g: &mut schemars::SchemaGenerator) -> schemars::Schema {
    let kinds = [
        g.subschema_for::<logistic::LogisticParams>(),
        g.subschema_for::<forest::ForestParams>(),
        g.subschema_for::<tree::TreeParams>(),
        g.subschema_for::<gbm::GbmParams>(),
    ];
    schemars::json_schema!({ "anyOf": kinds })
}

impl Default for RawModel {
    fn default() -> Self {
        RawModel {
            kind: ModelKind::default(),
            threshold: default_threshold(),
            params: None,
            path: None,
            inputs: None,
            output: None,
            positive_index: None,
            score: None,
            champion_score: None,
            champion_threshold: None,
        }
    }
}

fn default_threshold() -> Spanned<f64> {
    Spanned::new(0..0, 0.5)
}

/// The `[model]` keys that belong to one kind only.
fn kind_keys(raw: &RawModel) -> [(&'static str, bool, ModelKind); 7] {
    [
        ("path", raw.path.is_some(), ModelKind::Onnx),
        ("inputs", raw.inputs.is_some(), ModelKind::Onnx),
        ("output", raw.output.is_some(), ModelKind::Onnx),
        (
            "positive_index",
            raw.positive_index.is_some(),
            ModelKind::Onnx,
        ),
        ("score", raw.score.is_some(), ModelKind::Scores),
        (
            "champion_score",
            raw.champion_score.is_some(),
            ModelKind::Scores,
        ),
        (
            "champion_threshold",
            raw.champion_threshold.is_some(),
            ModelKind::Scores,
        ),
    ]
}

/// `onnx` and `scores`: the model made elsewhere.
fn external_model(ctx: &Ctx, dir: &Path, raw: &RawModel) -> Result<ModelSpec, GateError> {
    let kind = raw.kind;
    if raw.params.is_some() {
        return ctx.key_err(
            "[model.params]",
            "",
            format!(
                "[model.params] does not apply to kind = \"{}\": nothing is trained",
                kind.name()
            ),
        );
    }
    Ok(match kind {
        ModelKind::Onnx => {
            let Some(path) = raw.path.as_ref().filter(|p| !p.trim().is_empty()) else {
                return ctx.key_err(
                    "[model]",
                    "kind",
                    "kind = \"onnx\" needs `path = \"model.onnx\"` (relative to gates.toml)".into(),
                );
            };
            ModelSpec::Onnx(crate::model::OnnxSpec {
                path: dir.join(path),
                inputs: raw.inputs.clone(),
                output: raw.output.clone(),
                positive_index: raw.positive_index,
            })
        }
        _ => {
            let Some(score) = raw.score.as_ref().filter(|s| !s.trim().is_empty()) else {
                return ctx.key_err(
                    "[model]",
                    "kind",
                    "kind = \"scores\" needs `score = \"COLUMN\"` (the candidate's score column)"
                        .into(),
                );
            };
            if raw.champion_score.as_ref() == Some(score) {
                return ctx.key_err(
                    "[model]",
                    "champion_score",
                    "champion_score is the same column as score: the champion gate would compare the candidate with itself".into(),
                );
            }
            if let Some(t) = raw.champion_threshold.filter(|t| !t.is_finite()) {
                return ctx.key_err(
                    "[model]",
                    "champion_threshold",
                    format!("champion_threshold must be a finite number, not {t}"),
                );
            }
            if raw.champion_threshold.is_some() && raw.champion_score.is_none() {
                return ctx.key_err(
                    "[model]",
                    "champion_threshold",
                    "champion_threshold needs champion_score (the champion's column)".into(),
                );
            }
            ModelSpec::Scores(crate::model::ScoresSpec {
                score: score.clone(),
                champion_score: raw.champion_score.clone(),
                champion_threshold: raw.champion_threshold,
            })
        }
    })
}

pub fn resolve_model(ctx: &Ctx, dir: &Path, raw: &RawModel) -> Result<ModelSpec, GateError> {
    if let Some((key, _, owner)) = kind_keys(raw)
        .into_iter()
        .find(|(_, set, owner)| *set && *owner != raw.kind)
    {
        return ctx.key_err(
            "[model]",
            key,
            format!(
                "`{key}` applies to kind = \"{}\", not \"{}\"",
                owner.name(),
                raw.kind.name()
            ),
        );
    }
    if !raw.kind.trains() {
        return external_model(ctx, dir, raw);
    }
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
        ModelKind::GradientBoosting => {
            ModelSpec::GradientBoosting(value.try_into::<gbm::GbmParams>().map_err(bad)?)
        }
        ModelKind::Onnx | ModelKind::Scores => return external_model(ctx, dir, raw),
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

/// For a model made elsewhere nothing is split or run per row: a latency
/// gate on scores and a drift gate without `reference` cannot be measured.
pub fn check_external_gates(
    ctx: &Ctx,
    model: &ModelSpec,
    data: &DataPlan,
    gates: &[Gate],
) -> Result<(), GateError> {
    let kind = model.kind();
    if kind.trains() {
        return Ok(());
    }
    // The target (or a dropped column) as the score or a model input is
    // the answer handed to the model.
    let forbidden = |c: &String| *c == data.target || data.drop.contains(c);
    match model {
        ModelSpec::Scores(s) => {
            if let Some(c) = std::iter::once(&s.score)
                .chain(&s.champion_score)
                .find(|c| forbidden(c))
            {
                return ctx.key_err(
                    "[model]",
                    if *c == s.score {
                        "score"
                    } else {
                        "champion_score"
                    },
                    format!("{c:?} is the target or a dropped column, not a score"),
                );
            }
        }
        ModelSpec::Onnx(o) => {
            if let Some(c) = o.inputs.iter().flatten().find(|c| forbidden(c)) {
                return ctx.key_err(
                    "[model]",
                    "inputs",
                    format!("inputs lists {c:?}, the target or a dropped column: the model would read the answer"),
                );
            }
            let inputs = o.inputs.as_deref().unwrap_or_default();
            if let Some((i, c)) = inputs
                .iter()
                .enumerate()
                .find(|(i, c)| inputs[..*i].contains(c))
            {
                return ctx.key_err(
                    "[model]",
                    "inputs",
                    format!(
                        "inputs lists {c:?} twice (positions {} and {})",
                        inputs.iter().position(|x| x == c).unwrap_or(0) + 1,
                        i + 1
                    ),
                );
            }
            if !data.use_protected {
                if let Some(c) = inputs.iter().find(|c| data.protected.contains(c)) {
                    return ctx.key_err(
                        "[model]",
                        "inputs",
                        format!(
                            "inputs lists the protected column {c:?}, but [data] use_protected = false \
                             keeps protected columns away from the model; set use_protected = true \
                             or leave {c:?} out"
                        ),
                    );
                }
            }
        }
        _ => {}
    }
    if data.test_path.is_some() {
        return ctx.key_err(
            "[data]",
            "test_path",
            format!(
                "test_path does not apply to kind = \"{}\": every row of data.path is evaluated",
                kind.name()
            ),
        );
    }
    for g in gates {
        let at = ctx
            .text
            .lines()
            .take(g.line.saturating_sub(1))
            .map(|l| l.len() + 1)
            .sum::<usize>();
        let why = match &g.spec {
            GateSpec::Latency(_) if kind == ModelKind::Scores => {
                "a latency gate cannot apply to kind = \"scores\": nothing runs to be timed"
            }
            GateSpec::Drift(d) if d.reference.is_none() => {
                "a drift gate needs `reference` here: nothing is trained, so there is no training split to compare with"
            }
            _ => continue,
        };
        return Err(located(ctx.path, ctx.text, at, why));
    }
    Ok(())
}
