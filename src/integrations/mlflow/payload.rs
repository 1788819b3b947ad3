//! What a check run sends to MLflow, derived from `report.json` alone (so a
//! saved run can be logged again): params, metrics and tags, cut into
//! `runs/log-batch` requests that respect the server's limits.
use serde_json::{json, Map, Value};
use std::collections::BTreeMap;

/// MLflow's per-request limits (`mlflow/utils/validation.py`, 3.17.2).
pub const MAX_METRICS_PER_BATCH: usize = 1000;
/// At most this many params, and as many tags, per request.
pub const MAX_PARAMS_TAGS_PER_BATCH: usize = 100;
/// At most this many metrics + params + tags per request.
pub const MAX_ENTITIES_PER_BATCH: usize = 1000;
/// The server rejects a log-batch body longer than 1e6 characters; stay below.
pub const MAX_BATCH_JSON_BYTES: usize = 900_000;
/// Longest param value the server accepts (characters).
pub const MAX_PARAM_VALUE: usize = 6000;
/// Longest tag value the server accepts (characters).
pub const MAX_TAG_VALUE: usize = 8000;
/// Longest param, metric or tag key.
pub const MAX_KEY: usize = 250;

/// Params: the model's hyper-parameters (`model.params`, nested keys joined
/// with `.`), the model kind and threshold, and the lineage digests.
pub fn params(report: &Value) -> Vec<(String, String)> {
    let mut out = BTreeMap::new();
    let mut put = |k: &str, v: Option<&Value>| {
        if let Some(v) = v.filter(|v| !v.is_null()) {
            out.insert(key(k), param_value(v));
        }
    };
    put("model_kind", report.pointer("/model/kind"));
    put("threshold", report.pointer("/model/threshold"));
    put("config_sha256", report.pointer("/lineage/config_sha256"));
    put(
        "data_sha256",
        report
            .pointer("/lineage/data_sha256")
            .or_else(|| report.pointer("/data/sha256")),
    );
    put("test_data_sha256", report.pointer("/data/test_sha256"));
    put("seed", report.pointer("/lineage/seed"));
    let mut model_params = Vec::new();
    if let Some(p) = report.pointer("/model/params") {
        flatten("", p, &mut model_params);
    }
    for (k, v) in model_params {
        out.insert(key(&k), param_value(&v));
    }
    out.into_iter().collect()
}

/// Metrics: every number in `metrics` (nested ones such as the confusion
/// matrix as `confusion.tp`), `<metric>_low`/`_high` from
/// `intervals.metrics`, latency percentiles, fairness summaries and the
/// champion delta. Non-finite and null values are left out (JSON has none).
pub fn metrics(report: &Value) -> Vec<(String, f64)> {
    let mut out = BTreeMap::new();
    let mut numbers = Vec::new();
    if let Some(m) = report.get("metrics") {
        flatten("", m, &mut numbers);
    }
    if let Some(Value::Object(intervals)) = report.pointer("/intervals/metrics") {
        for (name, iv) in intervals {
            for end in ["low", "high"] {
                if let Some(v) = iv.get(end) {
                    numbers.push((format!("{name}_{end}"), v.clone()));
                }
            }
        }
    }
    if let Some(Value::Object(latency)) = report.get("latency") {
        for (k, v) in latency {
            numbers.push((format!("latency_{k}"), v.clone()));
        }
    }
    if let Some(Value::Object(fairness)) = report.get("fairness") {
        for (attr, f) in fairness {
            if let Value::Object(f) = f {
                for (k, v) in f {
                    // Per-group detail stays in report.json; summaries are metrics.
                    if v.is_number() {
                        numbers.push((format!("fairness.{attr}.{k}"), v.clone()));
                    }
                }
            }
        }
    }
    for k in [
        "champion_value",
        "candidate_value",
        "delta",
        "delta_low",
        "delta_high",
        "p_value",
    ] {
        if let Some(v) = report.pointer(&format!("/champion/{k}")) {
            numbers.push((format!("champion_{k}"), v.clone()));
        }
    }
    for (k, v) in numbers {
        if let Some(x) = v.as_f64().filter(|x| x.is_finite()) {
            out.insert(key(&k), x);
        }
    }
    out.into_iter().collect()
}

