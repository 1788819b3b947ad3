//! Round 44 of the adversarial trial: an ONNX champion with float inputs,
//! beside a run that reads one of those columns as text.
use crate::fixture::{gate, Fixture};
use crate::trust3::run;

/// Rows `from..to` of the shipped telco example, header first, each cell
/// `edit(row, column, cell)` where that gives `Some`.
pub fn telco(from: usize, to: usize, edit: impl Fn(usize, &str, &str) -> Option<String>) -> String {
    let text = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/churn/telco_churn.csv"),
    )
    .unwrap();
    let mut lines = text.lines();
    let header = lines.next().unwrap();
    let names: Vec<&str> = header.split(',').collect();
    let mut out = format!("{header}\n");
    for (i, line) in lines.enumerate().take(to).skip(from) {
        let cells: Vec<String> = line
            .split(',')
            .zip(&names)
            .map(|(cell, name)| edit(i, name, cell).unwrap_or_else(|| cell.to_string()))
            .collect();
        out.push_str(&cells.join(","));
        out.push('\n');
    }
    out
}

const GATES: &str = "\n[registry]\npath = \"reg\"\n\n[[gate]]\nname = \"auc\"\nkind = \"metric\"\nmetric = \"roc_auc\"\nmin = 0.7\n\n[[gate]]\nname = \"champ\"\nkind = \"champion\"\nmetric = \"roc_auc\"\non_missing = \"pass\"\n";

// F1 (a false NO-GO). An ONNX champion whose `tenure` input is a float
// (tests/fixtures/onnx/champion_telco.onnx, from
// scripts/make_onnx_champion.py: scikit-learn's OneHotEncoder +
// LogisticRegression fitted on rows 0-2999, converted by skl2onnx) could
// not be re-scored when the new training file held three `unknown` tenure
// cells (tenure read as text): the champion gate was inconclusive and the
// verdict NO-GO, though every test cell is a plain number. Now the
// champion reads them as numbers, and its ROC AUC on rows 5600.. equals
// onnxruntime's through scikit-learn's roc_auc_score, printed by the
// script: 0.8310052136934697.
#[test]
fn an_onnx_champion_with_float_inputs_reads_a_column_held_as_text() {
    let f = Fixture::new("");
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/onnx");
    std::fs::copy(dir.join("champion_telco.onnx"), f.path("champ.onnx")).unwrap();
    f.write("test.csv", &telco(5600, usize::MAX, |_, _, _| None));
    let unknown = |row, name: &str, _: &str| {
        (name == "tenure" && [3100, 4200, 5300].contains(&row)).then(|| "unknown".to_string())
    };
    f.write("train.csv", &telco(3000, 5600, unknown));
    let data = "target = \"churn\"\npositive = \"Yes\"\ndrop = [\"rownames\"]\nprotected = [\"female\", \"senior_citizen\"]\n";
    f.write(
        "gates.toml",
        &format!("[data]\npath = \"test.csv\"\n{data}\n[model]\nkind = \"onnx\"\npath = \"champ.onnx\"\n{GATES}"),
    );
    let (code, out, err) = run(&f, &["check", "--out", "run1"]);
    assert_eq!(code, 0, "{out}{err}");
    let (code, out, err) = run(&f, &["promote", "--run", "run1"]);
    assert_eq!(code, 0, "{out}{err}");
    f.write(
        "gates.toml",
        &format!("[data]\npath = \"train.csv\"\ntest_path = \"test.csv\"\n{data}\n[model]\nkind = \"logistic_regression\"\n{GATES}"),
    );
    let (code, out, err) = run(&f, &["check", "--out", "run2"]);
    let report: serde_json::Value = serde_json::from_str(&f.read("run2/report.json")).unwrap();
    let champ = gate(&report, "champ");
    assert_ne!(champ["status"], "inconclusive", "{champ}\n{out}{err}");
    let value = report["champion"]["champion_value"].as_f64().unwrap();
    assert!((value - 0.831_005_213_693_469_7).abs() < 1e-9, "{value}");
    assert_eq!(code, 0, "{out}{err}");
}
