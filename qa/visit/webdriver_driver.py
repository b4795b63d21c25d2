"""Engines driven over W3C WebDriver (Selenium): WebKitGTK on Linux, Safari via ``safaridriver``, a Selenium Grid.

WebKitWebDriver serves one session per server process, so each session here is its own server and browser;
the crawl keeps one session per worker and viewport for the whole run and replaces one that failed. Selenium
calls block, so they run on this engine's own thread pool and the engines keep overlapping.
WebKitGTK has no headless mode: it runs on a private Xvfb display this engine starts and stops.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import shutil
import signal
import stat
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from selenium import webdriver
from selenium.common.exceptions import (
    InvalidSessionIdException,
    NoSuchWindowException,
    TimeoutException,
    UnexpectedAlertPresentException,
    WebDriverException,
)
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.actions.action_builder import ActionBuilder
from selenium.webdriver.remote.client_config import ClientConfig

from qa.access import SiteAccess
from qa.errors import BrowserUnavailable
from qa.visit._common import STRINGIFY_JS, EventLog, first_line, key_code, key_parts
from qa.visit.driver import DriverFault, Fault, Library, Navigation, PageEvents, evaluate_in_page
from qa.visit.matrix import BrowserSpec, ViewportSpec
from qa.visit.xvfb import VirtualDisplay, die_with_parent

WEBKITGTK_DRIVER = "/usr/bin/WebKitWebDriver"
SYSTEM_PYTHON = "/usr/bin/python3"  # python3-gi lives with the system Python, not in a venv
BARE_BROWSER_NAME = "PyWebKitGTK"  # must match qa/visit/wk_browser.py
PRELOAD_ENV = "QA_PRELOAD_SCRIPTS"  # must match qa/visit/wk_browser.py
STOPPED_DIR_ENV = "QA_STOPPED_LOADS"  # must match qa/visit/wk_browser.py
LIMIT_HANDLER = "qaDocumentLimit"  # must match qa/visit/wk_browser.py
MAX_SESSIONS = 32
SESSION_START_ATTEMPTS = 3

# Calls a Playwright-style function expression; the page's recorded events ride along with every result. One JSON
# string comes back, as from the other drivers, instead of WebDriver's serialisation, which walks every object of
# a large result (axe's) looking for elements. toJSON patched by old libraries (Prototype.js) is set aside.
CALL_JS = """const done = arguments[arguments.length - 1];
const events = () => window.__qaEvents || null;
const send = (r) => {
  let text;
  try { text = (STRINGIFY)(r); } catch (e) { text = JSON.stringify({ok: false, error: 'not JSON: ' + e}); }
  done(text);
};
Promise.resolve().then(() => (%s)(arguments[0])).then(
  (v) => send({ok: true, value: v === undefined ? null : v, events: events()}),
  (e) => send({ok: false, error: String(e && e.stack || e), events: events()}));""".replace("STRINGIFY", STRINGIFY_JS)
# What the bare browser (wk_browser.py) learnt of the document just loaded, or of the navigation that failed
# (taken, so that it is read once).
LOADED_JS = """() => { const f = window.__qaNavFault || null; delete window.__qaNavFault;
  const e = window.__qaEvents || {};
  return [f, e.status ?? null, e.content_type || '', e.bytes ?? null, location.href]; }"""

BARE_TIMEOUT_MARGIN_S = 10

TWO_FRAMES_JS = """const done = arguments[arguments.length - 1];
requestAnimationFrame(() => requestAnimationFrame(() => done(true)));"""


class ScriptError(RuntimeError):
    """A script failed inside the page."""


def webkitgtk_available() -> bool:
    """WebKitWebDriver on PATH (as the other system browsers are looked up) and the system Python for python3-gi."""
    return shutil.which(os.path.basename(WEBKITGTK_DRIVER)) is not None and os.access(SYSTEM_PYTHON, os.X_OK)


class WebDriverSession(EventLog):
    def __init__(self, engine: WebDriverEngine, driver: Any, service: Any, viewport: ViewportSpec) -> None:
        self.engine = engine
        self.driver = driver
        self.service = service
        self.viewport = viewport
        # Our bare browser stops a larger document at its headers or as its decoded markup grows, and a navigation
        # past its time itself (it is told both by LIMIT_HANDLER); other WebDriver browsers cannot, and a larger
        # document is reported once loaded.
        self.max_document_bytes: int | None = None
        self._limits_sent: str | None = None
        self._token = uuid.uuid4().hex  # names this session's record of a load its bare browser ended (see goto)
        self._events = PageEvents()
        self._dialogs: list[str] = []

    async def _call(self, fn: Any, *args: Any) -> Any:
        """One WebDriver call on the engine's threads. A dialog the page opened was dismissed by the browser (the
        session's prompt behaviour) and made this call fail: it is recorded and the call made again."""
        for _ in range(3):
            try:
                return await asyncio.get_running_loop().run_in_executor(self.engine.pool, lambda: fn(*args))
            except UnexpectedAlertPresentException as exc:
                self._add(self._dialogs, f"dialog: {exc.alert_text or ''}")
            except (InvalidSessionIdException, NoSuchWindowException) as exc:
                # The browser ended the session or closed the window: its web process died.
                raise DriverFault(Fault.CRASH, first_line(exc)) from None
            except Exception as exc:  # a dead server surfaces as urllib3/OS errors, not only WebDriverException
                fault = self._fault()
                if fault is None:
                    raise
                raise DriverFault(fault, first_line(exc)) from None
        return await asyncio.get_running_loop().run_in_executor(self.engine.pool, lambda: fn(*args))

    def _fault(self) -> Fault | None:
        """CRASH once this session's browser is gone: its WebDriver server or the browser it started died."""
        process = getattr(self.service, "process", None)
        if process is not None and process.poll() is not None:
            return Fault.CRASH
        return None

    def _record(self, events: dict[str, Any] | None) -> None:
        if events:
            self._events = PageEvents(
                console_errors=list(events.get("console_errors") or []),
                js_errors=list(events.get("js_errors") or []),
                failed_requests=list(events.get("failed_requests") or []),
                dialogs=list(self._dialogs),
            )

    def _reset_events(self) -> None:
        super()._reset_events()
        self._dialogs = []

    def take_events(self) -> PageEvents:
        self._events.dialogs = list(self._dialogs)
        self._dialogs = []
        return super().take_events()

    async def goto(self, url: str, timeout_s: float) -> Navigation:
        self._reset_events()
        limits = json.dumps({"bytes": self.max_document_bytes or 0, "timeout_s": timeout_s, "token": self._token})
        started = time.perf_counter()
        if self.engine.bare and limits != self._limits_sent:
            handler = f"window.webkit.messageHandlers.{LIMIT_HANDLER}"
            try:
                await self.evaluate(f"(limits) => {handler}.postMessage(limits)", limits)
            except Exception as exc:  # the browser or its server is gone: the navigation fails as it would
                fault = exc.fault if isinstance(exc, DriverFault) else self._fault() or Fault.OTHER
                return Navigation(
                    None, url, fault=fault, error=f"{type(exc).__name__}: {first_line(exc)}", load_ms=_ms(started)
                )
            self._limits_sent = limits
        # The bare browser ends a slow navigation itself and says why; WebDriver's own timeout is the fallback.
        page_load_timeout = timeout_s + BARE_TIMEOUT_MARGIN_S if self.engine.bare else timeout_s

        def load() -> None:
            self.driver.set_page_load_timeout(page_load_timeout)
            self.driver.get(url)

        try:
            await self._call(load)
        except TimeoutException as exc:
            return Navigation(None, url, fault=Fault.TIMEOUT, error=first_line(exc), load_ms=_ms(started))
        except Exception as exc:  # a dead server surfaces as urllib3/OS errors, not only WebDriverException
            fault = exc.fault if isinstance(exc, DriverFault) else self._fault() or Fault.OTHER
            stopped = self.engine.tmp / f"stopped-{self._token}.json"
            if self.engine.bare and stopped.exists():
                # The bare browser ended a document that grew too large while it was parsed, by ending its web
                # process (nothing less stops WebKit's parser), and wrote why where no document was needed.
                with contextlib.suppress(OSError, ValueError):
                    record = json.loads(stopped.read_text(encoding="utf-8"))
                    stopped.unlink()
                    return self._failed(url, record, _ms(started))
            return Navigation(
                None, url, fault=fault, error=f"{type(exc).__name__}: {first_line(exc)}", load_ms=_ms(started)
            )
        load_ms = _ms(started)
        try:
            failed, status, content_type, size, final_url = await self.evaluate(LOADED_JS)
        except DriverFault:
            raise
        except Exception:
            # The document went away under the script: a page that moves on by itself (a meta refresh). The visit
            # finds out where it went (qa.run.page_visit), as after the other engines' navigations.
            return Navigation(None, url, content_type="text/html", load_ms=load_ms)
        if failed:
            return self._failed(url, failed, load_ms)
        if self.max_document_bytes and size and size > self.max_document_bytes:
            await self._call(self.driver.get, "about:blank")  # the renderer need not keep it
            return Navigation(None, url, load_ms=load_ms, fault=Fault.TOO_LARGE, document_bytes=size)
        return Navigation(
            status=status,
            final_url=final_url,
            content_type=content_type or "text/html",
            load_ms=load_ms,
            document_bytes=size,
        )

    @staticmethod
    def _failed(url: str, failed: dict[str, Any], load_ms: float) -> Navigation:
        """The navigation as the bare browser recorded its failure (wk_browser.py ``fault_record``)."""
        return Navigation(
            None,
            url,
            content_type=failed.get("type") or "",
            load_ms=load_ms,
            fault=_FAULTS.get(failed.get("fault"), Fault.OTHER),
            error=str(failed.get("detail") or ""),
            document_bytes=failed.get("bytes"),
            responded=bool(failed.get("responded")),
            attachment=bool(failed.get("attachment")),
            body_complete=failed.get("complete") if "complete" in failed else None,
            received_bytes=failed.get("received"),
        )

    async def evaluate(self, function: str, arg: Any = None) -> Any:
        reply = await self._call(self.driver.execute_async_script, CALL_JS % function, arg)
        result = json.loads(reply) if isinstance(reply, str) else None
        if not isinstance(result, dict):
            raise ScriptError("the page returned no result (it navigated away?)")
        self._record(result.get("events"))
        if not result.get("ok"):
            raise ScriptError(str(result.get("error"))[:500])
        return result.get("value")

    async def inject(self, source: str, present: str) -> None:
        # Classic WebDriver cannot preload scripts: send it whenever the document lacks it.
        if not await self.evaluate(f"() => !!({present})"):
            await self._call(self.driver.execute_script, source)

    async def evaluate_with(self, library: Library, function: str, arg: Any = None) -> Any:
        return await evaluate_in_page(self, library, function, arg)

    async def screenshot(self, path: Path, full_page: bool = True) -> bool:
        """Viewport only: classic WebDriver has no full-page capture (the caller records that)."""
        # WebKitGTK can return the previous page or a blank frame right after a navigation.
        await self._call(self.driver.execute_async_script, TWO_FRAMES_JS)
        png = await self._call(self.driver.get_screenshot_as_png)
        path.write_bytes(png)
        return False

    async def set_viewport(self, width: int, height: int) -> None:
        await self._call(self.driver.set_window_size, width, height)

    async def evaluate_listing(self, function: str, arg: Any = None) -> Any:
        return None  # no DevTools console API over WebDriver

    async def press(self, key: str) -> None:
        modifiers, last = key_parts(key)

        def act() -> None:
            chain = ActionChains(self.driver)
            for m in modifiers:
                chain.key_down(key_code(m))
            chain.send_keys(key_code(last))
            for m in reversed(modifiers):
                chain.key_up(key_code(m))
            chain.perform()

        await self._call(act)

    async def hover(self, x: float, y: float) -> bool:
        def act() -> None:
            builder = ActionBuilder(self.driver)
            builder.pointer_action.move_to_location(round(x), round(y))
            builder.perform()

        await self._call(act)
        return True

    async def cookies(self) -> list[dict[str, Any]] | None:
        return None  # WebDriver lists only the current page's own cookies: not every cookie the visit set

    async def clear_cookies(self) -> bool:
        return False

    async def document_source(self) -> str | None:
        return None  # the protocol gives the DOM, not the bytes the server sent

    async def close(self) -> None:
        await self.engine.release(self)


