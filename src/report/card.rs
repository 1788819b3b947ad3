//! The model card (`model_card.md`), rendered with minijinja from the
//! built-in `templates/model_card.md.j2` or the user's override. The context
//! is the serialized `Report` (every `report.json` key, at the top level and
//! under `report`) plus `verdict_label`, `verdict_line` and a few filters
//! (`fmt`, `ms`, `signed`, `cell`, `code`, `plain`, `short`). Printing an undefined key is an
//! error naming the template and line, so a typo never renders as a blank.
use super::markdown::{cell, code_span};
use super::num::{fixed, short_sha, signed, DECIMALS, NA};
use super::summary::verdict_line;
use super::Report;
use minijinja::syntax::SyntaxConfig;
use minijinja::value::{Serde, Value};
use minijinja::{context, AutoEscape, Environment, Error, ErrorKind, UndefinedBehavior};

/// The built-in template.
pub const DEFAULT_TEMPLATE: &str = include_str!("../../templates/model_card.md.j2");
/// Name of the built-in template in error messages.
pub const DEFAULT_NAME: &str = "built-in model_card.md.j2";
/// Name of a user template in error messages: where SPEC section 5 puts it.
pub const OVERRIDE_NAME: &str = "templates/model_card.md.j2";
/// Most decimals `fmt(n)` accepts; more is noise in an f64.
const MAX_DECIMALS: usize = 17;

/// Renders the card from `template` (the user's override text) or the
/// built-in template.
pub fn render(r: &Report, template: Option<&str>) -> anyhow::Result<String> {
    match template {
        Some(source) => render_named(r, OVERRIDE_NAME, source),
        None => render_named(r, DEFAULT_NAME, DEFAULT_TEMPLATE),
    }
}

/// Renders the card from `source`, naming it `name` in error messages (pass
/// the template's path when it is known).
pub fn render_named(r: &Report, name: &str, source: &str) -> anyhow::Result<String> {
    render_within(
        r,
        name,
        source,
        std::time::Duration::from_secs(TEMPLATE_SECONDS),
    )
}

fn render_within(
    r: &Report,
    name: &str,
    source: &str,
    limit: std::time::Duration,
) -> anyhow::Result<String> {
    // Fuel counts instructions, not their work: one `join` of a million
    // items is one instruction (round 25, F5). The render runs on a thread
    // of its own and is given up after TEMPLATE_SECONDS; the command then
    // ends with the error, and the thread with it.
    let (tx, rx) = std::sync::mpsc::channel();
    let (report, owned_name, owned_source) = (r.clone(), name.to_string(), source.to_string());
    std::thread::Builder::new()
        .name("model-card".into())
        .spawn(move || {
            let rendered = environment().and_then(|env| {
                env.render_named_str(&owned_name, &owned_source, card_context(&report))
                    .map_err(|e| anyhow::anyhow!(describe_error(&e, &owned_name, &owned_source)))
            });
            let _ = tx.send(rendered);
        })
        .map_err(|e| anyhow::anyhow!("cannot start rendering the model card: {e}"))?;
    match rx.recv_timeout(limit) {
        Ok(rendered) => rendered,
        Err(std::sync::mpsc::RecvTimeoutError::Timeout) => Err(anyhow::anyhow!(
            "model card template {name}: still rendering after {} s (a loop over a large list \
             or string?): stopped",
            limit.as_secs()
        )),
        Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => Err(anyhow::anyhow!(
            "model card template {name}: the render stopped without a result"
        )),
    }
}

/// Seconds a model card may take to render.
const TEMPLATE_SECONDS: u64 = 30;

/// Template instructions one render may run: the default card uses
/// thousands, a hundred-feature report tens of thousands.
const TEMPLATE_FUEL: u64 = 20_000_000;

fn environment() -> anyhow::Result<Environment<'static>> {
    let mut env = Environment::new();
    let syntax = SyntaxConfig::builder()
        .trim_blocks(true)
        .lstrip_blocks(true)
        .keep_trailing_newline(true)
        .build()
        .map_err(|e| anyhow::anyhow!("model card template syntax settings: {e}"))?;
    env.set_syntax(syntax);
    // A template that loops for ever (ranges nested in ranges) is an
    // error, not a CI job hanging until its timeout (round 22, F8).
    env.set_fuel(Some(TEMPLATE_FUEL));
    // Semi-strict: printing or iterating an undefined value fails (a typo is
    // an error), while `{% if report.some_key %}` may still probe for a key.
    env.set_undefined_behavior(UndefinedBehavior::SemiStrict);
    // Markdown, not HTML: the output is never HTML-escaped.
    env.set_auto_escape_callback(|_| AutoEscape::None);
    env.add_filter("fmt", fmt_filter);
    env.add_filter("ms", ms_filter);
    env.add_filter("signed", signed_filter);
    env.add_filter("cell", cell_filter);
    env.add_filter("short", short_filter);
    env.add_filter("plain", plain_filter);
    env.add_filter("code", code_filter);
    Ok(env)
}

