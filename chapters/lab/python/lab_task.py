"""One task of the laboratory, exactly as the Rust side's `task.rs` defines
it: wait IO seconds (the GIL is released), then count the primes among
NUMBERS numbers (the GIL is held).

A module of its own, so that worker processes and worker interpreters
(InterpreterPoolExecutor) can import it by name; `setup` is their initializer.
"""

from primes import is_prime

NUMBERS, IO = 0, 0.0


def setup(numbers, io):
    global NUMBERS, IO
    NUMBERS, IO = numbers, io


def compute(i):
    start = 1_000_000 + (i * 7_919) % 1_000_000
    return sum(1 for n in range(start, start + NUMBERS) if is_prime(n))


def task(i):
    import time

    if IO:
        time.sleep(IO)  # releases the GIL while it waits
    return compute(i)  # holds the GIL while it computes (on a default build)
