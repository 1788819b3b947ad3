//! What the gates look at, and what one gate concludes.
use crate::domain::{DriftReport, GateStatus, Intervals};
use crate::evaluate::fairness::AttributeFairness;
use crate::evaluate::metrics::Metrics;
use std::collections::BTreeMap;

/// What the champion re-scoring produced. One per run: the size of the
/// scored variant costs nothing worth a box.
#[derive(Debug, Clone)]
#[allow(clippy::large_enum_variant)]
pub enum ChampionEval {
    /// No champion in the registry.
    Missing,
    /// A champion could not be scored on today's rows (e.g. missing columns).
    Unusable { version: String, reason: String },
    /// The champion's scores on the candidate's test rows.
    Scored {
        version: String,
        /// The sha256 of the champion's model file (verified against the index).
        sha256: String,
        metrics: Metrics,
        /// The champion's model is byte-identical to the candidate's.
        identical: bool,
        /// The champion's scores on the test rows.
        scores: Vec<f64>,
        /// `test = "paired"`: the paired test of each metric a paired
        /// champion gate names.
        paired: BTreeMap<String, crate::evaluate::stats::ChampionTest>,
        /// When some test rows were the champion's training rows: the
        /// rows compared instead (`metrics` and `paired` are over them).
        unseen: Option<Unseen>,
        /// Score columns on two scales (one holds values outside [0, 1])
        /// and no `champion_threshold`, said as such: gates on a metric
        /// that cuts the scores or reads them as probabilities are then
        /// inconclusive ([`uncut_reason`]), the others stand.
        uncut: Option<String>,
    },
}

/// Why `metric` cannot compare score columns on two scales (`scales`,
/// from `ChampionEval::Scored::uncut`): a threshold cannot cut both, and
/// a loss needs probabilities in both (round 49: the loss gates said only
/// "undefined"). `None` for a ranking metric, which compares them.
pub fn uncut_reason(scales: &str, metric: crate::domain::Metric) -> Option<String> {
    if compares_across_scales(metric) {
        None
    } else if metric.uses_threshold() {
        Some(format!(
            "{scales}, so one threshold cannot cut both; set [model] champion_threshold to the \
             champion column's own threshold"
        ))
    } else {
        Some(format!(
            "{scales}, and {metric} needs probabilities in both"
        ))
    }
}

/// Whether `metric` compares score columns on two scales: a ranking
/// metric does; one that cuts the scores (a threshold metric) or reads
/// them as probabilities (log_loss, brier) does not.
pub fn compares_across_scales(metric: crate::domain::Metric) -> bool {
    use crate::domain::Metric;
    !metric.uses_threshold() && !matches!(metric, Metric::LogLoss | Metric::Brier)
}

/// The test rows the champion did not train on, when it trained on some
/// (a champion trained on last month's file, re-scored on a split of this
/// month's larger one): both models are compared on those alone, or the
/// champion would be scored on rows it remembers (round 21, F5).
#[derive(Debug, Clone, PartialEq)]
pub struct Unseen {
    /// Test rows compared.
    pub rows: usize,
    /// Test rows in all.
    pub of: usize,
    /// The candidate's metrics on the rows compared.
    pub candidate: Metrics,
}

impl Unseen {
    /// What the comparison was over, for messages.
    pub fn compared(&self) -> String {
        format!(
            "compared on the {} of {} test rows that are not copies of the champion's training \
             rows (by row hash: rows it saw with a column changed still count)",
            self.rows, self.of
        )
    }
}

/// Everything the gates look at.
pub struct Evidence<'a> {
    pub metrics: &'a Metrics,
    pub fairness: &'a BTreeMap<String, AttributeFairness>,
    /// Single-row latencies in milliseconds, sorted ascending.
    pub latencies_ms: &'a [f64],
    pub champion: &'a ChampionEval,
    /// Drift per gate index (a drift gate may name its own reference).
    pub drift: &'a BTreeMap<usize, Result<DriftReport, String>>,
    /// Fewer test rows (or fewer than a tenth of it, at least 10, of
    /// either class) make a metric gate inconclusive (`[data] min_test_rows`).
    pub min_test_rows: u64,
    /// Distinct test rows of each class ([negative, positive]), when
    /// counted: copies of one row are one observation (round 31, F3: one
    /// positive repeated 10 times passed the 10-per-class minimum).
    pub distinct: Option<[u64; 2]>,
    /// `[stats]`: the intervals of the metrics and fairness values.
    pub intervals: Option<&'a Intervals>,
    /// Facts about the test rows that make a passed judgement no evidence.
    pub caveats: Caveats,
}

