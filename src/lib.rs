//! release-gate: decides, inside CI, whether a machine-learning model may ship.
//!
//! The pipeline reads top to bottom: `config` (parse + resolve `gates.toml`),
//! `data` (load, contract, split), `features` (preprocessing), `model`
//! (training and scoring), `evaluate` (metrics, fairness, latency, drift),
//! `gates` (verdicts as data), `registry` (champion), `lineage`, `report`
//! (all rendering). `cli` wires them; `pipeline` runs `check`.
/// `eprintln!` that never panics: a diagnostic line to stderr, dropped
/// when stderr is gone (`check 2>&1 | head -1` closes the pipe early; a
/// panic there would end the run before its artifacts are written: round
/// 20, F1).
macro_rules! diag {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stderr(), $($arg)*);
    }};
}

pub mod artifact;
pub mod atomic;
pub mod ci;
pub mod cli;
pub mod config;
pub mod data;
pub mod domain;
pub mod error;
pub mod evaluate;
pub mod explain;
pub mod features;
pub mod gates;
pub mod init;
pub mod integrations;
pub mod lineage;
pub mod model;
pub mod outdir;
pub mod output;
pub mod pipeline;
pub mod predict;
pub mod progress;
pub mod promote;
pub mod registry;
pub mod report;
pub mod rng;
pub mod saved;
pub mod track;
