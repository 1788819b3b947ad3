//! How many distinct rows each class of the test rows holds: copies of a
//! row, exact or nudged, are one observation.
use super::{continuous_in, within_over, MAX_NUDGE_SHARE};
use crate::artifact::spread;
use crate::config::Plan;
use crate::model::scorer::Scorer;
use crate::pipeline::target::Sides;

/// Rows of a class whose distinct rows are counted (a spread of a larger
/// class is).
const DISTINCT_COUNTED: usize = 10_000;
/// Share of distinct rows one class must have for the other's copies to
/// count as copies: where rows repeat by nature (a few features of few
/// levels, a 0/1 score), identical rows are separate observations.
const DISTINCT_SHARE: f64 = 0.9;

/// The distinct test rows of each class ([negative, positive]) over the
/// features, target and protected attributes (numbers as row keys round
/// them), when one class's rows are at least [`DISTINCT_SHARE`] distinct:
/// copies of one row are then one observation. A class of more than
/// [`DISTINCT_COUNTED`] rows counts its rows, its share from a spread.
pub(in crate::pipeline) fn distinct_by_class(
    plan: &Plan,
    sides: &Sides,
    scorer: &dyn Scorer,
) -> Option<[u64; 2]> {
    let whole = crate::pipeline::train::whole_row(plan, &scorer.input_columns());
    let mut out = [0u64; 2];
    let mut share = [0f64; 2];
    for c in 0..2 {
        let (n, counted) = of_class(&sides.test_rows, &sides.y_test, c, DISTINCT_COUNTED);
        let mut keys = crate::artifact::fast_keys(sides.test_table, &counted, &whole);
        keys.sort_unstable();
        keys.dedup();
        share[c] = keys.len() as f64 / counted.len().max(1) as f64;
        out[c] = if n > DISTINCT_COUNTED {
            n as u64
        } else {
            let limit = crate::gates::metric::class_minimum(plan.data.min_test_rows) as usize;
            let (_, train) = of_class(&sides.train_rows, &sides.y_train, c, counted.len());
            let trained = (!train.is_empty()).then_some((sides.train_table, &train[..]));
            let nudged = nudged_copies(
                sides.test_table,
                &counted,
                &whole,
                &sides.test_rows,
                limit,
                trained,
            );
            nudged.map_or(keys.len(), |n| n.min(keys.len())) as u64
        };
    }
    (share[0].max(share[1]) >= DISTINCT_SHARE).then_some(out)
}

/// Rows per block of [`of_class`].
const CLASS_BLOCK: usize = 1 << 16;

/// How many of `rows` (classes `y`) are of class `c`, and those rows, or
/// `k` of them as [`spread`] picks them when there are more. Each block
/// of rows counts its class rows, then the blocks take their picks side
/// by side, skipping eight rows at a time up to each: no list of every
/// row of a class of millions, nor a walk of them one by one.
fn of_class(rows: &[usize], y: &[u8], c: usize, k: usize) -> (usize, Vec<usize>) {
    use rayon::prelude::*;
    let m = rows.len().min(y.len());
    let (rows, y) = (&rows[..m], &y[..m]);
    let of_c = |y: &u8| usize::from((*y).min(1)) == c;
    let counts = crate::evaluate::ranked::block_counts(y, CLASS_BLOCK, |y| of_c(&y));
    let n: usize = counts.iter().sum();
    // The wanted indices among the class's rows, ascending.
    let wanted = crate::domain::pick::spread_positions(n, k);
    let firsts: Vec<usize> = counts
        .iter()
        .scan(0, |at, &n| {
            *at += n;
            Some(*at - n)
        })
        .collect();
    let picks: Vec<Vec<usize>> = (y.par_chunks(CLASS_BLOCK).zip(rows.par_chunks(CLASS_BLOCK)))
        .zip(firsts.par_iter().zip(&counts))
        .map(|((y, rows), (&first, &count))| {
            let from = wanted.partition_point(|&w| w < first);
            let to = wanted.partition_point(|&w| w < first + count);
            let mut want = wanted[from..to].iter().copied().peekable();
            let mut out = Vec::with_capacity(to - from);
            // `at`: the block's row that is the class's row `j`, or is
            // before it.
            let (mut at, mut j) = (0, first);
            while let Some(&w) = want.peek() {
                while let Some(eight) = y.get(at..at + 8) {
                    let here = eight.iter().filter(|y| of_c(y)).count();
                    if j + here > w {
                        break;
                    }
                    (at, j) = (at + 8, j + here);
                }
                while !of_c(&y[at]) {
                    at += 1;
                }
                if j == w {
                    out.push(rows[at]);
                    while want.peek() == Some(&w) {
                        want.next();
                    }
                }
                (at, j) = (at + 1, j + 1);
            }
            out
        })
        .collect();
    (n, picks.concat())
}

