//! Group fairness of hard predictions for one protected attribute: per-group
//! counts, selection rate and true-positive rate, plus the summary numbers the
//! gates use (disparate impact, TPR difference, selection-rate difference),
//! matching `fairlearn.metrics.MetricFrame` (SPEC §6).
//!
//! Semantics (checked against fairlearn 0.15.0):
//! - Only groups that occur in the rows exist; codes named in `group_names`
//!   but absent from the data are left out, as fairlearn does.
//! - Code `u32::MAX` means the attribute is missing; those rows form their own
//!   group named [`MISSING_GROUP`]. A code with no name in `group_names` is
//!   named by its decimal value so that no row is silently dropped.
//! - `disparate_impact` = min / max selection rate
//!   (`MetricFrame(metrics=selection_rate).ratio()`). A single group gives 1.0
//!   (fairlearn does too); max rate 0 gives NaN in fairlearn and `None` here.
//! - A group's TPR is `None` when it has no `y_true = 1` rows. fairlearn's
//!   `true_positive_rate` would report 0.0 there, which would fake a gap, so
//!   we follow `MetricFrame(recall_score(zero_division=nan)).difference()`:
//!   `tpr_difference` is max - min over groups with a defined TPR (0.0 for one
//!   such group), `None` when no group has one.
//! - `selection_rate_difference` = max - min selection rate
//!   (`demographic_parity_difference`); 0.0 for a single group.
//! - Lengths that differ are truncated to the shortest input.

use crate::domain::FairnessMetric;
use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// Group code meaning "attribute value missing".
pub const MISSING_CODE: u32 = u32::MAX;

/// Most levels of a text column grouped by [`Groups::of_codes`].
pub const CODED_LEVELS: usize = 1 << 12;
/// Name of the group formed by missing attribute values.
pub const MISSING_GROUP: &str = "<missing>";

/// Outcome statistics of one group.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct GroupStats {
    /// Test rows in the group.
    pub count: u64,
    /// Rows with `y_true = 1`.
    pub positives: u64,
    /// Fraction of rows with `y_pred = 1`.
    pub selection_rate: Option<f64>,
    /// Recall within the group; `None` without positives.
    pub tpr: Option<f64>,
}

/// Fairness summary of one protected attribute.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct AttributeFairness {
    pub groups: BTreeMap<String, GroupStats>,
    pub disparate_impact: Option<f64>,
    pub tpr_difference: Option<f64>,
    pub selection_rate_difference: Option<f64>,
    /// fairlearn's `equalized_odds_difference`: the larger of the TPR and
    /// FPR differences (a group without positives has TPR 0, as fairlearn).
    #[serde(default)]
    pub equalized_odds_difference: Option<f64>,
    /// Row count of the smallest group present (0 when there are no rows).
    pub smallest_group: u64,
    /// Groups the training rows hold that no test row does: a group of
    /// no test rows is smaller than any `min_group_size` (a test file
    /// without the disadvantaged group would otherwise pass).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub absent: Vec<String>,
    /// The group of the rows missing the attribute, as named in `groups`
    /// (`<missing>`, or `<missing> (2)` beside a value spelled so);
    /// `None` when no row misses it. Known where the figures are made.
    #[serde(skip)]
    pub missing_group: Option<String>,
    /// `[stats]`: `<metric>_low` / `<metric>_high`, the interval ends of
    /// each summary value (also in `intervals.fairness`).
    #[serde(default, flatten, skip_serializing_if = "BTreeMap::is_empty")]
    pub ends: BTreeMap<String, f64>,
}

impl GroupStats {
    /// Wilson score interval of the selection rate at `confidence`
    /// (`None` without rows).
    pub fn selection_rate_interval(&self, confidence: f64) -> Option<(f64, f64)> {
        proportion_interval(self.selection_rate?, self.count, confidence)
    }

    /// Wilson score interval of the true-positive rate at `confidence`
    /// (`None` without positives).
    pub fn tpr_interval(&self, confidence: f64) -> Option<(f64, f64)> {
        proportion_interval(self.tpr?, self.positives, confidence)
    }
}

/// Wilson interval of a rate `k / n` given as its value: `k` is recovered
/// exactly, since the rate was computed as `k / n` in the first place.
fn proportion_interval(rate: f64, n: u64, confidence: f64) -> Option<(f64, f64)> {
    let k = (rate * n as f64).round();
    if !k.is_finite() || k < 0.0 {
        return None;
    }
    crate::evaluate::stats::wilson(k as u64, n, confidence)
}

