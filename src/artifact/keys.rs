//! Row keys hashed a cell at a time, for the checks of one run that read
//! every training and test row.

use super::{fnv, near, resolve, rounded, FNV_OFFSET};
use crate::data::{Column, DType, Table, Values};
use rayon::prelude::*;

/// Row keys with [`RowKey::Rounded`]'s equality (numbers to
/// [`KEY_DIGITS`] significant digits, text by its level's text, a missing
/// value as one value of its own), hashed a cell at a time rather than a
/// byte at a time: for keys compared within one run only. A model's saved
/// hashes are [`row_hash`]'s, which stay as they were.
pub fn fast_keys(table: &Table, rows: &[usize], columns: &[String]) -> Vec<u64> {
    let cells = CellWords::new(table, columns);
    let mut keys = vec![FNV_OFFSET; rows.len()];
    // A column at a time over a chunk of rows: the cell's kind is looked
    // at once a column, and a number's word once a value (`Memo`).
    keys.par_chunks_mut(KEY_CHUNK)
        .zip(rows.par_chunks(KEY_CHUNK))
        .for_each(|(keys, rows)| {
            let mut memo = Memo::new();
            for j in 0..columns.len() {
                cells.fill(j, rows, &mut memo, |k, w| keys[k] = combine(keys[k], w));
            }
        });
    keys
}

/// Rows per parallel task of [`fast_keys`].
const KEY_CHUNK: usize = 16_384;

/// Each cell's word under [`RowKey::Rounded`]'s equality, for the columns
/// of one table: equal words, equal values.
struct CellWords<'a> {
    cols: Vec<Option<&'a Column>>,
    /// Per column, each level's word (text columns).
    levels: Vec<Vec<u64>>,
    null: u64,
    absent: u64,
    yes: u64,
    no: u64,
}

impl<'a> CellWords<'a> {
    fn new(table: &'a Table, columns: &[String]) -> CellWords<'a> {
        let text_word = |bytes: &[u8]| {
            let mut h = FNV_OFFSET;
            fnv(&mut h, bytes);
            near::mix(h)
        };
        let cols = resolve(table, columns);
        let levels = cols
            .iter()
            .map(|c| match c.map(|c| &c.values) {
                Some(Values::Cat { levels, .. }) => {
                    levels.iter().map(|l| text_word(l.as_bytes())).collect()
                }
                _ => Vec::new(),
            })
            .collect();
        CellWords {
            cols,
            levels,
            null: text_word(b"\x00null"),
            absent: text_word(b"\x00absent"),
            yes: text_word(b"true"),
            no: text_word(b"false"),
        }
    }

    /// `put(k, word)` for the cell of column `j` in each row `rows[k]`, in
    /// order.
    fn fill(&self, j: usize, rows: &[usize], memo: &mut Memo, mut put: impl FnMut(usize, u64)) {
        let Some(c) = self.cols[j] else {
            (0..rows.len()).for_each(|k| put(k, self.absent));
            return;
        };
        match &c.values {
            // The null code is past every level.
            Values::Cat { codes, .. } => {
                let words = &self.levels[j];
                for (k, &r) in rows.iter().enumerate() {
                    put(
                        k,
                        words.get(codes[r] as usize).copied().unwrap_or(self.null),
                    );
                }
            }
            Values::Num(v) if c.dtype == DType::Boolean => {
                for (k, &r) in rows.iter().enumerate() {
                    let x = v[r];
                    let w = if x.is_nan() {
                        self.null
                    } else if x != 0.0 {
                        self.yes
                    } else {
                        self.no
                    };
                    put(k, w);
                }
            }
            Values::Num(v) => {
                for (k, &r) in rows.iter().enumerate() {
                    let x = v[r];
                    put(k, if x.is_nan() { self.null } else { memo.word(x) });
                }
            }
        }
    }
}

/// The last numbers' words, by their bits (direct-mapped): rounding to a
/// key's digits takes a logarithm and a power, and columns repeat values.
struct Memo {
    slots: Vec<(u64, u64)>,
}

impl Memo {
    /// Slots: a power of two.
    const SLOTS: usize = 2048;

    fn new() -> Memo {
        // NaN is never looked up (a null): no slot matches until written.
        Memo {
            slots: vec![(f64::NAN.to_bits(), 0); Self::SLOTS],
        }
    }

