//! Growing one boosted tree: per-node histograms of (gradient, hessian, rows)
//! over binned features, the Newton split gain, and the NaN direction.
//!
//! A node's histograms are built row-wise: one pass over the node's rows adds
//! each row to one bin of every feature group (row-major codes, see
//! `bundle.rs`), so a row's gradient is loaded once and consecutive updates
//! hit different bins instead of waiting on each other; the groups'
//! histograms are then split into the features'. The rows are cut into chunks whose size depends
//! only on the node's row count; chunks are summed in parallel (rayon) into
//! partial histograms that are then added in chunk order, so the sums do not
//! depend on the thread count. Of two children, only the smaller one's histogram is built; the
//! larger one's is the parent's minus it. Nodes that cannot be split (depth
//! limit, fewer than `2 * min_samples_leaf` rows) get no histogram at all.
//!
//! Split gain is `GL²/(HL+λ) + GR²/(HR+λ) - G²/(H+λ)`; a split needs a
//! positive gain, `min_samples_leaf` rows and [`MIN_HESS`] hessian on each
//! side. For every cut the NaN rows are tried on the right, then on the left;
//! ties keep the first candidate (lowest feature, lowest bin, NaN right).

use super::bundle::Bundles;
use super::GbmTree;
use crate::model::binning::{Binned, MAX_BINS};
use crate::model::node::Node;
use rayon::prelude::*;

/// Least hessian in a child (LightGBM's `min_sum_hessian_in_leaf` default):
/// keeps leaf values finite when `l2 = 0` and a child is nearly pure.
pub(super) const MIN_HESS: f64 = 1e-3;

/// Most chunks a node's rows are cut into for its histograms: enough for
/// load balance, few enough that the partial histograms stay small.
const MAX_CHUNKS: usize = 32;
/// Fewest rows in a histogram chunk: smaller ones cost more in zeroing and
/// adding partial histograms than they save.
const MIN_CHUNK: usize = 2048;
/// Rows per parallel task when partitioning a node's rows.
const PARTITION_CHUNK: usize = 16384;

/// Growing limits resolved from `GbmParams`.
pub(super) struct Limits {
    pub max_depth: usize,
    pub min_leaf: f64,
    pub l2: f64,
    pub learning_rate: f64,
}

/// Sums over a set of rows: gradient, hessian, and row count (an integer
/// stored as f64, exact below 2^53).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
struct Sums {
    g: f64,
    h: f64,
    n: f64,
}

impl Sums {
    fn add(&mut self, o: &Sums) {
        self.g += o.g;
        self.h += o.h;
        self.n += o.n;
    }

    fn minus(&self, o: &Sums) -> Sums {
        Sums {
            g: self.g - o.g,
            h: self.h - o.h,
            n: self.n - o.n,
        }
    }
}

/// A node waiting to be expanded: its rows are `idx[start..end]`.
struct Task {
    node: usize,
    start: usize,
    end: usize,
    depth: usize,
    sums: Sums,
    hist: Option<Vec<Sums>>,
}

/// The best split of a node: left is `code <= bin` of `feature` (NaN rows
/// per `nan_left`).
#[derive(Debug, Clone, Copy)]
struct Split {
    gain: f64,
    feature: usize,
    bin: usize,
    nan_left: bool,
    left: Sums,
}

/// A grown tree, its leaves as `(node, start, end)` ranges of the returned
/// row order, and that order (the sampled rows, partitioned by leaf).
pub(super) type Grown = (GbmTree, Vec<(usize, usize, usize)>, Vec<u32>);

/// The binned training rows: column-major (partitions read one feature) and
/// bundled row-major (histograms read every feature group of a row).
#[derive(Clone, Copy)]
pub(super) struct Codes<'a> {
    pub binned: &'a Binned,
    pub bundles: &'a Bundles,
}

