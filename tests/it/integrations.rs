//! `[mlflow]` and `[notify]` against real servers on 127.0.0.1.
//!
//! Tests marked `#[ignore]` need an MLflow 3.17.2 tracking server and the
//! webhook sink; run them with
//!
//! ```sh
//! bash scripts/integration_servers.sh cargo test --test it -- --ignored integrations::
//! ```
//!
//! which starts both, exports `MLFLOW_TEST_URI`, `WEBHOOK_TEST_URL` and
//! `WEBHOOK_SINK_FILE`, and stops them afterwards. Run without the script,
//! they FAIL (they never skip silently). The others need no server.
use release_gate::integrations::http::Auth;
use release_gate::integrations::mlflow::rest::MlflowClient;
use release_gate::integrations::mlflow::{
    log_check_run, register_champion, register_champion_with,
};
use release_gate::integrations::{
    notify, IntegrationError, MlflowConfig, NotifyConfig, NotifySummary, On,
};
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

const HOW: &str =
    "run: bash scripts/integration_servers.sh cargo test --test it -- --ignored integrations::";

fn server_var(name: &str) -> String {
    match std::env::var(name) {
        Ok(v) if !v.is_empty() => v,
        _ => panic!("${name} is not set: this test needs the integration servers; {HOW}"),
    }
}

fn mlflow_uri() -> String {
    server_var("MLFLOW_TEST_URI")
}

fn client() -> MlflowClient {
    MlflowClient::new(&mlflow_uri(), Auth::None).unwrap()
}

/// A unique name per test and process, so reruns against one server never collide.
fn unique(prefix: &str) -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    format!("{prefix}-{}-{nanos}", std::process::id())
}

/// A port on 127.0.0.1 with nothing listening.
fn closed_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}

fn report() -> Value {
    json!({
        "schema_version": 1,
        "tool_version": "0.2.0",
        "command": "check",
        "verdict": "no-go",
        "exit_code": 1,
        "data": {"path": "d.csv", "sha256": "d".repeat(64), "rows": 100},
        "model": {"kind": "random_forest", "threshold": 0.5,
                  "params": {"n_trees": 50, "max_depth": 8, "bins": {"max": 255}}},
        "metrics": {"accuracy": 0.8, "precision": 0.66, "recall": 0.55, "f1": 0.6,
                    "roc_auc": 0.84, "log_loss": 0.42, "brier": 0.14,
                    "confusion": {"tp": 55, "fp": 28, "tn": 700, "fn": 45}},
        "intervals": {"confidence": 0.95,
                      "metrics": {"roc_auc": {"low": 0.81, "high": 0.87, "method": "delong"},
                                  "accuracy": {"low": 0.78, "high": 0.82, "method": "wilson"}}},
        "latency": {"p50_ms": 0.01, "p95_ms": 0.02, "p99_ms": 0.03},
        "champion": {"present": true, "version": "v0003", "metric": "roc_auc",
                     "champion_value": 0.85, "candidate_value": 0.84, "delta": -0.01},
        "gates": [{"name": "quality floor", "kind": "metric", "metric": "roc_auc", "status": "pass"},
                  {"name": "beats champion", "kind": "champion", "status": "fail"}],
        "lineage": {"git": {"commit": "0123456789abcdef0123456789abcdef01234567", "branch": "main", "dirty": false},
                    "config_sha256": "c".repeat(64), "data_sha256": "d".repeat(64), "seed": 42}
    })
}

/// report.json, report.html, model_card.md and model/model.json in a temp dir.
fn artifacts(dir: &Path, report: &Value) -> Vec<(String, PathBuf)> {
    let files = [
        ("report.json", report.to_string()),
        ("report.html", "<html><body>ok</body></html>".to_string()),
        ("model_card.md", "# churn\n\nünïcode ✓\n".to_string()),
        (
            "model.json",
            json!({"kind": "random_forest", "trees": [1, 2, 3]}).to_string(),
        ),
    ];
    files
        .iter()
        .map(|(name, body)| {
            let path = dir.join(name);
            std::fs::write(&path, body).unwrap();
            let artifact = if *name == "model.json" {
                "model/model.json".to_string()
            } else {
                name.to_string()
            };
            (artifact, path)
        })
        .collect()
}

fn as_refs(v: &[(String, PathBuf)]) -> Vec<(&str, &Path)> {
    v.iter().map(|(a, p)| (a.as_str(), p.as_path())).collect()
}

