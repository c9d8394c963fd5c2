"""Lesson 04: four producer processes, one Queue; the parent counts what
arrives, joins them, then shows terminate()'s exit code.
Run it: `python3 producers.py` (about a second)."""

import time
from multiprocessing import Process


def nap():
    time.sleep(30)


# ANCHOR: producers
from multiprocessing import Process, Queue

def produce(q, ident, n):
    for seq in range(n):
        q.put((ident, seq))

if __name__ == "__main__":
    q = Queue()
    ps = [Process(target=produce, args=(q, i, 5_000)) for i in range(4)]
    for p in ps:
        p.start()
    got = [q.get() for _ in range(4 * 5_000)]   # must know the count in advance
    for p in ps:
        p.join()
        print(p.pid, p.exitcode)                 # exitcode -15 after terminate()
# ANCHOR_END: producers

    assert len(got) == 20_000 and len(set(got)) == 20_000
    in_order = all(
        [seq for ident, seq in got if ident == i] == list(range(5_000)) for i in range(4)
    )
    print(f"got {len(got)} messages; each producer's arrived in its own order: {in_order}")
    sleeper = Process(target=nap)
    sleeper.start()
    sleeper.terminate()
    sleeper.join()
    print(f"a process stopped with terminate(): exitcode {sleeper.exitcode}")
