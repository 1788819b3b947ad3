//! Fuzzes the Parquet reader: arbitrary bytes written as `data.parquet` and
//! run through the whole `validate` path. Any input must end in a report or
//! a `GateError`, never a panic (the first trial found one in polars).
#![no_main]
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

const CONFIG: &str = "[data]\npath = \"data.parquet\"\ntarget = \"label\"\npositive = \"yes\"\n";

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
    let _ = release_gate::pipeline::validate(&s.plan, &release_gate::pipeline::Quiet);
});