/// Largest spread of a continuous number within rows that share every
/// other column, as a share of their value, for them to be copies nudged
/// (round 32, F3: copies of one row with two charges moved by under 1%).
const MAX_NUDGE: f64 = 0.05;

/// The distinct rows of `rows` over `columns` when rows that share every
/// column but the continuous numbers are copies nudged: each such group
/// holds every continuous number within [`MAX_NUDGE`] of its value, or
/// the groups hold it within under [`MAX_NUDGE_SHARE`] of its variance
/// over the `reference` rows (the whole test file). Copies may also have
/// one or two of those other columns re-drawn (round 34, F2: a payment
/// method drawn afresh for each copy): rows sharing all the others, with
/// the numbers nudged, count once where that leaves fewer than `limit`
/// distinct rows (the fewest a class needs; more of them would not change
/// a verdict), and where the class's `trained` rows (as many) fall into
/// at least twice as many groups. With six or more such columns, the
/// rows count as their groups over those columns alone, whatever their
/// numbers, where that leaves fewer than `limit` groups and the `trained`
/// rows fall into [`REDRAWN_MULTIPLE`] times as many. `None` when no
/// grouping holds, or there is no such number.
fn nudged_copies(
    table: &crate::data::Table,
    rows: &[usize],
    columns: &[String],
    reference: &[usize],
    limit: usize,
    trained: Option<(&crate::data::Table, &[usize])>,
) -> Option<usize> {
    // Continuous over the class's rows (a nudge gives each copy its own
    // value) or over the test file (exact copies repeat a number that
    // fresh rows hold each their own of: round 34, F2).
    let spread_out = spread(reference, CONTINUOUS_ROWS);
    let (coarse, numbers): (Vec<String>, Vec<String>) = columns
        .iter()
        .cloned()
        .partition(|c| !continuous_in(table, rows, c) && !continuous_in(table, &spread_out, c));
    if coarse.is_empty() || numbers.is_empty() {
        return None;
    }
    let nudged = |keys: &[u64]| {
        let mut by_key: Vec<(u64, usize)> =
            keys.iter().copied().zip(rows.iter().copied()).collect();
        by_key.sort_unstable();
        let groups: Vec<&[(u64, usize)]> = by_key.chunk_by(|a, b| a.0 == b.0).collect();
        // Each number within a few percent in every group, or varying
        // there by a small share of its spread over the test file (round
        // 33, F2: two customers copied with their charges moved by up to
        // 10%).
        let tight = |n: &String| {
            groups
                .iter()
                .filter(|g| g.len() >= 2)
                .all(|g| within_nudge(table, g, n))
                || within_over(table, rows, keys, reference, n) < MAX_NUDGE_SHARE
        };
        numbers.iter().all(tight).then_some(groups.len())
    };
    // Groups of fewer than `limit` count only where the class's training
    // rows, as many, fall into at least twice as many groups over the
    // same columns: rows of a dozen 0/1 flags and a bill repeat by nature
    // (round 35, F1). Without training rows (external scores) the test
    // rows are all there is.
    let train_groups = |left_out: &[usize]| {
        let (train_table, train_rows) = trained?;
        let kept: Vec<String> = (0..coarse.len())
            .filter(|j| !left_out.contains(j))
            .map(|j| coarse[j].clone())
            .collect();
        Some(distinct(crate::artifact::fast_keys(
            train_table,
            train_rows,
            &kept,
        )))
    };
    let natural = |g: usize, left_out: &[usize]| train_groups(left_out).is_none_or(|t| t < 2 * g);
    let judged = |keys: &[u64], left_out: &[usize]| {
        nudged(keys).filter(|&g| g >= limit || !natural(g, left_out))
    };
    let keys = crate::artifact::fast_keys(table, rows, &coarse);
    let mut best = judged(&keys, &[]);
    if coarse.len() < LEAVE_OUT_FEWEST {
        return best;
    }
    // Copies with their numbers re-drawn, not nudged (round 35, F4: both
    // charges moved by up to 50%): the class's rows fall, over the other
    // columns alone, into fewer than `limit` groups, where its training
    // rows, as many, fall into [`REDRAWN_MULTIPLE`] times as many or more.
    if fewer_than(&keys, limit) {
        let g = distinct(keys);
        if train_groups(&[]).is_some_and(|t| t >= REDRAWN_MULTIPLE * g) {
            best = Some(best.map_or(g, |b| b.min(g)));
        }
    }
    let terms = crate::artifact::CellTerms::new(table, rows, &coarse);
    let all: Vec<usize> = (0..coarse.len()).collect();
    let base = terms.keys(&all);
    for j in 0..coarse.len() {
        let without = terms.without(&base, j);
        for k in j..coarse.len() {
            let keys = if k == j {
                without.clone()
            } else {
                terms.without(&without, k)
            };
            let under = limit.min(best.unwrap_or(usize::MAX));
            if fewer_than(&keys, under) {
                best = judged(&keys, &[j, k]).or(best);
            }
        }
    }
    best
}

