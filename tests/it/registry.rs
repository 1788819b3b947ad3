//! Champion/challenger: promote, the champion gate, compare, registry list,
//! concurrency and crash safety of the registry.
use crate::fixture::{dataset, gate, Fixture};
use predicates::prelude::PredicateBooleanExt as _;
use predicates::str::contains;
use std::path::Path;

const CHAMPION_GATES: &str = r#"
[registry]
path = "registry"

[[gate]]
name = "auc vs champion"
kind = "champion"
metric = "roc_auc"
min_delta = 0.0
on_missing = "pass"

[[gate]]
name = "log_loss vs champion"
kind = "champion"
metric = "log_loss"
min_delta = 0.0
on_missing = "pass"
"#;

fn index(f: &Fixture) -> serde_json::Value {
    serde_json::from_str(&f.read("registry/registry.json")).expect("registry.json")
}

/// Runs check into `out` with the given model section, asserting the exit code.
fn check_into(f: &Fixture, out: &str, code: i32) -> serde_json::Value {
    let o = f.cmd(&["check", "--out", out]).output().unwrap();
    assert_eq!(
        o.status.code(),
        Some(code),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    serde_json::from_str(&f.read(&format!("{out}/report.json"))).unwrap()
}

fn set_model(f: &Fixture, model: &str) {
    f.write(
        "gates.toml",
        &format!("{}{model}\n{CHAMPION_GATES}", crate::fixture::BASE_CONFIG),
    );
}

#[test]
fn promote_go_run_then_identical_candidate_has_delta_zero() {
    let f = Fixture::new(CHAMPION_GATES);
    check_into(&f, "run1", 0);
    f.cmd(&["promote", "--run", "run1"])
        .assert()
        .code(0)
        .stdout(contains("v0001"));
    let idx = index(&f);
    assert_eq!(idx["champion"], "v0001");
    let e = &idx["versions"][0];
    assert_eq!(e["forced"], false);
    assert_eq!(e["metric"], "roc_auc");
    assert_eq!(e["data_sha256"].as_str().unwrap().len(), 64);
    assert!(e["promoted_by"].is_string() && e["promoted_at"].is_string());
    for file in [
        "model.json",
        "report.json",
        "model_card.md",
        "predictions.csv",
        "gates.toml",
    ] {
        assert!(
            f.path(&format!("registry/versions/v0001/{file}")).is_file(),
            "{file}"
        );
    }
    let r = check_into(&f, "run2", 0);
    assert_eq!(r["champion"]["present"], true);
    assert_eq!(r["champion"]["version"], "v0001");
    assert_eq!(r["champion"]["delta"], 0.0);
    let g = gate(&r, "auc vs champion");
    assert_eq!(g["status"], "pass");
    assert!(
        g["message"].as_str().unwrap().contains("byte-identical"),
        "{g}"
    );
}

#[test]
fn champion_gate_fails_and_passes_in_both_directions() {
    let f = Fixture::new("");
    // A strong champion: the candidate (a stump) is worse on both metrics.
    set_model(&f, "[model]\nkind = \"logistic_regression\"");
    check_into(&f, "strong", 0);
    f.cmd(&["promote", "--run", "strong"]).assert().code(0);
    set_model(
        &f,
        "[model]\nkind = \"decision_tree\"\n[model.params]\nmax_depth = 1",
    );
    let r = check_into(&f, "weak", 1);
    assert_eq!(gate(&r, "auc vs champion")["status"], "fail");
    assert_eq!(
        gate(&r, "log_loss vs champion")["status"],
        "fail",
        "higher log_loss must fail"
    );
    // Promote the weak one (forced): now the strong candidate beats it on both.
    f.cmd(&["promote", "--run", "weak", "--force", "--reason", "test"])
        .assert()
        .code(0);
    set_model(&f, "[model]\nkind = \"logistic_regression\"");
    let r = check_into(&f, "again", 0);
    assert_eq!(r["champion"]["forced_reason"], "test");
    assert!(r["champion"]["message"]
        .as_str()
        .unwrap()
        .contains("promoted by force"));
    assert!(f.read("again/model_card.md").contains("promoted by force"));
    assert_eq!(gate(&r, "auc vs champion")["status"], "pass");
    assert_eq!(gate(&r, "log_loss vs champion")["status"], "pass");
    assert!(r["champion"]["delta"].as_f64().unwrap() > 0.0);
}

#[test]
fn no_go_run_is_refused_and_registry_untouched() {
    let f = Fixture::new(&format!("{CHAMPION_GATES}\n[[gate]]\nname = \"impossible\"\nkind = \"metric\"\nmetric = \"accuracy\"\nmin = 0.9999\n"));
    check_into(&f, "bad", 1);
    f.cmd(&["promote", "--run", "bad"])
        .assert()
        .code(1)
        .stderr(contains("refusing"))
        .stderr(contains("impossible"));
    assert!(!f.path("registry/registry.json").exists());
    assert!(!f.path("registry/versions").exists());
}

#[test]
fn forced_promotion_needs_a_reason_and_is_recorded() {
    let f = Fixture::new(&format!("{CHAMPION_GATES}\n[[gate]]\nname = \"impossible\"\nkind = \"metric\"\nmetric = \"accuracy\"\nmin = 0.9999\n"));
    check_into(&f, "bad", 1);
    f.cmd(&["promote", "--run", "bad", "--force"])
        .assert()
        .code(2);
    f.cmd(&[
        "promote",
        "--run",
        "bad",
        "--force",
        "--reason",
        "hotfix approved by risk",
    ])
    .assert()
    .code(0)
    .stdout(contains("FORCED"));
    let idx = index(&f);
    assert_eq!(idx["versions"][0]["forced"], true);
    assert_eq!(idx["versions"][0]["reason"], "hotfix approved by risk");
    f.cmd(&["registry", "list"])
        .assert()
        .code(0)
        .stdout(contains("v0001"))
        .stdout(contains("FORCED: hotfix"));
}

/// Round 36: `--force --reason` on a GO run whose champion gate is
/// current recorded `forced: false` beside the reason, which read as a
/// forced promotion in the history.
#[test]
fn a_reason_is_recorded_only_when_something_was_forced() {
    let f = Fixture::new(CHAMPION_GATES);
    check_into(&f, "run1", 0);
    f.cmd(&[
        "promote",
        "--run",
        "run1",
        "--force",
        "--reason",
        "just in case",
    ])
    .assert()
    .code(0)
    .stdout(contains("--force was not needed"))
    .stdout(contains("FORCED").not());
    let idx = index(&f);
    let e = &idx["versions"][0];
    assert_eq!(e["forced"], false, "{e}");
    assert!(e.get("reason").is_none_or(|r| r.is_null()), "{e}");
    f.cmd(&["registry", "list"])
        .assert()
        .code(0)
        .stdout(contains("just in case").not());
}

#[test]
fn champion_missing_columns_is_inconclusive_naming_them() {
    let f = Fixture::new(CHAMPION_GATES);
    check_into(&f, "run1", 0);
    f.cmd(&["promote", "--run", "run1"]).assert().code(0);
    // New data without the `income` column.
    let without: String = dataset(600, 1, 0.0)
        .lines()
        .map(|l| {
            let mut cells: Vec<&str> = l.split(',').collect();
            cells.remove(2);
            cells.join(",") + "\n"
        })
        .collect();
    f.write("data.csv", &without);
    let r = check_into(&f, "run2", 1);
    let g = gate(&r, "auc vs champion");
    assert_eq!(g["status"], "inconclusive");
    assert!(g["message"].as_str().unwrap().contains("income"), "{g}");
}

#[test]
fn champion_for_another_positive_class_is_inconclusive_not_compared() {
    let f = Fixture::new(CHAMPION_GATES);
    check_into(&f, "run1", 0);
    f.cmd(&["promote", "--run", "run1"]).assert().code(0);
    let flipped = format!("{}{CHAMPION_GATES}", crate::fixture::BASE_CONFIG)
        .replace("positive = \"yes\"", "positive = \"no\"");
    f.write("gates.toml", &flipped);
    let r = check_into(&f, "run2", 1);
    let g = gate(&r, "auc vs champion");
    assert_eq!(g["status"], "inconclusive");
    assert!(
        g["message"].as_str().unwrap().contains("not comparable"),
        "{g}"
    );
}

#[test]
fn corrupt_registry_index_exits_2_naming_it() {
    let f = Fixture::new(CHAMPION_GATES);
    f.write("registry/registry.json", "garbage\n");
    f.cmd(&["check"])
        .assert()
        .code(2)
        .stderr(contains("registry.json: not a registry index"));
}

#[test]
fn champion_key_is_an_object_even_without_a_champion_gate() {
    let f = Fixture::new(CHAMPION_GATES);
    check_into(&f, "run1", 0);
    f.cmd(&["promote", "--run", "run1"]).assert().code(0);
    let plain = format!(
        "{}[registry]\npath = \"registry\"\n",
        crate::fixture::BASE_CONFIG
    );
    f.write("gates.toml", &plain);
    let r = check_into(&f, "run2", 0);
    assert_eq!(r["champion"]["present"], true, "{}", r["champion"]);
    assert_eq!(r["champion"]["version"], "v0001");
    assert!(r["champion"]["delta"].is_null());
    assert!(!f.read("run2/report.md").contains("v0001"));
    let empty = Fixture::new("");
    assert_eq!(empty.check(0)["champion"]["present"], false);
}

#[test]
fn compare_runs_and_champion() {
    let f = Fixture::new(CHAMPION_GATES);
    check_into(&f, "run1", 0);
    f.cmd(&["promote", "--run", "run1"]).assert().code(0);
    set_model(
        &f,
        "[model]\nkind = \"random_forest\"\n[model.params]\nn_trees = 10\nmax_depth = 3",
    );
    f.cmd(&["check", "--out", "run2"]).output().unwrap();
    f.cmd(&["compare", "run1", "run2"])
        .assert()
        .code(0)
        .stdout(contains("roc_auc"))
        .stdout(contains("delta"));
    let o = f
        .cmd(&["compare", "champion", "run2", "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let c: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(c["a"], "champion v0001");
    assert_eq!(c["same_test_data"], true);
    assert_eq!(c["metrics"].as_array().unwrap().len(), 7);
    f.cmd(&["compare", "v0001", "run2", "--format", "markdown"])
        .assert()
        .code(0)
        .stdout(contains("| roc_auc |"));
    f.cmd(&["compare", "v0009", "run2"])
        .assert()
        .code(2)
        .stderr(contains("has no version v0009"));
    f.cmd(&["compare", "v0001", "run2", "--registry", "elsewhere"])
        .assert()
        .code(2)
        .stderr(contains("no registry at elsewhere"));
    // Without ./gates.toml (a job comparing downloaded runs), the registry
    // comes from the run's own config copy.
    std::fs::remove_file(f.path("gates.toml")).unwrap();
    f.cmd(&["compare", "champion", "run2"])
        .assert()
        .code(0)
        .stdout(contains("v0001"));
}

/// Every version the index names is complete, and the champion is one of them.
fn assert_consistent(registry: &Path, runs: &[&Path]) {
    let text = match std::fs::read_to_string(registry.join("registry.json")) {
        Ok(t) => t,
        Err(_) => return, // never promoted: "as before"
    };
    let idx: serde_json::Value = serde_json::from_str(&text).expect("index is whole JSON");
    let models: Vec<Vec<u8>> = runs
        .iter()
        .map(|r| std::fs::read(r.join("model.json")).unwrap())
        .collect();
    for v in idx["versions"].as_array().unwrap() {
        let dir = registry
            .join("versions")
            .join(v["version"].as_str().unwrap());
        let stored = std::fs::read(dir.join("model.json")).unwrap();
        assert!(models.contains(&stored), "{dir:?} is whole");
        assert!(dir.join("report.json").is_file());
    }
    // The empty index the first promotion writes first: "as before".
    let Some(champ) = idx["champion"].as_str() else {
        assert!(idx["versions"].as_array().unwrap().is_empty(), "{idx}");
        return;
    };
    assert!(idx["versions"]
        .as_array()
        .unwrap()
        .iter()
        .any(|v| v["version"] == champ));
}

#[test]
fn killed_promotions_leave_the_registry_before_or_after() {
    let f = Fixture::new(CHAMPION_GATES);
    check_into(&f, "run", 0);
    f.write(
        "gates.toml",
        &format!(
            "{}{CHAMPION_GATES}",
            crate::fixture::BASE_CONFIG.replace("seed = 7", "seed = 8")
        ),
    );
    check_into(&f, "runb", 0);
    let runs = [f.path("run"), f.path("runb")];
    let runs: Vec<&Path> = runs.iter().map(|p| p.as_path()).collect();
    let bin = assert_cmd::cargo::cargo_bin("release-gate");
    let mut rng = crate::fixture::Lcg::new(3);
    for i in 0..25 {
        // Alternate the two candidates (forced past the stale-champion
        // check) so every attempt really writes a new version.
        let run = if i % 2 == 0 { "run" } else { "runb" };
        let mut child = std::process::Command::new(&bin)
            .current_dir(f.dir.path())
            .args(["promote", "--run", run, "--force", "--reason", "kill test"])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(std::time::Duration::from_micros(
            (rng.next_f64() * 8000.0) as u64,
        ));
        let _ = child.kill();
        let _ = child.wait();
        assert_consistent(&f.path("registry"), &runs);
    }
    // The registry still works, and a new version never reuses a name.
    f.cmd(&["promote", "--run", "run", "--force", "--reason", "after"])
        .assert()
        .code(0);
    assert_consistent(&f.path("registry"), &runs);
}

#[test]
fn concurrent_promotions_serialize() {
    // Three different candidates, each gated against "no champion yet":
    // promoted at once, exactly one may win; the others are refused as stale
    // (not silently stacked on top of a champion they never met).
    let f = Fixture::new(CHAMPION_GATES);
    for (i, seed) in [7, 8, 9].iter().enumerate() {
        f.write(
            "gates.toml",
            &format!(
                "{}{CHAMPION_GATES}",
                crate::fixture::BASE_CONFIG.replace("seed = 7", &format!("seed = {seed}"))
            ),
        );
        check_into(&f, &format!("run{i}"), 0);
    }
    let bin = assert_cmd::cargo::cargo_bin("release-gate");
    let handles: Vec<_> = (0..6)
        .map(|k| {
            let bin = bin.clone();
            let dir = f.dir.path().to_path_buf();
            std::thread::spawn(move || {
                std::process::Command::new(bin)
                    .current_dir(dir)
                    .args(["promote", "--run", &format!("run{}", k % 3)])
                    .output()
                    .unwrap()
            })
        })
        .collect();
    let codes: Vec<Option<i32>> = handles
        .into_iter()
        .map(|h| h.join().unwrap().status.code())
        .collect();
    let idx = index(&f);
    let versions = idx["versions"].as_array().unwrap();
    assert_eq!(versions.len(), 1, "one winner: {idx}");
    assert_eq!(idx["champion"], "v0001");
    // The winner's twin promotion is a no-op (exit 0); the other runs' are refused.
    assert_eq!(
        codes.iter().filter(|c| **c == Some(0)).count(),
        2,
        "{codes:?}"
    );
    assert_eq!(
        codes.iter().filter(|c| **c == Some(1)).count(),
        4,
        "{codes:?}"
    );
    let stored = f.read("registry/versions/v0001/model.json");
    let winner = (0..3)
        .map(|i| format!("run{i}"))
        .find(|r| f.read(&format!("{r}/model.json")) == stored)
        .expect("the champion is one of the runs");
    assert_consistent(&f.path("registry"), &[&f.path(&winner)]);
}

#[test]
fn stale_tampered_and_repeated_promotions() {
    let f = Fixture::new(CHAMPION_GATES);
    check_into(&f, "run1", 0);
    let seed8 = format!(
        "{}{CHAMPION_GATES}",
        crate::fixture::BASE_CONFIG.replace("seed = 7", "seed = 8")
    );
    let seed7 = f.read("gates.toml");
    f.write("gates.toml", &seed8);
    check_into(&f, "run2", 0);
    f.write("gates.toml", &seed7);
    f.cmd(&["promote", "--run", "run1"]).assert().code(0);
    // Promoting the champion again is a harmless no-op.
    f.cmd(&["promote", "--run", "run1"])
        .assert()
        .code(0)
        .stdout(contains("already the champion as v0001"));
    // run2 was gated before v0001 existed: refused, unless forced.
    f.cmd(&["promote", "--run", "run2"])
        .assert()
        .code(1)
        .stderr(contains(
            "gated against no champion but the registry's champion is now v0001",
        ));
    let again = check_into(&f, "run3", 0);
    assert_eq!(again["champion"]["version"], "v0001");
    f.cmd(&["promote", "--run", "run3"]).assert().code(0);
    assert_eq!(
        index(&f)["versions"].as_array().unwrap().len(),
        1,
        "run3 = run1's model"
    );
    // Forced past the stale check: registered, and recorded as forced with why.
    f.cmd(&["promote", "--run", "run2", "--force", "--reason", "hotfix"])
        .assert()
        .code(0)
        .stdout(contains(
            "FORCED over a champion gate that compared with an older champion",
        ));
    let entry = index(&f)["versions"][1].clone();
    assert_eq!(entry["forced"], true, "{entry}");
    assert_eq!(
        entry["reason"],
        "hotfix (gated against no champion, champion was v0001)"
    );
    f.cmd(&["promote", "--run", "run1", "--reason", "no force"])
        .assert()
        .code(2);
    // A model.json edited after check is refused, not registered.
    let model = f
        .read("run2/model.json")
        .replacen("\"coef\":[", "\"coef\":[1.5,", 1);
    f.write("run2/model.json", &model);
    f.cmd(&["promote", "--run", "run2", "--force", "--reason", "test"])
        .assert()
        .code(2)
        .stderr(contains("the run directory changed after check"));
}

#[test]
fn registry_list_marks_the_champion() {
    let f = Fixture::new(CHAMPION_GATES);
    check_into(&f, "run", 0);
    f.cmd(&["promote", "--run", "run"]).assert().code(0);
    f.write(
        "gates.toml",
        &format!(
            "{}{CHAMPION_GATES}",
            crate::fixture::BASE_CONFIG.replace("seed = 7", "seed = 8")
        ),
    );
    f.cmd(&["check", "--out", "run2"]).output().unwrap();
    f.cmd(&["promote", "--run", "run2", "--force", "--reason", "test"])
        .assert()
        .code(0);
    let o = f
        .cmd(&["registry", "list", "--format", "json"])
        .output()
        .unwrap();
    let idx: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(idx["champion"], "v0002");
    f.cmd(&["registry", "list"])
        .assert()
        .code(0)
        .stdout(contains("champion: v0002"))
        .stdout(contains("roc_auc"));
}

/// Same split as the champion's: duplicate rows in the data match its
/// training rows, but no more than the candidate's own, so no leak warning.
#[test]
fn duplicate_rows_alone_do_not_look_like_leakage() {
    let f = Fixture::new(CHAMPION_GATES);
    let data = dataset(600, 1, 0.0);
    let mut lines: Vec<&str> = data.lines().collect();
    let body: Vec<String> = lines[1..]
        .iter()
        .map(|l| l.split_once(',').unwrap().1.to_string())
        .collect();
    // Every row twice (distinct ids, identical features).
    let header = lines.remove(0).to_string();
    let doubled: String = body
        .iter()
        .chain(body.iter())
        .enumerate()
        .map(|(i, rest)| format!("{i},{rest}\n"))
        .collect();
    f.write("data.csv", &format!("{header}\n{doubled}"));
    f.write(
        "gates.toml",
        &format!(
            "{}[contract]\nmax_duplicate_fraction = 1.0\n{CHAMPION_GATES}",
            crate::fixture::BASE_CONFIG
        ),
    );
    // Without a champion the gates pass (on_missing); the repeated rows
    // then make the comparison no evidence (round 7, B6), but the
    // champion's training rows are not the candidate's leak.
    check_into(&f, "run1", 0);
    f.cmd(&["promote", "--run", "run1"]).assert().code(0);
    let r = check_into(&f, "run2", 1);
    assert_eq!(gate(&r, "auc vs champion")["status"], "inconclusive");
    let msg = gate(&r, "auc vs champion")["message"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(!msg.contains("warning"), "{msg}");
}

/// ROC AUC of `scores` against 0/1 `y` (Mann-Whitney, ties count half).
fn auc(y: &[u8], scores: &[f64]) -> f64 {
    let (mut wins, mut pairs) = (0.0, 0.0);
    for (i, &yi) in y.iter().enumerate() {
        for (j, &yj) in y.iter().enumerate() {
            if yi == 1 && yj == 0 {
                pairs += 1.0;
                wins += match scores[i].partial_cmp(&scores[j]) {
                    Some(std::cmp::Ordering::Greater) => 1.0,
                    Some(std::cmp::Ordering::Equal) => 0.5,
                    _ => 0.0,
                };
            }
        }
    }
    wins / pairs
}

// Round 21, F5: another split of the data puts the champion's training
// rows among today's test rows, where it scores as remembered: a FAIL
// blamed the candidate. Both models are compared on the test rows the
// champion did not train on (run1's test rows), each score equal to an
// AUC computed here over those rows.
#[test]
fn test_rows_from_the_champions_training_data_are_left_out() {
    let f = Fixture::new(CHAMPION_GATES);
    // Rows made distinct (income to a thousandth), so that the rows the
    // champion trained on are exactly those outside run1's test rows.
    let data: Vec<String> = crate::fixture::dataset(600, 1, 0.0)
        .lines()
        .enumerate()
        .map(|(i, l)| {
            let mut c: Vec<String> = l.split(',').map(String::from).collect();
            if i > 0 {
                c[2] = format!("{}.{i:03}", c[2]);
            }
            c.join(",")
        })
        .collect();
    f.write("data.csv", &(data.join("\n") + "\n"));
    let config = |seed: &str| {
        format!(
            "{}{CHAMPION_GATES}",
            crate::fixture::BASE_CONFIG
                .replace("seed = 7", &format!("seed = {seed}\nmin_test_rows = 10"))
        )
    };
    f.write("gates.toml", &config("7"));
    check_into(&f, "run1", 0);
    f.cmd(&["promote", "--run", "run1"]).assert().code(0);
    // Another seed => another split: most of today's test rows trained the champion.
    f.write("gates.toml", &config("8"));
    let o = f.cmd(&["check", "--out", "run2"]).output().unwrap();
    let r: serde_json::Value = serde_json::from_str(&f.read("run2/report.json")).unwrap();
    let msg = gate(&r, "auc vs champion")["message"]
        .as_str()
        .unwrap()
        .to_string();
    // run1's test rows are the champion's unseen rows.
    let run1: std::collections::HashSet<String> = f
        .read("run1/predictions.csv")
        .lines()
        .skip(1)
        .filter_map(|l| l.split(',').next().map(String::from))
        .collect();
    let (mut y, mut cand, mut champ) = (Vec::new(), Vec::new(), Vec::new());
    for line in f.read("run2/predictions.csv").lines().skip(1) {
        let c: Vec<&str> = line.split(',').collect();
        if run1.contains(c[0]) {
            y.push(c[1].parse::<u8>().unwrap());
            cand.push(c[2].parse::<f64>().unwrap());
            champ.push(c[4].parse::<f64>().unwrap());
        }
    }
    assert!(y.len() < 100, "{}", y.len());
    assert!(
        msg.contains(&format!(
            "compared on the {} of 120 test rows that are not copies",
            y.len()
        )),
        "{msg} / {o:?}"
    );
    let c = &r["champion"];
    let close = |a: &serde_json::Value, b: f64| (a.as_f64().unwrap() - b).abs() < 1e-12;
    assert!(close(&c["candidate_value"], auc(&y, &cand)), "{c}");
    assert!(close(&c["champion_value"], auc(&y, &champ)), "{c}");
    assert!(
        !close(
            &c["candidate_value"],
            r["metrics"]["roc_auc"].as_f64().unwrap()
        ),
        "{c}"
    );
}

/// Starter configs, registry files and version directories are created like
/// any other file (0644/0755 under umask 022), not owner-only like a temp file.
#[cfg(unix)]
#[test]
fn written_files_follow_the_umask_not_owner_only() {
    use std::os::unix::fs::PermissionsExt;
    let f = Fixture::new(CHAMPION_GATES);
    check_into(&f, "run1", 0);
    let bin = assert_cmd::cargo::cargo_bin("release-gate");
    for args in ["promote --run run1", "init --dir fresh"] {
        let status = std::process::Command::new("sh")
            .current_dir(f.dir.path())
            .arg("-c")
            .arg(format!("umask 022 && exec \"$0\" {args} >/dev/null"))
            .arg(&bin)
            .status()
            .unwrap();
        assert!(status.success(), "{args}");
    }
    let mode = |p: &str| std::fs::metadata(f.path(p)).unwrap().permissions().mode() & 0o777;
    for file in [
        "registry/registry.json",
        "registry/versions/v0001/model.json",
        "fresh/gates.toml",
        "fresh/.github/workflows/release-gate.yml",
    ] {
        assert_eq!(mode(file), 0o644, "{file}");
    }
    assert_eq!(mode("registry/versions/v0001"), 0o755);
}
