//! Terminal output of `check`, `validate` and `report --format table`: a
//! short header, then the brief form of every section of
//! [`sections::sections`] (the gate table, the data contract, the metrics,
//! one line each for the rest), the notes, and the verdict last so it is the
//! line a CI log ends on. Colour only when asked for.
use super::num::{metric, plural, short_sha};
use super::sections::{self, Block, Line, Span};
// Re-exported: callers print the verdict alone in quiet mode.
pub use super::summary::verdict_line;
use super::{GateStatus, Report, Verdict};
use comfy_table::{
    Attribute, Cell, CellAlignment, Color, ContentArrangement, LineStyle, Table, TableStyle,
};

/// Table width when stdout is not a terminal (CI logs, pipes, files).
pub const DEFAULT_WIDTH: u16 = 100;
/// Below this a terminal is treated as this wide; narrower wraps unreadably.
const MIN_WIDTH: u16 = 60;
/// Width of a detail line's label column (`latency    p50 ...`).
const LABEL_WIDTH: usize = 10;
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
    let (notes, body): (Vec<_>, Vec<_>) = sections::sections(r)
        .into_iter()
        .partition(|s| s.title == sections::NOTES);
    let mut parts = vec![header(r, style.width.into())];
    parts.extend(
        [body, notes]
            .iter()
            .map(|group| draw_blocks(group.iter().flat_map(|s| &s.brief), style))
            .filter(|p| !p.is_empty()),
    );
    parts.push(verdict(r, color));
    let mut out = parts.join("\n\n");
    out.push('\n');
    out
}

/// Blocks a blank line apart, except detail lines, which stack.
fn draw_blocks<'a>(blocks: impl Iterator<Item = &'a Block>, style: Style) -> String {
    let mut out = String::new();
    let mut last_detail = false;
    for b in blocks {
        let drawn = draw_block(b, style);
        let is_detail = matches!(b, Block::Detail(..));
        if !out.is_empty() {
            out.push_str(if last_detail && is_detail {
                "\n"
            } else {
                "\n\n"
            });
        }
        out.push_str(&drawn);
        last_detail = is_detail;
    }
    out
}

fn draw_block(b: &Block, style: Style) -> String {
    let width = style.width.into();
    match b {
        Block::Para(l) => wrap(&plain_line(l), width, 0),
        Block::Detail(label, l) => wrap(
            &format!("{label:<LABEL_WIDTH$} {}", plain_line(l)),
            width,
            LABEL_WIDTH + 1,
        ),
        Block::List(items) => items
            .iter()
            .map(|l| wrap(&format!("- {}", plain_line(l)), width, 2))
            .collect::<Vec<_>>()
            .join("\n"),
        Block::Table(t) => {
            let mut drawn = new_table(style, &t.header);
            for row in &t.rows {
                drawn.add_row(row.iter().map(cell));
            }
            align_right(&mut drawn, &t.numeric);
            draw(&drawn)
        }
        Block::Part(title, inner) => {
            let mut lines = vec![plain_line(title)];
            lines.extend(inner.iter().map(|b| draw_block(b, style)));
            lines.join("\n")
        }
        Block::Grid(inner) => draw_blocks(inner.iter(), style),
        Block::Figure(..) => String::new(),
    }
}

/// `line` broken at spaces into lines of at most `width` characters, each
/// after the first indented by `indent` spaces (under its label). A word
/// longer than a line (a path, a long column name) is cut where the line
/// ends.
fn wrap(line: &str, width: usize, indent: usize) -> String {
    let width = width.max(1);
    let indent = indent.min(width - 1);
    let mut lines: Vec<String> = Vec::new();
    let mut current = String::new();
    let mut len = 0;
    // Whether `current` holds no word yet (a new line, or its indent).
    let mut fresh = true;
    let mut next_line = |current: &mut String, len: &mut usize| {
        lines.push(std::mem::replace(current, " ".repeat(indent)));
        *len = indent;
    };
    for word in line.split(' ') {
        let mut rest: Vec<char> = word.chars().collect();
        if !fresh && len + 1 + rest.len() > width {
            next_line(&mut current, &mut len);
            fresh = true;
        }
        if !fresh {
            current.push(' ');
            len += 1;
        }
        while len + rest.len() > width {
            let head: String = rest.drain(..width - len).collect();
            current.push_str(&head);
            next_line(&mut current, &mut len);
        }
        len += rest.len();
        current.extend(rest);
        fresh = false;
    }
    lines.push(current);
    lines.join("\n")
}

/// A line's text without styling (a terminal has no bold or code), with
/// what could steer a terminal made visible.
fn plain_line(l: &[Span]) -> String {
    let text: String = l
        .iter()
        .map(|s| match s {
            Span::Text(t) | Span::Strong(t) | Span::Code(t) => t.clone(),
            Span::Link { text, url } => format!("{text} ({url})"),
            Span::Status(st) => st.label().to_uppercase(),
            Span::Mark { text, .. } => text.clone(),
        })
        .collect();
    visible(&text)
}

/// `text` with control characters (escape sequences, carriage returns,
/// newlines) and bidirectional overrides written as `\u{..}`: a column
/// name from a data file cannot print a fake verdict line, hide the real
/// one with an escape sequence, or reorder what a reader sees (round 12,
/// V2).
pub(crate) fn visible(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        let bidi = matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}');
        if c.is_control() || bidi {
            out.push_str(&format!("\\u{{{:x}}}", u32::from(c)));
        } else {
            out.push(c);
        }
    }
    out
}

