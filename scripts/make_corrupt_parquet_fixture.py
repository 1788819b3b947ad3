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

# Round 10, T6: tests/fixtures/fuzz/parquet_dictionary_count.parquet, a
# 600-row file whose text column's dictionary page header says num_values =
# 2**31 - 1 (polars allocated 32 GiB by it and aborted). The dictionary
# page header is field 7 (struct, 0x4c after field 3) { field 1 num_values
# i32 (0x15) 0x04 = zigzag(2) }; the new count is a longer varint.
t = pa.table({"x": [float(i) for i in range(600)],
              "label": ["yes" if i % 3 == 0 else "no" for i in range(600)]})
path = "tests/fixtures/fuzz/parquet_dictionary_count.parquet"
pq.write_table(t, path, compression="NONE", use_dictionary=True)
start = pq.ParquetFile(path).metadata.row_group(0).column(1).dictionary_page_offset
data = open(path, "rb").read()
at = data.find(bytes([0x4C, 0x15, 0x04]), start)
assert at >= start, "dictionary page header not found"
zigzag = (2**31 - 1) << 1
varint = bytearray()
while zigzag >= 0x80:
    varint.append(zigzag & 0x7F | 0x80)
    zigzag >>= 7
varint.append(zigzag)
open(path, "wb").write(data[:at + 2] + bytes(varint) + data[at + 3:])
