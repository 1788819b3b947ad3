//! Round 47 of the adversarial trial: columns an ONNX model reads by name.
use crate::fixture::Fixture;
use crate::trust3::run;
use crate::trust46::{coded, DATA};

/// A fixture gating tests/fixtures/onnx/codes_telco.onnx (inputs
/// `tenure`, `monthly_charges`, `contract` as codes `007`/`010`/`3`) on
/// telco rows 5600.., with `data` as `[data]` keys and `extra` after.
pub fn codes_onnx(data: &str, extra: &str) -> Fixture {
    let f = Fixture::new("");
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/onnx");
    std::fs::copy(dir.join("codes_telco.onnx"), f.path("model.onnx")).unwrap();
    f.write("test.csv", &coded(5600, usize::MAX));
    f.write(
        "gates.toml",
        &format!(
            "[data]\npath = \"test.csv\"\n{data}\n[model]\nkind = \"onnx\"\npath = \"model.onnx\"\n\n\
             [[gate]]\nname = \"auc\"\nkind = \"metric\"\nmetric = \"roc_auc\"\nmin = 0.7\n{extra}"
        ),
    );
    f
}

// F1 (a false NO-GO). The codes column is read as text for the model's
// string input; a contract rule on it judged that text against TOML
// numbers (`007` is not 7): every row a violation, while `validate`, or
// the same data beside a native model, passed. The rule now sees the
// column as the data types it, and the cells as written.
#[test]
fn a_contract_rule_on_a_string_input_judges_the_data_as_typed() {
    for (allowed, code) in [
        ("[7, 10, 3]", 0),
        ("[\"007\", \"010\", \"3\"]", 0),
        ("[\"7\", \"10\", \"3\"]", 0),
        ("[7, 10]", 1),
    ] {
        let rule = format!("\n[contract.columns.contract]\nallowed = {allowed}\n");
        let f = codes_onnx(DATA, &rule);
        for command in ["validate", "check"] {
            let (got, out, err) = run(&f, &[command]);
            assert_eq!(got, code, "{command} {allowed}: {out}{err}");
        }
        if code == 1 {
            let r = f.report();
            let v = &r["contract"]["violations"][0];
            assert_eq!(v["column"], "contract", "{v}");
            assert_eq!(v["rule"], "allowed", "{v}");
        }
    }
}

