//! Integration tests: drive the real `release-gate` binary on small fixtures.
mod check;
mod fixture;
