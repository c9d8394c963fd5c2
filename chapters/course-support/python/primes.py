"""The course's CPU-bound task in Python: count the primes in a range by
trial division, exactly as `course_support::primes` does in Rust.

A module of its own, so that worker processes (spawn, forkserver) and worker
interpreters (InterpreterPoolExecutor) can import the task by name.
"""


# ANCHOR: is_prime
def is_prime(n):
    if n < 2:
        return False
    if n % 2 == 0:
        return n == 2
    d = 3
    while d * d <= n:
        if n % d == 0:
            return False
        d += 2
    return True
# ANCHOR_END: is_prime


def count_block(block):
    """The primes in `[start, end)`: one task of the prime count."""
    start, end = block
    return sum(1 for n in range(start, end) if is_prime(n))


def blocks(limit, count):
    """`[0, limit)` cut into `count` blocks, as the Rust side cuts it."""
    return [(limit * i // count, limit * (i + 1) // count) for i in range(count)]


if __name__ == "__main__":
    # The primes below 100,000: 9,592.
    assert sum(map(count_block, blocks(100_000, 7))) == 9_592
    print("primes below 100000:", sum(map(count_block, blocks(100_000, 7))))
