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
use crate::model::onnx::{scorer::OnnxScorer, OnnxModel, OnnxOptions};
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

/// The ONNX model of `[model] kind = "onnx"`, loaded before the data
/// (its string inputs are read as text); `None` for other kinds.
pub fn open_onnx(plan: &Plan) -> Result<Option<OnnxModel>, GateError> {
    let ModelSpec::Onnx(spec) = &plan.model else {
        return Ok(None);
    };
    let opts = OnnxOptions {
        output: spec.output.clone(),
        positive: vec![plan.data.positive.clone()],
        positive_index: spec.positive_index,
        batch_rows: 4096,
    };
    let model = OnnxModel::load(&spec.path, &opts).map_err(|e| GateError::Config(e.to_string()))?;
    // A model fed by name reads what it reads: said before anything runs,
    // as `[model] inputs` naming such a column is (round 47, F2).
    for c in model.input_columns().unwrap_or_default() {
        let why = if plan.data.drop.contains(&c) {
            "[data] drop lists it; take it out of drop if the model is meant to read it".to_string()
        } else if plan.data.protected.contains(&c) && !plan.data.use_protected {
            "it is protected and [data] use_protected = false keeps protected columns away from \
             the model; set use_protected = true if the model is meant to read it"
                .to_string()
        } else {
            continue;
        };
        return Err(GateError::Config(format!(
            "{}: the model reads column {c:?} by name, but {why}",
            spec.path.display()
        )));
    }
    Ok(Some(model))
}

