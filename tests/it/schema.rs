//! `release-gate schema`: the JSON Schemas of gates.toml and report.json
//! accept what the tool accepts and writes, and reject a typo.
use crate::fixture::Fixture;
use serde_json::Value;

fn schema(f: &Fixture, args: &[&str]) -> jsonschema::Validator {
    let out = f.cmd(args).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let schema: Value = serde_json::from_slice(&out.stdout).unwrap();
    jsonschema::validator_for(&schema).unwrap()
}

/// A TOML file as the JSON value an editor validates against the schema.
fn toml_as_json(text: &str) -> Value {
    let table: toml::Table = toml::from_str(text).unwrap();
    serde_json::to_value(table).unwrap()
}

fn errors(v: &jsonschema::Validator, doc: &Value) -> Vec<String> {
    v.iter_errors(doc).map(|e| e.to_string()).collect()
}

#[test]
fn config_schema_accepts_the_example_and_rejects_typos() {
    let f = Fixture::new("");
    let v = schema(&f, &["schema"]);
    let example = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/gates.toml"));
    let example = toml_as_json(&example.unwrap());
    assert_eq!(errors(&v, &example), Vec::<String>::new());

    for (typo, fixed) in [
        ("thresold = 0.5", "[model]"),
        ("min_rowz = 1000", "[contract]"),
        ("max_iterr = 100", "[model.params]"),
    ] {
        let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/gates.toml"));
        let text = text
            .unwrap()
            .replacen(fixed, &format!("{fixed}\n{typo}"), 1);
        let errs = errors(&v, &toml_as_json(&text));
        assert!(!errs.is_empty(), "{typo} must be rejected");
    }
    let mut bad_kind = example.clone();
    bad_kind["gate"][0]["kind"] = Value::from("metrik");
    assert!(!v.is_valid(&bad_kind));
    let mut no_target = example;
    no_target["data"].as_object_mut().unwrap().remove("target");
    assert!(!v.is_valid(&no_target), "data.target is required");
}

#[test]
fn config_schema_describes_keys_for_editors() {
    let f = Fixture::new("");
    let out = f.cmd(&["schema"]).output().unwrap();
    let s: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(s["title"], "gates.toml");
    let text = s.to_string();
    assert!(
        text.contains("a column listed in `data.protected`"),
        "doc comments become descriptions"
    );
    assert!(
        text.contains("\"logistic_regression\""),
        "model kinds listed"
    );
}

#[test]
fn report_schema_validates_a_real_report() {
    let f = Fixture::new(
        "\n[[gate]]\nkind = \"metric\"\nmetric = \"roc_auc\"\nmin = 0.5\n\n[[gate]]\nkind = \"fairness\"\nattribute = \"group\"\n",
    );
    let code = f.cmd(&["check", "--quiet"]).output().unwrap().status.code();
    assert!(matches!(code, Some(0 | 1)), "{code:?}");
    let v = schema(&f, &["schema", "--report"]);
    let report = f.report();
    assert_eq!(errors(&v, &report), Vec::<String>::new());
    let mut broken = report;
    broken["verdict"] = Value::from("maybe");
    assert!(!v.is_valid(&broken));
}
