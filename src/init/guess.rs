//! Guesses for a starter `gates.toml` from a loaded table: the target column
//! and its positive value, likely protected attributes, and id-like columns
//! to drop. Guesses only: the generated file says so and names what it saw.
use crate::data::table::{Column, Table};
use std::collections::HashMap;

/// Column names that usually hold the label, most telling first.
const TARGET_NAMES: [&str; 8] = [
    "target", "label", "churn", "default", "outcome", "class", "status", "y",
];
/// Target values that usually mean "the positive class".
const POSITIVE_VALUES: [&str; 9] = [
    "yes", "y", "1", "true", "t", "bad", "default", "positive", "churn",
];
/// Name tokens of likely protected attributes (a token equal to one of these).
const PROTECTED_TOKENS: [&str; 12] = [
    "sex",
    "gender",
    "female",
    "male",
    "race",
    "ethnicity",
    "ethnic",
    "age",
    "religion",
    "nationality",
    "disability",
    "citizenship",
];
/// Name-token prefixes of likely protected attributes (`SeniorCitizen`, `marital_status`).
const PROTECTED_PREFIXES: [&str; 4] = ["senior", "marital", "pregnan", "religio"];
/// More distinct values than this and a protected column is left out of
/// `protected`: per-value groups would be too small to judge (bucket it first).
pub const MAX_GROUPS: usize = 20;

/// What `init` guessed from the data.
#[derive(Debug, Clone, PartialEq)]
pub struct Guess {
    pub rows: usize,
    pub target: String,
    pub positive: String,
    /// Target values and their counts, most frequent first.
    pub target_values: Vec<(String, usize)>,
    /// Likely protected attributes with at most [`MAX_GROUPS`] values.
    pub protected: Vec<String>,
    /// Likely protected attributes with too many values, and how many.
    pub too_many_groups: Vec<(String, usize)>,
    /// Id-like columns (`id`, `*_id`, `rownames`, `index`).
    pub drop: Vec<String>,
}

/// Guesses from `t`; `None` when the table has no columns.
pub fn guess(t: &Table) -> Option<Guess> {
    let target_col = guess_target(t)?;
    let target_values = value_counts(target_col, t.n_rows);
    let positive = guess_positive(&target_values);
    let mut protected = Vec::new();
    let mut too_many_groups = Vec::new();
    for c in t.columns.iter().filter(|c| c.name != target_col.name) {
        if !is_protected_name(&c.name) {
            continue;
        }
        let groups = value_counts(c, t.n_rows).len();
        if groups <= MAX_GROUPS {
            protected.push(c.name.clone());
        } else {
            too_many_groups.push((c.name.clone(), groups));
        }
    }
    let drop = t
        .columns
        .iter()
        .filter(|c| c.name != target_col.name && is_id_name(&c.name))
        .map(|c| c.name.clone())
        .collect();
    Some(Guess {
        rows: t.n_rows,
        target: target_col.name.clone(),
        positive,
        target_values,
        protected,
        too_many_groups,
        drop,
    })
}

