//! The data contract (`[contract]` in `gates.toml`): the rules the loaded table
//! must meet before any model is trained, and the check that reports every
//! broken rule with exact counts and example rows.
//!
//! The check never stops at the first failure: a CI log that lists every
//! problem at once saves one fix-push-wait cycle per problem. Non-finite
//! numbers are always reported (rule `finite`), with or without `[contract]`,
//! because no model can train on them.
//!
//! Choices worth knowing:
//! - A column named under `[contract.columns]` or in `unique` that is missing
//!   from the data is a `required` violation unless it sets `required = false`;
//!   its other rules are then skipped. `count` is the number of rows.
//! - Missing values are judged only by `nullable` and `max_null_fraction`;
//!   `type`, `min`, `max`, `allowed`, `pattern` and `unique` skip them.
//! - `allowed` and `pattern` compare the text form of a value (integers
//!   without `.0`, booleans as `true`/`false`), so they work on numeric
//!   columns too. `pattern` must match the whole value. A CSV column read
//!   as numbers is also checked as its cells are written ([`check_raw`]):
//!   a value passes when either form does, so `48.70` meets
//!   `[0-9]+\.[0-9]{2}` and `007` meets `allowed = ["007"]` (round 38,
//!   F2), and `1.0` still meets `allowed = ["1"]`.
//! - `min`/`max` on a text column check the values that parse as numbers and
//!   report the rest as a `type` violation: a numeric column with a few stray
//!   blanks loads as text, and the rows at fault are the useful answer.
//! - `type = "boolean"` accepts a boolean column, a numeric column holding
//!   only 0/1, or text that is true/false-like (true/false, t/f, yes/no, y/n,
//!   1/0, any case).
//! - A duplicate row equals an earlier row in every column, missing equal to
//!   missing (pandas `df.duplicated()`); its example is
//!   `{"duplicate_of": <earlier row>}`.
//! - The global `max_null_fraction` applies to every column of the table
//!   handed to [`check`].
use crate::data::table::{format_number, Column, DType, Table, Values};
use crate::domain::Violation;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::{BTreeMap, HashMap, HashSet};

mod duplicates;
use duplicates::{duplicates, norm_bits};

/// At most this many example values per violation.
const MAX_EXAMPLES: usize = 5;

/// `[contract]`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ContractConfig {
    pub min_rows: Option<u64>,
    /// Per column, unless the column sets its own.
    pub max_null_fraction: Option<f64>,
    /// Fraction of rows identical to an earlier row.
    pub max_duplicate_fraction: Option<f64>,
    /// Columns whose non-missing values must be unique.
    #[serde(default)]
    pub unique: Vec<String>,
    /// `false`: a row with a missing target is a violation. Unset: such rows
    /// are dropped before the split and counted in the report.
    pub target_nullable: Option<bool>,
    #[serde(default)]
    pub columns: BTreeMap<String, ColumnRule>,
}

/// `[contract.columns.NAME]`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ColumnRule {
    #[serde(rename = "type")]
    pub dtype: Option<DType>,
    pub nullable: Option<bool>,
    pub min: Option<f64>,
    pub max: Option<f64>,
    /// Allowed values, compared as text.
    pub allowed: Option<Vec<TextValue>>,
    /// A regex the whole text of every value must match.
    pub pattern: Option<String>,
    /// `false` lets the column be absent from the data (default: required).
    pub required: Option<bool>,
    pub max_null_fraction: Option<f64>,
}

/// A TOML scalar compared as text: `"Yes"`, `1`, `2.5`, `true`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(untagged)]
pub enum TextValue {
    Text(String),
    Integer(i64),
    Float(f64),
    Boolean(bool),
}

impl TextValue {
    /// The text a column value must equal; numbers print as the table prints them.
    pub fn to_text(&self) -> String {
        match self {
            TextValue::Text(s) => s.clone(),
            TextValue::Integer(i) => i.to_string(),
            TextValue::Float(x) => format_number(*x),
            TextValue::Boolean(b) => b.to_string(),
        }
    }
}

// ------------------------------------------------------------ config checks

/// Checks that need no data, so a typo fails before anything is loaded.
/// All problems are reported, joined by `; `.
pub fn validate_config(c: &ContractConfig) -> Result<(), String> {
    let mut errs = Vec::new();
    check_fraction(&mut errs, "max_null_fraction", c.max_null_fraction);
    check_fraction(
        &mut errs,
        "max_duplicate_fraction",
        c.max_duplicate_fraction,
    );
    for (name, rule) in &c.columns {
        validate_rule(&mut errs, name, rule);
    }
    if errs.is_empty() {
        Ok(())
    } else {
        Err(errs.join("; "))
    }
}

fn check_fraction(errs: &mut Vec<String>, key: &str, value: Option<f64>) {
    if let Some(x) = value {
        if !(0.0..=1.0).contains(&x) {
            errs.push(format!("{key} = {x} must be within [0, 1]"));
        }
    }
}

