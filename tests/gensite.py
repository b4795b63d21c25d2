"""A generated site of N pages on loopback, for resume tests and the memory benchmark.

Page ``/p/K.html`` links to its children ``2K+1`` and ``2K+2`` (a binary tree, so the crawl finds every page)
and back home; every third page has an image without alt text (a finding); ``delay`` slows every answer so a
test can interrupt a run half-way. ``cross_links``: every fifth page also links to an anchor of the next page (which
exists on even pages only) and to a page that does not exist (a broken link), for the link check.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

HTML = "text/html; charset=utf-8"


def page_html(k: int, n: int, cross_links: bool = False) -> bytes:
    links = "".join(f'<li><a href="/p/{c}.html">Page {c}</a></li>' for c in (2 * k + 1, 2 * k + 2) if c < n)
    if cross_links and k % 5 == 0:
        links += f'<li><a href="/p/{(k + 1) % n}.html#part">Next page, part two</a></li>'
        links += f'<li><a href="/gone/{k}.html">Old page {k}</a></li>'
    anchor = '<h2 id="part">Part two</h2>' if cross_links and k % 2 == 0 else ""
    img = '<img src="/img.png">' if k % 3 == 0 else ""
    filler = "<p>" + "Generated page text for the crawl. " * 20 + "</p>"
    return (
        f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Page {k}</title></head>'
        f'<body><header><a href="/p/0.html">Home</a></header><main><h1>Page {k}</h1>{img}{filler}'
        f"{anchor}<ul>{links}</ul></main></body></html>"
    ).encode()


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: GeneratedSite

    def log_message(self, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        if self.server.delay:
            time.sleep(self.server.delay)
        path = self.path.split("?")[0]
        status, body, ctype = 404, b"not found", "text/plain"
        if path in ("/", "/index.html"):
            status, body, ctype = 200, self.server.page(0), HTML
        elif path == "/img.png":
            status, body, ctype = 200, b"\x89PNG\r\n\x1a\n", "image/png"
        elif path.startswith("/p/") and path.endswith(".html") and path[3:-5].isdigit():
            k = int(path[3:-5])
            if k < self.server.n:
                status, body, ctype = 200, self.server.page(k), HTML
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


class GeneratedSite(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, n: int, delay: float = 0.0, cross_links: bool = False, port: int = 0) -> None:
        super().__init__(("127.0.0.1", port), _Handler)  # a fixed port: a kept run's URLs served again
        self.n, self.delay, self.cross_links = n, delay, cross_links

    def handle_error(self, request: object, client_address: object) -> None:
        pass

    def page(self, k: int) -> bytes:
        return page_html(k, self.n, self.cross_links)


@contextmanager
def serve_generated(n: int, delay: float = 0.0, cross_links: bool = False, port: int = 0) -> Iterator[str]:
    server = GeneratedSite(n, delay, cross_links, port)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
