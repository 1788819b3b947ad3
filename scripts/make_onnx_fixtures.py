#!/usr/bin/env python3
"""Builds the ONNX test fixtures in tests/fixtures/onnx/ and their oracle.

Needs: scikit-learn, skl2onnx, onnxmltools, lightgbm, onnxruntime, pandas
(e.g. `python3 -m venv .venv && .venv/bin/pip install scikit-learn skl2onnx
onnxmltools lightgbm onnxruntime pandas`).

Writes:
  data.csv      the rows every model scores (tenure int, monthly float with
                missing values, age float, contract text, churn 0/1, churned yes/no)
  oracle.csv    per row, onnxruntime's positive-class probability of each model
                (printed with 17 significant digits)
  *.onnx        the models (see MODELS below)

Run from the repository root: python3 scripts/make_onnx_fixtures.py
"""
import os
import sys

import numpy as np
import onnxruntime as ort
import pandas as pd
from skl2onnx import convert_sklearn, to_onnx
from skl2onnx.common.data_types import (
    DoubleTensorType,
    FloatTensorType,
    Int64TensorType,
    StringTensorType,
)
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "fixtures", "onnx")
N = 120
NUMERIC = ["tenure", "monthly", "age"]


def make_data():
    rng = np.random.default_rng(7)
    tenure = rng.integers(0, 72, N)
    monthly = np.round(rng.normal(70, 20, N), 2)
    age = np.round(rng.uniform(18, 80, N), 1)
    contract = rng.choice(["month", "year", "two_year"], N)
    logit = 0.8 - 0.04 * tenure + 0.02 * (monthly - 70) + np.where(contract == "month", 1.0, -0.5)
    churn = (rng.uniform(size=N) < 1 / (1 + np.exp(-logit))).astype(np.int64)
    df = pd.DataFrame(
        {"tenure": tenure, "monthly": monthly, "age": age, "contract": contract, "churn": churn}
    )
    df["churned"] = np.where(churn == 1, "yes", "no")
    return df


