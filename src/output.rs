//! Writes a run's artifacts into the out dir, each file atomically.
use crate::atomic::write_atomic;
use crate::config::Plan;
use crate::data::table::write_shortest;
use crate::domain::Report;
use crate::outdir::Staged;
use crate::pipeline::{Predictions, Run};
use crate::report;
use anyhow::Context;
use std::fmt::Write as _;
use std::path::Path;

// The names of `outdir::ARTIFACTS`.
pub const REPORT_JSON: &str = "report.json";
pub const REPORT_MD: &str = "report.md";
/// The self-contained HTML report with charts.
pub const REPORT_HTML: &str = "report.html";
pub const MODEL_CARD: &str = "model_card.md";
pub const PREDICTIONS: &str = "predictions.csv";
/// The predictions of a run above `PARQUET_PREDICTIONS_ABOVE` rows.
pub const PREDICTIONS_PARQUET: &str = "predictions.parquet";
pub const MODEL: &str = "model.json";
/// A copy of the config the run used, so a run dir is self-describing.
pub const CONFIG_COPY: &str = "gates.toml";

/// Writes every artifact of `run` into a staging directory for `out`;
/// [`Staged::commit`] moves them into place.
pub fn write_run(out: &Path, plan: &Plan, run: &Run) -> anyhow::Result<(Report, Staged)> {
    let started = std::time::Instant::now();
    let staged = Staged::new(out)?;
    let out = staged.path();
    if let Some(json) = &run.artifact_json {
        write_atomic(&out.join(MODEL), json.as_bytes())?;
    }
    for (name, from) in &run.copies {
        std::fs::copy(from, out.join(name))
            .with_context(|| format!("{}: cannot copy into the run", from.display()))?;
    }
    match &run.predictions {
        Some(p) if p.as_parquet() => predictions_parquet(&out.join(PREDICTIONS_PARQUET), p)?,
        Some(p) => write_atomic(&out.join(PREDICTIONS), predictions_csv(p).as_bytes())?,
        None => {}
    }
    write_atomic(&out.join(CONFIG_COPY), plan.config_text.as_bytes())?;
    let template = match &plan.card_template {
        Some(path) => Some(
            std::fs::read_to_string(path)
                .with_context(|| format!("{}: cannot read template", path.display()))?,
        ),
        None => None,
    };
    let card = report::card::render(&run.report, template.as_deref())?;
    write_atomic(&out.join(MODEL_CARD), card.as_bytes())?;
    write_atomic(
        &out.join(REPORT_MD),
        report::markdown::render(&run.report).as_bytes(),
    )?;
    write_atomic(
        &out.join(REPORT_HTML),
        report::html::render(&run.report).as_bytes(),
    )?;
    // report.json last: its presence marks a complete run directory. Its
    // `report` timing includes writing the other artifacts.
    let mut last = run.report.clone();
    crate::pipeline::add_time(
        &mut last.timings_ms,
        crate::pipeline::Stage::Report,
        started.elapsed(),
    );
    write_atomic(
        &out.join(REPORT_JSON),
        report::json::render(&last)?.as_bytes(),
    )?;
    Ok((last, staged))
}

/// `row,y_true,score,y_pred[,champion_score],<protected...>`; scores in shortest round-trip form
/// so scikit-learn on this file reproduces `report.json` exactly.
pub fn predictions_csv(p: &Predictions) -> String {
    let mut s = String::with_capacity(p.row.len() * 40);
    s.push_str("row,y_true,score,y_pred");
    if p.champion_score.is_some() {
        s.push_str(",champion_score");
    }
    for (name, _) in &p.protected {
        s.push(',');
        s.push_str(&csv_field(name));
    }
    s.push('\n');
    for i in 0..p.row.len() {
        let _ = write!(s, "{},{},", p.row[i], p.y_true[i]);
        write_shortest(&mut s, p.score[i], true);
        let _ = write!(s, ",{}", p.y_pred[i]);
        if let Some(c) = &p.champion_score {
            s.push(',');
            write_shortest(&mut s, c[i], true);
        }
        for (_, groups) in &p.protected {
            s.push(',');
            if let Some(v) = groups.name(i) {
                s.push_str(&csv_field(v));
            }
        }
        s.push('\n');
    }
    s
}

