//! Round 15 of the adversarial trial: copies of training rows beyond the
//! first 200,000.
use crate::fixture::{Fixture, Lcg};
use crate::trust14::test_path_config;
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

/// `n` rows of a distance (in miles, times `unit`) and a second feature,
/// with a label that depends on both.
fn distances(n: usize, seed: u64, unit: f64) -> String {
    let mut r = Lcg::new(seed);
    let mut s = String::from("dist,x0,y\n");
    for _ in 0..n {
        let miles = -(1.0 - r.next_f64()).ln() * 20.0;
        let x0 = (0..4).map(|_| r.next_f64()).sum::<f64>() - 2.0;
        let z = (miles - 20.0) / 15.0 + x0;
        let y = u8::from(r.next_f64() < 1.0 / (1.0 + (-z).exp()));
        let _ = writeln!(s, "{:.1},{x0:.4},{y}", miles * unit);
    }
    s
}

// F4. A champion trained on distances in miles, re-scored on data in
// kilometres (x1.609: under the rules for a mean five deviations away or
// a spread eight times wider), lost to the same kind of model and the run
// was GO. The rows' quantiles are the training quantiles stretched by one
// factor: a change of units, and the gate is inconclusive.
#[test]
fn a_champion_rescored_on_data_in_other_units_is_no_comparison() {
    let f = Fixture::new("");
    let config = |data: &str| {
        format!(
            "[data]\npath = \"{data}\"\ntarget = \"y\"\npositive = 1\n\n[model]\n\
             kind = \"gradient_boosting\"\n\n[registry]\npath = \"reg\"\n\n[[gate]]\n\
             kind = \"champion\"\nmetric = \"roc_auc\"\nmin_delta = -0.05\n"
        )
    };
    f.write("old.csv", &distances(4000, 41, 1.0));
    f.write("km.csv", &distances(4000, 42, 1.609));
    f.write("miles.csv", &distances(4000, 42, 1.0));
    f.write("gates.toml", &config("old.csv"));
    assert_eq!(run(&f, &["check", "--out", "old"]).0, 0);
    assert_eq!(run(&f, &["promote", "--run", "old"]).0, 0);
    f.write("gates.toml", &config("km.csv"));
    let (code, out, err) = run(&f, &["check", "--out", "km"]);
    assert_eq!(code, 1, "{out}{err}");
    let report: serde_json::Value = serde_json::from_str(&f.read("km/report.json")).unwrap();
    let gate = &report["gates"][0];
    assert_eq!(gate["status"], "inconclusive", "{gate}");
    let message = gate["message"].as_str().unwrap_or("");
    assert!(
        message.contains("quantiles of \"dist\" are 1.5"),
        "{message}"
    );
    // New rows in the champion's own units are compared.
    f.write("gates.toml", &config("miles.csv"));
    let (code, out, err) = run(&f, &["check", "--out", "miles"]);
    assert_eq!(code, 0, "{out}{err}");
}

/// `n` rows of a feature `x` drawn by `draw` and a label that rises with
/// it (`x` scaled by `scale`), as `x,y` CSV.
fn drawn(n: usize, seed: u64, scale: f64, draw: impl Fn(&mut Lcg) -> f64) -> String {
    let mut r = Lcg::new(seed);
    let mut s = String::from("x,y\n");
    for _ in 0..n {
        let x = draw(&mut r);
        let z = x / scale - 0.5;
        let y = u8::from(r.next_f64() < 1.0 / (1.0 + (-3.0 * z).exp()));
        let _ = writeln!(s, "{x:.1},{y}");
    }
    s
}

