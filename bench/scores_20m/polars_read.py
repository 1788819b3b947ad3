#!/usr/bin/env python
"""Bare polars read of the four columns; prints the in-process read time (excludes import)."""
import sys, time
t0 = time.perf_counter()
import polars as pl
t1 = time.perf_counter()
df = pl.read_parquet(sys.argv[1] if len(sys.argv) > 1 else "parts/*.parquet",
                     columns=["y", "score", "sex", "age_band"])
t2 = time.perf_counter()
print(f"polars {pl.__version__} rows={df.height} cols={df.width} "
      f"import_s={t1-t0:.3f} read_s={t2-t1:.3f} est_mb={df.estimated_size('mb'):.0f}")
