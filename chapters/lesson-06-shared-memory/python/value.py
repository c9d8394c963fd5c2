"""Lesson 06: `v.value += 1` on a multiprocessing.Value from four processes
loses updates; under `v.get_lock()` it is exact.
Run it: `python3 value.py` (a few seconds)."""

import time


def add_locked(v, n):
    for _ in range(n):
        with v.get_lock():
            v.value += 1


# ANCHOR: value
from multiprocessing import Process, Value

def add(v, n):
    for _ in range(n):
        v.value += 1                # read, then write: two steps
        # with v.get_lock():        # one step: exact
        #     v.value += 1

if __name__ == "__main__":
    v = Value('Q', 0)
    ps = [Process(target=add, args=(v, 100_000)) for _ in range(4)]
    for p in ps: p.start()
    for p in ps: p.join()
    print(v.value)                  # usually well below 400000
# ANCHOR_END: value

    print(f"lost {400_000 - v.value} of 400000 increments")
    v = Value('Q', 0)
    ps = [Process(target=add_locked, args=(v, 100_000)) for _ in range(4)]
    for p in ps: p.start()
    for p in ps: p.join()
    print(f"under v.get_lock(): {v.value}")
    assert v.value == 400_000
