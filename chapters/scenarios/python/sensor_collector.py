"""Scenario 2, async: an asyncio collector for many slow sensors, each on its
own TCP connection sending lines `id,seq,sent_ns,value`. With `--fd 3
--sensors N` it serves the listening socket the scenarios crate passes and
prints a JSON report once all N have hung up; with no arguments it runs 50
sensors of its own for half a second."""

import asyncio
import json
import resource
import socket
import sys
import time


def report(sensors, ages):
    ages.sort()

    def pct(p):
        if not ages:
            return None
        rank = max(1, min(len(ages), -(-len(ages) * p // 100)))
        return ages[int(rank) - 1]

    usage = resource.getrusage(resource.RUSAGE_SELF)
    return {
        "sensors": sensors,
        "readings": len(ages),
        "p50_us": pct(50),
        "p99_us": pct(99),
        "cpu_s": usage.ru_utime + usage.ru_stime,
        "peak_rss_kib": usage.ru_maxrss,  # KiB on Linux
    }


# ANCHOR: collector
async def collect(server_sock, sensors):
    ages, done = [], asyncio.Event()
    hung_up = 0

    async def sensor(reader, writer):
        nonlocal hung_up
        async for line in reader:  # one reading per line
            now = time.monotonic_ns()  # the same clock as the sensors'
            ages.append((now - int(line.split(b",")[2])) // 1000)
        writer.close()
        hung_up += 1
        if hung_up == sensors:
            done.set()

    server = await asyncio.start_server(sensor, sock=server_sock, backlog=4096)
    async with server:
        await done.wait()
    return report(sensors, ages)
# ANCHOR_END: collector


async def demo(n, every, seconds):
    sock = socket.create_server(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    collector = asyncio.create_task(collect(sock, n))

    async def one(i):
        _, w = await asyncio.open_connection("127.0.0.1", port)
        for seq in range(int(seconds / every)):
            w.write(b"%d,%d,%d,20.0\n" % (i, seq, time.monotonic_ns()))
            await w.drain()
            await asyncio.sleep(every)
        w.close()

    await asyncio.gather(*(one(i) for i in range(n)))
    return await collector


if __name__ == "__main__":
    args = sys.argv[1:]
    if len(args) == 4 and args[0] == "--fd" and args[2] == "--sensors":
        sock = socket.socket(fileno=int(args[1]))
        print(json.dumps(asyncio.run(collect(sock, int(args[3])))))
    else:
        r = asyncio.run(demo(50, 0.05, 0.5))
        print("sensor_collector.py: %d readings from %d sensors, p99 age %.1f ms"
              % (r["readings"], r["sensors"], r["p99_us"] / 1000))
