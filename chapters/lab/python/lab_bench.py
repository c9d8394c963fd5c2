"""The laboratory's workload in Python, every way this Python can run it.

    python3 lab_bench.py [TASKS WORKERS IN_FLIGHT NUMBERS IO_US REPEAT MODES]

MODES is a comma-separated list of sequential, gil-threads, threads,
processes, async and isolated. Prints `MODE MEDIAN_MS PRIMES` for each (the
median of REPEAT runs), then whether the GIL was on. With no arguments it
runs a small workload in the modes every Python has.
"""

# ANCHOR: py_script
import asyncio
import sys
import time
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor

import lab_task
from lab_task import compute, setup, task


async def run_async(tasks, in_flight):
    gate = asyncio.Semaphore(in_flight)

    async def one(i):
        async with gate:
            if lab_task.IO:
                await asyncio.sleep(lab_task.IO)
            return compute(i)  # blocks the event loop, like any CPU work

    return sum(await asyncio.gather(*(one(i) for i in range(tasks))))


def run_modes(tasks, workers, in_flight, numbers, io):
    def threads():
        # The GIL decides: on a default build the threads take turns while
        # they compute; on a free-threaded build they compute at once.
        with ThreadPoolExecutor(workers) as pool:
            return sum(pool.map(task, range(tasks)))

    def processes():
        chunk = max(1, min(1024, tasks // (8 * workers)))  # as the lab's pool
        with ProcessPoolExecutor(workers, initializer=setup, initargs=(numbers, io)) as pool:
            return sum(pool.map(task, range(tasks), chunksize=chunk))

    def isolated():
        # 3.14: an interpreter (and a GIL) per worker, nothing shared; every
        # argument and result crosses as a pickled copy.
        from concurrent.futures import InterpreterPoolExecutor

        with InterpreterPoolExecutor(workers, initializer=setup, initargs=(numbers, io)) as pool:
            return sum(pool.map(task, range(tasks)))

    return {
        "sequential": lambda: sum(map(task, range(tasks))),
        "gil-threads": threads,
        "threads": threads,
        "processes": processes,
        "async": lambda: asyncio.run(run_async(tasks, in_flight)),
        "isolated": isolated,
    }
# ANCHOR_END: py_script


def median_ms(f, repeat):
    times, primes = [], None
    for _ in range(repeat):
        t = time.perf_counter()
        primes = f()
        times.append((time.perf_counter() - t) * 1e3)
    return sorted(times)[len(times) // 2], primes


if __name__ == "__main__":
    if len(sys.argv) > 1:
        tasks, workers, in_flight, numbers, io_us, repeat = map(int, sys.argv[1:7])
        modes = sys.argv[7].split(",")
    else:
        tasks, workers, in_flight, numbers, io_us, repeat = 40, 2, 8, 2_000, 1_000, 1
        modes = ["sequential", "gil-threads", "processes", "async"]
    setup(numbers, io_us / 1e6)
    runs = run_modes(tasks, workers, in_flight, numbers, io_us / 1e6)
    for mode in modes:
        ms, primes = median_ms(runs[mode], repeat)
        print(mode, ms, primes, flush=True)
    gil_on = getattr(sys, "_is_gil_enabled", lambda: True)()
    print("gil", "on" if gil_on else "off")
