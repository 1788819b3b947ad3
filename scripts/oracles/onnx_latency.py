#!/usr/bin/env python3
"""Single-row latency of onnxruntime's Python API (the baseline for
release-gate's ONNX scorer): p50/p95/p99 of `sess.run` on one row of the
fixtures, feeds prepared up front, 1000 warm-up runs.

Usage: python3 scripts/oracles/onnx_latency.py [runs]
"""
import os
import sys
import time

import numpy as np
import onnxruntime as ort
import pandas as pd

DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tests", "fixtures", "onnx")
runs = int(sys.argv[1]) if len(sys.argv) > 1 else 20000
df = pd.read_csv(os.path.join(DIR, "data.csv"))


def bench(name, feeds_of_row, threads):
    so = ort.SessionOptions()
    if threads:
        so.intra_op_num_threads = threads
        so.inter_op_num_threads = threads
    sess = ort.InferenceSession(os.path.join(DIR, name), so, providers=["CPUExecutionProvider"])
    feeds = [feeds_of_row(i) for i in range(len(df))]
    for i in range(1000):
        sess.run(None, feeds[i % len(feeds)])
    t = np.empty(runs)
    for i in range(runs):
        f = feeds[i % len(feeds)]
        s = time.perf_counter()
        sess.run(None, f)
        t[i] = (time.perf_counter() - s) * 1e6
    p50, p95, p99 = np.percentile(t, [50, 95, 99])
    print(f"{name} (threads={threads or 'default'}): python sess.run p50 {p50:.1f} us, p95 {p95:.1f} us, p99 {p99:.1f} us")


X = df[["tenure", "monthly", "age"]].to_numpy(np.float32)
for threads in (0, 1):
    bench("lr_tensor.onnx", lambda i: {"X": X[i : i + 1]}, threads)
    bench(
        "pipeline_zipmap.onnx",
        lambda i: {
            "tenure": df[["tenure"]].to_numpy(np.int64)[i : i + 1],
            "monthly": df[["monthly"]].to_numpy(np.float32)[i : i + 1],
            "age": df[["age"]].to_numpy(np.float32)[i : i + 1],
            "contract": np.array([["month"]], dtype=object),
        },
        threads,
    )
