//! `release-gate check` end to end: verdicts, exit codes, artifacts, lineage.
use crate::fixture::{dataset, exists, features, gate, Fixture, BASE_CONFIG};
use predicates::prelude::PredicateBooleanExt;
use predicates::str::contains;

const GOOD_GATES: &str = r#"
[[gate]]
name = "quality floor"
kind = "metric"
metric = "roc_auc"
min = 0.7

[[gate]]
kind = "fairness"
attribute = "group"
metric = "disparate_impact"
min = 0.5

[[gate]]
kind = "latency"
max_ms = 50.0

[[gate]]
kind = "champion"
metric = "roc_auc"
on_missing = "pass"
"#;

#[test]
fn go_run_writes_every_artifact_with_spec_keys() {
    let f = Fixture::new(GOOD_GATES);
    let r = f.check(0);
    assert_eq!(r["verdict"], "go");
    assert_eq!(r["exit_code"], 0);
    assert_eq!(r["schema_version"], 1);
    for key in [
        "tool_version",
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
        assert!(!r[key].is_null(), "report.json lacks {key}");
    }
    assert_eq!(r["data"]["rows"], 600);
    assert_eq!(
        r["data"]["train_rows"].as_u64().unwrap() + r["data"]["test_rows"].as_u64().unwrap(),
        600
    );
    assert_eq!(r["data"]["sha256"].as_str().unwrap().len(), 64);
    assert_eq!(
        features(&r),
        vec!["age", "income", "plan"],
        "id dropped, group protected, label is the target"
    );
    for m in [
        "accuracy",
        "precision",
        "recall",
        "f1",
        "roc_auc",
        "log_loss",
        "brier",
    ] {
        assert!(r["metrics"][m].is_f64(), "metric {m} missing");
    }
    assert!(r["metrics"]["roc_auc"].as_f64().unwrap() > 0.7);
    let groups = &r["fairness"]["group"]["groups"];
    assert!(
        groups["a"]["count"].as_u64().unwrap() > 0 && groups["b"]["count"].as_u64().unwrap() > 0
    );
    assert!(r["latency"]["p95_ms"].as_f64().unwrap() > 0.0);
    assert_eq!(r["champion"]["present"], false);
    assert_eq!(gate(&r, "quality floor")["status"], "pass");
    for file in [
        "report.json",
        "report.md",
        "model_card.md",
        "predictions.csv",
        "model.json",
    ] {
        assert!(
            exists(&f.path(&format!("release-gate-out/{file}"))),
            "{file} missing"
        );
    }
    let preds = f.read("release-gate-out/predictions.csv");
    let mut lines = preds.lines();
    assert_eq!(lines.next(), Some("row,y_true,score,y_pred,group"));
    assert_eq!(
        lines.count() as u64,
        r["data"]["test_rows"].as_u64().unwrap()
    );
}

#[test]
fn table_output_shows_gates_and_verdict() {
    let f = Fixture::new(GOOD_GATES);
    f.cmd(&["check"])
        .assert()
        .code(0)
        .stdout(contains("quality floor"))
        .stdout(contains("GO"))
        .stdout(contains("NO-GO").not());
}

