//! `release-gate predict`: scores new rows with a saved model (a run
//! directory, the registry's champion or a version), through the saved
//! preprocessing, streaming the CSV in chunks of rows so a large file never
//! holds two copies of its rows.
//!
//! Output: `row,score,y_pred`, and with `--explain` one `contrib_<feature>`
//! per input feature plus `contrib_base` (see [`crate::explain`]).
use crate::artifact::ModelArtifact;
use crate::data::table::write_shortest;
use crate::data::{DType, Table, Values, NULL_CODE};
use crate::error::GateError;
use crate::explain::Explainer;
use crate::features::FeatureSpec;
use crate::model::scorer::Scorer;
use crate::registry::{self, MODEL_FILE};
use rayon::prelude::*;
use std::fmt::Write as _;
use std::io::Write;
use std::path::{Path, PathBuf};

/// Rows transformed, scored and written per chunk.
pub const CHUNK_ROWS: usize = 8192;
/// Rows per chunk with `--explain`: a chunk feeds several blocks per thread.
const EXPLAIN_CHUNK_ROWS: usize = 8 * EXPLAIN_BLOCK;
/// Rows one thread explains together.
const EXPLAIN_BLOCK: usize = crate::model::gbm::EXPLAIN_BLOCK;

/// A loaded model: one trained here (which can explain) or any scorer.
pub enum Loaded {
    Native(Box<ModelArtifact>),
    Other(Box<dyn Scorer>),
}

impl Loaded {
    fn scorer(&self) -> &dyn Scorer {
        match self {
            Loaded::Native(a) => a.as_ref(),
            Loaded::Other(s) => s.as_ref(),
        }
    }
}

/// Where `model` (a run dir, `champion` or `vNNNN`) keeps its `model.json`,
/// after checking that file is the one recorded (by the run's `report.json`
/// or the registry's index): an edited model is refused.
pub fn resolve_model(model: &str, registry: &Path) -> anyhow::Result<PathBuf> {
    let dir = Path::new(model);
    if dir.join("report.json").is_file() {
        let path = dir.join(MODEL_FILE);
        if !path.is_file() {
            return Err(GateError::Run(format!(
                "{}: this run saved no model (nothing was trained)",
                dir.display()
            ))
            .into());
        }
        let r = crate::promote::load_run(dir)?;
        let bytes = std::fs::read(&path)
            .map_err(|e| GateError::Run(format!("{}: cannot read: {e}", path.display())))?;
        let sha = crate::config::sha256_hex(&bytes);
        let recorded = r.model.as_ref().map(|m| m.sha256.as_str()).unwrap_or("");
        if sha != recorded {
            return Err(GateError::Run(format!(
                "{}: sha256 {} is not the {} that report.json records: the run directory \
                 changed after check; refusing to score with it (run check again)",
                path.display(),
                crate::domain::num::short_sha(&sha),
                crate::domain::num::short_sha(recorded)
            ))
            .into());
        }
        return Ok(path);
    }
    let Some((version, dir)) =
        registry::named_version(model, registry).map_err(|e| GateError::Run(format!("{e:#}")))?
    else {
        return Err(GateError::Run(format!(
            "{model}: not a run directory (no report.json), `champion` or a version like v0001"
        ))
        .into());
    };
    let path = dir.join(MODEL_FILE);
    registry::verified_sha(registry, &version, &path)
        .map_err(|e| GateError::Run(format!("{e:#}")))?;
    Ok(path)
}

/// Loads a verified `model.json`.
pub fn load(path: &Path) -> anyhow::Result<Loaded> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| GateError::Run(format!("{}: cannot read model: {e}", path.display())))?;
    let onnx = text.contains(crate::saved::ONNX_FORMAT)
        && serde_json::from_str::<serde_json::Value>(&text)
            .ok()
            .and_then(|v| v.get("format").and_then(|f| f.as_str()).map(str::to_string))
            .as_deref()
            == Some(crate::saved::ONNX_FORMAT);
    if onnx {
        return Ok(Loaded::Other(crate::saved::load_scorer(path)?));
    }
    let a = ModelArtifact::load(path).map_err(|e| GateError::Run(format!("{e:#}")))?;
    Ok(Loaded::Native(Box::new(a)))
}

/// The input columns the model learned as text (an ONNX model's string
/// inputs): read as text from the data to score, so codes such as `007`
/// stay the codes it knows even where no cell of a column has a letter
/// (round 37, F1; round 43, F3).
pub fn text_columns(model: &Loaded) -> Vec<String> {
    model.scorer().text_inputs()
}

