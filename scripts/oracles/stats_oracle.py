#!/usr/bin/env python3
"""Oracle values for src/evaluate/stats (release-gate statistical gating).

Writes src/evaluate/stats/oracle.rs (test-only constants). Run from the repo
root with numpy, scipy, statsmodels, scikit-learn and fairlearn installed:

    python scripts/oracles/stats_oracle.py > src/evaluate/stats/oracle.rs
    cargo fmt

Versions used: numpy 2.4.6, scipy 1.17.1, statsmodels 0.15.0,
scikit-learn 1.9.1, fairlearn 0.15.0.
"""
import types
import warnings

import numpy as np
import scipy
from scipy import special, stats
from sklearn.metrics import roc_auc_score
from statsmodels.stats.proportion import (confint_proportions_2indep,
                                          proportion_confint)

warnings.simplefilter("ignore")
out = []


def emit(s=""):
    out.append(s)


def f(x):
    r = repr(float(x))
    return r if ("." in r or "e" in r or "inf" in r or "nan" in r) else r + ".0"


def flist(xs):
    return "&[" + ", ".join(f(x) for x in xs) + "]"


def ilist(xs):
    return "&[" + ", ".join(str(int(x)) for x in xs) + "]"


def lcg_data(n, seed):
    """Mirror of `lcg_data` in the Rust tests (and metrics.rs)."""
    s = seed
    y, p = [], []
    for i in range(n):
        s = (s * 6364136223846793005 + 1442695040888963407) % 2**64
        sc = np.floor(((s >> 11) / float(2**53)) * 1000.0) / 1000.0
        if i % 97 == 0:
            sc = 0.0
        if i % 89 == 0:
            sc = 1.0
        s = (s * 6364136223846793005 + 1442695040888963407) % 2**64
        y.append(1 if (s >> 11) / float(2**53) < sc * 0.8 + 0.1 else 0)
        p.append(sc)
    return np.array(y), np.array(p)


# ---------------------------------------------------------------- normal
xs = [-38.0, -20.0, -8.5, -5.0, -3.3, -2.0, -1.2, -0.9, -0.5, -0.2, -1e-9, 0.0,
      1e-9, 0.1, 0.3, 0.7, 1.0, 1.3, 2.5, 3.0, 4.0, 6.0, 8.0]
emit("pub const NDTR: &[(f64, f64)] = &[")
for x in xs:
    emit(f"    ({f(x)}, {f(special.ndtr(x))}),")
emit("];")
ps = [1e-300, 1e-100, 1e-20, 1e-10, 1e-5, 0.001, 0.01, 0.025, 0.05, 0.075, 0.1,
      0.3, 0.5, 0.7, 0.9, 0.925, 0.95, 0.975, 0.99, 0.999, 1 - 1e-10]
emit("pub const NDTRI: &[(f64, f64)] = &[")
for p in ps:
    emit(f"    ({f(p)}, {f(special.ndtri(p))}),")
emit("];")


# ---------------------------------------------------------------- splitmix
def splitmix(seed, k):
    s, outv = seed, []
    for _ in range(k):
        s = (s + 0x9E3779B97F4A7C15) % 2**64
        z = s
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) % 2**64
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) % 2**64
        outv.append(z ^ (z >> 31))
    return outv


emit(f"pub const SPLITMIX_1234567: [u64; 3] = [{', '.join(map(str, splitmix(1234567, 3)))}];")


# ---------------------------------------------------------------- DeLong
def compute_midrank(x):
    """Mid-ranks (1-based), as in the yandexdataschool fast DeLong code."""
    j = np.argsort(x, kind="mergesort")
    z = x[j]
    n = len(x)
    t = np.zeros(n, dtype=float)
    i = 0
    while i < n:
        k = i
        while k < n and z[k] == z[i]:
            k += 1
        t[i:k] = 0.5 * (i + k - 1) + 1
        i = k
    t2 = np.empty(n, dtype=float)
    t2[j] = t
    return t2


