//! `check` and `validate`: the whole gate as one pipeline over a resolved
//! [`Plan`]. Returns the run as a [`Report`] plus what the artifacts need;
//! nothing here prints (progress goes through a callback).
use crate::artifact::{ModelArtifact, TrainingInfo, FORMAT, FORMAT_VERSION};
use crate::config::{GateSpec, Plan};
use crate::data::contract;
use crate::data::load::{self, Loaded};
use crate::data::split;
use crate::data::{DType, Table, Values};
use crate::error::{GateError, EXIT_GO, EXIT_NO_GO};
use crate::evaluate::{curves, drift, fairness, metrics};
use crate::features::Preprocessor;
use crate::gates::{self, ChampionEval, Evidence};
use crate::report::{
    ChampionInfo, ContractReport, DataInfo, DriftReport, GateResult, GateStatus, Latency, Lineage,
    ModelInfo, Report, Verdict, SCHEMA_VERSION,
};
use std::collections::BTreeMap;
use std::time::Instant;

pub const TOOL_VERSION: &str = env!("CARGO_PKG_VERSION");

/// Timed single-row predictions (after warm-up).
const LATENCY_CALLS: usize = 2_000;
const LATENCY_WARMUP: usize = 200;

/// A finished run: the report and, for `check`, what goes next to it.
pub struct Run {
    pub report: Report,
    pub artifact: Option<ModelArtifact>,
    pub artifact_json: Option<String>,
    pub predictions: Option<Predictions>,
}

/// One row per test row, for `predictions.csv`.
pub struct Predictions {
    pub row: Vec<u64>,
    pub y_true: Vec<u8>,
    pub score: Vec<f64>,
    pub y_pred: Vec<u8>,
    /// Protected attribute name and its text value per test row.
    pub protected: Vec<(String, Vec<Option<String>>)>,
}

/// Loads data and checks the contract; shared by `check` and `validate`.
struct Prepared {
    main: Loaded,
    test: Option<Loaded>,
    violations: Vec<crate::report::Violation>,
}

/// What the pipeline tells its caller while it runs (the CLI draws it).
pub trait Observer: Sync {
    /// A new step begins.
    fn step(&self, msg: &str);
    /// `done` of `total` units of the current step are finished (trees of a
    /// forest); `total == 0` means the total is unknown (solver iterations).
    fn advance(&self, _done: usize, _total: usize) {}
}

/// An observer that ignores everything (library callers, fuzzing).
pub struct Quiet;

impl Observer for Quiet {
    fn step(&self, _msg: &str) {}
}

type Progress<'a> = &'a dyn Observer;

fn timed<T>(timings: &mut BTreeMap<String, f64>, stage: &str, f: impl FnOnce() -> T) -> T {
    let t = Instant::now();
    let out = f();
    *timings.entry(stage.to_string()).or_insert(0.0) += t.elapsed().as_secs_f64() * 1e3;
    out
}

fn prepare(
    plan: &Plan,
    timings: &mut BTreeMap<String, f64>,
    progress: Progress,
) -> Result<Prepared, GateError> {
    progress.step(&format!("loading {}", plan.data.path.display()));
    let main = timed(timings, "load", || load::load(&plan.data.path))?;
    let test = match &plan.data.test_path {
        Some(p) => Some(timed(timings, "load", || load::load(p))?),
        None => None,
    };
    for (loaded, path) in std::iter::once((&main, &plan.data.path))
        .chain(test.as_ref().zip(plan.data.test_path.as_ref()))
    {
        check_columns(plan, loaded, path)?;
    }
    progress.step("checking the data contract");
    let mut violations = timed(timings, "contract", || {
        let mut v = contract::check(&plan.contract, &main.table, &plan.data.target);
        if let Some(t) = &test {
            v.extend(
                contract::check(&plan.contract, &t.table, &plan.data.target)
                    .into_iter()
                    .map(|mut x| {
                        x.message = format!("test file: {}", x.message);
                        x
                    }),
            );
        }
        v
    });
    violations.sort_by(|a, b| a.column.cmp(&b.column).then_with(|| a.rule.cmp(&b.rule)));
    Ok(Prepared {
        main,
        test,
        violations,
    })
}

