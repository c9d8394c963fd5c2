"""Lesson 07's bench in Python: the cost per task of each executor (one run,
as on the Rust side), and the prime count on each (the fastest of REPEAT
runs, as on the Rust side).

    python3 executor_bench.py [WORKERS TASKS PROCESS_TASKS LIMIT BLOCKS REPEAT INTERPRETERS]

Beside concurrent.futures' executors (what most code uses), the fastest
reasonable process pool for one small task at a time: multiprocessing.Pool's
apply_async, and Pool.map with chunksize=1 (one task per message, as the
Rust process pool sends them). INTERPRETERS=1 adds InterpreterPoolExecutor
(Python 3.14). Prints `KEY VALUE` lines. Without arguments: small sizes.
"""

import sys
import time
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from multiprocessing import Pool

from executor_tasks import count_block, echo
from primes import blocks as cut


def best(repeat, run):
    """The fastest of `repeat` runs of `run()`, which returns (seconds, value)."""
    results = [run() for _ in range(repeat)]
    return min(results)


def timed(f):
    t = time.perf_counter()
    value = f()
    return time.perf_counter() - t, value


# ANCHOR: overhead
def us_submit(executor, n):
    """concurrent.futures: submit every task, then wait for every result."""
    def run():
        futures = [executor.submit(echo, i) for i in range(n)]
        return sum(f.result() for f in futures)
    seconds, total = timed(run)
    assert total == n * (n - 1) // 2
    return seconds / n * 1e6


def us_apply_async(pool, n):
    """multiprocessing.Pool: the same, with apply_async and AsyncResult."""
    def run():
        results = [pool.apply_async(echo, (i,)) for i in range(n)]
        return sum(r.get() for r in results)
    seconds, total = timed(run)
    assert total == n * (n - 1) // 2
    return seconds / n * 1e6


def us_map_chunk_1(pool, n):
    """multiprocessing.Pool.map with one task per message."""
    seconds, total = timed(lambda: sum(pool.map(echo, range(n), chunksize=1)))
    assert total == n * (n - 1) // 2
    return seconds / n * 1e6
# ANCHOR_END: overhead


def main(workers, tasks, ptasks, limit, nblocks, repeat, interpreters):
    print("version", sys.version.split()[0])
    us = lambda measure, pool, n: measure(pool, n)  # noqa: E731  (one run, like Rust's)
    with ThreadPoolExecutor(workers) as ex:
        us_submit(ex, 100)  # start the threads
        print("threads_us", us(us_submit, ex, tasks))
    with ProcessPoolExecutor(workers) as ex:
        us_submit(ex, workers * 4)  # start the workers
        print("processes_us", us(us_submit, ex, ptasks))
    with Pool(workers) as pool:
        us_apply_async(pool, workers * 4)
        print("pool_apply_async_us", us(us_apply_async, pool, ptasks))
        print("pool_map_chunk1_us", us(us_map_chunk_1, pool, ptasks))
    if interpreters:
        from concurrent.futures import InterpreterPoolExecutor

        with InterpreterPoolExecutor(workers) as ex:
            us_submit(ex, workers * 4)
            print("interpreters_us", us(us_submit, ex, ptasks))

    work = cut(limit, nblocks)
    seconds, primes = best(repeat, lambda: timed(lambda: sum(map(count_block, work))))
    print("cpu_sequential_s", seconds)

    def cpu(key, make):
        with make(workers) as ex:
            list(ex.map(echo, range(workers * 4)))  # start the workers
            s, p = best(repeat, lambda: timed(lambda: sum(ex.map(count_block, work))))
            assert p == primes, f"{key}: {p} primes, expected {primes}"
            print(key, s)

    cpu("cpu_threads_s", ThreadPoolExecutor)
    cpu("cpu_processes_s", ProcessPoolExecutor)
    if interpreters:
        from concurrent.futures import InterpreterPoolExecutor

        cpu("cpu_interpreters_s", InterpreterPoolExecutor)
    print("primes", primes)
    gil_on = getattr(sys, "_is_gil_enabled", lambda: True)()
    print("gil", "on" if gil_on else "off")


if __name__ == "__main__":
    if len(sys.argv) > 1:
        main(*map(int, sys.argv[1:8]))
    else:
        import concurrent.futures

        has = hasattr(concurrent.futures, "InterpreterPoolExecutor")
        if not has:
            print("InterpreterPoolExecutor needs Python 3.14: skipped")
        main(2, 2_000, 500, 100_000, 16, 1, int(has))
