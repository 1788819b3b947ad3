//! A realistic `Report` for the renderer tests: a NO-GO `check` run with two
//! fairness groups, five gates (pass, fail, warn, inconclusive, skipped), a
//! champion, one contract violation and drift.
use super::*;
use crate::evaluate::fairness::{AttributeFairness, GroupStats};
use crate::evaluate::metrics::{Confusion, Metrics};
use serde_json::json;
use std::collections::BTreeMap;

pub(crate) fn sample_report() -> Report {
    Report {
        schema_version: SCHEMA_VERSION,
        tool_version: "0.1.0".to_string(),
        command: "check".to_string(),
        verdict: Verdict::NoGo,
        exit_code: 1,
        data: sample_data(),
        model: Some(sample_model()),
        metrics: Some(sample_metrics()),
        fairness: sample_fairness(),
        latency: Some(Latency {
            p50_ms: 0.0123,
            p95_ms: 0.0456,
            p99_ms: 0.1,
            rows_per_sec: 1_234_567.8,
            calls: 1409,
        }),
        champion: Some(ChampionInfo {
            present: true,
            version: Some("v0003".to_string()),
            metric: "roc_auc".to_string(),
            champion_value: Some(0.8312),
            candidate_value: Some(0.8421),
            delta: Some(0.0109),
            message: "candidate beats v0003 by 0.0109".to_string(),
            forced_reason: None,
            delta_low: None,
            delta_high: None,
            p_value: None,
            method: None,
            sha256: None,
        }),
        contract: ContractReport {
            passed: false,
            violations: vec![Violation {
                column: "tenure".to_string(),
                rule: "max".to_string(),
                count: 3,
                examples: vec![json!(121), json!(150), json!(999)],
                rows: vec![17, 402, 6100],
                message: "3 values above max 120".to_string(),
                test_file: false,
            }],
        },
        drift: Some(sample_drift()),
        gates: sample_gates(),
        lineage: sample_lineage(),
        notes: Vec::new(),
        model_card: ModelCardMeta {
            name: Some("churn-classifier".to_string()),
            version: Some("2.1.0".to_string()),
            description: Some("Predicts which customers will churn next month.".to_string()),
            owners: vec!["ml-platform@example.com".to_string()],
            intended_use: Some("Rank customers by churn risk for retention offers.".to_string()),
            limitations: Some(
                "Trained on one telecom's customers; not validated elsewhere.".to_string(),
            ),
            ethical_considerations: None,
        },
        timings_ms: BTreeMap::from([("load".to_string(), 12.5), ("train".to_string(), 250.0)]),
        curves: Some(sample_curves()),
        intervals: None,
        importance: None,
    }
}

/// Chart data from 400 synthetic, imperfectly separated scores and a
/// right-skewed latency sample.
/// `sample_report` as a `[stats]` run: 95% intervals, and the disparate
/// impact of `female` at `[0.9000, 0.9900]`.
pub(crate) fn with_stats(r: &mut Report) {
    r.intervals = Some(crate::domain::Intervals {
        confidence: 0.95,
        ..Default::default()
    });
    if let Some(f) = r.fairness.get_mut("female") {
        f.ends.insert("disparate_impact_low".into(), 0.9);
        f.ends.insert("disparate_impact_high".into(), 0.99);
    }
}

/// The female = 0 group's selection rate (148 of 700) with its 95% Wilson
/// interval, as the renderers show it under `[stats]`.
pub(crate) fn group_rate_with_interval() -> String {
    let ci = crate::evaluate::stats::wilson(148, 700, 0.95);
    crate::domain::num::metric_with(Some(0.2114), ci)
}

fn sample_curves() -> crate::evaluate::curves::Curves {
    let y: Vec<u8> = (0..400).map(|i| u8::from(i % 4 == 0)).collect();
    let score: Vec<f64> = (0..400)
        .map(|i| (f64::from(i % 97) / 97.0 * 0.7 + f64::from(y[i as usize]) * 0.3).min(1.0))
        .collect();
    let latency: Vec<f64> = (0..2000)
        .map(|i| 0.01 + 0.04 * (f64::from(i) / 2000.0).powi(4))
        .collect();
    crate::evaluate::curves::compute(&y, &score, &latency)
}

fn sample_data() -> DataInfo {
    DataInfo {
        path: "examples/churn/telco_churn.csv".to_string(),
        sha256: "3f2a9c1b0e7d4a5f8c6b2e1d0a9f8e7d6c5b4a3f2e1d0c9b8a7f6e5d4c3b2a10".to_string(),
        rows: 7043,
        train_rows: 5634,
        test_rows: 1409,
        target: "churn".to_string(),
        positive: "Yes".to_string(),
        dropped_null_target: 0,
        train_positives: 1495,
        test_positives: 374,
        test_path: None,
        test_sha256: None,
        test_set_sha256: None,
    }
}

