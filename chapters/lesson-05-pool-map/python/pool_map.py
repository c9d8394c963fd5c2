"""Lesson 05's prime count in Python: the same blocks in the same chunks on
one worker, a ThreadPool, a multiprocessing.Pool and, on Python 3.14, an
InterpreterPoolExecutor.

    python3 pool_map.py [LIMIT BLOCKS CHUNK WORKERS REPEAT MODES]

MODES is a comma-separated list of sequential, threads, processes and
interpreters. Prints `row MODE BEST_MS PRIMES` for each (the fastest of
REPEAT runs, as the Rust side reports), then whether the GIL was on.
With no arguments it runs a small count of every mode this Python has.
"""

import sys
import time
from multiprocessing import Pool
from multiprocessing.pool import ThreadPool

from primes import blocks, count_block


# ANCHOR: modes
def sequential(blocks, chunk, workers):
    return sum(map(count_block, blocks))


def threads(blocks, chunk, workers):
    # Under the GIL the threads take turns; on a free-threaded build
    # (python3.14t) with the GIL off they compute at the same time.
    with ThreadPool(workers) as pool:
        return sum(pool.map(count_block, blocks, chunk))


def processes(blocks, chunk, workers):
    with Pool(workers) as pool:
        return sum(pool.map(count_block, blocks, chunk))


def interpreters(blocks, chunk, workers):
    # 3.14: one interpreter (and one GIL) per worker, in this process. Each
    # block and each count crosses between interpreters as a pickled copy.
    # (Like ThreadPoolExecutor, it sends one item per task: no chunksize.)
    from concurrent.futures import InterpreterPoolExecutor

    with InterpreterPoolExecutor(workers) as pool:
        return sum(pool.map(count_block, blocks))
# ANCHOR_END: modes


MODES = {f.__name__: f for f in (sequential, threads, processes, interpreters)}


def best_ms(run, repeat):
    best, total = float("inf"), None
    for _ in range(repeat):
        t = time.perf_counter()
        total = run()
        best = min(best, (time.perf_counter() - t) * 1e3)
    return best, total


def has_interpreters():
    import concurrent.futures

    return hasattr(concurrent.futures, "InterpreterPoolExecutor")


if __name__ == "__main__":
    if len(sys.argv) > 1:
        limit, count, chunk, workers, repeat = map(int, sys.argv[1:6])
        modes = sys.argv[6].split(",")
    else:
        limit, count, chunk, workers, repeat = 200_000, 40, 2, 2, 1
        modes = ["sequential", "threads", "processes"]
        if has_interpreters():
            modes.append("interpreters")
        else:
            print("interpreters skipped: InterpreterPoolExecutor needs Python 3.14")
    work = blocks(limit, count)
    for mode in modes:
        ms, primes = best_ms(lambda: MODES[mode](work, chunk, workers), repeat)
        print("row", mode, ms, primes, flush=True)
    gil_on = getattr(sys, "_is_gil_enabled", lambda: True)()
    print("gil", "on" if gil_on else "off")
