"""Lesson 11's Python side: one message per send from a producer process to
the parent, timed from the first message the parent gets to the last,
through multiprocessing.Queue, a Pipe, and a ring in
multiprocessing.shared_memory written with struct (the same protocol as the
Rust ring: a tail the producer moves, a head the consumer moves, on lines of
their own; one int per 64-byte slot). `memoryview.cast("Q")` makes CPython read
and write each counter as one aligned 8-byte word.

    python3 ring.py [MESSAGES]

With no arguments it runs a small count. Prints `name value` lines.
"""

import multiprocessing as mp, sys, time
from multiprocessing import shared_memory

def put_all(q, n):
    for seq in range(n):
        q.put(seq)

def send_all(conn, n):
    for seq in range(n):
        conn.send(seq)
    conn.close()

def rate(get, n):
    first = None
    for expected in range(n):
        got = get()
        assert got == expected, f"message {got} arrived as number {expected}"
        if first is None:
            first = time.perf_counter()
    return (n - 1) / (time.perf_counter() - first)

def queue_rate(n):
    q = mp.Queue()
    p = mp.Process(target=put_all, args=(q, n))
    p.start()
    r = rate(q.get, n)
    p.join()
    return r

def pipe_rate(n):
    receiver, sender = mp.Pipe(duplex=False)
    p = mp.Process(target=send_all, args=(sender, n))
    p.start()
    sender.close()
    r = rate(receiver.recv, n)
    p.join()
    return r

# ANCHOR: ring
# The segment as 8-byte words: the producer's line (tail), the consumer's
# line (head), then one 64-byte slot per message (one int used).
TAIL, HEAD, SLOTS, SLOT_WORDS, CAPACITY = 0, 16, 32, 8, 1024

def ring_producer(shm, n):
    words, tail, head = shm.buf.cast("Q"), 0, 0
    for seq in range(n):
        while tail - head == CAPACITY:              # full: look again
            head = words[HEAD]
        words[SLOTS + (tail % CAPACITY) * SLOT_WORDS] = seq
        tail += 1
        # Python has no atomics and no orderings: this store comes after the
        # slot's only because CPython runs the two in order and x86 keeps
        # stores in order. On ARM it could be seen first; nothing forbids it.
        words[TAIL] = tail
    words.release()

def ring_consumer(shm, n):
    words, head, tail, first = shm.buf.cast("Q"), 0, 0, None
    while head < n:
        if head == tail:
            tail = words[TAIL]                      # empty: look again
            continue
        seq = words[SLOTS + (head % CAPACITY) * SLOT_WORDS]
        assert seq == head, f"message {seq} arrived as number {head}"
        head += 1
        words[HEAD] = head
        if first is None:
            first = time.perf_counter()
    words.release()
    return (n - 1) / (time.perf_counter() - first)
# ANCHOR_END: ring

def ring_rate(n):
    shm = shared_memory.SharedMemory(create=True, size=(SLOTS + CAPACITY * SLOT_WORDS) * 8)
    try:
        # The child gets the SharedMemory object itself. With fork it simply
        # inherits the mapping; with spawn or forkserver it is pickled by name
        # and opened again in the child.
        p = mp.Process(target=ring_producer, args=(shm, n))
        p.start()
        try:
            return ring_consumer(shm, n)
        finally:
            p.join()
    finally:
        shm.close()
        shm.unlink()

def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 20_000
    print("version", sys.version.split()[0])
    print("start_method", mp.get_start_method())
    print("queue", queue_rate(n))
    print("pipe", pipe_rate(n))
    print("shm_ring", ring_rate(n))

if __name__ == "__main__":
    main()
