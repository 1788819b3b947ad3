//! Fuzzes `check` on Parquet files: seeded with a real Parquet file per
//! Arrow type (primitive, temporal, decimal, dictionary and nested; see
//! scripts/make_fuzz_parquet_seeds.py), mutated by libFuzzer, written as
//! `data.parquet` and run through the whole `check` path (load, contract,
//! split, train, evaluate, gates) and every renderer. Any input must end in
//! a report or a `GateError`, never a panic.
#![no_main]
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

const CONFIG: &str = "[data]\npath = \"data.parquet\"\ntarget = \"label\"\npositive = \"yes\"\n\
                      test_fraction = 0.3\n\n[[gate]]\nname = \"auc\"\nkind = \"metric\"\n\
                      metric = \"roc_auc\"\nmin = 0.5\n";

struct Setup {
    dir: tempfile::TempDir,
    plan: release_gate::config::Plan,
}

fn setup() -> &'static Setup {
    static SETUP: OnceLock<Setup> = OnceLock::new();
    SETUP.get_or_init(|| {
        // libfuzzer-sys aborts on every panic through its hook, even one
        // release-gate catches and turns into an error (polars panics on
        // some malformed files). A silent hook lets those pass; a panic
        // that escapes still aborts in fuzz_target!'s catch_unwind.
        let _ = std::panic::take_hook();
        std::panic::set_hook(Box::new(|_| {}));
        let dir = tempfile::tempdir().expect("tempdir");
        let plan = release_gate::config::parse(&dir.path().join("gates.toml"), CONFIG)
            .expect("the fixed config parses");
        Setup { dir, plan }
    })
}

fuzz_target!(|data: &[u8]| {
    let s = setup();
    if std::fs::write(s.dir.path().join("data.parquet"), data).is_err() {
        return;
    }
    if let Ok(run) = release_gate::pipeline::check(&s.plan, &release_gate::pipeline::Quiet) {
        let r = &run.report;
        let _ = release_gate::report::json::render(r);
        let _ = release_gate::report::markdown::render(r);
        let _ = release_gate::report::html::render(r);
    }
});
