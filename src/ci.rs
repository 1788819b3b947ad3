//! GitHub Actions integration, active when `GITHUB_ACTIONS=true`: after a
//! `check` or `validate` run, append `report.md` to `$GITHUB_STEP_SUMMARY`,
//! write the verdict, exit code, report path and every metric to
//! `$GITHUB_OUTPUT`, and annotate failing gates at their `[[gate]]` line in
//! `gates.toml` (and contract violations on the data file).
//!
//! Workflow commands (`::error ...::`) go to stderr: the runner reads both
//! streams, and stdout must stay clean for `--format json | jq`. A problem
//! writing GitHub's files is a warning, never a change of verdict.
use crate::config::Plan;
use crate::domain::{GateStatus, Report};
use anyhow::Context;
use std::io::Write as _;
use std::path::{Component, Path, PathBuf};

/// True when running as a GitHub Actions step.
pub fn github_actions() -> bool {
    std::env::var("GITHUB_ACTIONS").as_deref() == Ok("true")
}

/// Publishes a finished run to GitHub: annotations, step summary, outputs.
pub fn publish(r: &Report, plan: &Plan, out: &Path) {
    let mut err = std::io::stderr().lock();
    for line in annotations(r, plan) {
        let _ = writeln!(err, "{line}");
    }
    append_env_files(
        &mut err,
        [
            ("GITHUB_STEP_SUMMARY", summary_text(out)),
            ("GITHUB_OUTPUT", Ok(outputs_text(r, out))),
        ],
    );
}

/// Appends each text to the file its variable names; a failure is a warning
/// annotation (publishing must never change the verdict).
fn append_env_files<const N: usize>(
    err: &mut impl std::io::Write,
    files: [(&str, anyhow::Result<String>); N],
) {
    for (var, text) in files {
        if let Err(e) = text.and_then(|t| append_to_env_file(var, &t)) {
            let _ = writeln!(
                err,
                "::warning title=release-gate::{}",
                escape_data(&format!("{e:#}"))
            );
        }
    }
}

/// Publishes a run that could not decide (exit 2): the error annotation on
/// stderr, `verdict=error` and `exit_code=2` in `$GITHUB_OUTPUT`, and the
/// error in the step summary, so a workflow sees the same keys either way.
pub fn publish_error(message: &str, at: Option<&crate::error::Location>, exit_code: u8) {
    let mut err = std::io::stderr().lock();
    let _ = writeln!(err, "{}", error_annotation(message, at));
    let outputs = format!(
        "{}{}",
        output_entry("verdict", "error"),
        output_entry("exit_code", &exit_code.to_string())
    );
    let summary = format!(
        "## release-gate: error\n\nThe gate could not decide (exit {exit_code}):\n\n```\n{}\n```\n",
        message.replace("```", "'''")
    );
    append_env_files(
        &mut err,
        [
            ("GITHUB_OUTPUT", Ok(outputs)),
            ("GITHUB_STEP_SUMMARY", Ok(summary)),
        ],
    );
}

/// `report.md` of the run, as written to the out dir.
fn summary_text(out: &Path) -> anyhow::Result<String> {
    let path = out.join(crate::output::REPORT_MD);
    let mut text = std::fs::read_to_string(&path)
        .with_context(|| format!("{}: cannot read the step summary", path.display()))?;
    if !text.ends_with('\n') {
        text.push('\n');
    }
    Ok(text)
}

/// Appends `text` to the file named by environment variable `var`, if set.
fn append_to_env_file(var: &str, text: &str) -> anyhow::Result<()> {
    let Some(path) = std::env::var_os(var).filter(|p| !p.is_empty()) else {
        return Ok(());
    };
    let path = PathBuf::from(path);
    let mut f = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&path)
        .with_context(|| format!("${var} ({}): cannot open", path.display()))?;
    f.write_all(text.as_bytes())
        .with_context(|| format!("${var} ({}): cannot write", path.display()))
}

/// The `$GITHUB_OUTPUT` lines: verdict, exit_code, report_path, each metric.
pub fn outputs_text(r: &Report, out: &Path) -> String {
    let verdict = match r.verdict {
        crate::domain::Verdict::Go => "go",
        crate::domain::Verdict::NoGo => "no-go",
    };
    let report_path = out.join(crate::output::REPORT_JSON);
    let mut pairs = vec![
        ("verdict".to_string(), verdict.to_string()),
        ("exit_code".to_string(), r.exit_code.to_string()),
        ("report_path".to_string(), report_path.display().to_string()),
    ];
    pairs.extend(metric_pairs(r));
    pairs.iter().map(|(k, v)| output_entry(k, v)).collect()
}

/// Every defined metric as `(name, value)`, full precision.
fn metric_pairs(r: &Report) -> Vec<(String, String)> {
    let Some(m) = &r.metrics else {
        return Vec::new();
    };
    let Ok(serde_json::Value::Object(map)) = serde_json::to_value(m) else {
        return Vec::new();
    };
    map.into_iter()
        .filter_map(|(k, v)| v.as_f64().map(|x| (k, format!("{x:?}"))))
        .collect()
}

/// One `$GITHUB_OUTPUT` entry: `key=value`, or the heredoc form
/// `key<<DELIM ... DELIM` when the value spans lines.
pub fn output_entry(key: &str, value: &str) -> String {
    if !value.contains(['\n', '\r']) {
        return format!("{key}={value}\n");
    }
    let mut delim = format!("ghadelimiter_{}", unique_suffix());
    while value.contains(&delim) {
        delim.push('_');
    }
    format!("{key}<<{delim}\n{value}\n{delim}\n")
}

