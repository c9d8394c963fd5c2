"""Lesson 06: multiprocessing.Lock shared by processes: exact under the
lock; and a holder killed while holding it leaves it taken for good.
Run it: `python3 lock.py [PROCESSES INCREMENTS]` (a few seconds).
Prints `key value` lines, read by `cargo run -p lesson-06-shared-memory -- lock`."""

import os
import signal
import sys
import time
from multiprocessing import Event


# ANCHOR: lock
from multiprocessing import Lock, Process, Value

def add(lock, count, n):
    for _ in range(n):
        with lock:                  # one semaphore, shared by every process
            count.value += 1        # a raw Value: the Lock is what guards it

def main_lock():
    lock = Lock()
    count = Value("Q", 0, lock=False)
    ps = [Process(target=add, args=(lock, count, 20_000)) for _ in range(4)]
    for p in ps: p.start()
    for p in ps: p.join()
    print(count.value)              # exactly 80000
# ANCHOR_END: lock


def add_timed(lock, count, n, go):
    go.wait()
    add(lock, count, n)


# ANCHOR: dead_holder
def hold(lock, holding):
    lock.acquire()
    holding.set()
    time.sleep(60)                  # killed before it releases

def dead_holder():
    lock, holding = Lock(), Event()
    p = Process(target=hold, args=(lock, holding))
    p.start()
    holding.wait()
    os.kill(p.pid, signal.SIGKILL)
    p.join()
    t = time.perf_counter()
    got = lock.acquire(timeout=1.0)     # False: nobody will ever release it
    return got, time.perf_counter() - t
# ANCHOR_END: dead_holder


def measure(processes, increments):
    print("version", sys.version.split()[0])
    lock = Lock()
    count = Value("Q", 0, lock=False)
    go = Event()
    ps = [Process(target=add_timed, args=(lock, count, increments, go))
          for _ in range(processes)]
    for p in ps:
        p.start()
    time.sleep(0.2)  # every child is waiting on `go`
    t = time.perf_counter()
    go.set()
    for p in ps:
        p.join()
    print("lock_secs", time.perf_counter() - t)
    print("lock_counted", count.value)
    got, waited = dead_holder()
    print("dead_holder_acquired", got)
    print("dead_holder_waited_ms", waited * 1e3)


if __name__ == "__main__":
    args = [int(a) for a in sys.argv[1:3]]
    processes, increments = args + [4, 20_000][len(args):]
    if not args:
        main_lock()  # the listing above, as shown
    measure(processes, increments)
