//! Fuzzes CSV ingest through the whole `validate` path: the bytes are written
//! to `data.csv` next to a fixed `gates.toml` whose contract uses every rule,
//! then loaded and checked. Any input must end in a report or a `GateError`.
#![no_main]
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

const CONFIG: &str = r#"
[data]
path = "data.csv"
target = "label"
positive = "yes"
protected = ["group"]

[contract]
min_rows = 2
max_null_fraction = 0.5
max_duplicate_fraction = 0.5
unique = ["id"]
target_nullable = false

[contract.columns.age]
type = "integer"
nullable = false
min = 0
max = 120

[contract.columns.income]
type = "float"
min = 0.0

[contract.columns.plan]
allowed = ["basic", "plus", "pro"]
pattern = "[a-z]+"
required = false

[contract.columns.flag]
type = "boolean"
required = false
"#;

struct Setup {
    dir: tempfile::TempDir,
    plan: release_gate::config::Plan,
}

fn setup() -> &'static Setup {
    static SETUP: OnceLock<Setup> = OnceLock::new();
    SETUP.get_or_init(|| {
        let dir = tempfile::tempdir().expect("tempdir");
        let config = dir.path().join("gates.toml");
        let plan = release_gate::config::parse(&config, CONFIG).expect("the fixed config parses");
        Setup { dir, plan }
    })
}

fuzz_target!(|data: &[u8]| {
    let s = setup();
    if std::fs::write(s.dir.path().join("data.csv"), data).is_err() {
        return;
    }
    let _ = release_gate::pipeline::validate(&s.plan, &release_gate::pipeline::Quiet);
});
