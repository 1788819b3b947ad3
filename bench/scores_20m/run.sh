#!/usr/bin/env bash
# Usage: python3 make_scores.py parts && python3 make_single.py && RG=/path/to/release-gate PYTHON=python3 ./run.sh && python3 summarize.py
# (needs pandas, numpy, pyarrow and polars; about 1.1 GB of data and artifacts)
# Issue #9 benchmark, 3 alternating rounds, each command under /usr/bin/time -v:
#   polars_only_dir   rg read-only --polars-only --data parts/        (each part in turn, one process)
#   polars_only_file  rg read-only --polars-only --data all.parquet   (same 20M rows, one file, 20 row groups)
#   polars_only_parts rg read-only --polars-only --data <each part>   (20 processes in sequence)
#   py_polars         python: polars.read_parquet('parts/*.parquet', columns=[y,score,sex,age_band])
#   loader            rg read-only --data parts/                      (release-gate's whole loader)
#   check             rg check --out out
set -u
cd "$(dirname "$0")"
PY=${PYTHON:-python3}
export RG=${RG:-./rg}
ROUNDS=${ROUNDS:-3}
mkdir -p logs
T() { local name=$1; shift; /usr/bin/time -v -o "logs/${name}.time" "$@" > "logs/${name}.out" 2>&1; echo "$name rc=$?"; }
{ echo "start $(date -Is)"; uptime; } | tee logs/uptime_start.txt
cat parts/part-*.parquet all.parquet > /dev/null   # warm the page cache once
for r in $(seq 1 "$ROUNDS"); do
  T polars_only_dir_r$r   $RG read-only --polars-only --data parts/
  T polars_only_file_r$r  $RG read-only --polars-only --data all.parquet
  T polars_only_parts_r$r bash -c 'for f in parts/part-*.parquet; do "$RG" read-only --polars-only --data "$f" || exit $?; done'
  T py_polars_r$r         $PY polars_read.py 'parts/*.parquet'
  T loader_r$r            $RG read-only --data parts/
  T check_r$r             $RG check --out out
  cp out/report.json logs/report_r$r.json
  uptime | tee logs/uptime_r$r.txt
done
{ echo "end $(date -Is)"; uptime; } | tee logs/uptime_end.txt
