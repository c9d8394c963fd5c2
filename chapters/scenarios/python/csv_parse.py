"""Scenario 2, processes: a large CSV parsed by one thread, by a
ThreadPoolExecutor, and by a multiprocessing.Pool, each worker taking a
byte range of the file (the lines that start in it). `python3 csv_parse.py
PATH WORKERS` prints one JSON line per way; with no arguments it writes a
small file of its own and parses that."""

import json
import os
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from multiprocessing import Pool


# ANCHOR: parse
def parse_range(path, start, end):
    rows = faults = milli_sum = 0
    with open(path, "rb") as f:
        pos = max(start - 1, 0)
        f.seek(pos)
        if start > 0:
            pos += len(f.readline())  # the previous part owns this line
        while pos < end:
            line = f.readline()
            if not line:
                break
            pos += len(line)
            sensor, ts, value, status = line.rstrip(b"\n").split(b",")
            if not sensor.startswith(b"sensor-"):
                continue  # the header
            int(sensor[7:]), int(ts)
            rows += 1
            faults += status == b"fault"
            milli_sum += round(float(value) * 1000)
    return rows, faults, milli_sum


def ranges(length, parts):
    return [(length * i // parts, length * (i + 1) // parts) for i in range(parts)]


def parse_with(path, workers, executor):
    cuts = ranges(os.path.getsize(path), workers)
    if executor == "one thread":
        parts = [parse_range(path, 0, os.path.getsize(path))]
    elif executor == "ThreadPoolExecutor":
        with ThreadPoolExecutor(workers) as ex:
            parts = list(ex.map(parse_range, [path] * workers, *zip(*cuts)))
    else:
        with Pool(workers) as pool:
            parts = pool.starmap(parse_range, [(path, a, b) for a, b in cuts])
    return [sum(p[i] for p in parts) for i in range(3)]
# ANCHOR_END: parse


def main(path, workers):
    for executor in ["one thread", "ThreadPoolExecutor", "multiprocessing.Pool"]:
        start = time.perf_counter()
        rows, faults, milli_sum = parse_with(path, workers, executor)
        seconds = time.perf_counter() - start
        mode = executor if executor == "one thread" else "%s(%d)" % (executor, workers)
        print(json.dumps({"mode": mode, "seconds": seconds,
                          "parsed": {"rows": rows, "faults": faults, "milli_sum": milli_sum}}))


if __name__ == "__main__":
    if len(sys.argv) == 3:
        main(sys.argv[1], int(sys.argv[2]))
    else:
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "small.csv")
            with open(path, "w") as f:
                f.write("sensor,timestamp_ms,value,status\n")
                for i in range(20000):
                    f.write("sensor-%04d,%d,%.3f,%s\n" % (i % 50, 1700000000000 + i, i % 7 - 3.5,
                                                        "fault" if i % 97 == 0 else "ok"))
            main(path, 2)
