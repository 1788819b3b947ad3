//! Round 10 of the adversarial trial, T1-T3: training rows copied by
//! drawing with replacement (a bootstrap, a class oversampled with
//! `resample`, a join fanning out) or copied with only a protected
//! attribute changed (counterfactual augmentation) repeat the way a sample
//! of discrete data does, and raised chance to the copy rate. A continuous
//! feature tells the two apart: its exact values do not repeat by chance.
use crate::fixture::{Fixture, Lcg};
use crate::trust3::run;
use crate::trust6::{assert_inconclusive, float_data, overlap_config};

/// The data lines of `float_data(0..n)`.
fn lines(n: usize) -> Vec<String> {
    float_data(0..n, |x| format!("{x}"))
        .lines()
        .skip(1)
        .map(String::from)
        .collect()
}

const HEADER: &str = "id,x,tier,group,label\n";

/// `count` rows drawn with replacement from `rows`, renumbered from `first_id`.
fn drawn(rows: &[String], count: usize, first_id: usize, seed: u64) -> String {
    let mut r = Lcg::new(seed);
    (0..count)
        .map(|i| {
            let pick = &rows[(r.next_f64() * rows.len() as f64) as usize % rows.len()];
            let rest = pick.split_once(',').map_or("", |(_, rest)| rest);
            format!("{},{rest}\n", first_id + i)
        })
        .collect()
}

/// `drawn` with each `x` moved by up to `noise` of itself (a smoothed
/// bootstrap; 6e-8 is what a float32 round trip does).
fn drawn_noisy(rows: &[String], count: usize, seed: u64, noise: f64) -> String {
    let mut r = Lcg::new(seed ^ 0x5eed);
    drawn(rows, count, 0, seed)
        .lines()
        .map(|l| {
            let f: Vec<&str> = l.split(',').collect();
            let x: f64 = f[1].parse().unwrap_or(0.0);
            let moved = x * (1.0 + noise * (2.0 * r.next_f64() - 1.0));
            format!("{},{moved},{}\n", f[0], f[2..].join(","))
        })
        .collect()
}

/// `rows` again with the group flipped and ids from `first_id` on.
fn flipped(rows: &[String], first_id: usize) -> String {
    rows.iter()
        .enumerate()
        .map(|(i, l)| {
            let rest = l.split_once(',').map_or("", |(_, rest)| rest);
            let rest = if rest.contains(",g1,") {
                rest.replace(",g1,", ",g2,")
            } else {
                rest.replace(",g2,", ",g1,")
            };
            format!("{},{rest}\n", first_id + i)
        })
        .collect()
}

fn joined(rows: &[String]) -> String {
    rows.iter().map(|l| format!("{l}\n")).collect()
}

// T1 and T3: the training file is the original rows drawn with
// replacement, or the original rows plus a copy with the group flipped;
// the test file is the original rows, or half of them beside fresh rows.
#[test]
fn copies_drawn_with_replacement_or_with_a_flipped_attribute_are_training_rows() {
    let original = lines(800);
    let minority: Vec<String> = original
        .iter()
        .filter(|l| l.ends_with(",no"))
        .cloned()
        .collect();
    let cases = [
        ("bootstrap", drawn(&original, 800, 0, 3)),
        ("bootstrap twice the size", drawn(&original, 1600, 0, 5)),
        (
            "class oversampled with replacement",
            format!("{}{}", joined(&original), drawn(&minority, 400, 800, 7)),
        ),
        (
            "protected attribute flipped",
            format!("{}{}", joined(&original), flipped(&original, 800)),
        ),
        // Round 12, V1: copies that differ below the sixth digit.
        (
            "bootstrap with noise",
            drawn_noisy(&original, 800, 17, 1e-7),
        ),
        (
            "bootstrap through float32",
            drawn_noisy(&original, 800, 19, 6e-8),
        ),
    ];
    let fresh = lines(1200).split_off(800);
    let half = format!("{}{}", joined(&original[..200]), joined(&fresh[..200]));
    for (case, training) in cases {
        for (test_case, test) in [("the originals", joined(&original)), ("half", half.clone())] {
            let f = Fixture::new("");
            f.write("data.csv", &format!("{HEADER}{training}"));
            f.write("test.csv", &format!("{HEADER}{test}"));
            overlap_config(&f, Some("test.csv"));
            assert_inconclusive(&f, &format!("{case}, test {test_case}"));
        }
    }
}

