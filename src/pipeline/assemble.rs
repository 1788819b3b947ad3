//! Stage 6, assemble: the report's frame (data, contract, lineage, notes)
//! and the pieces filled in as stages finish.
use super::champion::champion_info;
use super::evaluate::Evaluation;
use super::overlap::overlap_note;
use super::prepare::{missing_drop_notes, Prepared};
use super::rows::RowEvidence;
use super::run::TOOL_VERSION;
use super::run::{Predictions, Run, Timings};
use super::target::Sides;
use crate::config::Plan;
use crate::domain::ModelInfo;
use crate::domain::{
    ContractReport, DataInfo, GateResult, GateStatus, Lineage, Report, Verdict, SCHEMA_VERSION,
};
use crate::error::{EXIT_GO, EXIT_NO_GO};
use crate::gates::{self, Caveats, ChampionEval, Evidence, FewPredicted, Repeated};
use crate::model::scorer::Scorer;
use std::collections::BTreeMap;

pub fn base_report(plan: &Plan, command: &str, started_at: String, p: &Prepared) -> Report {
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
        test_set_sha256: None,
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
            .chain(backwards_bound_notes(plan))
            .collect(),
        model_card: plan.model_card.clone(),
        timings_ms: BTreeMap::new(),
        curves: None,
        intervals: None,
        importance: None,
    }
}

/// A metric gate bounded on one side only, the side that favours the
/// worse model: a `min` alone on a loss passes every model at least that
/// bad, and a `max` alone on a score fails every model better than it.
/// Allowed (a leakage tripwire is such a bound), but said, since it is
/// mostly `min` and `max` swapped.
fn backwards_bound_notes(plan: &Plan) -> impl Iterator<Item = String> + '_ {
    plan.gates.iter().filter_map(|g| {
        let gates::GateSpec::Metric(m) = &g.spec else {
            return None;
        };
        let higher = m.metric.higher_is_better();
        let (set, meant) = match (m.bound.min, m.bound.max) {
            (Some(_), None) if !higher => ("min", "max"),
            (None, Some(_)) if higher => ("max", "min"),
            _ => return None,
        };
        let direction = if higher { "higher" } else { "lower" };
        Some(format!(
            "gate {:?} (gates.toml line {}) sets only `{set}` on {}, where {direction} is \
             better: it passes worse models and fails better ones; unless that is meant (a \
             leakage tripwire), use `{meant}`",
            g.name,
            g.line,
            m.metric.name()
        ))
    })
}

pub fn lineage(plan: &Plan, data_sha256: &str, started_at: String) -> Lineage {
    Lineage {
        git: crate::lineage::git_info(&plan.config_dir),
        config_path: plan.config_path.display().to_string(),
        config_sha256: plan.config_sha256.clone(),
        data_sha256: data_sha256.to_string(),
        seed: plan.data.seed,
        started_at,
        tool_version: TOOL_VERSION.to_string(),
        ci: crate::lineage::ci_info(),
        registry: Some(crate::registry::identity(&plan.registry)),
        mlflow: None,
    }
}

/// Gates reported as skipped when the run stopped before evaluating them.
pub fn skipped_gates(plan: &Plan, why: &str) -> Vec<GateResult> {
    plan.gates
        .iter()
        .map(|g| GateResult {
            name: g.name.clone(),
            kind: g.kind().name().to_string(),
            status: GateStatus::Skipped,
            observed: None,
            threshold: None,
            severity: g.severity,
            message: why.to_string(),
            line: Some(g.line),
        })
        .collect()
}