/// Facts about the test rows under which a gate that would pass has not
/// shown what it claims. Each gate kind says which apply to it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Caveats {
    /// A separate test file's rows matched against the training rows.
    pub overlap: Option<Overlap>,
    /// The threshold puts (all but a few) test rows in one class.
    pub few_predicted: Option<FewPredicted>,
    /// A model's scores leave [0, 1] (raw scores, not probabilities) and
    /// the threshold is the default 0.5: (lowest, highest score).
    pub raw_scores: Option<(f64, f64)>,
    /// How the test rows repeat one another, and whether as copies do.
    pub repeated: Option<Repeated>,
    /// Evaluation rows left out for want of a label, when the user has not
    /// said labels may be missing (`[contract] target_nullable = true`).
    pub unlabelled: Option<Unlabelled>,
    /// A column the model reads, of few values each of which holds one
    /// class in every row: the label re-spelled.
    pub label_feature: Option<LabelFeature>,
}

/// How a column filled after the outcome spells "not filled" when not
/// by empty cells alone.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Unfilled {
    /// Its commonest values (`0`, `-1`, `none`), as text.
    pub values: Vec<String>,
    /// Whether empty cells are "not filled" too (and there are some).
    pub empty: bool,
}

/// A column the model reads (a feature, or the score column of external
/// scores) of few values, each of which holds one class in every training
/// and test row (test rows alone when nothing was trained here): the label
/// re-spelled.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct LabelFeature {
    pub name: String,
    /// Its distinct values.
    pub values: usize,
    /// Whether training rows were judged too (a model trained here).
    pub trained: bool,
    /// When the column is the label by whether it is filled (a cancel
    /// date, filled for churners only): the share of one class's rows it
    /// is filled (or empty) for, the other class never.
    pub by_presence: Option<f64>,
    /// With `by_presence`, the values that stand for "not filled" (`0`,
    /// `none`), when it is not empty cells alone.
    pub default: Option<Unfilled>,
    /// When the column is a number that holds one class up to a cut and
    /// the other above it: the largest value below the cut, as text.
    pub cut: Option<String>,
    /// When the column is a number that holds one class in a band and the
    /// other on both sides of it: the largest value below the band and
    /// the largest in it, as text.
    pub band: Option<(String, String)>,
    /// When the column is the label only together with this other one
    /// (each of few values, independent of the label on its own).
    pub pair: Option<String>,
    /// Share of the rows judged whose value holds both classes (a rare
    /// `unknown` level): at most 5% of either class's rows.
    pub mixed: f64,
    /// Share of the rows left out as empty (empty cells holding both
    /// classes).
    pub empty: f64,
    /// Other mostly empty columns that say the class with `name` where
    /// each is filled (the label spread over columns); `values` and
    /// `empty` are then theirs together.
    pub together: Vec<String>,
}

/// Rows of the file the test rows come from that have no target value:
/// they are left out of every metric.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Unlabelled {
    /// Rows without a target value.
    pub dropped: u64,
    /// Rows of that file.
    pub rows: u64,
}

/// Labels missing on this share of the evaluation rows make a pass no
/// evidence: labels are rarely missing at random ("outcome pending", a
/// join that lost the disputed cases), and blanking the labels of the rows
/// a model gets wrong lifts every metric (round 17, F1).
pub const UNLABELLED_LIMIT: f64 = 0.05;

impl Unlabelled {
    pub fn share(&self) -> f64 {
        self.dropped as f64 / self.rows.max(1) as f64
    }

    /// Whether so many rows lack a label that the metrics on the rest are
    /// no evidence.
    pub fn too_many(&self) -> bool {
        self.dropped > 0 && self.share() >= UNLABELLED_LIMIT
    }
}

/// The threshold leaves fewer test rows than `needed` predicted in one
/// class: what the hard predictions say is then the threshold's doing.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FewPredicted {
    /// The class few rows are predicted as.
    pub class: &'static str,
    /// Test rows predicted as that class.
    pub count: u64,
    /// Test rows.
    pub rows: u64,
    /// The fewest rows of a class a judgement needs (as for actual classes
    /// under `min_test_rows`).
    pub needed: u64,
    pub threshold: f64,
}

