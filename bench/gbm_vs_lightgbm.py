"""Train-time benchmark: release-gate's gradient_boosting vs LightGBM on the
same 1M x 20 data and parameters, both on 2 threads.

Usage (from the repo root, with lightgbm + numpy installed):
    python bench/gbm_vs_lightgbm.py [--rows 1000000] [--threads 2] [--data /tmp/gbm_bench.bin]
                                    [--repeat 1] [--explain-rows 100000]
Builds the example in release mode, writes the data file, runs both, and
prints the timings and the ratio (ours / LightGBM). It also times TreeSHAP on
`--explain-rows` rows vs plain prediction (ours, and LightGBM's pred_contrib).
"""
import argparse
import json
import os
import subprocess
import time

import lightgbm as lgb
import numpy as np


def make_data(n, d, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, d))
    z = X[:, 0] - 0.5 * X[:, 1] + X[:, 2] * X[:, 3] + np.sin(2 * X[:, 4]) + 0.3 * (X[:, 5] > 0.5)
    y = (z + rng.logistic(size=n) > 0).astype(np.uint8)
    X[:, 10:15][rng.random((n, 5)) < 0.05] = np.nan  # missing values in 5 features
    return X, y


def write_bin(path, X, y):
    with open(path, "wb") as f:
        f.write(np.array([X.shape[0], X.shape[1]], dtype="<u8").tobytes())
        f.write(np.asfortranarray(X).astype("<f8").tobytes(order="F"))
        f.write(y.astype(np.uint8).tobytes())


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--cols", type=int, default=20)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--data", default="/tmp/gbm_bench.bin")
    ap.add_argument("--repeat", type=int, default=1)
    ap.add_argument("--explain-rows", type=int, default=100_000)
    a = ap.parse_args()
    X, y = make_data(a.rows, a.cols)
    write_bin(a.data, X, y)
    env = dict(os.environ, RAYON_NUM_THREADS=str(a.threads), CARGO_BUILD_JOBS="1")
    subprocess.run(["cargo", "build", "--release", "--example", "gbm_bench"], check=True, env=env)
    exe = os.path.join("target", "release", "examples", "gbm_bench")
    ours = []
    for _ in range(a.repeat):
        out = subprocess.run([exe, a.data, str(a.explain_rows)], check=True, env=env, capture_output=True, text=True).stdout
        ours.append(json.loads(out.strip().splitlines()[-1]))
    params = dict(objective="binary", num_iterations=100, learning_rate=0.1, max_depth=6,
                  num_leaves=64, min_data_in_leaf=20, min_sum_hessian_in_leaf=1e-3,
                  lambda_l2=1.0, max_bin=255, min_data_in_bin=1, num_threads=a.threads,
                  deterministic=True, verbose=-1)
    lg_total, lg_train = [], []
    for _ in range(a.repeat):
        t0 = time.perf_counter()
        ds = lgb.Dataset(X, y, params={"max_bin": 255, "min_data_in_bin": 1, "verbose": -1})
        ds.construct()
        t1 = time.perf_counter()
        b = lgb.train(params, ds)
        t2 = time.perf_counter()
        lg_total.append(t2 - t0)
        lg_train.append(t2 - t1)
    Xe = X[:a.explain_rows]
    t0 = time.perf_counter()
    b.predict(Xe, raw_score=True, num_threads=a.threads)
    t1 = time.perf_counter()
    b.predict(Xe, pred_contrib=True, num_threads=a.threads)
    t2 = time.perf_counter()
    o = min(ours, key=lambda r: r["train_s"])
    res = {
        "ours": o,
        "lightgbm_total_s": round(min(lg_total), 3),
        "lightgbm_train_only_s": round(min(lg_train), 3),
        "ratio_ours_over_lightgbm_total": round(o["train_s"] / min(lg_total), 3),
        "lightgbm_predict_explain_rows_s": round(t1 - t0, 4),
        "lightgbm_pred_contrib_explain_rows_s": round(t2 - t1, 3),
        "lightgbm_leaves": sum(t["num_leaves"] for t in b.dump_model()["tree_info"]),
    }
    print(json.dumps(res, indent=1))


if __name__ == "__main__":
    main()