/// The columns of [`predictions_csv`] as Parquet (`y_true`/`y_pred` as
/// `uint8`, `row` as `uint64`, protected values as text, null when missing).
pub fn predictions_parquet(path: &Path, p: &Predictions) -> anyhow::Result<()> {
    use crate::data::load::{OutColumn, OutValues};
    let col = |name, values| OutColumn { name, values };
    let [row, y_true, score, y_pred, champion_score] = crate::config::PREDICTION_COLUMNS;
    let mut cols = vec![
        col(row, OutValues::U64(&p.row)),
        col(y_true, OutValues::U8(&p.y_true)),
        col(score, OutValues::F64(&p.score)),
        col(y_pred, OutValues::U8(&p.y_pred)),
    ];
    if let Some(c) = &p.champion_score {
        cols.push(col(champion_score, OutValues::F64(c)));
    }
    for (name, g) in &p.protected {
        let codes = &g.codes;
        cols.push(col(
            name,
            OutValues::Text {
                codes,
                names: &g.names,
            },
        ));
    }
    crate::data::load::write_parquet(path, &cols, p.row.len()).map_err(anyhow::Error::msg)
}

fn csv_field(v: &str) -> String {
    if v.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", v.replace('"', "\"\""))
    } else {
        v.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn predictions_quote_and_keep_precision() {
        let p = Predictions {
            row: vec![3, 7],
            y_true: vec![1, 0],
            score: vec![0.1 + 0.2, 1.0],
            y_pred: vec![0, 1],
            champion_score: None,
            protected: vec![(
                "g".into(),
                crate::evaluate::fairness::Groups {
                    codes: vec![0, crate::evaluate::fairness::MISSING_CODE],
                    names: vec!["a,b".into()],
                },
            )],
        };
        let csv = predictions_csv(&p);
        assert_eq!(
            csv,
            "row,y_true,score,y_pred,g\n3,1,0.30000000000000004,0,\"a,b\"\n7,0,1.0,1,\n"
        );
    }

    #[test]
    fn parquet_predictions_hold_the_csv_columns_and_values() {
        use crate::data::Values;
        use crate::evaluate::fairness::{Groups, MISSING_CODE};
        let p = Predictions {
            row: vec![3, 7, 9],
            y_true: vec![1, 0, 0],
            score: vec![0.1 + 0.2, 1.0, 5e-324],
            y_pred: vec![0, 1, 0],
            champion_score: Some(vec![0.5, f64::MIN_POSITIVE, 0.25]),
            protected: vec![
                (
                    "g".into(),
                    Groups {
                        codes: vec![1, MISSING_CODE, 0],
                        names: vec!["a,b".into(), "<missing>".into()],
                    },
                ),
                // Names that are not distinct are written as plain text.
                (
                    "h".into(),
                    Groups {
                        codes: vec![0, 1, 0],
                        names: vec!["x".into(), "x".into()],
                    },
                ),
            ],
        };
        assert!(!p.as_parquet(), "3 rows are a CSV");
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(PREDICTIONS_PARQUET);
        predictions_parquet(&path, &p).unwrap();
        let t = crate::data::load::load(&path).unwrap().table;
        assert_eq!(
            t.column_names(),
            [
                "row",
                "y_true",
                "score",
                "y_pred",
                "champion_score",
                "g",
                "h"
            ]
        );
        let num = |name: &str| match &t.column(name).unwrap().values {
            Values::Num(v) => v.clone(),
            other => panic!("{name}: {other:?}"),
        };
        assert_eq!(num("row"), [3.0, 7.0, 9.0]);
        assert_eq!(num("y_true"), [1.0, 0.0, 0.0]);
        let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
        assert_eq!(bits(&num("score")), bits(&p.score));
        assert_eq!(
            bits(&num("champion_score")),
            bits(p.champion_score.as_ref().unwrap())
        );
        let texts = |name: &str| {
            let c = t.column(name).unwrap();
            (0..3).map(|r| c.text(r)).collect::<Vec<_>>()
        };
        assert_eq!(
            texts("g"),
            [Some("<missing>".to_string()), None, Some("a,b".to_string())]
        );
        assert_eq!(texts("h"), vec![Some("x".to_string()); 3]);
    }
}
