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
pub type Counts = [u64; 2];

/// What the labels of rows that share a key say of test rows that match
/// training rows that way.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Agreement {
    /// `(test, training)`: the matched test rows agree with the labels of
    /// their training matches no more often than training rows of one key
    /// agree with each other, beyond sampling noise: new observations.
    Fresh(f64, f64),
    /// `(within, drawn)`: on a split of one file, training rows of one key
    /// share their label far more often (`within`) than labels drawn
    /// afresh at what their features give would (`drawn`): the label
    /// belongs to the entity (a household, a patient), and its rows on
    /// both sides of the split let the model learn a test row's label
    /// from its training rows.
    Entity(f64, f64),
    /// Neither: the rows keep their labels as copies do, or too few
    /// rows match to tell.
    Kept,
}

/// Most of a label's variance, beyond what the features give, that an
/// entity's rows may share for labels of rows matching across a split of
/// one file to count as drawn afresh: `(within - drawn) / (1 - drawn)`,
/// where `drawn` is how often independent draws at the features'
/// probabilities agree. New months of customers whose churn the month's
/// features decide share none of it; members of a household that share
/// one outcome share most (0.68, round 25, F4).
const MAX_ENTITY_SHARE: f64 = 0.25;

/// Training rows looked at for an entity's label: every row of a sample
/// of the keys that two or more rows share.
const ENTITY_ROWS: usize = 20_000;

/// Probabilities of the label for training rows (positions into the
/// training rows, sorted) as the features alone give them, each row's from
/// a model that never saw its entity: one fitted on the other training
/// rows than those of its fold (0 or 1, one per position; an entity's rows
/// share a fold). One list per reference model; the entity's label is
/// judged against the one that follows the features best. `None` when
/// there is no such model.
pub type Drawn<'a> = &'a dyn Fn(&[usize], &[u8]) -> Option<Vec<Vec<f64>>>;

/// Folds of `positions` (sorted) such that rows joined by `pairs` (an
/// entity's rows) share one: the components of the pairs, each in the
/// fold a mix of its first position gives.
fn entity_folds(positions: &[usize], pairs: &[(usize, usize)]) -> Vec<u8> {
    let index = |i: usize| positions.binary_search(&i).ok();
    let mut parent: Vec<usize> = (0..positions.len()).collect();
    fn root(parent: &mut [usize], mut i: usize) -> usize {
        while parent[i] != i {
            parent[i] = parent[parent[i]];
            i = parent[i];
        }
        i
    }
    for &(a, b) in pairs {
        if let (Some(a), Some(b)) = (index(a), index(b)) {
            let (ra, rb) = (root(&mut parent, a), root(&mut parent, b));
            // The smaller index is the root: a component's first position.
            parent[ra.max(rb)] = ra.min(rb);
        }
    }
    (0..positions.len())
        .map(|i| {
            let first = positions[root(&mut parent, i)] as u64;
            (first.wrapping_mul(0x9e37_79b9_7f4a_7c15) >> 63) as u8
        })
        .collect()
}

/// `(within, drawn)` when labels that agree at the rate `within` over
/// `pairs` of training rows (positions) agree beyond [`MAX_ENTITY_SHARE`]
/// of what independent draws at `p`'s probabilities leave.
fn entity_label(pairs: &[(usize, usize)], y: &[u8], p: Drawn) -> Option<(f64, f64)> {
    let mut positions: Vec<usize> = pairs.iter().flat_map(|&(a, b)| [a, b]).collect();
    positions.sort_unstable();
    positions.dedup();
    let folds = entity_folds(&positions, pairs);
    let references = p(&positions, &folds)?;
    if references.iter().any(|r| r.len() != positions.len()) {
        return None;
    }
    let at = |i: usize| positions.binary_search(&i).ok();
    let mut within = 0.0;
    let mut drawn = vec![0.0; references.len()];
    let mut n = 0.0;
    for &(a, b) in pairs {
        let (Some(ka), Some(kb), Some(ya), Some(yb)) = (at(a), at(b), y.get(a), y.get(b)) else {
            continue;
        };
        within += f64::from(u8::from(ya == yb));
        for (d, probabilities) in drawn.iter_mut().zip(&references) {
            let (pa, pb) = (probabilities[ka], probabilities[kb]);
            *d += pa * pb + (1.0 - pa) * (1.0 - pb);
        }
        n += 1.0;
    }
    if n < MIN_ROWS as f64 {
        return None;
    }
    // The reference that follows the features best agrees most.
    let drawn = drawn.into_iter().fold(0.0, f64::max) / n;
    let within = within / n;
    (drawn < 1.0 && (within - drawn) / (1.0 - drawn) > MAX_ENTITY_SHARE).then_some((within, drawn))
}

