"""Lesson 02: `counter += 1` from 10 threads x 1000, then with a thread switch
point between the read and the write, then under a lock.
Run it: `python3 counter.py` (under a second)."""


# ANCHOR: racy
import threading

counter = 0

def work():
    global counter
    for _ in range(1_000):
        counter += 1  # LOAD_GLOBAL, LOAD_CONST, BINARY_OP (+=), STORE_GLOBAL

threads = [threading.Thread(target=work) for _ in range(10)]
for t in threads:
    t.start()
for t in threads:
    t.join()
print(counter)  # 10000? Nothing promises it.
# ANCHOR_END: racy


def run(work):
    """Resets the counter, runs `work` on 10 threads, returns the count."""
    global counter
    counter = 0
    threads = [threading.Thread(target=work) for _ in range(10)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return counter


# ANCHOR: switch
import time

def work():
    global counter
    for _ in range(1_000):
        seen = counter      # read
        time.sleep(0)       # a call: the interpreter may switch threads here
        counter = seen + 1  # write
# ANCHOR_END: switch

got = run(work)
print(f"with a switch point: {got} of 10000, {10_000 - got} increments lost "
      f"({(10_000 - got) / 10_000:.0%})")

# ANCHOR: locked
lock = threading.Lock()

def work():
    global counter
    for _ in range(1_000):
        with lock:
            counter += 1
# ANCHOR_END: locked

got = run(work)
print(f"under a lock: {got} of 10000")
assert got == 10_000, got
