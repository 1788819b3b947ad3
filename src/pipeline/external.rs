//! `check` for models made elsewhere (`onnx`, `scores`): nothing is split
//! or trained; every labelled row of `[data] path` is an evaluation row.
use super::assemble::{self, Saved};
use super::champion;
use super::evaluate;
use super::prepare::Prepared;
use super::run::{timed, Progress, Run, Stage, Timings};
use super::target::{self, Sides};
use crate::config::Plan;
use crate::domain::Report;
use crate::error::GateError;
use crate::evaluate::metrics;
use crate::gates::ChampionEval;
use crate::model::onnx::{scorer::OnnxScorer, OnnxOptions};
use crate::model::scores::ScoreColumn;
use crate::model::{ModelSpec, OnnxSpec, ScoresSpec};
use crate::saved::{OnnxArtifact, ONNX_FILE, ONNX_FORMAT};

/// Every labelled row as the test side; no training side.
fn evaluation_sides<'a>(
    plan: &Plan,
    p: &'a Prepared,
    report: &mut Report,
) -> Result<Sides<'a>, GateError> {
    let (main, _) = target::labelled(plan, p, report)?;
    report.data.train_rows = 0;
    report.data.test_rows = main.rows.len() as u64;
    report.data.train_positives = 0;
    report.data.test_positives = main.y.iter().map(|&v| u64::from(v)).sum();
    Ok(Sides {
        train_table: &p.main.table,
        train_rows: Vec::new(),
        y_train: Vec::new(),
        test_table: &p.main.table,
        test_rows: main.rows,
        y_test: main.y,
        test_sha256: &p.main.sha256,
        unlabelled: crate::gates::Unlabelled {
            dropped: main.dropped,
            rows: p.main.table.n_rows as u64,
        },
    })
}

/// The default inputs of a one-tensor ONNX model: the data's columns less
/// target, drop and protected, in file order.
fn default_inputs(plan: &Plan, p: &Prepared) -> Vec<String> {
    p.main
        .table
        .columns
        .iter()
        .map(|c| c.name.clone())
        .filter(|n| {
            *n != plan.data.target
                && !plan.data.drop.contains(n)
                && !plan.data.protected.contains(n)
        })
        .collect()
}

fn onnx_scorer(
    plan: &Plan,
    spec: &OnnxSpec,
    p: &Prepared,
) -> Result<(OnnxScorer, OnnxArtifact), GateError> {
    let inputs = spec
        .inputs
        .clone()
        .unwrap_or_else(|| default_inputs(plan, p));
    let opts = OnnxOptions {
        output: spec.output.clone(),
        positive: vec![plan.data.positive.clone()],
        positive_index: spec.positive_index,
        batch_rows: 4096,
    };
    let scorer = OnnxScorer::load(
        &spec.path,
        &opts,
        inputs.clone(),
        plan.threshold,
        &plan.data.target,
        &plan.data.positive,
    )
    .map_err(|e| GateError::Config(e.to_string()))?;
    let saved = OnnxArtifact {
        format: ONNX_FORMAT.to_string(),
        format_version: 1,
        file: ONNX_FILE.to_string(),
        sha256: scorer.model().sha256().to_string(),
        inputs,
        output: spec.output.clone(),
        positive_index: spec.positive_index,
        threshold: plan.threshold,
        target: plan.data.target.clone(),
        positive: plan.data.positive.clone(),
    };
    Ok((scorer, saved))
}

