//! Test rows that are training rows with two columns changed: they match
//! a training row on every feature but two, which a fresh row of data with
//! a few continuous features never does, and fresh rows of discrete data do
//! at the rate training rows do among themselves.
//!
//! A row that differs from another in at most two features matches it
//! whole on one of three thirds of the features (pigeonhole), so the
//! candidates are the training rows sharing a third's key; each is then
//! compared feature by feature.

use super::near::cells;
use super::MAX_ROW_HASHES;
use crate::data::Table;
use rayon::prelude::*;

/// Most features a near copy may have changed.
pub const MAX_CHANGED: usize = 2;
/// Fewest features for a match on all but [`MAX_CHANGED`] to mean much.
pub const MIN_FEATURES: usize = 5;
/// Test rows looked at, and training rows whose nearness to the others
/// sets the chance rate (the first ones: in split order, a random sample):
/// a share over 20,000 rows is good to a percent.
const ROWS: usize = 20_000;
/// Training rows compared per third a row matches on (the first ones).
const CANDIDATES: usize = 8;
/// Most training rows sharing a third's key for a row's near rows to be
/// counted however many they are. A row sharing a third with more lies in
/// dense data (a third of few-level columns), where near counts say
/// nothing of copies (round 23, F3), unless its near rows are few.
const COUNT_CANDIDATES: usize = 64;
/// Most training rows sharing a third's key that are compared at all.
const SCAN_CANDIDATES: usize = 1024;
/// Cells hashed per side: rows are capped so that rows × features stays
/// under this (wide tables look at fewer rows).
const MAX_CELLS: usize = 4_000_000;
/// Fewest rows a side keeps under [`MAX_CELLS`].
const MIN_ROWS: usize = 2_000;

/// How the test rows match training rows on all but one or two features.
#[derive(Debug, Clone, PartialEq)]
pub struct ButFew {
    /// Test rows with a training row that differs in one or two features.
    pub seen: usize,
    /// Test rows looked at.
    pub rows: usize,
    /// The share of training rows with another training row that differs
    /// from them in one or two features: the rate for fresh rows.
    pub chance: f64,
    /// How many of the `seen` rows differ in each feature (index, rows),
    /// most first.
    pub changed: Vec<(usize, usize)>,
    /// Of the training rows nearest the `seen` test rows (one per test
    /// row), the share with another training row one or two features
    /// away: the chance rate where the test rows are. Fresh rows of one
    /// segment (customers without internet service, new customers) come
    /// near training rows of a dense part of the data, which come near
    /// each other as often; copies of training rows come near the rows
    /// they copied, as dense as the data they were drawn from.
    pub local: f64,
    /// Per training row looked at for `chance` (its position in the rows
    /// given): how many training rows are near it (`None` in dense data,
    /// where they are not counted), and the nearest.
    pub training_near: Vec<(usize, Option<usize>, Option<usize>)>,
    /// Per test row near a training row: both positions in the rows given.
    pub test_near: Vec<(usize, usize)>,
}

/// Largest near class (a training row and the training rows one or two
/// features from it) looked at for copies: rows copied two to four times,
/// or an entity's few snapshots. Bigger classes are dense data, whose
/// counts the candidate cap bends.
pub const MAX_TWINS: usize = 4;

/// How far above the log-convex bound classes of one size must be for
/// copies. Near classes of fresh data stay well under it (telco churn:
/// 0.4 of it for either class; credit: 0.1), while every row copied once
/// puts them at 2.5 and more, and an oversampled class at 4.
const NEAR_SPIKE: f64 = 2.0;

/// Training rows of one class whose near classes repeat like copies (round
/// 22, F2 and F3: every row of a file twice, or the positives oversampled,
/// each copy with a column or two changed or jittered): a spike of classes
/// of one size, as [`super::repeats_like_copies`] finds for whole rows.
/// Such copies lift the rate at which training rows come near each other,
/// so that rate no longer says how often fresh rows would.
#[derive(Debug, Clone, PartialEq)]
pub struct Twins {
    /// Per label (0, 1) with copies, the class size that spikes.
    pub sizes: Vec<(u8, usize)>,
    /// The rate for fresh rows. In a label with copies of size k, a row's
    /// copies add k - 1 to its class, so fresh rows are near another at
    /// the rate rows of size k + 1 and more are among those of size k and
    /// more; the other label counts as it is.
    pub chance: f64,
    /// Training rows of the spiking sizes and their nearest training row
    /// (positions in the training rows): copies share their label.
    pub train_pairs: Vec<(usize, usize)>,
    /// Every training row of a label with copies that has a near training
    /// row, and the nearest: how often near rows agree where test rows
    /// meet them (a test row's class in training is one row short).
    pub near_pairs: Vec<(usize, usize)>,
    /// Test rows near a training row, and that row (positions in the test
    /// and training rows).
    pub test_pairs: Vec<(usize, usize)>,
}

