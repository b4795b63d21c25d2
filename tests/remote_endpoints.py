"""Real remote browsers on loopback, started by a test: a Playwright browser server, a Chromium with a DevTools
port, a Firefox with its Remote Agent (WebDriver BiDi), a WebKitWebDriver server. Each is a context manager that
yields the URL browsers.yaml names, and ends the processes it started (by process group) on exit."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

SHELL = "/usr/bin/chromium-headless-shell"  # Debian's headless Chromium; the full browser where it is missing
CHROMIUM = SHELL if os.access(SHELL, os.X_OK) else "/usr/bin/chromium"
FIREFOX = "/usr/bin/firefox-esr"
WEBKIT_DRIVER = "/usr/bin/WebKitWebDriver"
START_S = 90  # a loaded machine starts a browser slowly


def _wait_line(proc: subprocess.Popen, pattern: str, stream: str = "stderr") -> str:
    """The first match of ``pattern`` in the process's output (its group 1)."""
    pipe = getattr(proc, stream)
    deadline = time.monotonic() + START_S
    seen = []
    while time.monotonic() < deadline:
        line = pipe.readline()
        if not line:
            if proc.poll() is not None:
                break
            continue
        seen.append(line)
        found = re.search(pattern, line)
        if found:
            return found.group(1)
    raise RuntimeError(f"{proc.args[0]} did not start: {''.join(seen)[-500:]}")


def _start(args: list[str], **kw: object) -> subprocess.Popen:
    # Its own process group: ended as a whole (the browser's own children too), nothing else.
    return subprocess.Popen(args, text=True, start_new_session=True, **kw)  # type: ignore[call-overload]


def _end(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    proc.wait(30)


def kill(proc: subprocess.Popen) -> None:
    """Kill an endpoint and everything it started, as a farm losing a machine would."""
    _end(proc)


@contextmanager
def playwright_server(engine: str = "chromium", executable: str = CHROMIUM) -> Iterator[tuple[str, subprocess.Popen]]:
    """``playwright launch-server`` (the Playwright driver's own server) with a system browser: its ws:// URL."""
    with tempfile.TemporaryDirectory(prefix="qa-pw-server-") as tmp:
        config = Path(tmp) / "server.json"
        config.write_text(json.dumps({"executablePath": executable, "headless": True, "host": "127.0.0.1", "port": 0}))
        proc = _start(
            [sys.executable, "-m", "playwright", "launch-server", "--browser", engine, "--config", str(config)],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
        )
        try:
            yield _wait_line(proc, r"(ws://\S+)", "stdout"), proc
        finally:
            _end(proc)


@contextmanager
def chromium_devtools(user_agent: str = "") -> Iterator[tuple[str, subprocess.Popen]]:
    """A Debian Chromium with ``--remote-debugging-port``, as a cloud browser service runs it: its http:// URL."""
    with tempfile.TemporaryDirectory(prefix="qa-cdp-") as profile:
        args = [
            CHROMIUM,
            "--headless",
            "--no-sandbox",
            "--remote-debugging-address=127.0.0.1",
            "--remote-debugging-port=0",
            f"--user-data-dir={profile}",
        ]
        if user_agent:
            args.append(f"--user-agent={user_agent}")
        proc = _start([*args, "about:blank"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        try:
            ws = _wait_line(proc, r"DevTools listening on (ws://\S+)")
            yield "http://" + ws.split("//", 1)[1].split("/", 1)[0], proc
        finally:
            _end(proc)


@contextmanager
def firefox_remote_agent() -> Iterator[tuple[str, subprocess.Popen]]:
    """Firefox ESR with its Remote Agent (WebDriver BiDi) on a port: its ws:// URL. No geckodriver needed."""
    with tempfile.TemporaryDirectory(prefix="qa-ff-remote-") as profile:
        # The suite's profile, written as docs/remote-browsers.md says: python -m qa.visit.bidi_driver DIR
        subprocess.run([sys.executable, "-m", "qa.visit.bidi_driver", profile], check=True)
        args = [FIREFOX, "--headless", "--remote-debugging-port=0", "--profile", profile, "--no-remote"]
        env = {**os.environ, "MOZ_CRASHREPORTER_DISABLE": "1"}
        proc = _start(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
        try:
            yield _wait_line(proc, r"WebDriver BiDi listening on (ws://\S+)"), proc
        finally:
            _end(proc)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def webkit_webdriver() -> Iterator[tuple[str, subprocess.Popen]]:
    """WebKitGTK's WebDriver server on a port, with its own virtual display: its http:// URL."""
    from qa.visit.xvfb import VirtualDisplay

    display = VirtualDisplay()
    env = {**os.environ, "DISPLAY": display.start()}
    env.pop("WAYLAND_DISPLAY", None)
    port = _free_port()
    proc = _start([WEBKIT_DRIVER, f"--port={port}"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    try:
        deadline = time.monotonic() + START_S
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), 1).close()
                break
            except OSError:
                time.sleep(0.2)
        yield f"http://127.0.0.1:{port}", proc
    finally:
        _end(proc)
        display.stop()
