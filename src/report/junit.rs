//! JUnit XML of a run, so GitLab, Jenkins, Azure DevOps and other CI test
//! viewers show the gates as tests (`report --format junit`, `check --junit`).
//!
//! One `<testsuite>`; one `<testcase>` for the data contract, then one per
//! gate (`classname` = the gate's kind, `name` = its name). A testcase fails
//! exactly when it makes the run NO-GO: a violated contract, or a blocking
//! gate that failed or was inconclusive (`<failure message=… type=…>`). A
//! skipped gate is `<skipped/>`; a passing or warning gate passes, its
//! message in `<system-out>` (warnings prefixed `warn:`).
use super::num::{gate_value, plural};
use super::summary::verdict_line;
use super::xml::escape;
use super::{ContractReport, GateResult, GateStatus, Report, Severity, Violation};
use anyhow::Context;
use std::fmt::Write as _;
use std::path::Path;

/// How one testcase came out.
enum Outcome {
    Pass(String),
    Failure {
        message: String,
        kind: &'static str,
        body: String,
    },
    Skipped(String),
}

struct Case {
    classname: String,
    name: String,
    outcome: Outcome,
}

/// Renders `r` as a JUnit XML document.
pub fn render(r: &Report) -> String {
    let mut cases = vec![contract_case(&r.contract)];
    cases.extend(r.gates.iter().map(gate_case));
    let failures = cases
        .iter()
        .filter(|c| matches!(c.outcome, Outcome::Failure { .. }))
        .count();
    let skipped = cases
        .iter()
        .filter(|c| matches!(c.outcome, Outcome::Skipped(_)))
        .count();
    let time = r.timings_ms.values().sum::<f64>() / 1e3;
    let counts = format!(
        "tests=\"{}\" failures=\"{failures}\" errors=\"0\" skipped=\"{skipped}\" time=\"{time:.3}\"",
        cases.len()
    );
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(out, "<testsuites name=\"release-gate\" {counts}>");
    let _ = writeln!(
        out,
        "  <testsuite name=\"release-gate {}\" {counts} timestamp=\"{}\">",
        escape(&r.command),
        escape(&r.lineage.started_at)
    );
    out.push_str(&properties(r));
    for c in &cases {
        out.push_str(&case_xml(c));
    }
    out.push_str("  </testsuite>\n</testsuites>\n");
    out
}

/// Writes the JUnit XML of `r` to `path` atomically (`check --junit`),
/// creating missing parent directories (CI configs name `reports/junit.xml`).
pub fn write(path: &Path, r: &Report) -> anyhow::Result<()> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)
            .with_context(|| format!("{}: cannot create directory for --junit", dir.display()))?;
    }
    super::write_atomic(path, render(r).as_bytes())
}

/// Verdict and lineage as `<property>` elements, so the XML alone says which
/// data, config and commit produced it.
fn properties(r: &Report) -> String {
    let mut props = vec![
        ("verdict", r.verdict.label().to_string()),
        ("exit_code", r.exit_code.to_string()),
        ("summary", verdict_line(r)),
        ("tool_version", r.tool_version.clone()),
        ("data.path", r.data.path.clone()),
        ("data.sha256", r.data.sha256.clone()),
        ("config_sha256", r.lineage.config_sha256.clone()),
    ];
    if let Some(m) = &r.model {
        props.push(("model.kind", m.kind.clone()));
    }
    if let Some(g) = &r.lineage.git {
        props.push(("git.commit", g.commit.clone()));
    }
    let mut out = String::from("    <properties>\n");
    for (name, value) in props {
        let _ = writeln!(
            out,
            "      <property name=\"{name}\" value=\"{}\"/>",
            escape(&value)
        );
    }
    out.push_str("    </properties>\n");
    out
}

fn case_xml(c: &Case) -> String {
    let open = format!(
        "    <testcase classname=\"{}\" name=\"{}\" time=\"0\">",
        escape(&c.classname),
        escape(&c.name)
    );
    let inner = match &c.outcome {
        Outcome::Pass(text) if text.is_empty() => String::new(),
        Outcome::Pass(text) => format!("<system-out>{}</system-out>", escape(text)),
        Outcome::Skipped(text) => format!("<skipped message=\"{}\"/>", escape(text)),
        Outcome::Failure {
            message,
            kind,
            body,
        } => format!(
            "<failure message=\"{}\" type=\"{kind}\">{}</failure>",
            escape(message),
            escape(body)
        ),
    };
    format!("{open}{inner}</testcase>\n")
}

fn contract_case(c: &ContractReport) -> Case {
    let outcome = if c.passed && c.violations.is_empty() {
        Outcome::Pass("data contract passed".to_string())
    } else {
        let message = format!(
            "data contract violated ({})",
            plural(c.violations.len(), "violation")
        );
        let body: Vec<String> = c.violations.iter().map(violation_line).collect();
        Outcome::Failure {
            message,
            kind: "contract",
            body: body.join("\n"),
        }
    };
    Case {
        classname: "contract".to_string(),
        name: "data contract".to_string(),
        outcome,
    }
}

/// `tenure max: 3 rows: 3 values above max 120 (examples: 121 [row 17], …)`.
fn violation_line(v: &Violation) -> String {
    let mut line = format!("{} {}: {} rows: {}", v.column, v.rule, v.count, v.message);
    if !v.examples.is_empty() {
        let _ = write!(line, " (examples: {})", v.examples_text());
    }
    line
}

