"""InterpreterPoolExecutor (Python 3.14+): one interpreter, with its own GIL,
per worker thread, in this one process. Arguments and results are pickled
across; module globals are per interpreter. On an older Python it says so
and exits 0."""

# ANCHOR: interpreter_pool
import os
import sys
import concurrent.futures as cf

import interp_tasks
from interp_tasks import checksum, tally, where


def main():
    if not hasattr(cf, "InterpreterPoolExecutor"):
        print(f"InterpreterPoolExecutor needs Python 3.14 (this is {sys.version.split()[0]}): skipped")
        return
    with cf.InterpreterPoolExecutor(max_workers=2) as pool:
        pids = {pid for pid, _ in pool.map(where, range(8))}
        print("pids:", pids, "ours:", os.getpid())
        print("tally:", sorted(pool.map(tally, range(8))))   # two counters, not one
        print("checksums:", list(pool.map(checksum, ["x" * 1_000_000] * 2)))
    print("tally in the main interpreter:", interp_tasks.CALLS)   # still 0


if __name__ == "__main__":
    main()
# ANCHOR_END: interpreter_pool
