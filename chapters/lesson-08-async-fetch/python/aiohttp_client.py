"""Lesson 08's client in Python: aiohttp with an asyncio.Semaphore, printing
one JSON line per round shaped like the Rust side's ClientRun.

    python3 aiohttp_client.py BASE_URL REQUESTS CONCURRENCY ROUNDS TIMEOUT_S [PROCESSES [LOOP]]

PROCESSES > 1 splits the requests and the concurrency over that many
processes, each with its own event loop (one core each, as the Rust client
uses one thread per core); LOOP is `asyncio` or `uvloop` (when installed).
Without arguments it prints how it would run and exits.
"""

# ANCHOR: python
import asyncio, json, resource, sys, time

try:
    import aiohttp
except ImportError:   # optional: `python3 -m pip install aiohttp`
    aiohttp = None


def kib(field):
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return None


def cpu():
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


async def batch(session, base, first, requests, concurrency):
    rss_before = kib("VmRSS")
    cpu_before = cpu()
    limit = asyncio.Semaphore(concurrency)
    ok = failed = 0
    first_error = None

    async def fetch(i):
        nonlocal ok, failed, first_error
        async with limit:
            try:
                async with session.get(f"{base}/item/{i}") as resp:
                    await resp.read()
                    if resp.status == 200:
                        ok += 1
                        return
                    error = f"HTTP status {resp.status}"
            except Exception as e:
                error = repr(e)
            failed += 1
            first_error = first_error or error

    start = time.perf_counter()
    await asyncio.gather(*(fetch(i) for i in range(first, first + requests)))
    elapsed = time.perf_counter() - start
    return {
        "mode": "python-aiohttp", "requests": requests, "ok": ok, "failed": failed,
        "first_error": first_error, "started": requests, "spawn_error": None,
        "elapsed_s": elapsed, "rss_before_kib": rss_before,
        "peak_rss_kib": kib("VmHWM"), "threads_in_flight": kib("Threads"),
        "cpu_s": cpu() - cpu_before,
    }


async def client(base, first, requests, concurrency, rounds, timeout_s, report, barrier):
    connector = aiohttp.TCPConnector(limit=concurrency)   # aiohttp's default is 100
    timeout = aiohttp.ClientTimeout(total=timeout_s)
    # One session for all rounds: the first opens the connections, later ones reuse them.
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:
        for _ in range(rounds):
            if barrier is not None:
                barrier.wait()   # every process starts the round together
            report(await batch(session, base, first, requests, concurrency))
# ANCHOR_END: python


def run_loop(loop, coroutine):
    if loop == "uvloop":
        import uvloop

        return uvloop.run(coroutine)
    return asyncio.run(coroutine)


def worker(args, first, requests, concurrency, queue, barrier):
    base, _, _, rounds, timeout_s, loop = args
    run_loop(loop, client(base, first, requests, concurrency, rounds, timeout_s, queue.put, barrier))


# ANCHOR: processes
def in_processes(base, requests, concurrency, rounds, timeout_s, processes, loop):
    """The same client in `processes` processes, each with its share of the
    requests and of the concurrency; a round ends when the slowest ends."""
    import multiprocessing as mp

    queue, barrier = mp.Queue(), mp.Barrier(processes)
    args = (base, requests, concurrency, rounds, timeout_s, loop)
    shares = [(requests * p // processes, requests * (p + 1) // processes) for p in range(processes)]
    workers = [
        mp.Process(target=worker, args=(args, lo, hi - lo, concurrency // processes, queue, barrier))
        for lo, hi in shares
    ]
    for w in workers:
        w.start()
    for _ in range(rounds):
        parts = [queue.get(timeout=timeout_s * 10 + 60) for _ in workers]
        merged = dict(parts[0])
        for key in ("requests", "ok", "failed", "started", "cpu_s",
                    "rss_before_kib", "peak_rss_kib", "threads_in_flight"):
            values = [p[key] for p in parts]
            merged[key] = None if None in values else sum(values)   # all processes together
        merged["elapsed_s"] = max(p["elapsed_s"] for p in parts)
        merged["first_error"] = next((p["first_error"] for p in parts if p["first_error"]), None)
        print(json.dumps(merged), flush=True)
    for w in workers:
        w.join()
# ANCHOR_END: processes


if __name__ == "__main__":
    if len(sys.argv) < 6:
        # Run by hand or by the course's Python check: say how to use it.
        print("usage: aiohttp_client.py BASE_URL REQUESTS CONCURRENCY ROUNDS TIMEOUT_S [PROCESSES [LOOP]]")
        if aiohttp is None:
            print("aiohttp is not installed: `python3 -m pip install aiohttp` to run it")
        sys.exit(0)
    if aiohttp is None:
        sys.exit("aiohttp is not installed: `python3 -m pip install aiohttp`")
    base, requests, concurrency, rounds, timeout_s = (
        sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), float(sys.argv[5]))
    processes = int(sys.argv[6]) if len(sys.argv) > 6 else 1
    loop = sys.argv[7] if len(sys.argv) > 7 else "asyncio"
    if processes == 1:
        def report(run):
            print(json.dumps(run), flush=True)

        run_loop(loop, client(base, 0, requests, concurrency, rounds, timeout_s, report, None))
    else:
        in_processes(base, requests, concurrency, rounds, timeout_s, processes, loop)
