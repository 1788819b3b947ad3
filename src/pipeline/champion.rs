//! Stage 5, champion: the registry's champion re-scored on the candidate's
//! test rows, and what the report says about it.
use super::target::Sides;
use crate::config::Plan;
use crate::domain::{is_positive_text, ChampionInfo};
use crate::error::GateError;
use crate::evaluate::metrics;
use crate::gates::ChampionEval;
use crate::gates::GateSpec;
use crate::model::scorer::Scorer;
use std::collections::BTreeMap;

/// Per test row: whether it matches a row the champion trained on but none
/// the candidate trained on. Rows repeated in the data match either way
/// and are no sign that the champion saw this test set.
/// `champ_table` is the test table as the champion reads it.
fn leaked_beyond_duplicates(
    champ: &dyn Scorer,
    champ_table: &crate::data::Table,
    candidate: &dyn Scorer,
    s: &Sides,
) -> Vec<bool> {
    let by_champ = champ.trained_on(champ_table, &s.test_rows);
    if !by_champ.contains(&true) {
        return by_champ;
    }
    let by_candidate = candidate.trained_on(s.test_table, &s.test_rows);
    by_champ
        .iter()
        .zip(&by_candidate)
        .map(|(&c, &k)| c && !k)
        .collect()
}

/// Share of the test rows kept for the comparison above which the
/// champion's training rows its saved hashes do not know spoil it.
const MAX_UNKNOWN_SHARE: f64 = 0.01;

/// Why the champion cannot be compared on the rows it did not train on,
/// when it saved the hashes of a spread of its training rows only and
/// `leaked` (the test rows matching them) says that many of the other test
/// rows are its training rows too, which cannot be told apart (round 32,
/// F6: 40% of the test rows matched a spread of half its 400,000 rows).
fn unknown_training_rows(champ: &dyn Scorer, leaked: &[bool]) -> Option<String> {
    let share = champ.trained_on_share();
    let matched = leaked.iter().filter(|&&l| l).count();
    let kept = leaked.len() - matched;
    let unknown = matched as f64 * (1.0 / share - 1.0);
    (share < 1.0 && matched >= 10 && unknown >= MAX_UNKNOWN_SHARE * kept as f64).then(|| {
        format!(
            "{matched} of {} test rows match the {:.0}% of the champion's training rows whose \
             hashes it saved, so about {:.0} more of them are its training rows too, which \
             cannot be told apart: re-scored here it would be judged partly on rows it learned \
             (compare on data neither model trained on: a test_path file)",
            leaked.len(),
            100.0 * share,
            unknown.min(kept as f64)
        )
    })
}

/// Where the champion's row keys (numbers to 3 significant digits, text
/// as text) are too coarse for the data, fresh rows match its training
/// rows by chance more than a tenth of the time, as often as its own
/// training rows share a key: a match no longer says that a row is one it
/// trained on (round 51, F1: 589 of 597 fresh rows were left out, and the
/// gate was inconclusive for "too few rows"). Matches no more often than
/// that are chance, and every row is compared (`leaked` cleared); more
/// often, some test rows are its training rows, which cannot be told
/// apart from fresh ones here: the reason it is no comparison.
fn coarse_keys(champ: &dyn Scorer, leaked: &mut [bool]) -> Option<String> {
    let chance = champ.training_duplicate_share();
    let matched = leaked.iter().filter(|&&l| l).count();
    if chance <= crate::gates::OVERLAP_LIMIT || matched == 0 {
        return None;
    }
    if crate::artifact::excess_over_chance(matched, leaked.len(), chance).is_none() {
        leaked.fill(false);
        return None;
    }
    Some(format!(
        "{matched} of {} test rows match the champion's training rows by row key (numbers to \
         {} significant digits), more than the {:.1}% that rows of this data match by chance \
         (its own training rows share a key that often): some are rows it trained on, which \
         cannot be told apart from fresh rows here, so re-scored on these rows it would be \
         judged partly on rows it learned (compare on data neither model trained on: a \
         test_path file)",
        leaked.len(),
        crate::artifact::KEY_DIGITS,
        100.0 * chance
    ))
}

