//! `release-gate predict`: the same scores as `check`, explanations that add
//! up, and every bad input a clear exit 2.
use crate::fixture::{Fixture, BASE_CONFIG};
use predicates::str::contains;
use std::collections::HashMap;

fn model(kind: &str) -> String {
    let params = match kind {
        "gradient_boosting" => "[model.params]\nn_trees = 30\nmax_depth = 3\n",
        "random_forest" => "[model.params]\nn_trees = 10\nmax_depth = 4\n",
        "decision_tree" => "[model.params]\nmax_depth = 4\n",
        _ => "",
    };
    format!("\n[model]\nkind = \"{kind}\"\n{params}")
}

fn csv(text: &str) -> (Vec<String>, Vec<Vec<String>>) {
    let mut lines = text.lines();
    let header = lines.next().unwrap().split(',').map(String::from).collect();
    let rows = lines
        .map(|l| l.split(',').map(String::from).collect())
        .collect();
    (header, rows)
}

fn predict(f: &Fixture, args: &[&str]) -> String {
    let o = f.cmd(&[&["predict"], args].concat()).output().unwrap();
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8(o.stdout).unwrap()
}

#[test]
fn predict_scores_equal_checks_predictions_bit_for_bit() {
    for kind in ["gradient_boosting", "logistic_regression", "random_forest"] {
        let f = Fixture::new(&model(kind));
        f.check(0);
        let out = predict(&f, &["--model", "release-gate-out", "--data", "data.csv"]);
        let (h, rows) = csv(&out);
        assert_eq!(h, ["row", "score", "y_pred"]);
        assert_eq!(rows.len(), 600, "every data row");
        let by_row: HashMap<&str, &Vec<String>> = rows.iter().map(|r| (r[0].as_str(), r)).collect();
        let (ph, prows) = csv(&f.read("release-gate-out/predictions.csv"));
        let (ri, si, yi) = (
            ph.iter().position(|c| c == "row").unwrap(),
            ph.iter().position(|c| c == "score").unwrap(),
            ph.iter().position(|c| c == "y_pred").unwrap(),
        );
        for p in &prows {
            let r = by_row[p[ri].as_str()];
            assert_eq!(r[1], p[si], "{kind}: score of row {}", p[ri]);
            assert_eq!(r[2], p[yi], "{kind}: y_pred of row {}", p[ri]);
        }
    }
}

#[test]
fn explanations_add_up_to_the_output_for_every_kind() {
    for kind in [
        "gradient_boosting",
        "logistic_regression",
        "random_forest",
        "decision_tree",
    ] {
        let f = Fixture::new(&model(kind));
        f.check(0);
        let out = predict(
            &f,
            &[
                "--model",
                "release-gate-out",
                "--data",
                "data.csv",
                "--explain",
            ],
        );
        let (h, rows) = csv(&out);
        assert_eq!(
            h,
            [
                "row",
                "score",
                "y_pred",
                "contrib_age",
                "contrib_income",
                "contrib_plan",
                "contrib_base"
            ],
            "{kind}"
        );
        // The explained run's scores are the plain run's, bit for bit
        // (gradient boosting reads them off its explanation walks).
        let plain = predict(&f, &["--model", "release-gate-out", "--data", "data.csv"]);
        let (_, plain) = csv(&plain);
        assert_eq!(plain.len(), rows.len(), "{kind}");
        for (p, r) in plain.iter().zip(&rows) {
            assert_eq!(p[..3], r[..3], "{kind}: row {}", r[0]);
        }
        let log_odds = matches!(kind, "gradient_boosting" | "logistic_regression");
        for r in &rows {
            let v: Vec<f64> = r.iter().map(|x| x.parse().unwrap()).collect();
            let s = v[1];
            let output = if log_odds { (s / (1.0 - s)).ln() } else { s };
            let total: f64 = v[3..].iter().sum();
            assert!(
                (total - output).abs() <= 1e-9,
                "{kind} row {}: base + contributions {total} vs output {output}",
                r[0]
            );
        }
        let report = f.report();
        let imp = &report["importance"];
        assert_eq!(
            imp["units"],
            if log_odds { "log-odds" } else { "probability" },
            "{kind}"
        );
        assert_eq!(imp["ranked"].as_array().unwrap().len(), 3, "{kind}");
        assert!(imp["features"]["age"].as_f64().unwrap() > 0.0, "{kind}");
        assert!(f
            .read("release-gate-out/report.html")
            .contains("Feature importance"));
        assert!(f
            .read("release-gate-out/model_card.md")
            .contains("## Feature importance"));
    }
}

