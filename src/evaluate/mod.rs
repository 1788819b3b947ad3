//! Evaluation: quality metrics, fairness per group, latency, drift.

pub mod drift;
pub mod fairness;
pub mod metrics;
