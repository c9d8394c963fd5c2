"""Scenario 1, processes: a WSGI app for Gunicorn's pre-forked sync workers:
`python3 -m gunicorn --bind fd://3 -w 5 -k sync wsgi_app:app`. Each worker
process serves one request at a time. With no arguments it calls the app
once in-process (no gunicorn needed)."""

import time

from work import count_primes, route


# ANCHOR: app
def app(environ, start_response):
    query = environ.get("QUERY_STRING", "")
    what = route(environ["PATH_INFO"] + ("?" + query if query else ""))
    if what is None:
        status, body = "404 Not Found", b"no such endpoint\n"
    elif what[0] == "io":
        time.sleep(what[1])  # this worker serves nobody else meanwhile
        status, body = "200 OK", b"waited\n"
    elif what[0] == "cpu":
        status, body = "200 OK", b"%d\n" % count_primes(what[1])
    else:
        status, body = "200 OK", b"ok\n"
    start_response(status, [("Content-Length", str(len(body)))])
    return [body]
# ANCHOR_END: app


if __name__ == "__main__":
    seen = []
    body = b"".join(app({"PATH_INFO": "/cpu", "QUERY_STRING": "n=100"}, lambda s, h: seen.append(s)))
    print("wsgi_app.py answered", seen[0], body.decode().strip())
    try:
        import gunicorn  # noqa: F401
    except ImportError:
        print("gunicorn is not installed: skipped; to run it, pip install gunicorn")