/// The columns the config needs, checked before the contract runs. A column
/// it uses that loading had to leave out (a Parquet date or time column) is
/// a limitation of the tool, not a missing column: exit 2 saying so. The
/// target and protected columns must exist: without them nothing can be
/// decided. Errors name the file at fault (`path` or `test_path`).
fn check_columns(plan: &Plan, loaded: &Loaded, path: &std::path::Path) -> Result<(), GateError> {
    let used = std::iter::once(&plan.data.target)
        .chain(&plan.data.protected)
        .chain(&plan.contract.unique)
        .chain(plan.contract.columns.keys());
    for name in used {
        if let Some((_, kind)) = loaded.skipped.iter().find(|(s, _)| s == name) {
            return Err(GateError::Data(format!(
                "{}: column {name:?} is a {kind} column, which release-gate cannot read; \
                 store it as text or numbers, or stop naming it in gates.toml",
                path.display()
            )));
        }
    }
    let t = &loaded.table;
    for (what, col) in std::iter::once(("target", &plan.data.target))
        .chain(plan.data.protected.iter().map(|p| ("protected", p)))
    {
        if t.column(col).is_none() {
            return Err(GateError::Data(format!(
                "{}: {what} column {col:?} not found (columns: {})",
                path.display(),
                t.column_names().join(", ")
            )));
        }
    }
    Ok(())
}

fn base_report(plan: &Plan, command: &str, started_at: String, p: &Prepared) -> Report {
    let data = DataInfo {
        path: plan.data.path_text.clone(),
        sha256: p.main.sha256.clone(),
        rows: p.main.table.n_rows as u64,
        target: plan.data.target.clone(),
        positive: plan.data.positive.clone(),
        test_path: plan
            .data
            .test_path
            .as_ref()
            .map(|t| t.display().to_string()),
        test_sha256: p.test.as_ref().map(|t| t.sha256.clone()),
        ..DataInfo::default()
    };
    let passed = p.violations.is_empty();
    Report {
        schema_version: SCHEMA_VERSION,
        tool_version: TOOL_VERSION.to_string(),
        command: command.to_string(),
        verdict: if passed { Verdict::Go } else { Verdict::NoGo },
        exit_code: if passed { EXIT_GO } else { EXIT_NO_GO },
        data,
        model: None,
        metrics: None,
        fairness: BTreeMap::new(),
        latency: None,
        champion: None,
        contract: ContractReport {
            passed,
            violations: p.violations.clone(),
        },
        drift: None,
        gates: Vec::new(),
        lineage: lineage(plan, &p.main.sha256, started_at),
        notes: p
            .main
            .notes
            .iter()
            .chain(p.test.iter().flat_map(|t| &t.notes))
            .cloned()
            .chain(missing_drop_notes(plan, &p.main))
            .chain(plan.gates.is_empty().then(|| {
                "gates.toml declares no [[gate]]: GO here means only that the data \
                 contract held"
                    .to_string()
            }))
            .collect(),
        model_card: plan.model_card.clone(),
        timings_ms: BTreeMap::new(),
        curves: None,
    }
}

/// `data.drop` names absent from the data: harmless (nothing to drop), but
/// usually a typo that lets an id or a leak through as a feature, so said.
fn missing_drop_notes(plan: &Plan, loaded: &Loaded) -> Vec<String> {
    let missing: Vec<&str> = plan
        .data
        .drop
        .iter()
        .filter(|d| loaded.table.column(d).is_none())
        .filter(|d| !loaded.skipped.iter().any(|(s, _)| s == *d))
        .map(String::as_str)
        .collect();
    if missing.is_empty() {
        return Vec::new();
    }
    vec![format!(
        "data.drop names columns the data does not have: {}",
        missing
            .iter()
            .map(|m| format!("{m:?}"))
            .collect::<Vec<_>>()
            .join(", ")
    )]
}

fn lineage(plan: &Plan, data_sha256: &str, started_at: String) -> Lineage {
    Lineage {
        git: crate::lineage::git_info(&plan.config_dir),
        config_path: plan.config_path.display().to_string(),
        config_sha256: plan.config_sha256.clone(),
        data_sha256: data_sha256.to_string(),
        seed: plan.data.seed,
        started_at,
        tool_version: TOOL_VERSION.to_string(),
        ci: crate::lineage::ci_info(),
    }
}