fn validate_rule(errs: &mut Vec<String>, name: &str, r: &ColumnRule) {
    let at = format!("column \"{name}\"");
    check_fraction(
        errs,
        &format!("{at}: max_null_fraction"),
        r.max_null_fraction,
    );
    for (key, v) in [("min", r.min), ("max", r.max)] {
        if v.is_some_and(f64::is_nan) {
            errs.push(format!("{at}: {key} must be a number, not nan"));
        }
    }
    if let (Some(lo), Some(hi)) = (r.min, r.max) {
        if lo > hi {
            errs.push(format!("{at}: min ({lo}) is greater than max ({hi})"));
        }
    }
    let bounded = r.min.is_some() || r.max.is_some();
    if let (true, Some(t @ (DType::String | DType::Boolean))) = (bounded, r.dtype) {
        errs.push(format!(
            "{at}: min/max need a numeric column, but type = \"{}\"",
            t.name()
        ));
    }
    if r.allowed.as_ref().is_some_and(Vec::is_empty) {
        errs.push(format!("{at}: allowed is empty (no value could pass)"));
    }
    if let Some(Err(e)) = r.pattern.as_deref().map(compile_pattern) {
        errs.push(format!("{at}: pattern is not a valid regex: {e}"));
    }
}

/// Anchored so that `pattern` must match the whole value, not a substring.
fn compile_pattern(p: &str) -> Result<regex::Regex, regex::Error> {
    regex::Regex::new(&format!("^(?:{p})$"))
}

// ------------------------------------------------------------ the check

/// Every contract violation of `t`, table-level rules first, then column by
/// column in table order. Always includes the `finite` rule.
pub fn check(c: &ContractConfig, t: &Table, target: &str) -> Vec<Violation> {
    check_raw(c, t, (target, &[]), &[])
}

/// The columns whose `allowed` or `pattern` rule should also see the cells
/// as the file writes them: those of `t` read as numbers.
pub fn raw_text_wanted(c: &ContractConfig, t: &Table) -> Vec<String> {
    c.columns
        .iter()
        .filter(|(_, r)| r.allowed.is_some() || r.pattern.is_some())
        .filter(|(name, _)| {
            t.column(name)
                .is_some_and(|col| matches!(col.values, Values::Num(_)))
        })
        .map(|(name, _)| name.clone())
        .collect()
}

/// [`check`], with `raw` holding, for some columns of `t` read as
/// numbers, the same column read as text (the cells as written), and
/// `scores` naming the columns of scores made elsewhere (`kind =
/// "scores"`): the default `finite` rule leaves those to the scorer, which
/// reports an infinite score as it does a NaN (exit 2 for `score`, an
/// inconclusive champion for `champion_score`), where the rule stopped the
/// whole run as a contract violation about training (round 50, F4).
pub fn check_raw(
    c: &ContractConfig,
    t: &Table,
    (target, scores): (&str, &[&str]),
    raw: &[Column],
) -> Vec<Violation> {
    let mut out = Vec::new();
    if let Some(min) = c.min_rows {
        let n = t.n_rows as u64;
        if n < min {
            let message = format!("*: {n} rows, fewer than min_rows {min}");
            out.push(plain_violation("*", "min_rows", n, message));
        }
    }
    // Duplicates and the columns are independent: check them in parallel,
    // then report in the documented order.
    let (dups, per_column) = rayon::join(
        || c.max_duplicate_fraction.and_then(|max| duplicates(t, max)),
        || {
            t.columns
                .par_iter()
                .map(|col| {
                    let mut v = Vec::new();
                    let text = raw.iter().find(|r| r.name == col.name);
                    if !scores.contains(&col.name.as_str()) {
                        v.extend(finite_rule(col));
                    }
                    check_column(c, (col, text), t.n_rows, target, &mut v);
                    v
                })
                .collect::<Vec<_>>()
        },
    );
    out.extend(dups);
    out.extend(missing_columns(c, t));
    out.extend(per_column.into_iter().flatten());
    out
}

fn check_column(
    c: &ContractConfig,
    (col, raw): (&Column, Option<&Column>),
    n_rows: usize,
    target: &str,
    out: &mut Vec<Violation>,
) {
    let rule = c.columns.get(&col.name);
    let null_limit = rule
        .and_then(|r| r.max_null_fraction)
        .or(c.max_null_fraction);
    if let Some(limit) = null_limit {
        out.extend(null_fraction_rule(col, n_rows, limit));
    }
    if let Some(r) = rule {
        column_rules(r, col, raw, out);
    }
    if c.unique.contains(&col.name) {
        out.extend(unique_rule(col));
    }
    if col.name == target && c.target_nullable == Some(false) {
        // A label spelled as missing (`N/A`, a blank) is missing too.
        let missing: Vec<bool> = match &col.values {
            Values::Cat { levels, .. } => levels
                .iter()
                .map(|l| crate::domain::is_missing_label(l))
                .collect(),
            Values::Num(_) => Vec::new(),
        };
        let hits = Hits::scan(col.len(), |r| {
            col.is_null(r)
                || matches!(&col.values, Values::Cat { codes, .. }
                    if missing.get(codes[r] as usize) == Some(&true))
        });
        let what = format!(
            "{} with a missing target, but target_nullable = false",
            rows_text(hits.count)
        );
        out.extend(violation(col, "target_nullable", hits, what));
    }
}

