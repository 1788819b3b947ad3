#!/usr/bin/env bash
# Runs the cargo-fuzz targets (libFuzzer), each for a bounded time: the
# gates.toml parser, CSV and Parquet bytes through `validate`, mutated real
# Parquet files of every Arrow type through `check`, and registry.json.
#
#   scripts/fuzz.sh              # every target, 120 s each
#   scripts/fuzz.sh 600          # every target, 600 s each
#   scripts/fuzz.sh 60 csv_validate
#
# The fuzz crate (fuzz/) is its own workspace: `cargo test` never builds it.
# Corpora grow in fuzz/corpus/<target>/ (gitignored), seeded from the
# committed fuzz/seeds/<target>/. A crash leaves its input in
# fuzz/artifacts/<target>/ and makes this script exit non-zero; turn each one
# into a regression test (tests/it/hostile.rs) before fixing it.
set -euo pipefail
cd "$(dirname "$0")/.."

secs="${1:-120}"
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(config_parse csv_validate parquet_validate parquet_check registry_index)

# cargo-fuzz passes unstable rustc flags. With a nightly toolchain they are
# used as is (with AddressSanitizer); on stable, RUSTC_BOOTSTRAP=1 lets the
# same compiler accept them, without a sanitizer (the code is safe Rust:
# what the fuzzers look for is panics, aborts and hangs).
# FUZZ_TOOLCHAIN=stable|nightly picks one; by default nightly when it is
# installed (`rustup toolchain list`; `rustup run` would download it).
want="${FUZZ_TOOLCHAIN:-}"
if [ -z "$want" ]; then
    want=stable
    if rustup toolchain list | grep -q '^nightly'; then want=nightly; fi
fi
if [ "$want" = nightly ]; then
    toolchain=(+nightly)
    sanitizer=()
else
    toolchain=()
    sanitizer=(-s none)
    export RUSTC_BOOTSTRAP=1
fi
if ! cargo fuzz --version >/dev/null 2>&1; then
    echo "fuzz.sh: installing cargo-fuzz" >&2
    cargo install cargo-fuzz --locked
fi

status=0
for t in "${targets[@]}"; do
    mkdir -p "fuzz/corpus/$t"
    cp -n fuzz/seeds/"$t"/* "fuzz/corpus/$t/" 2>/dev/null || true
    echo "fuzz.sh: $t for ${secs}s" >&2
    # -rss_limit_mb: polars may map large buffers; 4 GB is well above normal.
    # -O: optimized, without debug assertions (add -a for them; a different
    # build of every dependency, about half an hour on 2 cores).
    if ! cargo "${toolchain[@]}" fuzz run -O "${sanitizer[@]}" "$t" "fuzz/corpus/$t" -- \
        -max_total_time="$secs" -max_len=65536 -rss_limit_mb=4096 -print_final_stats=1; then
        echo "fuzz.sh: $t found a crash; see fuzz/artifacts/$t/" >&2
        status=1
    fi
done
exit $status
