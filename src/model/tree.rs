//! The CART classification tree model (`decision_tree`): its parameters, the
//! fitted flat-node `Tree` (also the forest's member type), its validation on
//! load, and scoring.
//!
//! Growing lives in `grow` (histogram-based gini splits on features binned by
//! `binning`); the tree stores raw `f64` thresholds (`x <= threshold` goes
//! left), so scoring needs no binning and is an allocation-free walk. A leaf
//! scores the positive fraction of its training rows. For features with at
//! most `max_bins` distinct values the tree is the one scikit-learn's
//! `DecisionTreeClassifier` grows (same splits and thresholds, up to ties,
//! which go to the lowest feature index, then the lowest threshold); other
//! features split at quantile bin edges.

use crate::features::Matrix;
use crate::model::binning::Binned;
use crate::model::grow::{grow, GrowConfig, SplitMix64};
pub use crate::model::node::Node;
use crate::model::validate_xy;
use anyhow::{ensure, Result};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

/// `[model.params]` of `kind = "decision_tree"`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct TreeParams {
    /// Maximum depth (root = depth 0); absent = grow until leaves are pure.
    pub max_depth: Option<usize>,
    /// Minimum rows in each child of a split.
    pub min_samples_leaf: usize,
    /// Minimum rows in a node for it to be split.
    pub min_samples_split: usize,
    /// Histogram bins per feature, 2..=256.
    pub max_bins: usize,
}

impl Default for TreeParams {
    fn default() -> Self {
        TreeParams {
            max_depth: None,
            min_samples_leaf: 1,
            min_samples_split: 2,
            max_bins: 255,
        }
    }
}

/// A fitted tree; `score_row` is an allocation-free walk from the root.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "TreeRepr")]
pub struct Tree {
    pub(crate) nodes: Vec<Node>,
    /// Per node: training rows reaching it (TreeSHAP's cover). Empty in
    /// models saved before explanations existed: they score, not explain.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub(crate) cover: Vec<f64>,
}

/// The serialized form, checked before it becomes a `Tree` so a hand-edited
/// model file cannot make scoring loop or index out of bounds.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TreeRepr {
    nodes: Vec<Node>,
    #[serde(default)]
    cover: Vec<f64>,
}

impl TryFrom<TreeRepr> for Tree {
    type Error = String;
    fn try_from(r: TreeRepr) -> Result<Tree, String> {
        if r.nodes.is_empty() {
            return Err("tree has no nodes".into());
        }
        let len = r.nodes.len();
        for (i, n) in r.nodes.iter().enumerate() {
            let (l, bad_t) = (n.left as usize, n.threshold.is_nan());
            if l != 0 && (l <= i || l + 1 >= len || bad_t) {
                return Err(format!("tree node {i} has an invalid split"));
            }
            if !(0.0..=1.0).contains(&n.value) {
                return Err(format!(
                    "tree node {i} has value {} outside [0, 1]",
                    n.value
                ));
            }
        }
        check_cover(&r.nodes, &r.cover)?;
        Ok(Tree {
            nodes: r.nodes,
            cover: r.cover,
        })
    }
}

impl Tree {
    pub fn nodes(&self) -> &[Node] {
        &self.nodes
    }

    /// Per node: training rows reaching it (empty for models saved before
    /// explanations existed).
    pub fn cover(&self) -> &[f64] {
        &self.cover
    }

    /// Leaf value reached by a row whose feature `j` is `feat(j)`. Children
    /// have larger indices than parents, so the walk always terminates.
    #[inline]
    fn walk(&self, feat: impl Fn(usize) -> f64) -> f64 {
        let mut i = 0;
        loop {
            let n = &self.nodes[i];
            if n.left == 0 {
                return n.value;
            }
            // A missing feature (short row) is NaN: compares false, goes right.
            let go_left = feat(n.feature as usize) <= n.threshold;
            i = n.left as usize + usize::from(!go_left);
        }
    }

    pub fn score_row(&self, x: &[f64]) -> f64 {
        self.walk(|j| x.get(j).copied().unwrap_or(f64::NAN))
    }

    /// Leaf values of four rows, walked in lockstep so the four chains of
    /// dependent loads overlap (a single walk is latency-bound).
    fn score4(&self, rows: [&[f64]; 4]) -> [f64; 4] {
        let mut at = [0usize; 4];
        loop {
            let mut moved = false;
            for (i, row) in at.iter_mut().zip(rows) {
                let n = &self.nodes[*i];
                if n.left != 0 {
                    let v = row.get(n.feature as usize).copied().unwrap_or(f64::NAN);
                    let go_left = v <= n.threshold;
                    *i = n.left as usize + usize::from(!go_left);
                    moved = true;
                }
            }
            if !moved {
                return at.map(|i| self.nodes[i].value);
            }
        }
    }

