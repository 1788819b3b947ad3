//! Entry point: parse arguments, run, print an error once, exit with the documented code.
use std::process::ExitCode;

fn main() -> ExitCode {
    release_gate::cli::main()
}
