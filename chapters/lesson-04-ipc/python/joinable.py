"""Lesson 04: a JoinableQueue counts unfinished work; join() waits for zero,
and never returns if a worker forgets task_done().
Run it: `python3 joinable.py` (about two seconds)."""

import threading
from multiprocessing import JoinableQueue, Process


def count_primes(lo, hi):
    return sum(1 for n in range(max(lo, 2), hi)
               if all(n % d for d in range(2, int(n ** 0.5) + 1)))


def forgetful(tasks):
    while True:
        lo, hi = tasks.get()
        count_primes(lo, hi)       # and no task_done()


# ANCHOR: joinable
from multiprocessing import JoinableQueue, Process

def work(tasks):
    while True:
        lo, hi = tasks.get()
        count_primes(lo, hi)
        tasks.task_done()          # forget this, or crash first, and join() never returns

if __name__ == "__main__":         # workers may import this file again
    tasks = JoinableQueue()
    for _ in range(2):
        Process(target=work, args=(tasks,), daemon=True).start()
    for lo in range(0, 200_000, 20_000):
        tasks.put((lo, lo + 20_000))
    tasks.join()
# ANCHOR_END: joinable
    print("join() returned: all 10 tasks done")

    tasks = JoinableQueue()
    for _ in range(2):
        Process(target=forgetful, args=(tasks,), daemon=True).start()
    for lo in range(0, 200_000, 20_000):
        tasks.put((lo, lo + 20_000))
    waiter = threading.Thread(target=tasks.join, daemon=True)
    waiter.start()
    waiter.join(timeout=1.5)
    print(f"workers without task_done(): join() still waiting after 1.5 s: {waiter.is_alive()}")
    assert waiter.is_alive()
