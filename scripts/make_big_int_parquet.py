"""Writes tests/fixtures/big_int_target.parquet (pyarrow): a target of
int64 values 2^53 and 2^53 + 1, which a float cannot tell apart, beside a
uint64 id near 2^64 and a feature x (round 14, F5).
"""
import pyarrow as pa
import pyarrow.parquet as pq

n = 400
base = 2**53
lab = [1 if (i * 7) % 10 > 5 else 0 for i in range(n)]
pq.write_table(pa.table({
    "id": pa.array([2**64 - 1 - i for i in range(n)], pa.uint64()),
    "x": pa.array([float(i % 37) + 3.0 * lab[i] for i in range(n)], pa.float64()),
    "y": pa.array([base + v for v in lab], pa.int64()),
}), "tests/fixtures/big_int_target.parquet")