def fast_delong(preds_sorted, m):
    """Sun & Xu (2014); preds_sorted: (k, m + n) with positives first."""
    n = preds_sorted.shape[1] - m
    pos, neg = preds_sorted[:, :m], preds_sorted[:, m:]
    k = preds_sorted.shape[0]
    tx = np.array([compute_midrank(pos[r]) for r in range(k)])
    ty = np.array([compute_midrank(neg[r]) for r in range(k)])
    tz = np.array([compute_midrank(preds_sorted[r]) for r in range(k)])
    aucs = tz[:, :m].sum(axis=1) / m / n - (m + 1.0) / 2.0 / n
    v01 = (tz[:, :m] - tx) / n
    v10 = 1.0 - (tz[:, m:] - ty) / m
    sx = np.atleast_2d(np.cov(v01))
    sy = np.atleast_2d(np.cov(v10))
    return aucs, sx / m + sy / n


def brute_delong(y, s):
    """O(n^2) DeLong straight from the definition (psi = 1, 1/2, 0)."""
    x, yy = s[y == 1], s[y == 0]
    psi = (x[:, None] > yy[None, :]) + 0.5 * (x[:, None] == yy[None, :])
    v10, v01 = psi.mean(axis=1), psi.mean(axis=0)
    return psi.mean(), v10.var(ddof=1) / len(x) + v01.var(ddof=1) / len(yy)


emit("pub struct DelongCase { pub name: &'static str, pub y: &'static [u8], "
     "pub a: &'static [f64], pub b: &'static [f64], pub auc_a: f64, pub var_a: f64, "
     "pub low_a: f64, pub high_a: f64, pub delta: f64, pub var_delta: f64, pub z: f64, "
     "pub p: f64, pub delta_low: f64, pub delta_high: f64 }")
rng = np.random.default_rng(2024)
cases = []
y = np.array([0, 0, 1, 1, 0, 1, 0, 1, 1, 0])
a = np.array([0.1, 0.4, 0.35, 0.8, 0.65, 0.9, 0.2, 0.55, 0.45, 0.05])
b = np.array([0.3, 0.2, 0.6, 0.7, 0.5, 0.4, 0.1, 0.9, 0.35, 0.15])
cases.append(("small", y, a, b))
y = np.array([0, 1, 0, 1, 1, 0, 0, 1, 0, 1, 1, 0])
a = np.array([0.5, 0.5, 0.5, 0.5, 0.3, 0.3, 0.7, 0.7, 0.7, 0.5, 0.3, 0.5])
b = np.array([0.2, 0.6, 0.2, 0.6, 0.6, 0.4, 0.4, 0.8, 0.2, 0.6, 0.4, 0.4])
cases.append(("ties", y, a, b))
y = rng.integers(0, 2, 300)
a = np.round(np.clip(0.3 * y + rng.normal(0.35, 0.2, 300), 0, 1), 2)
b = np.round(np.clip(0.15 * y + rng.normal(0.4, 0.2, 300), 0, 1), 2)
cases.append(("n300_rounded", y, a, b))
y = rng.integers(0, 2, 400)
a = 0.6 * y + rng.normal(0, 1, 400)
b = a + rng.normal(0, 0.5, 400)
cases.append(("n400_continuous", y, a, b))
emit("pub const DELONG: &[DelongCase] = &[")
for name, y, a, b in cases:
    order = np.r_[np.where(y == 1)[0], np.where(y == 0)[0]]
    m = int(y.sum())
    aucs, cov = fast_delong(np.vstack([a, b])[:, order], m)
    auc_bf, var_bf = brute_delong(y, a)
    assert abs(aucs[0] - roc_auc_score(y, a)) < 1e-12
    assert abs(aucs[0] - auc_bf) < 1e-12 and abs(cov[0, 0] - var_bf) < 1e-12, name
    zc = stats.norm.ppf(0.975)
    sd = np.sqrt(cov[0, 0])
    delta = aucs[0] - aucs[1]
    var_d = cov[0, 0] + cov[1, 1] - 2 * cov[0, 1]
    z = delta / np.sqrt(var_d)
    p = 2 * stats.norm.sf(abs(z))
    emit(f"    DelongCase {{ name: {name!r}, y: {ilist(y)}, a: {flist(a)}, b: {flist(b)}, "
         f"auc_a: {f(aucs[0])}, var_a: {f(cov[0, 0])}, "
         f"low_a: {f(max(0, aucs[0] - zc * sd))}, high_a: {f(min(1, aucs[0] + zc * sd))}, "
         f"delta: {f(delta)}, var_delta: {f(var_d)}, z: {f(z)}, p: {f(p)}, "
         f"delta_low: {f(delta - zc * np.sqrt(var_d))}, delta_high: {f(delta + zc * np.sqrt(var_d))} }},"
         .replace("'", '"'))
