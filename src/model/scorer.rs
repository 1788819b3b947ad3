//! The Scorer seam: everything the pipeline, latency timing, champion
//! re-scoring, `predict` and the registry need from a model, whatever made
//! it (trained here, an ONNX file, a score column). A new model kind is one
//! implementation of this trait; the pipeline stages never change for it.
use crate::data::Table;

/// Scores one prepared row at a time, for single-row latency timing. The
/// rows are prepared up front (parsed from the table), so timing measures
/// what serving one request costs, not table access.
pub trait RowScorer {
    /// How many prepared rows there are (at least 1).
    fn len(&self) -> usize;
    /// Never true for a row scorer the pipeline is given.
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
    /// The positive-class score of prepared row `i % len()`.
    fn score(&mut self, i: usize) -> f64;
}

pub trait Scorer: Send + Sync {
    /// The `[model] kind` name (`logistic_regression`, `onnx`, ...).
    fn kind(&self) -> &str;
    /// The raw data columns the model reads, in its order.
    fn input_columns(&self) -> Vec<String>;
    /// Names of the inputs after preprocessing (one-hot levels etc.); the
    /// same as `input_columns` for a model without its own preprocessing.
    fn encoded_columns(&self) -> Vec<String> {
        self.input_columns()
    }
    /// The decision threshold the model was saved with.
    fn threshold(&self) -> f64;
    /// The target column and positive value the model was trained for.
    fn labels(&self) -> (&str, &str);
    /// Input columns `table` lacks (the model cannot score it then).
    fn missing_columns(&self, table: &Table) -> Vec<String> {
        self.input_columns()
            .into_iter()
            .filter(|c| table.column(c).is_none())
            .collect()
    }
    /// Positive-class scores of `rows` of `table`.
    fn score_table(&self, table: &Table, rows: &[usize]) -> Result<Vec<f64>, String>;
    /// A single-row scorer over `rows` (at least one), or `None` when
    /// nothing runs per row (precomputed scores).
    fn row_scorer<'a>(
        &'a self,
        table: &'a Table,
        rows: &[usize],
    ) -> Result<Option<Box<dyn RowScorer + 'a>>, String>;
    /// Per row of `rows`: whether it equals a row the model was trained on.
    fn trained_on(&self, _table: &Table, rows: &[usize]) -> Vec<bool> {
        vec![false; rows.len()]
    }
    /// The share of training rows that match another training row: the
    /// match rate [`Scorer::trained_on`] gives fresh rows by chance.
    fn training_duplicate_share(&self) -> f64 {
        0.0
    }
    /// The share of the training rows [`Scorer::trained_on`] knows: a
    /// model keeps the hashes of a spread of big training data only.
    fn trained_on_share(&self) -> f64 {
        1.0
    }
    /// The data columns drift is measured on: the model's inputs, unless
    /// the model reads none of the data's features (a score column).
    fn drift_columns(&self) -> Vec<String> {
        self.input_columns()
    }
    /// The inputs the model learned as text, each with the categories it
    /// knows: another file's numbers in those columns are spelled as these
    /// ([`Table::spell_as`]).
    fn text_levels(&self) -> Vec<(String, Vec<String>)> {
        Vec::new()
    }
    /// The inputs the model reads as text: another file's cells in those
    /// columns are read as text, so codes such as `007` stay as written.
    fn text_inputs(&self) -> Vec<String> {
        self.text_levels()
            .into_iter()
            .map(|(name, _)| name)
            .collect()
    }
    /// The inputs the model learned as numbers, when it can tell.
    fn numeric_inputs(&self) -> Vec<String> {
        Vec::new()
    }
    /// Why `rows` of `table` are not data like the model's training rows
    /// (categories it never saw, numbers in other units), when it can tell:
    /// a champion re-scored on such rows is no comparison.
    fn unfamiliar(&self, _table: &Table, _rows: &[usize]) -> Option<String> {
        None
    }
    /// The inputs that varied in training but hold one value, or none,
    /// in every one of `rows`, when the model can tell: `(name, what the
    /// rows hold, whether it is one value the model knew)`.
    fn collapsed(&self, _table: &Table, _rows: &[usize]) -> Vec<(String, String, bool)> {
        Vec::new()
    }
    /// What a reader of the report should know about the model's inputs.
    fn notes(&self) -> Vec<String> {
        Vec::new()
    }
}
