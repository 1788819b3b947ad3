//! `[model] kind = "scores"`: predictions made elsewhere, read from a data
//! column. Nothing is trained or run per row.
use crate::data::{Table, Values};
use crate::model::scorer::{RowScorer, Scorer};
use rayon::prelude::*;

/// A score column seen through the Scorer seam.
pub struct ScoreColumn {
    pub column: String,
    /// The data's feature columns, for drift: the score itself says little
    /// about whether the inputs moved.
    pub features: Vec<String>,
    pub threshold: f64,
    pub target: String,
    pub positive: String,
}

impl ScoreColumn {
    /// The column's values at `rows`; an error names a missing or text
    /// column, or a row without a score.
    pub fn values(&self, table: &Table, rows: &[usize]) -> Result<Vec<f64>, String> {
        let v = self.checked(table, rows)?;
        Ok(rows.par_iter().map(|&r| v[r]).collect())
    }

    /// [`ScoreColumn::values`]' checks alone, without the copy (`validate`).
    pub fn check(&self, table: &Table, rows: &[usize]) -> Result<(), String> {
        self.checked(table, rows).map(drop)
    }

    /// The column's numbers, when it exists, holds numbers and has a
    /// finite score at each of `rows`.
    fn checked<'t>(&self, table: &'t Table, rows: &[usize]) -> Result<&'t [f64], String> {
        let col = table
            .column(&self.column)
            .ok_or_else(|| format!("score column {:?} not found", self.column))?;
        let Values::Num(v) = &col.values else {
            return Err(format!(
                "score column {:?} holds text ({}), not numbers",
                self.column,
                col.text(0).unwrap_or_default()
            ));
        };
        if rows.par_iter().all(|&r| v[r].is_finite()) {
            return Ok(v);
        }
        let bad: Vec<String> = rows
            .iter()
            .filter(|&&r| !v[r].is_finite())
            .take(5)
            .map(|&r| format!("row {r}: {}", v[r]))
            .collect();
        Err(format!(
            "score column {:?} has missing or non-finite scores ({})",
            self.column,
            bad.join(", ")
        ))
    }
}

impl Scorer for ScoreColumn {
    fn kind(&self) -> &str {
        "scores"
    }
    fn input_columns(&self) -> Vec<String> {
        vec![self.column.clone()]
    }
    fn threshold(&self) -> f64 {
        self.threshold
    }
    fn labels(&self) -> (&str, &str) {
        (&self.target, &self.positive)
    }
    fn score_table(&self, table: &Table, rows: &[usize]) -> Result<Vec<f64>, String> {
        self.values(table, rows)
    }
    fn row_scorer<'a>(
        &'a self,
        _table: &'a Table,
        _rows: &[usize],
    ) -> Result<Option<Box<dyn RowScorer + 'a>>, String> {
        Ok(None)
    }
    fn drift_columns(&self) -> Vec<String> {
        self.features.clone()
    }
    fn notes(&self) -> Vec<String> {
        vec![format!(
            "scores were read from column {:?}: made elsewhere, not by release-gate",
            self.column
        )]
    }
}
