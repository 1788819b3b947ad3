//! CI-native formats end to end: `check --junit FILE`, `report --format
//! junit|html`, `report.html` in the out dir and the chart data in
//! `report.json` (`curves`) that lets a saved run re-render.
use crate::fixture::Fixture;
use quick_xml::events::Event;
use quick_xml::Reader;

/// A gate whose name needs escaping, a failing one and a passing one.
const GATES: &str = r#"
[[gate]]
name = "auc <floor> & \"friends\""
kind = "metric"
metric = "roc_auc"
min = 0.7

[[gate]]
name = "impossible accuracy"
kind = "metric"
metric = "accuracy"
min = 0.999

[[gate]]
kind = "fairness"
attribute = "group"
min = 0.5

[[gate]]
kind = "latency"
max_ms = 50.0
"#;

/// An element's name and its `(attribute, unescaped value)` pairs.
type Element = (String, Vec<(String, String)>);

/// `(element, attributes)` of every element, parsed by a real XML parser
/// (which fails on anything not well-formed).
fn elements(xml: &str) -> Vec<Element> {
    let mut reader = Reader::from_str(xml);
    reader.config_mut().check_end_names = true;
    let mut out = Vec::new();
    loop {
        match reader.read_event().expect("well-formed XML") {
            Event::Start(e) | Event::Empty(e) => {
                let attrs = e
                    .attributes()
                    .map(|a| {
                        let a = a.unwrap();
                        let key = String::from_utf8(a.key.as_ref().to_vec()).unwrap();
                        (key, a.unescape_value().unwrap().into_owned())
                    })
                    .collect();
                out.push((
                    String::from_utf8(e.name().as_ref().to_vec()).unwrap(),
                    attrs,
                ));
            }
            Event::Eof => return out,
            _ => {}
        }
    }
}

fn attr<'a>(attrs: &'a [(String, String)], key: &str) -> &'a str {
    attrs
        .iter()
        .find(|(k, _)| k == key)
        .map_or("", |(_, v)| v.as_str())
}

/// Names of the `<testcase>`s, in order.
fn testcases(xml: &str) -> Vec<String> {
    elements(xml)
        .iter()
        .filter(|(n, _)| n == "testcase")
        .map(|(_, a)| attr(a, "name").to_string())
        .collect()
}

