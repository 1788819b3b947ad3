//! A feature that is the label re-spelled: its values, or whether it is
//! filled, say the class.
use crate::artifact::{fast_keys, spread};
use crate::data::Table;
use crate::gates::LabelFeature;
use crate::pipeline::target::Sides;
use rayon::prelude::*;

/// Most distinct values a feature may have to be judged the label
/// re-spelled: a row id or a continuous number is pure on every value.
const LABEL_FEATURE_VALUES: usize = 50;
/// Fewest rows (training rows, else test rows) for [`label_feature`] to judge.
const LABEL_FEATURE_ROWS: usize = 100;
/// Fewest rows per value of a feature [`label_feature`] judges.
const LABEL_FEATURE_ROWS_PER_VALUE: usize = 20;
/// Share of each class's rows that values holding that class alone must
/// cover: a rare `unknown` level or a few stray cells that hold both
/// classes do not hide a re-spelled label (round 28, F3).
const LABEL_FEATURE_COVER: f64 = 0.95;
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
    let positions: Vec<usize> = (0..rows.len()).collect();
    let sample = spread(&positions, LABEL_FEATURE_SAMPLE);
    let sample_rows: Vec<usize> = sample.iter().map(|&i| rows[i]).collect();
    let sample_y: Vec<u8> = sample.iter().map(|&i| y[i]).collect();
    let test = (sides.test_table, &sides.test_rows[..], &sides.y_test[..]);
    let all: Vec<Part> = if trained {
        vec![(table, &rows[..], &y[..]), test]
    } else {
        vec![test]
    };
    let by_values = |f: &String| {
        purity(f, &[(table, &sample_rows, &sample_y)])?;
        let p = purity(f, &all)?;
        Some(LabelFeature {
            name: f.clone(),
            values: p.values,
            trained,
            by_presence: None,
            mixed: p.mixed,
            empty: p.empty,
        })
    };
    let by_presence = |f: &String| {
        Some(LabelFeature {
            name: f.clone(),
            values: 2,
            trained,
            by_presence: Some(presence_is_label(f, &all)?),
            mixed: 0.0,
            empty: 0.0,
        })
    };
    features
        .par_iter()
        .find_map_first(|f| by_values(f).or_else(|| by_presence(f)))
}

/// How a feature's values hold the classes, when they say it.
struct Purity {
    /// Values counted (empty cells among them when they hold one class).
    values: usize,
    /// Share of the counted rows whose value holds both classes.
    mixed: f64,
    /// Share of all rows that are empty and hold both classes, left out.
    empty: f64,
}

/// Whether `f`'s values say the class over `parts`: at most
/// [`LABEL_FEATURE_VALUES`] of them, with [`LABEL_FEATURE_ROWS_PER_VALUE`]
/// rows each on average, and for each class at least
/// [`LABEL_FEATURE_COVER`] of its rows on values holding that class alone.
/// Empty cells are a value of their own when they hold one class (a
/// status left blank for one outcome); otherwise they are left out, unless
/// they are half the rows or more.
fn purity(f: &String, parts: &[Part]) -> Option<Purity> {
    let mut counts: std::collections::HashMap<u64, [usize; 2]> = std::collections::HashMap::new();
    let mut empty = [0usize; 2];
    let mut total = 0usize;
    for (table, rows, y) in parts {
        let col = table.column(f)?;
        let keys = fast_keys(table, rows, std::slice::from_ref(f));
        for ((&k, &label), &r) in keys.iter().zip(*y).zip(*rows) {
            total += 1;
            let c = usize::from(label.min(1));
            if col.is_null(r) {
                empty[c] += 1;
                continue;
            }
            counts.entry(k).or_default()[c] += 1;
            if counts.len() > LABEL_FEATURE_VALUES {
                return None;
            }
        }
    }
    let mut values: Vec<[usize; 2]> = counts.into_values().collect();
    let left_out = if empty[0] == 0 || empty[1] == 0 {
        if empty != [0, 0] {
            values.push(empty);
        }
        0
    } else {
        empty[0] + empty[1]
    };
    if 2 * left_out >= total.max(1) {
        return None;
    }
    let (mut class, mut alone, mut mixed) = ([0usize; 2], [0usize; 2], 0usize);
    for n in &values {
        class[0] += n[0];
        class[1] += n[1];
        match n {
            [0, k] => alone[1] += k,
            [k, 0] => alone[0] += k,
            [a, b] => mixed += a + b,
        }
    }
    let counted = class[0] + class[1];
    let covers =
        |c: usize| alone[c] > 0 && alone[c] as f64 >= LABEL_FEATURE_COVER * class[c] as f64;
    (covers(0) && covers(1) && counted >= LABEL_FEATURE_ROWS_PER_VALUE * values.len()).then(|| {
        Purity {
            values: values.len(),
            mixed: mixed as f64 / counted as f64,
            empty: left_out as f64 / total as f64,
        }
    })
}

/// When whether `f` is filled says the class: one side (filled, or empty)
/// holds rows of one class only, at least half that class's rows and
/// [`LABEL_FEATURE_ROWS_PER_VALUE`] of them, with as many rows on the
/// other side (a cancel date filled for churners, or for 95% of them,
/// and never for the rest: round 22, F6). The share of the class covered.
fn presence_is_label(f: &str, parts: &[Part]) -> Option<f64> {
    // [filled][class]
    let mut counts = [[0usize; 2]; 2];
    for (table, rows, y) in parts {
        let col = table.column(f)?;
        for (&r, &label) in rows.iter().zip(*y) {
            counts[usize::from(!col.is_null(r))][usize::from(label.min(1))] += 1;
        }
    }
    let class = |c: usize| counts[0][c] + counts[1][c];
    (0..2)
        .flat_map(|side| (0..2).map(move |c| (side, c)))
        .filter(|&(side, c)| {
            let other_side = counts[1 - side][0] + counts[1 - side][1];
            counts[side][1 - c] == 0
                && counts[side][c] >= LABEL_FEATURE_ROWS_PER_VALUE
                && 2 * counts[side][c] >= class(c)
                && other_side >= LABEL_FEATURE_ROWS_PER_VALUE
        })
        .map(|(side, c)| counts[side][c] as f64 / class(c) as f64)
        .next()
}
