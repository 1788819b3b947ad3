//! The label re-spelled over more than one value at a time: a number that
//! holds one class up to a cut and the other above it, and two columns of
//! few values that say the class only together.
use super::{holds_one_strictly, Part, Tally, LABEL_FEATURE_ROWS_PER_VALUE};
use crate::artifact::fast_keys;
use crate::data::{DType, Values};
use rayon::prelude::*;

/// The filled rows of `f` over `parts` as (value, class, part, row),
/// sorted by value then class, and the rows of each class among them:
/// numbers as they are, text by its rank in text order. `None` for a
/// boolean, a missing column, or where empty cells holding both classes
/// are half the rows or more.
fn sorted_filled(f: &str, parts: &[Part]) -> Option<(Filled, [usize; 2])> {
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
    let mut filled: Filled = Vec::new();
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
    Some((filled, base))
}

/// (value, class, part, row) of filled rows.
type Filled = Vec<(f64, usize, usize, usize)>;

/// Whether a side of a cut has rows enough to be judged.
fn enough(n: [usize; 2]) -> bool {
    n[0] + n[1] >= LABEL_FEATURE_ROWS_PER_VALUE
}

/// The value of the filled row at `i` as text.
fn text_at(filled: &Filled, i: usize, f: &str, parts: &[Part]) -> Option<String> {
    let (_, _, p, r) = filled[i];
    parts[p].0.column(f).and_then(|c| c.text(r))
}

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
    let (filled, base) = sorted_filled(f, parts)?;
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
    text_at(&filled, i, f, parts)
}

/// When two cuts of feature `f` leave one class in the band between them
/// and the other on both sides, each of the three parts of
/// [`LABEL_FEATURE_ROWS_PER_VALUE`] rows or more, and the band and the two
/// sides together each holding one class as [`cut_is_label`] judges a
/// side: `churn = 40 < x < 60` (round 35, F3). The band of the fewest
/// strays (the first of equals) is judged; the largest value below it and
/// the largest in it, as text.
pub(super) fn band_is_label(f: &str, parts: &[Part]) -> Option<(String, String)> {
    let (filled, base) = sorted_filled(f, parts)?;
    let n = filled.len();
    // prefix[k]: the rows of each class among the first k.
    let mut prefix = Vec::with_capacity(n + 1);
    prefix.push([0usize; 2]);
    for &(_, c, _, _) in &filled {
        let mut next = *prefix.last()?;
        next[c] += 1;
        prefix.push(next);
    }
    // A cut may fall before row k when the value changes there.
    let cut_at = |k: usize| k > 0 && k < n && filled[k - 1].0 != filled[k].0;
    let min = LABEL_FEATURE_ROWS_PER_VALUE;
    // (strays, band start, band end, band class)
    let mut best: Option<(usize, usize, usize, usize)> = None;
    for c in 0..2 {
        // With the band [i, j) holding c, the strays are the other class
        // inside it and c outside: prefix[i][c] - prefix[i][1 - c] (the
        // start's share), plus prefix[j][1 - c] - prefix[j][c] + base[c].
        // The best start for each end is the least share so far.
        let share = |k: usize| prefix[k][c] as i64 - prefix[k][1 - c] as i64;
        let mut start: Option<usize> = None;
        let ends = prefix.iter().enumerate().take(n.saturating_sub(min) + 1);
        for (j, at_j) in ends.skip(2 * min) {
            let i = j - min;
            if i >= min && cut_at(i) && start.is_none_or(|s| share(i) < share(s)) {
                start = Some(i);
            }
            let Some(i) = start else { continue };
            if !cut_at(j) {
                continue;
            }
            let strays = share(i) + at_j[1 - c] as i64 - at_j[c] as i64 + base[c] as i64;
            let strays = usize::try_from(strays).ok()?;
            if best.is_none_or(|(s, ..)| strays < s) {
                best = Some((strays, i, j, c));
            }
        }
    }
    let (_, i, j, c) = best?;
    let band = [prefix[j][0] - prefix[i][0], prefix[j][1] - prefix[i][1]];
    let outside = [base[0] - band[0], base[1] - band[1]];
    (holds_one_strictly(band, base) == Some(c) && holds_one_strictly(outside, base) == Some(1 - c))
        .then_some(())?;
    Some((
        text_at(&filled, i - 1, f, parts)?,
        text_at(&filled, j - 1, f, parts)?,
    ))
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::{Column, Table};

    fn judge(x: &[f64], y: &[u8]) -> (Option<String>, Option<(String, String)>) {
        let table = Table {
            columns: vec![Column {
                name: "x".into(),
                dtype: DType::Float,
                values: Values::Num(x.to_vec()),
            }],
            n_rows: x.len(),
        };
        let rows: Vec<usize> = (0..x.len()).collect();
        let parts = [(&table, &rows[..], y)];
        (cut_is_label("x", &parts), band_is_label("x", &parts))
    }

    #[test]
    fn a_band_needs_three_parts_of_twenty_rows_each_holding_one_class() {
        // 0..30 class 0, 30..60 class 1, 60..90 class 0: a band, no cut.
        let x: Vec<f64> = (0..90).map(f64::from).collect();
        let y: Vec<u8> = (0..90).map(|i| u8::from((30..60).contains(&i))).collect();
        assert_eq!(judge(&x, &y), (None, Some(("29".into(), "59".into()))));
        // The same with a side of 19 rows: too few to judge.
        let (x, y) = (&x[11..], &y[11..]);
        assert_eq!(judge(x, y), (None, None));
        // One class above a cut is a cut, and no band (its sides would
        // hold the band's class).
        let x: Vec<f64> = (0..90).map(f64::from).collect();
        let y: Vec<u8> = (0..90).map(|i| u8::from(i >= 45)).collect();
        assert_eq!(judge(&x, &y), (Some("44".into()), None));
    }

    #[test]
    fn ties_and_strays_are_not_a_band() {
        // One value everywhere: no cut can fall anywhere.
        let y: Vec<u8> = (0..90).map(|i| u8::from((30..60).contains(&i))).collect();
        assert_eq!(judge(&[1.0; 90], &y), (None, None));
        // A band with one class in every third row: not one class.
        let x: Vec<f64> = (0..90).map(f64::from).collect();
        let y: Vec<u8> = (0..90)
            .map(|i| u8::from((30..60).contains(&i) != (i % 3 == 0)))
            .collect();
        assert_eq!(judge(&x, &y), (None, None));
        // Empty input and NaN only.
        assert_eq!(judge(&[], &[]), (None, None));
        assert_eq!(judge(&[f64::NAN; 90], &y), (None, None));
    }
}