// T2: one file oversampled with replacement before the split.
#[test]
fn a_file_oversampled_with_replacement_cannot_pass_on_its_own_split() {
    let original = lines(800);
    for (case, data) in [
        ("bootstrap", drawn(&original, 1600, 0, 11)),
        (
            "protected attribute flipped",
            format!("{}{}", joined(&original), flipped(&original, 800)),
        ),
    ] {
        let f = Fixture::new("");
        f.write("data.csv", &format!("{HEADER}{data}"));
        overlap_config(&f, None);
        let r = assert_inconclusive(&f, case);
        assert!(r["notes"].to_string().contains("repeats rows"), "{case}");
    }
}

// Controls: training rows oversampled with replacement (a legitimate step
// on the training side) against a fresh test file; and continuous data of
// one feature and a tier, whose keys collide by rounding often, judged on
// fresh rows. Neither is a copy.
#[test]
fn oversampled_training_rows_against_fresh_rows_are_judged() {
    let original = lines(800);
    let fresh = joined(&lines(1200).split_off(800));
    let coarse: String = (0..3000)
        .map(|i| {
            let mut r = Lcg::new(i as u64 * 31 + 5);
            let x = r.next_f64() * 5.0;
            let tier = ["a", "b"][(r.next_f64() * 2.0) as usize % 2];
            let group = if r.next_f64() < 0.5 { "g1" } else { "g2" };
            let label = if r.next_f64() < x / 5.0 { "yes" } else { "no" };
            format!("{i},{x},{tier},{group},{label}\n")
        })
        .collect();
    let (coarse_train, coarse_test) = coarse.split_at(
        coarse
            .match_indices('\n')
            .nth(1999)
            .map_or(0, |(i, _)| i + 1),
    );
    for (case, training, test) in [
        ("bootstrap", drawn(&original, 1600, 0, 13), fresh.clone()),
        (
            "coarse keys",
            coarse_train.to_string(),
            coarse_test.to_string(),
        ),
    ] {
        let f = Fixture::new("");
        f.write("data.csv", &format!("{HEADER}{training}"));
        f.write("test.csv", &format!("{HEADER}{test}"));
        overlap_config(&f, Some("test.csv"));
        let (code, _, err) = run(&f, &["check"]);
        let r = f.report();
        assert_eq!(code, 0, "{case}: {err} {} {}", r["gates"], r["notes"]);
        assert_eq!(crate::fixture::gate(&r, "auc")["status"], "pass", "{case}");
        let notes = r["notes"].to_string();
        assert!(!notes.contains("match a training row"), "{case}: {notes}");
    }
}

/// Churn-like rows: three discrete columns (30 combinations) and
/// `overage`, 0.00 on 60% of the rows and dollars and cents otherwise
/// (after round 12's mkf6.py).
fn point_mass_data(rows: std::ops::Range<usize>, seed: u64) -> String {
    let mut r = Lcg::new(seed);
    let mut out = String::from("id,plan,band,support,overage,group,label\n");
    for i in rows {
        let plan = ["basic", "plus", "pro"][(r.next_f64() * 3.0) as usize % 3];
        let band = 1 + (r.next_f64() * 5.0) as usize % 5;
        let support = u8::from(r.next_f64() < 0.3);
        let overage = if r.next_f64() < 0.6 {
            0.0
        } else {
            (r.next_f64() * 50000.0).round() / 100.0
        };
        let group = if r.next_f64() < 0.5 { "g1" } else { "g2" };
        let z = overage / 200.0 - band as f64 / 2.0 + f64::from(support) + 0.5;
        let label = if r.next_f64() < 1.0 / (1.0 + (-z).exp()) {
            "yes"
        } else {
            "no"
        };
        out.push_str(&format!(
            "{i},{plan},{band},{support},{overage:.2},{group},{label}\n"
        ));
    }
    out
}

// Round 12, V4: a money column that is 0.00 on most rows made the zero
// rows' natural repeats look like copies, and an honest fresh test file of
// the same size was called training rows. A point mass is no continuity.
#[test]
fn a_point_mass_column_does_not_make_natural_repeats_copies() {
    let f = Fixture::new("");
    f.write("data.csv", &point_mass_data(0..2000, 61));
    f.write("test.csv", &point_mass_data(2000..4000, 67));
    overlap_config(&f, Some("test.csv"));
    let (code, _, err) = run(&f, &["check"]);
    let r = f.report();
    assert_eq!(code, 0, "{err} {}", r["gates"]);
    assert_eq!(crate::fixture::gate(&r, "auc")["status"], "pass");
    let notes = r["notes"].to_string();
    assert!(!notes.contains("match a training row"), "{notes}");
}
