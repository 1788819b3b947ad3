use super::oracle::{self, OracleTree};
use super::*;
use crate::features::Matrix;
use crate::model::gbm::{fit, GbmParams};
use crate::model::grow::SplitMix64;

fn nodes(t: &OracleTree) -> Vec<Node> {
    t.nodes
        .iter()
        .map(|&(feature, left, threshold, value)| Node {
            feature,
            left,
            threshold,
            value,
        })
        .collect()
}

fn close(a: &[f64], b: &[f64], tol: f64) {
    assert_eq!(a.len(), b.len());
    for (x, y) in a.iter().zip(b) {
        assert!((x - y).abs() <= tol, "{a:?} vs {b:?}");
    }
}

#[test]
fn decision_tree_matches_shap_tree_explainer() {
    // Numbers from scripts/oracles/shap_oracle.py (case `dt`).
    let n = nodes(&oracle::DT);
    for (k, row) in oracle::DT_ROWS.iter().enumerate() {
        let mut out = vec![0.0; 4];
        let base = tree_contributions(&n, oracle::DT.cover, row, &mut out);
        close(&out, oracle::DT_SHAP[k], 1e-9);
        assert!((base - oracle::DT_BASE).abs() <= 1e-9);
        let total = base + out.iter().sum::<f64>();
        assert!((total - oracle::DT_PROBA[k]).abs() <= 1e-9);
    }
}

#[test]
fn random_forest_mean_matches_shap_tree_explainer() {
    // Numbers from scripts/oracles/shap_oracle.py (case `rf`).
    let trees: Vec<(Vec<Node>, &[f64])> = oracle::RF.iter().map(|t| (nodes(t), t.cover)).collect();
    let mut scratch = Scratch::default();
    for (k, row) in oracle::DT_ROWS.iter().enumerate() {
        let mut out = vec![0.0; 4];
        let it = trees.iter().map(|(n, c)| (n.as_slice(), *c));
        let base = forest_contributions(it, row, &mut out, &mut scratch);
        close(&out, oracle::RF_SHAP[k], 1e-9);
        assert!((base - oracle::RF_BASE).abs() <= 1e-9);
        let total = base + out.iter().sum::<f64>();
        assert!((total - oracle::RF_PROBA[k]).abs() <= 1e-9);
    }
}

#[test]
fn lightgbm_with_nan_directions_matches_shap_and_pred_contrib() {
    // Numbers from scripts/oracles/shap_oracle.py (case `lgb`): shap's
    // TreeExplainer and LightGBM's own pred_contrib (bias last).
    let trees: Vec<Vec<Node>> = oracle::LGB.iter().map(nodes).collect();
    let mut scratch = Scratch::default();
    let mut nan_rows = 0;
    for (k, row) in oracle::LGB_ROWS.iter().enumerate() {
        nan_rows += usize::from(row.iter().any(|v| v.is_nan()));
        let mut out = vec![0.0; 4];
        let mut base = 0.0;
        for (t, n) in oracle::LGB.iter().zip(&trees) {
            base += tree_contributions_with(n, t.cover, t.nan_left, row, &mut out, &mut scratch);
        }
        close(&out, oracle::LGB_SHAP[k], 1e-9);
        close(&out, &oracle::LGB_CONTRIB[k][..4], 1e-9);
        assert!((base - oracle::LGB_BASE).abs() <= 1e-9);
        assert!((base - oracle::LGB_CONTRIB[k][4]).abs() <= 1e-9);
        let total = base + out.iter().sum::<f64>();
        assert!((total - oracle::LGB_RAW[k]).abs() <= 1e-9);
    }
    assert!(nan_rows >= 2);
}

