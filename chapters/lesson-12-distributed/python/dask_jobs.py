"""Lesson 12's two jobs in Python: the prime count and a word count, on a
ProcessPoolExecutor (one machine) and on dask.distributed with a
LocalCluster of worker processes (the same code runs on a real cluster).

    python3 dask_jobs.py [--job primes|words] [--workers N]
                         [--limit L --tasks T1,T2,...] [--dir DIR]
                         [--engines pool,dask]

Prints one `row {json}` line per engine and task count: start-up and job
milliseconds, the answer, and the bytes that were pickled to cross between
processes. With no arguments it runs both jobs small, on every engine this
Python has.
"""

import argparse
import json
import logging
import os
import pickle
import sys
import tempfile
import time
from collections import Counter
from concurrent.futures import ProcessPoolExecutor

from primes import blocks, count_block

try:
    from dask.distributed import Client, LocalCluster
except ImportError:
    Client = LocalCluster = None

MISSING = 'dask is not installed: skipped; to run it, pip install "dask[distributed]"'


def count_file(path):
    """The map step of the word count: one file's words, counted."""
    with open(path) as f:
        return Counter(f.read().split())


def merge(*counters):
    """The reduce step: every file's counts added up."""
    total = Counter()
    for c in counters:
        total.update(c)
    return total


def summary(counts):
    top = sorted(counts.items(), key=lambda wc: (-wc[1], wc[0]))[:5]
    return {"total": sum(counts.values()), "distinct": len(counts), "top": top}


# ANCHOR: pool
def primes_pool(tasks, workers):
    with ProcessPoolExecutor(workers) as pool:
        return sum(pool.map(count_block, tasks))


def words_pool(paths, workers):
    with ProcessPoolExecutor(workers) as pool:
        return merge(*pool.map(count_file, paths))
# ANCHOR_END: pool


# ANCHOR: dask
def start_cluster(workers):
    # Worker PROCESSES (each behind a "nanny" process that restarts it if it
    # dies), one thread each, and a scheduler, all on this machine.
    cluster = LocalCluster(n_workers=workers, threads_per_worker=1,
                           processes=True, dashboard_address=None,
                           silence_logs=logging.ERROR)
    return cluster, Client(cluster)


def primes_dask(client, tasks):
    futures = client.map(count_block, tasks, pure=False)  # one task per block
    total = client.submit(sum, futures, pure=False)       # the reduce, on a worker
    return total.result()


def words_dask(client, paths):
    counts = client.map(count_file, paths, pure=False)
    return client.submit(merge, *counts, pure=False).result()
# ANCHOR_END: dask


def pickled(obj):
    return len(pickle.dumps(obj))


def transfer_bytes(client):
    """What dask's workers report they sent to each other (results moving
    to the worker that reduces them)."""
    sent = client.run(lambda dask_worker: dask_worker.transfer_outgoing_bytes_total)
    return sum(sent.values())


def row(**fields):
    print("row " + json.dumps(fields), flush=True)


def run_pool(jobs, workers, tasks_list, limit, paths):
    for job, tasks in [(j, t) for j in jobs for t in tasks_list]:
        t = time.perf_counter()
        if job == "primes":
            answer = primes_pool(blocks(limit, tasks), workers)
        else:
            answer = summary(words_pool(paths, workers))
        ms = (time.perf_counter() - t) * 1e3
        row(engine="ProcessPoolExecutor", job=job, workers=workers,
            tasks=tasks if job == "primes" else len(paths),
            start_ms=None, job_ms=ms, answer=answer, bytes=None)


def run_dask(jobs, workers, tasks_list, limit, paths):
    t = time.perf_counter()
    cluster, client = start_cluster(workers)
    with cluster, client:
        start_ms = (time.perf_counter() - t) * 1e3
        pids = sorted(client.run(os.getpid).values())
        print("pids " + " ".join(map(str, pids)), flush=True)
        for job, tasks in [(j, t) for j in jobs for t in tasks_list]:
            before = transfer_bytes(client)
            t = time.perf_counter()
            if job == "primes":
                work = blocks(limit, tasks)
                answer = primes_dask(client, work)
                payload = sum(pickled(b) for b in work) + pickled(answer)
            else:
                counts = words_dask(client, paths)
                answer = summary(counts)
                payload = sum(pickled(p) for p in paths) + pickled(counts)
            ms = (time.perf_counter() - t) * 1e3
            moved = transfer_bytes(client) - before
            row(engine="dask", job=job, workers=workers,
                tasks=tasks if job == "primes" else len(paths),
                start_ms=start_ms, job_ms=ms, answer=answer,
                bytes=payload + moved)
            start_ms = 0.0  # the cluster is started once
    # Here the cluster is closed: its processes have exited.
    print("closed " + " ".join(map(str, pids)), flush=True)


def generate(folder, files, words):
    """A few small files like the Rust side's (not the same words)."""
    paths = []
    for f in range(files):
        path = os.path.join(folder, f"part-{f:04d}.txt")
        with open(path, "w") as out:
            out.write(" ".join(f"w{(i * 7 + f) % 97}" for i in range(words)))
        paths.append(path)
    return paths


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--job", choices=["primes", "words"])
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--limit", type=int, default=200_000)
    p.add_argument("--tasks", default="8")
    p.add_argument("--dir")
    p.add_argument("--engines", default="pool,dask")
    a = p.parse_args()
    engines = a.engines.split(",")
    if "dask" in engines and LocalCluster is None:
        print(MISSING)
        engines.remove("dask")
    tasks_list = [int(t) for t in a.tasks.split(",")]
    jobs = [a.job] if a.job else ["primes", "words"]
    with tempfile.TemporaryDirectory() as scratch:
        paths = []
        if "words" in jobs:
            folder = a.dir or scratch
            if not a.dir:
                generate(folder, 8, 2_000)
            paths = sorted(os.path.join(folder, f) for f in os.listdir(folder)
                           if f.endswith(".txt"))
        for engine in engines:
            run = run_pool if engine == "pool" else run_dask
            run(jobs, a.workers, tasks_list, a.limit, paths)


if __name__ == "__main__":
    main()