/// Pairs of training rows (positions) that share a key, over a sample of
/// the keys two or more rows share that holds about [`ENTITY_ROWS`] rows
/// (every row of a key it takes), consecutive rows of a key paired.
fn key_pairs(train: &[u64], by_key: &KeyMap<Counts>) -> Vec<(usize, usize)> {
    let shared: u64 = by_key
        .values()
        .map(|c| c[0] + c[1])
        .filter(|&m| m >= 2)
        .sum();
    // Keys kept where a mix of the key falls under the share kept.
    let keep = (ENTITY_ROWS as f64 / shared.max(1) as f64).min(1.0);
    let kept = |k: u64| {
        let mixed = k.wrapping_mul(0x9e37_79b9_7f4a_7c15) >> 11;
        (mixed as f64) < keep * (1u64 << 53) as f64
    };
    let mut last: KeyMap<usize> = KeyMap::default();
    let mut pairs = Vec::new();
    for (i, &k) in train.iter().enumerate() {
        let many = by_key.get(&k).is_some_and(|c| c[0] + c[1] >= 2);
        if many && kept(k) {
            if let Some(prev) = last.insert(k, i) {
                pairs.push((prev, i));
            }
        }
    }
    pairs
}

/// Over groups of rows given as label counts `[0s, 1s]`: pairs of rows
/// of one group that share their label, all such pairs, and the groups of
/// two or more rows.
pub fn pair_agreement(groups: impl Iterator<Item = Counts>) -> (f64, f64, usize) {
    let choose = |k: u64| (k * k.saturating_sub(1)) as f64 / 2.0;
    groups
        .filter(|c| c[0] + c[1] >= 2)
        .fold((0.0, 0.0, 0), |(agree, pairs, shared), c| {
            (
                agree + choose(c[0]) + choose(c[1]),
                pairs + choose(c[0] + c[1]),
                shared + 1,
            )
        })
}

/// How the labels of test rows matching a training row (whole rows, as
/// [`RowKey::Rounded`] keys) compare with the labels of the training rows
/// of their key, next to how training rows of one key agree with each
/// other (pairs of distinct rows). [`Agreement::Fresh`] when they agree no
/// more often, beyond sampling noise: new observations, not copies; on a
/// `split` of one file (with the features' probabilities),
/// [`Agreement::Entity`] first when training rows of one key share their
/// label beyond [`MAX_ENTITY_SHARE`]. Too few matches,
/// or training rows that match each other nearly always sharing a label
/// (then copies cannot be told from them), are [`Agreement::Kept`].
///
/// A copy of a training row agrees with itself: its agreement is higher
/// than the pairs' unless its key holds many training rows, and then the
/// model has no row of its own to remember either.
pub fn label_agreement(
    keys: &RowKeys,
    y_train: &[u8],
    y_test: &[u8],
    split: Option<Drawn>,
) -> Agreement {
    let mut by_key: KeyMap<Counts> =
        KeyMap::with_capacity_and_hasher(keys.train.len(), Default::default());
    for (k, &y) in keys.train.iter().zip(y_train) {
        by_key.entry(*k).or_default()[usize::from(y.min(1))] += 1;
    }
    let (agree, pairs, shared) = pair_agreement(by_key.values().copied());
    if shared < MIN_ROWS || pairs <= 0.0 {
        return Agreement::Kept;
    }
    let training = agree / pairs;
    if training > MAX_TRAINING_AGREEMENT {
        return Agreement::Kept;
    }
    if let Some(p) = split {
        let pairs = key_pairs(&keys.train, &by_key);
        if let Some((within, drawn)) = entity_label(&pairs, y_train, p) {
            return Agreement::Entity(within, drawn);
        }
    }
    let (mut sum, mut matched) = (0.0, 0usize);
    for (k, &y) in keys.test.iter().zip(y_test) {
        if let Some(c) = by_key.get(k) {
            sum += c[usize::from(y.min(1))] as f64 / (c[0] + c[1]) as f64;
            matched += 1;
        }
    }
    if matched < MIN_ROWS {
        return Agreement::Kept;
    }
    let agreement = sum / matched as f64;
    if agrees_as_fresh(agreement, training, matched) {
        Agreement::Fresh(agreement, training)
    } else {
        Agreement::Kept
    }
}

