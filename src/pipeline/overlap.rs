//! Whether the test rows are training rows: whole copies, copies with a
//! column or two changed, rows repeated inside the test file, against
//! the rate chance gives; and the note that says so.

use super::target::Sides;
use crate::artifact::{spread, ButOne, MAX_ROW_HASHES};
use crate::config::Plan;
use crate::gates::{Overlap, Repeated};
use crate::model::scorer::Scorer;

mod chance;
mod class;
mod distinct;
mod entity;
mod label;
pub(super) use chance::{chance_from_pairs, coverage_from_repeats};
use chance::{equal_pairs, test_repeats};
use class::by_class;
pub(super) use distinct::distinct_by_class;
use entity::{drawn_probabilities, entity_rows, entity_why, weigh_labels};
pub(super) use label::label_feature;

/// The test rows that match a training row (by the model's row hashes),
/// against the rate chance gives. With a separate test file they are rows
/// the two files share; with a split of one file, rows the file repeats
/// (a file repeated, a class oversampled before the split).
pub(super) fn overlap(plan: &Plan, sides: &Sides, scorer: &dyn Scorer) -> Option<Overlap> {
    let features = scorer.input_columns();
    // Every training and test row's key, hashed once for the checks below
    // that read them all.
    let all_keys = std::cell::OnceCell::new();
    let keys = || all_keys.get_or_init(|| whole_keys(sides, &features));
    // A model keeps the hashes of a spread of big training data only; the
    // run that trained it has every training row at hand.
    let seen = if plan.model.kind().trains() && sides.train_rows.len() > MAX_ROW_HASHES {
        keys().matched()
    } else {
        scorer.trained_on(sides.test_table, &sides.test_rows)
    };
    let chance = scorer.training_duplicate_share();
    let count = seen.iter().filter(|&&t| t).count();
    let whole = judge(plan, sides, &features, count, chance, &keys, None);
    if whole.as_ref().is_some_and(Overlap::mostly_training) {
        return whole;
    }
    by_class(plan, sides, &features, &seen, chance, &keys).or(whole)
}

/// One class's rows of a test file, for [`judge`]: the file's sides, and
/// what says whether the file's matches carry their labels.
type OneClass<'a> = (&'a Sides<'a>, &'a dyn Fn(&mut Overlap));

