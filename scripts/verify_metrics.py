#!/usr/bin/env python3
"""Recomputes every metric and fairness figure of a run's report.json from its
predictions.csv with scikit-learn and fairlearn, and fails (exit 1) on any
difference above 1e-9. Usage: verify_metrics.py RUN_DIR"""
import json, sys
import pandas as pd
from sklearn import metrics as M
from fairlearn.metrics import MetricFrame, selection_rate

run = sys.argv[1] if len(sys.argv) > 1 else "release-gate-out"
r = json.load(open(f"{run}/report.json"))
p = pd.read_csv(f"{run}/predictions.csv", keep_default_na=False, na_values=[""])
ref = {
    "accuracy": M.accuracy_score(p.y_true, p.y_pred),
    "precision": M.precision_score(p.y_true, p.y_pred, zero_division=0),
    "recall": M.recall_score(p.y_true, p.y_pred, zero_division=0),
    "f1": M.f1_score(p.y_true, p.y_pred, zero_division=0),
    "roc_auc": M.roc_auc_score(p.y_true, p.score),
    "log_loss": M.log_loss(p.y_true, p.score, labels=[0, 1]),
    "brier": M.brier_score_loss(p.y_true, p.score),
}
bad = []
for k, v in ref.items():
    ours = r["metrics"][k]
    ok = abs(v - ours) <= 1e-9
    print(f"{k:<10} sklearn {v:.12f}  ours {ours:.12f}  {'ok' if ok else 'MISMATCH'}")
    if not ok:
        bad.append(k)
for attr, fair in r["fairness"].items():
    groups = p[attr].astype(str)
    mf = MetricFrame(metrics=selection_rate, y_true=p.y_true, y_pred=p.y_pred, sensitive_features=groups)
    di = float(mf.ratio())
    ok = abs(di - fair["disparate_impact"]) <= 1e-9
    print(f"DI {attr:<8} fairlearn {di:.12f}  ours {fair['disparate_impact']:.12f}  {'ok' if ok else 'MISMATCH'}")
    if not ok:
        bad.append(f"disparate_impact[{attr}]")
if (p.y_pred != (p.score >= r["model"]["threshold"]).astype(int)).any():
    bad.append("y_pred != score >= threshold")
if bad:
    print("MISMATCH:", ", ".join(bad))
    sys.exit(1)
print("all figures reproduced from predictions.csv")
