//! `kind = "fairness"`: a group-fairness metric over one protected attribute.
use super::bound::{Bound, Limit, Side};
use super::evidence::{Evidence, Outcome};
use crate::domain::{FairnessMetric, GateStatus};
use crate::evaluate::fairness::{intersection_parts, AttributeFairness};
use schemars::JsonSchema;
use serde::Deserialize;

/// Fewest rows a group's TPR (its positives) or FPR (its negatives) is
/// read off for a gate to judge it: the 10 of each class a metric gate
/// asks for.
const MIN_RATE_ROWS: u64 = 10;

pub const KEYS: &[&str] = &[
    "attribute",
    "metric",
    "min",
    "max",
    "min_group_size",
    "bound",
];

/// One protected column, or several for intersectional groups.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(
    untagged,
    expecting = "a column name, or a list of column names for intersectional groups"
)]
pub enum Attribute {
    One(String),
    Many(Vec<String>),
}

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FairnessTable {
    /// fairness: a column listed in `data.protected`, or a list of them
    /// (`["female", "senior_citizen"]`: groups are their intersections).
    pub attribute: Attribute,
    /// Default `disparate_impact`.
    #[serde(default = "default_metric")]
    pub metric: FairnessMetric,
    /// Lower bound (default 0.8 for `disparate_impact`; `false` = none).
    #[serde(default)]
    pub min: Limit,
    /// Upper bound (default 0.1 for the differences; `false` = none).
    #[serde(default)]
    pub max: Limit,
    /// A smaller group makes the gate inconclusive (default 30).
    #[serde(default = "default_min_group_size")]
    pub min_group_size: u64,
    /// The value compared: `point` (default), or the `lower`/`upper` end of
    /// its interval (needs `[stats]`).
    #[serde(default)]
    pub bound: Side,
}

fn default_metric() -> FairnessMetric {
    FairnessMetric::DisparateImpact
}

fn default_min_group_size() -> u64 {
    30
}

#[derive(Debug, Clone, PartialEq)]
pub struct FairnessGate {
    /// One column, or several whose intersections are the groups.
    pub attributes: Vec<String>,
    pub metric: FairnessMetric,
    pub bound: Bound,
    pub min_group_size: u64,
    pub side: Side,
}

impl FairnessGate {
    /// Setting one bound keeps the other's default unless it is `false`.
    pub fn from_table(
        t: FairnessTable,
        protected: &[String],
        stats: bool,
    ) -> Result<FairnessGate, String> {
        t.bound.check(stats)?;
        let attributes = match t.attribute {
            Attribute::One(a) => vec![a],
            Attribute::Many(v) => v,
        };
        if attributes.is_empty() {
            return Err("attribute lists no column".into());
        }
        for (i, a) in attributes.iter().enumerate() {
            if !protected.contains(a) {
                return Err(format!(
                    "attribute {a:?} is not listed in data.protected (protected = {protected:?})"
                ));
            }
            if attributes[..i].contains(a) {
                return Err(format!("attribute lists {a:?} twice"));
            }
        }
        // An intersection's figures are keyed `a|b`: a column named like
        // that, or holding `|` itself, would be taken for another key.
        if attributes.len() > 1 {
            let key = attributes.join("|");
            if let Some(a) = attributes.iter().find(|a| a.contains('|')) {
                return Err(format!(
                    "attribute {a:?} contains `|`, which joins the columns of an intersection; \
                     rename the column"
                ));
            }
            if protected.contains(&key) {
                return Err(format!(
                    "the intersection of {attributes:?} is keyed {key:?}, which is also a \
                     protected column; rename that column"
                ));
            }
        }
        let (dmin, dmax) = t.metric.default_bound();
        let bound = Bound {
            min: t.min.or(dmin),
            max: t.max.or(dmax),
        };
        bound.check(t.metric.name(), t.metric.range())?;
        Ok(FairnessGate {
            attributes,
            metric: t.metric,
            bound,
            min_group_size: t.min_group_size,
            side: t.bound,
        })
    }

    /// The key of its figures in `report.json` `fairness`: the column, or
    /// the columns joined by `|`.
    pub fn key(&self) -> String {
        self.attributes.join("|")
    }

    pub fn default_name(&self) -> String {
        format!("fairness {} {}", self.key(), self.metric)
    }

    /// The gate's conclusion; a pass that the test rows do not support
    /// (see [`super::Caveats`]) is inconclusive.
    pub fn evaluate(&self, ev: &Evidence) -> Outcome {
        ev.caveats.judged(self.measure(ev), true)
    }

