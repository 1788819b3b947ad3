#!/usr/bin/env python3
# Copied verbatim (below this header) from the team's shared/bench/reference_gate.py:
# the Python peer (pandas + scikit-learn + fairlearn) the benchmark measures against.
"""Reference release gate in the Python stack a team would use instead
(pandas + scikit-learn + fairlearn), doing the same work as `release-gate check`:
load, contract checks, stratified split, one-hot + impute, train, metrics,
fairness ratio, single-row latency percentiles, bootstrap CI of ROC AUC,
PSI drift train-vs-test, champion re-scored on the same test rows, model card,
JSON report, exit code.

Used as the side-by-side peer for timing and as the oracle for metric values.
"""
import argparse, json, pickle, sys, time, hashlib, os

T0 = time.perf_counter()
import numpy as np
import pandas as pd
from sklearn.model_selection import train_test_split
from sklearn.compose import ColumnTransformer
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.ensemble import RandomForestClassifier
from sklearn import metrics as M
from fairlearn.metrics import MetricFrame, selection_rate
T_IMPORT = time.perf_counter() - T0


def psi(expected, actual, bins=10):
    qs = np.unique(np.quantile(expected[~np.isnan(expected)], np.linspace(0, 1, bins + 1)))
    if len(qs) < 2:
        return 0.0
    e = np.histogram(expected, qs)[0] / max(len(expected), 1)
    a = np.histogram(actual, qs)[0] / max(len(actual), 1)
    e = np.clip(e, 1e-6, None); a = np.clip(a, 1e-6, None)
    return float(np.sum((a - e) * np.log(a / e)))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", required=True)
    ap.add_argument("--target", required=True)
    ap.add_argument("--positive", required=True)
    ap.add_argument("--protected", required=True)
    ap.add_argument("--drop", default="")
    ap.add_argument("--model", default="logistic_regression")
    ap.add_argument("--trees", type=int, default=100)
    ap.add_argument("--max-depth", type=int, default=8)
    ap.add_argument("--champion", default="")
    ap.add_argument("--out", default="ref-out")
    ap.add_argument("--bootstrap", type=int, default=200)
    ap.add_argument("--latency-n", type=int, default=1000)
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)
    times = {"import": T_IMPORT}

    t = time.perf_counter()
    raw = open(a.data, "rb").read()
    sha = hashlib.sha256(raw).hexdigest()
    df = pd.read_csv(a.data)
    times["load"] = time.perf_counter() - t

    t = time.perf_counter()
    drops = [c for c in a.drop.split(",") if c]
    df = df.drop(columns=drops)
    contract = {
        "rows": len(df),
        "null_fraction": float(df.isna().mean().mean()),
        "duplicate_fraction": float(df.duplicated().mean()),
    }
    if a.target not in df or a.protected not in df:
        print("contract: missing column", file=sys.stderr); return 2
    df = df[df[a.target].notna()]
    y = (df[a.target].astype(str) == a.positive).astype(int).values
    X = df.drop(columns=[a.target])
    times["contract"] = time.perf_counter() - t

    t = time.perf_counter()
    Xtr, Xte, ytr, yte = train_test_split(X, y, test_size=0.2, random_state=42, stratify=y)
    num = [c for c in X.columns if pd.api.types.is_numeric_dtype(X[c])]
    cat = [c for c in X.columns if c not in num]
    pre = ColumnTransformer([
        ("num", Pipeline([("imp", SimpleImputer(strategy="median")), ("sc", StandardScaler())]), num),
        ("cat", Pipeline([("imp", SimpleImputer(strategy="most_frequent")),
                          ("oh", OneHotEncoder(handle_unknown="ignore"))]), cat),
    ])
    if a.model == "random_forest":
        clf = RandomForestClassifier(n_estimators=a.trees, max_depth=a.max_depth, random_state=42, n_jobs=1)
    else:
        clf = LogisticRegression(max_iter=1000)
    pipe = Pipeline([("pre", pre), ("clf", clf)])
    pipe.fit(Xtr, ytr)
    times["train"] = time.perf_counter() - t

    t = time.perf_counter()
    score = pipe.predict_proba(Xte)[:, 1]
    pred = (score >= 0.5).astype(int)
    mets = {
        "accuracy": M.accuracy_score(yte, pred),
        "precision": M.precision_score(yte, pred, zero_division=0),
        "recall": M.recall_score(yte, pred),
        "f1": M.f1_score(yte, pred),
        "roc_auc": M.roc_auc_score(yte, score),
        "log_loss": M.log_loss(yte, score),
        "brier": M.brier_score_loss(yte, score),
    }
    times["evaluate"] = time.perf_counter() - t

    t = time.perf_counter()
    mf = MetricFrame(metrics=selection_rate, y_true=yte, y_pred=pred, sensitive_features=Xte[a.protected].astype(str))
    rates = mf.by_group.to_dict()
    di = float(mf.ratio())
    times["fairness"] = time.perf_counter() - t

    t = time.perf_counter()
    rng = np.random.default_rng(42)
    aucs = []
    n = len(yte)
    for _ in range(a.bootstrap):
        idx = rng.integers(0, n, n)
        if yte[idx].min() == yte[idx].max():
            continue
        aucs.append(M.roc_auc_score(yte[idx], score[idx]))
    ci = [float(np.quantile(aucs, 0.025)), float(np.quantile(aucs, 0.975))] if aucs else None
    times["bootstrap"] = time.perf_counter() - t

    t = time.perf_counter()
    drift = {c: psi(Xtr[c].astype(float).values, Xte[c].astype(float).values) for c in num}
    times["drift"] = time.perf_counter() - t

    t = time.perf_counter()
    lat = []
    rows = Xte.head(min(a.latency_n, len(Xte)))
    for i in range(len(rows)):
        r = rows.iloc[[i]]
        s = time.perf_counter(); pipe.predict_proba(r); lat.append((time.perf_counter() - s) * 1000)
    lat = np.array(lat)
    latency = {"p50_ms": float(np.percentile(lat, 50)), "p95_ms": float(np.percentile(lat, 95)), "p99_ms": float(np.percentile(lat, 99))}
    times["latency"] = time.perf_counter() - t

    t = time.perf_counter()
    champ = None
    if a.champion and os.path.exists(a.champion):
        cp = pickle.load(open(a.champion, "rb"))
        champ = float(M.roc_auc_score(yte, cp.predict_proba(Xte)[:, 1]))
    pickle.dump(pipe, open(os.path.join(a.out, "model.pkl"), "wb"))
    times["champion"] = time.perf_counter() - t

    t = time.perf_counter()
    gates = [
        ("roc_auc_floor", mets["roc_auc"] >= 0.7),
        ("disparate_impact", di >= 0.8),
        ("latency_p95", latency["p95_ms"] <= 50.0),
        ("champion_margin", champ is None or mets["roc_auc"] >= champ + 0.005),
    ]
    verdict = "go" if all(p for _, p in gates) else "no-go"
    report = {"verdict": verdict, "metrics": mets, "roc_auc_ci": ci, "fairness": {"rates": {str(k): v for k, v in rates.items()}, "disparate_impact": di},
              "latency": latency, "drift_psi": drift, "champion_roc_auc": champ, "contract": contract, "data_sha256": sha,
              "gates": [{"name": n, "pass": bool(p)} for n, p in gates]}
    json.dump(report, open(os.path.join(a.out, "report.json"), "w"), indent=2)
    pd.DataFrame({"y_true": yte, "score": score, "y_pred": pred, a.protected: Xte[a.protected].values}).to_csv(os.path.join(a.out, "predictions.csv"), index=False)
    card = "# Model card\n\n" + "\n".join(f"- {k}: {v:.4f}" for k, v in mets.items()) + f"\n\nDisparate impact ({a.protected}): {di:.3f}\n"
    open(os.path.join(a.out, "model_card.md"), "w").write(card)
    times["report"] = time.perf_counter() - t
    times["total"] = time.perf_counter() - T0
    json.dump(times, open(os.path.join(a.out, "times.json"), "w"), indent=2)
    print(json.dumps({"verdict": verdict, **{k: round(v, 4) for k, v in mets.items()}, "di": round(di, 4), "times": {k: round(v, 3) for k, v in times.items()}}))
    return 0 if verdict == "go" else 1


if __name__ == "__main__":
    sys.exit(main())
