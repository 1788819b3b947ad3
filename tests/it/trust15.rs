//! Round 15 of the adversarial trial: copies of training rows beyond the
//! first 200,000.
use crate::fixture::{Fixture, Lcg};
use crate::trust3::run;
use std::fmt::Write as _;

/// `n` rows of three continuous features (six decimals) and a label that
/// depends on them with noise.
fn continuous(n: usize, seed: u64) -> Vec<String> {
    let mut r = Lcg::new(seed);
    (0..n)
        .map(|_| {
            let x: Vec<f64> = (0..3).map(|_| r.next_f64() * 4.0 - 2.0).collect();
            let p = 1.0 / (1.0 + (-(x[0] - x[1])).exp());
            let label = if r.next_f64() < p { "yes" } else { "no" };
            format!("{:.6},{:.6},{:.6},{label}", x[0], x[1], x[2])
        })
        .collect()
}

fn csv(rows: &[&String]) -> String {
    let mut s = String::from("x0,x1,x2,label\n");
    for r in rows {
        let _ = writeln!(s, "{r}");
    }
    s
}

// F5. A model saves the hashes of 200,000 training rows; a test file of
// copies of the rows after them (the newest rows of a file sorted by
// time) went unseen. The run that trains the model counts matches over
// every training row, and the saved sample is spread over the file.
#[test]
fn copies_of_training_rows_beyond_the_first_200_000_are_caught() {
    let rows = continuous(250_000, 15);
    let f = Fixture::new("");
    f.write("data.csv", &csv(&rows.iter().collect::<Vec<_>>()));
    let late: Vec<&String> = rows[210_000..].iter().step_by(13).collect();
    f.write("late.csv", &csv(&late));
    let fresh = continuous(3_000, 16);
    f.write("fresh.csv", &csv(&fresh.iter().collect::<Vec<_>>()));
    let config = |test: &str| {
        format!(
            "[data]\npath = \"data.csv\"\ntest_path = \"{test}\"\ntarget = \"label\"\n\
             positive = \"yes\"\n\n[[gate]]\nname = \"auc\"\nkind = \"metric\"\n\
             metric = \"roc_auc\"\nmin = 0.6\n"
        )
    };
    f.write("gates.toml", &config("late.csv"));
    let (code, out, err) = run(&f, &["check", "--out", "late"]);
    assert_eq!(code, 1, "{out}{err}");
    let report: serde_json::Value = serde_json::from_str(&f.read("late/report.json")).unwrap();
    assert_eq!(report["gates"][0]["status"], "inconclusive", "{report}");
    let notes = report["notes"].to_string();
    assert!(notes.contains("match a training row"), "{notes}");
    // The saved hashes come from the whole file: the champion's leakage
    // check sees late rows too.
    let model: serde_json::Value = serde_json::from_str(&f.read("late/model.json")).unwrap();
    let saved = model["training"]["row_hashes"]
        .as_array()
        .map_or(0, Vec::len);
    assert!(saved > 190_000 && saved <= 200_000, "{saved}");
    // Fresh rows of the same data pass.
    f.write("gates.toml", &config("fresh.csv"));
    let (code, out, err) = run(&f, &["check", "--out", "fresh"]);
    assert_eq!(code, 0, "{out}{err}");
}
