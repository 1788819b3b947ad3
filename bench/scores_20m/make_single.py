#!/usr/bin/env python
"""Concatenate parts/part-*.parquet into one file all.parquet (same rows, one row group per part).
Only because `rg read-only --polars-only` reads a single file, not a directory."""
import glob, pyarrow.parquet as pq
files = sorted(glob.glob("parts/part-*.parquet"))
w = None
for f in files:
    t = pq.read_table(f)
    if w is None:
        w = pq.ParquetWriter("all.parquet", t.schema, compression="snappy")
    w.write_table(t, row_group_size=len(t))
w.close()
print(pq.ParquetFile("all.parquet").metadata)