#[test]
fn gbm_contributions_add_up_to_the_raw_score() {
    let mut rng = SplitMix64::new(4);
    let (n, d) = (3_000, 6);
    let rows: Vec<Vec<f64>> = (0..n)
        .map(|_| {
            (0..d)
                .map(|j| {
                    let v = rng.below(1000) as f64 / 100.0;
                    if j % 2 == 0 && rng.below(8) == 0 {
                        f64::NAN
                    } else {
                        v
                    }
                })
                .collect()
        })
        .collect();
    let y: Vec<u8> = rows
        .iter()
        .map(|r| {
            let a = if r[0].is_nan() { 8.0 } else { r[0] };
            u8::from(a + r[1] * 0.5 - r[3] + rng.below(6) as f64 > 5.0)
        })
        .collect();
    let x = Matrix::from_rows(&rows);
    let p = GbmParams {
        n_trees: 40,
        subsample: 0.8,
        ..GbmParams::default()
    };
    let (m, _) = fit(&p, &x, &y, 3).unwrap();
    let views = m.shap_views();
    let mut memo = memo::Memo::default();
    let mut out = vec![0.0; d];
    let mut worst: f64 = 0.0;
    for r in rows.iter().take(1000) {
        out.fill(0.0);
        let base = m.contributions_with(&views, r, &mut out, &mut memo);
        let total = base + out.iter().sum::<f64>();
        worst = worst.max((total - m.raw_row(r)).abs());
    }
    assert!(worst <= 1e-9, "{worst}");
    // The matrix path equals the row path bit for bit, whatever the threads.
    let run = |threads: usize| {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        pool.install(|| m.contributions_matrix(&x))
    };
    let (b1, c1) = run(1);
    let (b4, c4) = run(4);
    assert_eq!((b1.to_bits(), &c1), (b4.to_bits(), &c4));
    for (i, r) in rows.iter().enumerate().step_by(97) {
        let base = m.contributions_with(&views, r, &mut out, &mut memo);
        assert_eq!(base.to_bits(), b1.to_bits());
        for (j, &o) in out.iter().enumerate() {
            assert_eq!(o.to_bits(), c1.get(i, j).to_bits());
        }
    }
    // The base is the same for every row: the model's mean raw score under
    // the training covers.
    let mut a = vec![0.0; d];
    assert_eq!(
        m.contributions(&rows[0], &mut a),
        m.contributions(&rows[1], &mut a)
    );
}

#[test]
fn single_leaf_and_unused_features() {
    let leaf = [Node {
        feature: 0,
        left: 0,
        threshold: 0.0,
        value: 0.25,
    }];
    let mut out = vec![0.0; 3];
    assert_eq!(
        tree_contributions(&leaf, &[10.0], &[1.0, 2.0, 3.0], &mut out),
        0.25
    );
    assert_eq!(out, vec![0.0; 3]);
    // One split on feature 1: the others get nothing; contributions are
    // exact: (value - mean) for the split feature.
    let stump = [
        Node {
            feature: 1,
            left: 1,
            threshold: 0.5,
            value: 0.0,
        },
        Node {
            feature: 0,
            left: 0,
            threshold: 0.0,
            value: 1.0,
        },
        Node {
            feature: 0,
            left: 0,
            threshold: 0.0,
            value: 3.0,
        },
    ];
    let cover = [4.0, 3.0, 1.0];
    let base = tree_contributions(&stump, &cover, &[9.0, 0.0, 9.0], &mut out);
    assert_eq!(base, 1.5);
    assert_eq!(out, vec![0.0, -0.5, 0.0]);
    // NaN goes right by default, left with `nan_left`.
    out.fill(0.0);
    tree_contributions(&stump, &cover, &[0.0, f64::NAN, 0.0], &mut out);
    assert_eq!(out[1], 1.5);
    out.fill(0.0);
    let mut s = Scratch::default();
    tree_contributions_with(
        &stump,
        &cover,
        &[true, false, false],
        &[0.0, f64::NAN],
        &mut out,
        &mut s,
    );
    assert_eq!(out[1], -0.5);
    // A forest of no trees explains nothing.
    let none: Vec<(&[Node], &[f64])> = Vec::new();
    assert_eq!(
        forest_contributions(none.into_iter(), &[1.0], &mut out, &mut s),
        0.0
    );
}

#[test]
fn linear_contributions_are_exact() {
    let (base, c) = linear_contributions(&[0.5, -2.0, 0.0], 0.25, &[2.0, 1.0, 7.0]);
    assert_eq!(base, 0.25);
    assert_eq!(c, vec![1.0, -2.0, 0.0]);
    assert_eq!(base + c.iter().sum::<f64>(), 0.25 + 1.0 - 2.0);
}