/// The champion re-scored on the candidate's test rows. A registry that
/// cannot be read is an error (exit 2), as `compare` and `promote` say too;
/// a champion that cannot score these rows is a finding (inconclusive).
pub fn champion_eval(
    plan: &Plan,
    s: &Sides,
    candidate: &dyn Scorer,
    candidate_sha: &str,
    candidate_scores: &[f64],
) -> Result<ChampionEval, GateError> {
    if !plan
        .gates
        .iter()
        .any(|g| matches!(g.spec, GateSpec::Champion(_)))
    {
        // Not compared, but the report says whether there is a champion:
        // a broken index is an error here too, never read as "none".
        crate::registry::read_index(&plan.registry)
            .map_err(|e| GateError::Data(format!("registry: {e:#}")))?;
        return Ok(ChampionEval::Missing);
    }
    let (version, champ, sha) = match crate::registry::load_champion(&plan.registry) {
        Ok(Some(c)) => c,
        Ok(None) => return Ok(ChampionEval::Missing),
        Err(e) => return Err(GateError::Data(format!("registry: {e:#}"))),
    };
    let (target, positive) = champ.labels();
    if target != plan.data.target || !is_positive_text(positive, &plan.data.positive) {
        let reason = format!(
            "the champion predicts target {target:?} = {positive:?}, this run target {:?} = {:?}: \
             their scores are not comparable",
            plan.data.target, plan.data.positive
        );
        return Ok(ChampionEval::Unusable { version, reason });
    }
    // Numbers where the champion learned text (codes `007` read as 7 from
    // a file without a letter among them) are spelled as its categories:
    // the champion reads the test rows as it read its training rows.
    // Text where it learned numbers (a few `X` among the codes) is read as
    // numbers, the rest missing (round 43, F2).
    let text = champ.text_levels();
    let numeric = champ.numeric_inputs();
    let is_num = |c: &crate::data::Column| matches!(c.values, crate::data::Values::Num(_));
    // Text inputs held here as numbers are read again as written, where
    // the file allows: `007` and `10.0` reach the champion as its training
    // file wrote them (an ONNX string input, whose categories cannot be
    // seen, was fed `7`: round 43, F3).
    let held_as_numbers: Vec<String> = champ
        .text_inputs()
        .into_iter()
        .filter(|name| s.test_table.column(name).is_some_and(is_num))
        .collect();
    let written = (!held_as_numbers.is_empty())
        .then(|| read_as_written(plan, s, &held_as_numbers))
        .flatten();
    let test_table = written.as_ref().unwrap_or(s.test_table);
    // Still numbers (no written text: a Parquet file), and categories the
    // champion cannot show (an ONNX string input whose encoder the graph
    // does not show): it would be fed them re-printed, `7` for `007`
    // (round 48, F2: ROC AUC 0.95 scored 0.88).
    if let Some(name) = held_as_numbers.iter().find(|name| {
        test_table.column(name).is_some_and(is_num) && !text.iter().any(|(t, _)| t == *name)
    }) {
        let reason = format!(
            "column {name:?} holds numbers or booleans where the champion reads text, and the \
             test rows' file has no written text for them (a Parquet file): the champion would \
             be fed them re-printed (`7` for `007`, `true` for `True`), which is no comparison \
             (give the test rows as CSV, or promote with --force --reason)"
        );
        return Ok(ChampionEval::Unusable { version, reason });
    }
    for (name, levels) in &text {
        let held = test_table
            .column(name)
            .and_then(|c| c.twin_held(levels, Some(&s.test_rows)));
        if let Some((a, b)) = held {
            // Which spelling each number was is lost (round 43, F1).
            let reason = format!(
                "column {name:?} holds numbers where the champion learned text codes, two of \
                 which spell one value ({a:?} and {b:?}): which one each row held is lost, so \
                 re-scoring it here is no comparison (declare the column type = \"string\" in \
                 [contract.columns], or promote with --force --reason)"
            );
            return Ok(ChampionEval::Unusable { version, reason });
        }
    }
    let respelled = test_table
        .columns
        .iter()
        .any(|c| {
            (is_num(c) && text.iter().any(|(name, _)| name == &c.name))
                || (!is_num(c) && numeric.contains(&c.name))
        })
        .then(|| {
            let mut t = test_table.clone();
            t.spell_as(&text);
            t.numbers_as(&numeric);
            t
        });
    let table = respelled.as_ref().unwrap_or(test_table);
    let missing = champ.missing_columns(table);
    if !missing.is_empty() {
        let reason = format!(
            "the data no longer has column(s) the champion needs: {}",
            missing.join(", ")
        );
        return Ok(ChampionEval::Unusable { version, reason });
    }
    // Data changed under the champion (categories re-spelled, other
    // units): it would be scored on values it cannot read, and lose.
    if let Some(why) = champ.unfamiliar(table, &s.test_rows) {
        let reason = format!(
            "the test rows are not data the champion can read: {why}; re-scoring it here \
             is no comparison (map the data back, or promote with --force --reason)"
        );
        return Ok(ChampionEval::Unusable { version, reason });
    }
    // A column the champion learned from, left with one value (or none)
    // in every test row, while this model reads others (the column
    // renamed): the champion would read a constant, and lose (round 18,
    // F5). A model that reads only what the champion reads has no such
    // other column: then both are scored on the constant alike when both
    // read it, and one value the champion knew (every test row a DSL
    // customer) is a segment the champion serves as it is scored here
    // (round 24, F2). A model that reads a column the champion does not
    // may have moved the signal there, renamed, rescaled or binned
    // (round 25, F2 and F3): no comparison.
    let reads = candidate.input_columns();
    let champ_reads = champ.input_columns();
    let new_inputs: Vec<&String> = reads.iter().filter(|c| !champ_reads.contains(c)).collect();
    let collapsed: Vec<String> = champ
        .collapsed(table, &s.test_rows)
        .into_iter()
        .filter(|(name, _, knew)| !new_inputs.is_empty() || !(reads.contains(name) || *knew))
        .map(|(name, what, _)| format!("{name:?} holds {what} in every test row"))
        .collect();
    if !collapsed.is_empty() {
        let reason = format!(
            "the champion learned from column(s) the test rows leave without a signal: {}{}; \
             re-scoring it here is no comparison (fill them as in training, or promote with \
             --force --reason)",
            collapsed.join("; "),
            if new_inputs.is_empty() {
                String::new()
            } else {
                format!(
                    ", while this model reads column(s) the champion does not ({}), where the \
                     signal may have moved",
                    new_inputs
                        .iter()
                        .map(|c| format!("{c:?}"))
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            }
        );
        return Ok(ChampionEval::Unusable { version, reason });
    }
    let scores = match champ.score_table(table, &s.test_rows) {
        Ok(scores) => scores,
        Err(reason) => return Ok(ChampionEval::Unusable { version, reason }),
    };
    let mut leaked = leaked_beyond_duplicates(&*champ, table, candidate, s);
    // One flag per test row, or none counts (a scorer that answered for
    // other rows must not empty the comparison).
    if leaked.len() != s.test_rows.len() {
        leaked = vec![false; s.test_rows.len()];
    }
    if let Some(reason) = unknown_training_rows(&*champ, &leaked) {
        return Ok(ChampionEval::Unusable { version, reason });
    }
    if let Some(reason) = coarse_keys(&*champ, &mut leaked) {
        return Ok(ChampionEval::Unusable { version, reason });
    }
    // Both models on the rows the champion did not train on, each at its
    // own saved threshold (the champion's hard predictions are the ones
    // it was promoted with).
    let keep = |v: &[f64]| -> Vec<f64> {
        v.iter()
            .zip(&leaked)
            .filter(|(_, &l)| !l)
            .map(|(&x, _)| x)
            .collect()
    };
    let y: Vec<u8> = s
        .y_test
        .iter()
        .zip(&leaked)
        .filter(|(_, &l)| !l)
        .map(|(&y, _)| y)
        .collect();
    let (cand_scores, champ_scores) = (keep(candidate_scores), keep(&scores));
    let unseen = leaked.contains(&true).then(|| crate::gates::Unseen {
        rows: y.len(),
        of: s.y_test.len(),
        candidate: metrics::compute(&y, &cand_scores, candidate.threshold()),
    });
    Ok(ChampionEval::Scored {
        version,
        sha256: sha.clone(),
        metrics: metrics::compute(&y, &champ_scores, champ.threshold()),
        identical: sha == candidate_sha,
        paired: paired_tests(
            plan,
            &y,
            (&cand_scores, candidate.threshold()),
            (&champ_scores, champ.threshold()),
        ),
        scores,
        unseen,
        uncut: None,
    })
}

/// The test table with the columns `names` read again as text from the
/// file the test rows came from (the one with their sha256 and row count),
/// the cells as written; `None` when no such read succeeds. A Parquet
/// number has no other spelling and stays a number.
fn read_as_written(plan: &Plan, s: &Sides, names: &[String]) -> Option<crate::data::Table> {
    let mut as_text =
        super::prepare::text_columns(s.test_table, &super::prepare::declared_text(&plan.contract));
    as_text.extend(names.iter().cloned());
    let rows = s.test_table.n_rows;
    let paths = plan.data.test_path.iter().chain([&plan.data.path]);
    let written = paths
        .filter_map(|p| {
            super::prepare::read_again(p, &as_text, names, true, rows, Some(s.test_sha256))
        })
        .next()?;
    let mut t = s.test_table.clone();
    t.swap_columns(written);
    Some(t)
}

/// `test = "paired"` on champion gates: the two models compared on the
/// same rows, each at its own threshold (`[stats]` settings, else 95% and
/// 1000 replicates, seeded by `[data] seed`), one test per metric a paired
/// gate names (several paired gates each get their own metric's test).
pub fn paired_tests(
    plan: &Plan,
    y_test: &[u8],
    (cand, cand_threshold): (&[f64], f64),
    (champ, champ_threshold): (&[f64], f64),
) -> BTreeMap<String, crate::evaluate::stats::ChampionTest> {
    let cfg = super::intervals::paired_config(plan);
    let mut tests = BTreeMap::new();
    for g in &plan.gates {
        let GateSpec::Champion(c) = &g.spec else {
            continue;
        };
        let name = c.metric.name();
        if c.test != crate::gates::champion::Test::Paired || tests.contains_key(name) {
            continue;
        }
        if let Some(t) = crate::evaluate::stats::champion_test(
            name,
            y_test,
            cand,
            champ,
            cand_threshold,
            champ_threshold,
            &cfg,
        ) {
            tests.insert(name.to_string(), t);
        }
    }
    tests
}

/// The recorded reason when `version` was promoted with `--force`.
fn forced_reason(plan: &Plan, version: &str) -> Option<String> {
    let index = crate::registry::read_index(&plan.registry).ok()?;
    let e = index
        .versions
        .into_iter()
        .find(|e| e.version == version && e.forced)?;
    Some(e.reason.unwrap_or_default())
}

pub fn champion_info(
    plan: &Plan,
    c: &ChampionEval,
    candidate: &metrics::Metrics,
) -> Option<ChampionInfo> {
    let Some(metric) = plan.gates.iter().find_map(|g| match &g.spec {
        GateSpec::Champion(c) => Some(c.metric.name().to_string()),
        _ => None,
    }) else {
        // No champion gate: nothing is re-scored, but the key stays an object
        // (SPEC section 6) saying whether the registry has a champion.
        // Its digest too: `promote` refuses when the champion changed since.
        let index = crate::registry::read_index(&plan.registry).ok();
        let champion = index.as_ref().and_then(|i| i.champion.clone());
        let sha256 = index
            .as_ref()
            .and_then(|i| i.champion_entry())
            .map(|e| e.model_sha256.clone());
        return Some(ChampionInfo {
            present: champion.is_some(),
            message: "not compared: gates.toml declares no champion gate".into(),
            version: champion,
            metric: String::new(),
            champion_value: None,
            candidate_value: None,
            delta: None,
            forced_reason: None,
            delta_low: None,
            delta_high: None,
            p_value: None,
            method: None,
            sha256,
        });
    };
    let mut info = ChampionInfo {
        present: false,
        version: None,
        champion_value: None,
        candidate_value: metrics::named(candidate, &metric),
        delta: None,
        message: "no champion in the registry".into(),
        forced_reason: None,
        delta_low: None,
        delta_high: None,
        p_value: None,
        method: None,
        sha256: None,
        metric,
    };
    // The metric cuts the scores, or reads them as probabilities, which
    // two scales do not allow alike: no value, and why.
    let uncut = match c {
        ChampionEval::Scored {
            uncut: Some(scales),
            ..
        } => crate::domain::Metric::parse(&info.metric)
            .and_then(|m| crate::gates::uncut_reason(scales, m)),
        _ => None,
    };
    let version = match (c, uncut) {
        (ChampionEval::Missing, _) => return Some(info),
        (ChampionEval::Unusable { version, reason }, _) => {
            info.message = reason.clone();
            version
        }
        (
            ChampionEval::Scored {
                version, sha256, ..
            },
            Some(why),
        ) => {
            info.sha256 = Some(sha256.clone());
            info.message = why;
            version
        }
        (
            ChampionEval::Scored {
                version,
                sha256,
                metrics: cm,
                identical,
                paired,
                unseen,
                ..
            },
            None,
        ) => {
            info.sha256 = Some(sha256.clone());
            if let Some(u) = unseen {
                info.candidate_value = metrics::named(&u.candidate, &info.metric);
            }
            if let Some(t) = paired.get(&info.metric) {
                // The test's interval is of the improvement (positive =
                // candidate better); `delta` is candidate minus champion.
                let higher =
                    crate::domain::Metric::parse(&info.metric).is_none_or(|m| m.higher_is_better());
                let (lo, hi) = if higher {
                    (t.low, t.high)
                } else {
                    (-t.high, -t.low)
                };
                info.delta_low = Some(lo);
                info.delta_high = Some(hi);
                info.p_value = t.p_value;
                info.method = Some(t.method.to_string());
            }
            info.champion_value = metrics::named(cm, &info.metric);
            info.delta = info
                .candidate_value
                .zip(info.champion_value)
                .map(|(a, b)| a - b);
            let mut notes: Vec<String> = Vec::new();
            if *identical {
                notes.push("candidate and champion are byte-identical".into());
            }
            if let Some(u) = unseen {
                notes.push(u.compared());
            }
            let undefined = info.candidate_value.is_none() || info.champion_value.is_none();
            if let Some(m) = crate::domain::Metric::parse(&info.metric).filter(|_| undefined) {
                notes.push(crate::gates::champion::undefined_message(
                    m,
                    info.candidate_value,
                    info.champion_value,
                    version,
                ));
            }
            info.message = notes.join("; ");
            version
        }
    };
    info.present = true;
    info.version = Some(version.clone());
    info.forced_reason = forced_reason(plan, version);
    if let Some(reason) = &info.forced_reason {
        let note = format!("champion {version} was promoted by force (reason: {reason})");
        info.message = if info.message.is_empty() {
            note
        } else {
            format!("{}; {note}", info.message)
        };
    }
    Some(info)
}
