//! What chance gives: how often fresh rows of the data would match a
//! training row, judged from how the test rows repeat one another.
use super::Sides;
use crate::config::Plan;

/// How `sides`' test rows repeat one another: the share that repeats
/// another's key and the rows counted. Copies inside the test file are
/// counted once (`kept`, when [`crate::artifact::distinct_if_continuous`]
/// has been asked already).
pub(super) fn test_repeats(
    plan: &Plan,
    sides: &Sides,
    features: &[String],
    kept: Option<Option<Vec<usize>>>,
) -> (f64, usize) {
    let kept = kept.unwrap_or_else(|| {
        crate::artifact::distinct_if_continuous(sides.test_table, &sides.test_rows, features)
    });
    match &kept {
        Some(rows) => (
            crate::artifact::key_share(sides.test_table, rows, features),
            rows.len(),
        ),
        None => {
            let whole = crate::pipeline::train::whole_row(plan, features);
            let share = crate::artifact::repeat_chance(
                sides.test_table,
                &sides.test_rows,
                features,
                &whole,
            );
            (share, sides.test_rows.len())
        }
    }
}

/// Pairs of `keys` that are equal.
pub(super) fn equal_pairs(mut keys: Vec<u64>) -> f64 {
    keys.sort_unstable();
    keys.chunk_by(|a, b| a == b)
        .map(|run| {
            let k = run.len() as f64;
            k * (k - 1.0) / 2.0
        })
        .sum()
}

/// An upper bound on chance from `pairs` equal pairs among `m` fresh rows.
/// With keys drawn at rates p, two rows share a key at rate c = sum p^2,
/// and a fresh row matches one of `n` training rows sum p (1 - (1-p)^n) of
/// the time, at most 1 - (1-c)^n (Jensen: 1 - (1-p)^n is concave in p).
/// c is taken at an upper end of the pairs' count, P + 2 sqrt(P) + 4 (no
/// pair among rows that would show 4 on average happens 2% of the time):
/// test rows that never repeat bound chance low only when there are enough
/// of them to have shown repeats.
pub(in crate::pipeline) fn chance_from_pairs(pairs: f64, m: usize, n: usize) -> f64 {
    if m < 2 {
        return 1.0;
    }
    if n == 0 {
        return 0.0;
    }
    let all = m as f64 * (m as f64 - 1.0) / 2.0;
    let c = ((pairs + 2.0 * pairs.sqrt() + 4.0) / all).min(1.0);
    -(n as f64 * (-c).ln_1p()).exp_m1()
}

/// How much of the data's key mass `keys` distinct training keys cover,
/// judged from `m` fresh rows of which a share `repeat` repeat a key among
/// themselves. With keys about equally likely, `m - 1` draws repeat a key
/// at the rate `1 - exp(-(m - 1) / K)`, which gives the number of keys `K`;
/// the training keys then cover `keys / K` of them. A floor under chance:
/// it sees natural repeats however the training file was deduplicated.
pub(in crate::pipeline) fn coverage_from_repeats(repeat: f64, m: usize, keys: usize) -> f64 {
    if m < 2 || repeat <= 0.0 {
        return 0.0;
    }
    if repeat >= 1.0 {
        return 1.0;
    }
    let per_key = -(1.0 - repeat).ln() / (m - 1) as f64;
    (keys as f64 * per_key).min(1.0)
}
