#!/usr/bin/env python
"""Write tests/fixtures/categorical_unused.parquet (run once; pandas, pyarrow).

A pandas Categorical whose categories outnumber the rows, as pandas writes
it: the column's dictionary page holds all 300 categories for 40 values.
The loader once called such a file corrupt (it took a dictionary longer
than its column chunk for a forged count).
"""
import os
import pandas as pd

n = 40
cats = ["c%03d" % i for i in range(300)]
df = pd.DataFrame({
    "label": ["yes" if i % 3 == 0 else "no" for i in range(n)],
    "x": [float((i * 7) % 11) for i in range(n)],
    "g": pd.Categorical([cats[(i * 37) % 5] for i in range(n)], categories=cats),
})
out = os.path.join(os.path.dirname(__file__), "..", "tests", "fixtures", "categorical_unused.parquet")
df.to_parquet(out, index=False, compression="snappy")
print(os.path.getsize(out), "bytes")
