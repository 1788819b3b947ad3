import re, glob, json, statistics as st
def parse(f):
    s = open(f).read()
    w = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (\S+)", s).group(1)
    parts = [float(x) for x in w.split(":")]; sec = 0
    for p in parts: sec = sec*60 + p
    rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", s).group(1))
    cpu = re.search(r"Percent of CPU this job got: (\S+)", s).group(1)
    ut = float(re.search(r"User time \(seconds\): (\S+)", s).group(1))
    stt = float(re.search(r"System time \(seconds\): (\S+)", s).group(1))
    return sec, rss/1024, cpu, ut+stt
names = ["polars_only_dir","polars_only_file","polars_only_parts","py_polars","loader","check"]
med = {}
for n in names:
    rows = [parse(f) for f in sorted(glob.glob(f"logs/{n}_r*.time"))]
    walls = [r[0] for r in rows]; rss = [r[1] for r in rows]
    med[n] = (st.median(walls), max(rss))
    print(f"{n:18s} walls={walls} median={st.median(walls):.2f}s maxRSS={[round(x) for x in rss]} MB cpu={[r[2] for r in rows]} cpu_s={[round(r[3],2) for r in rows]}")
py = [float(re.search(r"read_s=(\S+)", open(f).read()).group(1)) for f in sorted(glob.glob("logs/py_polars_r*.out"))]
print("py in-process read_s", py, "median", st.median(py))
c = med["check"][0]
for n in ["polars_only_file","polars_only_parts","py_polars"]:
    print(f"ratio check/{n} = {c/med[n][0]:.1f}")
print(f"ratio check/py in-process read = {c/st.median(py):.1f}")
for f in sorted(glob.glob("logs/report_r*.json")):
    d = json.load(open(f)); t = d["timings_ms"]
    print(f, "sum_ms", round(sum(t.values())), {k: round(v) for k, v in sorted(t.items(), key=lambda x: -x[1])})
