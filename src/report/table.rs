//! Terminal output of `check`, `validate` and `report --format table`: a
//! short header, the gate table, the data contract, the metrics, one line
//! each for latency, champion, fairness and drift, and the verdict last so it
//! is the line a CI log ends on. Colour only when asked for.
use super::num::{gate_value, metric, ms, plural, rate, short_sha};
// Re-exported: callers print the verdict alone in quiet mode.
pub use super::summary::verdict_line;
use super::{
    ChampionInfo, ContractReport, DriftReport, GateResult, GateStatus, Latency, Report, Verdict,
};
use crate::domain::num::metric_with;
use crate::domain::{FairnessMetric, Intervals, Metric};
use crate::evaluate::fairness::AttributeFairness;
use crate::evaluate::metrics::Metrics;
use comfy_table::{
    Attribute, Cell, CellAlignment, Color, ContentArrangement, LineStyle, Table, TableStyle,
};

/// Table width when stdout is not a terminal (CI logs, pipes, files).
pub const DEFAULT_WIDTH: u16 = 100;
/// Below this a terminal is treated as this wide; narrower wraps unreadably.
const MIN_WIDTH: u16 = 60;
/// Drifted features named on the drift line.
const DRIFT_TOP: usize = 3;
/// Columns separated by space and a rule under the header: no vertical
/// borders, so at 100 columns the message column keeps room to read.
const TABLE_STYLE: TableStyle =
    TableStyle::new().header_separator(LineStyle::none().fill('─').junction('─'));

/// How tables are drawn: colour on or off, and the width to fit.
#[derive(Debug, Clone, Copy)]
struct Style {
    color: bool,
    width: u16,
}

/// Renders the run for a terminal, fitted to its width (100 columns when
/// stdout is not a terminal).
pub fn render(r: &Report, color: bool) -> String {
    render_with_width(r, color, terminal_width().unwrap_or(DEFAULT_WIDTH))
}

/// Width of the terminal on stdout, `None` when stdout is not a terminal.
fn terminal_width() -> Option<u16> {
    Table::new().width()
}

/// Renders the run fitted to `width` columns (deterministic, for tests).
pub fn render_with_width(r: &Report, color: bool, width: u16) -> String {
    let style = Style {
        color,
        width: width.max(MIN_WIDTH),
    };
    let mut blocks = vec![header(r)];
    if r.command != "validate" {
        blocks.push(gates_block(&r.gates, style));
    }
    blocks.push(contract_block(&r.contract, style));
    if let Some(m) = &r.metrics {
        blocks.push(draw(&metrics_table(m, r.intervals.as_ref(), style)));
    }
    let details = detail_lines(r);
    if !details.is_empty() {
        blocks.push(details.join("\n"));
    }
    if !r.notes.is_empty() {
        let notes: Vec<String> = r.notes.iter().map(|n| format!("note: {n}")).collect();
        blocks.push(notes.join("\n"));
    }
    blocks.push(verdict(r, color));
    let mut out = blocks.join("\n\n");
    out.push('\n');
    out
}

/// Tool, command, data and model in three lines.
fn header(r: &Report) -> String {
    let d = &r.data;
    let mut data = format!("data   {} · {} rows", d.path, d.rows);
    if r.command != "validate" {
        data.push_str(&format!(" (train {}, test {})", d.train_rows, d.test_rows));
    }
    data.push_str(&format!(" · sha256 {}", short_sha(&d.sha256)));
    if let Some(test) = &d.test_path {
        data.push_str(&format!(" · test file {test}"));
    }
    let mut lines = vec![
        format!("release-gate {} · {}", r.tool_version, r.command),
        data,
    ];
    if let Some(m) = &r.model {
        lines.push(format!(
            "model  {} · threshold {} · {}",
            m.kind,
            metric(Some(m.threshold)),
            plural(m.features.len(), "feature")
        ));
    }
    lines.join("\n")
}

fn new_table(style: Style, header: &[&str]) -> Table {
    let mut t = Table::new();
    t.force_no_tty()
        .load_style(TABLE_STYLE)
        .set_content_arrangement(ContentArrangement::Dynamic)
        .set_width(style.width)
        .set_header(
            header
                .iter()
                .map(|h| Cell::new(h).add_attribute(Attribute::Bold)),
        );
    // One space of padding plus the (blank) column separator: two spaces between columns.
    for c in t.column_iter_mut() {
        c.set_padding((0, 1));
    }
    if style.color {
        t.enforce_styling();
    }
    t
}

/// A plain table in the house style (no colour, `DEFAULT_WIDTH` columns),
/// for the other terminal renderers (`compare`, `registry list`).
pub(crate) fn plain(header: &[&str]) -> Table {
    new_table(
        Style {
            color: false,
            width: DEFAULT_WIDTH,
        },
        header,
    )
}

/// The drawn table without the trailing blanks of padded last columns.
pub(crate) fn draw(t: &Table) -> String {
    let lines: Vec<String> = t
        .to_string()
        .lines()
        .map(|l| l.trim_end().to_string())
        .collect();
    lines.join("\n")
}

