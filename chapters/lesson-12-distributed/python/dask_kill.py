"""Lesson 12: kill a dask worker process mid-job, for real.

    python3 dask_kill.py [--tasks N] [--limit L] [--deadline SECONDS]

Starts a LocalCluster of two worker processes, submits the prime count as N
tasks, and as soon as the first result is in, SIGKILLs a worker that is
running a task. The scheduler notices the lost connection, hands that
worker's tasks to the survivor (and to the replacement the nanny starts),
and the job still finishes with the right answer. Prints `kill {json}`: the
answer, the expected answer, how many tasks were re-run, and the times.
"""

import argparse
import json
import logging
import os
import signal
import sys
import time

from primes import blocks, count_block

try:
    from dask.distributed import Client, LocalCluster, as_completed, wait
except ImportError:
    LocalCluster = None


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--tasks", type=int, default=8)
    p.add_argument("--limit", type=int, default=600_000)
    p.add_argument("--deadline", type=float, default=60.0)
    a = p.parse_args()
    if LocalCluster is None:
        print('dask is not installed: skipped; to run it, pip install "dask[distributed]"')
        return
    work = blocks(a.limit, a.tasks)
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                      dashboard_address=None, silence_logs=logging.CRITICAL) as cluster, \
            Client(cluster) as client:
        pids = client.run(os.getpid)
        print("pids " + " ".join(map(str, sorted(pids.values()))), flush=True)
        t = time.perf_counter()
        # ANCHOR: kill
        futures = client.map(count_block, work, pure=False)
        first = next(as_completed(futures))          # one result is in
        busy = [w for w, keys in client.processing().items() if keys]
        victim = busy[0] if busy else next(iter(pids))
        os.kill(pids[victim], signal.SIGKILL)        # no goodbye, no clean-up
        killed_at = time.perf_counter() - t
        done, not_done = wait(futures, timeout=a.deadline)
        # ANCHOR_END: kill
        total_s = time.perf_counter() - t
        answer = sum(f.result() for f in done) if not not_done else None
        # A task that was running on a worker when it died is "suspicious":
        # the scheduler re-runs it elsewhere (up to 3 times by default).
        rerun = client.run_on_scheduler(lambda dask_scheduler: sum(
            1 for ts in dask_scheduler.tasks.values() if ts.suspicious > 0))
        workers_now = len(client.scheduler_info()["workers"])
        del first
        print("kill " + json.dumps({
            "tasks": a.tasks, "killed_pid": pids[victim],
            "killed_after_ms": killed_at * 1e3, "total_ms": total_s * 1e3,
            "finished": not not_done, "unfinished": len(not_done),
            "answer": answer, "rerun_tasks": rerun, "workers_after": workers_now,
        }), flush=True)
        all_pids = set(pids.values()) | set(client.run(os.getpid).values())
    print("closed " + " ".join(map(str, sorted(all_pids))), flush=True)


if __name__ == "__main__":
    main()
