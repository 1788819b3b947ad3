//! `[notify]`: post the verdict to a chat webhook. The body is
//! `{"text": "..."}`, which Slack, Mattermost and Microsoft Teams incoming
//! webhooks all accept; plain text with Unicode symbols, so it reads the
//! same in each.
use crate::integrations::http::{redact_url, Auth, Body, Client};
use crate::integrations::http::{IntegrationError, Result};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use std::fmt;

/// `[notify]` in `gates.toml`.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NotifyConfig {
    /// The incoming-webhook URL, or `env:VAR` to read it from a variable
    /// (recommended: a webhook URL is a secret).
    pub webhook: String,
    /// When to post: `no-go` (default), `always`, or `change` (the verdict
    /// differs from the champion's).
    #[serde(default)]
    pub on: On,
}

/// A literal webhook URL is a secret: `Debug` shows its host only.
impl fmt::Debug for NotifyConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let shown = if self.webhook.starts_with("env:") {
            self.webhook.clone()
        } else {
            redact_url(&self.webhook)
        };
        f.debug_struct("NotifyConfig")
            .field("webhook", &shown)
            .field("on", &self.on)
            .finish()
    }
}

/// When a notification is sent.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum On {
    /// Only on a NO-GO.
    #[default]
    NoGo,
    /// After every run.
    Always,
    /// When the verdict differs from the champion's (and on the first run,
    /// when there is no champion verdict to compare with).
    Change,
}

/// What a notification says.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NotifySummary {
    /// `go` or `no-go`.
    pub verdict: String,
    /// Gates that failed or were inconclusive (warn-severity ones marked `(warn)`).
    pub failing_gates: Vec<String>,
    /// (metric, candidate value, champion value when one was scored).
    pub key_metric: Option<(String, f64, Option<f64>)>,
    /// Where to look: the CI run (or the MLflow run).
    pub run_url: Option<String>,
    /// What was gated, e.g. the model card name; shown first when set.
    #[serde(default)]
    pub subject: Option<String>,
}

impl NotifySummary {
    /// The summary of a parsed `report.json`. The key metric is the
    /// champion gate's metric, else the first metric gate's, else
    /// `roc_auc`; the run URL is the GitHub Actions run
    /// ([`github_run_url`]), else `lineage.ci.run_url`.
    pub fn from_report(report: &Value) -> Self {
        let text = |p: &str| {
            report
                .pointer(p)
                .and_then(Value::as_str)
                .map(str::to_string)
        };
        let mut failing_gates = Vec::new();
        for g in report
            .get("gates")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let name = g.get("name").and_then(Value::as_str).unwrap_or("gate");
            match g.get("status").and_then(Value::as_str) {
                Some("fail") => failing_gates.push(name.to_string()),
                Some(s @ ("inconclusive" | "warn")) => failing_gates.push(format!("{name} ({s})")),
                _ => {}
            }
        }
        let metric = text("/champion/metric")
            .filter(|m| !m.is_empty())
            .or_else(|| {
                report
                    .get("gates")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                    .filter(|g| g.get("kind").and_then(Value::as_str) == Some("metric"))
                    .find_map(|g| g.get("metric").and_then(Value::as_str).map(str::to_string))
            })
            .unwrap_or_else(|| "roc_auc".into());
        let key_metric = report
            .pointer(&format!("/metrics/{metric}"))
            .and_then(Value::as_f64)
            .map(|candidate| {
                let champion = report
                    .pointer("/champion/champion_value")
                    .and_then(Value::as_f64)
                    .filter(|_| text("/champion/metric").as_deref() == Some(metric.as_str()));
                (metric.clone(), candidate, champion)
            });
        NotifySummary {
            verdict: text("/verdict").unwrap_or_else(|| "unknown".into()),
            failing_gates,
            key_metric,
            run_url: github_run_url().or_else(|| text("/lineage/ci/run_url")),
            subject: text("/model_card/name"),
        }
    }

    /// The message text.
    pub fn text(&self) -> String {
        let go = self.verdict == "go";
        let mut head = format!(
            "{} release-gate: {}",
            if go { "✅" } else { "⛔" },
            if go { "GO" } else { "NO-GO" }
        );
        if let Some(subject) = &self.subject {
            head.push_str(&format!(" for {subject}"));
        }
        let mut lines = vec![head];
        if !self.failing_gates.is_empty() {
            lines.push(format!("Failing gates: {}", self.failing_gates.join(", ")));
        }
        if let Some((name, candidate, champion)) = &self.key_metric {
            lines.push(match champion {
                Some(c) => format!(
                    "{name}: {candidate:.4} (champion {c:.4}, {:+.4})",
                    candidate - c
                ),
                None => format!("{name}: {candidate:.4}"),
            });
        }
        if let Some(url) = &self.run_url {
            lines.push(format!("Run: {url}"));
        }
        lines.join("\n")
    }
}

/// `$GITHUB_SERVER_URL/$GITHUB_REPOSITORY/actions/runs/$GITHUB_RUN_ID`
/// when all three are set.
pub fn github_run_url() -> Option<String> {
    let var = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
    Some(format!(
        "{}/{}/actions/runs/{}",
        var("GITHUB_SERVER_URL")?.trim_end_matches('/'),
        var("GITHUB_REPOSITORY")?,
        var("GITHUB_RUN_ID")?
    ))
}

/// Whether `on` asks for a message about `verdict`.
pub fn should_send(on: On, verdict: &str, champion_verdict: Option<&str>) -> bool {
    match on {
        On::Always => true,
        On::NoGo => verdict != "go",
        On::Change => champion_verdict != Some(verdict),
    }
}

