//! The sections of a run as data, shared by `report.md`, `report.html` and
//! the terminal: each format only decides how to draw a [`Span`], a
//! [`Block`] and a [`Section`] (as hyperfine's exporters share one result
//! model). A section carries its whole form (`blocks`, for the documents)
//! and its brief form (`brief`, a few lines for a terminal or a CI log). The
//! heading/banner and the verdict line stay format-specific.
use super::num::{gate_value, metric, metric_with, ms, plural, rate, short_sha, signed_with};
use super::{ChampionInfo, ContractReport, DriftReport, GateResult, GateStatus, Latency, Report};
use crate::domain::{FairnessMetric, Importance, Intervals, Metric};
use crate::evaluate::fairness::{AttributeFairness, GroupStats};
use crate::evaluate::metrics::Metrics;

/// Drifted features listed in the drift table.
const DRIFT_TOP: usize = 10;
/// Drifted features named on the brief drift line.
const DRIFT_BRIEF: usize = 3;
/// Features named on the brief importance line.
const IMPORTANCE_BRIEF: usize = 3;
/// Title of the notes section (a terminal draws it last, next to the verdict).
pub const NOTES: &str = "Notes";

/// A piece of text and how it is meant: each format escapes and styles it.
#[derive(Debug, Clone, PartialEq)]
pub enum Span {
    Text(String),
    Strong(String),
    Code(String),
    /// A link (HTML shows the address as text: the page links nowhere).
    Link {
        text: String,
        url: String,
    },
    /// A gate's status: an emoji in Markdown, a badge in HTML.
    Status(GateStatus),
    /// A passed / failed mark with its text.
    Mark {
        ok: bool,
        text: String,
    },
}

/// Spans in a row: one paragraph or one table cell.
pub type Line = Vec<Span>;

fn text(s: impl Into<String>) -> Line {
    vec![Span::Text(s.into())]
}

fn code(s: impl Into<String>) -> Line {
    vec![Span::Code(s.into())]
}

/// A table: its header, the numeric (right-aligned) columns, the rows.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    pub header: Vec<&'static str>,
    pub numeric: Vec<usize>,
    pub rows: Vec<Vec<Line>>,
}

