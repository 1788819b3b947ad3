"""Writes tests/fixtures/spelled/ (pyarrow): the same 600 rows as
`test.csv` (as pandas writes them: `True`/`False`, `1.0`/`3.0`), as
`test.parquet` (a boolean `flag`, a float `grade`), as `mixed/`
(the first 300 rows a CSV part, the rest a Parquet part), and as
`parts/` (two Parquet parts, as Spark writes them: round 42, F1).

Round 41, F1: a training CSV holding `flag` and `grade` as text (a few
`unknown` and `X` cells) met the Parquet values spelled `true` and `3`,
categories the model never saw: ROC AUC 0.95 became 0.84, NO-GO.
"""
import os
import random

import pyarrow as pa
import pyarrow.parquet as pq

random.seed(41)
rows = []
for i in range(600):
    yes = random.random() < 0.4
    flag = yes == (random.random() < 0.85)
    grade = 1.0 if yes == (random.random() < 0.8) else random.choice([2.0, 3.0])
    x = round(random.gauss(0.5 if yes else 0.0, 1.0), 3)
    rows.append((flag, grade, x, "yes" if yes else "no"))

out = "tests/fixtures/spelled"
os.makedirs(f"{out}/mixed", exist_ok=True)
os.makedirs(f"{out}/parts", exist_ok=True)
header = "flag,grade,x,label\n"
line = lambda r: f"{r[0]},{r[1]},{r[2]},{r[3]}\n"  # True, 3.0: as pandas writes them


def parquet(rs, path):
    pq.write_table(pa.table({
        "flag": pa.array([r[0] for r in rs], pa.bool_()),
        "grade": pa.array([r[1] for r in rs], pa.float64()),
        "x": pa.array([r[2] for r in rs], pa.float64()),
        "label": pa.array([r[3] for r in rs], pa.string()),
    }), path)


with open(f"{out}/test.csv", "w") as f:
    f.write(header + "".join(line(r) for r in rows))
parquet(rows, f"{out}/test.parquet")
with open(f"{out}/mixed/part-00000.csv", "w") as f:
    f.write(header + "".join(line(r) for r in rows[:300]))
parquet(rows[300:], f"{out}/mixed/part-00001.parquet")
parquet(rows[:300], f"{out}/parts/part-00000.parquet")
parquet(rows[300:], f"{out}/parts/part-00001.parquet")
