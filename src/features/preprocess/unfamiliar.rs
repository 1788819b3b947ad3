//! Whether rows are data a fitted preprocessing can read: a champion
//! re-scored on re-spelled categories or numbers in other units is no
//! comparison.

use super::*;

impl Preprocessor {
    /// Why `rows` of `table` are not data like the rows this preprocessing
    /// was fitted on, or None: a text feature (of all its levels kept)
    /// whose present values are mostly ones training never saw (re-spelled
    /// categories), or a number whose mean lies more than
    /// [`UNFAMILIAR_SHIFT`] training standard deviations from the training
    /// mean, or whose spread is [`UNFAMILIAR_SPREAD`] times larger or
    /// smaller (other units: days or years for months, cents for dollars),
    /// or whose quantiles are the training ones stretched by one factor
    /// ([`rescaled`]: miles for kilometres). A model scored on such rows is
    /// scored on values it cannot read.
    pub fn unfamiliar(&self, table: &Table, rows: &[usize]) -> Option<String> {
        self.features
            .iter()
            .zip(&self.lookup)
            .find_map(|(spec, lookup)| {
                let col = table.column(spec.name())?;
                match spec {
                    FeatureSpec::Categorical {
                        capped_from: None,
                        name,
                        ..
                    } => unseen_levels(lookup, col, rows).map(|(share, example)| {
                        format!(
                            "{:.0}% of the present {name:?} values are ones it never saw in \
                             training (e.g. {example:?})",
                            100.0 * share
                        )
                    }),
                    FeatureSpec::Numeric {
                        name,
                        mean,
                        scale,
                        quantiles,
                        ..
                    } => {
                        let Values::Num(v) = &col.values else {
                            return None;
                        };
                        let mut present: Vec<f64> = rows
                            .iter()
                            .map(|&r| v[r])
                            .filter(|x| x.is_finite())
                            .collect();
                        if present.len() < UNFAMILIAR_MIN_ROWS
                            || !scale.is_finite()
                            || *scale <= 0.0
                        {
                            return None;
                        }
                        let n = present.len() as f64;
                        let here = present.iter().map(|x| x / n).sum::<f64>();
                        let shift = (here - mean) / scale;
                        // A rare flag or code turned common moves the mean
                        // many of its small deviations: drift, not units.
                        let distinct = {
                            let mut d = present.clone();
                            d.sort_by(f64::total_cmp);
                            d.dedup();
                            d.len()
                        };
                        if distinct >= UNFAMILIAR_VALUES && shift.abs() > UNFAMILIAR_SHIFT {
                            return Some(format!(
                                "the mean of {name:?} is {here:.4} against {mean:.4} in training, \
                                 {:.0} training standard deviations away (other units?)",
                                shift.abs()
                            ));
                        }
                        // Other units with the mean nearby (years for months):
                        // the spread of a many-valued number moves by the
                        // same factor.
                        let spread = present
                            .iter()
                            .map(|x| ((x - here) / scale).powi(2) / n)
                            .sum::<f64>()
                            .sqrt();
                        present.sort_by(f64::total_cmp);
                        let here_q = sorted_quantiles(&present);
                        let rows_q = present.len();
                        present.dedup();
                        let ratio = spread.max(spread.recip());
                        let many = present.len() >= UNFAMILIAR_VALUES;
                        // Units scale the mean with the spread (through
                        // zero); a narrow band inside the range keeps its
                        // mean (round 17, F4). A centred number has no
                        // mean to tell by.
                        let centred = mean.abs() < UNFAMILIAR_CENTRED * scale;
                        let with_mean = (here / mean / spread).ln().abs() < UNFAMILIAR_MEAN_FIT;
                        if many
                            && spread > 0.0
                            && ratio > UNFAMILIAR_SPREAD
                            && (centred || with_mean)
                            && !uneven(quantiles, &here_q)
                        {
                            return Some(format!(
                                "the spread of {name:?} is {spread:.3} times its training \
                                 spread (other units?)"
                            ));
                        }
                        // The same distribution stretched by a factor the
                        // rules above let through (miles for kilometres).
                        let (a, b) = (rows_q >= UNFAMILIAR_QUANTILE_ROWS)
                            .then(|| rescaled(quantiles, &here_q))??;
                        Some(format!(
                            "the quantiles of {name:?} are {a:.3} times its training quantiles \
                             {} {:.4} (other units?)",
                            if b < 0.0 { "minus" } else { "plus" },
                            b.abs()
                        ))
                    }
                    FeatureSpec::Categorical { .. } => None,
                }
            })
    }
}