/// Gates reported as skipped when the run stopped before evaluating them.
fn skipped_gates(plan: &Plan, why: &str) -> Vec<GateResult> {
    plan.gates
        .iter()
        .map(|g| GateResult {
            name: g.name.clone(),
            kind: g.kind.name().to_string(),
            status: GateStatus::Skipped,
            observed: None,
            threshold: None,
            severity: g.severity,
            message: why.to_string(),
            line: Some(g.line),
        })
        .collect()
}

/// `release-gate validate`: load + data contract only.
pub fn validate(plan: &Plan, progress: Progress) -> Result<Run, GateError> {
    let started = crate::lineage::now_rfc3339();
    let mut timings = BTreeMap::new();
    let p = prepare(plan, &mut timings, progress)?;
    let mut report = base_report(plan, "validate", started, &p);
    if p.violations.is_empty() {
        // The target must be usable too: a pre-push `validate` would
        // otherwise pass data that `check` then refuses.
        labelled(plan, &p, &mut report)?;
    }
    report.timings_ms = timings;
    Ok(Run {
        report,
        artifact: None,
        artifact_json: None,
        predictions: None,
    })
}

/// The labelled rows of one table: kept row indices and 0/1 targets.
struct Labelled {
    rows: Vec<usize>,
    y: Vec<u8>,
    dropped: u64,
}

/// Whether a target value, as text, is `data.positive` ("compared as text",
/// forgiving only how a file or parser spells the same value: surrounding
/// spaces (` >50K` is `>50K`), `1.0` is `1`, `True` is `true`).
fn is_positive_text(value: &str, positive: &str) -> bool {
    let (v, p) = (value.trim(), positive.trim());
    if v == p {
        return true;
    }
    match (v.parse::<f64>(), p.parse::<f64>()) {
        (Ok(a), Ok(b)) => return a == b,
        (Ok(_), _) | (_, Ok(_)) => return false,
        _ => {}
    }
    let boolean = |t: &str| t.eq_ignore_ascii_case("true") || t.eq_ignore_ascii_case("false");
    boolean(v) && boolean(p) && v.eq_ignore_ascii_case(p)
}

fn label(plan: &Plan, t: &Table, path: &std::path::Path) -> Result<Labelled, GateError> {
    let col = t.column(&plan.data.target).ok_or_else(|| {
        GateError::Data(format!(
            "{}: target column {:?} not found",
            path.display(),
            plan.data.target
        ))
    })?;
    let positive = plan.data.positive.as_str();
    // Text: positive or not per level. Numbers (booleans as 0/1): the value.
    let level_is_positive: Vec<bool> = match &col.values {
        Values::Cat { levels, .. } => levels
            .iter()
            .map(|l| is_positive_text(l, positive))
            .collect(),
        Values::Num(_) => Vec::new(),
    };
    let number = match col.dtype {
        DType::Boolean if is_positive_text("true", positive) => Some(1.0),
        DType::Boolean if is_positive_text("false", positive) => Some(0.0),
        DType::Boolean => None,
        _ => positive.trim().parse::<f64>().ok(),
    };
    let mut rows = Vec::with_capacity(t.n_rows);
    let mut y = Vec::with_capacity(t.n_rows);
    for r in 0..t.n_rows {
        if col.is_null(r) {
            continue;
        }
        rows.push(r);
        let is_pos = match &col.values {
            Values::Cat { codes, .. } => level_is_positive
                .get(codes[r] as usize)
                .copied()
                .unwrap_or(false),
            Values::Num(v) => Some(v[r]) == number,
        };
        y.push(u8::from(is_pos));
    }
    Ok(Labelled {
        dropped: (t.n_rows - rows.len()) as u64,
        rows,
        y,
    })
}

/// Up to `limit + 1` distinct target values of the labelled rows, as text
/// (values differing only by surrounding spaces are one).
fn target_values(plan: &Plan, t: &Table, l: &Labelled, limit: usize) -> Vec<String> {
    let mut seen: Vec<String> = Vec::new();
    if let Some(col) = t.column(&plan.data.target) {
        for &r in &l.rows {
            if let Some(v) = col.text(r).map(|v| v.trim().to_string()) {
                if !seen.contains(&v) {
                    seen.push(v);
                    if seen.len() > limit {
                        break;
                    }
                }
            }
        }
    }
    seen
}