/// Numbers and booleans (a Parquet file) of a column the model learned as
/// text, spelled as its categories are (`True`, `3.0`, `007`: round 41,
/// F1), so they are the categories it knows. Returns a warning per column
/// where two categories spell one value (`10`, `10.0`).
pub fn spell_like_model(model: &Loaded, table: &mut Table) -> Vec<String> {
    table
        .spell_as(&model.scorer().text_levels())
        .iter()
        .map(|t| t.note("the data to score", "the model's training data writes"))
        .collect()
}

/// Checks `table` can be scored: every input column present (all missing
/// ones named), numeric inputs numeric (the column and an example value).
pub fn check_columns(model: &Loaded, table: &Table) -> Result<(), GateError> {
    let missing = model.scorer().missing_columns(table);
    if !missing.is_empty() {
        return Err(GateError::Data(format!(
            "the data lacks {} feature column{} the model reads: {}",
            missing.len(),
            if missing.len() == 1 { "" } else { "s" },
            missing
                .iter()
                .map(|c| format!("{c:?}"))
                .collect::<Vec<_>>()
                .join(", ")
        )));
    }
    // An infinite number has no score (`check` reports it as rule
    // `finite`): a logistic score of exactly 0 or 1 is no prediction.
    for name in model.scorer().input_columns() {
        let Some(Values::Num(v)) = table.column(&name).map(|c| &c.values) else {
            continue;
        };
        if let Some(r) = v.iter().position(|x| x.is_infinite()) {
            let count = v.iter().filter(|x| x.is_infinite()).count();
            return Err(GateError::Data(format!(
                "column {name:?} holds {count} infinite value{} (e.g. {} at row {r}): the model \
                 cannot score them; blank or fix them first",
                if count == 1 { "" } else { "s" },
                v[r]
            )));
        }
    }
    let Loaded::Native(a) = model else {
        return Ok(());
    };
    for f in &a.preprocessor.features {
        let FeatureSpec::Numeric {
            name, quantiles, ..
        } = f
        else {
            continue;
        };
        let Some(col) = table.column(name) else {
            continue;
        };
        // Booleans read as 0/1 stand in for a flag, not for a number the
        // model learned beyond 0 and 1 (a count cast to bool).
        // (Quantiles interpolate: a flag's lie in [0, 1].)
        if let Some(&beyond) = quantiles.iter().find(|&&q| !(0.0..=1.0).contains(&q)) {
            if col.dtype == DType::Boolean {
                return Err(GateError::Data(format!(
                    "column {name:?} holds booleans but the model was trained on numbers \
                     there, beyond 0 and 1 (e.g. {beyond})"
                )));
            }
        }
        if let Values::Cat { codes, levels } = &col.values {
            // An example that is not a number (else the first present value).
            let present = || codes.iter().filter(|&&c| c != NULL_CODE);
            let example = present()
                .filter_map(|&c| levels.get(c as usize))
                .find(|v| v.trim().parse::<f64>().is_err())
                .or_else(|| present().find_map(|&c| levels.get(c as usize)));
            // A column of empty cells only is all missing numbers: fine.
            if let Some(v) = example {
                return Err(GateError::Data(format!(
                    "column {name:?} holds text (e.g. {v:?}) but the model was trained on \
                     numbers there"
                )));
            }
        }
    }
    Ok(())
}

/// Input columns present in `table` but empty in every row (a table with
/// rows): the model scores them as missing values on every row, which is
/// worth a warning, not a refusal.
pub fn empty_columns(model: &Loaded, table: &Table) -> Vec<String> {
    if table.n_rows == 0 {
        return Vec::new();
    }
    model
        .scorer()
        .input_columns()
        .into_iter()
        .filter(|name| {
            table
                .column(name)
                .is_some_and(|c| (0..table.n_rows).all(|r| c.is_null(r)))
        })
        .collect()
}

/// Why `table`'s rows are not data like the model's training rows
/// (categories it never saw, numbers in other units), when the model can
/// tell: they score without an error, so they are worth a warning. A
/// spread of [`UNFAMILIAR_ROWS`] rows is judged.
pub fn unfamiliar(model: &Loaded, table: &Table) -> Option<String> {
    let all: Vec<usize> = (0..table.n_rows).collect();
    let judged = crate::artifact::spread(&all, UNFAMILIAR_ROWS);
    model
        .scorer()
        .unfamiliar(table, &judged)
        .or_else(|| far_outside(model, table, &judged))
}