fn column_rules(r: &ColumnRule, col: &Column, raw: Option<&Column>, out: &mut Vec<Violation>) {
    // The cells as written, when they line up with the typed column.
    let raw = raw.filter(|t| t.len() == col.len() && matches!(t.values, Values::Cat { .. }));
    if let Some(want) = r.dtype {
        out.extend(type_rule(col, want));
    }
    if r.nullable == Some(false) {
        let hits = null_hits(col);
        let what = format!("{} missing, but nullable = false", values_text(hits.count));
        out.extend(violation(col, "nullable", hits, what));
    }
    range_rules(r, col, out);
    if let Some(allowed) = &r.allowed {
        let set: HashSet<String> = allowed.iter().map(TextValue::to_text).collect();
        let hits = text_hits(col, raw, |s| !set.contains(s));
        let what = format!(
            "{} not in allowed ({})",
            values_text(hits.count),
            list_text(allowed)
        );
        out.extend(violation(col, "allowed", hits, what));
    }
    if let Some(p) = &r.pattern {
        out.extend(pattern_rule(col, raw, p));
    }
}

fn missing_columns(c: &ContractConfig, t: &Table) -> Vec<Violation> {
    let mut names: Vec<&String> = c.columns.keys().chain(&c.unique).collect();
    names.sort();
    names.dedup();
    let optional = |n: &str| c.columns.get(n).is_some_and(|r| r.required == Some(false));
    let missing = names
        .into_iter()
        .filter(|n| !optional(n) && t.column(n).is_none());
    missing
        .map(|name| {
            let message = format!(
                "{name}: column is missing from the data (named in [contract]; set required = false to allow that)"
            );
            plain_violation(name, "required", t.n_rows as u64, message)
        })
        .collect()
}

// ------------------------------------------------------------ single rules

fn finite_rule(col: &Column) -> Option<Violation> {
    let Values::Num(v) = &col.values else {
        return None;
    };
    let hits = Hits::scan(v.len(), |r| v[r].is_infinite());
    let what = format!(
        "{} infinite; the model cannot train on them",
        values_text(hits.count)
    );
    violation(col, "finite", hits, what)
}

fn null_fraction_rule(col: &Column, n_rows: usize, limit: f64) -> Option<Violation> {
    let hits = null_hits(col);
    let fraction = hits.count as f64 / n_rows.max(1) as f64;
    if fraction <= limit {
        return None;
    }
    let what = format!(
        "{} missing of {n_rows} ({:.2}%), above max_null_fraction {limit}",
        values_text(hits.count),
        fraction * 100.0
    );
    violation(col, "max_null_fraction", hits, what)
}

fn type_rule(col: &Column, want: DType) -> Option<Violation> {
    let hits = match &col.values {
        Values::Num(v) => num_type_hits(v, col.dtype, want)?,
        Values::Cat { codes, levels } => {
            let ok: fn(&str) -> bool = match want {
                DType::Integer => |s| parse_number(s).is_some_and(|x| x.fract() == 0.0),
                DType::Float => |s| parse_number(s).is_some(),
                DType::Boolean => is_bool_text,
                DType::String => return None,
            };
            let bad: Vec<bool> = levels.iter().map(|l| !ok(l)).collect();
            Hits::by_level(codes, &bad)
        }
    };
    let what = format!(
        "{} not {} (column loaded as {})",
        values_text(hits.count),
        want.name(),
        col.dtype.name()
    );
    violation(col, "type", hits, what)
}

/// `None` when the numeric column has the wanted type as a whole.
fn num_type_hits(v: &[f64], dtype: DType, want: DType) -> Option<Hits> {
    let present = |r: usize| !v[r].is_nan();
    match (want, dtype) {
        (DType::Integer, DType::Integer)
        | (DType::Float, DType::Integer | DType::Float)
        | (DType::Boolean, DType::Boolean) => None,
        // `fract` of an infinity is NaN, so infinities count as not whole.
        (DType::Integer, DType::Float) => {
            Some(Hits::scan(v.len(), |r| present(r) && v[r].fract() != 0.0))
        }
        (DType::Boolean, DType::Integer | DType::Float) => Some(Hits::scan(v.len(), |r| {
            present(r) && v[r] != 0.0 && v[r] != 1.0
        })),
        // Text wanted from numbers, or numbers wanted from booleans.
        _ => Some(Hits::scan(v.len(), present)),
    }
}

fn range_rules(r: &ColumnRule, col: &Column, out: &mut Vec<Violation>) {
    if r.min.is_none() && r.max.is_none() {
        return;
    }
    let view = NumView::new(col);
    let typed = matches!(r.dtype, Some(DType::Integer | DType::Float));
    if let (NumView::Parsed { codes, nums }, false) = (&view, typed) {
        // A numeric `type` rule already reports these rows; don't repeat them.
        let bad: Vec<bool> = nums.iter().map(Option::is_none).collect();
        let hits = Hits::by_level(codes, &bad);
        let what = format!(
            "{} not numbers, so min/max cannot check them (column loaded as {})",
            values_text(hits.count),
            col.dtype.name()
        );
        out.extend(violation(col, "type", hits, what));
    }
    if let Some(min) = r.min {
        let hits = Hits::scan(col.len(), |row| view.get(row).is_some_and(|x| x < min));
        let what = format!(
            "{} below min {}",
            values_text(hits.count),
            format_number(min)
        );
        out.extend(violation(col, "min", hits, what));
    }
    if let Some(max) = r.max {
        let hits = Hits::scan(col.len(), |row| view.get(row).is_some_and(|x| x > max));
        let what = format!(
            "{} above max {}",
            values_text(hits.count),
            format_number(max)
        );
        out.extend(violation(col, "max", hits, what));
    }
}