    pub fn score_matrix(&self, x: &Matrix) -> Vec<f64> {
        sum_scores(std::slice::from_ref(self), x)
    }

    /// Longest root-to-leaf path (edges).
    pub fn depth(&self) -> usize {
        let mut depth = vec![0usize; self.nodes.len()];
        for (i, n) in self.nodes.iter().enumerate() {
            if n.left != 0 {
                depth[n.left as usize] = depth[i] + 1;
                depth[n.left as usize + 1] = depth[i] + 1;
            }
        }
        depth.into_iter().max().unwrap_or(0)
    }
}

/// Fits a single tree on all rows and all features. The tree is fully
/// determined by the data: `seed` is accepted for a uniform interface but
/// unused (ties are broken by feature index and threshold, not randomly).
pub fn fit(p: &TreeParams, x: &Matrix, y: &[u8], seed: u64) -> Result<Tree> {
    check_common(x, y, p.min_samples_leaf, p.max_bins)?;
    ensure!(
        p.min_samples_split >= 2,
        "decision_tree: min_samples_split must be >= 2"
    );
    let data = Binned::new(x, p.max_bins);
    let cfg = GrowConfig {
        max_depth: p.max_depth.unwrap_or(usize::MAX),
        min_samples_leaf: p.min_samples_leaf as u64,
        min_samples_split: p.min_samples_split as u64,
        mtry: x.cols,
    };
    let weights = vec![1u32; x.rows];
    let (nodes, cover) = grow(&data, y, &weights, &cfg, &mut SplitMix64::new(seed));
    Ok(Tree { nodes, cover })
}

/// A saved cover is empty (an older model) or one positive count per node,
/// each split's children adding up to it.
fn check_cover(nodes: &[Node], cover: &[f64]) -> Result<(), String> {
    if cover.is_empty() {
        return Ok(());
    }
    if cover.len() != nodes.len() {
        return Err(format!(
            "tree has {} cover values for {} nodes",
            cover.len(),
            nodes.len()
        ));
    }
    for (i, n) in nodes.iter().enumerate() {
        if !(cover[i].is_finite() && cover[i] > 0.0) {
            return Err(format!("tree node {i} has cover {}", cover[i]));
        }
        let l = n.left as usize;
        if l != 0 && (cover[l] + cover[l + 1] - cover[i]).abs() > 1e-9 * cover[i].max(1.0) {
            return Err(format!(
                "tree node {i}: its children's cover does not add up"
            ));
        }
    }
    Ok(())
}

/// Rows per scoring block: the block, transposed to row-major, and a tree
/// both stay in L1 while every tree is applied to the block.
const SCORE_BLOCK: usize = 64;

/// Per row of `x`, the sum of the trees' scores added in tree order: the same
/// arithmetic as summing `score_row` over the trees, so results agree bit for
/// bit with the single-row path.
pub(crate) fn sum_scores(trees: &[Tree], x: &Matrix) -> Vec<f64> {
    let mut out = vec![0.0; x.rows];
    let d = x.cols;
    out.par_chunks_mut(SCORE_BLOCK)
        .enumerate()
        .for_each_init(Vec::new, |buf, (b, chunk)| {
            let r0 = b * SCORE_BLOCK;
            buf.resize(chunk.len() * d, 0.0);
            for (k, row) in buf.chunks_exact_mut(d.max(1)).enumerate() {
                x.row_into(r0 + k, &mut row[..d]);
            }
            let row = |k: usize| &buf[k * d..(k + 1) * d];
            let chunk_len = chunk.len();
            for t in trees {
                let mut quads = chunk.chunks_exact_mut(4);
                for (q, s) in quads.by_ref().enumerate() {
                    let k = 4 * q;
                    let v = t.score4([row(k), row(k + 1), row(k + 2), row(k + 3)]);
                    s.iter_mut().zip(v).for_each(|(s, v)| *s += v);
                }
                let tail = quads.into_remainder();
                let base = chunk_len - tail.len();
                for (k, s) in tail.iter_mut().enumerate() {
                    *s += t.score_row(row(base + k));
                }
            }
        });
    out
}

