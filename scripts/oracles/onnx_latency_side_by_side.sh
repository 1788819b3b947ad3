#!/usr/bin/env bash
# ONNX single-row latency, side by side in one run: onnxruntime's Python
# `sess.run` (scripts/oracles/onnx_latency.py, default threads and one
# thread) against `release-gate check`'s latency p95 (report.json
# `latency.p95_ms`; our sessions always use one thread) on
# tests/fixtures/onnx/{lr_tensor,pipeline_zipmap}.onnx. Prints every
# run's p95 and the median of each column.
#
#   scripts/oracles/onnx_latency_side_by_side.sh [rounds] [release-gate binary]
#
# Needs ORT_DYLIB_PATH (scripts/setup_test_env.sh) and a Python with
# onnxruntime, numpy and pandas ($PYTHON, default python3).
set -euo pipefail
rounds="${1:-5}"
here="$(cd "$(dirname "$0")/../.." && pwd)"
bin="${2:-$here/target/release/release-gate}"
bin="$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")"
python="${PYTHON:-python3}"
fixtures="$here/tests/fixtures/onnx"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
models=(lr_tensor pipeline_zipmap)
for m in "${models[@]}"; do
    mkdir -p "$work/$m"
    cp "$fixtures/data.csv" "$fixtures/$m.onnx" "$work/$m/"
    # The tensor model takes the three numeric columns, in order, and has
    # no imputer: its rows are the 117 without a missing value.
    inputs=""
    if [ "$m" = lr_tensor ]; then
        inputs='inputs = ["tenure", "monthly", "age"]'
        grep -v ',,' "$fixtures/data.csv" > "$work/$m/data.csv"
    fi
    printf '[data]\npath = "data.csv"\ntarget = "churn"\npositive = 1\ndrop = ["churned"]\n\n[model]\nkind = "onnx"\npath = "%s.onnx"\n%s\n\n[[gate]]\nname = "lat"\nkind = "latency"\nmax_ms = 50\n' \
        "$m" "$inputs" > "$work/$m/gates.toml"
done
echo "# $(date -u +%FT%TZ) $(uptime)"
echo "round model python_default_p95_us python_1thread_p95_us ours_p95_us"
for r in $(seq 1 "$rounds"); do
    py="$("$python" "$here/scripts/oracles/onnx_latency.py")"
    for m in "${models[@]}"; do
        p_default="$(echo "$py" | grep "^$m.onnx (threads=default)" | sed 's/.*p95 \([0-9.]*\) us.*/\1/')"
        p_one="$(echo "$py" | grep "^$m.onnx (threads=1)" | sed 's/.*p95 \([0-9.]*\) us.*/\1/')"
        (cd "$work/$m" && "$bin" check --quiet --out out >/dev/null) || true
        ours="$("$python" -c 'import json,sys; print("%.1f" % (json.load(open(sys.argv[1]))["latency"]["p95_ms"] * 1000))' "$work/$m/out/report.json")"
        echo "$r $m $p_default $p_one $ours"
    done
done | tee "$work/runs.txt"
echo "# medians (us) and ratio ours / python one thread"
"$python" - "$work/runs.txt" <<'EOF'
import statistics, sys
rows = [l.split() for l in open(sys.argv[1]) if l[0].isdigit()]
for m in dict.fromkeys(r[1] for r in rows):
    cols = [[float(r[i]) for r in rows if r[1] == m] for i in (2, 3, 4)]
    d, o, ours = (statistics.median(c) for c in cols)
    print(f"{m}: python default {d:.1f}, python 1 thread {o:.1f}, ours {ours:.1f}, "
          f"ratio {ours / o:.2f} (vs default {ours / d:.2f})")
EOF
echo "# $(uptime)"
