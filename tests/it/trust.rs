//! Regression tests for the adversarial trial (issue #12): each finding is
//! a rule, tested here on a variant of its reproduction.
use crate::fixture::{dataset, gate, Fixture, BASE_CONFIG};
use predicates::str::contains;

fn run(f: &Fixture, args: &[&str]) -> (i32, String, String) {
    let o = f.cmd(args).output().unwrap();
    (
        o.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&o.stdout).to_string(),
        String::from_utf8_lossy(&o.stderr).to_string(),
    )
}

fn fixture_file(f: &Fixture, name: &str) {
    let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name);
    std::fs::copy(src, f.path(name)).unwrap();
}

// 1. Every primitive Parquet type loads; an unreadable one names its column.
#[test]
fn small_ints_float16_and_decimals_load_even_as_the_target() {
    let f = Fixture::new("");
    fixture_file(&f, "primitive_types.parquet");
    f.write(
        "gates.toml",
        "[data]\npath = \"primitive_types.parquet\"\ntarget = \"label\"\npositive = 1\n",
    );
    let (code, _, err) = run(&f, &["check"]);
    assert!(code == 0 || code == 1, "{code}: {err}");
    let r = f.report();
    assert_eq!(r["data"]["rows"], 300);
    assert_eq!(
        r["data"]["train_positives"].as_u64().unwrap()
            + r["data"]["test_positives"].as_u64().unwrap(),
        120
    );
    let features = crate::fixture::features(&r);
    for c in ["i8", "i16", "u8", "u16", "amount"] {
        assert!(features.contains(&c), "{c} missing from {features:?}");
    }
}

/// A float16 column loads, widened: its values score as scikit-learn
/// scores them (`roc_auc_score(label == "yes", f16.astype("float64"))` on
/// tests/fixtures/float16.parquet, made by scripts/make_parquet_types.py).
#[test]
fn a_float16_column_loads_widened() {
    let f = Fixture::new("");
    fixture_file(&f, "float16.parquet");
    f.write(
        "gates.toml",
        "[data]\npath = \"float16.parquet\"\ntarget = \"label\"\npositive = \"yes\"\n\n\
         [model]\nkind = \"scores\"\nscore = \"f16\"\n",
    );
    let (code, _, err) = run(&f, &["check"]);
    assert!(code == 0 || code == 1, "{code}: {err}");
    let r = f.report();
    assert_eq!(r["data"]["rows"], 300);
    let auc = r["metrics"]["roc_auc"].as_f64().unwrap();
    assert!((auc - 0.516_666_666_666_666_7).abs() < 1e-12, "{auc}");
}

#[test]
fn an_unreadable_parquet_type_is_exit_2_naming_the_column() {
    let f = Fixture::new("");
    fixture_file(&f, "binary.parquet");
    f.write(
        "gates.toml",
        "[data]\npath = \"binary.parquet\"\ntarget = \"label\"\npositive = \"yes\"\n",
    );
    f.cmd(&["validate"])
        .assert()
        .code(2)
        .stderr(contains("column \"blob\" has unsupported Parquet type"));
}

// 2. Never write over an input, nor into a foreign non-empty directory.
#[test]
fn out_dir_holding_the_config_or_the_data_is_refused_before_any_work() {
    let f = Fixture::new("");
    let config = f.read("gates.toml");
    f.write("other.toml", &config);
    let (code, _, err) = run(&f, &["check", "--config", "other.toml", "--out", "."]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("--out ."), "{err}");
    assert_eq!(f.read("gates.toml"), config, "gates.toml was overwritten");

    let data = f.read("data.csv");
    f.write("predictions.csv", &data);
    f.write("p.toml", &config.replace("data.csv", "predictions.csv"));
    f.write("sub/keep.txt", "mine");
    for out in ["sub", "."] {
        let (code, _, err) = run(&f, &["check", "--config", "p.toml", "--out", out]);
        assert_eq!(code, 2, "--out {out}: {err}");
    }
    assert_eq!(f.read("predictions.csv"), data, "the data was overwritten");
    assert_eq!(f.read("sub/keep.txt"), "mine");
    assert!(!f.path("sub/report.json").exists());
}

