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
        assert_eq!(code, 0, "{case}: {err} {}", r["gates"]);
        assert_eq!(crate::fixture::gate(&r, "auc")["status"], "pass", "{case}");
        let notes = r["notes"].to_string();
        assert!(!notes.contains("match a training row"), "{case}: {notes}");
    }
}