#[test]
fn json_format_prints_the_report_on_stdout() {
    let f = Fixture::new(GOOD_GATES);
    let out = f.cmd(&["check", "--format", "json"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("stdout is JSON");
    assert_eq!(v["verdict"], "go");
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        f.read("release-gate-out/report.json"),
        "stdout is report.json to the byte"
    );
}

#[test]
fn metric_gate_fails_the_run() {
    let f = Fixture::new(
        "[[gate]]\nname = \"impossible\"\nkind = \"metric\"\nmetric = \"accuracy\"\nmin = 0.999\n",
    );
    let r = f.check(1);
    assert_eq!(r["verdict"], "no-go");
    assert_eq!(gate(&r, "impossible")["status"], "fail");
}

#[test]
fn lower_is_better_metric_uses_max() {
    let f = Fixture::new(
        "[[gate]]\nname = \"ll\"\nkind = \"metric\"\nmetric = \"log_loss\"\nmax = 0.01\n",
    );
    let r = f.check(1);
    assert_eq!(gate(&r, "ll")["status"], "fail");
}

#[test]
fn warning_gate_never_changes_the_exit_code() {
    let f = Fixture::new("[[gate]]\nname = \"soft\"\nkind = \"metric\"\nmetric = \"accuracy\"\nmin = 0.999\nseverity = \"warn\"\n");
    let r = f.check(0);
    assert_eq!(gate(&r, "soft")["status"], "warn");
}

#[test]
fn fairness_gate_small_group_is_inconclusive() {
    let f = Fixture::new("[[gate]]\nname = \"fair\"\nkind = \"fairness\"\nattribute = \"group\"\nmin = 0.5\nmin_group_size = 100000\n");
    let r = f.check(1);
    let g = gate(&r, "fair");
    assert_eq!(g["status"], "inconclusive");
    assert!(g["message"].as_str().unwrap().contains("min_group_size"));
}

#[test]
fn fairness_gate_fails_on_a_strict_bound() {
    let f = Fixture::new(
        "[[gate]]\nname = \"fair\"\nkind = \"fairness\"\nattribute = \"group\"\nmin = 0.9999\n",
    );
    let r = f.check(1);
    assert_eq!(gate(&r, "fair")["status"], "fail");
}

#[test]
fn latency_gate_fails_when_too_slow() {
    let f = Fixture::new(
        "[[gate]]\nname = \"fast\"\nkind = \"latency\"\npercentile = 99\nmax_ms = 1e-9\n",
    );
    let r = f.check(1);
    assert_eq!(gate(&r, "fast")["status"], "fail");
}

#[test]
fn champion_gate_on_missing_fail() {
    let f = Fixture::new("[[gate]]\nname = \"champ\"\nkind = \"champion\"\nmetric = \"roc_auc\"\non_missing = \"fail\"\n");
    let r = f.check(1);
    assert_eq!(gate(&r, "champ")["status"], "fail");
}

/// A feature the reference lacks may be the one that drifted (round 6,
/// A4): the gate is inconclusive, naming it.
#[test]
fn drift_gate_on_part_of_the_features_is_inconclusive_naming_the_rest() {
    let f = Fixture::new(
        "[[gate]]\nname = \"drift\"\nkind = \"drift\"\nreference = \"ref.csv\"\nmax_psi = 0.2\n",
    );
    // The reference lacks `plan` (fresh rows: the data file itself holds
    // the test rows, which would make it no reference at all).
    let reference: String = dataset(600, 2, 0.0)
        .lines()
        .map(|l| {
            let mut cells: Vec<&str> = l.split(',').collect();
            cells.remove(3);
            cells.join(",") + "\n"
        })
        .collect();
    f.write("ref.csv", &reference);
    let r = f.check(1);
    let g = gate(&r, "drift");
    assert_eq!(g["status"], "inconclusive");
    assert!(
        g["message"]
            .as_str()
            .unwrap()
            .contains("but plan could not be compared"),
        "{g}"
    );
    assert!(g["observed"].as_f64().is_some(), "{g}");
}

#[test]
fn drift_gate_fails_on_a_shifted_reference() {
    let f = Fixture::new(
        "[[gate]]\nname = \"drift\"\nkind = \"drift\"\nreference = \"ref.csv\"\nmax_psi = 0.2\n",
    );
    f.write("ref.csv", &dataset(600, 9, 40.0));
    let r = f.check(1);
    let g = gate(&r, "drift");
    assert_eq!(g["status"], "fail");
    assert!(g["message"].as_str().unwrap().contains("income"), "{g}");
}

#[test]
fn drift_gate_passes_against_the_training_split() {
    let f = Fixture::new("[[gate]]\nname = \"drift\"\nkind = \"drift\"\nmax_psi = 0.25\n");
    let r = f.check(0);
    assert_eq!(gate(&r, "drift")["status"], "pass");
}

#[test]
fn drift_gate_against_a_reference_sharing_no_column_is_inconclusive() {
    let f = Fixture::new(
        "[[gate]]\nname = \"drift\"\nkind = \"drift\"\nreference = \"other.csv\"\nmax_psi = 0.2\n",
    );
    f.write("other.csv", "a,b\n1,x\n2,y\n");
    let r = f.check(1);
    let g = gate(&r, "drift");
    assert_eq!(g["status"], "inconclusive");
    assert!(g["message"].as_str().unwrap().contains("other.csv"), "{g}");
}

#[test]
fn drift_gate_with_a_missing_reference_file_exits_2_naming_it() {
    let f = Fixture::new(
        "[[gate]]\nname = \"drift\"\nkind = \"drift\"\nreference = \"nope.csv\"\nmax_psi = 0.2\n",
    );
    f.cmd(&["check"])
        .assert()
        .code(2)
        .stderr(contains("nope.csv"))
        .stderr(contains("drift"));
}

#[test]
fn contract_violation_is_no_go_before_training() {
    let f = Fixture::new("[contract]\nmin_rows = 10\n[contract.columns.age]\nmax = 30\n\n[[gate]]\nkind = \"metric\"\nmetric = \"f1\"\nmin = 0.01\n");
    let r = f.check(1);
    assert_eq!(r["contract"]["passed"], false);
    let v = &r["contract"]["violations"][0];
    assert_eq!(v["column"], "age");
    assert_eq!(v["rule"], "max");
    assert!(v["count"].as_u64().unwrap() > 0);
    assert!(
        r["metrics"].is_null(),
        "no training after a contract violation"
    );
    assert_eq!(r["gates"][0]["status"], "skipped");
    assert!(!exists(&f.path("release-gate-out/model.json")));
}

#[test]
fn config_typo_reports_line_and_column_and_exits_2() {
    let f = Fixture::new("[model]\nthresold = 0.3\n");
    f.cmd(&["check"])
        .assert()
        .code(2)
        .stderr(contains("gates.toml:10:1"))
        .stderr(contains("thresold"));
    assert!(
        !exists(&f.path("release-gate-out")),
        "nothing is written when the config is wrong"
    );
}

#[test]
fn unknown_metric_is_an_error_before_any_data_is_read() {
    let f = Fixture::new("[[gate]]\nkind = \"metric\"\nmetric = \"auc\"\nmin = 0.8\n");
    std::fs::remove_file(f.path("data.csv")).unwrap();
    f.cmd(&["check"])
        .assert()
        .code(2)
        .stderr(contains("unknown metric \"auc\""));
}

#[test]
fn missing_data_file_exits_2_naming_it() {
    let f = Fixture::new("");
    std::fs::remove_file(f.path("data.csv")).unwrap();
    f.cmd(&["check"])
        .assert()
        .code(2)
        .stderr(contains("data.csv"));
}

#[test]
fn missing_config_exits_2() {
    let f = Fixture::new("");
    f.cmd(&["check", "--config", "nope.toml"])
        .assert()
        .code(2)
        .stderr(contains("nope.toml"));
}

#[test]
fn bad_flag_exits_2() {
    let f = Fixture::new("");
    f.cmd(&["check", "--no-such-flag"]).assert().code(2);
}

#[test]
fn missing_target_column_exits_2() {
    let f = Fixture::new("");
    f.write(
        "gates.toml",
        &crate::fixture::BASE_CONFIG.replace("target = \"label\"", "target = \"churn\""),
    );
    f.cmd(&["check"])
        .assert()
        .code(2)
        .stderr(contains("\"churn\""));
}

#[test]
fn one_class_target_exits_2_naming_the_values() {
    let f = Fixture::new("");
    f.write(
        "gates.toml",
        &crate::fixture::BASE_CONFIG.replace("positive = \"yes\"", "positive = \"maybe\""),
    );
    for cmd in ["check", "validate"] {
        f.cmd(&[cmd])
            .assert()
            .code(2)
            .stderr(contains(
                "target \"label\" never has the positive value \"maybe\" (values seen: ",
            ))
            .stderr(contains("yes"));
    }
}

/// `data.positive` is compared as text, whatever type the parser gave the
/// column: `True` finds a boolean column's true, `1` a float column's 1.0.
#[test]
fn positive_matches_however_the_target_was_parsed() {
    for (yes, no, positive) in [
        ("True", "False", "True"),
        ("1.0", "0.0", "1"),
        ("1", "0", "1.0"),
        (" >50K", " <=50K", ">50K"),
    ] {
        let f = Fixture::new("");
        let data = dataset(600, 1, 0.0)
            .replace(",yes\n", &format!(",{yes}\n"))
            .replace(",no\n", &format!(",{no}\n"));
        f.write("data.csv", &data);
        f.write(
            "gates.toml",
            &BASE_CONFIG.replace("positive = \"yes\"", &format!("positive = \"{positive}\"")),
        );
        let r = f.check(0);
        let want = data
            .lines()
            .filter(|l| l.ends_with(&format!(",{yes}")))
            .count() as u64;
        let got = r["data"]["train_positives"].as_u64().unwrap()
            + r["data"]["test_positives"].as_u64().unwrap();
        assert_eq!(
            got, want,
            "{yes}/{no} with positive {positive}: {}",
            r["data"]
        );
        assert!(
            !r["notes"].to_string().contains("distinct values"),
            "{}",
            r["notes"]
        );
    }
}

#[test]
fn a_third_target_value_is_a_note_that_it_counts_as_negative() {
    let f = Fixture::new("");
    let data = dataset(600, 1, 0.0).replacen(",no\n", ",No \n", 3);
    f.write("data.csv", &data);
    let r = f.check(0);
    let notes = r["notes"].to_string();
    assert!(notes.contains("has 3 distinct values"), "{notes}");
    assert!(notes.contains("count as negatives"), "{notes}");
}

#[test]
fn held_out_test_file_without_the_positive_value_is_measured_and_named() {
    // As a split of one class is: the metrics that need both classes are
    // undefined and their gates inconclusive (issue #12, finding 8).
    let f = Fixture::new(
        "\n[[gate]]\nname = \"auc\"\nkind = \"metric\"\nmetric = \"roc_auc\"\nmin = 0.5\n",
    );
    f.write(
        "gates.toml",
        &f.read("gates.toml")
            .replace("seed = 7", "seed = 7\ntest_path = \"test.csv\""),
    );
    f.write("test.csv", &dataset(100, 3, 0.0).replace(",yes\n", ",no\n"));
    let r = f.check(1);
    assert_eq!(crate::fixture::gate(&r, "auc")["status"], "inconclusive");
    let notes = r["notes"].to_string();
    assert!(
        notes.contains("test.csv: target \\\"label\\\" never has the positive value"),
        "{notes}"
    );
}

#[test]
fn custom_template_overrides_the_model_card() {
    let f = Fixture::new("[model_card]\nname = \"demo\"\n");
    f.write(
        "templates/model_card.md.j2",
        "CUSTOM CARD for {{ model_card.name }}: {{ verdict }}\n",
    );
    f.check(0);
    assert_eq!(
        f.read("release-gate-out/model_card.md").trim(),
        "CUSTOM CARD for demo: go"
    );
}

#[test]
fn default_model_card_has_the_sections() {
    let f = Fixture::new("[model_card]\nname = \"demo-model\"\nowners = [\"team@example.com\"]\n");
    f.check(0);
    let card = f.read("release-gate-out/model_card.md");
    for needle in ["demo-model", "team@example.com", "roc_auc", "group"] {
        assert!(
            card.contains(needle),
            "model card lacks {needle:?}:\n{card}"
        );
    }
}

#[test]
fn runs_are_deterministic() {
    for kind in ["logistic_regression", "random_forest", "decision_tree"] {
        let extra = format!("[model]\nkind = \"{kind}\"\n");
        let f = Fixture::new(&extra);
        let a = f.check(0);
        let preds_a = f.read("release-gate-out/predictions.csv");
        let model_a = f.read("release-gate-out/model.json");
        let b = f.check(0);
        assert_eq!(a["metrics"], b["metrics"], "{kind}");
        assert_eq!(
            preds_a,
            f.read("release-gate-out/predictions.csv"),
            "{kind}"
        );
        assert_eq!(model_a, f.read("release-gate-out/model.json"), "{kind}");
    }
}

#[test]
fn random_forest_scores_are_probabilities_not_votes() {
    let f = Fixture::new(
        "[model]\nkind = \"random_forest\"\n[model.params]\nn_trees = 20\nmax_depth = 4\n",
    );
    f.check(0);
    let preds = f.read("release-gate-out/predictions.csv");
    let distinct: std::collections::BTreeSet<&str> = preds
        .lines()
        .skip(1)
        .filter_map(|l| l.split(',').nth(2))
        .collect();
    assert!(
        distinct.len() > 10,
        "forest scores look like 0/1 votes: {distinct:?}"
    );
}

#[test]
fn training_progress_is_timestamped_lines_off_a_terminal() {
    let f = Fixture::new(
        "[model]\nkind = \"random_forest\"\n[model.params]\nn_trees = 20\nmax_depth = 3\n",
    );
    let out = f.cmd(&["check"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let err = String::from_utf8_lossy(&out.stderr);
    let trees: Vec<&str> = err
        .lines()
        .filter(|l| l.contains("training random_forest"))
        .collect();
    // The step line, then one line per tenth of the trees, ending at 20/20.
    assert_eq!(trees.len(), 11, "{err}");
    assert!(
        trees
            .iter()
            .all(|l| l.starts_with('[') && l.contains("s] ")),
        "{err}"
    );
    assert!(trees[10].ends_with(": 20/20"), "{err}");
    let quiet = f.cmd(&["check", "--quiet"]).output().unwrap();
    assert!(!String::from_utf8_lossy(&quiet.stderr).contains("training"));
}

#[test]
fn lineage_outside_git_is_absent_not_an_error() {
    let f = Fixture::new("");
    let r = f.check(0);
    assert!(r["lineage"]["git"].is_null());
    assert_eq!(r["lineage"]["seed"], 7);
    assert_eq!(r["lineage"]["config_sha256"].as_str().unwrap().len(), 64);
}

#[test]
fn lineage_inside_git_records_commit_branch_and_dirty() {
    let f = Fixture::new("");
    f.write(".gitignore", "release-gate-out/\n");
    let repo = git2::Repository::init(f.dir.path()).unwrap();
    let mut index = repo.index().unwrap();
    index
        .add_all(["*"].iter(), git2::IndexAddOption::DEFAULT, None)
        .unwrap();
    index.write().unwrap();
    let tree = repo.find_tree(index.write_tree().unwrap()).unwrap();
    let sig = git2::Signature::now("t", "t@example.com").unwrap();
    let oid = repo
        .commit(Some("HEAD"), &sig, &sig, "init", &tree, &[])
        .unwrap();
    let r = f.check(0);
    assert_eq!(r["lineage"]["git"]["commit"], oid.to_string());
    assert_eq!(
        r["lineage"]["git"]["dirty"], false,
        "ignored out dir must not count"
    );
    assert!(r["lineage"]["git"]["branch"].is_string());
    f.write("data.csv", &dataset(600, 2, 0.0));
    let r = f.check(0);
    assert_eq!(r["lineage"]["git"]["dirty"], true);
}

#[test]
fn ci_branch_comes_from_the_environment() {
    let f = Fixture::new("");
    let repo = git2::Repository::init(f.dir.path()).unwrap();
    let tree = repo
        .find_tree(repo.index().unwrap().write_tree().unwrap())
        .unwrap();
    let sig = git2::Signature::now("t", "t@example.com").unwrap();
    repo.commit(Some("HEAD"), &sig, &sig, "init", &tree, &[])
        .unwrap();
    let out = f
        .cmd(&["check", "--format", "json"])
        .env("GITHUB_HEAD_REF", "feature-x")
        .env("GITHUB_ACTIONS", "true")
        .env("GITHUB_RUN_ID", "99")
        .output()
        .unwrap();
    let r: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(r["lineage"]["git"]["branch"], "feature-x");
    assert_eq!(r["lineage"]["ci"]["provider"], "github");
    assert_eq!(r["lineage"]["ci"]["run_id"], "99");
}

#[test]
fn held_out_test_file_is_used_instead_of_a_split() {
    let f = Fixture::new("");
    f.write("holdout.csv", &dataset(150, 5, 0.0));
    f.write(
        "gates.toml",
        &crate::fixture::BASE_CONFIG.replace("seed = 7", "seed = 7\ntest_path = \"holdout.csv\""),
    );
    let r = f.check(0);
    assert_eq!(r["data"]["train_rows"], 600);
    assert_eq!(r["data"]["test_rows"], 150);
    assert_eq!(r["data"]["test_sha256"].as_str().unwrap().len(), 64);
}

#[test]
fn validate_runs_the_contract_without_training() {
    let f = Fixture::new("[contract]\n[contract.columns.plan]\nallowed = [\"basic\", \"plus\"]\n");
    let out = f.cmd(&["validate", "--format", "json"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let r: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(r["command"], "validate");
    assert_eq!(r["contract"]["violations"][0]["rule"], "allowed");
    assert!(r["metrics"].is_null());
}

#[test]
fn report_rerenders_a_saved_run() {
    let f = Fixture::new(GOOD_GATES);
    f.check(0);
    f.cmd(&[
        "report",
        "--run",
        "release-gate-out",
        "--format",
        "markdown",
    ])
    .assert()
    .code(0)
    .stdout(contains("quality floor"));
}

/// `release-gate check | head -1`: a reader that closed the pipe is not a
/// crash (Rust's `println!` panics on EPIPE); the verdict still sets the code.
#[test]
fn closed_stdout_pipe_is_not_a_panic() {
    let f = Fixture::new("");
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("release-gate"))
        .current_dir(f.dir.path())
        .arg("check")
        .env_remove("GITHUB_ACTIONS")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Close the read end before the run gets to print its table.
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert!(!err.contains("panicked"), "{err}");
}

#[test]
fn drop_names_missing_from_the_data_are_a_note_everywhere() {
    let f = Fixture::new("");
    f.write(
        "gates.toml",
        &BASE_CONFIG.replace("drop = [\"id\"]", "drop = [\"id\", \"customer_id\"]"),
    );
    let r = f.check(0);
    let notes = r["notes"].as_array().unwrap();
    assert!(
        notes
            .iter()
            .any(|n| n.as_str().unwrap().contains("\"customer_id\"")),
        "{notes:?}"
    );
    assert!(!notes.iter().any(|n| n.as_str().unwrap().contains("\"id\"")));
    for file in ["report.md", "report.html", "model_card.md"] {
        let text = f.read(&format!("release-gate-out/{file}"));
        assert!(text.contains("customer_id"), "{file}");
    }
}

/// Several rules broken at once: exact counts, example values and their
/// data rows, in report.json, the terminal table and report.md.
#[test]
fn contract_violations_have_exact_counts_examples_and_rows_everywhere() {
    let f = Fixture::new(
        "[contract]\nmax_null_fraction = 0.5\n\
         [contract.columns.age]\nmax = 100\n\
         [contract.columns.plan]\nallowed = [\"basic\", \"pro\"]\n\
         [contract.columns.income]\nnullable = false\n",
    );
    f.write(
        "data.csv",
        "id,age,income,plan,group,label\n\
         0,30,50,basic,a,yes\n\
         1,40,60,pro,b,no\n\
         2,150,70,basic,a,yes\n\
         3,35,80,gold,b,no\n\
         4,45,,basic,a,yes\n\
         5,101,55,pro,b,no\n\
         6,50,65,gold,a,yes\n\
         7,55,75,basic,b,no\n",
    );
    let out = f.cmd(&["check"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let r = f.report();
    let v = |column: &str, rule: &str| {
        r["contract"]["violations"]
            .as_array()
            .unwrap()
            .iter()
            .find(|v| v["column"] == column && v["rule"] == rule)
            .unwrap_or_else(|| panic!("no {column} {rule}: {}", r["contract"]))
            .clone()
    };
    let age = v("age", "max");
    assert_eq!(age["count"], 2);
    assert_eq!(age["examples"], serde_json::json!([150, 101]));
    assert_eq!(age["rows"], serde_json::json!([2, 5]));
    let plan = v("plan", "allowed");
    assert_eq!(plan["count"], 2);
    assert_eq!(plan["examples"], serde_json::json!(["gold", "gold"]));
    assert_eq!(plan["rows"], serde_json::json!([3, 6]));
    let income = v("income", "nullable");
    assert_eq!(income["count"], 1);
    assert_eq!(income["rows"], serde_json::json!([4]));
    assert_eq!(r["contract"]["violations"].as_array().unwrap().len(), 3);
    let table = String::from_utf8_lossy(&out.stdout);
    let md = f.read("release-gate-out/report.md");
    for text in [table.as_ref(), md.as_str()] {
        assert!(text.contains("row 2: 150, row 5: 101"), "{text}");
        assert!(text.contains("row 3: \"gold\", row 6: \"gold\""), "{text}");
    }
}

#[test]
fn a_perfect_test_score_is_flagged_as_possible_leakage() {
    let f = Fixture::new("");
    // `hint` is the label in disguise.
    let data: String = dataset(600, 1, 0.0)
        .lines()
        .enumerate()
        .map(|(i, l)| match i {
            0 => format!("{l},hint\n"),
            _ => format!("{l},{}\n", u8::from(l.ends_with(",yes"))),
        })
        .collect();
    f.write("data.csv", &data);
    let r = f.check(0);
    assert_eq!(r["metrics"]["roc_auc"], 1.0);
    assert!(r["notes"].to_string().contains("leakage"), "{}", r["notes"]);
}

/// A metric bounded only on the side that favours the worse model (a
/// `min` alone on a loss, a `max` alone on a score) is allowed, as a
/// leakage tripwire is, but noted: it is mostly `min` and `max` swapped.
#[test]
fn a_bound_only_on_the_worse_side_is_noted() {
    let gate = |metric: &str, bounds: &str| {
        format!("[[gate]]\nname = \"{metric} gate\"\nkind = \"metric\"\nmetric = \"{metric}\"\n{bounds}\n")
    };
    let notes_of = |gates: &str| -> Vec<String> {
        let r = Fixture::new(gates).check(0);
        r["notes"]
            .as_array()
            .expect("notes")
            .iter()
            .filter_map(|n| n.as_str())
            .filter(|n| n.contains("sets only"))
            .map(str::to_string)
            .collect()
    };
    let notes = notes_of(&format!(
        "{}{}",
        gate("log_loss", "min = 0.001"),
        gate("roc_auc", "max = 0.9999999")
    ));
    assert_eq!(notes.len(), 2, "{notes:?}");
    assert!(
        notes[0].starts_with("gate \"log_loss gate\" (gates.toml line ")
            && notes[0].contains("sets only `min` on log_loss, where lower is better")
            && notes[0].ends_with("use `max`"),
        "{notes:?}"
    );
    assert!(
        notes[1].contains("sets only `max` on roc_auc, where higher is better")
            && notes[1].ends_with("use `min`"),
        "{notes:?}"
    );
    // The usual sides, and bands, say nothing.
    let usual = format!(
        "{}{}{}",
        gate("log_loss", "max = 30.0"),
        gate("roc_auc", "min = 0.5"),
        gate("brier", "min = 0.0001\nmax = 0.9")
    );
    assert_eq!(notes_of(&usual), Vec::<String>::new());
}

#[test]
fn a_config_without_gates_says_go_means_little() {
    let f = Fixture::new("");
    let r = f.check(0);
    assert!(
        r["notes"].to_string().contains("declares no [[gate]]"),
        "{}",
        r["notes"]
    );
    let f = Fixture::new(GOOD_GATES);
    assert!(!f.check(0)["notes"].to_string().contains("[[gate]]"));
}
