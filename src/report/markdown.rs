//! GitHub-flavoured Markdown of a run, for `$GITHUB_STEP_SUMMARY`, a PR
//! comment and `report.md`: the verdict first, then the sections of
//! `report::sections` (charts have no text form). Every piece of text goes
//! through [`cell`] so a `|` or a newline in a message cannot break a table.
use super::sections::{self, Block, Section, Span};
use super::summary::verdict_line;
use super::{GateStatus, Report, Verdict};

/// Renders the run as GitHub-flavoured Markdown: the heading, then every
/// section of [`sections::sections`].
pub fn render(r: &Report) -> String {
    let mut parts = vec![heading(r)];
    parts.extend(sections::sections(r).iter().map(draw_section));
    let mut out = parts.join("\n").trim_end().to_string();
    out.push('\n');
    out
}

fn draw_section(s: &Section) -> String {
    let mut parts = vec![format!("### {}\n", s.title)];
    for b in &s.blocks {
        draw_block(b, &mut parts);
    }
    parts.join("\n")
}

/// Appends `b` as Markdown paragraphs (charts have no text form).
fn draw_block(b: &Block, out: &mut Vec<String>) {
    match b {
        Block::Para(l) => out.push(format!("{}\n", line(l, false))),
        Block::Table(t) => {
            let rows: Vec<Vec<String>> = t
                .rows
                .iter()
                .map(|r| r.iter().map(|c| line(c, true)).collect())
                .collect();
            out.push(table(&t.header, &t.numeric, &rows));
        }
        Block::List(items) => out.push(
            items
                .iter()
                .map(|l| format!("- {}\n", line(l, false)))
                .collect(),
        ),
        Block::Part(title, inner) => {
            out.push(format!("#### {}\n", line(title, false)));
            for b in inner {
                draw_block(b, out);
            }
        }
        Block::Figure(..) => {}
        Block::Detail(label, l) => out.push(format!("**{}** {}\n", cell(label), line(l, false))),
        Block::Grid(inner) => {
            for b in inner {
                draw_block(b, out);
            }
        }
    }
}

/// `l` as Markdown; `in_table` when it fills a table cell.
fn line(l: &[Span], in_table: bool) -> String {
    l.iter().map(|s| span(s, in_table)).collect()
}

fn span(s: &Span, in_table: bool) -> String {
    match s {
        Span::Text(t) => cell(t),
        Span::Strong(t) => format!("**{}**", cell(t)),
        Span::Code(t) => code_span(t, in_table),
        Span::Link { text, url } => format!("[{}]({})", cell(text), cell(url)),
        Span::Status(st) => status_text(*st),
        Span::Mark { ok, text } => format!("{} {}", if *ok { "✅" } else { "❌" }, cell(text)),
    }
}

/// Makes text safe inside a table cell: pipes escaped, newlines as `<br>`,
/// and `<`/`>`/`&` as entities so a value like `<missing>` is not eaten as HTML.
pub fn cell(text: &str) -> String {
    escaped(text, true, true)
}

/// `text` as a code span: Markdown shows a code span's characters as they
/// are (`<b>` needs no entity there, and one would show as `&lt;b&gt;`),
/// so only what would end the span, the table cell or the line is treated.
/// The fence is one backtick longer than any run of backticks inside.
/// Pipes are escaped only `in_table`: a table takes `\|` as a pipe inside
/// a code span, while anywhere else the backslash would show (round 23, F5).
pub fn code_span(text: &str, in_table: bool) -> String {
    let body = escaped(&text.replace(['\n', '\r'], " "), false, in_table);
    let mut longest = 0;
    let mut run = 0;
    for ch in body.chars() {
        run = if ch == '`' { run + 1 } else { 0 };
        longest = longest.max(run);
    }
    if body.is_empty() {
        return "` `".to_string();
    }
    let fence = "`".repeat(longest + 1);
    // Markdown strips one space from each end of a span that has both; a
    // backtick at either end needs a space to stay apart from the fence.
    let spaced = body.starts_with(' ') && body.ends_with(' ') && body.trim() != "";
    let pad = if spaced || body.starts_with('`') || body.ends_with('`') {
        " "
    } else {
        ""
    };
    format!("{fence}{pad}{body}{pad}{fence}")
}

