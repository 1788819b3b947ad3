//! Fuzzes the `gates.toml` parser and resolver: any text must end in a
//! `Plan` or a `GateError`, never a panic.
#![no_main]
use libfuzzer_sys::fuzz_target;
use std::path::Path;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = release_gate::config::parse(Path::new("fuzz/gates.toml"), text);
    }
});
