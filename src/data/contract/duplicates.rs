//! The contract's `max_duplicate_fraction`: rows equal to an earlier row,
//! as pandas `df.duplicated()` counts them.
use super::{plain_violation, rows_text, MAX_EXAMPLES};
use crate::data::table::{Column, Table, Values};
use crate::domain::Violation;
use rayon::prelude::*;

pub(super) fn duplicates(t: &Table, max: f64) -> Option<Violation> {
    let n = t.columns.iter().map(Column::len).min().unwrap_or(0);
    let n = n.min(t.n_rows);
    if n == 0 {
        return None;
    }
    let mut dups = duplicate_rows(t, n);
    let fraction = dups.len() as f64 / n as f64;
    if fraction <= max {
        return None;
    }
    dups.sort_unstable();
    let shown = &dups[..dups.len().min(MAX_EXAMPLES)];
    let examples = shown
        .iter()
        .map(|&(_, p)| serde_json::json!({ "duplicate_of": p }))
        .collect();
    let rows = shown.iter().map(|&(r, _)| r as u64).collect();
    let &(r0, p0) = dups.first()?;
    let message = format!(
        "*: {} of {n} duplicate an earlier row ({:.2}%), above max_duplicate_fraction {max} (e.g. row {r0} repeats row {p0})",
        rows_text(dups.len() as u64),
        fraction * 100.0
    );
    let count = dups.len() as u64;
    Some(Violation {
        examples,
        rows,
        ..plain_violation("*", "max_duplicate_fraction", count, message)
    })
}

/// (row, earlier equal row) for every row identical to an earlier row. Rows
/// are hashed column by column (cache friendly for wide tables), sorted by
/// hash, and equal hashes are confirmed by comparing the rows, so a hash
/// collision can never invent a duplicate.
fn duplicate_rows(t: &Table, n: usize) -> Vec<(usize, usize)> {
    // (hash, row) pairs sorted in place: contiguous, no lookups while sorting.
    let mut order: Vec<(u64, usize)> = row_hashes(t, n).into_iter().zip(0..n).collect();
    order.par_sort_unstable();
    let mut dups = Vec::new();
    for group in order.chunk_by(|a, b| a.0 == b.0) {
        // Distinct rows of this hash, in row order: the first equal one is
        // the earliest occurrence.
        let mut firsts: Vec<usize> = Vec::new();
        for &(_, r) in group {
            match firsts.iter().find(|&&p| rows_equal(t, p, r)) {
                Some(&p) => dups.push((r, p)),
                None => firsts.push(r),
            }
        }
    }
    dups
}

fn row_hashes(t: &Table, n: usize) -> Vec<u64> {
    let mut hashes = vec![0x9e37_79b9_7f4a_7c15_u64; n];
    // Row blocks in parallel; within a block, column by column.
    hashes
        .par_chunks_mut(1 << 14)
        .enumerate()
        .for_each(|(b, block)| {
            let r0 = b << 14;
            let rows = r0..r0 + block.len();
            for col in &t.columns {
                match &col.values {
                    Values::Num(v) => {
                        for (h, &x) in block.iter_mut().zip(&v[rows.clone()]) {
                            *h = mix(*h ^ norm_bits(x));
                        }
                    }
                    Values::Cat { codes, .. } => {
                        for (h, &c) in block.iter_mut().zip(&codes[rows.clone()]) {
                            *h = mix(*h ^ u64::from(c));
                        }
                    }
                }
            }
        });
    hashes
}

fn rows_equal(t: &Table, a: usize, b: usize) -> bool {
    t.columns.iter().all(|c| match &c.values {
        Values::Num(v) => norm_bits(v[a]) == norm_bits(v[b]),
        Values::Cat { codes, .. } => codes[a] == codes[b],
    })
}

/// splitmix64's finalizer: cheap, and spreads every input bit.
fn mix(mut x: u64) -> u64 {
    x ^= x >> 30;
    x = x.wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x ^= x >> 27;
    x = x.wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^ (x >> 31)
}

/// Bits under which equal numbers are equal: one NaN, and -0 == 0.
pub(super) fn norm_bits(x: f64) -> u64 {
    if x.is_nan() {
        f64::NAN.to_bits()
    } else if x == 0.0 {
        0
    } else {
        x.to_bits()
    }
}
