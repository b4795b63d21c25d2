"""The driver contract: every engine installed here goes through the same visits of loopback pages and must report
them the same way (``qa.visit.driver``): a normal load, a server that never answers, a refused connection, a killed
tab, an alert, a download, frames, a screenshot, the document size limit, the keyboard and the cookie jar.

Chromium runs over Playwright (Debian's build), Firefox ESR over WebDriver BiDi, WebKitGTK over W3C WebDriver; an
engine is skipped only when its browser is not installed, and Chromium must always run.
"""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import struct
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from playwright.async_api import async_playwright

from qa.visit.driver import DriverFault, Engine, Fault, Navigation, Session
from qa.visit.engines import launch, system_firefox
from qa.visit.matrix import ViewportSpec, load_matrix
from qa.visit.playwright_driver import system_chromium
from qa.visit.webdriver_driver import webkitgtk_available
from tests.conftest import REPO, PageHandler, descendants, serve_handler

VIEWPORT = ViewportSpec("contract", 800, 600)
NAV_TIMEOUT_S = 3  # the hung page's wait: short, the server sleeps longer
HANG_S = 8
LIMIT = 100_000
DOWNLOAD_NAME = f"qa-contract-{os.getpid()}.zip"
INSTALLED = {
    "chromium": lambda: system_chromium(headless=True) is not None,
    "firefox": lambda: system_firefox() is not None,
    "webkit": webkitgtk_available,
}
DRIVERS = {"chromium": {"playwright"}, "firefox": {"bidi", "playwright"}, "webkit": {"webdriver", "playwright"}}
CASES = [
    "load",
    "timeout",
    "refused",
    "crash",
    "dialog",
    "download",
    "frames",
    "screenshot",
    "too-large",
    "keyboard",
    "cookies",
]
# Why an engine cannot produce a case here.
CANNOT = {
    ("firefox", "crash"): "Firefox refuses about:crashcontent over BiDi, and the content process of one tab cannot "
    "be told apart from the others (Fission shares them between sites) to be killed",
    ("webkit", "cookies"): "W3C WebDriver lists only the current page's own cookies, not the whole jar "
    "(the privacy check reports the cookies as not verified there)",
}
TALL = "<div style='height:2000px'>tall</div>"


class Site(PageHandler):
    def do_GET(self) -> None:
        path = self.path
        if path == "/start":
            self.send_response(302)
            self.send_header("Location", "/page.html")
            self.send_header("Content-Length", "0")
            self.end_headers()
        elif path == "/page.html":
            self.send_html(b"<!doctype html><title>Contract page</title><h1>Hello</h1>" + TALL.encode())
        elif path == "/hang":
            time.sleep(HANG_S)  # never answers within the navigation timeout
        elif path == "/alert":
            self.send_html(b"<!doctype html><title>Alerted</title><script>alert('hello from the page')</script>")
        elif path == "/download":
            body = b"PK\x03\x04"
            headers = {
                "Content-Type": "application/zip",
                "Content-Disposition": f"attachment; filename={DOWNLOAD_NAME}",
                "Content-Length": str(len(body)),
            }
            self.send_html(body, headers=headers)
        elif path == "/frames":
            self.send_html(b"<!doctype html><title>Frames</title><iframe src='/inner'></iframe>")
        elif path == "/inner":
            self.send_html(b"<!doctype html><title>Inner</title><p id='inner'>inside the frame</p>")
        elif path == "/huge":
            body = b"<!doctype html><title>Huge</title>" + b"<p>x</p>" * (LIMIT // 4)
            self.send_html(body, headers={"Content-Length": str(len(body))})
        elif path == "/cookie":  # HttpOnly: only the browser's jar shows it, never document.cookie
            self.send_html(
                b"<!doctype html><title>Cookie</title>", headers={"Set-Cookie": "jar=1; Max-Age=3600; HttpOnly"}
            )
        elif path == "/keyboard":
            self.send_html(b"<!doctype html><title>Keys</title><button id='first'>one</button><button>two</button>")
        else:
            self.send_html(b"<!doctype html><title>Missing</title>", status=404)


@dataclass
class Outcome:
    value: Any = None
    error: BaseException | None = None
    skipped: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]  # closed again: nothing listens there


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


def _kill_tab(name: str, session: Any) -> int:
    """Kill the renderer processes under this test (Chromium) or under this session's browser (WebKitGTK)."""
    if name == "chromium":
        victims = [p for p in descendants(os.getpid()) if "--type=renderer" in _cmdline(p)]
    else:
        victims = [p for p in descendants(session.service.process.pid) if "WebKitWebProcess" in _cmdline(p)]
    for pid in victims:
        os.kill(pid, signal.SIGKILL)
    return len(victims)


