"""The site of a local build: a static folder served on loopback for the run (``qa audit ./dist``, ``--serve DIR``), or
the user's own server started by a command and waited for (``--start-command``), as Lighthouse CI's
``startServerCommand`` and Playwright's ``webServer`` do."""

from __future__ import annotations

import collections
import functools
import hashlib
import os
import signal
import subprocess
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from qa.errors import SiteError, UsageError
from qa.threads import parked

# Ports below Linux's ephemeral range (32768-60999), so that a port chosen from the folder does not collide with the
# outgoing connections of the browsers.
STABLE_PORTS = range(20000, 32000)
# What Playwright's webServer takes for "ready": a server that refuses a bare GET with 401/403 is still up.
READY = {400, 401, 402, 403}
LAST_LINES = 15
STOP_GRACE_S = 5.0

# The types a site's build emits; the platform's mime.types may lack some (.mjs, .webp, .woff2, .wasm).
WEB_TYPES = {
    ".html": "text/html",
    ".htm": "text/html",
    ".css": "text/css",
    ".js": "text/javascript",
    ".mjs": "text/javascript",
    ".json": "application/json",
    ".map": "application/json",
    ".webmanifest": "application/manifest+json",
    ".xml": "application/xml",
    ".txt": "text/plain",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".webp": "image/webp",
    ".avif": "image/avif",
    ".ico": "image/x-icon",
    ".woff": "font/woff",
    ".woff2": "font/woff2",
    ".ttf": "font/ttf",
    ".otf": "font/otf",
    ".wasm": "application/wasm",
    ".pdf": "application/pdf",
    ".mp4": "video/mp4",
    ".webm": "video/webm",
    ".mp3": "audio/mpeg",
    ".vtt": "text/vtt",
}


class StaticHandler(SimpleHTTPRequestHandler):
    """GET/HEAD of the folder's files: index.html for a folder, 404 for a folder without one (no listing, which a
    crawler would audit as a page of the site) and for hidden files (.git, .env) other than /.well-known/."""

    extensions_map = {**SimpleHTTPRequestHandler.extensions_map, **WEB_TYPES}

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - stdlib signature
        pass

    def send_head(self):  # type: ignore[no-untyped-def]
        segments = self.path.split("?", 1)[0].split("#", 1)[0].split("/")
        if any(s.startswith(".") and s != ".well-known" for s in segments if s):
            self.send_error(HTTPStatus.NOT_FOUND, "File not found")
            return None
        return super().send_head()

    def list_directory(self, path: str | os.PathLike[str]):  # type: ignore[no-untyped-def]
        self.send_error(HTTPStatus.NOT_FOUND, "File not found")
        return None


def stable_port(folder: Path) -> int:
    """The same port for the same folder on every run, so that URLs, finding ids and the diff with the previous run
    do not change with a random port."""
    digest = hashlib.sha1(str(folder).encode("utf-8")).digest()
    return STABLE_PORTS[int.from_bytes(digest[:4], "big") % len(STABLE_PORTS)]


@dataclass
class Served:
    url: str  # http://127.0.0.1:PORT/
    notes: list[str] = field(default_factory=list)  # for the run's notes (every deliverable shows them)


