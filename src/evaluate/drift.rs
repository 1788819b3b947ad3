//! Drift between reference data (by default the training split) and current
//! data: the Population Stability Index per feature, and the two-sample
//! Kolmogorov-Smirnov statistic per numeric feature.
//!
//! Numeric PSI follows `psi` in the reference Python gate
//! (`shared/bench/reference_gate.py`) to 1e-9: bin edges are the deciles of
//! the reference (`np.unique(np.quantile(ref, linspace(0, 1, 11)))`, numpy's
//! default linear interpolation), counts as `np.histogram` (last bin closed),
//! fractions over *all* values including missing ones (so missing values sit
//! in no bin and a change in missingness still moves the index), empty bins
//! clipped to 1e-6, PSI = sum((a - e) * ln(a / e)). One deliberate difference:
//! current values outside the reference range go to the first / last bin
//! instead of being dropped, so a shift past the training range counts fully.
//!
//! A second deliberate difference: when the reference has at most 10 distinct
//! finite values (a 0/1 flag, a count, a rating, a constant), its deciles
//! collapse into fewer bins than values (a 0/1 column into a single bin, so
//! the reference script reports 0 however much the share of ones moves).
//! Such a feature gets a bin per distinct reference value and one per gap
//! around them (`2k + 1` bins), where current values the reference never
//! had land: 0 for unchanged data, large for a moved share.
//! With 3 to 10 values this needs 10 reference rows per value; a tiny
//! reference of continuous values keeps the deciles.
//!
//! Text features get a bin per level with 10 reference rows or more, one
//! "rare" bin for the other reference levels and one "new" bin for levels
//! the reference lacks (see [`psi_categorical`]).
use crate::data::{Column, Table, Values, NULL_CODE};
use crate::domain::DriftReport;
use rayon::prelude::*;
use std::collections::{BTreeMap, HashMap};

pub mod noise;
mod range;
use range::beyond_range;

/// Floor for a bin fraction, so an empty bin does not make the log infinite.
pub const EPSILON: f64 = 1e-6;
/// The largest PSI any two samples give: all of one in a bin the other
/// lacks, both fractions floored at [`EPSILON`]: `2 (1 - eps) ln(1/eps)`,
/// about 27.63.
pub fn max_psi() -> f64 {
    2.0 * (1.0 - EPSILON) * (1.0 / EPSILON).ln()
}

/// Number of quantile bins of the reference (deciles).
const BINS: usize = 10;
/// Reference rows per distinct value below which a reference of 3 to 10
/// distinct values is binned by deciles, not per value, and below which a
/// category shares the "other" bin.
const MIN_ROWS_PER_VALUE: usize = 10;

/// PSI of a numeric feature with decile bins of `reference`, or a bin per
/// value when it has at most 10 distinct values (see the module doc). `None`
/// when `reference` has no finite value or `current` is empty.
pub fn psi_numeric(reference: &[f64], current: &[f64]) -> Option<f64> {
    numeric_psi(&Sample::new(reference), &Sample::new(current))
}

/// Distinct-value bins for a reference with few values, deciles otherwise.
fn numeric_psi(reference: &Sample, current: &Sample) -> Option<f64> {
    psi_discrete(reference, current).or_else(|| psi_sorted(reference, current))
}

/// PSI of a categorical feature whose two samples share one code space of
/// `n_levels` codes. A level with at least a tenth of the reference rows
/// or of the current rows (and [`MIN_ROWS_PER_VALUE`] of them) is a bin of
/// its own, as a decile of a numeric feature is; rarer reference levels
/// share a "rare" bin;
/// levels absent from the reference (and codes at or past `n_levels`) share
/// a "new" bin; missing ([`NULL_CODE`]) is a bin of its own.
///
/// A bin per rare level read a many-level column (an id-like code, a city)
/// as drift by construction: two random halves of one file share few of
/// their rare levels, and PSI's sampling noise grows with the bins, about
/// (bins - 1) * (1/current + 1/reference) rows: 100 levels of 500 test
/// rows read 0.25 on data of one distribution (round 10, T5). And fresh rows of such a column bring levels the
/// reference never had at about the rate its levels seen once occur
/// (Good-Turing), so with [`GOOD_TURING_ROWS`] reference rows or more, the
/// reference's share of "new" is that rate, taken from "rare". A category
/// that grows from nothing still moves "new".
pub fn psi_categorical(ref_codes: &[u32], cur_codes: &[u32], n_levels: usize) -> f64 {
    let per_level = |codes: &[u32]| {
        let mut n = vec![0_usize; n_levels];
        for &code in codes {
            if let Some(k) = n.get_mut(code as usize) {
                *k += 1;
            }
        }
        n
    };
    let (in_ref, in_cur) = (per_level(ref_codes), per_level(cur_codes));
    // Bins: the common levels in code order, then the rare levels in
    // groups, then new and missing. A level common in the current rows
    // only (all rows collapsed onto one rare level) is a bin too.
    const NEW: usize = usize::MAX;
    let common = |len: usize| MIN_ROWS_PER_VALUE.max(len.div_ceil(BINS));
    let (common_ref, common_cur) = (common(ref_codes.len()), common(cur_codes.len()));
    let mut bins = 0;
    let mut bin_of = vec![NEW; n_levels];
    let mut rare: Vec<usize> = Vec::new(); // ascending codes
    for (level, (&r, &c)) in in_ref.iter().zip(&in_cur).enumerate() {
        if r >= common_ref || c >= common_cur {
            bin_of[level] = bins;
            bins += 1;
        } else if r > 0 {
            rare.push(level);
        }
    }
    // Rare levels in code order (not by their counts: grouping by a noisy
    // count selects for noise, and the groups would regress to the mean),
    // in groups of at least a common level's rows (a last short group
    // joins the one before): a shift among rare levels (half of them
    // vanishing, a tail collapsing onto a few) moves the groups' shares,
    // while each group holds enough rows for PSI's noise to stay near that
    // of deciles.
    // Levels seen a few times each (ids, a long tail of singletons) stay in
    // one group: their groups' expected shares would be mostly noise.
    let rare_rows: usize = rare.iter().map(|&l| in_ref[l]).sum();
    let group_rows = if rare_rows >= MIN_MEAN_RARE_ROWS * rare.len() {
        common_ref
    } else {
        usize::MAX
    };
    let mut filled = 0;
    let first_group = bins;
    for &level in &rare {
        if filled >= group_rows {
            bins += 1;
            filled = 0;
        }
        bin_of[level] = bins;
        filled += in_ref[level];
    }
    if !rare.is_empty() {
        if filled < group_rows && bins > first_group {
            let last: Vec<usize> = rare
                .iter()
                .rev()
                .take_while(|&&l| bin_of[l] == bins)
                .copied()
                .collect();
            for level in last {
                bin_of[level] = bins - 1;
            }
        } else {
            bins += 1;
        }
    }
    let (new, missing) = (bins, bins + 1);
    let counts = |codes: &[u32]| {
        let mut c = vec![0_usize; bins + 2];
        for &code in codes {
            let bin = match bin_of.get(code as usize) {
                _ if code == NULL_CODE => missing,
                Some(&NEW) | None => new,
                Some(&b) => b,
            };
            c[bin] += 1;
        }
        c
    };
    let mut expected = counts(ref_codes);
    if ref_codes.len() >= GOOD_TURING_ROWS {
        for (level, &n) in in_ref.iter().enumerate() {
            if n == 1 {
                expected[bin_of[level]] -= 1;
                expected[new] += 1;
            }
        }
    }
    psi_from_counts(
        &expected,
        ref_codes.len(),
        &counts(cur_codes),
        cur_codes.len(),
    )
}