fn onnx_scorer(
    plan: &Plan,
    spec: &OnnxSpec,
    model: OnnxModel,
    p: &Prepared,
) -> Result<(OnnxScorer, OnnxArtifact), GateError> {
    let inputs = spec
        .inputs
        .clone()
        .unwrap_or_else(|| default_inputs(plan, p));
    let scorer = OnnxScorer::new(
        model,
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

/// Share of the rows one champion score must hold to be judged filler.
const FILLER_SHARE: f64 = 0.3;
/// Rows whose commonest value is taken as the candidate filler.
const FILLER_SAMPLE: usize = 100_000;
/// Fewest rows at that value, and beside it, for the judgement.
const FILLER_ROWS: usize = 30;
/// How far a probability must be from the positive rate of its rows to
/// say nothing of them.
const FILLER_MISS: f64 = 0.15;

/// `(value, rows, positive rate)` when one value of `scores` (all
/// probabilities) holds at least [`FILLER_SHARE`] of the rows, its rows'
/// positive rate lies [`FILLER_MISS`] or more from it, and that rate is the
/// other rows' rate (within three standard errors and two points): the
/// value says nothing of its rows, which are like the rest. A fill for
/// rows a join did not match (round 20, F3: 70% zeros). A model's own
/// plateau (a pure leaf at 0 over rows with no positives, a big leaf at
/// the base rate) is calibrated on its rows, or unlike the rest.
fn filler(scores: &[f64], y: &[u8]) -> Option<(f64, usize, f64)> {
    if scores.len() != y.len() || scores.iter().any(|v| !(0.0..=1.0).contains(v)) {
        return None;
    }
    // The commonest value of a spread of 100,000 rows (a value on 30% of
    // the rows leads such a sample unless another is about as common;
    // counting every distinct value of 20M scores would hold them all),
    // then its rows counted over all of them.
    let n = scores.len();
    let k = n.min(FILLER_SAMPLE);
    let mut sample: Vec<u64> = (0..k)
        .map(|i| scores[crate::domain::pick::spread_index(i, n, k)].to_bits())
        .collect();
    sample.sort_unstable();
    let bits = sample
        .chunk_by(|a, b| a == b)
        .max_by(|a, b| a.len().cmp(&b.len()).then(b[0].cmp(&a[0])))?[0];
    let rows = scores.iter().filter(|v| v.to_bits() == bits).count();
    let others = n - rows;
    if (rows as f64) < FILLER_SHARE * n as f64 || rows < FILLER_ROWS || others < FILLER_ROWS {
        return None;
    }
    let value = f64::from_bits(bits);
    let (mut at, mut rest) = (0usize, 0usize);
    for (v, &label) in scores.iter().zip(y) {
        if label == 1 {
            if v.to_bits() == bits {
                at += 1;
            } else {
                rest += 1;
            }
        }
    }
    let rate = at as f64 / rows as f64;
    let other = rest as f64 / others as f64;
    let pooled = (at + rest) as f64 / scores.len() as f64;
    let se = (pooled * (1.0 - pooled) * (1.0 / rows as f64 + 1.0 / others as f64)).sqrt();
    let alike = (rate - other).abs() <= 3.0 * se + 0.02;
    ((value - rate).abs() >= FILLER_MISS && alike).then_some((value, rows, rate))
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
    let champ = score_column(plan, col, champ_threshold, Vec::new());
    // One column of probabilities beside one of margins cannot share a
    // threshold: without champion_threshold, say so instead of comparing.
    let scale = |v: &[f64]| v.iter().any(|x| x.is_finite() && !(0.0..=1.0).contains(x));
    let values = champ.values(s.test_table, &s.test_rows);
    // Most rows filled with one value the labels of those rows belie (a
    // join that matched few rows, the rest filled with 0).
    if let Some((value, rows, rate)) = values
        .as_ref()
        .ok()
        .and_then(|scores| filler(scores, &s.y_test))
    {
        return ChampionEval::Unusable {
            version: format!("column {col}"),
            reason: format!(
                "`{col}` holds {value} in {rows} of {} rows, whose positive rate is {:.1}% as \
                 in the other rows: filler where the champion's predictions are missing (a join \
                 that matched few rows?), so beating it is no comparison",
                s.test_rows.len(),
                100.0 * rate
            ),
        };
    }
    match values {
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
        Ok(scores) => {
            // Only a gate on the hard predictions cuts the columns (round
            // 30, F2: ROC AUC of margins against probabilities is a
            // comparison); it alone is inconclusive (round 45, F1).
            let uncut =
                (spec.champion_threshold.is_none() && scale(&scores) != scale(cand)).then(|| {
                    format!(
                        "`{}` and `{col}` are on different scales (one holds values outside \
                         [0, 1], the other does not)",
                        spec.score
                    )
                });
            let mut paired = champion::paired_tests(
                plan,
                &s.y_test,
                (cand, plan.threshold),
                (&scores, champ_threshold),
            );
            if uncut.is_some() {
                paired.retain(|name, _| {
                    crate::domain::Metric::parse(name)
                        .is_some_and(crate::gates::compares_across_scales)
                });
            }
            ChampionEval::Scored {
                version: format!("column {col}"),
                sha256: String::new(),
                metrics: metrics::compute(&s.y_test, &scores, champ_threshold),
                identical: false,
                scores,
                paired,
                unseen: None,
                uncut,
            }
        }
    }
}

/// A score column of the data, cut at `threshold`, with the plan's labels.
fn score_column(plan: &Plan, column: &str, threshold: f64, features: Vec<String>) -> ScoreColumn {
    ScoreColumn {
        column: column.to_string(),
        features,
        threshold,
        target: plan.data.target.clone(),
        positive: plan.data.positive.clone(),
    }
}

/// The candidate's scores of `kind = "scores"` at `rows` as `check` reads
/// them: a missing or text column, or a missing or non-finite score, is
/// the error `check` gives. Other kinds: nothing to read.
pub fn readable_scores(plan: &Plan, p: &Prepared, rows: &[usize]) -> Result<(), GateError> {
    let ModelSpec::Scores(spec) = &plan.model else {
        return Ok(());
    };
    score_column(plan, &spec.score, plan.threshold, Vec::new())
        .check(&p.main.table, rows)
        .map_err(GateError::Data)
}

/// `onnx`: the model of `kind = "onnx"`, from [`open_onnx`].
pub fn check(
    plan: &Plan,
    prepared: &Prepared,
    onnx: Option<OnnxModel>,
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
            let model = match onnx {
                Some(model) => model,
                None => open_onnx(plan)?
                    .ok_or_else(|| GateError::Run("kind = \"onnx\" without a model".into()))?,
            };
            let (scorer, artifact) = onnx_scorer(plan, spec, model, prepared)?;
            // Numbers of a string input where two of its encoder's
            // categories spell one value (`10`, `10.0`): said, as for a
            // Parquet test file beside a training CSV.
            let data = plan.data.path.display().to_string();
            for twins in scorer.twins(&prepared.main.table) {
                report
                    .notes
                    .push(twins.note(&data, "the model's encoder knows"));
            }
            // Numbers for a string input whose categories the graph does
            // not show (text normalized first): fed as they print.
            for name in scorer.unspelled(&prepared.main.table) {
                report.notes.push(format!(
                    "{data}: column {name:?} holds numbers where the model reads text, and \
                     the categories it knows cannot be seen in its graph: it is fed them as \
                     they print (`7`, where it may have learned `007`); give the data as CSV \
                     to feed it the written text"
                ));
            }
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
                sides,
                (&scorer, saved),
                ev,
                champ,
                &timings,
            ))
        }
        ModelSpec::Scores(spec) => {
            let mut features = default_inputs(plan, prepared);
            features.retain(|c| *c != spec.score && Some(c) != spec.champion_score.as_ref());
            let scorer = score_column(plan, &spec.score, plan.threshold, features);
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
                sides,
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

#[cfg(test)]
mod tests {
    use super::filler;

    /// 100 rows: the first `at` hold `value` (every third positive, as
    /// the rest), the others spread scores (every third positive).
    fn column(at: usize, value: f64, at_positive: fn(usize) -> bool) -> (Vec<f64>, Vec<u8>) {
        (0..100)
            .map(|i| {
                if i < at {
                    (value, u8::from(at_positive(i)))
                } else {
                    (0.2 + 0.006 * i as f64, u8::from(i % 3 == 0))
                }
            })
            .unzip()
    }

    #[test]
    fn filler_is_a_common_value_its_rows_belie() {
        // 70 zeros over rows like the rest: filler.
        let (s, y) = column(70, 0.0, |i| i % 3 == 0);
        let (value, rows, rate) = filler(&s, &y).unwrap();
        assert_eq!((value, rows), (0.0, 70));
        assert!((rate - 24.0 / 70.0).abs() < 1e-12);
        // A pure leaf at 0 over rows with no positive: the model's own.
        let (s, y) = column(70, 0.0, |_| false);
        assert_eq!(filler(&s, &y), None);
        // A big leaf at its rows' positive rate: calibrated, not filler.
        let (s, y) = column(70, 0.34, |i| i % 3 == 0);
        assert_eq!(filler(&s, &y), None);
        // Too few rows at the value, or raw margins: not judged.
        let (s, y) = column(20, 0.0, |i| i % 3 == 0);
        assert_eq!(filler(&s, &y), None);
        let (mut s, y) = column(70, 0.0, |i| i % 3 == 0);
        s[99] = 3.5;
        assert_eq!(filler(&s, &y), None);
    }
}