// Round 16, F5 and F6: drift within the values the champion read is no
// change of units. A flat percentage capped to 20-70 lines up with the
// training quantiles at half their spread, and a 0/1 flag that went from
// 2% to 80% of rows moves its mean many small deviations: the champion is
// compared on both.
#[test]
fn a_champion_is_compared_on_drift_inside_what_it_read() {
    let config = |data: &str| {
        format!(
            "[data]\npath = \"{data}\"\ntarget = \"y\"\npositive = 1\n\n[model]\n\
             kind = \"gradient_boosting\"\n\n[registry]\npath = \"reg\"\n\n[[gate]]\n\
             kind = \"champion\"\nmetric = \"roc_auc\"\nmin_delta = -0.5\n"
        )
    };
    let capped = drawn(4000, 51, 100.0, |r| 20.0 + 50.0 * r.next_f64());
    let flat = drawn(4000, 52, 100.0, |r| 100.0 * r.next_f64());
    let rare = drawn(4000, 53, 1.0, |r| f64::from(u8::from(r.next_f64() < 0.02)));
    let common = drawn(4000, 54, 1.0, |r| f64::from(u8::from(r.next_f64() < 0.8)));
    // Round 17, F4: a band sixteen times narrower, inside the range.
    let band = drawn(4000, 55, 100.0, |r| 44.0 + 6.0 * r.next_f64());
    let flat2 = drawn(4000, 56, 100.0, |r| 100.0 * r.next_f64());
    for (old, new) in [(flat, capped), (rare, common), (flat2, band)] {
        let f = Fixture::new("");
        f.write("old.csv", &old);
        f.write("new.csv", &new);
        f.write("gates.toml", &config("old.csv"));
        let checked = run(&f, &["check", "--out", "old"]);
        assert_eq!(checked.0, 0, "{checked:?}");
        assert_eq!(run(&f, &["promote", "--run", "old"]).0, 0);
        f.write("gates.toml", &config("new.csv"));
        let (code, out, err) = run(&f, &["check", "--out", "new"]);
        assert_eq!(code, 0, "{out}{err}");
        let report: serde_json::Value = serde_json::from_str(&f.read("new/report.json")).unwrap();
        assert_eq!(
            report["gates"][0]["status"], "pass",
            "{}",
            report["gates"][0]
        );
    }
}

/// A panel: `customers` customers with static income, age and plan, on
/// `months` monthly rows each of fresh calls, ticket and label (drawn
/// anew each month, the label depending on all of them).
fn panel(customers: usize, months: std::ops::Range<u32>, seed: u64) -> String {
    let mut r = Lcg::new(seed);
    let statics: Vec<(f64, u32, &str)> = (0..customers)
        .map(|_| {
            let income = (2e6 + 6e6 * r.next_f64() * r.next_f64()).round() / 100.0;
            let age = 18 + (r.next_f64() * 60.0) as u32;
            let plan = ["basic", "pro", "max"][(r.next_f64() * 3.0) as usize % 3];
            (income, age, plan)
        })
        .collect();
    let mut month_rng = Lcg::new(seed ^ 0x9e37_79b9);
    let mut s = String::from("cust,month,income,age,plan,calls,ticket,y\n");
    for m in months {
        for (c, &(income, age, plan)) in statics.iter().enumerate() {
            // Poisson(2) by inversion.
            let u = month_rng.next_f64();
            let (mut k, mut p, mut cdf) = (0u32, (-2.0f64).exp(), (-2.0f64).exp());
            while u > cdf && k < 20 {
                k += 1;
                p *= 2.0 / f64::from(k);
                cdf += p;
            }
            let ticket = u32::from(month_rng.next_f64() < 0.5);
            let z = -1.0 + 0.4 * (f64::from(k) - 2.0) + f64::from(ticket)
                - (income - 40_000.0) / 40_000.0;
            let y = u8::from(month_rng.next_f64() < 1.0 / (1.0 + (-z).exp()));
            let _ = writeln!(s, "{c},{m},{income:.2},{age},{plan},{k},{ticket},{y}");
        }
    }
    s
}

// F3. The same customers' next month is an honest out-of-time test: its
// static columns and counts often repeat a training month, but its label
// is drawn afresh, as training months that match each other show. Copies
// of training rows keep their labels and are still caught.
#[test]
fn the_same_customers_next_month_is_evidence_copies_are_not() {
    let f = Fixture::new("");
    let all = panel(2000, 1..7, 3);
    let lines: Vec<&str> = all.lines().collect();
    let (train, next) = lines[1..].split_at(10_000);
    f.write(
        "train.csv",
        &format!("{}\n{}\n", lines[0], train.join("\n")),
    );
    f.write("next.csv", &format!("{}\n{}\n", lines[0], next.join("\n")));
    let mut copies = format!("{}\n", lines[0]);
    for line in train.iter().step_by(4) {
        copies.push_str(line);
        copies.push('\n');
    }
    f.write("copies.csv", &copies);
    let config = |test: &str| {
        format!(
            "[data]\npath = \"train.csv\"\ntest_path = \"{test}\"\ntarget = \"y\"\n\
             positive = 1\ndrop = [\"cust\", \"month\"]\n\n[[gate]]\nkind = \"metric\"\n\
             metric = \"roc_auc\"\nmin = 0.55\n"
        )
    };
    f.write("gates.toml", &config("next.csv"));
    let (code, out, err) = run(&f, &["check", "--out", "next"]);
    assert_eq!(code, 0, "{out}{err}");
    let notes = serde_json::from_str::<serde_json::Value>(&f.read("next/report.json")).unwrap()
        ["notes"]
        .to_string();
    assert!(notes.contains("new observations"), "{notes}");
    f.write("gates.toml", &config("copies.csv"));
    let (code, out, err) = run(&f, &["check", "--out", "copies"]);
    assert_eq!(code, 1, "{out}{err}");
    let report: serde_json::Value = serde_json::from_str(&f.read("copies/report.json")).unwrap();
    let message = report["gates"][0]["message"].as_str().unwrap_or("");
    assert!(message.contains("are training rows"), "{message}");
}