fn gate_case(g: &GateResult) -> Case {
    let failing = matches!(g.status, GateStatus::Fail | GateStatus::Inconclusive)
        && g.severity == Severity::Block;
    let outcome = match g.status {
        GateStatus::Skipped => Outcome::Skipped(g.message.clone()),
        _ if failing => Outcome::Failure {
            message: if g.message.is_empty() {
                g.status.label().to_string()
            } else {
                g.message.clone()
            },
            kind: g.status.label(),
            body: gate_details(g),
        },
        GateStatus::Pass => Outcome::Pass(g.message.clone()),
        _ => Outcome::Pass(format!("warn: {}", g.message)),
    };
    Case {
        classname: g.kind.clone(),
        name: g.name.clone(),
        outcome,
    }
}

/// The failure body: every field of the gate, one per line.
fn gate_details(g: &GateResult) -> String {
    let mut s = format!(
        "status: {}\nobserved: {}\nthreshold: {}\nseverity: {}\nmessage: {}",
        g.status.label(),
        gate_value(&g.kind, g.observed),
        gate_value(&g.kind, g.threshold),
        g.severity.label(),
        g.message
    );
    if let Some(line) = g.line {
        let _ = write!(s, "\ngates.toml line: {line}");
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::sample::sample_report;
    use quick_xml::events::Event;
    use quick_xml::Reader;

    /// Parses the whole document with a real XML parser; returns every
    /// `(element, attributes)` and the concatenated unescaped text.
    /// An element's name and its `(attribute, unescaped value)` pairs.
    type Element = (String, Vec<(String, String)>);

    fn parse(xml: &str) -> (Vec<Element>, String) {
        let mut reader = Reader::from_str(xml);
        reader.config_mut().check_end_names = true;
        let (mut elements, mut text) = (Vec::new(), String::new());
        loop {
            match reader.read_event().unwrap() {
                Event::Start(e) | Event::Empty(e) => {
                    let name = String::from_utf8(e.name().as_ref().to_vec()).unwrap();
                    let attrs = e
                        .attributes()
                        .map(|a| {
                            let a = a.unwrap();
                            let key = String::from_utf8(a.key.as_ref().to_vec()).unwrap();
                            (key, a.unescape_value().unwrap().into_owned())
                        })
                        .collect();
                    elements.push((name, attrs));
                }
                Event::Text(t) => text.push_str(&t.decode().unwrap()),
                Event::GeneralRef(r) => {
                    let name = r.decode().unwrap();
                    let ch = match name.as_ref() {
                        "lt" => "<",
                        "gt" => ">",
                        "amp" => "&",
                        "quot" => "\"",
                        "#39" => "'",
                        other => panic!("unexpected entity {other}"),
                    };
                    text.push_str(ch);
                }
                Event::Eof => break,
                _ => {}
            }
        }
        (elements, text)
    }

    fn attr<'a>(attrs: &'a [(String, String)], key: &str) -> &'a str {
        attrs
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
            .unwrap_or_else(|| panic!("no attribute {key} in {attrs:?}"))
    }

    #[test]
    fn one_testcase_per_gate_plus_the_contract() {
        let r = sample_report();
        let (elements, _) = parse(&render(&r));
        let cases: Vec<&Vec<(String, String)>> = elements
            .iter()
            .filter(|(n, _)| n == "testcase")
            .map(|(_, a)| a)
            .collect();
        assert_eq!(cases.len(), r.gates.len() + 1);
        assert_eq!(attr(cases[0], "name"), "data contract");
        for (case, g) in cases[1..].iter().zip(&r.gates) {
            assert_eq!(attr(case, "name"), g.name);
            assert_eq!(attr(case, "classname"), g.kind);
        }
        let suite = &elements.iter().find(|(n, _)| n == "testsuite").unwrap().1;
        // contract + quality floor (fail) + fairness (inconclusive); champion skipped.
        assert_eq!(attr(suite, "tests"), "6");
        assert_eq!(attr(suite, "failures"), "3");
        assert_eq!(attr(suite, "skipped"), "1");
    }

    #[test]
    fn failures_skips_and_warnings_map_to_junit_elements() {
        let xml = render(&sample_report());
        let (elements, text) = parse(&xml);
        let failures: Vec<&str> = elements
            .iter()
            .filter(|(n, _)| n == "failure")
            .map(|(_, a)| attr(a, "type"))
            .collect();
        assert_eq!(failures, vec!["contract", "fail", "inconclusive"]);
        let skipped = elements.iter().filter(|(n, _)| n == "skipped").count();
        assert_eq!(skipped, 1);
        assert!(text.contains("warn: tenure PSI 0.2517 > 0.2000"), "{text}");
        assert!(text.contains("gates.toml line: 31"), "{text}");
        assert!(text.contains("row 17: 121"), "{text}");
    }

    #[test]
    fn markup_in_names_and_messages_is_escaped() {
        let mut r = sample_report();
        r.gates[1].name = "a <b> & \"c\"".to_string();
        r.gates[1].message = "x < y && \"z\" > 'w'\u{1}".to_string();
        let xml = render(&r);
        assert!(!xml.contains("a <b>"), "raw markup leaked");
        let (elements, text) = parse(&xml);
        let failure = elements
            .iter()
            .find(|(n, a)| n == "failure" && attr(a, "type") == "fail")
            .unwrap();
        assert_eq!(attr(&failure.1, "message"), "x < y && \"z\" > 'w'\u{FFFD}");
        assert!(elements
            .iter()
            .any(|(n, a)| n == "testcase" && attr(a, "name") == "a <b> & \"c\""));
        assert!(text.contains("message: x < y && \"z\" > 'w'"), "{text}");
    }

    #[test]
    fn passing_run_has_no_failures() {
        let mut r = sample_report();
        r.contract.passed = true;
        r.contract.violations.clear();
        r.gates.retain(|g| g.status == GateStatus::Pass);
        let (elements, text) = parse(&render(&r));
        assert!(!elements.iter().any(|(n, _)| n == "failure"));
        assert!(text.contains("data contract passed"));
    }
}
