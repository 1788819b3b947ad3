//! `report.html`: one self-contained page per run (inline CSS and SVG, no
//! external assets, no JavaScript) for a CI artifact or a browser: the
//! verdict, the gate table, the data contract, ROC and calibration curves,
//! the confusion matrix, per-group fairness bars, the latency histogram,
//! champion, drift and lineage. Charts come from [`super::svg`]; the curve
//! data from `report.json`'s `curves`, so a saved run re-renders exactly.
use super::num::{fixed, gate_value, metric, ms, plural, rate};
use super::summary::verdict_line;
use super::svg;
use super::table::drift_ranking;
use super::xml::escape;
use super::{ChampionInfo, ContractReport, DriftReport, GateResult, Latency, Report, Verdict};
use crate::domain::{FairnessMetric, Metric};
use crate::evaluate::fairness::AttributeFairness;
use crate::evaluate::metrics::Metrics;
use std::collections::BTreeMap;
use std::fmt::Write as _;

/// Drifted features listed in the drift table.
const DRIFT_TOP: usize = 10;
/// Why a chart is missing from a run saved before `curves` existed.
const NO_CURVES: &str = "not in this report.json (saved by an older release-gate)";

const STYLE: &str = "
:root{color-scheme:light}
body{margin:0;background:#f3f4f6;color:#111827;font:14px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif}
main{max-width:1160px;margin:0 auto;padding:20px}
header.verdict{border-radius:10px;padding:18px 22px;color:#fff}
header.go{background:#15803d}header.no-go{background:#b91c1c}
header h1{margin:0;font-size:28px}header p{margin:4px 0 0}
section{background:#fff;border-radius:10px;padding:16px 20px;margin-top:16px;box-shadow:0 1px 2px rgba(0,0,0,.08)}
h2{font-size:18px;margin:0 0 12px}h3{font-size:15px;margin:0 0 8px}
table{border-collapse:collapse;width:100%}
th,td{text-align:left;padding:6px 8px;border-bottom:1px solid #e5e7eb;vertical-align:top}
th{color:#4b5563;font-weight:600}
.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
.badge{display:inline-block;padding:1px 9px;border-radius:999px;font-weight:600;font-size:12px}
.pass{background:#dcfce7;color:#166534}.fail{background:#fee2e2;color:#991b1b}
.warn{background:#fef3c7;color:#92400e}.inconclusive{background:#ede9fe;color:#5b21b6}
.skipped{background:#f3f4f6;color:#4b5563}
.grid{display:grid;grid-template-columns:repeat(auto-fit,minmax(480px,1fr));gap:16px}
figure{margin:0}figure svg{width:100%;max-width:720px;height:auto;display:block;border:1px solid #e5e7eb;border-radius:8px}
figcaption{color:#4b5563;margin-top:6px}
code{font-family:ui-monospace,SFMono-Regular,Menlo,monospace;font-size:12px;word-break:break-all}
.muted{color:#6b7280}
";

/// Renders the run as one HTML page.
pub fn render(r: &Report) -> String {
    let mut body = vec![header(r)];
    if r.command != "validate" {
        body.push(gates_section(&r.gates));
    }
    body.extend(notes_section(&r.notes));
    body.push(contract_section(&r.contract));
    let optional = [
        r.metrics.as_ref().map(|m| quality_section(r, m)),
        r.importance.as_ref().map(importance_section),
        fairness_section(&r.fairness, r.confidence()),
        r.latency.as_ref().map(|l| latency_section(r, l)),
        r.champion
            .as_ref()
            .filter(|c| c.compared())
            .map(champion_section),
        r.drift.as_ref().and_then(drift_section),
    ];
    body.extend(optional.into_iter().flatten());
    body.push(lineage_section(r));
    let title = match &r.model_card.name {
        Some(name) => format!("release-gate: {} · {name}", r.verdict.label()),
        None => format!("release-gate: {}", r.verdict.label()),
    };
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n<main>\n{}</main>\n</body>\n</html>\n",
        escape(&title),
        body.join("")
    )
}

/// A table of already-escaped cells; `num` marks right-aligned columns.
fn table(header: &[&str], num: &[usize], rows: &[Vec<String>]) -> String {
    let class = |i: usize| {
        if num.contains(&i) {
            " class=\"num\""
        } else {
            ""
        }
    };
    let mut s = String::from("<table>\n<thead><tr>");
    for (i, h) in header.iter().enumerate() {
        let _ = write!(s, "<th{}>{}</th>", class(i), escape(h));
    }
    s.push_str("</tr></thead>\n<tbody>\n");
    for row in rows {
        s.push_str("<tr>");
        for (i, cell) in row.iter().enumerate() {
            let _ = write!(s, "<td{}>{cell}</td>", class(i));
        }
        s.push_str("</tr>\n");
    }
    s + "</tbody>\n</table>\n"
}

fn section(title: &str, inner: &str) -> String {
    format!("<section>\n<h2>{}</h2>\n{inner}</section>\n", escape(title))
}

fn figure(svg: String, caption: &str) -> String {
    format!(
        "<figure>{svg}<figcaption>{}</figcaption></figure>\n",
        escape(caption)
    )
}

fn header(r: &Report) -> String {
    let class = match r.verdict {
        Verdict::Go => "go",
        Verdict::NoGo => "no-go",
    };
    let d = &r.data;
    let mut about = format!(
        "<code>{}</code> on <code>{}</code> ({} rows",
        escape(&r.command),
        escape(&d.path),
        d.rows
    );
    if r.command != "validate" {
        let _ = write!(about, ", {} train / {} test", d.train_rows, d.test_rows);
    }
    about.push(')');
    if let Some(m) = &r.model {
        let _ = write!(about, " · model <code>{}</code>", escape(&m.kind));
    }
    if let Some(name) = &r.model_card.name {
        let _ = write!(about, " · {}", escape(name));
    }
    format!(
        "<header class=\"verdict {class}\">\n<h1>{}</h1>\n<p><strong>{}</strong></p>\n<p>{about} · release-gate {} · {}</p>\n</header>\n",
        r.verdict.label(),
        escape(&verdict_line(r)),
        escape(&r.tool_version),
        escape(&r.lineage.started_at)
    )
}

fn gate_row(g: &GateResult) -> Vec<String> {
    let status = g.status.label();
    vec![
        escape(&g.name),
        escape(&g.kind),
        format!("<span class=\"badge {status}\">{status}</span>"),
        escape(&gate_value(&g.kind, g.observed)),
        escape(&gate_value(&g.kind, g.threshold)),
        g.severity.label().to_string(),
        escape(&g.message),
    ]
}

fn gates_section(gates: &[GateResult]) -> String {
    if gates.is_empty() {
        return section("Gates", "<p>No gates declared.</p>\n");
    }
    let rows: Vec<Vec<String>> = gates.iter().map(gate_row).collect();
    let header = [
        "gate",
        "kind",
        "status",
        "observed",
        "threshold",
        "severity",
        "message",
    ];
    section("Gates", &table(&header, &[3, 4], &rows))
}

/// What the run changed or could not do on its own (capped encodings,
/// ignored config entries), as a list.
fn notes_section(notes: &[String]) -> Option<String> {
    if notes.is_empty() {
        return None;
    }
    let items: String = notes
        .iter()
        .map(|n| format!("<li>{}</li>\n", escape(n)))
        .collect();
    Some(section("Notes", &format!("<ul>\n{items}</ul>\n")))
}

fn contract_section(c: &ContractReport) -> String {
    if c.violations.is_empty() {
        let state = if c.passed { "pass" } else { "fail" };
        let text = if c.passed { "passed" } else { "failed" };
        return section(
            "Data contract",
            &format!("<p><span class=\"badge {state}\">{text}</span></p>\n"),
        );
    }
    let rows: Vec<Vec<String>> = c
        .violations
        .iter()
        .map(|v| {
            vec![
                escape(&v.column),
                escape(&v.rule),
                v.count.to_string(),
                escape(&v.examples_text()),
                escape(&v.message),
            ]
        })
        .collect();
    let inner = format!(
        "<p><span class=\"badge fail\">{}</span></p>\n{}",
        plural(c.violations.len(), "violation"),
        table(
            &["column", "rule", "count", "examples", "message"],
            &[2],
            &rows
        )
    );
    section("Data contract", &inner)
}

fn metrics_table(m: &Metrics, intervals: Option<&crate::domain::Intervals>) -> String {
    let rows: Vec<Vec<String>> = Metric::ALL
        .iter()
        .map(|n| {
            vec![
                n.to_string(),
                crate::domain::num::metric_with(
                    m.get(*n),
                    crate::domain::Intervals::ends(intervals, n.name()),
                ),
            ]
        })
        .collect();
    format!(
        "<div>\n<h3>Metrics</h3>\n{}</div>\n",
        table(&["metric", "value"], &[1], &rows)
    )
}

/// ROC, calibration, confusion matrix and the metric values.
fn quality_section(r: &Report, m: &Metrics) -> String {
    let threshold = r.model.as_ref().map_or(0.5, |x| x.threshold);
    let curves = r.curves.as_ref();
    let roc = match curves {
        Some(c) => svg::roc(&c.roc, m.roc_auc, &m.confusion, threshold, r.confidence()),
        None => svg::unavailable("ROC curve", NO_CURVES),
    };
    let cal = match curves {
        Some(c) => svg::calibration(&c.calibration),
        None => svg::unavailable("Calibration (reliability diagram)", NO_CURVES),
    };
    let inner = format!(
        "<div class=\"grid\">\n{}{}{}{}</div>\n",
        figure(roc, &roc_caption(r.confidence())),
        figure(cal, "Observed positive rate per score bin: on the diagonal, a score of 0.3 means a 30% chance."),
        figure(svg::confusion(&m.confusion, threshold), "Test rows by actual and predicted class."),
        metrics_table(m, r.intervals.as_ref())
    );
    section("Model quality", &inner)
}

fn roc_caption(confidence: Option<f64>) -> String {
    let mut s = "True-positive against false-positive rate over every threshold; the dot is the model's threshold.".to_string();
    if let Some(c) = confidence {
        s += &format!(
            " Band: pointwise {}% Wilson interval of the true-positive rate at each false-positive rate.",
            fixed(c * 100.0, 0)
        );
    }
    s
}

/// The importance bar chart and the full table.
fn importance_section(imp: &crate::domain::Importance) -> String {
    let ranked = imp.ranked_values();
    let rows: Vec<Vec<String>> = ranked
        .iter()
        .map(|(k, v)| vec![escape(k), format!("{v:.4}")])
        .collect();
    let caption = format!(
        "Mean absolute contribution per input feature over {} test rows, in {} \
         (TreeSHAP for trees; coefficient x value for linear models).",
        imp.rows, imp.units
    );
    let inner = format!(
        "<div class=\"grid\">\n{}{}</div>\n",
        figure(svg::importance(&imp.units, &ranked), &caption),
        table(&["feature", "mean |contribution|"], &[1], &rows)
    );
    section("Feature importance", &inner)
}

fn fairness_attribute(attr: &str, f: &AttributeFairness, confidence: Option<f64>) -> String {
    let mut caption = format!(
        "Disparate impact {} · TPR difference {} · selection-rate difference {}",
        f.shown(FairnessMetric::DisparateImpact),
        f.shown(FairnessMetric::TprDifference),
        f.shown(FairnessMetric::SelectionRateDifference)
    );
    if let Some(c) = confidence {
        caption += &format!(
            ". Error bars: {}% Wilson intervals of each group's rate",
            fixed(c * 100.0, 0)
        );
    }
    figure(svg::group_rates(attr, &f.groups, confidence), &caption)
}

fn fairness_section(
    fairness: &BTreeMap<String, AttributeFairness>,
    confidence: Option<f64>,
) -> Option<String> {
    if fairness.is_empty() {
        return None;
    }
    let figures: Vec<String> = fairness
        .iter()
        .map(|(a, f)| fairness_attribute(a, f, confidence))
        .collect();
    Some(section(
        "Fairness",
        &format!("<div class=\"grid\">\n{}</div>\n", figures.join("")),
    ))
}

fn latency_section(r: &Report, l: &Latency) -> String {
    let chart = match r.curves.as_ref().and_then(|c| c.latency.as_ref()) {
        Some(h) => svg::latency(h, [l.p50_ms, l.p95_ms, l.p99_ms]),
        None => svg::unavailable("Single-row latency", NO_CURVES),
    };
    let rows = vec![
        vec!["p50".to_string(), format!("{} ms", ms(Some(l.p50_ms)))],
        vec!["p95".to_string(), format!("{} ms", ms(Some(l.p95_ms)))],
        vec!["p99".to_string(), format!("{} ms", ms(Some(l.p99_ms)))],
        vec![
            "batch throughput".to_string(),
            format!("{} rows/s", rate(l.rows_per_sec)),
        ],
        vec!["timed single-row calls".to_string(), l.calls.to_string()],
    ];
    let inner = format!(
        "<div class=\"grid\">\n{}<div>\n{}</div>\n</div>\n",
        figure(
            chart,
            "End-to-end single-row predict (preprocessing + model)."
        ),
        table(&["", "value"], &[1], &rows)
    );
    section("Latency", &inner)
}

fn champion_section(c: &ChampionInfo) -> String {
    if !c.present {
        return section(
            "Champion",
            &format!("<p>No champion registered: {}</p>\n", escape(&c.message)),
        );
    }
    let rows = vec![vec![
        escape(c.version.as_deref().unwrap_or("(unversioned)")),
        escape(&c.metric),
        metric(c.champion_value),
        metric(c.candidate_value),
        crate::domain::num::signed_with(c.delta, c.delta_low, c.delta_high),
    ]];
    let header = [
        "champion",
        "metric",
        "champion value",
        "candidate value",
        "delta",
    ];
    let inner = format!(
        "<p>Both models scored on the same test rows.</p>\n{}<p>{}</p>\n",
        table(&header, &[2, 3, 4], &rows),
        escape(&c.message)
    );
    section("Champion", &inner)
}

fn drift_section(d: &DriftReport) -> Option<String> {
    let ranked = drift_ranking(d);
    if ranked.is_empty() {
        return None;
    }
    let rows: Vec<Vec<String>> = ranked
        .iter()
        .take(DRIFT_TOP)
        .map(|(f, p)| vec![escape(f), metric(Some(*p)), metric(d.ks.get(*f).copied())])
        .collect();
    let inner = format!(
        "<p>Reference: {} · top {} of {} features by PSI</p>\n{}",
        escape(&d.reference),
        rows.len(),
        ranked.len(),
        table(&["feature", "PSI", "KS"], &[1, 2], &rows)
    );
    Some(section("Drift", &inner))
}

/// Which data, code and config produced the run. The CI run URL is shown as
/// text, not a link: the page references nothing outside itself.
fn lineage_section(r: &Report) -> String {
    let l = &r.lineage;
    let code = |s: &str| format!("<code>{}</code>", escape(s));
    let mut rows = match &l.git {
        Some(g) => vec![
            vec!["commit".to_string(), code(&g.commit)],
            vec![
                "branch".to_string(),
                escape(g.branch.as_deref().unwrap_or("(detached)")),
            ],
            vec!["dirty".to_string(), g.dirty.to_string()],
        ],
        None => vec![vec!["git".to_string(), "not a git checkout".to_string()]],
    };
    rows.extend([
        vec!["config".to_string(), code(&l.config_path)],
        vec!["config sha256".to_string(), code(&l.config_sha256)],
        vec!["data sha256".to_string(), code(&l.data_sha256)],
        vec!["seed".to_string(), l.seed.to_string()],
    ]);
    if let Some(ci) = &l.ci {
        let run = ci
            .run_url
            .as_deref()
            .or(ci.run_id.as_deref())
            .unwrap_or("?");
        rows.push(vec![
            "CI run".to_string(),
            format!("{} {}", escape(&ci.provider), code(run)),
        ]);
    }
    section("Lineage", &table(&["", "value"], &[], &rows))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::sample::sample_report;

    /// No reference to anything outside the page (no `src`/`href` at all,
    /// no stylesheet import) and no script.
    fn assert_self_contained(html: &str) {
        let lower = html.to_ascii_lowercase();
        for bad in ["<script", " src=", " href=", "<link", "@import", "url("] {
            assert!(!lower.contains(bad), "report.html contains {bad:?}");
        }
    }

    #[test]
    fn page_is_self_contained_with_every_chart() {
        let r = sample_report();
        let html = render(&r);
        assert_self_contained(&html);
        assert!(html.starts_with("<!DOCTYPE html>"));
        // ROC, calibration, confusion, one fairness chart, latency.
        assert_eq!(html.matches("<svg").count(), 5);
        assert_eq!(html.matches("</svg>").count(), 5);
        for g in &r.gates {
            assert!(html.contains(&escape(&g.name)), "gate {} missing", g.name);
        }
        assert!(html.contains("ROC curve (AUC 0.8421)"));
        assert!(html.contains("Fairness: female"));
        assert!(html.contains("<span class=\"badge inconclusive\">inconclusive</span>"));
        assert!(html.contains("<header class=\"verdict no-go\">"));
    }

    #[test]
    fn stats_runs_show_intervals_error_bars_and_a_roc_band() {
        let mut r = sample_report();
        let plain = render(&r);
        assert!(!plain.contains("<polygon") && !plain.contains("Wilson"));
        crate::report::sample::with_stats(&mut r);
        let html = render(&r);
        assert_self_contained(&html);
        assert!(
            html.contains("Disparate impact 0.9475 [0.9000, 0.9900]"),
            "{html}"
        );
        assert!(html.contains("95% Wilson intervals of each group"));
        assert!(html.contains("pointwise 95% Wilson interval of the true-positive rate"));
        assert_eq!(html.matches("<polygon").count(), 1);
        // Two groups, a selection rate and a TPR each: four error bars.
        assert_eq!(
            html.matches("<path").count() - plain.matches("<path").count(),
            4
        );
    }

    #[test]
    fn user_text_is_escaped() {
        let mut r = sample_report();
        r.gates[0].name = "<script>alert(1)</script>".to_string();
        r.gates[0].message = "a & b".to_string();
        let html = render(&r);
        assert_self_contained(&html);
        assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
        assert!(html.contains("a &amp; b"));
    }

    #[test]
    fn old_runs_without_curves_still_render() {
        let mut r = sample_report();
        r.curves = None;
        let html = render(&r);
        assert_eq!(html.matches("<svg").count(), 5);
        assert_eq!(html.matches(NO_CURVES).count(), 3);
    }

    #[test]
    fn validate_run_has_no_model_charts() {
        let mut r = sample_report();
        r.command = "validate".to_string();
        r.gates.clear();
        r.metrics = None;
        r.fairness.clear();
        r.latency = None;
        r.curves = None;
        let html = render(&r);
        assert!(!html.contains("<svg"));
        assert!(html.contains("Data contract"));
        assert!(!html.contains("<h2>Gates</h2>"));
    }

    #[test]
    fn notes_are_listed_escaped_and_absent_when_none() {
        let mut r = sample_report();
        r.notes = vec!["plan <b> capped".to_string()];
        let html = render(&r);
        assert!(html.contains("<h2>Notes</h2>\n<ul>\n<li>plan &lt;b&gt; capped</li>"));
        r.notes.clear();
        assert!(!render(&r).contains("<h2>Notes</h2>"));
    }
}
