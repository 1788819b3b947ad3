//! `[model] kind = "gradient_boosting"` end to end: verdict, determinism,
//! parameter errors at their line, missing values, champion gates.
use crate::fixture::{gate, Fixture, BASE_CONFIG};
use predicates::str::contains;

const GBM: &str = r#"
[model]
kind = "gradient_boosting"

[model.params]
n_trees = 40
max_depth = 3
min_samples_leaf = 10

[[gate]]
name = "quality floor"
kind = "metric"
metric = "roc_auc"
min = 0.65
"#;

#[test]
fn gradient_boosting_gives_go_and_a_sane_auc() {
    let f = Fixture::new(GBM);
    let r = f.check(0);
    assert_eq!(r["verdict"], "go");
    assert_eq!(r["model"]["kind"], "gradient_boosting");
    assert_eq!(r["model"]["params"]["n_trees"], 40);
    assert_eq!(r["model"]["params"]["learning_rate"], 0.1);
    let auc = r["metrics"]["roc_auc"].as_f64().unwrap();
    assert!((0.7..1.0).contains(&auc), "roc_auc {auc}");
    assert_eq!(gate(&r, "quality floor")["status"], "pass");
    let model: serde_json::Value =
        serde_json::from_str(&f.read("release-gate-out/model.json")).unwrap();
    assert_eq!(model["model"]["kind"], "gradient_boosting");
    assert_eq!(model["model"]["trees"].as_array().unwrap().len(), 40);
}

#[test]
fn same_seed_gives_a_byte_identical_model_whatever_the_threads() {
    let f = Fixture::new(GBM);
    let run = |out: &str, threads: &str| {
        let o = f
            .cmd(&["check", "--out", out])
            .env("RAYON_NUM_THREADS", threads)
            .output()
            .unwrap();
        assert_eq!(
            o.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&o.stderr)
        );
        f.read(&format!("{out}/model.json"))
    };
    let a = run("a", "1");
    let b = run("b", "3");
    let c = run("c", "1");
    assert_eq!(a, c, "same seed, same threads");
    assert_eq!(a, b, "same seed, other thread count");
}

#[test]
fn out_of_range_params_are_config_errors_at_their_line() {
    for (param, key) in [
        ("learning_rate = 0.0", "learning_rate"),
        ("subsample = 1.5", "subsample"),
        ("max_depth = 0", "max_depth"),
        ("max_bins = 1", "max_bins"),
        ("n_trees = 0", "n_trees"),
        ("l2 = -1.0", "l2"),
        ("validation_fraction = 1.0", "validation_fraction"),
    ] {
        let f = Fixture::new(&format!(
            "\n[model]\nkind = \"gradient_boosting\"\n[model.params]\n{param}\n"
        ));
        // Reported at the [model.params] header, as for the other kinds.
        let text = f.read("gates.toml");
        let line = text.lines().position(|l| l == "[model.params]").unwrap() + 1;
        f.cmd(&["check"])
            .assert()
            .code(2)
            .stderr(contains(format!("gates.toml:{line}:")))
            .stderr(contains(key));
    }
    let f = Fixture::new("\n[model]\nkind = \"gradient_boosting\"\n[model.params]\nn_tree = 5\n");
    f.cmd(&["check"])
        .assert()
        .code(2)
        .stderr(contains("gates.toml:"))
        .stderr(contains("n_tree"));
}

#[test]
fn missing_numbers_reach_the_trees_as_nan() {
    let f = Fixture::new(GBM);
    // Blank out a third of the incomes: training must still work, and the
    // saved preprocessing must keep them missing (no median imputation).
    let data = f.read("data.csv");
    let mut out = String::new();
    for (i, line) in data.lines().enumerate() {
        let mut cells: Vec<&str> = line.split(',').collect();
        if i > 0 && i % 3 == 0 {
            cells[2] = "";
        }
        out.push_str(&cells.join(","));
        out.push('\n');
    }
    f.write("data.csv", &out);
    let r = f.check(0);
    assert!(r["metrics"]["roc_auc"].as_f64().unwrap() > 0.65);
    let model: serde_json::Value =
        serde_json::from_str(&f.read("release-gate-out/model.json")).unwrap();
    assert_eq!(model["preprocessor"]["keep_missing"], true);
    let nan_left = model["model"]["trees"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|t| t["nan_left"].as_array().unwrap().clone())
        .any(|v| v == true);
    assert!(nan_left, "some split sends missing incomes left");
}

#[test]
fn a_class_rarer_than_a_leaf_trains_with_a_note() {
    let f = Fixture::new(
        "\n[model]\nkind = \"gradient_boosting\"\n[model.params]\nn_trees = 5\nmin_samples_leaf = 400\n",
    );
    let r = f.check(0);
    let notes = r["notes"].to_string();
    assert!(notes.contains("min_samples_leaf"), "{notes}");
}

#[test]
fn champion_gate_compares_gradient_boosting_with_logistic() {
    let gates = r#"
[registry]
path = "registry"

[[gate]]
name = "auc vs champion"
kind = "champion"
metric = "roc_auc"
min_delta = -0.2
"#;
    let f = Fixture::new("");
    f.write(
        "gates.toml",
        &format!("{BASE_CONFIG}\n[model]\nkind = \"logistic_regression\"\n[registry]\npath = \"registry\"\n"),
    );
    f.cmd(&["check", "--out", "run1"]).assert().code(0);
    f.cmd(&["promote", "--run", "run1"]).assert().code(0);
    f.write(
        "gates.toml",
        &format!(
            "{BASE_CONFIG}\n[model]\nkind = \"gradient_boosting\"\n[model.params]\nn_trees = 30\nmax_depth = 3\n{gates}"
        ),
    );
    let o = f.cmd(&["check", "--out", "run2"]).output().unwrap();
    let r: serde_json::Value = serde_json::from_str(&f.read("run2/report.json")).unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", r["gates"]);
    assert_eq!(r["champion"]["present"], true);
    assert_eq!(r["champion"]["version"], "v0001");
    assert!(r["champion"]["delta"].as_f64().is_some());
    assert_eq!(gate(&r, "auc vs champion")["status"], "pass");
}