fn align_right(t: &mut Table, columns: &[usize]) {
    for &i in columns {
        if let Some(c) = t.column_mut(i) {
            c.set_cell_alignment(CellAlignment::Right);
        }
    }
}

fn status_color(s: GateStatus) -> Color {
    match s {
        GateStatus::Pass => Color::Green,
        GateStatus::Fail => Color::Red,
        GateStatus::Warn => Color::Yellow,
        GateStatus::Inconclusive => Color::Magenta,
        GateStatus::Skipped => Color::DarkGrey,
    }
}

fn status_cell(s: GateStatus) -> Cell {
    Cell::new(s.label().to_uppercase())
        .fg(status_color(s))
        .add_attribute(Attribute::Bold)
}

fn gate_row(g: &GateResult) -> Vec<Cell> {
    vec![
        Cell::new(&g.name),
        Cell::new(&g.kind),
        status_cell(g.status),
        Cell::new(gate_value(&g.kind, g.observed)),
        Cell::new(gate_value(&g.kind, g.threshold)),
        Cell::new(g.severity.label()),
        Cell::new(&g.message),
    ]
}

fn gates_block(gates: &[GateResult], style: Style) -> String {
    if gates.is_empty() {
        return "gates  none declared".to_string();
    }
    let mut t = new_table(style, &crate::domain::GATE_COLUMNS);
    for g in gates {
        t.add_row(gate_row(g));
    }
    align_right(&mut t, &[3, 4]);
    draw(&t)
}

fn contract_block(c: &ContractReport, style: Style) -> String {
    if c.violations.is_empty() {
        let state = if c.passed { "passed" } else { "failed" };
        return format!("data contract: {state}");
    }
    let mut t = new_table(style, &["column", "rule", "count", "examples"]);
    for v in &c.violations {
        t.add_row(vec![
            Cell::new(&v.column),
            Cell::new(&v.rule),
            Cell::new(v.count),
            Cell::new(v.examples_text()),
        ]);
    }
    align_right(&mut t, &[2]);
    let title = format!("data contract: {}", plural(c.violations.len(), "violation"));
    format!("{title}\n{}", draw(&t))
}

fn metrics_table(m: &Metrics, intervals: Option<&Intervals>, style: Style) -> Table {
    let names: Vec<&str> = Metric::ALL.iter().map(|x| x.name()).collect();
    let mut t = new_table(style, &names);
    t.add_row(
        Metric::ALL
            .iter()
            .map(|x| Cell::new(metric_with(m.get(*x), Intervals::ends(intervals, x.name())))),
    );
    align_right(&mut t, &(0..names.len()).collect::<Vec<_>>());
    t
}

/// One `label  text` line per secondary result, in pipeline order.
fn detail_lines(r: &Report) -> Vec<String> {
    let mut lines = Vec::new();
    if let Some(m) = &r.metrics {
        let c = &m.confusion;
        lines.push(format!(
            "confusion  tp {} · fp {} · tn {} · fn {}",
            c.tp, c.fp, c.tn, c.fn_
        ));
    }
    if let Some(l) = &r.latency {
        lines.push(latency_line(l));
    }
    if let Some(c) = r.champion.as_ref().filter(|c| c.compared()) {
        lines.push(champion_line(c));
    }
    for (attr, f) in &r.fairness {
        lines.push(fairness_line(attr, f));
    }
    if let Some(d) = &r.drift {
        lines.extend(drift_line(d));
    }
    lines
}

fn latency_line(l: &Latency) -> String {
    format!(
        "latency    p50 {} ms · p95 {} ms · p99 {} ms · {} rows/s ({} single-row calls)",
        ms(Some(l.p50_ms)),
        ms(Some(l.p95_ms)),
        ms(Some(l.p99_ms)),
        rate(l.rows_per_sec),
        l.calls
    )
}

fn champion_line(c: &ChampionInfo) -> String {
    if !c.present {
        return format!("champion   none registered: {}", c.message);
    }
    format!(
        "champion   {} {} {} → candidate {} (delta {})",
        c.version.as_deref().unwrap_or("(unversioned)"),
        c.metric,
        metric(c.champion_value),
        metric(c.candidate_value),
        crate::domain::num::signed_with(c.delta, c.delta_low, c.delta_high)
    )
}

fn fairness_line(attr: &str, f: &AttributeFairness) -> String {
    format!(
        "fairness   {attr}: disparate impact {} · TPR difference {} · {} (smallest {} rows)",
        f.shown(FairnessMetric::DisparateImpact),
        f.shown(FairnessMetric::TprDifference),
        plural(f.groups.len(), "group"),
        f.smallest_group
    )
}

/// Features ordered by PSI, most drifted first (`ranked` when the run has it).
pub(crate) fn drift_ranking(d: &DriftReport) -> Vec<(&str, f64)> {
    if !d.ranked.is_empty() {
        return d
            .ranked
            .iter()
            .filter_map(|f| d.psi.get(f).map(|&p| (f.as_str(), p)))
            .collect();
    }
    let mut all: Vec<(&str, f64)> = d.psi.iter().map(|(f, &p)| (f.as_str(), p)).collect();
    all.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(b.0)));
    all
}

