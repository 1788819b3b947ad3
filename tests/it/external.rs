//! Models made elsewhere: `kind = "onnx"` (scored by ONNX Runtime; needs
//! `ORT_DYLIB_PATH`, which `scripts/test.sh` sets up) and `kind = "scores"`.
use crate::fixture::{gate, Fixture};
use predicates::str::contains;

fn onnx_fixture(model: &str, gates: &str) -> Fixture {
    let f = Fixture::new("");
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/onnx");
    for name in ["data.csv", model] {
        std::fs::copy(dir.join(name), f.path(name)).unwrap();
    }
    f.write(
        "gates.toml",
        &format!(
            "[data]\npath = \"data.csv\"\ntarget = \"churn\"\npositive = 1\ndrop = [\"churned\"]\n\n\
             [model]\nkind = \"onnx\"\npath = \"{model}\"\n{gates}"
        ),
    );
    f
}

fn oracle(column: &str) -> Vec<f64> {
    let text = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/onnx/oracle.csv"),
    )
    .unwrap();
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let j = header.iter().position(|h| *h == column).unwrap();
    lines
        .map(|l| l.split(',').nth(j).unwrap().parse().unwrap())
        .collect()
}

fn predicted(f: &Fixture, run: &str) -> Vec<(usize, f64)> {
    let text = f.read(&format!("{run}/predictions.csv"));
    text.lines()
        .skip(1)
        .map(|l| {
            let c: Vec<&str> = l.split(',').collect();
            (c[0].parse().unwrap(), c[2].parse().unwrap())
        })
        .collect()
}

const CHAMP: &str = "\n[registry]\npath = \"reg\"\n\n[[gate]]\nname = \"champ\"\nkind = \"champion\"\nmetric = \"roc_auc\"\n\n[[gate]]\nname = \"auc\"\nkind = \"metric\"\nmetric = \"roc_auc\"\nmin = 0.6\n\n[[gate]]\nname = \"lat\"\nkind = \"latency\"\nmax_ms = 50\n";

#[test]
fn an_onnx_pipeline_is_gated_with_onnxruntimes_scores_and_promoted() {
    let f = onnx_fixture("pipeline_zipmap.onnx", CHAMP);
    let o = f.cmd(&["check", "--out", "run1"]).output().unwrap();
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let want = oracle("pipeline_zipmap");
    let got = predicted(&f, "run1");
    assert_eq!(got.len(), want.len(), "every row is evaluated");
    for (row, s) in got {
        assert!(
            (s - want[row]).abs() < 1e-6,
            "row {row}: {s} vs onnxruntime {}",
            want[row]
        );
    }
    let r: serde_json::Value = serde_json::from_str(&f.read("run1/report.json")).unwrap();
    assert_eq!(r["model"]["kind"], "onnx");
    assert_eq!(r["data"]["train_rows"], 0);
    assert!(r["latency"]["calls"].as_u64().unwrap() > 0);
    assert!(f.path("run1/model.onnx").is_file());
    f.cmd(&["promote", "--run", "run1"]).assert().code(0);
    assert!(f.path("reg/versions/v0001/model.onnx").is_file());
    // An ONNX champion is re-scored on the candidate's rows.
    let o = f.cmd(&["check", "--out", "run2"]).output().unwrap();
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let r: serde_json::Value = serde_json::from_str(&f.read("run2/report.json")).unwrap();
    assert_eq!(r["champion"]["version"], "v0001");
    assert_eq!(r["champion"]["delta"], 0.0);
    assert_eq!(gate(&r, "champ")["status"], "pass");
}

#[test]
fn a_missing_onnx_runtime_is_exit_2_with_the_fix() {
    let f = onnx_fixture(
        "lr_tensor.onnx",
        "inputs = [\"tenure\", \"monthly\", \"age\"]\n",
    );
    f.cmd(&["check"])
        .env("ORT_DYLIB_PATH", "/nonexistent/libonnxruntime.so")
        .assert()
        .code(2)
        .stderr(contains("ORT_DYLIB_PATH"));
}