/// Grows one tree on `rows` (ascending) and the candidate `features`
/// (ascending), with per-row (gradient, hessian).
pub(super) fn grow(
    codes: Codes,
    gh: &[[f64; 2]],
    rows: Vec<u32>,
    features: &[usize],
    cfg: &Limits,
) -> Grown {
    let data = codes.binned;
    let bundles = codes.bundles;
    // The groups holding a candidate feature, and where each one's bins
    // start in a node's group histograms.
    let mut gpos = vec![usize::MAX; bundles.n_groups];
    features
        .iter()
        .for_each(|&j| gpos[bundles.slots[bundles.member[j].slot].group] = 0);
    let groups: Vec<usize> = (0..bundles.n_groups).filter(|&g| gpos[g] == 0).collect();
    let mut goff = Vec::with_capacity(groups.len() + 1);
    goff.push(0);
    for (k, &g) in groups.iter().enumerate() {
        gpos[g] = k;
        goff.push(goff[k] + bundles.bins[g]);
    }
    let mut offsets = Vec::with_capacity(features.len() + 1);
    offsets.push(0);
    for &j in features {
        offsets.push(offsets[offsets.len() - 1] + data.n_bins(j));
    }
    let mut sums = Sums::default();
    for &i in &rows {
        let [g, h] = gh[i as usize];
        sums.add(&Sums { g, h, n: 1.0 });
    }
    let n = rows.len();
    let mut g = Grower {
        data,
        bundles,
        groups,
        gpos,
        goff,
        gh,
        features,
        offsets,
        cfg,
        idx: rows,
        spill: Vec::new(),
        parts: Vec::new(),
        slot_hist: Vec::new(),
        tree: GbmTree {
            nodes: Vec::new(),
            nan_left: Vec::new(),
            cover: Vec::new(),
        },
        leaves: Vec::new(),
    };
    g.push_node(&sums);
    let mut stack = vec![Task {
        node: 0,
        start: 0,
        end: n,
        depth: 0,
        sums,
        hist: None,
    }];
    while let Some(t) = stack.pop() {
        g.expand(t, &mut stack);
    }
    (g.tree, g.leaves, g.idx)
}

struct Grower<'a> {
    data: &'a Binned,
    bundles: &'a Bundles,
    /// The groups holding a candidate feature, ascending.
    groups: Vec<usize>,
    /// Per group, its index in `groups` (`usize::MAX` when not there).
    gpos: Vec<usize>,
    /// Group `groups[k]`'s bins are `parts[goff[k]..goff[k + 1]]` in a chunk.
    goff: Vec<usize>,
    gh: &'a [[f64; 2]],
    features: &'a [usize],
    /// Feature `features[k]`'s bins are `hist[offsets[k]..offsets[k + 1]]`.
    offsets: Vec<usize>,
    cfg: &'a Limits,
    /// Sampled rows grouped by node, ascending within each node.
    idx: Vec<u32>,
    spill: Vec<u32>,
    /// Scratch: one partial group histogram per chunk of a node's rows.
    parts: Vec<Sums>,
    /// Scratch: the slots' histograms of a node.
    slot_hist: Vec<Sums>,
    tree: GbmTree,
    leaves: Vec<(usize, usize, usize)>,
}

