//! Round 13 of the adversarial trial: a first promotion refused, stale
//! promotes of runs without a champion gate, a drift reference that is the
//! test data, copies inside a test file, a champion re-scored on data it
//! cannot read, a header repeated inside a CSV, and `predict` on empty
//! feature columns.
use crate::fixture::{dataset, gate, Fixture};
use crate::trust13::changed;
use crate::trust3::run;
use crate::trust6::AUC_GATE;

/// `data`'s header and its rows `rows` (0-based, after the header).
fn rows_of(data: &str, rows: std::ops::Range<usize>) -> String {
    let mut lines = data.lines();
    let header = lines.next().unwrap_or("");
    let body: Vec<&str> = lines.collect();
    let mut out = format!("{header}\n");
    for line in &body[rows] {
        out.push_str(line);
        out.push('\n');
    }
    out
}

// F2. The first promotion, from where check ran, creates the registry the
// run was gated against, even when its parent directory does not exist
// yet (`init` writes `models/registry`).
#[test]
fn the_first_promotion_creates_the_registry_the_run_was_gated_against() {
    let f = Fixture::new("\n[registry]\npath = \"models/registry\"\n");
    let (code, _, err) = run(&f, &["check"]);
    assert_eq!(code, 0, "{err}");
    let (code, out, err) = run(&f, &["promote", "--run", "release-gate-out"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(f.path("models/registry/registry.json").is_file());
    // A run whose recorded registry is neither here nor where its config
    // resolves from here (copied from another machine) still needs
    // --registry.
    let (code, _, err) = run(&f, &["check", "--out", "copied"]);
    assert_eq!(code, 0, "{err}");
    let report = f.read("copied/report.json");
    let recorded = f.path("models/registry").display().to_string();
    let moved = report.replace(
        &format!("\"{recorded}\""),
        "\"/nowhere-release-gate/models/registry\"",
    );
    assert_ne!(moved, report, "the run records its registry");
    f.write("copied/report.json", &moved);
    let (code, _, err) = run(&f, &["promote", "--run", "copied"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("does not exist here"), "{err}");
    assert!(!std::path::Path::new("/nowhere-release-gate").exists());
}

// F7. A run gated beside champion v0001 without a champion gate is stale
// once v0002 is champion: promoting it would replace a model it was never
// compared with.
#[test]
fn a_run_without_a_champion_gate_is_stale_once_the_champion_changes() {
    let f = Fixture::new("\n[registry]\npath = \"reg\"\n");
    assert_eq!(run(&f, &["check", "--out", "r1"]).0, 0);
    assert_eq!(run(&f, &["promote", "--run", "r1"]).0, 0);
    let (code, _, err) = run(&f, &["check", "--out", "weak"]);
    assert_eq!(code, 0, "{err}");
    let weak: serde_json::Value = serde_json::from_str(&f.read("weak/report.json")).unwrap();
    assert_eq!(weak["champion"]["version"], "v0001");
    assert!(
        weak["champion"]["sha256"].is_string(),
        "{}",
        weak["champion"]
    );
    // Another model becomes champion.
    f.write(
        "gates.toml",
        &format!(
            "{}\n[model]\nthreshold = 0.4\n\n[registry]\npath = \"reg\"\n",
            crate::fixture::BASE_CONFIG
        ),
    );
    assert_eq!(run(&f, &["check", "--out", "r2"]).0, 0);
    let (code, out, err) = run(&f, &["promote", "--run", "r2"]);
    assert_eq!(code, 0, "{out}{err}");
    let (code, out, err) = run(&f, &["promote", "--run", "weak"]);
    assert_eq!(code, 1, "{out}{err}");
    assert!(
        err.contains("gated against v0001") && err.contains("now v0002"),
        "{out}{err}"
    );
    let index = f.read("reg/registry.json");
    assert!(
        index.contains("\"champion\": \"v0002\"") || index.contains("\"champion\":\"v0002\""),
        "{index}"
    );
    // Forced, it is recorded as forced.
    let (code, out, err) = run(
        &f,
        &[
            "promote", "--run", "weak", "--force", "--reason", "rollback",
        ],
    );
    assert_eq!(code, 0, "{out}{err}");
}

// F4. A drift reference holding the test rows' own file compares the rows
// with themselves: PSI 0, a gate that cannot fail.
#[test]
fn a_drift_reference_that_is_the_test_data_is_an_error() {
    let data = dataset(900, 3, 0.0);
    for (test_path, reference) in [
        (Some("test.csv"), "test.csv"),
        (Some("test.csv"), "copy.csv"),
        (None, "data.csv"),
    ] {
        let f = Fixture::new("");
        f.write("data.csv", &rows_of(&data, 0..600));
        f.write("test.csv", &rows_of(&data, 600..900));
        f.write("copy.csv", &rows_of(&data, 600..900));
        let mut config = crate::fixture::BASE_CONFIG.to_string();
        if let Some(t) = test_path {
            config = config.replace("seed = 7", &format!("seed = 7\ntest_path = \"{t}\""));
        }
        f.write(
            "gates.toml",
            &format!(
                "{config}\n[[gate]]\nname = \"drift\"\nkind = \"drift\"\nmax_psi = 0.2\nreference = \"{reference}\"\n"
            ),
        );
        let (code, _, err) = run(&f, &["check"]);
        assert_eq!(code, 2, "{reference}: {err}");
        assert!(
            err.contains("compared with themselves"),
            "{reference}: {err}"
        );
    }
    // Another file is a reference.
    let f = drift_fixture(&data, &rows_of(&data, 600..900), &dataset(300, 9, 0.0));
    let (code, _, err) = run(&f, &["check"]);
    assert_eq!(code, 0, "{err}");
}

/// The base config with `test_path = "test.csv"`.
pub fn test_path_config() -> String {
    crate::fixture::BASE_CONFIG.replace("seed = 7", "seed = 7\ntest_path = \"test.csv\"")
}

/// A fixture training on `data`'s first 600 rows, testing on `test`, with
/// one drift gate (`max_psi = 0.2`) against `reference`.
fn drift_fixture(data: &str, test: &str, reference: &str) -> Fixture {
    let f = Fixture::new("");
    f.write("data.csv", &rows_of(data, 0..600));
    f.write("test.csv", test);
    f.write("ref.csv", reference);
    f.write(
        "gates.toml",
        &format!(
            "{}\n[[gate]]\nname = \"drift\"\nkind = \"drift\"\nmax_psi = 0.2\nreference = \"ref.csv\"\n",
            test_path_config()
        ),
    );
    f
}

/// `n` distinct held-out rows, each `times` times, ids renumbered.
fn repeated_rows(n: usize, times: usize) -> String {
    let fresh = dataset(n, 11, 0.0);
    let body: Vec<&str> = fresh.lines().skip(1).collect();
    let mut out = String::from("id,age,income,plan,group,label\n");
    let mut id = 100_000;
    for _ in 0..times {
        for line in &body {
            let rest = line.split_once(',').map_or("", |(_, r)| r);
            out.push_str(&format!("{id},{rest}\n"));
            id += 1;
        }
    }
    out
}

// F3. A test file of a few rows, each present many times under new ids,
// counts each copy as evidence: the gates judged on it are inconclusive.
#[test]
fn a_test_file_of_rows_repeated_as_copies_is_no_evidence() {
    for (n, times) in [(30, 40), (20, 40), (150, 4)] {
        let f = Fixture::new("");
        f.write("test.csv", &repeated_rows(n, times));
        let config = test_path_config();
        f.write("gates.toml", &format!("{config}{AUC_GATE}"));
        let (code, _, err) = run(&f, &["check"]);
        let r = f.report();
        assert_eq!(code, 1, "{n}x{times}: {err}");
        let g = gate(&r, "auc");
        assert_eq!(g["status"], "inconclusive", "{n}x{times}: {g}");
        assert!(
            g["message"]
                .as_str()
                .unwrap_or("")
                .contains("repeat one another"),
            "{g}"
        );
        assert!(
            r["notes"].to_string().contains("deduplicate the test rows"),
            "{}",
            r["notes"]
        );
    }
    // The same rows once each are evidence.
    let f = Fixture::new("");
    f.write("test.csv", &repeated_rows(300, 1));
    let config = test_path_config();
    f.write("gates.toml", &format!("{config}{AUC_GATE}"));
    let (code, _, err) = run(&f, &["check"]);
    assert_eq!(code, 0, "{err}");
}

// F5. A champion re-scored on data whose categories were re-spelled, or
// whose numbers are in other units, reads values it never saw and loses:
// the champion gate is inconclusive, saying why.
#[test]
fn a_champion_scored_on_data_it_cannot_read_is_no_comparison() {
    let gates = "\n[registry]\npath = \"reg\"\n\n[[gate]]\nname = \"champ\"\nkind = \"champion\"\nmetric = \"roc_auc\"\nmin_delta = 0.0\n";
    let data = dataset(600, 1, 0.0);
    for (case, new, needle) in [
        (
            "re-spelled",
            changed(&data, "plan", |c| c.to_uppercase()),
            "never saw",
        ),
        (
            "cents",
            changed(&data, "income", |c| {
                format!("{}", c.parse::<f64>().unwrap_or(0.0) * 100.0)
            }),
            "standard deviations",
        ),
        // Round 14, F7: twelfths (years for months) move the mean by
        // under five standard deviations, and the spread twelve-fold.
        (
            "twelfths",
            changed(&data, "income", |c| {
                format!("{:.2}", c.parse::<f64>().unwrap_or(0.0) / 12.0)
            }),
            "spread",
        ),
    ] {
        let f = Fixture::new(gates);
        assert_eq!(run(&f, &["check", "--out", "r1"]).0, 0, "{case}");
        assert_eq!(run(&f, &["promote", "--run", "r1"]).0, 0, "{case}");
        f.write("data.csv", &new);
        let (code, _, err) = run(&f, &["check", "--out", "r2"]);
        assert_eq!(code, 1, "{case}: {err}");
        let r: serde_json::Value = serde_json::from_str(&f.read("r2/report.json")).unwrap();
        let g = gate(&r, "champ");
        assert_eq!(g["status"], "inconclusive", "{case}: {g}");
        assert!(
            g["message"].as_str().unwrap_or("").contains(needle),
            "{case}: {g}"
        );
    }
    // The same data again: the champion is compared.
    let f = Fixture::new(gates);
    assert_eq!(run(&f, &["check", "--out", "r1"]).0, 0);
    assert_eq!(run(&f, &["promote", "--run", "r1"]).0, 0);
    f.write("data.csv", &dataset(600, 2, 0.0));
    let (_, _, err) = run(&f, &["check", "--out", "r2"]);
    let r: serde_json::Value = serde_json::from_str(&f.read("r2/report.json")).unwrap();
    let g = gate(&r, "champ");
    assert_ne!(g["status"], "inconclusive", "{err} {g}");
    assert!(
        r["champion"]["champion_value"].is_number(),
        "{}",
        r["champion"]
    );
}

// F6. Two exports joined with `cat` keep the second header as a data row,
// which turns every numeric column into text: exit 2 naming the row.
#[test]
fn a_header_repeated_inside_a_csv_is_an_error_naming_the_row() {
    let data = dataset(600, 1, 0.0);
    let joined = format!("{}{}", rows_of(&data, 0..300), rows_of(&data, 300..600));
    let f = Fixture::new(AUC_GATE);
    f.write("data.csv", &joined);
    let (code, _, err) = run(&f, &["check"]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("data row 301") && err.contains("repeats the header"),
        "{err}"
    );
    // Spaces around the names do not hide it.
    let spaced = joined.replacen("\nid,age,income", "\n id , age ,income", 1);
    f.write("data.csv", &spaced);
    let (code, _, err) = run(&f, &["validate"]);
    assert_eq!(code, 2, "{err}");
    // A row that holds some of the names is data.
    let partly = joined.replacen(
        "\nid,age,income,plan,group,label",
        "\n999,40,50,plan,group,yes",
        1,
    );
    f.write("data.csv", &partly);
    let (code, _, err) = run(&f, &["validate"]);
    assert_eq!(code, 0, "{err}");
}

// F8. `predict` on a file whose feature column is empty in every row
// scores it as missing, and says so on stderr.
#[test]
fn predict_warns_of_feature_columns_empty_in_every_row() {
    let f = Fixture::new("");
    assert_eq!(run(&f, &["check"]).0, 0);
    let blank = changed(&dataset(50, 5, 0.0), "income", |_| String::new());
    f.write("new.csv", &blank);
    let (code, out, err) = run(
        &f,
        &[
            "predict",
            "--model",
            "release-gate-out",
            "--data",
            "new.csv",
        ],
    );
    assert_eq!(code, 0, "{err}");
    assert_eq!(out.lines().count(), 51, "{out}");
    assert!(
        err.contains("warning") && err.contains("\"income\""),
        "{err}"
    );
    let (code, _, err) = run(
        &f,
        &[
            "predict",
            "--model",
            "release-gate-out",
            "--data",
            "data.csv",
        ],
    );
    assert_eq!(code, 0, "{err}");
    assert!(!err.contains("warning"), "{err}");
}

/// `n` rows of four measured numbers and two text features.
fn wide(n: usize, seed: u64) -> String {
    let mut r = crate::fixture::Lcg::new(seed);
    let mut out = String::from("id,x1,x2,x3,x4,tier,region,group,label\n");
    for i in 0..n {
        let x: Vec<f64> = (0..4)
            .map(|k| 10.0 * k as f64 + r.next_f64() * 50.0)
            .collect();
        let tier = ["basic", "plus", "pro"][(r.next_f64() * 3.0) as usize % 3];
        let region = ["n", "s", "e", "w"][(r.next_f64() * 4.0) as usize % 4];
        let group = if r.next_f64() < 0.5 { "g1" } else { "g2" };
        let p = 1.0 / (1.0 + (-(x[0] - 25.0) / 8.0 + (x[1] - 35.0) / 15.0).exp());
        let label = if r.next_f64() < p { "yes" } else { "no" };
        let _ = std::fmt::Write::write_fmt(
            &mut out,
            format_args!(
                "{i},{},{},{},{},{tier},{region},{group},{label}\n",
                x[0], x[1], x[2], x[3]
            ),
        );
    }
    out
}

// Round 12's open item: a copy of the training rows with two columns
// changed matched no training row on every feature but one, and gave GO.
// It is one or two features from a training row, which fresh rows of data
// with measured numbers never are.
#[test]
fn a_copy_with_two_columns_changed_is_still_the_training_data() {
    let train = wide(800, 1);
    let recased = changed(&train, "tier", |c| c.to_uppercase());
    let two = changed(&recased, "x2", |c| {
        format!("{}", c.parse::<f64>().unwrap_or(0.0) + 1.0)
    });
    let f = Fixture::new("");
    f.write("data.csv", &train);
    crate::trust6::overlap_config(&f, Some("test.csv"));
    f.write("test.csv", &two);
    let r = crate::trust6::assert_inconclusive(&f, "tier and x2 changed");
    let notes = r["notes"].to_string();
    assert!(notes.contains("tier") && notes.contains("x2"), "{notes}");
    // Fresh rows of the same data are judged.
    f.write("test.csv", &wide(400, 2));
    let (code, _, err) = run(&f, &["check"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(gate(&f.report(), "auc")["status"], "pass");
}

// An older open item: a NO-GO run whose report.json was edited by hand to
// read GO (or whose failing gate was turned into a warning) was promoted.
#[test]
fn promote_refuses_a_report_edited_after_check() {
    let f = Fixture::new(
        "\n[registry]\npath = \"reg\"\n\n[[gate]]\nname = \"auc\"\nkind = \"metric\"\nmetric = \"roc_auc\"\nmin = 0.99\n",
    );
    let (code, _, err) = run(&f, &["check"]);
    assert_eq!(code, 1, "{err}");
    let report = f.read("release-gate-out/report.json");
    let go = report.replacen("\"verdict\": \"no-go\"", "\"verdict\": \"go\"", 1);
    assert_ne!(go, report);
    f.write("release-gate-out/report.json", &go);
    let (code, out, err) = run(&f, &["promote", "--run", "release-gate-out"]);
    assert_eq!(code, 2, "{out}{err}");
    assert!(err.contains("changed after check"), "{err}");
    let warned = go.replacen("\"severity\": \"block\"", "\"severity\": \"warn\"", 1);
    assert_ne!(warned, go);
    f.write("release-gate-out/report.json", &warned);
    let (code, out, err) = run(&f, &["promote", "--run", "release-gate-out"]);
    assert_eq!(code, 2, "{out}{err}");
    assert!(err.contains("severities"), "{err}");
    assert!(!f.path("reg/registry.json").exists());
    // The report as check wrote it is refused as NO-GO (exit 1).
    f.write("release-gate-out/report.json", &report);
    let (code, out, err) = run(&f, &["promote", "--run", "release-gate-out"]);
    assert_eq!(code, 1, "{out}{err}");
}

/// Rows of customers `from..to`, five months each: income, plan and age
/// static per customer, calls per month.
fn panel(customers: std::ops::Range<usize>, seed: u64) -> Vec<String> {
    let mut r = crate::fixture::Lcg::new(seed);
    let mut rows = Vec::new();
    for _ in customers {
        let income = (20_000.0 + r.next_f64() * 60_000.0).round() / 1.0 + 0.37;
        let plan = ["a", "b", "c"][(r.next_f64() * 3.0) as usize % 3];
        let age = 18 + (r.next_f64() * 60.0) as usize;
        let group = if r.next_f64() < 0.5 { "g1" } else { "g2" };
        for month in 1..=5 {
            let calls = (r.next_f64() * 8.0) as usize;
            let z = calls as f64 + if plan == "a" { 2.0 } else { 0.0 } + r.next_f64() * 2.0;
            let label = if z > 5.5 { "yes" } else { "no" };
            rows.push(format!(
                "{income},{plan},{age},{month},{calls},{group},{label}"
            ));
        }
    }
    rows
}

// Round 12, V6: a bootstrap of panel data, where each customer's income
// is on its five rows, was not seen as copies (income was not a
// per-row measurement), so a test file of 60% training rows got GO.
#[test]
fn a_bootstrap_of_panel_data_still_shows_its_copies() {
    let header = "id,income,plan,age,month,calls,group,label\n";
    let known = panel(0..400, 1);
    let mut r = crate::fixture::Lcg::new(9);
    let boot: Vec<&String> = (0..known.len())
        .map(|_| &known[(r.next_f64() * known.len() as f64) as usize % known.len()])
        .collect();
    let file = |rows: &[&String]| -> String {
        let mut out = header.to_string();
        for (i, row) in rows.iter().enumerate() {
            out.push_str(&format!("{i},{row}\n"));
        }
        out
    };
    let fresh = panel(400..480, 2);
    let mut mixed: Vec<&String> = known.iter().step_by(3).take(600).collect();
    mixed.extend(fresh.iter().take(400));
    let f = Fixture::new("");
    f.write("data.csv", &file(&boot));
    crate::trust6::overlap_config(&f, Some("test.csv"));
    f.write("test.csv", &file(&mixed));
    crate::trust6::assert_inconclusive(&f, "60% training rows beside a bootstrapped panel");
    // Other customers' rows are judged.
    f.write("test.csv", &file(&fresh.iter().collect::<Vec<_>>()));
    let (code, _, err) = run(&f, &["check"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(gate(&f.report(), "auc")["status"], "pass");
}

// Round 14, F8: min_test_rows = 0 switched off the floor of ten test rows
// of each class: a gate passed on a handful of positives.
#[test]
fn ten_rows_of_each_class_are_needed_whatever_min_test_rows_says() {
    let data = dataset(900, 3, 0.0);
    let mut test = String::from("id,age,income,plan,group,label\n");
    let (mut yes, mut no) = (0, 0);
    for line in data.lines().skip(601) {
        let positive = line.ends_with(",yes");
        if (positive && yes < 5) || (!positive && no < 60) {
            test.push_str(line);
            test.push('\n');
            if positive {
                yes += 1;
            } else {
                no += 1;
            }
        }
    }
    assert_eq!((yes, no), (5, 60));
    for min in [0, 1, 9] {
        let f = Fixture::new("");
        f.write("data.csv", &rows_of(&data, 0..600));
        f.write("test.csv", &test);
        let config = crate::fixture::BASE_CONFIG.replace(
            "seed = 7",
            &format!("seed = 7\ntest_path = \"test.csv\"\nmin_test_rows = {min}"),
        );
        f.write("gates.toml", &format!("{config}{AUC_GATE}"));
        let (code, _, err) = run(&f, &["check"]);
        assert_eq!(code, 1, "min_test_rows = {min}: {err}");
        let r = f.report();
        let g = gate(&r, "auc");
        assert_eq!(g["status"], "inconclusive", "{g}");
        assert!(
            g["message"]
                .as_str()
                .unwrap_or("")
                .contains("fewer than 10 of one class"),
            "{g}"
        );
    }
}

// Round 14, F2: two checks into one out dir could leave one run's
// gates.toml beside the other's report, and promote registered the mix.
// Commits now hold a lock on the out dir; promote checks the config copy
// against the digest the report records.
#[test]
fn promote_refuses_a_run_dir_holding_another_runs_config() {
    let f = Fixture::new("\n[registry]\npath = \"reg\"\n");
    assert_eq!(run(&f, &["check"]).0, 0);
    let config = f.read("release-gate-out/gates.toml");
    f.write(
        "release-gate-out/gates.toml",
        &config.replace("seed = 7", "seed = 9"),
    );
    let (code, out, err) = run(&f, &["promote", "--run", "release-gate-out"]);
    assert_eq!(code, 2, "{out}{err}");
    assert!(
        err.contains("is not the config its report records"),
        "{err}"
    );
    assert!(!f.path("reg/registry.json").exists());
    f.write("release-gate-out/gates.toml", &config);
    assert_eq!(run(&f, &["promote", "--run", "release-gate-out"]).0, 0);
}

// Round 14, F3: a drift reference holding the test rows in other bytes
// (shuffled, a column added, half of them) compared them with themselves.
#[test]
fn a_drift_reference_holding_the_test_rows_is_no_reference() {
    let data = dataset(900, 3, 0.0);
    let test = rows_of(&data, 600..900);
    let lines: Vec<&str> = test.lines().collect();
    let mut shuffled = format!("{}\n", lines[0]);
    for line in lines[1..].iter().rev() {
        shuffled.push_str(line);
        shuffled.push('\n');
    }
    let mut extra = format!("{},note\n", lines[0]);
    for line in &lines[1..] {
        extra.push_str(&format!("{line},x\n"));
    }
    let half = rows_of(&data, 600..750);
    for (name, reference) in [("shuffled", shuffled), ("extra", extra), ("half", half)] {
        let f = drift_fixture(&data, &test, &reference);
        let (code, _, err) = run(&f, &["check"]);
        assert_eq!(code, 1, "{name}: {err}");
        let r = f.report();
        let g = gate(&r, "drift");
        assert_eq!(g["status"], "inconclusive", "{name}: {g}");
        assert!(
            g["message"]
                .as_str()
                .unwrap_or("")
                .contains("of the test rows"),
            "{g}"
        );
    }
}

// Round 14, F10: an out dir that is a symlink to another file system
// failed to move its artifacts in ("Invalid cross-device link"): they were
// staged beside the link.
#[test]
fn an_out_dir_linked_to_another_file_system_works() {
    let elsewhere = tempfile::tempdir_in("/dev/shm").expect("a tmpfs at /dev/shm (Linux)");
    let f = Fixture::new("");
    std::os::unix::fs::symlink(elsewhere.path(), f.path("linked")).unwrap();
    let (code, _, err) = run(&f, &["check", "--out", "linked"]);
    assert_eq!(code, 0, "{err}");
    assert!(elsewhere.path().join("report.json").is_file());
    // Again, over the first run.
    let (code, _, err) = run(&f, &["check", "--out", "linked"]);
    assert_eq!(code, 0, "{err}");
}

// Round 14, F11 and F12: a forced reason holding terminal escapes reached
// `registry list` and report.md raw, and a column name holding HTML was
// written raw into model_card.md.
#[test]
fn forced_reasons_and_column_names_are_printed_escaped() {
    let data = dataset(600, 1, 0.0).replacen("plan", "<b>plan</b>", 1);
    let f = Fixture::new(
        "\n[registry]\npath = \"reg\"\n\n[[gate]]\nname = \"auc\"\nkind = \"metric\"\nmetric = \"roc_auc\"\nmin = 0.99\n\n[[gate]]\nname = \"champ\"\nkind = \"champion\"\nmetric = \"roc_auc\"\non_missing = \"pass\"\n",
    );
    f.write("data.csv", &data);
    assert_eq!(run(&f, &["check", "--out", "r1"]).0, 1);
    let reason = "\u{1b}[2J\u{1b}[1;32mall good\u{202e}";
    let (code, out, err) = run(
        &f,
        &["promote", "--run", "r1", "--force", "--reason", reason],
    );
    assert_eq!(code, 0, "{out}{err}");
    let (code, listed, err) = run(&f, &["registry", "list"]);
    assert_eq!(code, 0, "{err}");
    assert!(
        !listed.contains('\u{1b}') && !listed.contains('\u{202e}'),
        "{listed:?}"
    );
    assert!(listed.contains("\\u{1b}"), "{listed}");
    run(&f, &["check", "--out", "r2"]);
    for file in ["r2/report.md", "r2/model_card.md"] {
        let text = f.read(file);
        assert!(
            !text.contains('\u{1b}') && !text.contains('\u{202e}'),
            "{file}"
        );
        assert!(!text.contains("<b>plan</b>"), "{file}");
    }
    assert!(f.read("r2/model_card.md").contains("all good"));
}

// Round 14, F5: an int64 target of 2^53 and 2^53 + 1 (a uint64 id near
// 2^64 beside it) merged into one class as floats, and the error said
// every row was the positive value while naming another. Integers beyond
// 2^53 now load as their exact digits (scripts/make_big_int_parquet.py).
#[test]
fn integers_beyond_two_to_the_53_keep_their_classes() {
    let fixture = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/big_int_target.parquet");
    let f = Fixture::new("");
    std::fs::copy(&fixture, f.path("data.parquet")).unwrap();
    f.write(
        "gates.toml",
        &format!(
            "[data]\npath = \"data.parquet\"\ntarget = \"y\"\npositive = \"9007199254740993\"\ndrop = [\"id\"]\ntest_fraction = 0.3\n{AUC_GATE}"
        ),
    );
    let (code, _, err) = run(&f, &["check"]);
    assert!(code == 0 || code == 1, "{err}");
    let r = f.report();
    let (pos, rows) = (&r["data"]["test_positives"], &r["data"]["test_rows"]);
    assert!(
        pos.as_u64().unwrap() > 0 && pos.as_u64() < rows.as_u64(),
        "{}",
        r["data"]
    );
}

// Round 15, F1: a registry whose versions/ is a symlink to another
// registry's put its version there, and the other registry's index went
// stale (exit 2 everywhere).
#[test]
fn a_registry_whose_versions_dir_is_a_link_is_refused() {
    let f = Fixture::new("\n[registry]\npath = \"a\"\n");
    assert_eq!(run(&f, &["check", "--out", "r1"]).0, 0);
    assert_eq!(run(&f, &["promote", "--run", "r1"]).0, 0);
    std::fs::create_dir_all(f.path("b")).unwrap();
    std::os::unix::fs::symlink(f.path("a/versions"), f.path("b/versions")).unwrap();
    let (code, out, err) = run(
        &f,
        &[
            "promote",
            "--run",
            "r1",
            "--registry",
            "b",
            "--force",
            "--reason",
            "x",
        ],
    );
    assert_eq!(code, 2, "{out}{err}");
    assert!(err.contains("versions"), "{err}");
    let (code, _, err) = run(&f, &["registry", "list", "--registry", "a"]);
    assert_eq!(code, 0, "{err}");
}

// Round 15, F2: one "-" cell made a drift reference's numeric column
// text, and as text it read PSI 0 however far it had moved. Since round
// 18 (F4) a "-" among numbers is a missing number: the column is compared
// as numbers, and fails.
#[test]
fn a_reference_holding_a_number_as_text_is_not_compared_on_it() {
    let shifted = changed(&dataset(300, 9, 0.0), "income", |c| {
        format!("{}", c.parse::<f64>().unwrap_or(0.0) + 500.0)
    });
    let mut lines: Vec<String> = shifted.lines().map(String::from).collect();
    lines[5] = changed(&format!("{}\n{}\n", lines[0], lines[5]), "income", |_| {
        "-".to_string()
    })
    .lines()
    .nth(1)
    .unwrap_or("")
    .to_string();
    let f = Fixture::new(
        "\n[[gate]]\nname = \"drift\"\nkind = \"drift\"\nmax_psi = 0.2\nreference = \"ref.csv\"\n",
    );
    f.write("ref.csv", &(lines.join("\n") + "\n"));
    let (code, _, err) = run(&f, &["check"]);
    assert_eq!(code, 1, "{err}");
    let r = f.report();
    let g = gate(&r, "drift");
    assert_eq!(g["status"], "fail", "{g}");
    assert!(
        g["message"].as_str().unwrap_or("").contains("income"),
        "{g}"
    );
}
