//! `[mlflow]`: log every check run to an MLflow tracking server (params,
//! metrics, tags, artifacts) and register a promoted champion in its model
//! registry under the alias `champion`.
pub mod payload;
pub mod rest;

use crate::integrations::http::Auth;
use crate::integrations::http::{IntegrationError, Result};
use rest::MlflowClient;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::path::Path;

/// The alias a promoted model version gets in the registry.
pub const CHAMPION_ALIAS: &str = "champion";

/// `[mlflow]` in `gates.toml`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MlflowConfig {
    /// The tracking server, `http(s)://host:port`; default: `$MLFLOW_TRACKING_URI`.
    /// Credentials come from `MLFLOW_TRACKING_TOKEN` (Bearer) or
    /// `MLFLOW_TRACKING_USERNAME`/`MLFLOW_TRACKING_PASSWORD` (Basic).
    #[serde(default)]
    pub tracking_uri: Option<String>,
    /// The experiment every check run is logged to; created when missing.
    #[serde(default = "default_experiment")]
    pub experiment: String,
    /// `promote` registers the model in this registered model and sets
    /// its alias `champion`; no registration when absent.
    #[serde(default)]
    pub registered_model: Option<String>,
    /// `true`: an unreachable or failing server is an error (exit 2);
    /// `false` (default): a warning, the verdict stands.
    #[serde(default)]
    pub required: bool,
}

fn default_experiment() -> String {
    "release-gate".into()
}

impl Default for MlflowConfig {
    fn default() -> Self {
        MlflowConfig {
            tracking_uri: None,
            experiment: default_experiment(),
            registered_model: None,
            required: false,
        }
    }
}

impl MlflowConfig {
    /// `tracking_uri`, else `$MLFLOW_TRACKING_URI`; an error when neither is set.
    pub fn resolved_tracking_uri(&self) -> Result<String> {
        self.tracking_uri
            .clone()
            .filter(|u| !u.trim().is_empty())
            .or_else(|| env("MLFLOW_TRACKING_URI"))
            .ok_or_else(|| {
                IntegrationError::Config(
                    "mlflow: no tracking server: set [mlflow] tracking_uri or $MLFLOW_TRACKING_URI"
                        .into(),
                )
            })
    }

    /// A client for the configured server with the environment's credentials.
    pub fn client(&self) -> Result<MlflowClient> {
        MlflowClient::new(&self.resolved_tracking_uri()?, auth_from_env())
    }
}

/// Where a check run landed (`report.json` `lineage.mlflow`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct MlflowRunInfo {
    pub run_id: String,
    pub experiment_id: String,
    /// The run's page in the MLflow UI.
    pub url: String,
}

/// Credentials from the environment, as the MLflow client reads them:
/// `MLFLOW_TRACKING_TOKEN` (Bearer) wins over
/// `MLFLOW_TRACKING_USERNAME` + `MLFLOW_TRACKING_PASSWORD` (Basic).
pub fn auth_from_env() -> Auth {
    auth_from(env)
}

/// [`auth_from_env`] over any variable source (tests pass a map).
pub fn auth_from(get: impl Fn(&str) -> Option<String>) -> Auth {
    if let Some(token) = get("MLFLOW_TRACKING_TOKEN") {
        return Auth::Bearer(token);
    }
    match (
        get("MLFLOW_TRACKING_USERNAME"),
        get("MLFLOW_TRACKING_PASSWORD"),
    ) {
        (Some(user), Some(password)) => Auth::Basic { user, password },
        _ => Auth::None,
    }
}

fn env(key: &str) -> Option<String> {
    std::env::var(key).ok().filter(|v| !v.is_empty())
}

/// Logs one check run: gets or creates the experiment, creates a run,
/// logs params, metrics and tags from `report` (the parsed `report.json`)
/// in batches within MLflow's limits, uploads `artifacts` (artifact path in
/// the run, local file) through the server's artifacts proxy, and ends the
/// run `FINISHED`. A failure after the run was created marks it `FAILED`
/// (best effort) and returns the error.
pub fn log_check_run(
    cfg: &MlflowConfig,
    report: &Value,
    artifacts: &[(&str, &Path)],
) -> Result<MlflowRunInfo> {
    log_check_run_with(&cfg.client()?, cfg, report, artifacts)
}

