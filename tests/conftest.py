"""Shared fixtures: real pages served on 127.0.0.1, the real qa command, a real browser."""

from __future__ import annotations

import inspect
import json
import os
import re
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from qa.demo.server import serve

REPO = Path(__file__).resolve().parent.parent
# A test is end-to-end (marked ``slow``) when it, or a fixture it uses, runs the qa command or starts a browser;
# `pytest -m "not slow"` is the quick subset.
END_TO_END = re.compile(r"\brun_qa\(|\brun_audit\(|\blaunch\w*\(|async_playwright\(|\bform_login\(|subprocess\.")


def _runs_end_to_end(item: pytest.Item) -> bool:
    """The test, its fixtures, or a helper of its module that one of them calls by name."""
    functions = [getattr(item, "function", None)]
    info = getattr(item, "_fixtureinfo", None)
    for defs in info.name2fixturedefs.values() if info else ():
        functions += [d.func for d in defs]
    module = getattr(item, "module", None)
    sources = []
    for function in functions:
        try:
            sources.append(inspect.getsource(function))
        except (OSError, TypeError):
            continue
    for source in list(sources):
        for name in set(re.findall(r"\b(\w+)\(", source)):
            helper = getattr(module, name, None)
            if inspect.isfunction(helper) and helper.__module__ == getattr(module, "__name__", None):
                try:
                    sources.append(inspect.getsource(helper))
                except (OSError, TypeError):
                    continue
    return any(END_TO_END.search(source) for source in sources)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if not item.get_closest_marker("slow") and _runs_end_to_end(item):
            item.add_marker(pytest.mark.slow)


SITES = Path(__file__).resolve().parent / "sites"


@dataclass
class QARun:
    code: int
    stdout: str
    stderr: str
    out: Path

    @property
    def run_dir(self) -> Path:
        return (self.out / "latest").resolve()

    @property
    def results(self) -> dict:
        return json.loads((self.run_dir / "results.json").read_text(encoding="utf-8"))


def run_qa(*args: str, out: Path | None = None, cwd: Path = REPO, timeout: int = 600, env: dict | None = None) -> QARun:
    """Run the `qa` command as a user would (a fresh process), with `--out` when given."""
    cmd = [sys.executable, "-m", "qa", *args]
    if out is not None:
        cmd[4:4] = ["--out", str(out), "--quiet"] if args and args[0] == "audit" else []
    proc = subprocess.run(
        cmd, cwd=cwd, capture_output=True, text=True, timeout=timeout, env={**os.environ, **(env or {})}
    )
    return QARun(proc.returncode, proc.stdout, proc.stderr, out or cwd)


@pytest.fixture(scope="session")
def demo_run(tmp_path_factory: pytest.TempPathFactory) -> QARun:
    """One audit of the built-in demo site, shared by the tests that read its results."""
    out = tmp_path_factory.mktemp("demo-run")
    return run_qa("audit", out=out, timeout=1800)  # the full 3 × 3 matrix; slow on a loaded machine


class PageHandler(BaseHTTPRequestHandler):
    """A test's own loopback page logic: subclass, answer with ``send_html``; nothing is logged."""

    def send_html(self, body: bytes, status: int = 200, headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        for name, value in {"Content-Type": "text/html", **(headers or {})}.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


def descendants(pid: int) -> list[int]:
    """Every process below ``pid`` (from /proc): the browsers a run started, to kill one or to find leftovers."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry.name))
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


@contextmanager
def serve_handler(handler: type[BaseHTTPRequestHandler]) -> Iterator[str]:
    """Serve ``handler`` on a free loopback port for the block: yields the base URL."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def site() -> Iterator:
    """Serve a fixture folder from tests/sites/ on a free loopback port: ``site("clean")`` -> base URL."""
    stack = []

    def start(name: str) -> str:
        cm = serve(SITES / name)
        stack.append(cm)
        return cm.__enter__()

    yield start
    for cm in reversed(stack):
        cm.__exit__(None, None, None)