fn stdout(f: &Fixture, args: &[&str]) -> String {
    let out = f.cmd(args).output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn check_junit_writes_one_testcase_per_gate() {
    let f = Fixture::new(GATES);
    let out = f.cmd(&["check", "--junit", "junit.xml"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1), "the accuracy gate fails");
    let xml = f.read("junit.xml");
    let report = f.report();
    let gates: Vec<String> = report["gates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["name"].as_str().unwrap().to_string())
        .collect();
    let mut expected = vec!["data contract".to_string()];
    expected.extend(gates);
    assert_eq!(testcases(&xml), expected);
    assert_eq!(expected[1], "auc <floor> & \"friends\"");
    assert!(xml.contains("auc &lt;floor&gt; &amp; &quot;friends&quot;"));
    let els = elements(&xml);
    let failures: Vec<&str> = els
        .iter()
        .filter(|(n, _)| n == "failure")
        .map(|(_, a)| attr(a, "message"))
        .collect();
    assert_eq!(failures.len(), 1, "{xml}");
    assert!(failures[0].starts_with("accuracy "), "{}", failures[0]);
    let suite = &els.iter().find(|(n, _)| n == "testsuite").unwrap().1;
    assert_eq!(attr(suite, "tests"), "5");
    assert_eq!(attr(suite, "failures"), "1");
}

#[test]
fn report_rerenders_junit_and_html_identically() {
    let f = Fixture::new(GATES);
    let out = f.cmd(&["check", "--junit", "junit.xml"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let junit = stdout(
        &f,
        &["report", "--run", "release-gate-out", "--format", "junit"],
    );
    // Equal but for the suite's run time, which report.json's `report` stage
    // (writing the artifacts) extends after --junit's copy was rendered.
    let untimed = |xml: &str| {
        let time = regex::Regex::new(r#" time="[0-9.]+""#).unwrap();
        time.replace_all(xml, "").into_owned()
    };
    assert_eq!(untimed(&junit), untimed(&f.read("junit.xml")));
    assert!(junit.contains("<failure message=\"accuracy "));
    let html = stdout(
        &f,
        &["report", "--run", "release-gate-out", "--format", "html"],
    );
    assert_eq!(html, f.read("release-gate-out/report.html"));
}

#[test]
fn report_html_is_self_contained_with_every_chart() {
    let f = Fixture::new(GATES);
    f.check(1);
    let html = f.read("release-gate-out/report.html");
    let lower = html.to_ascii_lowercase();
    for bad in ["<script", " src=", " href=", "http://", "https://", "url("] {
        assert!(!lower.contains(bad), "report.html contains {bad:?}");
    }
    for name in [
        "auc &lt;floor&gt; &amp; &quot;friends&quot;",
        "impossible accuracy",
    ] {
        assert!(html.contains(name), "gate {name} missing");
    }
    // ROC, calibration, confusion matrix, importance, fairness (one
    // attribute), latency.
    assert_eq!(html.matches("<svg").count(), 6);
    for title in [
        "ROC curve (AUC",
        "Calibration (reliability diagram)",
        "Confusion matrix",
        "Feature importance",
        "Fairness: group",
        "Single-row latency",
    ] {
        assert!(html.contains(title), "chart {title} missing");
    }
    assert!(html.matches("<polyline").count() >= 4, "curves drawn");
}

#[test]
fn report_json_holds_bounded_curve_data() {
    let f = Fixture::new(GATES);
    let r = f.check(1);
    let c = &r["curves"];
    let roc = c["roc"].as_array().unwrap();
    assert!(roc.len() >= 10 && roc.len() <= 200, "{} points", roc.len());
    assert_eq!(
        (roc[0]["fpr"].as_f64(), roc[0]["tpr"].as_f64()),
        (Some(0.0), Some(0.0))
    );
    let last = roc.last().unwrap();
    assert_eq!(
        (last["fpr"].as_f64(), last["tpr"].as_f64()),
        (Some(1.0), Some(1.0))
    );
    let bins = c["calibration"].as_array().unwrap();
    assert_eq!(bins.len(), 10);
    let rows: u64 = bins.iter().map(|b| b["count"].as_u64().unwrap()).sum();
    assert_eq!(rows, r["data"]["test_rows"].as_u64().unwrap());
    let h = &c["latency"];
    let calls: u64 = h["counts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_u64().unwrap())
        .sum();
    assert_eq!(
        calls + h["above"].as_u64().unwrap(),
        r["latency"]["calls"].as_u64().unwrap()
    );
}

#[test]
fn contract_violation_fails_the_contract_case_and_skips_gates() {
    let f = Fixture::new(&format!("[contract]\nmin_rows = 100000\n{GATES}"));
    let out = f.cmd(&["check", "--format", "junit"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let xml = String::from_utf8(out.stdout).unwrap();
    let els = elements(&xml);
    let count = |name: &str| els.iter().filter(|(n, _)| n == name).count();
    assert_eq!(count("testcase"), 5);
    assert_eq!(count("skipped"), 4);
    let failure = els.iter().find(|(n, _)| n == "failure").unwrap();
    assert_eq!(attr(&failure.1, "type"), "contract");
    let html = f.read("release-gate-out/report.html");
    assert!(html.contains("min_rows"));
    assert!(!html.contains("<svg"), "no model, no charts");
}

#[test]
fn validate_junit_has_the_contract_case_only() {
    let f = Fixture::new(GATES);
    let out = f
        .cmd(&["validate", "--junit", "v.xml", "-q"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(testcases(&f.read("v.xml")), vec!["data contract"]);
}

#[test]
fn junit_path_gets_its_directories_or_an_error_naming_it() {
    let f = Fixture::new(GATES);
    let out = f
        .cmd(&["check", "-q", "--junit", "reports/ci/junit.xml"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(testcases(&f.read("reports/ci/junit.xml")).len(), 5);
    // A regular file where a directory should be: exit 2, naming the path.
    let out = f
        .cmd(&["check", "-q", "--junit", "data.csv/junit.xml"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("data.csv"), "{err}");
}