/// Mean reference rows per rare level from which rare levels are grouped
/// rather than pooled.
const MIN_MEAN_RARE_ROWS: usize = 5;

/// Reference rows from which the share of levels seen once estimates how
/// often fresh rows bring a level the reference never had.
const GOOD_TURING_ROWS: usize = 100;

/// Two-sample Kolmogorov-Smirnov statistic D = max |F_ref(x) - F_cur(x)|, as
/// scipy's `ks_2samp(...).statistic`, ignoring NaN. `None` when either sample
/// has no non-missing value.
pub fn ks_statistic(reference: &[f64], current: &[f64]) -> Option<f64> {
    ks_sorted(&Sample::new(reference).sorted, &Sample::new(current).sorted)
}

/// Drift of every feature present in both tables: numeric columns get PSI and
/// KS, text columns PSI over their level texts (the two tables may number
/// levels differently). A feature missing from either table, or whose PSI
/// cannot be computed, is left out of `psi` and `ranked`. A column numeric in
/// one table and text in the other is not compared (`not_compared`).
pub fn compute(
    reference: &Table,
    current: &Table,
    features: &[String],
    reference_label: &str,
) -> DriftReport {
    compute_rows(
        Rows::all(reference),
        Rows::all(current),
        features,
        reference_label,
    )
}

/// Some rows of a table, named by index (the train or test split) so drift
/// never copies the table; `rows: None` is every row.
#[derive(Clone, Copy)]
pub struct Rows<'a> {
    pub table: &'a Table,
    pub rows: Option<&'a [usize]>,
}

impl<'a> Rows<'a> {
    pub fn all(table: &'a Table) -> Rows<'a> {
        Rows { table, rows: None }
    }

    pub fn some(table: &'a Table, rows: &'a [usize]) -> Rows<'a> {
        Rows {
            table,
            rows: Some(rows),
        }
    }
}

/// [`compute`] over row subsets of the two tables.
pub fn compute_rows(
    reference: Rows,
    current: Rows,
    features: &[String],
    reference_label: &str,
) -> DriftReport {
    // A column empty in every row on both sides: nothing in it moved.
    let empty = |col: &Column, rows: Option<&[usize]>| match rows {
        Some(rows) => rows.iter().all(|&r| col.is_null(r)),
        None => (0..col.len()).all(|r| col.is_null(r)),
    };
    let results: Vec<(&String, Drift, bool)> = features
        .par_iter()
        .filter_map(|f| {
            let r = reference.table.column(f)?;
            let c = current.table.column(f)?;
            let both_empty = empty(r, reference.rows) && empty(c, current.rows);
            if mixed(r, c) && !both_empty {
                return None;
            }
            let d = feature_drift((r, reference.rows), (c, current.rows));
            Some((f, d, both_empty))
        })
        .collect();
    let mut report = DriftReport {
        reference: reference_label.to_string(),
        // A feature one side lacks, or holds as numbers where the other
        // holds text (one "-" cell, decimal commas), is not compared: as
        // text its values would all be distinct levels, PSI 0 (round 15,
        // F2).
        not_compared: features
            .iter()
            .filter(
                |f| match (reference.table.column(f), current.table.column(f)) {
                    (Some(r), Some(c)) => {
                        mixed(r, c) && !(empty(r, reference.rows) && empty(c, current.rows))
                    }
                    _ => true,
                },
            )
            .cloned()
            .collect(),
        ..DriftReport::default()
    };
    for (name, d, both_empty) in results {
        match d.psi {
            Some(p) => {
                report.psi.insert(name.clone(), p);
            }
            // Empty on both sides (a column of Parquet nulls): every row
            // in the missing bin on each side, PSI 0 (round 22, F4).
            None if both_empty => {
                report.psi.insert(name.clone(), 0.0);
            }
            // No PSI on both sides' values (a reference column empty in
            // every row, as Parquet nulls): not compared, never left out
            // unsaid (round 19, F5).
            None => report.not_compared.push(name.clone()),
        }
        if let Some(k) = d.ks {
            report.ks.insert(name.clone(), k);
        }
        if let Some(b) = d.beyond_range.filter(|&b| b > 0.0) {
            report.beyond_range.insert(name.clone(), b);
        }
    }
    report.ranked = rank(&report.psi);
    let measured: Vec<&String> = report.psi.keys().collect();
    report.noise = noise::psi_noise(reference, current, &measured);
    report
}