/// Input and parameter checks shared with the forest.
pub(crate) fn check_common(
    x: &Matrix,
    y: &[u8],
    min_samples_leaf: usize,
    max_bins: usize,
) -> Result<()> {
    validate_xy(x, y)?;
    crate::model::check_leaf_and_bins(min_samples_leaf, max_bins).map_err(anyhow::Error::msg)?;
    // Histograms pack (weight, positive weight) into the halves of a u64.
    ensure!(
        x.rows < u32::MAX as usize,
        "too many rows for a tree ({})",
        x.rows
    );
    ensure!(
        x.cols < u32::MAX as usize,
        "too many features for a tree ({})",
        x.cols
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::grow::synthetic;

    fn depth(d: usize) -> TreeParams {
        TreeParams {
            max_depth: Some(d),
            ..TreeParams::default()
        }
    }

    fn rows(x: &Matrix) -> Vec<Vec<f64>> {
        (0..x.rows)
            .map(|i| (0..x.cols).map(|j| x.get(i, j)).collect())
            .collect()
    }

    #[test]
    fn learns_a_threshold_and_xor() -> Result<()> {
        let x = Matrix::from_rows(&[vec![0.1], vec![0.2], vec![0.7], vec![0.9]]);
        let t = fit(&TreeParams::default(), &x, &[0, 0, 1, 1], 0)?;
        assert_eq!(
            (t.nodes.len(), t.nodes[0].threshold),
            (3, 0.2 / 2.0 + 0.7 / 2.0)
        );
        assert_eq!(t.score_matrix(&x), vec![0.0, 0.0, 1.0, 1.0]);
        let x = Matrix::from_rows(&[
            vec![0.0, 0.0],
            vec![0.0, 1.0],
            vec![1.0, 0.0],
            vec![1.0, 1.0],
        ]);
        let t = fit(&TreeParams::default(), &x, &[0, 1, 1, 0], 0)?;
        assert_eq!(t.score_matrix(&x), vec![0.0, 1.0, 1.0, 0.0]);
        assert_eq!(t.depth(), 2);
        Ok(())
    }

    #[test]
    fn degenerate_inputs_give_a_single_leaf() -> Result<()> {
        let (x, y) = synthetic(50, 3, 10, 1);
        let rate = y.iter().map(|&v| f64::from(v)).sum::<f64>() / 50.0;
        let constant = Matrix::from_rows(&vec![vec![1.0, 0.0]; 50]);
        let cases = [
            (fit(&TreeParams::default(), &x, &[1; 50], 0)?, 1.0),
            (fit(&TreeParams::default(), &x, &[0; 50], 0)?, 0.0),
            (fit(&TreeParams::default(), &constant, &y, 0)?, rate),
            (fit(&depth(0), &x, &y, 0)?, rate),
            (
                fit(
                    &TreeParams {
                        min_samples_leaf: 26,
                        ..TreeParams::default()
                    },
                    &x,
                    &y,
                    0,
                )?,
                rate,
            ),
            (
                fit(
                    &TreeParams {
                        min_samples_split: 51,
                        ..TreeParams::default()
                    },
                    &x,
                    &y,
                    0,
                )?,
                rate,
            ),
        ];
        for (t, v) in cases {
            assert_eq!((t.nodes.len(), t.nodes[0].value), (1, v));
        }
        let one = fit(
            &TreeParams::default(),
            &Matrix::from_rows(&[vec![3.0]]),
            &[1],
            0,
        )?;
        assert_eq!(one.score_row(&[-5.0]), 1.0);
        assert_eq!(fit(&depth(1), &x, &y, 0)?.nodes.len(), 3);
        Ok(())
    }

    #[test]
    fn min_samples_leaf_is_respected() -> Result<()> {
        let (x, y) = synthetic(400, 3, 50, 2);
        let t = fit(
            &TreeParams {
                min_samples_leaf: 30,
                ..TreeParams::default()
            },
            &x,
            &y,
            0,
        )?;
        let mut counts = vec![0usize; t.nodes.len()];
        for r in rows(&x) {
            let mut i = 0;
            while t.nodes[i].left != 0 {
                i = t.nodes[i].left as usize
                    + usize::from(r[t.nodes[i].feature as usize] > t.nodes[i].threshold);
            }
            counts[i] += 1;
        }
        let leaves: Vec<usize> = (0..t.nodes.len())
            .filter(|&i| t.nodes[i].left == 0)
            .collect();
        assert!(leaves.len() > 2);
        assert!(leaves.iter().all(|&i| counts[i] >= 30));
        Ok(())
    }

    #[test]
    fn deterministic_across_runs_and_thread_counts() -> Result<()> {
        let (x, y) = synthetic(20_000, 5, 200, 3);
        let fit_in = |threads: usize| -> Result<Tree> {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()?;
            pool.install(|| fit(&depth(12), &x, &y, 9))
        };
        let a = fit_in(1)?;
        assert_eq!(a, fit_in(2)?);
        assert_eq!(a, fit(&depth(12), &x, &y, 9)?);
        // The single-row and matrix paths agree bit for bit.
        let m = a.score_matrix(&x);
        assert!(rows(&x)
            .iter()
            .zip(&m)
            .all(|(r, &s)| a.score_row(r).to_bits() == s.to_bits()));
        Ok(())
    }

    #[test]
    fn serde_round_trip_and_rejects_malformed_trees() -> Result<()> {
        let (x, y) = synthetic(300, 4, 30, 4);
        let t = fit(&depth(5), &x, &y, 0)?;
        let back: Tree = serde_json::from_str(&serde_json::to_string(&t)?)?;
        assert_eq!(back.score_matrix(&x), t.score_matrix(&x));
        let node =
            |l: u32, v: f64| format!(r#"{{"feature":0,"left":{l},"threshold":0.5,"value":{v}}}"#);
        for bad in [
            r#"{"nodes":[]}"#.to_string(),
            format!(r#"{{"nodes":[{}]}}"#, node(0, 1.5)),
            r#"{"nodes":[{"feature":0,"left":0,"threshold":0.5,"value":0.5,"x":1}]}"#.to_string(),
            format!(
                r#"{{"nodes":[{},{},{}]}}"#,
                node(1, 0.5),
                node(0, 0.0),
                node(1, 1.0)
            ),
            format!(r#"{{"nodes":[{},{}]}}"#, node(1, 0.5), node(0, 0.0)),
        ] {
            assert!(serde_json::from_str::<Tree>(&bad).is_err(), "{bad}");
        }
        Ok(())
    }

    #[test]
    fn params_defaults_and_unknown_keys() -> Result<()> {
        let p: TreeParams = serde_json::from_str(r#"{"max_depth": 3}"#)?;
        assert_eq!(
            p,
            TreeParams {
                max_depth: Some(3),
                ..TreeParams::default()
            }
        );
        assert!(serde_json::from_str::<TreeParams>(r#"{"max_dept": 3}"#).is_err());
        let (x, y) = synthetic(10, 2, 5, 0);
        assert!(fit(
            &TreeParams {
                max_bins: 1,
                ..TreeParams::default()
            },
            &x,
            &y,
            0
        )
        .is_err());
        assert!(fit(
            &TreeParams {
                min_samples_leaf: 0,
                ..TreeParams::default()
            },
            &x,
            &y,
            0
        )
        .is_err());
        let mut nan = x.clone();
        nan.data[3] = f64::NAN;
        assert!(fit(&TreeParams::default(), &nan, &y, 0).is_err());
        assert!(fit(&TreeParams::default(), &x, &y[1..], 0).is_err());
        Ok(())
    }

    /// Independent oracle: smartcore's exact (sort-based) CART. Its depth
    /// counts the root as level 1, so its `max_depth` is ours + 1. Distinct
    /// feature values: smartcore only tries cuts between rows of different
    /// labels, which misses optima when values repeat. Under 256 rows, so our
    /// bins are exact too.
    #[test]
    fn agrees_with_smartcore_decision_tree() -> Result<()> {
        use smartcore::linalg::basic::matrix::DenseMatrix;
        use smartcore::tree::decision_tree_classifier::{
            DecisionTreeClassifier, DecisionTreeClassifierParameters as P,
        };
        let (x, y) = synthetic(250, 4, 1 << 40, 5);
        let (test_x, _) = synthetic(400, 4, 1 << 40, 6);
        let dm = |m: &Matrix| DenseMatrix::from_2d_vec(&rows(m));
        let labels: Vec<u32> = y.iter().map(|&v| u32::from(v)).collect();
        for (ours, theirs) in [(Some(3), Some(4)), (None, None)] {
            let p = P {
                max_depth: theirs,
                ..P::default()
            };
            let sc = DecisionTreeClassifier::fit(&dm(&x)?, &labels, p)?;
            let t = fit(
                &TreeParams {
                    max_depth: ours,
                    ..TreeParams::default()
                },
                &x,
                &y,
                0,
            )?;
            for m in [&x, &test_x] {
                let expect: Vec<u32> = sc.predict(&dm(m)?)?;
                let got: Vec<u32> = t
                    .score_matrix(m)
                    .iter()
                    .map(|&s| u32::from(s > 0.5))
                    .collect();
                assert_eq!(got, expect, "depth {ours:?}");
            }
        }
        Ok(())
    }
}
