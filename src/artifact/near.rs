//! Test rows that match a training row on every feature but one: a copy of
//! the training rows with one column re-coded, re-cased, rounded or
//! shifted (`age + 1`) no longer matches whole, but still matches on the
//! rest.

use super::{
    fnv, repeats_like_copies, rounded_to, sorted_shared_share, spread, COPY_DIGITS, FNV_OFFSET,
    MAX_ROW_HASHES,
};
use crate::data::{Table, Values};
use rayon::prelude::*;

/// Test rows looked at for near copies: a [`spread`] of them. The share that matches is what the check
/// weighs, and 50,000 rows pin it to well under a percent.
pub const NEAR_TEST_ROWS: usize = 50_000;

/// How the test rows match the training rows on every feature but one.
#[derive(Debug, Clone, PartialEq)]
pub struct ButOne {
    /// The feature left out (an index into the features).
    pub feature: usize,
    /// Test rows whose other features match a training row's.
    pub seen: usize,
    /// Test rows looked at (a [`spread`] of [`NEAR_TEST_ROWS`]).
    pub rows: usize,
    /// The share of training rows that match another training row on the
    /// other features: the rate fresh rows match by chance. 0 when those
    /// repeats are copies ([`repeats_like_copies`]): rows repeated with
    /// only this feature changed.
    pub chance: f64,
    /// The share of the test rows that match another test row on them.
    pub within_test: f64,
    /// Distinct training keys over the other features.
    pub train_keys: usize,
    /// Whether the training rows repeat on the other features like copies.
    pub copies: bool,
}

/// For each of `features` (two or more), how `test_rows` match
/// `train_rows` on all the other features (numbers to six significant
/// digits). Empty with fewer than two features or no rows on a side.
/// Only features for which `min_share` of the test rows could match that
/// way are looked at: a row that matches on every feature but one matches
/// whole on the half of the features without it, which is two keys to
/// check rather than one per feature (fresh rows of continuous data stop
/// there).
///
/// A row's key is a sum of one mixed hash per cell, so leaving a feature
/// out is a subtraction: every cell is hashed at most twice, whatever the
/// number of features, and memory stays at a few keys per row.
///
/// Over more than [`MAX_ROW_HASHES`] training rows, a spread of them is
/// looked at first, where a copy is found only when its row is in the
/// sample: the bar is scaled by the sample's share, and the features on
/// which more test rows match than chance gives are counted again over
/// every training row (round 16, F3: copies in 2.5M rows went unseen).
pub fn match_but_one(
    train: &Table,
    train_rows: &[usize],
    test: &Table,
    test_rows: &[usize],
    features: &[String],
    min_share: f64,
) -> Vec<ButOne> {
    let test_rows = &*spread(test_rows, NEAR_TEST_ROWS);
    let sample = spread(train_rows, MAX_ROW_HASHES);
    if sample.len() == train_rows.len() {
        return but_one(
            train, train_rows, test, test_rows, features, min_share, None,
        );
    }
    let scale = sample.len() as f64 / train_rows.len() as f64;
    let sampled = but_one(
        train,
        &sample,
        test,
        test_rows,
        features,
        min_share * scale,
        None,
    );
    let beyond: Vec<usize> = sampled
        .iter()
        .filter(|b| beyond_noise(b))
        .map(|b| b.feature)
        .collect();
    if beyond.is_empty() {
        return sampled;
    }
    but_one(
        train,
        train_rows,
        test,
        test_rows,
        features,
        min_share,
        Some(&beyond),
    )
}

/// Whether more of `b`'s test rows match than its chance gives, beyond
/// sampling noise.
fn beyond_noise(b: &ButOne) -> bool {
    super::excess_over_chance(b.seen, b.rows, b.chance).is_some()
}