/// Whether one of two columns holds numbers and the other text.
fn mixed(a: &Column, b: &Column) -> bool {
    matches!(
        (&a.values, &b.values),
        (Values::Num(_), Values::Cat { .. }) | (Values::Cat { .. }, Values::Num(_))
    )
}

/// Feature names by PSI, largest first; ties by name for a stable report.
fn rank(psi: &BTreeMap<String, f64>) -> Vec<String> {
    let mut pairs: Vec<(&String, f64)> = psi.iter().map(|(k, &v)| (k, v)).collect();
    pairs.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(b.0)));
    pairs.into_iter().map(|(k, _)| k.clone()).collect()
}

/// A column and the rows of it to use (`None`: all).
type ColumnRows<'a> = (&'a Column, Option<&'a [usize]>);

/// What [`feature_drift`] measures of one feature.
#[derive(Default)]
struct Drift {
    psi: Option<f64>,
    ks: Option<f64>,
    beyond_range: Option<f64>,
}

/// PSI and KS of one feature, and for numbers the share of values far
/// outside the reference's range.
fn feature_drift((r, rr): ColumnRows, (c, cr): ColumnRows) -> Drift {
    match (&r.values, &c.values) {
        (Values::Num(a), Values::Num(b)) => {
            let (ra, cb) = (Sample::from_rows(a, rr), Sample::from_rows(b, cr));
            Drift {
                psi: numeric_psi(&ra, &cb),
                ks: ks_sorted(&ra.sorted, &cb.sorted),
                beyond_range: beyond_range(&ra, &cb),
            }
        }
        (Values::Cat { .. }, Values::Cat { .. }) => {
            let mut dict = HashMap::new();
            let ref_codes = text_codes(r, rr, &mut dict);
            let cur_codes = text_codes(c, cr, &mut dict);
            Drift {
                psi: Some(psi_categorical(&ref_codes, &cur_codes, dict.len())),
                ..Drift::default()
            }
        }
        // Numbers on one side, text on the other: not compared ([`mixed`]).
        _ => Drift::default(),
    }
}

/// Codes of text column `col` in a dictionary keyed by level text,
/// extended with every text not seen before, so two tables with different
/// level numbering land in one code space.
fn text_codes(col: &Column, rows: Option<&[usize]>, dict: &mut HashMap<String, u32>) -> Vec<u32> {
    let mut code_of = |text: String| {
        let next = dict.len() as u32;
        *dict.entry(text).or_insert(next)
    };
    let all: Vec<usize>;
    let rows = match rows {
        Some(r) => r,
        None => {
            all = (0..col.len()).collect();
            &all
        }
    };
    let Values::Cat { codes, levels } = &col.values else {
        return vec![NULL_CODE; rows.len()];
    };
    let map: Vec<u32> = levels.iter().map(|l| code_of(l.clone())).collect();
    rows.iter()
        .map(|&r| map.get(codes[r] as usize).copied().unwrap_or(NULL_CODE))
        .collect()
}

/// A numeric sample: its non-NaN values sorted (infinities included), and its
/// full length, which is the denominator of every fraction.
struct Sample {
    sorted: Vec<f64>,
    len: usize,
}

impl Sample {
    fn new(values: &[f64]) -> Sample {
        Sample::from_rows(values, None)
    }

    /// The sample of `values` at `rows` (`None`: all of them).
    fn from_rows(values: &[f64], rows: Option<&[usize]>) -> Sample {
        let (mut sorted, len): (Vec<f64>, usize) = match rows {
            None => (
                values.iter().copied().filter(|x| !x.is_nan()).collect(),
                values.len(),
            ),
            Some(r) => (
                r.iter()
                    .map(|&i| values[i])
                    .filter(|x| !x.is_nan())
                    .collect(),
                r.len(),
            ),
        };
        sorted.sort_unstable_by(f64::total_cmp);
        Sample { sorted, len }
    }

    /// The finite values: infinities sort to the two ends.
    fn finite(&self) -> &[f64] {
        let lo = self.sorted.partition_point(|&x| x == f64::NEG_INFINITY);
        let hi = self.sorted.partition_point(|&x| x < f64::INFINITY);
        &self.sorted[lo..hi.max(lo)]
    }

    /// Counts per bin of `edges` (k + 1 edges, k bins) as `np.histogram`
    /// would, except that values below / above the edges join the end bins.
    fn histogram(&self, edges: &[f64]) -> Vec<usize> {
        let k = edges.len().saturating_sub(1);
        // bounds[i] = how many values fall before bin i.
        let mut bounds = Vec::with_capacity(k + 1);
        bounds.push(0);
        for &e in edges.get(1..k).unwrap_or_default() {
            bounds.push(self.sorted.partition_point(|&x| x < e));
        }
        bounds.push(self.sorted.len());
        bounds.windows(2).map(|w| w[1] - w[0]).collect()
    }
}

fn psi_sorted(reference: &Sample, current: &Sample) -> Option<f64> {
    if current.len == 0 {
        return None;
    }
    let edges = decile_edges(reference.finite());
    if edges.len() < 2 {
        return None;
    }
    let e = reference.histogram(&edges);
    let a = current.histogram(&edges);
    Some(psi_from_counts(&e, reference.len, &a, current.len))
}