/// A chart of the run, drawn by the HTML renderer from the report.
#[derive(Debug, Clone, PartialEq)]
pub enum Chart {
    Roc,
    Calibration,
    Confusion,
    Importance,
    /// Per-group rates of one protected attribute.
    GroupRates(String),
    Latency,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Block {
    Para(Line),
    Table(Table),
    List(Vec<Line>),
    /// A titled part of a section (one protected attribute, the metrics).
    Part(Line, Vec<Block>),
    /// A chart and its caption; text formats leave it out.
    Figure(Chart, String),
    /// Blocks side by side where the format can (HTML), else in order.
    Grid(Vec<Block>),
    /// One labelled line of a brief (`latency  p50 ...`); a terminal lines
    /// consecutive ones up under each other.
    Detail(&'static str, Line),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Section {
    pub title: &'static str,
    /// The whole section, for `report.md` and `report.html`.
    pub blocks: Vec<Block>,
    /// The short form for a terminal: what decides the verdict in full, the
    /// rest a line each; empty when a terminal leaves the section out.
    pub brief: Vec<Block>,
}

fn section(title: &'static str, blocks: Vec<Block>) -> Section {
    Section {
        title,
        blocks,
        brief: Vec::new(),
    }
}

impl Section {
    fn with_brief(mut self, brief: Vec<Block>) -> Self {
        self.brief = brief;
        self
    }
}

fn detail(label: &'static str, s: impl Into<String>) -> Block {
    Block::Detail(label, text(s))
}

fn table(header: &[&'static str], numeric: &[usize], rows: Vec<Vec<Line>>) -> Block {
    Block::Table(Table {
        header: header.to_vec(),
        numeric: numeric.to_vec(),
        rows,
    })
}

/// Every section after the heading, in order.
pub fn sections(r: &Report) -> Vec<Section> {
    let mut out = Vec::new();
    if r.command != "validate" {
        out.push(gates(&r.gates));
    }
    if !r.notes.is_empty() {
        let items = r.notes.iter().map(|n| text(n.as_str())).collect();
        let brief = r.notes.iter().map(|n| detail("note", n.as_str())).collect();
        out.push(section(NOTES, vec![Block::List(items)]).with_brief(brief));
    }
    out.push(contract(&r.contract));
    let optional = [
        r.metrics.as_ref().map(|m| quality(m, r.intervals.as_ref())),
        r.importance.as_ref().map(importance),
        fairness(r),
        r.latency.as_ref().map(latency),
        r.champion.as_ref().filter(|c| c.compared()).map(champion),
        r.drift.as_ref().and_then(drift),
    ];
    out.extend(optional.into_iter().flatten());
    out.push(lineage(r));
    out
}

fn gates(gates: &[GateResult]) -> Section {
    if gates.is_empty() {
        return section("Gates", vec![Block::Para(text("No gates declared."))])
            .with_brief(vec![detail("gates", "none declared")]);
    }
    let rows = gates
        .iter()
        .map(|g| {
            vec![
                text(g.name.as_str()),
                text(g.kind.as_str()),
                vec![Span::Status(g.status)],
                text(gate_value(&g.kind, g.observed)),
                text(gate_value(&g.kind, g.threshold)),
                text(g.severity.label()),
                text(g.message.as_str()),
            ]
        })
        .collect();
    let t = table(&crate::domain::GATE_COLUMNS, &[3, 4], rows);
    section("Gates", vec![t.clone()]).with_brief(vec![t])
}

fn contract(c: &ContractReport) -> Section {
    if c.violations.is_empty() {
        let state = if c.passed { "passed" } else { "failed" };
        let mark = Span::Mark {
            ok: c.passed,
            text: state.into(),
        };
        let brief = Block::Para(text(format!("data contract: {state}")));
        return section("Data contract", vec![Block::Para(vec![mark])]).with_brief(vec![brief]);
    }
    let rows: Vec<Vec<Line>> = c
        .violations
        .iter()
        .map(|v| {
            vec![
                text(v.column.as_str()),
                text(v.rule.as_str()),
                text(v.count.to_string()),
                text(v.examples_text()),
                text(v.message.as_str()),
            ]
        })
        .collect();
    let count = plural(c.violations.len(), "violation");
    // The brief leaves the message out: the examples say enough in 100 columns.
    let brief_rows = rows.iter().map(|r| r[..4].to_vec()).collect();
    let brief = Block::Part(
        text(format!("data contract: {count}")),
        vec![table(
            &["column", "rule", "count", "examples"],
            &[2],
            brief_rows,
        )],
    );
    let mark = Span::Mark {
        ok: false,
        text: count,
    };
    section(
        "Data contract",
        vec![
            Block::Para(vec![mark]),
            table(
                &["column", "rule", "count", "examples", "message"],
                &[2],
                rows,
            ),
        ],
    )
    .with_brief(vec![brief])
}

fn quality(m: &Metrics, intervals: Option<&Intervals>) -> Section {
    let rows = Metric::ALL
        .iter()
        .map(|x| {
            vec![
                text(x.name()),
                text(metric_with(m.get(*x), Intervals::ends(intervals, x.name()))),
            ]
        })
        .collect();
    let names: Vec<&'static str> = Metric::ALL.iter().map(|x| x.name()).collect();
    let values = Metric::ALL
        .iter()
        .map(|x| text(metric_with(m.get(*x), Intervals::ends(intervals, x.name()))))
        .collect();
    let c = &m.confusion;
    let brief = vec![
        table(&names, &(0..names.len()).collect::<Vec<_>>(), vec![values]),
        detail(
            "confusion",
            format!("tp {} · fp {} · tn {} · fn {}", c.tp, c.fp, c.tn, c.fn_),
        ),
    ];
    let matrix = format!(
        "Confusion matrix: TP {} · FP {} · TN {} · FN {}",
        c.tp, c.fp, c.tn, c.fn_
    );
    let mut roc = "True-positive against false-positive rate over every threshold; the dot is \
                   the model's threshold."
        .to_string();
    if let Some(i) = intervals {
        roc += &format!(
            " Band: pointwise {}% Wilson interval of the true-positive rate at each \
             false-positive rate.",
            percent(i.confidence)
        );
    }
    let grid = Block::Grid(vec![
        Block::Figure(Chart::Roc, roc),
        Block::Figure(
            Chart::Calibration,
            "Observed positive rate per score bin: on the diagonal, a score of 0.3 means a \
             30% chance."
                .into(),
        ),
        Block::Figure(
            Chart::Confusion,
            "Test rows by actual and predicted class.".into(),
        ),
        Block::Part(
            text("Metrics"),
            vec![
                table(&["metric", "value"], &[1], rows),
                Block::Para(text(matrix)),
            ],
        ),
    ]);
    section("Model quality", vec![grid]).with_brief(brief)
}

/// `0.95` as `95`.
fn percent(confidence: f64) -> String {
    super::num::fixed(confidence * 100.0, 0)
}

fn importance(imp: &Importance) -> Section {
    let ranked = imp.ranked_values();
    let rows = ranked
        .iter()
        .map(|(k, v)| vec![text(k.as_str()), text(format!("{v:.4}"))])
        .collect();
    let top: Vec<String> = ranked
        .iter()
        .take(IMPORTANCE_BRIEF)
        .map(|(k, v)| format!("{k} {v:.4}"))
        .collect();
    let brief = detail(
        "importance",
        format!("mean |contribution|, {}: {}", imp.units, top.join(" · ")),
    );
    let caption = format!(
        "Mean absolute contribution per input feature over {} test rows, in {} \
         (TreeSHAP for trees; coefficient x value for linear models).",
        imp.rows, imp.units
    );
    section(
        "Feature importance",
        vec![
            Block::Para(text(format!(
                "Mean |contribution| over {} test rows, in {}.",
                imp.rows, imp.units
            ))),
            Block::Grid(vec![
                Block::Figure(Chart::Importance, caption),
                table(&["feature", "mean |contribution|"], &[1], rows),
            ]),
        ],
    )
    .with_brief(vec![brief])
}

fn fairness(r: &Report) -> Option<Section> {
    if r.fairness.is_empty() {
        return None;
    }
    let confidence = r.confidence();
    let parts = r
        .fairness
        .iter()
        .map(|(attr, f)| attribute(attr, f, confidence))
        .collect();
    let brief = r
        .fairness
        .iter()
        .map(|(attr, f)| {
            detail(
                "fairness",
                format!(
                    "{attr}: disparate impact {} · TPR difference {} · {} (smallest {} rows)",
                    f.shown(FairnessMetric::DisparateImpact),
                    f.shown(FairnessMetric::TprDifference),
                    plural(f.groups.len(), "group"),
                    f.smallest_group
                ),
            )
        })
        .collect();
    Some(section("Fairness", vec![Block::Grid(parts)]).with_brief(brief))
}

fn attribute(attr: &str, f: &AttributeFairness, confidence: Option<f64>) -> Block {
    let rows = f
        .groups
        .iter()
        .map(|(g, s)| {
            let ci = |ends: fn(&GroupStats, f64) -> Option<(f64, f64)>| {
                confidence.and_then(|c| ends(s, c))
            };
            vec![
                text(g.as_str()),
                text(s.count.to_string()),
                text(s.positives.to_string()),
                text(metric_with(
                    s.selection_rate,
                    ci(GroupStats::selection_rate_interval),
                )),
                text(metric_with(s.tpr, ci(GroupStats::tpr_interval))),
            ]
        })
        .collect();
    let summary = vec![
        Span::Text("Disparate impact ".into()),
        Span::Strong(f.shown(FairnessMetric::DisparateImpact)),
        Span::Text(" · TPR difference ".into()),
        Span::Strong(f.shown(FairnessMetric::TprDifference)),
        Span::Text(format!(
            " · selection-rate difference {}",
            f.shown(FairnessMetric::SelectionRateDifference)
        )),
    ];
    let mut caption = "Selection rate and true-positive rate per group".to_string();
    if let Some(c) = confidence {
        caption += &format!(
            "; error bars: {}% Wilson intervals of each group's rate",
            percent(c)
        );
    }
    Block::Part(
        code(attr),
        vec![
            Block::Para(summary),
            Block::Figure(Chart::GroupRates(attr.to_string()), caption + "."),
            table(
                &["group", "count", "positives", "selection rate", "TPR"],
                &[1, 2, 3, 4],
                rows,
            ),
        ],
    )
}

fn latency(l: &Latency) -> Section {
    let rows = vec![
        vec![text("p50"), text(format!("{} ms", ms(Some(l.p50_ms))))],
        vec![text("p95"), text(format!("{} ms", ms(Some(l.p95_ms))))],
        vec![text("p99"), text(format!("{} ms", ms(Some(l.p99_ms))))],
        vec![
            text("batch throughput"),
            text(format!("{} rows/s", rate(l.rows_per_sec))),
        ],
        vec![text("timed single-row calls"), text(l.calls.to_string())],
    ];
    let brief = detail(
        "latency",
        format!(
            "p50 {} ms · p95 {} ms · p99 {} ms · {} rows/s ({} single-row calls)",
            ms(Some(l.p50_ms)),
            ms(Some(l.p95_ms)),
            ms(Some(l.p99_ms)),
            rate(l.rows_per_sec),
            l.calls
        ),
    );
    section(
        "Latency",
        vec![Block::Grid(vec![
            Block::Figure(
                Chart::Latency,
                "End-to-end single-row predict (preprocessing + model).".into(),
            ),
            table(&["", "value"], &[1], rows),
        ])],
    )
    .with_brief(vec![brief])
}

fn champion(c: &ChampionInfo) -> Section {
    if !c.present {
        return section(
            "Champion",
            vec![Block::Para(text(format!(
                "No champion registered: {}",
                c.message
            )))],
        )
        .with_brief(vec![detail(
            "champion",
            format!("none registered: {}", c.message),
        )]);
    }
    let version = c.version.as_deref().unwrap_or("(unversioned)");
    let brief = detail(
        "champion",
        format!(
            "{version} {} {} → candidate {} (delta {})",
            c.metric,
            metric(c.champion_value),
            metric(c.candidate_value),
            signed_with(c.delta, c.delta_low, c.delta_high)
        ),
    );
    let rows = vec![vec![
        text(version),
        text(c.metric.as_str()),
        text(metric(c.champion_value)),
        text(metric(c.candidate_value)),
        text(signed_with(c.delta, c.delta_low, c.delta_high)),
    ]];
    let header = [
        "champion",
        "metric",
        "champion value",
        "candidate value",
        "delta",
    ];
    section(
        "Champion",
        vec![
            Block::Para(text("Both models scored on the same test rows.")),
            table(&header, &[2, 3, 4], rows),
            Block::Para(text(c.message.as_str())),
        ],
    )
    .with_brief(vec![brief])
}

fn drift(d: &DriftReport) -> Option<Section> {
    let ranked = drift_ranking(d);
    if ranked.is_empty() {
        return None;
    }
    let rows: Vec<Vec<Line>> = ranked
        .iter()
        .take(DRIFT_TOP)
        .map(|(f, p)| {
            vec![
                text(*f),
                text(metric(Some(*p))),
                text(metric(d.ks.get(*f).copied())),
            ]
        })
        .collect();
    let top: Vec<String> = ranked
        .iter()
        .take(DRIFT_BRIEF)
        .map(|(f, p)| format!("{f} {}", metric(Some(*p))))
        .collect();
    let brief = detail(
        "drift",
        format!("PSI vs {}: {}", d.reference, top.join(" · ")),
    );
    let about = format!(
        "Reference: {} · top {} of {} features by PSI",
        d.reference,
        rows.len(),
        ranked.len()
    );
    Some(
        section(
            "Drift",
            vec![
                Block::Para(text(about)),
                table(&["feature", "PSI", "KS"], &[1, 2], rows),
            ],
        )
        .with_brief(vec![brief]),
    )
}

/// Features ordered by PSI, most drifted first (`ranked` when the run has it).
fn drift_ranking(d: &DriftReport) -> Vec<(&str, f64)> {
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

/// Which data, code and config produced the run.
fn lineage(r: &Report) -> Section {
    let l = &r.lineage;
    let mut rows = match &l.git {
        Some(g) => vec![
            vec![text("commit"), code(g.commit.as_str())],
            vec![
                text("branch"),
                text(g.branch.as_deref().unwrap_or("(detached)")),
            ],
            vec![text("dirty"), text(g.dirty.to_string())],
        ],
        None => vec![vec![text("git"), text("not a git checkout")]],
    };
    rows.extend([
        vec![text("config"), text(l.config_path.as_str())],
        vec![text("config sha256"), code(l.config_sha256.as_str())],
        vec![text("data sha256"), code(l.data_sha256.as_str())],
        vec![text("seed"), text(l.seed.to_string())],
        vec![text("started at"), text(l.started_at.as_str())],
    ]);
    let ci = match &l.ci {
        None => text("local run"),
        Some(ci) => {
            let run = ci.run_id.as_deref().unwrap_or("?");
            match &ci.run_url {
                Some(url) => vec![
                    Span::Text(format!("{} ", ci.provider)),
                    Span::Link {
                        text: format!("run {run}"),
                        url: url.clone(),
                    },
                ],
                None => text(format!("{} run {run}", ci.provider)),
            }
        }
    };
    rows.push(vec![text("CI run"), ci]);
    if let Some(m) = &r.model {
        rows.push(vec![text("model sha256"), code(short_sha(&m.sha256))]);
    }
    section("Lineage", vec![table(&["", "value"], &[], rows)])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::sample::sample_report;

    #[test]
    fn one_model_for_every_section_in_order() {
        let r = sample_report();
        let titles: Vec<&str> = sections(&r).iter().map(|s| s.title).collect();
        assert_eq!(
            titles,
            [
                "Gates",
                "Notes",
                "Data contract",
                "Model quality",
                "Fairness",
                "Latency",
                "Champion",
                "Drift",
                "Lineage"
            ]
            .iter()
            .copied()
            .filter(|t| *t != "Notes" || !r.notes.is_empty())
            .collect::<Vec<_>>()
        );
        let mut v = r.clone();
        v.command = "validate".into();
        v.metrics = None;
        let titles: Vec<&str> = sections(&v).iter().map(|s| s.title).collect();
        assert!(!titles.contains(&"Gates") && !titles.contains(&"Model quality"));
    }

    #[test]
    fn tables_have_the_header_width() {
        fn check(b: &Block) {
            match b {
                Block::Table(t) => {
                    for row in &t.rows {
                        assert_eq!(row.len(), t.header.len(), "{:?}", t.header);
                    }
                    assert!(t.numeric.iter().all(|&i| i < t.header.len()));
                }
                Block::Part(_, inner) | Block::Grid(inner) => inner.iter().for_each(check),
                _ => {}
            }
        }
        let mut r = sample_report();
        crate::report::sample::with_stats(&mut r);
        for s in sections(&r) {
            s.blocks.iter().for_each(check);
        }
    }
}
