//! Round 31 of the adversarial trial: a label re-spelled, or a column
//! filled after the outcome, with a few stray rows.
use crate::fixture::dataset;
use crate::trust28::auc_gate;

/// `dataset(n, 1, 0.0)` with a first column `name` holding `cell(i, positive)`
/// on row `i`.
fn with_column(n: usize, name: &str, cell: impl Fn(usize, bool) -> String) -> String {
    dataset(n, 1, 0.0)
        .lines()
        .enumerate()
        .map(|(i, line)| match i {
            0 => format!("{name},{line}\n"),
            i => format!("{},{line}\n", cell(i, line.ends_with(",yes"))),
        })
        .collect()
}

// F2. `status` = `closed` for positives and `open` for the others, with
// 5 or 20 rows flipped each way (99.7% or 98.7% agreement), gave GO at
// ROC AUC 0.999 with no note: one disagreeing row made both values
// "mixed". A value holding one class but for 2% of its rows holds it.
#[test]
fn a_label_re_spelled_with_a_few_rows_flipped_is_no_evidence() {
    for every in [300, 75] {
        let data = with_column(3000, "status", |i, yes| {
            // Every `every`-th row takes the other class's word.
            let word_yes = yes != (i % every == 0);
            if word_yes { "closed" } else { "open" }.to_string()
        });
        let (code, status, message) = auc_gate(&data);
        assert_eq!(
            (code, status.as_str()),
            (1, "inconclusive"),
            "{every}: {message}"
        );
        assert!(
            message.contains("feature \"status\" has 2 values")
                && message.contains("the label re-spelled")
                && message.contains("go against their value's class"),
            "{message}"
        );
    }
    // Control: flipped on a tenth of the rows, it is a strong feature, not
    // the label; the gate judges.
    let data = with_column(3000, "status", |i, yes| {
        let word_yes = yes != (i % 10 == 0);
        if word_yes { "closed" } else { "open" }.to_string()
    });
    let (code, status, message) = auc_gate(&data);
    assert!(!message.contains("re-spelled"), "{message}");
    assert_eq!((code, status.as_str()), (0, "pass"), "{message}");
}

// F1. A cancellation reason filled for 90% of the positives, and for 3
// other rows of some 1,500 (a reversed cancellation), gave GO at ROC AUC
// 0.95: the presence rule allowed not one row of the other class.
#[test]
fn a_column_filled_after_the_outcome_with_a_few_strays_is_no_evidence() {
    let reasons = ["price", "service", "moved", "competitor"];
    let cell = |strays: usize| {
        move |i: usize, yes: bool| {
            let filled = if yes { !i.is_multiple_of(10) } else { i % 500 < strays };
            if filled { reasons[i % 4] } else { "" }.to_string()
        }
    };
    let (code, status, message) = auc_gate(&with_column(3000, "cancel_reason", cell(1)));
    assert_eq!((code, status.as_str()), (1, "inconclusive"), "{message}");
    assert!(
        message.contains("feature \"cancel_reason\" is filled for 90% of the rows of one class")
            && message.contains("or almost none"),
        "{message}"
    );
    // Control: filled for a tenth of the other class too, it is a hint,
    // not the label; the gate judges.
    let (code, status, message) = auc_gate(&with_column(3000, "cancel_reason", cell(50)));
    assert!(!message.contains("is filled for"), "{message}");
    assert_eq!((code, status.as_str()), (0, "pass"), "{message}");
}