/// PSI over a bin per distinct value of a reference with at most [`BINS`]
/// distinct finite values, and a bin per gap below, between and above them
/// (`2k + 1` bins). `None` for a reference with more values (deciles then
/// apply) or none, and for an empty `current`.
fn psi_discrete(reference: &Sample, current: &Sample) -> Option<f64> {
    if current.len == 0 {
        return None;
    }
    let mut values: Vec<f64> = Vec::with_capacity(BINS);
    for &x in reference.finite() {
        if values.last() != Some(&x) {
            if values.len() == BINS {
                return None;
            }
            values.push(x);
        }
    }
    // Beyond 0/1 flags and constants, a value bin needs rows behind it: a
    // tiny reference of continuous values would make every current value
    // an "unseen" one (deciles then apply).
    let k = values.len();
    if k == 0 || (k > 2 && reference.finite().len() < MIN_ROWS_PER_VALUE * k) {
        return None;
    }
    let counts = |s: &Sample| {
        let mut c = Vec::with_capacity(2 * values.len() + 1);
        let mut before = 0;
        for &v in &values {
            let below = s.sorted.partition_point(|&x| x < v);
            let upto = s.sorted.partition_point(|&x| x <= v);
            c.push(below - before);
            c.push(upto - below);
            before = upto;
        }
        c.push(s.sorted.len() - before);
        c
    };
    Some(psi_from_counts(
        &counts(reference),
        reference.len,
        &counts(current),
        current.len,
    ))
}

/// `np.unique(np.quantile(sorted, np.linspace(0, 1, 11)))`; empty for an
/// empty sample.
fn decile_edges(sorted: &[f64]) -> Vec<f64> {
    if sorted.is_empty() {
        return Vec::new();
    }
    let mut edges: Vec<f64> = (0..=BINS)
        .map(|i| {
            // np.linspace computes i * step and pins the last point to 1.
            let p = if i == BINS {
                1.0
            } else {
                i as f64 * (1.0 / BINS as f64)
            };
            quantile_linear(sorted, p)
        })
        .collect();
    edges.sort_unstable_by(f64::total_cmp);
    edges.dedup();
    edges
}

/// numpy's default (`linear`) quantile of a sorted, non-empty sample,
/// including its `_lerp`, which interpolates from the upper neighbour when
/// the weight is at least 0.5.
fn quantile_linear(sorted: &[f64], p: f64) -> f64 {
    let n = sorted.len();
    let h = (n - 1) as f64 * p;
    if h >= (n - 1) as f64 {
        return sorted[n - 1];
    }
    let lo = h.floor();
    let i = lo as usize;
    let (a, b) = (sorted[i], sorted[(i + 1).min(n - 1)]);
    let t = h - lo;
    let diff = b - a;
    if t >= 0.5 {
        b - diff * (1.0 - t)
    } else {
        a + diff * t
    }
}

/// sum((a - e) * ln(a / e)) over bins, fractions of the given totals clipped
/// to [`EPSILON`]. A total of 0 counts as 1, as the reference script does.
fn psi_from_counts(e: &[usize], e_total: usize, a: &[usize], a_total: usize) -> f64 {
    let (et, at) = (e_total.max(1) as f64, a_total.max(1) as f64);
    e.iter()
        .zip(a)
        .map(|(&ec, &ac)| {
            let ef = (ec as f64 / et).max(EPSILON);
            let af = (ac as f64 / at).max(EPSILON);
            (af - ef) * (af / ef).ln()
        })
        .sum()
}

/// D over two sorted, NaN-free samples: walk both in step, and after each
/// distinct value compare the empirical CDFs (right-continuous, as scipy's
/// `searchsorted(side="right")`).
fn ks_sorted(a: &[f64], b: &[f64]) -> Option<f64> {
    if a.is_empty() || b.is_empty() {
        return None;
    }
    let (n1, n2) = (a.len() as f64, b.len() as f64);
    let (mut i, mut j, mut d) = (0, 0, 0.0_f64);
    // Once one sample is used up its CDF is 1 and the gap can only shrink.
    while i < a.len() && j < b.len() {
        let x = a[i].min(b[j]);
        while i < a.len() && a[i] <= x {
            i += 1;
        }
        while j < b.len() && b[j] <= x {
            j += 1;
        }
        d = d.max((i as f64 / n1 - j as f64 / n2).abs());
    }
    Some(d)
}

#[cfg(test)]
mod tests {
    use super::range::{end_codes, poisson_tail};
    use super::*;
    use crate::data::DType;

    // Expected values come from numpy 2.4 / scipy 1.17:
    //   def psi(expected, actual, bins=10):          # shared/bench/reference_gate.py
    //       qs = np.unique(np.quantile(expected[~np.isnan(expected)], np.linspace(0, 1, bins + 1)))
    //       e = np.histogram(expected, qs)[0] / max(len(expected), 1)
    //       a = np.histogram(actual, qs)[0] / max(len(actual), 1)
    //       e = np.clip(e, 1e-6, None); a = np.clip(a, 1e-6, None)
    //       return float(np.sum((a - e) * np.log(a / e)))
    const REF: [f64; 20] = [
        3.1, 7.4, 1.0, 2.2, 9.9, 5.5, 5.5, 6.0, 4.4, 8.8, 2.2, 3.3, 7.7, 1.5, 6.6, 4.0, 9.1, 0.5,
        5.0, 2.9,
    ];
    const CUR: [f64; 15] = [
        4.1, 5.5, 6.2, 7.4, 8.0, 9.9, 3.3, 5.0, 6.6, 7.1, 8.8, 2.2, 9.0, 6.0, 5.9,
    ];
    const NAN: f64 = f64::NAN;
    const REF2: [f64; 20] = [
        1., 1., 2., 2., 2., 3., NAN, 4., 5., 5., 5., 5., 6., NAN, 7., 8., 8., 9., 10., 10.,
    ];
    const CUR2: [f64; 14] = [2., 3., 3., NAN, 4., 6., 6., 7., 7., 8., 9., 10., 10., 10.];
    // Out-of-range values: -5, 0.1 below the first edge (0.5); 12, 15 above the last (9.9).
    const CUR3: [f64; 8] = [-5.0, 0.1, 2.0, 4.0, 12.0, 15.0, 9.5, 5.5];