/// `a, b, c` of at most 10 values, `, ...` when there were more.
fn values_text(seen: &[String]) -> String {
    match seen.len() {
        0 => "none".to_string(),
        n if n > 10 => format!("{}, ...", seen[..10].join(", ")),
        _ => seen.join(", "),
    }
}

/// A target with more than two values is made binary (positive vs the
/// rest): said in the notes, since `" Yes"` or a third class silently
/// counting as negative is rarely what was meant.
fn multiclass_note(plan: &Plan, t: &Table, l: &Labelled) -> Option<String> {
    let seen = target_values(plan, t, l, 10);
    if seen.len() <= 2 {
        return None;
    }
    let count = match seen.len() {
        n if n > 10 => "more than 10".to_string(),
        n => n.to_string(),
    };
    Some(format!(
        "target {:?} has {count} distinct values ({}): rows whose value is not {:?} count as negatives",
        plan.data.target,
        values_text(&seen),
        plan.data.positive
    ))
}

/// Both classes must be present in the labelled data, or nothing can be
/// learned (training file) or measured (held-out test file).
fn check_classes(
    plan: &Plan,
    t: &Table,
    l: &Labelled,
    path: &std::path::Path,
) -> Result<(), GateError> {
    let pos = l.y.iter().filter(|&&v| v == 1).count();
    if pos > 0 && pos < l.y.len() {
        return Ok(());
    }
    let seen = values_text(&target_values(plan, t, l, 10));
    let what = if l.y.is_empty() {
        "has no labelled row".to_string()
    } else if pos == 0 {
        format!(
            "never has the positive value {:?} (values seen: {seen}); set data.positive to one of them",
            plan.data.positive
        )
    } else {
        format!(
            "has one class: every row is the positive value {:?} (values seen: {seen})",
            plan.data.positive
        )
    };
    Err(GateError::Data(format!(
        "{}: target {:?} {what}",
        path.display(),
        plan.data.target
    )))
}

/// Input feature columns: everything but target, drop and (unless allowed) protected.
fn feature_names(plan: &Plan, t: &Table) -> Vec<String> {
    t.columns
        .iter()
        .map(|c| c.name.clone())
        .filter(|n| {
            *n != plan.data.target
                && !plan.data.drop.contains(n)
                && (plan.data.use_protected || !plan.data.protected.contains(n))
        })
        .collect()
}

/// `release-gate check`: the whole gate.
pub fn check(plan: &Plan, progress: Progress) -> Result<Run, GateError> {
    let started = crate::lineage::now_rfc3339();
    let mut timings = BTreeMap::new();
    let prepared = prepare(plan, &mut timings, progress)?;
    let mut report = base_report(plan, "check", started, &prepared);
    if !prepared.violations.is_empty() {
        report.gates = skipped_gates(plan, "not evaluated: the data contract was violated");
        report.timings_ms = timings;
        return Ok(Run {
            report,
            artifact: None,
            artifact_json: None,
            predictions: None,
        });
    }
    let run = train_and_evaluate(plan, &prepared, report, &mut timings, progress)?;
    Ok(run)
}

/// The train and test sides: which table, which rows, which labels.
struct Sides<'a> {
    train_table: &'a Table,
    train_rows: Vec<usize>,
    y_train: Vec<u8>,
    test_table: &'a Table,
    test_rows: Vec<usize>,
    y_test: Vec<u8>,
}

/// The labelled rows of the data and of the held-out test file, with the
/// target checks both `check` and `validate` make: both classes present, the
/// missing targets counted, a multi-valued target noted.
fn labelled(
    plan: &Plan,
    p: &Prepared,
    report: &mut Report,
) -> Result<(Labelled, Option<Labelled>), GateError> {
    let main = label(plan, &p.main.table, &plan.data.path)?;
    check_classes(plan, &p.main.table, &main, &plan.data.path)?;
    report.data.dropped_null_target = main.dropped;
    report
        .notes
        .extend(multiclass_note(plan, &p.main.table, &main));
    let test = match (&p.test, &plan.data.test_path) {
        (Some(test), Some(path)) => {
            let t = label(plan, &test.table, path)?;
            check_classes(plan, &test.table, &t, path)?;
            report.data.dropped_null_target += t.dropped;
            Some(t)
        }
        _ => None,
    };
    Ok((main, test))
}

