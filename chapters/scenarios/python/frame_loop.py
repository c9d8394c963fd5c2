"""Scenario 3: a loop that must draw a frame every 16 ms (a GUI, a game)
while a long computation runs on its own thread, on another thread (which
needs the GIL too), or in another process. `python3 frame_loop.py --json
FRAMES FRAME_MS WORK_MS` prints one JSON line per placement; with no
arguments it runs a short version and prints a line each."""

import json
import multiprocessing
import sys
import threading
import time

from work import count_primes


def calibrate(ms):
    n = 2000
    while True:
        start = time.perf_counter()
        count_primes(n)
        took = (time.perf_counter() - start) * 1000
        if took > max(20, ms / 4):  # a short extrapolation
            return int(n * (ms / took) ** (1 / 1.5))
        n *= 2


# ANCHOR: loop
def frame_loop(frames, frame_s, start_work):
    start = time.perf_counter()
    missed, worst_late, answer_ms, poll, started = 0, 0.0, None, None, None
    k = 0
    while k < frames:
        due = start + (k + 1) * frame_s
        if k == 3 and poll is None:
            started = time.perf_counter()
            poll = start_work()  # on the loop's own thread: returns when done
        if poll is not None and answer_ms is None and poll():
            answer_ms = (time.perf_counter() - started) * 1000
        drawn = time.perf_counter()
        if drawn > due:
            missed += 1
            worst_late = max(worst_late, (drawn - due) * 1000)
            skip = min(int((drawn - due) / frame_s), frames - k - 1)
            missed += skip
            k += skip
        else:
            time.sleep(due - drawn)
        k += 1
    return {"frames": frames, "missed": missed, "worst_late_ms": worst_late, "answer_ms": answer_ms}
# ANCHOR_END: loop


# ANCHOR: placements
def same_thread(n):
    count_primes(n)
    return lambda: True


def other_thread(n):
    t = threading.Thread(target=count_primes, args=(n,))
    t.start()
    return lambda: not t.is_alive()


def other_process(n):
    p = multiprocessing.Process(target=count_primes, args=(n,))
    p.start()
    return lambda: not p.is_alive()
# ANCHOR_END: placements


def main(frames, frame_ms, work_ms, as_json):
    n = calibrate(work_ms)
    for name, place in [("on the loop's own thread", same_thread),
                        ("on another thread (GIL)", other_thread),
                        ("in a child process", other_process)]:
        r = frame_loop(frames, frame_ms / 1000, lambda: place(n))
        if as_json:
            print(json.dumps({"placement": name, "report": r}))
        else:
            print("%-26s missed %d of %d frames" % (name, r["missed"], r["frames"]))


if __name__ == "__main__":
    if len(sys.argv) == 5 and sys.argv[1] == "--json":
        main(int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), True)
    else:
        main(30, 16, 150, False)
