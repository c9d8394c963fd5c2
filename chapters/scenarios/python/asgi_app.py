"""Scenario 1, async: a bare ASGI app (what FastAPI builds on), served by
uvicorn on one asyncio event loop: `python3 -m uvicorn asgi_app:app --fd 3`.
With no arguments it calls the app once in-process (no uvicorn needed)."""

import asyncio

from work import count_primes, route


# ANCHOR: app
async def app(scope, receive, send):
    if scope["type"] != "http":
        return
    target = scope["path"] + ("?" + scope["query_string"].decode() if scope["query_string"] else "")
    what = route(target)
    if what is None:
        status, body = 404, b"no such endpoint\n"
    elif what[0] == "io":
        await asyncio.sleep(what[1])  # the loop serves others meanwhile
        status, body = 200, b"waited\n"
    elif what[0] == "cpu":
        status, body = 200, b"%d\n" % count_primes(what[1])  # blocks the loop
    else:
        status, body = 200, b"ok\n"
    headers = [(b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
# ANCHOR_END: app


async def _once():
    sent = []

    async def receive():
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message):
        sent.append(message)

    scope = {"type": "http", "path": "/cpu", "query_string": b"n=100"}
    await app(scope, receive, send)
    return sent[0]["status"], sent[1]["body"]


if __name__ == "__main__":
    status, body = asyncio.run(_once())
    print("asgi_app.py answered", status, body.decode().strip())
    try:
        import uvicorn  # noqa: F401
    except ImportError:
        print("uvicorn is not installed: skipped; to run it, pip install uvicorn")