fn make_sides<'a>(
    plan: &Plan,
    p: &'a Prepared,
    report: &mut Report,
) -> Result<Sides<'a>, GateError> {
    let (main, test) = labelled(plan, p, report)?;
    if let (Some(test), Some(t)) = (&p.test, test) {
        return Ok(Sides {
            train_table: &p.main.table,
            train_rows: main.rows,
            y_train: main.y,
            test_table: &test.table,
            test_rows: t.rows,
            y_test: t.y,
        });
    }
    let s = split::split(
        &main.y,
        plan.data.test_fraction,
        plan.data.seed,
        plan.data.stratify,
    );
    let pick = |idx: &[usize]| -> (Vec<usize>, Vec<u8>) {
        (
            idx.iter().map(|&i| main.rows[i]).collect(),
            idx.iter().map(|&i| main.y[i]).collect(),
        )
    };
    let (train_rows, y_train) = pick(&s.train);
    let (test_rows, y_test) = pick(&s.test);
    Ok(Sides {
        train_table: &p.main.table,
        train_rows,
        y_train,
        test_table: &p.main.table,
        test_rows,
        y_test,
    })
}

fn train_and_evaluate(
    plan: &Plan,
    p: &Prepared,
    mut report: Report,
    timings: &mut BTreeMap<String, f64>,
    progress: Progress,
) -> Result<Run, GateError> {
    let sides = timed(timings, "split", || make_sides(plan, p, &mut report))?;
    if sides.test_rows.is_empty() || sides.train_rows.is_empty() {
        return Err(GateError::Data(format!(
            "{}: not enough labelled rows to split into train and test sets \
             ({} train, {} test; data.test_fraction = {})",
            plan.data.path.display(),
            sides.train_rows.len(),
            sides.test_rows.len(),
            plan.data.test_fraction
        )));
    }
    fill_data_counts(&mut report, &sides);
    let features = feature_names(plan, sides.train_table);
    if features.is_empty() {
        return Err(GateError::Data(format!(
            "{}: no feature left to train on: every column is the target, in data.drop, \
             or protected (set data.use_protected = true to train on protected columns)",
            plan.data.path.display()
        )));
    }
    progress.step(&format!(
        "fitting preprocessing on {} training rows, {} features",
        sides.train_rows.len(),
        features.len()
    ));
    let (pre, x_train) = timed(timings, "preprocess", || {
        let pre = Preprocessor::fit(sides.train_table, &features, &sides.train_rows)?;
        let x = pre.transform(sides.train_table, &sides.train_rows)?;
        Ok::<_, String>((pre, x))
    })
    .map_err(GateError::Data)?;
    progress.step(&format!(
        "training {} on {} rows x {} inputs",
        plan.model.kind().name(),
        x_train.rows,
        x_train.cols
    ));
    let model = timed(timings, "train", || {
        crate::model::train_observed(
            &plan.model,
            &x_train,
            &sides.y_train,
            plan.data.seed,
            &|done, total| progress.advance(done, total),
        )
    })
    .map_err(|e| GateError::Data(format!("training failed: {e:#}")))?;
    drop(x_train);
    let artifact = ModelArtifact {
        format: FORMAT.to_string(),
        format_version: FORMAT_VERSION,
        tool_version: TOOL_VERSION.to_string(),
        target: plan.data.target.clone(),
        positive: plan.data.positive.clone(),
        threshold: plan.threshold,
        preprocessor: pre,
        model,
        training: TrainingInfo {
            data_sha256: p.main.sha256.clone(),
            config_sha256: plan.config_sha256.clone(),
            seed: plan.data.seed,
            train_rows: sides.train_rows.len() as u64,
            row_hashes: timed(timings, "row_hashes", || {
                crate::artifact::training_row_hashes(
                    sides.train_table,
                    &sides.train_rows,
                    &features,
                )
            }),
        },
    };
    progress.step("scoring the test set");
    let scores = timed(timings, "score", || {
        artifact.score_table(sides.test_table, &sides.test_rows)
    })
    .map_err(GateError::Data)?;
    evaluate_and_gate(plan, &sides, artifact, scores, report, timings, progress)
}