impl ButFew {
    /// [`Twins`] when the training rows of a label (`y_train`, by position)
    /// come near each other in classes that repeat like copies.
    pub fn twins(&self, y_train: &[u8]) -> Option<Twins> {
        let mut sizes = Vec::new();
        let (mut near, mut rows) = (0.0, 0usize);
        for label in [0u8, 1] {
            let of_label: Vec<usize> = self
                .training_near
                .iter()
                .filter(|(p, _, _)| y_train.get(*p).map(|&y| y.min(1)) == Some(label))
                // Rows in dense data count as bigger than any class looked at.
                .map(|&(_, n, _)| n.map_or(usize::MAX, |n| n + 1))
                .collect();
            let at = |k: usize| of_label.iter().filter(|&&s| s == k).count() as f64;
            // Classes of size k: rows of that size, each class once.
            let classes = |k: usize| at(k) / k as f64;
            let spike = (2..=MAX_TWINS).find(|&k| {
                super::is_copy_spike(k, classes(k - 1), classes(k), classes(k + 1), NEAR_SPIKE)
            });
            let at_least = |k: usize| of_label.iter().filter(|&&s| s >= k).count() as f64;
            near += match spike {
                Some(k) => {
                    sizes.push((label, k));
                    of_label.len() as f64 * at_least(k + 1) / at_least(k).max(1.0)
                }
                None => at_least(2),
            };
            rows += of_label.len();
        }
        if sizes.is_empty() {
            return None;
        }
        let spiking = |p: usize, n: Option<usize>| {
            let label = y_train.get(p).map(|&y| y.min(1));
            sizes
                .iter()
                .any(|&(l, k)| Some(l) == label && Some(k) == n.map(|n| n + 1))
        };
        let train_pairs = self
            .training_near
            .iter()
            .filter(|&&(p, n, _)| spiking(p, n))
            .filter_map(|&(p, _, c)| c.map(|c| (p, c)))
            .collect();
        let copied = |p: usize| {
            let label = y_train.get(p).map(|&y| y.min(1));
            sizes.iter().any(|&(l, _)| Some(l) == label)
        };
        let near_pairs = self
            .training_near
            .iter()
            .filter(|&&(p, _, _)| copied(p))
            .filter_map(|&(p, _, c)| c.map(|c| (p, c)))
            .collect();
        Some(Twins {
            chance: near / rows.max(1) as f64,
            sizes,
            train_pairs,
            near_pairs,
            test_pairs: self.test_near.clone(),
        })
    }
}

/// Per row of one side: its cells (row-major: a row's cells side by side,
/// so comparing two rows reads one stretch of memory) and its three
/// thirds' keys (the wrapping sum of the cells of the features at
/// positions `t`, `t + 3`, ...).
struct Side {
    width: usize,
    cells: Vec<u64>,
    thirds: [Vec<u64>; 3],
}

impl Side {
    fn new(table: &Table, rows: &[usize], features: &[String]) -> Side {
        let width = features.len();
        let mut all = vec![0u64; rows.len() * width];
        let mut thirds: [Vec<u64>; 3] = std::array::from_fn(|_| vec![0u64; rows.len()]);
        for j in 0..width {
            let column = cells(table, rows, features, j);
            for (i, c) in column.into_iter().enumerate() {
                all[i * width + j] = c;
                thirds[j % 3][i] = thirds[j % 3][i].wrapping_add(c);
            }
        }
        Side {
            width,
            cells: all,
            thirds,
        }
    }

    fn row(&self, i: usize) -> &[u64] {
        &self.cells[i * self.width..(i + 1) * self.width]
    }
}

/// The features (indices) in which two rows differ, up to
/// [`MAX_CHANGED`].
type Changed = [Option<usize>; MAX_CHANGED];

/// One side's rows with, per third, its keys and row positions sorted by
/// key: the rows to compare another row with in full.
struct Indexed {
    side: Side,
    index: Vec<Vec<(u64, u32)>>,
}

