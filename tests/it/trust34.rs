//! Round 34 of the adversarial trial: the label as a number cut once, the
//! label as two columns together, and copies of one class with a column
//! re-drawn per copy.
use crate::fixture::{Fixture, Lcg};
use crate::trust28::{auc_gate, first_gate};
use crate::trust32::with_column;

// F4. Days since the last payment, 0-29 for every customer who stayed and
// 30 or more for every one who left, gave GO at ROC AUC 1.0 with a note
// only: each day holds one class, but there are more than 50 of them. One
// cut that leaves one class on each side (a few strays allowed) is now
// the label re-spelled as a number.
#[test]
fn a_number_that_one_cut_splits_into_the_classes_is_the_label() {
    let mut r = Lcg::new(34);
    let days = with_column("days", |_, yes| {
        let d = r.next_f64();
        if yes {
            format!("{}", 30 + (d * 370.0) as u32)
        } else {
            format!("{}", (d * 30.0) as u32)
        }
    });
    let (code, status, message) = auc_gate(&days);
    assert_eq!((code, status.as_str()), (1, "inconclusive"), "{message}");
    assert!(
        message.contains("feature \"days\" holds one class at or below 29 and the other above it"),
        "{message}"
    );
    // Control: a number higher for one class, the classes overlapping,
    // is a strong feature.
    let mut r = Lcg::new(35);
    let strong = with_column("days", |_, yes| {
        let shift = if yes { 12.0 } else { 0.0 };
        format!("{:.1}", shift + 30.0 * r.next_f64())
    });
    let (code, status, message) = auc_gate(&strong);
    assert_eq!((code, status.as_str()), (0, "pass"), "{message}");
}

// F1. A region code drawn at random and a billing flag that is the label
// exclusive-or the region: each column alone is independent of the
// label, together they are it. GO at ROC AUC 0.98, no note. Two columns
// of few values whose values together each hold one class are now the
// label.
#[test]
fn two_columns_that_say_the_class_only_together_are_the_label() {
    let mut r = Lcg::new(36);
    let xor = with_column("region,flag", |_, yes| {
        let north = r.next_f64() < 0.5;
        format!(
            "{},{}",
            if north { "N" } else { "S" },
            u8::from(north ^ yes)
        )
    });
    let (code, status, message) = auc_gate(&xor);
    assert_eq!((code, status.as_str()), (1, "inconclusive"), "{message}");
    assert!(
        message.contains("features \"region\" and \"flag\" have 4 values together"),
        "{message}"
    );
    // Control: the same two columns drawn apart from the label.
    let mut r = Lcg::new(37);
    let apart = with_column("region,flag", |_, _| {
        let north = r.next_f64() < 0.5;
        format!(
            "{},{}",
            if north { "N" } else { "S" },
            u8::from(r.next_f64() < 0.5)
        )
    });
    let (code, status, message) = auc_gate(&apart);
    assert_eq!((code, status.as_str()), (0, "pass"), "{message}");
}

