//! Pattern numbers of dense groups read off small integer codes instead
//! of the rows' values.
//!
//! Each feature a model tests gets its thresholds, sorted and distinct; a
//! value's code is how many of them lie below it (NaN: [`NAN_CODE`]). Then
//! `v <= t_k` exactly when `code(v) <= k`, so a block's values are read
//! once per feature (one binary search each) and every split test after
//! that compares 16-bit codes, eight to a vector register, instead of
//! doubles once per test and tree. A dense group's pattern number (see
//! [`Group::dense_index`]) is made straight from the codes, bit by bit,
//! and the leaf a row reaches from a table by that number, so a tree
//! whose groups are all dense needs no decision vectors at all.
//!
//! The numbers are the ones the decision vectors give, bit for bit: the
//! same tests, NaN by the same learned side.
use super::super::group::{Group, Tests};
use crate::features::Matrix;
use crate::model::node::Node;
use std::ops::Range;

/// The code of NaN: above every other (the thresholds number at most
/// `u16::MAX - 1`), so `code <= k` is false for it.
const NAN_CODE: u16 = u16::MAX;

/// The model's tested features and their thresholds.
#[derive(Debug, Default)]
pub struct Codes {
    /// The features tested, ascending.
    features: Vec<u32>,
    /// Per feature (by place in `features`): its thresholds, ascending and
    /// distinct.
    cuts: Vec<Vec<f64>>,
}

/// One split test on codes: the feature's place in [`Codes`], the largest
/// code that goes left (`code <= at`), and whether NaN goes left.
#[derive(Debug, Clone, Copy)]
struct CodeTest {
    feature: u32,
    at: u16,
    nan_left: bool,
}

/// A dense group's tests, one per bit of its pattern number (in
/// [`Group::bits`] order), and per pattern the value of the leaf a row of
/// that pattern reaches inside the group, or `-0.0` (adding it changes no
/// value, not even a zero's sign) when such a row's leaf lies elsewhere.
#[derive(Debug)]
pub struct GroupCodes {
    tests: Vec<CodeTest>,
    reach: Vec<f64>,
}