    /// [`number_word`] of `x` (not NaN).
    fn word(&mut self, x: f64) -> u64 {
        let bits = x.to_bits();
        let at = (near::mix(bits) as usize) & (Self::SLOTS - 1);
        let slot = &mut self.slots[at];
        if slot.0 != bits {
            *slot = (bits, number_word(rounded(x)));
        }
        slot.1
    }
}

/// Rows' cells as terms whose sum keys a row over any subset of the
/// columns (with [`fast_keys`]' equality; the keys differ): a key over
/// every column but one costs a subtraction a row, not a hash of every
/// cell. Column position salts each term, so the same values in other
/// columns differ.
pub struct CellTerms {
    /// Per column, per row, the cell's term.
    terms: Vec<Vec<u64>>,
    rows: usize,
}

impl CellTerms {
    pub fn new(table: &Table, rows: &[usize], columns: &[String]) -> CellTerms {
        let cells = CellWords::new(table, columns);
        let terms = (0..columns.len())
            .into_par_iter()
            .map(|j| {
                let salt = (j as u64 + 1).wrapping_mul(0x9e37_79b9_7f4a_7c15);
                let mut terms = vec![0u64; rows.len()];
                cells.fill(j, rows, &mut Memo::new(), |k, w| {
                    terms[k] = near::mix(w ^ salt)
                });
                terms
            })
            .collect();
        CellTerms {
            terms,
            rows: rows.len(),
        }
    }

    /// Each row's key over the columns at `columns` (positions in the
    /// columns given to [`CellTerms::new`]).
    pub fn keys(&self, columns: &[usize]) -> Vec<u64> {
        let mut keys = vec![0u64; self.rows];
        for &j in columns {
            keys.iter_mut()
                .zip(&self.terms[j])
                .for_each(|(k, t)| *k = k.wrapping_add(*t));
        }
        keys
    }

    /// `keys` (from [`CellTerms::keys`] over columns that include `j`)
    /// without column `j`.
    pub fn without(&self, keys: &[u64], j: usize) -> Vec<u64> {
        keys.iter()
            .zip(&self.terms[j])
            .map(|(k, t)| k.wrapping_sub(*t))
            .collect()
    }
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

    /// Whether each test row matches a training row, over every training
    /// row: a model saves the hashes of a [`super::spread`] of them only.
    pub fn matched(&self) -> Vec<bool> {
        let mut keys = self.train.clone();
        keys.par_sort_unstable();
        keys.dedup();
        self.test
            .iter()
            .map(|h| keys.binary_search(h).is_ok())
            .collect()
    }

    /// The share of training rows of class `class` (by `y`, one label per
    /// training row) whose key another training row shares: how often a
    /// fresh row of that class matches a training row by chance.
    pub fn class_duplicate_share(&self, y: &[u8], class: u8) -> f64 {
        let mut keys = self.train.clone();
        keys.par_sort_unstable();
        let (mut shared, mut rows) = (0usize, 0usize);
        for (k, _) in self.train.iter().zip(y).filter(|(_, &c)| c.min(1) == class) {
            let lo = keys.partition_point(|x| x < k);
            rows += 1;
            shared += usize::from(keys.get(lo + 1) == Some(k));
        }
        shared as f64 / rows.max(1) as f64
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

    #[test]
    fn cell_terms_key_rows_as_fast_keys_do_on_every_subset() {
        // Rows 0 and 1 round alike; 2 shares x with 3 and s with 0; 4 and
        // 5 are missing x; 6 swaps 0's values between the columns' roles.
        let t = crate::artifact::tests::x_and_s(
            vec![1.2341, 1.2339, 2.0, 2.0, f64::NAN, f64::NAN, 0.0],
            vec![0, 0, 0, 1, 1, 0, 1],
            vec!["a".into(), "b".into()],
        );
        let names = vec!["x".to_string(), "s".to_string()];
        let rows: Vec<usize> = (0..7).collect();
        let terms = CellTerms::new(&t, &rows, &names);
        let both = terms.keys(&[0, 1]);
        for (subset, without) in [(vec![0usize], 1usize), (vec![1], 0)] {
            let fast = fast_keys(&t, &rows, &[names[subset[0]].clone()]);
            let keys = terms.keys(&subset);
            assert_eq!(terms.without(&both, without), keys);
            for i in 0..7 {
                for j in 0..7 {
                    assert_eq!(keys[i] == keys[j], fast[i] == fast[j], "{subset:?} {i} {j}");
                }
            }
        }
        let fast = fast_keys(&t, &rows, &names);
        for i in 0..7 {
            for j in 0..7 {
                assert_eq!(both[i] == both[j], fast[i] == fast[j], "rows {i} and {j}");
            }
        }
        assert_eq!(both[0], both[1]);
        assert_ne!(both[2], both[3]);
        assert_ne!(both[4], both[5]);
        let x_only = terms.keys(&[0]);
        assert_eq!(x_only[2], x_only[3]);
        assert_eq!(x_only[4], x_only[5]);
    }
}