// Round 14, F9. A unit error in the top decile (incomes in cents for the
// richest tenth) lands in PSI's top bin with the rest of the top decile:
// PSI barely moves. Values that far past the reference's range fail the
// drift gate, naming the feature.
#[test]
fn a_unit_error_in_the_top_decile_fails_the_drift_gate() {
    use crate::fixture::dataset;
    let f = Fixture::new("");
    let test = dataset(1000, 5, 0.0);
    let mut lines: Vec<String> = test.lines().map(String::from).collect();
    // id,age,income,plan,group,label: income x100 where it is 92 or more.
    for line in lines.iter_mut().skip(1) {
        let mut cells: Vec<String> = line.split(',').map(String::from).collect();
        let income: f64 = cells[2].parse().unwrap();
        if income >= 92.0 {
            cells[2] = format!("{}", income * 100.0);
        }
        *line = cells.join(",");
    }
    let config = |test: &str| {
        format!(
            "{}\n[[gate]]\nname = \"drift\"\nkind = \"drift\"\nmax_psi = 0.25\nreference = \"ref.csv\"\n",
            crate::fixture::BASE_CONFIG.replace("seed = 7", &format!("seed = 7\ntest_path = \"{test}\""))
        )
    };
    f.write("ref.csv", &dataset(1000, 9, 0.0));
    f.write("cents.csv", &(lines.join("\n") + "\n"));
    f.write("test.csv", &test);
    f.write("gates.toml", &config("cents.csv"));
    let (code, out, err) = run(&f, &["check", "--out", "cents"]);
    assert_eq!(code, 1, "{out}{err}");
    let report: serde_json::Value = serde_json::from_str(&f.read("cents/report.json")).unwrap();
    let gate = &report["gates"][0];
    assert_eq!(gate["status"], "fail", "{gate}");
    assert!(gate["observed"].as_f64().unwrap() <= 0.25, "{gate}");
    let message = gate["message"].as_str().unwrap_or("");
    assert!(message.contains("income"), "{message}");
    assert!(report["drift"]["beyond_range"]["income"].as_f64().unwrap() > 0.05);
    // The same rows in their own units pass.
    f.write("gates.toml", &config("test.csv"));
    let (code, out, err) = run(&f, &["check", "--out", "plain"]);
    assert_eq!(code, 0, "{out}{err}");
}

// Round 16, F1. An index whose recorded champion's directory is gone (not
// restored with it, or an index symlinked from another registry) was
// listed and promoted past, burying the loss. Every read refuses it.
#[test]
fn a_recorded_version_whose_directory_is_gone_is_refused_everywhere() {
    let f = Fixture::new("");
    assert_eq!(run(&f, &["check", "--out", "r1"]).0, 0);
    let promoted = run(
        &f,
        &[
            "promote",
            "--run",
            "r1",
            "--registry",
            "regA",
            "--force",
            "--reason",
            "a",
        ],
    );
    assert_eq!(promoted.0, 0, "{promoted:?}");
    std::fs::create_dir_all(f.path("regC/versions")).unwrap();
    std::fs::copy(f.path("regA/registry.json"), f.path("regC/registry.json")).unwrap();
    let (code, out, err) = run(&f, &["registry", "list", "--registry", "regC"]);
    assert_eq!(code, 2, "{out}{err}");
    assert!(err.contains("v0001 is recorded but"), "{err}");
    let before = f.read("regC/registry.json");
    let (code, out, err) = run(
        &f,
        &[
            "promote",
            "--run",
            "r1",
            "--registry",
            "regC",
            "--force",
            "--reason",
            "x",
        ],
    );
    assert_eq!(code, 2, "{out}{err}");
    assert_eq!(f.read("regC/registry.json"), before);
    // An index symlinked from another registry is the same loss.
    #[cfg(unix)]
    {
        std::fs::create_dir_all(f.path("regB/versions")).unwrap();
        std::os::unix::fs::symlink("../regA/registry.json", f.path("regB/registry.json")).unwrap();
        let (code, out, err) = run(&f, &["registry", "list", "--registry", "regB"]);
        assert_eq!(code, 2, "{out}{err}");
    }
    // The registry it came from still reads.
    assert_eq!(run(&f, &["registry", "list", "--registry", "regA"]).0, 0);
}

