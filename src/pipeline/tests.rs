//! The orchestration with a fake Scorer: the stages call the model only
//! through the seam, so any model kind gets the same evaluation and gates.
use super::champion::champion_eval;
use super::evaluate::evaluate;
use super::run::{Quiet, Timings};
use super::target::Sides;
use crate::data::table::{Column, DType, Table, Values};
use crate::domain::{GateStatus, Metric};
use crate::evaluate::metrics;
use crate::gates::{self, ChampionEval, Evidence};
use crate::model::scorer::{RowScorer, Scorer};
use std::path::Path;

/// Scores each row by its `s` column; single rows from the same column.
struct Fake {
    threshold: f64,
}

struct FakeRows(Vec<f64>);

impl RowScorer for FakeRows {
    fn len(&self) -> usize {
        self.0.len()
    }
    fn score(&mut self, i: usize) -> f64 {
        self.0[i % self.0.len()]
    }
}

fn column(t: &Table, rows: &[usize]) -> Result<Vec<f64>, String> {
    match t.column("s").map(|c| &c.values) {
        Some(Values::Num(v)) => Ok(rows.iter().map(|&i| v[i]).collect()),
        _ => Err("no score column s".into()),
    }
}

impl Scorer for Fake {
    fn kind(&self) -> &str {
        "fake"
    }
    fn input_columns(&self) -> Vec<String> {
        vec!["s".into()]
    }
    fn threshold(&self) -> f64 {
        self.threshold
    }
    fn labels(&self) -> (&str, &str) {
        ("y", "1")
    }
    fn score_table(&self, t: &Table, rows: &[usize]) -> Result<Vec<f64>, String> {
        column(t, rows)
    }
    fn row_scorer<'a>(
        &'a self,
        t: &'a Table,
        rows: &[usize],
    ) -> Result<Option<Box<dyn RowScorer + 'a>>, String> {
        Ok(Some(Box::new(FakeRows(column(t, rows)?))))
    }
}

fn table(n: usize) -> (Table, Vec<u8>) {
    // Scores that rank most positives first, with some mistakes.
    let y: Vec<u8> = (0..n).map(|i| u8::from(i % 3 == 0)).collect();
    let s: Vec<f64> = (0..n)
        .map(|i| {
            let base = if y[i] == 1 { 0.7 } else { 0.3 };
            base + ((i * 37 % 11) as f64 - 5.0) / 20.0
        })
        .collect();
    let t = Table {
        columns: vec![Column {
            name: "s".into(),
            dtype: DType::Float,
            values: Values::Num(s),
        }],
        n_rows: n,
    };
    (t, y)
}

const CONFIG: &str = "[data]\npath = \"d.csv\"\ntarget = \"y\"\npositive = 1\n\n\
[[gate]]\nkind = \"metric\"\nmetric = \"roc_auc\"\nmin = 0.6\n\n\
[[gate]]\nkind = \"latency\"\nmax_ms = 1000\n";

#[test]
fn evaluation_and_gates_run_on_any_scorer() {
    let plan = crate::config::parse(Path::new("gates.toml"), CONFIG).unwrap();
    let (t, y) = table(600);
    let rows: Vec<usize> = (0..600).collect();
    let sides = Sides {
        train_table: &t,
        train_rows: rows[..300].to_vec(),
        y_train: y[..300].to_vec(),
        test_table: &t,
        test_rows: rows[300..].to_vec(),
        y_test: y[300..].to_vec(),
        test_sha256: "",
        unlabelled: Default::default(),
    };
    let model = Fake { threshold: 0.5 };
    let mut timings = Timings::new();
    let ev = evaluate(&plan, &sides, &model, &mut timings, &Quiet).unwrap();
    // Every stage timed is a Stage, under its own name.
    let names: Vec<&str> = super::Stage::ALL.iter().map(|s| s.name()).collect();
    assert!(timings.contains_key("score") && timings.contains_key("metrics"));
    assert!(
        timings.keys().all(|k| names.contains(&k.as_str())),
        "{timings:?}"
    );
    let mut unique = names.clone();
    unique.sort_unstable();
    unique.dedup();
    assert_eq!(unique.len(), names.len());
    let want = metrics::compute(&y[300..], &column(&t, &rows[300..]).unwrap(), 0.5);
    assert_eq!(ev.metrics, want);
    assert!(ev.latencies_ms.len() > 100 && ev.latency.p95_ms >= ev.latency.p50_ms);
    // No champion gate: the registry is not even read.
    let champ = champion_eval(&plan, &sides, &model, "sha", &[]).unwrap();
    assert!(matches!(champ, ChampionEval::Missing));
    let evidence = Evidence {
        metrics: &ev.metrics,
        fairness: &ev.fairness,
        latencies_ms: &ev.latencies_ms,
        champion: &champ,
        drift: &ev.drift_by_gate,
        min_test_rows: plan.data.min_test_rows,
        distinct: None,
        intervals: None,
        caveats: Default::default(),
    };
    let results = gates::evaluate(&plan.gates, &evidence);
    assert_eq!(results[0].status, GateStatus::Pass, "{:?}", results[0]);
    assert_eq!(results[0].observed, want.get(Metric::RocAuc));
    assert_eq!(results[1].status, GateStatus::Pass, "{:?}", results[1]);

    // The same scorer on too few rows: the metric gate cannot pass.
    let few = Sides {
        test_rows: rows[300..330].to_vec(),
        y_test: y[300..330].to_vec(),
        ..sides
    };
    let ev = evaluate(&plan, &few, &model, &mut timings, &Quiet).unwrap();
    let evidence = Evidence {
        metrics: &ev.metrics,
        fairness: &ev.fairness,
        latencies_ms: &ev.latencies_ms,
        champion: &champ,
        drift: &ev.drift_by_gate,
        min_test_rows: plan.data.min_test_rows,
        distinct: None,
        intervals: None,
        caveats: Default::default(),
    };
    let results = gates::evaluate(&plan.gates, &evidence);
    assert_eq!(results[0].status, GateStatus::Inconclusive);
    assert!(
        results[0].message.contains("min_test_rows"),
        "{}",
        results[0].message
    );
}

