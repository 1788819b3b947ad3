//! `release-gate init`: a starter config and workflow, guessed from the data,
//! that `check` accepts; never overwriting anything.
use crate::fixture::{dataset, Fixture};

/// A dataset with a churn-like target and protected-looking columns.
fn churn_csv() -> String {
    let base = dataset(400, 3, 0.0);
    let mut out = String::new();
    for (i, line) in base.lines().enumerate() {
        let (sex, senior) = if i == 0 {
            ("Gender".to_string(), "SeniorCitizen".to_string())
        } else {
            let sex = if i % 3 == 0 { "F" } else { "M" };
            let senior = if i % 5 == 0 { "1" } else { "0" };
            (sex.to_string(), senior.to_string())
        };
        let line = line.replace(",yes", ",Yes").replace(",no", ",No");
        out.push_str(&format!("{sex},{senior},{line}\n"));
    }
    out.replace(",label\n", ",Churn\n")
}

#[test]
fn init_from_data_writes_a_config_that_check_accepts() {
    let f = Fixture::new("");
    std::fs::remove_file(f.path("gates.toml")).unwrap();
    f.write("data/customers.csv", &churn_csv());
    let out = f
        .cmd(&["init", "--data", "data/customers.csv", "--dir", "project"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let config = f.read("project/gates.toml");
    assert!(
        config.contains("path = \"../data/customers.csv\""),
        "{config}"
    );
    assert!(config.contains("target = \"Churn\""), "{config}");
    assert!(config.contains("positive = \"Yes\""), "{config}");
    assert!(
        config.contains("protected = [\"Gender\", \"SeniorCitizen\"]"),
        "{config}"
    );
    assert!(config.contains("drop = [\"id\"]"), "{config}");
    assert!(config.contains("age looks protected but has"), "{config}");
    assert!(
        config.contains("attribute = \"Gender\""),
        "a fairness gate per protected column"
    );
    for line in config
        .lines()
        .filter(|l| l.contains(" = ") && !l.starts_with('#'))
    {
        assert!(line.contains(" # "), "every key is commented: {line}");
    }
    let workflow = f.read("project/.github/workflows/release-gate.yml");
    assert!(workflow.contains("pull_request:") && workflow.contains("schedule:"));
    assert!(workflow.contains("release-gate promote --run release-gate-out"));

    let check = f
        .cmd(&["check", "--config", "project/gates.toml", "--out", "out"])
        .output()
        .unwrap();
    let code = check.status.code();
    assert!(
        matches!(code, Some(0 | 1)),
        "check must decide, not error ({code:?}):\n{}",
        String::from_utf8_lossy(&check.stderr)
    );
    let report: serde_json::Value = serde_json::from_str(&f.read("out/report.json")).unwrap();
    assert_eq!(report["data"]["target"], "Churn");
    // [stats] on, and the quality floor judged on its interval's lower end.
    assert_eq!(report["intervals"]["confidence"], 0.95);
    assert!(report["intervals"]["metrics"]["roc_auc"]["low"].is_f64());
    // (400 rows: the 80-row test split is below min_test_rows, so the floor
    // cannot pass either way; the interval is computed all the same.)
    let floor = crate::fixture::gate(&report, "quality floor");
    assert_eq!(floor["status"], "inconclusive", "{floor}");
    assert!(config.contains("bound = \"lower\""), "{config}");
    assert!(
        report["fairness"]["Gender"]["groups"]["F"]["count"]
            .as_u64()
            .unwrap()
            > 0
    );
}

#[test]
fn init_without_data_writes_a_valid_starter() {
    let f = Fixture::new("");
    let out = f
        .cmd(&["init", "--dir", "fresh", "--action", "acme/rg@v2"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(f
        .read("fresh/.github/workflows/release-gate.yml")
        .contains("uses: acme/rg@v2"));
    // The starter parses: validate gets past the config and fails only on the missing data.
    let v = f
        .cmd(&["validate", "--config", "fresh/gates.toml"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&v.stderr);
    assert_eq!(v.status.code(), Some(2));
    assert!(stderr.contains("train.csv"), "{stderr}");
}

#[test]
fn init_never_overwrites() {
    // gates.toml exists: it is kept byte for byte, the workflow still written.
    let f = Fixture::new("");
    let before = f.read("gates.toml");
    let out = f.cmd(&["init", "--data", "data.csv"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("kept ./gates.toml (already exists"),
        "{stdout}"
    );
    assert!(
        stdout.contains("wrote ./.github/workflows/release-gate.yml"),
        "{stdout}"
    );
    assert!(
        !stdout.contains("guessed"),
        "the kept gates.toml used no guess: {stdout}"
    );
    assert_eq!(f.read("gates.toml"), before);
    // Both exist now: nothing to write is an error, and nothing changes.
    let workflow = f.read(".github/workflows/release-gate.yml");
    let out = f.cmd(&["init"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("already exist; init never overwrites"),
        "{stderr}"
    );
    assert_eq!(f.read("gates.toml"), before);
    assert_eq!(f.read(".github/workflows/release-gate.yml"), workflow);
}