#[test]
fn missing_and_wrong_type_columns_are_named() {
    let f = Fixture::new(&model("gradient_boosting"));
    f.check(0);
    f.write("few.csv", "id,plan,extra\n1,basic,9\n");
    f.cmd(&[
        "predict",
        "--model",
        "release-gate-out",
        "--data",
        "few.csv",
    ])
    .assert()
    .code(2)
    .stderr(contains("\"age\""))
    .stderr(contains("\"income\""));
    f.write("text.csv", "age,income,plan\n30,50,basic\nold,60,pro\n");
    f.cmd(&[
        "predict",
        "--model",
        "release-gate-out",
        "--data",
        "text.csv",
    ])
    .assert()
    .code(2)
    .stderr(contains("\"age\""))
    .stderr(contains("\"old\""));
    // Extra columns are ignored; an unseen category scores as in check.
    f.write("ok.csv", "zzz,age,income,plan\n1,30,,platinum\n");
    let out = predict(
        &f,
        &[
            "--model",
            "release-gate-out",
            "--data",
            "ok.csv",
            "--explain",
        ],
    );
    assert_eq!(out.lines().count(), 2, "{out}");
}

#[test]
fn edited_models_unknown_versions_and_the_registry() {
    let f = Fixture::new(&format!(
        "{}\n[registry]\npath = \"registry\"\n",
        model("gradient_boosting")
    ));
    f.check(0);
    f.cmd(&["predict", "--model", "v0007", "--data", "data.csv"])
        .assert()
        .code(2);
    f.cmd(&["promote", "--run", "release-gate-out"])
        .assert()
        .code(0);
    let champion = predict(&f, &["--model", "champion", "--data", "data.csv"]);
    let v1 = predict(&f, &["--model", "v0001", "--data", "data.csv"]);
    let run = predict(&f, &["--model", "release-gate-out", "--data", "data.csv"]);
    assert_eq!(champion, run);
    assert_eq!(v1, run);
    f.cmd(&["predict", "--model", "v0002", "--data", "data.csv"])
        .assert()
        .code(2)
        .stderr(contains("v0002"));
    f.cmd(&["predict", "--model", "nonsense", "--data", "data.csv"])
        .assert()
        .code(2);
    // --out writes the same CSV to a file.
    predict(
        &f,
        &[
            "--model", "champion", "--data", "data.csv", "--out", "p.csv",
        ],
    );
    assert_eq!(f.read("p.csv"), run);
    // An edited run-dir model is refused.
    let m = f.read("release-gate-out/model.json");
    f.write(
        "release-gate-out/model.json",
        &m.replacen("\"init_score\":", "\"init_score\": ", 1),
    );
    f.cmd(&[
        "predict",
        "--model",
        "release-gate-out",
        "--data",
        "data.csv",
    ])
    .assert()
    .code(2)
    .stderr(contains("sha256"));
}

#[test]
fn explain_on_a_tree_without_cover_is_refused() {
    let f = Fixture::new(&model("decision_tree"));
    f.check(0);
    // A model saved before explanations existed: no cover, digest re-recorded.
    let mut m: serde_json::Value =
        serde_json::from_str(&f.read("release-gate-out/model.json")).unwrap();
    m["model"].as_object_mut().unwrap().remove("cover");
    let text = serde_json::to_string(&m).unwrap() + "\n";
    f.write("release-gate-out/model.json", &text);
    let mut r = f.report();
    r["model"]["sha256"] = sha256(text.as_bytes()).into();
    f.write(
        "release-gate-out/report.json",
        &serde_json::to_string(&r).unwrap(),
    );
    predict(&f, &["--model", "release-gate-out", "--data", "data.csv"]);
    f.cmd(&[
        "predict",
        "--model",
        "release-gate-out",
        "--data",
        "data.csv",
        "--explain",
    ])
    .assert()
    .code(2)
    .stderr(contains("--explain"))
    .stderr(contains("retrain"));
    let _ = BASE_CONFIG;
}

fn sha256(bytes: &[u8]) -> String {
    release_gate::config::sha256_hex(bytes)
}
