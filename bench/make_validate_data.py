#!/usr/bin/env python3
"""Makes the deterministic N-row telco CSV for bench/validate_speed.sh from
examples/churn/telco_churn.csv, with the standard library only: rows are
resampled with replacement, `rownames` is renumbered 1..N (so it stays
unique), and the two float columns are jittered by a few percent (so the
file is not a pure repeat). Same arguments => byte-identical output.

usage: make_validate_data.py SOURCE N OUT
"""
import csv
import os
import random
import sys


def main(src, n, out):
    with open(src, newline="") as f:
        reader = csv.reader(f)
        header = next(reader)
        rows = list(reader)
    rng = random.Random(7)
    floats = [i for i, h in enumerate(header) if h in ("monthly_charges", "total_charges")]
    rowname = header.index("rownames")
    tmp = out + ".tmp"
    with open(tmp, "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(header)
        for i in range(n):
            row = list(rows[rng.randrange(len(rows))])
            row[rowname] = str(i + 1)
            for c in floats:
                if row[c] not in ("", "NA"):
                    row[c] = "%.2f" % (float(row[c]) * rng.gauss(1.0, 0.02))
            w.writerow(row)
    os.replace(tmp, out)
    print(f"{out}: {n} rows x {len(header)} columns", file=sys.stderr)


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]), sys.argv[3])
