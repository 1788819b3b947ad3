//! What the stages share: the finished [`Run`], the progress [`Observer`]
//! and the stage timings.
use crate::domain::Report;
use std::collections::BTreeMap;
use std::time::Instant;

pub const TOOL_VERSION: &str = env!("CARGO_PKG_VERSION");

/// A finished run: the report and, for `check`, what goes next to it.
pub struct Run {
    pub report: Report,
    /// `model.json`: the trained model, or what describes a model made
    /// elsewhere.
    pub artifact_json: Option<String>,
    pub predictions: Option<Predictions>,
    /// Files copied into the out dir beside the artifacts (`model.onnx`).
    pub copies: Vec<(&'static str, std::path::PathBuf)>,
}

impl Run {
    /// A run that stopped before a model existed (validate, a violated contract).
    pub fn report_only(report: Report) -> Run {
        Run {
            report,
            artifact_json: None,
            predictions: None,
            copies: Vec::new(),
        }
    }
}

/// Above this many evaluation rows the predictions are written as
/// `predictions.parquet` (SPEC §8.1): a CSV of every row of a Spark-scale
/// evaluation is hundreds of megabytes that help nobody.
pub const PARQUET_PREDICTIONS_ABOVE: usize = 1_000_000;

/// One row per test row, for `predictions.csv` (or `.parquet`).
pub struct Predictions {
    pub row: Vec<u64>,
    pub y_true: Vec<u8>,
    pub score: Vec<f64>,
    pub y_pred: Vec<u8>,
    /// The champion's score per test row, when it was re-scored.
    pub champion_score: Option<Vec<f64>>,
    /// Protected attribute name and its group per test row.
    pub protected: Vec<(String, crate::evaluate::fairness::Groups)>,
}

impl Predictions {
    /// Whether they are written as Parquet rather than CSV.
    pub fn as_parquet(&self) -> bool {
        self.row.len() > PARQUET_PREDICTIONS_ABOVE
    }
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

pub type Progress<'a> = &'a dyn Observer;

/// Wall time per stage in milliseconds (`report.json` `timings_ms`, keyed
/// by [`Stage::name`]).
pub type Timings = BTreeMap<String, f64>;

/// A timed stage of a run: one key of `report.json` `timings_ms`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    Load,
    Contract,
    Split,
    Preprocess,
    Train,
    RowHashes,
    Score,
    Metrics,
    Fairness,
    Intervals,
    Latency,
    Curves,
    Drift,
    Explain,
    Champion,
    Report,
}

impl Stage {
    pub const ALL: [Stage; 16] = [
        Stage::Load,
        Stage::Contract,
        Stage::Split,
        Stage::Preprocess,
        Stage::Train,
        Stage::RowHashes,
        Stage::Score,
        Stage::Metrics,
        Stage::Fairness,
        Stage::Intervals,
        Stage::Latency,
        Stage::Curves,
        Stage::Drift,
        Stage::Explain,
        Stage::Champion,
        Stage::Report,
    ];

    /// The key in `timings_ms`.
    pub fn name(self) -> &'static str {
        match self {
            Stage::Load => "load",
            Stage::Contract => "contract",
            Stage::Split => "split",
            Stage::Preprocess => "preprocess",
            Stage::Train => "train",
            Stage::RowHashes => "row_hashes",
            Stage::Score => "score",
            Stage::Metrics => "metrics",
            Stage::Fairness => "fairness",
            Stage::Intervals => "intervals",
            Stage::Latency => "latency",
            Stage::Curves => "curves",
            Stage::Drift => "drift",
            Stage::Explain => "explain",
            Stage::Champion => "champion",
            Stage::Report => "report",
        }
    }
}

/// Runs `f`, adding its wall time to `stage`.
pub fn timed<T>(timings: &mut Timings, stage: Stage, f: impl FnOnce() -> T) -> T {
    let t = Instant::now();
    let out = f();
    add_time(timings, stage, t.elapsed());
    out
}

/// Adds `elapsed` to `stage`.
pub fn add_time(timings: &mut Timings, stage: Stage, elapsed: std::time::Duration) {
    *timings.entry(stage.name().to_string()).or_insert(0.0) += elapsed.as_secs_f64() * 1e3;
}

/// Drops `value` on a thread of its own: freeing the gigabyte of a
/// 20M-row run (the kernel taking back its pages) then overlaps what
/// follows rather than delaying it. If no thread starts, the value is
/// dropped here, with the closure that held it.
pub fn drop_aside<T: Send + 'static>(value: T) {
    let spawned = std::thread::Builder::new()
        .name("drop".into())
        .spawn(move || drop(value));
    drop(spawned);
}
