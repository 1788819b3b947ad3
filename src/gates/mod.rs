//! Gates: each `[[gate]]` checked against the evaluation, as data. A failed
//! gate is a [`GateResult`], never an `Err`; the verdict is decided at the end.
//!
//! One module per gate kind. Each deserializes its own table (unknown keys
//! denied), validates itself, names itself and evaluates itself from the
//! [`Evidence`]. Adding a kind means one file, one [`GateKind`] and one
//! [`GateSpec`] variant.
pub mod bound;
pub mod champion;
pub mod drift;
pub mod evidence;
pub mod fairness;
pub mod keys;
pub mod latency;
pub mod metric;

use crate::domain::{GateResult, GateStatus, Severity, Verdict};
use champion::{ChampionGate, ChampionTable};
use drift::{DriftGate, DriftTable};
pub use evidence::{
    compares_across_scales, uncut_reason, Caveats, ChampionEval, Evidence, FewPredicted,
    LabelFeature, Outcome, Overlap, Repeated, Unfilled, Unlabelled, Unseen, OVERLAP_LIMIT,
};
use fairness::{FairnessGate, FairnessTable};
use latency::{LatencyGate, LatencyTable};
use metric::{MetricGate, MetricTable};
use schemars::JsonSchema;
use serde::Deserialize;
use std::path::Path;

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
    pub const ALL: [GateKind; 5] = [
        GateKind::Metric,
        GateKind::Fairness,
        GateKind::Latency,
        GateKind::Champion,
        GateKind::Drift,
    ];

    pub fn name(self) -> &'static str {
        match self {
            GateKind::Metric => "metric",
            GateKind::Fairness => "fairness",
            GateKind::Latency => "latency",
            GateKind::Champion => "champion",
            GateKind::Drift => "drift",
        }
    }

    /// The keys of this kind's table besides `name`, `kind` and `severity`.
    pub fn keys(self) -> &'static [&'static str] {
        match self {
            GateKind::Metric => metric::KEYS,
            GateKind::Fairness => fairness::KEYS,
            GateKind::Latency => latency::KEYS,
            GateKind::Champion => champion::KEYS,
            GateKind::Drift => drift::KEYS,
        }
    }
}

/// A resolved gate of one kind.
#[derive(Debug, Clone, PartialEq)]
pub enum GateSpec {
    Metric(MetricGate),
    Fairness(FairnessGate),
    Latency(LatencyGate),
    Champion(ChampionGate),
    Drift(DriftGate),
}

impl GateSpec {
    pub fn kind(&self) -> GateKind {
        match self {
            GateSpec::Metric(_) => GateKind::Metric,
            GateSpec::Fairness(_) => GateKind::Fairness,
            GateSpec::Latency(_) => GateKind::Latency,
            GateSpec::Champion(_) => GateKind::Champion,
            GateSpec::Drift(_) => GateKind::Drift,
        }
    }

    fn default_name(&self) -> String {
        match self {
            GateSpec::Metric(g) => g.default_name(),
            GateSpec::Fairness(g) => g.default_name(),
            GateSpec::Latency(g) => g.default_name(),
            GateSpec::Champion(g) => g.default_name(),
            GateSpec::Drift(g) => g.default_name(),
        }
    }