/// [`overlap`] of `sides`' test rows, `seen` of which match a training
/// row, against `chance`, with `keys` the training and test rows' keys.
/// With `one_class`, they are one class's rows of a test file
/// ([`class::by_class`]): the file's sides, and what says whether the
/// file's matches carry their labels; near copies are left to the file.
fn judge<'k>(
    plan: &Plan,
    sides: &Sides,
    features: &[String],
    seen: usize,
    chance: f64,
    keys: &dyn Fn() -> &'k crate::artifact::RowKeys,
    one_class: Option<OneClass>,
) -> Option<Overlap> {
    let mut o = Overlap::new(seen, sides.test_rows.len(), chance);
    let near = || match one_class {
        Some(_) => None,
        None => near_copy(sides, features),
    };
    if !o.could_be_mostly_training() {
        return near().or_else(|| (seen > 0).then_some(o));
    }
    let hashed = &*spread(&sides.train_rows, MAX_ROW_HASHES);
    // Rows copied with replacement (a bootstrap, an oversampled class, a
    // join fanning out, a protected attribute flipped) repeat like a
    // sample and raise chance to the copy rate. When a continuous feature
    // shows that rows agreeing to six digits are copies, each side counts
    // its distinct rows: chance is how often distinct training rows round
    // alike, unless the distinct test rows repeat more than that allows.
    let mut test_kept = None;
    if o.could_be_mostly_training() && !o.mostly_training() {
        let train_kept =
            crate::artifact::distinct_if_continuous(sides.train_table, &sides.train_rows, features);
        if let Some(train_kept) = train_kept {
            let kept = crate::artifact::distinct_if_continuous(
                sides.test_table,
                &sides.test_rows,
                features,
            );
            let test_rows = kept.as_deref().unwrap_or(&sides.test_rows);
            let test_keys = crate::artifact::fast_keys(sides.test_table, test_rows, features);
            let bound = chance_from_pairs(equal_pairs(test_keys), test_rows.len(), hashed.len());
            let distinct = crate::artifact::key_share(sides.train_table, &train_kept, features);
            o.chance = o.chance.min(distinct.max(bound));
            test_kept = Some(kept);
        }
    }
    // Before calling the test rows training rows, floors that do not
    // depend on how the training rows repeat (only then: they read every
    // training and test cell): what independent features give, and what
    // the test rows' own repeats say (a fresh file of data that repeats
    // itself shows it; a training file run through `drop_duplicates` no
    // longer does). Copies inside the test file are counted once.
    if o.mostly_training() {
        let floor =
            crate::artifact::independent_chance(sides.train_table, &sides.train_rows, features);
        let (within_test, m) = test_repeats(plan, sides, features, test_kept);
        // The keys of `hashed`, a spread of the training rows.
        let mut train_keys: Vec<u64> =
            crate::domain::pick::spread_positions(sides.train_rows.len(), MAX_ROW_HASHES)
                .iter()
                .map(|&i| keys().train[i])
                .collect();
        train_keys.sort_unstable();
        train_keys.dedup();
        let from_test = match one_class {
            // A class's few rows repeat by chance or not at all: the low
            // end of what they show, or the file's repeats.
            Some((file, _)) => {
                let (file_repeats, n) = test_repeats(plan, file, features, None);
                coverage_from_repeats(class::fewest_repeats(within_test, m), m, train_keys.len())
                    .max(coverage_from_repeats(file_repeats, n, train_keys.len()))
            }
            None => coverage_from_repeats(within_test, m, train_keys.len()),
        };
        o.chance = o.chance.max(floor).max(from_test);
    }
    if o.mostly_training() {
        // Rows that match but draw their labels afresh, as the training
        // rows that match each other do, are new observations (chance
        // misses how often a later row of one entity repeats an earlier).
        match one_class {
            Some((_, weigh)) => weigh(&mut o),
            None => weigh_labels(&mut o, sides, keys(), features),
        }
        if o.mostly_training() {
            return Some(o);
        }
    }
    near().or_else(|| (seen > 0).then_some(o))
}

/// [`crate::artifact::RowKeys`] of every training and test row over
/// `features`.
fn whole_keys(sides: &Sides, features: &[String]) -> crate::artifact::RowKeys {
    crate::artifact::RowKeys::new(
        sides.train_table,
        &sides.train_rows,
        sides.test_table,
        &sides.test_rows,
        features,
    )
}

/// Test rows that match a training row on every feature but one, when
/// they are largely training rows that way: a copy with one column
/// re-coded, re-cased, rounded or shifted. Chance is how often training
/// rows match each other on the other features, floored as for whole rows
/// (by what independent features give, and by the test rows' own repeats
/// unless the training rows repeat like copies). Of several such
/// features, the one most test rows match without (the first of equals).
fn match_but_one(sides: &Sides, features: &[String]) -> Option<Overlap> {
    let near = crate::artifact::match_but_one(
        sides.train_table,
        &sides.train_rows,
        sides.test_table,
        &sides.test_rows,
        features,
        crate::gates::OVERLAP_LIMIT,
    );

    // The feature most test rows match without (the first of equals).
    let most = near
        .iter()
        .fold(None, |best: Option<&ButOne>, b| match best {
            Some(m) if m.seen >= b.seen => Some(m),
            _ => Some(b),
        })
        .cloned();
    near.into_iter()
        .filter_map(|b| {
            let leave = [b.feature];
            judged(sides, features, b, &leave)
        })
        .fold(None, |best: Option<Overlap>, o| match best {
            Some(b) if b.seen >= o.seen => Some(b),
            _ => Some(o),
        })
        .or_else(|| {
            let b = most?;
            let leave = [b.feature];
            entity_rows(sides, features, &b, &leave)
        })
}

