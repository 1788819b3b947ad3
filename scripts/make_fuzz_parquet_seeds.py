"""Writes fuzz/seeds/parquet_check/*.parquet and fuzz/seeds/parquet_validate/
(pyarrow): one small real Parquet file per Arrow type, each with a `label`
column (yes/no) and a column `x` of that type, plus a few files mixing
types, so the fuzzers start from every type the Parquet reader can meet.

    python scripts/make_fuzz_parquet_seeds.py
"""
import datetime
import decimal
import os

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

N = 40
root = os.path.join(os.path.dirname(__file__), "..", "fuzz", "seeds")
label = pa.array(["yes" if (i * 7) % 10 > 4 else "no" for i in range(N)])
ints = [(i * 37) % 90 - 40 for i in range(N)]

types = {
    "int8": pa.array(ints, pa.int8()),
    "int16": pa.array(ints, pa.int16()),
    "int32": pa.array(ints, pa.int32()),
    "int64": pa.array(ints, pa.int64()),
    "uint8": pa.array([abs(v) for v in ints], pa.uint8()),
    "uint16": pa.array([abs(v) for v in ints], pa.uint16()),
    "uint32": pa.array([abs(v) for v in ints], pa.uint32()),
    "uint64": pa.array([abs(v) for v in ints], pa.uint64()),
    "float16": pa.array(np.array([v / 7 for v in ints], dtype=np.float16)),
    "float32": pa.array([v / 7 for v in ints], pa.float32()),
    "float64": pa.array([v / 7 if i % 9 else None for i, v in enumerate(ints)], pa.float64()),
    "bool": pa.array([v > 0 for v in ints]),
    "string": pa.array([f"s{v % 5}" for v in ints]),
    "large_string": pa.array([f"s{v % 5}" for v in ints], pa.large_string()),
    "binary": pa.array([b"b%d" % (v % 5) for v in ints]),
    "decimal128": pa.array([decimal.Decimal(f"{v}.25") for v in ints], pa.decimal128(10, 2)),
    "decimal256": pa.array([decimal.Decimal(f"{v}.5") for v in ints], pa.decimal256(40, 1)),
    "date32": pa.array([datetime.date(2020, 1, 1 + i % 28) for i in range(N)], pa.date32()),
    "date64": pa.array([datetime.datetime(2020, 1, 1 + i % 28) for i in range(N)], pa.date64()),
    "timestamp": pa.array([datetime.datetime(2020, 1, 1, i % 24) for i in range(N)], pa.timestamp("us")),
    "timestamp_tz": pa.array([datetime.datetime(2020, 1, 1, i % 24) for i in range(N)], pa.timestamp("ms", tz="UTC")),
    "time64": pa.array([datetime.time(i % 24, 0) for i in range(N)], pa.time64("us")),
    "time32": pa.array([datetime.time(i % 24, 0) for i in range(N)], pa.time32("ms")),
    "duration": pa.array([datetime.timedelta(seconds=v) for v in ints], pa.duration("s")),
    "null": pa.nulls(N),
    "list": pa.array([[v, v + 1] for v in ints], pa.list_(pa.int64())),
    "large_list": pa.array([[v] for v in ints], pa.large_list(pa.float64())),
    "fixed_list": pa.array([[v, v] for v in ints], pa.list_(pa.int32(), 2)),
    "struct": pa.array([{"a": v, "b": str(v)} for v in ints]),
    "map": pa.array([[("k", v)] for v in ints], pa.map_(pa.string(), pa.int64())),
    "dictionary": pa.array([f"d{v % 3}" for v in ints]).dictionary_encode(),
    "fixed_binary": pa.array([b"%04d" % abs(v) for v in ints], pa.binary(4)),
}

for target in ("parquet_check", "parquet_validate"):
    os.makedirs(os.path.join(root, target), exist_ok=True)
for name, arr in types.items():
    table = pa.table({"x": arr, "label": label})
    for target in ("parquet_check", "parquet_validate"):
        pq.write_table(table, os.path.join(root, target, f"{name}.parquet"))
# Mixed: every numeric type at once, and numbers beside text and dates.
mixed = pa.table({"a": types["int8"], "b": types["float32"], "c": types["decimal128"],
                  "d": types["string"], "e": types["date32"], "label": label})
for target in ("parquet_check", "parquet_validate"):
    pq.write_table(mixed, os.path.join(root, target, "mixed.parquet"))
    pq.write_table(mixed, os.path.join(root, target, "mixed_snappy_dict.parquet"),
                   compression="snappy", use_dictionary=True, row_group_size=7)