fn kv(run: &Value, kind: &str) -> BTreeMap<String, Value> {
    run.pointer(&format!("/data/{kind}"))
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(|e| (e["key"].as_str().unwrap().to_string(), e["value"].clone()))
        .collect()
}

/// GET one artifact's bytes back through the proxy.
fn download(uri: &str, artifact_uri: &str, rel: &str) -> Vec<u8> {
    let root = release_gate::integrations::mlflow::rest::proxied_root(artifact_uri).unwrap();
    let url = format!("{uri}/api/2.0/mlflow-artifacts/artifacts/{root}/{rel}");
    let mut resp = ureq::get(&url).call().unwrap();
    resp.body_mut().read_to_vec().unwrap()
}

#[test]
#[ignore = "needs the integration servers (scripts/integration_servers.sh)"]
fn mlflow_check_run_lands_with_params_metrics_tags_and_artifacts() {
    let uri = mlflow_uri();
    let dir = tempfile::tempdir().unwrap();
    let report = report();
    let files = artifacts(dir.path(), &report);
    let cfg = MlflowConfig {
        tracking_uri: Some(uri.clone()),
        experiment: unique("rg-it"),
        ..MlflowConfig::default()
    };
    let info = log_check_run(&cfg, &report, &as_refs(&files)).unwrap();
    assert_eq!(
        info.url,
        format!(
            "{uri}/#/experiments/{}/runs/{}",
            info.experiment_id, info.run_id
        )
    );

    let c = client();
    // The experiment was created, and a second run reuses it.
    let exp = c.get_experiment_by_name(&cfg.experiment).unwrap().unwrap();
    assert_eq!(exp["experiment_id"], json!(info.experiment_id));
    let again = log_check_run(&cfg, &report, &[]).unwrap();
    assert_eq!(again.experiment_id, info.experiment_id);
    assert_ne!(again.run_id, info.run_id);

    // Search finds it by tag, as a user would.
    let found = c
        .search_runs(
            &[&info.experiment_id],
            "tags.`release_gate.verdict` = 'no-go'",
        )
        .unwrap();
    assert_eq!(found.len(), 2);

    let run = c.get_run(&info.run_id).unwrap();
    assert_eq!(run.pointer("/info/status"), Some(&json!("FINISHED")));
    assert!(run.pointer("/info/end_time").is_some());
    let params = kv(&run, "params");
    assert_eq!(params["n_trees"], json!("50"));
    assert_eq!(params["bins.max"], json!("255"));
    assert_eq!(params["config_sha256"], json!("c".repeat(64)));
    assert_eq!(params["data_sha256"], json!("d".repeat(64)));
    assert_eq!(params["model_kind"], json!("random_forest"));
    let metrics = kv(&run, "metrics");
    for (k, v) in [
        ("roc_auc", 0.84),
        ("roc_auc_low", 0.81),
        ("roc_auc_high", 0.87),
        ("accuracy_low", 0.78),
        ("brier", 0.14),
        ("confusion.tp", 55.0),
        ("latency_p95_ms", 0.02),
        ("champion_delta", -0.01),
    ] {
        assert_eq!(metrics[k], json!(v), "{k}");
    }
    let tags = kv(&run, "tags");
    assert_eq!(tags["release_gate.verdict"], json!("no-go"));
    assert_eq!(tags["release_gate.gate.quality floor"], json!("pass"));
    assert_eq!(tags["release_gate.gate.beats champion"], json!("fail"));
    assert_eq!(
        tags["mlflow.source.git.commit"],
        json!("0123456789abcdef0123456789abcdef01234567")
    );
    assert_eq!(tags["mlflow.source.git.branch"], json!("main"));

    let root: Vec<String> = c
        .list_artifacts(&info.run_id, "")
        .unwrap()
        .iter()
        .map(|f| f["path"].as_str().unwrap().to_string())
        .collect();
    for want in ["report.json", "report.html", "model_card.md", "model"] {
        assert!(root.contains(&want.to_string()), "{want} not in {root:?}");
    }
    let model = c.list_artifacts(&info.run_id, "model").unwrap();
    assert_eq!(model[0]["path"], json!("model/model.json"));
    let artifact_uri = run
        .pointer("/info/artifact_uri")
        .and_then(Value::as_str)
        .unwrap();
    for (rel, path) in &files {
        assert_eq!(
            download(&uri, artifact_uri, rel),
            std::fs::read(path).unwrap(),
            "{rel}"
        );
    }
}

