//! release-gate: decides, inside CI, whether a machine-learning model may ship.
//!
//! The pipeline reads top to bottom: `config` (parse + resolve `gates.toml`),
//! `data` (load, contract, split), `features` (preprocessing), `model`
//! (training and scoring), `evaluate` (metrics, fairness, latency, drift),
//! `gates` (verdicts as data), `registry` (champion), `lineage`, `report`
//! (all rendering). `cli` wires them; `pipeline` runs `check`.
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