impl Preprocessor {
    /// The features that varied in training (numbers whose 5% and 95%
    /// quantiles differ, text of two or more kept levels) but hold one
    /// value, or none, in every one of `rows` (at least
    /// [`COLLAPSED_MIN_ROWS`] of them): a model scored on such rows reads
    /// a constant where it learned a signal (a column renamed, the old
    /// name left filled with one value or empty), or the rows are one
    /// segment of the data. `(name, what the rows hold, whether that is
    /// one value the model knew: a kept level, or a number within its
    /// training 5%-95% quantiles)`.
    pub fn collapsed(&self, table: &Table, rows: &[usize]) -> Vec<(String, String, bool)> {
        if rows.len() < COLLAPSED_MIN_ROWS {
            return Vec::new();
        }
        self.features
            .iter()
            .filter(|spec| match spec {
                FeatureSpec::Numeric { quantiles, .. } => quantiles.first() != quantiles.last(),
                FeatureSpec::Categorical {
                    levels,
                    capped_from,
                    ..
                } => levels.len() >= 2 || capped_from.is_some(),
            })
            .filter_map(|spec| {
                let col = table.column(spec.name())?;
                let mut present = rows.iter().filter(|&&r| !col.is_null(r));
                let Some(&first) = present.next() else {
                    return Some((spec.name().to_string(), "no value".to_string(), false));
                };
                let one = col.text(first);
                present.all(|&r| col.text(r) == one).then(|| {
                    (
                        spec.name().to_string(),
                        format!("one value, {:?}", one.unwrap_or_default()),
                        knew(spec, col, first),
                    )
                })
            })
            .collect()
    }
}

/// Whether the value of `col` at `row` is one `spec` knew in training: a
/// kept level, or a number within its 5% to 95% quantiles.
fn knew(spec: &FeatureSpec, col: &Column, row: usize) -> bool {
    match (spec, &col.values) {
        (FeatureSpec::Categorical { levels, .. }, _) => col
            .text(row)
            .is_some_and(|t| levels.binary_search(&t).is_ok()),
        (FeatureSpec::Numeric { quantiles, .. }, Values::Num(v)) => {
            match (quantiles.first(), quantiles.last()) {
                (Some(&lo), Some(&hi)) => (lo..=hi).contains(&v[row]),
                _ => false,
            }
        }
        _ => false,
    }
}

/// Fewest rows [`Preprocessor::collapsed`] judges.
const COLLAPSED_MIN_ROWS: usize = 100;

/// Fewest present values of a feature [`Preprocessor::unfamiliar`] judges.
const UNFAMILIAR_MIN_ROWS: usize = 20;
/// Training standard deviations a feature's mean may move before the rows
/// are another kind of data: drift moves a mean by a fraction of one.
pub const UNFAMILIAR_SHIFT: f64 = 5.0;
/// Factor by which a many-valued number's spread may move before the
/// rows are in other units: ten-fold changes (cents, days, thousands) move
/// it far more, drift far less.
pub const UNFAMILIAR_SPREAD: f64 = 8.0;
/// Distinct values a number needs for its spread to be judged.
const UNFAMILIAR_VALUES: usize = 10;
/// A number whose training mean lies within this many standard
/// deviations of zero is centred: the spread rule judges it alone.
const UNFAMILIAR_CENTRED: f64 = 0.5;
/// Largest |ln| of the mean's factor over the spread's for a spread
/// change to be one of units (the two factors within two-fold).
const UNFAMILIAR_MEAN_FIT: f64 = std::f64::consts::LN_2;
/// Fewest present values whose quantiles [`rescaled`] compares.
const UNFAMILIAR_QUANTILE_ROWS: usize = 100;
/// Factor a change of units stretches a distribution by at least (the
/// commonest are 1.609, 1.8, 2.2, 2.54, 3.28): inflation or a recalibrated
/// sensor stretches it less.
pub const UNFAMILIAR_SLOPE: f64 = 1.5;
/// Largest distance of a quantile from the fitted line, as a share of the
/// test quantiles' span, for the distribution to be the training one
/// stretched: sampling noise at a hundred rows stays within it.
const UNFAMILIAR_FIT: f64 = 0.05;
/// Largest factor between the scalings of a number's middle quantiles for
/// a change of spread to be one of units: sampling noise at a hundred rows
/// stays well within it, a segment of a skewed number does not.
const UNFAMILIAR_UNEVEN: f64 = 1.5;
/// Share of a text feature's present values that may be unseen levels.
const UNFAMILIAR_UNSEEN: f64 = 0.5;

