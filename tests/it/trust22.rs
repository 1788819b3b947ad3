//! Round 22 of the adversarial trial: a file whose rows are all copied with
//! a column or two changed, and a class oversampled with numbers jittered,
//! split at random.
use crate::fixture::{Fixture, Lcg};
use crate::trust3::run;

/// The shipped telco rows (header, rows) and the columns the model reads:
/// every column but rownames, churn (the target) and the protected two.
fn telco() -> (String, Vec<Vec<String>>) {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/examples/churn/telco_churn.csv"
    );
    let text = std::fs::read_to_string(path).unwrap();
    let mut lines = text.lines();
    let header = lines.next().unwrap_or_default().to_string();
    let rows = lines
        .map(|l| l.split(',').map(String::from).collect())
        .collect();
    (header, rows)
}

/// Columns of telco_churn.csv a copy may change (the features).
const FEATURES: [usize; 17] = [4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20];

/// `cell` changed as a careless copy changes it: a number moved by one
/// (or, for the amounts, by 2% and one), a word upper-cased.
fn changed(cell: &str) -> String {
    if let Ok(v) = cell.parse::<i64>() {
        return (v + 1).to_string();
    }
    if let Ok(v) = cell.parse::<f64>() {
        return format!("{:.2}", v * 1.02 + 1.0);
    }
    cell.to_uppercase()
}

/// `rows` in an order drawn by `seed`, under `header`, as a CSV file.
fn shuffled(header: &str, mut rows: Vec<Vec<String>>, seed: u64) -> String {
    let mut r = Lcg::new(seed);
    for i in (1..rows.len()).rev() {
        let j = (r.next_f64() * (i + 1) as f64) as usize;
        rows.swap(i, j.min(i));
    }
    let mut out = header.to_string();
    for row in rows {
        out.push('\n');
        out.push_str(&row.join(","));
    }
    out.push('\n');
    out
}

fn split_config(f: &Fixture) {
    f.write(
        "gates.toml",
        "[data]\npath = \"data.csv\"\ntarget = \"churn\"\npositive = \"Yes\"\n\
         drop = [\"rownames\"]\nprotected = [\"female\", \"senior_citizen\"]\n\
         test_fraction = 0.25\nseed = 3\n\n[model]\nkind = \"random_forest\"\n\n\
         [[gate]]\nname = \"auc\"\nkind = \"metric\"\nmetric = \"roc_auc\"\nmin = 0.55\n",
    );
}

// Round 22, F2. Every row of the file twice, the copy with one or two
// columns changed (which ones varies from row to row), split at random:
// the test rows are near copies of training rows, yet training rows are
// near each other as often, which had looked like data that is near
// anyway. Their near classes are pairs far beyond what fresh data gives.
// The shipped rows as they are still pass.
#[test]
fn a_file_of_every_row_twice_with_columns_changed_is_no_evidence() {
    let (header, rows) = telco();
    let f = Fixture::new("");
    split_config(&f);
    f.write("data.csv", &shuffled(&header, rows.clone(), 5));
    let (code, out, err) = run(&f, &["check"]);
    assert_eq!(code, 0, "the shipped rows: {out}{err}");
    let mut r = Lcg::new(11);
    let mut twice = rows.clone();
    for (i, row) in rows.iter().enumerate() {
        let mut copy = row.clone();
        copy[0] = format!("{}", 100_000 + i);
        let n = 1 + usize::from(r.next_f64() < 0.5);
        for _ in 0..n {
            let j = FEATURES[(r.next_f64() * FEATURES.len() as f64) as usize % FEATURES.len()];
            copy[j] = changed(&copy[j]);
        }
        twice.push(copy);
    }
    f.write("data.csv", &shuffled(&header, twice, 5));
    crate::trust6::assert_inconclusive(&f, "every row twice, a column or two changed");
}

// Round 22, F3. The positives oversampled before the split, each copy with
// monthly_charges and total_charges jittered by up to 2%: the positives'
// near classes are pairs far beyond what fresh data gives, and the copies
// drawn into the test rows are no evidence.
#[test]
fn positives_oversampled_with_jittered_numbers_are_no_evidence() {
    let (header, rows) = telco();
    let f = Fixture::new("");
    split_config(&f);
    let mut r = Lcg::new(13);
    let mut over = rows.clone();
    for (i, row) in rows.iter().enumerate() {
        if row[1] != "Yes" {
            continue;
        }
        let mut copy = row.clone();
        copy[0] = format!("{}", 100_000 + i);
        for c in &mut copy[19..21] {
            if let Ok(v) = c.parse::<f64>() {
                *c = format!("{:.2}", v * (1.0 + 0.04 * (r.next_f64() - 0.5)));
            }
        }
        over.push(copy);
    }
    f.write("data.csv", &shuffled(&header, over, 7));
    crate::trust6::assert_inconclusive(&f, "positives oversampled, two numbers jittered");
}

