//! The [`Scorer`] seam for `kind = "onnx"`: table columns go to the model
//! without copying (numbers as `f64` slices, text as dictionary codes).
use super::{ColumnRef, OnnxError, OnnxModel, OnnxOptions, PreparedRows};
use crate::data::{Column, Table, Twins, Values};
use crate::model::scorer::{RowScorer, Scorer};
use std::path::Path;

/// An ONNX model plus what the pipeline needs around it.
#[derive(Debug)]
pub struct OnnxScorer {
    model: OnnxModel,
    /// The columns fed to a one-tensor model, in order (`[model] inputs`, or
    /// the data's feature columns); ignored by a per-column model.
    inputs: Vec<String>,
    threshold: f64,
    target: String,
    positive: String,
}

impl OnnxScorer {
    /// Loads the model at `path`. `inputs` feeds a one-tensor model (its
    /// width must match; a per-column model ignores it); `positive` is
    /// `[data] positive` as text, matched against the model's class labels.
    pub fn load(
        path: &Path,
        options: &OnnxOptions,
        inputs: Vec<String>,
        threshold: f64,
        target: &str,
        positive: &str,
    ) -> Result<OnnxScorer, OnnxError> {
        let model = OnnxModel::load(path, options)?;
        OnnxScorer::new(model, inputs, threshold, target, positive)
    }

    /// [`OnnxScorer::load`] of a model loaded already.
    pub fn new(
        model: OnnxModel,
        inputs: Vec<String>,
        threshold: f64,
        target: &str,
        positive: &str,
    ) -> Result<OnnxScorer, OnnxError> {
        let mut inputs = inputs;
        // A one-column DataFrame model looks like a one-wide tensor model
        // named after its column: feed it that column.
        if let (Some(1), Some(name)) = (model.tensor_width(), model.tensor_name()) {
            if inputs.len() != 1 && inputs.iter().any(|c| c == name) {
                inputs = vec![name.to_string()];
            }
        }
        if model.input_columns().is_none() {
            if let Some(w) = model.tensor_width() {
                if w != inputs.len() {
                    return Err(OnnxError::Input(format!(
                        "{}: the model's input takes {w} columns but [model] inputs gives {} ({}); list the {w} columns the model was trained on, in order",
                        model.path().display(),
                        inputs.len(),
                        inputs.join(", ")
                    )));
                }
            }
        }
        Ok(OnnxScorer {
            model,
            inputs,
            threshold,
            target: target.to_string(),
            positive: positive.to_string(),
        })
    }

    /// The loaded model.
    pub fn model(&self) -> &OnnxModel {
        &self.model
    }

    /// `table` at `rows` as the model is fed them ([`Fed`]). A string input
    /// held as numbers (a Parquet file has no written text) whose
    /// categories the graph shows is spelled as the category that reads as
    /// each number ([`Column::to_text_like`]), `7` as `007` as the model
    /// learned it (it was fed `7`, an unseen category): over the whole
    /// column when `rows` are most of the table (the other inputs stay
    /// borrowed), else with every input taken at `rows` alone.
    fn as_fed(&self, table: &Table, rows: &[usize]) -> Fed {
        let spelled: Vec<(&Column, &Vec<String>)> = self
            .model
            .categories()
            .iter()
            .filter_map(|(name, known)| Some((table.column(name)?, known)))
            .filter(|(c, _)| matches!(c.values, Values::Num(_)))
            .collect();
        if spelled.is_empty() || rows.len() * 4 > table.n_rows {
            return Fed::Whole(
                spelled
                    .iter()
                    .map(|(c, known)| c.to_text_like(known))
                    .collect(),
            );
        }
        let columns = self
            .input_columns()
            .iter()
            .filter_map(|name| table.column(name))
            .map(|c| {
                let taken = c.take(rows);
                match spelled.iter().find(|(s, _)| s.name == c.name) {
                    Some((_, known)) => taken.to_text_like(known),
                    None => taken,
                }
            })
            .collect();
        let taken = Table {
            columns,
            n_rows: rows.len(),
        };
        Fed::Taken(taken, (0..rows.len()).collect())
    }

