"""Lesson 07: concurrent.futures: the seed's pool of one thread, the rest of
the API on a pool of four, and the robust pattern. Run it: `python3 executors.py` (about a second)."""

import time


def slow_task():
    time.sleep(0.3)
    return "slow"


def square(n):
    return n * n


def fetch(url):
    time.sleep(0.01 * (len(url) % 5))
    return f"{url}: {len(url)} bytes"


urls = [f"http://example.invalid/{'x' * i}" for i in range(5)]


def process(task):
    if task % 4 == 3:
        raise ValueError(f"task {task} is bad")
    return task * 10


# ANCHOR: seed
from concurrent import futures
import time

def test(num):
    return time.ctime(), num

with futures.ThreadPoolExecutor(max_workers=1) as executor:
    future = executor.submit(test, 1)
    print(future.result())        # ('Tue Nov 14 22:13:20 2023', 1)
# ANCHOR_END: seed

# ANCHOR: api
from concurrent.futures import (ThreadPoolExecutor, as_completed, wait,
                                FIRST_COMPLETED)

with ThreadPoolExecutor(max_workers=4) as pool:
    f = pool.submit(slow_task)
    print(f.done(), f.running())  # questions, never block
    try:
        f.result(timeout=0.05)    # TimeoutError if not done in 50 ms
    except TimeoutError:
        print("not done after 50 ms")
    print(f.cancel())             # True only while it is still queued
    squares = list(pool.map(square, range(10)))   # input order
    fs = [pool.submit(fetch, url) for url in urls]
    for f in as_completed(fs):    # completion order
        print(f.result())
    done, not_done = wait(fs, timeout=1, return_when=FIRST_COMPLETED)
    pool.shutdown(wait=False, cancel_futures=True)
# ANCHOR_END: api
assert squares == [n * n for n in range(10)]
print(f"map kept input order: {squares}")

# ANCHOR: robust
def robust(tasks):
    results, failed = [], []
    with ThreadPoolExecutor() as pool:
        future_to_task = {pool.submit(process, t): t for t in tasks}
        for future in as_completed(future_to_task, timeout=30):
            task = future_to_task[future]
            try:
                results.append(future.result())
            except Exception as exc:
                failed.append((task, exc))
    return results, failed
# ANCHOR_END: robust

results, failed = robust(range(8))
print(f"robust: {len(results)} results, failed: {sorted(failed, key=lambda p: p[0])}")
assert len(results) == 6 and [t for t, _ in sorted(failed, key=lambda p: p[0])] == [3, 7]