    fn evaluate(&self, index: usize, ev: &Evidence) -> Outcome {
        match self {
            GateSpec::Metric(g) => g.evaluate(ev),
            GateSpec::Fairness(g) => g.evaluate(ev),
            GateSpec::Latency(g) => g.evaluate(ev),
            GateSpec::Champion(g) => g.evaluate(ev),
            GateSpec::Drift(g) => g.evaluate(index, ev),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Gate {
    pub name: String,
    pub severity: Severity,
    /// 1-based line of the `[[gate]]` header in `gates.toml`.
    pub line: usize,
    pub spec: GateSpec,
}

impl Gate {
    pub fn kind(&self) -> GateKind {
        self.spec.kind()
    }
}

/// What a gate's table may refer to outside itself.
pub struct GateContext<'a> {
    /// The directory of `gates.toml` (relative paths resolve from it).
    pub dir: &'a Path,
    pub protected: &'a [String],
    pub text: &'a str,
    /// Byte offset of this gate's `[[gate]]` header.
    pub header: usize,
    /// Whether `[stats]` gives intervals (needed by `bound`).
    pub stats: bool,
}

/// A mistake in one gate's table, at a byte offset of `gates.toml`.
#[derive(Debug, Clone, PartialEq)]
pub struct GateConfigError {
    pub offset: usize,
    pub message: String,
}

impl GateContext<'_> {
    fn at(&self, key: &str, message: impl Into<String>) -> GateConfigError {
        GateConfigError {
            offset: keys::key_offset(self.text, self.header, key),
            message: message.into(),
        }
    }
}

/// Resolves one `[[gate]]` table.
pub fn parse_gate(
    mut table: toml::Table,
    cx: &GateContext,
    line: usize,
) -> Result<Gate, GateConfigError> {
    let kinds = GateKind::ALL.map(GateKind::name).join(", ");
    let kind = match table.remove("kind") {
        None => return Err(cx.at("kind", format!("a gate needs `kind` (one of: {kinds})"))),
        Some(v) => {
            let written = v.as_str().unwrap_or_default().to_string();
            let found = GateKind::ALL.into_iter().find(|k| k.name() == written);
            found.ok_or_else(|| {
                cx.at(
                    "kind",
                    format!("unknown gate kind {v} (expected one of: {kinds})"),
                )
            })?
        }
    };
    let name = match table.remove("name") {
        None => None,
        Some(toml::Value::String(s)) if s.chars().any(char::is_control) => {
            return Err(cx.at(
                "name",
                "`name` must be one line of text (it is shown in tables and annotations)",
            ))
        }
        Some(toml::Value::String(s)) if !s.trim().is_empty() => Some(s),
        Some(v) => return Err(cx.at("name", format!("`name` must be non-empty text, not {v}"))),
    };
    let severity = match table.remove("severity") {
        None => Severity::default(),
        Some(v) => v
            .try_into::<Severity>()
            .map_err(|e| cx.at("severity", format!("severity: {}", e.message().trim())))?,
    };
    let allowed = kind.keys();
    if let Some(k) = table.keys().find(|k| !allowed.contains(&k.as_str())) {
        let mut message = format!(
            "key `{k}` does not apply to a {} gate (expected one of: name, kind, severity, {})",
            kind.name(),
            allowed.join(", ")
        );
        if let Some(near) = keys::nearest(k, allowed) {
            message.push_str(&format!("; did you mean `{near}`?"));
        }
        return Err(cx.at(k, message));
    }
    check_metric_name(kind, &table, cx)?;
    let spec = resolve(kind, table, cx)?;
    Ok(Gate {
        name: name.unwrap_or_else(|| spec.default_name()),
        severity,
        line,
        spec,
    })
}

/// An unknown metric name, pointed at where it is written.
fn check_metric_name(
    kind: GateKind,
    table: &toml::Table,
    cx: &GateContext,
) -> Result<(), GateConfigError> {
    let Some(v) = table.get("metric") else {
        return Ok(());
    };
    let written = v.as_str().unwrap_or_default();
    let (known, what, names) = match kind {
        GateKind::Fairness => (
            crate::domain::FairnessMetric::parse(written).is_some(),
            "fairness metric",
            crate::domain::FairnessMetric::names(),
        ),
        GateKind::Metric | GateKind::Champion => (
            crate::domain::Metric::parse(written).is_some(),
            "metric",
            crate::domain::Metric::names(),
        ),
        _ => return Ok(()),
    };
    if known {
        return Ok(());
    }
    Err(GateConfigError {
        offset: keys::value_offset(cx.text, cx.header, "metric"),
        message: format!("unknown {what} {v} (expected one of: {names})"),
    })
}

fn resolve(
    kind: GateKind,
    table: toml::Table,
    cx: &GateContext,
) -> Result<GateSpec, GateConfigError> {
    let value = toml::Value::Table(table);
    let which = kind.name();
    // The first key a kind-level message is about, for its location.
    let key = |m: &str| {
        kind.keys()
            .iter()
            .copied()
            .find(|k| m.contains(&format!("`{k}`")) || m.starts_with(k))
            .unwrap_or("kind")
    };
    let bad = |m: String| cx.at(key(&m), format!("a {which} gate: {m}"));
    let de = |e: toml::de::Error| bad(e.message().trim().to_string());
    Ok(match kind {
        GateKind::Metric => {
            let t: MetricTable = value.try_into().map_err(de)?;
            GateSpec::Metric(MetricGate::from_table(t, cx.stats).map_err(bad)?)
        }
        GateKind::Fairness => {
            let t: FairnessTable = value.try_into().map_err(de)?;
            GateSpec::Fairness(FairnessGate::from_table(t, cx.protected, cx.stats).map_err(bad)?)
        }
        GateKind::Latency => {
            let t: LatencyTable = value.try_into().map_err(de)?;
            GateSpec::Latency(LatencyGate::from_table(t).map_err(bad)?)
        }
        GateKind::Champion => {
            let t: ChampionTable = value.try_into().map_err(de)?;
            GateSpec::Champion(ChampionGate::from_table(t).map_err(bad)?)
        }
        GateKind::Drift => {
            let t: DriftTable = value.try_into().map_err(de)?;
            GateSpec::Drift(DriftGate::from_table(t, cx.dir).map_err(bad)?)
        }
    })
}

/// The JSON Schema of one `[[gate]]`: one shape per kind.
#[derive(JsonSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[allow(dead_code)] // only its schema is used
pub enum GateSchema {
    Metric(Named<MetricTable>),
    Fairness(Named<FairnessTable>),
    Latency(Named<LatencyTable>),
    Champion(Named<ChampionTable>),
    Drift(Named<DriftTable>),
}

/// The keys every gate has besides its kind's.
#[derive(JsonSchema)]
#[allow(dead_code)] // only its schema is used
pub struct Named<T> {
    /// Shown in reports and annotations; derived from the kind when absent.
    name: Option<String>,
    /// `block` (default) stops the line; `warn` never changes the exit code.
    #[serde(default)]
    severity: Severity,
    #[serde(flatten)]
    table: T,
}

/// Checks every gate in order.
pub fn evaluate(gates: &[Gate], ev: &Evidence) -> Vec<GateResult> {
    gates
        .iter()
        .enumerate()
        .map(|(i, g)| {
            let o = g.spec.evaluate(i, ev);
            // A failing warning-severity gate is reported as `warn` and never blocks.
            let status = match (o.status, g.severity) {
                (GateStatus::Fail | GateStatus::Inconclusive, Severity::Warn) => GateStatus::Warn,
                (s, _) => s,
            };
            GateResult {
                name: g.name.clone(),
                kind: g.kind().name().to_string(),
                status,
                observed: o.observed,
                threshold: o.threshold,
                severity: g.severity,
                message: o.message,
                line: Some(g.line),
            }
        })
        .collect()
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

    fn parse(src: &str) -> Result<Gate, GateConfigError> {
        let table: toml::Table = toml::from_str(src).unwrap();
        let cx = GateContext {
            dir: Path::new("."),
            protected: &["sex".to_string()],
            text: src,
            header: 0,
            stats: true,
        };
        parse_gate(table, &cx, 1)
    }

    #[test]
    fn an_unknown_key_lists_only_its_kinds_keys_and_the_nearest() {
        let src = "kind = \"drift\"\nmax_ps = 0.2\n";
        let e = parse(src).unwrap_err();
        assert!(
            e.message.contains("did you mean `max_psi`?"),
            "{}",
            e.message
        );
        assert!(e.message.contains("reference, max_psi"), "{}", e.message);
        assert!(!e.message.contains("min_delta"), "{}", e.message);
        assert_eq!(e.offset, src.find("max_ps").unwrap());
    }

    #[test]
    fn each_kinds_keys_are_exactly_its_tables_fields() {
        fn fields<T: JsonSchema>() -> Vec<String> {
            let s = serde_json::Value::from(schemars::schema_for!(T));
            let mut keys: Vec<String> = s["properties"]
                .as_object()
                .map(|o| o.keys().cloned().collect())
                .unwrap_or_default();
            keys.sort();
            keys
        }
        let sorted = |k: &[&str]| {
            let mut v: Vec<String> = k.iter().map(|s| s.to_string()).collect();
            v.sort();
            v
        };
        assert_eq!(fields::<MetricTable>(), sorted(metric::KEYS));
        assert_eq!(fields::<FairnessTable>(), sorted(fairness::KEYS));
        assert_eq!(fields::<LatencyTable>(), sorted(latency::KEYS));
        assert_eq!(fields::<ChampionTable>(), sorted(champion::KEYS));
        assert_eq!(fields::<DriftTable>(), sorted(drift::KEYS));
    }

    #[test]
    fn one_bound_keeps_the_others_default_unless_switched_off() {
        let g = parse("kind = \"fairness\"\nattribute = \"sex\"\nmax = 0.95\n").unwrap();
        let GateSpec::Fairness(f) = g.spec else {
            panic!()
        };
        assert_eq!((f.bound.min, f.bound.max), (Some(0.8), Some(0.95)));
        let g =
            parse("kind = \"fairness\"\nattribute = \"sex\"\nmax = 0.95\nmin = false\n").unwrap();
        let GateSpec::Fairness(f) = g.spec else {
            panic!()
        };
        assert_eq!((f.bound.min, f.bound.max), (None, Some(0.95)));
        let e = parse("kind = \"fairness\"\nattribute = \"sex\"\nmax = 1.25\n").unwrap_err();
        assert!(
            e.message.contains("can never fail") && e.message.contains("[0, 1]"),
            "{}",
            e.message
        );
        let e = parse(
            "kind = \"fairness\"\nattribute = \"sex\"\nmetric = \"tpr_difference\"\nmin = 0.0\n",
        )
        .unwrap_err();
        assert!(e.message.contains("min 0 can never fail"), "{}", e.message);
    }

    #[test]
    fn impossible_thresholds_are_config_errors() {
        for (src, needle) in [
            ("kind = \"latency\"\nmax_ms = -1\n", "max_ms"),
            ("kind = \"drift\"\nmax_psi = -1\n", "max_psi"),
            (
                "kind = \"metric\"\nmetric = \"accuracy\"\nmin = 2\n",
                "never pass",
            ),
            (
                "kind = \"metric\"\nmetric = \"log_loss\"\nmax = -0.5\n",
                "never pass",
            ),
            // Each row's loss is clipped at -ln(eps) = 36.04...
            (
                "kind = \"metric\"\nmetric = \"log_loss\"\nmax = 40\n",
                "max 40 can never fail: log_loss always lies in [0, 36.04",
            ),
            (
                "kind = \"metric\"\nmetric = \"log_loss\"\nmin = 36.5\n",
                "never pass",
            ),
            (
                "kind = \"champion\"\nmetric = \"log_loss\"\nmin_delta = 37\n",
                "min_delta 37 can never be met",
            ),
            (
                "kind = \"latency\"\nmax_ms = 5\npercentile = 1e-300\n",
                "percentile",
            ),
            (
                "kind = \"metric\"\nmetric = \"auc\"\nmin = 0.8\n",
                "roc_auc",
            ),
        ] {
            let e = parse(src).unwrap_err();
            assert!(e.message.contains(needle), "{src}: {}", e.message);
        }
        // PSI never exceeds 2 (1 - eps) ln(1/eps) = 27.63; an infinite
        // latency limit never fails.
        for (src, needle) in [
            (
                "kind = \"drift\"\nmax_psi = 28\n",
                "max_psi 28 can never fail",
            ),
            ("kind = \"latency\"\nmax_ms = inf\n", "never fail"),
        ] {
            let e = parse(src).unwrap_err();
            assert!(e.message.contains(needle), "{src}: {}", e.message);
        }
        assert!(parse("kind = \"drift\"\nmax_psi = 27\n").is_ok());
        // A bound inside the clipped range is a gate.
        assert!(parse("kind = \"metric\"\nmetric = \"log_loss\"\nmax = 36\n").is_ok());
    }
}
