//! GitHub-flavoured Markdown of a run, for `$GITHUB_STEP_SUMMARY`, a PR
//! comment and `report.md`: the verdict first, then gates, data contract,
//! metrics, fairness, latency, champion, drift and lineage. Every cell goes
//! through [`cell`] so a `|` or a newline in a message cannot break a table.
use super::num::{gate_value, metric, ms, plural, rate, short_sha};
use super::summary::verdict_line;
use super::table::drift_ranking;
use super::{
    ChampionInfo, ContractReport, DriftReport, GateResult, GateStatus, Latency, Lineage, Report,
    Verdict,
};
use crate::domain::num::metric_with;
use crate::domain::{FairnessMetric, Intervals, Metric};
use crate::evaluate::fairness::{AttributeFairness, GroupStats};
use crate::evaluate::metrics::Metrics;
use std::collections::BTreeMap;

/// Drifted features listed in the drift table.
const DRIFT_TOP: usize = 10;

/// Renders the run as GitHub-flavoured Markdown.
pub fn render(r: &Report) -> String {
    let mut sections = vec![heading(r)];
    if r.command != "validate" {
        sections.push(gates_section(&r.gates));
    }
    sections.push(contract_section(&r.contract));
    let optional = [
        r.metrics
            .as_ref()
            .map(|m| metrics_section(m, r.intervals.as_ref())),
        r.importance.as_ref().map(importance_section),
        fairness_section(&r.fairness, r.confidence()),
        r.latency.as_ref().map(latency_section),
        r.champion
            .as_ref()
            .filter(|c| c.compared())
            .map(champion_section),
        r.drift.as_ref().and_then(drift_section),
    ];
    sections.extend(optional.into_iter().flatten());
    if !r.notes.is_empty() {
        let items: Vec<String> = r.notes.iter().map(|n| format!("- {}\n", cell(n))).collect();
        sections.push(format!("### Notes\n\n{}", items.concat()));
    }
    sections.push(lineage_section(r));
    let mut out = sections.join("\n").trim_end().to_string();
    out.push('\n');
    out
}

/// Makes text safe inside a table cell: pipes escaped, newlines as `<br>`,
/// and `<`/`>`/`&` as entities so a value like `<missing>` is not eaten as HTML.
pub fn cell(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for ch in text.chars() {
        match ch {
            '|' => out.push_str("\\|"),
            '\n' => out.push_str("<br>"),
            '\r' => {}
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            _ => out.push(ch),
        }
    }
    out
}

/// A table from a header and rows of already-escaped cells; `right` marks
/// right-aligned (numeric) columns.
fn table(header: &[&str], right: &[usize], rows: &[Vec<String>]) -> String {
    let head: Vec<String> = header.iter().map(|h| cell(h)).collect();
    let rule: Vec<&str> = (0..header.len())
        .map(|i| if right.contains(&i) { "---:" } else { "---" })
        .collect();
    let mut lines = vec![
        format!("| {} |", head.join(" | ")),
        format!("| {} |", rule.join(" | ")),
    ];
    lines.extend(rows.iter().map(|r| format!("| {} |", r.join(" | "))));
    lines.join("\n") + "\n"
}

fn heading(r: &Report) -> String {
    let marker = match r.verdict {
        Verdict::Go => "✅ GO",
        Verdict::NoGo => "❌ NO-GO",
    };
    let d = &r.data;
    let mut about = format!("`{}` on `{}` ({} rows", r.command, cell(&d.path), d.rows);
    if r.command != "validate" {
        about.push_str(&format!(", {} train / {} test", d.train_rows, d.test_rows));
    }
    about.push(')');
    if let Some(m) = &r.model {
        about.push_str(&format!(", model `{}`", cell(&m.kind)));
    }
    format!(
        "## release-gate: {marker}\n\n**{}**\n\n{about} · release-gate {}\n",
        cell(&verdict_line(r)),
        cell(&r.tool_version)
    )
}

fn status_text(s: GateStatus) -> String {
    match s {
        GateStatus::Pass => "✅ pass".to_string(),
        GateStatus::Fail => "❌ **fail**".to_string(),
        GateStatus::Warn => "⚠️ warn".to_string(),
        GateStatus::Inconclusive => "❔ **inconclusive**".to_string(),
        GateStatus::Skipped => "⏭️ skipped".to_string(),
    }
}

