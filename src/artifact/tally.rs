//! The test rows counted by their values, when every column holds few
//! distinct values (scored data is mostly a label, a score and a few
//! protected attributes): each distinct row is then hashed once rather than
//! every row, and the sorted (hash, label) pairs are known from the counts
//! without a sort of all the rows.
use super::{hash_resolved, resolve};
use crate::data::{Column, Table, Values, NULL_CODE};
use rayon::prelude::*;

/// Most distinct (row, label) cells counted: beyond it the rows are
/// hashed one by one.
const MAX_CELLS: usize = 1 << 16;
/// Rows a task counts at once.
const BLOCK: usize = 1 << 16;

/// A column's part of a row's cell number.
enum Digit<'a> {
    /// A text column: its code, or `levels` for a missing value.
    Codes(&'a [u32], u32),
    /// Whole numbers from `min`: the offset, or `span` for a missing one.
    Whole(&'a [f64], f64, u32),
    /// A column the table lacks: one value.
    Absent,
}

impl Digit<'_> {
    /// Values the digit takes.
    fn radix(&self) -> usize {
        match self {
            Digit::Codes(_, levels) => *levels as usize + 1,
            Digit::Whole(_, _, span) => *span as usize + 1,
            Digit::Absent => 1,
        }
    }

    /// Each `cell` times `radix` (this digit's) plus the digit of its row.
    fn add_to(&self, cell: &mut [u32], rows: &[usize], radix: u32) {
        match self {
            Digit::Codes(codes, levels) => {
                for (c, &r) in cell.iter_mut().zip(rows) {
                    // A code past the levels reads as missing, as the row
                    // hash reads it.
                    let code = codes[r];
                    let d = if code == NULL_CODE || code >= *levels {
                        *levels
                    } else {
                        code
                    };
                    *c = *c * radix + d;
                }
            }
            Digit::Whole(v, min, span) => {
                for (c, &r) in cell.iter_mut().zip(rows) {
                    let x = v[r];
                    let d = if x.is_nan() { *span } else { (x - min) as u32 };
                    *c = *c * radix + d;
                }
            }
            Digit::Absent => {}
        }
    }
}

/// The digit of `col` over `rows`, when it takes few values whose row
/// hashes differ exactly when the values do.
fn digit<'a>(col: Option<&'a Column>, rows: &[usize]) -> Option<Digit<'a>> {
    let Some(col) = col else {
        return Some(Digit::Absent);
    };
    match &col.values {
        Values::Cat { codes, levels } => {
            let levels = u32::try_from(levels.len()).ok()?;
            Some(Digit::Codes(codes, levels))
        }
        Values::Num(v) => {
            // Whole numbers only: each has one text, and -0.0 (text "-0")
            // and the infinities are left to the row-by-row hash.
            // (NaN, missing, is its own digit value, never asked here.)
            // (The round trip through `i64` is exact below 1e15, and far
            // cheaper than `fract`, a call on baseline x86-64.)
            let whole = |x: f64| {
                x.abs() < 1e15 && (x as i64) as f64 == x && !(x == 0.0 && x.is_sign_negative())
            };
            let (min, max, ok) = rows
                .par_iter()
                .map(|&r| v[r])
                .fold(
                    || (f64::INFINITY, f64::NEG_INFINITY, true),
                    |(lo, hi, ok), x| {
                        if x.is_nan() {
                            (lo, hi, ok)
                        } else {
                            (lo.min(x), hi.max(x), ok && whole(x))
                        }
                    },
                )
                .reduce(
                    || (f64::INFINITY, f64::NEG_INFINITY, true),
                    |a, b| (a.0.min(b.0), a.1.max(b.1), a.2 && b.2),
                );
            if !ok {
                return None;
            }
            if min > max {
                // Every value missing.
                return Some(Digit::Whole(v, 0.0, 0));
            }
            let span = max - min + 1.0;
            (span <= MAX_CELLS as f64).then(|| Digit::Whole(v, min, span as u32))
        }
    }
}