fn pattern_rule(col: &Column, raw: Option<&Column>, pattern: &str) -> Option<Violation> {
    let hits = match compile_pattern(pattern) {
        Ok(re) => text_hits(col, raw, |s| !re.is_match(s)),
        // validate_config rejects bad patterns first; if a caller skipped it,
        // say so as a violation rather than silently passing.
        Err(e) => {
            let e = e.to_string().replace('\n', " ");
            let message = format!("{}: pattern is not a valid regex: {e}", col.name);
            return Some(plain_violation(
                &col.name,
                "pattern",
                col.len() as u64,
                message,
            ));
        }
    };
    let what = format!(
        "{} not matching pattern {pattern} (as a whole value)",
        values_text(hits.count)
    );
    violation(col, "pattern", hits, what)
}

fn unique_rule(col: &Column) -> Option<Violation> {
    let hits = match &col.values {
        Values::Cat { codes, levels } => {
            let mut seen = vec![false; levels.len()];
            Hits::scan(codes.len(), |r| {
                seen.get_mut(codes[r] as usize)
                    .is_some_and(|s| std::mem::replace(s, true))
            })
        }
        Values::Num(v) => {
            let mut seen = HashSet::with_capacity(v.len());
            Hits::scan(v.len(), |r| !v[r].is_nan() && !seen.insert(norm_bits(v[r])))
        }
    };
    let what = format!("{} repeating an earlier row", values_text(hits.count));
    violation(col, "unique", hits, what)
}

// ------------------------------------------------------------ helpers

/// Offending rows of one rule: the exact count and the first few rows.
struct Hits {
    count: u64,
    rows: Vec<usize>,
}

impl Hits {
    fn scan(n: usize, mut bad: impl FnMut(usize) -> bool) -> Hits {
        let mut hits = Hits {
            count: 0,
            rows: Vec::new(),
        };
        for r in 0..n {
            if bad(r) {
                hits.count += 1;
                if hits.rows.len() < MAX_EXAMPLES {
                    hits.rows.push(r);
                }
            }
        }
        hits
    }

    /// Rows whose level is flagged in `bad`; missing rows never are.
    fn by_level(codes: &[u32], bad: &[bool]) -> Hits {
        Hits::scan(codes.len(), |r| {
            bad.get(codes[r] as usize).copied().unwrap_or(false)
        })
    }
}

/// Rows whose text fails `bad`, deciding once per distinct value (a level, or
/// a number's bit pattern) rather than once per row. A number fails only
/// when its cell as written (`raw`, when given) fails too.
fn text_hits(col: &Column, raw: Option<&Column>, bad: impl Fn(&str) -> bool) -> Hits {
    let level_flags = |levels: &[String]| levels.iter().map(|l| bad(l)).collect::<Vec<bool>>();
    match (&col.values, raw.map(|r| &r.values)) {
        (Values::Cat { codes, levels }, _) => Hits::by_level(codes, &level_flags(levels)),
        (Values::Num(v), raw) => {
            let written: Option<(&[u32], Vec<bool>)> = match raw {
                Some(Values::Cat { codes, levels }) => Some((codes, level_flags(levels))),
                _ => None,
            };
            let mut memo: HashMap<u64, bool> = HashMap::new();
            Hits::scan(v.len(), |r| {
                !v[r].is_nan()
                    && written.as_ref().is_none_or(|(codes, flags)| {
                        flags.get(codes[r] as usize).copied().unwrap_or(true)
                    })
                    && *memo
                        .entry(v[r].to_bits())
                        .or_insert_with(|| col.text(r).is_some_and(|s| bad(&s)))
            })
        }
    }
}

/// A column's values as numbers: text columns are parsed level by level.
enum NumView<'a> {
    Num(&'a [f64]),
    Parsed {
        codes: &'a [u32],
        nums: Vec<Option<f64>>,
    },
}

impl NumView<'_> {
    fn new(col: &Column) -> NumView<'_> {
        match &col.values {
            Values::Num(v) => NumView::Num(v),
            Values::Cat { codes, levels } => NumView::Parsed {
                codes,
                nums: levels.iter().map(|l| parse_number(l)).collect(),
            },
        }
    }

    /// `None` for missing (and, for text, unparsable) values.
    fn get(&self, row: usize) -> Option<f64> {
        match self {
            NumView::Num(v) => Some(v[row]).filter(|x| !x.is_nan()),
            NumView::Parsed { codes, nums } => nums.get(codes[row] as usize).copied().flatten(),
        }
    }
}

fn parse_number(s: &str) -> Option<f64> {
    s.trim().parse::<f64>().ok().filter(|x| !x.is_nan())
}

fn is_bool_text(s: &str) -> bool {
    const WORDS: [&str; 10] = ["true", "false", "t", "f", "yes", "no", "y", "n", "1", "0"];
    let s = s.trim();
    WORDS.iter().any(|w| w.eq_ignore_ascii_case(s))
}