/// Test rows that match a training row, against what chance gives.
#[derive(Debug, Clone, PartialEq)]
pub struct Overlap {
    /// Test rows whose features match a training row's.
    pub seen: usize,
    /// Test rows.
    pub rows: usize,
    /// The share of training rows that match another training row: the
    /// rate at which fresh rows from the same data match by chance.
    pub chance: f64,
    /// The feature left out of the match, when rows match a training row
    /// on every feature but this one (a copy with one column changed).
    pub but: Option<String>,
    /// When the matched test rows' labels agree with their training
    /// matches' no more often than training rows that match each other
    /// agree among themselves (the labels are drawn afresh: a later month
    /// of the same customers): `(test, training)` agreement. Copies carry
    /// their labels; such rows are new observations, not copies.
    pub fresh_labels: Option<(f64, f64)>,
    /// On a split of one file, when training rows that match each other
    /// share their label far more often than unrelated rows (the label is
    /// an entity's: a household's, a patient's): `(within, base)`
    /// agreement. The split put one entity's rows on both sides.
    pub entity_labels: Option<(f64, f64)>,
    /// The class (`"positive"` or `"negative"`) whose test rows these
    /// are, when the overlap is judged over one class's rows: a test file
    /// of fresh rows of one class and training rows of the other.
    pub class: Option<&'static str>,
}

/// A test set with at least this share of training rows beyond chance is
/// no evidence about new data: a tenth of the rows already lifts an
/// overfit model's metrics past what it does on fresh rows.
pub const OVERLAP_LIMIT: f64 = 0.1;

impl Overlap {
    /// `seen` of `rows` test rows match a training row, against `chance`.
    pub fn new(seen: usize, rows: usize, chance: f64) -> Overlap {
        Overlap {
            seen,
            rows,
            chance,
            but: None,
            fresh_labels: None,
            entity_labels: None,
            class: None,
        }
    }

    /// "test rows", or "positive test rows" when judged over one class's
    /// rows.
    pub fn rows_named(&self) -> String {
        match self.class {
            Some(c) => format!("{c} test rows"),
            None => "test rows".to_string(),
        }
    }

    /// The share of test rows that match a training row.
    pub fn share(&self) -> f64 {
        self.seen as f64 / self.rows.max(1) as f64
    }

    /// The match rate above chance, when it is clear of sampling noise:
    /// four standard errors of a binomial at the chance rate, and at least
    /// four rows (a chance rate measured as 0 on the training rows is
    /// itself an estimate: a stray match or two is no sign of a copy).
    fn excess(&self) -> Option<f64> {
        crate::artifact::excess_over_chance(self.seen, self.rows, self.chance)
    }

    /// Whether test rows match training rows more often than chance
    /// gives: worth a note.
    pub fn beyond_chance(&self) -> bool {
        self.excess().is_some()
    }

    /// Whether enough test rows match for [`Overlap::mostly_training`] at
    /// some chance rate: a tenth of them.
    pub fn could_be_mostly_training(&self) -> bool {
        self.share() >= OVERLAP_LIMIT
    }

    /// Whether the test rows are largely training rows: at least a tenth
    /// of them match, and the excess over chance is at least a tenth of
    /// what chance leaves (and clear of sampling noise). On data that
    /// repeats itself (few distinct values), fresh rows match by chance as
    /// often, and that is no sign of a copy.
    pub fn mostly_training(&self) -> bool {
        let chance = self.chance.clamp(0.0, 1.0);
        self.fresh_labels.is_none()
            && self.could_be_mostly_training()
            && self
                .excess()
                .is_some_and(|e| e >= OVERLAP_LIMIT * (1.0 - chance))
    }
}

/// Test rows that repeat another test row (features, target and protected
/// attributes; ids left out).
#[derive(Debug, Clone, PartialEq)]
pub struct Repeated {
    /// Test rows whose row another test row repeats.
    pub repeated: usize,
    /// Test rows looked at.
    pub rows: usize,
    /// Distinct rows among them.
    pub distinct: usize,
    /// Whether they repeat as copies do rather than as a sample of data
    /// that repeats itself: many rows seen exactly as often
    /// (`artifact::repeats_like_copies`).
    pub copies: bool,
    /// What the repeats were found without, when not whole rows: the
    /// continuous numbers (copies nudged), or one column that varies
    /// within them while their label does not (re-drawn or shuffled).
    pub varied: Option<String>,
}

