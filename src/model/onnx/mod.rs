//! `[model] kind = "onnx"`: a model trained elsewhere (scikit-learn via
//! skl2onnx, LightGBM/XGBoost via onnxmltools, PyTorch...), scored by ONNX
//! Runtime through `ort`.
//!
//! ONNX Runtime is loaded on first use (see [`runtime`]); nothing here
//! touches it until [`OnnxModel::load`]. Scoring runs batches of
//! `batch_rows` rows through one session with one thread, in row order, so
//! the scores are the same whatever the machine. Single-row scoring
//! ([`OnnxModel::prepare_rows`]) gets a session of its own, as a serving
//! process would: after a batch run, ONNX Runtime serves a session's later
//! single rows about 0.9 us slower (measured with `examples/onnx_latency.rs`).
pub mod feed;
pub mod output;
pub mod proto;
pub mod runtime;
pub mod scorer;
pub mod unzip;

use ort::session::{HasSelectedOutputs, OutputSelector, RunOptions, Session, SessionInputValue};
use ort::value::DynValue;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// Code of a missing value in [`ColumnRef::Cat`] (the same as
/// `crate::data::NULL_CODE`).
pub const NULL_CODE: u32 = u32::MAX;

/// Errors of loading or scoring an ONNX model; each message says what to do.
#[derive(Debug, thiserror::Error)]
pub enum OnnxError {
    /// ONNX Runtime could not be found or loaded (the message gives the fix).
    #[error("{0}")]
    Runtime(String),
    /// The model file could not be read or is not a usable model.
    #[error("{path}: {message}")]
    Model { path: String, message: String },
    /// The data does not fit the model's inputs (missing columns, types, widths).
    #[error("{0}")]
    Input(String),
    /// A run failed or its output could not be read.
    #[error("{0}")]
    Output(String),
}

/// One data column, borrowed. Numbers are `f64` with NaN for missing
/// (integers and booleans as numbers, booleans 0/1); text is either a slice
/// of optional strings or, zero-copy from `crate::data::Values::Cat`,
/// dictionary codes into `levels` ([`NULL_CODE`] = missing).
#[derive(Debug, Clone, Copy)]
pub enum ColumnRef<'a> {
    Num(&'a [f64]),
    Text(&'a [Option<&'a str>]),
    Cat {
        codes: &'a [u32],
        levels: &'a [String],
    },
}

impl ColumnRef<'_> {
    /// Number of rows.
    pub fn len(&self) -> usize {
        match self {
            ColumnRef::Num(v) => v.len(),
            ColumnRef::Text(v) => v.len(),
            ColumnRef::Cat { codes, .. } => codes.len(),
        }
    }

    /// Whether the column has no rows.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Row `r` as the text a string input gets: numbers in shortest form
    /// (integers without `.0`), missing values as the empty string.
    pub fn text(&self, r: usize) -> String {
        match self {
            ColumnRef::Num(v) => {
                let x = v[r];
                if x.is_nan() {
                    String::new()
                } else if x.is_finite() && x.fract() == 0.0 && x.abs() < 1e15 {
                    format!("{}", x as i64)
                } else {
                    format!("{x}")
                }
            }
            ColumnRef::Text(v) => v[r].unwrap_or_default().to_string(),
            ColumnRef::Cat { codes, levels } => {
                levels.get(codes[r] as usize).cloned().unwrap_or_default()
            }
        }
    }
}

/// `[model]` settings of an ONNX model.
#[derive(Debug, Clone, PartialEq)]
pub struct OnnxOptions {
    /// The probability output's name (default: found, see [`output`]).
    pub output: Option<String>,
    /// The configured positive value, in every spelling the labels may use
    /// (e.g. `["1"]`, `["yes"]`, `["true", "1"]`).
    pub positive: Vec<String>,
    /// Which column/class of the probability output is positive (overrides
    /// the label search).
    pub positive_index: Option<usize>,
    /// Rows per run (0 = all at once).
    pub batch_rows: usize,
}

impl Default for OnnxOptions {
    fn default() -> Self {
        OnnxOptions {
            output: None,
            positive: vec!["1".into()],
            positive_index: None,
            batch_rows: 4096,
        }
    }
}