/// Numbers stay JSON numbers (whole ones without `.0`), text stays text,
/// missing is null; infinities, which JSON cannot hold, become `"inf"`.
fn example(col: &Column, row: usize) -> Value {
    let Values::Num(v) = &col.values else {
        return col.text(row).map_or(Value::Null, Value::String);
    };
    let x = v[row];
    if x.is_nan() {
        Value::Null
    } else if col.dtype == DType::Boolean {
        Value::Bool(x != 0.0)
    } else if x.is_finite() && x.fract() == 0.0 && x.abs() < 9.0e15 {
        Value::from(x as i64)
    } else {
        serde_json::Number::from_f64(x)
            .map_or_else(|| Value::String(format_number(x)), Value::Number)
    }
}

/// A column violation, or `None` when nothing offended.
fn violation(col: &Column, rule: &str, hits: Hits, what: String) -> Option<Violation> {
    if hits.count == 0 {
        return None;
    }
    let examples: Vec<Value> = hits.rows.iter().map(|&r| example(col, r)).collect();
    let eg = match (examples.first(), hits.rows.first()) {
        (Some(Value::Null), Some(r)) => format!(" (e.g. row {r})"),
        (Some(v), Some(r)) => format!(" (e.g. {v} at row {r})"),
        _ => String::new(),
    };
    Some(Violation {
        column: col.name.clone(),
        rule: rule.into(),
        count: hits.count,
        examples,
        rows: hits.rows.iter().map(|&r| r as u64).collect(),
        message: format!("{}: {what}{eg}", col.name),
        test_file: false,
    })
}

/// A violation without examples (table-level rules, a missing column).
fn plain_violation(column: &str, rule: &str, count: u64, message: String) -> Violation {
    Violation {
        column: column.into(),
        rule: rule.into(),
        count,
        examples: Vec::new(),
        rows: Vec::new(),
        message,
        test_file: false,
    }
}

fn null_hits(col: &Column) -> Hits {
    Hits::scan(col.len(), |r| col.is_null(r))
}

fn values_text(n: u64) -> String {
    if n == 1 {
        "1 value".into()
    } else {
        format!("{n} values")
    }
}

fn rows_text(n: u64) -> String {
    if n == 1 {
        "1 row".into()
    } else {
        format!("{n} rows")
    }
}