emit("];")

# ---------------------------------------------------------------- Wilson etc.
emit("pub const WILSON: &[(u64, u64, f64, f64, f64)] = &[")
for k, n, c in [(0, 1, 0.95), (1, 1, 0.95), (0, 10, 0.95), (3, 10, 0.95), (10, 10, 0.9),
                (50, 100, 0.95), (1, 1000, 0.99), (999, 1000, 0.8), (123456, 1000000, 0.95)]:
    lo, hi = proportion_confint(k, n, alpha=1 - c, method="wilson")
    emit(f"    ({k}, {n}, {f(c)}, {f(lo)}, {f(hi)}),")
emit("];")
emit("pub const NEWCOMBE: &[(u64, u64, u64, u64, f64, f64)] = &[")
for k1, n1, k2, n2 in [(45, 80, 30, 100), (30, 35, 20, 40), (5, 10, 5, 10), (0, 20, 3, 25),
                       (20, 20, 1, 30), (560, 1000, 480, 1000)]:
    lo, hi = confint_proportions_2indep(k1, n1, k2, n2, method="newcomb", compare="diff",
                                        alpha=0.05)
    emit(f"    ({k1}, {n1}, {k2}, {n2}, {f(lo)}, {f(hi)}),")
emit("];")
emit("pub const KATZ: &[(u64, u64, u64, u64, f64, f64)] = &[")
for k1, n1, k2, n2 in [(30, 100, 45, 80), (20, 40, 30, 35), (5, 10, 5, 10), (1, 50, 40, 50),
                       (480, 1000, 560, 1000)]:
    lo, hi = confint_proportions_2indep(k1, n1, k2, n2, method="log", compare="ratio",
                                        alpha=0.05)
    emit(f"    ({k1}, {n1}, {k2}, {n2}, {f(lo)}, {f(hi)}),")
emit("];")
lo, hi = confint_proportions_2indep(30, 100, 45, 80, method="log", compare="ratio", alpha=0.05)
emit(f"pub const KATZ_30_100_45_80: (f64, f64) = ({f(lo)}, {f(hi)});")

# Wilson intervals of accuracy / precision / recall on lcg_data(500, 11).
y, p = lcg_data(500, 11)
yp = (p >= 0.5).astype(int)
tp = int(((y == 1) & (yp == 1)).sum()); fp = int(((y == 0) & (yp == 1)).sum())
fn = int(((y == 1) & (yp == 0)).sum()); tn = int(((y == 0) & (yp == 0)).sum())
emit("pub const WILSON_LCG500: &[(&str, f64, f64)] = &[")
for name, k, n in [("accuracy", tp + tn, 500), ("precision", tp, tp + fp), ("recall", tp, tp + fn)]:
    lo, hi = proportion_confint(k, n, alpha=0.05, method="wilson")
    emit(f'    ("{name}", {f(lo)}, {f(hi)}),')
emit("];")