/// Leaf tables (`memo`) give TreeSHAP's values: per tree within rounding of
/// the recursive algorithm (exactly it when the budget leaves no table),
/// and the block path equals the row path bit for bit.
#[test]
fn leaf_tables_give_the_recursive_values() {
    let mut rng = SplitMix64::new(11);
    let d = 5;
    let rows: Vec<Vec<f64>> = (0..900)
        .map(|_| {
            (0..d)
                .map(|j| {
                    if j == 1 && rng.below(7) == 0 {
                        f64::NAN
                    } else {
                        rng.below(20) as f64
                    }
                })
                .collect()
        })
        .collect();
    // Random labels: deep trees that split on a feature again and again.
    let y: Vec<u8> = (0..900).map(|_| u8::from(rng.below(2) == 1)).collect();
    let x = Matrix::from_rows(&rows);
    for depth in [3, 10] {
        let p = GbmParams {
            n_trees: 12,
            max_depth: depth,
            min_samples_leaf: 1,
            ..GbmParams::default()
        };
        let (m, _) = fit(&p, &x, &y, 5).unwrap();
        let views = m.shap_views();
        let mut memo = memo::Memo::default();
        let mut scratch = Scratch::default();
        for (t, tree) in m.trees.iter().enumerate() {
            let mut spent = 0;
            let recursive =
                memo::TreeView::new(&tree.nodes, &tree.cover, &tree.nan_left, &mut spent);
            for r in rows.iter().step_by(7) {
                let (mut a, mut b, mut c) = (vec![0.0; d], vec![0.0; d], vec![0.0; d]);
                views.trees()[t].add_row(r, &mut a, &mut memo);
                recursive.add_row(r, &mut b, &mut memo);
                tree_contributions_with(
                    &tree.nodes,
                    &tree.cover,
                    &tree.nan_left,
                    r,
                    &mut c,
                    &mut scratch,
                );
                assert_eq!(b, c, "no table: the recursive algorithm itself");
                for (u, v) in a.iter().zip(&c) {
                    assert!(
                        (u - v).abs() <= 1e-12 * (1.0 + v.abs()),
                        "depth {depth} tree {t}: {a:?} vs {c:?}"
                    );
                }
            }
        }
        let mut block = vec![0.0; rows.len() * d];
        let base = m.contributions_block(&views, &x, 0..rows.len(), &mut block, &mut memo);
        let mut tail = vec![0.0; 100 * d];
        m.contributions_block(&views, &x, 450..550, &mut tail, &mut memo);
        assert_eq!(&tail[..], &block[450 * d..550 * d]);
        // The margins read off the decision vectors (or, without a cache,
        // off the rows) score as the model does, bit for bit, NaN included.
        let want: Vec<u64> = m.score_matrix(&x).iter().map(|v| v.to_bits()).collect();
        for mut memo in [memo::Memo::default(), memo::Memo::with_cache(0)] {
            let stride = rows.len() + 8;
            let mut by_feature = vec![0.0; stride * d];
            let mut z = vec![m.init_score; rows.len()];
            views.add_block_scored(
                &x,
                0..rows.len(),
                (&mut by_feature, stride),
                Some(&mut z),
                &mut memo,
            );
            let got: Vec<u64> = z
                .iter()
                .map(|&v| crate::model::gbm::sigmoid(v).to_bits())
                .collect();
            assert_eq!(got, want, "depth {depth}");
        }
        let mut out = vec![0.0; d];
        for (i, r) in rows.iter().enumerate() {
            let b = m.contributions_with(&views, r, &mut out, &mut memo);
            assert_eq!(b.to_bits(), base.to_bits());
            let got: Vec<u64> = block[i * d..(i + 1) * d]
                .iter()
                .map(|v| v.to_bits())
                .collect();
            let want: Vec<u64> = out.iter().map(|v| v.to_bits()).collect();
            assert_eq!(got, want, "depth {depth}, row {i}");
            let total = b + out.iter().sum::<f64>();
            assert!((total - m.raw_row(r)).abs() < 1e-9);
        }
    }
}