/// Raw tallies of one group.
#[derive(Debug, Clone, Copy, Default)]
struct Tally {
    count: u64,
    positives: u64,
    selected: u64,
    true_positives: u64,
}

impl Tally {
    fn merge(&mut self, other: &Tally) {
        self.count += other.count;
        self.positives += other.positives;
        self.selected += other.selected;
        self.true_positives += other.true_positives;
    }

    fn stats(&self) -> GroupStats {
        GroupStats {
            count: self.count,
            positives: self.positives,
            selection_rate: rate(self.selected, self.count),
            tpr: rate(self.true_positives, self.positives),
        }
    }
}

/// `num / den`, `None` when `den == 0`.
fn rate(num: u64, den: u64) -> Option<f64> {
    (den > 0).then(|| num as f64 / den as f64)
}

/// Fairness of `y_pred` across the groups given by `groups` (a code per row;
/// `group_names[code]` names it).
pub fn compute(
    groups: &[u32],
    group_names: &[String],
    y_true: &[u8],
    y_pred: &[u8],
) -> AttributeFairness {
    let cells = crate::evaluate::stats::group_cells(groups, y_true, y_pred);
    let equalized_odds_difference = crate::evaluate::stats::equalized_odds_of(&cells);
    let (tallies, missing_group) = tally_by_name(&cells, group_names);
    let groups: BTreeMap<String, GroupStats> = tallies
        .iter()
        .map(|(name, t)| (name.clone(), t.stats()))
        .collect();
    let selection: Vec<f64> = groups.values().filter_map(|g| g.selection_rate).collect();
    let tprs: Vec<f64> = groups.values().filter_map(|g| g.tpr).collect();
    AttributeFairness {
        disparate_impact: min_over_max(&selection),
        tpr_difference: max_minus_min(&tprs),
        selection_rate_difference: max_minus_min(&selection),
        equalized_odds_difference,
        ends: BTreeMap::new(),
        smallest_group: groups.values().map(|g| g.count).min().unwrap_or(0),
        absent: Vec::new(),
        missing_group,
        groups,
    }
}

/// The rows per code (counted by [`crate::evaluate::stats::group_cells`])
/// merged by display name, so duplicate names cannot yield two entries;
/// and the name the missing rows got.
fn tally_by_name(
    cells: &BTreeMap<u32, crate::evaluate::stats::Cells>,
    group_names: &[String],
) -> (BTreeMap<String, Tally>, Option<String>) {
    let tally = |c: &crate::evaluate::stats::Cells| Tally {
        count: c.iter().sum(),
        positives: c[0] + c[1],
        selected: c[0] + c[2],
        true_positives: c[0],
    };
    // The named codes first, then the others, each in code order.
    let named = |code: u32| code != MISSING_CODE && (code as usize) < group_names.len();
    let named_codes = cells
        .iter()
        .filter(|(&c, _)| named(c))
        .map(|(&c, cells)| (c, group_names[c as usize].clone(), tally(cells)));
    let other_codes = cells
        .iter()
        .filter(|(&c, _)| !named(c))
        .map(|(&c, cells)| (c, code_name(c), tally(cells)));
    let mut out: BTreeMap<String, Tally> = BTreeMap::new();
    let mut missing = None;
    for (code, name, tally) in named_codes.chain(other_codes) {
        if tally.count == 0 {
            continue;
        }
        // Two codes with one name (a value spelled `<missing>` beside the
        // missing values) stay two groups: the later one is renamed.
        let unique = std::iter::once(name.clone())
            .chain((2..).map(|k| format!("{name} ({k})")))
            .find(|n| !out.contains_key(n))
            .unwrap_or(name);
        if code == MISSING_CODE {
            missing = Some(unique.clone());
        }
        out.entry(unique).or_default().merge(&tally);
    }
    (out, missing)
}

/// One attribute's group per row: `codes[i]` indexes `names`, numbered in
/// the order the rows first show them, and [`MISSING_CODE`] is a missing
/// value. Integer work whatever the row count: no text per row.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Groups {
    pub codes: Vec<u32>,
    pub names: Vec<String>,
}