fn scores_fixture(extra_model: &str, gates: &str, scale: f64) -> Fixture {
    let f = Fixture::new("");
    let mut s = String::from("y,score,champion_score,group\n");
    let mut r = crate::fixture::Lcg::new(5);
    for i in 0..800 {
        let y = u8::from(r.next_f64() < 0.4);
        let noise = r.next_f64();
        let score = (0.35 * f64::from(y) + 0.65 * noise) * scale;
        let champ = (0.2 * f64::from(y) + 0.8 * r.next_f64()) * scale;
        let g = if i % 2 == 0 { "a" } else { "b" };
        s.push_str(&format!("{y},{score},{champ},{g}\n"));
    }
    f.write("data.csv", &s);
    f.write(
        "gates.toml",
        &format!(
            "[data]\npath = \"data.csv\"\ntarget = \"y\"\npositive = 1\nprotected = [\"group\"]\n\n\
             [model]\nkind = \"scores\"\nscore = \"score\"\n{extra_model}\n{gates}"
        ),
    );
    f
}

#[test]
fn scores_made_elsewhere_are_gated_against_the_champion_column() {
    let gates = "[[gate]]\nname = \"champ\"\nkind = \"champion\"\nmetric = \"roc_auc\"\n\n[[gate]]\nname = \"fair\"\nkind = \"fairness\"\nattribute = \"group\"\n";
    let f = scores_fixture("champion_score = \"champion_score\"", gates, 1.0);
    let r = f.check(0);
    assert_eq!(r["data"]["test_rows"], 800);
    assert!(
        r["latency"].is_null(),
        "nothing runs per row: {}",
        r["latency"]
    );
    assert_eq!(r["model"]["kind"], "scores");
    assert_eq!(gate(&r, "champ")["status"], "pass");
    assert!(
        r["champion"]["champion_value"].as_f64().unwrap()
            < r["metrics"]["roc_auc"].as_f64().unwrap()
    );
    // Without champion_score the champion gate is inconclusive, naming the key.
    let f = scores_fixture("", gates, 1.0);
    let r = f.check(1);
    let g = gate(&r, "champ");
    assert_eq!(g["status"], "inconclusive");
    assert!(
        g["message"].as_str().unwrap().contains("champion_score"),
        "{g}"
    );
}

#[test]
fn raw_margins_give_auc_but_leave_the_losses_inconclusive() {
    let gates = "[[gate]]\nname = \"auc\"\nkind = \"metric\"\nmetric = \"roc_auc\"\nmin = 0.6\n\n[[gate]]\nname = \"ll\"\nkind = \"metric\"\nmetric = \"log_loss\"\nmax = 0.7\n";
    let f = scores_fixture("threshold = 1.0", gates, 4.0);
    let r = f.check(1);
    assert_eq!(gate(&r, "auc")["status"], "pass");
    assert_eq!(gate(&r, "ll")["status"], "inconclusive");
    assert!(r["metrics"]["log_loss"].is_null());
}

#[test]
fn a_latency_gate_on_scores_is_a_config_error() {
    let f = scores_fixture("", "[[gate]]\nkind = \"latency\"\nmax_ms = 5\n", 1.0);
    f.cmd(&["validate"])
        .assert()
        .code(2)
        .stderr(contains("nothing runs to be timed"));
}

// Third adversarial round: a run whose model.onnx was replaced after check
// is refused by promote (as by predict), so the registry never stores a
// champion its own digest check would then reject.
#[test]
fn promote_refuses_a_run_whose_onnx_file_was_replaced() {
    let f = onnx_fixture("pipeline_zipmap.onnx", CHAMP);
    assert_eq!(
        f.cmd(&["check", "--out", "run1"])
            .output()
            .unwrap()
            .status
            .code(),
        Some(0)
    );
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/onnx");
    std::fs::copy(dir.join("lgbm.onnx"), f.path("run1/model.onnx")).unwrap();
    f.cmd(&["promote", "--run", "run1"])
        .assert()
        .code(2)
        .stderr(contains("model.onnx: sha256"))
        .stderr(contains("run check again"));
    assert!(!f.path("reg/versions/v0001").exists());
    assert!(
        !f.path("reg/registry.json").exists()
            || f.read("reg/registry.json").contains("\"versions\": []")
    );
}

