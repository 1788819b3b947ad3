//! A feature that is the label re-spelled: its values, or whether it is
//! filled, say the class.
use crate::artifact::fast_keys;
use crate::data::Table;
use crate::gates::{LabelFeature, Unfilled};
use crate::pipeline::target::Sides;
use rayon::prelude::*;

mod cut;

/// Most distinct values a feature may have to be judged the label
/// re-spelled: a row id or a continuous number is pure on every value.
const LABEL_FEATURE_VALUES: usize = 50;
/// Most distinct values a mostly empty feature may have to be judged by
/// chance instead (round 30, F1: the label spread over region columns of
/// a hundred or more codes each, a few rows per code).
const LABEL_FEATURE_MANY_VALUES: usize = 4096;
/// Standard deviations the rows on single-class values must lie above
/// what chance gives them, for a feature of many values.
const LABEL_FEATURE_SIGMAS: f64 = 5.0;
/// Fewest rows (training rows, else test rows) for [`label_feature`] to judge.
const LABEL_FEATURE_ROWS: usize = 100;
/// Fewest rows per value of a feature [`label_feature`] judges.
const LABEL_FEATURE_ROWS_PER_VALUE: usize = 20;
/// Share of each class's rows that values holding that class alone must
/// cover: a rare `unknown` level or a few stray cells that hold both
/// classes do not hide a re-spelled label (round 28, F3).
const LABEL_FEATURE_COVER: f64 = 0.95;
/// Share of a value's rows (or of one side of a feature, filled or
/// empty) that may go against the class it holds: a status that agrees
/// with the label on all rows but a few strays is still the label re-spelled
/// (round 31, F1 and F2: 3 of 5,174 other-class rows filled, 5 rows
/// flipped each way).
const LABEL_FEATURE_STRAYS: f64 = 0.02;
/// Share of the rows the other class would have on a value by chance (at
/// its share of all rows) that its strays may be: under 2% of the rows,
/// a rare class (fraud, default) is "strays" anywhere, and any value would
/// hold the common class (round 32, F4).
const LABEL_FEATURE_CHANCE_STRAYS: f64 = 0.1;
/// Training rows [`label_feature`] looks at first.
const LABEL_FEATURE_SAMPLE: usize = 10_000;

/// Rows of one table, with their classes.
type Part<'a> = (&'a Table, &'a [usize], &'a [u8]);