/// The (row hash, label, rows) of each distinct (row, label) among `rows`
/// (whose labels are `y`, 0 or 1), in ascending (hash, label) order: the
/// pairs of [`super::row_hashes`] with `RowKey::Text` sorted, as runs.
/// `None` when the columns hold too many distinct values to count.
pub fn text_row_tally(
    table: &Table,
    rows: &[usize],
    columns: &[String],
    y: &[u8],
) -> Option<Vec<(u64, u8, u64)>> {
    if rows.len() != y.len() || y.iter().any(|&l| l > 1) {
        return None;
    }
    let cols = resolve(table, columns);
    let mut digits = Vec::with_capacity(cols.len());
    let mut cells = 2usize;
    for &col in &cols {
        let d = digit(col, rows)?;
        cells = cells.checked_mul(d.radix()).filter(|&c| c <= MAX_CELLS)?;
        digits.push(d);
    }
    // Below MAX_CELLS, so each radix and cell number fits a u32.
    let radix: Vec<u32> = digits.iter().map(|d| d.radix() as u32).collect();
    // Each cell's count and first position; blocks counted side by side and
    // added in any order give the same integers. A block's cell numbers
    // are built a column at a time, in a buffer each task keeps.
    let empty = || (vec![0u64; cells], vec![usize::MAX; cells]);
    let (counts, first) = (0..rows.len().div_ceil(BLOCK))
        .into_par_iter()
        .map(|b| b * BLOCK)
        .fold(
            || (empty(), Vec::new()),
            |((mut counts, mut first), mut cell), start| {
                let end = (start + BLOCK).min(rows.len());
                cell.clear();
                cell.extend(y[start..end].iter().map(|&l| u32::from(l)));
                for (d, &r) in digits.iter().zip(&radix) {
                    d.add_to(&mut cell, &rows[start..end], r);
                }
                for (i, &c) in (start..).zip(&cell) {
                    let c = c as usize;
                    if counts[c] == 0 {
                        first[c] = i;
                    }
                    counts[c] += 1;
                }
                ((counts, first), cell)
            },
        )
        .map(|(tally, _)| tally)
        .reduce(empty, |(mut ca, mut fa), (cb, fb)| {
            ca.iter_mut().zip(&cb).for_each(|(a, b)| *a += b);
            fa.iter_mut().zip(&fb).for_each(|(a, b)| *a = (*a).min(*b));
            (ca, fa)
        });
    let mut buf = String::new();
    let mut runs: Vec<(u64, u8, u64)> = counts
        .iter()
        .zip(&first)
        .filter(|(&n, _)| n > 0)
        .map(|(&n, &i)| {
            let h = hash_resolved(&cols, rows[i], &mut buf, super::RowKey::Text);
            (h, y[i], n)
        })
        .collect();
    runs.sort_unstable();
    Some(runs)
}

#[cfg(test)]
mod tests {
    use super::text_row_tally;
    use crate::artifact::{row_hashes, RowKey};
    use crate::data::{Column, DType, Table, Values, NULL_CODE};

    /// The runs by definition: every row hashed, the (hash, label) pairs
    /// sorted, equal pairs counted.
    fn by_rows(t: &Table, rows: &[usize], names: &[String], y: &[u8]) -> Vec<(u64, u8, u64)> {
        let mut pairs: Vec<(u64, u8)> = row_hashes(t, rows, names, RowKey::Text)
            .into_iter()
            .zip(y.iter().copied())
            .collect();
        pairs.sort_unstable();
        let mut runs: Vec<(u64, u8, u64)> = Vec::new();
        for (h, l) in pairs {
            match runs.last_mut() {
                Some((a, b, n)) if (*a, *b) == (h, l) => *n += 1,
                _ => runs.push((h, l, 1)),
            }
        }
        runs
    }

