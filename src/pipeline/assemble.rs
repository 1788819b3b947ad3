//! Stage 6, assemble: the report's frame (data, contract, lineage, notes)
//! and the pieces filled in as stages finish.
use super::champion::champion_info;
use super::evaluate::Evaluation;
use super::prepare::{missing_drop_notes, Prepared};
use super::run::TOOL_VERSION;
use super::run::{timed, Predictions, Run, Stage, Timings};
use super::target::Sides;
use crate::artifact::{row_hashes, spread, RowKey, MAX_ROW_HASHES};
use crate::config::Plan;
use crate::domain::ModelInfo;
use crate::domain::{
    ContractReport, DataInfo, GateResult, GateStatus, Lineage, Report, Verdict, SCHEMA_VERSION,
};
use crate::error::{EXIT_GO, EXIT_NO_GO};
use crate::gates::{self, Caveats, ChampionEval, Evidence, FewPredicted, Overlap, Repeated};
use crate::model::scorer::Scorer;
use std::collections::BTreeMap;

pub fn base_report(plan: &Plan, command: &str, started_at: String, p: &Prepared) -> Report {
    let data = DataInfo {
        path: plan.data.path_text.clone(),
        sha256: p.main.sha256.clone(),
        rows: p.main.table.n_rows as u64,
        target: plan.data.target.clone(),
        positive: plan.data.positive.clone(),
        test_path: plan
            .data
            .test_path
            .as_ref()
            .map(|t| t.display().to_string()),
        test_sha256: p.test.as_ref().map(|t| t.sha256.clone()),
        test_set_sha256: None,
        ..DataInfo::default()
    };
    let passed = p.violations.is_empty();
    Report {
        schema_version: SCHEMA_VERSION,
        tool_version: TOOL_VERSION.to_string(),
        command: command.to_string(),
        verdict: if passed { Verdict::Go } else { Verdict::NoGo },
        exit_code: if passed { EXIT_GO } else { EXIT_NO_GO },
        data,
        model: None,
        metrics: None,
        fairness: BTreeMap::new(),
        latency: None,
        champion: None,
        contract: ContractReport {
            passed,
            violations: p.violations.clone(),
        },
        drift: None,
        gates: Vec::new(),
        lineage: lineage(plan, &p.main.sha256, started_at),
        notes: p
            .main
            .notes
            .iter()
            .chain(p.test.iter().flat_map(|t| &t.notes))
            .cloned()
            .chain(missing_drop_notes(plan, &p.main))
            .chain(plan.gates.is_empty().then(|| {
                "gates.toml declares no [[gate]]: GO here means only that the data \
                 contract held"
                    .to_string()
            }))
            .collect(),
        model_card: plan.model_card.clone(),
        timings_ms: BTreeMap::new(),
        curves: None,
        intervals: None,
        importance: None,
    }
}

pub fn lineage(plan: &Plan, data_sha256: &str, started_at: String) -> Lineage {
    Lineage {
        git: crate::lineage::git_info(&plan.config_dir),
        config_path: plan.config_path.display().to_string(),
        config_sha256: plan.config_sha256.clone(),
        data_sha256: data_sha256.to_string(),
        seed: plan.data.seed,
        started_at,
        tool_version: TOOL_VERSION.to_string(),
        ci: crate::lineage::ci_info(),
        registry: Some(crate::registry::identity(&plan.registry)),
        mlflow: None,
    }
}

/// Gates reported as skipped when the run stopped before evaluating them.
pub fn skipped_gates(plan: &Plan, why: &str) -> Vec<GateResult> {
    plan.gates
        .iter()
        .map(|g| GateResult {
            name: g.name.clone(),
            kind: g.kind().name().to_string(),
            status: GateStatus::Skipped,
            observed: None,
            threshold: None,
            severity: g.severity,
            message: why.to_string(),
            line: Some(g.line),
        })
        .collect()
}