/// A number most of whose present values in `rows` lie more than
/// [`FAR_SPANS`] times its training span (5% to 95% quantiles) beyond
/// it: one absurd value in every row (round 30, F3), which the spread
/// rules, made for many values, let through.
fn far_outside(model: &Loaded, table: &Table, rows: &[usize]) -> Option<String> {
    let Loaded::Native(a) = model else {
        return None;
    };
    a.preprocessor.features.iter().find_map(|f| {
        let FeatureSpec::Numeric {
            name, quantiles, ..
        } = f
        else {
            return None;
        };
        let (&low, &high) = (quantiles.first()?, quantiles.last()?);
        let span = high - low;
        let Some(Values::Num(v)) = table.column(name).map(|c| &c.values) else {
            return None;
        };
        let present: Vec<f64> = rows
            .iter()
            .map(|&r| v[r])
            .filter(|x| x.is_finite())
            .collect();
        if !span.is_finite() || span <= 0.0 || present.is_empty() {
            return None;
        }
        let far = |x: f64| x < low - FAR_SPANS * span || x > high + FAR_SPANS * span;
        let example = present.iter().copied().find(|&x| far(x))?;
        let count = present.iter().filter(|&&x| far(x)).count();
        (2 * count > present.len()).then(|| {
            format!(
                "{:.0}% of the present {name:?} values lie far outside its training range \
                 (e.g. {example}; 5% to 95% in training: {low} to {high})",
                100.0 * count as f64 / present.len() as f64
            )
        })
    })
}

/// Training spans beyond the 5%-95% range that [`far_outside`] calls far.
const FAR_SPANS: f64 = 10.0;

/// Rows [`unfamiliar`] looks at.
const UNFAMILIAR_ROWS: usize = 50_000;

fn csv_field(v: &str) -> String {
    if v.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", v.replace('"', "\"\""))
    } else {
        v.to_string()
    }
}

/// The `--explain` column of each input: `contrib_<input>`, unless that
/// name is taken (by `row`, `score`, `y_pred`, `contrib_base`, or a
/// duplicate): then the first `contrib_<input>_2`, `_3`, ... that is no
/// other input's plain column either. Every input whose plain name is free
/// keeps it, so `contrib_base_2` is always feature `base_2`'s, never that
/// of a feature `base` moved aside.
pub fn contrib_columns(inputs: &[String]) -> Vec<String> {
    let fixed = ["row", "score", "y_pred", "contrib_base"];
    let plain: Vec<String> = inputs.iter().map(|i| format!("contrib_{i}")).collect();
    let mut taken: std::collections::HashSet<String> =
        fixed.into_iter().map(String::from).collect();
    // Plain names first, in order: the first of equal inputs keeps it.
    let keeps: Vec<bool> = plain.iter().map(|p| taken.insert(p.clone())).collect();
    plain
        .iter()
        .zip(keeps)
        .map(|(p, keep)| {
            if keep {
                return p.clone();
            }
            let name = (2..)
                .map(|k| format!("{p}_{k}"))
                .find(|n| !taken.contains(n))
                .unwrap_or_else(|| p.clone());
            taken.insert(name.clone());
            name
        })
        .collect()
}

/// Appends one predictions line: `row,score,y_pred`, then with an
/// explanation each contribution and the base.
fn push_row(
    text: &mut String,
    row: usize,
    score: f64,
    threshold: f64,
    explained: Option<(f64, &[f64])>,
) {
    let _ = write!(text, "{row},");
    write_shortest(text, score, true);
    text.push_str(if score >= threshold { ",1" } else { ",0" });
    if let Some((base, contrib)) = explained {
        for &c in contrib.iter().chain([&base]) {
            text.push(',');
            write_shortest(text, c, true);
        }
    }
    text.push('\n');
}

/// Writes the predictions CSV of every row of `table` to `out`.
pub fn write(
    model: &Loaded,
    table: &Table,
    explain: bool,
    out: &mut dyn Write,
) -> anyhow::Result<()> {
    let scorer = model.scorer();
    let explainer = match (model, explain) {
        (_, false) => None,
        (Loaded::Other(s), true) => {
            return Err(GateError::Run(format!(
                "--explain is not available for {} models: release-gate cannot look inside \
                 them; drop --explain",
                s.kind()
            ))
            .into())
        }
        (Loaded::Native(a), true) => Some(Explainer::new(a).map_err(|e| {
            GateError::Run(format!(
                "--explain is not available for this {} model: {e}",
                a.model.kind().name()
            ))
        })?),
    };
    let threshold = scorer.threshold();
    let mut text = String::from(crate::outdir::PREDICT_HEADER);
    if explainer.is_some() {
        for name in contrib_columns(&scorer.input_columns()) {
            text.push(',');
            text.push_str(&csv_field(&name));
        }
        text.push_str(",contrib_base");
    }
    text.push('\n');
    if !write_or_closed(out, text.as_bytes())? {
        return Ok(());
    }
    let chunk_rows = if explain {
        EXPLAIN_CHUNK_ROWS
    } else {
        CHUNK_ROWS
    };
    let chunks: Vec<std::ops::Range<usize>> = (0..table.n_rows)
        .step_by(chunk_rows)
        .map(|s| s..(s + chunk_rows).min(table.n_rows))
        .collect();
    // One thread makes each chunk's text while this one writes the last:
    // the write (a copy into the kernel) overlaps the next chunk's work.
    // A closed pipe ends the loop, which drops the receiver and so stops
    // the maker at its next chunk.
    let closed = std::thread::scope(|scope| -> anyhow::Result<bool> {
        let (tx, rx) = std::sync::mpsc::sync_channel::<anyhow::Result<Vec<String>>>(1);
        let explainer = explainer.as_ref();
        scope.spawn(move || {
            for rows in chunks {
                let texts = chunk_text(model, table, explainer, threshold, rows);
                let failed = texts.is_err();
                if tx.send(texts).is_err() || failed {
                    break;
                }
            }
        });
        for texts in rx {
            for t in texts? {
                if !write_or_closed(out, t.as_bytes())? {
                    return Ok(true);
                }
            }
        }
        Ok(false)
    })?;
    if closed {
        return Ok(());
    }
    out.flush().or_else(|e| {
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            Ok(())
        } else {
            Err(e)
        }
    })?;
    Ok(())
}

