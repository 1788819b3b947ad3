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
            let filled = if yes {
                !i.is_multiple_of(10)
            } else {
                i % 500 < strays
            };
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

/// A fixture trained on `dataset(1000, 1, 0.0)` and judged on `test.csv`:
/// 300 negatives of `dataset(2000, 2, 0.0)` and its first `distinct`
/// positives, each `times` times (ids renumbered); the first gate's
/// status and message.
fn judged_on_copies(distinct: usize, times: usize) -> (i32, String, String) {
    judged_on_nudged_copies(distinct, times, 0.0)
}

/// [`judged_on_copies`] with each copy's `income` multiplied by a factor
/// within `1 ± nudge`.
pub(crate) fn judged_on_nudged_copies(
    distinct: usize,
    times: usize,
    nudge: f64,
) -> (i32, String, String) {
    let f = crate::fixture::Fixture::new("");
    f.write("data.csv", &dataset(1000, 1, 0.0));
    let fresh = dataset(2000, 2, 0.0);
    let mut lines = fresh.lines();
    let header = lines.next().unwrap_or_default().to_string();
    let rows: Vec<&str> = lines.collect();
    let negatives = rows.iter().filter(|l| l.ends_with(",no")).take(300);
    let positives = rows.iter().filter(|l| l.ends_with(",yes")).take(distinct);
    let mut test = vec![header];
    let mut id = 0;
    let mut push = |line: &str| {
        let rest = line.split_once(',').map_or("", |(_, r)| r);
        test.push(format!("{id},{rest}"));
        id += 1;
    };
    negatives.for_each(|l| push(l));
    for p in positives {
        for k in 0..times {
            let mut cells: Vec<String> = p.split(',').map(String::from).collect();
            if nudge > 0.0 {
                let income: f64 = cells[2].parse().unwrap_or(0.0);
                let factor = 1.0 + nudge * (2.0 * k as f64 / times as f64 - 1.0);
                cells[2] = format!("{:.3}", income * factor);
            }
            push(&cells.join(","));
        }
    }
    f.write("test.csv", &(test.join("\n") + "\n"));
    f.write(
        "gates.toml",
        &format!(
            "{}test_path = \"test.csv\"\n\n[[gate]]\nname = \"auc\"\nkind = \"metric\"\n\
             metric = \"roc_auc\"\nmin = 0.6\n",
            crate::fixture::BASE_CONFIG
        ),
    );
    crate::trust28::first_gate(&f)
}

// F3. A test file of 300 negatives and one positive repeated 10 times
// (ids renumbered) gave GO at ROC AUC 0.98: the 10-per-class minimum
// counted copies. Copies of a row are one observation.
#[test]
fn a_class_of_copies_of_one_row_is_too_few_to_judge() {
    for (distinct, times) in [(1, 10), (5, 6)] {
        let (code, status, message) = judged_on_copies(distinct, times);
        assert_eq!((code, status.as_str()), (1, "inconclusive"), "{message}");
        assert!(
            message.contains(&format!("but only {distinct} and 300 distinct rows")),
            "{message}"
        );
    }
    // Control: ten distinct positives are judged.
    let (code, status, message) = judged_on_copies(10, 1);
    assert!(!message.contains("too few"), "{message}");
    assert_eq!((code, status.as_str()), (0, "pass"), "{message}");
}