fn list_text(allowed: &[TextValue]) -> String {
    let mut shown: Vec<String> = allowed
        .iter()
        .take(MAX_EXAMPLES)
        .map(TextValue::to_text)
        .collect();
    if allowed.len() > MAX_EXAMPLES {
        shown.push(format!("... {} in all", allowed.len()));
    }
    shown.join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::NULL_CODE;
    use serde_json::json;

    const NAN: f64 = f64::NAN;
    const NULL: u32 = NULL_CODE;

    fn num(name: &str, dtype: DType, v: Vec<f64>) -> Column {
        Column {
            name: name.into(),
            dtype,
            values: Values::Num(v),
        }
    }

    fn cat(name: &str, levels: &[&str], codes: Vec<u32>) -> Column {
        let levels = levels.iter().map(|s| s.to_string()).collect();
        Column {
            name: name.into(),
            dtype: DType::String,
            values: Values::Cat { codes, levels },
        }
    }

    fn table(columns: Vec<Column>) -> Table {
        let n_rows = columns.first().map_or(0, Column::len);
        Table { columns, n_rows }
    }

    fn parse(toml_text: &str) -> ContractConfig {
        let c: ContractConfig = toml::from_str(toml_text).unwrap();
        validate_config(&c).unwrap();
        c
    }

    /// (column, rule, count) of every violation, in report order.
    fn summary(v: &[Violation]) -> Vec<(String, String, u64)> {
        v.iter()
            .map(|x| (x.column.clone(), x.rule.clone(), x.count))
            .collect()
    }

    fn one(c: &ContractConfig, t: &Table) -> Violation {
        let v = check(c, t, "y");
        assert_eq!(v.len(), 1, "{v:#?}");
        v.into_iter().next().unwrap()
    }

    #[test]
    fn without_a_contract_only_infinities_are_reported() {
        let t = table(vec![
            num(
                "x",
                DType::Float,
                vec![1.0, f64::INFINITY, NAN, f64::NEG_INFINITY, 1.0],
            ),
            cat("s", &["a"], vec![0, NULL, 0, 0, 0]),
            num("i", DType::Integer, vec![1.0, 1.0, 1.0, 1.0, 1.0]),
        ]);
        let v = one(&ContractConfig::default(), &t);
        assert_eq!(
            (v.column.as_str(), v.rule.as_str(), v.count),
            ("x", "finite", 2)
        );
        assert_eq!(v.examples, [json!("inf"), json!("-inf")]);
        assert_eq!(v.rows, [1, 3]);
        assert_eq!(
            v.message,
            "x: 2 values infinite; the model cannot train on them (e.g. \"inf\" at row 1)"
        );
    }

    #[test]
    fn min_rows() {
        let t = table(vec![num("x", DType::Float, vec![1.0, 2.0])]);
        assert!(check(&parse("min_rows = 2"), &t, "y").is_empty());
        let v = one(&parse("min_rows = 3"), &t);
        assert_eq!(
            (v.column.as_str(), v.rule.as_str(), v.count),
            ("*", "min_rows", 2)
        );
        assert_eq!(v.message, "*: 2 rows, fewer than min_rows 3");
    }

    #[test]
    fn null_fraction_global_and_per_column() {
        let t = table(vec![
            num("a", DType::Float, vec![NAN, 1.0, 2.0, 3.0]),
            cat("b", &["u"], vec![NULL, NULL, 0, 0]),
        ]);
        assert!(check(&parse("max_null_fraction = 0.5"), &t, "y").is_empty());
        let c = parse("max_null_fraction = 0.25\n[columns.b]\nmax_null_fraction = 0.4");
        let v = one(&c, &t);
        assert_eq!(
            (v.column.as_str(), v.rule.as_str(), v.count),
            ("b", "max_null_fraction", 2)
        );
        assert_eq!(v.examples, [json!(null), json!(null)]);
        assert_eq!(v.rows, [0, 1]);
        assert_eq!(
            v.message,
            "b: 2 values missing of 4 (50.00%), above max_null_fraction 0.4 (e.g. row 0)"
        );
        assert_eq!(
            summary(&check(&parse("max_null_fraction = 0.1"), &t, "y")).len(),
            2
        );
    }

    #[test]
    fn duplicate_rows_as_pandas_duplicated() {
        // Rows 3 and 4 repeat rows 0 and 1 (missing equals missing; -0 equals 0).
        let t = table(vec![
            num("x", DType::Float, vec![1.0, NAN, 2.0, 1.0, NAN]),
            cat("s", &["a", "b"], vec![0, 1, 0, 0, 1]),
            num("z", DType::Float, vec![0.0, 5.0, 5.0, -0.0, 5.0]),
        ]);
        assert!(check(&parse("max_duplicate_fraction = 0.4"), &t, "y").is_empty());
        let v = one(&parse("max_duplicate_fraction = 0.1"), &t);
        assert_eq!(
            (v.column.as_str(), v.rule.as_str(), v.count),
            ("*", "max_duplicate_fraction", 2)
        );
        assert_eq!(
            v.examples,
            [json!({"duplicate_of": 0}), json!({"duplicate_of": 1})]
        );
        assert_eq!(v.rows, [3, 4]);
        assert!(
            v.message
                .contains("2 rows of 5 duplicate an earlier row (40.00%)"),
            "{}",
            v.message
        );
        assert!(
            v.message.ends_with("(e.g. row 3 repeats row 0)"),
            "{}",
            v.message
        );
    }

    #[test]
    fn duplicates_are_counted_once_per_repeat_and_fast_enough_for_many_rows() {
        let n = 200_000;
        let t = table(vec![
            num(
                "x",
                DType::Integer,
                (0..n).map(|i| f64::from(i % 50_000)).collect(),
            ),
            cat("s", &["a", "b"], (0..n).map(|i| (i % 2) as u32).collect()),
        ]);
        // 50,000 distinct rows (i % 50,000 fixes i % 2), each seen 4 times.
        let v = one(&parse("max_duplicate_fraction = 0.0"), &t);
        assert_eq!(v.count, 150_000);
        assert_eq!(v.rows, [50_000, 50_001, 50_002, 50_003, 50_004]);
    }

    #[test]
    fn unique_columns() {
        let t = table(vec![
            cat("id", &["a", "b", "c"], vec![0, 1, 0, NULL, NULL, 2, 0]),
            num("n", DType::Integer, vec![1.0, 2.0, 3.0, NAN, NAN, 4.0, 5.0]),
        ]);
        assert!(check(&parse("unique = [\"n\"]"), &t, "y").is_empty());
        let v = one(&parse("unique = [\"id\"]"), &t);
        assert_eq!((v.rule.as_str(), v.count), ("unique", 2));
        assert_eq!(v.examples, [json!("a"), json!("a")]);
        assert_eq!(v.rows, [2, 6]);
        let v = one(&parse("unique = [\"nope\"]"), &t);
        assert_eq!(
            (v.column.as_str(), v.rule.as_str(), v.count),
            ("nope", "required", 7)
        );
    }

    #[test]
    fn min_and_max() {
        let tenure = vec![5.0, 130.0, -1.0, NAN, 120.0, 150.0, 0.0, 121.0];
        let t = table(vec![num("tenure", DType::Integer, tenure)]);
        assert!(check(&parse("[columns.tenure]\nmin = -1\nmax = 150"), &t, "y").is_empty());
        let v = check(&parse("[columns.tenure]\nmin = 0\nmax = 120"), &t, "y");
        assert_eq!(
            summary(&v),
            [
                ("tenure".into(), "min".into(), 1),
                ("tenure".into(), "max".into(), 3)
            ]
        );
        assert_eq!(v[1].examples, [json!(130), json!(150), json!(121)]);
        assert_eq!(v[1].rows, [1, 5, 7]);
        assert_eq!(
            v[1].message,
            "tenure: 3 values above max 120 (e.g. 130 at row 1)"
        );
        assert_eq!(
            v[0].message,
            "tenure: 1 value below min 0 (e.g. -1 at row 2)"
        );
    }

    #[test]
    fn min_max_on_a_text_column_reports_the_text_rows_and_checks_the_rest() {
        // Telco's TotalCharges: numbers with a few blanks, so it loads as text.
        let t = table(vec![cat(
            "charges",
            &["10.5", " ", "99", "-3"],
            vec![0, 1, 2, 1, 3, NULL],
        )]);
        let v = check(&parse("[columns.charges]\nmin = 0"), &t, "y");
        assert_eq!(
            summary(&v),
            [
                ("charges".into(), "type".into(), 2),
                ("charges".into(), "min".into(), 1)
            ]
        );
        assert_eq!(v[0].examples, [json!(" "), json!(" ")]);
        assert_eq!(v[0].rows, [1, 3]);
        assert_eq!(
            v[0].message,
            "charges: 2 values not numbers, so min/max cannot check them (column loaded as string) (e.g. \" \" at row 1)"
        );
        assert_eq!(v[1].examples, [json!("-3")]);
        // With a numeric type rule the blanks are reported once, as `type`.
        let v = check(
            &parse("[columns.charges]\ntype = \"float\"\nmin = 0"),
            &t,
            "y",
        );
        assert_eq!(
            summary(&v),
            [
                ("charges".into(), "type".into(), 2),
                ("charges".into(), "min".into(), 1)
            ]
        );
        assert_eq!(
            v[0].message,
            "charges: 2 values not float (column loaded as string) (e.g. \" \" at row 1)"
        );
    }

    #[test]
    fn types() {
        let t = table(vec![
            num("whole", DType::Float, vec![1.0, 2.0, NAN]),
            num("frac", DType::Float, vec![1.0, 2.5, 3.25]),
            num("flag", DType::Boolean, vec![1.0, 0.0, NAN]),
            num("zero_one", DType::Integer, vec![1.0, 0.0, 1.0]),
            cat("yes_no", &["Yes", "no"], vec![0, 1, NULL]),
            cat("ints", &["1", "x", "2.5"], vec![0, 1, 2]),
        ]);
        let ok = "[columns.whole]\ntype = \"integer\"\n[columns.flag]\ntype = \"boolean\"\n\
                  [columns.zero_one]\ntype = \"boolean\"\n[columns.yes_no]\ntype = \"boolean\"\n\
                  [columns.frac]\ntype = \"float\"\n[columns.ints]\ntype = \"string\"";
        assert!(check(&parse(ok), &t, "y").is_empty());
        let bad = "[columns.frac]\ntype = \"integer\"\n[columns.flag]\ntype = \"float\"\n\
                   [columns.whole]\ntype = \"string\"\n[columns.ints]\ntype = \"integer\"\n\
                   [columns.yes_no]\ntype = \"integer\"";
        let v = check(&parse(bad), &t, "y");
        let want = [
            ("whole", 2),
            ("frac", 2),
            ("flag", 2),
            ("yes_no", 2),
            ("ints", 2),
        ];
        let want: Vec<_> = want
            .iter()
            .map(|&(c, n)| (c.to_string(), "type".to_string(), n))
            .collect();
        assert_eq!(summary(&v), want);
        assert_eq!(v[1].examples, [json!(2.5), json!(3.25)]);
        assert_eq!(v[2].examples, [json!(true), json!(false)]);
        assert_eq!(v[4].examples, [json!("x"), json!("2.5")]);
        assert_eq!(v[4].rows, [1, 2]);
    }

    #[test]
    fn nullable_allowed_and_pattern() {
        let t = table(vec![
            cat(
                "contract",
                &["Month-to-month", "One year", "Two years"],
                vec![0, 1, 2, NULL, 2],
            ),
            num("n", DType::Integer, vec![1.0, 2.0, 3.0, 3.0, NAN]),
            cat("id", &["A-1", "A-22", "B-3", "xA-1"], vec![0, 1, 2, 3, 0]),
        ]);
        let ok = "[columns.contract]\nallowed = [\"Month-to-month\", \"One year\", \"Two years\"]\n\
                  [columns.n]\nallowed = [1, 2.0, 3]\n[columns.id]\npattern = 'x?[A-Z]-\\d+'\nnullable = false";
        assert!(check(&parse(ok), &t, "y").is_empty());
        let bad = "[columns.contract]\nallowed = [\"Month-to-month\", \"One year\", \"Two year\"]\n\
                   nullable = false\n[columns.n]\nallowed = [1, 2]\n[columns.id]\npattern = 'A-\\d'";
        let v = check(&parse(bad), &t, "y");
        let want = [
            ("contract", "nullable", 1),
            ("contract", "allowed", 2),
            ("n", "allowed", 2),
            ("id", "pattern", 3),
        ];
        let want: Vec<_> = want
            .iter()
            .map(|&(c, r, n)| (c.into(), r.into(), n))
            .collect();
        assert_eq!(summary(&v), want);
        assert_eq!(v[0].rows, [3]);
        assert_eq!(v[1].examples, [json!("Two years"), json!("Two years")]);
        assert_eq!(
            v[1].message,
            "contract: 2 values not in allowed (Month-to-month, One year, Two year) (e.g. \"Two years\" at row 2)"
        );
        assert_eq!(v[2].examples, [json!(3), json!(3)]);
        assert_eq!(v[3].examples, [json!("A-22"), json!("B-3"), json!("xA-1")]);
    }

    #[test]
    fn required_columns() {
        let t = table(vec![num("x", DType::Float, vec![1.0])]);
        let c = parse("[columns.gone]\nmin = 0\n[columns.optional]\nrequired = false\nmin = 0");
        let v = one(&c, &t);
        assert_eq!(
            (v.column.as_str(), v.rule.as_str(), v.count),
            ("gone", "required", 1)
        );
        assert!(v
            .message
            .starts_with("gone: column is missing from the data"));
    }

    #[test]
    fn target_nullable() {
        let t = table(vec![cat("y", &["Yes", "No"], vec![0, NULL, 1, NULL])]);
        assert!(check(&ContractConfig::default(), &t, "y").is_empty());
        let v = one(&parse("target_nullable = false"), &t);
        assert_eq!(
            (v.rule.as_str(), v.count, v.rows.clone()),
            ("target_nullable", 2, vec![1, 3])
        );
        assert!(check(&parse("target_nullable = false"), &t, "other").is_empty());
    }

    #[test]
    fn several_violations_at_once_in_report_order() {
        let t = table(vec![
            num("tenure", DType::Integer, vec![1.0, 200.0, 1.0, NAN]),
            num(
                "charges",
                DType::Float,
                vec![f64::INFINITY, 2.0, f64::INFINITY, 4.0],
            ),
            cat("id", &["a", "b"], vec![0, 1, 0, 1]),
        ]);
        let c = parse(
            "min_rows = 10\nmax_duplicate_fraction = 0\nunique = [\"id\"]\n\
             [columns.tenure]\nnullable = false\nmax = 120\n[columns.missing]\ntype = \"float\"",
        );
        let want = [
            ("*", "min_rows", 4),
            ("*", "max_duplicate_fraction", 1),
            ("missing", "required", 4),
            ("tenure", "nullable", 1),
            ("tenure", "max", 1),
            ("charges", "finite", 2),
            ("id", "unique", 2),
        ];
        let want: Vec<_> = want
            .iter()
            .map(|&(c, r, n)| (c.into(), r.into(), n))
            .collect();
        // Row 2 repeats row 0: infinity equals infinity.
        assert_eq!(summary(&check(&c, &t, "y")), want);
    }

    #[test]
    fn empty_table_does_not_panic() {
        let t = table(vec![num("x", DType::Float, vec![]), cat("s", &[], vec![])]);
        let c = parse(
            "min_rows = 1\nmax_null_fraction = 0\nmax_duplicate_fraction = 0\nunique = [\"s\"]\n\
             [columns.x]\nmin = 0\nnullable = false\ntype = \"integer\"\n[columns.s]\npattern = 'a'",
        );
        assert_eq!(
            summary(&check(&c, &t, "y")),
            [("*".into(), "min_rows".into(), 0)]
        );
        assert!(check(&c, &Table::default(), "y")
            .iter()
            .any(|v| v.rule == "required"));
    }

    #[test]
    fn config_errors_name_the_key_and_column() {
        let c: ContractConfig = toml::from_str(
            "max_null_fraction = 1.5\n[columns.a]\nmin = 5\nmax = 1\n\
             [columns.b]\npattern = '('\n[columns.c]\ntype = \"string\"\nmax = 3\n[columns.d]\nallowed = []",
        )
        .unwrap();
        let e = validate_config(&c).unwrap_err();
        assert!(
            e.starts_with("max_null_fraction = 1.5 must be within [0, 1]; "),
            "{e}"
        );
        assert!(
            e.contains("column \"a\": min (5) is greater than max (1)"),
            "{e}"
        );
        assert!(
            e.contains("column \"b\": pattern is not a valid regex"),
            "{e}"
        );
        assert!(
            e.contains("column \"c\": min/max need a numeric column, but type = \"string\""),
            "{e}"
        );
        assert!(e.contains("column \"d\": allowed is empty"), "{e}");
        let typo = toml::from_str::<ContractConfig>("[columns.a]\nnulable = false").unwrap_err();
        assert!(typo.to_string().contains("nulable"), "{typo}");
        let bad_type = toml::from_str::<ContractConfig>("[columns.a]\ntype = \"int\"").unwrap_err();
        assert!(bad_type.to_string().contains("int"), "{bad_type}");
    }

    #[test]
    fn an_unvalidated_config_does_not_panic() {
        let t = table(vec![cat("s", &["a"], vec![0, 0])]);
        let mut c = ContractConfig {
            max_duplicate_fraction: Some(-1.0),
            max_null_fraction: Some(-1.0),
            ..ContractConfig::default()
        };
        let rule = ColumnRule {
            pattern: Some("(".into()),
            ..ColumnRule::default()
        };
        c.columns.insert("s".into(), rule);
        let rules: Vec<String> = check(&c, &t, "y").into_iter().map(|v| v.rule).collect();
        // No value is missing, so even a negative null limit has nothing to report.
        assert_eq!(rules, ["max_duplicate_fraction", "pattern"]);
    }

    #[test]
    fn allowed_values_read_as_text() {
        let c = parse("[columns.a]\nallowed = [\"x\", 1, 2.5, 3.0, true]");
        let texts: Vec<String> = c.columns["a"]
            .allowed
            .iter()
            .flatten()
            .map(TextValue::to_text)
            .collect();
        assert_eq!(texts, ["x", "1", "2.5", "3", "true"]);
    }
}
