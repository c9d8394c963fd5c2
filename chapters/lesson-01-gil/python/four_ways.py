"""The same prime count four ways: GIL threads, free-threaded threads (the same
code on a free-threaded build), subinterpreters and processes. Each way this
Python lacks is skipped, with the reason."""

import sys
import sysconfig
import time
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor


def count_primes(bounds):
    lo, hi = bounds
    return sum(1 for n in range(lo, hi)
               if n > 1 and all(n % d for d in range(2, int(n ** 0.5) + 1)))


BLOCKS = [(100_000 + i * 20_000, 100_000 + (i + 1) * 20_000) for i in range(8)]


# ANCHOR: interpreter_pool
def with_interpreters(blocks, workers):
    from concurrent.futures import InterpreterPoolExecutor  # new in 3.14
    # Each worker is a thread running its own interpreter, with its own GIL.
    # count_primes and each block are pickled into the worker's interpreter and
    # each result is pickled back: no mutable object is shared.
    with InterpreterPoolExecutor(workers) as pool:
        return sum(pool.map(count_primes, blocks))
# ANCHOR_END: interpreter_pool


def with_threads(blocks, workers):
    with ThreadPoolExecutor(workers) as pool:
        return sum(pool.map(count_primes, blocks))


def with_processes(blocks, workers):
    with ProcessPoolExecutor(workers) as pool:
        return sum(pool.map(count_primes, blocks))


def timed(name, run, expected, workers):
    start = time.perf_counter()
    found = run(BLOCKS, workers)
    ms = (time.perf_counter() - start) * 1e3
    assert found == expected, (name, found, expected)
    print(f"{name:<24} {ms:8.0f} ms  {found} primes")


# ANCHOR: main_guard
if __name__ == "__main__":  # spawn, forkserver and interpreter workers all import this file
    workers = 2
    start = time.perf_counter()
    expected = sum(map(count_primes, BLOCKS))
    print(f"{'one thread':<24} {(time.perf_counter() - start) * 1e3:8.0f} ms  {expected} primes")
    free = sysconfig.get_config_var("Py_GIL_DISABLED") == 1
    gil_on = sys._is_gil_enabled() if hasattr(sys, "_is_gil_enabled") else True
    label = "free-threaded threads" if free and not gil_on else "GIL threads"
    timed(label, with_threads, expected, workers)
    if sys.version_info >= (3, 14):
        timed("subinterpreters", with_interpreters, expected, workers)
    else:
        print("subinterpreters: InterpreterPoolExecutor needs Python 3.14: skipped")
    timed("processes", with_processes, expected, workers)
# ANCHOR_END: main_guard