/// [`match_but_one`] over all of `train_rows`, for the features of `only`
/// (all when `None`).
fn but_one(
    train: &Table,
    train_rows: &[usize],
    test: &Table,
    test_rows: &[usize],
    features: &[String],
    min_share: f64,
    only: Option<&[usize]>,
) -> Vec<ButOne> {
    if features.len() < 2 || train_rows.is_empty() || test_rows.is_empty() {
        return Vec::new();
    }
    let (train_total, train_half) = summed(train, train_rows, features);
    let (test_total, test_half) = summed(test, test_rows, features);
    let other = |total: &[u64], half: &[u64]| -> Vec<u64> {
        total
            .iter()
            .zip(half)
            .map(|(t, h)| t.wrapping_sub(*h))
            .collect()
    };
    let sorted = |mut v: Vec<u64>| {
        v.par_sort_unstable();
        v
    };
    let test_other = other(&test_total, &test_half);
    let train_other = sorted(other(&train_total, &train_half));
    let halves = [(sorted(train_half), test_half), (train_other, test_other)];
    let enough = |n: usize| (n as f64) >= min_share * test_rows.len() as f64;
    // A row that matches without a feature of the even half matches whole
    // on the odd half, and the other way round: a half few rows match on
    // rules out every feature of the other.
    let via: Vec<bool> = halves
        .iter()
        .map(|(train, test)| {
            enough(
                test.par_iter()
                    .filter(|k| train.binary_search(k).is_ok())
                    .count(),
            )
        })
        .collect();
    (0..features.len())
        .into_par_iter()
        .filter(|&j| via[1 - j % 2] && only.is_none_or(|o| o.contains(&j)))
        .map(|j| {
            leaving_out(
                (train, train_rows, &train_total),
                (test, test_rows, &test_total),
                features,
                &[j],
            )
        })
        .collect()
}

/// How the test rows match the training rows on every feature but those
/// at positions `leave` (two or more features in all; `None` otherwise or
/// with no rows on a side): [`match_but_one`] for a set of features, the
/// ones a near copy changed together (a monthly snapshot moves `tenure`
/// and `total_charges`). Test rows are a [`spread`] of
/// [`NEAR_TEST_ROWS`]; training rows, all of them. [`ButOne::feature`] is
/// the first of `leave`.
pub fn match_but_set(
    train: &Table,
    train_rows: &[usize],
    test: &Table,
    test_rows: &[usize],
    features: &[String],
    leave: &[usize],
) -> Option<ButOne> {
    let test_rows = &*spread(test_rows, NEAR_TEST_ROWS);
    if leave.is_empty()
        || leave.len() >= features.len()
        || leave.iter().any(|&j| j >= features.len())
        || train_rows.is_empty()
        || test_rows.is_empty()
    {
        return None;
    }
    let (train_total, _) = summed(train, train_rows, features);
    let (test_total, _) = summed(test, test_rows, features);
    Some(leaving_out(
        (train, train_rows, &train_total),
        (test, test_rows, &test_total),
        features,
        leave,
    ))
}

/// [`ButOne`] for the features at positions `leave`, from each side's
/// rows and whole-row keys.
fn leaving_out(
    (train, train_rows, train_total): (&Table, &[usize], &[u64]),
    (test, test_rows, test_total): (&Table, &[usize], &[u64]),
    features: &[String],
    leave: &[usize],
) -> ButOne {
    let keys_without = |table: &Table, rows: &[usize], total: &[u64]| {
        let mut keys = total.to_vec();
        for &j in leave {
            keys = without(&keys, &cells(table, rows, features, j));
        }
        keys.sort_unstable();
        keys
    };
    let mut train_keys = keys_without(train, train_rows, train_total);
    let multiplicities = train_keys.chunk_by(|a, b| a == b).map(<[u64]>::len);
    // Rows repeated with the feature changed (augmented before the
    // split, or one entity's monthly rows) repeat like copies: over
    // distinct rows none repeats.
    let copies = repeats_like_copies(multiplicities);
    let chance = if copies {
        0.0
    } else {
        sorted_shared_share(&train_keys)
    };
    train_keys.dedup();
    let test_keys = keys_without(test, test_rows, test_total);
    ButOne {
        feature: leave[0],
        seen: found(&test_keys, &train_keys),
        rows: test_rows.len(),
        chance,
        within_test: sorted_shared_share(&test_keys),
        train_keys: train_keys.len(),
        copies,
    }
}

