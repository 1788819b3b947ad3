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

    /// This column as text, each value as [`Column::text`] spells it
    /// (integers without `.0`, booleans `true`/`false`); text unchanged.
    pub fn to_text(&self) -> Column {
        if let Values::Cat { .. } = self.values {
            return self.clone();
        }
        let mut index: std::collections::HashMap<u64, u32> = std::collections::HashMap::new();
        let mut levels = Vec::new();
        let codes = (0..self.len())
            .map(|r| match self.text(r) {
                None => NULL_CODE,
                Some(t) => *index.entry(self.cell_id(r)).or_insert_with(|| {
                    levels.push(t);
                    (levels.len() - 1) as u32
                }),
            })
            .collect();
        Column {
            name: self.name.clone(),
            dtype: DType::String,
            values: Values::Cat { codes, levels },
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
    if x.is_finite() && x.fract() == 0.0 && x.abs() < 1e15 {
        let _ = write!(buf, "{}", x as i64);
    } else {
        write_shortest(buf, x, false);
    }
}

/// `x` appended as `{x}` (`debug` false) or `{x:?}` prints it, the same
/// bytes, faster: the shortest round-trip digits.
///
/// Where both notations are plain decimals (a magnitude in [1e-4, 1e5))
/// the digits come from `zmij`. Two correct shortest-digit writers can
/// only differ when the value lies exactly halfway between two shortest
/// candidates (the standard library rounds such a tie up, `zmij` to
/// even), which needs the exact binary value to end within 18
/// significant digits; values with at most 22 fractional digits (every
/// number that short, and whole numbers) therefore take the standard
/// path, as does everything outside the range.
pub fn write_shortest(buf: &mut String, x: f64, debug: bool) {
    use std::fmt::Write as _;
    if tie_free(x) {
        buf.push_str(zmij::Buffer::new().format_finite(x));
    } else if debug {
        let _ = write!(buf, "{x:?}");
    } else {
        let _ = write!(buf, "{x}");
    }
}

/// Whether `x` is a plain-decimal magnitude whose exact value has more
/// than 22 fractional decimal digits (see [`write_shortest`]).
fn tie_free(x: f64) -> bool {
    let a = x.abs();
    if !(1e-4..1e5).contains(&a) {
        return false;
    }
    // Normal here: a = m * 2^e exactly, with m odd once its trailing zero
    // bits move into e, and then it has exactly -e fractional digits.
    let bits = a.to_bits();
    let m = (bits & ((1u64 << 52) - 1)) | (1u64 << 52);
    let e = ((bits >> 52) & 0x7ff) as i64 - 1075 + i64::from(m.trailing_zeros());
    -e > 22
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

    /// The fast path writes exactly the standard library's bytes: on random
    /// bit patterns, on random magnitudes across and around [1e-4, 1e5),
    /// and on the halfway values where `zmij` and the standard library
    /// choose different last digits (525967.71728515625 prints
    /// ...563 here, ...562 from `zmij`).
    #[test]
    fn shortest_text_equals_the_standard_library() {
        let mut s: u64 = 0x9E37_79B9_7F4A_7C15;
        let mut next = || {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            s
        };
        let mut values = vec![
            525_967.717_285_156_3,
            f64::from_bits(0x4120_0d1f_6f40_0000),
            f64::from_bits(0x4134_ffcd_d3a0_0000),
            1e-4,
            9.999_999_999_999_999e-5,
            99_999.999_999_999_99,
            1e5,
            0.1 + 0.2,
            -0.0,
            0.5,
            f64::NAN,
            f64::INFINITY,
            f64::MIN_POSITIVE,
        ];
        for _ in 0..200_000 {
            let r = next();
            values.push(f64::from_bits(r));
            let unit = (r >> 11) as f64 / (1u64 << 53) as f64;
            let magnitude = 10f64.powf((r % 1300) as f64 / 100.0 - 6.0);
            values.push(if r & 1 == 1 { -unit } else { unit } * magnitude);
        }
        let mut buf = String::new();
        for x in values {
            for debug in [false, true] {
                buf.clear();
                write_shortest(&mut buf, x, debug);
                let std = if debug {
                    format!("{x:?}")
                } else {
                    format!("{x}")
                };
                assert_eq!(buf, std, "bits {:#x}", x.to_bits());
            }
        }
        let halfway = f64::from_bits(0x4120_0d1f_6f40_0000);
        assert!(!tie_free(halfway));
        assert_eq!(format!("{halfway:?}"), "525967.7172851563");
        assert_ne!(zmij::Buffer::new().format(halfway), "525967.7172851563");
    }
}