    fn close(a: f64, b: f64) {
        assert!((a - b).abs() < 1e-9, "{a} != {b}");
    }

    #[test]
    fn decile_edges_equal_numpy_bit_for_bit() {
        // [repr(float(x)) for x in np.unique(np.quantile(REF, np.linspace(0, 1, 11)))]
        let want = [
            0.5,
            1.4500000000000002,
            2.2,
            3.04,
            3.72,
            4.7,
            5.5,
            6.180000000000001,
            7.460000000000001,
            8.830000000000002,
            9.9,
        ];
        assert_eq!(decile_edges(Sample::new(&REF).finite()), want);
        // Duplicate edges are dropped as np.unique does (REF2 has ties).
        let want2 = [
            1.0,
            1.7000000000000002,
            2.0,
            3.1000000000000005,
            4.800000000000001,
            5.0,
            5.200000000000001,
            6.9,
            8.0,
            9.3,
            10.0,
        ];
        assert_eq!(decile_edges(Sample::new(&REF2).finite()), want2);
    }

    #[test]
    fn numeric_psi_matches_reference_script() {
        close(psi_numeric(&REF, &CUR).unwrap(), 1.9886968050678844); // psi(REF, CUR)
                                                                     // With NaN in both (REF2: 10 distinct values in 18 rows, too few
                                                                     // rows per value for per-value bins, so deciles).
        close(psi_numeric(&REF2, &CUR2).unwrap(), 3.883529190952629);
    }

    #[test]
    fn out_of_range_values_join_the_end_bins() {
        // psi(REF, np.clip(CUR3, qs[0], qs[-1])): numpy alone would drop them.
        close(psi_numeric(&REF, &CUR3).unwrap(), 6.3623527610976165);
    }

    #[test]
    fn a_reference_column_empty_in_every_row_is_not_compared() {
        // Round 19, F5: a Parquet reference column of nulls left the
        // feature out of both the PSI table and not_compared.
        let report = compute(
            &table(vec![
                num("x", vec![f64::NAN; 300]),
                num("y", vec![1.0; 300]),
            ]),
            &table(vec![num("x", vec![3.0; 200]), num("y", vec![1.0; 200])]),
            &["x".to_string(), "y".to_string()],
            "ref",
        );
        assert_eq!(report.not_compared, vec!["x".to_string()]);
        assert!(report.psi.contains_key("y"), "{report:?}");
        // Round 22, F4: empty on both sides, nothing moved: PSI 0.
        let report = compute(
            &table(vec![num("x", vec![f64::NAN; 300])]),
            &table(vec![num("x", vec![f64::NAN; 200])]),
            &["x".to_string()],
            "ref",
        );
        assert!(report.not_compared.is_empty(), "{report:?}");
        assert_eq!(report.psi.get("x"), Some(&0.0));
    }

    #[test]
    fn poisson_tails_match_scipy() {
        // from scipy.stats import poisson
        // poisson.sf(1, 0.128), poisson.sf(3, 0.016), poisson.sf(0, 3.0)
        // = 0.007525388324841764, 2.6959460887198513e-09, 0.950212931632136
        assert!((poisson_tail(2, 0.128) - 0.007_525_388_324_841_764).abs() < 1e-15);
        assert!((poisson_tail(4, 0.016) / 2.695_946_088_719_851_3e-9 - 1.0).abs() < 1e-6);
        assert!((poisson_tail(1, 3.0) - 0.950_212_931_632_136).abs() < 1e-15);
        assert_eq!(poisson_tail(0, 1.0), 1.0);
        assert_eq!(poisson_tail(1000, 1.0), 0.0);
        assert_eq!(poisson_tail(3, 0.0), 0.0);
    }

