//! Round 33 of the adversarial trial: a column filled after the outcome
//! that spells "not filled" as a value on under half the rows, or as two
//! values; copies of a class with their numbers nudged by up to 10%.
use crate::fixture::Lcg;
use crate::trust28::auc_gate;
use crate::trust32::with_column;

// F1. The round-32 fix took a value for "not filled" only when it was on
// half the rows or more. Next month's usage, 0 for every churner (a third
// of the rows) and for a tenth of the rest, passed at ROC AUC 0.98, and so
// did a refund whose "not filled" cells were `0` on some rows and empty
// on others, and days since cancelling spelled `0` and `-1`. The
// commonest value at any share, the two or three commonest, with the
// empty cells or without, now stand for "not filled".
#[test]
fn a_column_whose_unfilled_cells_are_spelled_a_few_ways_is_still_the_label() {
    let mut r = Lcg::new(33);
    let usage = with_column("usage", |_, yes| {
        if !yes && r.next_f64() < 0.9 {
            format!("{:.2}", 0.5 + 40.0 * r.next_f64())
        } else {
            "0".to_string()
        }
    });
    let refund = with_column("refund", |i, yes| match (yes && i % 5 != 0, i % 2) {
        (true, _) => format!("{}.25", 10 + i % 90),
        (false, 0) => "0".to_string(),
        (false, _) => String::new(),
    });
    let days = with_column("days", |i, yes| match (yes && i % 5 != 0, i % 3) {
        (true, _) => format!("{}", 1 + i % 89),
        (false, 0) => "0".to_string(),
        (false, _) => "-1".to_string(),
    });
    for (name, data, unfilled) in [
        ("usage", usage, "\"0\" (\"not filled\")"),
        ("refund", refund, "\"0\", or empty"),
        ("days", days, "\"-1\" or \"0\""),
    ] {
        let (code, status, message) = auc_gate(&data);
        assert_eq!((code, status.as_str()), (1, "inconclusive"), "{message}");
        assert!(
            message.contains(&format!(
                "feature \"{name}\" holds a value other than {unfilled}"
            )),
            "{message}"
        );
    }
    // Control: a count of few levels drawn for both classes (more often
    // high for the positives) is a feature, whichever levels are left out.
    let mut r = Lcg::new(7);
    let data = with_column("visits", |_, yes| {
        let shift = if yes { 1.5 } else { 0.0 };
        format!("{}", (r.next_f64() * 4.0 + shift * r.next_f64()) as u32)
    });
    let (code, status, message) = auc_gate(&data);
    assert_eq!((code, status.as_str()), (0, "pass"), "{message}");
}

// F2. A class made of copies of 2 or 3 rows, a number moved by up to 10%
// on each copy, counted 15 distinct rows and passed (GO at ROC AUC 0.97):
// copies counted once only when each number was within 5%. A number that
// varies within the copies by a small share of its spread over the test
// file is nudged as well.
#[test]
fn a_class_of_copies_nudged_by_ten_percent_is_too_few_to_judge() {
    for (distinct, times) in [(2, 8), (3, 5)] {
        let (code, status, message) = crate::trust31::judged_on_nudged_copies(distinct, times, 0.1);
        assert_eq!((code, status.as_str()), (1, "inconclusive"), "{message}");
        assert!(
            message.contains(&format!("but only {distinct} and ")),
            "{message}"
        );
    }
    // Control: 12 positives each copied twice, the income moved by up
    // to 40%: another customer's.
    let (code, status, message) = crate::trust31::judged_on_nudged_copies(12, 2, 0.4);
    assert_eq!((code, status.as_str()), (0, "pass"), "{message}");
}
