//! The text of a starter `gates.toml`: every key present (optional ones
//! commented out) with a comment saying what it does, filled with what
//! [`super::guess`] found in the data when there is data.
use super::guess::{Guess, MAX_GROUPS};

/// What the starter is written from.
pub struct Inputs<'a> {
    /// `data.path` as it goes into the file (relative to the config's dir).
    pub data_path: Option<&'a str>,
    pub guess: Option<&'a Guess>,
}

/// Width of `key = value` before a line's `# comment`.
const COMMENT_COLUMN: usize = 34;

const HEADER: &str = r#"# gates.toml: what a model must pass before it ships.
# Written by `release-gate init`{from}.
# Values marked "guessed" were read off the data: review them. Every key is
# described in README.md ("gates.toml reference").
#   release-gate validate   # the data contract only, no training
#   release-gate check      # the whole gate: exit 0 GO, 1 NO-GO, 2 error
# Completion and validation in editors (taplo / Even Better TOML):
#   release-gate schema > gates.schema.json, then uncomment the next line.
# #:schema ./gates.schema.json

[model_card] # rendered into model_card.md
name = "my-model" # what the model is called
owners = [] # who answers for it, e.g. ["ml-team@example.com"]
intended_use = "" # what the model is for
limitations = "" # where it must not be trusted
"#;

const DATA: &str = r#"
[data]
path = {path} # .csv or .parquet, relative to this file
target = {target} # the label column{guessed}
positive = {positive} # the positive class{seen}
drop = {drop} # never used as features: ids, leaks{guessed}
protected = {protected} # per-group fairness; not features{guessed}
{too_many}use_protected = false # also train on the protected columns
test_path = "" # a held-out test file; empty = split `path`
test_fraction = 0.2 # share of rows in the test split
seed = 42 # seeds the split and the model
stratify = true # keep the class balance on both sides

[contract] # any violation is a NO-GO, before training
min_rows = {min_rows} # at least this many rows
# max_null_fraction = 0.05 # missing values per column, at most
# max_duplicate_fraction = 0.01 # fully duplicated rows, at most
# unique = ["id"] # columns whose values must be unique
# [contract.columns.NAME]: type, nullable, min, max, allowed, pattern, required
"#;

const TARGET_RULE: &str = r#"
[contract.columns.{key}]
allowed = {values} # the target's values today
"#;

const MODEL: &str = r#"
[model]
kind = "logistic_regression" # or random_forest, decision_tree, gradient_boosting
threshold = 0.5 # decision threshold on the positive-class score

[model.params] # per kind, see README; unknown keys are errors
max_iter = 1000 # logistic_regression: solver iteration cap

[stats] # an interval on every metric and fairness value (README: Statistics)
confidence = 0.95 # of every interval
bootstrap = 1000 # replicates where no closed form exists; 0 = intervals off

[registry]
path = "models/registry" # where the champion lives (commit it)

[[gate]]
name = "quality floor" # shown in reports and annotations
kind = "metric" # metric | fairness | latency | champion | drift
metric = "roc_auc" # accuracy precision recall f1 roc_auc log_loss brier
min = 0.7 # `min` if higher is better, `max` if lower is
# A GO on the point value alone can be noise on a small test set: with
# "lower", the interval's lower end must clear `min`, else inconclusive.
bound = "lower" # point | lower | upper (needs [stats])
severity = "block" # block (default) stops the line; warn only reports

[[gate]]
name = "calibration" # mean squared error of the scores
kind = "metric" # a quality metric
metric = "brier" # lower is better
max = 0.25 # upper bound
severity = "warn" # block (default) stops the line; warn only reports
"#;

const FAIRNESS_GATE: &str = r#"
[[gate]]
name = {name} # per-group selection rates
kind = "fairness" # needs the attribute in data.protected
attribute = {attr} # a protected column (guessed)
metric = "disparate_impact" # or tpr_difference, selection_rate_difference
min = 0.8 # the four-fifths rule
min_group_size = 30 # smaller groups make the gate inconclusive
severity = "warn" # review the attribute, then make it block
"#;

const OPERATIONS_GATES: &str = r#"
[[gate]]
name = "single-row latency" # predict end to end: preprocessing + model
kind = "latency" # timed single-row calls
percentile = 95 # which percentile
max_ms = 10.0 # milliseconds

[[gate]]
name = "beats the champion" # re-scores the champion on the same test rows
kind = "champion" # compares with the registry's champion
metric = "roc_auc" # a quality metric
min_delta = 0.0 # must beat the champion by at least this
on_missing = "pass" # first run, no champion yet: pass | fail

