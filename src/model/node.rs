//! The node of a flat tree, shared by growing (`grow`) and the fitted
//! model (`tree`), so neither has to import the other.
use serde::{Deserialize, Serialize};

/// One node of a flat tree. A leaf has `left == 0` (the root is never a
/// child); otherwise the right child is `left + 1`, and children always have
/// larger indices than their parent. Adjacent children make the walk's step
/// arithmetic instead of a hard-to-predict branch.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Node {
    pub feature: u32,
    pub left: u32,
    /// `x[feature] <= threshold` goes left.
    pub threshold: f64,
    /// Positive fraction of the (weighted) training rows in the node.
    pub value: f64,
}

/// The value of the leaf row `i` of column-major `x` reaches in the tree
/// `nodes`, a missing value going the side `nan_left` learned (right when
/// none is kept).
pub fn leaf_value_col(
    nodes: &[Node],
    nan_left: &[bool],
    x: &crate::features::Matrix,
    i: usize,
) -> f64 {
    let mut k = 0;
    loop {
        let n = &nodes[k];
        if n.left == 0 {
            return n.value;
        }
        let v = x.get(i, n.feature as usize);
        let go_left = if v.is_nan() {
            nan_left.get(k).copied().unwrap_or(false)
        } else {
            v <= n.threshold
        };
        k = n.left as usize + usize::from(!go_left);
    }
}
