//! Round 36 of the adversarial trial: a constant column of large numbers.
use crate::fixture::{dataset, Fixture, BASE_CONFIG};
use crate::trust3::run;

/// `check` of `data` (logistic regression, an accuracy and a ROC AUC
/// gate): the exit code, the ROC AUC and the true positives.
fn judged(data: &str) -> (i32, f64, f64) {
    let f = Fixture::new("");
    f.write("data.csv", data);
    f.write(
        "gates.toml",
        &format!(
            "{BASE_CONFIG}\n[[gate]]\nkind = \"metric\"\nmetric = \"roc_auc\"\nmin = 0.7\n\
             \n[[gate]]\nkind = \"metric\"\nmetric = \"accuracy\"\nmin = 0.6\n"
        ),
    );
    let (code, out, err) = run(&f, &["check"]);
    let v = f.report();
    let auc = v["metrics"]["roc_auc"].as_f64();
    let tp = v["metrics"]["confusion"]["tp"].as_f64();
    match (auc, tp) {
        (Some(auc), Some(tp)) => (code, auc, tp),
        _ => panic!("no metrics: {out}{err}"),
    }
}

// F1. A column holding one large number in every row (a constant export
// batch id of 1e21, a 25-digit account number read as one float) wrecked
// logistic regression: its mean, summed in floating point, missed the
// value by a rounding step, so every row fed the solver a centred value
// of about 1e5 instead of 0. No row was predicted positive (NO-GO), or
// every score was equal (ROC AUC 0.5). A constant column is now centred
// exactly, and the model equals the one without it, as scikit-learn's
// does.
#[test]
fn a_constant_column_of_large_numbers_changes_nothing() {
    let data = dataset(2000, 5, 0.0);
    let baseline = judged(&data);
    assert_eq!(baseline.0, 0, "{baseline:?}");
    let with = |cell: &dyn Fn(usize) -> String| -> String {
        data.lines()
            .enumerate()
            .map(|(i, line)| match i {
                0 => format!("acct,{line}\n"),
                i => format!("{},{line}\n", cell(i)),
            })
            .collect()
    };
    for value in [
        "1e19",
        "1e21",
        "1e25",
        "1e30",
        "-1e20",
        "1e150",
        "123456789012345678901",
    ] {
        let got = judged(&with(&|_| value.to_string()));
        assert_eq!(got, baseline, "acct = {value}");
    }
    // 10^25 + row: distinct as text, one float.
    let got = judged(&with(&|i| format!("1{i:025}")));
    assert_eq!(got, baseline, "acct = 10^25 + row");
}