fn unique_suffix() -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    format!("{:x}{:x}", std::process::id(), nanos)
}

/// `::error`/`::warning` lines: blocking gates that failed or were
/// inconclusive, warn gates that tripped, and contract violations.
pub fn annotations(r: &Report, plan: &Plan) -> Vec<String> {
    let config = workspace_path(&plan.config_path);
    let mut out = Vec::new();
    for g in &r.gates {
        let level = match g.status {
            GateStatus::Fail | GateStatus::Inconclusive => "error",
            GateStatus::Warn => "warning",
            GateStatus::Pass | GateStatus::Skipped => continue,
        };
        let mut props = vec![("file", config.clone())];
        if let Some(line) = g.line {
            props.push(("line", line.to_string()));
        }
        props.push(("title", g.name.clone()));
        let msg = format!("{} gate {}: {}", g.kind, g.status.label(), g.message);
        out.push(command(level, &props, &msg));
    }
    for v in &r.contract.violations {
        let data = match (&plan.data.test_path, v.test_file) {
            (Some(t), true) => t,
            _ => &plan.data.path,
        };
        let props = [
            ("file", workspace_path(data)),
            ("title", format!("data contract: {} {}", v.column, v.rule)),
        ];
        out.push(command("error", &props, &v.message));
    }
    out
}

/// An annotation for an error that stopped the run (exit 2), pointing at
/// the config line and column when the error has a location.
pub fn error_annotation(message: &str, at: Option<&crate::error::Location>) -> String {
    let mut props = Vec::new();
    if let Some(at) = at {
        props.push(("file", workspace_path(&at.path)));
        props.push(("line", at.line.to_string()));
        props.push(("col", at.col.to_string()));
    }
    props.push(("title", "release-gate error".to_string()));
    command("error", &props, message)
}

/// `::level k=v,k=v::message`, escaped per GitHub's workflow-command rules.
fn command(level: &str, props: &[(&str, String)], message: &str) -> String {
    let props: Vec<String> = props
        .iter()
        .map(|(k, v)| format!("{k}={}", escape_property(v)))
        .collect();
    format!("::{level} {}::{}", props.join(","), escape_data(message))
}

/// Escapes a command's message: `%`, CR and LF.
pub fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes a command property value: as [`escape_data`], plus `:` and `,`.
pub fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

/// The path without `./` components, `/`-separated: how GitHub names files.
/// `p` as GitHub attaches annotations to files: relative to the checkout
/// (`$GITHUB_WORKSPACE`) when inside it, whatever the step's working
/// directory; else as given.
fn workspace_path(p: &Path) -> String {
    let resolve = |q: &Path| std::fs::canonicalize(q).or_else(|_| std::path::absolute(q));
    let inside = std::env::var_os("GITHUB_WORKSPACE")
        .filter(|w| !w.is_empty())
        .and_then(|w| {
            let (ws, abs) = (resolve(Path::new(&w)).ok()?, resolve(p).ok()?);
            abs.strip_prefix(ws).ok().map(Path::to_path_buf)
        });
    clean_path(inside.as_deref().unwrap_or(p))
}

fn clean_path(p: &Path) -> String {
    let parts: Vec<String> = p
        .components()
        .filter(|c| !matches!(c, Component::CurDir))
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    let joined = parts.join("/");
    // An absolute path keeps its root (`/` + `tmp/...` would double the slash).
    joined.replacen("//", "/", 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_data_and_properties() {
        assert_eq!(escape_data("50% a\r\nb"), "50%25 a%0D%0Ab");
        assert_eq!(escape_property("a:b,c%"), "a%3Ab%2Cc%25");
    }

    #[test]
    fn multi_line_outputs_use_a_heredoc() {
        assert_eq!(output_entry("k", "v"), "k=v\n");
        let e = output_entry("k", "a\nb");
        let delim = e.lines().next().and_then(|l| l.strip_prefix("k<<"));
        let delim = delim.unwrap_or_default();
        assert!(delim.starts_with("ghadelimiter_"), "{e}");
        assert_eq!(e, format!("k<<{delim}\na\nb\n{delim}\n"));
    }

    #[test]
    fn error_annotation_points_at_config_errors() {
        let text = "gates.toml:8:1: unknown field `x`\n   8 | x = 1";
        let e = match crate::config::parse(Path::new("gates.toml"), "[data]\n\n\n\n\n\n\nx = 1\n") {
            Err(e) => e,
            Ok(_) => panic!("an unknown key parses"),
        };
        assert!(e.to_string().starts_with("gates.toml:8:1: "), "{e}");
        assert!(e.to_string().contains("`x`"), "{e}");
        // The position comes from the error's location, not from its text.
        let a = error_annotation(text, e.location());
        assert!(
            a.starts_with("::error file=gates.toml,line=8,col=1,title=release-gate error::"),
            "{a}"
        );
        assert!(a.contains("%0A"), "{a}");
        let b = error_annotation("data.csv: cannot read", None);
        assert!(
            b.starts_with("::error title=release-gate error::data.csv"),
            "{b}"
        );
    }

    #[test]
    fn clean_path_drops_dot_components() {
        assert_eq!(clean_path(Path::new("./a/./b.csv")), "a/b.csv");
        assert_eq!(clean_path(Path::new("/tmp/x.csv")), "/tmp/x.csv");
    }
}