/// The share of `rows`' present values of `col` that `lookup` lacks, and
/// one of them, when that share exceeds [`UNFAMILIAR_UNSEEN`] (over at
/// least [`UNFAMILIAR_MIN_ROWS`] present values).
pub(crate) fn unseen_levels(
    lookup: &HashMap<String, usize>,
    col: &Column,
    rows: &[usize],
) -> Option<(f64, String)> {
    let (mut present, mut unseen, mut example) = (0usize, 0usize, None);
    let mut count = |text: Option<&str>| {
        if let Some(t) = text {
            present += 1;
            if !lookup.contains_key(t) {
                unseen += 1;
                example.get_or_insert_with(|| t.to_string());
            }
        }
    };
    match &col.values {
        Values::Cat { codes, levels } => rows.iter().for_each(|&r| {
            count(levels.get(codes[r] as usize).map(String::as_str));
        }),
        Values::Num(_) => rows.iter().for_each(|&r| count(col.text(r).as_deref())),
    }
    let share = unseen as f64 / present.max(1) as f64;
    if present >= UNFAMILIAR_MIN_ROWS && share > UNFAMILIAR_UNSEEN {
        example.map(|e| (share, e))
    } else {
        None
    }
}

/// Quantiles [`FeatureSpec::Numeric`] keeps.
const QUANTILES: usize = 19;

/// `sorted`'s quantiles at k/20, k = 1..=19, interpolated linearly between
/// order statistics (numpy's default); empty for no values.
pub(super) fn sorted_quantiles(sorted: &[f64]) -> Vec<f64> {
    if sorted.is_empty() {
        return Vec::new();
    }
    let last = (sorted.len() - 1) as f64;
    (1..=QUANTILES)
        .map(|k| {
            let at = last * k as f64 / (QUANTILES + 1) as f64;
            let (lo, frac) = (at.floor() as usize, at - at.floor());
            let hi = (lo + 1).min(sorted.len() - 1);
            sorted[lo] + frac * (sorted[hi] - sorted[lo])
        })
        .collect()
}

/// Whether `test` (quantiles of the rows scored) are `train`'s (the
/// training quantiles) scaled by factors that differ across the middle of
/// the distribution (the 15% to 85% quantiles, all positive) by more than
/// [`UNFAMILIAR_UNEVEN`]: a segment of the data (first-year customers'
/// total charges, a small fraction of the usual at the top and a larger
/// one at the bottom), not other units, which scale every quantile alike
/// (round 21, F2). False when it cannot tell (no training quantiles, a
/// quantile at or below zero).
fn uneven(train: &[f64], test: &[f64]) -> bool {
    if train.len() != QUANTILES || test.len() != QUANTILES {
        return false;
    }
    let ratios: Option<Vec<f64>> = (2..=16)
        .map(|k| (train[k] > 0.0 && test[k] > 0.0).then(|| test[k] / train[k]))
        .collect();
    let Some(ratios) = ratios else {
        return false;
    };
    let lo = ratios.iter().copied().fold(f64::INFINITY, f64::min);
    let hi = ratios.iter().copied().fold(0.0, f64::max);
    hi > UNFAMILIAR_UNEVEN * lo
}