/// The overlap of test rows that match training rows on every feature but
/// those at positions `leave` (`b`, from [`crate::artifact::ButOne`]),
/// when they are largely training rows that way. Chance is how often
/// training rows match each other on the other features (0 where they
/// repeat like copies: one entity's rows, or rows augmented before the
/// split), floored by what independent features give and by the test
/// rows' own repeats (unless the training rows repeat like copies); rows
/// whose labels are drawn afresh are new observations, not copies.
fn judged(sides: &Sides, features: &[String], b: ButOne, leave: &[usize]) -> Option<Overlap> {
    let named: Vec<&str> = leave.iter().map(|&j| features[j].as_str()).collect();
    let mut o = Overlap {
        but: Some(named.join(" and ")),
        ..Overlap::new(b.seen, b.rows, b.chance)
    };
    if !o.mostly_training() {
        return None;
    }
    let others: Vec<String> = (0..features.len())
        .filter(|j| !leave.contains(j))
        .map(|j| features[j].clone())
        .collect();
    let hashed = &*spread(&sides.train_rows, MAX_ROW_HASHES);
    let floor = crate::artifact::independent_chance(sides.train_table, hashed, &others);
    // Where the training rows repeat like copies, so do the test
    // rows drawn beside them: their repeats say nothing of chance.
    let from_test = if b.copies {
        0.0
    } else {
        coverage_from_repeats(b.within_test, b.rows, b.train_keys)
    };
    o.chance = o.chance.max(floor).max(from_test);
    if o.mostly_training() {
        // New observations of the same entities match on their
        // static columns and draw labels afresh; copies keep theirs.
        weigh_labels(&mut o, sides, &whole_keys(sides, &others), features);
    }
    o.mostly_training().then_some(o)
}

/// How the test rows repeat one another (features, target and protected
/// attributes, numbers as row keys round them): copies inside a test file
/// (rows repeated, ids renumbered) count as evidence more than once. None
/// with fewer than two test rows.
pub(super) fn repeated(plan: &Plan, sides: &Sides, scorer: &dyn Scorer) -> Option<Repeated> {
    let test = &*spread(&sides.test_rows, MAX_ROW_HASHES);
    if test.len() < 2 {
        return None;
    }
    let whole = super::train::whole_row(plan, &scorer.input_columns());
    let of = |columns: &[String]| {
        repeats_of(crate::artifact::fast_keys(sides.test_table, test, columns))
    };
    // Copies keep their label, whatever their numbers do; visits of one
    // patient draw theirs afresh (round 27, F1: copies nudged by 30%, or
    // one number re-drawn): the rows sharing a key on `columns` but the
    // target agree on their label.
    let labelled = |columns: &[String]| {
        let x: Vec<String> = columns
            .iter()
            .filter(|c| **c != plan.data.target)
            .cloned()
            .collect();
        let keys = crate::artifact::fast_keys(sides.test_table, &sides.test_rows, &x);
        pairs_agree(&keys, &sides.y_test).is_some_and(|a| a >= COPY_AGREEMENT)
    };
    let exact = of(&whole);
    if exact.beyond_chance() {
        return Some(exact);
    }
    // Copies with their numbers nudged (a test file padded with its own
    // rows, continuous columns jittered by a percent or two: round 19,
    // F3) repeat as copies on the other columns.
    let coarse: Vec<String> = whole
        .iter()
        .filter(|c| !continuous_in(sides.test_table, test, c))
        .cloned()
        .collect();
    if coarse.len() >= 2 && coarse.len() < whole.len() {
        let near = of(&coarse);
        // A nudge moves a number a little; a new visit of the same
        // patient measures it afresh (round 26, F3): copies only where
        // every number left out varies within the repeats far less than
        // over the test rows.
        let nudged = || {
            let keys = crate::artifact::fast_keys(sides.test_table, test, &coarse);
            whole
                .iter()
                .filter(|c| !coarse.contains(c))
                .all(|c| within_share(sides.test_table, test, &keys, c) < MAX_NUDGE_SHARE)
        };
        if near.beyond_chance() {
            let varied = if nudged() {
                "continuous numbers, which vary within the repeats by a small fraction of \
                 their spread (copies nudged)"
            } else if labelled(&coarse) {
                "continuous numbers, which vary within the repeats while their label does not"
            } else {
                ""
            };
            if !varied.is_empty() {
                return Some(Repeated {
                    varied: Some(varied.to_string()),
                    ..near
                });
            }
        }
    }
    // One column re-drawn or shuffled among copies (round 28, F1: 40 rows
    // copied 25 times, a price re-drawn from the file's prices) leaves
    // rows that repeat on every column but that one and keep their label.
    // So, nudged as well, does one beside the continuous numbers. The
    // key is looser, so the rows must be mostly copies (on average each
    // row twice or more): rows of a number rounded alike and a tier
    // repeat on it by chance (trust10).
    let few = &*spread(test, LEAVE_ONE_OUT_ROWS);
    // Every cell of `few` hashed once; each key without one column is
    // then a subtraction a row. The bases as positions in `whole`.
    let terms = crate::artifact::CellTerms::new(sides.test_table, few, &whole);
    let mut bases: Vec<Vec<usize>> = vec![(0..whole.len()).collect()];
    if coarse.len() < whole.len() {
        bases.push(
            (0..whole.len())
                .filter(|&j| coarse.contains(&whole[j]))
                .collect(),
        );
    }
    for (b, base) in bases.iter().enumerate() {
        if base.len() < 3 {
            continue;
        }
        let base_keys = terms.keys(base);
        for &j in base.iter().filter(|&&j| whole[j] != plan.data.target) {
            let near = repeats_of(terms.without(&base_keys, j));
            if !(near.beyond_chance() && 2 * near.distinct <= near.rows) {
                continue;
            }
            let rest: Vec<String> = base
                .iter()
                .filter(|&&k| k != j)
                .map(|&k| whole[k].clone())
                .collect();
            if labelled(&rest) {
                let left_out = &whole[j];
                let varied = if b == 0 {
                    format!(
                        "{left_out:?}, which varies within the repeats while their label does not"
                    )
                } else {
                    format!(
                        "continuous numbers and {left_out:?}, which vary within the repeats \
                         while their label does not"
                    )
                };
                return Some(Repeated {
                    varied: Some(varied),
                    ..near
                });
            }
        }
    }
    Some(exact)
}