#[test]
#[ignore = "needs the integration servers (scripts/integration_servers.sh)"]
fn mlflow_log_batch_limits_are_respected() {
    // 1500 metrics, 150 params (one of 10000 characters) and 120 gate tags:
    // every one of the server's per-request limits is crossed.
    let mut report = report();
    let metrics: serde_json::Map<String, Value> = (0..1500)
        .map(|i| (format!("m{i:04}"), json!(i as f64 / 7.0)))
        .collect();
    let mut params: serde_json::Map<String, Value> =
        (0..150).map(|i| (format!("p{i:03}"), json!(i))).collect();
    params.insert("long".into(), json!("x".repeat(10_000)));
    let gates: Vec<Value> = (0..120)
        .map(|i| json!({"name": format!("g{i:03}"), "status": "pass"}))
        .collect();
    report["metrics"] = Value::Object(metrics);
    report["model"]["params"] = Value::Object(params);
    report["gates"] = Value::Array(gates);
    let cfg = MlflowConfig {
        tracking_uri: Some(mlflow_uri()),
        experiment: unique("rg-limits"),
        ..MlflowConfig::default()
    };
    let info = log_check_run(&cfg, &report, &[]).unwrap();
    let run = client().get_run(&info.run_id).unwrap();
    let metrics = kv(&run, "metrics");
    let params = kv(&run, "params");
    let tags = kv(&run, "tags");
    assert_eq!(metrics.keys().filter(|k| k.starts_with('m')).count(), 1500);
    assert_eq!(metrics["m1499"], json!(1499.0 / 7.0));
    assert_eq!(params.keys().filter(|k| k.starts_with('p')).count(), 150);
    assert_eq!(params["long"].as_str().unwrap().len(), 6000);
    assert_eq!(
        tags.keys()
            .filter(|k| k.starts_with("release_gate.gate.g"))
            .count(),
        120
    );
}

#[test]
#[ignore = "needs the integration servers (scripts/integration_servers.sh)"]
fn mlflow_register_champion_sets_the_alias() {
    let dir = tempfile::tempdir().unwrap();
    let report = report();
    let files = artifacts(dir.path(), &report);
    let cfg = MlflowConfig {
        tracking_uri: Some(mlflow_uri()),
        experiment: unique("rg-registry"),
        registered_model: Some(unique("churn")),
        required: true,
    };
    let first = log_check_run(&cfg, &report, &as_refs(&files)).unwrap();
    let v1 = register_champion(&cfg, &first.run_id, "model").unwrap();
    let second = log_check_run(&cfg, &report, &as_refs(&files)).unwrap();
    let v2 = register_champion(&cfg, &second.run_id, "model/").unwrap();
    assert_eq!((v1.as_str(), v2.as_str()), ("1", "2"));
    let name = cfg.registered_model.as_deref().unwrap();
    let mv = client()
        .get_model_version_by_alias(name, "champion")
        .unwrap();
    assert_eq!(mv["version"], json!("2"));
    assert_eq!(mv["run_id"], json!(second.run_id));
    assert_eq!(
        mv["source"],
        json!(format!("runs:/{}/model", second.run_id))
    );
    assert!(mv["aliases"]
        .as_array()
        .unwrap()
        .contains(&json!("champion")));

    // No registered_model: a config error, nothing sent.
    let no_model = MlflowConfig {
        registered_model: None,
        ..cfg.clone()
    };
    let err = register_champion_with(&client(), &no_model, &second.run_id, "model").unwrap_err();
    assert!(matches!(err, IntegrationError::Config(_)), "{err}");
}

#[test]
fn mlflow_unreachable_server_is_an_error_value_without_credentials() {
    let secret_pw = "pw-Zx81-unreachable";
    let token = "tok-Qm3v-unreachable";
    let uri = format!("http://alice:{secret_pw}@127.0.0.1:{}", closed_port());
    // Userinfo in the URI, and a Bearer token.
    for auth in [Auth::None, Auth::Bearer(token.into())] {
        let c = MlflowClient::new(&uri, auth)
            .unwrap()
            .with_backoff(Duration::from_millis(5));
        let started = std::time::Instant::now();
        let err = c.get_or_create_experiment("x").unwrap_err();
        assert!(started.elapsed() < Duration::from_secs(20));
        let msg = format!("{err} | {err:?}");
        assert!(
            matches!(err, IntegrationError::Unreachable { tries: 3, .. }),
            "{msg}"
        );
        assert!(
            !msg.contains(secret_pw) && !msg.contains(token) && !msg.contains("alice:"),
            "{msg}"
        );
        assert!(msg.contains("127.0.0.1"), "{msg}");
    }
    // The public entry point, as the pipeline calls it.
    let cfg = MlflowConfig {
        tracking_uri: Some(uri.clone()),
        ..MlflowConfig::default()
    };
    let err = log_check_run(&cfg, &report(), &[]).unwrap_err().to_string();
    assert!(!err.contains(secret_pw), "{err}");
}

