"""Serve a folder on 127.0.0.1 at a free port, in a background thread."""

from __future__ import annotations

import functools
import io
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from pathlib import Path

from qa.threads import parked


class _QuietHandler(SimpleHTTPRequestHandler):
    """Static files; ``{ORIGIN}`` in robots.txt and sitemaps becomes this server's address (the port is free-chosen)."""

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - stdlib signature
        pass

    def send_head(self):  # type: ignore[no-untyped-def]
        path = self.translate_path(self.path)
        if not path.endswith((".xml", ".txt")) or not os.path.isfile(path):
            return super().send_head()
        host = self.headers.get("Host") or "{}:{}".format(*self.server.server_address[:2])
        with open(path, "rb") as fh:
            body = fh.read().replace(b"{ORIGIN}", f"http://{host}".encode())
        self.send_response(200)
        self.send_header("Content-Type", "application/xml" if path.endswith(".xml") else "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        return io.BytesIO(body)


# The run's note that its site was the built-in demo: qa audit --resume serves it again on the port it had.
DEMO_NOTE = "The built-in demo site was audited (served on 127.0.0.1 for the run)"


def demo_root() -> Path:
    return Path(str(resources.files("qa.demo").joinpath("site")))


@contextmanager
def serve(root: Path | None = None, port: int = 0) -> Iterator[str]:
    """Yield the base URL (``http://127.0.0.1:PORT/``) of a server for ``root`` (the demo site by default), on
    ``port`` (0: any free one; a resumed demo run needs the port its pages were recorded under)."""
    handler = functools.partial(_QuietHandler, directory=str(root or demo_root()))
    server = ThreadingHTTPServer(("127.0.0.1", port), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, name=parked("demo-site"), daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
