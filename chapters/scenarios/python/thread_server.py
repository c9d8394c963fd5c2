"""Scenario 1, threads: http.server's ThreadingHTTPServer, a thread per
connection, keep-alive (HTTP/1.1). `python3 thread_server.py --fd 3` serves
on the listening socket the scenarios crate passes as descriptor 3; with no
arguments it serves one request to itself on a free port and exits."""

import socket
import sys
import threading
import time
import urllib.request

from work import count_primes, route

# ANCHOR: server
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep the connection open between requests

    def do_GET(self):
        what = route(self.path)
        if what is None:
            status, body = 404, b"no such endpoint\n"
        elif what[0] == "io":
            time.sleep(what[1])  # releases the GIL while it waits
            status, body = 200, b"waited\n"
        elif what[0] == "cpu":
            status, body = 200, b"%d\n" % count_primes(what[1])  # holds the GIL
        else:
            status, body = 200, b"ok\n"
        self.send_response(status)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass
# ANCHOR_END: server


def serve_on_fd(fd):
    sock = socket.socket(fileno=fd)
    server = ThreadingHTTPServer(sock.getsockname(), Handler, bind_and_activate=False)
    server.socket.close()
    server.socket = sock
    server.daemon_threads = True
    server.serve_forever()


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--fd":
        serve_on_fd(int(sys.argv[2]))
    else:
        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        url = "http://127.0.0.1:%d/cpu?n=100" % server.server_address[1]
        with urllib.request.urlopen(url, timeout=10) as resp:
            print("thread_server.py answered", resp.status, resp.read().decode().strip())
        server.shutdown()
