//! Round 26 of the adversarial trial: entities with several rows each,
//! honest and leaked.
use crate::fixture::{Fixture, Lcg};
use std::fmt::Write as _;

/// A normal-ish draw (sum of twelve uniforms, centred; sd 1).
fn normal(r: &mut Lcg) -> f64 {
    (0..12).map(|_| r.next_f64()).sum::<f64>() - 6.0
}

/// `patients` patients of 2 to 5 visits as CSV: five static columns
/// `s0..s4` (3 decimals), two measurements `v0`, `v1` taken afresh at each
/// visit (4 decimals), and a label drawn afresh at each visit from
/// `risk(s0, s1, v0)` (log-odds): no patient effect. Rows of one patient
/// are adjacent.
fn visits(patients: usize, seed: u64, risk: fn(f64, f64, f64) -> f64) -> String {
    let mut r = Lcg::new(seed);
    let mut s = String::from("pid,s0,s1,s2,s3,s4,v0,v1,y\n");
    for p in 0..patients {
        let st: Vec<f64> = (0..5).map(|_| normal(&mut r)).collect();
        let n = 2 + (r.next_f64() * 4.0) as usize % 4;
        for _ in 0..n {
            let (v0, v1) = (normal(&mut r), normal(&mut r));
            let z = risk(st[0], st[1], v0);
            let y = u8::from(r.next_f64() < 1.0 / (1.0 + (-z).exp()));
            let cell = |x: f64| format!("{:.3}", x * 10.0 + 50.0);
            let _ = writeln!(
                s,
                "{p},{},{},{},{},{},{v0:.4},{v1:.4},{y}",
                cell(st[0]),
                cell(st[1]),
                cell(st[2]),
                cell(st[3]),
                cell(st[4])
            );
        }
    }
    s
}

/// Rows of the first `share` of the entities (by `pid`, the first
/// column) and of the rest, each with the header.
fn by_entity(csv: &str, share: f64) -> (String, String) {
    let mut lines = csv.lines();
    let header = lines.next().unwrap_or_default();
    let rows: Vec<&str> = lines.collect();
    let id = |l: &str| l.split(',').next().and_then(|v| v.parse::<usize>().ok());
    let last = rows.iter().filter_map(|l| id(l)).max().unwrap_or(0);
    let cut = (share * (last + 1) as f64) as usize;
    let mut train = format!("{header}\n");
    let mut test = format!("{header}\n");
    for l in rows {
        let side = if id(l).unwrap_or(0) < cut {
            &mut train
        } else {
            &mut test
        };
        side.push_str(l);
        side.push('\n');
    }
    (train, test)
}

/// A random forest on `data.csv` (`pid` dropped), gated on ROC AUC at
/// `min`, with `extra` data keys.
fn config(min: f64, extra: &str) -> String {
    format!(
        "[data]\npath = \"data.csv\"\ntarget = \"y\"\npositive = 1\ndrop = [\"pid\"]\n\
         seed = 7\n{extra}\n[model]\nkind = \"random_forest\"\n\n\
         [[gate]]\nname = \"auc\"\nkind = \"metric\"\nmetric = \"roc_auc\"\nmin = {min}\n"
    )
}

// F3: a test file of other patients, each with several visits whose
// measurements are taken afresh, repeats on the static columns only: not
// copies nudged (a nudge moves a number by a small fraction of its
// spread), and the honest evaluation the entity note asks for.
// scikit-learn on the generator this follows (gen_visits.py, "strong"):
// random split 0.931, grouped 0.932.
#[test]
fn a_test_file_of_other_patients_with_several_visits_is_evidence() {
    let f = Fixture::new("");
    let all = visits(2000, 5, |s0, s1, v0| 3.0 * s0 + 2.0 * s1 + 0.8 * v0 - 1.0);
    let (train, test) = by_entity(&all, 0.75);
    f.write("data.csv", &train);
    f.write("test.csv", &test);
    f.write("gates.toml", &config(0.6, "test_path = \"test.csv\""));
    let report = f.check(0);
    assert_eq!(
        report["gates"][0]["status"], "pass",
        "{}",
        report["gates"][0]
    );
    let notes = report["notes"].to_string();
    assert!(!notes.contains("repeat as copies"), "{notes}");
}