fn drift_line(d: &DriftReport) -> Option<String> {
    let ranked = drift_ranking(d);
    if ranked.is_empty() {
        return None;
    }
    let top: Vec<String> = ranked
        .iter()
        .take(DRIFT_TOP)
        .map(|(f, p)| format!("{f} {}", metric(Some(*p))))
        .collect();
    Some(format!(
        "drift      PSI vs {}: {}",
        d.reference,
        top.join(" · ")
    ))
}

fn verdict(r: &Report, color: bool) -> String {
    let line = verdict_line(r);
    if !color {
        return line;
    }
    let code = match r.verdict {
        Verdict::Go => "1;32",
        Verdict::NoGo => "1;31",
    };
    format!("\u{1b}[{code}m{line}\u{1b}[0m")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::sample::sample_report;

    fn plain() -> String {
        render_with_width(&sample_report(), false, DEFAULT_WIDTH)
    }

    #[test]
    fn gate_table_has_every_gate_and_status() {
        let out = plain();
        for name in [
            "quality floor",
            "fairness female",
            "latency p95",
            "drift",
            "champion roc_auc",
        ] {
            assert!(out.contains(name), "missing gate {name}:\n{out}");
        }
        for status in ["PASS", "FAIL", "WARN", "INCONCLUSIVE", "SKIPPED"] {
            assert!(out.contains(status), "missing status {status}:\n{out}");
        }
        assert!(out.contains("0.8421"), "{out}");
        assert!(out.contains("0.8500"), "{out}");
        assert!(
            out.contains("0.046 ms"),
            "latency in ms with 3 decimals:\n{out}"
        );
        assert!(out.contains("5.000 ms"), "{out}");
    }

    #[test]
    fn ends_with_the_verdict_line() {
        let out = plain();
        let last = out.lines().last().unwrap();
        assert_eq!(
            last,
            "NO-GO: 2 of 3 blocking gates failed (quality floor, fairness female \
             (inconclusive)); data contract violated (1 violation)"
        );
    }

    #[test]
    fn fits_in_100_columns() {
        let out = plain();
        // The verdict stays one line on purpose (grep, quiet mode); the rest fits.
        let body: Vec<&str> = out.lines().collect();
        for line in &body[..body.len() - 1] {
            assert!(
                line.chars().count() <= 100,
                "too wide ({}): {line}",
                line.chars().count()
            );
        }
    }

    #[test]
    fn shows_violations_metrics_and_details() {
        let out = plain();
        assert!(out.contains("data contract: 1 violation"), "{out}");
        assert!(out.contains("row 17: 121, row 402: 150"), "{out}");
        for m in ["roc_auc", "log_loss", "0.8034", "0.1372"] {
            assert!(out.contains(m), "missing {m}:\n{out}");
        }
        assert!(out.contains("p95 0.046 ms"), "{out}");
        assert!(
            out.contains("v0003 roc_auc 0.8312 → candidate 0.8421 (delta +0.0109)"),
            "{out}"
        );
        assert!(out.contains("female: disparate impact 0.9475"), "{out}");
        assert!(
            out.contains("tenure 0.2517 · monthly_charges 0.0312"),
            "{out}"
        );
    }

    #[test]
    fn stats_runs_show_fairness_intervals() {
        assert!(plain().contains("disparate impact 0.9475 · TPR"));
        let mut r = sample_report();
        crate::report::sample::with_stats(&mut r);
        let out = render_with_width(&r, false, DEFAULT_WIDTH);
        assert!(
            out.contains("disparate impact 0.9475 [0.9000, 0.9900] · TPR"),
            "{out}"
        );
    }

    #[test]
    fn colour_only_when_asked() {
        assert!(!plain().contains('\u{1b}'));
        let colored = render_with_width(&sample_report(), true, DEFAULT_WIDTH);
        assert!(colored.contains("\u{1b}[1;31mNO-GO"), "{colored}");
    }

    #[test]
    fn validate_run_shows_contract_and_verdict_only() {
        let mut r = sample_report();
        r.command = "validate".to_string();
        r.model = None;
        r.metrics = None;
        r.latency = None;
        r.champion = None;
        r.drift = None;
        r.fairness.clear();
        r.gates.clear();
        let out = render_with_width(&r, false, DEFAULT_WIDTH);
        assert!(!out.contains("severity"), "{out}");
        assert!(out.contains("tenure"), "{out}");
        assert!(
            out.trim_end()
                .ends_with("NO-GO: data contract violated (1 violation)"),
            "{out}"
        );
    }

    #[test]
    fn notes_are_shown_before_the_verdict() {
        let mut r = sample_report();
        assert!(!render_with_width(&r, false, DEFAULT_WIDTH).contains("note:"));
        r.notes
            .push("zip: one-hot keeps the 100 most frequent of 900 categories".into());
        let out = render_with_width(&r, false, DEFAULT_WIDTH);
        let note = out
            .find("note: zip: one-hot keeps the 100 most frequent of 900 categories")
            .expect("note shown");
        assert!(note < out.find("NO-GO:").expect("verdict"), "{out}");
    }
}
