"""Lesson 08: asyncio + aiohttp against a local server: a bound, a timeout
per request, retries with backoff and jitter, errors collected by gather.
Needs aiohttp (skipped without it). Run it: `python3 fetch.py` (about a second)."""

import importlib.util
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

if importlib.util.find_spec("aiohttp") is None:
    print("aiohttp is not installed: skipped (pip install aiohttp to run it)")
    sys.exit(0)

# ANCHOR: fetch
import asyncio, collections, random, time
import aiohttp

async def fetch(session, url, limit):
    async with limit:                                  # at most N at once
        async with asyncio.timeout(2):                 # per request (Python 3.11+)
            async with session.get(url) as resp:
                resp.raise_for_status()
                return len(await resp.read())

async def with_retries(session, url, limit, attempts=4, base=0.1):
    for attempt in range(1, attempts + 1):
        try:
            return await fetch(session, url, limit)
        except (aiohttp.ClientError, TimeoutError):
            if attempt == attempts:
                raise
            ceiling = base * 2 ** (attempt - 1)        # 0.1, 0.2, 0.4 s ...
            await asyncio.sleep(ceiling / 2 + random.uniform(0, ceiling / 2))

async def main(urls):
    limit = asyncio.Semaphore(20)
    async with aiohttp.ClientSession() as session:     # one session: one connection pool
        results = await asyncio.gather(
            *(with_retries(session, u, limit) for u in urls), return_exceptions=True)
    errors = collections.Counter(type(r).__name__ for r in results if isinstance(r, BaseException))
    print(len(results) - sum(errors.values()), "ok", dict(errors))
# ANCHOR_END: fetch


class Handler(BaseHTTPRequestHandler):
    """/ok/N answers after 20 ms; /flaky/N fails with 503 the first time;
    /fail/N always fails with 500. Counts the requests in flight."""

    seen, lock, in_flight, most = set(), threading.Lock(), 0, 0

    def do_GET(self):
        cls = type(self)
        with cls.lock:
            cls.in_flight += 1
            cls.most = max(cls.most, cls.in_flight)
            first = self.path not in cls.seen
            cls.seen.add(self.path)
        time.sleep(0.02)
        if self.path.startswith("/fail") or (self.path.startswith("/flaky") and first):
            status, body = (500 if self.path.startswith("/fail") else 503), b"no"
        else:
            status, body = 200, b"x" * 1000
        self.send_response(status)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
        with cls.lock:
            cls.in_flight -= 1

    def log_message(self, *args):
        pass


if __name__ == "__main__":
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    urls = ([f"{base}/ok/{i}" for i in range(40)] + [f"{base}/flaky/{i}" for i in range(8)]
            + [f"{base}/fail/{i}" for i in range(2)])
    started = time.perf_counter()
    asyncio.run(main(urls))
    print(f"{len(urls)} URLs (8 fail once, 2 always) in {time.perf_counter() - started:.2f} s; "
          f"at most {Handler.most} requests at the server at once (limit 20)")
    assert Handler.most <= 20
    server.shutdown()