fn fill_data_counts(report: &mut Report, s: &Sides) {
    report.data.train_rows = s.train_rows.len() as u64;
    report.data.test_rows = s.test_rows.len() as u64;
    report.data.train_positives = s.y_train.iter().map(|&v| u64::from(v)).sum();
    report.data.test_positives = s.y_test.iter().map(|&v| u64::from(v)).sum();
}

fn evaluate_and_gate(
    plan: &Plan,
    sides: &Sides,
    artifact: ModelArtifact,
    scores: Vec<f64>,
    mut report: Report,
    timings: &mut BTreeMap<String, f64>,
    progress: Progress,
) -> Result<Run, GateError> {
    let m = timed(timings, "metrics", || {
        metrics::compute(&sides.y_test, &scores, plan.threshold)
    });
    let y_pred: Vec<u8> = scores
        .iter()
        .map(|&s| u8::from(s >= plan.threshold))
        .collect();
    let (fair, protected) = timed(timings, "fairness", || fairness_all(plan, sides, &y_pred));
    progress.step("measuring single-row latency");
    // Batch throughput is the test-set scoring already timed as "score".
    let score_secs = timings.get("score").copied().unwrap_or(0.0) / 1e3;
    let (latency, lat_sorted) = timed(timings, "latency", || {
        measure_latency(&artifact, sides, score_secs)
    });
    let curves = timed(timings, "curves", || {
        curves::compute(&sides.y_test, &scores, &lat_sorted)
    });
    let drift_by_gate = timed(timings, "drift", || drift_all(plan, sides, &artifact))?;
    let (artifact_json, model_sha) = timed(timings, "report", || {
        let json = artifact.to_json()?;
        let sha = crate::config::sha256_hex(json.as_bytes());
        Ok::<_, anyhow::Error>((json, sha))
    })
    .map_err(|e| GateError::Data(format!("cannot serialize model: {e}")))?;
    let champion = timed(timings, "champion", || {
        champion_eval(plan, sides, &artifact, &model_sha)
    })?;
    let ev = Evidence {
        metrics: &m,
        fairness: &fair,
        latencies_ms: &lat_sorted,
        champion: &champion,
        drift: &drift_by_gate,
    };
    report.gates = gates::evaluate(&plan.gates, &ev);
    report.verdict = gates::verdict(&report.gates);
    report.exit_code = if report.verdict == Verdict::Go {
        EXIT_GO
    } else {
        EXIT_NO_GO
    };
    report.champion = champion_info(plan, &champion, &m);
    report.drift = drift_by_gate
        .values()
        .find_map(|d| d.as_ref().ok().cloned())
        .or_else(|| default_drift(sides, &artifact));
    report.notes.extend(artifact.preprocessor.notes());
    if m.roc_auc == Some(1.0) {
        // Real-world targets are rarely separated perfectly: usually a column
        // that is the label in disguise (an outcome recorded after the fact).
        report.notes.push(
            "ROC AUC is exactly 1.0 on the test set: check the features for one that \
             encodes the target (leakage), and add it to data.drop"
                .to_string(),
        );
    }
    report.model = Some(ModelInfo {
        kind: plan.model.kind().name().to_string(),
        params: plan.model.params_json(),
        threshold: plan.threshold,
        features: artifact.preprocessor.input_names(),
        encoded_features: artifact.preprocessor.output_names(),
        sha256: model_sha,
    });
    report.metrics = Some(m);
    report.fairness = fair;
    report.latency = Some(latency);
    report.curves = Some(curves);
    report.timings_ms = timings.clone();
    let predictions = Predictions {
        row: sides.test_rows.iter().map(|&r| r as u64).collect(),
        y_true: sides.y_test.clone(),
        score: scores,
        y_pred,
        protected,
    };
    Ok(Run {
        report,
        artifact: Some(artifact),
        artifact_json: Some(artifact_json),
        predictions: Some(predictions),
    })
}

type ProtectedValues = Vec<(String, Vec<Option<String>>)>;

