"""Writes tests/fixtures/negative_page_count.parquet: a valid 40-row file
(float32 column "x" with nulls, text "label") whose first data page header
says num_values = -1 (zigzag varint 0x01 in place of 0x50 = 40).

polars 0.55.2 cast that count to usize unchecked and aborted the process
asking for ~2**61 bytes (found by the parquet_validate fuzz target).
Run with pyarrow: python scripts/make_corrupt_parquet_fixture.py
"""
import pyarrow as pa
import pyarrow.parquet as pq

N = 40
table = pa.table({
    "x": pa.array([float(i) if i % 3 else None for i in range(N)], pa.float32()),
    "label": ["yes" if i % 2 else "no" for i in range(N)],
})
path = "tests/fixtures/negative_page_count.parquet"
pq.write_table(table, path, compression="NONE", use_dictionary=False,
               data_page_version="1.0")
data = bytearray(open(path, "rb").read())
# PageHeader: ... field 5 (struct, 0x2c) { field 1 num_values i32 (0x15) 0x50 }
at = data.find(bytes([0x2C, 0x15, 0x50]))
assert at > 0, "page header not found"
data[at + 2] = 0x01  # zigzag(-1)
open(path, "wb").write(bytes(data))
