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


if __name__ == "__main__":
    main()