pub(crate) fn lr_split_config(f: &Fixture, target: &str) {
    f.write(
        "gates.toml",
        &format!(
            "[data]\npath = \"data.csv\"\ntarget = \"{target}\"\npositive = \"1\"\n\n\
             [model]\nkind = \"logistic_regression\"\n\n[[gate]]\nname = \"auc\"\n\
             kind = \"metric\"\nmetric = \"roc_auc\"\nmin = 0.55\n"
        ),
    );
}

/// Checks that `f` passes with no note calling test rows training rows.
pub(crate) fn passes_as_evidence(f: &Fixture, case: &str) {
    let (code, out, err) = run(f, &["check"]);
    assert_eq!(code, 0, "{case}: {out}{err}");
    let r = f.report();
    let notes = r["notes"].to_string();
    assert!(!notes.contains("training row"), "{case}: {notes}");
}

/// A matched case-control study of `sets` matched sets, seeded: each case
/// (y = 1) beside `controls` controls (y = 0) with the same age, sex,
/// region, clinic and income, differing only in their measured exposures
/// (bmi, sbp).
fn case_control(sets: usize, controls: usize, seed: u64) -> String {
    let mut r = Lcg::new(seed);
    let mut s = String::from("age,sex,region,clinic,income,y,bmi,sbp\n");
    for _ in 0..sets {
        let age = 20 + (r.next_f64() * 60.0) as u32;
        let sex = if r.next_f64() < 0.5 { "F" } else { "M" };
        let region = (r.next_f64() * 10.0) as u32;
        let clinic = (r.next_f64() * 30.0) as u32;
        let income = (15_000.0 + r.next_f64() * 60_000.0).round();
        for y in std::iter::once(1).chain(std::iter::repeat_n(0, controls)) {
            let bmi = 22.0 + 6.0 * r.next_f64() + 1.5 * f64::from(y);
            let sbp = (115.0 + 40.0 * r.next_f64() + 8.0 * f64::from(y)).round();
            s += &format!("{age},{sex},r{region},c{clinic},{income},{y},{bmi:.1},{sbp}\n");
        }
    }
    s
}

// Round 23, F1. A matched case-control study: each case (1) beside a
// control (0) with the same age, sex, region, clinic and income, the two
// differing only in their measured exposures. Split at random, each
// pair's training row carries the other label, so nothing leaks; the
// pairs' labels disagree, and the near classes are new observations.
#[test]
fn matched_case_control_pairs_split_at_random_are_evidence() {
    let s = case_control(1500, 1, 23);
    let f = Fixture::new("");
    f.write("data.csv", &s);
    lr_split_config(&f, "y");
    passes_as_evidence(&f, "matched case-control pairs");
}

// Round 23, F3. Fresh rows of four three-level codes and one amount: three
// codes fix one of 27 cells, so every row is near many others. Near counts
// in such dense data (a third of the features with few values) are not
// looked at, and the data is not taken for copies.
#[test]
fn fresh_rows_of_a_few_codes_and_an_amount_are_evidence() {
    let mut r = Lcg::new(29);
    let mut s = String::from("c0,c1,c2,c3,amt,y\n");
    let level = |u: f64| ["a", "b", "c"][((u * 3.0) as usize).min(2)];
    for _ in 0..6000 {
        let c: Vec<&str> = (0..4).map(|_| level(r.next_f64())).collect();
        let amt = (3.0 * r.next_f64()).exp() * 10.0;
        let z = 1.2 * f64::from(u8::from(c[0] == "a")) + 0.02 * amt - 1.5;
        let y = u8::from(r.next_f64() < 1.0 / (1.0 + (-z).exp()));
        s += &format!("{},{},{},{},{amt:.2},{y}\n", c[0], c[1], c[2], c[3]);
    }
    let f = Fixture::new("");
    f.write("data.csv", &s);
    lr_split_config(&f, "y");
    passes_as_evidence(&f, "few codes and an amount");
}

// Round 23, F1 with 1:2 matching: one case and two controls sharing the
// matching columns. A test control whose case also fell among the test
// rows meets the other control, of its own label: the test rows agree
// with their nearest as often as near training rows do, not as copies.
#[test]
fn one_case_with_two_matched_controls_split_at_random_is_evidence() {
    let s = case_control(1000, 2, 31);
    let f = Fixture::new("");
    f.write("data.csv", &s);
    lr_split_config(&f, "y");
    passes_as_evidence(&f, "one case, two matched controls");
}