// Round 16, F4. A target spelled `yes` and `YES` (two exports joined)
// counted a third of the positives as negatives, with only a note.
#[test]
fn a_positive_value_spelled_two_ways_is_an_error() {
    use crate::fixture::dataset;
    let data = dataset(600, 1, 0.0);
    let mut n = 0;
    let mixed: String = data
        .lines()
        .map(|line| {
            let mut line = line.to_string();
            if line.ends_with(",yes") {
                n += 1;
                if n % 3 == 0 {
                    line = line.replace(",yes", ",YES");
                }
            }
            line + "\n"
        })
        .collect();
    let f = Fixture::new("");
    f.write("data.csv", &mixed);
    let (code, out, err) = run(&f, &["check"]);
    assert_eq!(code, 2, "{out}{err}");
    assert!(err.contains("also as \"YES\""), "{err}");
    // In a held-out test file too.
    let f = Fixture::new("");
    f.write("test.csv", &mixed);
    f.write("gates.toml", &test_path_config());
    let (code, out, err) = run(&f, &["check"]);
    assert_eq!(code, 2, "{out}{err}");
    assert!(
        err.contains("test.csv") && err.contains("also as \"YES\""),
        "{err}"
    );
}

// Round 17, F1. Test rows without a label are left out of every metric;
// blanking the hard ones lifted the metrics to a GO, and only a count in
// report.json said so. The note says it wherever notes are shown, and past
// a twentieth of the evaluation rows a pass is inconclusive unless the
// user says labels may be missing (`target_nullable = true`).
#[test]
fn unlabelled_test_rows_make_a_pass_inconclusive_unless_said_missing_at_random() {
    use crate::fixture::dataset;
    let f = Fixture::new("");
    let blank_every = |k: usize| -> String {
        dataset(300, 4, 0.0)
            .lines()
            .enumerate()
            .map(|(i, line)| {
                let line = if i > 0 && i % k == 0 {
                    line.rsplit_once(',')
                        .map_or(line.to_string(), |(head, _)| format!("{head},"))
                } else {
                    line.to_string()
                };
                line + "\n"
            })
            .collect()
    };
    let gate = "\n[[gate]]\nname = \"auc\"\nkind = \"metric\"\nmetric = \"roc_auc\"\nmin = 0.5\n";
    f.write("test.csv", &blank_every(5));
    f.write("gates.toml", &format!("{}{gate}", test_path_config()));
    let (code, out, err) = run(&f, &["check"]);
    assert_eq!(code, 1, "{out}{err}");
    assert!(
        out.contains("60 of 300 rows of ./test.csv (20.0%) have no"),
        "{out}"
    );
    let report = f.read("release-gate-out/report.json");
    assert!(
        report.contains("left out of training and every metric"),
        "{report}"
    );
    let v: serde_json::Value = serde_json::from_str(&report).expect("report.json");
    let g = &v["gates"][0];
    assert_eq!(g["status"], "inconclusive", "{g}");
    assert!(
        g["message"]
            .as_str()
            .is_some_and(|m| m.starts_with("60 of 300 evaluation rows (20.0%) have no target")),
        "{g}"
    );

    // Said missing at random: judged on the labelled rows, with the note.
    f.write(
        "gates.toml",
        &format!(
            "{}\n[contract]\ntarget_nullable = true\n{gate}",
            test_path_config()
        ),
    );
    let (code, out, err) = run(&f, &["check"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("have no \"label\" value"), "{out}");

    // A stray blank (1 row in 30) is a note only.
    f.write("test.csv", &blank_every(30));
    f.write("gates.toml", &format!("{}{gate}", test_path_config()));
    let (code, out, err) = run(&f, &["check"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("10 of 300 rows of ./test.csv (3.3%)"), "{out}");
}

// Round 17, F5. A test file whose feature is empty in every row is
// judged on the model without it; `predict` warned, `check` said nothing.
#[test]
fn a_feature_empty_in_every_test_row_gets_a_note() {
    use crate::fixture::dataset;
    let f = Fixture::new("");
    // id,age,income,plan,group,label: income emptied.
    let test: String = dataset(300, 4, 0.0)
        .lines()
        .enumerate()
        .map(|(i, line)| {
            let mut cells: Vec<&str> = line.split(',').collect();
            if i > 0 {
                cells[2] = "";
            }
            cells.join(",") + "\n"
        })
        .collect();
    f.write("test.csv", &test);
    f.write("gates.toml", &test_path_config());
    let (_, out, err) = run(&f, &["check"]);
    let report = f.read("release-gate-out/report.json");
    assert!(
        report.contains("\\\"income\\\" are empty in every test row"),
        "{out}{err}{report}"
    );
}

// Round 17, C2. `--registry dir/registry.json` into a fresh directory made
// a directory named registry.json.
#[test]
fn a_registry_given_as_its_index_file_is_refused() {
    let f = Fixture::new("");
    assert_eq!(run(&f, &["check", "--out", "r1"]).0, 0);
    let (code, out, err) = run(
        &f,
        &[
            "promote",
            "--run",
            "r1",
            "--registry",
            "fresh/registry.json",
            "--force",
            "--reason",
            "x",
        ],
    );
    assert_eq!(code, 2, "{out}{err}");
    assert!(err.contains("give fresh instead"), "{err}");
    assert!(!f.path("fresh/registry.json").exists());
}

// Round 17, F2. One cell of 1e20 in a training column squashed every
// other value of it into one number once standardized, so tree models
// lost the feature. Trees read numbers as they are.
#[test]
fn one_huge_value_does_not_erase_a_feature_for_tree_models() {
    use crate::fixture::dataset;
    let clean = dataset(1500, 8, 0.0);
    // id,age,income,plan,group,label: income of data row 7 is 1e20.
    let huge: String = clean
        .lines()
        .enumerate()
        .map(|(i, line)| {
            let mut cells: Vec<String> = line.split(',').map(String::from).collect();
            if i == 8 {
                cells[2] = "1e20".to_string();
            }
            cells.join(",") + "\n"
        })
        .collect();
    for kind in ["random_forest", "gradient_boosting", "decision_tree"] {
        let auc = |data: &str| {
            let f = Fixture::new(&format!("\n[model]\nkind = \"{kind}\"\n"));
            f.write("data.csv", data);
            let (code, out, err) = run(&f, &["check"]);
            assert!(code == 0 || code == 1, "{out}{err}");
            let report: serde_json::Value =
                serde_json::from_str(&f.read("release-gate-out/report.json")).unwrap();
            report["metrics"]["roc_auc"].as_f64().unwrap()
        };
        let (a, b) = (auc(&clean), auc(&huge));
        // Without: 0.823 against 0.839 (forest), 0.865 against 0.859
        // (boosting), 0.658 against 0.771 (a tree); with: within 0.0011.
        assert!(
            (a - b).abs() < 0.005,
            "{kind}: {a} clean, {b} with one 1e20"
        );
    }
}

// Round 17, C3. A hand-edited index holding `v1` beside `v0001` (one
// number spelled twice) was accepted.
#[test]
fn one_version_number_spelled_twice_is_refused() {
    let f = Fixture::new("\n[registry]\npath = \"reg\"\n");
    assert_eq!(run(&f, &["check", "--out", "r1"]).0, 0);
    assert_eq!(run(&f, &["promote", "--run", "r1"]).0, 0);
    let mut index: serde_json::Value = serde_json::from_str(&f.read("reg/registry.json")).unwrap();
    let mut again = index["versions"][0].clone();
    again["version"] = "v1".into();
    index["versions"].as_array_mut().unwrap().push(again);
    f.write("reg/registry.json", &index.to_string());
    std::fs::create_dir_all(f.path("reg/versions/v1")).unwrap();
    for entry in std::fs::read_dir(f.path("reg/versions/v0001")).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(
            entry.path(),
            f.path("reg/versions/v1").join(entry.file_name()),
        )
        .unwrap();
    }
    let (code, out, err) = run(&f, &["registry", "list"]);
    assert_eq!(code, 2, "{out}{err}");
    assert!(err.contains("v0001 and v1 are one version number"), "{err}");
}

// Round 17, C1. A rejected number is shown as written in short form, not
// as three hundred digits.
#[test]
fn a_rejected_tiny_confidence_is_shown_short() {
    let f = Fixture::new("\n[stats]\nconfidence = 1e-300\n");
    let (code, _, err) = run(&f, &["validate"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("not 1e-300"), "{err}");
}