_FAULTS = {f.value: f for f in Fault}  # wk_browser.py names them


class WebDriverEngine:
    driver = "webdriver"

    def __init__(self, spec: BrowserSpec, preload: tuple[str, ...] = ()) -> None:
        self.spec = spec
        self.executable = ""  # known once the first session started
        self.preload = preload
        self.product = "WebDriver"
        self.version = ""
        self.pool = ThreadPoolExecutor(max_workers=MAX_SESSIONS, thread_name_prefix=f"webdriver-{spec.name}")
        self.display: VirtualDisplay | None = None
        self.env: dict[str, str] = dict(os.environ)
        self.tmp = Path(tempfile.mkdtemp(prefix="qa-webdriver-"))
        self.sessions: list[WebDriverSession] = []
        self.idle: list[WebDriverSession] = []  # the probe session, handed to the first worker
        self.server = spec.webdriver
        self.bare = False
        self.headers: dict[str, str] = {}  # sent to a remote WebDriver server (a Grid's or a cloud's token)

    # --- starting -------------------------------------------------------------------------------------------
    def _prepare(self) -> None:
        if self.spec.endpoint:
            return  # a Grid or a remote safaridriver: nothing runs here
        self.server = self.spec.webdriver or (WEBKITGTK_DRIVER if self.spec.engine == "webkit" else None)
        if not self.server or not (os.access(self.server, os.X_OK) or shutil.which(self.server)):
            raise BrowserUnavailable(
                f"browser '{self.spec.name}': WebDriver server '{self.server}' not found; install it "
                "(Debian: apt-get install webkit2gtk-driver) or set 'webdriver:' in browsers.yaml"
            )
        if self._is_webkitgtk():
            self.bare = not self.spec.executable
            if self.spec.headless or not os.environ.get("DISPLAY"):
                self.display = VirtualDisplay()
                self.env["DISPLAY"] = self.display.start()
            self.env.pop("WAYLAND_DISPLAY", None)
            # JavaScriptCore's optimizing JIT (DFG, FTL) compiles axe-core anew in every document, on background
            # threads, and the document is gone a second later: without it the web process spends about a third
            # less CPU per audited page (measured: 233-246 -> 145-161 ms for load + axe). A value set by the user
            # wins.
            self.env.setdefault("JSC_useDFGJIT", "false")
            if self.bare and self.preload:
                # Our bare browser adds these as user scripts (classic WebDriver itself cannot preload).
                files = []
                for i, source in enumerate(self.preload):
                    files.append(self.tmp / f"preload-{i}.js")
                    files[-1].write_text(source, encoding="utf-8")
                self.env[PRELOAD_ENV] = os.pathsep.join(str(f) for f in files)
            self.env[STOPPED_DIR_ENV] = str(self.tmp)

    def _is_webkitgtk(self) -> bool:
        return "webkitwebdriver" in Path(self.server or "").name.lower()

    def _remote_webkitgtk(self) -> bool:
        """A remote WebKitWebDriver (WebKitGTK, WPE): browsers.yaml's capabilities name its browser options."""
        return bool(self.spec.endpoint) and any(name.startswith("webkitgtk:") for name, _ in self.spec.capabilities)

    def _bare_browser(self) -> str:
        script = self.tmp / "wk-browser"
        if not script.exists():
            source = Path(__file__).with_name("wk_browser.py")
            script.write_text(f"#!/bin/sh\nexec {SYSTEM_PYTHON} '{source}' \"$@\"\n", encoding="utf-8")
            script.chmod(script.stat().st_mode | stat.S_IXUSR)
        return str(script)

    def _options(self, insecure: bool = False) -> Any:
        engine = self.spec.engine
        if self._is_webkitgtk() or self._remote_webkitgtk():
            from selenium.webdriver.webkitgtk.options import Options

            class TrustingOptions(Options):
                """WebKitGTK's browser options plus the site's certificates (host, PEM file) to accept."""

                certificates: list[dict[str, str]] = []
                given: dict[str, Any] = {}  # browsers.yaml's own browser options (a remote server's browser)

                def to_capabilities(self) -> dict:
                    caps = super().to_capabilities()
                    extra = {**self.given, **({"certificates": self.certificates} if self.certificates else {})}
                    if extra:
                        caps[Options.KEY] = {**caps.get(Options.KEY, {}), **extra}
                    return caps

            options = TrustingOptions()
            if self._remote_webkitgtk():  # a remote server's browser is named in its capabilities
                options.given = dict(dict(self.spec.capabilities).get(Options.KEY) or {})
            else:
                options.binary_location = self.spec.executable or self._bare_browser()
                options.add_argument("--automation")
            options.certificates = self._certificate_files()
            if self.bare:
                options.set_capability("browserName", BARE_BROWSER_NAME)
        elif engine == "webkit":
            options = webdriver.SafariOptions()
        elif engine == "firefox":
            options = webdriver.FirefoxOptions()
            if self.spec.headless:
                options.add_argument("-headless")
        else:
            options = webdriver.ChromeOptions()
            if self.spec.headless:
                options.add_argument("--headless=new")
        for arg in self.spec.args:
            options.add_argument(arg)
        for name, value in self.spec.capabilities:
            options.set_capability(name, value)
        options.accept_insecure_certs = insecure  # tls.insecure; verified otherwise
        return options

    def _certificate_files(self) -> list[dict[str, str]]:
        """The site's verified certificates as WebKitGTK's ``certificates`` option wants them: host and PEM file."""
        out = []
        for i, (host_port, pem) in enumerate(self.spec.trusted):
            path = self.tmp / f"trusted-{i}.pem"
            path.write_text(pem, encoding="utf-8")
            out.append({"host": host_port.rsplit(":", 1)[0], "certificateFile": str(path)})
        return out

    def _service(self) -> Any:
        if self._is_webkitgtk():
            from selenium.webdriver.webkitgtk.service import Service
        elif self.spec.engine == "webkit":
            from selenium.webdriver.safari.service import Service
        elif self.spec.engine == "firefox":
            from selenium.webdriver.firefox.service import Service
        else:
            from selenium.webdriver.chrome.service import Service
        # Its own process group (the browser it starts included), ended as a whole; and it dies with qa.
        return Service(
            executable_path=self.server,
            env=self.env,
            popen_kw={"start_new_session": True, "preexec_fn": die_with_parent},
        )

    def _open(self, viewport: ViewportSpec, insecure: bool = False) -> tuple[Any, Any]:
        service = None
        try:
            if self.spec.endpoint:
                config = ClientConfig(remote_server_addr=self.spec.endpoint, extra_headers=self.headers or None)
                driver = webdriver.Remote(
                    command_executor=self.spec.endpoint, options=self._options(insecure), client_config=config
                )
            else:
                service = self._service()
                service.start()
                driver = webdriver.Remote(command_executor=service.service_url, options=self._options(insecure))
        except Exception:
            if service is not None:
                service.stop()
            raise
        try:
            driver.set_window_size(viewport.width, viewport.height)
        except WebDriverException:
            pass  # some remote browsers refuse; the page facts still record the real size
        return driver, service

    async def start(self) -> None:
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(self.pool, self._prepare)
        # A first session tells the real product and version, and shows now (not mid-crawl) if it cannot start.
        probe = await self.new_session(ViewportSpec("probe", 800, 600))
        caps = probe.driver.capabilities
        name = str(caps.get("browserName", ""))
        self.version = str(caps.get("browserVersion") or caps.get("version") or "")
        if self._is_webkitgtk() or self._remote_webkitgtk():
            self.product = "WebKitGTK"
        elif name.lower() == "safari":
            self.product = "Safari"
        else:
            self.product = {"chrome": "Chromium", "msedge": "Edge", "MicrosoftEdge": "Edge"}.get(name, name.title())
        self.sessions.remove(probe)
        self.idle.append(probe)
        if self.bare:
            self.executable = f"{SYSTEM_PYTHON} {Path(__file__).with_name('wk_browser.py')}"
        elif not self.spec.endpoint:
            self.executable = self.spec.executable or str(self.server or "")

    # --- sessions -------------------------------------------------------------------------------------------
    async def new_session(self, viewport: ViewportSpec, access: SiteAccess | None = None) -> WebDriverSession:
        access = access or SiteAccess()
        if access.http_credentials or access.headers:
            raise BrowserUnavailable(
                f"browser '{self.spec.name}': WebDriver cannot send HTTP credentials or headers; "
                "use a Playwright browser for protected sites, or cookies"
            )
        loop = asyncio.get_running_loop()
        insecure = access.tls.insecure
        cookies = [c for c in map(access.scoped_cookie, access.cookies) if c]
        if self.idle and not cookies and not insecure:  # the probe session verifies certificates
            session = self.idle.pop()
            session.viewport = viewport
            await session.set_viewport(viewport.width, viewport.height)
            self.sessions.append(session)
            return session
        for attempt in range(SESSION_START_ATTEMPTS):
            try:
                driver, service = await loop.run_in_executor(self.pool, self._open, viewport, insecure)
                break
            except WebDriverException as exc:
                # Under load WebKitWebDriver sometimes exits at start-up ("unexpectedly exited. Status code
                # was: 1"); a second start works. A browser that truly cannot start fails every attempt.
                if attempt + 1 == SESSION_START_ATTEMPTS:
                    problem = first_line(exc)[:300]
                    raise BrowserUnavailable(
                        f"browser '{self.spec.name}' could not start a session: {problem}"
                    ) from None
                await asyncio.sleep(0.5)
        session = WebDriverSession(self, driver, service, viewport)
        self.sessions.append(session)
        if cookies:
            await self._add_cookies(session, cookies)
        return session

    async def _add_cookies(self, session: WebDriverSession, cookies: list[dict[str, Any]]) -> None:
        # WebDriver sets cookies only for the current origin: visit each cookie's origin first.
        for cookie in cookies:
            url = cookie.get("url")
            if url:
                await session.goto(url, 30)
            fields = {k: v for k, v in cookie.items() if k in ("name", "value", "path", "domain", "secure", "httpOnly")}
            await session._call(session.driver.add_cookie, fields)

    def alive(self) -> bool:
        """Each session is a browser of its own, replaced when it fails; only a lost display ends them all."""
        return self.display is None or self.display.proc is None or self.display.proc.poll() is None

    async def release(self, session: WebDriverSession) -> None:
        if session in self.sessions:
            self.sessions.remove(session)
            await asyncio.get_running_loop().run_in_executor(self.pool, _quit, session.driver, session.service)

    async def close(self) -> None:
        self.sessions += self.idle
        self.idle = []
        for session in list(self.sessions):
            await session.close()
        if self.display:
            self.display.stop()
        self.pool.shutdown(wait=False, cancel_futures=True)
        shutil.rmtree(self.tmp, ignore_errors=True)


def _quit(driver: Any, service: Any) -> None:
    try:
        driver.quit()
    except Exception:  # a crashed browser cannot be asked to quit; its server is stopped below
        pass
    if service is not None:
        process = getattr(service, "process", None)
        try:
            service.stop()
        except Exception:
            pass
        if process is not None:
            try:  # the browser the server started, even when the server itself crashed
                os.killpg(process.pid, signal.SIGTERM)
            except (ProcessLookupError, PermissionError):
                pass


def _ms(started: float) -> float:
    return (time.perf_counter() - started) * 1000


async def launch_webdriver(
    spec: BrowserSpec, preload: tuple[str, ...] = (), headers: dict[str, str] | None = None
) -> WebDriverEngine:
    engine = WebDriverEngine(spec, preload)
    engine.headers = headers or {}
    try:
        await engine.start()
    except BaseException:
        await engine.close()
        raise
    return engine
