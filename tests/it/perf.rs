//! What the benchmark (`bench/run.sh`) relies on: per-stage timings in
//! report.json, the hidden `read-only` subcommand, and results that do not
//! depend on the number of threads.
use crate::fixture::{dataset, Fixture};
use predicates::prelude::PredicateBooleanExt as _;
use predicates::str::contains;

#[test]
fn timings_cover_every_stage_including_report() {
    let f = Fixture::new("[[gate]]\nkind = \"drift\"\nmax_psi = 5.0\n");
    let r = f.check(0);
    let t = &r["timings_ms"];
    for stage in [
        "load",
        "contract",
        "split",
        "preprocess",
        "train",
        "row_hashes",
        "score",
        "metrics",
        "fairness",
        "latency",
        "drift",
        "champion",
        "report",
    ] {
        let ms = t[stage].as_f64();
        assert!(
            ms.is_some_and(|ms| ms.is_finite() && ms >= 0.0),
            "timings_ms.{stage} missing or not a duration: {t}"
        );
    }
    // Batch throughput comes from the timed test-set scoring.
    assert!(r["latency"]["rows_per_sec"].as_f64().unwrap() > 0.0);
}

#[test]
fn read_only_loads_the_file_and_names_a_missing_one() {
    let f = Fixture::new("");
    f.cmd(&["read-only", "--data", "data.csv"])
        .assert()
        .success()
        .stderr(contains("600 rows x 6 columns"));
    f.cmd(&["read-only", "--data", "nope.csv"])
        .assert()
        .code(2)
        .stderr(contains("nope.csv"));
    // Hidden from the help: it is a benchmark helper, not a user command.
    f.cmd(&["--help"])
        .assert()
        .success()
        .stdout(contains("read-only").not());
}

/// Runs `check` with `threads` rayon threads into `out`; returns model.json
/// and predictions.csv.
fn run_with_threads(f: &Fixture, threads: &str, out: &str) -> (String, String) {
    f.cmd(&["check", "--out", out, "-q"])
        .env("RAYON_NUM_THREADS", threads)
        .assert()
        .code(0);
    (
        f.read(&format!("{out}/model.json")),
        f.read(&format!("{out}/predictions.csv")),
    )
}

#[test]
fn results_are_identical_whatever_the_thread_count() {
    for model in [
        "kind = \"logistic_regression\"",
        "kind = \"random_forest\"\n[model.params]\nn_trees = 12\nmax_depth = 6",
    ] {
        let f = Fixture::new(&format!("[model]\n{model}\n"));
        // Several 16k-row chunks, so the parallel reductions are exercised.
        f.write("data.csv", &dataset(40_000, 3, 0.0));
        let one = run_with_threads(&f, "1", "out1");
        let two = run_with_threads(&f, "2", "out2");
        let three = run_with_threads(&f, "3", "out3");
        assert!(one == two && two == three, "{model}: outputs differ");
    }
}