    #[test]
    fn values_far_past_the_reference_range_are_counted() {
        // Round 14, F9: the top decile in other units (x1000) moves no PSI.
        let reference: Vec<f64> = (0..1000).map(|i| f64::from(i) / 10.0).collect();
        let mut current = reference.clone();
        current[900..].iter_mut().for_each(|x| *x *= 1000.0);
        let (r, c) = (Sample::new(&reference), Sample::new(&current));
        assert_eq!(beyond_range(&r, &c), Some(0.1));
        assert_eq!(beyond_range(&r, &r), Some(0.0));
        // Just past the maximum (a fresh tail value) is not far.
        let tail: Vec<f64> = reference.iter().map(|x| x * 1.5 - 1.0).collect();
        assert_eq!(beyond_range(&r, &Sample::new(&tail)), Some(0.0));
        // Below the minimum, NaN rows in the denominator.
        let low: Vec<f64> = [f64::NAN, -500.0, 50.0, 60.0].repeat(4);
        assert_eq!(beyond_range(&r, &Sample::new(&low)), Some(0.25));
        // Round 22, F9: a reference with 4 of its 4,325 values far out
        // (a long tail), and 2 of 111 fresh rows there too: a sample of
        // the same rate, not a broken feed. Twelve of 111 are.
        let mut tailed: Vec<f64> = (0..4321).map(|i| f64::from(i) / 43.21).collect();
        tailed.extend([400.0, 420.0, 450.0, 500.0]);
        let tailed = Sample::new(&tailed);
        let fresh = |far: usize| -> Vec<f64> {
            (0..111)
                .map(|i| {
                    if i < far {
                        450.0
                    } else {
                        f64::from(i as u32) * 0.9
                    }
                })
                .collect()
        };
        assert_eq!(beyond_range(&tailed, &Sample::new(&fresh(2))), Some(0.0));
        let twelve = beyond_range(&tailed, &Sample::new(&fresh(12))).unwrap();
        assert!((twelve - 12.0 / 111.0).abs() < 1e-12, "{twelve}");
        // Heavy tails of the same data stay inside: Pareto of index 0.5
        // (no finite mean), 5000 values each side.
        let mut state = 12345u64;
        let mut pareto = || {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let u = ((state >> 11) as f64 + 0.5) / (1u64 << 53) as f64;
            u.powf(-1.0 / 0.5)
        };
        let a: Vec<f64> = (0..5000).map(|_| pareto()).collect();
        let b: Vec<f64> = (0..5000).map(|_| pareto()).collect();
        let share = beyond_range(&Sample::new(&a), &Sample::new(&b)).unwrap();
        assert!(share < 0.01 / 2.0, "{share}");
        // Round 17, F3: a zero-inflated amount (1.2% non-zero) has values
        // far past its 1st-99th percentiles itself; fresh rows of it, with
        // a few more non-zero, are not far.
        let amounts = |nonzero: usize, n: usize| -> Vec<f64> {
            (0..n)
                .map(|i| {
                    if i < nonzero {
                        100.0 * 1.1f64.powi(i as i32)
                    } else {
                        0.0
                    }
                })
                .collect()
        };
        let zi = Sample::new(&amounts(60, 5000));
        assert_eq!(
            beyond_range(&zi, &Sample::new(&amounts(30, 2000))),
            Some(0.0)
        );
        // Far beyond what it shows itself, they count.
        let mut cents = amounts(30, 2000);
        cents[100..300].iter_mut().for_each(|x| *x = 1e6);
        let share = beyond_range(&zi, &Sample::new(&cents)).unwrap();
        assert!(share > 0.1, "{share}");
        // Round 16, F2: a sentinel in the reference does not widen it.
        let mut sentinel = reference.clone();
        sentinel[7] = 99999.0;
        assert_eq!(beyond_range(&Sample::new(&sentinel), &c), Some(0.1));
        // Round 18, F10: a sentinel on 2% of the reference rows is a code:
        // it neither sets the range nor counts as far in the test rows.
        let mut coded = reference.clone();
        coded.iter_mut().step_by(50).for_each(|x| *x = 99_999_999.0);
        assert_eq!(beyond_range(&Sample::new(&coded), &c), Some(0.1));
        let mut coded_test = c.sorted.clone();
        coded_test[..20].iter_mut().for_each(|x| *x = 99_999_999.0);
        assert_eq!(
            beyond_range(&Sample::new(&coded), &Sample::new(&coded_test)),
            Some(0.1)
        );
        // The same test rows without a unit error: nothing far.
        let mut fresh = reference.clone();
        fresh[..20].iter_mut().for_each(|x| *x = 99_999_999.0);
        assert_eq!(
            beyond_range(&Sample::new(&coded), &Sample::new(&fresh)),
            Some(0.0)
        );
        // A value repeated at the top of a steady range is no code.
        let capped: Vec<f64> = reference.iter().map(|x| x.min(95.0)).collect();
        assert_eq!(end_codes(&Sample::new(&capped).sorted).1, Vec::<f64>::new());
        // A code at the bottom (-1 for unknown) likewise.
        let mut low_code = reference.clone();
        low_code.iter_mut().step_by(40).for_each(|x| *x = -1e9);
        assert_eq!(beyond_range(&Sample::new(&low_code), &c), Some(0.1));
        // Too few reference values, or a constant reference: not judged.
        assert_eq!(beyond_range(&Sample::new(&reference[..100]), &c), None);
        assert_eq!(beyond_range(&Sample::new(&[3.0; 500]), &c), None);
        let report = compute(
            &table(vec![num("x", reference)]),
            &table(vec![num("x", current)]),
            &["x".to_string()],
            "ref",
        );
        assert_eq!(report.beyond_range.get("x"), Some(&0.1));
    }

    #[test]
    fn ks_matches_scipy() {
        // ks_2samp(REF, CUR).statistic, NaN removed first for the second pair
        close(ks_statistic(&REF, &CUR).unwrap(), 0.31666666666666665);
        close(ks_statistic(&REF2, &CUR2).unwrap(), 0.3034188034188034);
        close(ks_statistic(&REF, &CUR3).unwrap(), 0.325);
        assert_eq!(ks_statistic(&REF, &REF), Some(0.0));
    }

    #[test]
    fn no_two_samples_exceed_the_largest_psi() {
        let apart = psi_from_counts(&[10, 0, 0], 10, &[0, 0, 7], 7);
        assert!((apart - max_psi()).abs() < 1e-12, "{apart}");
        // python: 2 * (1 - 1e-6) * math.log(1 / 1e-6)
        assert!((max_psi() - 27.63099348490743).abs() < 1e-9);
    }

    #[test]
    fn identical_data_has_no_drift_and_a_shift_has_much() {
        let base: Vec<f64> = (0..1000).map(|i| f64::from(i % 97)).collect();
        assert_eq!(psi_numeric(&base, &base), Some(0.0));
        let shifted: Vec<f64> = base.iter().map(|x| x + 30.0).collect();
        assert!(psi_numeric(&base, &shifted).unwrap() > 0.2);
        assert!(ks_statistic(&base, &shifted).unwrap() > 0.2);
    }

