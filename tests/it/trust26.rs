//! Round 26 of the adversarial trial: entities with several rows each,
//! honest and leaked.
use crate::fixture::{Fixture, Lcg};
use std::fmt::Write as _;

/// A normal-ish draw (sum of twelve uniforms, centred; sd 1).
pub(crate) fn normal(r: &mut Lcg) -> f64 {
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

// F4: visits whose label is drawn afresh from a U-shaped risk in a
// patient column (probabilities 0.12 to 0.9), split at random: the
// visits of one patient agree because the risk is extreme at both ends,
// which gradient boosting fitted on other patients follows; no entity's
// label, and the gate judges the model. scikit-learn on the generator
// this follows (gen_visits.py, "ushape"): random split 0.827, grouped
// 0.825.
#[test]
fn fresh_visit_labels_of_a_curved_risk_split_at_random_are_evidence() {
    let f = Fixture::new("");
    f.write(
        "data.csv",
        &visits(1500, 1, |s0, _, v0| 2.0 * s0 * s0 - 2.0 + 0.5 * v0),
    );
    f.write("gates.toml", &config(0.6, ""));
    let report = f.check(0);
    assert_eq!(
        report["gates"][0]["status"], "pass",
        "{}",
        report["gates"][0]
    );
}

/// `households` households of 2 or 3 members as CSV: six household
/// columns of `levels`-level codes that every member shares, one number
/// of the member's own (`m0`), and the household's outcome (from a latent
/// household effect), which each member keeps with chance 0.92.
fn coded_households(households: usize, levels: usize, seed: u64) -> String {
    let mut r = Lcg::new(seed);
    let mut s = String::from("hid,h0,h1,h2,h3,h4,h5,m0,y\n");
    for h in 0..households {
        let codes: Vec<usize> = (0..6)
            .map(|_| (r.next_f64() * levels as f64) as usize % levels)
            .collect();
        let u = normal(&mut r);
        let lean = 0.5 * (codes[0] as f64 - levels as f64 / 2.0) / levels as f64 * 4.0;
        let label = u8::from(lean + 1.5 * u > 0.8);
        let members = 2 + usize::from(r.next_f64() < 0.5);
        for _ in 0..members {
            let m0 = normal(&mut r) * 10.0 + 40.0;
            let y = if r.next_f64() < 0.92 {
                label
            } else {
                1 - label
            };
            let c: Vec<String> = codes.iter().map(|c| format!("c{c}")).collect();
            let _ = writeln!(s, "{h},{},{m0:.3},{y}", c.join(","));
        }
    }
    s
}

// F1: households whose shared columns are all few-level codes (six of
// six levels: nearly unique together), members differing in one number,
// split at random. Training rows of one household match each other as
// often as test rows match them, so chance seemed to explain the matches;
// their labels are the household's, far beyond what the codes give:
// inconclusive. On whole households held out the forest measures 0.55
// against 0.83 on the random split (scikit-learn: 0.58 and 0.74).
#[test]
fn households_of_few_level_codes_split_at_random_are_no_evidence() {
    let f = Fixture::new("");
    f.write("data.csv", &coded_households(2000, 6, 21));
    f.write(
        "gates.toml",
        &config(0.72, "test_fraction = 0.25").replace("\"pid\"", "\"hid\""),
    );
    let report = f.check(1);
    let gate = &report["gates"][0];
    assert_eq!(gate["status"], "inconclusive", "{gate}");
    assert!(gate["message"].to_string().contains("entities"), "{gate}");
}

// Round 27, F1: a test file of 24 held-out telco rows, each copied 10
// times with both charges nudged by 30% (so the numbers vary within the
// copies nearly as much as over the file), passed as 240 rows of
// evidence. Copies keep their label, and visits drawn afresh do not: the
// rows repeating on every other column share it in every pair, so they
// are copies, and the gate is inconclusive.
#[test]
fn copies_with_their_numbers_nudged_far_keep_their_labels_and_are_caught() {
    let f = Fixture::new("");
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/examples/churn/telco_churn.csv"
    ))
    .unwrap_or_default();
    let mut lines = text.lines();
    let header = lines.next().unwrap_or_default().to_string();
    let rows: Vec<&str> = lines.collect();
    let (train, rest) = rows.split_at(5000);
    let pick = |label: &str| -> Vec<&str> {
        rest.iter()
            .filter(|l| l.split(',').nth(1) == Some(label))
            .take(12)
            .copied()
            .collect()
    };
    let base: Vec<&str> = pick("Yes").into_iter().chain(pick("No")).collect();
    let mut r = Lcg::new(3);
    let mut test = format!("{header}\n");
    for copy in 0..10 {
        for (i, line) in base.iter().enumerate() {
            let mut cells: Vec<String> = line.split(',').map(String::from).collect();
            cells[0] = format!("{}", 100_000 + copy * 24 + i);
            for c in [19, 20] {
                let x: f64 = cells[c].parse().unwrap_or(0.0);
                cells[c] = format!("{:.2}", x * (1.0 + 0.3 * normal(&mut r)));
            }
            test.push_str(&cells.join(","));
            test.push('\n');
        }
    }
    f.write("data.csv", &format!("{header}\n{}\n", train.join("\n")));
    f.write("test.csv", &test);
    f.write(
        "gates.toml",
        "[data]\npath = \"data.csv\"\ntest_path = \"test.csv\"\ntarget = \"churn\"\n\
         positive = \"Yes\"\ndrop = [\"rownames\"]\n\n[model]\nkind = \"logistic_regression\"\n\n\
         [[gate]]\nname = \"auc\"\nkind = \"metric\"\nmetric = \"roc_auc\"\nmin = 0.6\n",
    );
    let report = f.check(1);
    let gate = &report["gates"][0];
    assert_eq!(gate["status"], "inconclusive", "{gate}");
    assert!(gate["message"].to_string().contains("repeat"), "{gate}");
}

// Round 28, F4: a column of 20-digit account numbers (more than an i64
// holds) stopped the run with "cannot parse ... as i64", even when the
// column is dropped. It loads (as numbers, or text), and the run decides.
#[test]
fn account_numbers_of_twenty_digits_load() {
    let f = Fixture::new("");
    let data = crate::fixture::dataset(600, 1, 0.0);
    let mut out = String::new();
    for (i, line) in data.lines().enumerate() {
        let cell = match i {
            0 => "account".to_string(),
            // One long number late in the file, past the inference window.
            550 => "98765432109876543210".to_string(),
            _ => format!("{}", 1000 + i),
        };
        let _ = writeln!(out, "{line},{cell}");
    }
    f.write("data.csv", &out);
    let config = f
        .read("gates.toml")
        .replace("drop = [", "drop = [\"account\", ");
    f.write("gates.toml", &config);
    let code = f
        .cmd(&["check"])
        .output()
        .map(|o| o.status.code())
        .ok()
        .flatten();
    assert!(matches!(code, Some(0 | 1)), "exit {code:?}");
    let report = f.report();
    assert!(
        report["metrics"]["roc_auc"].is_number(),
        "{}",
        report["metrics"]
    );
}