/// `check` with the first 5,000 rows of the telco example as training
/// rows and a test file of 300 fresh stayers and `distinct` fresh
/// churners each copied `times` times (ids renumbered), columns `redrawn`
/// re-drawn per copy from the column's values, and both charges moved
/// by up to `nudge` of their value: the first gate's exit code, status
/// and message.
pub(crate) fn judged_on_redrawn_copies(
    distinct: usize,
    times: usize,
    redrawn: &[usize],
    nudge: f64,
) -> (i32, String, String) {
    let (header, rows) = crate::trust18::telco();
    let rows: Vec<&str> = rows.iter().map(String::as_str).collect();
    let (train, rest) = rows.split_at(5000);
    let of = |label: &str, n: usize| -> Vec<&str> {
        rest.iter()
            .filter(|l| l.split(',').nth(1) == Some(label))
            .take(n)
            .copied()
            .collect()
    };
    let values: Vec<Vec<&str>> = (0..21)
        .map(|c| {
            let mut v: Vec<&str> = rows.iter().filter_map(|l| l.split(',').nth(c)).collect();
            v.sort_unstable();
            v.dedup();
            v
        })
        .collect();
    let mut r = Lcg::new(38);
    let mut test = vec![header.clone()];
    let mut id = 100_000;
    let mut push = |mut cells: Vec<String>| {
        cells[0] = format!("{id}");
        id += 1;
        test.push(cells.join(","));
    };
    for line in of("No", 300) {
        push(line.split(',').map(String::from).collect());
    }
    for line in of("Yes", distinct) {
        for _ in 0..times {
            let mut cells: Vec<String> = line.split(',').map(String::from).collect();
            for &c in redrawn {
                let k = (r.next_f64() * values[c].len() as f64) as usize;
                cells[c] = values[c][k.min(values[c].len() - 1)].to_string();
            }
            // monthly_charges, total_charges
            for c in [19, 20].into_iter().filter(|_| nudge > 0.0) {
                if let Ok(x) = cells[c].parse::<f64>() {
                    let factor = 1.0 + nudge * (2.0 * r.next_f64() - 1.0);
                    cells[c] = format!("{:.2}", x * factor);
                }
            }
            push(cells);
        }
    }
    let f = Fixture::new("");
    f.write("data.csv", &format!("{header}\n{}\n", train.join("\n")));
    f.write("test.csv", &(test.join("\n") + "\n"));
    f.write(
        "gates.toml",
        "[data]\npath = \"data.csv\"\ntest_path = \"test.csv\"\ntarget = \"churn\"\n\
         positive = \"Yes\"\ndrop = [\"rownames\"]\n\n[model]\nkind = \"logistic_regression\"\n\n\
         [[gate]]\nname = \"auc\"\nkind = \"metric\"\nmetric = \"roc_auc\"\nmin = 0.6\n",
    );
    first_gate(&f)
}

// F2. Five churners each copied 12 times with the payment method (and
// the contract) re-drawn per copy counted as 60 distinct positives: GO.
// Copies were one observation only when they shared every column but the
// continuous numbers. Rows of one class sharing every column but one or
// two, numbers nudged or not, now count once where that leaves fewer
// distinct rows than a class needs.
#[test]
fn copies_of_a_class_with_a_column_re_drawn_are_too_few_to_judge() {
    // payment_method; payment_method and contract.
    for redrawn in [&[18][..], &[18, 16]] {
        let (code, status, message) = judged_on_redrawn_copies(5, 12, redrawn, 0.0);
        assert_eq!((code, status.as_str()), (1, "inconclusive"), "{message}");
        assert!(message.contains("but only 5 and "), "{message}");
    }
    // Control: 60 fresh churners, the payment method re-drawn.
    let (code, status, message) = judged_on_redrawn_copies(60, 1, &[18], 0.0);
    assert_eq!((code, status.as_str()), (0, "pass"), "{message}");
}

// F3. A filled column of 60 outcome codes (even ones for churners, odd
// ones for the rest, about 100 rows each) passed at ROC AUC 1.0: past 50
// values a filled column was never judged the label, since the ids of
// entities sharing an outcome are pure too. Codes of 20 training rows or
// more that the test rows hold again, covering 95% of each class, are now
// the label.
#[test]
fn sixty_outcome_codes_are_the_label() {
    let full = crate::fixture::dataset(6000, 5, 0.0);
    let mut lines = full.lines();
    let header = lines.next().unwrap_or_default();
    let mut data = format!("code,{header}\n");
    for (i, line) in lines.enumerate() {
        let yes = line.ends_with(",yes");
        // Even codes for churners, odd for the rest: no one cut of the
        // codes' order splits the classes.
        let code = if yes {
            format!("B{:03}", 2 * (i % 26))
        } else {
            format!("B{:03}", 2 * (i % 34) + 1)
        };
        data.push_str(&format!("{code},{line}\n"));
    }
    let (code, status, message) = auc_gate(&data);
    assert_eq!((code, status.as_str()), (1, "inconclusive"), "{message}");
    assert!(
        message.contains("feature \"code\" has 60 values and each holds one class"),
        "{message}"
    );
}
