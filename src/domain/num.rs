//! Fixed-precision number formatting shared by the human-readable renderers
//! (terminal table, Markdown, model card): metrics with 4 decimals,
//! milliseconds with 3, `n/a` for an undefined value. One place, so the
//! three outputs never disagree on how a number reads.

/// Decimals of a metric, rate or threshold.
pub const DECIMALS: usize = 4;
/// Decimals of a duration in milliseconds.
pub const MS_DECIMALS: usize = 3;
/// What an undefined (`None`) value prints as.
pub const NA: &str = "n/a";

/// `v` with `decimals` fixed decimals; NaN and infinities spelled out.
pub fn fixed(v: f64, decimals: usize) -> String {
    if v.is_nan() {
        return "NaN".to_string();
    }
    if v.is_infinite() {
        return if v > 0.0 { "inf" } else { "-inf" }.to_string();
    }
    let s = format!("{v:.decimals$}");
    // A tiny negative rounds to "-0.0000", which reads as a sign that is not there.
    match s.strip_prefix('-') {
        Some(rest) if rest.chars().all(|c| c == '0' || c == '.') => rest.to_string(),
        _ => s,
    }
}

/// A metric, rate or threshold: 4 decimals, `n/a` when undefined.
pub fn metric(v: Option<f64>) -> String {
    v.map_or_else(|| NA.to_string(), |v| fixed(v, DECIMALS))
}

/// A metric with its interval when there is one: `0.8439 [0.8213, 0.8665]`.
pub fn metric_with(v: Option<f64>, interval: Option<(f64, f64)>) -> String {
    match (v, interval) {
        (Some(_), Some((lo, hi))) => {
            format!("{} [{}, {}]", metric(v), metric(Some(lo)), metric(Some(hi)))
        }
        _ => metric(v),
    }
}

/// A signed delta with its paired interval when there is one:
/// `+0.0109 [-0.0040, +0.0258]`.
pub fn signed_with(v: Option<f64>, low: Option<f64>, high: Option<f64>) -> String {
    match (v, low, high) {
        (Some(_), Some(lo), Some(hi)) => {
            format!("{} [{}, {}]", signed(v), signed(Some(lo)), signed(Some(hi)))
        }
        _ => signed(v),
    }
}

/// Milliseconds: 3 decimals, or two significant digits below 0.1 ms (a
/// sub-microsecond predict reads `0.00012`, not `0.000`); `n/a` when undefined.
pub fn ms(v: Option<f64>) -> String {
    v.map_or_else(
        || NA.to_string(),
        |v| {
            let a = v.abs();
            let decimals = if a > 0.0 && a < 0.1 && a.is_finite() {
                // -log10(a) >= 1 here, so the cast cannot wrap.
                ((-a.log10()).ceil() as usize + 1).clamp(MS_DECIMALS, 9)
            } else {
                MS_DECIMALS
            };
            fixed(v, decimals)
        },
    )
}

/// A difference with an explicit sign (`+0.0100`, `-0.0030`), 4 decimals.
pub fn signed(v: Option<f64>) -> String {
    let text = metric(v);
    match v {
        Some(d) if d > 0.0 && d.is_finite() && text != fixed(0.0, DECIMALS) => format!("+{text}"),
        _ => text,
    }
}

/// Throughput in rows per second, no decimals.
pub fn rate(v: f64) -> String {
    fixed(v, 0)
}

/// A gate's observed value or threshold in the unit of its kind: latency
/// gates are in milliseconds, every other kind is a unitless metric.
pub fn gate_value(kind: &str, v: Option<f64>) -> String {
    match (kind, v) {
        ("latency", Some(_)) => format!("{} ms", ms(v)),
        _ => metric(v),
    }
}

/// `1 warning`, `2 warnings`.
pub fn plural(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("{n} {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

/// First 12 characters of a digest, enough to recognise it in a summary.
pub fn short_sha(sha: &str) -> &str {
    sha.get(..12).unwrap_or(sha)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_durations_keep_two_significant_digits() {
        assert_eq!(ms(Some(0.046)), "0.046");
        assert_eq!(ms(Some(0.0001)), "0.00010");
        assert_eq!(ms(Some(0.000123)), "0.00012");
        assert_eq!(ms(Some(1e-12)), "0.000000000");
        assert_eq!(ms(Some(0.0)), "0.000");
        assert_eq!(ms(Some(12.5)), "12.500");
        assert_eq!(ms(None), NA);
    }

    #[test]
    fn fixed_precision_and_specials() {
        assert_eq!(metric(Some(0.84)), "0.8400");
        assert_eq!(metric(None), "n/a");
        assert_eq!(ms(Some(0.0123456)), "0.012");
        assert_eq!(metric(Some(-0.00001)), "0.0000");
        assert_eq!(metric(Some(f64::NAN)), "NaN");
        assert_eq!(metric(Some(f64::NEG_INFINITY)), "-inf");
        assert_eq!(signed(Some(0.01)), "+0.0100");
        assert_eq!(signed(Some(-0.003)), "-0.0030");
        assert_eq!(signed(Some(0.00001)), "0.0000");
        assert_eq!(gate_value("latency", Some(2.5)), "2.500 ms");
        assert_eq!(gate_value("latency", None), "n/a");
        assert_eq!(rate(1.0e6), "1000000");
        assert_eq!(plural(1, "warning"), "1 warning");
        assert_eq!(plural(0, "warning"), "0 warnings");
        assert_eq!(short_sha("abc"), "abc");
    }
}
