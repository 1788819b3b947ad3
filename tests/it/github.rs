//! GitHub Actions integration, driven by the environment a runner sets:
//! step summary, step outputs, annotations at the right `gates.toml` lines,
//! and the CI run recorded in lineage.
use crate::fixture::Fixture;
use std::process::Output;

const GATES: &str = r#"
[[gate]]
name = "quality floor"
kind = "metric"
metric = "roc_auc"
min = 0.5

[[gate]]
name = "impossible: auc"
kind = "metric"
metric = "roc_auc"
min = 0.999

[[gate]]
name = "watch brier"
kind = "metric"
metric = "brier"
max = 0.0001
severity = "warn"
"#;

/// Runs `args` as a GitHub Actions step would, with summary/output files.
fn run_as_github(f: &Fixture, args: &[&str]) -> Output {
    f.write("summary.md", "previous step's summary\n");
    f.write("output.txt", "earlier=1\n");
    f.cmd(args)
        .env("GITHUB_ACTIONS", "true")
        .env("GITHUB_STEP_SUMMARY", f.path("summary.md"))
        .env("GITHUB_OUTPUT", f.path("output.txt"))
        .env("GITHUB_SHA", "0123abcd")
        .env("GITHUB_REF", "refs/pull/7/merge")
        .env("GITHUB_RUN_ID", "4242")
        .env("GITHUB_SERVER_URL", "https://github.example")
        .env("GITHUB_REPOSITORY", "acme/models")
        .output()
        .unwrap()
}

/// 1-based line numbers of the `[[gate]]` headers in the fixture's gates.toml.
fn gate_lines(f: &Fixture) -> Vec<usize> {
    f.read("gates.toml")
        .lines()
        .enumerate()
        .filter(|(_, l)| l.trim() == "[[gate]]")
        .map(|(i, _)| i + 1)
        .collect()
}

#[test]
fn step_summary_outputs_and_annotations() {
    let f = Fixture::new(GATES);
    let out = run_as_github(&f, &["check"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "stderr:\n{stderr}");
    let report = f.report();

    let summary = f.read("summary.md");
    let md = f.read("release-gate-out/report.md");
    assert_eq!(summary, format!("previous step's summary\n{md}"));

    let outputs = f.read("output.txt");
    let lines: Vec<&str> = outputs.lines().collect();
    assert_eq!(lines[0], "earlier=1", "appended, not overwritten");
    assert!(lines.contains(&"verdict=no-go"), "{outputs}");
    assert!(lines.contains(&"exit_code=1"), "{outputs}");
    assert!(
        lines.contains(&"report_path=release-gate-out/report.json"),
        "{outputs}"
    );
    let auc = report["metrics"]["roc_auc"].as_f64().unwrap();
    assert!(
        lines.contains(&format!("roc_auc={auc:?}").as_str()),
        "{outputs}"
    );
    assert!(lines.iter().any(|l| l.starts_with("brier=0.")), "{outputs}");

    let at = gate_lines(&f);
    assert_eq!(at.len(), 3);
    let annotations: Vec<&str> = stderr.lines().filter(|l| l.starts_with("::")).collect();
    let expected_error = format!(
        "::error file=gates.toml,line={},title=impossible%3A auc::metric gate fail: ",
        at[1]
    );
    let expected_warning = format!(
        "::warning file=gates.toml,line={},title=watch brier::",
        at[2]
    );
    assert_eq!(annotations.len(), 2, "{annotations:?}");
    assert!(
        annotations[0].starts_with(&expected_error),
        "{annotations:?}"
    );
    assert!(
        annotations[1].starts_with(&expected_warning),
        "{annotations:?}"
    );
    assert!(
        !stderr.contains("title=quality floor"),
        "a passing gate is not annotated"
    );
}

#[test]
fn lineage_records_the_github_run() {
    let f = Fixture::new(GATES);
    run_as_github(&f, &["check", "--quiet"]);
    let ci = &f.report()["lineage"]["ci"];
    assert_eq!(ci["provider"], "github");
    assert_eq!(ci["sha"], "0123abcd");
    assert_eq!(ci["ref"], "refs/pull/7/merge");
    assert_eq!(ci["run_id"], "4242");
    assert_eq!(
        ci["run_url"],
        "https://github.example/acme/models/actions/runs/4242"
    );
}

#[test]
fn quiet_keeps_stdout_to_the_verdict_line() {
    let f = Fixture::new(GATES);
    let out = run_as_github(&f, &["check", "--quiet"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(stdout.lines().count(), 1, "{stdout}");
    assert!(stdout.starts_with("NO-GO"), "{stdout}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        !stderr.contains("training"),
        "no progress when quiet: {stderr}"
    );
}

#[test]
fn contract_violations_annotate_the_data_file() {
    let f = Fixture::new("[contract]\nmin_rows = 100000\n");
    let out = run_as_github(&f, &["validate"]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("::error file=data.csv,title=data contract%3A * min_rows::"),
        "{stderr}"
    );
    assert!(f.read("output.txt").contains("verdict=no-go\n"));
}

#[test]
fn config_errors_are_annotated_at_their_line() {
    let f = Fixture::new("\n[model]\nthresold = 0.4\n");
    let out = run_as_github(&f, &["check"]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    let line = f
        .read("gates.toml")
        .lines()
        .position(|l| l.starts_with("thresold"))
        .unwrap()
        + 1;
    let expected = format!("::error file=gates.toml,line={line},col=1,title=release-gate error::");
    assert!(stderr.contains(&expected), "{stderr}");
    // The workflow still gets the verdict and exit code, and the summary says why.
    assert_eq!(
        f.read("output.txt"),
        "earlier=1\nverdict=error\nexit_code=2\n"
    );
    let summary = f.read("summary.md");
    assert!(summary.starts_with("previous step's summary\n## release-gate: error"));
    assert!(summary.contains("thresold"), "{summary}");
}

#[test]
fn nothing_github_specific_outside_github() {
    let f = Fixture::new(GATES);
    f.write("summary.md", "");
    let out = f
        .cmd(&["check"])
        .env("GITHUB_STEP_SUMMARY", f.path("summary.md"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(!String::from_utf8_lossy(&out.stderr).contains("::error"));
    assert_eq!(f.read("summary.md"), "");
}

/// With a step `working-directory:`, annotations still name the file
/// relative to the checkout, where GitHub attaches them.
#[test]
fn annotations_are_relative_to_the_workspace() {
    let f = Fixture::new(GATES);
    std::fs::create_dir_all(f.path("ml")).unwrap();
    std::fs::rename(f.path("gates.toml"), f.path("ml/gates.toml")).unwrap();
    std::fs::rename(f.path("data.csv"), f.path("ml/data.csv")).unwrap();
    let out = f
        .cmd(&["check"])
        .current_dir(f.path("ml"))
        .env("GITHUB_ACTIONS", "true")
        .env("GITHUB_WORKSPACE", f.dir.path())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("::error file=ml/gates.toml,line="),
        "{stderr}"
    );
    assert!(!stderr.contains("file=gates.toml"), "{stderr}");
}