# ---------------------------------------------------------------- BCa (fixed replicates)
emit("pub struct BcaCase { pub name: &'static str, pub kind: &'static str, "
     "pub pos_cells: &'static [u64], pub neg_cells: &'static [u64], "
     "pub pos_values: &'static [f64], pub neg_values: &'static [f64], "
     "pub replicates: &'static [f64], pub a: f64, pub low: f64, pub high: f64 }")
emit("pub const BCA: &[BcaCase] = &[")


def f1_stat(pos, neg, axis=-1):
    tp = pos.sum(axis=axis); fn_ = pos.shape[axis] - tp; fp = neg.sum(axis=axis)
    den = 2 * tp + fp + fn_
    return np.where(den == 0, 0.0, 2 * tp / np.where(den == 0, 1, den))


def mean_stat(pos, neg, axis=-1):
    return (pos.sum(axis=axis) + neg.sum(axis=axis)) / (pos.shape[axis] + neg.shape[axis])


bca_rng = np.random.default_rng(7)
bca_cases = []
# F1: positives 1 = TP, 0 = FN; negatives 1 = FP, 0 = TN.
pos = np.r_[np.ones(14), np.zeros(6)]; neg = np.r_[np.ones(5), np.zeros(25)]
bca_cases.append(("f1_small", "f1", pos, neg, f1_stat))
pos = np.r_[np.ones(70), np.zeros(45)]; neg = np.r_[np.ones(30), np.zeros(155)]
bca_cases.append(("f1_medium", "f1", pos, neg, f1_stat))
yy, pp = lcg_data(60, 5)
ll = -np.log(np.clip(np.where(yy == 1, pp, 1 - pp), np.finfo(float).eps, 1 - np.finfo(float).eps))
bca_cases.append(("log_loss_lcg60", "mean", ll[yy == 1], ll[yy == 0], mean_stat))
br = (pp - yy) ** 2
bca_cases.append(("brier_lcg60", "mean", br[yy == 1], br[yy == 0], mean_stat))
for name, kind, pos, neg, stat in bca_cases:
    res = stats.bootstrap((pos, neg), stat, n_resamples=199, vectorized=True, method="BCa",
                          confidence_level=0.95, rng=bca_rng)
    reps = res.bootstrap_distribution
    # Re-run on exactly these replicates (n_resamples=0) to get scipy's BCa.
    again = stats.bootstrap((pos, neg), stat, n_resamples=0, vectorized=True, method="BCa",
                            confidence_level=0.95,
                            bootstrap_result=types.SimpleNamespace(bootstrap_distribution=reps))
    _, _, a_hat = stats._resampling._bca_interval(
        (pos, neg), stat, -1, 0.025, reps, None, np)
    lo, hi = again.confidence_interval
    if kind == "f1":
        pc = [int(pos.sum()), int(len(pos) - pos.sum())]
        nc = [int(neg.sum()), int(len(neg) - neg.sum())]
        pv, nv = [], []
    else:
        pc, nc, pv, nv = [], [], pos, neg
    emit(f'    BcaCase {{ name: "{name}", kind: "{kind}", pos_cells: {ilist(pc)}, '
         f"neg_cells: {ilist(nc)}, pos_values: {flist(pv)}, neg_values: {flist(nv)}, "
         f"replicates: {flist(reps)}, a: {f(float(np.asarray(a_hat).ravel()[0]))}, "
         f"low: {f(lo)}, high: {f(hi)} }},")