// Round 51: `compare` read a registry version's report alone, and exited
// 0 after its model.onnx was replaced, which `check` and `predict` refuse.
#[test]
fn compare_refuses_a_version_whose_onnx_file_was_replaced() {
    let f = onnx_fixture("pipeline_zipmap.onnx", CHAMP);
    for step in [
        &["check", "--out", "run1"][..],
        &["promote", "--run", "run1"],
    ] {
        let o = f.cmd(step).output().unwrap();
        assert_eq!(o.status.code(), Some(0), "{step:?}: {o:?}");
    }
    f.cmd(&["compare", "v0001", "run1"]).assert().code(0);
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/onnx");
    std::fs::copy(
        dir.join("lgbm.onnx"),
        f.path("reg/versions/v0001/model.onnx"),
    )
    .unwrap();
    for version in ["v0001", "champion"] {
        f.cmd(&["compare", version, "run1"])
            .assert()
            .code(2)
            .stderr(contains("model.onnx: sha256"))
            .stderr(contains("the file was replaced"));
    }
    // A run directory is compared by its report, model or not.
    f.cmd(&["compare", "run1", "run1"]).assert().code(0);
}

/// Round 6, A3: a one-column decision function (skl2onnx's LinearSVC,
/// tests/fixtures/onnx/svc.onnx) scores class 1; `positive = 0` takes it
/// negated, and the default threshold 0.5 does not cut margins silently.
/// Oracle: tests/fixtures/onnx/svc_oracle.json, written by
/// scripts/make_onnx_svc_fixture.py (scikit-learn's roc_auc_score and
/// accuracy_score on onnxruntime's outputs).
#[test]
fn a_one_column_decision_function_is_read_for_either_class() {
    let oracle: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("tests/fixtures/onnx/svc_oracle.json"),
        )
        .unwrap(),
    )
    .unwrap();
    let gates = "inputs = [\"tenure\", \"age\"]\n\n[[gate]]\nname = \"auc\"\nkind = \"metric\"\nmetric = \"roc_auc\"\nmin = 0.6\n\n[[gate]]\nname = \"acc\"\nkind = \"metric\"\nmetric = \"accuracy\"\nmin = 0.6\n";
    let f = onnx_fixture("svc.onnx", gates);
    let config = f.read("gates.toml");
    for (positive, threshold, key) in [
        ("1", "", "roc_auc_positive_1"),
        ("0", "", "roc_auc_positive_0"),
        ("1", "threshold = 0.0\n", "roc_auc_positive_1"),
    ] {
        f.write(
            "gates.toml",
            &config
                .replace("positive = 1", &format!("positive = {positive}"))
                .replace("inputs =", &format!("{threshold}inputs =")),
        );
        let o = f.cmd(&["check"]).output().unwrap();
        let err = String::from_utf8_lossy(&o.stderr);
        let r = f.report();
        let auc = r["metrics"]["roc_auc"].as_f64().unwrap();
        let want = oracle[key].as_f64().unwrap();
        assert!((auc - want).abs() < 1e-9, "{positive}: {auc} vs {want}");
        let acc = gate(&r, "acc");
        if threshold.is_empty() {
            assert_eq!(o.status.code(), Some(1), "{err}");
            assert_eq!(acc["status"], "inconclusive", "{acc}");
            assert!(
                acc["message"].as_str().unwrap().contains("raw scores"),
                "{acc}"
            );
            assert!(
                r["notes"].to_string().contains("raw scores"),
                "{}",
                r["notes"]
            );
        } else {
            assert_eq!(o.status.code(), Some(0), "{err}");
            let want = oracle["accuracy_at_0"].as_f64().unwrap();
            assert_eq!(r["metrics"]["accuracy"].as_f64().unwrap(), want);
            assert_eq!(acc["status"], "pass", "{acc}");
        }
    }
}

/// `compare` of two `scores` runs on the same rows, from files that differ
/// in their score columns, says "same test rows"; other rows do not.
#[test]
fn compare_sees_the_same_rows_through_different_score_files() {
    let f = scores_fixture("", "", 1.0);
    let code = f
        .cmd(&["check", "--out", "a"])
        .output()
        .unwrap()
        .status
        .code();
    assert!(code == Some(0) || code == Some(1));
    // The same rows with another model's scores, columns reordered.
    let data = f.read("data.csv");
    let mut other = String::from("group,y,score,champion_score\n");
    for (i, line) in data.lines().skip(1).enumerate() {
        let c: Vec<&str> = line.split(',').collect();
        let score = (i % 97) as f64 / 97.0;
        other.push_str(&format!("{},{},{score},{}\n", c[3], c[0], c[2]));
    }
    f.write("other.csv", &other);
    let config = f.read("gates.toml");
    f.write("b.toml", &config.replace("data.csv", "other.csv"));
    // Checks other.csv into `b`, then whether compare sees a's test rows.
    let same_rows = || {
        let code = f
            .cmd(&["check", "--config", "b.toml", "--out", "b"])
            .output()
            .unwrap()
            .status
            .code();
        assert!(code == Some(0) || code == Some(1));
        let o = f
            .cmd(&["compare", "a", "b", "--format", "json"])
            .output()
            .unwrap();
        let c: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        c["same_test_data"].clone()
    };
    assert_eq!(same_rows(), true);
    // One label changed: other rows.
    let flipped = other.replacen("\na,0,", "\na,1,", 1);
    assert_ne!(flipped, other);
    f.write("other.csv", &flipped);
    assert_eq!(same_rows(), false);
}

