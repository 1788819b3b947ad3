//! Each class's test rows judged on their own: a test file of fresh
//! rows of one class and training rows of the other.
use super::judge;
use crate::artifact::RowKeys;
use crate::config::Plan;
use crate::gates::Overlap;
use crate::pipeline::target::Sides;

/// The overlap of one class's test rows, when they are largely training
/// rows though the test rows at large are not. `seen` says which test
/// rows match a training row; `chance` is the file's rate, raised to how
/// often the class's training rows match another training row; `keys`
/// every training and test row's key.
pub(super) fn by_class<'k>(
    plan: &Plan,
    sides: &Sides,
    features: &[String],
    seen: &[bool],
    chance: f64,
    keys: &dyn Fn() -> &'k RowKeys,
) -> Option<Overlap> {
    if sides.train_rows.is_empty() {
        return None;
    }
    // A test file of fresh rows of one class and training rows of the
    // other (known churners pulled from the training extract beside new
    // customers): a tenth of all the test rows may be every row of one
    // class (round 32, F2). Each class is judged on its own rows, against
    // how often its training rows match another training row.
    for (class, name) in [(1u8, "positive"), (0, "negative")] {
        let at: Vec<usize> = (0..sides.test_rows.len())
            .filter(|&k| sides.y_test[k].min(1) == class)
            .collect();
        if at.len() == sides.test_rows.len() {
            break;
        }
        // Under a tenth of the class's rows match: nothing to judge.
        let seen = at.iter().filter(|&&k| seen[k]).count();
        if !Overlap::new(seen, at.len(), chance).could_be_mostly_training() {
            continue;
        }
        let chance = chance.max(keys().class_duplicate_share(&sides.y_train, class));
        let mine = Sides {
            test_rows: at.iter().map(|&k| sides.test_rows[k]).collect(),
            y_test: vec![class; at.len()],
            train_rows: sides.train_rows.clone(),
            y_train: sides.y_train.clone(),
            ..*sides
        };
        let class_keys = std::cell::OnceCell::new();
        let keys_of_class = || {
            class_keys.get_or_init(|| RowKeys {
                train: keys().train.clone(),
                test: at.iter().map(|&k| keys().test[k]).collect(),
            })
        };
        // Whether matches carry their labels (copies) or draw them afresh
        // (the same customers a month later) is the file's question: one
        // class's matches agree with their training rows' labels anyway.
        let weigh = |o: &mut Overlap| super::weigh_labels(o, sides, keys(), features);
        let o = judge(
            plan,
            &mine,
            features,
            seen,
            chance,
            &keys_of_class,
            Some((sides, &weigh)),
        )
        .filter(Overlap::mostly_training);
        if let Some(o) = o {
            return Some(Overlap {
                class: Some(name),
                ..o
            });
        }
    }
    None
}

/// The share of `m` rows that repeat a key among themselves at the low
/// end of what a share `repeat` of them shows: two standard errors of the
/// count fewer. A pair or two of repeats among a class's few dozen rows
/// is noise, not data that repeats itself.
pub(super) fn fewest_repeats(repeat: f64, m: usize) -> f64 {
    let r = repeat * m as f64;
    (r - 2.0 * r.sqrt()).max(0.0) / m.max(1) as f64
}
