//! `report.json`: the machine-readable run (SPEC section 6), written as
//! pretty JSON and read back by `report`, `compare` and `promote`.
use super::Report;
use anyhow::Context;
use std::path::Path;

/// Pretty JSON with a trailing newline.
pub fn render(r: &Report) -> anyhow::Result<String> {
    let mut s = serde_json::to_string_pretty(r).context("could not serialize the report")?;
    s.push('\n');
    Ok(s)
}

/// Reads a saved `report.json`; errors name the path.
pub fn load(path: &Path) -> anyhow::Result<Report> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("could not read report {}", path.display()))?;
    serde_json::from_str(&text)
        .with_context(|| format!("{}: not a valid release-gate report", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::sample::sample_report;

    #[test]
    fn renders_spec_keys_and_round_trips() {
        let r = sample_report();
        let text = render(&r).unwrap();
        assert!(text.ends_with("}\n"));
        let v: serde_json::Value = serde_json::from_str(&text).unwrap();
        for key in [
            "schema_version",
            "tool_version",
            "verdict",
            "exit_code",
            "data",
            "model",
            "metrics",
            "fairness",
            "latency",
            "champion",
            "contract",
            "drift",
            "gates",
            "lineage",
        ] {
            assert!(v.get(key).is_some(), "missing key {key}");
        }
        assert_eq!(v["verdict"], "no-go");
        assert_eq!(v["gates"][1]["status"], "fail");
        assert_eq!(v["fairness"]["female"]["groups"]["0"]["count"], 700);

        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("report.json");
        std::fs::write(&path, &text).unwrap();
        assert_eq!(load(&path).unwrap(), r);
    }

    #[test]
    fn load_errors_name_the_path() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("nope.json");
        let err = format!("{:#}", load(&missing).unwrap_err());
        assert!(err.contains("nope.json"), "{err}");

        let bad = dir.path().join("bad.json");
        std::fs::write(&bad, "{\"schema_version\": 1}").unwrap();
        let err = format!("{:#}", load(&bad).unwrap_err());
        assert!(err.contains("bad.json"), "{err}");
    }
}
