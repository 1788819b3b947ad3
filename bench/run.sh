#!/usr/bin/env bash
# The benchmark, one command from a fresh clone:  bash bench/run.sh
#
# 1. bench/.venv (gitignored): the Python reference stack
#    (scikit-learn fairlearn scipy pandas pyarrow), created once.
# 2. cargo build --release.
# 3. bench/data/telco_1m.csv (gitignored): a deterministic 1M-row telco file
#    made by bench/make_big.py from examples/churn/telco_churn.csv.
# 4. bench/harness.py: per-case gates.toml files in bench/data/, then
#    `release-gate check` and bench/reference_gate.py side by side on
#    7k and 1M rows x logistic regression and random forest (100 trees,
#    depth 8), medians of repeated runs, wall time and peak RSS; prints
#    Markdown tables on stdout (progress on stderr).
#
# Knobs (environment): RUNS_SMALL=3 RUNS_BIG_OURS=3 RUNS_BIG_REF=1
# CASES=7k-lr,7k-rf,1M-lr,1M-rf. About 8 minutes on a 2-core machine.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -x bench/.venv/bin/python ] || ! bench/.venv/bin/python -c 'import sklearn, fairlearn, pandas, pyarrow, scipy' 2>/dev/null; then
    echo "[bench] creating bench/.venv" >&2
    python3 -m venv bench/.venv
    bench/.venv/bin/pip install --quiet scikit-learn fairlearn scipy pandas pyarrow
fi

echo "[bench] cargo build --release" >&2
cargo build --release --quiet

mkdir -p bench/data
if [ ! -s bench/data/telco_1m.csv ]; then
    echo "[bench] generating bench/data/telco_1m.csv" >&2
    bench/.venv/bin/python bench/make_big.py examples/churn/telco_churn.csv 1000000 bench/data/telco_1m.csv >&2
fi

echo "[bench] machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)" >&2
exec bench/.venv/bin/python bench/harness.py