    /// The string inputs `table` holds as numbers whose categories the
    /// graph does not show: they are fed as the numbers print.
    pub fn unspelled(&self, table: &Table) -> Vec<String> {
        let known = self.model.categories();
        self.model
            .text_inputs()
            .into_iter()
            .filter(|name| !known.iter().any(|(k, _)| k == name))
            .filter(|name| {
                table
                    .column(name)
                    .is_some_and(|c| matches!(c.values, Values::Num(_)))
            })
            .collect()
    }

    /// The string inputs `table` holds as numbers where two of the
    /// categories the graph shows spell one value that a row holds (`10`
    /// and `10.0`): which one each row was is lost.
    pub fn twins(&self, table: &Table) -> Vec<Twins> {
        table.twins(self.model.categories())
    }

    /// The input columns of `table` (of `spelled` first), borrowed; the
    /// names the table lacks go to `Err`.
    fn columns<'t>(
        &self,
        table: &'t Table,
        spelled: &'t [Column],
    ) -> Result<Vec<(&'t str, ColumnRef<'t>)>, String> {
        let mut cols = Vec::new();
        let mut missing = Vec::new();
        for name in self.input_columns() {
            match fed_column(table, spelled, &name) {
                Some(c) => cols.push((
                    c.name.as_str(),
                    match &c.values {
                        Values::Num(v) => ColumnRef::Num(v),
                        Values::Cat { codes, levels } => ColumnRef::Cat { codes, levels },
                    },
                )),
                None => missing.push(name),
            }
        }
        if !missing.is_empty() {
            return Err(format!(
                "the model needs column{} the data lacks: {}",
                if missing.len() == 1 { "" } else { "s" },
                missing.join(", ")
            ));
        }
        Ok(cols)
    }
}

/// A table's rows as an ONNX model is fed them ([`OnnxScorer::as_fed`]).
enum Fed {
    /// The table's own rows; these columns spelled over all its rows, in
    /// place of the table's.
    Whole(Vec<Column>),
    /// The input columns taken at the rows, spelled, with their rows.
    Taken(Table, Vec<usize>),
}

impl Fed {
    /// The table, the spelled columns that replace its own, and the rows,
    /// given the table and rows it was made from.
    fn view<'a>(
        &'a self,
        table: &'a Table,
        rows: &'a [usize],
    ) -> (&'a Table, &'a [Column], &'a [usize]) {
        match self {
            Fed::Whole(spelled) => (table, spelled, rows),
            Fed::Taken(taken, rows) => (taken, &[], rows),
        }
    }
}

/// Column `name` as fed: of `spelled` first, else of `table`.
fn fed_column<'a>(table: &'a Table, spelled: &'a [Column], name: &str) -> Option<&'a Column> {
    spelled
        .iter()
        .find(|c| c.name == name)
        .or_else(|| table.column(name))
}

/// Prepared rows scored one at a time through the session.
struct OnnxRows<'a> {
    model: &'a OnnxModel,
    prepared: PreparedRows,
}

impl RowScorer for OnnxRows<'_> {
    fn len(&self) -> usize {
        self.prepared.len()
    }

    /// A failed run scores NaN (the rows were checked when prepared).
    fn score(&mut self, i: usize) -> f64 {
        self.model.score_row(&self.prepared, i).unwrap_or(f64::NAN)
    }
}

impl Scorer for OnnxScorer {
    fn kind(&self) -> &str {
        "onnx"
    }

    fn input_columns(&self) -> Vec<String> {
        self.model
            .input_columns()
            .unwrap_or_else(|| self.inputs.clone())
    }

    fn text_inputs(&self) -> Vec<String> {
        self.model.text_inputs()
    }

    fn numeric_inputs(&self) -> Vec<String> {
        self.model
            .numeric_inputs()
            .unwrap_or_else(|| self.inputs.clone())
    }

    /// The string inputs whose categories the graph shows, with them:
    /// numbers there (a Parquet file) are spelled as these, `7` as `007`.
    fn text_levels(&self) -> Vec<(String, Vec<String>)> {
        self.model.categories().to_vec()
    }

