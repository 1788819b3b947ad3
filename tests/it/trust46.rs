//! Round 43, F3: an ONNX model's string input fed codes that a CSV
//! without a letter among them reads as numbers (`007` as 7).
use crate::fixture::Fixture;
use crate::trust3::run;
use crate::trust44::telco;

/// onnxruntime's ROC AUC of tests/fixtures/onnx/codes_telco.onnx on rows
/// 5600.. through scikit-learn's roc_auc_score, printed by
/// scripts/make_onnx_champion.py.
pub const ORACLE_AUC: f64 = 0.831_005_213_693_469_7;

/// The telco rows `from..to` with `contract` written as the codes the
/// model learned (`007`, `010`, `3`).
pub fn coded(from: usize, to: usize) -> String {
    telco(from, to, |_, name, cell| {
        (name == "contract").then(|| {
            match cell {
                "Month-to-month" => "007",
                "One year" => "010",
                _ => "3",
            }
            .to_string()
        })
    })
}

pub const DATA: &str = "target = \"churn\"\npositive = \"Yes\"\ndrop = [\"rownames\"]\nprotected = [\"female\", \"senior_citizen\"]\n";
/// The gate [`crate::trust47::codes_onnx`] writes.
const AUC_GATE: &str =
    "\n[[gate]]\nname = \"auc\"\nkind = \"metric\"\nmetric = \"roc_auc\"\nmin = 0.7\n";
const GATES: &str = "\n[registry]\npath = \"reg\"\n\n[[gate]]\nname = \"auc\"\nkind = \"metric\"\nmetric = \"roc_auc\"\nmin = 0.7\n\n[[gate]]\nname = \"champ\"\nkind = \"champion\"\nmetric = \"roc_auc\"\non_missing = \"pass\"\n";

pub fn onnx_run() -> Fixture {
    let f = crate::trust47::codes_onnx(DATA, &GATES.replace(AUC_GATE, ""));
    let (code, out, err) = run(&f, &["check", "--out", "run1"]);
    assert_eq!(code, 0, "{out}{err}");
    f
}

/// `(row, score)` of a predictions CSV whose score is column `j`.
fn scores(text: &str, j: usize) -> Vec<(String, String)> {
    text.lines()
        .skip(1)
        .map(|l| {
            let c: Vec<&str> = l.split(',').collect();
            (c[0].to_string(), c[j].to_string())
        })
        .collect()
}

// The model is fed `007` as written, in `check` and in `predict`: its
// ROC AUC is onnxruntime's (it was 0.884 with `7`, an unseen category).
#[test]
fn an_onnx_string_input_reads_codes_as_written() {
    let f = onnx_run();
    let r: serde_json::Value = serde_json::from_str(&f.read("run1/report.json")).unwrap();
    let auc = r["metrics"]["roc_auc"].as_f64().unwrap();
    assert!((auc - ORACLE_AUC).abs() < 1e-9, "{auc} vs {ORACLE_AUC}");
    let (code, out, err) = run(
        &f,
        &[
            "predict", "--model", "run1", "--data", "test.csv", "--out", "p.csv",
        ],
    );
    assert_eq!(code, 0, "{out}{err}");
    let checked = scores(&f.read("run1/predictions.csv"), 2);
    assert_eq!(scores(&f.read("p.csv"), 1), checked);
}

// The same model as a champion, beside a run whose files hold the codes
// without a letter (read as numbers): it was fed `7` too. The codes are
// now read again as written, and its ROC AUC is onnxruntime's.
#[test]
fn an_onnx_champion_reads_codes_as_written() {
    let f = onnx_run();
    let (code, out, err) = run(&f, &["promote", "--run", "run1"]);
    assert_eq!(code, 0, "{out}{err}");
    f.write("train.csv", &coded(3000, 5600));
    f.write(
        "gates.toml",
        &format!("[data]\npath = \"train.csv\"\ntest_path = \"test.csv\"\n{DATA}\n[model]\nkind = \"logistic_regression\"\n{GATES}"),
    );
    let (_, out, err) = run(&f, &["check", "--out", "run2"]);
    let r: serde_json::Value = serde_json::from_str(&f.read("run2/report.json")).unwrap();
    let value = r["champion"]["champion_value"].as_f64();
    assert!(
        value.is_some_and(|v| (v - ORACLE_AUC).abs() < 1e-9),
        "{value:?} vs {ORACLE_AUC}\n{out}{err}"
    );
}
