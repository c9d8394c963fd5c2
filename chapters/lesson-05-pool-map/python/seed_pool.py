"""Lesson 05: Pool.map, imap and imap_unordered on a prime count, and the
order each gives its results in. Run it: `python3 seed_pool.py` (a few seconds)."""



def tagged_count(item):
    """count_primes for an (index, block) pair, keeping the index."""
    i, block = item
    return i, count_primes(block)

# ANCHOR: pool
from multiprocessing import Pool

def process_data(data):                   # the seed's example
    return sum(i * i for i in data)

def is_prime(n):                          # trial division, as in the Rust code
    return n == 2 or (n > 2 and n % 2 == 1 and all(n % d for d in range(3, int(n ** 0.5) + 1, 2)))

def count_primes(block):
    start, end = block
    return sum(1 for n in range(start, end) if is_prime(n))

if __name__ == "__main__":                # workers import this file again
    blocks = [(200_000 * i // 200, 200_000 * (i + 1) // 200) for i in range(200)]
    with Pool(4) as pool:
        print(sum(pool.map(process_data, [[1, 2, 3]] * 10)))      # 140
        total = sum(pool.map(count_primes, blocks, chunksize=2))  # input order, at the end
        for n in pool.imap(count_primes, blocks):                 # input order, one by one
            pass
        for n in pool.imap_unordered(count_primes, blocks):       # completion order
            pass
# ANCHOR_END: pool

        print(f"primes below 200,000: {total}")
        serial = [count_primes(b) for b in blocks]
        assert pool.map(count_primes, blocks) == serial
        assert list(pool.imap(count_primes, blocks)) == serial
        # Which block each result came from: tag the blocks with their index.
        # The last blocks hold the largest numbers, so give them out first.
        tagged = list(enumerate(blocks))[::-1]
        arrived = [i for i, _ in pool.imap_unordered(tagged_count, tagged)]
        in_input_order = arrived == [i for i, _ in tagged]
        print(f"imap_unordered: all {len(arrived)} results, "
              f"in input order: {in_input_order}; the first ten came from blocks {arrived[:10]}")
        assert sorted(arrived) == list(range(200))