impl Groups {
    /// Groups of rows given as cell ids (`None` = missing): equal ids are
    /// one group, named once by `name(i)` of its first row `i`.
    pub fn of_cells(
        ids: impl Iterator<Item = Option<u64>>,
        name: impl Fn(usize) -> String,
    ) -> Groups {
        // Small ids (text level codes) in a dense table, the rest hashed.
        const DENSE: u64 = 1 << 12;
        let mut dense: Vec<u32> = Vec::new();
        let mut seen: foldhash::HashMap<u64, u32> = Default::default();
        let mut names = Vec::new();
        let codes = ids
            .enumerate()
            .map(|(i, id)| {
                let Some(id) = id else { return MISSING_CODE };
                let slot = if id < DENSE {
                    let at = id as usize;
                    if dense.len() <= at {
                        dense.resize(at + 1, MISSING_CODE);
                    }
                    &mut dense[at]
                } else {
                    seen.entry(id).or_insert(MISSING_CODE)
                };
                if *slot == MISSING_CODE {
                    names.push(name(i));
                    *slot = (names.len() - 1) as u32;
                }
                *slot
            })
            .collect();
        Groups { codes, names }
    }

    /// [`Groups::of_cells`] of a text column's `codes` (`u32::MAX`
    /// missing) at `rows`, found a block at a time side by side: the same
    /// codes and names. `None` with more than [`CODED_LEVELS`] levels or a
    /// code past them (then [`Groups::of_cells`] it is).
    pub fn of_codes(codes: &[u32], levels: &[String], rows: &[usize]) -> Option<Groups> {
        use rayon::prelude::*;
        let n = levels.len();
        if n > CODED_LEVELS {
            return None;
        }
        // Each level's first position among `rows`, from a walk that stops
        // once every level is seen (within a few rows, in most data).
        let mut first = vec![usize::MAX; n];
        let mut unseen = n;
        for (i, &r) in rows.iter().enumerate() {
            if unseen == 0 {
                break;
            }
            let c = codes[r];
            if c != u32::MAX {
                // A bad code: `None`.
                let at = first.get_mut(c as usize)?;
                if *at == usize::MAX {
                    *at = i;
                    unseen -= 1;
                }
            }
        }
        let mut order: Vec<usize> = (0..n).filter(|&l| first[l] != usize::MAX).collect();
        order.sort_unstable_by_key(|&l| first[l]);
        let mut group = vec![MISSING_CODE; n];
        for (g, &l) in order.iter().enumerate() {
            group[l] = g as u32;
        }
        let names = order.iter().map(|&l| levels[l].clone()).collect();
        // The rows past the walk hold no bad code either (`None`). An
        // indexed collect writes the codes in place; a bad one is flagged.
        let bad = std::sync::atomic::AtomicBool::new(false);
        let codes = rows
            .par_iter()
            .map(|&r| match codes[r] {
                u32::MAX => MISSING_CODE,
                c => group.get(c as usize).copied().unwrap_or_else(|| {
                    bad.store(true, std::sync::atomic::Ordering::Relaxed);
                    MISSING_CODE
                }),
            })
            .collect();
        (!bad.into_inner()).then_some(Groups { codes, names })
    }

    /// The group name of row `i`, `None` when missing.
    pub fn name(&self, i: usize) -> Option<&str> {
        self.names.get(self.codes[i] as usize).map(String::as_str)
    }

    /// The intersection of `parts` (equal lengths): one group per
    /// combination present, named `a|b` by [`intersection_part`] (a
    /// missing part is its own `<missing>` part, never a missing row).
    pub fn intersect(parts: &[&Groups]) -> Groups {
        let n = parts.first().map_or(0, |p| p.codes.len());
        let part_id = |g: &Groups, i: usize| u64::from(g.codes[i]);
        let name = |i: usize| {
            parts
                .iter()
                .map(|g| intersection_part(g.name(i)))
                .collect::<Vec<_>>()
                .join("|")
        };
        // Two parts' codes fit one id; more are combined a pair at a time.
        match parts {
            [] => Groups::default(),
            [one] => Groups::of_cells((0..n).map(|i| Some(part_id(one, i))), name),
            [a, rest @ ..] => {
                let right = Groups::intersect(rest);
                let ids = (0..n).map(|i| Some((part_id(a, i) << 32) | u64::from(right.codes[i])));
                Groups::of_cells(ids, name)
            }
        }
    }
}

