//! Round 12 of the adversarial trial, V5: a copy of the training rows with
//! one column changed (a text column re-cased or re-coded, a number
//! rounded or shifted by one) no longer matches a training row whole, and
//! gave GO. It still matches on every other feature, which fresh rows do
//! only at the rate training rows match each other that way.
use crate::fixture::{dataset, gate, Fixture, Lcg};
use crate::trust3::run;
use crate::trust6::{assert_inconclusive, overlap_config};

/// `data` (a CSV with a header) with `column`'s cells passed through `change`.
pub fn changed(data: &str, column: &str, change: impl Fn(&str) -> String) -> String {
    let mut lines = data.lines();
    let header = lines.next().unwrap_or("");
    let at = header.split(',').position(|c| c == column);
    let mut out = format!("{header}\n");
    for line in lines {
        let cells: Vec<String> = line
            .split(',')
            .enumerate()
            .map(|(i, c)| {
                if Some(i) == at {
                    change(c)
                } else {
                    c.to_string()
                }
            })
            .collect();
        out.push_str(&cells.join(","));
        out.push('\n');
    }
    out
}

fn number(c: &str) -> f64 {
    c.parse().unwrap_or(f64::NAN)
}

fn notes(r: &serde_json::Value) -> String {
    r["notes"].to_string()
}

/// `n` rows of two continuous features and a text one: id, x, y, tier,
/// group (protected), label.
fn measured(n: usize, seed: u64) -> String {
    let mut r = Lcg::new(seed);
    let mut out = String::from("id,x,y,tier,group,label\n");
    for i in 0..n {
        let x = r.next_f64() * 100.0;
        let y = 20.0 + r.next_f64() * 50.0;
        let tier = ["basic", "plus", "pro"][(r.next_f64() * 3.0) as usize % 3];
        let group = if r.next_f64() < 0.5 { "g1" } else { "g2" };
        let p = 1.0 / (1.0 + (-(x - 50.0) / 12.0 + (y - 45.0) / 20.0).exp());
        let label = if r.next_f64() < p { "yes" } else { "no" };
        out.push_str(&format!("{i},{x},{y},{tier},{group},{label}\n"));
    }
    out
}

#[test]
fn a_copy_with_one_column_changed_is_still_the_training_data() {
    let f = Fixture::new("");
    type Change = fn(&str) -> String;
    let cases: [(&str, &str, &str, Change); 6] = [
        ("re-cased", "plain", "plan", |c| c.to_uppercase()),
        ("re-coded", "plain", "plan", |c| format!("P{}", c.len())),
        ("re-cased", "measured", "tier", |c| c.to_uppercase()),
        ("re-coded", "measured", "tier", |c| format!("T{}", c.len())),
        ("rounded to tens", "measured", "x", |c| {
            format!("{}", (number(c) / 10.0).round() * 10.0)
        }),
        ("shifted by one", "measured", "y", |c| {
            format!("{}", number(c) + 1.0)
        }),
    ];
    for (how, data, column, change) in cases {
        let train = match data {
            "plain" => dataset(800, 1, 0.0),
            _ => measured(800, 1),
        };
        f.write("data.csv", &train);
        overlap_config(&f, Some("test.csv"));
        f.write("test.csv", &changed(&train, column, change));
        let case = format!("{data}, {column} {how}");
        let r = assert_inconclusive(&f, &case);
        let n = notes(&r);
        assert!(
            n.contains(&format!("on every feature but {column}")),
            "{case}: {n}"
        );
        let g = gate(&r, "auc");
        assert!(
            g["message"]
                .to_string()
                .contains(&format!("every feature but {column} matches")),
            "{case}: {g}"
        );
    }
}

// Fresh rows from the same source match on all features but one only as
// often as training rows match each other: the gate judges.
#[test]
fn fresh_rows_that_share_all_but_one_value_by_chance_are_judged() {
    let f = Fixture::new("");
    f.write("data.csv", &dataset(800, 1, 0.0));
    overlap_config(&f, Some("test.csv"));
    for seed in [2, 5, 9] {
        f.write("test.csv", &dataset(400, seed, 0.0));
        judged(&f, seed);
    }
    f.write("data.csv", &measured(800, 1));
    for seed in [2, 5] {
        f.write("test.csv", &measured(400, seed));
        judged(&f, seed);
    }
}

/// `check` passes the AUC gate with no note of near copies.
fn judged(f: &Fixture, seed: u64) {
    let (code, _, err) = run(f, &["check"]);
    assert_eq!(code, 0, "seed {seed}: {err}");
    let r = f.report();
    assert_eq!(gate(&r, "auc")["status"], "pass", "seed {seed}");
    assert!(!notes(&r).contains("every feature but"), "{}", notes(&r));
}

// One file whose rows repeat with one column changed (augmented before the
// split): the split puts near copies among the test rows.
#[test]
fn a_file_that_repeats_rows_with_one_column_changed_is_deduplicated_first() {
    let f = Fixture::new("");
    for (data, column) in [("plain", "plan"), ("measured", "tier"), ("measured", "x")] {
        let rows = match data {
            "plain" => dataset(700, 3, 0.0),
            _ => measured(700, 3),
        };
        let copy = changed(&rows, column, |c| match number(c) {
            x if x.is_nan() => c.to_uppercase(),
            x => format!("{}", x + 1.0),
        });
        let mut all = rows.clone();
        all.extend(copy.lines().skip(1).map(|l| format!("{l}\n")));
        f.write("data.csv", &all);
        overlap_config(&f, None);
        let case = format!("{data}, {column}");
        let r = assert_inconclusive(&f, &case);
        let n = notes(&r);
        assert!(
            n.contains(&format!("repeats rows with only {column} changed")),
            "{case}: {n}"
        );
    }
}
