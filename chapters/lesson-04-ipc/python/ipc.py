"""Lesson 04's measurements in Python: a producer process putting (0, seq)
tuples on a multiprocessing.Queue (and through a Pipe), timed from the first
message the parent gets to the last, and the cost of starting a Process or
a Thread. Beside the idiomatic ways, the fastest reasonable Python for each
of the Rust rows: a Pipe carrying lists (like ipc-channel's batches), and a
byte pipe behind a BufferedWriter with struct-packed frames (like Rust's
byte pipe behind a BufWriter).

    python3 ipc.py [MESSAGES STARTS BATCH]

With no arguments it runs small counts.
"""

# ANCHOR: script
import multiprocessing as mp, os, struct, sys, threading, time

def put_all(q, n):
    for seq in range(n):
        q.put((0, seq))

def put_batches(q, n, b):
    for start in range(0, n, b):
        q.put([(0, seq) for seq in range(start, min(n, start + b))])

def send_all(conn, n):
    for seq in range(n):
        conn.send((0, seq))
    conn.close()

def send_batches(conn, n, b):
    for start in range(0, n, b):
        conn.send([(0, seq) for seq in range(start, min(n, start + b))])
    conn.close()

FRAME = struct.Struct("<IQ")   # producer, sequence number: 12 bytes, as in Rust

def write_frames(conn, n):
    # One write per message, into an 8 KiB buffer: one system call per
    # about 680 messages, as Rust's BufWriter does.
    with open(os.dup(conn.fileno()), "wb", buffering=8192) as out:
        for seq in range(n):
            out.write(FRAME.pack(0, seq))
    conn.close()

def nothing():
    pass

def rate(get, n):
    first = None
    for _ in range(n):
        get()
        if first is None:
            first = time.perf_counter()
    return (n - 1) / (time.perf_counter() - first)

def best_of(rounds, measure):
    return max(measure() for _ in range(rounds))

def queue_rate(n):
    q = mp.Queue()
    p = mp.Process(target=put_all, args=(q, n))
    p.start()
    r = rate(q.get, n)
    p.join()
    return r

def queue_batched_rate(n, batch):
    q = mp.Queue()
    p = mp.Process(target=put_batches, args=(q, n, batch))
    p.start()
    r = rate(q.get, (n + batch - 1) // batch) * batch
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

def pipe_batched_rate(n, batch):
    receiver, sender = mp.Pipe(duplex=False)
    p = mp.Process(target=send_batches, args=(sender, n, batch))
    p.start()
    sender.close()
    r = rate(receiver.recv, (n + batch - 1) // batch) * batch
    p.join()
    return r

def byte_pipe_rate(n):
    receiver, sender = mp.Pipe(duplex=False)
    p = mp.Process(target=write_frames, args=(sender, n))
    p.start()
    sender.close()
    with open(os.dup(receiver.fileno()), "rb", buffering=8192) as inp:
        expected = 0
        def get():
            nonlocal expected
            _, seq = FRAME.unpack(inp.read(FRAME.size))
            assert seq == expected, f"message {seq} arrived as number {expected}"
            expected += 1
        r = rate(get, n)
    receiver.close()
    p.join()
    return r

def us_each(start, count, rounds=3):
    best = None
    for _ in range(rounds):
        t = time.perf_counter()
        for _ in range(count):
            unit = start()
            unit.start()
            unit.join()
        took = time.perf_counter() - t
        best = took if best is None else min(best, took)
    return best / count * 1e6

if __name__ == "__main__":
    n, starts, batch = map(int, sys.argv[1:4]) if len(sys.argv) > 1 else (20_000, 5, 64)
    print("version", sys.version.split()[0])
    print("start_method", mp.get_start_method())
    print("queue", best_of(3, lambda: queue_rate(n)))
    print("queue_batched", best_of(3, lambda: queue_batched_rate(n, batch)))
    print("pipe", best_of(3, lambda: pipe_rate(n)))
    print("pipe_batched", best_of(3, lambda: pipe_batched_rate(n, batch)))
    print("byte_pipe", best_of(3, lambda: byte_pipe_rate(n)))
    print("start_thread", us_each(lambda: threading.Thread(target=nothing), starts))
    for method in mp.get_all_start_methods():
        ctx = mp.get_context(method)
        print("start_" + method, us_each(lambda: ctx.Process(target=nothing), starts))
# ANCHOR_END: script