impl Indexed {
    fn new(side: Side) -> Indexed {
        let index = side
            .thirds
            .iter()
            .map(|keys| {
                let mut v: Vec<(u64, u32)> =
                    keys.iter().zip(0u32..).map(|(&k, i)| (k, i)).collect();
                v.par_sort_unstable();
                v
            })
            .collect();
        Indexed { side, index }
    }

    /// The features in which row `i` of `other` differs from row `c` of
    /// this side, when none, one or two (none: a whole copy).
    fn differ(&self, other: &Side, i: usize, c: usize) -> Option<Changed> {
        let mut out = [None; MAX_CHANGED];
        let mut n = 0;
        for (j, (a, b)) in self.side.row(c).iter().zip(other.row(i)).enumerate() {
            if a != b {
                if n == MAX_CHANGED {
                    return None;
                }
                out[n] = Some(j);
                n += 1;
            }
        }
        Some(out)
    }

    /// The nearest row of this side (fewest features changed, first of
    /// equals) among the candidates of row `i` of `other`, other than
    /// `skip`, when it differs in one or two features: the features, and
    /// the row.
    fn nearest(&self, other: &Side, i: usize, skip: Option<usize>) -> Option<(Changed, usize)> {
        let count = |d: &Changed| d.iter().flatten().count();
        let mut best: Option<(Changed, usize)> = None;
        for (t, sorted) in self.index.iter().enumerate() {
            let key = other.thirds[t][i];
            let from = sorted.partition_point(|&(k, _)| k < key);
            for &(k, c) in sorted[from..].iter().take(CANDIDATES) {
                let c = c as usize;
                if k != key || Some(c) == skip {
                    continue;
                }
                if let Some(diff) = self.differ(other, i, c) {
                    if count(&diff) > 0 && best.is_none_or(|(b, _)| count(&diff) < count(&b)) {
                        best = Some((diff, c));
                    }
                }
            }
        }
        best
    }

    /// Every row of this side (other than `skip`) that differs from row
    /// `i` of `other` in one or two features, counted, and the one with
    /// the fewest (first of equals): `None` where the row lies in dense
    /// data and its count is not looked for. That is when a third of row
    /// `i` is shared by more than [`SCAN_CANDIDATES`] rows, or by more
    /// than [`COUNT_CANDIDATES`] while the row has more than [`MAX_TWINS`]
    /// near rows: a third of few-level codes shared by hundreds of rows
    /// whose other features keep them apart leaves the row's class small,
    /// and copies in it show (round 29, F2: the credit data's `Home`,
    /// `Marital`, `Expenses` and `Debt`).
    fn count_near(
        &self,
        other: &Side,
        i: usize,
        skip: Option<usize>,
    ) -> Option<(usize, Option<usize>)> {
        let changed = |d: &Changed| d.iter().flatten().count();
        let mut near: Vec<(usize, usize)> = Vec::new();
        let mut dense = false;
        for (t, sorted) in self.index.iter().enumerate() {
            let key = other.thirds[t][i];
            let from = sorted.partition_point(|&(k, _)| k < key);
            let group = &sorted[from..from + sorted[from..].partition_point(|&(k, _)| k == key)];
            let skipped = usize::from(group.iter().any(|&(_, c)| Some(c as usize) == skip));
            let shared = group.len() - skipped;
            if shared > SCAN_CANDIDATES {
                return None;
            }
            dense |= shared > COUNT_CANDIDATES;
            for &(_, c) in group {
                let c = c as usize;
                if Some(c) == skip {
                    continue;
                }
                if let Some(diff) = self.differ(other, i, c) {
                    if changed(&diff) > 0 {
                        near.push((changed(&diff), c));
                    }
                }
                // (A near row is found on at most three thirds.)
                if dense && near.len() > 3 * MAX_TWINS {
                    return None;
                }
            }
        }
        near.sort_unstable_by_key(|&(_, c)| c);
        near.dedup_by_key(|&mut (_, c)| c);
        if dense && near.len() > MAX_TWINS {
            return None;
        }
        let best = near.iter().min_by_key(|&&(d, c)| (d, c)).map(|&(_, c)| c);
        Some((near.len(), best))
    }
}

