#!/usr/bin/env python
"""Write 20,000,000 scored rows as 20 part-*.parquet files under parts/ (seeded).

Columns: y (int8 0/1, ~25% positives), score (float64 in (0,1), correlated with y),
sex (2 text levels), age_band (5 text levels).
"""
import os, sys
import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

N_ROWS = 20_000_000
N_PARTS = 20
OUT = sys.argv[1] if len(sys.argv) > 1 else "parts"
SEED = 20240909

SEX = np.array(["F", "M"], dtype=object)
AGE = np.array(["18-24", "25-34", "35-49", "50-64", "65+"], dtype=object)

os.makedirs(OUT, exist_ok=True)
rng = np.random.default_rng(SEED)
per = N_ROWS // N_PARTS
for i in range(N_PARTS):
    n = per if i < N_PARTS - 1 else N_ROWS - per * (N_PARTS - 1)
    y = (rng.random(n) < 0.25).astype(np.int8)
    sex = SEX[rng.integers(0, 2, n)]
    age = AGE[rng.choice(5, n, p=[0.12, 0.24, 0.30, 0.22, 0.12])]
    logit = -1.1 + 1.5 * y + rng.standard_normal(n)   # ROC AUC ~0.85
    score = 1.0 / (1.0 + np.exp(-logit))
    t = pa.table({"y": y, "score": score.astype(np.float64),
                  "sex": pa.array(sex, pa.string()), "age_band": pa.array(age, pa.string())})
    pq.write_table(t, os.path.join(OUT, f"part-{i:05d}.parquet"), compression="snappy")
    print(f"wrote part-{i:05d}.parquet ({n} rows)", flush=True)
open(os.path.join(OUT, "_SUCCESS"), "w").close()
