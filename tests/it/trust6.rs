//! Regression tests for what the fifth adversarial round left open
//! (issue #12): a stale registry index, a required MLflow registration
//! that fails after the registry committed, and training rows re-rounded
//! to look new.
use crate::fixture::Fixture;
use crate::trust3::{promoted, run, REGISTRY};

/// Checks `run2` with another seed (another model) and force-promotes it.
fn promote_another(f: &Fixture, out: &str) {
    let config = f.read("gates.toml").replace("seed = 7", "seed = 8");
    f.write("gates.toml", &config);
    let (code, _, err) = run(f, &["check", "--out", out]);
    assert!(code == 0 || code == 1, "{err}");
    let (code, _, err) = run(f, &["promote", "--run", out, "--force", "--reason", "test"]);
    assert_eq!(code, 0, "{err}");
}

// R-N7. An index that does not name a stored version is stale: refused by
// every reader, never read as a registry with fewer versions.
#[test]
fn a_stale_index_that_omits_stored_versions_is_exit_2() {
    let f = promoted();
    let first = f.read("reg/registry.json");
    promote_another(&f, "run2");
    assert!(f.path("reg/versions/v0002").is_dir());
    for stale in [
        first.clone(),
        "{\"champion\": null, \"versions\": []}\n".to_string(),
    ] {
        f.write("reg/registry.json", &stale);
        for args in [
            vec!["check", "--out", "run3"],
            vec!["registry", "list", "--registry", "reg"],
            vec!["promote", "--run", "run1", "--force", "--reason", "x"],
            vec!["compare", "run1", "champion", "--registry", "reg"],
        ] {
            let (code, _, err) = run(&f, &args);
            assert_eq!(code, 2, "{args:?}: {err}");
            assert!(err.contains("does not list"), "{args:?}: {err}");
        }
        assert!(!f.path("reg/versions/v0003").exists());
        assert!(!f.path("run3").exists());
    }
}