/// When `test` (quantiles of the rows scored) lie on a line `a * q + b`
/// through `train` (the training quantiles) with a slope of
/// [`UNFAMILIAR_SLOPE`] or more, through zero (`b` within
/// [`UNFAMILIAR_FIT`] of the span) and every point within [`UNFAMILIAR_FIT`]
/// of the test quantiles' span: `(a, b)`. The whole distribution stretched
/// by one factor from zero is a change of units (kilometres for miles,
/// pounds for kilograms, centimetres for inches), which drift that moves or
/// reshapes a distribution is not. Not judged: a shrink (its values lie in
/// the range the model read; a cap on a flat feature looks the same) and
/// an affine change (Fahrenheit for Celsius; a cap lifted looks the same).
/// Needs ten distinct training quantiles: a number of few values steps.
fn rescaled(train: &[f64], test: &[f64]) -> Option<(f64, f64)> {
    let mut distinct = train.to_vec();
    distinct.dedup();
    if train.len() != test.len() || distinct.len() < 10 {
        return None;
    }
    let n = train.len() as f64;
    let (mq, mt) = (train.iter().sum::<f64>() / n, test.iter().sum::<f64>() / n);
    let sqq: f64 = train.iter().map(|q| (q - mq).powi(2)).sum();
    let sqt: f64 = train
        .iter()
        .zip(test)
        .map(|(q, t)| (q - mq) * (t - mt))
        .sum();
    let a = sqt / sqq;
    let b = mt - a * mq;
    let span = test[test.len() - 1] - test[0];
    if !(a.is_finite() && b.is_finite() && span > 0.0 && span.is_finite()) {
        return None;
    }
    let fits = train
        .iter()
        .zip(test)
        .all(|(q, t)| (t - (a * q + b)).abs() <= UNFAMILIAR_FIT * span);
    // A ratio of units keeps zero at zero; a narrowed or widened range
    // (a cap, a segment) moves it, and values inside the training range
    // (a factor under one) are ones the model has read.
    let through_zero = b.abs() <= UNFAMILIAR_FIT * span;
    (fits && a >= UNFAMILIAR_SLOPE && through_zero).then_some((a, b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantiles_interpolate_like_numpy() {
        // numpy.quantile(np.arange(1, 11), [0.05, 0.5, 0.95]) = [1.45, 5.5, 9.55]
        let q = sorted_quantiles(&(1..=10).map(f64::from).collect::<Vec<_>>());
        assert_eq!(q.len(), QUANTILES);
        assert!((q[0] - 1.45).abs() < 1e-12 && (q[9] - 5.5).abs() < 1e-12);
        assert!((q[18] - 9.55).abs() < 1e-12);
        assert!(sorted_quantiles(&[]).is_empty());
    }

    #[test]
    fn units_scale_every_quantile_alike_a_segment_does_not() {
        let train: Vec<f64> = (1..=19).map(|k| f64::from(k).powf(2.0) * 20.0).collect();
        // Cents for dollars, thousands: every quantile by one factor.
        let cents: Vec<f64> = train.iter().map(|q| q * 100.0).collect();
        let thousands: Vec<f64> = train.iter().map(|q| q / 1000.0).collect();
        assert!(!uneven(&train, &cents) && !uneven(&train, &thousands));
        // The lower part of a skewed number: its top far below the
        // training top, its bottom near the training bottom.
        let segment: Vec<f64> = (1..=19).map(|k| f64::from(k) * 20.0).collect();
        assert!(uneven(&train, &segment));
        // Cannot tell: a centred number, or no training quantiles.
        let centred: Vec<f64> = (1..=19).map(|k| f64::from(k) - 10.0).collect();
        assert!(!uneven(&centred, &segment));
        assert!(!uneven(&[], &segment));
    }

    #[test]
    fn a_distribution_stretched_by_a_unit_factor_is_rescaled_drift_is_not() {
        let train: Vec<f64> = (1..=19).map(|k| f64::from(k).powf(1.5)).collect();
        let stretched = |a: f64, b: f64| train.iter().map(|q| a * q + b).collect::<Vec<_>>();
        // Miles to kilometres, Celsius to Fahrenheit, kilograms to pounds.
        let (a, b) = rescaled(&train, &stretched(1.609, 0.0)).unwrap();
        assert!((a - 1.609).abs() < 1e-9 && b.abs() < 1e-9);
        assert!(rescaled(&train, &stretched(2.2, 0.0)).is_some());
        // Round 16, F5: a shrink (a cap on a flat feature) or an offset
        // range (a cap lifted) is drift; so, unjudged, is Fahrenheit.
        assert!(rescaled(&train, &stretched(1.0 / 2.2, 0.0)).is_none());
        assert!(rescaled(&train, &stretched(0.5, 20.0)).is_none());
        assert!(rescaled(&train, &stretched(2.0, -40.0)).is_none());
        assert!(rescaled(&train, &stretched(1.8, 32.0)).is_none());
        // A shift, or a stretch inflation gives, is drift.
        assert!(rescaled(&train, &stretched(1.0, 5.0)).is_none());
        assert!(rescaled(&train, &stretched(1.3, 0.0)).is_none());
        // A reshaped distribution is not one stretched.
        let reshaped: Vec<f64> = (1..=19)
            .map(|k| 2.0 * f64::from(k).powf(3.0) / 19.0)
            .collect();
        assert!(rescaled(&train, &reshaped).is_none());
        // A number of few values steps: not judged.
        let steps: Vec<f64> = (0..19).map(|k| f64::from(k / 4)).collect();
        assert!(rescaled(&steps, &stretched(2.0, 0.0)).is_none());
    }
}
