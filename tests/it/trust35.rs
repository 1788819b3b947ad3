//! Round 35 of the adversarial trial: false alarms of round 33's and 34's
//! rules on honest data, and a date after the outcome written as text.
use crate::fixture::{Fixture, Lcg};
use crate::trust28::{auc_gate, first_gate};
use crate::trust32::with_column;
use std::fmt::Write as _;

/// `n` rows of twelve 0/1 products (held independently), a bill that is
/// their prices plus noise, and a churn drawn from a few of them.
fn products(n: usize, seed: u64) -> String {
    let held = [
        0.5, 0.4, 0.3, 0.25, 0.2, 0.15, 0.1, 0.1, 0.08, 0.05, 0.05, 0.03,
    ];
    let price = [
        20.0, 15.0, 10.0, 12.0, 8.0, 25.0, 30.0, 5.0, 7.0, 40.0, 9.0, 11.0,
    ];
    let mut r = Lcg::new(seed);
    let names: Vec<String> = (0..12).map(|i| format!("prod{i}")).collect();
    let mut out = format!("churn,{},bill\n", names.join(","));
    for _ in 0..n {
        let flags: Vec<u8> = held.iter().map(|&p| u8::from(r.next_f64() < p)).collect();
        let bill: f64 = flags
            .iter()
            .zip(price)
            .map(|(&f, p)| f64::from(f) * p)
            .sum::<f64>()
            + 10.0
            + 2.0 * crate::trust26::normal(&mut r);
        let z = -3.2 + 1.2 * f64::from(flags[0]) - 0.8 * f64::from(flags[1])
            + 0.9 * f64::from(flags[5])
            + 0.02 * bill;
        let yes = r.next_f64() < 1.0 / (1.0 + (-z).exp());
        let cells: Vec<String> = flags.iter().map(u8::to_string).collect();
        let _ = writeln!(
            out,
            "{},{},{bill:.2}",
            if yes { "Yes" } else { "No" },
            cells.join(",")
        );
    }
    out
}

// F1. Fresh rows of a dozen 0/1 products and a bill that follows them
// share every column but one or two with one another by nature; with
// `min_test_rows = 1000` (100 rows of each class needed) their 200
// positives counted as 67 distinct rows: inconclusive, on data without
// a copy. Groupings count only where the class's training rows
// spread into at least twice as many groups.
#[test]
fn fresh_rows_of_a_few_products_are_not_copies() {
    let fresh = products(20_000, 2);
    let mut lines = fresh.lines();
    let header = lines.next().unwrap_or_default();
    let rows: Vec<&str> = lines.collect();
    let of = |label: &str, n: usize| -> Vec<&str> {
        rows.iter()
            .filter(|l| l.starts_with(label))
            .take(n)
            .copied()
            .collect()
    };
    let test: Vec<&str> = of("No,", 1000).into_iter().chain(of("Yes,", 200)).collect();
    let f = Fixture::new("");
    f.write("data.csv", &products(6000, 1));
    f.write("test.csv", &format!("{header}\n{}\n", test.join("\n")));
    f.write(
        "gates.toml",
        "[data]\npath = \"data.csv\"\ntest_path = \"test.csv\"\ntarget = \"churn\"\n\
         positive = \"Yes\"\nmin_test_rows = 1000\n\n[model]\nkind = \"logistic_regression\"\n\n\
         [[gate]]\nname = \"auc\"\nkind = \"metric\"\nmetric = \"roc_auc\"\nmin = 0.6\n",
    );
    let (code, status, message) = first_gate(&f);
    assert_eq!((code, status.as_str()), (0, "pass"), "{message}");
}