// A promotion killed between its directory's rename and its entry: the
// index names the directory as pending, readers accept it, and the next
// promotion records it as abandoned and takes the number after it.
#[test]
fn a_killed_promotions_directory_is_accounted_for_and_its_number_unused() {
    let f = promoted();
    let index: serde_json::Value = serde_json::from_str(&f.read("reg/registry.json")).unwrap();
    let mut pending = index.clone();
    pending["pending"] = "v0002".into();
    f.write("reg/registry.json", &pending.to_string());
    for name in ["model.json", "report.json"] {
        f.write(
            &format!("reg/versions/v0002/{name}"),
            &f.read(&format!("reg/versions/v0001/{name}")),
        );
    }
    let (code, out, err) = run(&f, &["registry", "list", "--registry", "reg"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("v0001") && !out.contains("v0002"), "{out}");
    // Round 6, m1: the unfinished version is no operand anywhere.
    for args in [
        vec!["compare", "v0002", "champion", "--registry", "reg"],
        vec![
            "predict",
            "--model",
            "v0002",
            "--registry",
            "reg",
            "--data",
            "data.csv",
        ],
    ] {
        let (code, _, err) = run(&f, &args);
        assert_eq!(code, 2, "{args:?}: {err}");
        assert!(err.contains("did not complete"), "{args:?}: {err}");
    }
    promote_another(&f, "run2");
    let after: serde_json::Value = serde_json::from_str(&f.read("reg/registry.json")).unwrap();
    assert_eq!(after["champion"], "v0003", "{after}");
    assert_eq!(after["abandoned"], serde_json::json!(["v0002"]), "{after}");
    assert!(after.get("pending").is_none(), "{after}");
    let versions: Vec<&str> = after["versions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["version"].as_str().unwrap())
        .collect();
    assert_eq!(versions, ["v0001", "v0003"]);
    let (code, _, err) = run(&f, &["check", "--out", "run4"]);
    assert!(code == 0 || code == 1, "{err}");
}

// N6. With `[mlflow] required = true`, a failed registration is exit 2
// and the registry is left exactly as it was (nothing half-promoted).
#[test]
fn a_failed_required_mlflow_registration_leaves_the_registry_unchanged() {
    let f = Fixture::new(REGISTRY);
    let (code, _, err) = run(&f, &["check", "--out", "run1"]);
    assert_eq!(code, 0, "{err}");
    // As if the run had been logged to a server that is now down.
    let config = f.read("run1/gates.toml");
    let config = format!(
        "{config}\n[mlflow]\ntracking_uri = \"http://127.0.0.1:9\"\n\
         registered_model = \"churn\"\nrequired = true\n"
    );
    f.write("run1/gates.toml", &config);
    let mut report: serde_json::Value = serde_json::from_str(&f.read("run1/report.json")).unwrap();
    // The report records the config it was made with.
    report["lineage"]["config_sha256"] =
        serde_json::json!(release_gate::config::sha256_hex(config.as_bytes()));
    report["lineage"]["mlflow"] = serde_json::json!({
        "run_id": "0123456789abcdef",
        "experiment_id": "1",
        "url": "http://127.0.0.1:9/#/experiments/1/runs/0123456789abcdef",
    });
    f.write("run1/report.json", &report.to_string());
    let before = std::fs::read_dir(f.path("reg"))
        .map(|d| d.count())
        .unwrap_or(0);
    let (code, out, err) = run(&f, &["promote", "--run", "run1"]);
    assert_eq!(code, 2, "{out}{err}");
    assert!(
        err.contains("required = true") && err.contains("127.0.0.1:9"),
        "{err}"
    );
    assert!(!f.path("reg/versions/v0001").exists());
    assert!(
        !f.path("reg/registry.json").exists() || {
            let index: serde_json::Value =
                serde_json::from_str(&f.read("reg/registry.json")).unwrap();
            index["champion"].is_null()
        }
    );
    let after = std::fs::read_dir(f.path("reg"))
        .map(|d| d.count())
        .unwrap_or(0);
    assert!(after <= before + 1, "only the lock file may appear");
    // Without `required`, the same failure is a warning and the promotion stands.
    let relaxed = f
        .read("run1/gates.toml")
        .replace("required = true", "required = false");
    f.write("run1/gates.toml", &relaxed);
    report["lineage"]["config_sha256"] =
        serde_json::json!(release_gate::config::sha256_hex(relaxed.as_bytes()));
    f.write("run1/report.json", &report.to_string());
    let (code, out, err) = run(&f, &["promote", "--run", "run1"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(err.contains("warning: mlflow"), "{err}");
    assert!(f.path("reg/versions/v0001/model.json").is_file());
}

/// `rows` of `label` driven by a float `x` and a `tier`; `x` printed by
/// `print` (full precision, float32, ...).
pub fn float_data(rows: std::ops::Range<usize>, print: impl Fn(f64) -> String) -> String {
    let mut out = String::from("id,x,tier,group,label\n");
    for i in rows {
        let mut r = crate::fixture::Lcg::new(i as u64 * 7919 + 13);
        let x = r.next_f64() * 100.0 + 1.0 / 3.0;
        let tier = ["a", "b", "c"][(r.next_f64() * 3.0) as usize % 3];
        let group = if r.next_f64() < 0.5 { "g1" } else { "g2" };
        let p = 1.0 / (1.0 + (-(x - 50.0) / 12.0).exp());
        let label = if r.next_f64() < p { "yes" } else { "no" };
        out.push_str(&format!("{i},{},{tier},{group},{label}\n", print(x)));
    }
    out
}

pub const AUC_GATE: &str =
    "\n[[gate]]\nname = \"auc\"\nkind = \"metric\"\nmetric = \"roc_auc\"\nmin = 0.6\n";

/// `gates.toml`: the base config with `min_test_rows = 100`, `test_path`
/// when given, and the AUC gate.
pub fn overlap_config(f: &Fixture, test_path: Option<&str>) {
    let mut config = crate::fixture::BASE_CONFIG.replace(
        "protected = [\"group\"]",
        "protected = [\"group\"]\nmin_test_rows = 100",
    );
    if let Some(t) = test_path {
        config = config.replace("seed = 7", &format!("seed = 7\ntest_path = \"{t}\""));
    }
    f.write("gates.toml", &format!("{config}{AUC_GATE}"));
}

/// Runs `check`: NO-GO with the AUC gate inconclusive because the test rows
/// are training rows; returns the report.
pub fn assert_inconclusive(f: &Fixture, case: &str) -> serde_json::Value {
    let (code, _, err) = run(f, &["check"]);
    assert_eq!(code, 1, "{case}: {err}");
    let r = f.report();
    let g = crate::fixture::gate(&r, "auc");
    assert_eq!(g["status"], "inconclusive", "{case}: {g}");
    assert!(
        g["message"]
            .as_str()
            .unwrap_or("")
            .contains("training rows"),
        "{case}: {g}"
    );
    r
}

// R-N1. A copy of the training rows whose numbers were re-rounded (float32
// Parquet, a CSV written with %.10g or %.6g) is still the training data.
#[test]
fn a_re_rounded_copy_of_the_training_data_cannot_pass() {
    let f = Fixture::new("");
    f.write("data.csv", &float_data(0..800, |x| format!("{x}")));
    overlap_config(&f, Some("test.csv"));
    type Print = fn(f64) -> String;
    let prints: [(&str, Print); 3] = [
        ("float32", |x| format!("{}", x as f32)),
        ("%.10g", |x| format!("{:.9e}", x)),
        ("%.6g", |x| format!("{:.5e}", x)),
    ];
    for (how, print) in prints {
        // The training rows in reverse order, re-printed.
        let mut lines: Vec<String> = float_data(0..800, print)
            .lines()
            .map(str::to_string)
            .collect();
        let header = lines.remove(0);
        lines.reverse();
        f.write("test.csv", &format!("{header}\n{}\n", lines.join("\n")));
        let r = assert_inconclusive(&f, how);
        // A value at a rounding boundary may round the other way.
        let notes = r["notes"].to_string();
        let seen: usize = notes
            .split(" of 800 test rows")
            .next()
            .and_then(|head| head.rsplit('"').next())
            .and_then(|n| n.parse().ok())
            .unwrap_or(0);
        assert!(seen >= 790, "{how}: {notes}");
    }
    // Fresh rows from the same source: no overlap, the gate judges.
    f.write("test.csv", &float_data(800..1100, |x| format!("{:.5e}", x)));
    let (code, _, err) = run(&f, &["check"]);
    assert_eq!(code, 0, "{err}");
    let r = f.report();
    assert_eq!(crate::fixture::gate(&r, "auc")["status"], "pass");
    assert!(!r["notes"].to_string().contains("match a training row"));
}

// The other side of R-N1's rule: on data of few distinct values, fresh
// test rows match training rows by chance, and that is no copy.
#[test]
fn fresh_rows_of_data_that_repeats_itself_are_not_a_copy() {
    let few = |rows: std::ops::Range<usize>| {
        let mut out = String::from("id,tier,plan,group,label\n");
        for i in rows {
            let mut r = crate::fixture::Lcg::new(i as u64 * 104729 + 5);
            let t = (r.next_f64() * 3.0) as usize % 3;
            let plan = ["x", "y"][(r.next_f64() * 2.0) as usize % 2];
            let group = if r.next_f64() < 0.5 { "g1" } else { "g2" };
            let p = [0.15, 0.5, 0.85][t];
            let label = if r.next_f64() < p { "yes" } else { "no" };
            out.push_str(&format!(
                "{i},{},{plan},{group},{label}\n",
                ["a", "b", "c"][t]
            ));
        }
        out
    };
    let f = Fixture::new("");
    f.write("data.csv", &few(0..800));
    f.write("test.csv", &few(800..1200));
    let config =
        crate::fixture::BASE_CONFIG.replace("seed = 7", "seed = 7\ntest_path = \"test.csv\"");
    f.write("gates.toml", &format!("{config}{AUC_GATE}"));
    let (code, _, err) = run(&f, &["check"]);
    assert_eq!(code, 0, "{err}");
    let r = f.report();
    assert_eq!(crate::fixture::gate(&r, "auc")["status"], "pass", "{r}");
    // Every row matches, at the rate chance gives: no "overstate" note
    // either (round 7, m2).
    let notes = r["notes"].to_string();
    assert!(!notes.contains("match a training row"), "{notes}");
}

// Round 6, A5: a learning rate in the smallest doubles trained a model
// whose importance chart panicked (exit 101); now it decides, with a note
// that the model is constant.
#[test]
fn a_subnormal_learning_rate_decides_and_says_the_model_is_constant() {
    for rate in ["5e-324", "1e-310", "1e-300"] {
        let f = Fixture::new(&format!(
            "\n[model]\nkind = \"gradient_boosting\"\n\n[model.params]\nn_trees = 5\nlearning_rate = {rate}\n"
        ));
        let (code, _, err) = run(&f, &["check"]);
        assert!(code == 0 || code == 1, "{rate}: {code} {err}");
        let notes = f.report()["notes"].to_string();
        assert!(notes.contains("the same score"), "{rate}: {notes}");
        assert!(f.path("release-gate-out/report.html").is_file());
    }
}

// Round 6, A1: a champion gate on a threshold metric is the threshold's
// doing too when every row is predicted one class: recall 1.0 at a
// threshold of 1e-9 "beat" the champion and was promoted.
#[test]
fn a_champion_gate_on_a_threshold_metric_needs_both_predicted_classes() {
    let gates = "\n[registry]\npath = \"reg\"\n\n[[gate]]\nname = \"champ\"\nkind = \"champion\"\nmetric = \"recall\"\n";
    let f = Fixture::new(gates);
    let (code, _, err) = run(&f, &["check", "--out", "run1"]);
    assert_eq!(code, 0, "{err}");
    let (code, _, err) = run(&f, &["promote", "--run", "run1"]);
    assert_eq!(code, 0, "{err}");
    for test in ["", "test = \"paired\"\n"] {
        f.write(
            "gates.toml",
            &format!(
                "{}\n[model]\nthreshold = 1e-9\n{gates}{test}",
                crate::fixture::BASE_CONFIG
            ),
        );
        let (code, _, err) = run(&f, &["check", "--out", "run2"]);
        assert_eq!(code, 1, "{test}: {err}");
        let r: serde_json::Value = serde_json::from_str(&f.read("run2/report.json")).unwrap();
        let g = crate::fixture::gate(&r, "champ");
        assert_eq!(g["status"], "inconclusive", "{test}: {g}");
        assert!(
            g["message"]
                .as_str()
                .unwrap()
                .contains("measures the threshold"),
            "{g}"
        );
    }
}

// Round 6, A2: "every row in one class" was one row away from a pass: a
// threshold that leaves 2 of 400 rows negative passed disparate impact
// at 0.99. Fewer predicted rows of a class than min_test_rows asks of
// an actual class (a tenth, at least 10) is no evidence either.
#[test]
fn a_threshold_that_leaves_a_handful_in_one_class_is_no_evidence() {
    let f = Fixture::new(
        "\n[[gate]]\nname = \"di\"\nkind = \"fairness\"\nattribute = \"group\"\nmetric = \"disparate_impact\"\nmin = 0.8\n",
    );
    // Find a threshold that leaves between 1 and 9 of the test rows negative.
    let r = f.check(0);
    let predictions = f.read("release-gate-out/predictions.csv");
    let mut lines = predictions.lines();
    let header = lines.next().unwrap();
    let col = header.split(',').position(|c| c == "score").unwrap();
    let mut scores: Vec<f64> = lines
        .map(|l| l.split(',').nth(col).unwrap().parse().unwrap())
        .collect();
    assert_eq!(r["gates"][0]["status"], "pass");
    scores.sort_by(f64::total_cmp);
    // Strictly above the 3rd-lowest score and below the 4th: 3 rows negative.
    let threshold = (scores[2] + scores[3]) / 2.0;
    assert!(scores[2] < threshold && threshold < scores[3]);
    let config = f.read("gates.toml");
    f.write(
        "gates.toml",
        &config.replace(
            "seed = 7",
            &format!("seed = 7\n\n[model]\nthreshold = {threshold}\n"),
        ),
    );
    let r = f.check(1);
    let g = crate::fixture::gate(&r, "di");
    assert_eq!(g["status"], "inconclusive", "{g}");
    assert!(
        g["message"]
            .as_str()
            .unwrap()
            .contains("only 3 of 120 test rows are predicted negative (fewer than 10)"),
        "{g}"
    );
}

// Round 6, A6: recorded versions without a champion is a damaged index
// (no promotion leaves it), not "no champion" for on_missing = "pass".
#[test]
fn recorded_versions_without_a_champion_is_exit_2() {
    let f = promoted();
    let mut index: serde_json::Value = serde_json::from_str(&f.read("reg/registry.json")).unwrap();
    index["champion"] = serde_json::Value::Null;
    f.write("reg/registry.json", &index.to_string());
    let config = f.read("gates.toml");
    f.write(
        "gates.toml",
        &config.replace(
            "metric = \"roc_auc\"\n",
            "metric = \"roc_auc\"\non_missing = \"pass\"\n",
        ),
    );
    for args in [
        vec!["check", "--out", "run2"],
        vec!["registry", "list", "--registry", "reg"],
    ] {
        let (code, _, err) = run(&f, &args);
        assert_eq!(code, 2, "{args:?}: {err}");
        assert!(
            err.contains("no champion, which no promotion leaves"),
            "{err}"
        );
    }
}

// Round 6, m4: `promote --registry <the run dir> --force` wrote the
// registry into the run it promoted.
#[test]
fn promote_never_writes_a_registry_into_the_run() {
    let f = Fixture::new(REGISTRY);
    let (code, _, err) = run(&f, &["check", "--out", "run1"]);
    assert_eq!(code, 0, "{err}");
    for registry in ["run1", "run1/reg", "run1/../run1/x"] {
        let (code, _, err) = run(
            &f,
            &[
                "promote",
                "--run",
                "run1",
                "--registry",
                registry,
                "--force",
                "--reason",
                "x",
            ],
        );
        assert_eq!(code, 2, "{registry}: {err}");
        assert!(err.contains("inside the run directory"), "{err}");
    }
    assert!(!f.path("run1/registry.json").exists());
    assert!(!f.path("run1/reg").exists() && !f.path("run1/x").exists());
}

// Round 4 minor: test_fraction = 0.9999999999 trained on 2 rows with no
// word about it. A model trained on fewer than 100 rows gets a note.
#[test]
fn a_model_trained_on_a_handful_of_rows_says_so() {
    let f = Fixture::new("");
    let config = f.read("gates.toml");
    f.write(
        "gates.toml",
        &config.replace("seed = 7", "seed = 7\ntest_fraction = 0.9"),
    );
    let (code, _, err) = run(&f, &["check"]);
    assert!(code == 0 || code == 1, "{err}");
    let r = f.report();
    assert_eq!(r["data"]["train_rows"], 60, "{}", r["data"]);
    let notes = r["notes"].to_string();
    assert!(notes.contains("trained on only 60 rows"), "{notes}");
    // The default split of the same data: no such note.
    f.write("gates.toml", &config);
    let (code, _, err) = run(&f, &["check"]);
    assert!(code == 0 || code == 1, "{err}");
    assert!(!f.report()["notes"].to_string().contains("trained on only"));
}

// Round 7, B2: `check --out reg/versions/v0001` with a config naming
// another registry (or none) replaced the stored champion's files. An out
// dir inside any registry is refused; m6: so is a registry inside one.
#[test]
fn no_run_or_registry_is_written_inside_another_registry() {
    let f = promoted();
    let stored = f.read("reg/versions/v0001/model.json");
    let config = f
        .read("gates.toml")
        .replace("path = \"reg\"", "path = \"other\"");
    f.write("other.toml", &config);
    for out in [
        "reg/versions/v0001",
        "reg/versions",
        "reg",
        "reg/versions/v0001/sub",
    ] {
        let (code, _, err) = run(&f, &["check", "--config", "other.toml", "--out", out]);
        assert_eq!(code, 2, "{out}: {err}");
        assert!(err.contains("is inside the registry"), "{out}: {err}");
    }
    assert_eq!(f.read("reg/versions/v0001/model.json"), stored);
    let (code, _, err) = run(
        &f,
        &[
            "promote",
            "--run",
            "run1",
            "--registry",
            "reg/versions/v0001",
            "--force",
            "--reason",
            "x",
        ],
    );
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("is inside the registry"), "{err}");
    assert!(!f.path("reg/versions/v0001/registry.json").exists());
}

// Round 7, B3: a test file that is partly training rows (25% or 45%)
// passed with a note while an overfit model's metrics rode on them; a
// tenth or more beyond chance is no evidence. B4: a float16 copy keeps
// only ~3.3 digits, which the 3-significant-digit key survives.
#[test]
fn a_test_file_partly_of_training_rows_cannot_pass() {
    let f = Fixture::new("");
    f.write("data.csv", &float_data(0..800, |x| format!("{x}")));
    overlap_config(&f, Some("test.csv"));
    for (share, print) in [
        (25, (|x: f64| format!("{x}")) as fn(f64) -> String),
        (45, |x: f64| format!("{}", x as f32)),
        (100, |x: f64| format!("{:.3e}", x)),
    ] {
        // `share`% of 400 test rows are training rows, the rest fresh.
        let copied = 400 * share / 100;
        let mut test = float_data(0..copied, print);
        let fresh = float_data(800..800 + (400 - copied), |x| format!("{x}"));
        test.push_str(fresh.split_once('\n').map_or("", |(_, rest)| rest));
        f.write("test.csv", &test);
        assert_inconclusive(&f, &format!("{share}%"));
    }
}

// Round 7, B5: a scores column of logits (or 0-100 scores) was cut at the
// default 0.5 without a word; like an ONNX margin, hard-prediction gates
// now wait for an explicit threshold.
#[test]
fn raw_score_columns_under_the_default_threshold_leave_hard_gates_open() {
    let mut s = String::from("y,score,group\n");
    let mut r = crate::fixture::Lcg::new(11);
    for i in 0..600 {
        let y = u8::from(r.next_f64() < 0.4);
        let logit = 3.0 * f64::from(y) - 1.5 + 2.0 * (r.next_f64() - 0.5);
        let g = if i % 2 == 0 { "a" } else { "b" };
        s.push_str(&format!("{y},{logit},{g}\n"));
    }
    let f = Fixture::new("");
    f.write("data.csv", &s);
    let gates = "\n[[gate]]\nname = \"prec\"\nkind = \"metric\"\nmetric = \"precision\"\nmin = 0.5\n\n[[gate]]\nname = \"auc\"\nkind = \"metric\"\nmetric = \"roc_auc\"\nmin = 0.6\n";
    let base = "[data]\npath = \"data.csv\"\ntarget = \"y\"\npositive = 1\nprotected = [\"group\"]\n\n[model]\nkind = \"scores\"\nscore = \"score\"\n";
    f.write("gates.toml", &format!("{base}{gates}"));
    let (code, _, err) = run(&f, &["check"]);
    assert_eq!(code, 1, "{err}");
    let r = f.report();
    assert_eq!(crate::fixture::gate(&r, "auc")["status"], "pass");
    let g = crate::fixture::gate(&r, "prec");
    assert_eq!(g["status"], "inconclusive", "{g}");
    assert!(g["message"].as_str().unwrap().contains("raw scores"), "{g}");
    // An explicit threshold is the user's decision boundary.
    f.write("gates.toml", &format!("{base}threshold = 0.0\n{gates}"));
    let (code, _, err) = run(&f, &["check"]);
    assert_eq!(code, 0, "{err}");
}

// Round 7, m5: a champion gate against a registry directory that does not
// exist (a typo, a skipped sync) passed on "no champion" without saying
// the directory is absent.
#[test]
fn a_missing_registry_directory_is_named_in_a_note() {
    let f = Fixture::new(REGISTRY);
    let (code, _, err) = run(&f, &["check", "--out", "run1"]);
    assert_eq!(code, 0, "{err}");
    let r: serde_json::Value = serde_json::from_str(&f.read("run1/report.json")).unwrap();
    let notes = r["notes"].to_string();
    assert!(notes.contains("reg does not exist"), "{notes}");
    let (code, _, err) = run(&f, &["promote", "--run", "run1"]);
    assert_eq!(code, 0, "{err}");
    let (code, _, err) = run(&f, &["check", "--out", "run2"]);
    assert_eq!(code, 0, "{err}");
    let r: serde_json::Value = serde_json::from_str(&f.read("run2/report.json")).unwrap();
    assert!(!r["notes"].to_string().contains("does not exist"));
}

// Round 8, N2: a target value only the test file has ("pending") counted
// as negative without a word, and relabelling the worst-scored positives
// so turned a NO-GO into GO. It is exit 2, naming the value.
#[test]
fn a_target_value_only_the_test_file_has_is_exit_2() {
    let f = Fixture::new("");
    let data = f.read("data.csv");
    let mut lines: Vec<String> = data.lines().map(str::to_string).collect();
    let header = lines.remove(0);
    let (train, test) = lines.split_at(450);
    f.write("train.csv", &format!("{header}\n{}\n", train.join("\n")));
    let pending: Vec<String> = test
        .iter()
        .enumerate()
        .map(|(i, l)| {
            if i % 10 == 0 {
                l.replace(",yes", ",pending").replace(",no", ",pending")
            } else {
                l.clone()
            }
        })
        .collect();
    f.write("test.csv", &format!("{header}\n{}\n", pending.join("\n")));
    let config = f
        .read("gates.toml")
        .replace("data.csv", "train.csv")
        .replace("seed = 7", "seed = 7\ntest_path = \"test.csv\"");
    f.write("gates.toml", &config);
    let (code, _, err) = run(&f, &["check"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("\"pending\" (15 rows)"), "{err}");
    // The same labels spelled as the training data spells them: judged.
    f.write("test.csv", &format!("{header}\n{}\n", test.join("\n")));
    let (code, _, err) = run(&f, &["check"]);
    assert!(code == 0 || code == 1, "{err}");
}

// Round 8, m-A: `predict --out` and `--junit` into another registry's
// version added files to a stored version.
#[test]
fn predict_and_junit_never_write_inside_a_registry() {
    let f = promoted();
    let config = f
        .read("gates.toml")
        .replace("path = \"reg\"", "path = \"other\"");
    f.write("other.toml", &config);
    let (code, _, err) = run(
        &f,
        &[
            "predict",
            "--model",
            "run1",
            "--data",
            "data.csv",
            "--out",
            "reg/versions/v0001/p.csv",
        ],
    );
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("is inside the registry"), "{err}");
    let (code, _, err) = run(
        &f,
        &[
            "check",
            "--config",
            "other.toml",
            "--out",
            "run9",
            "--junit",
            "reg/versions/v0001/j.xml",
        ],
    );
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("is inside the registry"), "{err}");
    assert!(!f.path("reg/versions/v0001/p.csv").exists());
    assert!(!f.path("reg/versions/v0001/j.xml").exists());
}

// Round 8, N1: a training file that repeats its own rows (oversampling,
// a file appended twice) raised the chance rate to 100%, which switched
// the overlap check off: a copy of the training rows as test file gave GO.
#[test]
fn a_repeated_training_file_does_not_switch_the_overlap_check_off() {
    let f = Fixture::new("");
    let once = float_data(0..500, |x| format!("{x}"));
    let body = once.split_once('\n').map_or("", |(_, rest)| rest);
    f.write("data.csv", &format!("{once}{body}"));
    f.write("test.csv", &float_data(0..500, |x| format!("{}", x as f32)));
    overlap_config(&f, Some("test.csv"));
    assert_inconclusive(&f, "repeated training file");
}

// Round 9, R3/R4: the unknown-value check must use labelling's own
// equivalence: `true` in a test file whose training labels are 1/0 is not
// the positive `1` (labelling counts it negative), so it is exit 2 rather
// than silently negative. `1.0` and `TRUE`-vs-`true` stay equal.
#[test]
fn target_spellings_are_compared_as_labelling_compares_them() {
    let f = Fixture::new("");
    let data = f
        .read("data.csv")
        .replace(",yes\n", ",1\n")
        .replace(",no\n", ",0\n");
    let mut lines: Vec<String> = data.lines().map(str::to_string).collect();
    let header = lines.remove(0);
    let (train, test) = lines.split_at(450);
    f.write("train.csv", &format!("{header}\n{}\n", train.join("\n")));
    let config = f
        .read("gates.toml")
        .replace("data.csv", "train.csv")
        .replace("positive = \"yes\"", "positive = 1")
        .replace("seed = 7", "seed = 7\ntest_path = \"test.csv\"");
    f.write("gates.toml", &config);
    let spelled = |to: &dyn Fn(&str) -> String| -> String {
        let rows: Vec<String> = test.iter().map(|l| to(l)).collect();
        format!("{header}\n{}\n", rows.join("\n"))
    };
    // Some positives spelled `true`: exit 2 naming it.
    f.write(
        "test.csv",
        &spelled(&|l: &str| match l.strip_suffix(",1") {
            Some(head) if l.len().is_multiple_of(3) => format!("{head},true"),
            _ => l.to_string(),
        }),
    );
    let (code, _, err) = run(&f, &["check"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("\"true\""), "{err}");
    // `1.0` / `0.0` are the same values.
    f.write(
        "test.csv",
        &spelled(&|l: &str| {
            let (head, last) = l.rsplit_once(',').unwrap();
            format!("{head},{last}.0")
        }),
    );
    let (code, _, err) = run(&f, &["check"]);
    assert!(code == 0 || code == 1, "{err}");
}