/// The champion's scores from `champion_score`, on the same rows.
fn column_champion(plan: &Plan, spec: &ScoresSpec, s: &Sides, cand: &[f64]) -> ChampionEval {
    let Some(col) = &spec.champion_score else {
        return ChampionEval::Unusable {
            version: "champion_score".into(),
            reason: "kind = \"scores\" compares with a champion through `champion_score = \"COLUMN\"` in [model], which is not set".into(),
        };
    };
    // The champion's column is cut at its own threshold: a probability
    // column beside a raw-margin candidate (threshold 0) needs 0.5.
    let champ_threshold = spec.champion_threshold.unwrap_or(plan.threshold);
    let champ = ScoreColumn {
        column: col.clone(),
        features: Vec::new(),
        threshold: champ_threshold,
        target: plan.data.target.clone(),
        positive: plan.data.positive.clone(),
    };
    // One column of probabilities beside one of margins cannot share a
    // threshold: without champion_threshold, say so instead of comparing.
    let scale = |v: &[f64]| v.iter().any(|x| x.is_finite() && !(0.0..=1.0).contains(x));
    match champ.values(s.test_table, &s.test_rows) {
        Err(reason) => ChampionEval::Unusable {
            version: format!("column {col}"),
            reason,
        },
        // One value in every row is no model's scores: a join to the last
        // release's predictions that matched nothing, filled with 0 (round
        // 20, F3). Beating it says nothing.
        Ok(scores) if scores.windows(2).all(|w| w[0].to_bits() == w[1].to_bits()) => {
            ChampionEval::Unusable {
                version: format!("column {col}"),
                reason: format!(
                    "`{col}` holds one value ({}) in every row: no model's scores (a join to the \
                     champion's predictions that matched nothing?), so beating it is no comparison",
                    scores.first().copied().unwrap_or(f64::NAN)
                ),
            }
        }
        Ok(scores) if spec.champion_threshold.is_none() && scale(&scores) != scale(cand) => {
            ChampionEval::Unusable {
                version: format!("column {col}"),
                reason: format!(
                    "`{}` and `{col}` are on different scales (one holds values outside [0, 1], \
                     the other does not), so one threshold cannot cut both; set [model] \
                     champion_threshold to the champion column's own threshold",
                    spec.score
                ),
            }
        }
        Ok(scores) => {
            let paired = champion::paired_tests(
                plan,
                &s.y_test,
                (cand, plan.threshold),
                (&scores, champ_threshold),
            );
            ChampionEval::Scored {
                version: format!("column {col}"),
                sha256: String::new(),
                metrics: metrics::compute(&s.y_test, &scores, champ_threshold),
                identical: false,
                scores,
                paired,
                unseen: None,
            }
        }
    }
}

pub fn check(
    plan: &Plan,
    prepared: &Prepared,
    mut report: Report,
    mut timings: Timings,
    progress: Progress,
) -> Result<Run, GateError> {
    let sides = timed(&mut timings, Stage::Split, || {
        evaluation_sides(plan, prepared, &mut report)
    })?;
    if sides.test_rows.is_empty() {
        return Err(GateError::Data(format!(
            "{}: no labelled row to evaluate",
            plan.data.path.display()
        )));
    }
    match &plan.model {
        ModelSpec::Onnx(spec) => {
            let (scorer, artifact) = onnx_scorer(plan, spec, prepared)?;
            let ev = evaluate::evaluate(plan, &sides, &scorer, &mut timings, progress)?;
            let json = serde_json::to_string_pretty(&artifact)
                .map_err(|e| GateError::Data(format!("cannot serialize model: {e}")))?;
            let sha = crate::config::sha256_hex(json.as_bytes());
            let champ = timed(&mut timings, Stage::Champion, || {
                champion::champion_eval(plan, &sides, &scorer, &sha, &ev.scores)
            })?;
            let saved = Saved {
                json: Some(json),
                sha256: sha,
                copies: vec![(ONNX_FILE, spec.path.clone())],
            };
            Ok(assemble::finish(
                plan,
                report,
                &sides,
                (&scorer, saved),
                ev,
                champ,
                &timings,
            ))
        }
        ModelSpec::Scores(spec) => {
            let mut features = default_inputs(plan, prepared);
            features.retain(|c| *c != spec.score && Some(c) != spec.champion_score.as_ref());
            let scorer = ScoreColumn {
                column: spec.score.clone(),
                features,
                threshold: plan.threshold,
                target: plan.data.target.clone(),
                positive: plan.data.positive.clone(),
            };
            let ev = evaluate::evaluate(plan, &sides, &scorer, &mut timings, progress)?;
            let champ = timed(&mut timings, Stage::Champion, || {
                column_champion(plan, spec, &sides, &ev.scores)
            });
            // Scores made elsewhere: the digest of what was gated is the data's.
            let saved = Saved {
                json: None,
                sha256: prepared.main.sha256.clone(),
                copies: Vec::new(),
            };
            Ok(assemble::finish(
                plan,
                report,
                &sides,
                (&scorer, saved),
                ev,
                champ,
                &timings,
            ))
        }
        _ => Err(GateError::Data(
            "internal: a trained kind reached the external path".into(),
        )),
    }
}