/// A loaded ONNX model, ready to score.
pub struct OnnxModel {
    path: PathBuf,
    sha256: String,
    /// `Session::run` needs `&mut`; scoring is sequential per model anyway.
    runner: Mutex<Runner>,
    /// What the sessions are made from.
    source: Source,
    feed: feed::Plan,
    output: output::OutputPlan,
    batch_rows: usize,
    /// Each string input's categories, where the graph shows them
    /// ([`proto::GraphInfo::categories_of`]).
    categories: Vec<(String, Vec<String>)>,
}

/// What an [`OnnxModel`]'s sessions are made from.
enum Source {
    /// The file, as it is.
    File,
    /// A copy of it without its ZipMaps ([`unzip`]).
    Unzipped(Vec<u8>),
}

impl std::fmt::Debug for OnnxModel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OnnxModel")
            .field("path", &self.path)
            .field("feed", &self.feed)
            .field("output", &self.output)
            .finish_non_exhaustive()
    }
}

/// A session and the run options that fetch only the probability output.
struct Runner {
    session: Session,
    options: RunOptions<HasSelectedOutputs>,
}

/// Rows prepared for single-row scoring (see [`OnnxModel::prepare_rows`]):
/// each row's input tensors, built once, and the session that scores them.
pub struct PreparedRows {
    rows: Vec<Vec<(String, DynValue)>>,
    runner: Mutex<Runner>,
}

impl std::fmt::Debug for PreparedRows {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PreparedRows")
            .field("rows", &self.rows)
            .finish_non_exhaustive()
    }
}

impl PreparedRows {
    /// Number of prepared rows.
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    /// Whether no row was prepared.
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }
}

impl OnnxModel {
    /// Loads the model at `path` (loading ONNX Runtime first if needed) and
    /// plans its inputs and probability output.
    pub fn load(path: &Path, options: &OnnxOptions) -> Result<OnnxModel, OnnxError> {
        let model_err = |message: String| OnnxError::Model {
            path: path.display().to_string(),
            message,
        };
        let bytes = std::fs::read(path).map_err(|e| model_err(format!("cannot read: {e}")))?;
        let sha256 = crate::config::sha256_hex(&bytes);
        let graph =
            proto::parse_model(&bytes).map_err(|e| model_err(format!("not an ONNX model: {e}")))?;
        let Opened {
            session,
            declared,
            unzipped,
            source,
        } = open(path, &bytes)?;
        drop(bytes);
        let feed = feed::plan(session.inputs()).map_err(model_err)?;
        let mut output = output::plan(
            &declared,
            &graph,
            options.output.as_deref(),
            &options.positive,
            options.positive_index,
        )
        .map_err(model_err)?;
        unzip::redirect(&mut output, &unzipped).map_err(model_err)?;
        let fetch = fetch_options(path, &output.fetch)?;
        let categories = match &feed {
            feed::Plan::PerColumn(cols) => cols
                .iter()
                .filter(|c| c.elem == feed::Elem::Str)
                .filter_map(|c| Some((c.name.clone(), graph.categories_of(&c.name)?)))
                .collect(),
            feed::Plan::Tensor { .. } => Vec::new(),
        };
        Ok(OnnxModel {
            path: path.to_path_buf(),
            sha256,
            runner: Mutex::new(Runner {
                session,
                options: fetch,
            }),
            source,
            feed,
            output,
            batch_rows: options.batch_rows,
            categories,
        })
    }

    /// Each string input whose categories the graph shows, with them.
    pub fn categories(&self) -> &[(String, Vec<String>)] {
        &self.categories
    }

    /// The columns the model reads by name (a model with one input per
    /// column), or `None` for a one-tensor model, which takes the columns it
    /// is given (`[model] inputs`) in order.
    pub fn input_columns(&self) -> Option<Vec<String>> {
        feed::input_columns(&self.feed)
    }

    /// The per-column inputs fed numbers (all but the string ones); `None`
    /// for a one-tensor model, which is fed numbers only.
    pub fn numeric_inputs(&self) -> Option<Vec<String>> {
        self.per_column(false)
    }

    /// The per-column inputs fed text (string tensors); none for a
    /// one-tensor model.
    pub fn text_inputs(&self) -> Vec<String> {
        self.per_column(true).unwrap_or_default()
    }

    /// The per-column inputs fed text (`text`) or numbers; `None` for a
    /// one-tensor model.
    fn per_column(&self, text: bool) -> Option<Vec<String>> {
        match &self.feed {
            feed::Plan::Tensor { .. } => None,
            feed::Plan::PerColumn(cols) => Some(
                cols.iter()
                    .filter(|c| matches!(c.elem, feed::Elem::Str) == text)
                    .map(|c| c.name.clone())
                    .collect(),
            ),
        }
    }