/// A table cell: a status alone gets its colour, the rest is plain text.
fn cell(l: &Line) -> Cell {
    match l.as_slice() {
        [Span::Status(s)] => status_cell(*s),
        _ => Cell::new(plain_line(l)),
    }
}

/// Tool, command, data and model in three lines.
fn header(r: &Report, width: usize) -> String {
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
        // A scores model reads one column, its scores: no features.
        let inputs = match (m.kind.as_str(), m.features.as_slice()) {
            ("scores", [column]) => format!("scores from column {column}"),
            _ => plural(m.features.len(), "feature"),
        };
        lines.push(format!(
            "model  {} · threshold {} · {inputs}",
            m.kind,
            metric(Some(m.threshold)),
        ));
    }
    lines
        .iter()
        .map(|l| wrap(&visible(l), width, 7))
        .collect::<Vec<_>>()
        .join("\n")
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
    fn wraps_at_spaces_under_the_label_and_cuts_what_has_none() {
        assert_eq!(wrap("note  aa bb cc", 11, 6), "note  aa bb\n      cc");
        assert_eq!(wrap("ab cdefghij", 6, 2), "ab\n  cdef\n  ghij");
        assert_eq!(wrap("fits as is", 10, 4), "fits as is");
        assert_eq!(wrap("", 10, 4), "");
    }

    // Round 12, V3: notes, the data line and long names stay inside the
    // width, and no character is lost.
    #[test]
    fn long_notes_paths_and_names_wrap_inside_the_width() {
        let mut r = sample_report();
        r.data.path = format!("/data/{}/train.csv", "long_directory_name_".repeat(8));
        r.notes.push("word ".repeat(60).trim_end().to_string());
        r.notes.push(format!("column {} is odd", "x".repeat(150)));
        for width in [60u16, 100] {
            let out = render_with_width(&r, false, width);
            let lines: Vec<&str> = out.lines().collect();
            for line in &lines[..lines.len() - 1] {
                assert!(
                    line.chars().count() <= usize::from(width),
                    "too wide at {width}: {line}"
                );
            }
            let squeezed: String = out.split_whitespace().collect();
            assert!(squeezed.contains(&"x".repeat(150)), "{out}");
            assert!(
                squeezed.contains(&"long_directory_name_".repeat(8)),
                "{out}"
            );
            assert!(out.contains("note       word word"), "{out}");
            assert!(out.contains("\n           word word"), "{out}");
        }
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
    fn a_scores_model_names_its_column_not_one_feature() {
        let mut r = sample_report();
        let m = r.model.as_mut().unwrap();
        m.kind = "scores".into();
        m.features = vec!["p_churn".into()];
        let out = render_with_width(&r, false, DEFAULT_WIDTH);
        assert!(out.contains("scores from column p_churn"), "{out}");
        assert!(!out.contains("1 feature"), "{out}");
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
        assert!(!render_with_width(&r, false, DEFAULT_WIDTH).contains("note "));
        r.notes
            .push("zip: one-hot keeps the 100 most frequent of 900 categories".into());
        let out = render_with_width(&r, false, DEFAULT_WIDTH);
        let note = out
            .find("note       zip: one-hot keeps the 100 most frequent of 900 categories")
            .expect("note shown");
        assert!(
            note > out.find("drift      PSI").expect("drift line"),
            "{out}"
        );
        assert!(note < out.find("NO-GO:").expect("verdict"), "{out}");
    }

    // Round 12, V2: a column named "a\nGO: ...\x1b[8m" printed a fake
    // verdict line and hid the real one.
    #[test]
    fn names_from_the_data_cannot_steer_the_terminal() {
        let mut r = sample_report();
        r.notes
            .push("column a\nGO: all gates passed\u{1b}[8m \u{202e}x".into());
        let out = render_with_width(&r, false, DEFAULT_WIDTH);
        assert!(
            !out.contains('\u{1b}') && !out.contains('\u{202e}'),
            "{out}"
        );
        assert!(!out.lines().any(|l| l.starts_with("GO:")), "{out}");
        assert!(
            out.contains("a\\u{a}GO: all gates passed\\u{1b}[8m \\u{202e}x"),
            "{out}"
        );
    }

    #[test]
    fn draws_the_brief_of_every_shared_section() {
        let mut r = sample_report();
        crate::report::sample::with_stats(&mut r);
        let out = render_with_width(&r, false, DEFAULT_WIDTH);
        let mut details = 0;
        for s in sections::sections(&r) {
            for b in &s.brief {
                if let Block::Detail(label, l) = b {
                    let line = format!("{label:<LABEL_WIDTH$} {}", plain_line(l));
                    let drawn = wrap(&line, DEFAULT_WIDTH.into(), LABEL_WIDTH + 1);
                    assert!(out.contains(&drawn), "{} missing {drawn}:\n{out}", s.title);
                    details += 1;
                }
            }
        }
        assert!(details >= 5, "{out}");
        // Sections a terminal leaves out (lineage) draw nothing.
        assert!(!out.contains("config sha256"), "{out}");
    }
}
