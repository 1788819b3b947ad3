//! The label re-spelled over more than one value at a time: a number that
//! holds one class up to a cut and the other above it, and two columns of
//! few values that say the class only together.
use super::{holds_one_strictly, Part, Tally, LABEL_FEATURE_ROWS_PER_VALUE};
use crate::artifact::fast_keys;
use crate::data::{DType, Values};
use rayon::prelude::*;

/// When one cut of feature `f` (a number, or text in its order as text)
/// splits the filled rows of `parts`
/// into two sides, each of [`LABEL_FEATURE_ROWS_PER_VALUE`] rows or more
/// and each holding one class (but for a few strays: [`holds_one_strictly`]): days
/// since the last payment, 0-29 for every customer who stayed and 30 or
/// more for every one who left (round 34, F4). Empty cells holding both
/// classes are left out, unless they are half the rows or more. A date
/// after the outcome written as text is cut the same way (round 35). The
/// largest value below the cut, as text (of the cut with the fewest
/// strays, the first of equals).
pub(super) fn cut_is_label(f: &str, parts: &[Part]) -> Option<String> {
    // Text in its order as text: ISO dates in time order, codes by their
    // prefix (`closed-2024-03-02` before `renewed-2024-05`).
    let mut texts: Vec<&str> = Vec::new();
    for (table, _, _) in parts {
        match &table.column(f)?.values {
            Values::Cat { levels, .. } => texts.extend(levels.iter().map(String::as_str)),
            Values::Num(_) => {}
        }
    }
    texts.sort_unstable();
    texts.dedup();
    let rank = |t: &str| texts.binary_search(&t).map_or(f64::NAN, |i| i as f64);
    // (value, class, part, row) of the filled rows.
    let mut filled: Vec<(f64, usize, usize, usize)> = Vec::new();
    let mut empty = [0usize; 2];
    for (p, (table, rows, y)) in parts.iter().enumerate() {
        let col = table.column(f)?;
        if col.dtype == DType::Boolean {
            return None;
        }
        let value: Box<dyn Fn(usize) -> f64> = match &col.values {
            Values::Num(v) => Box::new(move |r| v[r]),
            Values::Cat { codes, levels } => {
                let ranks: Vec<f64> = levels.iter().map(|l| rank(l)).collect();
                Box::new(move |r| ranks.get(codes[r] as usize).copied().unwrap_or(f64::NAN))
            }
        };
        for (&r, &label) in rows.iter().zip(*y) {
            let c = usize::from(label.min(1));
            let x = value(r);
            if x.is_nan() {
                empty[c] += 1;
            } else {
                filled.push((x, c, p, r));
            }
        }
    }
    if empty[0] > 0
        && empty[1] > 0
        && 2 * (empty[0] + empty[1]) >= filled.len() + empty[0] + empty[1]
    {
        return None;
    }
    filled.sort_unstable_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
    let mut base = [0usize; 2];
    for &(_, c, _, _) in &filled {
        base[c] += 1;
    }
    let enough = |n: [usize; 2]| n[0] + n[1] >= LABEL_FEATURE_ROWS_PER_VALUE;
    let mut below = [0usize; 2];
    // (strays, last row below the cut)
    let mut best: Option<(usize, usize)> = None;
    for (i, pair) in filled.windows(2).enumerate() {
        below[pair[0].1] += 1;
        if pair[0].0 == pair[1].0 {
            continue;
        }
        let above = [base[0] - below[0], base[1] - below[1]];
        if !enough(below) || !enough(above) {
            continue;
        }
        for c in 0..2 {
            if holds_one_strictly(below, base) == Some(c)
                && holds_one_strictly(above, base) == Some(1 - c)
            {
                let strays = below[1 - c] + above[c];
                if best.is_none_or(|(s, _)| strays < s) {
                    best = Some((strays, i));
                }
            }
        }
    }
    let (_, i) = best?;
    let (_, _, p, r) = filled[i];
    parts[p].0.column(f).and_then(|c| c.text(r))
}

/// Most distinct values a feature may have (on the rows judged) to be
/// paired with another by [`pair_is_label`].
const PAIR_VALUES: usize = 12;

/// Two features of at most [`PAIR_VALUES`] values each whose values taken
/// together (at most [`super::LABEL_FEATURE_VALUES`] of them) each hold one class,
/// as [`super::purity`] judges one feature's: a flag that is the label
/// exclusive-or a region code (round 34, F1). Judged on `sample`, a spread
/// of the rows, then on `parts`: the two (in feature order) and their
/// values together.
pub(super) fn pair_is_label(
    features: &[String],
    sample: Part,
    parts: &[Part],
) -> Option<(String, String, usize)> {
    let (table, rows, y) = sample;
    // Each feature of few values with its keys and empty cells on the sample.
    let few: Vec<(&String, Vec<u64>, Vec<bool>)> = features
        .iter()
        .filter_map(|f| {
            let col = table.column(f)?;
            let keys = fast_keys(table, rows, std::slice::from_ref(f));
            let mut distinct = keys.clone();
            distinct.sort_unstable();
            distinct.dedup();
            let empty = rows.iter().map(|&r| col.is_null(r)).collect();
            (distinct.len() <= PAIR_VALUES).then_some((f, keys, empty))
        })
        .collect();
    let pairs: Vec<(usize, usize)> = (0..few.len())
        .flat_map(|a| (a + 1..few.len()).map(move |b| (a, b)))
        .collect();
    let on_sample = |&(a, b): &(usize, usize)| {
        let (ka, ea) = (&few[a].1, &few[a].2);
        let (kb, eb) = (&few[b].1, &few[b].2);
        let mut tally = Tally::default();
        for i in 0..rows.len() {
            let key = (!(ea[i] && eb[i])).then(|| both(ka[i], kb[i]));
            tally.add(key, y[i])?;
        }
        tally.judge().filter(|p| !p.sparse && !p.many)
    };
    let on_all = |fa: &String, fb: &String| {
        super::purity_over(&[fa.clone(), fb.clone()], parts).filter(|p| !p.sparse && !p.many)
    };
    let found: Vec<bool> = pairs.par_iter().map(|p| on_sample(p).is_some()).collect();
    pairs
        .iter()
        .zip(found)
        .filter(|(_, found)| *found)
        .find_map(|(&(a, b), _)| {
            let (fa, fb) = (few[a].0, few[b].0);
            on_all(fa, fb).map(|p| (fa.clone(), fb.clone(), p.values))
        })
}

/// One key of two columns' keys.
fn both(a: u64, b: u64) -> u64 {
    a.wrapping_mul(0x9E37_79B9_7F4A_7C15).rotate_left(29) ^ b
}