/// The decision-vector cache is a speed matter only: a model's values with
/// no cache, a cold one, a warm one, a full one, or rows in another order
/// are the same bits.
#[test]
fn the_cache_never_changes_a_value() {
    let mut rng = SplitMix64::new(21);
    let d = 6;
    // Few distinct values per feature, as in real tabular data, so rows
    // repeat decision vectors (and a NaN now and then).
    let rows: Vec<Vec<f64>> = (0..1500)
        .map(|_| {
            (0..d)
                .map(|j| {
                    if j == 2 && rng.below(9) == 0 {
                        f64::NAN
                    } else {
                        rng.below(if j < 3 { 3 } else { 5 }) as f64
                    }
                })
                .collect()
        })
        .collect();
    let y: Vec<u8> = rows
        .iter()
        .map(|r| u8::from(r[0] + r[3] * 0.5 + rng.below(4) as f64 > 3.0))
        .collect();
    let x = Matrix::from_rows(&rows);
    let p = GbmParams {
        n_trees: 30,
        max_depth: 6,
        min_samples_leaf: 2,
        ..GbmParams::default()
    };
    let (m, _) = fit(&p, &x, &y, 9).unwrap();
    let views = m.shap_views();
    let bits = |memo: &mut memo::Memo, order: &[usize]| -> Vec<Vec<u64>> {
        let mut got = vec![Vec::new(); rows.len()];
        let mut out = vec![0.0; d];
        for &i in order {
            m.contributions_with(&views, &rows[i], &mut out, memo);
            got[i] = out.iter().map(|v| v.to_bits()).collect();
        }
        got
    };
    let forward: Vec<usize> = (0..rows.len()).collect();
    let backward: Vec<usize> = forward.iter().rev().copied().collect();
    let none = bits(&mut memo::Memo::with_cache(0), &forward);
    let mut warm = memo::Memo::default();
    assert_eq!(bits(&mut warm, &forward), none, "cold cache");
    let kept = warm.cached();
    let groups: usize = views.trees().iter().map(|t| t.groups().len()).sum();
    assert!(
        kept > 0 && kept < rows.len() * groups / 4,
        "{kept} of {groups} groups"
    );
    assert_eq!(bits(&mut warm, &backward), none, "warm cache");
    assert_eq!(
        bits(&mut memo::Memo::with_cache(1), &backward),
        none,
        "full cache"
    );
    // The block path through a warm cache too, through a full one (dense
    // groups fall back to row by row), and through none.
    let flat: Vec<u64> = none.concat();
    for (memo, what) in [
        (&mut warm, "warm"),
        (&mut memo::Memo::with_cache(1), "full"),
        (&mut memo::Memo::with_cache(0), "none"),
    ] {
        let mut block = vec![0.0; rows.len() * d];
        m.contributions_block(&views, &x, 0..rows.len(), &mut block, memo);
        let got: Vec<u64> = block.iter().map(|v| v.to_bits()).collect();
        assert_eq!(got, flat, "block, {what} cache");
    }
    // Dense groups number a pattern the same way row by row and by block.
    let dense: Vec<_> = views
        .trees()
        .iter()
        .flat_map(|t| t.groups().iter().map(move |g| (t.tests(), g)))
        .filter(|(_, g)| g.dense())
        .collect();
    assert!(!dense.is_empty(), "depth-6 trees have dense groups");
    let (mut low, mut high, mut slots) = (Vec::new(), Vec::new(), Vec::new());
    for (tests, g) in dense {
        tests.vectors(&x, 0..rows.len(), &mut low, &mut high);
        g.dense_indices(&low, &high, &mut slots);
        for (r, &s) in rows.iter().zip(&slots) {
            assert_eq!(s as usize, g.dense_index(tests.vector(r)));
            assert!((s as usize) < 1 << g.bits.len());
        }
    }
}

/// The decision vector holds every split, not only those on the row's
/// path: two rows that differ only at a split off their path get different
/// values, and a cache shared by two models keeps their entries apart.
#[test]
fn the_cache_key_reads_off_path_splits() {
    // Root on feature 0; its left child on feature 1, its right on 2.
    let split = |feature, left| Node {
        feature,
        left,
        threshold: 0.5,
        value: 0.0,
    };
    let leaf = |value| Node {
        feature: 0,
        left: 0,
        threshold: 0.0,
        value,
    };
    let tree = |v: f64| {
        vec![
            split(0, 1),
            split(1, 3),
            split(2, 5),
            leaf(1.0),
            leaf(2.0),
            leaf(5.0 * v),
            leaf(-3.0),
        ]
    };
    let cover = [10.0, 6.0, 4.0, 2.0, 4.0, 1.0, 3.0];
    let (one, two) = (tree(1.0), tree(2.0));
    let mut budget = memo::TABLE_BUDGET;
    let a = memo::Views::new(vec![memo::TreeView::new(&one, &cover, &[], &mut budget)]);
    let b = memo::Views::new(vec![memo::TreeView::new(&two, &cover, &[], &mut budget)]);
    // Both go left at the root; they differ only at node 2 (feature 2).
    let (r, s) = ([0.0, 0.0, 0.0], [0.0, 0.0, 1.0]);
    let (tests, mask) = (a.trees()[0].tests(), a.trees()[0].groups()[0].mask);
    assert_ne!(tests.vector(&r) & mask, tests.vector(&s) & mask);
    let mut memo = memo::Memo::default();
    let mut got = |views: &memo::Views, row: &[f64]| {
        let mut out = vec![0.0; 3];
        views.add_row(row, &mut out, &mut memo);
        out
    };
    let (ra, sa, rb, sb) = (got(&a, &r), got(&a, &s), got(&b, &r), got(&b, &s));
    assert_ne!(ra[2], sa[2], "feature 2 off the path still counts");
    for (nodes, row, out) in [
        (&one, &r, &ra),
        (&one, &s, &sa),
        (&two, &r, &rb),
        (&two, &s, &sb),
    ] {
        let mut want = vec![0.0; 3];
        tree_contributions(nodes, &cover, row, &mut want);
        close(out, &want, 1e-12);
    }
    assert_ne!(ra, rb, "another model's entries are not reused");
}

