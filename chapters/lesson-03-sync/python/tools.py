"""Lesson 03: Python's synchronisation tools, each used once by real threads.
Run it: `python3 tools.py` (about a second)."""

import threading
import time

balance, amount = 100, 30
items = []
inside, most_inside = 0, 0
count_lock = threading.Lock()


def download(url):
    """Stands for a download: counts how many threads are in here at once."""
    global inside, most_inside
    with count_lock:
        inside += 1
        most_inside = max(most_inside, inside)
    time.sleep(0.02)
    with count_lock:
        inside -= 1


merged = []


def merge():
    merged.append(len(merged) + 1)


def partner():
    """Three more threads for the snippet's Barrier(4), once it exists."""
    while "barrier" not in globals():
        time.sleep(0.001)
    globals()["barrier"].wait()


def setter():
    """Sets the snippet's Event from another thread, once it exists."""
    while "ready" not in globals():
        time.sleep(0.001)
    time.sleep(0.05)
    globals()["ready"].set()


for _ in range(3):
    threading.Thread(target=partner, daemon=True).start()
threading.Thread(target=setter, daemon=True).start()
items.append("first job")  # so that wait_for() below finds one
url = "http://example.invalid/a"

# ANCHOR: tools
import threading, queue

lock = threading.Lock()
with lock:                          # acquire ... release, even on an exception
    balance -= amount

gate = threading.Semaphore(3)
with gate:                          # at most 3 threads in here at once
    download(url)

cond = threading.Condition()        # a lock (an RLock by default) + a waiting room
with cond:
    cond.wait_for(lambda: len(items) > 0)   # re-checks after every wake-up
    item = items.pop(0)

ready = threading.Event()
ready.wait(timeout=1.0)             # True if set, False on timeout; ready.set() elsewhere

barrier = threading.Barrier(4, action=merge)    # merge() runs once per round
barrier.wait()

jobs = queue.Queue(maxsize=8)       # put() blocks while 8 items wait
# ANCHOR_END: tools
print(f"the snippet ran: balance {balance}, took {item!r}, merge() ran {len(merged)} time(s)")
merged.clear()

# Each tool again, with threads that show what its comment says.
print("Lock:", end=" ")
lock = threading.Lock()
with lock:
    balance -= amount
print(f"balance {balance}, lock free again: {not lock.locked()}")

gate = threading.Semaphore(3)
def gated(url):
    with gate:
        download(url)
ts = [threading.Thread(target=gated, args=(f"u{i}",)) for i in range(10)]
for t in ts: t.start()
for t in ts: t.join()
print(f"Semaphore(3): 10 downloads, at most {most_inside} at once")
assert most_inside <= 3

cond = threading.Condition()
got = []
def consumer():
    with cond:
        cond.wait_for(lambda: len(items) > 0)
        got.append(items.pop(0))
c = threading.Thread(target=consumer)
c.start()
time.sleep(0.05)
with cond:
    items.append("job")
    cond.notify()
c.join()
print(f"Condition: the consumer waited, then took {got[0]!r}")

ready = threading.Event()
t = time.perf_counter()
print(f"Event: wait(timeout=0.1) before set() -> {ready.wait(timeout=0.1)} "
      f"after {time.perf_counter() - t:.2f} s;", end=" ")
threading.Timer(0.05, ready.set).start()
print(f"with set() from another thread -> {ready.wait(timeout=1.0)}")

barrier = threading.Barrier(4, action=merge)
def rounds():
    for _ in range(3):
        barrier.wait()
ts = [threading.Thread(target=rounds) for _ in range(4)]
for t in ts: t.start()
for t in ts: t.join()
print(f"Barrier(4): 4 threads, 3 rounds, merge() ran {len(merged)} times")
assert len(merged) == 3

import queue
jobs = queue.Queue(maxsize=8)
for i in range(8):
    jobs.put(i)
try:
    jobs.put(8, timeout=0.1)
    print("Queue(maxsize=8): a 9th put went in?!")
except queue.Full:
    print("Queue(maxsize=8): the 9th put() waited 0.1 s and gave up (queue.Full)")


# ANCHOR: rlock
class Cart:
    def __init__(self):
        self.lock = threading.RLock()
        self.items = {}

    def add(self, name, qty):
        with self.lock:
            self.items[name] = self.items.get(name, 0) + qty

    def add_all(self, order):
        with self.lock:             # keep the whole order atomic...
            for name, qty in order:
                self.add(name, qty) # ...and lock again inside add: fine for an RLock
# ANCHOR_END: rlock

cart = Cart()
cart.add_all([("apple", 2), ("pear", 1), ("apple", 1)])
print(f"RLock: add_all took the lock twice over and finished: {cart.items}")
# With a plain Lock, add() inside add_all() would wait for itself for ever.
cart.lock = threading.Lock()
stuck = threading.Thread(target=cart.add_all, args=([("plum", 1)],), daemon=True)
stuck.start()
stuck.join(timeout=0.5)
print(f"the same Cart with a plain Lock: still waiting for itself after 0.5 s: {stuck.is_alive()}")


class Account:
    def __init__(self, name, balance):
        self.name, self.balance, self.lock = name, balance, threading.Lock()


def finished(*threads):
    """True if every thread ends within a second."""
    for t in threads:
        t.join(timeout=1.0)
    return not any(t.is_alive() for t in threads)


a, b = Account("A", 100), Account("B", 100)

# ANCHOR: deadlock
def transfer(src, dst, amount):
    with src.lock:                  # thread 1 takes A, thread 2 takes B...
        with dst.lock:              # ...then each waits for the other's lock, for ever
            src.balance -= amount
            dst.balance += amount

t1 = threading.Thread(target=transfer, args=(a, b, 10), daemon=True)
t2 = threading.Thread(target=transfer, args=(b, a, 10), daemon=True)
t1.start(); t2.start()
# ANCHOR_END: deadlock

print(f"transfers, usual schedule: finished = {finished(t1, t2)}")


class PausingLock:
    """A Lock that pauses 50 ms after it is taken: the unlucky schedule, in
    which the other thread runs right after the first lock is taken."""

    def __init__(self):
        self.inner = threading.Lock()

    def __enter__(self):
        self.inner.acquire()
        time.sleep(0.05)

    def __exit__(self, *exc):
        self.inner.release()


a, b = Account("A", 100), Account("B", 100)
a.lock, b.lock = PausingLock(), PausingLock()
t1 = threading.Thread(target=transfer, args=(a, b, 10), daemon=True)
t2 = threading.Thread(target=transfer, args=(b, a, 10), daemon=True)
t1.start(); t2.start()
done = finished(t1, t2)
print(f"transfers, a pause after the first lock: finished = {done}"
      + ("" if done else " (both still waiting after 1 s: deadlock)"))
assert not done
