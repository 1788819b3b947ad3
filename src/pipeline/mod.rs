//! `check` and `validate`: the whole gate as one pipeline over a resolved
//! [`Plan`]. Returns the run as a [`Report`](crate::domain::Report) plus
//! what the artifacts need; nothing here prints (progress goes through an
//! [`Observer`]).
//!
//! One file per stage, run in this order: `prepare` (load + columns +
//! contract), `target` (labels, classes, split, features), `train`,
//! `evaluate` (scores, metrics, fairness, latency, curves, drift),
//! `importance` (mean |contribution| per input),
//! `champion` (re-scored on the same rows), `assemble` (gates decided,
//! report filled in). The stages see the model only through
//! [`Scorer`](crate::model::scorer::Scorer).
mod assemble;
mod champion;
mod evaluate;
mod external;
mod importance;
mod intervals;
mod overlap;
mod prepare;
mod rows;
mod run;
mod target;
mod train;

#[cfg(test)]
mod tests;

pub use run::{
    add_time, drop_aside, Observer, Predictions, Progress, Quiet, Run, Stage, Timings, TOOL_VERSION,
};

use crate::config::Plan;
use crate::error::GateError;
use run::timed;
use std::collections::BTreeMap;

/// `release-gate validate`: load + data contract only.
pub fn validate(plan: &Plan, progress: Progress) -> Result<Run, GateError> {
    let started = crate::lineage::now_rfc3339();
    let mut timings = BTreeMap::new();
    let p = prepare::prepare(plan, &[], &mut timings, progress)?;
    let mut report = assemble::base_report(plan, "validate", started, &p);
    report.data.dropped_null_target = target::null_targets(plan, &p);
    if p.violations.is_empty() {
        // The target must be usable too: a pre-push `validate` would
        // otherwise pass data that `check` then refuses. So must the
        // scores of `kind = "scores"` (round 50: NaN and inf passed here).
        let (main, _) = target::labelled(plan, &p, &mut report)?;
        external::readable_scores(plan, &p, &main.rows)?;
    }
    report.timings_ms = timings;
    Ok(Run::report_only(report))
}

/// `release-gate check`: the whole gate.
pub fn check(plan: &Plan, progress: Progress) -> Result<Run, GateError> {
    let started = crate::lineage::now_rfc3339();
    let mut timings = BTreeMap::new();
    // An ONNX model is opened first: its string inputs are read as text,
    // so codes such as `007` reach it as written (round 43, F3).
    let onnx = external::open_onnx(plan)?;
    let text = onnx.as_ref().map(|m| m.text_inputs()).unwrap_or_default();
    let prepared = prepare::prepare(plan, &text, &mut timings, progress)?;
    let mut report = assemble::base_report(plan, "check", started, &prepared);
    if !prepared.violations.is_empty() {
        report.data.dropped_null_target = target::null_targets(plan, &prepared);
        report.gates =
            assemble::skipped_gates(plan, "not evaluated: the data contract was violated");
        report.timings_ms = timings;
        return Ok(Run::report_only(report));
    }
    if !plan.model.kind().trains() {
        let run = external::check(plan, &prepared, onnx, report, timings, progress);
        drop_aside(prepared);
        return run;
    }
    let (sides, features) = timed(&mut timings, Stage::Split, || {
        target::sides_and_features(plan, &prepared, &mut report)
    })?;
    let (artifact, fit_notes) = train::train(
        plan,
        &prepared.main.sha256,
        &sides,
        &features,
        &mut timings,
        progress,
    )?;
    report.notes.extend(fit_notes);
    let evaluation = evaluate::evaluate(plan, &sides, &artifact, &mut timings, progress)?;
    let (importance, note) = timed(&mut timings, Stage::Explain, || {
        importance::importance(&artifact, &sides, plan.data.seed)
    });
    report.notes.extend(note);
    let (artifact_json, model_sha) = timed(&mut timings, Stage::Report, || {
        let json = artifact.to_json()?;
        let sha = crate::config::sha256_hex(json.as_bytes());
        Ok::<_, anyhow::Error>((json, sha))
    })
    .map_err(|e| GateError::Data(format!("cannot serialize model: {e}")))?;
    let champion = timed(&mut timings, Stage::Champion, || {
        champion::champion_eval(plan, &sides, &artifact, &model_sha, &evaluation.scores)
    })?;
    let saved = assemble::Saved {
        json: Some(artifact_json),
        sha256: model_sha,
        copies: Vec::new(),
    };
    let mut run = assemble::finish(
        plan,
        report,
        sides,
        (&artifact, saved),
        evaluation,
        champion,
        &timings,
    );
    run.report.importance = importance;
    run.report
        .notes
        .extend(assemble::dominant_feature_note(&run.report));
    drop_aside(prepared);
    Ok(run)
}
