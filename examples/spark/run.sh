#!/usr/bin/env bash
# Score the churn data on Spark (local mode), gate the scores with
# release-gate, and check release-gate's numbers against scikit-learn.
#
#   bash examples/spark/run.sh
#
# Environment:
#   RELEASE_GATE    the binary (default: release-gate on PATH)
#   RG_SPARK_VENV   the Python venv for PySpark and the oracle
#                   (default: .ci/.venv-spark, relative to the repo root)
#   RG_SPARK_OUT    release-gate's --out directory (default: a fresh temp dir)
#
# Needs a Java runtime (8, 11, 17 or 21) for Spark. Exit codes: 0 when
# release-gate ran (GO or NO-GO) and agrees with the oracle; 1 when a check
# below fails; 2 when something is missing (java) or a step errors.
set -euo pipefail

RELEASE_GATE="${RELEASE_GATE:-release-gate}"
if [[ "$RELEASE_GATE" == */* ]]; then
    # A path: make it absolute before moving to the repo root.
    if rg_dir="$(cd "$(dirname "$RELEASE_GATE")" 2>/dev/null && pwd)"; then
        RELEASE_GATE="$rg_dir/$(basename "$RELEASE_GATE")"
    fi
fi
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
cd "$root"

venv="${RG_SPARK_VENV:-.ci/.venv-spark}"
# PySpark 3.5 runs on Java 8, 11, 17 and 21.
requirements=(pyspark==3.5.9 "pyarrow>=14" "pandas>=2" "scikit-learn>=1.3")

log() { printf '[spark example] %s\n' "$*" >&2; }

if ! command -v java >/dev/null 2>&1; then
    log "java not found: Spark needs a Java runtime (8, 11, 17 or 21)."
    log "On Debian/Ubuntu:  apt-get install -y openjdk-17-jre-headless"
    exit 2
fi
log "java: $(java -version 2>&1 | head -n 1)"

if ! command -v "$RELEASE_GATE" >/dev/null 2>&1; then
    log "release-gate not found: build it (cargo build --release) and set RELEASE_GATE=target/release/release-gate"
    exit 2
fi

# The venv, (re)installed only when the requirements change.
stamp="$venv/.requirements"
if [[ ! -f "$stamp" ]] || [[ "$(cat "$stamp")" != "${requirements[*]}" ]]; then
    log "installing ${requirements[*]} into $venv"
    python3 -m venv "$venv"
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check "${requirements[@]}"
    printf '%s' "${requirements[*]}" >"$stamp"
fi
py="$venv/bin/python"

# Spark: train, score, write examples/spark/scores/ and reference.parquet.
export SPARK_LOCAL_IP=127.0.0.1
start=$SECONDS
"$py" examples/spark/spark_job.py --data examples/churn/telco_churn.csv --out examples/spark
log "spark job: $((SECONDS - start)) s"

out="${RG_SPARK_OUT:-}"
if [[ -z "$out" ]]; then
    out="$(mktemp -d "${TMPDIR:-/tmp}/rg-spark-out.XXXXXX")"
fi

start=$SECONDS
set +e
"$RELEASE_GATE" check --config examples/spark/gates.toml --out "$out"
rc=$?
set -e
log "release-gate check: exit $rc in $((SECONDS - start)) s (artifacts in $out)"
if [[ "$rc" -ne 0 && "$rc" -ne 1 ]]; then
    log "FAIL: release-gate check exited $rc (expected 0 = GO or 1 = NO-GO)"
    exit 1
fi

# The oracle: row count from the Parquet files (pyarrow, which skips _SUCCESS
# and .crc files as Spark does), ROC AUC from scikit-learn.
"$py" - "$out/report.json" examples/spark/scores <<'PY'
import json
import sys

import pyarrow.dataset as ds
from sklearn.metrics import roc_auc_score

report_path, scores_dir = sys.argv[1], sys.argv[2]
with open(report_path, encoding="utf-8") as f:
    report = json.load(f)
table = ds.dataset(scores_dir, format="parquet", partitioning="hive").to_table()
y = [1 if v == "Yes" else 0 for v in table.column("churn").to_pylist()]
auc = roc_auc_score(y, table.column("score").to_pylist())

failures = []
rows = report.get("data", {}).get("rows")
if rows != table.num_rows:
    failures.append(f"data.rows = {rows}, the Parquet files hold {table.num_rows} rows")
ours = report.get("metrics", {}).get("roc_auc")
if not isinstance(ours, (int, float)) or abs(ours - auc) > 1e-9:
    failures.append(f"metrics.roc_auc = {ours}, scikit-learn says {auc!r}")
print(
    f"[spark example] verdict {report.get('verdict')}: {table.num_rows} rows, "
    f"roc_auc {ours} (scikit-learn {auc!r})",
    file=sys.stderr,
)
for msg in failures:
    print(f"[spark example] FAIL: {msg}", file=sys.stderr)
sys.exit(1 if failures else 0)
PY
log "OK: release-gate agrees with scikit-learn"
