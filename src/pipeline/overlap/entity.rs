//! Rows of one entity (a household, a patient) on both sides of a split
//! of one file: whether their label is the entity's, judged against what
//! models that never saw the entity give.

use super::{whole_keys, Sides};
use crate::artifact::{spread, ButOne, MAX_ROW_HASHES};
use crate::config::Plan;
use crate::gates::Overlap;

/// What the labels of the rows that share a key (`keys`) say of `o`: new
/// observations, or on a split of one file an entity's label.
pub(super) fn weigh_labels(
    o: &mut Overlap,
    sides: &Sides,
    keys: &crate::artifact::RowKeys,
    features: &[String],
) {
    use crate::artifact::Agreement;
    let drawn =
        |positions: &[usize], folds: &[u8]| drawn_probabilities(sides, features, positions, folds);
    let split = sides.split().then_some(&drawn as crate::artifact::Drawn);
    match crate::artifact::label_agreement(keys, &sides.y_train, &sides.y_test, split) {
        Agreement::Fresh(test, training) => o.fresh_labels = Some((test, training)),
        Agreement::Entity(within, drawn) => o.entity_labels = Some((within, drawn)),
        Agreement::Kept => {}
    }
}

/// Training rows a reference model learns the features' probabilities
/// from, per fold, for [`drawn_probabilities`].
const DRAWN_ROWS: usize = 20_000;

/// The label's probability at training rows `positions` (sorted) as the
/// features give it to models that never saw the row's entity, fitted for
/// each fold of `folds` on a spread of the training rows outside that
/// fold's positions: a logistic regression (one-hot levels, scaled
/// numbers: many-level codes) and gradient boosting (100 trees of depth
/// 4 at rate 0.3: curved and interacting features, a U-shaped risk, round 26, F4).
/// Neither can remember an entity it never saw. `None` when they cannot
/// be fitted.
pub(super) fn drawn_probabilities(
    sides: &Sides,
    features: &[String],
    positions: &[usize],
    folds: &[u8],
) -> Option<Vec<Vec<f64>>> {
    use crate::features::preprocess::Preprocessor;
    use crate::model::{gbm, logistic};
    // A faster rate than the default 0.1: at 0.1, 100 trees stop short of
    // the probabilities (visits whose label two signs decide: agreement
    // 75.8% against 81.2% at 0.3 or with 300 trees, as scikit-learn's
    // HistGradientBoosting gives too), and the shortfall reads as an
    // entity's label.
    let params = gbm::GbmParams {
        n_trees: 100,
        max_depth: 4,
        learning_rate: 0.3,
        ..gbm::GbmParams::default()
    };
    let rows = |at: &[usize]| -> Vec<usize> { at.iter().map(|&i| sides.train_rows[i]).collect() };
    // Each fold's reference models, both folds at once (small fits leave
    // a core idle): the same numbers for any thread count.
    let fold = |fold: u8| -> Option<(Vec<usize>, [Vec<f64>; 2])> {
        let mine: Vec<usize> = (0..positions.len()).filter(|&k| folds[k] == fold).collect();
        if mine.is_empty() {
            return Some((mine, [Vec::new(), Vec::new()]));
        }
        let mut held = vec![false; sides.train_rows.len()];
        mine.iter().for_each(|&k| held[positions[k]] = true);
        let others: Vec<usize> = (0..held.len()).filter(|&i| !held[i]).collect();
        let fit_at = spread(&others, DRAWN_ROWS);
        let y: Vec<u8> = fit_at.iter().map(|&i| sides.y_train[i]).collect();
        if !y.contains(&0) || !y.contains(&1) {
            return None;
        }
        let at: Vec<usize> = (0..held.len()).filter(|&i| held[i]).collect();
        let (fit_rows, at) = (rows(&fit_at), rows(&at));
        let table = sides.train_table;
        let linear = Preprocessor::fit(table, features, &fit_rows).ok()?;
        let raw = linear.clone().keeping_missing().keeping_numbers_raw();
        let (lr, trees) = rayon::join(
            || {
                logistic::fit(
                    &logistic::LogisticParams::default(),
                    &linear.transform(table, &fit_rows).ok()?,
                    &y,
                )
                .ok()
            },
            || {
                Some(
                    gbm::fit(&params, &raw.transform(table, &fit_rows).ok()?, &y, 0)
                        .ok()?
                        .0,
                )
            },
        );
        let scores = [
            lr?.score_matrix(&linear.transform(table, &at).ok()?),
            trees?.score_matrix(&raw.transform(table, &at).ok()?),
        ];
        Some((mine, scores))
    };
    let (a, b) = rayon::join(|| fold(0), || fold(1));
    let mut out = vec![vec![f64::NAN; positions.len()]; 2];
    for (mine, scores) in [a?, b?] {
        for (reference, scores) in out.iter_mut().zip(scores) {
            for (&k, p) in mine.iter().zip(scores) {
                reference[k] = p;
            }
        }
    }
    Some(out)
}

/// On a split of one file, test rows matching training rows on every
/// feature but those at `leave` (`b`) as often as training rows match
/// each other (so [`judged`] saw chance): rows of entities (households of
/// two or three, of few-level codes: round 26, F1) whose label the
/// entity's rows share beyond what the features give. Chance is then what
/// unrelated rows give (independent features).
pub(super) fn entity_rows(
    sides: &Sides,
    features: &[String],
    b: &ButOne,
    leave: &[usize],
) -> Option<Overlap> {
    let named: Vec<&str> = leave.iter().map(|&j| features[j].as_str()).collect();
    let mut o = Overlap {
        but: Some(named.join(" and ")),
        ..Overlap::new(b.seen, b.rows, 0.0)
    };
    if !sides.split() || !o.could_be_mostly_training() {
        return None;
    }
    let others: Vec<String> = (0..features.len())
        .filter(|j| !leave.contains(j))
        .map(|j| features[j].clone())
        .collect();
    weigh_labels(&mut o, sides, &whole_keys(sides, &others), features);
    o.entity_labels?;
    let hashed = &*spread(&sides.train_rows, MAX_ROW_HASHES);
    o.chance = crate::artifact::independent_chance(sides.train_table, hashed, &others);
    o.mostly_training().then_some(o)
}

/// Why rows that `repeat` across a split of one file overstate the
/// metrics when their labels are an entity's ([`Overlap::entity_labels`]).
pub(super) fn entity_why(plan: &Plan, o: &Overlap, repeat: &str) -> String {
    let (within, drawn) = o.entity_labels.unwrap_or_default();
    format!(
        "{} {repeat} (copies, or several rows of one entity: a household, a patient, a \
         customer), and their labels agree {:.1}% of the time against {:.1}% for labels \
         drawn afresh at what their features give: the label is largely the entity's, and \
         the split put the same entities among the training and the test rows, so the model \
         can learn a test row's label from its entity's training rows; deduplicate it, or put \
         whole entities on one side (a test_path file of other entities)",
        plan.data.path.display(),
        100.0 * within,
        100.0 * drawn
    )
}
