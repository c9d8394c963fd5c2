"""Graceful shutdown in asyncio: a signal handler sets an Event; stop taking
work; give running jobs (child processes) a grace period; cancel the rest,
killing and reaping their processes; report. Runs with no arguments: it
sends itself SIGINT after 0.25 s (on Windows it stops without a signal)."""

import asyncio
import os
import signal
import sys

JOBS, AT_ONCE, GRACE = 12, 3, 0.1


# ANCHOR: job
async def job(i: int, seconds: float, report: dict) -> None:
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-c", f"import time; time.sleep({seconds})",
        start_new_session=True,  # the terminal's Ctrl-C reaches us, not it
    )
    try:
        await proc.wait()
        report["finished"].append(i)
    except asyncio.CancelledError:
        proc.kill()
        await proc.wait()  # reaped: no zombie, no orphan
        report["cancelled"].append(i)
        raise
# ANCHOR_END: job


# ANCHOR: serve
async def serve() -> dict:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    if hasattr(signal, "SIGINT") and os.name == "posix":
        loop.add_signal_handler(signal.SIGINT, stop.set)
        loop.add_signal_handler(signal.SIGTERM, stop.set)
        loop.call_later(0.25, os.kill, os.getpid(), signal.SIGINT)  # the demo's Ctrl-C
    else:
        loop.call_later(0.25, stop.set)
    report = {"finished": [], "cancelled": [], "never started": []}
    running: set[asyncio.Task] = set()
    queue = list(range(JOBS))
    stopping = asyncio.ensure_future(stop.wait())
    while queue or running:
        while queue and len(running) < AT_ONCE:
            i = queue.pop(0)
            running.add(asyncio.create_task(job(i, 0.1 * (1 + i % 3), report)))
        done, running = await asyncio.wait(
            running | {stopping}, return_when=asyncio.FIRST_COMPLETED
        )
        running.discard(stopping)
        if stopping in done:
            break  # stop taking work
    report["never started"] = queue
    if running:
        _, late = await asyncio.wait(running, timeout=GRACE)  # the grace period
        for task in late:
            task.cancel()
        await asyncio.gather(*late, return_exceptions=True)
    stopping.cancel()
    return report
# ANCHOR_END: serve


if __name__ == "__main__":
    for key, ids in asyncio.run(serve()).items():
        print(f"{key}: {sorted(ids)}")
