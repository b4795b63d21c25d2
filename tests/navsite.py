"""Loopback pages for navigation faults: a page of odd links around five healthy pages, a meta-refresh loop, and
documents that are slow or large on the wire or only once decoded.

``python -m tests.navsite`` serves it until Ctrl-C (prints the URLs).
"""

from __future__ import annotations

import gzip
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

HEALTHY = [f"/healthy/{i}" for i in range(1, 6)]
DOWNLOADS = ["/dl/report.zip", "/dl/manual.pdf", "/dl/data.bin", "/dl/image.iso"]
REFRESH_LOOP = "/refresh-a"
SLOW_S = 30  # the other origin's pages answer after this long: a crawl must not wait for them
DRIP = "/drip"  # headers at once, then a byte every DRIP_EVERY_S for ever
DRIP_EVERY_S = 0.5
DRIP_AFTER_KB = "/drip-after-kb"  # the same after a first kilobyte (past any content sniffing), then a byte at a time
CHUNKED = "/chunked"  # CHUNKED_MB of HTML, chunked, no Content-Length
CHUNKED_MB = 30
GZIPPED = "/gzip"  # GZIP_MB of HTML once decoded; a few hundred KB on the wire
GZIP_MB = 192
BIG = "/big"  # BIG_LINKS same-page anchor links, as many ids, BIG_IMAGES images
BIG_LINKS, BIG_IMAGES = 5000, 2000


def _page(title: str, body: str, head: str = "") -> bytes:
    return (
        f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{title}</title>{head}</head>'
        f"<body><main><h1>{title}</h1>{body}</main></body></html>"
    ).encode()


def big_page() -> bytes:
    """A long index page: a table of contents of same-page anchors to every section, and images."""
    toc = "".join(f'<li><a href="#s{i}">Section {i}</a></li>' for i in range(BIG_LINKS))
    sections = "".join(
        f'<section id="s{i}"><h2>Section {i}</h2><p>Text of section {i}.</p>'
        + (f'<img src="/img/{i}.png" alt="Figure {i}" width="40" height="20">' if i < BIG_IMAGES else "")
        + "</section>"
        for i in range(BIG_LINKS)
    )
    # One paragraph in a style of its own, too faint to read: sampling text styles must still reach it.
    faint = '<p style="color:#bbb">Last updated 2026-04-01</p>'
    return _page("Big page", f"<nav><ul>{toc}</ul></nav>{sections}{faint}")


PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d4944415478da63f8ffff3f0005fe02fe0def46b80000000049454e44ae426082"
)