// 13. A run that errors leaves the previous run's artifacts as they were.
#[test]
fn a_failed_rerun_leaves_the_previous_out_dir_untouched() {
    let f = Fixture::new("");
    f.check(0);
    let before = f.read("release-gate-out/report.json");
    let model = f.read("release-gate-out/model.json");
    f.write("templates/model_card.md.j2", "{{ broken ");
    f.write(
        "gates.toml",
        &format!("{BASE_CONFIG}\n[model]\nkind = \"decision_tree\"\n"),
    );
    let (code, _, err) = run(&f, &["check"]);
    assert_eq!(code, 2, "{err}");
    assert_eq!(f.read("release-gate-out/report.json"), before);
    assert_eq!(f.read("release-gate-out/model.json"), model);
    std::fs::remove_file(f.path("templates/model_card.md.j2")).unwrap();
    // --junit into a directory: refused before anything is written.
    std::fs::create_dir_all(f.path("adir")).unwrap();
    let (code, _, err) = run(&f, &["check", "--junit", "adir"]);
    assert_eq!(code, 2, "{err}");
    assert_eq!(f.read("release-gate-out/model.json"), model);
    // A JUnit file inside the out dir is written with the run and kept.
    let (code, _, err) = run(&f, &["check", "--junit", "release-gate-out/gates.xml"]);
    assert!(code <= 1, "{err}");
    assert!(f.read("release-gate-out/gates.xml").contains("<testsuite"));
    let (code, _, err) = run(&f, &["check"]);
    assert!(code <= 1, "{err}");
    assert!(f.path("release-gate-out/gates.xml").exists());
}

const CHAMP: &str = "\n[[gate]]\nname = \"champ\"\nkind = \"champion\"\nmetric = \"roc_auc\"\n";