/// Whether near rows ([`Twins`]) draw their labels afresh, judged as
/// [`label_agreement`] judges whole rows: the spiking classes' own pairs
/// disagree often enough to tell (copies keep their labels), and test rows
/// agree with the label of their nearest training row no more often than
/// near training rows of those labels agree. Matched case and control, or
/// one case with two controls, are new observations (round 23, F1). On a
/// `split` of one file, near rows that share their label as an entity's
/// rows do ([`Agreement::Entity`]) are not.
pub fn fresh_pairs(t: &Twins, y_train: &[u8], y_test: &[u8], split: Option<Drawn>) -> bool {
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
    if let Some(p) = split {
        let step = t.near_pairs.len().div_ceil(ENTITY_ROWS / 2).max(1);
        let pairs: Vec<(usize, usize)> = t.near_pairs.iter().copied().step_by(step).collect();
        if entity_label(&pairs, y_train, p).is_some() {
            return false;
        }
    }
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
        let Agreement::Fresh(a, b) = label_agreement(&fresh_keys, &y, &coin(200, 11), None) else {
            panic!("fresh labels")
        };
        assert!((a - 0.5).abs() < 0.1 && (b - 0.5).abs() < 0.1, "{a} {b}");
        // Copies of training rows with their labels: each agrees with
        // itself, and a quarter of the time at least.
        let copies: Vec<usize> = (0..800).step_by(4).collect();
        let labels: Vec<u8> = copies.iter().map(|&r| y[r]).collect();
        let kept = label_agreement(&keys(&t, &t, &copies), &y, &labels, None);
        assert_eq!(kept, Agreement::Kept);
        // Training rows of one key that share their label (a file repeated):
        // agreement cannot tell.
        let same: Vec<u8> = (0..800).map(|i| u8::from((i / 4) % 2 == 0)).collect();
        let fresh_y: Vec<u8> = (0..200).map(|i| u8::from(i % 2 == 0)).collect();
        let kept = label_agreement(&fresh_keys, &same, &fresh_y, None);
        assert_eq!(kept, Agreement::Kept);
        // Split from one file, the same labels: kept, whatever the
        // features give.
        let half = |rows: &[usize], _: &[u8]| Some(vec![vec![0.5; rows.len()]]);
        let kept = label_agreement(&fresh_keys, &same, &fresh_y, Some(&half));
        assert_eq!(kept, Agreement::Kept);
    }

    // Round 25, F4: members of a household share most of its outcome.
    // Training rows of one key agree on their label 75% of the time
    // against 50% for draws at what the features give: half the label's
    // variance is the entity's. A test file of fresh draws is new
    // observations; a split of one file puts the entity on both sides.
    // Where the features give each entity's label (probabilities near 0
    // or 1), the same agreement is what fresh draws give.
    #[test]
    fn labels_an_entity_shares_are_the_entitys_on_a_split() {
        let x: Vec<f64> = (0..800).map(|i| f64::from(i / 4)).collect();
        let entity = coin(200, 5);
        // Three rows carry the entity's label; the fourth, every other
        // entity, the other one.
        let y: Vec<u8> = (0..800)
            .map(|i| {
                let (j, r) = (i / 4, i % 4);
                let e = entity[j];
                if r == 3 && j % 2 == 1 {
                    1 - e
                } else {
                    e
                }
            })
            .collect();
        let t = table(&x);
        let rows: Vec<usize> = (0..800).collect();
        let f = vec!["x".to_string(), "s".to_string()];
        let fresh = table(&(0..200).map(f64::from).collect::<Vec<_>>());
        let test_rows: Vec<usize> = (0..200).collect();
        let keys = RowKeys::new(&t, &rows, &fresh, &test_rows, &f);
        let drawn = coin(200, 11);
        assert!(matches!(
            label_agreement(&keys, &y, &drawn, None),
            Agreement::Fresh(..)
        ));
        let half = |rows: &[usize], _: &[u8]| Some(vec![vec![0.5; rows.len()]]);
        let Agreement::Entity(within, base) = label_agreement(&keys, &y, &drawn, Some(&half))
        else {
            panic!("an entity's labels")
        };
        // Consecutive rows of a key: (0,1), (1,2), (2,3); the last pair
        // disagrees for every other entity.
        assert!((within - 5.0 / 6.0).abs() < 1e-12, "{within}");
        assert!((base - 0.5).abs() < 1e-12, "{base}");
        // Probabilities that say each row's label all but surely: the
        // features decide it, and the agreement is no entity's.
        let sure = |rows: &[usize], _: &[u8]| {
            let p = rows.iter().map(|&i| if y[i] == 1 { 0.99 } else { 0.01 });
            Some(vec![vec![0.5; rows.len()], p.collect()])
        };
        assert!(!matches!(
            label_agreement(&keys, &y, &drawn, Some(&sure)),
            Agreement::Entity(..)
        ));
        // Labels drawn afresh for every row share nothing: new
        // observations on a split too.
        assert!(matches!(
            label_agreement(&keys, &coin(800, 7), &drawn, Some(&half)),
            Agreement::Fresh(..)
        ));
    }
}
