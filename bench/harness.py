#!/usr/bin/env python3
"""Side-by-side benchmark of `release-gate check` and the Python reference
(`reference_gate.py`, pandas + scikit-learn + fairlearn).

Run through `bench/run.sh`, which prepares the venv, the release binary and
the 1M-row data. This script writes one gates.toml per case into bench/data/,
runs every case the configured number of times, measures each process's wall
time and peak RSS (`os.wait4` -> `ru_maxrss`), takes medians and prints
Markdown tables. Standard library only.

Environment knobs: RUNS_SMALL (default 3), RUNS_BIG_OURS (3), RUNS_BIG_REF (1),
BIG_ROWS (1000000), CASES (comma list of case names, default all).
"""
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
DATA = BENCH / "data"
BIN = Path(os.environ.get("RELEASE_GATE_BIN", ROOT / "target" / "release" / "release-gate"))
PY = BENCH / ".venv" / "bin" / "python"
SMALL = ROOT / "examples" / "churn" / "telco_churn.csv"
BIG = DATA / "telco_1m.csv"
STAGES = ["load", "contract", "split", "preprocess", "train", "row_hashes", "score",
          "metrics", "fairness", "intervals", "latency", "curves", "drift", "explain",
          "champion", "report"]

# The reference's gates, as gates.toml: roc_auc >= 0.7, disparate impact of
# `female` >= 0.8, single-row p95 <= 50 ms, champion + 0.005 (none yet),
# plus drift (the reference computes PSI train vs test). The reference trains
# on every column but the target (female included), hence use_protected.
GATES = """# Written by bench/harness.py: the reference_gate.py gates.
[data]
path = "{data}"
target = "churn"
positive = "Yes"
drop = ["rownames"]
protected = ["female"]
use_protected = true
test_fraction = 0.2
seed = 42

[contract]
max_null_fraction = 0.5
max_duplicate_fraction = 1.0

[model]
kind = "{kind}"

[model.params]
{params}

[registry]
path = "registry-empty"

[[gate]]
kind = "metric"
metric = "roc_auc"
min = 0.7

[[gate]]
kind = "fairness"
attribute = "female"
metric = "disparate_impact"
min = 0.8

[[gate]]
kind = "latency"
percentile = 95
max_ms = 50.0

[[gate]]
kind = "champion"
metric = "roc_auc"
min_delta = 0.005
on_missing = "pass"

[[gate]]
kind = "drift"
max_psi = 0.2
severity = "warn"
"""

PARAMS = {
    "logistic_regression": "alpha = 1.0\nmax_iter = 1000",
    "random_forest": "n_trees = 100\nmax_depth = 8",
}
SHORT = {"logistic_regression": "LR", "random_forest": "RF 100x8"}


def measure(cmd, out_file, env=None):
    """Runs `cmd`; returns (wall s, peak RSS bytes, user+sys s, exit code)."""
    with open(out_file, "wb") as out:
        t0 = time.perf_counter()
        p = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, env=env)
        _, status, ru = os.wait4(p.pid, 0)
        wall = time.perf_counter() - t0
    p.returncode = os.waitstatus_to_exitcode(status)
    return wall, ru.ru_maxrss * 1024, ru.ru_utime + ru.ru_stime, p.returncode


def write_config(name, data, kind):
    path = DATA / f"gates-{name}.toml"
    rel = os.path.relpath(data, DATA)
    path.write_text(GATES.format(data=rel, kind=kind, params=PARAMS[kind]))
    return path


def run_ours(name, config, runs, threads=None):
    out = DATA / "out" / f"ours-{name}"
    env = dict(os.environ)
    if threads:
        env["RAYON_NUM_THREADS"] = str(threads)
        env["POLARS_MAX_THREADS"] = str(threads)
    samples = []
    for _ in range(runs):
        wall, rss, cpu, code = measure(
            [str(BIN), "check", "--config", str(config), "--out", str(out), "-q"],
            DATA / "out" / f"ours-{name}.log", env)
        if code not in (0, 1):
            sys.exit(f"release-gate failed on {name} (exit {code}); see {DATA}/out/ours-{name}.log")
        report = json.loads((out / "report.json").read_text())
        samples.append({"wall": wall, "rss": rss, "cpu": cpu, "report": report})
    return samples, out