    /// A string input whose present values, as fed, are mostly none of
    /// the categories its encoder knows: the model reads them as unseen
    /// categories.
    fn unfamiliar(&self, table: &Table, rows: &[usize]) -> Option<String> {
        let fed = self.as_fed(table, rows);
        let (fed_table, spelled, fed_rows) = fed.view(table, rows);
        self.model.categories().iter().find_map(|(name, known)| {
            let col = fed_column(fed_table, spelled, name)?;
            let lookup = known
                .iter()
                .enumerate()
                .map(|(i, c)| (c.clone(), i))
                .collect();
            let (share, example) =
                crate::features::preprocess::unseen_levels(&lookup, col, fed_rows)?;
            let shown: Vec<String> = known.iter().take(5).map(|c| format!("{c:?}")).collect();
            Some(format!(
                "{:.0}% of the present {name:?} values are none of the categories the model's \
                 encoder knows (e.g. {example:?}; it knows {}{})",
                100.0 * share,
                shown.join(", "),
                if known.len() > 5 { ", ..." } else { "" }
            ))
        })
    }

    fn threshold(&self) -> f64 {
        self.threshold
    }

    fn labels(&self) -> (&str, &str) {
        (&self.target, &self.positive)
    }

    fn score_table(&self, table: &Table, rows: &[usize]) -> Result<Vec<f64>, String> {
        let fed = self.as_fed(table, rows);
        let (table, spelled, rows) = fed.view(table, rows);
        let cols = self.columns(table, spelled)?;
        self.model
            .score_rows(&cols, rows)
            .map_err(|e| e.to_string())
    }

