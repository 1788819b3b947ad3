//! A lower and/or upper bound on an observed value: how it is written in
//! `gates.toml`, checked against the metric's range, and applied.
use super::evidence::Outcome;
use crate::domain::{GateStatus, IntervalValue};
use schemars::JsonSchema;
use serde::{Deserialize, Deserializer};

/// `min`/`max` as written: a number, or `false` to switch off a default.
#[derive(Debug, Clone, Copy, PartialEq, Default, JsonSchema)]
#[schemars(untagged)]
pub enum Limit {
    /// Not written: the kind's default applies.
    #[default]
    #[schemars(skip)]
    Default,
    /// `false`: no bound on this side, even where the kind has a default.
    Off(#[schemars(with = "bool")] ()),
    Value(f64),
}

impl<'de> Deserialize<'de> for Limit {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Limit, D::Error> {
        struct V;
        impl serde::de::Visitor<'_> for V {
            type Value = Limit;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a number, or false to switch the bound off")
            }
            fn visit_f64<E>(self, v: f64) -> Result<Limit, E> {
                Ok(Limit::Value(v))
            }
            fn visit_i64<E>(self, v: i64) -> Result<Limit, E> {
                Ok(Limit::Value(v as f64))
            }
            fn visit_u64<E>(self, v: u64) -> Result<Limit, E> {
                Ok(Limit::Value(v as f64))
            }
            fn visit_bool<E: serde::de::Error>(self, v: bool) -> Result<Limit, E> {
                if v {
                    Err(E::custom(
                        "`true` is not a bound: write a number, or false to switch it off",
                    ))
                } else {
                    Ok(Limit::Off(()))
                }
            }
        }
        d.deserialize_any(V)
    }
}

impl Limit {
    /// The bound in force: the written value, else `default` unless off.
    pub fn or(self, default: Option<f64>) -> Option<f64> {
        match self {
            Limit::Default => default,
            Limit::Off(()) => None,
            Limit::Value(v) => Some(v),
        }
    }
}

/// Which value a gate compares with its bound: the point estimate, or an
/// end of its interval (`[stats]`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Side {
    #[default]
    Point,
    Lower,
    Upper,
}

impl Side {
    /// `bound = "lower"` without `[stats]` has no interval to read.
    pub fn check(self, stats: bool) -> Result<(), String> {
        if self != Side::Point && !stats {
            return Err(format!(
                "bound = \"{}\" compares an interval's end: add a [stats] table (confidence, bootstrap)",
                self.name()
            ));
        }
        Ok(())
    }

    pub fn name(self) -> &'static str {
        match self {
            Side::Point => "point",
            Side::Lower => "lower",
            Side::Upper => "upper",
        }
    }
}

/// Lower and/or upper bound on an observed value.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Bound {
    pub min: Option<f64>,
    pub max: Option<f64>,
}

impl Bound {
    /// A bound that cannot fail, or cannot pass, for a value that always
    /// lies in `range` is a mistake: the reason, naming the range.
    pub fn check(&self, label: &str, range: (f64, f64)) -> Result<(), String> {
        let (lo, hi) = range;
        let shown = |v: f64| {
            if v.is_infinite() {
                "infinity".to_string()
            } else {
                format!("{v}")
            }
        };
        let span = format!("[{}, {}]", shown(lo), shown(hi));
        for (key, v) in [("min", self.min), ("max", self.max)] {
            if let Some(v) = v.filter(|v| !v.is_finite()) {
                return Err(format!("`{key}` must be a finite number, not {v}"));
            }
        }
        if self.min.is_none() && self.max.is_none() {
            return Err("needs `min` or `max`".into());
        }
        if let (Some(a), Some(b)) = (self.min, self.max) {
            if a > b {
                return Err(format!("min {a} is greater than max {b}"));
            }
        }
        if let Some(v) = self.min {
            if v <= lo {
                return Err(format!(
                    "min {v} can never fail: {label} always lies in {span}"
                ));
            }
            if v > hi {
                return Err(format!(
                    "min {v} can never pass: {label} always lies in {span}"
                ));
            }
        }
        if let Some(v) = self.max {
            if v >= hi {
                return Err(format!(
                    "max {v} can never fail: {label} always lies in {span}"
                ));
            }
            if v < lo {
                return Err(format!(
                    "max {v} can never pass: {label} always lies in {span}"
                ));
            }
        }
        Ok(())
    }

    /// The threshold shown beside the observed value.
    pub fn shown(&self) -> Option<f64> {
        self.min.or(self.max)
    }

    /// Pass when `value` is within the bound; an undefined value is
    /// inconclusive.
    pub fn apply(&self, label: &str, value: Option<f64>) -> Outcome {
        let Some(v) = value else {
            return Outcome::inconclusive(
                self.shown(),
                format!("{label} is undefined on this test set"),
            );
        };
        if let Some(lo) = self.min.filter(|lo| v < *lo) {
            let msg = format!("{label} {v:.4} < {lo:.4}");
            return Outcome::new(GateStatus::Fail, Some(v), Some(lo), msg);
        }
        if let Some(hi) = self.max.filter(|hi| v > *hi) {
            let msg = format!("{label} {v:.4} > {hi:.4}");
            return Outcome::new(GateStatus::Fail, Some(v), Some(hi), msg);
        }
        let message = match (self.min, self.max) {
            (Some(lo), Some(hi)) => format!("{label} {v:.4} within [{lo:.4}, {hi:.4}]"),
            (Some(lo), None) => format!("{label} {v:.4} >= {lo:.4}"),
            (None, Some(hi)) => format!("{label} {v:.4} <= {hi:.4}"),
            (None, None) => format!("{label} {v:.4}"),
        };
        Outcome::new(GateStatus::Pass, Some(v), self.shown(), message)
    }
}

