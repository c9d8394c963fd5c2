"""What the scenarios' Python servers do per request: the same two endpoints
as the Rust servers. `/io?ms=N` waits N ms, `/cpu?n=N` counts the primes
below N by trial division (the course's CPU workload)."""

from urllib.parse import parse_qs, urlsplit


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


def count_primes(n):
    return sum(1 for i in range(n) if is_prime(i))


def route(target):
    """('io', seconds) | ('cpu', n) | ('health', None) | None for a bad path."""
    parts = urlsplit(target)
    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
    if parts.path == "/io" and "ms" in query:
        return "io", int(query["ms"]) / 1000
    if parts.path == "/cpu" and "n" in query:
        return "cpu", int(query["n"])
    if parts.path == "/":
        return "health", None
    return None


if __name__ == "__main__":
    assert count_primes(100) == 25
    assert route("/io?ms=30") == ("io", 0.03)
    assert route("/cpu?n=100") == ("cpu", 100)
    print("work.py: count_primes(100) =", count_primes(100))