    fn row_scorer<'a>(
        &'a self,
        table: &'a Table,
        rows: &[usize],
    ) -> Result<Option<Box<dyn RowScorer + 'a>>, String> {
        if rows.is_empty() {
            return Err("no row to time single-row scoring on".into());
        }
        let fed = self.as_fed(table, rows);
        let (table, spelled, rows) = fed.view(table, rows);
        let cols = self.columns(table, spelled)?;
        let prepared = self
            .model
            .prepare_rows(&cols, rows)
            .map_err(|e| e.to_string())?;
        // One run up front: a model that fails on these rows fails here, with
        // its message, rather than timing NaNs.
        self.model
            .score_row(&prepared, 0)
            .map_err(|e| e.to_string())?;
        Ok(Some(Box::new(OnnxRows {
            model: &self.model,
            prepared,
        })))
    }

    fn notes(&self) -> Vec<String> {
        let (output, labels) = self.model.output();
        let fed = match self.model.input_columns() {
            Some(cols) => format!("fed by name: {}", cols.join(", ")),
            None => format!("one tensor fed {}", self.inputs.join(", ")),
        };
        let labels = labels.map_or_else(String::new, |l| format!(", classes {}", l.join("/")));
        let mut notes = vec![format!(
            "ONNX model {} (sha256 {}): {fed}; positive-class scores from output `{output}`{labels}",
            self.model.path().display(),
            self.model.sha256()
        )];
        notes.extend(self.model.output_caveat().map(str::to_string));
        notes
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::data::{Column, DType};

    fn fixture(name: &str) -> std::path::PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/onnx")
            .join(name)
    }

    /// Rows 0..4 of tests/fixtures/onnx/data.csv.
    fn table() -> Table {
        let num = |name: &str, dtype, v: Vec<f64>| Column {
            name: name.into(),
            dtype,
            values: Values::Num(v),
        };
        Table {
            n_rows: 3,
            columns: vec![
                num("tenure", DType::Integer, vec![68.0, 45.0, 16.0]),
                num("monthly", DType::Float, vec![56.49, 74.06, 69.06]),
                num("age", DType::Float, vec![72.4, 50.4, 76.9]),
                Column {
                    name: "contract".into(),
                    dtype: DType::String,
                    values: Values::Cat {
                        codes: vec![0, 0, 1],
                        levels: vec!["two_year".into(), "month".into()],
                    },
                },
            ],
        }
    }

    #[test]
    fn scores_a_table_through_the_seam() {
        let t = table();
        let s = OnnxScorer::load(
            &fixture("pipeline_zipmap.onnx"),
            &OnnxOptions::default(),
            Vec::new(),
            0.5,
            "churn",
            "1",
        )
        .unwrap();
        assert_eq!(s.input_columns(), ["tenure", "monthly", "age", "contract"]);
        let got = s.score_table(&t, &[0, 1]).unwrap();
        // oracle.csv, pipeline_zipmap, rows 0 and 1.
        assert!((got[0] - 0.021_745_383_739_471_436).abs() < 1e-6, "{got:?}");
        assert!((got[1] - 0.071_593_075_990_676_88).abs() < 1e-6, "{got:?}");
        let mut rs = s.row_scorer(&t, &[1, 0]).unwrap().unwrap();
        assert_eq!(rs.len(), 2);
        assert_eq!(rs.score(1), got[0]);
        assert!(s.notes()[0].contains("classes 0/1"), "{:?}", s.notes());
    }

    #[test]
    fn a_tensor_model_needs_its_width_of_inputs() {
        let e = OnnxScorer::load(
            &fixture("lr_tensor.onnx"),
            &OnnxOptions::default(),
            vec!["tenure".into(), "age".into()],
            0.5,
            "churn",
            "1",
        )
        .unwrap_err()
        .to_string();
        assert!(
            e.contains("takes 3 columns but [model] inputs gives 2 (tenure, age)"),
            "{e}"
        );
        let s = OnnxScorer::load(
            &fixture("lr_tensor.onnx"),
            &OnnxOptions::default(),
            vec!["tenure".into(), "monthly".into(), "nope".into()],
            0.5,
            "churn",
            "1",
        )
        .unwrap();
        assert_eq!(s.missing_columns(&table()), ["nope"]);
        let e = s.score_table(&table(), &[0]).unwrap_err();
        assert_eq!(e, "the model needs column the data lacks: nope");
    }

    /// tests/fixtures/onnx/codes_telco.onnx's inputs for 40 rows, the
    /// contract codes as numbers (a Parquet file) or as the written text.
    fn codes(as_numbers: bool) -> Table {
        let n = 40;
        let num = |name: &str, v: Vec<f64>| Column {
            name: name.into(),
            dtype: DType::Float,
            values: Values::Num(v),
        };
        let code = |i: usize| [7.0, 10.0, 3.0][i % 3];
        let contract = if as_numbers {
            num("contract", (0..n).map(code).collect())
        } else {
            Column {
                name: "contract".into(),
                dtype: DType::String,
                values: Values::Cat {
                    codes: (0..n).map(|i| (i % 3) as u32).collect(),
                    levels: vec!["007".into(), "010".into(), "3".into()],
                },
            }
        };
        Table {
            n_rows: n,
            columns: vec![
                num("tenure", (0..n).map(|i| (i * 7 % 70) as f64).collect()),
                num(
                    "monthly_charges",
                    (0..n).map(|i| 20.0 + (i * 13 % 90) as f64).collect(),
                ),
                contract,
            ],
        }
    }

    #[test]
    fn numbers_are_fed_as_the_written_codes_on_any_rows() {
        let options = OnnxOptions {
            positive: vec!["Yes".into()],
            ..OnnxOptions::default()
        };
        let s = OnnxScorer::load(
            &fixture("codes_telco.onnx"),
            &options,
            Vec::new(),
            0.5,
            "churn",
            "Yes",
        )
        .unwrap();
        let all: Vec<usize> = (0..40).collect();
        let written = s.score_table(&codes(false), &all).unwrap();
        let numbers = codes(true);
        // Every row: the whole column spelled; a few rows: taken, then spelled.
        assert_eq!(s.score_table(&numbers, &all).unwrap(), written);
        let few = [33, 4, 17];
        let want: Vec<f64> = few.iter().map(|&r| written[r]).collect();
        assert_eq!(s.score_table(&numbers, &few).unwrap(), want);
        assert_eq!(s.unfamiliar(&numbers, &few), None);
        assert_eq!(s.unfamiliar(&numbers, &all), None);
        // Fed as printed, the 7s and 10s would be unseen categories.
        assert_ne!(written[0], {
            let mut printed = codes(false);
            printed.columns[2].values = Values::Cat {
                codes: (0..40).map(|i| (i % 3) as u32).collect(),
                levels: vec!["7".into(), "10".into(), "3".into()],
            };
            s.score_table(&printed, &all).unwrap()[0]
        });
    }
}