impl Repeated {
    /// Whether copies inside the test rows inflate them: each copy of a
    /// row then counts as evidence again, and every interval and row
    /// count overstates what the test rows show.
    pub fn beyond_chance(&self) -> bool {
        self.copies && self.repeated >= 10
    }
}

impl Caveats {
    /// `out` as a gate that judges the model on the test rows concludes
    /// it (`hard`: on the thresholded predictions): a pass that is no
    /// evidence becomes inconclusive, saying why.
    pub fn judged(&self, mut out: Outcome, hard: bool) -> Outcome {
        if out.status != GateStatus::Pass {
            return out;
        }
        let why = if let Some(o) = self.overlap.as_ref().filter(|o| o.mostly_training()) {
            let changed = match &o.but {
                Some(f) => format!(" (every feature but {f} matches)"),
                None => String::new(),
            };
            let what = if o.entity_labels.is_some() {
                "rows of entities whose label the training rows show"
            } else {
                "training rows"
            };
            format!(
                "{:.1}% of the {} are {what}{changed}, so this is not evidence",
                100.0 * o.share(),
                o.rows_named()
            )
        } else if let Some(LabelFeature {
            name,
            values,
            trained,
            by_presence,
            default,
            cut,
            band,
            pair,
            mixed,
            empty,
            together,
        }) = &self.label_feature
        {
            let (what, rows, fix) = if *trained {
                ("feature", "training and test row", "; add it to data.drop")
            } else {
                ("column", "test row", "")
            };
            if let Some(cut) = cut {
                format!(
                    "{what} {name:?} holds one class at or below {cut} and the other above it \
                     (in its order), in (nearly) every {rows}: it is the label re-spelled \
                     (leakage: recorded after the outcome?), so this is not evidence{fix}"
                )
            } else if let Some((low, high)) = band {
                format!(
                    "{what} {name:?} holds one class above {low} and at or below {high}, and \
                     the other on both sides (in its order), in (nearly) every {rows}: it is \
                     the label re-spelled (leakage: recorded after the outcome?), so this is \
                     not evidence{fix}"
                )
            } else if let Some(other) = pair {
                let fix = if *trained {
                    "; add one of them to data.drop"
                } else {
                    ""
                };
                format!(
                    "{what}s {name:?} and {other:?} have {values} values together and each \
                     holds one class in (nearly) every {rows}: together they are the label \
                     (leakage), so this is not evidence{fix}"
                )
            } else if !together.is_empty() {
                let names = std::iter::once(name)
                    .chain(together)
                    .map(|n| format!("{n:?}"))
                    .collect::<Vec<_>>()
                    .join(", ");
                let fix = if *trained {
                    "; add them to data.drop"
                } else {
                    ""
                };
                format!(
                    "{what}s {names} are each empty on most rows, but where filled each of their {values} \
                     values holds one class in (nearly) every {rows}, and together they hold a value on \
                     {:.1}% of the rows: the label spread over columns (leakage), so this is \
                     not evidence{fix}",
                    100.0 * (1.0 - empty)
                )
            } else {
                match by_presence {
                    Some(share) => {
                        let (filled, reverse) = match default {
                            Some(Unfilled { values, empty }) => {
                                let values: Vec<String> =
                                    values.iter().map(|v| format!("{v:?}")).collect();
                                let empty = if *empty { ", or empty" } else { "" };
                                (
                                    format!(
                                        "holds a value other than {}{empty} (\"not filled\")",
                                        values.join(" or ")
                                    ),
                                    "is not filled",
                                )
                            }
                            None => ("is filled".to_string(), "is empty"),
                        };
                        format!(
                            "{what} {name:?} {filled} for {:.0}% of the rows of one class and \
                             for none (or almost none) of the other (or {reverse} that way), in \
                             every {rows}: filled or not, it is the label (leakage: recorded \
                             after the outcome?), so this is not evidence{fix}",
                            100.0 * share
                        )
                    }
                    None => {
                        let mut but = Vec::new();
                        if *empty > 0.0 {
                            but.push(format!(
                            "{:.1}% of the rows are empty, holding both classes, and are left out",
                            100.0 * empty
                        ));
                        }
                        if *mixed > 0.0 {
                            let of = if but.is_empty() { "rows" } else { "rest" };
                            but.push(format!(
                                "{:.1}% of the {of} go against their value's class or are on \
                                 values holding both classes",
                                100.0 * mixed
                            ));
                        }
                        let but = if but.is_empty() {
                            String::new()
                        } else {
                            format!(" but a few ({})", but.join("; "))
                        };
                        format!(
                        "{what} {name:?} has {values} values and each holds one class in every \
                         {rows}{but}: it is the label re-spelled (leakage), so this is not \
                         evidence{fix}"
                    )
                    }
                }
            }
        } else if let Some(u) = self.unlabelled.filter(Unlabelled::too_many) {
            format!(
                "{} of {} evaluation rows ({:.1}%) have no target value and are left out, so \
                 the labelled rest is not evidence (which labels are missing decides the \
                 metric); if they are missing at random, set [contract] target_nullable = true",
                u.dropped,
                u.rows,
                100.0 * u.share()
            )
        } else if let Some(r) = self.repeated.as_ref().filter(|r| r.beyond_chance()) {
            format!(
                "the test rows repeat one another: {} of {} share their row with another \
                 test row ({} distinct), so copies count as evidence more than once",
                r.repeated, r.rows, r.distinct
            )
        } else if let Some((lo, hi)) = self.raw_scores.filter(|_| hard) {
            format!(
                "the model's scores are raw scores in [{lo:.4}, {hi:.4}], not probabilities, \
                 and the default threshold 0.5 is not their decision boundary: set [model] \
                 threshold (0 for a decision function)"
            )
        } else if let Some(p) = self.few_predicted.filter(|_| hard) {
            let few = if p.count == 0 {
                format!("no test row is predicted {}", p.class)
            } else {
                format!(
                    "only {} of {} test rows are predicted {} (fewer than {})",
                    p.count, p.rows, p.class, p.needed
                )
            };
            format!(
                "{few} at threshold {}: this gate measures the threshold, not the model",
                p.threshold
            )
        } else {
            return out;
        };
        out.status = GateStatus::Inconclusive;
        out.message = format!("{why}; {}", out.message);
        out
    }
}