/// A feature of at most [`LABEL_FEATURE_VALUES`] values (numbers as row
/// keys round them) each of which holds one class in every training and
/// test row, both classes present: the label re-spelled (`churned` beside
/// `churn`, a status recorded after the outcome). Empty cells holding both
/// classes are left out, and values holding both may cover up to
/// `1 - LABEL_FEATURE_COVER` of each class's rows. With no training rows
/// (external scores, an ONNX model), the test rows alone are judged: a
/// score column that is the label joined in by mistake (round 21, F6).
pub(in crate::pipeline) fn label_feature(
    sides: &Sides,
    features: &[String],
) -> Option<LabelFeature> {
    let trained = !sides.train_rows.is_empty();
    let judged = if trained {
        sides.train_rows.len()
    } else {
        sides.test_rows.len()
    };
    if judged < LABEL_FEATURE_ROWS {
        return None;
    }
    // A spread of the rows first: most features fail there.
    let (table, rows, y) = if trained {
        (sides.train_table, &sides.train_rows, &sides.y_train)
    } else {
        (sides.test_table, &sides.test_rows, &sides.y_test)
    };
    let sample = crate::domain::pick::spread_positions(rows.len(), LABEL_FEATURE_SAMPLE);
    let sample_rows: Vec<usize> = sample.iter().map(|&i| rows[i]).collect();
    let sample_y: Vec<u8> = sample.iter().map(|&i| y[i]).collect();
    let test = (sides.test_table, &sides.test_rows[..], &sides.y_test[..]);
    let all: Vec<Part> = if trained {
        vec![(table, &rows[..], &y[..]), test]
    } else {
        vec![test]
    };
    let label = |f: &String, p: &Purity| LabelFeature {
        name: f.clone(),
        values: p.values,
        trained,
        mixed: p.mixed,
        empty: p.empty,
        ..LabelFeature::default()
    };
    let sampled = (table, &sample_rows[..], &sample_y[..]);
    let by_presence = |f: &String| {
        let (share, default) = presence_is_label(f, &all, sampled)?;
        Some(LabelFeature {
            name: f.clone(),
            values: 2,
            trained,
            by_presence: Some(share),
            default,
            ..LabelFeature::default()
        })
    };
    // A number cut once (or twice) into the classes: judged for features of a model
    // trained here (an external score that ranks every row right is a
    // good model, not a leak).
    let by_cut = |f: &String| {
        if !trained {
            return None;
        }
        let found = |cut, band| LabelFeature {
            name: f.clone(),
            trained,
            cut,
            band,
            ..LabelFeature::default()
        };
        let once = || {
            cut::cut_is_label(f, &[sampled])?;
            Some(found(Some(cut::cut_is_label(f, &all)?), None))
        };
        // A class in a middle band of the number: two cuts.
        let twice = || {
            cut::band_is_label(f, &[sampled])?;
            Some(found(None, Some(cut::band_is_label(f, &all)?)))
        };
        once().or_else(twice)
    };
    // Per feature, in order: the label re-spelled (by its values or by
    // whether it is filled), or its values say the class but it is mostly
    // empty.
    let judged: Vec<Result<LabelFeature, (&String, Purity)>> = features
        .par_iter()
        .filter_map(|f| {
            let p = purity(f, &[(table, &sample_rows, &sample_y)]).and_then(|_| purity(f, &all));
            match p {
                Some(p) if !p.sparse && !p.many => Some(Ok(label(f, &p))),
                // Many values judged by chance count where the feature
                // is mostly empty, or where the values are codes of many
                // rows each on both sides (round 34, F3: 60 outcome
                // codes): an identifier of new entities sharing an
                // outcome is pure too, but its test values are new.
                Some(p) if !p.sparse => by_presence(f)
                    .or_else(|| by_cut(f))
                    .or_else(|| (trained && codes_on_both_sides(f, &all)).then(|| label(f, &p)))
                    .map(Ok),
                p => by_presence(f)
                    .map(Ok)
                    .or(p.map(|p| Err((f, p))))
                    .or_else(|| by_cut(f).map(Ok)),
            }
        })
        .collect();
    let mut sparse = Vec::new();
    for j in judged {
        match j {
            Ok(found) => return Some(found),
            Err(s) => sparse.push(s),
        }
    }
    together(&sparse, &all, trained).or_else(|| {
        let (name, other, values) = trained
            .then(|| cut::pair_is_label(features, sampled, &all))
            .flatten()?;
        Some(LabelFeature {
            name,
            values,
            trained,
            pair: Some(other),
            ..LabelFeature::default()
        })
    })
}

/// Whether `f`'s values that hold [`LABEL_FEATURE_ROWS_PER_VALUE`]
/// training rows or more and are also in the test rows cover
/// [`LABEL_FEATURE_COVER`] of each class's rows (`parts`: the training
/// rows, then the test rows): codes the model learns from and meets
/// again, not the ids of entities it has never seen.
fn codes_on_both_sides(f: &str, parts: &[Part]) -> bool {
    let [(train, train_rows, _), (test, test_rows, _)] = parts else {
        return false;
    };
    let (Some(a), Some(b)) = (train.column(f), test.column(f)) else {
        return false;
    };
    let name = [f.to_string()];
    let keyed = [
        fast_keys(train, train_rows, &name),
        fast_keys(test, test_rows, &name),
    ];
    let filled = |p: usize, i: usize| {
        if p == 0 {
            !a.is_null(train_rows[i])
        } else {
            !b.is_null(test_rows[i])
        }
    };
    let mut trained: std::collections::HashMap<u64, usize> = std::collections::HashMap::new();
    for (i, &k) in keyed[0].iter().enumerate() {
        if filled(0, i) {
            *trained.entry(k).or_default() += 1;
        }
    }
    let tested: std::collections::HashSet<u64> = keyed[1]
        .iter()
        .enumerate()
        .filter(|&(i, _)| filled(1, i))
        .map(|(_, &k)| k)
        .collect();
    let mut on = [[0usize; 2]; 2];
    for (p, (_, _, y)) in parts.iter().enumerate() {
        for (i, (&k, &label)) in keyed[p].iter().zip(*y).enumerate() {
            let code = filled(p, i)
                && tested.contains(&k)
                && trained
                    .get(&k)
                    .is_some_and(|&n| n >= LABEL_FEATURE_ROWS_PER_VALUE);
            on[usize::from(code)][usize::from(label.min(1))] += 1;
        }
    }
    (0..2).all(|c| on[1][c] as f64 >= LABEL_FEATURE_COVER * (on[0][c] + on[1][c]) as f64)
}