/// How many of the sorted `keys` are in the sorted, distinct `set`: one
/// pass over both.
fn found(keys: &[u64], set: &[u64]) -> usize {
    let mut at = 0;
    keys.iter()
        .filter(|&&k| {
            while at < set.len() && set[at] < k {
                at += 1;
            }
            at < set.len() && set[at] == k
        })
        .count()
}

/// Each row's key over all of `features` (the wrapping sum of its cells'
/// mixed hashes), and over the features at even positions.
fn summed(table: &Table, rows: &[usize], features: &[String]) -> (Vec<u64>, Vec<u64>) {
    let mut total = vec![0u64; rows.len()];
    let mut half = vec![0u64; rows.len()];
    for j in 0..features.len() {
        let cells = cells(table, rows, features, j);
        for ((t, h), c) in total.iter_mut().zip(&mut half).zip(cells) {
            *t = t.wrapping_add(c);
            if j % 2 == 0 {
                *h = h.wrapping_add(c);
            }
        }
    }
    (total, half)
}

/// Each row's key over every feature but the one whose `cells` are given.
fn without(total: &[u64], cells: &[u64]) -> Vec<u64> {
    total
        .iter()
        .zip(cells)
        .map(|(t, c)| t.wrapping_sub(*c))
        .collect()
}

/// The `j`th feature's cells, hashed with numbers to [`COPY_DIGITS`]
/// significant digits (the other columns of a near copy are exact, and
/// fresh values of a continuous feature almost never agree that far,
/// however evenly they fill the range), text by its level and a missing
/// value as one value of its own; mixed with the feature's position, so
/// a value in one column does not stand in for the same value in another.
pub(super) fn cells(table: &Table, rows: &[usize], features: &[String], j: usize) -> Vec<u64> {
    let salt = (j as u64 + 1).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    let column = table.column(&features[j]);
    rows.par_iter()
        .map(|&r| {
            let mut h = FNV_OFFSET;
            match column {
                None => fnv(&mut h, b"\x00absent"),
                Some(c) if c.is_null(r) => fnv(&mut h, b"\x00null"),
                Some(c) => match &c.values {
                    Values::Num(v) => fnv(&mut h, &rounded_to(v[r], COPY_DIGITS)),
                    Values::Cat { codes, levels } => {
                        let level = levels.get(codes[r] as usize).map_or("", String::as_str);
                        fnv(&mut h, level.as_bytes());
                    }
                },
            }
            mix(h ^ salt)
        })
        .collect()
}

