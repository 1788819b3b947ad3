"""Oracle for src/model/gbm.rs: LightGBM's and scikit-learn's
HistGradientBoostingClassifier's test ROC AUC on the same data, at matched
settings (100 trees, learning rate 0.1, depth 6, 20 rows per leaf, l2 1,
255 bins, no sampling, no early stopping).

Datasets (all rebuilt bit for bit by the Rust tests in src/model/gbm/tests.rs):
  (a) `synthetic`: SplitMix64-generated, 30000 rows x 8 features, 15% NaN in
      features 0-3 (missingness carries signal); test rows are i % 3 == 0.
  (b) `telco`: examples/churn/telco_churn.csv, `rownames` dropped, target
      churn == "Yes", text columns one-hot encoded in place (categories sorted,
      one column each), empty cells NaN; test rows are i % 4 == 0.
  (c) `credit`: tests/fixtures/credit_data.csv (a copy of
      ../shared/datasets/credit_data.csv), `rownames` dropped, target
      Status == "bad", encoded as telco; test rows are i % 4 == 0.

Usage: venv/bin/python gbm_oracle.py [--dump DIR]
  --dump DIR writes DIR/<name>.csv (y then features, NaN empty) so the scratch
  crate can check its own encoding against this one.
Prints the AUCs to embed in the Rust tests. lightgbm 4.7.0, scikit-learn 1.9.1.
"""
import argparse
import csv
import math
import os
import sys

import lightgbm as lgb
import numpy as np
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.metrics import roc_auc_score

MASK = (1 << 64) - 1


class SplitMix64:
    def __init__(self, seed):
        self.state = seed & MASK

    def next_u64(self):
        self.state = (self.state + 0x9E3779B97F4A7C15) & MASK
        z = self.state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
        return z ^ (z >> 31)

    def uniform(self):
        return (self.next_u64() >> 11) * (1.0 / (1 << 53))


def synthetic(n=30000, d=8, seed=42):
    """Mirror of `synthetic_nan` in src/model/gbm/tests.rs."""
    rng = SplitMix64(seed)
    X = np.zeros((n, d))
    y = np.zeros(n, dtype=np.int64)
    for i in range(n):
        x = [rng.uniform() * 4.0 - 2.0 for _ in range(d)]
        for j in range(d):
            if rng.uniform() < 0.15 and j < 4:
                x[j] = math.nan
        noise = (rng.uniform() + rng.uniform() + rng.uniform() - 1.5) * 2.0
        t0 = 1.0 if math.isnan(x[0]) else 1.5 * x[0]
        if math.isnan(x[1]):
            t1 = -0.5
        elif x[1] > 0.0:
            t1 = x[1] * x[4]
        else:
            t1 = -x[4]
        t2 = 0.0 if math.isnan(x[2]) else x[2] * x[2] - 1.0
        t3 = 0.0 if math.isnan(x[3]) else 0.5 * x[3]
        t4 = 1.0 if x[5] > 0.5 else 0.0
        z = t0 + t1 + t2 + t3 + t4 - 0.5 + noise
        X[i] = x
        y[i] = 1 if z > 0.0 else 0
    test = np.arange(n) % 3 == 0
    return X, y, test


def one_hot_csv(path, target, positive):
    """Mirror of `one_hot_csv` in src/model/gbm/tests.rs."""
    with open(path, newline="") as f:
        rows = list(csv.reader(f))
    header, body = rows[0], rows[1:]
    cols = {h: [r[k] for r in body] for k, h in enumerate(header)}
    y = np.array([1 if v == positive else 0 for v in cols[target]])
    feats = []
    for h in header:
        if h in ("rownames", target):
            continue
        vals = cols[h]

        def num(v):
            try:
                return float(v)
            except ValueError:
                return None

        if all(v == "" or num(v) is not None for v in vals):
            feats.append([math.nan if v == "" else float(v) for v in vals])
        else:
            for c in sorted(set(vals)):
                feats.append([1.0 if v == c else 0.0 for v in vals])
    X = np.array(feats).T
    test = np.arange(len(y)) % 4 == 0
    return X, y, test


def lgb_params(threads=2):
    # Matched to GbmParams::default(): 100 trees, lr 0.1, depth 6 with
    # num_leaves not binding, 20 rows per leaf, l2 1, 255 bins, no sampling.
    return dict(
        objective="binary",
        n_estimators=100,
        learning_rate=0.1,
        max_depth=6,
        num_leaves=64,
        min_child_samples=20,
        min_child_weight=1e-3,
        reg_lambda=1.0,
        reg_alpha=0.0,
        max_bin=255,
        min_data_in_bin=1,
        subsample=1.0,
        colsample_bytree=1.0,
        n_jobs=threads,
        deterministic=True,
        verbose=-1,
    )


def hgb_params():
    # The same settings for scikit-learn: max_leaf_nodes off so that depth 6
    # binds, as num_leaves=64 does above; no early stopping.
    return dict(
        max_iter=100,
        learning_rate=0.1,
        max_depth=6,
        max_leaf_nodes=None,
        min_samples_leaf=20,
        l2_regularization=1.0,
        max_bins=255,
        early_stopping=False,
        random_state=0,
    )


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dump")
    here = os.path.dirname(__file__)
    ap.add_argument("--telco", default=os.path.join(here, "../../examples/churn/telco_churn.csv"))
    ap.add_argument("--credit", default=os.path.join(here, "../../tests/fixtures/credit_data.csv"))
    a = ap.parse_args()
    sets = [("synthetic", synthetic()),
            ("telco", one_hot_csv(a.telco, "churn", "Yes")),
            ("credit", one_hot_csv(a.credit, "Status", "bad"))]
    for name, (X, y, test) in sets:
        m = lgb.LGBMClassifier(**lgb_params()).fit(X[~test], y[~test])
        auc = roc_auc_score(y[test], m.predict_proba(X[test])[:, 1])
        h = HistGradientBoostingClassifier(**hgb_params()).fit(X[~test], y[~test])
        hgb = roc_auc_score(y[test], h.predict_proba(X[test])[:, 1])
        print(f"{name}: rows={len(y)} cols={X.shape[1]} test={test.sum()} "
              f"pos_rate={y.mean():.4f} nan={np.isnan(X).sum()} lightgbm_auc={auc!r} "
              f"hist_gradient_boosting_auc={hgb!r}")
        if a.dump:
            os.makedirs(a.dump, exist_ok=True)
            with open(os.path.join(a.dump, name + ".csv"), "w") as f:
                for yi, row in zip(y, X):
                    f.write(",".join([str(yi)] + ["" if math.isnan(v) else repr(float(v)) for v in row]) + "\n")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