/// Pattern numbers read off the 16-bit codes are the decision vectors'
/// exactly: the same contributions and margins, bit for bit, on values
/// equal to thresholds, on both sides of them, at -0.0, ±inf and NaN, and
/// for a feature past the matrix's end.
#[test]
fn codes_give_the_decision_vectors_patterns() {
    let mut rng = SplitMix64::new(31);
    let d = 5;
    let train: Vec<Vec<f64>> = (0..1200)
        .map(|_| {
            (0..d)
                .map(|j| match (j, rng.below(11)) {
                    (1, 0) => f64::NAN,
                    (0, _) => rng.below(1000) as f64 / 7.0 - 60.0,
                    _ => rng.below(6) as f64,
                })
                .collect()
        })
        .collect();
    let y: Vec<u8> = train
        .iter()
        .map(|r| u8::from(r[0] / 40.0 + r[2] + rng.below(4) as f64 > 4.0))
        .collect();
    for depth in [3, 6] {
        let p = GbmParams {
            n_trees: 20,
            max_depth: depth,
            min_samples_leaf: 2,
            ..GbmParams::default()
        };
        let (m, _) = fit(&p, &Matrix::from_rows(&train), &y, 3).unwrap();
        // Rows at every threshold, just below and above it, and specials.
        let mut rows = train[..200].to_vec();
        for tree in &m.trees {
            for n in tree.nodes.iter().filter(|n| n.left != 0) {
                let f = n.feature as usize;
                for v in [n.threshold, n.threshold.next_down(), n.threshold.next_up()] {
                    let mut r = train[rows.len() % train.len()].clone();
                    r[f] = v;
                    rows.push(r);
                }
            }
        }
        for (i, v) in [-0.0, 0.0, f64::INFINITY, f64::NEG_INFINITY, f64::NAN]
            .into_iter()
            .enumerate()
        {
            for f in 0..d {
                let mut r = train[i * d + f].clone();
                r[f] = v;
                rows.push(r);
            }
        }
        let coded = m.shap_views();
        assert!(coded.coded_trees() > 0, "depth {depth}: no tree on codes");
        let plain = m.shap_views().without_codes();
        assert_eq!(plain.coded_trees(), 0);
        // The full matrix, and one missing its last feature (read as NaN).
        for cols in [d, d - 1] {
            let cut: Vec<Vec<f64>> = rows.iter().map(|r| r[..cols].to_vec()).collect();
            let x = Matrix::from_rows(&cut);
            let run = |views: &memo::Views| {
                let stride = rows.len() + 8;
                let mut out = vec![0.0; stride * d];
                let mut z = vec![m.init_score; rows.len()];
                let mut memo = memo::Memo::default();
                views.add_block_scored(
                    &x,
                    0..rows.len(),
                    (&mut out, stride),
                    Some(&mut z),
                    &mut memo,
                );
                let bits = |v: &[f64]| v.iter().map(|a| a.to_bits()).collect::<Vec<u64>>();
                (bits(&out), bits(&z))
            };
            let (a, b) = (run(&coded), run(&plain));
            assert!(
                a.0 == b.0,
                "depth {depth}, {cols} columns: contributions differ"
            );
            assert!(a.1 == b.1, "depth {depth}, {cols} columns: margins differ");
        }
    }
}