/// Mostly empty features whose values each say the class and which
/// together hold a value on more than half the rows, with
/// [`LABEL_FEATURE_ROWS_PER_VALUE`] rows of each class: the label spread
/// over columns, each filled for a region or a channel (round 29, F1).
fn together(sparse: &[(&String, Purity)], parts: &[Part], trained: bool) -> Option<LabelFeature> {
    if sparse.len() < 2 {
        return None;
    }
    let mut said: Vec<Vec<bool>> = parts.iter().map(|p| vec![false; p.1.len()]).collect();
    for (f, p) in sparse {
        for ((table, rows, _), said) in parts.iter().zip(&mut said) {
            let col = table.column(f)?;
            let keys = fast_keys(table, rows, std::slice::from_ref(*f));
            for ((k, &r), s) in keys.iter().zip(*rows).zip(said.iter_mut()) {
                *s |= !col.is_null(r) && p.pure.contains(k);
            }
        }
    }
    // [said][class]
    let mut n = [[0usize; 2]; 2];
    for ((_, _, y), said) in parts.iter().zip(&said) {
        for (&label, &s) in y.iter().zip(said) {
            n[usize::from(s)][usize::from(label.min(1))] += 1;
        }
    }
    let total = n[0][0] + n[0][1] + n[1][0] + n[1][1];
    let covered = n[1][0] + n[1][1];
    (2 * covered > total
        && n[1][0] >= LABEL_FEATURE_ROWS_PER_VALUE
        && n[1][1] >= LABEL_FEATURE_ROWS_PER_VALUE)
        .then(|| LabelFeature {
            name: sparse[0].0.clone(),
            values: sparse.iter().map(|(_, p)| p.values).sum(),
            trained,
            empty: 1.0 - covered as f64 / total as f64,
            together: sparse[1..].iter().map(|(f, _)| (*f).clone()).collect(),
            ..LabelFeature::default()
        })
}

/// How a feature's values hold the classes, when they say it.
struct Purity {
    /// Values counted (empty cells among them when they hold one class).
    values: usize,
    /// Share of the counted rows whose value holds both classes.
    mixed: f64,
    /// Share of all rows that are empty and hold both classes, left out.
    empty: f64,
    /// Whether those are half the rows or more: the values say the class
    /// only where the feature is filled.
    sparse: bool,
    /// The keys of the values holding one class.
    pure: std::collections::HashSet<u64>,
    /// Whether there are more than [`LABEL_FEATURE_VALUES`] values, judged
    /// against chance.
    many: bool,
}

/// Whether `f`'s values say the class over `parts`: at most
/// [`LABEL_FEATURE_VALUES`] of them, with [`LABEL_FEATURE_ROWS_PER_VALUE`]
/// rows each on average, and for each class at least
/// [`LABEL_FEATURE_COVER`] of its rows on values holding that class alone.
/// Empty cells are a value of their own when they hold one class (a
/// status left blank for one outcome); otherwise they are left out (when
/// they are half the rows or more, the purity is `sparse`).
fn purity(f: &String, parts: &[Part]) -> Option<Purity> {
    purity_over(std::slice::from_ref(f), parts)
}

/// [`purity`] of the values of `columns` taken together (a row is empty
/// where every one of them is).
fn purity_over(columns: &[String], parts: &[Part]) -> Option<Purity> {
    let mut tally = Tally::default();
    for (table, rows, y) in parts {
        let cols: Vec<&crate::data::Column> = columns
            .iter()
            .map(|c| table.column(c))
            .collect::<Option<_>>()?;
        let keys = fast_keys(table, rows, columns);
        for ((&k, &label), &r) in keys.iter().zip(*y).zip(*rows) {
            let empty = cols.iter().all(|c| c.is_null(r));
            tally.add((!empty).then_some(k), label)?;
        }
    }
    tally.judge()
}

/// Rows by value and class, for [`purity`].
#[derive(Default)]
struct Tally {
    /// Rows by value's key: [class 0, class 1].
    counts: std::collections::HashMap<u64, [usize; 2]>,
    /// Empty rows by class.
    empty: [usize; 2],
    total: usize,
}