def run_reference(name, data, kind, runs):
    out = DATA / "out" / f"ref-{name}"
    samples = []
    for _ in range(runs):
        log = DATA / "out" / f"ref-{name}.log"
        wall, rss, cpu, code = measure(
            [str(PY), str(BENCH / "reference_gate.py"), "--data", str(data),
             "--target", "churn", "--positive", "Yes", "--protected", "female",
             "--drop", "rownames", "--model", kind, "--trees", "100",
             "--max-depth", "8", "--out", str(out)], log)
        if code not in (0, 1):
            sys.exit(f"reference failed on {name} (exit {code}); see {log}")
        line = log.read_text().strip().splitlines()[-1]
        times = json.loads(line)["times"]
        samples.append({"wall": wall, "rss": rss, "cpu": cpu, "times": times,
                        "wall_nb": wall - times.get("bootstrap", 0.0), "result": json.loads(line)})
    return samples


def read_only(data, runs, extra=()):
    """Median wall time of `release-gate read-only` (None if it fails)."""
    walls = []
    for _ in range(runs):
        wall, _, _, code = measure([str(BIN), "read-only", "--data", str(data), *extra],
                                   DATA / "out" / "read-only.log")
        if code != 0:
            return None
        walls.append(wall)
    return statistics.median(walls)


def med(samples, key):
    return statistics.median(s[key] for s in samples)


def med_stage(samples, stage):
    vals = [s["report"].get("timings_ms", {}).get(stage) for s in samples]
    vals = [v for v in vals if v is not None]
    return statistics.median(vals) if vals else None


def mb(b):
    return f"{b / 2**20:,.0f} MB"


def same_outputs(a, b):
    names = ["model.json", "predictions.csv"]
    return all((a / n).read_bytes() == (b / n).read_bytes() for n in names)


def main():
    (DATA / "out").mkdir(parents=True, exist_ok=True)
    (DATA / "registry-empty").mkdir(exist_ok=True)
    runs_small = int(os.environ.get("RUNS_SMALL", "3"))
    runs_big_ours = int(os.environ.get("RUNS_BIG_OURS", "3"))
    runs_big_ref = int(os.environ.get("RUNS_BIG_REF", "1"))
    cases = [("7k", SMALL, runs_small, runs_small), ("1M", BIG, runs_big_ours, runs_big_ref)]
    wanted = set(filter(None, os.environ.get("CASES", "").split(",")))
    rows = []
    for size, data, n_ours, n_ref in cases:
        for kind in ("logistic_regression", "random_forest"):
            name = f"{size}-{'lr' if kind == 'logistic_regression' else 'rf'}"
            if wanted and name not in wanted:
                continue
            config = write_config(name, data, kind)
            print(f"[bench] {name}: ours x{n_ours}", file=sys.stderr, flush=True)
            ours, out = run_ours(name, config, n_ours)
            print(f"[bench] {name}: reference x{n_ref}", file=sys.stderr, flush=True)
            ref = run_reference(name, data, kind, n_ref)
            rows.append({"name": name, "size": size, "kind": kind, "data": data,
                         "ours": ours, "ref": ref, "out": out, "config": config})
    print_tables(rows)
    print_extras(rows)