/// How rows with `keys` (one per row) repeat one another.
fn repeats_of(mut keys: Vec<u64>) -> Repeated {
    keys.sort_unstable();
    let runs = || keys.chunk_by(|a, b| a == b);
    Repeated {
        repeated: crate::artifact::sorted_shared(&keys),
        rows: keys.len(),
        distinct: runs().count(),
        copies: crate::artifact::repeats_like_copies(runs().map(<[u64]>::len)),
        varied: None,
    }
}

/// Test rows [`repeated`] looks at with each column left out in turn.
const LEAVE_ONE_OUT_ROWS: usize = 50_000;

/// Share of pairs of test rows repeating on the columns but the numbers
/// (and the label) that must share their label for the repeats to be
/// copies however their numbers vary: new visits of one patient drawn
/// afresh agree 70-83% of the time (round 26), copies always.
const COPY_AGREEMENT: f64 = 0.95;

/// The share of pairs of rows sharing a key (`keys`, one per row) whose
/// labels `y` agree; `None` under 30 such pairs.
fn pairs_agree(keys: &[u64], y: &[u8]) -> Option<f64> {
    let mut rows: Vec<(u64, u8)> = keys.iter().copied().zip(y.iter().copied()).collect();
    rows.sort_unstable();
    let groups = rows.chunk_by(|a, b| a.0 == b.0).map(|group| {
        let ones = group.iter().filter(|r| r.1 > 0).count() as u64;
        [group.len() as u64 - ones, ones]
    });
    let (agree, pairs, _) = crate::artifact::pair_agreement(groups);
    (pairs >= 30.0).then(|| agree / pairs)
}

/// Most of a number's variance over the test rows that may lie within
/// rows repeating on the other columns for them to be nudged copies: a
/// nudge of a few percent leaves a small fraction of it, independent
/// measurements nearly all.
const MAX_NUDGE_SHARE: f64 = 0.25;

/// The share of numeric column `name`'s variance over `rows` that lies
/// within the groups of rows sharing a key (`keys`, one per row; groups
/// of two or more): the pooled within-group variance over the variance of
/// all the rows. 1 where it cannot be told (no such group, a constant
/// column, text).
fn within_share(table: &crate::data::Table, rows: &[usize], keys: &[u64], name: &str) -> f64 {
    within_over(table, rows, keys, rows, name)
}