def odd_links_page(other_origin: str) -> bytes:
    """Five healthy pages among links a crawl must get past: scripts, data, downloads, a slow server, anchors far
    too long, a meta-refresh loop and pages that navigate away by themselves."""
    odd = [
        (REFRESH_LOOP, "refresh loop"),
        ("/moves-on", "a page that moves on by itself"),
        ("javascript:void(0)", "script link"),
        ("javascript:location.href='/dl/report.zip'", "script download"),
        ("data:text/html,<title>data</title><h1>data page</h1>", "data page"),
        ("data:application/octet-stream;base64," + "QUJD" * 20_000, "data download"),
        *((u, f"download {u}") for u in DOWNLOADS),
        *((f"{other_origin}slow/{i}", f"slow server {i}") for i in range(3)),
        ("#" + "a" * 200_000, "a huge anchor"),
        ("/healthy/1#" + "b" * 100_000, "a huge anchor on another page"),
        ("mailto:someone@example.invalid", "mail"),
        ("tel:+810000000000", "phone"),
    ]
    healthy = [(h, f"healthy {h}") for h in HEALTHY]
    links = []
    for i, link in enumerate(odd):  # a healthy page after every third odd link
        links += [link, *healthy[i // 3 : i // 3 + 1]] if i % 3 == 2 else [link]
    items = "".join(f'<li><a href="{href}">{text}</a></li>' for href, text in links)
    huge_text = "<p><a href='/healthy/2'>" + "long link text " * 5000 + "</a></p>"
    return _page("Odd links", f"<ul>{items}</ul>{huge_text}")


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body are two writes: Nagle would hold each response 40 ms
    server: NavServer

    def log_message(self, *args: object) -> None:
        pass

    def _send(self, status: int, body: bytes, ctype: str = "text/html; charset=utf-8", **headers: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for k, v in headers.items():
            self.send_header(k.replace("_", "-"), v)
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:  # noqa: C901 - one branch per page is the point
        path = urlsplit(self.path).path
        self.server.hits.append(path)
        if self.server.slow:
            time.sleep(SLOW_S)
            self._send(200, _page("Slow", "<p>late</p>"))
        elif path in ("/", "/index.html"):
            self._send(200, odd_links_page(self.server.other_origin))
        elif path in HEALTHY:
            time.sleep(0.3)  # a little slow, as real pages are: the window in which the last page can interfere
            self._send(200, _page(f"Healthy {path}", '<p>A healthy page. <a href="/">Home</a></p>'))
        elif path == "/dl/report.zip":
            self._send(200, b"PK\x03\x04" + b"\0" * 4096, "application/zip", Content_Disposition="attachment")
        elif path == "/dl/manual.pdf":
            self._send(200, b"%PDF-1.4\n%%EOF\n", "application/pdf")
        elif path == "/dl/data.bin":
            self._send(200, b"\0\1\2" * 1000, "application/octet-stream")
        elif path == "/dl/image.iso":
            self._send(200, b"\0" * 1_000_000, "application/x-iso9660-image", Content_Disposition="attachment")
        elif path == "/refresh-a":
            self._send(200, _page("Refresh A", "<p>a</p>", '<meta http-equiv="refresh" content="0; url=/refresh-b">'))
        elif path == "/refresh-b":
            self._send(200, _page("Refresh B", "<p>b</p>", '<meta http-equiv="refresh" content="0; url=/refresh-a">'))
        elif path == "/moves-on":
            # Audited, then leaves on its own a moment later: whatever the tab loads next must not be lost to it.
            head = '<meta http-equiv="refresh" content="1; url=/healthy/3">'
            script = "<script>setTimeout(() => { location.href = '/healthy/4'; }, 700)</script>"
            self._send(200, _page("Moves on", f"<p>moves on</p>{script}", head))
        elif path == BIG:
            self._send(200, big_page())
        elif path.startswith("/img/"):
            self._send(200, PNG, "image/png")
        elif path == DRIP:
            self._drip()
        elif path == DRIP_AFTER_KB:
            self._drip(b"<!-- " + b"x" * 1000 + b" -->")
        elif path == CHUNKED:
            self._chunked()
        elif path == GZIPPED:
            body = self.server.gzipped()
            self._send(200, body, Content_Encoding="gzip")
        else:
            self._send(404, _page("Not found", "<p>no such page</p>"))

    def _drip(self, first: bytes = b"") -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(b"<!doctype html><html lang='en'><head><title>Drip</title></head><body>" + first + b"<p>")
        self.wfile.flush()
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and not self.server.closing.is_set():
            self.wfile.write(b"x")
            self.wfile.flush()
            self.server.closing.wait(DRIP_EVERY_S)

    def _chunked(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        para = b"<p>" + b"Lorem ipsum dolor sit amet. " * 36 + b"</p>\n"
        chunk = b"<!doctype html><html lang='en'><head><title>Chunked</title></head><body>" + para * 60
        sent = 0
        while sent < CHUNKED_MB * 1_000_000 and not self.server.closing.is_set():
            self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
            sent += len(chunk)
            chunk = para * 60
        self.wfile.write(b"0\r\n\r\n")


class NavServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, host: str, slow: bool = False) -> None:
        super().__init__((host, 0), Handler)
        self.slow = slow
        self.other_origin = ""
        self.hits: list[str] = []
        self.closing = threading.Event()
        self._gzipped: bytes | None = None

    def handle_error(self, request: object, client_address: object) -> None:
        pass  # browsers abandon the slow and large pages mid-response: that is the point

    def gzipped(self) -> bytes:
        if self._gzipped is None:
            para = b"<p>" + b"Lorem ipsum dolor sit amet. " * 36 + b"</p>\n"
            head = b"<!doctype html><html lang='en'><head><title>Gzipped</title></head><body>"
            self._gzipped = gzip.compress(head + para * (GZIP_MB * 1_000_000 // len(para)), compresslevel=9)
        return self._gzipped


@dataclass
class NavSite:
    url: str  # the odd-links page's origin, with a trailing slash
    other: str  # the slow other origin (127.0.0.2)
    server: NavServer


@contextmanager
def serve_nav() -> Iterator[NavSite]:
    main, slow = NavServer("127.0.0.1"), NavServer("127.0.0.2", slow=True)
    main.other_origin = f"http://127.0.0.2:{slow.server_address[1]}/"
    for server in (main, slow):
        threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield NavSite(f"http://127.0.0.1:{main.server_address[1]}/", main.other_origin, main)
    finally:
        for server in (main, slow):
            server.closing.set()
            server.shutdown()
            server.server_close()


if __name__ == "__main__":
    with serve_nav() as site:
        print(site.url, site.other, flush=True)
        try:
            threading.Event().wait()
        except KeyboardInterrupt:
            pass
