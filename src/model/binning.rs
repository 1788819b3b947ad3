//! Feature binning for the tree models: every feature is cut once into at
//! most `max_bins` bins (u8 codes, column-major), shared by all trees.
//!
//! A feature with at most `max_bins` distinct values gets one bin per value
//! (its "exact" values are kept), so binary/one-hot and small integer features
//! split exactly where scikit-learn would, at the midpoint between the values
//! adjacent *within the node*; other features get approximately
//! equal-frequency (quantile) edges, and a split there uses the edge itself.
//! Thresholds are raw `f64` values, so scoring never bins.
//!
//! Missing values (NaN, allowed by gradient boosting only) get a bin of their
//! own after the value bins; a column with NaN gets at most `max_bins - 1`
//! value bins so every code still fits. NaN-free columns are binned exactly
//! as before (the forest relies on that).

use crate::features::Matrix;
use rayon::prelude::*;

/// Most bins a feature can have (codes are u8).
pub const MAX_BINS: usize = 256;
/// Above this many rows, quantile edges come from a fixed-stride subsample.
const QUANTILE_SAMPLE: usize = 200_000;

/// Every feature binned once: u8 codes, column-major like `Matrix`.
#[derive(Debug, Clone)]
pub struct Binned {
    pub rows: usize,
    pub cols: usize,
    codes: Vec<u8>,
    /// Per feature, increasing upper bin edges: value `v` is in bin
    /// `#{e : e < v}`, so `bin <= b` exactly when `v <= edges[b]`.
    pub edges: Vec<Vec<f64>>,
    /// Per feature, the value of each bin when bins are exact (one distinct
    /// value each), else empty.
    pub values: Vec<Vec<f64>>,
    /// Per feature, whether it has NaN; those rows get code `edges.len() + 1`.
    pub nan: Vec<bool>,
}

impl Binned {
    pub fn new(x: &Matrix, max_bins: usize) -> Binned {
        let max_bins = max_bins.clamp(2, MAX_BINS);
        let nan: Vec<bool> = (0..x.cols)
            .into_par_iter()
            .map(|j| x.col(j).iter().any(|v| v.is_nan()))
            .collect();
        let (edges, values): (Vec<Vec<f64>>, Vec<Vec<f64>>) = (0..x.cols)
            .into_par_iter()
            .map(|j| {
                if nan[j] {
                    let present: Vec<f64> =
                        x.col(j).iter().copied().filter(|v| !v.is_nan()).collect();
                    bin_edges(&present, max_bins - 1)
                } else {
                    bin_edges(x.col(j), max_bins)
                }
            })
            .unzip();
        let mut codes = vec![0u8; x.rows * x.cols];
        if x.rows > 0 {
            codes
                .par_chunks_mut(x.rows)
                .zip(&edges)
                .enumerate()
                .for_each(|(j, (out, e))| {
                    if nan[j] {
                        bin_codes_nan(e, x.col(j), out);
                    } else {
                        bin_codes(e, x.col(j), out);
                    }
                });
        }
        Binned {
            rows: x.rows,
            cols: x.cols,
            codes,
            edges,
            values,
            nan,
        }
    }

    /// Codes feature `j` uses: its value bins plus the NaN bin if it has one.
    pub fn n_bins(&self, j: usize) -> usize {
        self.edges[j].len() + 1 + usize::from(self.nan[j])
    }

    pub fn col(&self, j: usize) -> &[u8] {
        &self.codes[j * self.rows..(j + 1) * self.rows]
    }
}

/// (edges, exact values): midpoints between the distinct values when there
/// are at most `max_bins` of them, otherwise quantile edges and no values.
fn bin_edges(col: &[f64], max_bins: usize) -> (Vec<f64>, Vec<f64>) {
    match distinct_up_to(col, max_bins) {
        Some(vals) => (
            vals.windows(2).map(|w| midpoint(w[0], w[1])).collect(),
            vals,
        ),
        None => (quantile_edges(col, max_bins), Vec::new()),
    }
}

/// Sorted distinct values, or `None` as soon as there are more than `cap`.
fn distinct_up_to(col: &[f64], cap: usize) -> Option<Vec<f64>> {
    let mut vals: Vec<f64> = Vec::with_capacity(cap);
    for &v in col {
        let v = v + 0.0; // folds -0.0 into 0.0
        if let Err(pos) = vals.binary_search_by(|a| a.total_cmp(&v)) {
            if vals.len() == cap {
                return None;
            }
            vals.insert(pos, v);
        }
    }
    Some(vals)
}

fn quantile_edges(col: &[f64], max_bins: usize) -> Vec<f64> {
    // A fixed-stride subsample is deterministic and plenty for quantiles.
    let step = col.len().div_ceil(QUANTILE_SAMPLE).max(1);
    let mut s: Vec<f64> = col.iter().step_by(step).map(|v| v + 0.0).collect();
    s.sort_unstable_by(f64::total_cmp);
    let (m, top) = (s.len(), s[s.len() - 1]);
    let mut edges: Vec<f64> = Vec::with_capacity(max_bins);
    for k in 1..max_bins {
        let i = (k * m / max_bins).max(1);
        let (lo, hi) = (s[i - 1], s[i]);
        let e = if lo < hi { midpoint(lo, hi) } else { lo };
        if e < top && edges.last().is_none_or(|&last| e > last) {
            edges.push(e);
        }
    }
    edges
}

