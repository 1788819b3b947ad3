//! Exclusive feature bundling (LightGBM's EFB, without its conflict budget):
//! features that are never off bin 0 in the same row (the columns of one
//! one-hot encoded text column, mostly) share one histogram "group", so a
//! node's histograms cost one update per group and row instead of one per
//! feature. The groups' codes are stored row-major, a row's codes in one
//! cache line.
//!
//! In a group, member `f`'s code `c > 0` becomes `base_f + c` and a row with
//! every member at bin 0 gets code 0. A member's bins `1..` are read back
//! from the group's histogram; its bin 0 is the node's total minus them. A
//! feature alone in its group keeps its own codes and is read back as is.
//! Bundling is exact: a single shared row would make two features conflict.

use crate::model::binning::{Binned, MAX_BINS};
use rayon::prelude::*;

/// Features whose bin 0 holds less than this share of the rows are not
/// offered for bundling: they would conflict with any other feature, and
/// checking costs a pass over their rows.
const SPARSE_ENOUGH: f64 = 0.5;

/// Where a feature's bins live in its slot's histogram.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct Member {
    pub slot: usize,
    /// The slot code of the feature's code `c > 0` is `base + c`.
    pub base: usize,
    /// Alone in its slot: the slot's histogram is the feature's.
    pub alone: bool,
}

/// A slot (one feature, or a bundle of exclusive ones) within its group.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct Slot {
    pub group: usize,
    /// The group code is the sum of `stride * slot code` over its slots.
    pub stride: usize,
    pub bins: usize,
    /// Alone in its group: the group's histogram is the slot's.
    pub alone: bool,
    /// The slot's bins start here in the slots' histograms.
    pub offset: usize,
}

/// The feature groups of a binned table and their row-major codes.
pub(super) struct Bundles {
    pub n_groups: usize,
    /// Bins per group.
    pub bins: Vec<usize>,
    pub slots: Vec<Slot>,
    /// All slots' bins.
    pub slot_bins: usize,
    /// Per feature.
    pub member: Vec<Member>,
    /// `codes[i * n_groups + g]`: row `i`'s code in group `g`.
    pub codes: Vec<u8>,
}