impl Grower<'_> {
    /// Appends a node that is a leaf until split.
    fn push_node(&mut self, s: &Sums) {
        let value = -s.g / (s.h + self.cfg.l2) * self.cfg.learning_rate;
        self.tree.nodes.push(Node {
            feature: 0,
            left: 0,
            threshold: 0.0,
            value,
        });
        self.tree.nan_left.push(false);
        self.tree.cover.push(s.n);
    }

    /// Whether a node at `depth` with `s` may be split (and so needs a histogram).
    fn splittable(&self, depth: usize, s: &Sums) -> bool {
        depth < self.cfg.max_depth && s.n >= 2.0 * self.cfg.min_leaf && s.h >= 2.0 * MIN_HESS
    }

    fn expand(&mut self, t: Task, stack: &mut Vec<Task>) {
        if !self.splittable(t.depth, &t.sums) {
            self.leaves.push((t.node, t.start, t.end));
            return;
        }
        let hist = match t.hist {
            Some(h) => h,
            None => self.build_hist(t.start, t.end, &t.sums),
        };
        let Some(s) = self.best_split(&hist, &t.sums) else {
            self.leaves.push((t.node, t.start, t.end));
            return;
        };
        let right = t.sums.minus(&s.left);
        // With no NaN here the direction is free: the larger child takes it.
        let nan_left = if self.data.nan[s.feature] && self.nan_rows(&hist, &s) > 0.0 {
            s.nan_left
        } else {
            s.left.n >= right.n
        };
        let mid = self.partition(t.start, t.end, &s, nan_left);
        let l = self.tree.nodes.len();
        let nv = self.data.edges[s.feature].len() + 1;
        let node = &mut self.tree.nodes[t.node];
        node.feature = s.feature as u32;
        node.left = l as u32;
        // `code <= bin` is `x <= edges[bin]`; the last value bin holds every
        // value, so a cut there (NaN apart) takes them all.
        node.threshold = if s.bin + 1 < nv {
            self.data.edges[s.feature][s.bin]
        } else {
            f64::MAX
        };
        self.tree.nan_left[t.node] = nan_left;
        self.push_node(&s.left);
        self.push_node(&right);
        let depth = t.depth + 1;
        let (lh, rh) = self.child_hists(hist, (t.start, mid, t.end), depth, &s.left, &right);
        stack.push(Task {
            node: l + 1,
            start: mid,
            end: t.end,
            depth,
            sums: right,
            hist: rh,
        });
        stack.push(Task {
            node: l,
            start: t.start,
            end: mid,
            depth,
            sums: s.left,
            hist: lh,
        });
    }

    /// NaN rows of the split feature in the node.
    fn nan_rows(&self, hist: &[Sums], s: &Split) -> f64 {
        let k = self.features.partition_point(|&j| j < s.feature);
        let nv = self.data.edges[s.feature].len() + 1;
        hist[self.offsets[k] + nv].n
    }

    /// Children's histograms where they will be needed: the smaller child's
    /// is built, the larger's is the parent's minus it.
    fn child_hists(
        &mut self,
        mut parent: Vec<Sums>,
        (start, mid, end): (usize, usize, usize),
        depth: usize,
        ls: &Sums,
        rs: &Sums,
    ) -> (Option<Vec<Sums>>, Option<Vec<Sums>>) {
        let (need_l, need_r) = (self.splittable(depth, ls), self.splittable(depth, rs));
        let left_small = mid - start <= end - mid;
        let (need_small, need_big) = if left_small {
            (need_l, need_r)
        } else {
            (need_r, need_l)
        };
        if !need_small && !need_big {
            return (None, None);
        }
        let small = if left_small {
            self.build_hist(start, mid, ls)
        } else {
            self.build_hist(mid, end, rs)
        };
        let big = need_big.then(|| {
            parent
                .iter_mut()
                .zip(&small)
                .for_each(|(p, s)| *p = p.minus(s));
            parent
        });
        let small = need_small.then_some(small);
        if left_small {
            (small, big)
        } else {
            (big, small)
        }
    }

    /// Histograms of every candidate feature over `idx[start..end]`, whose
    /// sums are `total`.
    fn build_hist(&mut self, start: usize, end: usize, total: &Sums) -> Vec<Sums> {
        let idx = &self.idx[start..end];
        let gb = self.goff[self.goff.len() - 1];
        let chunk = idx.len().div_ceil(MAX_CHUNKS).max(MIN_CHUNK);
        let n_chunks = idx.len().div_ceil(chunk).max(1);
        self.parts.clear();
        self.parts.resize(n_chunks * gb, Sums::default());
        let (b, gh, groups) = (self.bundles, self.gh, &self.groups[..]);
        let goff = &self.goff[..groups.len()];
        self.parts
            .par_chunks_mut(gb.max(1))
            .zip(idx.par_chunks(chunk))
            .for_each(|(h, part)| fill_rows(&b.codes, b.n_groups, groups, goff, part, gh, h));
        let (hist, rest) = self.parts.split_at_mut(gb);
        for c in rest.chunks_exact(gb.max(1)) {
            hist.iter_mut().zip(c).for_each(|(o, p)| o.add(p));
        }
        // The slots' histograms, each group's summed over its other slots.
        self.slot_hist.clear();
        self.slot_hist.resize(b.slot_bins, Sums::default());
        for slot in &b.slots {
            let k = self.gpos[slot.group];
            if k == usize::MAX {
                continue;
            }
            let group = &hist[self.goff[k]..self.goff[k + 1]];
            let dst = &mut self.slot_hist[slot.offset..slot.offset + slot.bins];
            if slot.alone {
                dst.copy_from_slice(group);
            } else {
                for (code, v) in group.iter().enumerate() {
                    if v.n != 0.0 {
                        dst[code / slot.stride % slot.bins].add(v);
                    }
                }
            }
        }
        let mut out = vec![Sums::default(); self.offsets[self.offsets.len() - 1]];
        for (k, &j) in self.features.iter().enumerate() {
            let m = b.member[j];
            let src = &self.slot_hist[b.slots[m.slot].offset..];
            let dst = &mut out[self.offsets[k]..self.offsets[k + 1]];
            if m.alone {
                dst.copy_from_slice(&src[..dst.len()]);
            } else {
                // Bin 0 shares the slot's bin 0 with the other members.
                let mut rest = Sums::default();
                for (c, d) in dst.iter_mut().enumerate().skip(1) {
                    *d = src[m.base + c];
                    rest.add(d);
                }
                dst[0] = total.minus(&rest);
            }
        }
        out
    }

    /// The best split over all candidate features (features in parallel,
    /// reduced in feature order).
    fn best_split(&self, hist: &[Sums], total: &Sums) -> Option<Split> {
        let found: Vec<Option<Split>> = self
            .features
            .par_iter()
            .enumerate()
            .map(|(k, &j)| {
                let h = &hist[self.offsets[k]..self.offsets[k + 1]];
                self.best_in_feature(h, j, total)
            })
            .collect();
        let mut best: Option<Split> = None;
        for s in found.into_iter().flatten() {
            if best.is_none_or(|b| s.gain > b.gain) {
                best = Some(s);
            }
        }
        best
    }

    fn best_in_feature(&self, h: &[Sums], feature: usize, total: &Sums) -> Option<Split> {
        let c = self.cfg;
        let nv = self.data.edges[feature].len() + 1;
        let nan = if self.data.nan[feature] {
            h[nv]
        } else {
            Sums::default()
        };
        let score = |s: &Sums| s.g * s.g / (s.h + c.l2);
        let parent = score(total);
        let mut best: Option<Split> = None;
        let mut left = Sums::default();
        for (bin, b) in h[..nv].iter().enumerate() {
            if b.n == 0.0 {
                continue; // same partition as the previous non-empty bin
            }
            left.add(b);
            for nan_left in [false, true] {
                if nan_left && nan.n == 0.0 {
                    continue;
                }
                let mut l = left;
                if nan_left {
                    l.add(&nan);
                }
                let r = total.minus(&l);
                if l.n < c.min_leaf || r.n < c.min_leaf || l.h < MIN_HESS || r.h < MIN_HESS {
                    continue;
                }
                let gain = score(&l) + score(&r) - parent;
                if gain > 0.0 && best.is_none_or(|b| gain > b.gain) {
                    best = Some(Split {
                        gain,
                        feature,
                        bin,
                        nan_left,
                        left: l,
                    });
                }
            }
        }
        best
    }

    /// Stable partition of `idx[start..end]`: rows going left first. Returns
    /// the start of the right child. The result is the same whatever the
    /// thread count: chunks are partitioned in parallel, then each chunk's
    /// left and right rows are copied to their place in chunk order.
    fn partition(&mut self, start: usize, end: usize, s: &Split, nan_left: bool) -> usize {
        let codes = self.data.col(s.feature);
        // The direction of every code, looked up: cheaper per row than the
        // comparisons and the NaN test.
        let mut left = [false; MAX_BINS];
        left[..=s.bin].fill(true);
        if self.data.nan[s.feature] {
            left[self.data.edges[s.feature].len() + 1] = nan_left;
        }
        let go_left = |i: u32| left[usize::from(codes[i as usize])];
        let len = end - start;
        let idx = &mut self.idx[start..end];
        self.spill.resize(len, 0);
        let spill = &mut self.spill[..len];
        if len <= PARTITION_CHUNK {
            let nl = partition_rows(idx, spill, go_left);
            return start + nl;
        }
        // Each chunk in place: its left rows, then its right rows.
        let lefts: Vec<usize> = idx
            .par_chunks_mut(PARTITION_CHUNK)
            .zip(spill.par_chunks_mut(PARTITION_CHUNK))
            .map(|(c, sp)| partition_rows(c, sp, go_left))
            .collect();
        let nl: usize = lefts.iter().sum();
        // Where each chunk's left and right rows go in `spill`.
        let (mut l_rest, mut r_rest) = spill.split_at_mut(nl);
        let mut dst = Vec::with_capacity(lefts.len());
        for (k, &cl) in lefts.iter().enumerate() {
            let clen = PARTITION_CHUNK.min(len - k * PARTITION_CHUNK);
            let (l, lr) = std::mem::take(&mut l_rest).split_at_mut(cl);
            let (r, rr) = std::mem::take(&mut r_rest).split_at_mut(clen - cl);
            (l_rest, r_rest) = (lr, rr);
            dst.push((cl, l, r));
        }
        idx.par_chunks(PARTITION_CHUNK)
            .zip(dst)
            .for_each(|(c, (cl, l, r))| {
                l.copy_from_slice(&c[..cl]);
                r.copy_from_slice(&c[cl..]);
            });
        idx.par_chunks_mut(PARTITION_CHUNK)
            .zip(spill.par_chunks(PARTITION_CHUNK))
            .for_each(|(d, sp)| d.copy_from_slice(sp));
        start + nl
    }
}