impl Tally {
    /// Counts a row of value `key` (`None`: empty) and class `label`;
    /// `None` past [`LABEL_FEATURE_MANY_VALUES`] values.
    fn add(&mut self, key: Option<u64>, label: u8) -> Option<()> {
        self.total += 1;
        let c = usize::from(label.min(1));
        match key {
            None => self.empty[c] += 1,
            Some(k) => {
                self.counts.entry(k).or_default()[c] += 1;
                if self.counts.len() > LABEL_FEATURE_MANY_VALUES {
                    return None;
                }
            }
        }
        Some(())
    }

    /// The rule of [`purity`] on the rows counted.
    fn judge(self) -> Option<Purity> {
        let Self {
            counts,
            empty,
            total,
        } = self;
        let base = counts
            .values()
            .fold(empty, |b, n| [b[0] + n[0], b[1] + n[1]]);
        let pure = counts
            .iter()
            .filter(|(_, n)| holds_one(**n, base).is_some())
            .map(|(&k, _)| k)
            .collect();
        let mut values: Vec<[usize; 2]> = counts.into_values().collect();
        let left_out = if empty[0] == 0 || empty[1] == 0 {
            if empty != [0, 0] {
                values.push(empty);
            }
            0
        } else {
            empty[0] + empty[1]
        };
        let (mut class, mut alone, mut mixed) = ([0usize; 2], [0usize; 2], 0usize);
        for &n in &values {
            class[0] += n[0];
            class[1] += n[1];
            match holds_one(n, base) {
                Some(c) => {
                    alone[c] += n[c];
                    mixed += n[1 - c];
                }
                None => mixed += n[0] + n[1],
            }
        }
        let counted = class[0] + class[1];
        let covers =
            |c: usize| alone[c] > 0 && alone[c] as f64 >= LABEL_FEATURE_COVER * class[c] as f64;
        let many = values.len() > LABEL_FEATURE_VALUES;
        let enough = if many {
            beyond_chance(&values, alone[0] + alone[1])
        } else {
            counted >= LABEL_FEATURE_ROWS_PER_VALUE * values.len()
        };
        (covers(0) && covers(1) && enough).then(|| Purity {
            values: values.len(),
            mixed: mixed as f64 / counted as f64,
            empty: left_out as f64 / total as f64,
            sparse: 2 * left_out >= total.max(1),
            pure,
            many,
        })
    }
}

/// The class a value of `n` rows ([class 0, class 1]) holds, where the
/// classes have `base` rows in all: all of its rows but a few strays of
/// the other class, at most [`LABEL_FEATURE_STRAYS`] of the value's rows
/// and [`LABEL_FEATURE_CHANCE_STRAYS`] of what that class would have there
/// at its share of `base` (none, below that many).
fn holds_one(n: [usize; 2], base: [usize; 2]) -> Option<usize> {
    holds_one_within(n, base, LABEL_FEATURE_STRAYS, LABEL_FEATURE_CHANCE_STRAYS)
}

/// [`holds_one`] with the strays at most [`STRICT_STRAYS`] of the rows and
/// [`STRICT_CHANCE_STRAYS`] of chance: for the looser readings of the
/// label (a value or two standing for "not filled", a number cut once),
/// which a strong honest feature comes near (round 35, F2: `contract`
/// with 1.5% churn on the long contracts; logins above 0 for 5% of rare
/// churners).
fn holds_one_strictly(n: [usize; 2], base: [usize; 2]) -> Option<usize> {
    holds_one_within(n, base, STRICT_STRAYS, STRICT_CHANCE_STRAYS)
}

/// Strays [`holds_one_strictly`] allows, as a share of the rows.
const STRICT_STRAYS: f64 = 0.005;
/// Strays [`holds_one_strictly`] allows, as a share of chance.
const STRICT_CHANCE_STRAYS: f64 = 0.02;

/// [`holds_one`] with strays at most `share` of the rows and `of_chance`
/// of chance.
fn holds_one_within(n: [usize; 2], base: [usize; 2], share: f64, of_chance: f64) -> Option<usize> {
    let rows = (n[0] + n[1]) as f64;
    let all = (base[0] + base[1]).max(1) as f64;
    (0..2).find(|&c| {
        let chance = rows * base[1 - c] as f64 / all;
        let strays = (share * rows).min(of_chance * chance);
        n[c] > 0 && n[1 - c] as f64 <= strays.floor()
    })
}