impl Bundles {
    /// Bundles features greedily in feature order into slots: a feature joins
    /// the first slot it shares no row with (off bin 0) and whose codes still
    /// fit in a u8, else starts a slot. Then slots are packed, again first
    /// fit in order, into groups whose bin counts multiply to at most 256 (a
    /// group's histogram is the joint one of its slots, each slot's is read
    /// back by summing over the others). Deterministic: no thread count is
    /// involved.
    pub fn new(data: &Binned) -> Bundles {
        let (rows, cols) = (data.rows, data.cols);
        // Per slot: its bins and, when bundleable, a bitmap of the rows some
        // member has off bin 0.
        let mut slots: Vec<(Vec<usize>, usize, Option<Vec<u64>>)> = Vec::new();
        let mut member = Vec::with_capacity(cols);
        // Per feature, a bitmap of its rows off bin 0 (built without
        // branches: whether a code is 0 is a coin flip for the predictor).
        let off: Vec<Vec<u64>> = (0..cols)
            .into_par_iter()
            .map(|f| {
                data.col(f)
                    .chunks(64)
                    .map(|w| {
                        w.iter()
                            .enumerate()
                            .fold(0u64, |a, (k, &c)| a | u64::from(c != 0) << k)
                    })
                    .collect()
            })
            .collect();
        for (f, off) in off.iter().enumerate() {
            let nb = data.n_bins(f);
            if nb > 1 {
                let nz: u32 = off.iter().map(|w| w.count_ones()).sum();
                if f64::from(nz) >= SPARSE_ENOUGH * rows as f64 {
                    // Dense: a slot of its own, never shared.
                    member.push(Member {
                        slot: slots.len(),
                        base: 0,
                        alone: true,
                    });
                    slots.push((vec![f], nb, None));
                    continue;
                }
            }
            let fits = slots.iter().position(|(_, bins, used)| {
                used.as_ref().is_some_and(|u| {
                    bins + nb - 1 <= MAX_BINS && u.iter().zip(off).all(|(a, b)| a & b == 0)
                })
            });
            let s = fits.unwrap_or_else(|| {
                slots.push((Vec::new(), 1, Some(vec![0u64; off.len()])));
                slots.len() - 1
            });
            let (members, bins, used) = &mut slots[s];
            member.push(Member {
                slot: s,
                base: *bins - 1,
                alone: false,
            });
            members.push(f);
            *bins += nb - 1;
            if let Some(u) = used {
                u.iter_mut().zip(off).for_each(|(a, b)| *a |= b);
            }
        }
        // A bundleable slot that ended up with one member is stored as is.
        for (s, (members, _, _)) in slots.iter().enumerate() {
            if let [f] = members[..] {
                member[f] = Member {
                    slot: s,
                    base: 0,
                    alone: true,
                };
            }
        }
        let mut bins: Vec<usize> = Vec::new();
        let mut slot_of = Vec::with_capacity(slots.len());
        let mut offset = 0;
        for (_, nb, _) in &slots {
            let g = bins
                .iter()
                .position(|&b| b * nb <= MAX_BINS)
                .unwrap_or_else(|| {
                    bins.push(1);
                    bins.len() - 1
                });
            slot_of.push(Slot {
                group: g,
                stride: bins[g],
                bins: *nb,
                alone: false,
                offset,
            });
            offset += nb;
            bins[g] *= nb;
        }
        for s in 0..slot_of.len() {
            let g = slot_of[s].group;
            slot_of[s].alone = slot_of.iter().filter(|t| t.group == g).count() == 1;
        }
        let n_groups = bins.len();
        // Per feature, what each of its codes adds to its group's code: at
        // most one member of a slot is off bin 0 in a row, and the slots'
        // strided codes are disjoint, so the sum stays below the group's
        // bins. A table, as a branch on `code != 0` would mispredict.
        let add: Vec<[u8; MAX_BINS]> = member
            .iter()
            .map(|m| {
                let s = slot_of[m.slot];
                let mut t = [0u8; MAX_BINS];
                for (c, v) in t.iter_mut().enumerate().skip(1) {
                    *v = ((m.base + c) * s.stride).min(MAX_BINS - 1) as u8;
                }
                t
            })
            .collect();
        let mut codes = vec![0u8; rows * n_groups];
        if n_groups > 0 {
            // Blocks of rows, each filled feature by feature: the column
            // reads stay sequential and the block stays in cache.
            const BLOCK: usize = 4096;
            codes
                .par_chunks_mut(BLOCK * n_groups)
                .enumerate()
                .for_each(|(b, block)| {
                    let i0 = b * BLOCK;
                    for (f, (m, add)) in member.iter().zip(&add).enumerate() {
                        let g = slot_of[m.slot].group;
                        let col = &data.col(f)[i0..i0 + block.len() / n_groups];
                        for (row, &c) in block.chunks_exact_mut(n_groups).zip(col) {
                            row[g] += add[usize::from(c)];
                        }
                    }
                });
        }
        Bundles {
            n_groups,
            bins,
            slots: slot_of,
            slot_bins: offset,
            member,
            codes,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::features::Matrix;
    use crate::model::grow::SplitMix64;

    #[test]
    fn every_feature_code_reads_back_from_its_group() {
        let mut rng = SplitMix64::new(4);
        let rows: Vec<Vec<f64>> = (0..3000)
            .map(|_| {
                let mut r = vec![0.0; 14];
                r[rng.below(5)] = 1.0; // one-hot, 5 levels
                r[5 + rng.below(3)] = 1.0; // one-hot, 3 levels
                r[8] = rng.below(2) as f64;
                r[9] = if rng.below(3) == 0 { f64::NAN } else { 1.0 };
                r[10] = rng.below(7) as f64;
                r[11] = rng.below(100_000) as f64; // quantile bins, dense
                r[12] = 3.0; // constant
                r[13] = if rng.below(50) == 0 { 2.0 } else { 0.0 }; // sparse
                r
            })
            .collect();
        let data = Binned::new(&Matrix::from_rows(&rows), 255);
        let b = Bundles::new(&data);
        assert!(b.n_groups < data.cols, "{} groups", b.n_groups);
        assert!(b.bins.iter().all(|&n| (1..=MAX_BINS).contains(&n)));
        for (f, m) in b.member.iter().enumerate() {
            let s = b.slots[m.slot];
            for (i, &c) in data.col(f).iter().enumerate() {
                let code = usize::from(b.codes[i * b.n_groups + s.group]) / s.stride % s.bins;
                let back = if m.alone {
                    code
                } else if code > m.base && code < m.base + data.n_bins(f) {
                    code - m.base
                } else {
                    0
                };
                assert_eq!(back, usize::from(c), "feature {f} row {i}");
            }
        }
    }
}
