"""Lesson 07: a process pool sends functions by name; a lambda has none, so
its future's result() raises PicklingError and the task never runs.
Run it: `python3 lambda_pickle.py` (under a second)."""

import pickle
from concurrent.futures import ProcessPoolExecutor

if __name__ == "__main__":
    with ProcessPoolExecutor(max_workers=1) as pool:
        future = pool.submit(lambda: 42)
        try:
            future.result(timeout=10)
            raise SystemExit("a lambda ran in a worker process: unexpected")
        except pickle.PicklingError as exc:
            print(f"a lambda sent to a process pool: {type(exc).__name__}: {exc}")