/// A threshold `t` with `lo <= t < hi`: scikit-learn's `lo/2 + hi/2`, or `lo`
/// when rounding (or overflow) would not leave `hi` strictly above it.
pub fn midpoint(lo: f64, hi: f64) -> f64 {
    let m = lo / 2.0 + hi / 2.0;
    if m < hi && m.is_finite() {
        m
    } else {
        lo
    }
}

/// `out[i] = #{e in edges : e < col[i]}` (std's binary search is branch-free
/// and measured faster than hand-interleaved searches).
fn bin_codes(edges: &[f64], col: &[f64], out: &mut [u8]) {
    for (o, &v) in out.iter_mut().zip(col) {
        *o = edges.partition_point(|&e| e < v) as u8;
    }
}

/// [`bin_codes`] for a column with NaN: NaN gets the code after the last
/// value bin (`edges.len() + 1 <= MAX_BINS - 1`, see `Binned::new`).
fn bin_codes_nan(edges: &[f64], col: &[f64], out: &mut [u8]) {
    let nan_code = (edges.len() + 1) as u8;
    for (o, &v) in out.iter_mut().zip(col) {
        *o = if v.is_nan() {
            nan_code
        } else {
            edges.partition_point(|&e| e < v) as u8
        };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one_col(v: &[f64]) -> Matrix {
        Matrix::from_rows(&v.iter().map(|&x| vec![x]).collect::<Vec<_>>())
    }

    #[test]
    fn few_distinct_values_get_exact_midpoint_bins() {
        let b = Binned::new(&one_col(&[1.0, 0.0, -0.0, 1.0, 3.0]), 255);
        assert_eq!(b.edges[0], vec![0.5, 2.0]);
        assert_eq!(b.values[0], vec![0.0, 1.0, 3.0]);
        assert_eq!(b.col(0), &[1, 0, 0, 1, 2]);
    }

    #[test]
    fn quantile_bins_respect_the_bin_cap_and_agree_with_thresholds() {
        let v: Vec<f64> = (0..5000)
            .map(|i| ((i * 7919) % 5003) as f64 / 100.0)
            .collect();
        for max_bins in [2, 16, 255] {
            let b = Binned::new(&one_col(&v), max_bins);
            let e = &b.edges[0];
            assert!(!e.is_empty() && e.len() < max_bins);
            assert!(e.windows(2).all(|w| w[0] < w[1]));
            // `code <= k` must mean exactly `value <= edges[k]` (the tree's rule).
            for (&c, &x) in b.col(0).iter().zip(&v) {
                for (k, &t) in e.iter().enumerate() {
                    assert_eq!(usize::from(c) <= k, x <= t);
                }
            }
        }
    }

    #[test]
    fn quantile_bins_are_roughly_equal_frequency() {
        let v: Vec<f64> = (0..10_000).map(|i| f64::from(i).sqrt()).collect();
        let b = Binned::new(&one_col(&v), 10);
        let mut counts = [0usize; 10];
        b.col(0).iter().for_each(|&c| counts[usize::from(c)] += 1);
        assert!(
            counts.iter().all(|&c| (900..=1100).contains(&c)),
            "{counts:?}"
        );
    }

    #[test]
    fn nan_gets_its_own_bin_after_the_value_bins() {
        let b = Binned::new(&one_col(&[1.0, f64::NAN, 0.0, 3.0, f64::NAN]), 255);
        assert_eq!(b.edges[0], vec![0.5, 2.0]);
        assert_eq!(b.values[0], vec![0.0, 1.0, 3.0]);
        assert!(b.nan[0]);
        assert_eq!(b.n_bins(0), 4);
        assert_eq!(b.col(0), &[1, 3, 0, 2, 3]);
        // All NaN: no value bins, NaN is code 1.
        let b = Binned::new(&one_col(&[f64::NAN; 3]), 255);
        assert_eq!((b.edges[0].len(), b.col(0)), (0, &[1u8, 1, 1][..]));
        // The cap leaves room for the NaN code: 256 values + NaN fit in u8.
        let mut v: Vec<f64> = (0..300).map(f64::from).collect();
        v.push(f64::NAN);
        let b = Binned::new(&one_col(&v), 256);
        assert!(b.n_bins(0) <= 256);
        assert_eq!(usize::from(b.col(0)[300]), b.edges[0].len() + 1);
        assert!(b.col(0)[..300]
            .iter()
            .all(|&c| usize::from(c) <= b.edges[0].len()));
    }

    #[test]
    fn nan_free_columns_are_binned_as_before() {
        let v: Vec<f64> = (0..5000)
            .map(|i| ((i * 7919) % 5003) as f64 / 7.0)
            .collect();
        let b = Binned::new(&one_col(&v), 32);
        assert!(!b.nan[0]);
        assert_eq!(b.n_bins(0), b.edges[0].len() + 1);
        assert_eq!(b.edges[0], quantile_edges(&v, 32));
    }

    #[test]
    fn midpoint_stays_below_the_upper_value() {
        let hi = f64::from_bits(1.0f64.to_bits() + 1);
        assert_eq!(midpoint(1.0, hi), 1.0);
        assert_eq!(midpoint(f64::MAX / 2.0, f64::MAX), 0.75 * f64::MAX);
        assert_eq!(midpoint(1.0, 2.0), 1.5);
    }
}