// F2. The telco data with churn on the one- and two-year contracts held
// at 1.5% of those rows: `contract` was "the label" (Month-to-month as
// "not filled", the rest one class but 1.5% strays). Values standing for
// "not filled", and a number cut once, now allow strays of at most 0.5%
// of the rows (and 2% of chance).
#[test]
fn a_strong_level_with_a_few_percent_of_the_other_class_is_a_feature() {
    let (header, rows) = crate::trust18::telco();
    let long: Vec<bool> = rows
        .iter()
        .map(|l| !l.contains(",Month-to-month,"))
        .collect();
    let keep = long.iter().filter(|&&l| l).count() * 15 / 1000;
    let mut kept = 0;
    let mut data = format!("{header}\n");
    for (line, long) in rows.iter().zip(long) {
        let churned = line.split(',').nth(1) == Some("Yes");
        if long && churned {
            kept += 1;
            if kept > keep {
                data.push_str(&line.replacen(",Yes,", ",No,", 1));
                data.push('\n');
                continue;
            }
        }
        data.push_str(line);
        data.push('\n');
    }
    let f = Fixture::new("");
    f.write("data.csv", &data);
    f.write(
        "gates.toml",
        "[data]\npath = \"data.csv\"\ntarget = \"churn\"\npositive = \"Yes\"\n\
         drop = [\"rownames\"]\n\n[model]\nkind = \"logistic_regression\"\n\n\
         [[gate]]\nname = \"auc\"\nkind = \"metric\"\nmetric = \"roc_auc\"\nmin = 0.6\n",
    );
    let (code, status, message) = first_gate(&f);
    assert_eq!((code, status.as_str()), (0, "pass"), "{message}");
}

// Round 34 caught a payment date after the outcome written as text only
// by chance (its three commonest dates read as "not filled"); round 35's
// stricter reading let it pass at ROC AUC 1.0. Text is now cut in its
// order as text too: ISO dates in time order.
#[test]
fn a_date_after_the_outcome_written_as_text_is_the_label() {
    let mut r = Lcg::new(39);
    let data = with_column("paid", |_, yes| {
        let d = r.next_f64();
        if yes {
            format!(
                "2024-0{}-{:02}",
                1 + (d * 5.0) as u32,
                1 + (d * 997.0) as u32 % 28
            )
        } else {
            format!("2024-06-{}", 25 + (d * 6.0) as u32)
        }
    });
    let (code, status, message) = auc_gate(&data);
    assert_eq!((code, status.as_str()), (1, "inconclusive"), "{message}");
    assert!(
        message.contains("feature \"paid\" holds one class at or below 2024-05-"),
        "{message}"
    );
}

// F3. `churn = 40 < x < 60` with `x` uniform on 0-100: GO at ROC AUC
// 0.9999 with notes only, as one cut cannot split the classes. Two cuts
// that leave one class in the band between them and the other on both
// sides are now the label re-spelled as a number too.
#[test]
fn a_class_in_a_middle_band_of_a_number_is_the_label() {
    let mut r = Lcg::new(351);
    let band = with_column("x", |_, yes| {
        let u = r.next_f64();
        let x = if yes {
            40.1 + 19.8 * u
        } else {
            let v = 80.0 * u;
            if v < 40.0 {
                v
            } else {
                v + 20.0
            }
        };
        format!("{x:.2}")
    });
    let (code, status, message) = auc_gate(&band);
    assert_eq!((code, status.as_str()), (1, "inconclusive"), "{message}");
    assert!(
        message.contains("feature \"x\" holds one class above 40 and at or below 59.86")
            && message.contains("and the other on both sides"),
        "{message}"
    );
    // Control: the positives are commoner in the middle, but both classes
    // are found everywhere: a strong feature, not the label.
    let mut r = Lcg::new(352);
    let honest = with_column("x", |_, yes| {
        let x = if yes {
            50.0 + 15.0 * crate::trust26::normal(&mut r)
        } else {
            100.0 * r.next_f64()
        };
        format!("{x:.2}")
    });
    let (code, status, message) = auc_gate(&honest);
    assert_eq!((code, status.as_str()), (0, "pass"), "{message}");
}

// F4. 150 copies of 8 churners with both charges moved by up to 50% (and
// ids renumbered) passed as 150 distinct positives: copies were one
// observation only when their numbers stayed within a few percent. A
// class whose rows fall, over the columns but the continuous numbers,
// into fewer groups than it needs, where its training rows (as many)
// fall into four times as many or more, now counts as those groups.
#[test]
fn copies_with_their_numbers_re_drawn_are_too_few_to_judge() {
    for nudge in [0.5, 0.9] {
        let (code, status, message) = crate::trust34::judged_on_redrawn_copies(8, 19, &[], nudge);
        assert_eq!((code, status.as_str()), (1, "inconclusive"), "{message}");
        assert!(message.contains("but only 8 and "), "{message}");
    }
    // Control: 150 fresh churners, their charges moved as much.
    let (code, status, message) = crate::trust34::judged_on_redrawn_copies(150, 1, &[], 0.5);
    assert_eq!((code, status.as_str()), (0, "pass"), "{message}");
}