/// One gate's conclusion, before severity is applied.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    pub status: GateStatus,
    pub observed: Option<f64>,
    pub threshold: Option<f64>,
    pub message: String,
}

impl Outcome {
    pub fn new(
        status: GateStatus,
        observed: Option<f64>,
        threshold: Option<f64>,
        message: impl Into<String>,
    ) -> Outcome {
        Outcome {
            status,
            observed,
            threshold,
            message: message.into(),
        }
    }

    pub fn inconclusive(threshold: Option<f64>, message: impl Into<String>) -> Outcome {
        Outcome::new(GateStatus::Inconclusive, None, threshold, message)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn overlap(seen: usize, rows: usize, chance: f64) -> bool {
        Overlap::new(seen, rows, chance).mostly_training()
    }

    #[test]
    fn mostly_training_rows_beyond_what_chance_gives() {
        // Data that never repeats itself: a tenth of the rows or more.
        assert!(overlap(100, 100, 0.0));
        assert!(overlap(45, 100, 0.0));
        assert!(overlap(10, 100, 0.0));
        assert!(!overlap(9, 100, 0.0));
        assert!(!overlap(0, 0, 0.0));
        // Data that always repeats itself: every fresh row matches.
        assert!(!overlap(100, 100, 1.0));
        // Near chance, within sampling noise: no copy.
        assert!(!overlap(95, 100, 0.9));
        assert!(!overlap(990, 1000, 0.97));
        assert!(!overlap(290, 1000, 0.25));
        // Far above chance: a copy, or partly one.
        assert!(overlap(1000, 1000, 0.3));
        assert!(overlap(450, 1000, 0.3));
        assert!(!overlap(340, 1000, 0.3));
        // The note needs only a match rate clear of noise.
        let o = |seen, rows, chance| Overlap::new(seen, rows, chance);
        assert!(o(400, 1000, 0.3).beyond_chance());
        assert!(!o(340, 1000, 0.3).beyond_chance());
        assert!(!o(290, 1000, 0.25).beyond_chance());
        assert!(o(4, 1000, 0.0).beyond_chance());
        assert!(!o(3, 1000, 0.0).beyond_chance());
        assert!(!o(1, 120, 0.0).beyond_chance());
    }

    #[test]
    fn test_rows_repeating_as_copies_make_a_pass_inconclusive() {
        let r = |repeated, rows, copies| Repeated {
            repeated,
            rows,
            distinct: rows - repeated / 2,
            copies,
            varied: None,
        };
        assert!(r(1200, 1200, true).beyond_chance());
        assert!(!r(590, 1000, false).beyond_chance());
        assert!(!r(9, 20, true).beyond_chance());
        let pass = Outcome::new(GateStatus::Pass, Some(0.9), Some(0.8), "ok");
        let c = Caveats {
            repeated: Some(r(1200, 1200, true)),
            ..Caveats::default()
        };
        let out = c.judged(pass.clone(), false);
        assert_eq!(out.status, GateStatus::Inconclusive);
        assert!(
            out.message.contains("1200 of 1200 share their row"),
            "{}",
            out.message
        );
        let fresh = Caveats {
            repeated: Some(r(590, 1000, false)),
            ..Caveats::default()
        };
        assert_eq!(fresh.judged(pass.clone(), false), pass);
    }

    #[test]
    fn caveats_turn_only_passes_into_inconclusive() {
        let pass = Outcome::new(GateStatus::Pass, Some(0.9), Some(0.8), "ok");
        let fail = Outcome::new(GateStatus::Fail, Some(0.7), Some(0.8), "low");
        let copy = Caveats {
            overlap: Some(Overlap::new(10, 10, 0.0)),
            few_predicted: None,
            raw_scores: None,
            repeated: None,
            unlabelled: None,
            label_feature: None,
        };
        let out = copy.judged(pass.clone(), false);
        assert_eq!(out.status, GateStatus::Inconclusive);
        assert!(out
            .message
            .contains("100.0% of the test rows are training rows"));
        assert!(out.message.ends_with("; ok"));
        assert_eq!(copy.judged(fail.clone(), true), fail);
        let few = |count| Caveats {
            overlap: None,
            few_predicted: Some(FewPredicted {
                class: "negative",
                count,
                rows: 400,
                needed: 10,
                threshold: 0.01,
            }),
            raw_scores: None,
            repeated: None,
            unlabelled: None,
            label_feature: None,
        };
        assert_eq!(few(0).judged(pass.clone(), false), pass);
        let out = few(0).judged(pass.clone(), true);
        assert_eq!(out.status, GateStatus::Inconclusive);
        assert!(out
            .message
            .contains("no test row is predicted negative at threshold 0.01"));
        let out = few(2).judged(pass.clone(), true);
        assert!(
            out.message
                .contains("only 2 of 400 test rows are predicted negative (fewer than 10)"),
            "{}",
            out.message
        );
        assert_eq!(Caveats::default().judged(pass.clone(), true), pass);
    }

    #[test]
    fn unlabelled_evaluation_rows_past_a_twentieth_make_a_pass_inconclusive() {
        let pass = Outcome::new(GateStatus::Pass, Some(0.9), Some(0.8), "ok");
        let fail = Outcome::new(GateStatus::Fail, Some(0.7), Some(0.8), "low");
        let blank = |dropped| Caveats {
            unlabelled: Some(Unlabelled {
                dropped,
                rows: 1000,
            }),
            ..Caveats::default()
        };
        // 200 of 1000: the round-17 repro's share.
        let out = blank(200).judged(pass.clone(), false);
        assert_eq!(out.status, GateStatus::Inconclusive);
        assert!(
            out.message
                .starts_with("200 of 1000 evaluation rows (20.0%) have no target value"),
            "{}",
            out.message
        );
        assert_eq!(
            blank(50).judged(pass.clone(), false).status,
            GateStatus::Inconclusive
        );
        assert_eq!(blank(49).judged(pass.clone(), true), pass);
        assert_eq!(blank(0).judged(pass.clone(), true), pass);
        assert_eq!(blank(500).judged(fail.clone(), true), fail);
        // An empty file has nothing to leave out.
        let none = Caveats {
            unlabelled: Some(Unlabelled::default()),
            ..Caveats::default()
        };
        assert_eq!(none.judged(pass.clone(), true), pass);
    }
}
