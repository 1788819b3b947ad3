#!/usr/bin/env python3
# Copied verbatim (below this header) from the team's shared/bench/make_big.py:
# makes the deterministic 1M-row telco file for the benchmark.
"""Scale a real CSV up to N rows by resampling rows with replacement and
jittering numeric columns (so the data is not a pure repeat). Deterministic."""
import sys, numpy as np, pandas as pd
src, n, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
df = pd.read_csv(src)
rng = np.random.default_rng(7)
big = df.iloc[rng.integers(0, len(df), n)].reset_index(drop=True)
for c in big.columns:
    if c == "rownames":
        big[c] = np.arange(1, n + 1)
    elif pd.api.types.is_float_dtype(big[c]):
        big[c] = (big[c] * rng.normal(1.0, 0.02, n)).round(2)
big.to_csv(out, index=False)
print(out, big.shape)
