#!/usr/bin/env python
"""Write tests/fixtures/dictionary_text.parquet (run once; pyarrow).

Text columns as Spark and pyarrow write them, for the loader's reading of
dictionary-encoded text as codes (src/data/load/dict.rs):
- `grade`: few values, dictionary-encoded, with nulls, an empty string and
  a non-ASCII value; each of the 3 row groups meets its values in another
  order and the last one brings a new value;
- `note`: dictionary-encoded until the dictionary outgrows its page limit,
  then plain pages in the same column chunk (pyarrow's fallback);
- `city`: every value distinct, written without a dictionary;
- `y`: 0/1 integers.
"""
import os
import pyarrow as pa
import pyarrow.parquet as pq

n = 3000
orders = [["b", "a", "", None], ["a", None, "é", "b"], ["d", "b", "a", "é"]]
grade = [orders[i // 1000][(i * 7) % 4] for i in range(n)]
note = [("x", "y", "z")[i % 3] if i % 1000 < 200 else "note number %06d" % i for i in range(n)]
city = ["city-%05d" % ((i * 7919) % 100000) for i in range(n)]
y = [(i * 13) % 5 == 0 for i in range(n)]
table = pa.table({
    "grade": pa.array(grade, pa.string()),
    "note": pa.array(note, pa.string()),
    "city": pa.array(city, pa.string()),
    "y": pa.array([int(v) for v in y], pa.int64()),
})
out = os.path.join(os.path.dirname(__file__), "..", "tests", "fixtures", "dictionary_text.parquet")
pq.write_table(table, out, row_group_size=1000, use_dictionary=["grade", "note"],
               dictionary_pagesize_limit=2048, data_page_size=1024, write_batch_size=64,
               compression="snappy")
md = pq.ParquetFile(out).metadata
for g in range(md.num_row_groups):
    print([(md.row_group(g).column(c).path_in_schema, md.row_group(g).column(c).encodings)
           for c in range(md.num_columns)])
