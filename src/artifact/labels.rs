//! Whether test rows that match training rows carry the training rows'
//! labels. A copy carries its label; a new observation of the same entity
//! (next month's row of a customer whose static columns and counts repeat)
//! draws its label afresh, as the training rows that match each other do.

use super::{KeyMap, RowKeys, Twins};

/// Fewest matched test rows, and fewest training keys shared by two or
/// more rows (or near pairs of training rows), for label agreement to be
/// judged.
const MIN_ROWS: usize = 30;
/// Training rows that match each other must disagree on their labels at
/// least this often for agreement to tell copies from new observations:
/// where matching rows nearly always share a label, copies would too.
const MAX_TRAINING_AGREEMENT: f64 = 0.9;
/// Standard errors the matched test rows' agreement may exceed the
/// training rows' own by and still be new observations.
const NOISE: f64 = 3.0;
/// The least excess that [`NOISE`] allows: where training rows that match
/// never (matched case and control) or always share a label, the standard
/// error is 0 and one stray test row would count as a copy (round 23, F1).
const MIN_GAP: f64 = 0.05;

/// Whether matched test rows agreeing with their training matches' labels
/// at the rate `test` (over `n` rows) are new observations next to training
/// rows that agree among themselves at the rate `training`: no more than
/// sampling noise above it. Copies keep their labels.
fn agrees_as_fresh(test: f64, training: f64, n: usize) -> bool {
    let noise = NOISE * (training * (1.0 - training) / n.max(1) as f64).sqrt();
    test <= training + noise.max(MIN_GAP)
}

/// Labels of one row key among the training rows: counts of 0 and 1.
type Counts = [u64; 2];

/// `(test, training)` label agreement when test rows matching a training
/// row (whole rows, as [`RowKey::Rounded`] keys) agree with the labels of
/// the training rows of their key no more often than training rows of one
/// key agree with each other (pairs of distinct rows), beyond sampling
/// noise: they are new observations, not copies. `None` when that does
/// not hold, when too few rows match, or when training rows that match
/// each other nearly always share a label (then copies cannot be told
/// from them).
///
/// A copy of a training row agrees with itself: its agreement is higher
/// than the pairs' unless its key holds many training rows, and then the
/// model has no row of its own to remember either.
pub fn fresh_labels(keys: &RowKeys, y_train: &[u8], y_test: &[u8]) -> Option<(f64, f64)> {
    let mut by_key: KeyMap<Counts> =
        KeyMap::with_capacity_and_hasher(keys.train.len(), Default::default());
    for (k, &y) in keys.train.iter().zip(y_train) {
        by_key.entry(*k).or_default()[usize::from(y.min(1))] += 1;
    }
    let (mut agree, mut pairs, mut shared) = (0.0, 0.0, 0usize);
    for c in by_key.values() {
        let m = c[0] + c[1];
        if m >= 2 {
            let choose = |k: u64| (k * k.saturating_sub(1)) as f64 / 2.0;
            agree += choose(c[0]) + choose(c[1]);
            pairs += choose(m);
            shared += 1;
        }
    }
    if shared < MIN_ROWS || pairs <= 0.0 {
        return None;
    }
    let training = agree / pairs;
    if training > MAX_TRAINING_AGREEMENT {
        return None;
    }
    let (mut sum, mut matched) = (0.0, 0usize);
    for (k, &y) in keys.test.iter().zip(y_test) {
        if let Some(c) = by_key.get(k) {
            sum += c[usize::from(y.min(1))] as f64 / (c[0] + c[1]) as f64;
            matched += 1;
        }
    }
    if matched < MIN_ROWS {
        return None;
    }
    let agreement = sum / matched as f64;
    agrees_as_fresh(agreement, training, matched).then_some((agreement, training))
}

/// Whether near rows ([`Twins`]) draw their labels afresh, judged as
/// [`fresh_labels`] judges whole rows: the spiking classes' own pairs
/// disagree often enough to tell (copies keep their labels), and test rows
/// agree with the label of their nearest training row no more often than
/// near training rows of those labels agree. Matched case and control, or
/// one case with two controls, are new observations (round 23, F1).
pub fn fresh_pairs(t: &Twins, y_train: &[u8], y_test: &[u8]) -> bool {
    let agreement = |pairs: &[(usize, usize)], ya: &[u8], yb: &[u8]| {
        let same = pairs
            .iter()
            .filter(|&&(a, b)| ya.get(a) == yb.get(b))
            .count();
        same as f64 / pairs.len().max(1) as f64
    };
    if t.train_pairs.len() < MIN_ROWS || t.test_pairs.len() < MIN_ROWS {
        return false;
    }
    if agreement(&t.train_pairs, y_train, y_train) > MAX_TRAINING_AGREEMENT {
        return false;
    }
    let training = agreement(&t.near_pairs, y_train, y_train);
    let test = agreement(&t.test_pairs, y_test, y_train);
    agrees_as_fresh(test, training, t.test_pairs.len())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::Table;

    /// Numbers `x` as column `x` (the text column is one level).
    fn table(x: &[f64]) -> Table {
        crate::artifact::tests::x_and_s(x.to_vec(), vec![0; x.len()], vec!["a".into()])
    }

    /// `n` labels, each 1 with chance one half (a fixed xorshift stream).
    fn coin(n: usize, mut state: u64) -> Vec<u8> {
        (0..n)
            .map(|_| {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                u8::from(state >> 63 == 1)
            })
            .collect()
    }

    #[test]
    fn copies_keep_their_labels_new_observations_do_not() {
        // 200 entities of one value each, on 4 training rows with labels
        // drawn afresh (pairs agree about half the time).
        let x: Vec<f64> = (0..800).map(|i| f64::from(i / 4)).collect();
        let y = coin(800, 7);
        let t = table(&x);
        let rows: Vec<usize> = (0..800).collect();
        let f = vec!["x".to_string(), "s".to_string()];
        // A fifth observation of each entity, its label drawn afresh.
        let fresh = table(&(0..200).map(f64::from).collect::<Vec<_>>());
        let test_rows: Vec<usize> = (0..200).collect();
        let keys = |train: &Table, test: &Table, test_rows: &[usize]| {
            RowKeys::new(train, &rows, test, test_rows, &f)
        };
        let fresh_keys = keys(&t, &fresh, &test_rows);
        let (a, b) = fresh_labels(&fresh_keys, &y, &coin(200, 11)).unwrap();
        assert!((a - 0.5).abs() < 0.1 && (b - 0.5).abs() < 0.1, "{a} {b}");
        // Copies of training rows with their labels: each agrees with
        // itself, and a quarter of the time at least.
        let copies: Vec<usize> = (0..800).step_by(4).collect();
        let labels: Vec<u8> = copies.iter().map(|&r| y[r]).collect();
        assert!(fresh_labels(&keys(&t, &t, &copies), &y, &labels).is_none());
        // Training rows of one key that share their label (a file repeated):
        // agreement cannot tell.
        let same: Vec<u8> = (0..800).map(|i| u8::from((i / 4) % 2 == 0)).collect();
        let fresh_y: Vec<u8> = (0..200).map(|i| u8::from(i % 2 == 0)).collect();
        assert!(fresh_labels(&fresh_keys, &same, &fresh_y).is_none());
    }
}