/// Stable in-place partition of `idx` by `go_left` (`spill`, as long as
/// `idx`, is scratch); returns the number of left rows. Writes both ways
/// unconditionally: the direction is a data-dependent coin flip that would
/// mispredict as a branch.
fn partition_rows(idx: &mut [u32], spill: &mut [u32], go_left: impl Fn(u32) -> bool) -> usize {
    let (mut w, mut r) = (0, 0);
    for k in 0..idx.len() {
        let i = idx[k];
        let left = go_left(i);
        idx[w] = i;
        spill[r] = i;
        w += usize::from(left);
        r += usize::from(!left);
    }
    idx[w..].copy_from_slice(&spill[..r]);
    w
}

/// Histograms of the feature groups `groups` over `rows` (row-major `codes`
/// with `cols` groups), summed in row order; group `groups[k]`'s bins start
/// at `offsets[k]`.
fn fill_rows(
    codes: &[u8],
    cols: usize,
    groups: &[usize],
    offsets: &[usize],
    rows: &[u32],
    gh: &[[f64; 2]],
    h: &mut [Sums],
) {
    let add = |b: &mut Sums, g: f64, hs: f64| {
        b.g += g;
        b.h += hs;
        b.n += 1.0;
    };
    if groups.len() == cols {
        for &i in rows {
            let i = i as usize;
            let [g, hs] = gh[i];
            for (&c, &o) in codes[i * cols..(i + 1) * cols].iter().zip(offsets) {
                add(&mut h[o + usize::from(c)], g, hs);
            }
        }
    } else {
        for &i in rows {
            let i = i as usize;
            let [g, hs] = gh[i];
            let row = &codes[i * cols..(i + 1) * cols];
            for (&j, &o) in groups.iter().zip(offsets) {
                add(&mut h[o + usize::from(row[j])], g, hs);
            }
        }
    }
}