/// What a run saves of its model: `model.json` (absent for scores), the
/// model's digest, and files copied beside it.
pub struct Saved {
    pub json: Option<String>,
    pub sha256: String,
    pub copies: Vec<(&'static str, std::path::PathBuf)>,
}

/// When the threshold puts all but a few test rows in one class, the gates
/// that judge the hard predictions (fairness, threshold metrics, a champion
/// gate on one) measure the threshold, not the model: a selection rate of 1
/// in every group passes any fairness bound. "A few" is what a class needs
/// under `min_test_rows` (a tenth of it, at least 10).
fn few_predicted(plan: &Plan, c: &crate::evaluate::metrics::Confusion) -> Option<FewPredicted> {
    let rows = c.tp + c.fp + c.tn + c.fn_;
    let needed = crate::gates::metric::class_minimum(plan.data.min_test_rows);
    let (positive, negative) = (c.tp + c.fp, c.tn + c.fn_);
    let (class, count) = if positive <= negative {
        ("positive", positive)
    } else {
        ("negative", negative)
    };
    (rows > 0 && count < needed).then_some(FewPredicted {
        class,
        count,
        rows,
        needed,
        threshold: plan.threshold,
    })
}

/// Fewer training rows than this get a note.
const TRAIN_ROWS_NOTE: u64 = 100;

/// Scores made elsewhere or by an ONNX model that leave [0, 1] under the
/// default threshold: logits, a decision function, a 0-100 score, cut at
/// 0.5 by no one's choice.
fn raw_scores(plan: &Plan, scores: &[f64]) -> Option<(f64, f64)> {
    use crate::model::ModelSpec;
    let external = matches!(plan.model, ModelSpec::Onnx(_) | ModelSpec::Scores(_));
    if plan.threshold_set || !external {
        return None;
    }
    let finite = scores.iter().copied().filter(|s| s.is_finite());
    let lo = finite.clone().fold(f64::INFINITY, f64::min);
    let hi = finite.fold(f64::NEG_INFINITY, f64::max);
    // Probabilities one rounding step outside [0, 1] are still probabilities.
    const SLACK: f64 = 1e-9;
    (lo < -SLACK || hi > 1.0 + SLACK).then_some((lo, hi))
}

/// A test ROC AUC from which on the run gets a leakage note: real data
/// rarely ranks this well, a column that encodes the label does.
pub const NEAR_PERFECT_AUC: f64 = 0.999;

/// When one input carries most of the importance of a model that ranks
/// the test rows nearly perfectly: a note naming it, the likeliest leak.
pub fn dominant_feature_note(report: &Report) -> Option<String> {
    let auc = report.metrics.as_ref()?.roc_auc?;
    let importance = report.importance.as_ref()?;
    let total: f64 = importance.features.values().sum();
    let top = importance.ranked.first()?;
    let share = importance.features.get(top)? / total;
    (auc >= DOMINANT_AUC && total > 0.0 && share >= DOMINANT_SHARE).then(|| {
        format!(
            "{top:?} carries {:.0}% of the model's importance and the test ROC AUC is \
             {auc:.4}: if it is a row id, a timestamp or an outcome recorded after the fact, \
             it leaks the label (add it to data.drop)",
            100.0 * share
        )
    })
}

/// The test ROC AUC and importance share of one input from which on
/// [`dominant_feature_note`] names it.
const DOMINANT_AUC: f64 = 0.98;
const DOMINANT_SHARE: f64 = 0.8;

/// The finished report of a `check`: the gates decided over the evidence,
/// and everything measured filled in.
pub fn finish(
    plan: &Plan,
    mut report: Report,
    sides: Sides,
    (scorer, saved): (&dyn Scorer, Saved),
    ev: Evaluation,
    champion: ChampionEval,
    timings: &Timings,
) -> Run {
    let Saved {
        json: artifact_json,
        sha256: model_sha,
        copies,
    } = saved;
    let timings = timings.clone();
    let RowEvidence {
        overlap,
        repeated,
        label_feature,
        distinct,
        test_digest,
    } = ev.rows;
    let evidence_raw = raw_scores(plan, &ev.scores);
    let evidence = Evidence {
        metrics: &ev.metrics,
        fairness: &ev.fairness,
        latencies_ms: &ev.latencies_ms,
        champion: &champion,
        drift: &ev.drift_by_gate,
        min_test_rows: plan.data.min_test_rows,
        distinct,
        intervals: ev.intervals.as_ref(),
        caveats: Caveats {
            overlap: overlap.clone(),
            few_predicted: few_predicted(plan, &ev.metrics.confusion),
            raw_scores: evidence_raw,
            repeated: repeated.clone(),
            // Said missing at random: a note only.
            unlabelled: (plan.contract.target_nullable != Some(true)).then_some(sides.unlabelled),
            label_feature,
        },
    };
    report.gates = gates::evaluate(&plan.gates, &evidence);
    report.verdict = gates::verdict(&report.gates);
    report.exit_code = if report.verdict == Verdict::Go {
        EXIT_GO
    } else {
        EXIT_NO_GO
    };
    report.champion = champion_info(plan, &champion, &ev.metrics);
    for d in ev.drift_by_gate.values().flatten() {
        if let Some(note) = &d.note {
            let note = format!("drift reference {}: {note}", d.reference);
            if !report.notes.contains(&note) {
                report.notes.push(note);
            }
        }
    }
    report.drift = ev.drift;
    report.notes.extend(scorer.notes());
    // The champion is held to data it can read; the model itself is
    // judged on what it is given, with a word when that is not data like
    // its training rows (round 19, F4: categories re-cased, cents).
    if let Some(why) = scorer.unfamiliar(sides.test_table, &sides.test_rows) {
        report.notes.push(format!(
            "the test rows are not data like this model's training rows: {why}; its metrics \
             are measured on values it never learned"
        ));
    }
    if let Some((lo, hi)) = evidence_raw {
        report.notes.push(format!(
            "the model's scores lie in [{lo}, {hi}]: raw scores (a decision function or a \
             regressor), not probabilities; log_loss and brier are undefined, and gates on \
             the hard predictions wait for [model] threshold (0 for a decision function)"
        ));
    }
    report
        .notes
        .extend(overlap.as_ref().and_then(|o| overlap_note(plan, o)));
    if let Some(r) = repeated.filter(Repeated::beyond_chance) {
        let file = plan.data.test_path.as_ref().unwrap_or(&plan.data.path);
        let nudged = match &r.varied {
            Some(what) => format!(" but {what}"),
            None => String::new(),
        };
        report.notes.push(format!(
            "{}: {} of {} test rows share their row (features, target and protected \
             attributes{nudged}) with another test row, {} distinct, and they repeat as copies \
             do (many rows exactly as often): copies of a row count as evidence more than \
             once, so the gates judged on the test rows are inconclusive; deduplicate the test \
             rows",
            file.display(),
            r.repeated,
            r.rows,
            r.distinct,
        ));
    }
    // A champion gate against a registry that is not there passes (or
    // fails) on "no champion": say whether that is a first run or a typo.
    let champion_gate = plan
        .gates
        .iter()
        .any(|g| matches!(g.spec, gates::GateSpec::Champion(_)));
    if champion_gate && matches!(champion, ChampionEval::Missing) && !plan.registry.exists() {
        report.notes.push(format!(
            "the registry {} does not exist, so there is no champion to compare with: \
             expected before the first promotion; otherwise check [registry] path",
            plan.registry.display()
        ));
    }
    // A model trained here on a handful of rows (test_fraction near 1):
    // whatever the gates say, say how little it learned from.
    let trained = plan.model.kind().trains() && !sides.train_rows.is_empty();
    if trained && (sides.train_rows.len() as u64) < TRAIN_ROWS_NOTE {
        report.notes.push(format!(
            "the model was trained on only {} rows (fewer than {TRAIN_ROWS_NOTE}): lower \
             test_fraction or add data",
            sides.train_rows.len()
        ));
    }
    // A feature empty in every test row is scored as missing throughout:
    // the metrics are the model's without it (round 17, F5; `predict`
    // warns the same).
    let empty: Vec<String> = scorer
        .input_columns()
        .into_iter()
        .filter(|name| {
            let null_in = |t: &crate::data::Table, rows: &[usize]| {
                t.column(name)
                    .is_some_and(|c| !rows.is_empty() && rows.iter().all(|&r| c.is_null(r)))
            };
            null_in(sides.test_table, &sides.test_rows)
                && !null_in(sides.train_table, &sides.train_rows)
        })
        .collect();
    if !empty.is_empty() {
        report.notes.push(format!(
            "feature column(s) {} are empty in every test row: the model scores them as \
             missing on every row, so the metrics are the model's without them",
            empty
                .iter()
                .map(|c| format!("{c:?}"))
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    if let [first, rest @ ..] = ev.scores.as_slice() {
        if rest.iter().all(|s| s.to_bits() == first.to_bits()) && !rest.is_empty() {
            // Nothing the gates say about ranking means anything then.
            report.notes.push(format!(
                "the model gives every test row the same score ({first}): it learned \
                 nothing from the features (for gradient boosting, check learning_rate, \
                 l2 and subsample)"
            ));
        }
    }
    if let Some(auc) = ev.metrics.roc_auc.filter(|&a| a >= NEAR_PERFECT_AUC) {
        // Real-world targets are rarely separated (nearly) perfectly:
        // usually a column that is the label in disguise (an outcome
        // recorded after the fact, a row id of a file sorted by label).
        let how = if auc == 1.0 {
            "exactly 1.0".to_string()
        } else {
            // Never "1.0000" for an AUC short of 1.
            format!("{:.4}", auc.min(0.9999))
        };
        report.notes.push(format!(
            "ROC AUC is {how} on the test set: check the features for one that \
             encodes the target (leakage), and add it to data.drop"
        ));
    }
    report.model = Some(ModelInfo {
        kind: plan.model.kind().name().to_string(),
        params: plan.model.params_json(),
        threshold: plan.threshold,
        features: scorer.input_columns(),
        encoded_features: scorer.encoded_columns(),
        sha256: model_sha,
    });
    report.metrics = Some(ev.metrics);
    report.fairness = ev.fairness;
    // Nothing runs per row for scores made elsewhere: no latency to show.
    report.latency = (ev.latency.calls > 0).then_some(ev.latency);
    report.curves = Some(ev.curves);
    if let Some(iv) = &ev.intervals {
        for (attr, per) in &iv.fairness {
            if let Some(f) = report.fairness.get_mut(attr) {
                for (metric, v) in per {
                    f.ends.insert(format!("{metric}_low"), v.low);
                    f.ends.insert(format!("{metric}_high"), v.high);
                }
            }
        }
    }
    report.intervals = ev.intervals;
    report.data.test_set_sha256 = Some(test_digest);
    report.timings_ms = timings;
    let champion_score = match champion {
        ChampionEval::Scored { scores, .. } => Some(scores),
        _ => None,
    };
    let predictions = Predictions {
        // The test rows' own memory, taken over (usize and u64 are one size).
        row: sides.test_rows.into_iter().map(|r| r as u64).collect(),
        y_true: sides.y_test,
        score: ev.scores,
        y_pred: ev.y_pred,
        champion_score,
        protected: ev.protected,
    };
    if predictions.as_parquet() {
        report.notes.push(format!(
            "{} evaluation rows: the per-row predictions are in predictions.parquet (same \
             columns as predictions.csv), not predictions.csv",
            predictions.row.len()
        ));
    }
    Run {
        report,
        artifact_json,
        predictions: Some(predictions),
        copies,
    }
}