emit("];")
# Whole-pipeline cross-check: scipy's own stratified BCa bootstrap (its RNG,
# 50k resamples) on lcg_data(400, 9) at threshold 0.5; the Rust test compares
# with 20k replicates of ours within a Monte-Carlo tolerance.
yy, pp = lcg_data(400, 9)
yp = (pp >= 0.5).astype(int)
emit("pub const SCIPY_BOOTSTRAP_LCG400: &[(&str, f64, f64)] = &[")
ll = -np.log(np.clip(np.where(yy == 1, pp, 1 - pp), np.finfo(float).eps, 1 - np.finfo(float).eps))
br = (pp - yy) ** 2
for name, pos, neg, stat in [
        ("f1", (yp[yy == 1] == 1).astype(float), (yp[yy == 0] == 1).astype(float), f1_stat),
        ("log_loss", ll[yy == 1], ll[yy == 0], mean_stat),
        ("brier", br[yy == 1], br[yy == 0], mean_stat)]:
    res = stats.bootstrap((pos, neg), stat, n_resamples=50000, vectorized=True, method="BCa",
                          confidence_level=0.95, rng=np.random.default_rng(11), batch=5000)
    lo, hi = res.confidence_interval
    emit(f'    ("{name}", {f(lo)}, {f(hi)}),')
emit("];")
v = np.array([0.5, 1.0, 2.0, 4.0, 8.0])
emit("pub const PERCENTILE: &[(f64, f64)] = &[")
for q in [0.0, 0.025, 0.1, 0.3, 0.5, 0.62, 0.975, 1.0]:
    emit(f"    ({f(q)}, {f(np.percentile(v, q * 100))}),")
emit("];")

# ---------------------------------------------------------------- McNemar mid-p
emit("pub const MCNEMAR: &[(u64, u64, f64)] = &[")
for b_, c_ in [(1, 0), (0, 5), (3, 7), (7, 3), (10, 10), (25, 40), (0, 30), (120, 170),
               (4990, 5010), (47000, 48500), (1, 999)]:
    n, k = b_ + c_, min(b_, c_)
    midp = min(1.0, 2 * (stats.binom.cdf(k, n, 0.5) - 0.5 * stats.binom.pmf(k, n, 0.5)))
    emit(f"    ({b_}, {c_}, {f(midp)}),")
emit("];")

# ---------------------------------------------------------------- equalized odds
from fairlearn.metrics import equalized_odds_difference  # noqa: E402

emit("pub struct EodCase { pub name: &'static str, pub y: &'static [u8], "
     "pub pred: &'static [u8], pub groups: &'static [u32], pub want: f64 }")
emit("pub const EOD: &[EodCase] = &[")
eod_rng = np.random.default_rng(3)
eod_cases = [
    ("no_positives_group", [1, 1, 0, 0, 0, 0, 1, 0], [1, 0, 1, 0, 1, 0, 1, 1],
     [0, 0, 0, 0, 1, 1, 2, 2]),
    ("two_groups", [1, 0, 1, 0, 1, 1, 0, 0, 1, 0], [1, 0, 0, 1, 1, 1, 0, 0, 0, 1],
     [0, 0, 0, 0, 0, 1, 1, 1, 1, 1]),
    ("one_group", [1, 0, 1], [1, 1, 0], [5, 5, 5]),
]
g = eod_rng.integers(0, 4, 500); yv = eod_rng.integers(0, 2, 500)
pv = (eod_rng.random(500) < 0.3 + 0.1 * g + 0.2 * yv).astype(int)
eod_cases.append(("four_groups_500", list(yv), list(pv), list(g)))
for name, yv, pv, g in eod_cases:
    want = equalized_odds_difference(np.array(yv), np.array(pv),
                                     sensitive_features=np.array(g))
    emit(f'    EodCase {{ name: "{name}", y: {ilist(yv)}, pred: {ilist(pv)}, '
         f"groups: {ilist(g)}, want: {f(want)} }},")
emit("];")

print("//! Oracle values for the stats tests.")
print("//! Generated by scripts/oracles/stats_oracle.py -- do not edit.")
import fairlearn  # noqa: E402
import sklearn  # noqa: E402
import statsmodels  # noqa: E402

print(f"//! numpy {np.__version__}, scipy {scipy.__version__}, statsmodels "
      f"{statsmodels.__version__}, scikit-learn {sklearn.__version__}, "
      f"fairlearn {fairlearn.__version__}.")
print("// from scripts/oracles/stats_oracle.py")
print("#![allow(clippy::all, clippy::pedantic)]")
print()
print("\n".join(out))
