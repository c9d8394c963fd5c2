"""Lesson 01: the same prime count on threads, on processes, and I/O waits on
threads. Run it: `python3 three_ways.py` (a few seconds on 2 cores)."""

import os
import sys
import time
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor


def timed(label, run, baseline=None):
    t = time.perf_counter()
    result = run()
    secs = time.perf_counter() - t
    speedup = f", {baseline / secs:.1f}x" if baseline else ""
    print(f"{label:<28} {secs * 1e3:7.0f} ms{speedup}  (result {result})")
    return secs


# ANCHOR: three_ways
def count_primes(bounds):
    lo, hi = bounds
    return sum(1 for n in range(lo, hi)
               if n > 1 and all(n % d for d in range(2, int(n ** 0.5) + 1)))

def fetch(i):
    time.sleep(0.025)                            # the GIL is released while we wait
    return count_primes((i * 200, i * 200 + 200))  # "parsing" holds it

blocks = [(1_000_000 + i * 10_000, 1_000_000 + (i + 1) * 10_000) for i in range(16)]

if __name__ == "__main__":
    print(sys.getswitchinterval())               # 0.005
    with ThreadPoolExecutor(2) as pool:          # about 1x: one thread runs at a time
        print(sum(pool.map(count_primes, blocks)))
    with ProcessPoolExecutor(2) as pool:         # about 2x: an interpreter (and GIL) each
        print(sum(pool.map(count_primes, blocks)))
    with ThreadPoolExecutor(8) as pool:          # about 8x: the waits overlap
        print(sum(pool.map(fetch, range(16))))
# ANCHOR_END: three_ways

    # The same runs, timed against one thread doing everything.
    print(f"\nPython {sys.version.split()[0]}, {os.cpu_count()} cores reported")
    one = timed("cpu, one thread", lambda: sum(map(count_primes, blocks)))
    for label, executor in [("cpu, 2 threads", ThreadPoolExecutor),
                            ("cpu, 2 processes", ProcessPoolExecutor)]:
        def run():
            with executor(2) as pool:
                return sum(pool.map(count_primes, blocks))
        timed(label, run, one)
    waits = timed("i/o, one thread", lambda: sum(map(fetch, range(16))))
    def overlapped():
        with ThreadPoolExecutor(8) as pool:
            return sum(pool.map(fetch, range(16)))
    timed("i/o, 8 threads", overlapped, waits)