impl Bound {
    /// [`Bound::apply`] on the chosen end of `interval`: pass only when that
    /// end is within the bound; when the point value is but the end is not,
    /// there is not enough evidence (`inconclusive`).
    pub fn apply_side(
        &self,
        label: &str,
        value: Option<f64>,
        side: Side,
        interval: Option<(&IntervalValue, f64)>,
    ) -> Outcome {
        let point = self.apply(label, value);
        if side == Side::Point || point.status != GateStatus::Pass {
            return point;
        }
        let Some((iv, confidence)) = interval else {
            return Outcome {
                status: GateStatus::Inconclusive,
                message: format!(
                    "{}; but {label} has no interval on this test set, so bound = \"{}\" cannot be judged",
                    point.message,
                    side.name()
                ),
                ..point
            };
        };
        let end = if side == Side::Lower { iv.low } else { iv.high };
        let v = value.unwrap_or(end);
        let pct = confidence * 100.0;
        let shown = format!(
            "{label} {v:.4}, {pct}% interval [{:.4}, {:.4}] ({})",
            iv.low, iv.high, iv.method
        );
        let end_name = side.name();
        if let Some(lo) = self.min.filter(|lo| end < *lo) {
            return Outcome {
                status: GateStatus::Inconclusive,
                message: format!(
                    "{shown}: the {end_name} end is below the floor {lo}, so there is not enough evidence"
                ),
                ..point
            };
        }
        if let Some(hi) = self.max.filter(|hi| end > *hi) {
            return Outcome {
                status: GateStatus::Inconclusive,
                message: format!(
                    "{shown}: the {end_name} end is above the ceiling {hi}, so there is not enough evidence"
                ),
                ..point
            };
        }
        Outcome {
            message: format!("{shown}: the {end_name} end is within the bound"),
            ..point
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounds_that_cannot_fail_or_pass_are_refused() {
        let b = |min, max| Bound { min, max };
        let unit = (0.0, 1.0);
        assert!(b(Some(0.8), None).check("x", unit).is_ok());
        assert!(b(Some(0.0), None)
            .check("x", unit)
            .unwrap_err()
            .contains("never fail"));
        assert!(b(None, Some(1.25))
            .check("x", unit)
            .unwrap_err()
            .contains("[0, 1]"));
        assert!(b(Some(2.0), None)
            .check("x", unit)
            .unwrap_err()
            .contains("never pass"));
        let loss = (0.0, f64::INFINITY);
        assert!(b(None, Some(-0.5))
            .check("log_loss", loss)
            .unwrap_err()
            .contains("never pass"));
        assert!(b(None, Some(0.5)).check("log_loss", loss).is_ok());
        assert!(b(Some(0.9), Some(0.8)).check("x", unit).is_err());
        assert!(b(None, None).check("x", unit).is_err());
    }

    #[test]
    fn an_end_that_misses_the_bound_is_inconclusive() {
        let b = Bound {
            min: Some(0.83),
            max: None,
        };
        let iv = IntervalValue {
            low: 0.8213,
            high: 0.8665,
            method: "delong".into(),
        };
        let o = b.apply_side("roc_auc", Some(0.8439), Side::Lower, Some((&iv, 0.95)));
        assert_eq!(o.status, GateStatus::Inconclusive);
        assert!(
            o.message.starts_with(
                "roc_auc 0.8439, 95% interval [0.8213, 0.8665] (delong): the lower end is below the floor 0.83, so there is not enough evidence"
            ),
            "{}",
            o.message
        );
        let o = b.apply_side("roc_auc", Some(0.8439), Side::Upper, Some((&iv, 0.95)));
        assert_eq!(o.status, GateStatus::Pass);
        let o = b.apply_side("roc_auc", Some(0.82), Side::Lower, Some((&iv, 0.95)));
        assert_eq!(o.status, GateStatus::Fail, "the point fails: fail");
        let o = b.apply_side("roc_auc", Some(0.8439), Side::Lower, None);
        assert_eq!(o.status, GateStatus::Inconclusive);
        assert!(Side::Lower.check(false).is_err());
    }

    #[test]
    fn limits_keep_or_switch_off_the_default() {
        assert_eq!(Limit::Default.or(Some(0.8)), Some(0.8));
        assert_eq!(Limit::Off(()).or(Some(0.8)), None);
        assert_eq!(Limit::Value(0.7).or(Some(0.8)), Some(0.7));
        #[derive(Deserialize)]
        struct T {
            #[serde(default)]
            min: Limit,
        }
        let t: T = toml::from_str("min = false").unwrap();
        assert_eq!(t.min, Limit::Off(()));
        let t: T = toml::from_str("min = 1").unwrap();
        assert_eq!(t.min, Limit::Value(1.0));
        assert!(toml::from_str::<T>("min = true").is_err());
        assert!(toml::from_str::<T>("min = \"a\"").is_err());
    }
}
