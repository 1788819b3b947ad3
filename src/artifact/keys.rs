//! Row keys hashed a cell at a time, for the checks of one run that read
//! every training and test row.

use super::{fnv, near, resolve, rounded, FNV_OFFSET};
use crate::data::{DType, Table, Values};
use rayon::prelude::*;

/// Row keys with [`RowKey::Rounded`]'s equality (numbers to
/// [`KEY_DIGITS`] significant digits, text by its level's text, a missing
/// value as one value of its own), hashed a cell at a time rather than a
/// byte at a time: for keys compared within one run only. A model's saved
/// hashes are [`row_hash`]'s, which stay as they were.
pub fn fast_keys(table: &Table, rows: &[usize], columns: &[String]) -> Vec<u64> {
    let text_word = |bytes: &[u8]| {
        let mut h = FNV_OFFSET;
        fnv(&mut h, bytes);
        near::mix(h)
    };
    let (null, absent) = (text_word(b"\x00null"), text_word(b"\x00absent"));
    let (yes, no) = (text_word(b"true"), text_word(b"false"));
    let cols = resolve(table, columns);
    let level_words: Vec<Vec<u64>> = cols
        .iter()
        .map(|c| match c.map(|c| &c.values) {
            Some(Values::Cat { levels, .. }) => {
                levels.iter().map(|l| text_word(l.as_bytes())).collect()
            }
            _ => Vec::new(),
        })
        .collect();
    rows.par_iter()
        .map(|&r| {
            let mut h = FNV_OFFSET;
            for (col, words) in cols.iter().zip(&level_words) {
                let w = match col {
                    None => absent,
                    Some(c) if c.is_null(r) => null,
                    Some(c) => match &c.values {
                        Values::Cat { codes, .. } => {
                            words.get(codes[r] as usize).copied().unwrap_or(null)
                        }
                        Values::Num(v) if c.dtype == DType::Boolean => {
                            if v[r] != 0.0 {
                                yes
                            } else {
                                no
                            }
                        }
                        Values::Num(v) => number_word(rounded(v[r])),
                    },
                };
                h = combine(h, w);
            }
            h
        })
        .collect()
}

/// One number's word from its [`rounded`] bytes.
pub(super) fn number_word(b: [u8; 12]) -> u64 {
    let mut exp = [0u8; 4];
    exp.copy_from_slice(&b[..4]);
    let mut mantissa = [0u8; 8];
    mantissa.copy_from_slice(&b[4..]);
    near::mix(u64::from_le_bytes(mantissa) ^ u64::from(u32::from_le_bytes(exp)).rotate_left(40))
}

/// A row's key so far with one more cell's word. Order matters: the same
/// values in other columns differ.
pub(super) fn combine(h: u64, w: u64) -> u64 {
    near::mix(h.rotate_left(23) ^ w)
}

/// [`RowKey::Rounded`] keys of every training and every test row over the
/// same features, hashed once for the checks that read them all.
pub struct RowKeys {
    pub train: Vec<u64>,
    pub test: Vec<u64>,
}

impl RowKeys {
    pub fn new(
        train: &Table,
        train_rows: &[usize],
        test: &Table,
        test_rows: &[usize],
        features: &[String],
    ) -> RowKeys {
        let (train, test) = rayon::join(
            || fast_keys(train, train_rows, features),
            || fast_keys(test, test_rows, features),
        );
        RowKeys { train, test }
    }

    /// How many test rows match a training row, over every training row:
    /// a model saves the hashes of a [`super::spread`] of them only.
    pub fn matching(&self) -> usize {
        let mut keys = self.train.clone();
        keys.par_sort_unstable();
        keys.dedup();
        self.test
            .iter()
            .filter(|h| keys.binary_search(h).is_ok())
            .count()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::artifact::{row_hashes, RowKey};

    #[test]
    fn fast_keys_equal_where_rounded_row_hashes_do() {
        // Rows 0 and 1 round alike (3 digits), 2 differs in x, 3 in s, 4
        // has a missing x, 5 repeats 4.
        let t = crate::artifact::tests::x_and_s(
            vec![1.2341, 1.2339, 1.25, 1.2341, f64::NAN, f64::NAN],
            vec![0, 0, 0, 1, 1, 1],
            vec!["a".into(), "b".into()],
        );
        let names = vec!["x".to_string(), "s".to_string()];
        let rows: Vec<usize> = (0..6).collect();
        let fast = fast_keys(&t, &rows, &names);
        let slow = row_hashes(&t, &rows, &names, RowKey::Rounded);
        for i in 0..6 {
            for j in 0..6 {
                assert_eq!(fast[i] == fast[j], slow[i] == slow[j], "rows {i} and {j}");
            }
        }
        assert_eq!(fast[0], fast[1]);
        assert_eq!(fast[4], fast[5]);
        // Column order matters; an absent column is a value of its own.
        let swapped = fast_keys(&t, &rows, &["s".to_string(), "x".to_string()]);
        assert_ne!(swapped[0], fast[0]);
        let absent = fast_keys(&t, &rows, &["x".to_string(), "nope".to_string()]);
        assert_ne!(absent[0], fast[0]);
        // The same over any thread count: a plain map of each row.
        assert_eq!(fast_keys(&t, &[1, 0], &names), vec![fast[1], fast[0]]);
    }
}
