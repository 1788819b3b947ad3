//! `report.html`: one self-contained page per run (inline CSS and SVG, no
//! external assets, no JavaScript) for a CI artifact or a browser: the
//! verdict, the gate table, the data contract, ROC and calibration curves,
//! the confusion matrix, per-group fairness bars, the latency histogram,
//! champion, drift and lineage. Charts come from [`super::svg`]; the curve
//! data from `report.json`'s `curves`, so a saved run re-renders exactly.
use super::sections::{self, Block, Chart, Span};
use super::summary::verdict_line;
use super::svg;
use super::xml::escape;
use super::{Report, Verdict};
use std::fmt::Write as _;

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

/// Renders the run as one HTML page: the verdict banner, then every
/// section of [`sections::sections`], charts drawn inline.
pub fn render(r: &Report) -> String {
    let mut body = vec![header(r)];
    body.extend(sections::sections(r).iter().map(|s| {
        section(
            s.title,
            &s.blocks.iter().map(|b| draw(b, r)).collect::<String>(),
        )
    }));
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

fn draw(b: &Block, r: &Report) -> String {
    match b {
        Block::Para(l) => format!("<p>{}</p>\n", line(l)),
        Block::Table(t) => {
            let rows: Vec<Vec<String>> = t
                .rows
                .iter()
                .map(|row| row.iter().map(|c| line(c)).collect())
                .collect();
            table(&t.header, &t.numeric, &rows)
        }
        Block::List(items) => {
            let items: String = items
                .iter()
                .map(|l| format!("<li>{}</li>\n", line(l)))
                .collect();
            format!("<ul>\n{items}</ul>\n")
        }
        Block::Part(title, inner) => format!(
            "<div>\n<h3>{}</h3>\n{}</div>\n",
            line(title),
            inner.iter().map(|b| draw(b, r)).collect::<String>()
        ),
        Block::Figure(chart, caption) => figure(chart_svg(chart, r), caption),
        Block::Detail(label, l) => {
            format!("<p><strong>{}</strong> {}</p>\n", escape(label), line(l))
        }
        Block::Grid(inner) => format!(
            "<div class=\"grid\">\n{}</div>\n",
            inner.iter().map(|b| draw(b, r)).collect::<String>()
        ),
    }
}

fn line(l: &[Span]) -> String {
    l.iter().map(span).collect()
}

fn span(s: &Span) -> String {
    match s {
        Span::Text(t) => escape(t),
        Span::Strong(t) => format!("<strong>{}</strong>", escape(t)),
        Span::Code(t) => format!("<code>{}</code>", escape(t)),
        // The page references nothing outside itself: the address as text.
        Span::Link { text, url } => format!("{} <code>{}</code>", escape(text), escape(url)),
        Span::Status(st) => {
            let label = st.label();
            format!("<span class=\"badge {label}\">{label}</span>")
        }
        Span::Mark { ok, text } => {
            let class = if *ok { "pass" } else { "fail" };
            format!("<span class=\"badge {class}\">{}</span>", escape(text))
        }
    }
}

/// The SVG of `chart`, from the report's data.
fn chart_svg(chart: &Chart, r: &Report) -> String {
    let curves = r.curves.as_ref();
    let threshold = r.model.as_ref().map_or(0.5, |x| x.threshold);
    match chart {
        Chart::Roc => match (curves, &r.metrics) {
            (Some(c), Some(m)) => {
                svg::roc(&c.roc, m.roc_auc, &m.confusion, threshold, r.confidence())
            }
            _ => svg::unavailable("ROC curve", NO_CURVES),
        },
        Chart::Calibration => match curves {
            Some(c) => svg::calibration(&c.calibration),
            None => svg::unavailable("Calibration (reliability diagram)", NO_CURVES),
        },
        Chart::Confusion => match &r.metrics {
            Some(m) => svg::confusion(&m.confusion, threshold),
            None => svg::unavailable("Confusion matrix", "no metrics in this run"),
        },
        Chart::Importance => match &r.importance {
            Some(imp) => svg::importance(&imp.units, &imp.ranked_values()),
            None => svg::unavailable("Feature importance", "no feature contributions"),
        },
        Chart::GroupRates(attr) => match r.fairness.get(attr) {
            Some(f) => svg::group_rates(attr, &f.groups, r.confidence()),
            None => svg::unavailable(&format!("Fairness: {attr}"), "no groups in the test set"),
        },
        Chart::Latency => match (curves.and_then(|c| c.latency.as_ref()), &r.latency) {
            (Some(h), Some(l)) => svg::latency(h, [l.p50_ms, l.p95_ms, l.p99_ms]),
            _ => svg::unavailable("Single-row latency", NO_CURVES),
        },
    }
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
            html.contains("Disparate impact <strong>0.9475 [0.9000, 0.9900]</strong>"),
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
