"""Issue #8's quality bar, as a user would run it: `release-gate check` with
`kind = "gradient_boosting"` (100 trees, depth 6, learning rate 0.1, 20 rows
per leaf) on a CSV, then LightGBM and scikit-learn's
HistGradientBoostingClassifier at the same settings, trained on exactly the
rows our run trained on and scored on the rows in our `predictions.csv`.
The bar: our test ROC AUC is at most 0.005 below the better peer's.

Usage (repo root; a venv with pandas, lightgbm, scikit-learn):
    venv/bin/python bench/gbm_quality.py --data examples/churn/telco_churn.csv \\
        --target churn --positive Yes [--drop rownames] [--bin target/release/release-gate]
Prints one Markdown table row and exits 1 when the bar is missed.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import lightgbm as lgb
import numpy as np
import pandas as pd
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.metrics import roc_auc_score

ROOT = Path(__file__).resolve().parent.parent

CONFIG = """[data]
path = "{data}"
target = "{target}"
positive = "{positive}"
drop = {drop}
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
min_samples_leaf = 20
l2 = 1.0
max_bins = 255

[registry]
path = "registry-empty"

[[gate]]
kind = "metric"
metric = "roc_auc"
min = 0.5
"""


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", required=True)
    ap.add_argument("--target", required=True)
    ap.add_argument("--positive", required=True)
    ap.add_argument("--drop", action="append", default=[])
    ap.add_argument("--bin", default=os.environ.get(
        "RELEASE_GATE_BIN", str(ROOT / "target" / "release" / "release-gate")))
    a = ap.parse_args()
    data = Path(a.data).resolve()
    work = Path(tempfile.mkdtemp(prefix="gbm-quality-"))
    (work / "registry-empty").mkdir()
    (work / "gates.toml").write_text(CONFIG.format(
        data=data, target=a.target, positive=a.positive, drop=json.dumps(a.drop)))
    out = work / "out"
    p = subprocess.run([a.bin, "check", "--config", str(work / "gates.toml"), "--out", str(out), "-q"],
                       capture_output=True, text=True)
    if p.returncode not in (0, 1):
        sys.exit(f"release-gate check failed ({p.returncode}): {p.stderr}")
    ours = json.loads((out / "report.json").read_text())["metrics"]["roc_auc"]
    pred = pd.read_csv(out / "predictions.csv")

    df = pd.read_csv(data, keep_default_na=False, na_values=[""])
    df = df[df[a.target].notna()].copy()
    y_all = (df.pop(a.target).astype(str) == a.positive).astype(np.uint8)
    df = df.drop(columns=a.drop)
    X_all = pd.get_dummies(df, dtype=np.float64)
    test_rows = pred["row"].to_numpy()
    is_test = np.zeros(len(y_all), dtype=bool)
    is_test[test_rows] = True
    # `row` is the 0-based data row; the labels must agree with ours.
    assert (y_all.to_numpy()[test_rows] == pred["y_true"].to_numpy()).all(), "row mismatch"
    X, y = X_all.to_numpy(), y_all.to_numpy()
    X_tr, y_tr, X_te, y_te = X[~is_test], y[~is_test], X[test_rows], y[test_rows]

    light = lgb.LGBMClassifier(
        objective="binary", n_estimators=100, learning_rate=0.1, max_depth=6, num_leaves=64,
        min_child_samples=20, reg_lambda=1.0, max_bin=255, subsample=1.0, colsample_bytree=1.0,
        n_jobs=2, deterministic=True, verbose=-1).fit(X_tr, y_tr)
    lgb_auc = roc_auc_score(y_te, light.predict_proba(X_te)[:, 1])
    hist = HistGradientBoostingClassifier(
        max_iter=100, learning_rate=0.1, max_depth=6, max_leaf_nodes=None, min_samples_leaf=20,
        l2_regularization=1.0, max_bins=255, early_stopping=False, random_state=0).fit(X_tr, y_tr)
    hgb_auc = roc_auc_score(y_te, hist.predict_proba(X_te)[:, 1])
    # Our own AUC from our predictions, to check the report's number too.
    ours_again = roc_auc_score(pred["y_true"], pred["score"])
    assert abs(ours_again - ours) < 1e-12, (ours, ours_again)
    best = max(lgb_auc, hgb_auc)
    ok = ours >= best - 0.005
    print(f"| {data.name} | {len(y_tr):,} / {len(y_te):,} | {ours:.4f} | {lgb_auc:.4f} | {hgb_auc:.4f} "
          f"| {ours - best:+.4f} | {'yes' if ok else 'no'} |")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