[[gate]]
name = "train/test drift" # Population Stability Index per feature
kind = "drift" # compares feature distributions
# reference = "data/reference.csv" # default: the training split
max_psi = 0.2 # 0.1 small, 0.2 large shift
severity = "warn" # block (default) stops the line; warn only reports
"#;

/// The whole starter `gates.toml`.
pub fn gates_toml(i: &Inputs) -> String {
    let from = match (i.data_path, i.guess) {
        // In a comment: a file name's line breaks would end it (round 19, F2).
        (Some(p), Some(g)) => format!(" from {} ({} rows)", p.escape_debug(), g.rows),
        _ => String::new(),
    };
    let mut text = HEADER.replace("{from}", &from);
    text.push_str(&data(i));
    if let Some(g) = i
        .guess
        .filter(|g| (2..=10).contains(&g.target_values.len()))
    {
        let values: Vec<String> = g.target_values.iter().map(|(v, _)| v.clone()).collect();
        let rule = TARGET_RULE
            .replace("{key}", &key(&g.target))
            .replace("{values}", &array(&values));
        text.push_str(&rule);
    }
    text.push_str(MODEL);
    for attr in i.guess.map(|g| g.protected.as_slice()).unwrap_or_default() {
        // A gate name is one line: a column name's line breaks and other
        // control characters are shown as spaces (round 18, F3).
        let shown: String = attr
            .chars()
            .map(|c| if c.is_control() { ' ' } else { c })
            .collect();
        let name = format!("four-fifths rule ({shown})");
        let gate = FAIRNESS_GATE
            .replace("{name}", &q(&name))
            .replace("{attr}", &q(attr));
        text.push_str(&gate);
    }
    text.push_str(OPERATIONS_GATES);
    align_comments(&text)
}

/// `[data]` and `[contract]`, from the guesses or with placeholders.
fn data(i: &Inputs) -> String {
    let path = q(i.data_path.unwrap_or("data/train.csv"));
    let Some(g) = i.guess else {
        let fill = [
            ("{target}", q("label")),
            ("{positive}", q("yes")),
            ("{drop}", "[]".into()),
            ("{protected}", "[]".into()),
            ("{min_rows}", "100".into()),
        ];
        return fill_in(DATA, &fill, &path, "", "", "");
    };
    let seen: Vec<String> = g
        .target_values
        .iter()
        .take(4)
        .map(|(v, n)| format!("{v} x{n}"))
        .collect();
    let too_many: String = g
        .too_many_groups
        .iter()
        .map(|(name, n)| format!("# {name} looks protected but has {n} values (> {MAX_GROUPS}): bucket it, then add it\n"))
        .collect();
    let fill = [
        ("{target}", q(&g.target)),
        ("{positive}", q(&g.positive)),
        ("{drop}", array(&g.drop)),
        ("{protected}", array(&g.protected)),
        ("{min_rows}", (g.rows / 2).max(1).to_string()),
    ];
    let seen = format!(" (guessed; seen: {})", seen.join(", "));
    fill_in(DATA, &fill, &path, " (guessed)", &seen, &too_many)
}

fn fill_in(
    template: &str,
    fill: &[(&str, String)],
    path: &str,
    guessed: &str,
    seen: &str,
    too_many: &str,
) -> String {
    let mut s = template.replace("{path}", path);
    for (k, v) in fill {
        s = s.replace(k, v);
    }
    s.replace("{guessed}", guessed)
        .replace("{seen}", seen)
        .replace("{too_many}", too_many)
}

/// Pads `key = value # comment` lines so the comments line up.
fn align_comments(text: &str) -> String {
    let mut out = String::with_capacity(text.len() * 2);
    for line in text.lines() {
        let split = line
            .rsplit_once(" # ")
            .filter(|_| !line.starts_with("#   ") && !line.starts_with("# #:"));
        match split {
            Some((code, comment)) => {
                out.push_str(&format!("{code:<COMMENT_COLUMN$} # {comment}"));
            }
            None => out.push_str(line),
        }
        out.push('\n');
    }
    out
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_quote_when_needed() {
        assert_eq!(key("churn"), "churn");
        assert_eq!(key("Loan Status"), "\"Loan Status\"");
    }

    #[test]
    fn comments_line_up() {
        let text = align_comments("a = 1 # one\n#   cmd   # kept\n[t] # table\n");
        assert_eq!(
            text,
            format!(
                "{:<34} # one\n#   cmd   # kept\n{:<34} # table\n",
                "a = 1", "[t]"
            )
        );
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
        assert!(!text.contains('{'), "every placeholder filled: {text}");
    }
}
