"""Issue #8's `--explain` target, side by side in one run: `release-gate
predict` against `predict --explain` (gradient boosting, 100 trees of depth
6, trained by `check` on the 1M-row telco file of bench/make_big.py with
bench/gbm_check_vs_lightgbm.py's configuration), on the first 100,000 rows
and on the whole file; 2 threads; medians of --runs runs, wall time and peak
RSS. With --base-bin, a second binary (e.g. the previous commit's) is timed
in the same rounds, so before and after share the machine's load.

Usage (repo root):
    python3 bench/explain_speed.py [--data bench/data/telco_1m.csv]
        [--bin target/release/release-gate] [--base-bin OTHER] [--runs 3]
        [--rows 100000,0]   (0: the whole file)
Prints a Markdown table, the machine and `uptime` before and after.
"""
import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
from gbm_check_vs_lightgbm import CONFIG  # noqa: E402  (the same model)


def run(cmd, env):
    t0 = time.perf_counter()
    p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    _, status, ru = os.wait4(p.pid, 0)
    wall = time.perf_counter() - t0
    err = p.stderr.read().decode(errors="replace") if p.stderr else ""
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"failed: {' '.join(cmd)}\n{err}")
    return wall, ru.ru_maxrss * 1024


def uptime():
    return subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", default=str(ROOT / "bench" / "data" / "telco_1m.csv"))
    ap.add_argument("--bin", default=str(ROOT / "target" / "release" / "release-gate"))
    ap.add_argument("--base-bin", default=None)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--rows", default="100000,0")
    a = ap.parse_args()
    data = Path(a.data).resolve()
    env = dict(os.environ, RAYON_NUM_THREADS="2", POLARS_MAX_THREADS="2")
    work = Path(tempfile.mkdtemp(prefix="explain-bench-"))
    (work / "registry-empty").mkdir()
    (work / "gates.toml").write_text(CONFIG.format(data=data))
    print("[explain] training the model (release-gate check)", file=sys.stderr, flush=True)
    p = subprocess.run([a.bin, "check", "--config", str(work / "gates.toml"),
                        "--out", str(work / "run"), "-q"], env=env, capture_output=True)
    if p.returncode not in (0, 1):
        sys.exit(f"check failed: {p.stderr.decode(errors='replace')}")
    files = []
    for n in (int(x) for x in a.rows.split(",")):
        if n == 0:
            files.append(("whole file", data))
            continue
        head = work / f"head{n}.csv"
        with open(data) as src, open(head, "w") as dst:
            for i, line in enumerate(src):
                if i > n:
                    break
                dst.write(line)
        files.append((f"first {n:,} rows", head))
    bins = [("new", a.bin)] + ([("base", a.base_bin)] if a.base_bin else [])
    before = uptime()
    times = {}
    for r in range(a.runs):
        for label, f in files:
            for name, b in bins:
                for explain in (False, True):
                    print(f"[explain] run {r + 1}/{a.runs}: {name} {label} explain={explain}",
                          file=sys.stderr, flush=True)
                    cmd = [b, "predict", "--model", str(work / "run"), "--data", str(f),
                           "--out", str(work / "p.csv")] + (["--explain"] if explain else [])
                    times.setdefault((label, name, explain), []).append(run(cmd, env))
    after = uptime()
    cpu = ""
    try:
        cpu = next(l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo")
                   if l.startswith("model name"))
    except (OSError, StopIteration):
        pass
    print(f"{os.cpu_count()} cores ({cpu}); {a.runs} runs, medians, 2 threads")
    print(f"uptime before: {before}")
    print(f"uptime after:  {after}")
    print()
    print("| rows | binary | `predict` | `predict --explain` | ratio | peak RSS (explain) |")
    print("| --- | --- | ---: | ---: | ---: | ---: |")
    for label, _ in files:
        for name, _ in bins:
            plain = statistics.median(w for w, _ in times[(label, name, False)])
            expl = statistics.median(w for w, _ in times[(label, name, True)])
            rss = statistics.median(m for _, m in times[(label, name, True)])
            print(f"| {label} | {name} | {plain:.2f} s | {expl:.2f} s | {expl / plain:.2f}x "
                  f"| {rss / 2**20:,.0f} MB |")


if __name__ == "__main__":
    main()
