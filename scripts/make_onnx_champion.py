#!/usr/bin/env python3
"""Builds two ONNX models of the telco example and prints their oracles.

Each is a OneHotEncoder + LogisticRegression pipeline fitted by
scikit-learn on rows 0-2999 of examples/churn/telco_churn.csv, with inputs
`tenure` and `monthly_charges` (float) and `contract` (string), converted
by skl2onnx, in tests/fixtures/onnx/:
  champion_telco.onnx  `contract` as written (adversarial round 44, F1:
                       an ONNX champion with float inputs; tests/it/trust44.rs)
  codes_telco.onnx     `contract` as the codes in CODES, which a CSV without
                       a letter among them would read as numbers (round 43,
                       F3; tests/it/trust46.rs)
  twin_codes_telco.onnx  `contract` as TWIN_CODES (`10` and `10.0`), built
                       alone by the argument `twin` (tests/it/trust47.rs)
  normalized_codes.onnx/.parquet  a hand-built graph whose string input is
                       cast before its encoder, built alone by the
                       argument `normalized` (see normalized())
The printed ROC AUC of each is onnxruntime's scores on rows 5600 to the
end through scikit-learn's roc_auc_score. Also codes_test.parquet: those
rows with the codes as int64 numbers (round 48, F2: no written text).

Needs: scikit-learn, skl2onnx, onnxruntime, pandas, pyarrow.
Run from the repository root: python3 scripts/make_onnx_champion.py
"""
import os

import numpy as np
import onnxruntime as ort
import pandas as pd
from skl2onnx import convert_sklearn
from skl2onnx.common.data_types import FloatTensorType, StringTensorType
from sklearn.compose import ColumnTransformer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
COLS = ["tenure", "monthly_charges", "contract"]


CODES = {"Month-to-month": "007", "One year": "010", "Two year": "3"}


def build(name, train, test):
    X = train[COLS].copy()
    X["tenure"] = X.tenure.astype(float)
    pipe = Pipeline(
        [
            ("ct", ColumnTransformer(
                [("oh", OneHotEncoder(handle_unknown="ignore"), ["contract"])],
                remainder="passthrough",
            )),
            ("lr", LogisticRegression(max_iter=1000)),
        ]
    )
    pipe.fit(X, train.churn)
    onx = convert_sklearn(
        pipe,
        initial_types=[
            ("tenure", FloatTensorType([None, 1])),
            ("monthly_charges", FloatTensorType([None, 1])),
            ("contract", StringTensorType([None, 1])),
        ],
        target_opset=15,
        options={id(pipe): {"zipmap": False}},
    )
    path = os.path.join(ROOT, "tests", "fixtures", "onnx", name)
    with open(path, "wb") as f:
        f.write(onx.SerializeToString())
    sess = ort.InferenceSession(path)
    feeds = {
        "tenure": test.tenure.to_numpy(np.float32).reshape(-1, 1),
        "monthly_charges": test.monthly_charges.to_numpy(np.float32).reshape(-1, 1),
        "contract": test.contract.to_numpy(object).reshape(-1, 1),
    }
    probability = sess.run(None, feeds)[1][:, 1]
    print(f"onnxruntime {name} ROC AUC on rows 5600..:",
          repr(roc_auc_score(test.churn == "Yes", probability)))


# Two codes that spell one number: a Parquet file of the numbers cannot
# say which one each row held. Built alone by `make_onnx_champion.py twin`
# (the other fixtures and their oracles stay as they are).
TWIN_CODES = {"Month-to-month": "10", "One year": "10.0", "Two year": "3"}


def main():
    import sys

    df = pd.read_csv(os.path.join(ROOT, "examples", "churn", "telco_churn.csv"))
    if sys.argv[1:] == ["normalized"]:
        normalized()
        return
    if sys.argv[1:] == ["twin"]:
        twin = df.assign(contract=df.contract.map(TWIN_CODES))
        build("twin_codes_telco.onnx", twin.iloc[:3000], twin.iloc[5600:])
        return
    build("champion_telco.onnx", df.iloc[:3000], df.iloc[5600:])
    coded = df.assign(contract=df.contract.map(CODES))
    build("codes_telco.onnx", coded.iloc[:3000], coded.iloc[5600:])
    # The same test rows as Parquet, the codes as int64 (no written text).
    path = os.path.join(ROOT, "tests", "fixtures", "onnx", "codes_test.parquet")
    coded.iloc[5600:].astype({"contract": "int64"}).to_parquet(path, index=False)



def normalized():
    """tests/fixtures/onnx/normalized_codes.onnx and normalized_codes.parquet:
    a string input `code` passed through a Cast (to string) before its
    OneHotEncoder, an op release-gate does not follow, so it cannot see
    the categories
    (tests/it/trust47.rs); the Parquet file holds `code` as int64 numbers,
    a float `x` and a 0/1 `y`. Built alone by the argument `normalized`."""
    import onnx
    from onnx import TensorProto, helper

    ml = "ai.onnx.ml"
    nodes = [
        helper.make_node("Cast", ["code"], ["low"], to=TensorProto.STRING),
        helper.make_node("OneHotEncoder", ["low"], ["oh"], domain=ml,
                         cats_strings=["007", "010"], zeros=1),
        helper.make_node("Reshape", ["oh", "shape"], ["oh2"]),
        helper.make_node("Concat", ["oh2", "x"], ["feat"], axis=1),
        helper.make_node("LinearClassifier", ["feat"], ["label", "probabilities"], domain=ml,
                         coefficients=[-1.0, 0.5, -0.8, 1.0, -0.5, 0.8],
                         intercepts=[0.1, -0.1], classlabels_ints=[0, 1],
                         post_transform="LOGISTIC"),
    ]
    graph = helper.make_graph(
        nodes, "normalized",
        [helper.make_tensor_value_info("code", TensorProto.STRING, [None, 1]),
         helper.make_tensor_value_info("x", TensorProto.FLOAT, [None, 1])],
        [helper.make_tensor_value_info("label", TensorProto.INT64, [None]),
         helper.make_tensor_value_info("probabilities", TensorProto.FLOAT, [None, 2])],
        [helper.make_tensor("shape", TensorProto.INT64, [2], [-1, 2])],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 15),
                                                    helper.make_opsetid(ml, 1)])
    model.ir_version = 8
    onnx.checker.check_model(model)
    out = os.path.join(ROOT, "tests", "fixtures", "onnx")
    onnx.save(model, os.path.join(out, "normalized_codes.onnx"))
    rng = np.random.default_rng(47)
    n = 400
    code = rng.choice([7, 10], n)
    x = rng.standard_normal(n)
    y = (rng.random(n) < 1 / (1 + np.exp(-(x + (code == 10))))).astype(np.int64)
    pd.DataFrame({"code": code.astype(np.int64), "x": x, "y": y}).to_parquet(
        os.path.join(out, "normalized_codes.parquet"), index=False)
    sess = ort.InferenceSession(os.path.join(out, "normalized_codes.onnx"))
    p = sess.run(None, {"code": code.astype(str).astype(object).reshape(-1, 1),
                        "x": x.astype(np.float32).reshape(-1, 1)})[1][:, 1]
    print("onnxruntime normalized_codes ROC AUC (codes fed as printed):",
          repr(roc_auc_score(y, p)))


if __name__ == "__main__":
    main()
