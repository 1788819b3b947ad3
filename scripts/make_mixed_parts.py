"""Writes tests/fixtures/mixed_parts/ (pyarrow): one CSV part and one
Parquet part of the same table, as two export jobs might leave them, and
tests/fixtures/mixed_parts_all.csv, the same rows as one CSV file.

Columns: `grade` (codes 1, 2, 3 that carry the label; int64 in the Parquet
part), `qty` (1, 2 or 3), `x` (a number), `label` (yes/no). Round 40: a
column the CSV parts read as text (the training file's `X` codes, or a
contract rule that reads the cells as written) stopped the run with exit 2
because the Parquet part held numbers.
"""
import os
import random

import pyarrow as pa
import pyarrow.parquet as pq

random.seed(40)
rows = []
for i in range(600):
    label = "yes" if random.random() < 0.4 else "no"
    grade = 1 if (label == "yes") == (random.random() < 0.85) else random.choice([2, 3])
    qty = random.choice([1, 2, 3])
    x = round(random.gauss(1.0 if label == "yes" else 0.0, 1.0), 3)
    rows.append((grade, qty, x, label))

out = "tests/fixtures/mixed_parts"
os.makedirs(out, exist_ok=True)
header = "grade,qty,x,label\n"
line = lambda r: f"{r[0]},{r[1]},{r[2]},{r[3]}\n"
with open(f"{out}/part-00000.csv", "w") as f:
    f.write(header + "".join(line(r) for r in rows[:300]))
tail = rows[300:]
pq.write_table(pa.table({
    "grade": pa.array([r[0] for r in tail], pa.int64()),
    "qty": pa.array([r[1] for r in tail], pa.int64()),
    "x": pa.array([r[2] for r in tail], pa.float64()),
    "label": pa.array([r[3] for r in tail], pa.string()),
}), f"{out}/part-00001.parquet")
with open("tests/fixtures/mixed_parts_all.csv", "w") as f:
    f.write(header + "".join(line(r) for r in rows))