/// For test rows (the first [`ROWS`]) and, as the reference, training
/// rows: whether another training row differs from them in one or two of
/// `features` (numbers to six significant digits). None with fewer than
/// [`MIN_FEATURES`] features or no rows on a side, and when fewer than
/// `min_share` of the test rows match a training row on a third of the
/// features.
pub fn match_but_few(
    train: &Table,
    train_rows: &[usize],
    test: &Table,
    test_rows: &[usize],
    features: &[String],
    min_share: f64,
) -> Option<ButFew> {
    let d = features.len();
    if d < MIN_FEATURES {
        return None;
    }
    let cap = (MAX_CELLS / d).max(MIN_ROWS);
    // Positions into the rows given, so that labels can be looked up.
    let positions = crate::domain::pick::spread_positions;
    let train_pos = positions(train_rows.len(), MAX_ROW_HASHES.min(cap));
    let test_pos = positions(test_rows.len(), ROWS.min(cap));
    let train_rows: &[usize] = &train_pos.iter().map(|&p| train_rows[p]).collect::<Vec<_>>();
    let test_rows: &[usize] = &test_pos.iter().map(|&p| test_rows[p]).collect::<Vec<_>>();
    if train_rows.len() < 2 || test_rows.is_empty() {
        return None;
    }
    let known = Indexed::new(Side::new(train, train_rows, features));
    let fresh = Indexed::new(Side::new(test, test_rows, features));
    // A row one or two features from a training row matches it whole on
    // a third: too few such test rows, and none can be mostly near copies.
    let on_a_third = (0..test_rows.len())
        .into_par_iter()
        .filter(|&i| {
            known.index.iter().enumerate().any(|(t, sorted)| {
                let key = fresh.side.thirds[t][i];
                sorted
                    .get(sorted.partition_point(|&(k, _)| k < key))
                    .is_some_and(|&(k, _)| k == key)
            })
        })
        .count();
    if (on_a_third as f64) < min_share * test_rows.len() as f64 {
        return None;
    }
    let found: Vec<Option<(Changed, usize)>> = (0..test_rows.len())
        .into_par_iter()
        .map(|i| known.nearest(&fresh.side, i, None))
        .collect();
    let reference = train_rows.len().min(ROWS);
    let near_each_other = (0..reference)
        .into_par_iter()
        .filter(|&i| known.nearest(&known.side, i, Some(i)).is_some())
        .count();
    let among_training: Vec<Option<(usize, Option<usize>)>> = (0..reference)
        .into_par_iter()
        .map(|i| known.count_near(&known.side, i, Some(i)))
        .collect();
    // Of the training rows the test rows came near, those near another
    // training row: how dense the data is where the test rows are.
    let matched: Vec<usize> = found.iter().flatten().map(|&(_, c)| c).collect();
    let matched_near = matched
        .par_iter()
        .filter(|&&c| known.nearest(&known.side, c, Some(c)).is_some())
        .count();
    let mut changed = vec![0usize; d];
    for j in found.iter().flatten().flat_map(|(d, _)| d).flatten() {
        changed[*j] += 1;
    }
    let mut changed: Vec<(usize, usize)> = changed
        .into_iter()
        .enumerate()
        .filter(|&(_, n)| n > 0)
        .collect();
    changed.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    Some(ButFew {
        seen: found.iter().filter(|f| f.is_some()).count(),
        rows: test_rows.len(),
        chance: near_each_other as f64 / reference as f64,
        changed,
        local: matched_near as f64 / matched.len().max(1) as f64,
        training_near: among_training
            .iter()
            .enumerate()
            .map(|(i, near)| match *near {
                Some((n, best)) => (train_pos[i], Some(n), best.map(|c| train_pos[c])),
                None => (train_pos[i], None, None),
            })
            .collect(),
        test_near: found
            .iter()
            .enumerate()
            .filter_map(|(i, f)| f.map(|(_, c)| (test_pos[i], train_pos[c])))
            .collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::{Column, DType, Values};

    fn table(rows: &[[f64; 6]]) -> Table {
        let names = ["a", "b", "c", "d", "e", "f"];
        Table {
            columns: (0..6)
                .map(|j| Column {
                    name: names[j].to_string(),
                    dtype: DType::Float,
                    values: Values::Num(rows.iter().map(|r| r[j]).collect()),
                })
                .collect(),
            n_rows: rows.len(),
        }
    }

    /// Row `i` of data whose rows differ from each other in every feature.
    fn row(i: usize) -> [f64; 6] {
        let x = i as f64;
        [
            x * 1.1,
            x * 2.3 + 0.7,
            x * 0.37,
            x + 0.5,
            x * 7.9,
            x * 0.011,
        ]
    }

    fn names() -> Vec<String> {
        ["a", "b", "c", "d", "e", "f"].map(String::from).to_vec()
    }

    #[test]
    fn rows_with_two_features_changed_match_and_fresh_rows_do_not() {
        let train: Vec<[f64; 6]> = (0..40).map(row).collect();
        // Rows 0-9 with b and e changed, row 10 with only f changed,
        // rows 11-12 with three changed, rows 13-14 fresh, row 15 whole.
        let mut test: Vec<[f64; 6]> = (0..10)
            .map(|i| {
                let mut r = row(i);
                r[1] += 100.0;
                r[4] *= 3.0;
                r
            })
            .collect();
        let mut one = row(10);
        one[5] = -1.0;
        test.push(one);
        for i in 11..13 {
            let mut r = row(i);
            r[0] = -1.0;
            r[2] = -2.0;
            r[3] = -3.0;
            test.push(r);
        }
        test.push(row(1000));
        test.push(row(2000));
        test.push(row(15));
        let (train, test) = (table(&train), table(&test));
        let all = |t: &Table| (0..t.n_rows).collect::<Vec<usize>>();
        let got = match_but_few(&train, &all(&train), &test, &all(&test), &names(), 0.0).unwrap();
        assert_eq!(got.seen, 11);
        assert_eq!(got.rows, 16);
        assert_eq!(got.chance, 0.0);
        // Row 0's e is 0, which tripling leaves as it was.
        assert_eq!(got.changed, vec![(1, 10), (4, 9), (5, 1)]);
        // 14 of the 16 test rows match a training row on a third (the
        // fresh ones do not): asking for more stops there.
        let rows = (all(&train), all(&test));
        assert!(match_but_few(&train, &rows.0, &test, &rows.1, &names(), 0.85).is_some());
        assert!(match_but_few(&train, &rows.0, &test, &rows.1, &names(), 0.9).is_none());
        // Too few features to say.
        assert!(
            match_but_few(&train, &all(&train), &test, &all(&test), &names()[..4], 0.0).is_none()
        );
    }

    // Round 22, F2/F3: training rows of one label copied once with a
    // feature changed come near each other in pairs, far beyond what
    // fresh rows give; the other label, with no copies, sets the rate.
    #[test]
    fn copies_with_a_feature_changed_come_near_in_pairs() {
        let mut rows = Vec::new();
        let mut y = Vec::new();
        for i in 0..200 {
            rows.push(row(i));
            y.push(u8::from(i % 2 == 0));
            if i % 2 == 0 {
                let mut copy = row(i);
                copy[i % 6] += 0.5;
                rows.push(copy);
                y.push(1);
            }
        }
        let t = table(&rows);
        let all: Vec<usize> = (0..t.n_rows).collect();
        let got = match_but_few(&t, &all, &t, &all[..10], &names(), 0.0).unwrap();
        let twins = got.twins(&y).unwrap();
        assert_eq!(twins.sizes, vec![(1, 2)]);
        assert_eq!(twins.chance, 0.0);
        assert_eq!(twins.train_pairs.len(), 200);
        assert!(twins
            .train_pairs
            .iter()
            .all(|&(a, b)| y[a] == 1 && y[b] == 1));
        // Fresh rows of the same kind: none near another, no copies.
        let fresh = table(&(0..300).map(row).collect::<Vec<_>>());
        let all: Vec<usize> = (0..300).collect();
        let got = match_but_few(&fresh, &all, &fresh, &all[..10], &names(), 0.0).unwrap();
        assert_eq!(got.twins(&[1; 300]), None);
        // Too few pairs (29) to tell.
        let few: Vec<[f64; 6]> = rows[..87].to_vec();
        let t = table(&few);
        let all: Vec<usize> = (0..few.len()).collect();
        let got = match_but_few(&t, &all, &t, &all[..10], &names(), 0.0).unwrap();
        assert_eq!(got.twins(&y[..87]), None);
    }

    #[test]
    fn training_rows_near_each_other_set_the_chance_rate() {
        // Every training row has a twin that differs in one feature: a
        // fresh row of such data is near a training row as often.
        let train: Vec<[f64; 6]> = (0..20)
            .flat_map(|i| {
                let x = i as f64;
                let r = [x, x + 0.5, x * 3.0, x * 5.0, x * 7.0, 1.0];
                let mut twin = r;
                twin[5] = 2.0;
                [r, twin]
            })
            .collect();
        let train = table(&train);
        let rows: Vec<usize> = (0..train.n_rows).collect();
        let got = match_but_few(&train, &rows, &train, &rows[..2], &names(), 0.0).unwrap();
        assert_eq!(got.chance, 1.0);
        assert_eq!((got.seen, got.rows), (2, 2));
    }
}