/// Whether `alone` rows on single-class values are far more than chance
/// puts there: with the classes drawn independently of the value, at
/// their shares over all `values` ([rows of class 0, of class 1] each), a
/// value of `n` rows holds one class with probability `p0^n + p1^n`. At
/// least [`LABEL_FEATURE_SIGMAS`] standard deviations and
/// [`LABEL_FEATURE_ROWS_PER_VALUE`] rows above that: a row id (one row a
/// value) or a continuous number is pure by chance.
fn beyond_chance(values: &[[usize; 2]], alone: usize) -> bool {
    let ones: usize = values.iter().map(|n| n[1]).sum();
    let rows: usize = values.iter().map(|n| n[0] + n[1]).sum();
    if rows == 0 {
        return false;
    }
    let p1 = ones as f64 / rows as f64;
    let p0 = 1.0 - p1;
    let (mut mean, mut var) = (0.0, 0.0);
    for n in values {
        let k = (n[0] + n[1]) as f64;
        let q = p0.powf(k) + p1.powf(k);
        mean += k * q;
        var += k * k * q * (1.0 - q);
    }
    let excess = alone as f64 - mean;
    excess >= LABEL_FEATURE_ROWS_PER_VALUE as f64 && excess > LABEL_FEATURE_SIGMAS * var.sqrt()
}

/// When whether `f` is filled says the class: one side (filled, or empty)
/// holds rows of one class only (but for a few strays: [`holds_one`]),
/// at least half that class's rows and
/// [`LABEL_FEATURE_ROWS_PER_VALUE`] of them, with as many rows on the
/// other side (a cancel date filled for churners, or for 95% of them,
/// and never for the rest: round 22, F6). "Not filled" may be spelled as
/// values: the commonest, at any share (`0` from `fillna(0)` or
/// `COALESCE(x, 0)`, `none`, next month's usage 0 for every churner:
/// round 32, F1; round 33, F1), or the two or three commonest (`0` and
/// `-1`), each on [`DEFAULT_SHARE`] of the rows or more, with the empty
/// cells or without; each is judged first on `sample`, a spread of the
/// rows. The share of the class covered, and how "not filled" is spelled.
fn presence_is_label(f: &str, parts: &[Part], sample: Part) -> Option<(f64, Option<Unfilled>)> {
    if let Some(share) = presence_rule(empty_counts(f, parts)?, false, false) {
        return Some((share, None));
    }
    let sampled = Levels::new(f, &[sample])?;
    let mut all: Option<Levels> = None;
    for spelling in Levels::spellings() {
        if sampled.rule(spelling).is_none() {
            continue;
        }
        if all.is_none() {
            all = Some(Levels::new(f, parts)?);
        }
        let levels = all.as_ref()?;
        if let Some(share) = levels.rule(spelling) {
            return Some((share, Some(levels.unfilled(spelling))));
        }
    }
    None
}

/// Most values [`presence_is_label`] takes together as "not filled".
const DEFAULT_VALUES: usize = 3;
/// Fewest share of the rows each value but the commonest must be on to
/// stand for "not filled" with it.
const DEFAULT_SHARE: f64 = 0.05;

/// One feature's rows over some parts by class: empty, on each of its
/// [`DEFAULT_VALUES`] commonest values, or on another.
struct Levels {
    /// The commonest values' rows and texts, the commonest first (the
    /// smallest row key of equals).
    top: Vec<(usize, String)>,
    /// Rows by class (`[class 0, class 1]`): empty, on each value of
    /// `top` in turn, then on another value.
    counts: [[usize; 2]; DEFAULT_VALUES + 2],
    /// Rows in all.
    total: usize,
}

/// How "not filled" is spelled: the `k` commonest values, and whether
/// empty cells are not filled too.
type Spelling = (usize, bool);

