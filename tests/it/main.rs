//! Integration tests: drive the real `release-gate` binary on small fixtures.
#![allow(clippy::unwrap_used, clippy::expect_used)]
mod check;
mod fixture;
mod hostile;
mod github;
mod init;
mod registry;
mod schema;