/// `text` with line breaks as `<br>`, control and direction characters
/// spelled out, pipes escaped (with `pipes`), and, for text outside a code
/// span (`entities`), `<`, `>`, `&` as entities and backticks escaped (a
/// name holding backticks would otherwise open a code span).
fn escaped(text: &str, entities: bool, pipes: bool) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    let mut prev: Option<char> = None;
    while let Some(ch) = chars.next() {
        let before = prev.replace(ch);
        match ch {
            // Backslashes right before a pipe are escaped too, or `x\|y`
            // would end the cell; others (Windows paths) stay as they are.
            '\\' => {
                let mut run = 1;
                while chars.peek() == Some(&'\\') {
                    chars.next();
                    run += 1;
                }
                // Before a character Markdown would read as escaped
                // (ASCII punctuation), each backslash is doubled so it
                // shows and the character keeps its own escape.
                let next = chars.peek().copied();
                let width = if (pipes && next == Some('|'))
                    || (entities && next.is_some_and(|c| c.is_ascii_punctuation()))
                {
                    2 * run
                } else {
                    run
                };
                out.extend(std::iter::repeat_n('\\', width));
            }
            '|' if pipes => out.push_str("\\|"),
            '`' if entities => out.push_str("\\`"),
            '\n' => out.push_str("<br>"),
            '\r' => {}
            // Emphasis, strikethrough and link syntax in a name show as
            // written (round 25, F6). An underscore inside a word
            // (`roc_auc`) emphasizes nothing and stays bare, and so does a
            // bracket that cannot close a link (`[0.71, 0.85]`).
            '*' | '~' if entities => {
                out.push('\\');
                out.push(ch);
            }
            ']' if entities && matches!(chars.peek(), Some('(' | '[' | ':')) => {
                out.push_str("\\]");
            }
            '_' if entities => {
                let inside = before.is_some_and(char::is_alphanumeric)
                    && chars.peek().copied().is_some_and(char::is_alphanumeric);
                if !inside {
                    out.push('\\');
                }
                out.push('_');
            }
            '<' if entities => out.push_str("&lt;"),
            '>' if entities => out.push_str("&gt;"),
            '&' if entities => out.push_str("&amp;"),
            // Escape sequences and bidi overrides (a forced reason, a
            // column name) print as `\u{..}`, never raw (round 14, F11).
            _ if ch.is_control()
                || matches!(ch, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}') =>
            {
                out.push_str(&format!("\\u{{{:x}}}", u32::from(ch)));
            }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emphasis_and_links_in_names_show_as_written() {
        assert_eq!(
            cell("**bold** [x](http://e) _it_ ~~s~~ roc_auc a*b"),
            "\\*\\*bold\\*\\* [x\\](http://e) \\_it\\_ \\~\\~s\\~\\~ roc_auc a\\*b"
        );
        assert_eq!(
            cell("[r]: http://e [0.7, 0.9]"),
            "[r\\]: http://e [0.7, 0.9]"
        );
        // Inside a code span nothing is escaped but what ends it.
        assert_eq!(code_span("*_[x]_*", false), "`*_[x]_*`");
    }
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

    // Round 22 F7: a code span shows its characters as they are, so `<b>`
    // stays `<b>` (an entity would print as `&lt;b&gt;`), while a pipe, a
    // line break or a backtick still cannot end the cell or the span.
    #[test]
    fn code_spans_hold_their_text_as_written() {
        assert_eq!(code_span("<b>&amp;", true), "`<b>&amp;`");
        assert_eq!(code_span("a|b", true), "`a\\|b`");
        assert_eq!(code_span("two\nlines", true), "`two lines`");
        assert_eq!(code_span("x`y", true), "``x`y``");
        assert_eq!(code_span("`x", true), "`` `x ``");
        assert_eq!(code_span(" x ", true), "`  x  `");
        assert_eq!(code_span("", true), "` `");
        assert_eq!(code_span("\u{202e}x", true), "`\\u{202e}x`");
        assert_eq!(cell("<b>"), "&lt;b&gt;");
        // Outside a table a pipe needs no escape (round 23, F5), and in
        // text a backtick is escaped so that it opens no code span.
        assert_eq!(code_span("g|`", false), "`` g|` ``");
        assert_eq!(cell("a`b"), "a\\`b");
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
            "### Latency\n\n|  | value |",
            "| p95 | 0.046 ms |",
            "| batch throughput | 1234568 rows/s |",
            "| timed single-row calls | 1409 |",
            "### Model quality\n\n#### Metrics\n",
            "Confusion matrix: TP ",
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
    fn a_backslash_before_a_pipe_cannot_end_the_cell() {
        // `x\|y` (an escaped intersection group): `\\` is a literal
        // backslash and `\|` a literal pipe, so the cell stays one cell.
        assert_eq!(cell("x\\|y"), "x\\\\\\|y");
        assert_eq!(cell("C:\\data"), "C:\\data");
        assert_eq!(cell("x\\\\|y"), "x\\\\\\\\\\|y");
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