impl Codes {
    /// The codes of every test in `tests` (all of a model's trees'), or
    /// `None` when some feature has too many thresholds for 16 bits or a
    /// threshold is NaN.
    pub fn new<'t>(tests: impl Iterator<Item = &'t Tests>) -> Option<Codes> {
        let mut all: Vec<(u32, f64)> = tests
            .flat_map(|t| (0..t.len()).map(move |i| t.test(i)))
            .map(|(f, th, _)| (f, th))
            .collect();
        if all.iter().any(|(_, th)| th.is_nan()) {
            return None;
        }
        all.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.total_cmp(&b.1)));
        // -0.0 and 0.0 test alike (`<=`): one cut.
        all.dedup_by(|a, b| a.0 == b.0 && a.1 == b.1);
        let mut codes = Codes::default();
        for (f, th) in all {
            if codes.features.last() != Some(&f) {
                codes.features.push(f);
                codes.cuts.push(Vec::new());
            }
            let cuts = codes.cuts.last_mut()?;
            cuts.push(th);
            if cuts.len() >= usize::from(NAN_CODE) {
                return None;
            }
        }
        Some(codes)
    }

    /// The codes of rows `rows` of `x` into `out` (overwritten),
    /// feature-major: feature `k`'s at `out[k * n..(k + 1) * n]`. A
    /// feature past the matrix reads as NaN, as the walks read it.
    pub fn fill(&self, x: &Matrix, rows: Range<usize>, out: &mut Vec<u16>) {
        let n = rows.len();
        out.clear();
        out.resize(n * self.features.len(), NAN_CODE);
        for ((&f, cuts), codes) in self.features.iter().zip(&self.cuts).zip(out.chunks_mut(n)) {
            let Some(col) = x
                .data
                .get(f as usize * x.rows..)
                .and_then(|c| c.get(rows.clone()))
                .filter(|_| (f as usize) < x.cols)
            else {
                continue;
            };
            for (c, &v) in codes.iter_mut().zip(col) {
                if !v.is_nan() {
                    // How many thresholds lie below v: v <= cuts[k]
                    // exactly when this is <= k.
                    *c = cuts.partition_point(|&t| t < v) as u16;
                }
            }
        }
    }

    /// A tree's groups on codes, when the tree's tests are kept and every
    /// group with contributions is dense; else `None` (the decision
    /// vectors serve it).
    /// `places` holds each split's test place in the decision vector (as
    /// [`super::TreeView`] keeps them).
    pub fn tree(
        &self,
        (nodes, places): (&[Node], &[u8]),
        tests: &Tests,
        groups: &[Group],
    ) -> Option<Vec<GroupCodes>> {
        if !tests.usable() || places.len() != nodes.len() || groups.iter().any(|g| !g.dense()) {
            return None;
        }
        groups
            .iter()
            .map(|g| self.group((nodes, places), tests, g))
            .collect()
    }

    fn group(
        &self,
        (nodes, places): (&[Node], &[u8]),
        tests: &Tests,
        group: &Group,
    ) -> Option<GroupCodes> {
        let mut code_tests = Vec::with_capacity(group.bits.len());
        for &b in &group.bits {
            let (f, th, nl) = tests.test(usize::from(b));
            let k = self.features.binary_search(&f).ok()?;
            let at = self.cuts[k].iter().position(|&t| t == th)?;
            code_tests.push(CodeTest {
                feature: k as u32,
                at: u16::try_from(at).ok()?,
                nan_left: nl,
            });
        }
        // The pattern bit of each test place, for the walks below.
        let mut bit = [u8::MAX; 128];
        for (j, &b) in group.bits.iter().enumerate() {
            bit[usize::from(b) & 127] = j as u8;
        }
        let bit_of = |node: usize| -> Option<usize> {
            let j = bit[usize::from(places[node]) & 127];
            (j != u8::MAX).then_some(usize::from(j))
        };
        let mut reach = vec![-0.0; 1 << group.bits.len()];
        for (s, r) in reach.iter_mut().enumerate() {
            let left = |node: usize| bit_of(node).map(|j| (s >> j) & 1 == 1);
            let mut on_path = true;
            for &(p, lies_left) in &group.above {
                on_path &= left(p as usize)? == lies_left;
            }
            if !on_path {
                continue;
            }
            let mut node = group.root as usize;
            while nodes[node].left != 0 {
                let l = nodes[node].left as usize;
                node = if left(node)? { l } else { l + 1 };
            }
            *r = nodes[node].value;
        }
        Some(GroupCodes {
            tests: code_tests,
            reach,
        })
    }
}

impl GroupCodes {
    /// The group's pattern number of each of a block's `n` rows, from the
    /// block's codes (as [`Codes::fill`] makes them), into `out`
    /// (overwritten): the numbers [`Group::dense_indices`] gives.
    pub fn slots(&self, codes: &[u16], n: usize, out: &mut Vec<u16>) {
        out.clear();
        out.resize(n, 0);
        for (j, t) in self.tests.iter().enumerate() {
            let start = t.feature as usize * n;
            let Some(col) = codes.get(start..start + n) else {
                continue;
            };
            let at = t.at;
            if t.nan_left {
                for (o, &c) in out.iter_mut().zip(col) {
                    *o |= u16::from((c <= at) | (c == NAN_CODE)) << j;
                }
            } else {
                for (o, &c) in out.iter_mut().zip(col) {
                    *o |= u16::from(c <= at) << j;
                }
            }
        }
    }

    /// Adds the value of the leaf each row reaches in this group (`-0.0`
    /// when it lies elsewhere) to `margins`, by the rows' `slots`.
    pub fn add_reached(&self, slots: &[u16], margins: &mut [f64]) {
        for (m, &s) in margins.iter_mut().zip(slots) {
            *m += self.reach[usize::from(s)];
        }
    }
}
