//! The in-memory table every stage after loading works on.
//!
//! Polars stays inside `data::load`; the rest of the tool sees these plain,
//! compact columns: numbers as `f64` (NaN = missing) and text as dictionary
//! codes (so one-hot, `allowed`, uniqueness and group-bys are integer work).

/// Code used for a missing value in a [`Values::Cat`] column.
pub const NULL_CODE: u32 = u32::MAX;

/// The logical type a column had in the source file.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum DType {
    Integer,
    Float,
    String,
    Boolean,
}

impl DType {
    pub fn name(self) -> &'static str {
        match self {
            DType::Integer => "integer",
            DType::Float => "float",
            DType::String => "string",
            DType::Boolean => "boolean",
        }
    }
}

/// Column values.
#[derive(Debug, Clone, PartialEq)]
pub enum Values {
    /// Integer, float and boolean columns (booleans as 0/1). NaN marks a missing
    /// value; +/-inf are kept as read (the contract reports them).
    Num(Vec<f64>),
    /// Text columns, dictionary-encoded. `codes[i] == NULL_CODE` is missing;
    /// otherwise `levels[codes[i]]` is the value. Levels are in first-seen order.
    Cat {
        codes: Vec<u32>,
        levels: Vec<String>,
    },
}

/// One named column.
#[derive(Debug, Clone, PartialEq)]
pub struct Column {
    pub name: String,
    pub dtype: DType,
    pub values: Values,
}

impl Column {
    pub fn len(&self) -> usize {
        match &self.values {
            Values::Num(v) => v.len(),
            Values::Cat { codes, .. } => codes.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn is_null(&self, row: usize) -> bool {
        match &self.values {
            Values::Num(v) => v[row].is_nan(),
            Values::Cat { codes, .. } => codes[row] == NULL_CODE,
        }
    }

    /// The value of `row` as text (missing => None). Numbers print as Rust's
    /// shortest round-trip form, integers without a trailing `.0`.
    pub fn text(&self, row: usize) -> Option<String> {
        match &self.values {
            Values::Num(v) => {
                let x = v[row];
                if x.is_nan() {
                    None
                } else if self.dtype == DType::Boolean {
                    Some(if x != 0.0 { "true" } else { "false" }.to_string())
                } else {
                    Some(format_number(x))
                }
            }
            Values::Cat { codes, levels } => {
                let c = codes[row];
                if c == NULL_CODE {
                    None
                } else {
                    levels.get(c as usize).cloned()
                }
            }
        }
    }

    /// An id of the cell at `row` that equal cells share, as their
    /// [`Column::text`] does: a text level's code, a number by value (`-0`
    /// as `0`, booleans by truth), every missing value `u64::MAX`.
    pub fn cell_id(&self, row: usize) -> u64 {
        if self.is_null(row) {
            return u64::MAX;
        }
        match &self.values {
            Values::Cat { codes, .. } => u64::from(codes[row]),
            Values::Num(v) if self.dtype == DType::Boolean => u64::from(v[row] != 0.0),
            Values::Num(v) => (v[row] + 0.0).to_bits(),
        }
    }

    /// A new column holding only `rows` (in that order).
    pub fn take(&self, rows: &[usize]) -> Column {
        let values = match &self.values {
            Values::Num(v) => Values::Num(rows.iter().map(|&r| v[r]).collect()),
            Values::Cat { codes, levels } => Values::Cat {
                codes: rows.iter().map(|&r| codes[r]).collect(),
                levels: levels.clone(),
            },
        };
        Column {
            name: self.name.clone(),
            dtype: self.dtype,
            values,
        }
    }
}

/// Prints integers without a fractional part and other numbers in shortest form.
pub fn format_number(x: f64) -> String {
    let mut s = String::new();
    write_number(&mut s, x);
    s
}

/// [`format_number`] appended to `buf` (no allocation once `buf` has room).
pub fn write_number(buf: &mut String, x: f64) {
    use std::fmt::Write as _;
    let _ = if x.is_finite() && x.fract() == 0.0 && x.abs() < 1e15 {
        write!(buf, "{}", x as i64)
    } else {
        write!(buf, "{x}")
    };
}

/// A loaded dataset: equal-length named columns.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Table {
    pub columns: Vec<Column>,
    pub n_rows: usize,
}

impl Table {
    /// The first column whose length is not the row count (a corrupt file
    /// can decode that way), with its length.
    pub fn ragged_column(&self) -> Option<(&str, usize)> {
        self.columns
            .iter()
            .find(|c| c.len() != self.n_rows)
            .map(|c| (c.name.as_str(), c.len()))
    }

    pub fn column(&self, name: &str) -> Option<&Column> {
        self.columns.iter().find(|c| c.name == name)
    }

    pub fn column_names(&self) -> Vec<&str> {
        self.columns.iter().map(|c| c.name.as_str()).collect()
    }

    /// A new table holding only `rows` (in that order).
    pub fn take(&self, rows: &[usize]) -> Table {
        Table {
            columns: self.columns.iter().map(|c| c.take(rows)).collect(),
            n_rows: rows.len(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_share_an_id_when_they_share_their_text() {
        let flags = Column {
            name: "flag".into(),
            dtype: DType::Boolean,
            values: Values::Num(vec![1.0, f64::NAN, 0.0, 1.0]),
        };
        let ids: Vec<u64> = (0..4).map(|r| flags.cell_id(r)).collect();
        // A missing boolean is its own id, never `true` (NaN != 0).
        assert_eq!(ids, [1, u64::MAX, 0, 1]);
        let n = Column {
            name: "n".into(),
            dtype: DType::Float,
            values: Values::Num(vec![-0.0, 0.0, f64::NAN]),
        };
        assert_eq!(n.cell_id(0), n.cell_id(1));
        assert_eq!(n.text(0), n.text(1));
        assert_eq!(n.cell_id(2), u64::MAX);
    }
}