    fn col(name: &str, dtype: DType, values: Values) -> Column {
        Column {
            name: name.into(),
            dtype,
            values,
        }
    }

    fn table(n: usize) -> Table {
        let num = |f: &dyn Fn(usize) -> f64| Values::Num((0..n).map(f).collect());
        Table {
            n_rows: n,
            columns: vec![
                // Whole numbers with gaps and negatives, and missing ones.
                col(
                    "i",
                    DType::Integer,
                    num(&|r| {
                        if r % 7 == 3 {
                            f64::NAN
                        } else {
                            (r % 5) as f64 * 3.0 - 4.0
                        }
                    }),
                ),
                col(
                    "b",
                    DType::Boolean,
                    num(&|r| {
                        if r % 11 == 0 {
                            f64::NAN
                        } else {
                            (r % 2) as f64
                        }
                    }),
                ),
                col("none", DType::Float, num(&|_| f64::NAN)),
                // Text with missing values and a code past its levels
                // (read as missing).
                col(
                    "s",
                    DType::String,
                    Values::Cat {
                        codes: (0..n)
                            .map(|r| match r % 9 {
                                0 => NULL_CODE,
                                1 => 3,
                                k => (k % 2) as u32,
                            })
                            .collect(),
                        levels: vec!["a,b".into(), "é".into()],
                    },
                ),
                col("f", DType::Float, num(&|r| r as f64 / 4.0)),
                col("z", DType::Float, num(&|r| if r == 5 { -0.0 } else { 0.0 })),
                col(
                    "inf",
                    DType::Float,
                    num(&|r| if r == 5 { f64::INFINITY } else { 1.0 }),
                ),
            ],
        }
    }

    fn names(n: &[&str]) -> Vec<String> {
        n.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn runs_equal_the_counted_row_hashes() {
        let n = 200_003;
        let t = table(n);
        // Rows out of order and repeated, as a split and a test file give.
        let rows: Vec<usize> = (0..n).rev().chain([7, 7, 7]).collect();
        let y: Vec<u8> = rows.iter().map(|r| u8::from(r % 3 == 0)).collect();
        for cols in [
            names(&["b", "i", "s"]),
            names(&["absent", "i", "none"]),
            names(&["s"]),
            names(&[]),
        ] {
            let runs = text_row_tally(&t, &rows, &cols, &y);
            assert_eq!(runs, Some(by_rows(&t, &rows, &cols, &y)), "{cols:?}");
        }
        // One class, and no row.
        let ones = vec![1u8; rows.len()];
        let cols = names(&["i", "s"]);
        assert_eq!(
            text_row_tally(&t, &rows, &cols, &ones),
            Some(by_rows(&t, &rows, &cols, &ones))
        );
        assert_eq!(text_row_tally(&t, &[], &cols, &[]), Some(Vec::new()));
    }

    #[test]
    fn rows_too_varied_are_left_to_the_row_hashes() {
        let t = table(1000);
        let rows: Vec<usize> = (0..1000).collect();
        let y = vec![0u8; 1000];
        // Fractions, -0.0 (its text is "-0"), an infinity.
        for c in ["f", "z", "inf"] {
            assert_eq!(text_row_tally(&t, &rows, &names(&[c]), &y), None, "{c}");
        }
        // Labels other than 0/1, and a label per row missing.
        assert_eq!(
            text_row_tally(&t, &rows, &names(&["i"]), &vec![2; 1000]),
            None
        );
        assert_eq!(text_row_tally(&t, &rows, &names(&["i"]), &y[1..]), None);
        // More distinct cells than counted.
        let wide = Table {
            n_rows: 1000,
            columns: vec![col(
                "w",
                DType::Integer,
                Values::Num((0..1000).map(|r| (r * 100) as f64).collect()),
            )],
        };
        assert_eq!(text_row_tally(&wide, &rows, &names(&["w"]), &y), None);
    }
}