/// [`log_check_run`] through a given client.
pub fn log_check_run_with(
    client: &MlflowClient,
    cfg: &MlflowConfig,
    report: &Value,
    artifacts: &[(&str, &Path)],
) -> Result<MlflowRunInfo> {
    let experiment_id = client.get_or_create_experiment(&cfg.experiment)?;
    let start = now_ms();
    let info = client.create_run(&experiment_id, &run_name(report), start)?;
    let run_id = info
        .get("run_id")
        .and_then(Value::as_str)
        .map(str::to_string)
        .ok_or_else(|| IntegrationError::Protocol {
            what: "mlflow runs/create".into(),
            target: client.base().to_string(),
            reason: "no run_id in the answer".into(),
        })?;
    let artifact_uri = info
        .get("artifact_uri")
        .and_then(Value::as_str)
        .unwrap_or("");
    let logged = (|| {
        let batches = payload::batches(
            &payload::metrics(report),
            &payload::params(report),
            &payload::tags(report),
            start,
        );
        for batch in &batches {
            client.log_batch(&run_id, batch)?;
        }
        for (name, path) in artifacts {
            client.upload_artifact(artifact_uri, name, path)?;
        }
        client.update_run(&run_id, "FINISHED", now_ms())
    })();
    if let Err(e) = logged {
        // Best effort: the run should not stay RUNNING forever in the UI.
        let _ = client.update_run(&run_id, "FAILED", now_ms());
        return Err(e);
    }
    Ok(MlflowRunInfo {
        url: client.run_url(&experiment_id, &run_id),
        run_id,
        experiment_id,
    })
}

/// Registers the model logged under `artifact_path` of run `run_id` as a
/// new version of `cfg.registered_model` (created when missing) and points
/// the alias `champion` at it. Returns the version number.
pub fn register_champion(cfg: &MlflowConfig, run_id: &str, artifact_path: &str) -> Result<String> {
    register_champion_with(&cfg.client()?, cfg, run_id, artifact_path)
}

/// [`register_champion`] through a given client.
pub fn register_champion_with(
    client: &MlflowClient,
    cfg: &MlflowConfig,
    run_id: &str,
    artifact_path: &str,
) -> Result<String> {
    let name = cfg
        .registered_model
        .as_deref()
        .filter(|n| !n.is_empty())
        .ok_or_else(|| {
            IntegrationError::Config(
                "mlflow: set [mlflow] registered_model to register the champion".into(),
            )
        })?;
    client.create_registered_model(name)?;
    let source = format!("runs:/{run_id}/{}", artifact_path.trim_matches('/'));
    let version = client.create_model_version(name, &source, run_id)?;
    client.set_alias(name, CHAMPION_ALIAS, &version)?;
    Ok(version)
}

/// `<model kind> <verdict> <short commit>`, e.g. `logistic_regression go 1a2b3c4`.
fn run_name(report: &Value) -> String {
    let text = |p: &str| report.pointer(p).and_then(Value::as_str);
    let mut parts = vec![
        text("/model/kind").unwrap_or("validate"),
        text("/verdict").unwrap_or("unknown"),
    ];
    if let Some(commit) = text("/lineage/git/commit") {
        parts.push(commit.get(..7).unwrap_or(commit));
    }
    parts.join(" ")
}

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    #[test]
    fn config_defaults_and_unknown_keys() {
        let cfg: MlflowConfig = toml::from_str("tracking_uri = \"http://127.0.0.1:5000\"").unwrap();
        assert_eq!(cfg.experiment, "release-gate");
        assert!(!cfg.required);
        assert_eq!(cfg.registered_model, None);
        let err = toml::from_str::<MlflowConfig>("experimnt = \"x\"").unwrap_err();
        assert!(err.to_string().contains("unknown field"), "{err}");
    }

    #[test]
    fn credentials_come_from_env_token_first() {
        let vars: HashMap<&str, &str> = [
            ("MLFLOW_TRACKING_TOKEN", "tok"),
            ("MLFLOW_TRACKING_USERNAME", "u"),
            ("MLFLOW_TRACKING_PASSWORD", "p"),
        ]
        .into();
        let get = |k: &str| vars.get(k).map(|v| v.to_string());
        assert!(matches!(auth_from(get), Auth::Bearer(t) if t == "tok"));
        let basic = auth_from(|k| (k != "MLFLOW_TRACKING_TOKEN").then(|| vars[k].to_string()));
        assert!(matches!(basic, Auth::Basic { user, password } if user == "u" && password == "p"));
        assert!(matches!(auth_from(|_| None), Auth::None));
    }

    #[test]
    fn run_names_are_short() {
        let r = serde_json::json!({"model": {"kind": "random_forest"}, "verdict": "no-go",
                                    "lineage": {"git": {"commit": "0123456789abcdef"}}});
        assert_eq!(run_name(&r), "random_forest no-go 0123456");
    }
}
