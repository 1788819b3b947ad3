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

/// Where a feature's bins live in its group's histogram.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct Member {
    pub group: usize,
    /// The group code of the feature's code `c > 0` is `base + c`.
    pub base: usize,
    /// Alone in its group: the group's histogram is the feature's.
    pub alone: bool,
}

/// The feature groups of a binned table and their row-major codes.
pub(super) struct Bundles {
    pub n_groups: usize,
    /// Bins per group.
    pub bins: Vec<usize>,
    /// Per feature.
    pub member: Vec<Member>,
    /// `codes[i * n_groups + g]`: row `i`'s code in group `g`.
    pub codes: Vec<u8>,
}

impl Bundles {
    /// Groups features greedily in feature order: a feature joins the first
    /// group it shares no row with (off bin 0) and whose codes still fit in
    /// a u8, else starts a group. Deterministic: no thread count involved.
    pub fn new(data: &Binned) -> Bundles {
        let (rows, cols) = (data.rows, data.cols);
        // Per group: its features and, for bundleable groups, a bitmap of
        // the rows some member has off bin 0.
        let mut groups: Vec<(Vec<usize>, usize, Option<Vec<u64>>)> = Vec::new();
        let mut member = Vec::with_capacity(cols);
        for f in 0..cols {
            let nb = data.n_bins(f);
            let col = data.col(f);
            let off: Vec<u32> = if nb > 1 {
                let nz = col.iter().filter(|&&c| c != 0).count();
                if (nz as f64) < SPARSE_ENOUGH * rows as f64 {
                    (0..rows as u32).filter(|&i| col[i as usize] != 0).collect()
                } else {
                    // Dense: a group of its own, never shared.
                    member.push(Member {
                        group: groups.len(),
                        base: 0,
                        alone: true,
                    });
                    groups.push((vec![f], nb, None));
                    continue;
                }
            } else {
                Vec::new()
            };
            let fits = groups.iter().position(|(_, bins, used)| {
                used.as_ref().is_some_and(|u| {
                    bins + nb - 1 <= MAX_BINS
                        && off.iter().all(|&i| u[i as usize / 64] >> (i % 64) & 1 == 0)
                })
            });
            let g = fits.unwrap_or_else(|| {
                groups.push((Vec::new(), 1, Some(vec![0u64; rows.div_ceil(64)])));
                groups.len() - 1
            });
            let (members, bins, used) = &mut groups[g];
            member.push(Member {
                group: g,
                base: *bins - 1,
                alone: false,
            });
            members.push(f);
            *bins += nb - 1;
            if let Some(u) = used {
                off.iter()
                    .for_each(|&i| u[i as usize / 64] |= 1 << (i % 64));
            }
        }
        // A bundleable group that ended up with one member is stored as is.
        for (g, (members, _, _)) in groups.iter().enumerate() {
            if let [f] = members[..] {
                member[f] = Member {
                    group: g,
                    base: 0,
                    alone: true,
                };
            }
        }
        let n_groups = groups.len();
        let bins = groups.iter().map(|(_, b, _)| *b).collect();
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
                    for (f, m) in member.iter().enumerate() {
                        let col = &data.col(f)[i0..i0 + block.len() / n_groups];
                        for (row, &c) in block.chunks_exact_mut(n_groups).zip(col) {
                            // Within a group at most one member is off bin 0
                            // in a row, so this writes each code once.
                            if c != 0 || m.alone {
                                row[m.group] = (m.base + usize::from(c)) as u8;
                            }
                        }
                    }
                });
        }
        Bundles {
            n_groups,
            bins,
            member,
            codes,
        }
    }
}
