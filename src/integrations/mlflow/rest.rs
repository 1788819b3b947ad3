//! A minimal MLflow tracking and model-registry REST client (API 2.0, as
//! served by `mlflow server` 3.x), plus the artifacts proxy
//! (`/api/2.0/mlflow-artifacts/artifacts/...`, on by default since 2.0).
use crate::integrations::http::{encode_component, split_userinfo, Auth, Body, Client};
use crate::integrations::http::{IntegrationError, Result};
use serde_json::{json, Value};
use std::path::Path;
use std::time::Duration;

/// Talks to one tracking server.
#[derive(Debug, Clone)]
pub struct MlflowClient {
    base: String,
    http: Client,
}

impl MlflowClient {
    /// A client for `tracking_uri` (`http(s)://host[:port][/prefix]`).
    /// `user:password@` in the URI is used as Basic credentials when `auth`
    /// is [`Auth::None`], and never shown.
    pub fn new(tracking_uri: &str, auth: Auth) -> Result<Self> {
        let uri = tracking_uri.trim();
        if !(uri.starts_with("http://") || uri.starts_with("https://")) {
            let (shown, _) = split_userinfo(uri);
            return Err(IntegrationError::Config(format!(
                "mlflow: tracking_uri `{shown}` is not an http(s) URL of a tracking server \
                 (`mlflow server`); release-gate logs only over its REST API"
            )));
        }
        let (base, userinfo) = split_userinfo(uri);
        let auth = match (auth, userinfo) {
            (Auth::None, Some((user, password))) => Auth::Basic {
                user: percent_decode(&user),
                password: percent_decode(&password),
            },
            (auth, _) => auth,
        };
        let mut secrets = Vec::new();
        if uri != base {
            secrets.push((uri.to_string(), base.clone()));
        }
        let pairs: Vec<(&str, &str)> = secrets
            .iter()
            .map(|(a, b)| (a.as_str(), b.as_str()))
            .collect();
        Ok(MlflowClient {
            base: base.trim_end_matches('/').to_string(),
            http: Client::new(auth, &pairs),
        })
    }

    /// Sets the first retry's sleep (tests use a short one).
    pub fn with_backoff(mut self, backoff: Duration) -> Self {
        self.http = self.http.with_backoff(backoff);
        self
    }

    /// The server's base URL, without credentials.
    pub fn base(&self) -> &str {
        &self.base
    }

    /// The UI page of a run.
    pub fn run_url(&self, experiment_id: &str, run_id: &str) -> String {
        format!("{}/#/experiments/{experiment_id}/runs/{run_id}", self.base)
    }

    fn call(
        &self,
        method: &str,
        endpoint: &str,
        query: &[(&str, &str)],
        body: Option<&Value>,
    ) -> Result<Value> {
        let mut url = format!("{}/api/2.0/mlflow/{endpoint}", self.base);
        for (i, (k, v)) in query.iter().enumerate() {
            url.push(if i == 0 { '?' } else { '&' });
            url.push_str(&format!("{k}={}", encode_component(v)));
        }
        let body = body.map_or(Body::Empty, Body::Json);
        let what = format!("mlflow {endpoint}");
        let target = format!("{}/api/2.0/mlflow/{endpoint}", self.base);
        self.http.send_json(method, &url, body, &what, &target)
    }

    /// The experiment named `name`, or `None` when there is none.
    pub fn get_experiment_by_name(&self, name: &str) -> Result<Option<Value>> {
        match self.call(
            "GET",
            "experiments/get-by-name",
            &[("experiment_name", name)],
            None,
        ) {
            Ok(v) => Ok(v.get("experiment").cloned()),
            Err(e) if e.code() == Some("RESOURCE_DOES_NOT_EXIST") || e.status() == Some(404) => {
                Ok(None)
            }
            Err(e) => Err(e),
        }
    }

    /// The id of the experiment named `name`, created when missing. A
    /// deleted experiment of that name is an error (MLflow keeps the name).
    pub fn get_or_create_experiment(&self, name: &str) -> Result<String> {
        if let Some(exp) = self.get_experiment_by_name(name)? {
            return experiment_id(&exp, name);
        }
        match self.call(
            "POST",
            "experiments/create",
            &[],
            Some(&json!({"name": name})),
        ) {
            Ok(v) => str_at(&v, "/experiment_id", "experiments/create"),
            // Another job created it between our two calls.
            Err(e) if e.code() == Some("RESOURCE_ALREADY_EXISTS") => {
                match self.get_experiment_by_name(name)? {
                    Some(exp) => experiment_id(&exp, name),
                    None => Err(e),
                }
            }
            Err(e) => Err(e),
        }
    }

