//! Entry point: parse arguments, run, print an error once, exit with the documented code.
use std::process::ExitCode;

/// jemalloc where it is built (Cargo.toml says why).
#[cfg(all(target_os = "linux", target_env = "gnu", target_arch = "x86_64"))]
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

fn main() -> ExitCode {
    release_gate::cli::main()
}