/// [`within_share`] against the variance over `reference` rows instead.
fn within_over(
    table: &crate::data::Table,
    rows: &[usize],
    keys: &[u64],
    reference: &[usize],
    name: &str,
) -> f64 {
    let Some(crate::data::Values::Num(v)) = table.column(name).map(|c| &c.values) else {
        return 1.0;
    };
    // Sums of squares about a shift (a group's first value), which keeps
    // them exact enough for large numbers; groups in key order, so the
    // sums are the same bits on every run.
    let sums = |xs: &mut dyn Iterator<Item = f64>| {
        let mut xs = xs.peekable();
        let shift = xs.peek().copied().unwrap_or(0.0);
        xs.fold((0.0, 0.0, 0.0), |(n, s, q), x| {
            let d = x - shift;
            (n + 1.0, s + d, q + d * d)
        })
    };
    let mut finite: Vec<(u64, f64)> = keys
        .iter()
        .zip(rows)
        .map(|(&k, &r)| (k, v[r]))
        .filter(|(_, x)| x.is_finite())
        .collect();
    finite.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.total_cmp(&b.1)));
    let (mut within, mut df) = (0.0, 0.0);
    for group in finite.chunk_by(|a, b| a.0 == b.0).filter(|g| g.len() >= 2) {
        let (m, s, q) = sums(&mut group.iter().map(|x| x.1));
        within += q - s * s / m;
        df += m - 1.0;
    }
    let (n, sum, squares) = sums(&mut reference.iter().map(|&r| v[r]).filter(|x| x.is_finite()));
    let total = (squares - sum * sum / n) / (n - 1.0).max(1.0);
    if df == 0.0 || total.is_nan() || total <= 0.0 {
        return 1.0;
    }
    (within / df / total).max(0.0)
}

/// Whether column `name` holds numbers (not 0/1) of which more than half
/// of `rows` have a value of their own: a measurement, which a copy may
/// carry nudged.
fn continuous_in(table: &crate::data::Table, rows: &[usize], name: &str) -> bool {
    let Some(c) = table.column(name) else {
        return false;
    };
    let crate::data::Values::Num(v) = &c.values else {
        return false;
    };
    if c.dtype == crate::data::DType::Boolean {
        return false;
    }
    let mut values: Vec<u64> = rows.iter().map(|&r| v[r].to_bits()).collect();
    values.sort_unstable();
    values.dedup();
    2 * values.len() > rows.len()
}

/// Test rows that are training rows with a column or two changed: those
/// that match on every feature but one ([`match_but_one`]), else on every
/// feature but one or two, against how often training rows come that
/// near each other. The latter only where that rate is at most a half:
/// on data of few distinct values rows are near each other anyway, and a
/// test file drawn from its commoner rows would seem near copies.
pub(super) fn near_copy(sides: &Sides, features: &[String]) -> Option<Overlap> {
    match_but_one(sides, features).or_else(|| {
        let few = crate::artifact::match_but_few(
            sides.train_table,
            &sides.train_rows,
            sides.test_table,
            &sides.test_rows,
            features,
            crate::gates::OVERLAP_LIMIT,
        )?;
        let changed: Vec<&str> = few
            .changed
            .iter()
            .take(crate::artifact::few::MAX_CHANGED)
            .map(|&(j, _)| features[j].as_str())
            .collect();
        // Test rows of one segment (customers without internet service,
        // first-month customers) come near training rows more often than
        // training rows at large come near each other: chance is the rate
        // where they are (round 21, F1).
        let chance = few.chance.max(few.local);
        let twins = few.twins(&sides.y_train);
        // Training rows copied with a column or two changed come near each
        // other, and so would seem data that is near anyway; their classes
        // show it, and the other rows give the rate for fresh rows, unless
        // the near rows draw their labels afresh (round 22, F2 and F3).
        let drawn = |positions: &[usize], folds: &[u8]| {
            drawn_probabilities(sides, features, positions, folds)
        };
        let split = sides.split().then_some(&drawn as crate::artifact::Drawn);
        let copies = twins
            .as_ref()
            .filter(|t| !crate::artifact::fresh_pairs(t, &sides.y_train, &sides.y_test, split));
        if let Some(t) = copies {
            let o = Overlap {
                but: Some(changed.join(" and ")),
                ..Overlap::new(few.seen, few.rows, t.chance)
            };
            if o.mostly_training() {
                return Some(o);
            }
        }
        let o = Overlap {
            but: Some(changed.join(" and ")),
            ..Overlap::new(few.seen, few.rows, chance)
        };
        if chance <= NEAR_CHANCE {
            return o.mostly_training().then_some(o);
        }
        // Training rows near each other: few distinct values, or one
        // entity's rows (monthly snapshots moving the same columns). Over
        // the other features, an entity's rows repeat like copies and
        // data of few values repeats like a sample (round 20, F4).
        let leave: Vec<usize> = few
            .changed
            .iter()
            .take(crate::artifact::few::MAX_CHANGED)
            .map(|&(j, _)| j)
            .collect();
        let b = crate::artifact::match_but_set(
            sides.train_table,
            &sides.train_rows,
            sides.test_table,
            &sides.test_rows,
            features,
            &leave,
        )?;
        judged(sides, features, b, &leave)
    })
}

