//! Integration tests: drive the real `release-gate` binary on small fixtures.
#![allow(clippy::unwrap_used, clippy::expect_used)]
mod architecture;
mod check;
mod ci_formats;
mod external;
mod fixture;
mod gbm;
mod github;
mod hostile;
mod init;
mod integrations;
mod perf;
mod predict;
mod registry;
mod schema;
mod stats;
mod trust;
