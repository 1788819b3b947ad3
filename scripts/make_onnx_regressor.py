#!/usr/bin/env python3
"""Builds tests/fixtures/onnx/regressor.onnx and tree_regressor.onnx: a
scikit-learn LinearRegression and a GradientBoostingRegressor of `churn` on
`tenure` and `age` of tests/fixtures/onnx/data.csv, through skl2onnx (one
float tensor input `X` [N, 2]; outputs from LinearRegressor and
TreeEnsembleRegressor). release-gate must refuse them as regression models
(issue #9), not read their output as a score.

Needs: scikit-learn, skl2onnx, pandas. Run from the repository root:
python3 scripts/make_onnx_regressor.py
"""
import os

import numpy as np
import pandas as pd
from skl2onnx import to_onnx
from sklearn.ensemble import GradientBoostingRegressor
from sklearn.linear_model import LinearRegression

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "fixtures", "onnx")


def main():
    df = pd.read_csv(os.path.join(OUT, "data.csv"))
    x = df[["tenure", "age"]].to_numpy(np.float32)
    y = df["churn"].to_numpy(np.float64)
    for name, model in [
        ("regressor.onnx", LinearRegression()),
        ("tree_regressor.onnx", GradientBoostingRegressor(n_estimators=5, max_depth=2, random_state=0)),
    ]:
        model.fit(x, y)
        onx = to_onnx(model, x[:1], target_opset={"": 17, "ai.onnx.ml": 3})
        with open(os.path.join(OUT, name), "wb") as f:
            f.write(onx.SerializeToString())
        print("wrote", name, [n.op_type for n in onx.graph.node])


if __name__ == "__main__":
    main()