/// One attribute's value inside an intersection's group name `a|b`: `\`
/// and `|` escaped, and a real value spelled like [`MISSING_GROUP`] marked,
/// so two different value combinations never share a name.
pub fn intersection_part(value: Option<&str>) -> String {
    match value {
        None => MISSING_GROUP.to_string(),
        Some(v) if v == MISSING_GROUP => format!("\\{v}"),
        Some(v) => v.replace('\\', "\\\\").replace('|', "\\|"),
    }
}

/// The parts of an intersection's group name, as [`intersection_part`]
/// wrote them: `None` for a missing part, else the value unescaped.
pub fn intersection_parts(name: &str) -> Vec<Option<String>> {
    // An escaped part (`\<missing>`, `a\|b`) is never the missing one.
    let (mut parts, mut part, mut escaped) = (Vec::new(), String::new(), false);
    let mut end = |part: &mut String, escaped: bool| {
        let p = std::mem::take(part);
        parts.push((escaped || p != MISSING_GROUP).then_some(p));
    };
    let mut chars = name.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                part.extend(chars.next());
                escaped = true;
            }
            '|' => {
                end(&mut part, escaped);
                escaped = false;
            }
            c => part.push(c),
        }
    }
    end(&mut part, escaped);
    parts
}

/// Display name of a code that `group_names` does not cover.
fn code_name(code: u32) -> String {
    if code == MISSING_CODE {
        MISSING_GROUP.to_string()
    } else {
        code.to_string()
    }
}

/// min / max, as fairlearn's `ratio()`; `None` for no values or max == 0
/// (fairlearn's NaN).
fn min_over_max(values: &[f64]) -> Option<f64> {
    let (min, max) = extremes(values)?;
    (max > 0.0).then(|| min / max)
}

/// max - min, as fairlearn's `difference()`; `None` for no values.
fn max_minus_min(values: &[f64]) -> Option<f64> {
    extremes(values).map(|(min, max)| max - min)
}

/// (min, max) of a non-empty slice.
fn extremes(values: &[f64]) -> Option<(f64, f64)> {
    let first = *values.first()?;
    Some(
        values
            .iter()
            .fold((first, first), |(lo, hi), &v| (lo.min(v), hi.max(v))),
    )
}

impl AttributeFairness {
    /// The summary value of `metric`, `None` when undefined.
    pub fn get(&self, metric: FairnessMetric) -> Option<f64> {
        match metric {
            FairnessMetric::DisparateImpact => self.disparate_impact,
            FairnessMetric::TprDifference => self.tpr_difference,
            FairnessMetric::SelectionRateDifference => self.selection_rate_difference,
            FairnessMetric::EqualizedOddsDifference => self.equalized_odds_difference,
        }
    }

    /// The `[stats]` interval of `metric`, when the run computed one.
    pub fn interval(&self, metric: FairnessMetric) -> Option<(f64, f64)> {
        let low = self.ends.get(&format!("{}_low", metric.name()))?;
        let high = self.ends.get(&format!("{}_high", metric.name()))?;
        Some((*low, *high))
    }

    /// `value [low, high]` of `metric` (the interval when there is one).
    pub fn shown(&self, metric: FairnessMetric) -> String {
        crate::domain::num::metric_with(self.get(metric), self.interval(metric))
    }
}

#[cfg(test)]
mod tests {
    //! Known answers computed with fairlearn 0.15.0 / scikit-learn 1.9.1
    //! (`M` is the missing group, code `u32::MAX` here):
    //!
    //! ```python
    //! import numpy as np, functools
    //! from fairlearn.metrics import MetricFrame, selection_rate
    //! from sklearn.metrics import recall_score
    //! rec = functools.partial(recall_score, zero_division=np.nan)
    //! def report(g, yt, yp):
    //!     g = np.asarray(g, dtype=object); yt = np.asarray(yt); yp = np.asarray(yp)
    //!     sel = MetricFrame(metrics=selection_rate, y_true=yt, y_pred=yp,
    //!                       sensitive_features=g)
    //!     tpr = MetricFrame(metrics=rec, y_true=yt, y_pred=yp, sensitive_features=g)
    //!     return sel.by_group, tpr.by_group, sel.ratio(), tpr.difference(), sel.difference()
    //! def lcg(n, seed):   # mirrored by `lcg_rows` below
    //!     s = seed
    //!     def u():
    //!         nonlocal s
    //!         s = (s * 6364136223846793005 + 1442695040888963407) % 2**64
    //!         return (s >> 11) / float(2**53)
    //!     g, yt, yp = [], [], []
    //!     for i in range(n):
    //!         c = int(u() * 5.0)          # 0..4; 4 = missing
    //!         yt.append(1 if u() < 0.3 + 0.1 * c else 0)
    //!         yp.append(1 if u() < 0.2 + 0.05 * c + 0.4 * yt[-1] else 0)
    //!         g.append(["g0", "g1", "g2", "g3", M][c])
    //!     return g, yt, yp
    //! ```
    use super::*;