impl Levels {
    fn new(f: &str, parts: &[Part]) -> Option<Self> {
        let keys: Vec<Vec<u64>> = parts
            .iter()
            .map(|(table, rows, _)| fast_keys(table, rows, &[f.to_string()]))
            .collect();
        let mut counts: std::collections::HashMap<u64, (usize, &Table, usize)> =
            std::collections::HashMap::new();
        for ((table, rows, _), keys) in parts.iter().zip(&keys) {
            let col = table.column(f)?;
            for (&k, &r) in keys.iter().zip(*rows) {
                if !col.is_null(r) {
                    counts.entry(k).or_insert((0, table, r)).0 += 1;
                }
            }
        }
        let mut top: Vec<(u64, usize, &Table, usize)> = counts
            .into_iter()
            .map(|(k, (n, t, r))| (k, n, t, r))
            .collect();
        top.sort_unstable_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        top.truncate(DEFAULT_VALUES);
        let mut levels = Self {
            top: Vec::new(),
            counts: [[0; 2]; DEFAULT_VALUES + 2],
            total: 0,
        };
        for ((table, rows, y), keys) in parts.iter().zip(&keys) {
            let col = table.column(f)?;
            levels.total += rows.len();
            for ((&k, &r), &label) in keys.iter().zip(*rows).zip(*y) {
                let at = if col.is_null(r) {
                    0
                } else {
                    1 + top.iter().position(|t| t.0 == k).unwrap_or(DEFAULT_VALUES)
                };
                levels.counts[at][usize::from(label.min(1))] += 1;
            }
        }
        levels.top = top
            .into_iter()
            .map(|(_, n, t, r)| (n, t.column(f).and_then(|c| c.text(r)).unwrap_or_default()))
            .collect();
        Some(levels)
    }

    /// The spellings of "not filled" tried, in order.
    fn spellings() -> impl Iterator<Item = Spelling> {
        (1..=DEFAULT_VALUES).flat_map(|k| [true, false].map(|empty| (k, empty)))
    }

    /// [`presence_rule`] with "not filled" spelled `spelling`: the share
    /// covered. `None` as well where there are not `k` values, or one but
    /// the commonest is on under [`DEFAULT_SHARE`] of the rows.
    fn rule(&self, (k, empty): Spelling) -> Option<f64> {
        let values = self.top.get(..k)?;
        let frequent = |&(n, _): &(usize, String)| n as f64 >= DEFAULT_SHARE * self.total as f64;
        if !values.iter().skip(1).all(frequent) {
            return None;
        }
        let mut counts = [[0usize; 2]; 2];
        for (at, n) in self.counts.iter().enumerate() {
            let unfilled = if at == 0 { empty } else { at <= k };
            for c in 0..2 {
                counts[usize::from(!unfilled)][c] += n[c];
            }
        }
        // Values on under half the rows stand for "not filled" only
        // where the rest holds one class: a value holding one class is
        // a strong feature's level when others hold both (trust28).
        let on = values.iter().map(|v| v.0).sum::<usize>();
        presence_rule(counts, 2 * on < self.total, true)
    }

    /// How "not filled" is spelled by `spelling`.
    fn unfilled(&self, (k, empty): Spelling) -> Unfilled {
        Unfilled {
            values: self.top.iter().take(k).map(|t| t.1.clone()).collect(),
            empty: empty && self.counts[0] != [0, 0],
        }
    }
}

/// `f`'s rows over `parts` by whether they are filled and by class
/// (`[filled][class]`).
fn empty_counts(f: &str, parts: &[Part]) -> Option<[[usize; 2]; 2]> {
    let mut counts = [[0usize; 2]; 2];
    for (table, rows, y) in parts {
        let col = table.column(f)?;
        for (&r, &label) in rows.iter().zip(*y) {
            counts[usize::from(!col.is_null(r))][usize::from(label.min(1))] += 1;
        }
    }
    Some(counts)
}

/// The rule of [`presence_is_label`] on `counts` (`[filled][class]`).
/// With `filled_only`, only the filled side may be the one holding one
/// class; with `strict`, it holds it as [`holds_one_strictly`] says.
fn presence_rule(counts: [[usize; 2]; 2], filled_only: bool, strict: bool) -> Option<f64> {
    let class = |c: usize| counts[0][c] + counts[1][c];
    let sides = if filled_only { 1..2 } else { 0..2 };
    sides
        .flat_map(|side| (0..2).map(move |c| (side, c)))
        .filter(|&(side, c)| {
            let other_side = counts[1 - side][0] + counts[1 - side][1];
            let base = [class(0), class(1)];
            let one = if strict {
                holds_one_strictly(counts[side], base)
            } else {
                holds_one(counts[side], base)
            };
            one == Some(c)
                && counts[side][c] >= LABEL_FEATURE_ROWS_PER_VALUE
                && 2 * counts[side][c] >= class(c)
                && other_side >= LABEL_FEATURE_ROWS_PER_VALUE
        })
        // The side with the fewest strays (the first of equals).
        .min_by_key(|&(side, c)| counts[side][1 - c])
        .map(|(side, c)| counts[side][c] as f64 / class(c) as f64)
}