#[test]
#[ignore = "needs the integration servers (scripts/integration_servers.sh)"]
fn mlflow_server_errors_are_scrubbed_of_credentials() {
    // The server echoes the (bogus) run id in its 404 message; that id is
    // the token itself, so an unscrubbed message would leak it.
    let token = "tok-9f8e7d6c5b4a-secret";
    let c = MlflowClient::new(&mlflow_uri(), Auth::Bearer(token.into())).unwrap();
    let err = c.get_run(token).unwrap_err();
    assert_eq!(err.status(), Some(404), "{err}");
    let msg = format!("{err} | {err:?}");
    assert!(!msg.contains(token), "{msg}");
    assert!(msg.contains("***"), "{msg}");
    // Basic credentials: the password and its base64 form.
    let password = "hunter2-Basic-pw";
    let uri = mlflow_uri().replacen("http://", &format!("http://bob:{password}@"), 1);
    let c = MlflowClient::new(&uri, Auth::None).unwrap();
    let err = c.get_run(password).unwrap_err();
    let msg = format!("{err} | {err:?}");
    assert!(!msg.contains(password), "{msg}");
}

fn sink_lines(path: &str) -> Vec<Value> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

fn summary(verdict: &str) -> NotifySummary {
    NotifySummary {
        verdict: verdict.into(),
        failing_gates: vec!["beats champion".into()],
        key_metric: Some(("roc_auc".into(), 0.84, Some(0.85))),
        run_url: Some("https://github.com/o/r/actions/runs/42".into()),
        subject: None,
    }
}

#[test]
#[ignore = "needs the integration servers (scripts/integration_servers.sh)"]
fn notify_posts_slack_json_when_asked() {
    let base = server_var("WEBHOOK_TEST_URL");
    let sink = server_var("WEBHOOK_SINK_FILE");
    let path = format!("/{}", unique("hook"));
    let cfg = NotifyConfig {
        webhook: format!("{base}{path}"),
        on: On::NoGo,
    };
    // no-go + on = "no-go": sent.
    assert!(notify(&cfg, &summary("no-go"), None).unwrap());
    // go + on = "no-go": not sent.
    assert!(!notify(&cfg, &summary("go"), None).unwrap());
    // change: sent only when the verdict differs from the champion's.
    let change = NotifyConfig {
        on: On::Change,
        ..cfg.clone()
    };
    assert!(!notify(&change, &summary("go"), Some("go")).unwrap());
    assert!(notify(&change, &summary("go"), Some("no-go")).unwrap());
    let mine: Vec<Value> = sink_lines(&sink)
        .into_iter()
        .filter(|l| l["path"] == json!(path))
        .collect();
    assert_eq!(mine.len(), 2, "{mine:?}");
    assert_eq!(
        mine[0]["body"],
        json!({"text": "⛔ release-gate: NO-GO\nFailing gates: beats champion\n\
                        roc_auc: 0.8400 (champion 0.8500, -0.0100)\n\
                        Run: https://github.com/o/r/actions/runs/42"})
    );
    assert!(mine[1]["body"]["text"]
        .as_str()
        .unwrap()
        .starts_with("✅ release-gate: GO"));
}