    /// An attribute holding one value and missing cells: beside that one
    /// value, the rows missing it compare who gave it with who did not,
    /// not the attribute's groups (round 36: `F` and blanks passed as two
    /// groups). Each part of an intersection is judged alone (`F|0`,
    /// `<missing>|0` and `F|1` hold one value of the first).
    fn one_value_beside_missing(&self, f: &AttributeFairness) -> Option<String> {
        let single = self.attributes.len() < 2;
        let parts: Vec<(Vec<Option<String>>, u64)> = f
            .groups
            .iter()
            .map(|(name, g)| {
                let parts = if single {
                    vec![(Some(name) != f.missing_group.as_ref()).then(|| name.clone())]
                } else {
                    intersection_parts(name)
                };
                (parts, g.count)
            })
            .collect();
        self.attributes.iter().enumerate().find_map(|(i, attr)| {
            let part = |p: &Vec<Option<String>>| p.get(i).cloned().flatten();
            let values: std::collections::BTreeSet<String> =
                parts.iter().filter_map(|(p, _)| part(p)).collect();
            let missing: u64 = parts
                .iter()
                .filter(|(p, _)| p.get(i).is_some_and(Option::is_none))
                .map(|(_, n)| n)
                .sum();
            (values.len() < 2 && missing > 0).then(|| {
                let held = match values.first() {
                    Some(v) => format!("one value ({v})"),
                    None => "no value".to_string(),
                };
                format!(
                    "{attr}: {held} in the test set besides {missing} row(s) where it is \
                     missing; cannot compare groups"
                )
            })
        })
    }

    fn measure(&self, ev: &Evidence) -> Outcome {
        let key = self.key();
        let (attribute, metric) = (&key, self.metric);
        let threshold = self.bound.shown();
        let Some(f) = ev.fairness.get(attribute) else {
            return Outcome::inconclusive(
                threshold,
                format!("no fairness figures for {attribute:?}"),
            );
        };
        if f.groups.len() < 2 {
            let msg = format!(
                "{attribute}: only {} group(s) in the test set; cannot compare groups",
                f.groups.len()
            );
            return Outcome::inconclusive(threshold, msg);
        }
        if let Some(msg) = self.one_value_beside_missing(f) {
            return Outcome::inconclusive(threshold, msg);
        }
        let absent = f
            .absent
            .iter()
            .filter(|_| self.min_group_size > 0)
            .map(|name| format!("{name} (0: in the training rows only)"));
        let small: Vec<String> = f
            .groups
            .iter()
            .filter(|(_, g)| g.count < self.min_group_size)
            .map(|(name, g)| format!("{name} ({})", g.count))
            .chain(absent)
            .collect();
        let value = f.get(metric);
        if !small.is_empty() {
            let msg = format!(
                "{attribute}: group(s) smaller than min_group_size {}: {}",
                self.min_group_size,
                small.join(", ")
            );
            return Outcome {
                observed: value,
                ..Outcome::inconclusive(threshold, msg)
            };
        }
        // A rate read off a handful of rows is one row's luck (round 32,
        // F5: a TPR of 1 of 3 positives), and a group with none has no rate
        // at all (a TPR difference over the other groups would hide it;
        // fairlearn counts it as 0): a TPR needs that group's positives, an
        // FPR its negatives, at least a tenth of `min_test_rows`'s default
        // as metric gates ask of each class (fewer when min_group_size is
        // lower).
        let need = self.min_group_size.clamp(1, MIN_RATE_ROWS);
        let rates: &[(&str, bool)] = match metric {
            FairnessMetric::TprDifference => &[("positives", true)],
            FairnessMetric::EqualizedOddsDifference => &[("positives", true), ("negatives", false)],
            _ => &[],
        };
        let thin: Vec<(String, u64)> = f
            .groups
            .iter()
            .flat_map(|(name, g)| {
                rates.iter().filter_map(move |&(what, positive)| {
                    let n = if positive {
                        g.positives
                    } else {
                        g.count.saturating_sub(g.positives)
                    };
                    (n < need).then(|| (format!("{name} ({n} {what})"), n))
                })
            })
            .collect();
        if !thin.is_empty() {
            let msg = format!(
                "{attribute}: {metric} compares rates that group(s) measure on fewer than {need} \
                 rows: {}; a rate of so few rows is no evidence{}",
                thin.iter()
                    .map(|(t, _)| t.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
                if thin.iter().any(|&(_, n)| n == 0) {
                    " (a group with none has no rate; fairlearn counts it as 0)"
                } else {
                    ""
                }
            );
            return Outcome {
                observed: value,
                ..Outcome::inconclusive(threshold, msg)
            };
        }
        let interval = ev.intervals.and_then(|i| {
            i.fairness(attribute, metric.name())
                .map(|v| (v, i.confidence))
        });
        let mut out =
            self.bound
                .apply_side(&format!("{attribute} {metric}"), value, self.side, interval);
        if out.status == GateStatus::Inconclusive && value.is_none() {
            out.message = format!(
                "{attribute} {metric} is undefined (a zero denominator: no group selected, or no positives)"
            );
        }
        out
    }
}
