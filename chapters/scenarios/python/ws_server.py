"""Scenario 3, async: a `websockets` server holding long-lived connections
and broadcasting to all of them. `python3 ws_server.py --fd 3 --clients N
--messages M --interval-ms I` waits for N clients on the socket the
scenarios crate passes, sends M messages `seq,sent_ns` one every I ms, and
closes them; with no arguments it serves 20 clients of its own."""

import asyncio
import socket
import sys
import time

try:
    from websockets.asyncio.client import connect
    from websockets.asyncio.server import broadcast, serve
except ImportError:
    serve = None


# ANCHOR: server
async def run(sock, clients, messages, interval):
    connected, everyone_here = set(), asyncio.Event()

    async def handler(ws):
        connected.add(ws)
        if len(connected) == clients:
            everyone_here.set()
        await ws.wait_closed()

    async with serve(handler, sock=sock, compression=None, max_queue=None):
        await everyone_here.wait()
        for seq in range(messages):
            await asyncio.sleep(interval)
            broadcast(connected, "%d,%d" % (seq, time.monotonic_ns()))
        await asyncio.gather(*(ws.close() for ws in connected))
# ANCHOR_END: server


async def demo(n):
    sock = socket.create_server(("127.0.0.1", 0))
    url = "ws://127.0.0.1:%d/" % sock.getsockname()[1]
    server = asyncio.create_task(run(sock, n, 5, 0.02))

    async def client():
        async with connect(url) as ws:
            return len([m async for m in ws])

    got = await asyncio.gather(*(client() for _ in range(n)))
    await server
    return got


if __name__ == "__main__":
    args = sys.argv[1:]
    if serve is None:
        print("websockets is not installed: skipped; to run it, pip install websockets")
    elif len(args) == 8 and args[0] == "--fd":
        sock = socket.socket(fileno=int(args[1]))
        asyncio.run(run(sock, int(args[3]), int(args[5]), int(args[7]) / 1000))
    else:
        got = asyncio.run(demo(20))
        print("ws_server.py: %d clients each got %s messages" % (len(got), sorted(set(got))))