fn sample_model() -> ModelInfo {
    ModelInfo {
        kind: "logistic_regression".to_string(),
        params: json!({"max_iter": 1000}),
        threshold: 0.5,
        features: vec![
            "tenure".to_string(),
            "contract".to_string(),
            "monthly_charges".to_string(),
        ],
        encoded_features: vec![
            "tenure".to_string(),
            "contract=Month-to-month".to_string(),
            "contract=One year".to_string(),
            "monthly_charges".to_string(),
        ],
        sha256: "9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a2f1e0d9c8b7a6f5e4d3c2b1a0f9e8d".to_string(),
    }
}

fn sample_metrics() -> Metrics {
    Metrics {
        accuracy: Some(0.8034),
        precision: Some(0.6598),
        recall: Some(0.5481),
        f1: Some(0.5988),
        roc_auc: Some(0.8421),
        log_loss: Some(0.4187),
        brier: Some(0.1372),
        confusion: Confusion {
            tp: 205,
            fp: 106,
            tn: 927,
            fn_: 169,
        },
    }
}

fn group(count: u64, positives: u64, selection_rate: f64, tpr: Option<f64>) -> GroupStats {
    GroupStats {
        count,
        positives,
        selection_rate: Some(selection_rate),
        tpr,
    }
}

fn sample_fairness() -> BTreeMap<String, AttributeFairness> {
    let female = AttributeFairness {
        groups: BTreeMap::from([
            ("0".to_string(), group(700, 190, 0.2114, Some(0.5526))),
            ("1".to_string(), group(709, 184, 0.2003, Some(0.5435))),
        ]),
        disparate_impact: Some(0.9475),
        tpr_difference: Some(0.0091),
        selection_rate_difference: Some(0.0111),
        equalized_odds_difference: Some(0.0152),
        ends: BTreeMap::new(),
        smallest_group: 700,
        missing_group: None,
        absent: Vec::new(),
    };
    BTreeMap::from([("female".to_string(), female)])
}

fn sample_drift() -> DriftReport {
    DriftReport {
        psi: BTreeMap::from([
            ("monthly_charges".to_string(), 0.0312),
            ("tenure".to_string(), 0.2517),
        ]),
        ks: BTreeMap::from([
            ("monthly_charges".to_string(), 0.041),
            ("tenure".to_string(), 0.187),
        ]),
        ranked: vec!["tenure".to_string(), "monthly_charges".to_string()],
        reference: "training split".to_string(),
        not_compared: Vec::new(),
        beyond_range: BTreeMap::new(),
        note: None,
        noise: BTreeMap::new(),
    }
}

fn gate(name: &str, kind: &str, status: GateStatus, severity: Severity) -> GateResult {
    GateResult {
        name: name.to_string(),
        kind: kind.to_string(),
        status,
        observed: None,
        threshold: None,
        severity,
        message: String::new(),
        line: None,
    }
}

fn sample_gates() -> Vec<GateResult> {
    let mut latency = gate("latency p95", "latency", GateStatus::Pass, Severity::Block);
    latency.observed = Some(0.0456);
    latency.threshold = Some(5.0);
    latency.message = "p95 0.046 ms <= 5.000 ms".to_string();
    let mut quality = gate("quality floor", "metric", GateStatus::Fail, Severity::Block);
    quality.observed = Some(0.8421);
    quality.threshold = Some(0.85);
    quality.message = "roc_auc 0.8421 < 0.8500 | below floor".to_string();
    quality.line = Some(31);
    let mut drift = gate("drift", "drift", GateStatus::Warn, Severity::Warn);
    drift.observed = Some(0.2517);
    drift.threshold = Some(0.2);
    drift.message = "tenure PSI 0.2517 > 0.2000".to_string();
    let mut fairness = gate(
        "fairness female",
        "fairness",
        GateStatus::Inconclusive,
        Severity::Block,
    );
    fairness.observed = Some(0.9475);
    fairness.threshold = Some(0.8);
    fairness.message = "smallest group has 700 rows < min_group_size 1000".to_string();
    let mut champion = gate(
        "champion roc_auc",
        "champion",
        GateStatus::Skipped,
        Severity::Block,
    );
    champion.threshold = Some(0.005);
    champion.message = "skipped: the data contract was violated".to_string();
    vec![latency, quality, drift, fairness, champion]
}

fn sample_lineage() -> Lineage {
    Lineage {
        git: Some(GitInfo {
            commit: "0123456789abcdef0123456789abcdef01234567".to_string(),
            branch: Some("feature/new-model".to_string()),
            dirty: true,
        }),
        config_path: "gates.toml".to_string(),
        config_sha256: "c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00"
            .to_string(),
        data_sha256: "3f2a9c1b0e7d4a5f8c6b2e1d0a9f8e7d6c5b4a3f2e1d0c9b8a7f6e5d4c3b2a10".to_string(),
        seed: 42,
        started_at: "2026-11-22T05:37:55Z".to_string(),
        tool_version: "0.1.0".to_string(),
        ci: Some(CiInfo {
            provider: "github".to_string(),
            run_id: Some("123456789".to_string()),
            run_url: Some("https://github.com/acme/churn/actions/runs/123456789".to_string()),
            sha: Some("0123456789abcdef0123456789abcdef01234567".to_string()),
            git_ref: Some("refs/pull/42/merge".to_string()),
        }),
        registry: None,
        mlflow: None,
    }
}