// F2. A model fed by name that reads a protected column (with
// use_protected = false) or a dropped one ran silently; naming the same
// column in `[model] inputs` is exit 2. Both are now.
#[test]
fn a_model_reading_a_protected_or_dropped_column_by_name_is_refused() {
    let protected = DATA.replace("\"senior_citizen\"]", "\"senior_citizen\", \"contract\"]");
    let f = codes_onnx(&protected, "");
    let (code, _, err) = run(&f, &["check"]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("\"contract\"") && err.contains("use_protected"),
        "{err}"
    );
    let f = codes_onnx(&format!("{protected}use_protected = true\n"), "");
    let (code, out, err) = run(&f, &["check"]);
    assert_eq!(code, 0, "{out}{err}");
    let f = codes_onnx(
        &DATA.replace("[\"rownames\"]", "[\"rownames\", \"tenure\"]"),
        "",
    );
    let (code, _, err) = run(&f, &["check"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("\"tenure\"") && err.contains("drop"), "{err}");
}

// Round 48, F1 (a false GO). The duplicate-row rule judged the codes
// column by its text for the model: rows repeating an earlier row with
// `7` for `007` were no repeats, where `validate` and a native model saw
// 120 duplicate rows. The rule now sees the column as the data types it.
#[test]
fn the_duplicate_rule_judges_a_string_input_as_typed() {
    let f = codes_onnx(DATA, "\n[contract]\nmax_duplicate_fraction = 0.01\n");
    let data = f.read("test.csv");
    let copies: String = data
        .lines()
        .skip(1)
        .take(120)
        .map(|l| {
            let c: Vec<&str> = l.split(',').collect();
            let mut c: Vec<String> = c.iter().map(|s| s.to_string()).collect();
            c[16] = c[16].trim_start_matches('0').to_string();
            format!("{}\n", c.join(","))
        })
        .collect();
    assert!(
        copies.contains(",7,") || copies.contains(",10,"),
        "{copies}"
    );
    f.write("test.csv", &format!("{data}{copies}"));
    for command in ["validate", "check"] {
        let (code, out, err) = run(&f, &[command]);
        assert_eq!(code, 1, "{command}: {out}{err}");
    }
    let r = f.report();
    let v = &r["contract"]["violations"][0];
    assert_eq!(v["rule"], "max_duplicate_fraction", "{v}");
    assert_eq!(v["count"], 120, "{v}");
}

// Round 48, F2 (a false GO). An ONNX champion's string input, on a
// Parquet test file holding the codes as numbers (no written text), was
// fed `7` for `007`: its ROC AUC fell, and a worse candidate beat it.
// The gate was then made inconclusive; now the encoder's categories are
// read from the graph and the numbers spelled as them, so the champion
// is re-scored as onnxruntime scores the written codes, and the worse
// candidate fails.
#[test]
fn an_onnx_champion_on_parquet_numbers_is_fed_its_categories() {
    let f = crate::trust46::onnx_run();
    let (code, out, err) = run(&f, &["promote", "--run", "run1"]);
    assert_eq!(code, 0, "{out}{err}");
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/onnx");
    std::fs::copy(dir.join("codes_test.parquet"), f.path("test.parquet")).unwrap();
    f.write("train.csv", &coded(3000, 5600));
    f.write(
        "gates.toml",
        &format!(
            "[data]\npath = \"train.csv\"\ntest_path = \"test.parquet\"\n{DATA}\n[model]\nkind = \"logistic_regression\"\n\n\
             [registry]\npath = \"reg\"\n\n[[gate]]\nname = \"champ\"\nkind = \"champion\"\nmetric = \"roc_auc\"\n"
        ),
    );
    let (_, out, err) = run(&f, &["check", "--out", "run2"]);
    let r: serde_json::Value = serde_json::from_str(&f.read("run2/report.json")).unwrap();
    let g = crate::fixture::gate(&r, "champ");
    assert_eq!(g["status"], "fail", "{g}\n{out}{err}");
    let champion = g["threshold"].as_f64().unwrap();
    let oracle = crate::trust46::ORACLE_AUC;
    assert!((champion - oracle).abs() < 1e-9, "{champion} vs {oracle}");
    assert!(g["observed"].as_f64().unwrap() < 0.83, "{g}");
}

/// The same telco rows as [`codes_onnx`]'s, from a Parquet file holding
/// the codes as int64 numbers (no written text), gating `model`.
fn on_parquet_numbers(model: &str) -> Fixture {
    let f = codes_onnx(DATA, "");
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/onnx");
    std::fs::copy(dir.join("codes_test.parquet"), f.path("test.parquet")).unwrap();
    std::fs::copy(dir.join(model), f.path("model.onnx")).unwrap();
    let config = f.read("gates.toml");
    f.write(
        "gates.toml",
        &config.replace("path = \"test.csv\"", "path = \"test.parquet\""),
    );
    f
}

// A known item since round 48: an ONNX candidate's string input, on a
// Parquet file of the codes as numbers, was fed `7` for `007`, an unseen
// category: ROC AUC 0.814 for onnxruntime's 0.831, without a word. The
// encoder's categories are read from the graph, and each number is fed
// as the one category that spells it.
#[test]
fn an_onnx_candidate_on_parquet_numbers_is_fed_its_categories() {
    let f = codes_onnx(DATA, "");
    let (code, out, err) = run(&f, &["check", "--out", "csv"]);
    assert_eq!(code, 0, "{out}{err}");
    let g = on_parquet_numbers("codes_telco.onnx");
    let (code, out, err) = run(&g, &["check", "--out", "parquet"]);
    assert_eq!(code, 0, "{out}{err}");
    let r: serde_json::Value = serde_json::from_str(&g.read("parquet/report.json")).unwrap();
    let auc = r["metrics"]["roc_auc"].as_f64().unwrap();
    let oracle = crate::trust46::ORACLE_AUC;
    assert!((auc - oracle).abs() < 1e-9, "{auc} vs {oracle}");
    // Row by row, the scores of the codes as written.
    let (a, b) = (
        f.read("csv/predictions.csv"),
        g.read("parquet/predictions.csv"),
    );
    assert_eq!(a.lines().count(), 1444);
    assert_eq!(a, b);
    let notes = r["notes"].to_string();
    assert!(!notes.contains("never learned"), "{notes}");
    // `predict` on the Parquet file scores the rows as `check` did.
    let (code, out, err) = run(
        &g,
        &[
            "predict",
            "--model",
            "parquet",
            "--data",
            "test.parquet",
            "--out",
            "p.csv",
        ],
    );
    assert_eq!(code, 0, "{out}{err}");
    let pairs = |text: &str, score: usize| -> Vec<(String, String)> {
        text.lines()
            .map(|l| {
                let c: Vec<&str> = l.split(',').collect();
                (c[0].to_string(), c[score].to_string())
            })
            .collect()
    };
    assert_eq!(pairs(&g.read("p.csv"), 1), pairs(&a, 2));
}

// A model whose encoder knows none of the numbers (it learned the
// contract names): the scores are its own, with a note saying so.
#[test]
fn an_onnx_string_input_of_unknown_categories_is_noted() {
    let g = on_parquet_numbers("champion_telco.onnx");
    let (_, out, err) = run(&g, &["check", "--out", "parquet"]);
    let r: serde_json::Value = serde_json::from_str(&g.read("parquet/report.json")).unwrap();
    let notes: Vec<&str> = r["notes"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|n| n.as_str())
        .collect();
    let want = "the test rows are not data like this model's training rows: 100% of the present \
                \"contract\" values are none of the categories the model's encoder knows (e.g. \
                \"7\"; it knows \"Month-to-month\", \"One year\", \"Two year\"); its metrics are \
                measured on values it never learned";
    assert!(notes.contains(&want), "{notes:#?}\n{out}{err}");
}

// An encoder that knows two codes spelling one number (`10`, `10.0`):
// a file of numbers cannot say which one each row held, and the note
// says so.
#[test]
fn two_codes_of_one_number_are_noted() {
    let g = on_parquet_numbers("twin_codes_telco.onnx");
    let (_, out, err) = run(&g, &["check", "--out", "parquet"]);
    let r: serde_json::Value = serde_json::from_str(&g.read("parquet/report.json")).unwrap();
    let want = "test.parquet: column \"contract\" holds numbers or booleans where the model's \
                encoder knows text codes, two of which spell one value (\"10\" and \"10.0\"): \
                which one each row held is lost";
    let notes = r["notes"].as_array().unwrap();
    let said = |n: &&serde_json::Value| n.as_str().is_some_and(|n| n.contains(want));
    assert_eq!(
        notes.iter().filter(said).count(),
        1,
        "{notes:#?}\n{out}{err}"
    );
    // The 7s, which this encoder never saw, are noted apart.
    let unseen = "none of the categories the model's encoder knows (e.g. \"7\";";
    assert!(
        notes.iter().any(|n| n.as_str().unwrap().contains(unseen)),
        "{notes:#?}"
    );
}

// A string input whose encoder sits behind an op release-gate does not
// follow (a Cast): its categories cannot be seen, so Parquet numbers are
// fed as they print, as onnxruntime is fed them by
// scripts/make_onnx_champion.py normalized (its ROC AUC below), and a
// note says so.
#[test]
fn parquet_numbers_for_an_unseen_encoder_are_fed_as_printed_and_noted() {
    const ORACLE: f64 = 0.746_431_825_083_510_6;
    let f = Fixture::new("");
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/onnx");
    for name in ["normalized_codes.onnx", "normalized_codes.parquet"] {
        std::fs::copy(dir.join(name), f.path(name)).unwrap();
    }
    f.write(
        "gates.toml",
        "[data]\npath = \"normalized_codes.parquet\"\ntarget = \"y\"\npositive = 1\n\n\
         [model]\nkind = \"onnx\"\npath = \"normalized_codes.onnx\"\n\n\
         [[gate]]\nname = \"auc\"\nkind = \"metric\"\nmetric = \"roc_auc\"\nmin = 0.5\n",
    );
    let (code, out, err) = run(&f, &["check"]);
    assert_eq!(code, 0, "{out}{err}");
    let r = f.report();
    let auc = r["metrics"]["roc_auc"].as_f64().unwrap();
    assert!((auc - ORACLE).abs() < 1e-9, "{auc} vs {ORACLE}");
    let want = "column \"code\" holds numbers where the model reads text, and the categories it \
                knows cannot be seen in its graph";
    let notes = r["notes"].as_array().unwrap();
    assert!(
        notes.iter().any(|n| n.as_str().unwrap().contains(want)),
        "{notes:#?}"
    );
}