    /// The name of a one-tensor model's input (`None` for a per-column model).
    pub fn tensor_name(&self) -> Option<&str> {
        match &self.feed {
            feed::Plan::Tensor { name, .. } => Some(name),
            feed::Plan::PerColumn(_) => None,
        }
    }

    /// The declared width of a one-tensor model's input, when fixed.
    pub fn tensor_width(&self) -> Option<usize> {
        match &self.feed {
            feed::Plan::Tensor { width, .. } => *width,
            feed::Plan::PerColumn(_) => None,
        }
    }

    /// The probability output read, and its class labels when known.
    pub fn output(&self) -> (&str, Option<&[String]>) {
        (&self.output.name, self.output.labels.as_deref())
    }

    /// A word on how the positive class's score was picked, when it is a
    /// guess worth checking.
    pub fn output_caveat(&self) -> Option<&str> {
        self.output.caveat.as_deref()
    }

    /// Hex SHA-256 of the model file.
    pub fn sha256(&self) -> &str {
        &self.sha256
    }

    /// The model file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Positive-class scores of every row of `columns`.
    pub fn score(&self, columns: &[(&str, ColumnRef<'_>)]) -> Result<Vec<f64>, OnnxError> {
        let n = feed::row_count(columns)?;
        let rows: Vec<usize> = (0..n).collect();
        self.score_rows(columns, &rows)
    }

    /// Positive-class scores of `rows` of `columns`, in batches of `batch_rows`.
    pub fn score_rows(
        &self,
        columns: &[(&str, ColumnRef<'_>)],
        rows: &[usize],
    ) -> Result<Vec<f64>, OnnxError> {
        let n = feed::row_count(columns)?;
        if let Some(&bad) = rows.iter().find(|&&r| r >= n) {
            return Err(OnnxError::Input(format!(
                "row {bad} out of range ({n} rows)"
            )));
        }
        let resolved = feed::resolve(&self.feed, columns)?;
        let batch = if self.batch_rows == 0 {
            rows.len().max(1)
        } else {
            self.batch_rows
        };
        let mut scores = Vec::with_capacity(rows.len());
        for chunk in rows.chunks(batch) {
            let values = to_values(feed::build(&self.feed, &resolved, chunk)?)?;
            let inputs = values
                .iter()
                .map(|(name, v)| (name.as_str(), SessionInputValue::from(v)))
                .collect();
            scores.extend(self.run(&self.runner, inputs, chunk.len())?);
        }
        check_scores(&scores, rows)?;
        Ok(scores)
    }

    /// Parses `rows` of `columns` into typed inputs up front, so that
    /// [`score_row`](Self::score_row) times what serving one request costs.
    pub fn prepare_rows(
        &self,
        columns: &[(&str, ColumnRef<'_>)],
        rows: &[usize],
    ) -> Result<PreparedRows, OnnxError> {
        let n = feed::row_count(columns)?;
        if let Some(&bad) = rows.iter().find(|&&r| r >= n) {
            return Err(OnnxError::Input(format!(
                "row {bad} out of range ({n} rows)"
            )));
        }
        let resolved = feed::resolve(&self.feed, columns)?;
        let rows = rows
            .iter()
            .map(|&r| to_values(feed::build(&self.feed, &resolved, &[r])?))
            .collect::<Result<_, _>>()?;
        let runner = Mutex::new(self.new_runner()?);
        Ok(PreparedRows { rows, runner })
    }

    /// Scores prepared row `i % prepared.len()` through the session (one run).
    pub fn score_row(&self, prepared: &PreparedRows, i: usize) -> Result<f64, OnnxError> {
        if prepared.rows.is_empty() {
            return Err(OnnxError::Input("no prepared row to score".into()));
        }
        let row = &prepared.rows[i % prepared.rows.len()];
        let inputs = row
            .iter()
            .map(|(name, v)| (name.as_str(), SessionInputValue::from(v)))
            .collect();
        let scores = self.run(&prepared.runner, inputs, 1)?;
        check_scores(&scores, &[i % prepared.rows.len()])?;
        scores
            .first()
            .copied()
            .ok_or_else(|| OnnxError::Output("the run returned no score".into()))
    }

    /// Another session like the first, with run options fetching the same
    /// output. The file must still be the one loaded (same sha256).
    fn new_runner(&self) -> Result<Runner, OnnxError> {
        let session = match &self.source {
            Source::Unzipped(bytes) => runtime::session_from_memory(&self.path, bytes)?,
            Source::File => {
                let fail = |message: String| OnnxError::Model {
                    path: self.path.display().to_string(),
                    message,
                };
                let bytes =
                    std::fs::read(&self.path).map_err(|e| fail(format!("cannot read: {e}")))?;
                if crate::config::sha256_hex(&bytes) != self.sha256 {
                    return Err(fail(
                        "the file changed since it was loaded (sha256 differs)".into(),
                    ));
                }
                runtime::session(&self.path)?
            }
        };
        let options = fetch_options(&self.path, &self.output.fetch)?;
        Ok(Runner { session, options })
    }

    /// One run over `inputs` (`n` rows), fetching only the probability output.
    fn run(
        &self,
        runner: &Mutex<Runner>,
        inputs: Vec<(&str, SessionInputValue<'_>)>,
        n: usize,
    ) -> Result<Vec<f64>, OnnxError> {
        // A panic elsewhere while holding the lock leaves the session usable.
        let mut guard = runner
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let Runner { session, options } = &mut *guard;
        let outputs = session
            .run_with_options(inputs, options)
            .map_err(|e| OnnxError::Output(format!("ONNX Runtime failed to score: {e}")))?;
        output::extract(&self.output, &outputs, n)
    }
}

/// A session for the model at `path` (`bytes`), with its outputs as the
/// file declares them: on a copy without its ZipMaps when they can be
/// dropped ([`unzip`]) and ONNX Runtime takes the copy, else on the file.
fn open(path: &Path, bytes: &[u8]) -> Result<Opened, OnnxError> {
    if let Ok(Some(r)) = unzip::rewrite(bytes) {
        if let Ok(session) = runtime::session_from_memory(path, &r.bytes) {
            let outputs = output::declared(session.outputs());
            if let Some(declared) = unzip::as_declared(&outputs, &r.unzipped) {
                return Ok(Opened {
                    session,
                    declared,
                    unzipped: r.unzipped,
                    source: Source::Unzipped(r.bytes),
                });
            }
        }
    }
    let session = runtime::session(path)?;
    let declared = output::declared(session.outputs());
    Ok(Opened {
        session,
        declared,
        unzipped: Vec::new(),
        source: Source::File,
    })
}

/// What [`open`] gives.
struct Opened {
    session: Session,
    declared: Vec<output::Declared>,
    unzipped: Vec<unzip::Unzipped>,
    source: Source,
}

/// Run options fetching only the output `fetch`.
fn fetch_options(path: &Path, fetch: &str) -> Result<RunOptions<HasSelectedOutputs>, OnnxError> {
    Ok(RunOptions::new()
        .map_err(|e| OnnxError::Model {
            path: path.display().to_string(),
            message: format!("cannot create run options: {e}"),
        })?
        .with_outputs(OutputSelector::no_default().with(fetch)))
}

/// A probability that is NaN means the model met a missing value it does not
/// handle: an error naming the rows (indices from `rows`), not a silent NaN.
fn check_scores(scores: &[f64], rows: &[usize]) -> Result<(), OnnxError> {
    let bad: Vec<usize> = scores
        .iter()
        .zip(rows)
        .filter(|(s, _)| s.is_nan())
        .map(|(_, &r)| r)
        .collect();
    if bad.is_empty() {
        return Ok(());
    }
    let shown: Vec<String> = bad.iter().take(5).map(usize::to_string).collect();
    Err(OnnxError::Output(format!(
        "the model scored {} row{} as NaN (row{} {}{}): it does not handle missing values in its inputs; impute them in the model (e.g. a SimpleImputer before export) or fill them in the data",
        bad.len(),
        if bad.len() == 1 { "" } else { "s" },
        if bad.len() == 1 { "" } else { "s" },
        shown.join(", "),
        if bad.len() > 5 { ", ..." } else { "" }
    )))
}

/// The tensors of `feeds`, named.
fn to_values(feeds: Vec<feed::Feed>) -> Result<Vec<(String, DynValue)>, OnnxError> {
    feeds
        .into_iter()
        .map(feed::Feed::into_value)
        .collect::<Result<Vec<_>, String>>()
        .map_err(OnnxError::Input)
}

#[cfg(test)]
mod tests;