fn fairness_all(
    plan: &Plan,
    s: &Sides,
    y_pred: &[u8],
) -> (
    BTreeMap<String, fairness::AttributeFairness>,
    ProtectedValues,
) {
    let mut out = BTreeMap::new();
    let mut values = Vec::new();
    for attr in &plan.data.protected {
        let Some(col) = s.test_table.column(attr) else {
            continue;
        };
        let texts: Vec<Option<String>> = s.test_rows.iter().map(|&r| col.text(r)).collect();
        let mut names: Vec<String> = Vec::new();
        let codes: Vec<u32> = texts
            .iter()
            .map(|t| match t {
                None => crate::data::NULL_CODE,
                Some(v) => match names.iter().position(|n| n == v) {
                    Some(i) => i as u32,
                    None => {
                        names.push(v.clone());
                        (names.len() - 1) as u32
                    }
                },
            })
            .collect();
        out.insert(
            attr.clone(),
            fairness::compute(&codes, &names, &s.y_test, y_pred),
        );
        values.push((attr.clone(), texts));
    }
    (out, values)
}

fn measure_latency(a: &ModelArtifact, s: &Sides, score_secs: f64) -> (Latency, Vec<f64>) {
    let n = s.test_rows.len().min(1000);
    let raw: Vec<_> = s.test_rows[..n]
        .iter()
        .map(|&r| a.preprocessor.raw_row(s.test_table, r))
        .collect();
    let mut buf = vec![0.0; a.preprocessor.width()];
    let mut sink = 0.0;
    for i in 0..LATENCY_WARMUP {
        sink += a.score_raw_row(&raw[i % n], &mut buf);
    }
    let mut lat = Vec::with_capacity(LATENCY_CALLS);
    for i in 0..LATENCY_CALLS {
        let t = Instant::now();
        sink += a.score_raw_row(std::hint::black_box(&raw[i % n]), &mut buf);
        lat.push(t.elapsed().as_secs_f64() * 1e3);
    }
    std::hint::black_box(sink);
    lat.sort_by(f64::total_cmp);
    let pct = |p| gates::percentile(&lat, p).unwrap_or(0.0);
    let latency = Latency {
        p50_ms: pct(50.0),
        p95_ms: pct(95.0),
        p99_ms: pct(99.0),
        rows_per_sec: s.test_rows.len() as f64 / score_secs.max(1e-9),
        calls: LATENCY_CALLS as u64,
    };
    (latency, lat)
}

/// Drift per drift gate: its reference file, or the training split.
/// Drift per drift gate. An unreadable `reference` file is an error (exit
/// 2), as any other input file the config names.
fn drift_all(
    plan: &Plan,
    s: &Sides,
    a: &ModelArtifact,
) -> Result<BTreeMap<usize, Result<DriftReport, String>>, GateError> {
    let mut out = BTreeMap::new();
    let features = a.preprocessor.input_names();
    let current = drift::Rows::some(s.test_table, &s.test_rows);
    for (i, g) in plan.gates.iter().enumerate() {
        let GateSpec::Drift { reference, .. } = &g.spec else {
            continue;
        };
        let result = match reference {
            Some(path) => {
                let l = load::load(path).map_err(|e| {
                    GateError::Data(format!("drift gate {:?}: reference: {e}", g.name))
                })?;
                let label = path.display().to_string();
                Ok(drift::compute_rows(
                    drift::Rows::all(&l.table),
                    current,
                    &features,
                    &label,
                ))
            }
            None => Ok(drift::compute_rows(
                drift::Rows::some(s.train_table, &s.train_rows),
                current,
                &features,
                "training split",
            )),
        };
        out.insert(i, result);
    }
    Ok(out)
}

fn default_drift(s: &Sides, a: &ModelArtifact) -> Option<DriftReport> {
    let features = a.preprocessor.input_names();
    Some(drift::compute_rows(
        drift::Rows::some(s.train_table, &s.train_rows),
        drift::Rows::some(s.test_table, &s.test_rows),
        &features,
        "training split",
    ))
}

/// The champion re-scored on the candidate's test rows. A registry that
/// cannot be read is an error (exit 2), as `compare` and `promote` say too;
/// a champion that cannot score these rows is a finding (inconclusive).
/// Test rows matching a row the champion trained on but none the candidate
/// trained on: rows repeated in the data match either way and are no sign
/// that the champion saw this test set.
fn leaked_beyond_duplicates(champ: &ModelArtifact, candidate: &ModelArtifact, s: &Sides) -> u64 {
    let by_champ = champ.trained_on(s.test_table, &s.test_rows);
    if !by_champ.contains(&true) {
        return 0;
    }
    let by_candidate = candidate.trained_on(s.test_table, &s.test_rows);
    by_champ
        .iter()
        .zip(&by_candidate)
        .map(|(&c, &k)| u64::from(c && !k))
        .sum()
}