#[test]
#[ignore = "needs the integration servers (scripts/integration_servers.sh)"]
fn notify_reads_env_webhook_and_retries_5xx() {
    let sink = server_var("WEBHOOK_SINK_FILE");
    server_var("WEBHOOK_TEST_URL");
    // env:VAR form, against the sink's root.
    let cfg = NotifyConfig {
        webhook: "env:WEBHOOK_TEST_URL".into(),
        on: On::Always,
    };
    assert!(notify(&cfg, &summary("go"), None).unwrap());
    // The sink answers 503 twice on /flaky/2/...: the third try lands.
    let base = server_var("WEBHOOK_TEST_URL");
    let flaky = format!("/flaky/2/{}", unique("retry"));
    let cfg = NotifyConfig {
        webhook: format!("{base}{flaky}"),
        on: On::Always,
    };
    assert!(notify(&cfg, &summary("no-go"), None).unwrap());
    let statuses: Vec<Value> = sink_lines(&sink)
        .into_iter()
        .filter(|l| l["path"] == json!(flaky))
        .map(|l| l["status"].clone())
        .collect();
    assert_eq!(statuses, vec![json!(503), json!(503), json!(200)]);
    // Always 503: an error after 3 tries, which never shows the webhook's path.
    let secret = unique("T0-B0-secretpath");
    let cfg = NotifyConfig {
        webhook: format!("{base}/flaky/9/{secret}"),
        on: On::Always,
    };
    let err = notify(&cfg, &summary("no-go"), None).unwrap_err();
    let msg = format!("{err} | {err:?}");
    assert_eq!(err.status(), Some(503), "{msg}");
    assert!(!msg.contains(&secret), "{msg}");
}

#[test]
fn notify_unreachable_webhook_is_an_error_value_without_the_url() {
    let secret = "services/T000/B000/XXXXsecretXXXX";
    let cfg = NotifyConfig {
        webhook: format!("http://127.0.0.1:{}/{secret}", closed_port()),
        on: On::Always,
    };
    let err = notify(&cfg, &summary("no-go"), None).unwrap_err();
    let msg = format!("{err} | {err:?}");
    assert!(
        matches!(err, IntegrationError::Unreachable { tries: 3, .. }),
        "{msg}"
    );
    assert!(!msg.contains("XXXXsecretXXXX"), "{msg}");
}

/// `release-gate check` and `promote` end to end with `[mlflow]` and `[notify]`.
#[test]
#[ignore = "needs the integration servers (scripts/integration_servers.sh)"]
fn check_and_promote_log_to_mlflow_and_notify() {
    let uri = mlflow_uri();
    let sink = PathBuf::from(server_var("WEBHOOK_SINK_FILE"));
    let _ = server_var("WEBHOOK_TEST_URL");
    let before = std::fs::read_to_string(&sink)
        .unwrap_or_default()
        .lines()
        .count();
    let exp = unique("e2e");
    let model = unique("churn");
    let extra = format!(
        "\n[registry]\npath = \"reg\"\n\n[mlflow]\ntracking_uri = \"{uri}\"\nexperiment = \"{exp}\"\n\
         registered_model = \"{model}\"\nrequired = true\n\n[notify]\nwebhook = \"env:WEBHOOK_TEST_URL\"\n\
         on = \"always\"\n"
    );
    let f = crate::fixture::Fixture::new(&extra);
    let r = f.check(0);
    let run_id = r["lineage"]["mlflow"]["run_id"]
        .as_str()
        .expect("lineage.mlflow.run_id");
    let run = client().get_run(run_id).unwrap();
    let text = run.to_string();
    assert!(
        text.contains("release_gate.verdict") && text.contains("roc_auc"),
        "{text}"
    );
    let after = std::fs::read_to_string(&sink).unwrap();
    assert!(after.lines().count() > before, "no webhook post");
    assert!(after.lines().last().unwrap().contains("GO"), "{after}");
    f.cmd(&["promote", "--run", "release-gate-out"])
        .assert()
        .code(0);
    let v = client()
        .get_model_version_by_alias(&model, "champion")
        .unwrap();
    assert!(v.to_string().contains(run_id), "{v}");
}

/// An unreachable server: a warning by default, exit 2 with `required`.
#[test]
fn an_unreachable_mlflow_is_a_warning_unless_required() {
    let extra = "\n[mlflow]\ntracking_uri = \"http://127.0.0.1:9\"\n";
    let f = crate::fixture::Fixture::new(extra);
    let o = f.cmd(&["check"]).output().unwrap();
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(String::from_utf8_lossy(&o.stderr).contains("warning: mlflow"));
    let r = f.report();
    assert!(r["lineage"].get("mlflow").is_none());
    f.write(
        "gates.toml",
        &format!("{}{extra}required = true\n", crate::fixture::BASE_CONFIG),
    );
    let o = f.cmd(&["check"]).output().unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("127.0.0.1:9"));
}
