"""Writes tests/fixtures/bool_age.parquet and bool_flag.parquet (pyarrow),
200 rows of fixture.rs's columns plus a 0/1 `flag`, for `predict` (round
29, F5): in the first `age` is a boolean (a count cast to bool), in the
second only `flag` is (a flag read as 0/1 is fine).
"""
import pyarrow as pa
import pyarrow.parquet as pq

n = 200
age = [18 + (i * 7) % 60 for i in range(n)]
cols = {
    "id": pa.array(list(range(n)), pa.int64()),
    "income": pa.array([20.0 + (i * 13) % 80 for i in range(n)], pa.float64()),
    "plan": pa.array([("basic", "plus", "pro")[i % 3] for i in range(n)]),
    "group": pa.array(["a" if i % 2 else "b" for i in range(n)]),
    "label": pa.array(["yes" if (i * 7) % 60 > 30 else "no" for i in range(n)]),
}
flag = [i % 4 == 0 for i in range(n)]
pq.write_table(pa.table({**cols, "age": pa.array([a > 40 for a in age], pa.bool_()),
                         "flag": pa.array([int(f) for f in flag], pa.int64())}),
               "tests/fixtures/bool_age.parquet")
pq.write_table(pa.table({**cols, "age": pa.array(age, pa.int64()),
                         "flag": pa.array(flag, pa.bool_())}),
               "tests/fixtures/bool_flag.parquet")
