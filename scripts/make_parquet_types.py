"""Writes tests/fixtures/primitive_types.parquet and binary.parquet (pyarrow).

primitive_types: the small primitive types pandas and Spark write (int8,
int16, uint8, uint16, decimal128) with a decimal128(10, 2) target.
binary: a binary column, which release-gate refuses naming the column;
float16: a float16 column, which it reads widened to f64.
"""
import decimal

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

n = 300
lab = [1 if (i * 7) % 10 > 5 else 0 for i in range(n)]
pq.write_table(pa.table({
    "i8": pa.array([(i * 13) % 100 - 50 for i in range(n)], pa.int8()),
    "i16": pa.array([(i * 31) % 1000 for i in range(n)], pa.int16()),
    "u8": pa.array([(i * 7) % 200 for i in range(n)], pa.uint8()),
    "u16": pa.array([(i * 17) % 5000 for i in range(n)], pa.uint16()),
    "amount": pa.array([decimal.Decimal(f"{(i * 37) % 1000}.{i % 100:02d}") for i in range(n)],
                       pa.decimal128(10, 2)),
    "label": pa.array([decimal.Decimal(f"{v}.00") for v in lab], pa.decimal128(10, 2)),
}), "tests/fixtures/primitive_types.parquet")
pq.write_table(pa.table({
    "age": pa.array(list(range(n)), pa.int64()),
    "blob": pa.array([b"x%d" % i for i in range(n)], pa.binary()),
    "label": pa.array(["yes" if v else "no" for v in lab]),
}), "tests/fixtures/binary.parquet")
pq.write_table(pa.table({
    "f16": pa.array(np.array([(i % 50) / 7 for i in range(n)], dtype=np.float16)),
    "label": pa.array(["yes" if v else "no" for v in lab]),
}), "tests/fixtures/float16.parquet")
