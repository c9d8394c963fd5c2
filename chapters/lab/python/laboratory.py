"""The laboratory in Python: the same prime-count tasks sequentially, in a
thread pool and in a process pool, with speed-up and efficiency.
Run it: `python3 laboratory.py` (a few seconds)."""

# ANCHOR: lab
import time
from concurrent.futures import ThreadPoolExecutor, ProcessPoolExecutor

def task(i):                                  # one "cpu" task: count primes in a block
    start = 1_000_000 + (i * 7_919) % 1_000_000
    return sum(1 for n in range(start, start + 2_000)
               if all(n % d for d in range(2, int(n ** 0.5) + 1)))

def timed(f):
    t = time.perf_counter()
    total = f()
    return (time.perf_counter() - t) * 1e3, total

if __name__ == "__main__":
    tasks, workers = 120, 4
    seq_ms, expected = timed(lambda: sum(map(task, range(tasks))))
    for name, executor in [("threading", ThreadPoolExecutor), ("multiprocessing", ProcessPoolExecutor)]:
        def run():
            with executor(workers) as pool:
                return sum(pool.map(task, range(tasks)))
        ms, total = timed(run)
        assert total == expected
        speedup = seq_ms / ms
        print(f"{name}: {ms:.0f} ms, {speedup:.2f}x, efficiency {speedup / workers:.0%}")
# ANCHOR_END: lab