/// What a run saves of its model: `model.json` (absent for scores), the
/// model's digest, and files copied beside it.
pub struct Saved {
    pub json: Option<String>,
    pub sha256: String,
    pub copies: Vec<(&'static str, std::path::PathBuf)>,
}

/// The test rows that match a training row (by the model's row hashes),
/// against the rate chance gives. With a separate test file they are rows
/// the two files share; with a split of one file, rows the file repeats
/// (a file repeated, a class oversampled before the split).
fn overlap(plan: &Plan, sides: &Sides, scorer: &dyn Scorer) -> Option<Overlap> {
    let features = scorer.input_columns();
    // Every training and test row's key, hashed once for the checks below
    // that read them all.
    let all_keys = std::cell::OnceCell::new();
    let keys = || all_keys.get_or_init(|| whole_keys(sides, &features));
    // A model keeps the hashes of a spread of big training data only; the
    // run that trained it has every training row at hand.
    let seen = if plan.model.kind().trains() && sides.train_rows.len() > MAX_ROW_HASHES {
        keys().matching()
    } else {
        scorer
            .trained_on(sides.test_table, &sides.test_rows)
            .into_iter()
            .filter(|&t| t)
            .count()
    };
    let mut o = Overlap {
        seen,
        rows: sides.test_rows.len(),
        chance: scorer.training_duplicate_share(),
        but: None,
        fresh_labels: None,
    };
    if !o.could_be_mostly_training() {
        return near_copy(sides, &features).or_else(|| (seen > 0).then_some(o));
    }
    let hashed = &*spread(&sides.train_rows, MAX_ROW_HASHES);
    // Rows copied with replacement (a bootstrap, an oversampled class, a
    // join fanning out, a protected attribute flipped) repeat like a
    // sample and raise chance to the copy rate. When a continuous feature
    // shows that rows agreeing to six digits are copies, each side counts
    // its distinct rows: chance is how often distinct training rows round
    // alike, unless the distinct test rows repeat more than that allows.
    let test_distinct =
        || crate::artifact::distinct_if_continuous(sides.test_table, &sides.test_rows, &features);
    let mut test_kept = None;
    if o.could_be_mostly_training() && !o.mostly_training() {
        let train_kept = crate::artifact::distinct_if_continuous(
            sides.train_table,
            &sides.train_rows,
            &features,
        );
        if let Some(train_kept) = train_kept {
            let kept = test_distinct();
            let test_rows = kept.as_deref().unwrap_or(&sides.test_rows);
            let test_keys = row_hashes(sides.test_table, test_rows, &features, RowKey::Rounded);
            let bound = chance_from_pairs(equal_pairs(test_keys), test_rows.len(), hashed.len());
            let distinct = crate::artifact::key_share(sides.train_table, &train_kept, &features);
            o.chance = o.chance.min(distinct.max(bound));
            test_kept = Some(kept);
        }
    }
    // Before calling the test rows training rows, floors that do not
    // depend on how the training rows repeat (only then: they read every
    // training and test cell): what independent features give, and what
    // the test rows' own repeats say (a fresh file of data that repeats
    // itself shows it; a training file run through `drop_duplicates` no
    // longer does). Copies inside the test file are counted once.
    if o.mostly_training() {
        let floor =
            crate::artifact::independent_chance(sides.train_table, &sides.train_rows, &features);
        let kept = test_kept.unwrap_or_else(test_distinct);
        let (within_test, m) = match &kept {
            Some(rows) => (
                crate::artifact::key_share(sides.test_table, rows, &features),
                rows.len(),
            ),
            None => {
                let whole = super::train::whole_row(plan, &features);
                let (_, share) = crate::artifact::training_row_hashes(
                    sides.test_table,
                    &sides.test_rows,
                    &features,
                    &whole,
                );
                (share, o.rows)
            }
        };
        // The keys of `hashed`, a spread of the training rows.
        let positions: Vec<usize> = (0..sides.train_rows.len()).collect();
        let mut train_keys: Vec<u64> = spread(&positions, MAX_ROW_HASHES)
            .iter()
            .map(|&i| keys().train[i])
            .collect();
        train_keys.sort_unstable();
        train_keys.dedup();
        let from_test = coverage_from_repeats(within_test, m, train_keys.len());
        o.chance = o.chance.max(floor).max(from_test);
    }
    if o.mostly_training() {
        // Rows that match but draw their labels afresh, as the training
        // rows that match each other do, are new observations (chance
        // misses how often a later row of one entity repeats an earlier).
        o.fresh_labels = crate::artifact::fresh_labels(keys(), &sides.y_train, &sides.y_test);
        if o.mostly_training() {
            return Some(o);
        }
    }
    near_copy(sides, &features).or_else(|| (seen > 0).then_some(o))
}

/// [`crate::artifact::RowKeys`] of every training and test row over
/// `features`.
fn whole_keys(sides: &Sides, features: &[String]) -> crate::artifact::RowKeys {
    crate::artifact::RowKeys::new(
        sides.train_table,
        &sides.train_rows,
        sides.test_table,
        &sides.test_rows,
        features,
    )
}

/// Test rows that match a training row on every feature but one, when
/// they are largely training rows that way: a copy with one column
/// re-coded, re-cased, rounded or shifted. Chance is how often training
/// rows match each other on the other features, floored as for whole rows
/// (by what independent features give, and by the test rows' own repeats
/// unless the training rows repeat like copies). Of several such
/// features, the one most test rows match without (the first of equals).
fn match_but_one(sides: &Sides, features: &[String]) -> Option<Overlap> {
    let near = crate::artifact::match_but_one(
        sides.train_table,
        &sides.train_rows,
        sides.test_table,
        &sides.test_rows,
        features,
        crate::gates::OVERLAP_LIMIT,
    );
    let hashed = &*spread(&sides.train_rows, MAX_ROW_HASHES);
    near.into_iter()
        .filter_map(|b| {
            let mut o = Overlap {
                seen: b.seen,
                rows: b.rows,
                chance: b.chance,
                but: Some(features[b.feature].clone()),
                fresh_labels: None,
            };
            if !o.mostly_training() {
                return None;
            }
            let others: Vec<String> = (0..features.len())
                .filter(|&j| j != b.feature)
                .map(|j| features[j].clone())
                .collect();
            let floor = crate::artifact::independent_chance(sides.train_table, hashed, &others);
            // Where the training rows repeat like copies, so do the test
            // rows drawn beside them: their repeats say nothing of chance.
            let from_test = if b.copies {
                0.0
            } else {
                coverage_from_repeats(b.within_test, b.rows, b.train_keys)
            };
            o.chance = o.chance.max(floor).max(from_test);
            if o.mostly_training() {
                // New observations of the same entities match on their
                // static columns and draw labels afresh; copies keep theirs.
                let keys = whole_keys(sides, &others);
                o.fresh_labels =
                    crate::artifact::fresh_labels(&keys, &sides.y_train, &sides.y_test);
            }
            o.mostly_training().then_some(o)
        })
        .fold(None, |best: Option<Overlap>, o| match best {
            Some(b) if b.seen >= o.seen => Some(b),
            _ => Some(o),
        })
}

/// How the test rows repeat one another (features, target and protected
/// attributes, numbers as row keys round them): copies inside a test file
/// (rows repeated, ids renumbered) count as evidence more than once. None
/// with fewer than two test rows.
fn repeated(plan: &Plan, sides: &Sides, scorer: &dyn Scorer) -> Option<Repeated> {
    let test = &*spread(&sides.test_rows, MAX_ROW_HASHES);
    if test.len() < 2 {
        return None;
    }
    let whole = super::train::whole_row(plan, &scorer.input_columns());
    let mut keys = row_hashes(sides.test_table, test, &whole, RowKey::Rounded);
    keys.sort_unstable();
    let runs = || keys.chunk_by(|a, b| a == b);
    Some(Repeated {
        repeated: crate::artifact::sorted_shared(&keys),
        rows: test.len(),
        distinct: runs().count(),
        copies: crate::artifact::repeats_like_copies(runs().map(<[u64]>::len)),
    })
}

/// Test rows that are training rows with a column or two changed: those
/// that match on every feature but one ([`match_but_one`]), else on every
/// feature but one or two, against how often training rows come that
/// near each other. The latter only where that rate is at most a half:
/// on data of few distinct values rows are near each other anyway, and a
/// test file drawn from its commoner rows would seem near copies.
fn near_copy(sides: &Sides, features: &[String]) -> Option<Overlap> {
    match_but_one(sides, features).or_else(|| {
        let few = crate::artifact::match_but_few(
            sides.train_table,
            &sides.train_rows,
            sides.test_table,
            &sides.test_rows,
            features,
            crate::gates::OVERLAP_LIMIT,
        )?;
        let changed: Vec<&str> = few
            .changed
            .iter()
            .take(crate::artifact::few::MAX_CHANGED)
            .map(|&(j, _)| features[j].as_str())
            .collect();
        let o = Overlap {
            seen: few.seen,
            rows: few.rows,
            chance: few.chance,
            but: Some(changed.join(" and ")),
            fresh_labels: None,
        };
        (few.chance <= NEAR_CHANCE && o.mostly_training()).then_some(o)
    })
}

/// Highest rate at which training rows come near each other (one or two
/// features apart) for near copies to be told from fresh rows.
const NEAR_CHANCE: f64 = 0.5;

/// Pairs of `keys` that are equal.
fn equal_pairs(mut keys: Vec<u64>) -> f64 {
    keys.sort_unstable();
    keys.chunk_by(|a, b| a == b)
        .map(|run| {
            let k = run.len() as f64;
            k * (k - 1.0) / 2.0
        })
        .sum()
}

/// An upper bound on chance from `pairs` equal pairs among `m` fresh rows.
/// With keys drawn at rates p, two rows share a key at rate c = sum p^2,
/// and a fresh row matches one of `n` training rows sum p (1 - (1-p)^n) of
/// the time, at most 1 - (1-c)^n (Jensen: 1 - (1-p)^n is concave in p).
/// c is taken at an upper end of the pairs' count, P + 2 sqrt(P) + 4 (no
/// pair among rows that would show 4 on average happens 2% of the time):
/// test rows that never repeat bound chance low only when there are enough
/// of them to have shown repeats.
pub(super) fn chance_from_pairs(pairs: f64, m: usize, n: usize) -> f64 {
    if m < 2 {
        return 1.0;
    }
    if n == 0 {
        return 0.0;
    }
    let all = m as f64 * (m as f64 - 1.0) / 2.0;
    let c = ((pairs + 2.0 * pairs.sqrt() + 4.0) / all).min(1.0);
    -(n as f64 * (-c).ln_1p()).exp_m1()
}

/// How much of the data's key mass `keys` distinct training keys cover,
/// judged from `m` fresh rows of which a share `repeat` repeat a key among
/// themselves. With keys about equally likely, `m - 1` draws repeat a key
/// at the rate `1 - exp(-(m - 1) / K)`, which gives the number of keys `K`;
/// the training keys then cover `keys / K` of them. A floor under chance:
/// it sees natural repeats however the training file was deduplicated.
pub(super) fn coverage_from_repeats(repeat: f64, m: usize, keys: usize) -> f64 {
    if m < 2 || repeat <= 0.0 {
        return 0.0;
    }
    if repeat >= 1.0 {
        return 1.0;
    }
    let per_key = -(1.0 - repeat).ln() / (m - 1) as f64;
    (keys as f64 * per_key).min(1.0)
}

/// The note on test rows that match training rows more often than chance.
fn overlap_note(plan: &Plan, o: &Overlap) -> Option<String> {
    // Matches at the rate chance gives (data that repeats itself) are no
    // sign that the metrics overstate anything.
    if let Some((test, training)) = o.fresh_labels {
        return Some(format!(
            "{} of {} test rows ({:.1}%) match a training row (numbers to {} significant \
             digits), but their labels agree with those training rows' {:.1}% of the time, \
             no more than training rows that match each other agree ({:.1}%): they are new \
             observations of the same kind of row (a later period of the same customers), \
             not copies, and are judged as evidence",
            o.seen,
            o.rows,
            100.0 * o.share(),
            crate::artifact::KEY_DIGITS,
            100.0 * test,
            100.0 * training
        ));
    }
    o.beyond_chance().then(|| {
        let chance = if o.chance > 0.0 {
            format!(
                " (fresh rows of this data match a training row about {:.1}% of the time \
                 by chance)",
                100.0 * o.chance
            )
        } else {
            String::new()
        };
        let (where_, why) = match (&plan.data.test_path, &o.but) {
            (Some(test_path), None) => (
                format!(" in {}", test_path.display()),
                "the test file overlaps the training data".to_string(),
            ),
            (Some(test_path), Some(f)) => (
                format!(" in {}", test_path.display()),
                format!(
                    "the test file holds training rows with {f} changed (re-coded, \
                     re-cased, rounded or shifted)"
                ),
            ),
            (None, Some(f)) => (
                String::new(),
                format!(
                    "{} repeats rows with only {f} changed, so the split put near copies \
                     of training rows among the test rows; deduplicate it on the other \
                     features first",
                    plan.data.path.display()
                ),
            ),
            (None, None) => (
                String::new(),
                format!(
                    "{} repeats rows (a file repeated or a class oversampled before the \
                     split), so the split put copies of training rows among the test rows; \
                     deduplicate it first",
                    plan.data.path.display()
                ),
            ),
        };
        let (on, digits) = match &o.but {
            Some(f) => (
                format!(" on every feature but {f}"),
                crate::artifact::COPY_DIGITS,
            ),
            None => (String::new(), crate::artifact::KEY_DIGITS),
        };
        format!(
            "{} of {} test rows ({:.1}%){where_} match a training row{on} (numbers to {} \
             significant digits){chance}: {why}, and metrics on those rows overstate how \
             the model does on new data",
            o.seen,
            o.rows,
            100.0 * o.share(),
            digits
        )
    })
}

/// When the threshold puts all but a few test rows in one class, the gates
/// that judge the hard predictions (fairness, threshold metrics, a champion
/// gate on one) measure the threshold, not the model: a selection rate of 1
/// in every group passes any fairness bound. "A few" is what a class needs
/// under `min_test_rows` (a tenth of it, at least 10).
fn few_predicted(plan: &Plan, c: &crate::evaluate::metrics::Confusion) -> Option<FewPredicted> {
    let rows = c.tp + c.fp + c.tn + c.fn_;
    let needed = crate::gates::metric::class_minimum(plan.data.min_test_rows);
    let (positive, negative) = (c.tp + c.fp, c.tn + c.fn_);
    let (class, count) = if positive <= negative {
        ("positive", positive)
    } else {
        ("negative", negative)
    };
    (rows > 0 && count < needed).then_some(FewPredicted {
        class,
        count,
        rows,
        needed,
        threshold: plan.threshold,
    })
}

/// Fewer training rows than this get a note.
const TRAIN_ROWS_NOTE: u64 = 100;

/// Scores made elsewhere or by an ONNX model that leave [0, 1] under the
/// default threshold: logits, a decision function, a 0-100 score, cut at
/// 0.5 by no one's choice.
fn raw_scores(plan: &Plan, scores: &[f64]) -> Option<(f64, f64)> {
    use crate::model::ModelSpec;
    let external = matches!(plan.model, ModelSpec::Onnx(_) | ModelSpec::Scores(_));
    if plan.threshold_set || !external {
        return None;
    }
    let finite = scores.iter().copied().filter(|s| s.is_finite());
    let lo = finite.clone().fold(f64::INFINITY, f64::min);
    let hi = finite.fold(f64::NEG_INFINITY, f64::max);
    // Probabilities one rounding step outside [0, 1] are still probabilities.
    const SLACK: f64 = 1e-9;
    (lo < -SLACK || hi > 1.0 + SLACK).then_some((lo, hi))
}

/// The finished report of a `check`: the gates decided over the evidence,
/// and everything measured filled in.
pub fn finish(
    plan: &Plan,
    mut report: Report,
    sides: &Sides,
    (scorer, saved): (&dyn Scorer, Saved),
    ev: Evaluation,
    champion: ChampionEval,
    timings: &Timings,
) -> Run {
    let Saved {
        json: artifact_json,
        sha256: model_sha,
        copies,
    } = saved;
    // Matching test rows against training rows is the other half of the
    // leakage check that hashing the training rows began.
    let mut timings = timings.clone();
    let (overlap, repeated) = timed(&mut timings, Stage::RowHashes, || {
        (overlap(plan, sides, scorer), repeated(plan, sides, scorer))
    });
    let evidence_raw = raw_scores(plan, &ev.scores);
    let evidence = Evidence {
        metrics: &ev.metrics,
        fairness: &ev.fairness,
        latencies_ms: &ev.latencies_ms,
        champion: &champion,
        drift: &ev.drift_by_gate,
        min_test_rows: plan.data.min_test_rows,
        intervals: ev.intervals.as_ref(),
        caveats: Caveats {
            overlap: overlap.clone(),
            few_predicted: few_predicted(plan, &ev.metrics.confusion),
            raw_scores: evidence_raw,
            repeated,
        },
    };
    report.gates = gates::evaluate(&plan.gates, &evidence);
    report.verdict = gates::verdict(&report.gates);
    report.exit_code = if report.verdict == Verdict::Go {
        EXIT_GO
    } else {
        EXIT_NO_GO
    };
    report.champion = champion_info(plan, &champion, &ev.metrics);
    report.drift = ev.drift;
    report.notes.extend(scorer.notes());
    if let Some((lo, hi)) = evidence_raw {
        report.notes.push(format!(
            "the model's scores lie in [{lo}, {hi}]: raw scores (a decision function or a \
             regressor), not probabilities; log_loss and brier are undefined, and gates on \
             the hard predictions wait for [model] threshold (0 for a decision function)"
        ));
    }
    report
        .notes
        .extend(overlap.as_ref().and_then(|o| overlap_note(plan, o)));
    if let Some(r) = repeated.filter(Repeated::beyond_chance) {
        let file = plan.data.test_path.as_ref().unwrap_or(&plan.data.path);
        report.notes.push(format!(
            "{}: {} of {} test rows share their row (features, target and protected \
             attributes) with another test row, {} distinct, and they repeat as copies do \
             (many rows exactly as often): copies of a row count as evidence more than once, \
             so the gates judged on the test rows are inconclusive; deduplicate the test rows",
            file.display(),
            r.repeated,
            r.rows,
            r.distinct,
        ));
    }
    // A champion gate against a registry that is not there passes (or
    // fails) on "no champion": say whether that is a first run or a typo.
    let champion_gate = plan
        .gates
        .iter()
        .any(|g| matches!(g.spec, gates::GateSpec::Champion(_)));
    if champion_gate && matches!(champion, ChampionEval::Missing) && !plan.registry.exists() {
        report.notes.push(format!(
            "the registry {} does not exist, so there is no champion to compare with: \
             expected before the first promotion; otherwise check [registry] path",
            plan.registry.display()
        ));
    }
    // A model trained here on a handful of rows (test_fraction near 1):
    // whatever the gates say, say how little it learned from.
    let trained = plan.model.kind().trains() && !sides.train_rows.is_empty();
    if trained && (sides.train_rows.len() as u64) < TRAIN_ROWS_NOTE {
        report.notes.push(format!(
            "the model was trained on only {} rows (fewer than {TRAIN_ROWS_NOTE}): lower \
             test_fraction or add data",
            sides.train_rows.len()
        ));
    }
    if let [first, rest @ ..] = ev.scores.as_slice() {
        if rest.iter().all(|s| s.to_bits() == first.to_bits()) && !rest.is_empty() {
            // Nothing the gates say about ranking means anything then.
            report.notes.push(format!(
                "the model gives every test row the same score ({first}): it learned \
                 nothing from the features (for gradient boosting, check learning_rate, \
                 l2 and subsample)"
            ));
        }
    }
    if ev.metrics.roc_auc == Some(1.0) {
        // Real-world targets are rarely separated perfectly: usually a column
        // that is the label in disguise (an outcome recorded after the fact).
        report.notes.push(
            "ROC AUC is exactly 1.0 on the test set: check the features for one that \
             encodes the target (leakage), and add it to data.drop"
                .to_string(),
        );
    }
    report.model = Some(ModelInfo {
        kind: plan.model.kind().name().to_string(),
        params: plan.model.params_json(),
        threshold: plan.threshold,
        features: scorer.input_columns(),
        encoded_features: scorer.encoded_columns(),
        sha256: model_sha,
    });
    report.metrics = Some(ev.metrics);
    report.fairness = ev.fairness;
    // Nothing runs per row for scores made elsewhere: no latency to show.
    report.latency = (ev.latency.calls > 0).then_some(ev.latency);
    report.curves = Some(ev.curves);
    if let Some(iv) = &ev.intervals {
        for (attr, per) in &iv.fairness {
            if let Some(f) = report.fairness.get_mut(attr) {
                for (metric, v) in per {
                    f.ends.insert(format!("{metric}_low"), v.low);
                    f.ends.insert(format!("{metric}_high"), v.high);
                }
            }
        }
    }
    report.intervals = ev.intervals;
    report.timings_ms = timings;
    report.data.test_set_sha256 = Some(test_set_sha256(plan, sides));
    let champion_score = match champion {
        ChampionEval::Scored { scores, .. } => Some(scores),
        _ => None,
    };
    let predictions = Predictions {
        row: sides.test_rows.iter().map(|&r| r as u64).collect(),
        y_true: sides.y_test.clone(),
        score: ev.scores,
        y_pred: ev.y_pred,
        champion_score,
        protected: ev.protected,
    };
    Run {
        report,
        artifact_json,
        predictions: Some(predictions),
        copies,
    }
}

/// The digest of the test rows by content: each row's label and its values
/// in every column but the score columns (by name, whatever their order),
/// as a multiset. Two runs on the same rows agree whichever file or split
/// brought them, and whatever scores the file carries beside them.
fn test_set_sha256(plan: &Plan, sides: &Sides) -> String {
    let scores: Vec<&str> = match &plan.model {
        crate::model::ModelSpec::Scores(s) => std::iter::once(s.score.as_str())
            .chain(s.champion_score.as_deref())
            .collect(),
        _ => Vec::new(),
    };
    let mut columns: Vec<String> = sides
        .test_table
        .columns
        .iter()
        .map(|c| c.name.clone())
        .filter(|n| !scores.contains(&n.as_str()))
        .collect();
    columns.sort();
    let hashes = crate::artifact::row_hashes(
        sides.test_table,
        &sides.test_rows,
        &columns,
        crate::artifact::RowKey::Text,
    );
    let mut rows: Vec<(u64, u8)> = hashes
        .into_iter()
        .zip(sides.y_test.iter().copied())
        .collect();
    rows.sort_unstable();
    let mut bytes = Vec::with_capacity(rows.len() * 9 + 64);
    for name in &columns {
        bytes.extend_from_slice(name.as_bytes());
        bytes.push(0x1f);
    }
    for (h, y) in rows {
        bytes.extend_from_slice(&h.to_le_bytes());
        bytes.push(y);
    }
    crate::config::sha256_hex(&bytes)
}
