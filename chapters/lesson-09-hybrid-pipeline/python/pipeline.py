"""Lesson 09: the hybrid pipeline in Python: aiohttp fetches, a bounded
asyncio.Queue, a process pool for the CPU stage. Runs against a local server.
Needs aiohttp (skipped without it). Run it: `python3 pipeline.py` (a second or two)."""

import importlib.util
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


async def lost_updates():
    """`total += await f()` reads `total` before the await: what another
    coroutine adds meanwhile is lost. Four coroutines add 1 ten times each."""
    total = 0

    async def one():
        await asyncio.sleep(0.001)
        return 1

    async def adder():
        nonlocal total
        for _ in range(10):
            total += await one()

    await asyncio.gather(*(adder() for _ in range(4)))
    return total


import asyncio

if __name__ == "__main__":
    print(f"`total += await one()` from 4 coroutines x 10: {asyncio.run(lost_updates())} (not 40)")

if importlib.util.find_spec("aiohttp") is None:
    print("aiohttp is not installed: skipped (pip install aiohttp to run it)")
    sys.exit(0)

# ANCHOR: pipeline
import asyncio, os
from concurrent.futures import ProcessPoolExecutor
import aiohttp

def crunch(body: bytes) -> int:                        # CPU-bound; runs in a worker process
    return sum(body[i] * i for i in range(len(body))) % 1_000_003

async def pipeline(urls, concurrency=8, capacity=8, workers=os.cpu_count()):
    queue = asyncio.Queue(maxsize=capacity)            # put() waits while it is full
    limit = asyncio.Semaphore(concurrency)
    loop, total = asyncio.get_running_loop(), 0

    async def fetch(session, url):
        async with limit:                              # the slot is held until put() returns
            async with session.get(url) as resp:
                resp.raise_for_status()
                await queue.put(await resp.read())

    async def cpu_stage(pool):
        nonlocal total
        while (body := await queue.get()) is not None:
            n = await loop.run_in_executor(pool, crunch, body)  # pickled to a process
            total += n                                 # not `total += await ...`: see below

    with ProcessPoolExecutor(workers) as pool:
        consumers = [asyncio.create_task(cpu_stage(pool)) for _ in range(workers)]
        async with aiohttp.ClientSession() as session:
            async with asyncio.TaskGroup() as tg:      # the first error cancels the others
                for url in urls:
                    tg.create_task(fetch(session, url))
        for _ in consumers:
            await queue.put(None)                      # one "no more" per consumer
        await asyncio.gather(*consumers)
    return total
# ANCHOR_END: pipeline


def body_of(path):
    n = int(path.rsplit("/", 1)[-1])
    return bytes((n * 31 + i) % 256 for i in range(20_000))


class Handler(BaseHTTPRequestHandler):
    """/item/N answers after 10 ms with 20,000 bytes that depend on N."""

    def do_GET(self):
        time.sleep(0.01)
        body = body_of(self.path)
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


if __name__ == "__main__":
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    paths = [f"/item/{i}" for i in range(32)]
    started = time.perf_counter()
    total = asyncio.run(pipeline([base + p for p in paths]))
    secs = time.perf_counter() - started
    expected = sum(crunch(body_of(p)) for p in paths)
    print(f"pipeline: {len(paths)} bodies fetched and crunched in {secs:.2f} s, "
          f"total {total} (one process, no pipeline: {expected})")
    assert total == expected
    server.shutdown()
