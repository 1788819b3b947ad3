//! The text of a starter `gates.toml`: every key present (optional ones
//! commented out) with a comment saying what it does, filled with what
//! [`super::guess`] found in the data when there is data.
use super::guess::{Guess, MAX_GROUPS};
use std::fmt::Write as _;

/// What the starter is written from.
pub struct Inputs<'a> {
    /// `data.path` as it goes into the file (relative to the config's dir).
    pub data_path: Option<&'a str>,
    pub guess: Option<&'a Guess>,
}

/// The whole starter `gates.toml`.
pub fn gates_toml(i: &Inputs) -> String {
    [
        header(i),
        model_card(),
        data(i),
        contract(i),
        model(),
        gates(i),
    ]
    .concat()
}

/// A TOML basic string.
fn q(s: &str) -> String {
    toml::Value::String(s.to_string()).to_string()
}

fn array(items: &[String]) -> String {
    let quoted: Vec<String> = items.iter().map(|s| q(s)).collect();
    format!("[{}]", quoted.join(", "))
}

/// A table key: bare when TOML allows it, quoted otherwise.
fn key(s: &str) -> String {
    let bare = !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    if bare {
        s.to_string()
    } else {
        q(s)
    }
}

/// `key = value  # comment`, comments aligned.
fn kv(out: &mut String, k: &str, value: &str, comment: &str) {
    let _ = writeln!(out, "{:<34} # {comment}", format!("{k} = {value}"));
}

fn header(i: &Inputs) -> String {
    let from = match (i.data_path, i.guess) {
        (Some(p), Some(g)) => format!(" from {p} ({} rows)", g.rows),
        _ => String::new(),
    };
    format!(
        "# gates.toml: what a model must pass before it ships.\n\
         # Written by `release-gate init`{from}.\n\
         # Values marked \"guessed\" were read off the data: review them. Every key is\n\
         # described in README.md (\"gates.toml reference\").\n\
         #   release-gate validate   # the data contract only, no training\n\
         #   release-gate check      # the whole gate: exit 0 GO, 1 NO-GO, 2 error\n\
         # Completion and validation in editors (taplo / Even Better TOML):\n\
         #   release-gate schema > gates.schema.json, then uncomment the next line.\n\
         # #:schema ./gates.schema.json\n"
    )
}

fn model_card() -> String {
    let mut s =
        String::from("\n[model_card]                       # rendered into model_card.md\n");
    kv(&mut s, "name", &q("my-model"), "what the model is called");
    kv(
        &mut s,
        "owners",
        "[]",
        "who answers for it, e.g. [\"ml-team@example.com\"]",
    );
    kv(&mut s, "intended_use", &q(""), "what the model is for");
    kv(
        &mut s,
        "limitations",
        &q(""),
        "where it must not be trusted",
    );
    s
}

fn data(i: &Inputs) -> String {
    let mut s = String::from("\n[data]\n");
    let path = i.data_path.unwrap_or("data/train.csv");
    kv(
        &mut s,
        "path",
        &q(path),
        ".csv or .parquet, relative to this file",
    );
    match i.guess {
        Some(g) => {
            let seen: Vec<String> = g
                .target_values
                .iter()
                .take(4)
                .map(|(v, n)| format!("{v} x{n}"))
                .collect();
            kv(
                &mut s,
                "target",
                &q(&g.target),
                "the label column (guessed)",
            );
            let note = format!("positive class (guessed; seen: {})", seen.join(", "));
            kv(&mut s, "positive", &q(&g.positive), &note);
            kv(
                &mut s,
                "drop",
                &array(&g.drop),
                "never features: ids, leaks (guessed)",
            );
            kv(
                &mut s,
                "protected",
                &array(&g.protected),
                "per-group fairness; not features (guessed)",
            );
            for (name, n) in &g.too_many_groups {
                let _ = writeln!(
                    s,
                    "# {name} looks protected but has {n} values (> {MAX_GROUPS}): bucket it, then add it"
                );
            }
        }
        None => {
            kv(&mut s, "target", &q("label"), "the label column");
            kv(
                &mut s,
                "positive",
                &q("yes"),
                "the target value that is the positive class",
            );
            kv(&mut s, "drop", "[]", "never used as features: ids, leaks");
            kv(
                &mut s,
                "protected",
                "[]",
                "per-group fairness; not features, e.g. [\"sex\"]",
            );
        }
    }
    kv(
        &mut s,
        "use_protected",
        "false",
        "also train on the protected columns",
    );
    kv(
        &mut s,
        "test_path",
        &q(""),
        "a held-out test file; empty = split `path`",
    );
    kv(
        &mut s,
        "test_fraction",
        "0.2",
        "share of rows in the test split",
    );
    kv(&mut s, "seed", "42", "seeds the split and the model");
    kv(
        &mut s,
        "stratify",
        "true",
        "keep the class balance on both sides",
    );
    s
}

