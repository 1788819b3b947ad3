//! Round 29 of the adversarial trial: `predict` on values the model cannot
//! read.
use crate::fixture::{dataset, Fixture, Lcg};
use crate::trust3::run;

/// A fixture whose model (trained by `check`) reads `dataset`'s columns
/// plus a 0/1 `flag`.
fn trained_with_flag() -> Fixture {
    let f = Fixture::new("");
    let data: String = dataset(600, 1, 0.0)
        .lines()
        .enumerate()
        .map(|(i, l)| match i {
            0 => format!("{l},flag\n"),
            i => format!("{l},{}\n", u8::from(i % 4 == 0)),
        })
        .collect();
    f.write("data.csv", &data);
    assert_eq!(run(&f, &["check"]).0, 0);
    f
}

fn predict(f: &Fixture, file: &str) -> (i32, String, String) {
    run(
        f,
        &["predict", "--model", "release-gate-out", "--data", file],
    )
}

// F3. Infinite numbers were scored silently: a logistic score of exactly
// 0.0 and a contribution of -inf, where `check` reports rule `finite`.
#[test]
fn predict_refuses_infinite_numbers_naming_the_column_and_row() {
    let f = trained_with_flag();
    let data = dataset(50, 5, 0.0);
    for cell in ["inf", "-inf", "1e309"] {
        let bad: String = data
            .lines()
            .enumerate()
            .map(|(i, l)| {
                let mut c: Vec<&str> = l.split(',').collect();
                if i == 4 {
                    c[2] = cell;
                }
                format!("{},{}\n", c.join(","), if i == 0 { "flag" } else { "0" })
            })
            .collect();
        f.write("inf.csv", &bad);
        let (code, out, err) = predict(&f, "inf.csv");
        assert_eq!(code, 2, "{cell}: {out}{err}");
        assert!(out.is_empty(), "{out}");
        assert!(
            err.contains("column \"income\" holds 1 infinite value") && err.contains("at row 3"),
            "{cell}: {err}"
        );
    }
}

// F5. A Parquet boolean where the model learned a count (0 to 72) was
// read as 0/1 and scored without a word; a boolean for a 0/1 flag is
// fine.
#[test]
fn predict_refuses_booleans_for_a_number_beyond_0_and_1() {
    let f = trained_with_flag();
    let fixtures = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    for name in ["bool_age.parquet", "bool_flag.parquet"] {
        std::fs::copy(fixtures.join(name), f.path(name)).expect("copy fixture");
    }
    let (code, out, err) = predict(&f, "bool_age.parquet");
    assert_eq!(code, 2, "{out}{err}");
    assert!(
        err.contains("column \"age\" holds booleans but the model was trained on numbers"),
        "{err}"
    );
    let (code, out, err) = predict(&f, "bool_flag.parquet");
    assert_eq!(code, 0, "{err}");
    assert_eq!(out.lines().count(), 201, "{out}");
}

/// `dataset(600, 1, 0.0)` with columns `status_0` to `status_2`: row `i`
/// holds `closed` (positives) or `open` in `status_{i % 3}` when
/// `filled(i)`, the other two blank.
fn with_regions(filled: impl Fn(usize) -> bool) -> String {
    regions(600, filled, |_, yes| {
        if yes { "closed" } else { "open" }.to_string()
    })
}

/// `dataset(n, 1, 0.0)` with columns `status_0` to `status_2`: row `i`
/// holds `status(i, positive)` in `status_{i % 3}` when `filled(i)`, the
/// other two blank.
fn regions(
    n: usize,
    filled: impl Fn(usize) -> bool,
    status: impl Fn(usize, bool) -> String,
) -> String {
    dataset(n, 1, 0.0)
        .lines()
        .enumerate()
        .map(|(i, line)| {
            let status = status(i, line.ends_with(",yes"));
            let cells: Vec<&str> = (0..3)
                .map(|c| match i {
                    0 => ["status_0", "status_1", "status_2"][c],
                    i if filled(i) && i % 3 == c => status.as_str(),
                    _ => "",
                })
                .collect();
            format!("{},{line}\n", cells.join(","))
        })
        .collect()
}