/// Highest rate at which training rows come near each other (one or two
/// features apart) for near copies to be told from fresh rows.
const NEAR_CHANCE: f64 = 0.5;

/// The note on test rows that match training rows more often than chance.
pub(super) fn overlap_note(plan: &Plan, o: &Overlap) -> Option<String> {
    // Matches at the rate chance gives (data that repeats itself) are no
    // sign that the metrics overstate anything.
    if let Some((test, training)) = o.fresh_labels {
        return Some(format!(
            "{} of {} test rows ({:.1}%) match a training row (numbers to {} significant \
             digits), but their labels agree with those training rows' {:.1}% of the time, \
             no more than training rows that match each other agree ({:.1}%): they are new \
             observations of the same kind of row (a later period of the same customers), \
             not copies, and are judged as evidence",
            o.seen,
            o.rows,
            100.0 * o.share(),
            crate::artifact::KEY_DIGITS,
            100.0 * test,
            100.0 * training
        ));
    }
    o.beyond_chance().then(|| {
        let chance = if o.chance > 0.0 {
            format!(
                " (fresh rows of this data match a training row about {:.1}% of the time \
                 by chance)",
                100.0 * o.chance
            )
        } else {
            String::new()
        };
        let (where_, why) = match (&plan.data.test_path, &o.but) {
            (Some(test_path), None) => (
                format!(" in {}", test_path.display()),
                "the test file overlaps the training data".to_string(),
            ),
            (Some(test_path), Some(f)) => (
                format!(" in {}", test_path.display()),
                format!(
                    "the test file holds training rows with {f} changed (re-coded, \
                     re-cased, rounded or shifted)"
                ),
            ),
            (None, Some(f)) if o.entity_labels.is_some() => (
                String::new(),
                entity_why(plan, o, &format!("repeats rows with only {f} changed")),
            ),
            (None, None) if o.entity_labels.is_some() => {
                (String::new(), entity_why(plan, o, "every feature"))
            }
            (None, Some(f)) => (
                String::new(),
                format!(
                    "{} repeats rows with only {f} changed, so the split put near copies \
                     of training rows among the test rows; deduplicate it on the other \
                     features first",
                    plan.data.path.display()
                ),
            ),
            (None, None) => (
                String::new(),
                format!(
                    "{} repeats rows (a file repeated or a class oversampled before the \
                     split), so the split put copies of training rows among the test rows; \
                     deduplicate it first",
                    plan.data.path.display()
                ),
            ),
        };
        let (on, digits) = match &o.but {
            Some(f) => (
                format!(" on every feature but {f}"),
                crate::artifact::COPY_DIGITS,
            ),
            None => (String::new(), crate::artifact::KEY_DIGITS),
        };
        let test_rows = o.rows_named();
        format!(
            "{} of {} {test_rows} ({:.1}%){where_} match a training row{on} (numbers to {} \
             significant digits){chance}: {why}, and metrics on those rows overstate how \
             the model does on new data",
            o.seen,
            o.rows,
            100.0 * o.share(),
            digits
        )
    })
}