def _png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


async def _visits(name: str, engine: Engine, base: str, shots: Path) -> dict[str, Outcome]:
    async def in_session(case: str, work: Callable[[Session], Awaitable[Any]]) -> Outcome:
        if (name, case) in CANNOT:
            return Outcome(skipped=CANNOT[(name, case)])
        session = await engine.new_session(VIEWPORT)
        session.max_document_bytes = LIMIT
        outcome = Outcome()
        try:
            outcome.value = await asyncio.wait_for(work(session), 60)
        except Exception as exc:
            outcome.error = exc
        finally:
            await session.close()
        return outcome

    async def load(s: Session) -> tuple[Navigation, str]:
        nav = await s.goto(f"{base}start", 30)
        return nav, await s.evaluate("() => document.title")

    async def crash(s: Session) -> tuple[Navigation, Any, int]:
        await s.goto(f"{base}page.html", 30)
        killed = _kill_tab(name, s)
        await asyncio.sleep(1)
        try:
            after: Any = await s.evaluate("() => document.title")
        except DriverFault as exc:
            after = exc
        return await s.goto(f"{base}page.html", 10), after, killed

    async def dialog(s: Session) -> tuple[Navigation, str, list[str]]:
        nav = await s.goto(f"{base}alert", 30)
        title = await s.evaluate("() => document.title")
        return nav, title, s.take_events().dialogs

    async def frames(s: Session) -> tuple[Navigation, Any, bool]:
        nav = await s.goto(f"{base}frames", 30)
        text = await s.evaluate(
            "() => new Promise((done) => { const read = () => { const d = document.querySelector('iframe')"
            ".contentDocument; const p = d && d.getElementById('inner'); if (p) done(p.textContent);"
            " else setTimeout(read, 50); }; read(); })"
        )
        await s.inject("window.__contractLib = 'ready'", "window.__contractLib")
        return nav, text, await s.evaluate("() => window.__contractLib === 'ready'")

    async def screenshot(s: Session) -> tuple[Navigation, bool, Path]:
        nav = await s.goto(f"{base}page.html", 30)
        path = shots / f"{name}.png"
        return nav, await s.screenshot(path, full_page=True), path

    async def keyboard(s: Session) -> tuple[Navigation, Any]:
        nav = await s.goto(f"{base}keyboard", 30)
        await s.press("Tab")
        return nav, await s.evaluate("() => document.activeElement && document.activeElement.id")

    async def cookies(s: Session) -> tuple[Navigation, Any, bool, Any]:
        nav = await s.goto(f"{base}cookie", 30)
        jar = await s.cookies()
        cleared = await s.clear_cookies()
        return nav, jar, cleared, await s.cookies()

    plans: dict[str, Callable[[Session], Awaitable[Any]]] = {
        "load": load,
        "timeout": lambda s: s.goto(f"{base}hang", NAV_TIMEOUT_S),
        "refused": lambda s: s.goto(f"http://127.0.0.1:{_free_port()}/", 30),
        "crash": crash,
        "dialog": dialog,
        "download": lambda s: s.goto(f"{base}download", 30),
        "frames": frames,
        "screenshot": screenshot,
        "too-large": lambda s: s.goto(f"{base}huge", 30),
        "keyboard": keyboard,
        "cookies": cookies,
    }
    return {case: await in_session(case, plans[case]) for case in CASES}