/// Tags: the verdict, each gate's status, git commit and branch (MLflow's
/// own `mlflow.source.git.*` keys, shown in its UI), the tool version and
/// the CI run.
pub fn tags(report: &Value) -> Vec<(String, String)> {
    let mut out = BTreeMap::new();
    let text = |p: &str| {
        report
            .pointer(p)
            .and_then(Value::as_str)
            .map(str::to_string)
    };
    let mut put = |k: &str, v: Option<String>| {
        if let Some(v) = v {
            out.insert(key(k), truncate(&v, MAX_TAG_VALUE));
        }
    };
    put("release_gate.verdict", text("/verdict"));
    put("release_gate.command", text("/command"));
    put("release_gate.tool_version", text("/tool_version"));
    put("mlflow.source.git.commit", text("/lineage/git/commit"));
    put("mlflow.source.git.branch", text("/lineage/git/branch"));
    put(
        "release_gate.git.dirty",
        report
            .pointer("/lineage/git/dirty")
            .and_then(Value::as_bool)
            .map(|b| b.to_string()),
    );
    put("release_gate.ci.run_url", text("/lineage/ci/run_url"));
    put("release_gate.champion.version", text("/champion/version"));
    put("mlflow.source.name", Some("release-gate".into()));
    if let Some(Value::Array(gates)) = report.get("gates") {
        let mut seen = BTreeMap::<String, usize>::new();
        for (i, g) in gates.iter().enumerate() {
            let name = g
                .get("name")
                .and_then(Value::as_str)
                .map_or_else(|| format!("gate{}", i + 1), str::to_string);
            // Two gates with one name keep both statuses: `name`, `name#2`.
            let n = seen.entry(name.clone()).or_insert(0);
            *n += 1;
            let name = if *n == 1 { name } else { format!("{name}#{n}") };
            let status = g.get("status").and_then(Value::as_str).map(str::to_string);
            put(&format!("release_gate.gate.{name}"), status);
        }
    }
    out.into_iter().collect()
}

/// The `runs/log-batch` bodies (without `run_id`) holding every item,
/// each within the server's count and size limits. `timestamp_ms` stamps
/// every metric (step 0).
pub fn batches(
    metrics: &[(String, f64)],
    params: &[(String, String)],
    tags: &[(String, String)],
    timestamp_ms: i64,
) -> Vec<Value> {
    let mut out = Vec::new();
    let mut cur = Pending::default();
    let items = params
        .iter()
        .map(|(k, v)| (Kind::Param, json!({"key": k, "value": v})))
        .chain(
            tags.iter()
                .map(|(k, v)| (Kind::Tag, json!({"key": k, "value": v}))),
        )
        .chain(metrics.iter().map(|(k, v)| {
            (
                Kind::Metric,
                json!({"key": k, "value": v, "timestamp": timestamp_ms, "step": 0}),
            )
        }));
    for (kind, item) in items {
        let size = item.to_string().len() + 1;
        if !cur.fits(kind, size) {
            out.push(std::mem::take(&mut cur).into_json());
        }
        cur.push(kind, item, size);
    }
    if !cur.is_empty() {
        out.push(cur.into_json());
    }
    out
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Metric,
    Param,
    Tag,
}

#[derive(Default)]
struct Pending {
    metrics: Vec<Value>,
    params: Vec<Value>,
    tags: Vec<Value>,
    bytes: usize,
}

impl Pending {
    fn is_empty(&self) -> bool {
        self.metrics.is_empty() && self.params.is_empty() && self.tags.is_empty()
    }

    fn fits(&self, kind: Kind, size: usize) -> bool {
        if self.is_empty() {
            return true;
        }
        let total = self.metrics.len() + self.params.len() + self.tags.len();
        let room = match kind {
            Kind::Metric => self.metrics.len() < MAX_METRICS_PER_BATCH,
            Kind::Param => self.params.len() < MAX_PARAMS_TAGS_PER_BATCH,
            Kind::Tag => self.tags.len() < MAX_PARAMS_TAGS_PER_BATCH,
        };
        room && total < MAX_ENTITIES_PER_BATCH && self.bytes + size <= MAX_BATCH_JSON_BYTES
    }

    fn push(&mut self, kind: Kind, item: Value, size: usize) {
        self.bytes += size;
        match kind {
            Kind::Metric => self.metrics.push(item),
            Kind::Param => self.params.push(item),
            Kind::Tag => self.tags.push(item),
        }
    }

    fn into_json(self) -> Value {
        let mut m = Map::new();
        m.insert("metrics".into(), Value::Array(self.metrics));
        m.insert("params".into(), Value::Array(self.params));
        m.insert("tags".into(), Value::Array(self.tags));
        Value::Object(m)
    }
}

/// Leaves of a JSON tree as (`a.b.c`, value); arrays stay whole values.
fn flatten(prefix: &str, v: &Value, out: &mut Vec<(String, Value)>) {
    match v {
        Value::Object(map) => {
            for (k, child) in map {
                let name = if prefix.is_empty() {
                    k.clone()
                } else {
                    format!("{prefix}.{k}")
                };
                flatten(&name, child, out);
            }
        }
        _ if prefix.is_empty() => {}
        _ => out.push((prefix.to_string(), v.clone())),
    }
}

/// A param value as MLflow shows it: strings bare, everything else as JSON.
fn param_value(v: &Value) -> String {
    let text = match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    truncate(&text, MAX_PARAM_VALUE)
}

/// At most `max` characters (MLflow counts characters, not bytes).
fn truncate(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_string();
    }
    s.chars().take(max).collect()
}