fn contract(i: &Inputs) -> String {
    let mut s = String::from(
        "\n[contract]                         # any violation is a NO-GO, before training\n",
    );
    let min_rows = i.guess.map_or(100, |g| (g.rows / 2).max(1));
    kv(
        &mut s,
        "min_rows",
        &min_rows.to_string(),
        "at least this many rows",
    );
    kv(
        &mut s,
        "# max_null_fraction",
        "0.05",
        "missing values per column, at most",
    );
    kv(
        &mut s,
        "# max_duplicate_fraction",
        "0.01",
        "fully duplicated rows, at most",
    );
    kv(
        &mut s,
        "# unique",
        "[\"id\"]",
        "columns whose values must be unique",
    );
    s.push_str("# [contract.columns.NAME]: type, nullable, min, max, allowed, pattern, required\n");
    if let Some(g) = i
        .guess
        .filter(|g| (2..=10).contains(&g.target_values.len()))
    {
        let values: Vec<String> = g.target_values.iter().map(|(v, _)| v.clone()).collect();
        let _ = writeln!(s, "\n[contract.columns.{}]", key(&g.target));
        kv(
            &mut s,
            "allowed",
            &array(&values),
            "the target's values today",
        );
    }
    s
}

fn model() -> String {
    let mut s = String::from("\n[model]\n");
    kv(
        &mut s,
        "kind",
        &q("logistic_regression"),
        "or random_forest, decision_tree",
    );
    kv(
        &mut s,
        "threshold",
        "0.5",
        "decision threshold on the positive-class score",
    );
    s.push_str(
        "\n[model.params]                     # per kind, see README; unknown keys are errors\n",
    );
    kv(
        &mut s,
        "max_iter",
        "1000",
        "logistic_regression: solver iteration cap",
    );
    s.push_str("\n[registry]\n");
    kv(
        &mut s,
        "path",
        &q("models/registry"),
        "where the champion lives (commit it)",
    );
    s
}

/// One `[[gate]]` from `(key, value, comment)` rows.
fn gate(s: &mut String, rows: &[(&str, String, &str)]) {
    s.push_str("\n[[gate]]\n");
    for (k, v, c) in rows {
        kv(s, k, v, c);
    }
}

fn gates(i: &Inputs) -> String {
    let mut s = String::new();
    let block = "block (default) stops the line; warn only reports";
    gate(
        &mut s,
        &[
            (
                "name",
                q("quality floor"),
                "shown in reports and annotations",
            ),
            (
                "kind",
                q("metric"),
                "metric | fairness | latency | champion | drift",
            ),
            (
                "metric",
                q("roc_auc"),
                "accuracy precision recall f1 roc_auc log_loss brier",
            ),
            (
                "min",
                "0.7".into(),
                "`min` for higher-is-better, `max` for lower-is-better",
            ),
            ("severity", q("block"), block),
        ],
    );
    gate(
        &mut s,
        &[
            ("name", q("calibration"), "mean squared error of the scores"),
            ("kind", q("metric"), "a quality metric"),
            ("metric", q("brier"), "lower is better"),
            ("max", "0.25".into(), "upper bound"),
            ("severity", q("warn"), block),
        ],
    );
    let protected = i.guess.map(|g| g.protected.clone()).unwrap_or_default();
    for attr in &protected {
        gate(
            &mut s,
            &[
                (
                    "name",
                    q(&format!("four-fifths rule ({attr})")),
                    "per-group selection rates",
                ),
                (
                    "kind",
                    q("fairness"),
                    "needs the attribute in data.protected",
                ),
                ("attribute", q(attr), "a protected column (guessed)"),
                (
                    "metric",
                    q("disparate_impact"),
                    "or tpr_difference, selection_rate_difference",
                ),
                ("min", "0.8".into(), "the four-fifths rule"),
                (
                    "min_group_size",
                    "30".into(),
                    "smaller groups make the gate inconclusive",
                ),
                (
                    "severity",
                    q("warn"),
                    "review the attribute, then make it block",
                ),
            ],
        );
    }
    gate(
        &mut s,
        &[
            (
                "name",
                q("single-row latency"),
                "end-to-end predict: preprocessing + model",
            ),
            ("kind", q("latency"), "timed single-row calls"),
            ("percentile", "95".into(), "which percentile"),
            ("max_ms", "10.0".into(), "milliseconds"),
        ],
    );
    gate(
        &mut s,
        &[
            (
                "name",
                q("beats the champion"),
                "re-scores the champion on the same test rows",
            ),
            (
                "kind",
                q("champion"),
                "compares with the registry's champion",
            ),
            ("metric", q("roc_auc"), "a quality metric"),
            (
                "min_delta",
                "0.0".into(),
                "must beat the champion by at least this",
            ),
            (
                "on_missing",
                q("pass"),
                "first run, no champion yet: pass | fail",
            ),
        ],
    );
    gate(
        &mut s,
        &[
            (
                "name",
                q("train/test drift"),
                "Population Stability Index per feature",
            ),
            ("kind", q("drift"), "compares feature distributions"),
            (
                "# reference",
                q("data/reference.csv"),
                "default: the training split",
            ),
            ("max_psi", "0.2".into(), "0.1 small, 0.2 large shift"),
            ("severity", q("warn"), block),
        ],
    );
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_quote_when_needed() {
        assert_eq!(key("churn"), "churn");
        assert_eq!(key("Loan Status"), "\"Loan Status\"");
        assert_eq!(q("a\"b"), "'a\"b'");
    }

    #[test]
    fn without_data_the_starter_still_parses() {
        let text = gates_toml(&Inputs {
            data_path: None,
            guess: None,
        });
        let plan = crate::config::parse(std::path::Path::new("gates.toml"), &text);
        let plan = plan.map_err(|e| e.to_string());
        assert!(plan.is_ok(), "{plan:?}\n{text}");
        assert!(text.contains("target = \"label\""), "{text}");
    }
}