/// Test rows [`nudged_copies`] tells continuous numbers on.
const CONTINUOUS_ROWS: usize = 100_000;

/// Fewest columns but the continuous numbers rows must have for
/// [`nudged_copies`] to leave one or two of them out: two left of three
/// would join rows of data that repeats by nature.
const LEAVE_OUT_FEWEST: usize = 6;

/// How many times as many groups a class's training rows must fall into
/// as its test rows, over the columns but the continuous numbers, for the
/// test rows to be copies whatever their numbers (a third of a class's
/// groups would be a narrow segment of honest rows).
const REDRAWN_MULTIPLE: usize = 4;

/// The distinct values of `keys`.
fn distinct(mut keys: Vec<u64>) -> usize {
    keys.sort_unstable();
    keys.dedup();
    keys.len()
}

/// Whether `keys` hold fewer than `limit` distinct values (stops counting
/// at `limit`: most groupings hold many).
fn fewer_than(keys: &[u64], limit: usize) -> bool {
    let mut seen = std::collections::HashSet::new();
    for &k in keys {
        if seen.insert(k) && seen.len() >= limit {
            return false;
        }
    }
    true
}

/// Whether numeric column `name` holds, over the rows of `group` (keys
/// and rows), values within [`MAX_NUDGE`] of one another (or none).
fn within_nudge(table: &crate::data::Table, group: &[(u64, usize)], name: &str) -> bool {
    let Some(crate::data::Values::Num(v)) = table.column(name).map(|c| &c.values) else {
        return false;
    };
    let (mut lo, mut hi, mut nan) = (f64::INFINITY, f64::NEG_INFINITY, 0);
    for &(_, r) in group {
        if v[r].is_nan() {
            nan += 1;
        } else {
            lo = lo.min(v[r]);
            hi = hi.max(v[r]);
        }
    }
    nan == group.len() || (nan == 0 && hi - lo <= MAX_NUDGE * lo.abs().max(hi.abs()))
}

#[cfg(test)]
mod tests {
    use super::of_class;
    use crate::artifact::spread;

    /// Against the definition (every class row listed, then spread), in
    /// one block and over three blocks with runs of one class longer
    /// than a block's share of picks.
    #[test]
    fn a_class_spread_is_the_spread_of_the_class_rows() {
        let rows: Vec<usize> = (0..10_007).map(|i| (i * 37) % 20_011).collect();
        let y: Vec<u8> = (0..10_007).map(|i| [0, 1, 2, 0, 1][i % 5]).collect();
        same_as_spread(&rows, &y);
        assert_eq!(of_class(&rows, &y[..3], 0, 10), (1, vec![rows[0]]));
        let n = 2 * super::CLASS_BLOCK + 10_001;
        let rows: Vec<usize> = (0..n).map(|i| (i * 7919) % 1_000_003).collect();
        let y: Vec<u8> = (0..n)
            .map(|i| u8::from(i % 70_000 < 5_000 || (i * i) % 11 < 4))
            .collect();
        same_as_spread(&rows, &y);
        // Labels fewer than rows: the rows without one are left out.
        assert_eq!(of_class(&rows, &y[..3], 0, 10).0, 0);
        assert_eq!(of_class(&[], &[], 1, 10), (0, Vec::new()));
    }

    fn same_as_spread(rows: &[usize], y: &[u8]) {
        for c in 0..2 {
            let all: Vec<usize> = rows
                .iter()
                .zip(y)
                .filter(|(_, &y)| usize::from(y.min(1)) == c)
                .map(|(&r, _)| r)
                .collect();
            for k in [0, 1, 7, 1000, all.len() - 1, all.len(), all.len() + 1] {
                let (n, picked) = of_class(rows, y, c, k);
                assert_eq!(n, all.len());
                assert_eq!(picked, spread(&all, k).to_vec(), "class {c}, k {k}");
            }
        }
    }
}