/// A bijective 64-bit finalizer (splitmix64's): sums of mixed values
/// collide no more than random 64-bit numbers.
pub(super) fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(x: Vec<f64>, s: Vec<&str>) -> Table {
        let levels: Vec<String> = {
            let mut l: Vec<String> = s.iter().map(|v| v.to_string()).collect();
            l.sort();
            l.dedup();
            l
        };
        let codes = s
            .iter()
            .map(|v| levels.iter().position(|l| l == v).unwrap_or(0) as u32)
            .collect();
        crate::artifact::tests::x_and_s(x, codes, levels)
    }

    #[test]
    fn copies_in_big_training_data_are_counted_over_every_row() {
        // Round 16, F3: 250,000 training rows, 200,000 of them sampled; a
        // test file of copies with `x` rounded must be found whole.
        let n = MAX_ROW_HASHES + 50_000;
        let x: Vec<f64> = (0..n).map(|i| i as f64 * 1.000_123 + 0.123_457).collect();
        let levels: Vec<String> = (0..n).map(|i| format!("k{i}")).collect();
        let codes: Vec<u32> = (0..n as u32).collect();
        let train = crate::artifact::tests::x_and_s(x.clone(), codes, levels.clone());
        let picked: Vec<usize> = (0..n).step_by(83).collect();
        let test = crate::artifact::tests::x_and_s(
            picked.iter().map(|&i| x[i].round()).collect(),
            (0..picked.len() as u32).collect(),
            picked.iter().map(|&i| levels[i].clone()).collect(),
        );
        let rows: Vec<usize> = (0..n).collect();
        let test_rows: Vec<usize> = (0..picked.len()).collect();
        let names = vec!["x".to_string(), "s".to_string()];
        let near = match_but_one(&train, &rows, &test, &test_rows, &names, 0.1);
        let x_changed = near.iter().find(|b| b.feature == 0).unwrap();
        assert_eq!(x_changed.seen, picked.len());
        assert_eq!(x_changed.chance, 0.0);
    }

    #[test]
    fn found_counts_sorted_keys_in_a_sorted_set_repeats_and_all() {
        assert_eq!(found(&[1, 2, 2, 5, 9], &[2, 3, 9]), 3);
        assert_eq!(found(&[], &[1]), 0);
        assert_eq!(found(&[4, 4], &[]), 0);
        assert_eq!(found(&[0, u64::MAX], &[0, u64::MAX]), 2);
    }

    #[test]
    fn a_copy_with_one_column_changed_matches_on_the_rest() {
        let train = table(vec![1.5, 2.5, 3.5, 3.5], vec!["a", "b", "c", "d"]);
        // Row 0 re-cased, row 1 shifted, row 2 fresh.
        let test = table(vec![1.5, 2.6, 9.5], vec!["A", "b", "c"]);
        let names: Vec<String> = vec!["x".into(), "s".into()];
        let got = match_but_one(&train, &[0, 1, 2, 3], &test, &[0, 1, 2], &names, 0.0);
        assert_eq!(got.len(), 2);
        // Without x: s matches for "b" and "c".
        assert_eq!((got[0].feature, got[0].seen, got[0].rows), (0, 2, 3));
        assert_eq!(got[0].chance, 0.0);
        assert_eq!(got[0].train_keys, 4);
        // Without s: x matches for 1.5 (only); 3.5 repeats among training rows.
        assert_eq!((got[1].feature, got[1].seen), (1, 1));
        assert_eq!(got[1].chance, 0.5);
        assert_eq!(got[1].train_keys, 3);
        assert_eq!(got[1].within_test, 0.0);
        // The keys agree with whole-row keys over the other features.
        let key = |t: &Table, r: usize, j: usize| {
            let mut total = 0u64;
            for k in (0..2).filter(|&k| k != j) {
                total = total.wrapping_add(cells(t, &[r], &names, k)[0]);
            }
            total
        };
        assert_eq!(key(&train, 1, 0), key(&test, 1, 0));
        assert_ne!(key(&train, 1, 1), key(&test, 1, 1));
        // One feature, or no rows: nothing to leave out.
        assert!(match_but_one(&train, &[0], &test, &[0], &names[..1], 0.0).is_empty());
        assert!(match_but_one(&train, &[], &test, &[0], &names, 0.0).is_empty());
        // Every test row matches on a half (x = 1.5; s = b; s = c), but a
        // feature is looked at only when enough rows match on the other
        // half: two of three on s (without x), one on x (without s).
        let rows = [0, 1, 2, 3];
        let two_thirds = match_but_one(&train, &rows, &test, &[0, 1, 2], &names, 0.6);
        assert_eq!(two_thirds, got[..1]);
        assert!(match_but_one(&train, &rows, &test, &[0, 1, 2], &names, 1.0).is_empty());
        let fresh = table(vec![7.7, 8.8], vec!["zz", "b"]);
        let half = match_but_one(&train, &[0, 1, 2, 3], &fresh, &[0, 1], &names, 0.5);
        assert_eq!(half.len(), 1);
        assert_eq!((half[0].feature, half[0].seen), (0, 1));
        assert!(match_but_one(&train, &[0, 1, 2, 3], &fresh, &[0, 1], &names, 0.6).is_empty());
    }
}