/// Round 7, B1: `positive_index` on a one-column output picks the class
/// too (index 0 negates it), and an index that contradicts `positive` is
/// a config error rather than the other class's scores.
#[test]
fn positive_index_agrees_with_positive_or_is_refused() {
    let oracle: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("tests/fixtures/onnx/svc_oracle.json"),
        )
        .unwrap(),
    )
    .unwrap();
    let f = onnx_fixture(
        "svc.onnx",
        "inputs = [\"tenure\", \"age\"]\npositive_index = 0\n",
    );
    let config = f.read("gates.toml");
    f.write(
        "gates.toml",
        &config.replace("positive = 1", "positive = 0"),
    );
    let o = f.cmd(&["check"]).output().unwrap();
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let auc = f.report()["metrics"]["roc_auc"].as_f64().unwrap();
    let want = oracle["roc_auc_positive_0"].as_f64().unwrap();
    assert!((auc - want).abs() < 1e-9, "{auc} vs {want}");
    // positive = 1 is class index 1: positive_index = 0 contradicts it.
    f.write("gates.toml", &config);
    f.cmd(&["check"])
        .assert()
        .code(2)
        .stderr(contains("drop positive_index or make them agree"));
}

#[test]
fn above_a_million_rows_the_predictions_are_parquet() {
    let f = Fixture::new("");
    let rows = 1_000_001;
    let mut s = String::with_capacity(rows * 16);
    s.push_str("y,score,group\n");
    let mut r = crate::fixture::Lcg::new(11);
    for i in 0..rows {
        let y = u8::from(r.next_f64() < 0.3);
        let score = 0.3 * f64::from(y) + 0.7 * r.next_f64();
        let g = ["a", "b", ""][i % 3];
        s.push_str(&format!("{y},{score},{g}\n"));
    }
    f.write("data.csv", &s);
    f.write(
        "gates.toml",
        "[data]\npath = \"data.csv\"\ntarget = \"y\"\npositive = 1\nprotected = [\"group\"]\n\n\
         [model]\nkind = \"scores\"\nscore = \"score\"\n\n[[gate]]\nname = \"auc\"\nkind = \"metric\"\nmetric = \"roc_auc\"\nmin = 0.6\n",
    );
    let r = f.check(0);
    assert!(!f.path("release-gate-out/predictions.csv").exists());
    let notes = r["notes"].to_string();
    assert!(notes.contains("predictions.parquet"), "{notes}");
    // Read back by the tool's own loader: every row, in order, as the CSV
    // would hold it (a missing group is null).
    let t = release_gate::data::parts::load(&f.path("release-gate-out/predictions.parquet"))
        .unwrap()
        .table;
    assert_eq!(t.n_rows, rows);
    assert_eq!(
        t.column_names(),
        ["row", "y_true", "score", "y_pred", "group"]
    );
    let group = t.column("group").unwrap();
    assert_eq!(
        (0..3).map(|i| group.text(i)).collect::<Vec<_>>(),
        [Some("a".to_string()), Some("b".to_string()), None]
    );
    let row = t.column("row").unwrap();
    assert_eq!(row.text(rows - 1), Some((rows - 1).to_string()));
    let data = std::fs::read_to_string(f.path("data.csv")).unwrap();
    let last = data.lines().last().unwrap();
    let want: f64 = last.split(',').nth(1).unwrap().parse().unwrap();
    assert_eq!(
        t.column("score").unwrap().text(rows - 1),
        Some(format!("{want}"))
    );
}