fn card_context(r: &Report) -> Value {
    let report = Value::from(Serde(r));
    context! {
        report => report.clone(),
        verdict_label => r.verdict.label(),
        verdict_line => verdict_line(r),
        ..report
    }
}

/// `file, line N: what\n   N | source line`.
fn describe_error(e: &Error, name: &str, source: &str) -> String {
    let what = match e.detail() {
        Some(detail) => format!("{}: {detail}", e.kind()),
        None if e.kind() == ErrorKind::OutOfFuel => format!(
            "it ran {TEMPLATE_FUEL} instructions without finishing (a loop in a loop over a \
             long range?)"
        ),
        None => e.kind().to_string(),
    };
    match e.line() {
        Some(line) if line > 0 => {
            let text = source.lines().nth(line - 1).unwrap_or("").trim_end();
            format!("model card template {name}, line {line}: {what}\n{line:>6} | {text}")
        }
        _ => format!("model card template {name}: {what}"),
    }
}

/// A number from a template value; `None` for `none`, an error for an
/// undefined value (almost always a misspelt key) or a non-number.
fn number(filter: &str, v: &Value) -> Result<Option<f64>, Error> {
    if v.is_undefined() {
        return Err(Error::new(
            ErrorKind::UndefinedError,
            format!("{filter}: the value is undefined (misspelt key?)"),
        ));
    }
    if v.is_none() {
        return Ok(None);
    }
    f64::try_from(v.clone()).map(Some).map_err(|_| {
        Error::new(
            ErrorKind::InvalidOperation,
            format!("{filter}: {v} is not a number"),
        )
    })
}

/// `{{ x | fmt }}` → 4 decimals, `{{ x | fmt(2) }}` → 2; `none` → `n/a`.
fn fmt_filter(v: &Value, decimals: Option<usize>) -> Result<String, Error> {
    let decimals = decimals.unwrap_or(DECIMALS).min(MAX_DECIMALS);
    Ok(number("fmt", v)?.map_or_else(|| NA.to_string(), |x| fixed(x, decimals)))
}

/// `{{ x | ms }}` → milliseconds with 3 decimals, more below 0.1 ms so a
/// sub-microsecond value keeps its significant digits (as the terminal table
/// does); `none` → `n/a`.
fn ms_filter(v: &Value) -> Result<String, Error> {
    Ok(crate::domain::num::ms(number("ms", v)?))
}

/// `{{ x | signed }}` → `+0.0100` / `-0.0030`; `none` → `n/a`.
fn signed_filter(v: &Value) -> Result<String, Error> {
    Ok(signed(number("signed", v)?))
}

fn text(filter: &str, v: &Value) -> Result<String, Error> {
    if v.is_undefined() {
        return Err(Error::new(
            ErrorKind::UndefinedError,
            format!("{filter}: the value is undefined (misspelt key?)"),
        ));
    }
    Ok(match v.as_str() {
        Some(s) => s.to_string(),
        None if v.is_none() => NA.to_string(),
        None => v.to_string(),
    })
}

/// `{{ x | cell }}` → text safe inside a Markdown table cell.
fn cell_filter(v: &Value) -> Result<String, Error> {
    Ok(cell(&text("cell", v)?))
}

/// `{{ x | code }}` → `x` as a whole Markdown code span, fences included:
/// its characters shown as written (a column named `<b>` is `<b>`, not
/// `&lt;b&gt;`), safe inside a table cell (round 22, F7).
/// `{{ x | code(false) }}` outside a table cell, where a pipe needs no
/// escape.
fn code_filter(v: &Value, in_table: Option<bool>) -> Result<String, Error> {
    Ok(code_span(&text("code", v)?, in_table.unwrap_or(true)))
}

