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
