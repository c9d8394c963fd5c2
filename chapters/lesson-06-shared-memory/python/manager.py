"""Lesson 06: multiprocessing.Manager. Every proxy call is a round trip to
the manager's process; `d[k] += 1` from several processes loses updates,
an operation done inside the server does not; a dead manager makes the
next call raise.
Run it: `python3 manager.py [PROCESSES INCREMENTS CALLS]` (a few seconds).
Prints `key value` lines, read by `cargo run -p lesson-06-shared-memory -- manager`."""

import os
import signal
import sys
import threading
import time
from multiprocessing import Event


# ANCHOR: manager
from multiprocessing import Manager, Process

def add(d, n):
    for _ in range(n):
        d["hits"] += 1              # d.__getitem__, then d.__setitem__: two round trips

def main_racy():
    with Manager() as m:            # starts the server process
        d = m.dict(hits=0)          # a proxy: the dict lives in the server
        ps = [Process(target=add, args=(d, 1_000)) for _ in range(4)]
        for p in ps: p.start()
        for p in ps: p.join()
        print(d["hits"])            # usually below 4000
# ANCHOR_END: manager


# ANCHOR: server_op
from multiprocessing.managers import BaseManager

class Hits:
    """Lives in the server; proxies call its methods remotely."""
    def __init__(self):
        self._n = 0
        self._lock = threading.Lock()   # the server runs a thread per connection
    def incr(self, k=1):
        with self._lock:                # read and write inside the server: one call
            self._n += k
            return self._n
    def get(self):
        return self._n

class HitsManager(BaseManager):
    pass

HitsManager.register("Hits", Hits)
# ANCHOR_END: server_op


def add_racy(d, n, go):
    go.wait()
    for _ in range(n):
        d["hits"] += 1


def add_server(hits, n, go):
    go.wait()
    for _ in range(n):
        hits.incr(1)


def timed(target, args, processes):
    """Starts the processes, releases them together, returns seconds to join."""
    go = Event()
    ps = [Process(target=target, args=args + (go,)) for _ in range(processes)]
    for p in ps:
        p.start()
    time.sleep(0.2)  # every child is waiting on `go`
    t = time.perf_counter()
    go.set()
    for p in ps:
        p.join()
    return time.perf_counter() - t


def measure(processes, increments, calls):
    print("version", sys.version.split()[0])
    with Manager() as m:
        d = m.dict(hits=0)
        t = time.perf_counter()
        for _ in range(calls):
            d["hits"]
        print("round_trip_us", (time.perf_counter() - t) / calls * 1e6)
        secs = timed(add_racy, (d, increments), processes)
        print("racy_counted", d["hits"])
        print("racy_secs", secs)
    with HitsManager() as hm:
        hits = hm.Hits()
        secs = timed(add_server, (hits, increments), processes)
        print("server_counted", hits.get())
        print("server_secs", secs)
    # The manager killed: what does the next call do?
    m = Manager()
    d = m.dict(hits=0)
    os.kill(m._process.pid, signal.SIGKILL)
    m._process.join()
    t = time.perf_counter()
    try:
        d["hits"]
        print("death_error none")
    except Exception as e:  # what the proxy raises
        print("death_error", type(e).__name__)
    print("death_ms", (time.perf_counter() - t) * 1e3)


if __name__ == "__main__":
    args = [int(a) for a in sys.argv[1:4]]
    processes, increments, calls = args + [4, 1_000, 2_000][len(args):]
    if not args:
        main_racy()  # the listing above, as shown
    measure(processes, increments, calls)
