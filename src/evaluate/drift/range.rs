//! The far-range rule of drift: values lying far past the reference's
//! range, which PSI's end bins hide (a unit error in the top decile).

use super::{quantile_linear, Sample};

/// Fewest finite reference values whose range [`beyond_range`] trusts: a
/// handful of heavy-tailed values spans too little of what fresh ones do.
const RANGE_MIN_VALUES: usize = 200;
/// The reference's range for [`beyond_range`]: between these quantiles, so
/// a sentinel or two (99999 for missing in a legacy export) cannot widen
/// it past any unit error.
const RANGE_QUANTILES: (f64, f64) = (0.01, 0.99);
/// How many of its spans past that range a value lies to be far.
const RANGE_SPANS: f64 = 2.0;

/// The share of `current`'s rows whose finite value lies more than two
/// spans below the reference's 1st percentile or above its 99th (the span
/// being the distance between them). A fresh value of the same data
/// almost never does, however heavy its tail: past three times the 99th
/// percentile is under 1% even for a Pareto tail of index 0.3. `None`
/// for too few reference values or a reference constant there.
pub(super) fn beyond_range(reference: &Sample, current: &Sample) -> Option<f64> {
    let known = reference.finite();
    if known.len() < RANGE_MIN_VALUES || current.len == 0 {
        return None;
    }
    let (known, codes) = end_codes(known);
    let lo = quantile_linear(known, RANGE_QUANTILES.0);
    let hi = quantile_linear(known, RANGE_QUANTILES.1);
    let span = hi - lo;
    if !(span > 0.0 && span.is_finite()) {
        return None;
    }
    let (low, high) = (lo - RANGE_SPANS * span, hi + RANGE_SPANS * span);
    let far = |s: &Sample| {
        let values = s.finite();
        let below = values.partition_point(|&x| x < low);
        let above = values.len() - values.partition_point(|&x| x <= high);
        let coded: usize = codes
            .iter()
            .map(|&c| values.partition_point(|&x| x <= c) - values.partition_point(|&x| x < c))
            .sum();
        (below + above).saturating_sub(coded)
    };
    // Data whose range a spike sets (an amount zero on 99% of rows) has
    // values out there itself: only a share well beyond the reference's
    // own there is another kind of value (round 17, F3).
    let (count, own_count) = (far(current), far(reference));
    let share = count as f64 / current.len.max(1) as f64;
    let own = own_count as f64 / reference.len.max(1) as f64;
    // Nor a count a sample of the reference's own rate gives now and then:
    // two of 111 test rows where the reference has 4 of 4,325 is one run
    // in a hundred, not a broken feed (round 22, F9).
    let rare = poisson_tail(
        count,
        current.len as f64 * (own_count + 1) as f64 / (reference.len + 1) as f64,
    ) < RANGE_SIGNIFICANCE;
    Some(if share >= RANGE_OWN_FACTOR * own && rare {
        share
    } else {
        0.0
    })
}

/// P(X >= k) for X Poisson with mean `mean`: the chance of `k` or more
/// far values where the reference's rate is expected.
pub(super) fn poisson_tail(k: usize, mean: f64) -> f64 {
    if k == 0 {
        return 1.0;
    }
    if mean.is_nan() || mean <= 0.0 {
        return 0.0;
    }
    // Far out in the tail (a unit error in a tenth of many rows): tiny.
    if k as f64 > mean + 40.0 * mean.sqrt() + 40.0 {
        return 0.0;
    }
    // Past where e^-mean underflows, five standard deviations decide.
    if mean > 500.0 {
        return if k as f64 > mean + 5.0 * mean.sqrt() {
            0.0
        } else {
            1.0
        };
    }
    // 1 - P(X < k).
    let (mut term, mut below) = ((-mean).exp(), 0.0);
    for i in 0..k {
        below += term;
        term *= mean / (i + 1) as f64;
    }
    (1.0 - below).max(0.0)
}

/// The sorted finite reference values without the codes at either end,
/// and the codes: a value repeated on [`CODE_MIN_ROWS`] rows or more (but
/// no more than [`CODE_MAX_SHARE`] of them) at the very top or bottom,
/// lying more than [`RANGE_SPANS`] spans past the range of the other
/// values. `99999999` for a missing income on 2% of the rows is a code,
/// not a measurement: read as one it would set the range's 99th
/// percentile and hide any unit error (round 18, F10).
pub(super) fn end_codes(known: &[f64]) -> (&[f64], Vec<f64>) {
    let (mut from, mut to) = (0, known.len());
    let mut codes = Vec::new();
    let most = (CODE_MAX_SHARE * known.len() as f64) as usize;
    // Codes found at the top and at the bottom.
    let (mut tops, mut bottoms) = (0, 0);
    for _ in 0..2 * CODE_MAX_PER_END {
        let rest_range = |rest: &[f64]| {
            let (lo, hi) = (
                quantile_linear(rest, RANGE_QUANTILES.0),
                quantile_linear(rest, RANGE_QUANTILES.1),
            );
            (lo - RANGE_SPANS * (hi - lo), hi + RANGE_SPANS * (hi - lo))
        };
        let values = &known[from..to];
        let (Some(&top), Some(&bottom)) = (values.last(), values.first()) else {
            break;
        };
        let at_top = values.len() - values.partition_point(|&x| x < top);
        let at_bottom = values.partition_point(|&x| x <= bottom);
        // Together the codes hold at most CODE_MAX_SHARE of the rows.
        let removed = known.len() - (to - from);
        let code_sized = |k: usize| k >= CODE_MIN_ROWS && removed + k <= most;
        if tops < CODE_MAX_PER_END
            && code_sized(at_top)
            && values.len() - at_top >= RANGE_MIN_VALUES
        {
            let (_, high) = rest_range(&values[..values.len() - at_top]);
            if top > high {
                codes.push(top);
                to -= at_top;
                tops += 1;
                continue;
            }
        }
        if bottoms < CODE_MAX_PER_END
            && code_sized(at_bottom)
            && values.len() - at_bottom >= RANGE_MIN_VALUES
        {
            let (low, _) = rest_range(&values[at_bottom..]);
            if bottom < low {
                codes.push(bottom);
                from += at_bottom;
                bottoms += 1;
                continue;
            }
        }
        break;
    }
    (&known[from..to], codes)
}

/// Fewest rows a value at an end needs to be a code rather than an outlier
/// (a single outlier does not move the 99th percentile anyway).
const CODE_MIN_ROWS: usize = 3;
/// Largest share of the rows the codes may hold together: a value on more
/// is the bulk of the data (zero for a zero-inflated amount), not a code.
const CODE_MAX_SHARE: f64 = 0.1;
/// Codes looked for at each end (999, 9999 and 99999 in one column).
const CODE_MAX_PER_END: usize = 2;

/// Chance under the reference's own rate below which a count of far values
/// is another kind of value, not sampling noise.
const RANGE_SIGNIFICANCE: f64 = 1e-4;
/// How many times the reference's own share past the far range the test
/// rows' share must be to count: sampling noise on a zero-inflated
/// amount's rare tail stays under it, a unit error in a slice does not.
const RANGE_OWN_FACTOR: f64 = 4.0;
