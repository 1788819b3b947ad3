#!/usr/bin/env python3
"""Builds tests/fixtures/onnx/svc.onnx and its oracle, svc_oracle.json.

A LinearSVC on tenure and age of tests/fixtures/onnx/data.csv (first 100
rows), converted by skl2onnx: its `probabilities` output is ONE column,
the decision function of class 1 (a margin, not a probability), and its
`label` output the predicted class. The oracle holds scikit-learn's ROC AUC
of that column for positive = 1 and for positive = 0 (the column negated),
and the accuracy of the model's own labels, on all 120 rows.

Needs scikit-learn, skl2onnx, onnxruntime, pandas. Run from the repository
root: python3 scripts/make_onnx_svc_fixture.py
"""
import json
import os

import numpy as np
import onnxruntime as ort
import pandas as pd
from skl2onnx import to_onnx
from sklearn.metrics import accuracy_score, roc_auc_score
from sklearn.svm import LinearSVC

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "fixtures", "onnx")

df = pd.read_csv(os.path.join(OUT, "data.csv"))
X = df[["tenure", "age"]].to_numpy(np.float32)
y = df["churn"].to_numpy()
svc = LinearSVC(random_state=0).fit(X[:100], y[:100])
onx = to_onnx(svc, X[:1], target_opset=17)
with open(os.path.join(OUT, "svc.onnx"), "wb") as f:
    f.write(onx.SerializeToString())
sess = ort.InferenceSession(os.path.join(OUT, "svc.onnx"))
names = [o.name for o in sess.get_outputs()]
label, scores = sess.run(None, {sess.get_inputs()[0].name: X})
margin = scores[:, 0].astype(np.float64)
oracle = {
    "outputs": names,
    "roc_auc_positive_1": roc_auc_score(y, margin),
    "roc_auc_positive_0": roc_auc_score(1 - y, -margin),
    "accuracy_of_label_output": accuracy_score(y, label),
    "accuracy_at_0": accuracy_score(y, (margin >= 0).astype(int)),
    "min": float(margin.min()),
    "max": float(margin.max()),
}
with open(os.path.join(OUT, "svc_oracle.json"), "w") as f:
    json.dump(oracle, f, indent=1)
print(json.dumps(oracle, indent=1))