    /// Creates a run; returns its `info` (`run_id`, `artifact_uri`, ...).
    pub fn create_run(&self, experiment_id: &str, run_name: &str, start_ms: i64) -> Result<Value> {
        let body =
            json!({"experiment_id": experiment_id, "run_name": run_name, "start_time": start_ms});
        let v = self.call("POST", "runs/create", &[], Some(&body))?;
        v.pointer("/run/info")
            .cloned()
            .ok_or_else(|| protocol("runs/create", "no run.info"))
    }

    /// One `runs/log-batch` request (`batch` holds metrics, params, tags).
    pub fn log_batch(&self, run_id: &str, batch: &Value) -> Result<()> {
        let mut body = batch.clone();
        if let Value::Object(m) = &mut body {
            m.insert("run_id".into(), json!(run_id));
        }
        self.call("POST", "runs/log-batch", &[], Some(&body))
            .map(|_| ())
    }

    /// Ends a run: `status` is `FINISHED`, `FAILED` or `KILLED`.
    pub fn update_run(&self, run_id: &str, status: &str, end_ms: i64) -> Result<()> {
        let body = json!({"run_id": run_id, "status": status, "end_time": end_ms});
        self.call("POST", "runs/update", &[], Some(&body))
            .map(|_| ())
    }

    /// The whole run (`info` and `data`).
    pub fn get_run(&self, run_id: &str) -> Result<Value> {
        let v = self.call("GET", "runs/get", &[("run_id", run_id)], None)?;
        v.get("run")
            .cloned()
            .ok_or_else(|| protocol("runs/get", "no run"))
    }

    /// Runs of `experiment_ids` matching an MLflow search `filter`.
    pub fn search_runs(&self, experiment_ids: &[&str], filter: &str) -> Result<Vec<Value>> {
        let body = json!({"experiment_ids": experiment_ids, "filter": filter, "max_results": 1000});
        let v = self.call("POST", "runs/search", &[], Some(&body))?;
        Ok(v.get("runs")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default())
    }

    /// The artifacts of a run under `path` (`""` for the root).
    pub fn list_artifacts(&self, run_id: &str, path: &str) -> Result<Vec<Value>> {
        let v = self.call(
            "GET",
            "artifacts/list",
            &[("run_id", run_id), ("path", path)],
            None,
        )?;
        Ok(v.get("files")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default())
    }

    /// Uploads one file through the tracking server's artifacts proxy to
    /// `<artifact_uri>/<rel_path>`. The run's `artifact_uri` must be an
    /// `mlflow-artifacts:` URI (the server was started with
    /// `--serve-artifacts`, the default).
    pub fn upload_artifact(&self, artifact_uri: &str, rel_path: &str, file: &Path) -> Result<()> {
        let root = proxied_root(artifact_uri).ok_or_else(|| {
            IntegrationError::Config(format!(
                "mlflow: the run's artifact store `{}` is not proxied by the tracking server; \
                 start `mlflow server` with --serve-artifacts (the default) so artifacts go through it",
                split_userinfo(artifact_uri).0
            ))
        })?;
        let bytes = std::fs::read(file).map_err(|source| IntegrationError::Io {
            path: file.display().to_string(),
            source,
        })?;
        let path: Vec<String> = root
            .split('/')
            .chain(rel_path.split(['/', '\\']))
            .filter(|s| !s.is_empty() && *s != "." && *s != "..")
            .map(encode_component)
            .collect();
        let target = format!(
            "{}/api/2.0/mlflow-artifacts/artifacts/{}",
            self.base,
            path.join("/")
        );
        let what = format!("mlflow artifact upload of {}", file.display());
        self.http
            .send(
                "PUT",
                &target,
                Body::Bytes(&bytes, content_type(rel_path)),
                &what,
                &target,
            )
            .map(|_| ())
    }

    /// Creates a registered model; one that already exists is fine.
    pub fn create_registered_model(&self, name: &str) -> Result<()> {
        match self.call(
            "POST",
            "registered-models/create",
            &[],
            Some(&json!({"name": name})),
        ) {
            Ok(_) => Ok(()),
            Err(e) if e.code() == Some("RESOURCE_ALREADY_EXISTS") => Ok(()),
            Err(e) => Err(e),
        }
    }