@contextmanager
def serve_folder(folder: Path) -> Iterator[Served]:
    """Serve ``folder`` on 127.0.0.1 in this process for the block (a threading HTTP server); then stop it."""
    if not folder.is_dir():
        raise UsageError(f"{folder}: no such folder; give the folder of the built site, e.g. qa audit ./dist")
    root = folder.resolve()
    if not (root / "index.html").is_file():
        raise UsageError(f"{folder}: has no index.html; give the folder the site is built into (its top page)")
    handler = functools.partial(StaticHandler, directory=str(root))
    port = stable_port(root)
    try:
        server = ThreadingHTTPServer(("127.0.0.1", port), handler)
    except OSError:  # taken (another run of the same folder, or another program): any free port
        server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, name=parked("served-folder"), daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.server_address[1]}/"
    # The folder as the user named it: an absolute path would put a home folder into deliverables for a client.
    notes = [f"the site is the local folder {folder}, served for this run at {url}"]
    if server.server_address[1] != port:
        notes.append(f"port {port}, this folder's usual one, was taken: compare with earlier runs by path")
    try:
        yield Served(url, notes)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def answers(url: str, timeout_s: float = 2.0) -> bool:
    """True when ``url`` answers a GET as a running server does (2xx/3xx, or 400-403 as Playwright accepts)."""
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # the user's own server: never a proxy
    try:
        with opener.open(urllib.request.Request(url, method="GET"), timeout=timeout_s) as response:
            return response.status < 400
    except urllib.error.HTTPError as exc:
        return exc.code in READY
    except (OSError, ValueError):
        return False


class _Output:
    """The command's last lines (stdout and stderr together), kept to explain a failure."""

    def __init__(self, stream) -> None:  # type: ignore[no-untyped-def]
        self.lines: collections.deque[str] = collections.deque(maxlen=LAST_LINES)
        self.thread = threading.Thread(
            target=self._read, args=(stream,), name=parked("start-command-output"), daemon=True
        )
        self.thread.start()

    def _read(self, stream) -> None:  # type: ignore[no-untyped-def]
        for raw in stream:
            self.lines.append(raw.decode("utf-8", "replace").rstrip())
        stream.close()

    def tail(self) -> str:
        self.thread.join(timeout=1)  # what the command printed before it exited
        shown = [line for line in self.lines if line.strip()]
        return "\n".join(f"| {line}" for line in shown) if shown else "| (it printed nothing)"


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # a member changed its user: still there
        return True
    return True


def _stop_group(proc: subprocess.Popen) -> None:
    """End exactly the process group the command leads (its own session): TERM, then KILL after a grace."""
    for sig, wait_s in ((signal.SIGTERM, STOP_GRACE_S), (signal.SIGKILL, STOP_GRACE_S)):
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            break
        try:
            proc.wait(timeout=wait_s)
        except subprocess.TimeoutExpired:
            continue
        # The leader is gone; members it left in the group (a server started with `&`) get KILL on the next round.
        deadline = time.monotonic() + wait_s
        while _group_alive(proc.pid) and time.monotonic() < deadline:
            time.sleep(0.1)
        if not _group_alive(proc.pid):
            break


@contextmanager
def start_command(command: str, url: str, timeout_s: float, reuse: bool = False) -> Iterator[Served]:
    """Run ``command`` (a shell command line) in its own process group, wait until ``url`` answers, yield; then end
    the group. A server already answering there is an error unless ``reuse`` (Playwright's reuseExistingServer)."""
    if answers(url):
        if reuse:
            yield Served(url, [f"{url} was already answering; it was audited as is (--reuse-server), not started"])
            return
        raise SiteError(
            f"{url} already answers before '{command}' started: stop that server, or add --reuse-server to audit it"
        )
    proc = subprocess.Popen(
        command,
        shell=True,
        start_new_session=True,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    output = _Output(proc.stdout)
    try:
        deadline = time.monotonic() + timeout_s
        while not answers(url):
            if proc.poll() is not None and not _group_alive(proc.pid):  # `cmd &` leaves its server in the group
                raise SiteError(
                    f"the start command exited (code {proc.returncode}) before {url} answered; fix the command "
                    f"('{command}'); its last output:\n{output.tail()}"
                )
            if time.monotonic() > deadline:
                raise SiteError(
                    f"{url} did not answer within {timeout_s:g}s of starting '{command}'; check the URL and port, "
                    f"or give it longer with --start-timeout; the command's last output:\n{output.tail()}"
                )
            time.sleep(0.25)
        # Not the command line itself: it may carry a token, and the notes go into every deliverable.
        yield Served(
            url,
            [f"the site at {url} was served by the --start-command server, started for this run and stopped after it"],
        )
    finally:
        _stop_group(proc)