/// Lower-case alphanumeric tokens of a column name (`Loan_Status` -> loan, status).
fn tokens(name: &str) -> Vec<String> {
    name.to_lowercase()
        .split(|c: char| !c.is_alphanumeric())
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

/// A column named like a label (whole name first, then a name token), else the last.
fn guess_target(t: &Table) -> Option<&Column> {
    let whole = |want: &str| t.columns.iter().find(|c| c.name.to_lowercase() == want);
    let token = |want: &str| {
        t.columns
            .iter()
            .find(|c| tokens(&c.name).iter().any(|tok| tok == want))
    };
    TARGET_NAMES
        .iter()
        .find_map(|n| whole(n))
        .or_else(|| TARGET_NAMES.iter().find_map(|n| token(n)))
        .or_else(|| t.columns.last())
}

/// A positive-sounding value if one occurs, else the least frequent value.
fn guess_positive(counts: &[(String, usize)]) -> String {
    let positive = POSITIVE_VALUES.iter().find_map(|want| {
        counts
            .iter()
            .find(|(v, _)| v.to_lowercase() == *want)
            .map(|(v, _)| v.clone())
    });
    positive
        .or_else(|| counts.last().map(|(v, _)| v.clone()))
        .unwrap_or_else(|| "yes".to_string())
}

pub fn is_protected_name(name: &str) -> bool {
    tokens(name).iter().any(|tok| {
        PROTECTED_TOKENS.contains(&tok.as_str())
            || PROTECTED_PREFIXES.iter().any(|p| tok.starts_with(p))
    })
}

fn is_id_name(name: &str) -> bool {
    let lower = name.to_lowercase();
    matches!(
        lower.as_str(),
        "id" | "rownames" | "index" | "row" | "unnamed: 0"
    ) || lower.ends_with("_id")
        || (lower.ends_with("id") && name.ends_with("ID"))
}

/// Non-missing values of `c` with their counts, most frequent first (ties by value).
fn value_counts(c: &Column, n_rows: usize) -> Vec<(String, usize)> {
    let mut counts: HashMap<String, usize> = HashMap::new();
    for r in 0..n_rows.min(c.len()) {
        if let Some(v) = c.text(r) {
            *counts.entry(v).or_insert(0) += 1;
        }
    }
    let mut out: Vec<(String, usize)> = counts.into_iter().collect();
    out.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::table::{DType, Values, NULL_CODE};

    fn text_col(name: &str, values: &[&str]) -> Column {
        let mut levels: Vec<String> = Vec::new();
        let codes = values
            .iter()
            .map(|v| {
                if v.is_empty() {
                    return NULL_CODE;
                }
                match levels.iter().position(|l| l == v) {
                    Some(i) => i as u32,
                    None => {
                        levels.push((*v).to_string());
                        (levels.len() - 1) as u32
                    }
                }
            })
            .collect();
        Column {
            name: name.to_string(),
            dtype: DType::String,
            values: Values::Cat { codes, levels },
        }
    }

    fn num_col(name: &str, values: &[f64]) -> Column {
        Column {
            name: name.to_string(),
            dtype: DType::Integer,
            values: Values::Num(values.to_vec()),
        }
    }

    fn table(columns: Vec<Column>) -> Table {
        let n_rows = columns.first().map_or(0, Column::len);
        Table { columns, n_rows }
    }

    #[test]
    fn finds_a_named_target_and_its_positive_value() {
        let t = table(vec![
            text_col("customerID", &["a", "b", "c", "d"]),
            text_col("gender", &["F", "M", "F", "M"]),
            num_col("SeniorCitizen", &[0.0, 1.0, 0.0, 0.0]),
            num_col("age", &[20.0, 30.0, 40.0, 50.0]),
            text_col("Churn", &["No", "Yes", "No", ""]),
            num_col("tenure", &[1.0, 2.0, 3.0, 4.0]),
        ]);
        let g = guess(&t).unwrap();
        assert_eq!(g.target, "Churn");
        assert_eq!(g.positive, "Yes");
        assert_eq!(g.target_values, vec![("No".into(), 2), ("Yes".into(), 1)]);
        assert_eq!(g.protected, vec!["gender", "SeniorCitizen", "age"]);
        assert_eq!(g.drop, vec!["customerID"]);
    }

    #[test]
    fn falls_back_to_the_last_column_and_the_minority_value() {
        let t = table(vec![
            num_col("x", &[1.0, 2.0, 3.0]),
            text_col("verdict", &["ok", "ok", "fraud"]),
        ]);
        let g = guess(&t).unwrap();
        assert_eq!(g.target, "verdict");
        assert_eq!(g.positive, "fraud");
        assert!(guess(&table(vec![])).is_none());
    }

    #[test]
    fn token_matches_and_high_cardinality_protected_columns() {
        let ages: Vec<f64> = (0..30).map(f64::from).collect();
        let t = table(vec![
            num_col("driver_age", &ages),
            num_col("loan_status", &vec![0.0; 30]),
            num_col("usage", &ages),
        ]);
        let g = guess(&t).unwrap();
        assert_eq!(g.target, "loan_status");
        assert!(g.protected.is_empty());
        assert_eq!(g.too_many_groups, vec![("driver_age".into(), 30)]);
        assert!(!is_protected_name("usage") && !is_protected_name("page_views"));
        assert!(is_protected_name("marital_status") && is_protected_name("Race"));
    }
}