    /// Text codes grouped side by side are the groups of their cells:
    /// first appearance order, unused levels left out, missing rows.
    #[test]
    fn groups_of_codes_are_groups_of_cells() {
        let levels: Vec<String> = ["a", "b", "c", "d", "e"].map(String::from).to_vec();
        let n = 300_000;
        // Level 4 unused; level 3 first appears late, past many blocks.
        let codes: Vec<u32> = (0..n)
            .map(|i| match i % 11 {
                0 => u32::MAX,
                _ if i == 250_001 => 3,
                k => (k % 3) as u32,
            })
            .collect();
        let rows: Vec<usize> = (0..n).rev().step_by(2).collect();
        let by_cells = Groups::of_cells(
            rows.iter()
                .map(|&r| (codes[r] != u32::MAX).then(|| u64::from(codes[r]))),
            |i| levels[codes[rows[i]] as usize].clone(),
        );
        let coded = Groups::of_codes(&codes, &levels, &rows).unwrap();
        assert_eq!(coded.codes, by_cells.codes);
        assert_eq!(coded.names, by_cells.names);
        assert!(coded.names.len() >= 3);
        // A code past the levels, or too many levels: left to of_cells.
        assert!(Groups::of_codes(&[0, 7], &levels, &[0, 1]).is_none());
        // ... also past the rows where every level was first seen.
        let two = &levels[..2];
        assert!(Groups::of_codes(&[0, 1, 0, 7], two, &[0, 1, 2, 3]).is_none());
        assert!(Groups::of_codes(&[0, 1, 0, 7], two, &[0, 1, 2]).is_some());
        let many: Vec<String> = (0..=CODED_LEVELS).map(|i| i.to_string()).collect();
        assert!(Groups::of_codes(&[0], &many, &[0]).is_none());
        assert_eq!(
            Groups::of_codes(&codes, &levels, &[]).unwrap().codes,
            Vec::<u32>::new()
        );
    }

    #[test]
    fn intersection_names_read_back_into_their_parts() {
        let cases: [&[Option<&str>]; 4] = [
            &[Some("F"), None],
            &[None, Some("<missing>"), Some("a|b")],
            &[Some("x\\"), Some(""), Some("|")],
            &[Some("1"), Some("0")],
        ];
        for parts in cases {
            let name = parts
                .iter()
                .map(|p| intersection_part(*p))
                .collect::<Vec<_>>()
                .join("|");
            let back = intersection_parts(&name);
            let want: Vec<Option<String>> = parts.iter().map(|p| p.map(str::to_string)).collect();
            assert_eq!(back, want, "{name}");
        }
    }

    #[test]
    fn groups_number_cells_in_first_seen_order() {
        let ids = [Some(7), None, Some(5000), Some(7), Some(5000), Some(2)];
        let g = Groups::of_cells(ids.into_iter(), |i| format!("row{i}"));
        assert_eq!(g.codes, [0, MISSING_CODE, 1, 0, 1, 2]);
        assert_eq!(g.names, ["row0", "row2", "row5"]);
        assert_eq!(g.name(1), None);
        assert_eq!(g.name(4), Some("row2"));
    }

    #[test]
    fn intersections_name_each_combination_present() {
        let a = Groups {
            codes: vec![0, 0, 1, MISSING_CODE, 1],
            names: vec!["f".into(), "m|x".into()],
        };
        let b = Groups {
            codes: vec![0, 1, 0, 0, 0],
            names: vec!["1".into(), MISSING_GROUP.into()],
        };
        let g = Groups::intersect(&[&a, &b]);
        assert_eq!(g.codes, [0, 1, 2, 3, 2]);
        assert_eq!(g.names, ["f|1", "f|\\<missing>", "m\\|x|1", "<missing>|1"]);
        // A missing part is a named group, never a missing row.
        assert!(g.codes.iter().all(|&c| c != MISSING_CODE));
        let three = Groups::intersect(&[&a, &b, &a]);
        assert_eq!(three.names[0], "f|1|f");
        assert_eq!(three.codes, [0, 1, 2, 3, 2]);
    }