def main():
    os.makedirs(OUT, exist_ok=True)
    df = make_data()
    # Missing monthly values (the per-column pipelines impute them; the tensor
    # models get complete rows in the first 100 rows only, see below).
    df_missing = df.copy()
    df_missing.loc[[3, 17, 101], "monthly"] = np.nan
    df_missing.to_csv(os.path.join(OUT, "data.csv"), index=False)
    train = df.iloc[:100]
    X = train[NUMERIC].to_numpy(np.float64)
    y = train["churn"].to_numpy()
    xf_all = df_missing[NUMERIC].to_numpy(np.float32)
    xd_all = df_missing[NUMERIC].to_numpy(np.float64)
    oracle = pd.DataFrame({"row": np.arange(N)})

    # 1. LogisticRegression on one float tensor [N, 3], probabilities [N, 2].
    lr = LogisticRegression(max_iter=1000).fit(X, y)
    onx = to_onnx(lr, X.astype(np.float32), options={"zipmap": False}, target_opset=17)
    save(onx, "lr_tensor.onnx")
    sess = ort.InferenceSession(os.path.join(OUT, "lr_tensor.onnx"))
    oracle["lr_tensor"] = sess.run(None, {"X": xf_all})[1][:, 1].astype(np.float64)

    # 2./3. DataFrame pipeline, one input per column, with and without ZipMap.
    pre = ColumnTransformer(
        [
            ("cat", OneHotEncoder(handle_unknown="ignore"), ["contract"]),
            ("tenure", StandardScaler(), ["tenure"]),
            (
                "monthly",
                Pipeline([("imp", SimpleImputer(strategy="median")), ("sc", StandardScaler())]),
                ["monthly"],
            ),
            ("age", StandardScaler(), ["age"]),
        ]
    )
    pipe = Pipeline([("pre", pre), ("lr", LogisticRegression(max_iter=1000))])
    pipe.fit(train[["tenure", "monthly", "age", "contract"]], y)
    types = [
        ("tenure", Int64TensorType([None, 1])),
        ("monthly", FloatTensorType([None, 1])),
        ("age", FloatTensorType([None, 1])),
        ("contract", StringTensorType([None, 1])),
    ]
    feeds = {
        "tenure": df_missing[["tenure"]].to_numpy(np.int64),
        "monthly": df_missing[["monthly"]].to_numpy(np.float32),
        "age": df_missing[["age"]].to_numpy(np.float32),
        "contract": df_missing[["contract"]].to_numpy(object),
    }
    for name, zipmap in [("pipeline_zipmap.onnx", True), ("pipeline_nozipmap.onnx", False)]:
        onx = convert_sklearn(
            pipe, initial_types=types, options={id(pipe.steps[-1][1]): {"zipmap": zipmap}},
            target_opset={"": 17, "ai.onnx.ml": 3},
        )
        save(onx, name)
        sess = ort.InferenceSession(os.path.join(OUT, name))
        out = sess.run(None, feeds)[1]
        if zipmap:
            p = np.array([row[1] for row in out], dtype=np.float64)
        else:
            p = out[:, 1].astype(np.float64)
        oracle[name[:-5]] = p

    # 4. LightGBM through onnxmltools (TreeEnsembleClassifier + ZipMap, int64 keys).
    import lightgbm
    import onnxmltools
    from onnxmltools.convert.common.data_types import FloatTensorType as MlFloat

    gbm = lightgbm.LGBMClassifier(n_estimators=15, num_leaves=7, min_child_samples=5, verbose=-1)
    gbm.fit(X.astype(np.float32), y)
    onx = onnxmltools.convert_lightgbm(
        gbm, initial_types=[("input", MlFloat([None, 3]))], target_opset=15
    )
    save(onx, "lgbm.onnx")
    sess = ort.InferenceSession(os.path.join(OUT, "lgbm.onnx"))
    out = sess.run(None, {"input": xf_all})[1]
    oracle["lgbm"] = np.array([row[1] for row in out], dtype=np.float64)

    # 5. String class labels ("no"/"yes"), ZipMap with string keys.
    lr_s = LogisticRegression(max_iter=1000).fit(X, train["churned"].to_numpy())
    onx = to_onnx(lr_s, X.astype(np.float32), target_opset=17)
    save(onx, "lr_strings.onnx")
    sess = ort.InferenceSession(os.path.join(OUT, "lr_strings.onnx"))
    out = sess.run(None, {"X": xf_all})[1]
    oracle["lr_strings_yes"] = np.array([row["yes"] for row in out], dtype=np.float64)
    oracle["lr_strings_no"] = np.array([row["no"] for row in out], dtype=np.float64)

    # 6. Double tensor input, probabilities [N, 2] as double (no ZipMap).
    onx = to_onnx(lr, X, options={"zipmap": False}, target_opset=17)
    save(onx, "lr_double.onnx")
    sess = ort.InferenceSession(os.path.join(OUT, "lr_double.onnx"))
    oracle["lr_double"] = sess.run(None, {"X": xd_all})[1][:, 1].astype(np.float64)

    # 7./8. Hand-built graphs like a PyTorch export: no class labels anywhere.
    # A sigmoid score [N, 1] (the positive score itself) and a softmax [N, 2]
    # (needs positive_index).
    from onnx import TensorProto, helper, numpy_helper

    w = np.array([[-0.04], [0.02], [0.01]], dtype=np.float32)
    b = np.array([0.3], dtype=np.float32)
    graph = helper.make_graph(
        [
            helper.make_node("MatMul", ["X", "W"], ["z0"]),
            helper.make_node("Add", ["z0", "B"], ["z"]),
            helper.make_node("Sigmoid", ["z"], ["score"]),
        ],
        "sigmoid",
        [helper.make_tensor_value_info("X", TensorProto.FLOAT, [None, 3])],
        [helper.make_tensor_value_info("score", TensorProto.FLOAT, [None, 1])],
        [numpy_helper.from_array(w, "W"), numpy_helper.from_array(b, "B")],
    )
    save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)], ir_version=8), "sigmoid.onnx")
    sess = ort.InferenceSession(os.path.join(OUT, "sigmoid.onnx"))
    oracle["sigmoid"] = sess.run(None, {"X": xf_all})[0][:, 0].astype(np.float64)

    w2 = np.array([[0.0, -0.04], [0.0, 0.02], [0.0, 0.01]], dtype=np.float32)
    b2 = np.array([0.0, 0.3], dtype=np.float32)
    graph = helper.make_graph(
        [
            helper.make_node("MatMul", ["X", "W"], ["z0"]),
            helper.make_node("Add", ["z0", "B"], ["logits"]),
            helper.make_node("Softmax", ["logits"], ["probs"], axis=1),
        ],
        "softmax",
        [helper.make_tensor_value_info("X", TensorProto.FLOAT, [None, 3])],
        [
            helper.make_tensor_value_info("logits", TensorProto.FLOAT, [None, 2]),
            helper.make_tensor_value_info("probs", TensorProto.FLOAT, [None, 2]),
        ],
        [numpy_helper.from_array(w2, "W"), numpy_helper.from_array(b2, "B")],
    )
    save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)], ir_version=8), "softmax.onnx")
    sess = ort.InferenceSession(os.path.join(OUT, "softmax.onnx"))
    oracle["softmax_1"] = sess.run(None, {"X": xf_all})[1][:, 1].astype(np.float64)

    oracle.to_csv(os.path.join(OUT, "oracle.csv"), index=False, float_format="%.17g")
    for f in sorted(os.listdir(OUT)):
        print(f, os.path.getsize(os.path.join(OUT, f)))
    print("onnxruntime", ort.__version__, file=sys.stderr)


def save(onx, name):
    with open(os.path.join(OUT, name), "wb") as f:
        f.write(onx.SerializeToString())


if __name__ == "__main__":
    main()