/// Writes `bytes`; `false` when the reader has gone (a closed pipe, as
/// `predict ... | head` leaves it), which ends the output quietly.
fn write_or_closed(out: &mut dyn Write, bytes: &[u8]) -> std::io::Result<bool> {
    match out.write_all(bytes) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(false),
        other => other.map(|()| true),
    }
}

/// The predictions lines of table rows `rows`, in order, as one or more
/// texts: transformed, scored and (with `explainer`) explained and
/// formatted in parallel blocks, each row's values independent of its
/// block.
fn chunk_text(
    model: &Loaded,
    table: &Table,
    explainer: Option<&Explainer>,
    threshold: f64,
    rows: std::ops::Range<usize>,
) -> anyhow::Result<Vec<String>> {
    let rows: Vec<usize> = rows.collect();
    let (scores, x) = match model {
        Loaded::Native(a) => {
            let x = a
                .preprocessor
                .transform(table, &rows)
                .map_err(GateError::Data)?;
            // Gradient boosting scores its rows while it explains them.
            let scores = if explainer.is_some_and(Explainer::scores_itself) {
                Vec::new()
            } else {
                a.model.score_matrix(&x)
            };
            (scores, Some(x))
        }
        Loaded::Other(s) => (s.score_table(table, &rows).map_err(GateError::Data)?, None),
    };
    let (Some(ex), Some(x)) = (explainer, &x) else {
        let mut text = String::with_capacity(rows.len() * 32);
        for (&r, &s) in rows.iter().zip(&scores) {
            push_row(&mut text, r, s, threshold, None);
        }
        return Ok(vec![text]);
    };
    let blocks: Vec<std::ops::Range<usize>> = (0..x.rows)
        .step_by(EXPLAIN_BLOCK)
        .map(|s| s..(s + EXPLAIN_BLOCK).min(x.rows))
        .collect();
    Ok(blocks
        .into_par_iter()
        .map_init(
            || (ex.clone(), Vec::new(), Vec::new(), Vec::new()),
            |(ex, contrib, bases, own), r| {
                let scored = ex.explain_block_scored(x, r.clone(), contrib, bases, Some(own));
                let d = ex.n_inputs().max(1);
                let n = ex.n_inputs();
                let mut t = String::with_capacity(r.len() * 24 * (n + 3));
                for ((k, c), &base) in r.clone().zip(contrib.chunks_exact(d)).zip(&*bases) {
                    let s = if scored {
                        own.get(k - r.start)
                    } else {
                        scores.get(k)
                    };
                    let (Some(&row), Some(&s)) = (rows.get(k), s) else {
                        continue;
                    };
                    push_row(&mut t, row, s, threshold, Some((base, &c[..n])));
                }
                t
            },
        )
        .collect())
}

#[cfg(test)]
mod tests {
    use super::contrib_columns;

    fn names(inputs: &[&str]) -> Vec<String> {
        contrib_columns(&inputs.iter().map(|s| s.to_string()).collect::<Vec<_>>())
    }

    #[test]
    fn contrib_columns_keep_every_free_plain_name() {
        assert_eq!(names(&["age", "plan"]), ["contrib_age", "contrib_plan"]);
        // Round 15, C2: `base` moved aside must not take `base_2`'s name.
        assert_eq!(
            names(&["base", "base_2", "base_2_2"]),
            ["contrib_base_3", "contrib_base_2", "contrib_base_2_2"]
        );
        assert_eq!(
            names(&["base_2", "base"]),
            ["contrib_base_2", "contrib_base_3"]
        );
        // Duplicates (two columns cleaned to one name) stay unique.
        assert_eq!(
            names(&["a", "a", "a_2"]),
            ["contrib_a", "contrib_a_3", "contrib_a_2"]
        );
    }
}