    #[test]
    fn group_rate_intervals_are_wilson_on_the_group_counts() {
        let g = GroupStats {
            count: 7,
            positives: 4,
            selection_rate: Some(3.0 / 7.0),
            tpr: Some(2.0 / 4.0),
        };
        let wilson = crate::evaluate::stats::wilson;
        assert_eq!(g.selection_rate_interval(0.95), wilson(3, 7, 0.95));
        assert_eq!(g.tpr_interval(0.9), wilson(2, 4, 0.9));
        assert!(g.selection_rate_interval(0.95).is_some());
        let empty = GroupStats {
            count: 0,
            positives: 0,
            selection_rate: None,
            tpr: None,
        };
        assert_eq!(empty.selection_rate_interval(0.95), None);
        assert_eq!(empty.tpr_interval(0.95), None);
    }

    #[test]
    fn summary_intervals_come_from_the_stats_ends() {
        let mut f = compute(
            &[0, 0, 1, 1],
            &["a".into(), "b".into()],
            &[1, 0, 1, 0],
            &[1, 0, 0, 0],
        );
        assert_eq!(f.interval(FairnessMetric::DisparateImpact), None);
        assert_eq!(f.shown(FairnessMetric::DisparateImpact), "0.0000");
        f.ends.insert("disparate_impact_low".into(), 0.0);
        f.ends.insert("disparate_impact_high".into(), 0.75);
        assert_eq!(
            f.interval(FairnessMetric::DisparateImpact),
            Some((0.0, 0.75))
        );
        assert_eq!(
            f.shown(FairnessMetric::DisparateImpact),
            "0.0000 [0.0000, 0.7500]"
        );
        assert_eq!(f.interval(FairnessMetric::TprDifference), None);
    }

    const M: u32 = MISSING_CODE;

