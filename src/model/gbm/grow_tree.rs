//! Growing one boosted tree: per-node histograms of (gradient, hessian, rows)
//! over binned features, the Newton split gain, and the NaN direction.
//!
//! A node's histogram is built per feature in parallel (rayon), each feature
//! summed sequentially in row order, so the sums do not depend on the thread
//! count. Of two children, only the smaller one's histogram is built; the
//! larger one's is the parent's minus it. Nodes that cannot be split (depth
//! limit, fewer than `2 * min_samples_leaf` rows) get no histogram at all.
//!
//! Split gain is `GL²/(HL+λ) + GR²/(HR+λ) - G²/(H+λ)`; a split needs a
//! positive gain, `min_samples_leaf` rows and [`MIN_HESS`] hessian on each
//! side. For every cut the NaN rows are tried on the right, then on the left;
//! ties keep the first candidate (lowest feature, lowest bin, NaN right).

use super::GbmTree;
use crate::model::binning::Binned;
use crate::model::node::Node;
use rayon::prelude::*;

/// Least hessian in a child (LightGBM's `min_sum_hessian_in_leaf` default):
/// keeps leaf values finite when `l2 = 0` and a child is nearly pure.
pub(super) const MIN_HESS: f64 = 1e-3;

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

/// Grows one tree on `rows` (ascending) and the candidate `features`
/// (ascending), with per-row gradients and hessians.
pub(super) fn grow(
    data: &Binned,
    grad: &[f64],
    hess: &[f64],
    rows: Vec<u32>,
    features: &[usize],
    cfg: &Limits,
) -> Grown {
    let mut offsets = Vec::with_capacity(features.len() + 1);
    offsets.push(0);
    for &j in features {
        offsets.push(offsets[offsets.len() - 1] + data.n_bins(j));
    }
    let mut sums = Sums::default();
    for &i in &rows {
        sums.add(&Sums {
            g: grad[i as usize],
            h: hess[i as usize],
            n: 1.0,
        });
    }
    let n = rows.len();
    let mut g = Grower {
        data,
        grad,
        hess,
        features,
        offsets,
        cfg,
        idx: rows,
        spill: Vec::new(),
        gh: Vec::new(),
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
    grad: &'a [f64],
    hess: &'a [f64],
    features: &'a [usize],
    /// Feature `features[k]`'s bins are `hist[offsets[k]..offsets[k + 1]]`.
    offsets: Vec<usize>,
    cfg: &'a Limits,
    /// Sampled rows grouped by node, ascending within each node.
    idx: Vec<u32>,
    spill: Vec<u32>,
    /// Scratch: the node's (gradient, hessian) in `idx` order.
    gh: Vec<[f64; 2]>,
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
            None => self.build_hist(t.start, t.end),
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
            self.build_hist(start, mid)
        } else {
            self.build_hist(mid, end)
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

    /// Histograms of every candidate feature over `idx[start..end]`.
    fn build_hist(&mut self, start: usize, end: usize) -> Vec<Sums> {
        let idx = &self.idx[start..end];
        self.gh.clear();
        self.gh.extend(
            idx.iter()
                .map(|&i| [self.grad[i as usize], self.hess[i as usize]]),
        );
        let mut out = vec![Sums::default(); self.offsets[self.offsets.len() - 1]];
        let mut parts: Vec<(usize, &mut [Sums])> = Vec::with_capacity(self.features.len());
        let mut rest = &mut out[..];
        for (k, &j) in self.features.iter().enumerate() {
            let (a, b) = rest.split_at_mut(self.offsets[k + 1] - self.offsets[k]);
            parts.push((j, a));
            rest = b;
        }
        let (data, gh) = (self.data, &self.gh);
        parts
            .into_par_iter()
            .for_each(|(j, h)| fill_hist(data.col(j), idx, gh, h));
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
    /// the start of the right child.
    fn partition(&mut self, start: usize, end: usize, s: &Split, nan_left: bool) -> usize {
        let codes = self.data.col(s.feature);
        let bin = s.bin as u8;
        let has_nan = self.data.nan[s.feature];
        let nan_code = (self.data.edges[s.feature].len() + 1) as u8;
        self.spill.resize(end - start, 0);
        let (mut w, mut r) = (start, 0);
        for k in start..end {
            let i = self.idx[k];
            let c = codes[i as usize];
            let go_left = if has_nan && c == nan_code {
                nan_left
            } else {
                c <= bin
            };
            self.idx[w] = i;
            self.spill[r] = i;
            w += usize::from(go_left);
            r += usize::from(!go_left);
        }
        self.idx[w..end].copy_from_slice(&self.spill[..r]);
        w
    }
}

/// One feature's histogram over a node's rows (`gh` in `idx` order), summed
/// in row order.
fn fill_hist(codes: &[u8], idx: &[u32], gh: &[[f64; 2]], h: &mut [Sums]) {
    for (&i, &[g, hs]) in idx.iter().zip(gh) {
        let b = &mut h[usize::from(codes[i as usize])];
        b.g += g;
        b.h += hs;
        b.n += 1.0;
    }
}
