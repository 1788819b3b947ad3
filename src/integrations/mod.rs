//! Where users already are: log each check run to an MLflow tracking server
//! (`[mlflow]`), register a promoted champion in its model registry, and
//! post the verdict to a chat webhook (`[notify]`, Slack-compatible JSON).
//!
//! Every call here talks to a remote service, so every failure is a value
//! ([`IntegrationError`]) whose message is free of credentials; the caller
//! decides whether it is a warning (`required = false`) or an error (exit 2).
pub mod http;
pub mod mlflow;
pub mod notify;

pub use http::{IntegrationError, Result};
pub use mlflow::{log_check_run, register_champion, MlflowConfig, MlflowRunInfo};
pub use notify::{notify, NotifyConfig, NotifySummary, On};