@pytest.fixture(scope="module")
def contract(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Every installed engine through every visit, once; the tests below read what came back."""
    specs = {b.name: b for b in load_matrix(REPO / "browsers.yaml").browsers}
    shots = tmp_path_factory.mktemp("shots")
    downloads = Path.home() / "Downloads"
    ran: dict[str, Any] = {}

    async def scenario(base: str) -> None:
        async with async_playwright() as pw:
            for name, installed in INSTALLED.items():
                if not installed():
                    continue
                engine = await launch(pw, specs[name])
                try:
                    ran[name] = {"engine": engine, "visits": await _visits(name, engine, base, shots)}
                finally:
                    await engine.close()

    with serve_handler(Site) as base:
        asyncio.run(scenario(base))
    ran["downloaded"] = (downloads / DOWNLOAD_NAME).exists()
    return ran


def _outcome(contract: dict[str, Any], name: str, case: str) -> Outcome:
    if name not in contract:
        pytest.skip(f"{name} is not installed on this machine")
    outcome = contract[name]["visits"][case]
    if outcome.skipped:
        pytest.skip(f"{name} cannot produce this case: {outcome.skipped}")
    assert outcome.error is None, f"{name} {case}: {outcome.error!r}"
    return outcome


def test_chromium_ran_and_every_engine_says_what_drove_it(contract: dict[str, Any]) -> None:
    assert "chromium" in contract, "Chromium must run: install Debian's chromium (or 'qa setup')"
    for name in INSTALLED:
        if name in contract:
            engine = contract[name]["engine"]
            assert engine.driver in DRIVERS[name], (name, engine.driver)
            assert engine.executable and engine.product and engine.version, name


ENGINES = list(INSTALLED)


@pytest.mark.parametrize("name", ENGINES)
def test_normal_load(contract: dict[str, Any], name: str) -> None:
    nav, title = _outcome(contract, name, "load").value
    assert nav.fault is None and nav.status == 200, nav
    assert nav.final_url.endswith("/page.html") and "text/html" in nav.content_type
    assert title == "Contract page"


@pytest.mark.parametrize("name", ENGINES)
def test_a_server_that_never_answers_is_a_timeout(contract: dict[str, Any], name: str) -> None:
    nav = _outcome(contract, name, "timeout").value
    assert nav.fault is Fault.TIMEOUT, nav
    assert nav.status is None and nav.load_ms < (NAV_TIMEOUT_S + 5) * 1000


@pytest.mark.parametrize("name", ENGINES)
def test_a_refused_connection_is_a_network_fault(contract: dict[str, Any], name: str) -> None:
    nav = _outcome(contract, name, "refused").value
    assert nav.fault is Fault.NETWORK and nav.status is None and not nav.responded, nav
    assert nav.error  # the engine's own words, for the record


@pytest.mark.parametrize("name", ENGINES)
def test_a_killed_tab_is_a_crash(contract: dict[str, Any], name: str) -> None:
    nav, after, killed = _outcome(contract, name, "crash").value
    assert killed, "no renderer process found to kill"
    crashed = (isinstance(after, DriverFault) and after.fault is Fault.CRASH) or nav.fault is Fault.CRASH
    assert crashed, (after, nav)


@pytest.mark.parametrize("name", ENGINES)
def test_an_alert_does_not_block_the_page_and_is_reported(contract: dict[str, Any], name: str) -> None:
    nav, title, dialogs = _outcome(contract, name, "dialog").value
    assert nav.fault is None and nav.status == 200 and title == "Alerted", nav
    assert any("hello from the page" in d for d in dialogs), dialogs


@pytest.mark.parametrize("name", ENGINES)
def test_an_attachment_is_a_download_and_nothing_is_saved(contract: dict[str, Any], name: str) -> None:
    nav = _outcome(contract, name, "download").value
    assert nav.fault is Fault.DOWNLOAD, nav
    assert not contract["downloaded"], "a browser saved the download to ~/Downloads"


@pytest.mark.parametrize("name", ENGINES)
def test_frames_are_reached(contract: dict[str, Any], name: str) -> None:
    nav, text, injected = _outcome(contract, name, "frames").value
    assert nav.fault is None and text == "inside the frame" and injected


@pytest.mark.parametrize("name", ENGINES)
def test_screenshot_is_a_png_of_the_whole_page_where_the_engine_can(contract: dict[str, Any], name: str) -> None:
    nav, full, path = _outcome(contract, name, "screenshot").value
    width, height = _png_size(path)
    assert width >= VIEWPORT.width - 20  # less a scrollbar
    if full:
        assert height >= 2000, "a full-page capture holds the whole 2000 px page"
    else:
        assert contract[name]["engine"].driver == "webdriver", "only classic WebDriver captures the viewport only"
        assert height >= VIEWPORT.height - 100


@pytest.mark.parametrize("name", ENGINES)
def test_a_document_over_the_size_limit_is_too_large(contract: dict[str, Any], name: str) -> None:
    nav = _outcome(contract, name, "too-large").value
    assert nav.fault is Fault.TOO_LARGE and nav.document_bytes and nav.document_bytes > LIMIT, nav


@pytest.mark.parametrize("name", ENGINES)
def test_tab_moves_the_focus(contract: dict[str, Any], name: str) -> None:
    nav, focused = _outcome(contract, name, "keyboard").value
    assert nav.fault is None and focused == "first"


@pytest.mark.parametrize("name", ENGINES)
def test_the_cookie_jar_is_listed_without_values_and_cleared(contract: dict[str, Any], name: str) -> None:
    nav, jar, cleared, after = _outcome(contract, name, "cookies").value
    assert nav.fault is None
    (cookie,) = [c for c in jar if c["name"] == "jar"]
    assert cookie["httpOnly"] and cookie["expires"] > time.time() and "value" not in cookie
    assert cleared and not [c for c in after if c["name"] == "jar"]