// Round 30, F1. The same with each column holding a hundred or more codes
// (`closed-017`, `open-042`), a few rows each, gave GO: more than 50
// values were never judged. Against chance, a few rows per code holding
// one class each time is the label.
#[test]
fn a_label_spread_over_mostly_empty_columns_of_many_codes_is_no_evidence() {
    for per_class in [60, 150] {
        let data = regions(
            1500,
            |_| true,
            |i, yes| {
                format!(
                    "{}-{:03}",
                    if yes { "closed" } else { "open" },
                    (i / 3) % per_class
                )
            },
        );
        let (code, status, message) = crate::trust28::auc_gate(&data);
        assert_eq!(
            (code, status.as_str()),
            (1, "inconclusive"),
            "{per_class}: {message}"
        );
        assert!(
            message.contains("the label spread over columns"),
            "{message}"
        );
    }
    // Control: as many codes, drawn independently of the class, are no
    // label; the gate judges.
    let data = regions(
        1500,
        |_| true,
        |i, _| format!("code-{:03}", (i * 7919 / 3) % 150),
    );
    let (code, status, message) = crate::trust28::auc_gate(&data);
    assert_eq!((code, status.as_str()), (0, "pass"), "{message}");
}

// F1. The label spread over three columns, each filled for one region
// (two thirds blank), gave GO at ROC AUC 1.0: no one column said the
// class on half the rows. Together they do.
#[test]
fn a_label_spread_over_mostly_empty_columns_is_no_evidence() {
    let (code, status, message) = crate::trust28::auc_gate(&with_regions(|_| true));
    assert_eq!(code, 1, "{message}");
    assert_eq!(status, "inconclusive", "{message}");
    assert!(
        message.contains("features \"status_0\", \"status_1\", \"status_2\" are each empty")
            && message.contains("the label spread over columns"),
        "{message}"
    );
    // Control: filled on a third of the rows only, the label is no more
    // than a strong hint there; the gate judges.
    let (code, status, message) = crate::trust28::auc_gate(&with_regions(|i| i % 9 < 3));
    assert_eq!((code, status.as_str()), (0, "pass"), "{message}");
}