#[test]
fn a_scorer_that_cannot_score_is_an_error_not_a_panic() {
    let plan = crate::config::parse(Path::new("gates.toml"), CONFIG).unwrap();
    let t = Table::default();
    let sides = Sides {
        train_table: &t,
        train_rows: vec![],
        y_train: vec![],
        test_table: &t,
        test_rows: vec![0],
        y_test: vec![1],
        test_sha256: "",
        unlabelled: Default::default(),
    };
    let mut timings = Timings::new();
    let r = evaluate(
        &plan,
        &sides,
        &Fake { threshold: 0.5 },
        &mut timings,
        &Quiet,
    );
    assert!(r.is_err());
}

#[test]
fn test_rows_that_never_repeat_bound_chance() {
    use super::overlap::chance_from_pairs;
    // 1,600 test rows without a repeat: c <= 4 / C(1600, 2), and 1,600
    // training rows match at most 1 - (1 - c)^1600 = 0.004990.
    let b = chance_from_pairs(0.0, 1600, 1600);
    assert!((b - 0.004_990).abs() < 1e-6, "{b}");
    // 1,000 equally likely keys: 400 rows show about 79.8 pairs, and the
    // bound stays above the true chance of 800 training rows, 0.551.
    let truth = 1.0 - (1.0 - 1e-3_f64).powi(800);
    let b = chance_from_pairs(79.8, 400, 800);
    assert!(b > truth && b < 0.75, "{b} vs {truth}");
    // Too few rows to say anything, no training rows, every pair equal.
    assert_eq!(chance_from_pairs(0.0, 1, 800), 1.0);
    assert_eq!(chance_from_pairs(0.0, 400, 0), 0.0);
    assert_eq!(chance_from_pairs(79_800.0, 400, 800), 1.0);
    // A few rows without repeats say little.
    assert!(chance_from_pairs(0.0, 30, 1000) > 0.99);
}

#[test]
fn training_keys_cover_what_the_test_rows_repeats_say() {
    use super::overlap::coverage_from_repeats;
    // 400 fresh rows over 1,000 equally likely keys repeat a key at
    // 1 - exp(-399/1000) = 0.329; 800 distinct training keys cover 80%.
    let repeat = 1.0 - (-399.0_f64 / 1000.0).exp();
    assert!((coverage_from_repeats(repeat, 400, 800) - 0.8).abs() < 1e-12);
    // No repeats (continuous data): no floor. All repeat: full cover.
    assert_eq!(coverage_from_repeats(0.0, 400, 800), 0.0);
    assert_eq!(coverage_from_repeats(1.0, 400, 800), 1.0);
    assert_eq!(coverage_from_repeats(0.5, 1, 800), 0.0);
    // Never above 1.
    assert_eq!(coverage_from_repeats(0.9, 400, 100_000), 1.0);
}

/// Review of round 25: values far past the reference's range fail the
/// drift gate even when PSI over max_psi is within its sampling noise
/// (a unit error hides in PSI's end bins on small files too).
#[test]
fn far_values_fail_the_drift_gate_even_within_psi_noise() {
    let src = "[data]\npath = \"d.csv\"\ntarget = \"y\"\npositive = 1\n\n\
               [[gate]]\nkind = \"drift\"\nmax_psi = 0.2\n";
    let plan = crate::config::parse(Path::new("gates.toml"), src).unwrap();
    let report = |far: f64| crate::domain::DriftReport {
        psi: [("a".to_string(), 0.3), ("b".to_string(), 0.1)].into(),
        ranked: vec!["a".into(), "b".into()],
        reference: "training split".into(),
        beyond_range: [("b".to_string(), far)].into(),
        noise: [("a".to_string(), 0.35), ("b".to_string(), 0.3)].into(),
        ..Default::default()
    };
    let status = |far: f64| {
        let drift: std::collections::BTreeMap<usize, Result<crate::domain::DriftReport, String>> =
            [(0, Ok(report(far)))].into();
        let m = metrics::compute(&[0, 1], &[0.2, 0.8], 0.5);
        let evidence = Evidence {
            metrics: &m,
            fairness: &Default::default(),
            latencies_ms: &[],
            champion: &ChampionEval::Missing,
            drift: &drift,
            min_test_rows: plan.data.min_test_rows,
            distinct: None,
            intervals: None,
            caveats: Default::default(),
        };
        let r = gates::evaluate(&plan.gates, &evidence).remove(0);
        (r.status, r.message)
    };
    let (within, msg) = status(0.0);
    assert_eq!(within, GateStatus::Pass, "{msg}");
    assert!(msg.contains("within sampling noise"), "{msg}");
    let (far, msg) = status(0.05);
    assert_eq!(far, GateStatus::Fail, "{msg}");
    assert!(msg.contains("far past") && msg.contains("b 5.0%"), "{msg}");
}
