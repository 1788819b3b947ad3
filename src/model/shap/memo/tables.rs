//! The per-leaf tables of [`super::TreeView`] and the tree's depth.
use super::*;

/// Each leaf's table, or `None` when one would be too deep or the budget
/// is spent (the budget is then left as it was).
pub(super) fn leaf_tables(
    nodes: &[Node],
    cover: &[f64],
    (groups, group_of): (&[Group], &[u32]),
    budget: &mut usize,
    slot_or_leaf: &mut [u32],
) -> Option<Vec<LeafTable>> {
    // Each node's parent, to walk a leaf's path back to the root.
    let mut parent = vec![usize::MAX; nodes.len()];
    for (i, n) in nodes.iter().enumerate() {
        if n.left != 0 {
            let l = n.left as usize;
            *parent.get_mut(l)? = i;
            *parent.get_mut(l + 1)? = i;
        }
    }
    let mut cost = 0usize;
    let mut leaves = Vec::new();
    for (leaf, n) in nodes.iter().enumerate() {
        if n.left != 0 {
            continue;
        }
        // (node, leaf on its left) from the root down.
        let mut path = Vec::new();
        let mut at = leaf;
        while parent[at] != usize::MAX {
            let p = parent[at];
            path.push((p, nodes[p].left as usize == at));
            at = p;
        }
        path.reverse();
        let mut feats: Vec<usize> = Vec::new();
        let mut zero: Vec<f64> = Vec::new();
        for &(p, left) in &path {
            let f = nodes[p].feature as usize;
            let slot = feats.iter().position(|&g| g == f).unwrap_or_else(|| {
                feats.push(f);
                zero.push(1.0);
                feats.len() - 1
            });
            let child = if left {
                nodes[p].left as usize
            } else {
                nodes[p].left as usize + 1
            };
            zero[slot] *= cover[child] / cover[p];
            slot_or_leaf[p] = slot as u32;
        }
        slot_or_leaf[leaf] = leaves.len() as u32;
        let d = feats.len();
        if d > MAX_TABLE_DEPTH {
            return None;
        }
        cost += d << d;
        if cost > *budget {
            return None;
        }
        let mut values = vec![0.0; d << d];
        let mut elems = vec![PathElement::default(); d + 2];
        for mask in 0..1usize << d {
            extend_path(&mut elems, 0, 1.0, 1.0, usize::MAX);
            for k in 0..d {
                let one = if mask >> k & 1 == 1 { 1.0 } else { 0.0 };
                extend_path(&mut elems, k + 1, zero[k], one, feats[k]);
            }
            for k in 0..d {
                let w = unwound_path_sum(&elems, d, k + 1);
                let e = elems[k + 1];
                values[mask * d + k] = w * (e.one_fraction - e.zero_fraction) * n.value;
            }
        }
        let features = &groups.get(*group_of.get(leaf)? as usize)?.features;
        let places = feats
            .iter()
            .map(|f| features.binary_search(f).map(|p| p as u32))
            .collect::<Result<Vec<u32>, usize>>()
            .ok()?;
        leaves.push(LeafTable { places, values });
    }
    *budget -= cost;
    Some(leaves)
}

/// Splits on the longest path from the root of `nodes` to a leaf
/// (children come after their parent).
pub(super) fn depth(nodes: &[Node]) -> usize {
    let mut level = vec![0usize; nodes.len()];
    let mut deepest = 0;
    for (i, n) in nodes.iter().enumerate() {
        let l = n.left as usize;
        if n.left != 0 && l + 1 < nodes.len() {
            let d = level[i] + 1;
            level[l] = d;
            level[l + 1] = d;
            deepest = deepest.max(d);
        }
    }
    deepest
}
