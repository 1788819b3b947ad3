"""Issue #8's end-to-end targets, side by side in one run on the 1M-row
telco file (bench/make_big.py), 100 trees of depth 6, 2 threads:

- `release-gate check` (kind = "gradient_boosting") against a Python script
  that only imports LightGBM, reads the CSV with pandas, trains and scores
  the same rows (`--python-only` runs that script alone);
- our `timings_ms.train` against LightGBM's own `fit` inside that script;
- our peak RSS;
- `release-gate predict --explain` against `predict` on the same rows.

Usage (repo root; bench/.venv with pandas + lightgbm):
    bench/.venv/bin/python bench/gbm_check_vs_lightgbm.py [--data bench/data/telco_1m.csv]
        [--bin target/release/release-gate] [--runs 3]
Prints a Markdown table of medians.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

CONFIG = """[data]
path = "{data}"
target = "churn"
positive = "Yes"
drop = ["rownames"]
protected = ["female"]
use_protected = true
test_fraction = 0.2
seed = 42

[contract]
max_duplicate_fraction = 1.0

[model]
kind = "gradient_boosting"

[model.params]
n_trees = 100
max_depth = 6
learning_rate = 0.1
max_bins = 255

[registry]
path = "registry-empty"

[[gate]]
kind = "metric"
metric = "roc_auc"
min = 0.7
"""

# The peer: import LightGBM, read with pandas, one-hot the text columns,
# train 100 trees of depth 6 on 80% of the rows, score the other 20%.
PEER = r"""
import json, sys, time
t0 = time.perf_counter()
import numpy as np, pandas as pd, lightgbm as lgb
t_import = time.perf_counter()
df = pd.read_csv(sys.argv[1])
t_read = time.perf_counter()
y = (df.pop("churn") == "Yes").astype(np.uint8).to_numpy()
df = df.drop(columns=["rownames"])
X = pd.get_dummies(df, dtype=np.float64).to_numpy()
rng = np.random.default_rng(42)
test = rng.random(len(y)) < 0.2
m = lgb.LGBMClassifier(n_estimators=100, max_depth=6, num_leaves=63, learning_rate=0.1,
                       max_bin=255, n_jobs=2, verbose=-1)
t1 = time.perf_counter()
m.fit(X[~test], y[~test])
t_fit = time.perf_counter()
p = m.predict_proba(X[test])[:, 1]
t_end = time.perf_counter()
print(json.dumps({"import": t_import - t0, "read": t_read - t_import, "fit": t_fit - t1,
                  "score": t_end - t_fit, "total": t_end - t0}))
"""


def run(cmd, out=subprocess.DEVNULL, env=None):
    t0 = time.perf_counter()
    p = subprocess.Popen(cmd, stdout=out, stderr=subprocess.PIPE, env=env)
    _, status, ru = os.wait4(p.pid, 0)
    wall = time.perf_counter() - t0
    code = os.waitstatus_to_exitcode(status)
    err = p.stderr.read().decode(errors="replace") if p.stderr else ""
    return wall, ru.ru_maxrss * 1024, code, err


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", default=str(ROOT / "bench" / "data" / "telco_1m.csv"))
    ap.add_argument("--bin", default=os.environ.get(
        "RELEASE_GATE_BIN", str(ROOT / "target" / "release" / "release-gate")))
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--explain-rows", type=int, default=100_000,
                    help="rows for predict vs predict --explain (both scale linearly)")
    a = ap.parse_args()
    data = Path(a.data).resolve()
    env = dict(os.environ, RAYON_NUM_THREADS="2", POLARS_MAX_THREADS="2")
    work = Path(tempfile.mkdtemp(prefix="gbm-bench-"))
    (work / "registry-empty").mkdir()
    (work / "gates.toml").write_text(CONFIG.format(data=data))
    peer = work / "peer.py"
    peer.write_text(PEER)
    # The first --explain-rows rows, for predict with and without --explain.
    head = work / "head.csv"
    with open(data) as src, open(head, "w") as dst:
        for i, line in enumerate(src):
            if i > a.explain_rows:
                break
            dst.write(line)

    ours, peers, explains, plains = [], [], [], []
    for i in range(a.runs):
        print(f"[gbm] run {i + 1}/{a.runs}: release-gate check", file=sys.stderr, flush=True)
        out = work / "out"
        wall, rss, code, err = run([a.bin, "check", "--config", str(work / "gates.toml"),
                                    "--out", str(out), "-q"], env=env)
        if code not in (0, 1):
            sys.exit(f"release-gate check failed ({code}): {err}")
        report = json.loads((out / "report.json").read_text())
        ours.append({"wall": wall, "rss": rss, "train": report["timings_ms"]["train"] / 1000,
                     "auc": report["metrics"]["roc_auc"]})
        print(f"[gbm] run {i + 1}/{a.runs}: LightGBM script", file=sys.stderr, flush=True)
        res = work / "peer.json"
        with open(res, "w") as f:
            wall, rss, code, err = run([sys.executable, str(peer), str(data)], out=f, env=env)
        if code != 0:
            sys.exit(f"peer failed: {err}")
        t = json.loads(res.read_text())
        peers.append({"wall": wall, "rss": rss, **t})
        print(f"[gbm] run {i + 1}/{a.runs}: predict and predict --explain", file=sys.stderr, flush=True)
        for explain, bucket in ((False, plains), (True, explains)):
            cmd = [a.bin, "predict", "--model", str(out), "--data", str(head),
                   "--out", str(work / "p.csv")] + (["--explain"] if explain else [])
            wall, rss, code, err = run(cmd, env=env)
            if code != 0:
                sys.exit(f"predict failed ({code}): {err}")
            bucket.append({"wall": wall, "rss": rss})

    med = lambda xs, k: statistics.median(x[k] for x in xs)
    o_wall, p_wall = med(ours, "wall"), med(peers, "wall")
    o_train, p_fit = med(ours, "train"), med(peers, "fit")
    e_wall, pl_wall = med(explains, "wall"), med(plains, "wall")
    print(f"| what ({a.runs} runs, medians, 2 threads, {data.name}) | ours | peer | ratio | target |")
    print("| --- | ---: | ---: | ---: | --- |")
    print(f"| whole `check` vs LightGBM script (import + pandas read + fit + score) "
          f"| {o_wall:.2f} s | {p_wall:.2f} s | {o_wall / p_wall:.2f} | <= 0.67 |")
    print(f"| training: `timings_ms.train` vs LightGBM `fit` | {o_train:.2f} s | {p_fit:.2f} s "
          f"| {o_train / p_fit:.2f} | <= 1.0 |")
    print(f"| peak RSS of `check` | {med(ours, 'rss') / 2**20:,.0f} MB "
          f"| {med(peers, 'rss') / 2**20:,.0f} MB | | <= 600 MB |")
    print(f"| `predict --explain` vs `predict`, first {a.explain_rows:,} rows | {e_wall:.2f} s | {pl_wall:.2f} s "
          f"| {e_wall / pl_wall:.2f} | <= 3.0 |")
    print(f"| ROC AUC ours (test split) | {ours[0]['auc']:.4f} | | | |")


if __name__ == "__main__":
    main()