def print_tables(rows):
    print("| case | ours (s) | reference (s) | ratio | reference w/o bootstrap (s) | ratio w/o bootstrap "
          "| our peak RSS | reference peak RSS | RSS ratio | our CPU/wall |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for r in rows:
        o, f = r["ours"], r["ref"]
        ow, fw, fnb = med(o, "wall"), med(f, "wall"), med(f, "wall_nb")
        print(f"| {r['size']} {SHORT[r['kind']]} (runs {len(o)}/{len(f)}) | {ow:.2f} | {fw:.2f} "
              f"| {fw / ow:.1f}x | {fnb:.2f} | {fnb / ow:.1f}x | {mb(med(o, 'rss'))} "
              f"| {mb(med(f, 'rss'))} | 1/{med(f, 'rss') / med(o, 'rss'):.1f} "
              f"| {med(o, 'cpu') / ow:.2f} |")
    print()
    print("Our per-stage times (ms, medians, from report.json `timings_ms`):")
    print()
    seen = {k for r in rows for s in r["ours"] for k in s["report"].get("timings_ms", {})}
    stages = [s for s in STAGES if s in seen] + sorted(seen - set(STAGES))
    print("| case | " + " | ".join(stages) + " |")
    print("| --- |" + " ---: |" * len(stages))
    for r in rows:
        cells = []
        for s in stages:
            v = med_stage(r["ours"], s)
            cells.append("-" if v is None else f"{v:,.1f}")
        print(f"| {r['size']} {SHORT[r['kind']]} | " + " | ".join(cells) + " |")
    print()
    print("Reference per-stage times (s, medians, from its JSON line):")
    print()
    ref_stages = ["import", "load", "contract", "train", "evaluate", "fairness", "bootstrap",
                  "drift", "latency", "champion", "report"]
    print("| case | " + " | ".join(ref_stages) + " |")
    print("| --- |" + " ---: |" * len(ref_stages))
    for r in rows:
        cells = [f"{statistics.median(s['times'].get(k, 0.0) for s in r['ref']):.2f}" for k in ref_stages]
        print(f"| {r['size']} {SHORT[r['kind']]} | " + " | ".join(cells) + " |")
    print()


def print_extras(rows):
    print("| check | value |")
    print("| --- | --- |")
    for r in rows:
        o = r["ours"]
        lat = statistics.median(s["report"]["latency"]["p95_ms"] for s in o) * 1000
        auc = o[0]["report"]["metrics"]["roc_auc"]
        ref_auc = r["ref"][0]["result"]["roc_auc"]
        print(f"| {r['size']} {SHORT[r['kind']]}: single-row predict p95 | {lat:.1f} µs |")
        print(f"| {r['size']} {SHORT[r['kind']]}: ROC AUC ours / reference | {auc:.4f} / {ref_auc:.4f} |")
    # [stats] (issue #10's target): the same LR check with every interval,
    # 1000 bootstrap replicates, against the run without.
    for r in rows:
        if r["kind"] != "logistic_regression":
            continue
        config = r["config"].with_name(r["config"].stem + "-stats.toml")
        config.write_text(r["config"].read_text() + "\n[stats]\nconfidence = 0.95\nbootstrap = 1000\n")
        runs = len(r["ours"])
        samples, _ = run_ours(r["name"] + "-stats", config, runs)
        base, with_stats = med(r["ours"], "wall"), med(samples, "wall")
        iv = statistics.median(s["report"]["timings_ms"].get("intervals", 0.0) for s in samples)
        print(f"| {r['size']} LR: `[stats] bootstrap = 1000` vs none (runs {runs}) | {with_stats:.3f} s vs "
              f"{base:.3f} s: {with_stats / base:.2f}x, +{(with_stats - base) * 1000:.0f} ms "
              f"(`intervals` stage {iv:.0f} ms) |")
    for r in rows:
        if r["size"] != "1M":
            continue
        if r["kind"] == "logistic_regression":
            wall = med(r["ours"], "wall")
            rest = wall - (med_stage(r["ours"], "train") or 0.0) / 1000
            for label, extra in [("our whole loader (`read-only`)", ()),
                                 ("polars parse only (`read-only --polars-only`)", ("--polars-only",))]:
                ro = read_only(r["data"], 3, extra)
                value = "n/a (subcommand missing)" if ro is None else \
                    f"{rest:.2f} s / {ro:.2f} s = {rest / ro:.1f}x"
                print(f"| 1M LR: everything but training / {label} | {value} |")
        else:
            samples, out1 = run_ours(r["name"] + "-1thread", r["config"], 1, threads=1)
            same = same_outputs(r["out"], out1)
            w1 = samples[0]["wall"]
            print(f"| 1M RF: 1 thread vs 2 threads | {w1:.2f} s vs {med(r['ours'], 'wall'):.2f} s; "
                  f"model.json and predictions.csv {'identical' if same else 'DIFFER'} |")


if __name__ == "__main__":
    main()