impl NotifyConfig {
    /// The webhook URL, reading `env:VAR`.
    pub fn resolved_webhook(&self) -> Result<String> {
        // The caller prefixes "notify: " (round 15: it was doubled).
        let url = match self.webhook.strip_prefix("env:") {
            Some(var) if var.trim().is_empty() => {
                return Err(IntegrationError::Config(
                    "webhook = \"env:\" names no environment variable: write \"env:VAR\""
                        .to_string(),
                ))
            }
            Some(var) => std::env::var(var)
                .ok()
                .filter(|v| !v.trim().is_empty())
                .ok_or_else(|| {
                    IntegrationError::Config(format!(
                        "webhook = \"env:{var}\" but ${var} is not set"
                    ))
                })?,
            None => self.webhook.clone(),
        };
        let url = url.trim().to_string();
        if !(url.starts_with("https://") || url.starts_with("http://")) {
            return Err(IntegrationError::Config(format!(
                "webhook `{}` is not an http(s) URL",
                redact_url(&url)
            )));
        }
        Ok(url)
    }
}

/// Posts `summary` when `cfg.on` asks for it (`champion_verdict` is the
/// verdict recorded for the current champion, for `on = "change"`).
/// Returns whether a message was sent. One POST, retried on connect
/// errors, 429 and 5xx; the webhook URL never appears in an error.
pub fn notify(
    cfg: &NotifyConfig,
    summary: &NotifySummary,
    champion_verdict: Option<&str>,
) -> Result<bool> {
    if !should_send(cfg.on, &summary.verdict, champion_verdict) {
        return Ok(false);
    }
    let url = cfg.resolved_webhook()?;
    let shown = redact_url(&url);
    let client = Client::new(Auth::None, &[(url.as_str(), shown.as_str())]);
    let body = json!({ "text": summary.text() });
    client.send("POST", &url, Body::Json(&body), "notify webhook", &shown)?;
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn on_parses_kebab_case_and_defaults_to_no_go() {
        let cfg: NotifyConfig = toml::from_str("webhook = \"env:SLACK\"").unwrap();
        assert_eq!(cfg.on, On::NoGo);
        let cfg: NotifyConfig = toml::from_str("webhook = \"x\"\non = \"change\"").unwrap();
        assert_eq!(cfg.on, On::Change);
        assert!(toml::from_str::<NotifyConfig>("webhook = \"x\"\non = \"sometimes\"").is_err());
        assert!(toml::from_str::<NotifyConfig>("webhook = \"x\"\nchannel = \"#ml\"").is_err());
    }

    #[test]
    fn when_to_send() {
        assert!(should_send(On::NoGo, "no-go", None));
        assert!(!should_send(On::NoGo, "go", Some("no-go")));
        assert!(should_send(On::Always, "go", Some("go")));
        assert!(should_send(On::Change, "go", Some("no-go")));
        assert!(!should_send(On::Change, "go", Some("go")));
        assert!(should_send(On::Change, "go", None));
    }

    #[test]
    fn debug_hides_a_literal_webhook() {
        let cfg = NotifyConfig {
            webhook: "https://hooks.slack.com/services/T0/B0/secretpath".into(),
            on: On::Always,
        };
        let shown = format!("{cfg:?}");
        assert!(!shown.contains("secretpath"), "{shown}");
        assert!(shown.contains("hooks.slack.com"));
    }

    #[test]
    fn summary_from_report_and_text() {
        let report = json!({
            "verdict": "no-go",
            "model_card": {"name": "churn"},
            "metrics": {"roc_auc": 0.8312, "accuracy": 0.8},
            "champion": {"present": true, "metric": "roc_auc", "champion_value": 0.8401},
            "gates": [{"name": "quality floor", "kind": "metric", "metric": "accuracy", "status": "fail"},
                      {"name": "fair", "kind": "fairness", "status": "inconclusive"},
                      {"name": "lat", "kind": "latency", "status": "pass"}],
            "lineage": {"ci": {"run_url": "https://ci.example/run/7"}}
        });
        let mut s = NotifySummary::from_report(&report);
        s.run_url = Some("https://ci.example/run/7".into()); // independent of this process's env
        assert_eq!(
            s.failing_gates,
            vec!["quality floor", "fair (inconclusive)"]
        );
        assert_eq!(s.key_metric, Some(("roc_auc".into(), 0.8312, Some(0.8401))));
        assert_eq!(
            s.text(),
            "⛔ release-gate: NO-GO for churn\nFailing gates: quality floor, fair (inconclusive)\n\
             roc_auc: 0.8312 (champion 0.8401, -0.0089)\nRun: https://ci.example/run/7"
        );
    }

    #[test]
    fn bad_webhooks_are_config_errors_without_the_secret() {
        let cfg = NotifyConfig {
            webhook: "env:RELEASE_GATE_TEST_SURELY_UNSET_VAR".into(),
            on: On::Always,
        };
        let err = cfg.resolved_webhook().unwrap_err();
        assert!(err
            .to_string()
            .contains("RELEASE_GATE_TEST_SURELY_UNSET_VAR is not set"));
        // The caller says "notify: " once.
        assert!(!err.to_string().contains("notify:"), "{err}");
        let cfg = NotifyConfig {
            webhook: "env:".into(),
            on: On::Always,
        };
        let err = cfg.resolved_webhook().unwrap_err().to_string();
        assert!(err.contains("names no environment variable"), "{err}");
        let cfg = NotifyConfig {
            webhook: "ftp://user:pw@host/secret".into(),
            on: On::Always,
        };
        let err = cfg.resolved_webhook().unwrap_err().to_string();
        assert!(!err.contains("secret") && !err.contains("pw"), "{err}");
    }
}