    #[test]
    fn binary_and_few_valued_features_are_binned_per_value() {
        // 60% ones in the reference, 30% now: deciles of 0/1 data are one bin
        // (PSI 0 in the reference script); per-value bins see the shift.
        let reference: Vec<f64> = (0..100).map(|i| f64::from(u8::from(i < 60))).collect();
        let current: Vec<f64> = (0..100).map(|i| f64::from(u8::from(i < 30))).collect();
        let want = (0.7 - 0.4) * (0.7_f64 / 0.4).ln() + (0.3 - 0.6) * (0.3_f64 / 0.6).ln();
        close(psi_numeric(&reference, &current).unwrap(), want);
        assert!(want > 0.2);
        assert_eq!(psi_numeric(&reference, &reference), Some(0.0));
        // A value the reference never had (2, or 0.5 between 0 and 1) is a bin.
        let unseen = [0.0, 1.0, 2.0, 0.5];
        let r4 = [0.0, 1.0, 0.0, 1.0];
        let want = 2.0 * (0.25 - EPSILON) * (0.25 / EPSILON).ln()
            + 2.0 * (0.25 - 0.5) * (0.25_f64 / 0.5).ln();
        close(psi_numeric(&r4, &unseen).unwrap(), want);
        // A tiny reference of a few continuous values: deciles, so the
        // current values are not all "unseen".
        let tiny = [1.5, 2.5, 3.5, 4.5];
        assert!(psi_discrete(&Sample::new(&tiny), &Sample::new(&[1.6, 2.6])).is_none());
        // Ten distinct values still per value; eleven use deciles.
        let ten: Vec<f64> = (0..100).map(|i| f64::from(i % 10)).collect();
        let eleven: Vec<f64> = (0..110).map(|i| f64::from(i % 11)).collect();
        let mut r = Sample::new(&ten);
        assert!(psi_discrete(&r, &r).is_some());
        r = Sample::new(&eleven);
        assert!(psi_discrete(&r, &r).is_none());
        // A constant that moved.
        assert!(psi_numeric(&[2.0; 10], &[3.0; 10]).unwrap() > 10.0);
    }

    #[test]
    fn categorical_psi_counts_unseen_and_missing_as_bins() {
        let tenfold = |codes: &[u32]| -> Vec<u32> {
            codes
                .iter()
                .flat_map(|&c| std::iter::repeat_n(c, 10))
                .collect()
        };
        // Reference a,a,b,b; current a,b,c,c where c (code 2) is unseen.
        let got = psi_categorical(&tenfold(&[0, 0, 1, 1]), &tenfold(&[0, 1, 2, 2]), 3);
        let want =
            2.0 * (0.25 - 0.5) * (0.25_f64 / 0.5).ln() + (0.5 - EPSILON) * (0.5 / EPSILON).ln();
        close(got, want);
        // Missing is a bin of its own: half the current rows went missing.
        let got = psi_categorical(&tenfold(&[0, 1]), &tenfold(&[0, NULL_CODE]), 2);
        let want = (EPSILON - 0.5) * (EPSILON / 0.5).ln() + (0.5 - EPSILON) * (0.5 / EPSILON).ln();
        close(got, want);
        assert_eq!(
            psi_categorical(&[0, 1, NULL_CODE], &[1, NULL_CODE, 0], 2),
            0.0
        );
    }

    #[test]
    fn rare_levels_share_a_bin_so_a_random_split_is_not_drift() {
        // 600 levels over 2,000 rows (1 to 8 rows each), split 1,600/400:
        // a bin per level read this as PSI ~5 (round 7, m1).
        let mut state = 99u64;
        let codes: Vec<u32> = (0..2500)
            .map(|_| {
                state = state.wrapping_mul(6364136223846793005).wrapping_add(1);
                ((state >> 33) % 600) as u32
            })
            .collect();
        let (reference, current) = codes[..2000].split_at(1600);
        let psi = psi_categorical(reference, current, 600);
        assert!(psi < 0.1, "{psi}");
        // A category new to the current rows still moves "other".
        let mut grown = current.to_vec();
        grown[..160].fill(600);
        let psi = psi_categorical(reference, &grown, 601);
        assert!(psi > 0.25, "{psi}");
        // 100 levels of ~25 reference rows, split 2,000 / 500: only noise
        // (round 10, T5: a bin per level read PSI 0.25).
        let hundred: Vec<u32> = codes.iter().map(|&c| c % 100).collect();
        let (reference, current) = hundred[..2000].split_at(1500);
        let psi = psi_categorical(reference, current, 100);
        assert!(psi < 0.05, "{psi}");
        // All current rows on one rare level, or on ten: a collapse shows
        // (round 10 re-check: the pool hid it).
        let one = vec![current[0]; 400];
        assert!(psi_categorical(reference, &one, 600) > 1.0);
        let ten: Vec<u32> = (0..400).map(|i| current[i % 10]).collect();
        assert!(psi_categorical(reference, &ten, 600) > 1.0);
        // 50 levels of 2% each, the test rows collapsed onto 12 of them
        // (each under a tenth): the rare levels' groups show it (round 11,
        // U3: one pool read 0.13); the same levels fresh do not.
        let fifty: Vec<u32> = codes.iter().map(|&c| c % 50).collect();
        let (reference, fresh) = fifty[..2500].split_at(2000);
        assert!(psi_categorical(reference, fresh, 50) < 0.1);
        let twelve: Vec<u32> = fresh.iter().map(|&c| c % 12).collect();
        assert!(psi_categorical(reference, &twelve, 50) > 0.25);
        // Common levels keep their bins: a swap between two of them shows.
        let two: Vec<u32> = (0..200).map(|i| u32::from(i % 4 == 0)).collect();
        let swapped: Vec<u32> = two.iter().map(|&c| 1 - c).collect();
        assert!(psi_categorical(&two, &swapped, 2) > 1.0);
    }

