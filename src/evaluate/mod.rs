//! Evaluation: quality metrics, fairness per group, latency, drift, and the
//! curves behind the HTML report's charts.

pub mod curves;
pub mod drift;
pub mod fairness;
pub mod metrics;
pub mod percentile;
pub mod ranked;
pub mod stats;