/// Credit-like applicants, seeded: 13 features whose every third one from
/// `home` (`home`, `marital`, `expenses`, `debt`) is a few-level code,
/// the others mostly many-valued numbers, and a label `y` drawn from them.
/// With `oversample`, every positive is appended once more with its
/// `seniority` and `home` re-drawn, and the rows are shuffled.
fn applicants(n: usize, oversample: bool) -> String {
    let mut r = Lcg::new(41);
    // One of `levels`, by `weights`.
    fn pick(r: &mut Lcg, levels: &[&'static str], weights: &[f64]) -> &'static str {
        let mut u = r.next_f64() * weights.iter().sum::<f64>();
        for (l, w) in levels.iter().zip(weights) {
            if u < *w {
                return l;
            }
            u -= w;
        }
        levels[levels.len() - 1]
    }
    let mut rows: Vec<(Vec<String>, u8)> = Vec::new();
    let homes = ["owner", "rent", "parents", "priv", "other", "ignore"];
    let home_w = [0.47, 0.22, 0.18, 0.06, 0.05, 0.02];
    for _ in 0..n {
        let home = pick(&mut r, &homes, &home_w);
        let marital = pick(
            &mut r,
            &["married", "single", "separated", "widow", "divorced"],
            &[0.73, 0.22, 0.03, 0.01, 0.01],
        );
        let expenses = pick(
            &mut r,
            &["35", "45", "60", "75", "90"],
            &[0.4, 0.25, 0.15, 0.12, 0.08],
        );
        let debt = pick(&mut r, &["0", "0", "500", "1500"], &[0.5, 0.38, 0.07, 0.05]);
        let job = pick(
            &mut r,
            &["fixed", "partime", "freelance", "others"],
            &[0.63, 0.1, 0.23, 0.04],
        );
        let records = pick(&mut r, &["no", "yes"], &[0.83, 0.17]);
        let mut u = || r.next_f64();
        let seniority = (u() * u() * 40.0) as u32;
        let time = [12, 24, 36, 48, 60][(u() * 5.0) as usize % 5];
        let age = 18 + (u() * 50.0) as u32;
        let income = 50 + (u() * 250.0) as u32;
        let assets = if u() < 0.4 {
            0
        } else {
            (u() * 20_000.0) as u32
        };
        let amount = 100 + (u() * 4900.0) as u32;
        let price = amount + (u() * 3000.0) as u32;
        let z = -1.2 - 0.06 * f64::from(seniority)
            + 1.4 * f64::from(u8::from(records == "yes"))
            + if job == "partime" { 1.0 } else { 0.0 }
            + if home == "rent" { 0.5 } else { 0.0 }
            + 0.0004 * f64::from(amount)
            - 0.006 * f64::from(income);
        let y = u8::from(u() < 1.0 / (1.0 + (-z).exp()));
        let cells = [
            seniority.to_string(),
            home.into(),
            time.to_string(),
            age.to_string(),
            marital.into(),
            records.into(),
            job.into(),
            expenses.into(),
            income.to_string(),
            assets.to_string(),
            debt.into(),
            amount.to_string(),
            price.to_string(),
        ];
        rows.push((cells.to_vec(), y));
    }
    if oversample {
        let copies: Vec<(Vec<String>, u8)> =
            rows.iter().filter(|(_, y)| *y == 1).cloned().collect();
        for (mut cells, y) in copies {
            cells[0] = ((r.next_f64() * r.next_f64() * 40.0) as u32).to_string();
            cells[1] = pick(&mut r, &homes, &home_w).to_string();
            rows.push((cells, y));
        }
        // A seeded shuffle (Fisher-Yates).
        for i in (1..rows.len()).rev() {
            let j = (r.next_f64() * (i + 1) as f64) as usize % (i + 1);
            rows.swap(i, j);
        }
    }
    let mut s = String::from(
        "seniority,home,time,age,marital,records,job,expenses,income,assets,debt,amount,price,y\n",
    );
    for (cells, y) in rows {
        s += &format!("{},{y}\n", cells.join(","));
    }
    s
}

// F2. The positives of credit-like data oversampled before the split,
// each copy's `seniority` (an integer) and `home` re-drawn, gave GO: the
// near-copy check did not count the near rows of training rows whose
// codes (`home`, `marital`, `expenses`, `debt`) hundreds of rows share,
// so the copies' classes of two never showed.
#[test]
fn positives_oversampled_with_two_columns_re_drawn_are_no_evidence() {
    let f = Fixture::new("");
    f.write("data.csv", &applicants(4000, true));
    crate::trust22::lr_split_config(&f, "y");
    let (code, out, err) = run(&f, &["check"]);
    assert_eq!(code, 1, "{out}{err}");
    let gate = &f.report()["gates"][0];
    assert_eq!(gate["status"], "inconclusive", "{gate}");
    assert!(
        gate["message"]
            .as_str()
            .is_some_and(|m| m.contains("of the test rows are training rows")),
        "{gate}"
    );
    // Control: the same applicants without copies are evidence.
    f.write("data.csv", &applicants(4000, false));
    crate::trust22::passes_as_evidence(&f, "credit-like applicants");
}

// Round 30, F3. One absurd number in every row (an income of 5000 where
// training saw 20 to 100) was scored without a word: the rules for other
// units need many values. It now warns, naming the column.
#[test]
fn predict_warns_of_numbers_far_outside_the_training_range() {
    let f = trained_with_flag();
    let data: String = dataset(200, 5, 0.0)
        .lines()
        .enumerate()
        .map(|(i, l)| {
            let mut c: Vec<&str> = l.split(',').collect();
            if i > 0 {
                c[2] = "5000";
            }
            format!("{},{}\n", c.join(","), if i == 0 { "flag" } else { "0" })
        })
        .collect();
    f.write("absurd.csv", &data);
    let (code, out, err) = predict(&f, "absurd.csv");
    assert_eq!(code, 0, "{err}");
    assert_eq!(out.lines().count(), 201, "{out}");
    assert!(
        err.contains("warning")
            && err.contains("100% of the present \"income\" values lie far outside")
            && err.contains("scores them anyway"),
        "{err}"
    );
}