/// A key MLflow accepts: letters, digits, `_ - . ` and space; anything
/// else (`/` and `:` included, which some servers reject) becomes `_`; at
/// most 250 characters; never empty nor starting with `.`.
pub fn key(raw: &str) -> String {
    let mut k: String = raw
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || matches!(c, '_' | '-' | '.' | ' ') {
                c
            } else {
                '_'
            }
        })
        .collect();
    if k.is_empty() || k.starts_with('.') {
        k.insert(0, '_');
    }
    truncate(&k, MAX_KEY)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report() -> Value {
        json!({
            "verdict": "no-go",
            "command": "check",
            "tool_version": "0.2.0",
            "data": {"sha256": "d1", "test_sha256": null},
            "model": {"kind": "random_forest", "threshold": 0.5,
                      "params": {"n_trees": 100, "max_depth": null, "grow": {"min_leaf": 5},
                                 "note": "x".repeat(7000)}},
            "metrics": {"accuracy": 0.8, "roc_auc": 0.84, "log_loss": null,
                        "confusion": {"tp": 10, "fp": 2, "tn": 30, "fn": 3}},
            "intervals": {"confidence": 0.95,
                          "metrics": {"roc_auc": {"low": 0.8, "high": 0.88, "method": "delong"}}},
            "latency": {"p50_ms": 0.01, "p95_ms": 0.02},
            "fairness": {"female": {"disparate_impact": 0.95, "groups": {"0": {"count": 5}}}},
            "champion": {"present": true, "version": "v0003", "delta": -0.01},
            "gates": [{"name": "quality floor", "status": "pass"},
                      {"name": "quality floor", "status": "fail"},
                      {"name": "auc/ratio: x", "status": "warn"}],
            "lineage": {"git": {"commit": "abc123", "branch": "main", "dirty": false},
                        "config_sha256": "c1", "data_sha256": "d1", "seed": 42}
        })
    }

    #[test]
    fn params_hold_model_params_and_digests() {
        let p: BTreeMap<_, _> = params(&report()).into_iter().collect();
        assert_eq!(p["n_trees"], "100");
        assert_eq!(p["grow.min_leaf"], "5");
        assert_eq!(p["max_depth"], "null");
        assert_eq!(p["config_sha256"], "c1");
        assert_eq!(p["data_sha256"], "d1");
        assert_eq!(p["seed"], "42");
        assert_eq!(p["model_kind"], "random_forest");
        assert!(!p.contains_key("test_data_sha256"));
        assert_eq!(p["note"].chars().count(), MAX_PARAM_VALUE);
    }

    #[test]
    fn metrics_include_interval_ends_and_skip_nulls() {
        let m: BTreeMap<_, _> = metrics(&report()).into_iter().collect();
        assert_eq!(m["roc_auc"], 0.84);
        assert_eq!(m["roc_auc_low"], 0.8);
        assert_eq!(m["roc_auc_high"], 0.88);
        assert_eq!(m["confusion.tp"], 10.0);
        assert_eq!(m["latency_p95_ms"], 0.02);
        assert_eq!(m["fairness.female.disparate_impact"], 0.95);
        assert_eq!(m["champion_delta"], -0.01);
        assert!(!m.contains_key("log_loss"));
        assert!(!m.keys().any(|k| k.contains("groups")));
    }

    #[test]
    fn tags_hold_verdict_gates_and_git() {
        let t: BTreeMap<_, _> = tags(&report()).into_iter().collect();
        assert_eq!(t["release_gate.verdict"], "no-go");
        assert_eq!(t["release_gate.gate.quality floor"], "pass");
        assert_eq!(t["release_gate.gate.quality floor_2"], "fail");
        assert_eq!(t["release_gate.gate.auc_ratio_ x"], "warn");
        assert_eq!(t["mlflow.source.git.commit"], "abc123");
        assert_eq!(t["mlflow.source.git.branch"], "main");
    }

    #[test]
    fn keys_are_sanitized() {
        assert_eq!(key("a/b:c d-e.f_g"), "a_b_c d-e.f_g");
        assert_eq!(key(""), "_");
        assert_eq!(key("..x"), "_..x");
        assert_eq!(key(&"k".repeat(300)).len(), MAX_KEY);
        assert_eq!(key("é"), "é");
    }

    #[test]
    fn batches_respect_every_limit() {
        let metrics: Vec<_> = (0..2500).map(|i| (format!("m{i}"), i as f64)).collect();
        let params: Vec<_> = (0..250)
            .map(|i| (format!("p{i}"), "v".repeat(6000)))
            .collect();
        let tags: Vec<_> = (0..130).map(|i| (format!("t{i}"), "x".into())).collect();
        let out = batches(&metrics, &params, &tags, 1);
        let count = |b: &Value, k: &str| b[k].as_array().map_or(0, Vec::len);
        let (mut m, mut p, mut t) = (0, 0, 0);
        for b in &out {
            assert!(count(b, "metrics") <= MAX_METRICS_PER_BATCH);
            assert!(count(b, "params") <= MAX_PARAMS_TAGS_PER_BATCH);
            assert!(count(b, "tags") <= MAX_PARAMS_TAGS_PER_BATCH);
            assert!(count(b, "metrics") + count(b, "params") + count(b, "tags") <= 1000);
            assert!(b.to_string().len() <= MAX_BATCH_JSON_BYTES + 100);
            m += count(b, "metrics");
            p += count(b, "params");
            t += count(b, "tags");
        }
        assert_eq!((m, p, t), (2500, 250, 130));
        assert!(batches(&[], &[], &[], 1).is_empty());
    }
}
