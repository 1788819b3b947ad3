//! Integration tests: drive the real `release-gate` binary on small fixtures.
#![allow(clippy::unwrap_used, clippy::expect_used)]
mod check;
mod ci_formats;
mod fixture;
mod github;
mod hostile;
mod init;
mod perf;
mod registry;
mod schema;