// 3. A run gated against one registry is not promoted into another.
#[test]
fn a_run_is_promoted_only_into_the_registry_it_was_gated_against() {
    let f = Fixture::new(&format!("\n[registry]\npath = \"regA\"\n{CHAMP}"));
    let (code, _, err) = run(&f, &["check", "--out", "run1"]);
    assert_eq!(code, 0, "{err}");
    let (code, out, err) = run(&f, &["promote", "--run", "run1", "--registry", "regB"]);
    assert_eq!(code, 1, "{out}{err}");
    assert!(err.contains("gated against the registry"), "{err}");
    assert!(!f.path("regB/registry.json").exists());
    let (code, out, err) = run(&f, &["promote", "--run", "run1"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(f.path("regA/registry.json").exists());
    // Forced into regB: recorded as forced, with the registry it was gated
    // against beside the reason (a GO run forced this way was recorded as
    // not forced, and its reason dropped).
    let (code, out, err) = run(
        &f,
        &[
            "promote",
            "--run",
            "run1",
            "--registry",
            "regB",
            "--force",
            "--reason",
            "move",
        ],
    );
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        out.contains("(FORCED over a run gated against another registry)"),
        "{out}"
    );
    let index: serde_json::Value = serde_json::from_str(&f.read("regB/registry.json")).unwrap();
    let e = &index["versions"][0];
    assert_eq!(e["forced"], true, "{e}");
    let reason = e["reason"].as_str().unwrap();
    assert!(
        reason.starts_with("move (gated against the registry ") && reason.contains("regA"),
        "{reason}"
    );
    // Other models gated beside regA's champion (another seed each),
    // forced into regB: only the registry is overridden. After run2,
    // regB's champion is run2's model, and run3's gate beside regA's
    // v0001 is no older champion of regB's.
    let forced_into_b = |seed: u32, dir: &str| {
        let config = f.read("gates.toml");
        f.write(
            "gates.toml",
            &config.replace(&format!("seed = {}", seed - 1), &format!("seed = {seed}")),
        );
        let (code, _, err) = run(&f, &["check", "--out", dir]);
        assert!(code <= 1, "{err}");
        let args = [
            "promote",
            "--run",
            dir,
            "--registry",
            "regB",
            "--force",
            "--reason",
            "x",
        ];
        let (code, out, err) = run(&f, &args);
        assert_eq!(code, 0, "{out}{err}");
        assert!(
            out.contains("a run gated against another registry)"),
            "{out}"
        );
        out
    };
    forced_into_b(8, "run2");
    let out = forced_into_b(9, "run3");
    assert!(!out.contains("older champion"), "{out}");
    let index: serde_json::Value = serde_json::from_str(&f.read("regB/registry.json")).unwrap();
    let reason = index["versions"][2]["reason"].as_str().unwrap();
    assert!(!reason.contains("champion was"), "{reason}");
}

// 4. Promoting from another directory uses the registry the run recorded.
#[test]
fn promote_from_another_directory_finds_the_config_relative_registry() {
    let f = Fixture::new(&format!("\n[registry]\npath = \"models\"\n{CHAMP}"));
    let (code, _, err) = run(&f, &["check", "--out", "run1"]);
    assert_eq!(code, 0, "{err}");
    std::fs::create_dir_all(f.path("elsewhere")).unwrap();
    let mut c = f.cmd(&["promote", "--run", "../run1"]);
    c.current_dir(f.path("elsewhere"));
    c.assert().code(0);
    assert!(f.path("models/registry.json").exists());
    assert!(!f.path("elsewhere/models").exists());
    // A later check sees that champion.
    let (code, _, err) = run(&f, &["check", "--out", "run2"]);
    assert_eq!(code, 0, "{err}");
    let r: serde_json::Value = serde_json::from_str(&f.read("run2/report.json")).unwrap();
    assert_eq!(r["champion"]["version"], "v0001");
}

// 5. A stored champion edited on disk is refused, naming the version.
#[test]
fn an_edited_champion_is_exit_2_naming_the_version() {
    let f = Fixture::new(&format!("\n[registry]\npath = \"reg\"\n{CHAMP}"));
    assert_eq!(run(&f, &["check", "--out", "run1"]).0, 0);
    assert_eq!(run(&f, &["promote", "--run", "run1"]).0, 0);
    let path = "reg/versions/v0001/model.json";
    let text = f.read(path);
    let zeroed = regex::Regex::new(r#""coef":\[[^\]]*\]"#).unwrap();
    let edited = zeroed.replace(&text, "\"coef\":[0.0]").to_string();
    assert_ne!(edited, text);
    f.write(path, &edited);
    let (code, _, err) = run(&f, &["check", "--out", "run2"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("v0001") && err.contains("sha256"), "{err}");
}

// 6. Each model is scored at its own saved threshold.
#[test]
fn the_champion_is_scored_at_its_own_threshold() {
    let gates = "\n[registry]\npath = \"reg\"\n\n[[gate]]\nname = \"champ\"\nkind = \"champion\"\nmetric = \"f1\"\n";
    let f = Fixture::new(gates);
    assert_eq!(run(&f, &["check", "--out", "run1"]).0, 0);
    assert_eq!(run(&f, &["promote", "--run", "run1"]).0, 0);
    f.write(
        "gates.toml",
        &format!("{BASE_CONFIG}\n[model]\nthreshold = 0.99\n{gates}"),
    );
    let (code, _, err) = run(&f, &["check", "--out", "run2"]);
    assert_eq!(code, 1, "{err}");
    let r: serde_json::Value = serde_json::from_str(&f.read("run2/report.json")).unwrap();
    let champ_f1 = r["champion"]["champion_value"].as_f64().unwrap();
    let run1: serde_json::Value = serde_json::from_str(&f.read("run1/report.json")).unwrap();
    assert_eq!(champ_f1, run1["metrics"]["f1"].as_f64().unwrap());
    assert!(champ_f1 > 0.3, "champion f1 at 0.5 is {champ_f1}");
    assert_eq!(gate(&r, "champ")["status"], "fail");
}

// 7. A training split of one class is exit 2.
#[test]
fn a_training_split_of_one_class_is_exit_2() {
    let f = Fixture::new("\n[[gate]]\nkind = \"metric\"\nmetric = \"roc_auc\"\nmin = 0.5\n");
    let mut data = String::from("id,age,income,plan,group,label\n");
    for i in 0..2000 {
        let label = if i == 1999 { "yes" } else { "no" };
        data.push_str(&format!("{i},{},{},basic,a,{label}\n", 20 + i % 50, i % 97));
    }
    f.write("data.csv", &data);
    let config = f.read("gates.toml");
    // Whichever side the one positive falls on, the run never says GO: a
    // training split of one class is exit 2, a test split of one class
    // leaves the metric gate inconclusive.
    let mut one_class_train = 0;
    for seed in 1..=15 {
        f.write(
            "gates.toml",
            &config.replace("seed = 7", &format!("seed = {seed}\nstratify = false")),
        );
        let (code, _, err) = run(&f, &["check"]);
        assert_ne!(code, 0, "seed {seed}: GO on one positive");
        if code == 2 {
            assert!(err.contains("one class"), "{err}");
            one_class_train += 1;
        }
    }
    assert!(
        one_class_train > 0,
        "no seed put the positive in the test split"
    );
}

// 8 and 9. Too few test rows, or of one class: metric gates cannot pass.
#[test]
fn tiny_or_one_class_test_sets_are_inconclusive_not_go() {
    let metric = "\n[[gate]]\nname = \"auc\"\nkind = \"metric\"\nmetric = \"roc_auc\"\nmin = 0.5\n\n[[gate]]\nname = \"acc\"\nkind = \"metric\"\nmetric = \"accuracy\"\nmin = 0.5\n";
    let f = Fixture::new(metric);
    f.write(
        "gates.toml",
        &f.read("gates.toml")
            .replace("seed = 7", "seed = 7\ntest_fraction = 0.005"),
    );
    let r = f.check(1);
    for g in ["auc", "acc"] {
        assert_eq!(gate(&r, g)["status"], "inconclusive", "{}", gate(&r, g));
        assert!(gate(&r, g)["message"]
            .as_str()
            .unwrap()
            .contains("min_test_rows"));
    }
    // A held-out file without positives: the same, not exit 2.
    let f = Fixture::new(metric);
    let negatives: String = dataset(800, 3, 0.0)
        .lines()
        .enumerate()
        .filter(|(i, l)| *i == 0 || l.ends_with(",no"))
        .map(|(_, l)| format!("{l}\n"))
        .collect();
    f.write("test.csv", &negatives);
    f.write(
        "gates.toml",
        &f.read("gates.toml")
            .replace("seed = 7", "seed = 7\ntest_path = \"test.csv\""),
    );
    let r = f.check(1);
    assert_eq!(gate(&r, "acc")["status"], "inconclusive");
    assert_eq!(gate(&r, "auc")["status"], "inconclusive");
}

// 11. A bound that can never fail (or never pass) is a config error.
#[test]
fn bounds_that_cannot_fail_are_config_errors_naming_the_range() {
    for g in [
        "kind = \"fairness\"\nattribute = \"group\"\nmax = 1.25",
        "kind = \"fairness\"\nattribute = \"group\"\nmetric = \"tpr_difference\"\nmin = 0.0",
        "kind = \"metric\"\nmetric = \"accuracy\"\nmin = 2",
        "kind = \"metric\"\nmetric = \"log_loss\"\nmax = -0.5",
        "kind = \"latency\"\nmax_ms = -1",
        "kind = \"drift\"\nmax_psi = -1",
        "kind = \"latency\"\nmax_ms = 5\npercentile = 1e-300",
    ] {
        let f = Fixture::new(&format!("\n[[gate]]\n{g}\n"));
        let (code, _, err) = run(&f, &["validate"]);
        assert_eq!(code, 2, "{g}: {err}");
        assert!(err.contains("gates.toml:"), "{g}: {err}");
    }
    let f = Fixture::new("\n[[gate]]\nkind = \"fairness\"\nattribute = \"group\"\nmax = 1.25\n");
    f.cmd(&["validate"])
        .assert()
        .code(2)
        .stderr(contains("[0, 1]"));
}

// 14. Output column names never collide.
#[test]
fn a_protected_column_named_like_a_prediction_column_is_refused() {
    for name in ["score", "y_pred", "y_true", "row"] {
        let f = Fixture::new("");
        f.write("data.csv", &f.read("data.csv").replacen("group", name, 1));
        f.write(
            "gates.toml",
            &f.read("gates.toml")
                .replace("[\"group\"]", &format!("[\"{name}\"]")),
        );
        let (code, _, err) = run(&f, &["check"]);
        assert_eq!(code, 2, "{name}: {err}");
        assert!(err.contains("collide"), "{err}");
    }
}

// 16. A dangling champion is exit 2 wherever the registry is read.
#[test]
fn a_dangling_champion_is_exit_2() {
    let f = Fixture::new("\n[registry]\npath = \"reg\"\n");
    f.write(
        "reg/registry.json",
        "{\"champion\": \"v0003\", \"versions\": []}",
    );
    f.cmd(&["registry", "list"])
        .assert()
        .code(2)
        .stderr(contains("dangling"));
    let (code, _, err) = run(&f, &["check"]);
    assert_eq!(code, 2, "{err}");
}

// 17. Smaller items.
#[test]
fn positive_as_a_list_says_what_is_expected() {
    let f = Fixture::new("");
    f.write(
        "gates.toml",
        &f.read("gates.toml")
            .replace("positive = \"yes\"", "positive = [1]"),
    );
    f.cmd(&["validate"])
        .assert()
        .code(2)
        .stderr(contains("not a list or table"));
}

#[test]
fn json_format_with_quiet_prints_only_json() {
    let f = Fixture::new("");
    let (code, out, _) = run(&f, &["check", "--format", "json", "-q"]);
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&out).expect("stdout is JSON");
    assert_eq!(v["verdict"], "go");
}

#[test]
fn a_protected_feature_also_dropped_is_an_error() {
    let f = Fixture::new("");
    f.write(
        "gates.toml",
        &f.read("gates.toml").replace(
            "drop = [\"id\"]",
            "drop = [\"id\", \"group\"]\nuse_protected = true",
        ),
    );
    f.cmd(&["validate"])
        .assert()
        .code(2)
        .stderr(contains("both protected"));
}

// 15. Workflow commands are escaped and never on stdout.
#[test]
fn a_gate_name_cannot_inject_workflow_commands() {
    let f = Fixture::new(
        "\n[[gate]]\nname = \"x\\n::warning file=evil::pwned\"\nkind = \"metric\"\nmetric = \"roc_auc\"\nmin = 0.99\n",
    );
    let summary = f.path("summary.md");
    let env_file = f.path("gh_env");
    let o = f
        .cmd(&["check"])
        .env("GITHUB_ACTIONS", "true")
        .env("GITHUB_STEP_SUMMARY", &summary)
        .env("GITHUB_OUTPUT", &env_file)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&o.stdout);
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(!stdout.lines().any(|l| l.starts_with("::")), "{stdout}");
    assert!(
        !stderr.lines().any(|l| l.starts_with("::warning file=evil")),
        "{stderr}"
    );
}

#[test]
fn a_failed_contract_still_counts_missing_targets() {
    let f = Fixture::new("\n[contract]\nmin_rows = 100000\n");
    let data: String = f
        .read("data.csv")
        .lines()
        .enumerate()
        .map(|(i, l)| {
            if i > 0 && i <= 50 {
                let cut = l.rfind(',').unwrap();
                format!("{},\n", &l[..cut])
            } else {
                format!("{l}\n")
            }
        })
        .collect();
    f.write("data.csv", &data);
    let r = f.check(1);
    assert_eq!(r["contract"]["passed"], false);
    assert_eq!(r["data"]["dropped_null_target"], 50);
}

#[test]
fn a_test_file_lacking_a_feature_is_named() {
    let f = Fixture::new("");
    let test: String = dataset(300, 9, 0.0).replace("income", "earnings");
    f.write("test.csv", &test);
    f.write(
        "gates.toml",
        &f.read("gates.toml")
            .replace("seed = 7", "seed = 7\ntest_path = \"test.csv\""),
    );
    // `validate` refuses it too, or the pre-commit hook passes what CI
    // refuses (round 46, F1).
    for command in ["check", "validate"] {
        f.cmd(&[command])
            .assert()
            .code(2)
            .stderr(contains("test.csv: the test file lacks feature column(s)"))
            .stderr(contains("income"));
    }
}

// 12. compare checks the row sets and the task.
#[test]
fn compare_checks_test_rows_and_the_task() {
    let f = Fixture::new("");
    assert_eq!(run(&f, &["check", "--out", "a"]).0, 0);
    let config = f.read("gates.toml");
    f.write(
        "gates.toml",
        &config.replace("seed = 7", "seed = 7\nstratify = false"),
    );
    assert!(run(&f, &["check", "--out", "b"]).0 <= 1);
    let (code, out, err) = run(&f, &["compare", "a", "b"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("different test rows"), "{out}");
    let (_, same, _) = run(&f, &["compare", "a", "a"]);
    assert!(same.contains("same test rows"), "{same}");
    f.write(
        "gates.toml",
        &config.replace("positive = \"yes\"", "positive = \"no\""),
    );
    assert!(run(&f, &["check", "--out", "c"]).0 <= 1);
    let (code, _, err) = run(&f, &["compare", "a", "c"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("different tasks"), "{err}");
}

// The fuzz targets' properties, on a fixed stream of mutations so that CI
// runs them on stable Rust (cargo-fuzz needs nightly): bytes that are not
// quite a Parquet file, and hand-edited registry indexes, never panic.
fn mutate(seed: u64, base: &[u8], n: usize) -> Vec<u8> {
    let mut r = crate::fixture::Lcg::new(seed);
    let mut out = base.to_vec();
    for _ in 0..n {
        if out.is_empty() {
            break;
        }
        let i = (r.next_f64() * out.len() as f64) as usize % out.len();
        match (r.next_f64() * 4.0) as u32 {
            0 => out[i] = (r.next_f64() * 256.0) as u8,
            1 => {
                out.remove(i);
            }
            2 => out.insert(i, (r.next_f64() * 256.0) as u8),
            _ => out.truncate(i),
        }
    }
    out
}

#[test]
fn mutated_parquet_files_never_panic() {
    let base = std::fs::read(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/primitive_types.parquet"),
    )
    .unwrap();
    let f = Fixture::new("");
    f.write(
        "gates.toml",
        "[data]\npath = \"d.parquet\"\ntarget = \"label\"\npositive = 1\n",
    );
    for seed in 0..60 {
        std::fs::write(
            f.path("d.parquet"),
            mutate(seed, &base, 1 + seed as usize % 8),
        )
        .unwrap();
        let (code, _, err) = run(&f, &["validate", "--out", "o"]);
        assert!(
            code == 0 || code == 1 || code == 2,
            "seed {seed}: exit {code}: {err}"
        );
        assert!(!err.contains("panicked"), "seed {seed}: {err}");
    }
}

#[test]
fn mutated_registry_indexes_never_panic() {
    let f = Fixture::new(
        "\n[registry]\npath = \"reg\"\n[[gate]]\nkind = \"champion\"\nmetric = \"roc_auc\"\n",
    );
    assert_eq!(run(&f, &["check", "--out", "run1"]).0, 0);
    assert_eq!(run(&f, &["promote", "--run", "run1"]).0, 0);
    let base = std::fs::read(f.path("reg/registry.json")).unwrap();
    for seed in 0..40 {
        let bytes = mutate(seed, &base, 1 + seed as usize % 5);
        std::fs::write(f.path("reg/registry.json"), &bytes).unwrap();
        for args in [
            vec!["registry", "list"],
            vec!["compare", "champion", "run1"],
            vec!["check", "--out", "run2", "-q"],
        ] {
            let (code, _, err) = run(&f, &args);
            assert!(
                (0..=2).contains(&code),
                "seed {seed} {args:?}: exit {code}: {err}"
            );
            assert!(!err.contains("panicked"), "seed {seed} {args:?}: {err}");
        }
    }
}

// Second adversarial round.
#[test]
fn junit_and_out_never_overwrite_inputs_or_the_registry() {
    let f = Fixture::new(&format!("\n[registry]\npath = \"reg\"\n{CHAMP}"));
    let data = f.read("data.csv");
    for junit in ["data.csv", "gates.toml"] {
        let (code, _, err) = run(&f, &["check", "--junit", junit]);
        assert_eq!(code, 2, "--junit {junit}: {err}");
    }
    assert_eq!(f.read("data.csv"), data);
    assert_eq!(run(&f, &["check", "--out", "run1"]).0, 0);
    assert_eq!(run(&f, &["promote", "--run", "run1"]).0, 0);
    let index = f.read("reg/registry.json");
    let model = f.read("reg/versions/v0001/model.json");
    let (code, _, err) = run(
        &f,
        &["check", "--out", "run2", "--junit", "reg/registry.json"],
    );
    assert_eq!(code, 2, "{err}");
    let (code, _, err) = run(
        &f,
        &["check", "--out", "run2", "--junit", "run2/report.json"],
    );
    assert_eq!(code, 2, "{err}");
    let (code, _, err) = run(&f, &["check", "--out", "reg/versions/v0001"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("inside the registry"), "{err}");
    assert_eq!(f.read("reg/registry.json"), index);
    assert_eq!(f.read("reg/versions/v0001/model.json"), model);
}

#[test]
fn scores_and_inputs_that_are_the_answer_are_refused() {
    let f = Fixture::new("");
    let base =
        "[data]\npath = \"data.csv\"\ntarget = \"label\"\npositive = \"yes\"\ndrop = [\"id\"]\n";
    for model in [
        "[model]\nkind = \"scores\"\nscore = \"age\"\nchampion_score = \"age\"\n",
        "[model]\nkind = \"scores\"\nscore = \"label\"\n",
        "[model]\nkind = \"onnx\"\npath = \"m.onnx\"\ninputs = [\"age\", \"label\"]\n",
    ] {
        f.write("gates.toml", &format!("{base}{model}"));
        let (code, _, err) = run(&f, &["validate"]);
        assert_eq!(code, 2, "{model}: {err}");
    }
}

#[test]
fn a_champion_gate_on_a_tiny_test_set_is_inconclusive() {
    let f = Fixture::new(&format!("\n[registry]\npath = \"reg\"\n{CHAMP}"));
    assert_eq!(run(&f, &["check", "--out", "run1"]).0, 0);
    assert_eq!(run(&f, &["promote", "--run", "run1"]).0, 0);
    f.write(
        "gates.toml",
        &f.read("gates.toml")
            .replace("seed = 7", "seed = 7\ntest_fraction = 0.05"),
    );
    let (code, _, err) = run(&f, &["check", "--out", "run2"]);
    assert_eq!(code, 1, "{err}");
    let r: serde_json::Value = serde_json::from_str(&f.read("run2/report.json")).unwrap();
    assert_eq!(gate(&r, "champ")["status"], "inconclusive");
}

#[test]
fn too_few_bootstrap_replicates_are_a_config_error() {
    for stats in ["bootstrap = 1", "bootstrap = 2", "confidence = 1e-300"] {
        let f = Fixture::new(&format!("\n[stats]\n{stats}\n"));
        let (code, _, err) = run(&f, &["validate"]);
        assert_eq!(code, 2, "{stats}: {err}");
    }
}

#[test]
fn a_registry_with_a_version_twice_is_exit_2() {
    let f = Fixture::new(&format!("\n[registry]\npath = \"reg\"\n{CHAMP}"));
    assert_eq!(run(&f, &["check", "--out", "run1"]).0, 0);
    assert_eq!(run(&f, &["promote", "--run", "run1"]).0, 0);
    let mut index: serde_json::Value = serde_json::from_str(&f.read("reg/registry.json")).unwrap();
    let first = index["versions"][0].clone();
    index["versions"].as_array_mut().unwrap().push(first);
    f.write("reg/registry.json", &index.to_string());
    f.cmd(&["registry", "list"])
        .assert()
        .code(2)
        .stderr(contains("recorded twice"));
}