    fn names(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    fn close(got: Option<f64>, want: Option<f64>) {
        match (got, want) {
            (Some(g), Some(w)) => assert!((g - w).abs() < 1e-9, "{g} vs {w}"),
            (None, None) => {}
            _ => panic!("got {got:?}, want {want:?}"),
        }
    }

    /// Checks one group: (count, positives, selection rate, tpr).
    fn group(f: &AttributeFairness, name: &str, want: (u64, u64, f64, Option<f64>)) {
        let Some(g) = f.groups.get(name) else {
            panic!("missing group {name}: {:?}", f.groups.keys());
        };
        assert_eq!((g.count, g.positives), (want.0, want.1), "{name}");
        close(g.selection_rate, Some(want.2));
        close(g.tpr, want.3);
    }

    /// Checks (disparate impact, tpr difference, selection-rate difference).
    fn summary(f: &AttributeFairness, want: (Option<f64>, Option<f64>, Option<f64>)) {
        close(f.get(FairnessMetric::DisparateImpact), want.0);
        close(f.get(FairnessMetric::TprDifference), want.1);
        close(f.get(FairnessMetric::SelectionRateDifference), want.2);
    }

    #[test]
    fn normal_with_missing_and_unused_codes() {
        // Code 3 ("d") is named but has no rows: it must not appear.
        let g = [0, 0, 0, 1, 1, 1, 1, M, M, 2, 2, 2];
        let yt = [1, 0, 1, 1, 0, 1, 0, 1, 0, 0, 1, 1];
        let yp = [1, 1, 0, 1, 0, 0, 0, 1, 1, 0, 1, 0];
        let f = compute(&g, &names(&["a", "b", "c", "d"]), &yt, &yp);
        let keys: Vec<&str> = f.groups.keys().map(String::as_str).collect();
        assert_eq!(keys, ["<missing>", "a", "b", "c"]);
        group(&f, "<missing>", (2, 1, 1.0, Some(1.0)));
        group(&f, "a", (3, 2, 0.6666666666666666, Some(0.5)));
        group(&f, "b", (4, 2, 0.25, Some(0.5)));
        group(&f, "c", (3, 2, 0.3333333333333333, Some(0.5)));
        summary(&f, (Some(0.25), Some(0.5), Some(0.75)));
        assert_eq!(f.smallest_group, 2);
    }

    #[test]
    fn single_group() {
        let f = compute(&[0; 5], &names(&["a"]), &[1, 0, 1, 0, 1], &[1, 1, 0, 0, 0]);
        group(&f, "a", (5, 3, 0.4, Some(0.3333333333333333)));
        summary(&f, (Some(1.0), Some(0.0), Some(0.0)));
        assert_eq!(f.smallest_group, 5);
    }

    #[test]
    fn group_without_positives_has_no_tpr() {
        let g = [0, 0, 1, 1, 1];
        let f = compute(&g, &names(&["a", "b"]), &[1, 0, 0, 0, 0], &[1, 0, 1, 0, 0]);
        group(&f, "a", (2, 1, 0.5, Some(1.0)));
        group(&f, "b", (3, 0, 0.3333333333333333, None));
        summary(
            &f,
            (
                Some(0.6666666666666666),
                Some(0.0),
                Some(0.16666666666666669),
            ),
        );
    }

    #[test]
    fn zero_max_selection_rate_has_no_disparate_impact() {
        let g = [0, 0, 1, 1];
        let f = compute(&g, &names(&["a", "b"]), &[1, 0, 1, 0], &[0; 4]);
        group(&f, "a", (2, 1, 0.0, Some(0.0)));
        group(&f, "b", (2, 1, 0.0, Some(0.0)));
        summary(&f, (None, Some(0.0), Some(0.0)));
    }

    #[test]
    fn no_positives_anywhere_has_no_tpr_difference() {
        let f = compute(&[0, 1], &names(&["a", "b"]), &[0, 0], &[1, 0]);
        summary(&f, (Some(0.0), None, Some(1.0)));
    }

    #[test]
    fn empty_input() {
        let f = compute(&[], &names(&["a"]), &[], &[]);
        assert!(f.groups.is_empty());
        summary(&f, (None, None, None));
        assert_eq!(f.smallest_group, 0);
    }

    #[test]
    fn unnamed_code_keeps_its_rows() {
        let f = compute(&[0, 7], &names(&["a"]), &[1, 1], &[1, 0]);
        group(&f, "7", (1, 1, 0.0, Some(0.0)));
    }

    /// Same generator as the Python `lcg` above.
    fn lcg_rows(n: usize, seed: u64) -> (Vec<u32>, Vec<u8>, Vec<u8>) {
        let mut s = seed;
        let mut u = move || {
            s = s
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (s >> 11) as f64 / (1u64 << 53) as f64
        };
        let (mut g, mut yt, mut yp) = (Vec::new(), Vec::new(), Vec::new());
        for _ in 0..n {
            let c = (u() * 5.0) as u32;
            let t = u8::from(u() < 0.3 + 0.1 * f64::from(c));
            let p = u() < 0.2 + 0.05 * f64::from(c) + 0.4 * f64::from(t);
            g.push(if c == 4 { M } else { c });
            yt.push(t);
            yp.push(u8::from(p));
        }
        (g, yt, yp)
    }

    #[test]
    fn lcg_5000_rows() {
        let (g, yt, yp) = lcg_rows(5000, 11);
        let f = compute(&g, &names(&["g0", "g1", "g2", "g3", "g4"]), &yt, &yp);
        assert_eq!(f.groups.len(), 5, "g4 has no rows; <missing> does");
        group(
            &f,
            "<missing>",
            (949, 656, 0.678609062170706, Some(0.7987804878048781)),
        );
        group(&f, "g0", (1015, 295, 0.32610837438423645, Some(0.6)));
        group(
            &f,
            "g1",
            (1008, 377, 0.39186507936507936, Some(0.6551724137931034)),
        );
        group(
            &f,
            "g2",
            (1016, 514, 0.5059055118110236, Some(0.7315175097276264)),
        );
        group(
            &f,
            "g3",
            (1012, 605, 0.5948616600790514, Some(0.7454545454545455)),
        );
        summary(
            &f,
            (
                Some(0.4805541106997521),
                Some(0.19878048780487811),
                Some(0.3525006877864696),
            ),
        );
        assert_eq!(f.smallest_group, 949);
    }
}
