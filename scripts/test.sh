#!/usr/bin/env bash
# The README's test command. Sets up what the tests need on a fresh machine,
# then runs every test:
#   - ONNX Runtime, from the `onnxruntime` wheel in .ci/.venv (ORT_DYLIB_PATH);
#   - the whole cargo test suite, in the release profile so that it reuses
#     the dependency builds of `cargo run --release -- check`;
#   - the MLflow (3.17.2) and webhook tests, against real servers started on
#     127.0.0.1 by scripts/integration_servers.sh and stopped by PID.
# Extra arguments go to the main `cargo test` run (e.g. a test-name filter).
set -euo pipefail
cd "$(dirname "$0")/.."

env_file="$(mktemp)"
trap 'rm -f "$env_file"' EXIT
bash scripts/setup_test_env.sh > "$env_file"
# shellcheck disable=SC1090
. "$env_file"
export ORT_DYLIB_PATH

cargo test --release "$@"
if [ "$#" -eq 0 ]; then
    bash scripts/integration_servers.sh \
        cargo test --release --test it -- --ignored integrations::
fi