    /// Creates a model version from `source` (`runs:/<run_id>/<path>`);
    /// returns its version number (as MLflow sends it, a string).
    pub fn create_model_version(&self, name: &str, source: &str, run_id: &str) -> Result<String> {
        let body = json!({"name": name, "source": source, "run_id": run_id});
        let v = self.call("POST", "model-versions/create", &[], Some(&body))?;
        str_at(&v, "/model_version/version", "model-versions/create")
    }

    /// Points `alias` of a registered model at `version`.
    pub fn set_alias(&self, name: &str, alias: &str, version: &str) -> Result<()> {
        let body = json!({"name": name, "alias": alias, "version": version});
        self.call("POST", "registered-models/alias", &[], Some(&body))
            .map(|_| ())
    }

    /// The model version an alias points at.
    pub fn get_model_version_by_alias(&self, name: &str, alias: &str) -> Result<Value> {
        let v = self.call(
            "GET",
            "registered-models/alias",
            &[("name", name), ("alias", alias)],
            None,
        )?;
        v.get("model_version")
            .cloned()
            .ok_or_else(|| protocol("registered-models/alias", "no model_version"))
    }
}

/// The proxy path of an `mlflow-artifacts:` URI:
/// `mlflow-artifacts:/1/abc/artifacts` and
/// `mlflow-artifacts://host:5000/1/abc/artifacts` give `1/abc/artifacts`.
pub fn proxied_root(artifact_uri: &str) -> Option<String> {
    let rest = artifact_uri.strip_prefix("mlflow-artifacts:")?;
    let path = match rest.strip_prefix("//") {
        Some(authority_and_path) => authority_and_path.split_once('/').map_or("", |(_, p)| p),
        None => rest,
    };
    Some(path.trim_matches('/').to_string())
}

fn content_type(path: &str) -> &'static str {
    let ext = path.rsplit('.').next().unwrap_or("").to_ascii_lowercase();
    match ext.as_str() {
        "json" => "application/json",
        "md" => "text/markdown; charset=utf-8",
        "html" => "text/html; charset=utf-8",
        "csv" => "text/csv; charset=utf-8",
        "toml" | "txt" => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

fn experiment_id(exp: &Value, name: &str) -> Result<String> {
    if exp.get("lifecycle_stage").and_then(Value::as_str) == Some("deleted") {
        return Err(IntegrationError::Config(format!(
            "mlflow: experiment `{name}` is deleted; restore it (`mlflow experiments restore`) \
             or set another `experiment` in [mlflow]"
        )));
    }
    str_at(exp, "/experiment_id", "experiments/get-by-name")
}

fn str_at(v: &Value, pointer: &str, endpoint: &str) -> Result<String> {
    match v.pointer(pointer) {
        Some(Value::String(s)) => Ok(s.clone()),
        Some(Value::Number(n)) => Ok(n.to_string()),
        _ => Err(protocol(endpoint, &format!("no {pointer} in the answer"))),
    }
}

fn protocol(endpoint: &str, reason: &str) -> IntegrationError {
    IntegrationError::Protocol {
        what: format!("mlflow {endpoint}"),
        target: endpoint.to_string(),
        reason: reason.to_string(),
    }
}

/// Decodes `%XX` escapes (userinfo in a URL); invalid escapes stay as is.
fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (bytes[i], hex) {
            (b'%', Some(b)) => {
                out.push(b);
                i += 3;
            }
            (b, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn proxied_roots() {
        assert_eq!(
            proxied_root("mlflow-artifacts:/1/abc/artifacts").unwrap(),
            "1/abc/artifacts"
        );
        assert_eq!(
            proxied_root("mlflow-artifacts://h:5000/1/abc/artifacts").unwrap(),
            "1/abc/artifacts"
        );
        assert_eq!(proxied_root("s3://bucket/1/abc/artifacts"), None);
        assert_eq!(proxied_root("/tmp/mlruns/1/abc/artifacts"), None);
    }

    #[test]
    fn non_http_tracking_uri_is_a_config_error() {
        let err = MlflowClient::new("file:///tmp/mlruns", Auth::None).unwrap_err();
        assert!(matches!(err, IntegrationError::Config(_)), "{err}");
        assert!(MlflowClient::new("databricks", Auth::None).is_err());
    }

    #[test]
    fn percent_decoding() {
        assert_eq!(percent_decode("pa%40ss%2"), "pa@ss%2");
        assert_eq!(percent_decode("%zz"), "%zz");
    }
}