/// `{{ text | plain }}`: `<`, `>` and `&` as entities, so a name or a
/// description from gates.toml is shown, never run as HTML by a Markdown
/// renderer that passes HTML through (round 22, F7); Markdown stays.
fn plain_filter(v: &Value) -> Result<String, Error> {
    let t = text("plain", v)?;
    Ok(t.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;"))
}

/// `{{ sha | short }}` → the first 12 characters of a digest.
fn short_filter(v: &Value) -> Result<String, Error> {
    Ok(short_sha(&text("short", v)?).to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_template_that_works_for_ever_is_stopped() {
        // Few instructions, each over a long list (round 25, F5).
        // A few seconds of work, stopped after 100 ms.
        let source = "{% set xs = range(100000)|list %}{% for i in range(1000) %}{{ xs|join(',')|length }}{% endfor %}";
        let started = std::time::Instant::now();
        let err = render_within(
            &crate::report::sample::sample_report(),
            "slow.md.j2",
            source,
            std::time::Duration::from_millis(100),
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("still rendering after"), "{err}");
        assert!(started.elapsed() < std::time::Duration::from_secs(5));
    }
    use crate::report::sample::sample_report;

    #[test]
    fn names_and_descriptions_are_shown_not_run_as_html() {
        let mut r = sample_report();
        r.model_card.name = Some("<script>alert(1)</script>".into());
        r.model_card.description = Some("Scores **churn** <b>risk</b> & more".into());
        let card = render(&r, None).unwrap();
        assert!(
            card.contains("# Model card: &lt;script&gt;alert(1)&lt;/script&gt;"),
            "{card}"
        );
        assert!(
            card.contains("Scores **churn** &lt;b&gt;risk&lt;/b&gt; &amp; more"),
            "{card}"
        );
        assert!(!card.contains("<script>"), "{card}");
    }

    // Round 24 F3: the verdict line names failing gates; it is escaped
    // as report.md's is, so a gate name is shown, never run as HTML.
    #[test]
    fn the_verdict_line_shows_gate_names_as_written() {
        let mut r = sample_report();
        let quality = r.gates.iter_mut().find(|g| g.name == "quality floor");
        quality.unwrap().name = "auc <img src=x> & `x`".into();
        let card = render(&r, None).unwrap();
        let line = card.lines().find(|l| l.starts_with("> **")).unwrap();
        assert!(
            line.contains("auc &lt;img src=x&gt; &amp; \\`x\\`"),
            "{line}"
        );
        assert!(!card.contains("<img"), "{card}");
    }

    // Round 22 F7: inside a code span an entity prints as written, so a
    // protected column named `<b>` is shown in the span as `<b>`.
    #[test]
    fn code_spans_show_names_as_written() {
        let mut r = sample_report();
        let attr = r.fairness.pop_first().unwrap().1;
        r.fairness.insert("<b>".into(), attr.clone());
        r.fairness.insert("g|`".into(), attr);
        r.data.target = "a`b".into();
        let card = render(&r, None).unwrap();
        assert!(card.contains("### `<b>`\n"), "{card}");
        assert!(card.contains("### `` g|` ``\n"), "{card}");
        assert!(card.contains("| Target | ``a`b`` "), "{card}");
        assert!(!card.contains("&lt;b&gt;"), "{card}");
    }

    #[test]
    fn built_in_card_has_every_section() {
        let card = render(&sample_report(), None).unwrap();
        for section in [
            "# Model card: churn-classifier",
            "## Model details",
            "### Intended use",
            "### Limitations",
            "### Ethical considerations",
            "## Training and evaluation data",
            "## Metrics",
            "## Fairness",
            "## Latency",
            "## Release gates",
            "### Data contract",
            "## Champion comparison",
            "## Drift",
            "## Lineage",
        ] {
            assert!(card.contains(section), "missing {section:?}:\n{card}");
        }
    }

    #[test]
    fn built_in_card_content() {
        let card = render(&sample_report(), None).unwrap();
        for needle in [
            "| Version | 2.1.0 |",
            "| Owners | ml-platform@example.com |",
            "Rank customers by churn risk for retention offers.",
            "_Not stated: set `ethical_considerations` in `[model_card]`._",
            "| Model type | `logistic_regression` |",
            "`max_iter=1000`",
            "| Source sha256 | `3f2a9c1b0e7d4a5f8c6b2e1d0a9f8e7d6c5b4a3f2e1d0c9b8a7f6e5d4c3b2a10` |",
            "| Training rows | 5634 (1495 positive) |",
            "| Test rows | 1409 (374 positive) |",
            "| roc_auc | 0.8421 |",
            "### `female`",
            "| 0 | 700 | 190 | 0.2114 | 0.5526 |",
            "| 1 | 709 | 184 | 0.2003 | 0.5435 |",
            "Disparate impact **0.9475**",
            "| quality floor | metric | fail | 0.8421 | 0.8500 | block | roc_auc 0.8421 &lt; 0.8500 \\| below floor |",
            "| latency p95 | latency | pass | 0.046 ms | 5.000 ms | block |",
            "**NO-GO: 2 of 3 blocking gates failed",
            "| v0003 | roc_auc | 0.8312 | 0.8421 | +0.0109 |",
            "| tenure | 0.2517 |",
            "| Git commit | `0123456789abcdef0123456789abcdef01234567` (uncommitted changes) |",
            "| Git branch | feature/new-model |",
            "| Seed | 42 |",
            "| Started at | 2026-11-22T05:37:55Z |",
            "| CI | github run 123456789",
            "| tenure | max | 3 | row 17: 121, row 402: 150, row 6100: 999 |",
        ] {
            assert!(card.contains(needle), "missing {needle:?}:\n{card}");
        }
        assert!(
            !card.contains("none"),
            "a None leaked into the card:\n{card}"
        );
        assert!(!card.contains("\n\n\n"), "stray blank lines:\n{card}");
    }

    #[test]
    fn sub_microsecond_latency_keeps_its_digits() {
        let mut r = sample_report();
        if let Some(l) = r.latency.as_mut() {
            l.p95_ms = 0.000_43;
        }
        let card = render(&r, None).unwrap();
        assert!(card.contains("0.00043 ms"), "{card}");
        assert!(!card.contains("0.000 ms"), "{card}");
    }

    #[test]
    fn validate_run_card_renders_without_model() {
        let mut r = sample_report();
        r.command = "validate".to_string();
        r.model = None;
        r.metrics = None;
        r.latency = None;
        r.champion = None;
        r.drift = None;
        r.fairness.clear();
        r.gates.clear();
        r.lineage.git = None;
        r.lineage.ci = None;
        r.model_card = Default::default();
        let card = render(&r, None).unwrap();
        assert!(card.contains("# Model card: churn classifier"), "{card}");
        assert!(
            card.contains("No model was evaluated in this run."),
            "{card}"
        );
        assert!(card.contains("| CI | local run |"), "{card}");
        assert!(!card.contains("none"), "{card}");
    }

    #[test]
    fn custom_template_sees_report_keys_and_filters() {
        let tpl = "{{ model_card.name }} {{ verdict_label }} {{ report.metrics.roc_auc | fmt(2) }} \
                   {{ metrics.brier | fmt }} {{ champion.delta | signed }} {{ latency.p95_ms | ms }} \
                   {{ data.sha256 | short }} {{ model_card.ethical_considerations | fmt }} \
                   {{ gates[1].message | cell }}\n";
        let out = render(&sample_report(), Some(tpl)).unwrap();
        assert_eq!(
            out,
            "churn-classifier NO-GO 0.84 0.1372 +0.0109 0.046 3f2a9c1b0e7d n/a \
             roc_auc 0.8421 &lt; 0.8500 \\| below floor\n"
        );
    }

    #[test]
    fn syntax_error_names_template_and_line() {
        let tpl = "# Card\n\n{% for g in gates %}\n{{ g.name }}\n";
        let err = render(&sample_report(), Some(tpl)).unwrap_err().to_string();
        assert!(err.contains("templates/model_card.md.j2"), "{err}");
        assert!(err.contains("syntax error"), "{err}");
        assert!(err.contains("line "), "{err}");
    }

    #[test]
    fn typo_is_an_error_with_the_line() {
        let tpl = "# Card\n{{ metrics.roc_auc | fmt }}\n{{ metrics.rocauc }}\n";
        let err = render(&sample_report(), Some(tpl)).unwrap_err().to_string();
        assert!(err.contains("line 3"), "{err}");
        assert!(err.contains("{{ metrics.rocauc }}"), "{err}");

        let tpl = "ok\n{{ metrics.acuracy | fmt }}\n";
        let err = render(&sample_report(), Some(tpl)).unwrap_err().to_string();
        assert!(err.contains("line 2") && err.contains("undefined"), "{err}");
    }

    #[test]
    fn the_name_of_a_known_path_is_used() {
        let err = render_named(&sample_report(), "ci/card.md.j2", "{% if %}")
            .unwrap_err()
            .to_string();
        assert!(err.contains("ci/card.md.j2, line 1"), "{err}");
    }
}
