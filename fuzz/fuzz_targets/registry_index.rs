//! Fuzzes `registry.json`: arbitrary bytes as the index, read the way
//! `registry list`, `compare` and the champion gate read it. Any input must
//! end in a value or an error, never a panic.
#![no_main]
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

fn dir() -> &'static tempfile::TempDir {
    static DIR: OnceLock<tempfile::TempDir> = OnceLock::new();
    DIR.get_or_init(|| tempfile::tempdir().expect("tempdir"))
}

fuzz_target!(|data: &[u8]| {
    let d = dir().path();
    if std::fs::write(d.join("registry.json"), data).is_err() {
        return;
    }
    if let Ok(index) = release_gate::registry::read_index(d) {
        let _ = release_gate::registry::champion_dir(d);
        let _ = release_gate::registry::load_champion(d);
        for e in &index.versions {
            let _ = release_gate::promote::resolve_operand(&e.version, d);
        }
    }
    let _ = release_gate::promote::resolve_operand("champion", d);
});