    #[test]
    fn empty_and_degenerate_inputs_do_not_panic() {
        assert_eq!(psi_numeric(&[], &[]), None);
        assert_eq!(psi_numeric(&[NAN, NAN], &[1.0]), None);
        assert_eq!(psi_numeric(&REF, &[]), None);
        assert_eq!(psi_numeric(&[2.0, 2.0], &[2.0]), Some(0.0)); // constant: 3 bins
        assert_eq!(ks_statistic(&[], &[1.0]), None);
        assert_eq!(ks_statistic(&[NAN], &[1.0]), None);
        assert_eq!(psi_categorical(&[], &[], 0), 0.0);
        assert!(psi_categorical(&[], &[0], 1) > 0.0);
        assert_eq!(psi_categorical(&[7], &[7], 1), 0.0); // a code past n_levels
        let inf = [f64::NEG_INFINITY, 1.0, 2.0, 3.0, f64::INFINITY];
        assert!(psi_numeric(&inf, &inf).is_some_and(|p| p.abs() < 1e-12));
        let empty = compute(
            &Table::default(),
            &Table::default(),
            &["x".into()],
            "training split",
        );
        assert!(empty.psi.is_empty() && empty.ranked.is_empty());
    }

    fn num(name: &str, v: Vec<f64>) -> Column {
        Column {
            name: name.into(),
            dtype: DType::Float,
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

    #[test]
    fn row_subsets_equal_copied_tables() {
        let t = table(vec![
            num("x", (0..300).map(|i| f64::from(i % 37) * 1.5).collect()),
            cat(
                "c",
                &["a", "b", "c"],
                (0..300).map(|i| (i * 7) % 3).collect(),
            ),
            num(
                "n",
                (0..300)
                    .map(|i| if i % 5 == 0 { f64::NAN } else { f64::from(i) })
                    .collect(),
            ),
        ]);
        let train: Vec<usize> = (0..300).filter(|i| i % 4 != 0).collect();
        let test: Vec<usize> = (0..300).filter(|i| i % 4 == 0).rev().collect();
        let names: Vec<String> = ["x", "c", "n"].map(String::from).into();
        let copied = compute(&t.take(&train), &t.take(&test), &names, "training split");
        let viewed = compute_rows(
            Rows::some(&t, &train),
            Rows::some(&t, &test),
            &names,
            "training split",
        );
        assert_eq!(copied, viewed);
        assert!(viewed.psi.len() == 3 && viewed.ks.len() == 2);
    }

    #[test]
    fn compute_maps_levels_by_text_and_ranks_by_psi() {
        let base: Vec<f64> = (0..200).map(f64::from).collect();
        let moved: Vec<f64> = base.iter().map(|x| x + 100.0).collect();
        let reference = table(vec![
            num("same", base.clone()),
            num("moved", base.clone()),
            num("constant", vec![1.0; 200]),
            cat("plan", &["a", "b"], (0..200).map(|i| i % 2).collect()),
        ]);
        // Same plan distribution, levels numbered the other way round.
        let current = table(vec![
            num("same", base),
            num("moved", moved),
            num("constant", vec![1.0; 200]),
            cat("plan", &["b", "a"], (0..200).map(|i| i % 2).collect()),
        ]);
        let names: Vec<String> = ["same", "moved", "constant", "plan", "absent"]
            .map(String::from)
            .into();
        let r = compute(&reference, &current, &names, "training split");
        assert_eq!(r.reference, "training split");
        assert_eq!(r.psi["same"], 0.0);
        assert_eq!(r.psi["plan"], 0.0);
        assert_eq!(r.psi["constant"], 0.0);
        assert!(r.psi["moved"] > 0.2);
        assert!(!r.psi.contains_key("absent"));
        assert_eq!(r.ks["moved"], 0.5);
        assert!(!r.ks.contains_key("plan"));
        assert_eq!(r.ranked, ["moved", "constant", "plan", "same"]);
    }

    #[test]
    fn a_constant_reference_still_shows_a_moved_column() {
        let reference = table(vec![num("x", vec![0.0; 50])]);
        let current = table(vec![num("x", vec![5.0; 50])]);
        let r = compute(&reference, &current, &["x".into()], "ref.csv");
        assert!(r.psi["x"] > 0.2);
    }

    #[test]
    fn unseen_category_in_current_table() {
        let tenfold = |codes: &[u32]| -> Vec<u32> {
            codes
                .iter()
                .flat_map(|&c| std::iter::repeat_n(c, 10))
                .collect()
        };
        let reference = table(vec![cat("c", &["x", "y"], tenfold(&[0, 1, 0, 1]))]);
        let current = table(vec![cat("c", &["z", "x"], tenfold(&[1, 0, 0, NULL_CODE]))]);
        let r = compute(&reference, &current, &["c".into()], "training split");
        // x: .5 -> .25, y: .5 -> 0, z: 0 -> .5, missing: 0 -> .25
        let term = |e: f64, a: f64| {
            (a.max(EPSILON) - e.max(EPSILON)) * (a.max(EPSILON) / e.max(EPSILON)).ln()
        };
        close(
            r.psi["c"],
            term(0.5, 0.25) + term(0.5, 0.0) + term(0.0, 0.5) + term(0.0, 0.25),
        );
    }

    #[test]
    fn numeric_against_text_is_not_compared() {
        // As text, numbers are distinct levels: PSI 0 whatever moved
        // (round 15, F2). The feature is named as not compared instead.
        let reference = table(vec![num("c", vec![1.0, 2.0])]);
        let current = table(vec![cat("c", &["2", "-"], vec![1, 0])]);
        let r = compute(&reference, &current, &["c".into()], "training split");
        assert!(!r.psi.contains_key("c"));
        assert_eq!(r.not_compared, vec!["c".to_string()]);
        let r = compute(&current, &reference, &["c".into()], "training split");
        assert_eq!(r.not_compared, vec!["c".to_string()]);
    }
}