fn gate_row(g: &GateResult) -> Vec<String> {
    vec![
        cell(&g.name),
        cell(&g.kind),
        status_text(g.status),
        gate_value(&g.kind, g.observed),
        gate_value(&g.kind, g.threshold),
        g.severity.label().to_string(),
        cell(&g.message),
    ]
}

fn gates_section(gates: &[GateResult]) -> String {
    if gates.is_empty() {
        return "### Gates\n\nNo gates declared.\n".to_string();
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
    format!("### Gates\n\n{}", table(&header, &[3, 4], &rows))
}

fn contract_section(c: &ContractReport) -> String {
    if c.violations.is_empty() {
        let state = if c.passed { "✅ passed" } else { "❌ failed" };
        return format!("### Data contract\n\n{state}\n");
    }
    let rows: Vec<Vec<String>> = c
        .violations
        .iter()
        .map(|v| {
            vec![
                cell(&v.column),
                cell(&v.rule),
                v.count.to_string(),
                cell(&v.examples_text()),
                cell(&v.message),
            ]
        })
        .collect();
    format!(
        "### Data contract\n\n❌ {}\n\n{}",
        plural(c.violations.len(), "violation"),
        table(
            &["column", "rule", "count", "examples", "message"],
            &[2],
            &rows
        )
    )
}

fn metrics_section(m: &Metrics, intervals: Option<&Intervals>) -> String {
    let rows: Vec<Vec<String>> = Metric::ALL
        .iter()
        .map(|x| {
            vec![
                x.name().to_string(),
                metric_with(m.get(*x), Intervals::ends(intervals, x.name())),
            ]
        })
        .collect();
    let c = &m.confusion;
    format!(
        "### Metrics\n\n{}\nConfusion matrix: TP {} · FP {} · TN {} · FN {}\n",
        table(&["metric", "value"], &[1], &rows),
        c.tp,
        c.fp,
        c.tn,
        c.fn_
    )
}

fn importance_section(imp: &crate::domain::Importance) -> String {
    let rows: Vec<Vec<String>> = imp
        .ranked_values()
        .iter()
        .map(|(k, v)| vec![cell(k), format!("{v:.4}")])
        .collect();
    format!(
        "### Feature importance\n\nMean |contribution| over {} test rows, in {}.\n\n{}",
        imp.rows,
        imp.units,
        table(&["feature", "mean |contribution|"], &[1], &rows)
    )
}

fn fairness_attribute(attr: &str, f: &AttributeFairness, confidence: Option<f64>) -> String {
    let rows: Vec<Vec<String>> = f
        .groups
        .iter()
        .map(|(g, s)| {
            let ci = |ends: fn(&GroupStats, f64) -> Option<(f64, f64)>| {
                confidence.and_then(|c| ends(s, c))
            };
            vec![
                cell(g),
                s.count.to_string(),
                s.positives.to_string(),
                metric_with(s.selection_rate, ci(GroupStats::selection_rate_interval)),
                metric_with(s.tpr, ci(GroupStats::tpr_interval)),
            ]
        })
        .collect();
    format!(
        "#### `{}`\n\nDisparate impact **{}** · TPR difference **{}** · selection-rate difference {}\n\n{}",
        cell(attr),
        f.shown(FairnessMetric::DisparateImpact),
        f.shown(FairnessMetric::TprDifference),
        f.shown(FairnessMetric::SelectionRateDifference),
        table(&["group", "count", "positives", "selection rate", "TPR"], &[1, 2, 3, 4], &rows)
    )
}

fn fairness_section(
    fairness: &BTreeMap<String, AttributeFairness>,
    confidence: Option<f64>,
) -> Option<String> {
    if fairness.is_empty() {
        return None;
    }
    let parts: Vec<String> = fairness
        .iter()
        .map(|(a, f)| fairness_attribute(a, f, confidence))
        .collect();
    Some(format!("### Fairness\n\n{}", parts.join("\n")))
}

fn latency_section(l: &Latency) -> String {
    let rows = vec![vec![
        ms(Some(l.p50_ms)),
        ms(Some(l.p95_ms)),
        ms(Some(l.p99_ms)),
        rate(l.rows_per_sec),
        l.calls.to_string(),
    ]];
    let header = [
        "p50 ms",
        "p95 ms",
        "p99 ms",
        "rows/s (batch)",
        "single-row calls",
    ];
    format!("### Latency\n\n{}", table(&header, &[0, 1, 2, 3, 4], &rows))
}

fn champion_section(c: &ChampionInfo) -> String {
    if !c.present {
        return format!(
            "### Champion\n\nNo champion registered: {}\n",
            cell(&c.message)
        );
    }
    let rows = vec![vec![
        cell(c.version.as_deref().unwrap_or("(unversioned)")),
        cell(&c.metric),
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
    format!(
        "### Champion\n\nBoth models scored on the same test rows.\n\n{}\n{}\n",
        table(&header, &[2, 3, 4], &rows),
        cell(&c.message)
    )
}

fn drift_section(d: &DriftReport) -> Option<String> {
    let ranked = drift_ranking(d);
    if ranked.is_empty() {
        return None;
    }
    let rows: Vec<Vec<String>> = ranked
        .iter()
        .take(DRIFT_TOP)
        .map(|(f, p)| vec![cell(f), metric(Some(*p)), metric(d.ks.get(*f).copied())])
        .collect();
    Some(format!(
        "### Drift\n\nReference: {} · top {} of {} features by PSI\n\n{}",
        cell(&d.reference),
        rows.len(),
        ranked.len(),
        table(&["feature", "PSI", "KS"], &[1, 2], &rows)
    ))
}

fn git_rows(l: &Lineage) -> Vec<Vec<String>> {
    let Some(g) = &l.git else {
        return vec![vec!["git".to_string(), "not a git checkout".to_string()]];
    };
    vec![
        vec!["commit".to_string(), format!("`{}`", cell(&g.commit))],
        vec![
            "branch".to_string(),
            cell(g.branch.as_deref().unwrap_or("(detached)")),
        ],
        vec!["dirty".to_string(), g.dirty.to_string()],
    ]
}

fn ci_row(l: &Lineage) -> Vec<String> {
    let text = match &l.ci {
        None => "local run".to_string(),
        Some(ci) => {
            let run = ci.run_id.as_deref().unwrap_or("?");
            match &ci.run_url {
                Some(url) => format!("{} [run {}]({})", cell(&ci.provider), cell(run), cell(url)),
                None => format!("{} run {}", cell(&ci.provider), cell(run)),
            }
        }
    };
    vec!["CI run".to_string(), text]
}

fn lineage_section(r: &Report) -> String {
    let l = &r.lineage;
    let mut rows = git_rows(l);
    rows.extend([
        vec!["config".to_string(), cell(&l.config_path)],
        vec![
            "config sha256".to_string(),
            format!("`{}`", cell(&l.config_sha256)),
        ],
        vec![
            "data sha256".to_string(),
            format!("`{}`", cell(&l.data_sha256)),
        ],
        vec!["seed".to_string(), l.seed.to_string()],
        vec!["started at".to_string(), cell(&l.started_at)],
        ci_row(l),
    ]);
    if let Some(m) = &r.model {
        rows.push(vec![
            "model sha256".to_string(),
            format!("`{}`", short_sha(&m.sha256)),
        ]);
    }
    format!("### Lineage\n\n{}", table(&["", ""], &[], &rows))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::sample::sample_report;

    #[test]
    fn heading_and_verdict_first() {
        let md = render(&sample_report());
        assert!(md.starts_with("## release-gate: ❌ NO-GO\n"), "{md}");
        assert!(md.ends_with("|\n") && !md.ends_with("\n\n"), "{md}");
        assert!(
            md.contains("**NO-GO: 2 of 3 blocking gates failed (quality floor, fairness female (inconclusive)); data contract violated (1 violation)**"),
            "{md}"
        );
    }

    #[test]
    fn gate_rows_with_escaped_pipes() {
        let md = render(&sample_report());
        assert!(
            md.contains("| quality floor | metric | ❌ **fail** | 0.8421 | 0.8500 | block | roc_auc 0.8421 &lt; 0.8500 \\| below floor |"),
            "{md}"
        );
        assert!(
            md.contains("| latency p95 | latency | ✅ pass | 0.046 ms | 5.000 ms | block |"),
            "{md}"
        );
        assert!(md.contains("⚠️ warn"));
        assert!(md.contains("❔ **inconclusive**"));
        assert!(md.contains("⏭️ skipped"));
    }

    #[test]
    fn every_table_row_has_the_header_width() {
        let md = render(&sample_report());
        let mut width = None;
        for line in md.lines() {
            if !line.starts_with('|') {
                width = None;
                continue;
            }
            let cols = line.replace("\\|", "").matches('|').count();
            assert_eq!(*width.get_or_insert(cols), cols, "ragged row: {line}");
        }
    }

    #[test]
    fn metrics_fairness_latency_champion_drift_lineage() {
        let md = render(&sample_report());
        for needle in [
            "| roc_auc | 0.8421 |",
            "| brier | 0.1372 |",
            "#### `female`",
            "Disparate impact **0.9475** · TPR difference **0.0091**",
            "| 0 | 700 | 190 | 0.2114 | 0.5526 |",
            "| 1 | 709 | 184 | 0.2003 | 0.5435 |",
            "| 0.012 | 0.046 | 0.100 | 1234568 | 1409 |",
            "| v0003 | roc_auc | 0.8312 | 0.8421 | +0.0109 |",
            "| tenure | 0.2517 | 0.1870 |",
            "| commit | `0123456789abcdef0123456789abcdef01234567` |",
            "| branch | feature/new-model |",
            "| dirty | true |",
            "| seed | 42 |",
            "| started at | 2026-11-22T05:37:55Z |",
            "[run 123456789](https://github.com/acme/churn/actions/runs/123456789)",
            "| tenure | max | 3 | row 17: 121, row 402: 150, row 6100: 999 |",
        ] {
            assert!(md.contains(needle), "missing {needle:?}:\n{md}");
        }
        let tenure = md.find("| tenure | 0.2517").unwrap();
        let monthly = md.find("| monthly_charges | 0.0312").unwrap();
        assert!(tenure < monthly, "drift sorted by PSI");
    }

    #[test]
    fn stats_runs_show_fairness_intervals() {
        let mut r = sample_report();
        let md = render(&r);
        assert!(md.contains("Disparate impact **0.9475** ·"), "{md}");
        crate::report::sample::with_stats(&mut r);
        let md = render(&r);
        assert!(
            md.contains("Disparate impact **0.9475 [0.9000, 0.9900]** ·"),
            "{md}"
        );
        let rate = crate::report::sample::group_rate_with_interval();
        assert!(rate.starts_with("0.2114 [0.18"), "{rate}");
        assert!(md.contains(&format!("| {rate} |")), "{md}");
    }

    #[test]
    fn cell_escapes_table_breakers() {
        assert_eq!(
            cell("a|b\nc <missing> & d"),
            "a\\|b<br>c &lt;missing&gt; &amp; d"
        );
    }

    #[test]
    fn validate_run_has_no_gate_or_metric_sections() {
        let mut r = sample_report();
        r.command = "validate".to_string();
        r.model = None;
        r.metrics = None;
        r.latency = None;
        r.champion = None;
        r.drift = None;
        r.fairness.clear();
        r.gates.clear();
        let md = render(&r);
        assert!(
            !md.contains("### Gates") && !md.contains("### Metrics"),
            "{md}"
        );
        assert!(
            md.contains("### Data contract") && md.contains("### Lineage"),
            "{md}"
        );
    }

    #[test]
    fn notes_are_a_bullet_list() {
        let mut r = sample_report();
        assert!(!render(&r).contains("### Notes"));
        r.notes
            .push("zip: one-hot keeps the 100 most frequent of 900 categories".into());
        let md = render(&r);
        assert!(
            md.contains(
                "### Notes\n\n- zip: one-hot keeps the 100 most frequent of 900 categories\n"
            ),
            "{md}"
        );
    }
}
