#!/usr/bin/env bash
# Is `release-gate validate` (load + the whole data contract) at most 2x the
# time polars needs just to read the same file?   bash bench/validate_speed.sh
#
# 1. bench/data/validate_1m.csv (gitignored): a deterministic 1M-row,
#    21-column CSV made from examples/churn/telco_churn.csv by
#    bench/make_validate_data.py (Python standard library only).
# 2. A release build (into $BENCH_TARGET_DIR when set, else target/;
#    a separate dir keeps it from waiting on other builds' lock).
# 3. Side by side, alternating, RUNS times each (default 5):
#      polars:   release-gate read-only --polars-only --data FILE
#                (polars parses the file into its frame, nothing else)
#      load:     release-gate read-only --data FILE   (our whole loader)
#      validate: release-gate validate --config bench/validate_gates.toml
#    and prints the medians, the ratios, and validate's per-stage timings.
#
# Exit status: 0 when validate/polars <= MAX_RATIO (default 2), else 1.
# Knobs: ROWS=1000000 RUNS=5 MAX_RATIO=2 BENCH_TARGET_DIR=...
set -euo pipefail
cd "$(dirname "$0")/.."

rows="${ROWS:-1000000}"
runs="${RUNS:-5}"
max_ratio="${MAX_RATIO:-2}"
target_dir="${BENCH_TARGET_DIR:-target}"
data=bench/data/validate_1m.csv
[ "$rows" = 1000000 ] || data="bench/data/validate_${rows}.csv"
config=bench/validate_gates.toml
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT

mkdir -p bench/data
if [ ! -s "$data" ]; then
    echo "[validate-speed] generating $data" >&2
    python3 bench/make_validate_data.py examples/churn/telco_churn.csv "$rows" "$data"
fi
if [ "$data" != bench/data/validate_1m.csv ]; then
    sed "s|data/validate_1m.csv|${data#bench/}|" "$config" > "bench/data/validate_${rows}.toml"
    config="bench/data/validate_${rows}.toml"
fi

echo "[validate-speed] cargo build --release (target dir $target_dir)" >&2
CARGO_TARGET_DIR="$target_dir" cargo build --release --quiet
bin="$target_dir/release/release-gate"

# Wall seconds of one run of "$@" (output discarded; validate exits 1 on a
# NO-GO contract, which is still a measurement).
seconds() {
    local t0 t1
    t0=$(date +%s.%N)
    "$@" >/dev/null 2>&1 || true
    t1=$(date +%s.%N)
    awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }'
}

median() { printf '%s\n' "$@" | sort -g | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }

echo "[validate-speed] warm-up (page cache), and both commands must work" >&2
"$bin" read-only --polars-only --data "$data" >/dev/null
rc=0
"$bin" validate --config "$config" --out "$out" -q >/dev/null || rc=$?
if [ "$rc" -gt 1 ]; then
    echo "[validate-speed] validate failed (exit $rc)" >&2
    exit 2
fi
polars_t=()
load_t=()
validate_t=()
for i in $(seq "$runs"); do
    polars_t+=("$(seconds "$bin" read-only --polars-only --data "$data")")
    load_t+=("$(seconds "$bin" read-only --data "$data")")
    validate_t+=("$(seconds "$bin" validate --config "$config" --out "$out" -q)")
    echo "[validate-speed] run $i/$runs: polars ${polars_t[-1]}s, load ${load_t[-1]}s," \
        "validate ${validate_t[-1]}s" >&2
done
polars_med=$(median "${polars_t[@]}")
load_med=$(median "${load_t[@]}")
validate_med=$(median "${validate_t[@]}")
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
ratio=$(ratio "$validate_med" "$polars_med")
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
echo "file: $data ($(du -m "$data" | cut -f1) MB, $rows rows x 21 columns)"
printf '%-9s median of %d: %7.3f s\n' "polars" "$runs" "$polars_med" "load" "$runs" "$load_med" \
    "validate" "$runs" "$validate_med"
echo "ratio load/polars: $(ratio "$load_med" "$polars_med")"
echo "ratio validate/polars: $ratio (target <= $max_ratio)"
echo "validate stages (ms, last run):"
python3 -c 'import json,sys; t=json.load(open(sys.argv[1]))["timings_ms"]; [print(f"  {k:<10} {v:9.1f}") for k,v in t.items()]' "$out/report.json"
if awk -v x="$ratio" -v m="$max_ratio" 'BEGIN { exit !(x <= m) }'; then
    echo "PASS"
else
    echo "FAIL: validate takes more than ${max_ratio}x polars' read"
    exit 1
fi