fn champion_eval(
    plan: &Plan,
    s: &Sides,
    candidate: &ModelArtifact,
    candidate_sha: &str,
) -> Result<ChampionEval, GateError> {
    let threshold = plan.threshold;
    if !plan
        .gates
        .iter()
        .any(|g| matches!(g.spec, GateSpec::Champion { .. }))
    {
        return Ok(ChampionEval::Missing);
    }
    let (version, champ, sha) = match crate::registry::load_champion(&plan.registry) {
        Ok(Some(c)) => c,
        Ok(None) => return Ok(ChampionEval::Missing),
        Err(e) => return Err(GateError::Data(format!("registry: {e:#}"))),
    };
    if champ.target != plan.data.target || !is_positive_text(&champ.positive, &plan.data.positive) {
        let reason = format!(
            "the champion predicts target {:?} = {:?}, this run target {:?} = {:?}: \
             their scores are not comparable",
            champ.target, champ.positive, plan.data.target, plan.data.positive
        );
        return Ok(ChampionEval::Unusable { version, reason });
    }
    let missing = champ.preprocessor.missing_columns(s.test_table);
    if !missing.is_empty() {
        let reason = format!(
            "the data no longer has column(s) the champion needs: {}",
            missing.join(", ")
        );
        return Ok(ChampionEval::Unusable { version, reason });
    }
    Ok(match champ.score_table(s.test_table, &s.test_rows) {
        Ok(scores) => ChampionEval::Scored {
            version,
            metrics: metrics::compute(&s.y_test, &scores, threshold),
            identical: sha == candidate_sha,
            leaked_rows: leaked_beyond_duplicates(&champ, candidate, s),
        },
        Err(reason) => ChampionEval::Unusable { version, reason },
    })
}

/// The recorded reason when `version` was promoted with `--force`.
fn forced_reason(plan: &Plan, version: &str) -> Option<String> {
    let index = crate::registry::read_index(&plan.registry).ok()?;
    let e = index
        .versions
        .into_iter()
        .find(|e| e.version == version && e.forced)?;
    Some(e.reason.unwrap_or_default())
}

fn champion_info(
    plan: &Plan,
    c: &ChampionEval,
    candidate: &metrics::Metrics,
) -> Option<ChampionInfo> {
    let Some(metric) = plan.gates.iter().find_map(|g| match &g.spec {
        GateSpec::Champion { metric, .. } => Some(metric.clone()),
        _ => None,
    }) else {
        // No champion gate: nothing is re-scored, but the key stays an object
        // (SPEC section 6) saying whether the registry has a champion.
        let champion = crate::registry::read_index(&plan.registry)
            .ok()
            .and_then(|i| i.champion);
        return Some(ChampionInfo {
            present: champion.is_some(),
            message: "not compared: gates.toml declares no champion gate".into(),
            version: champion,
            metric: String::new(),
            champion_value: None,
            candidate_value: None,
            delta: None,
            forced_reason: None,
        });
    };
    let mut info = ChampionInfo {
        present: false,
        version: None,
        champion_value: None,
        candidate_value: metrics::named(candidate, &metric),
        delta: None,
        message: "no champion in the registry".into(),
        forced_reason: None,
        metric,
    };
    let version = match c {
        ChampionEval::Missing => return Some(info),
        ChampionEval::Unusable { version, reason } => {
            info.message = reason.clone();
            version
        }
        ChampionEval::Scored {
            version,
            metrics: cm,
            identical,
            ..
        } => {
            info.champion_value = metrics::named(cm, &info.metric);
            info.delta = info
                .candidate_value
                .zip(info.champion_value)
                .map(|(a, b)| a - b);
            info.message = if *identical {
                "candidate and champion are byte-identical".into()
            } else {
                String::new()
            };
            version
        }
    };
    info.present = true;
    info.version = Some(version.clone());
    info.forced_reason = forced_reason(plan, version);
    if let Some(reason) = &info.forced_reason {
        let note = format!("champion {version} was promoted by force (reason: {reason})");
        info.message = if info.message.is_empty() {
            note
        } else {
            format!("{}; {note}", info.message)
        };
    }
    Some(info)
}
