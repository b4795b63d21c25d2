"""Engines driven by Playwright: one browser process, one context per session."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
import math
import os
import re
import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from playwright.async_api import Browser, BrowserContext, Playwright
from playwright.async_api import Error as PlaywrightError
from playwright.async_api import Page as PWPage
from playwright.async_api import TimeoutError as PlaywrightTimeout

from qa.access import SiteAccess
from qa.errors import BrowserUnavailable
from qa.visit._common import STRINGIFY_JS, EventLog, code_fault, content_length, first_line
from qa.visit.driver import DriverFault, Fault, Library, Navigation, PageEvents, evaluate_in_page
from qa.visit.matrix import BrowserSpec, ViewportSpec
from qa.visit.tls import chromium_args

SYSTEM_CHROMIUM = ("/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome")
# Debian's build of the same Blink without the browser UI: what Playwright itself runs for headless pages. The full
# browser starts an omnibox WebUI renderer beside every page; the shell needs about 40 % less memory per tab.
SYSTEM_HEADLESS_SHELL = ("/usr/bin/chromium-headless-shell",)
PRODUCTS = {"chromium": "Chromium", "firefox": "Firefox", "webkit": "WebKit"}
CLOSE_TIMEOUT_S = 10  # a tab whose renderer hangs is killed with its context; never wait longer than this
# A Chromium renderer collects the documents a tab navigated away from only when V8 feels like it: with axe
# injected into each, a tab's JavaScript heap grows by about 5 MB a page. A forced full collection is dear (both
# navigation and axe ran slower after one, as if compiled code had to be rebuilt): one every 5 pages made a
# 200-page audit 15-25 % slower. So the heap is checked before each page and collected only once it passes this
# budget: 6-7 collections in 200 pages of the benchmark site, where V8 alone let a tab reach 70-90 MB in 50 pages.
# The heap size comes back with each script the visit runs (performance.memory, exact with PRECISE_HEAP_FLAG),
# which spares a DevTools round trip per page; it is read over DevTools only when no script reported it.
GC_HEAP_BUDGET_BYTES = 64_000_000
PRECISE_HEAP_FLAG = "--enable-precise-memory-info"
# TurboFan off, and Maglev only for code that runs 25 times longer than its default threshold: see launch_playwright.
CHROMIUM_JS_FLAGS = "--no-opt --invocation-count-for-maglev=10000 --invocation-count-for-maglev-osr=2000"
GC_TIMEOUT_S = 5
# The tallest capture Chromium makes at once (device pixels): a taller page (5,000 sections) failed to capture at
# all; it is captured down to there and reported as not the whole page.
MAX_CAPTURE_PX = 16_384
# The most device pixels of one capture: a page both that wide and that tall made a capture over Pillow's
# decompression-bomb limit (about 179 million), which the reports' thumbnails and crops refused to read, and
# Pillow warns on stderr above half of it.
MAX_CAPTURE_AREA = 64 * 1024 * 1024
WATCH_TIMEOUT_S = 5  # switching the body counts (DevTools Network events) on or off never holds up a visit longer
DOWNLOAD_EVENT_S = 2  # how long a failed navigation that had a response waits to learn it was a download


def system_chromium(headless: bool = False) -> str | None:
    """The system's Chromium, looked up by name on PATH (where Debian puts it): a PATH without one is a machine
    without one, for ``qa doctor``, ``qa setup`` and a run alike."""
    for path in (SYSTEM_HEADLESS_SHELL if headless else ()) + SYSTEM_CHROMIUM:
        if found := shutil.which(os.path.basename(path)):
            return found
    return None


def chromium_executable(pw: Playwright, headless: bool = True) -> str | None:
    """Playwright's managed Chromium when installed (None: Playwright finds its own build), else the system's.

    Headless runs prefer the system's headless shell, the build Playwright's own download uses for them."""
    managed = pw.chromium.executable_path
    if managed and os.access(managed, os.X_OK):
        return None
    found = system_chromium(headless)
    if found is None:
        raise BrowserUnavailable(
            "no Chromium found: run 'qa setup' (Playwright's download, or 'apt-get install chromium' on Debian)"
        )
    return found


class PlaywrightSession(EventLog):
    def __init__(
        self,
        context: BrowserContext,
        page: PWPage,
        viewport: ViewportSpec,
        chromium: bool = False,
        precise_heap: bool = False,
    ) -> None:
        self.context = context
        self.page = page
        self.viewport = viewport
        self.chromium = chromium
        self.precise_heap = precise_heap  # performance.memory is exact (the browser was launched with the flag)
        self._heap: int | None = None  # the tab's JavaScript heap in bytes, as the last script left it
        self._cdp: Any = None
        self._response: Any = None  # the current document's, for document_source
        self._worlds: set[str] = set()  # the isolated worlds whose library this tab preloads (evaluate_with)
        self._top_frame: str | None = None
        self._pixel_ratio: float | None = None
        self._visits = 0
        self.collections = 0  # forced garbage collections, for the tests
        self._events = PageEvents()
        self.max_document_bytes: int | None = None
        self._document: dict[str, Any] = {}
        self._too_large_seen = asyncio.Event()
        # Chromium: the document's body as it arrives, counted over DevTools (see _watch_body)
        self._main_frame: str | None = None
        self._body_request: str | None = None
        self._received = 0
        self._body_done = False
        self._over = False
        self._watching = False
        self._unwatching: asyncio.Future[Any] | None = None
        self._crashed = False
        self._crash_seen = asyncio.Event()  # DevTools calls into a crashed tab are never answered: see _watched
        self._downloading = asyncio.Event()
        page.on("crash", self._on_crash)
        page.on("download", self._on_download)
        page.on("console", self._on_console)
        page.on("pageerror", lambda err: self._add(self._events.js_errors, str(err)))
        page.on("requestfailed", self._on_request_failed)
        page.on("response", self._on_response)
        page.on("dialog", self._on_dialog)

    def mute_resources(self) -> None:
        """Stop listening to the page's requests and responses: a tab whose loads another tab reports already (a
        second tab for a large page's checks) spares the driver an event per image, script and style sheet."""
        self.page.remove_listener("response", self._on_response)
        self.page.remove_listener("requestfailed", self._on_request_failed)

    def _on_crash(self, _page: Any) -> None:
        self._crashed = True
        self._crash_seen.set()

    async def _on_download(self, download: Any) -> None:
        """Downloads are accepted only to be told apart from other failed navigations: cancelled at once."""
        self._downloading.set()
        with contextlib.suppress(PlaywrightError):
            await download.cancel()

    def _fault(self) -> Fault | None:
        """What the tab's own events say went wrong (None: nothing they know of)."""
        if not self.context.browser or not self.context.browser.is_connected():
            return Fault.BROWSER_GONE
        if self._crashed or self.page.is_closed():
            return Fault.CRASH
        return None

    @contextlib.contextmanager
    def _raising_faults(self) -> Iterator[None]:
        """A call into a crashed tab or a dead browser raises :class:`DriverFault`."""
        try:
            yield
        except PlaywrightError as exc:
            fault = self._fault()
            if fault is None:
                raise
            raise DriverFault(fault, _detail(exc)) from None

    def _on_console(self, msg: Any) -> None:
        if msg.type == "error":
            self._add(self._events.console_errors, msg.text)

    def _on_request_failed(self, request: Any) -> None:
        self._add(
            self._events.failed_requests,
            {"url": request.url, "type": request.resource_type, "error": request.failure or "failed"},
        )

    def _on_response(self, response: Any) -> None:
        if response.request.is_navigation_request() and response.frame == self.page.main_frame:
            self._on_document(response)
        if response.status >= 400 and response.request.resource_type != "document":
            self._add(
                self._events.failed_requests,
                {"url": response.url, "type": response.request.resource_type, "status": response.status},
            )

    async def _on_dialog(self, dialog: Any) -> None:
        self._add(self._events.dialogs, f"{dialog.type}: {dialog.message}")
        try:
            await dialog.dismiss()
        except PlaywrightError:
            pass

    def _on_document(self, response: Any) -> None:
        """Headers of the page's own document: stop a huge one before the renderer has to parse it."""
        size = content_length(response.headers.get("content-length"))
        self._document = {
            "bytes": size,
            "type": response.headers.get("content-type", ""),
            "attachment": response.headers.get("content-disposition", "").lower().startswith("attachment"),
        }
        if self.max_document_bytes and size is not None and size > self.max_document_bytes:
            self._document["too_large"] = True
            self._too_large_seen.set()

    async def _watch_body(self, on: bool) -> None:
        """Chromium: count the bytes of the document's body as they arrive, decoded, over DevTools (Network events):
        a document past ``max_document_bytes`` is stopped however it came (chunked without a length, compressed),
        and a navigation that timed out tells a server still sending from a page that never finished. Events are
        only asked for while a navigation is in flight: a page's hundreds of images would send thousands more."""
        devtools = await self._devtools()
        if on and self._main_frame is None:
            self._main_frame = (await devtools.send("Page.getFrameTree"))["frameTree"]["frame"]["id"]
            devtools.on("Network.responseReceived", self._on_body_response)
            devtools.on("Network.dataReceived", self._on_body_data)
            devtools.on("Network.loadingFinished", self._on_body_end)
            devtools.on("Network.loadingFailed", self._on_body_end)
        if self._unwatching is not None:  # a stop sent when the last document ended goes first
            await self._unwatching
            self._unwatching = None
        if on:  # no bodies kept for this session: Playwright's own keeps what it needs
            await devtools.send("Network.enable", {"maxTotalBufferSize": 0, "maxResourceBufferSize": 0})
            self._watching = True
        elif self._watching:
            self._watching = False
            await devtools.send("Network.disable")

    async def _unwatch(self) -> None:
        with contextlib.suppress(PlaywrightError):  # the tab went away meanwhile
            await self._cdp.send("Network.disable")

    def _on_body_response(self, params: dict[str, Any]) -> None:
        if params.get("type") == "Document" and params.get("frameId") == self._main_frame:
            self._body_request, self._received, self._body_done = params.get("requestId"), 0, False

    def _on_body_data(self, params: dict[str, Any]) -> None:
        if params.get("requestId") == self._body_request and not self._body_done:
            self._received += int(params.get("dataLength") or 0)
            if self.max_document_bytes and self._received > self.max_document_bytes and not self._over:
                self._over = True
                self._too_large_seen.set()

    def _on_body_end(self, params: dict[str, Any]) -> None:
        if params.get("requestId") == self._body_request:
            self._body_done = True
            if self._watching and self._cdp is not None:
                # The document is all there: the page's images and scripts still loading would each send three
                # more events (a big page's 2,000 images cost 1.5 s of its navigation).
                self._watching = False
                self._unwatching = asyncio.ensure_future(self._unwatch())

    def _body(self, loaded: bool = False) -> dict[str, Any]:
        """What the body counts say (nothing where they are not kept). A loaded page had all of its body; its count
        may already be the next document's, when the page moved on by itself at once."""
        if self._main_frame is None or self._body_request is None:
            return {"body_complete": True} if loaded else {}
        return {"received_bytes": self._received, "body_complete": loaded or (self._body_done and not self._over)}

    def _too_large(self) -> bool:
        return bool(self._document.get("too_large")) or self._over

    async def _load(self, url: str, timeout_s: float) -> Any:
        """``page.goto``, abandoned for about:blank as soon as the document's headers say it is too large."""
        self._too_large_seen = asyncio.Event()
        nav = asyncio.ensure_future(self.page.goto(url, timeout=timeout_s * 1000, wait_until="load"))
        big = asyncio.ensure_future(self._too_large_seen.wait())
        await asyncio.wait([nav, big], return_when=asyncio.FIRST_COMPLETED)
        big.cancel()
        if not nav.done():
            for _ in range(3):  # the stop can lose the race with the big document's commit: try again
                with contextlib.suppress(PlaywrightError):
                    await self.page.goto("about:blank", timeout=5000)
                if nav.done() or self.page.url == "about:blank":
                    break
            with contextlib.suppress(PlaywrightError, TimeoutError):
                await asyncio.wait_for(asyncio.shield(nav), 5)
            if not nav.done():
                nav.cancel()
        return await nav

    async def goto(self, url: str, timeout_s: float) -> Navigation:
        self._visits += 1
        if self.chromium and self._visits > 1:
            # A renderer still stuck in the last page's script must not hold up the next page.
            with contextlib.suppress(PlaywrightError, TimeoutError):
                await asyncio.wait_for(self._collect_if_over_budget(), GC_TIMEOUT_S)
        self._reset_events()
        self._document = {}
        self._response = None
        self._downloading = asyncio.Event()
        self._body_request, self._received, self._body_done, self._over = None, 0, False, False
        if self.chromium and self._fault() is None:  # a crashed tab never answers DevTools: goto tells the crash
            with contextlib.suppress(PlaywrightError, TimeoutError):
                await asyncio.wait_for(self._watch_body(True), WATCH_TIMEOUT_S)
        started = time.perf_counter()
        try:
            response = await self._load(url, timeout_s)
        except (PlaywrightError, asyncio.CancelledError) as exc:
            if isinstance(exc, asyncio.CancelledError) and not self._too_large():
                raise
            return Navigation(
                None,
                url,
                content_type=self._document.get("type", ""),
                fault=await self._navigation_fault(exc),
                error=_detail(exc),
                load_ms=(time.perf_counter() - started) * 1000,
                document_bytes=self._received if self._over else self._document.get("bytes"),
                responded=bool(self._document) or self._body_request is not None,
                attachment=self._document.get("attachment", False),
                **self._body(),
            )
        finally:
            if self.chromium and self._main_frame is not None and self._fault() is None:
                with contextlib.suppress(PlaywrightError, TimeoutError):
                    await asyncio.wait_for(self._watch_body(False), WATCH_TIMEOUT_S)
        load_ms = (time.perf_counter() - started) * 1000
        if self._too_large():
            size = self._received if self._over else self._document["bytes"]
            return Navigation(None, url, load_ms=load_ms, fault=Fault.TOO_LARGE, document_bytes=size, **self._body())
        if response is None:
            return Navigation(None, self.page.url, load_ms=load_ms, fault=Fault.OTHER, error="no response")
        self._response = response
        redirects: list[str] = []
        req = response.request.redirected_from
        while req is not None:
            redirects.insert(0, req.url)
            req = req.redirected_from
        return Navigation(
            status=response.status,
            final_url=self.page.url,
            # The headers the response event already carried: all_headers() would cost a driver round trip.
            content_type=response.headers.get("content-type", ""),
            load_ms=load_ms,
            redirects=redirects,
            document_bytes=self._document.get("bytes"),
            **self._body(loaded=True),
        )

    async def _navigation_fault(self, exc: BaseException) -> Fault:
        """From the tab's events first (too large, crash, download), then the error's type and engine code."""
        if self._too_large():
            return Fault.TOO_LARGE
        fault = self._fault()
        if fault is not None:
            return fault
        if isinstance(exc, PlaywrightTimeout):
            return Fault.TIMEOUT
        fault = code_fault(str(exc))
        if fault in (Fault.OTHER, Fault.ABORTED) and self._document and not self._downloading.is_set():
            # A response that became a download: the navigation fails before the download event arrives.
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._downloading.wait(), DOWNLOAD_EVENT_S)
        return Fault.DOWNLOAD if self._downloading.is_set() else fault

    async def _collect_if_over_budget(self) -> None:
        used, self._heap = (self._heap if self.precise_heap else None), None
        if used is None:
            used = (await (await self._devtools()).send("Runtime.getHeapUsage"))["usedSize"]
        if used > GC_HEAP_BUDGET_BYTES:
            await (await self._devtools()).send("HeapProfiler.collectGarbage")
            self.collections += 1

    async def evaluate(self, function: str, arg: Any = None) -> Any:
        # One JSON string crosses the driver instead of Playwright's typed value tree, whose decoding cost more CPU
        # than the checks themselves on large results (axe's). The checks return plain JSON data.
        # The heap size rides along (see GC_HEAP_BUDGET_BYTES).
        with self._raising_faults():
            out, heap = await self.page.evaluate(
                f"async (arg) => {{ const v = await ({function})(arg); return [{STRINGIFY_JS}(v),"
                " self.performance && performance.memory ? performance.memory.usedJSHeapSize : null]; }",
                arg,
            )
        if isinstance(heap, int | float):
            self._heap = int(heap)
        return json.loads(out)

    async def inject(self, source: str, present: str) -> None:
        with self._raising_faults():
            if not await self.page.evaluate(f"() => !!({present})"):
                await self.page.evaluate(source)

    async def evaluate_with(self, library: Library, function: str, arg: Any = None) -> Any:
        """Chromium: in the isolated world ``library.world`` of the top document (see Session.evaluate_with).

        The library is registered as a preload of that world with the tab's first call (DevTools, which runs such
        scripts only with its Page domain on), so every later top-level document starts with it compiled from
        Chromium's cache instead of receiving its whole source; frames do not get it. ``Page.createIsolatedWorld``
        with the same name returns the document's existing world, the one where the preload ran."""
        if not self.chromium:
            return await evaluate_in_page(self, library, function, arg)
        call = (
            f"(async () => {{ if (!({library.present})) return {{loaded: false}};"
            f" return {{loaded: true, value: await ({function})({json.dumps(arg)})}}; }})()"
        )
        with self._raising_faults():
            if library.world not in self._worlds:
                await self._watched("Page.enable", {})
                await self._watched(
                    "Page.addScriptToEvaluateOnNewDocument",
                    {"source": f"if (window === window.top) {{\n{library.source}\n}}", "worldName": library.world},
                )
                self._worlds.add(library.world)
            if self._top_frame is None:
                self._top_frame = (await self._watched("Page.getFrameTree", {}))["frameTree"]["frame"]["id"]
            world = await self._watched(
                "Page.createIsolatedWorld", {"frameId": self._top_frame, "worldName": library.world}
            )
            context = world["executionContextId"]
            reply = await self._world_evaluate(context, call)
            if not reply["loaded"]:  # a document the preload did not reach (about:blank, one written by a script)
                await self._world_evaluate(context, library.source)
                reply = await self._world_evaluate(context, call)
        if not reply["loaded"]:
            raise PlaywrightError(f"{library.world}: the library did not load into the document")
        return reply.get("value")

    async def _watched(self, method: str, params: dict[str, Any]) -> Any:
        """A DevTools call that raises DriverFault when the tab crashes before it is answered (it never would be)."""
        fault = self._fault()
        if fault is not None:
            raise DriverFault(fault, "the tab is gone")
        call = asyncio.ensure_future((await self._devtools()).send(method, params))
        crash = asyncio.ensure_future(self._crash_seen.wait())
        try:
            await asyncio.wait({call, crash}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            crash.cancel()
        if not call.done():
            call.cancel()
            raise DriverFault(Fault.CRASH, "the tab crashed")
        return call.result()

    async def _world_evaluate(self, context: int, expression: str) -> Any:
        reply = await self._watched(
            "Runtime.evaluate",
            {"expression": expression, "contextId": context, "returnByValue": True, "awaitPromise": True},
        )
        if "exceptionDetails" in reply:
            details = reply["exceptionDetails"]
            text = (details.get("exception") or {}).get("description") or details.get("text") or "script error"
            raise PlaywrightError(str(text)[:500])
        return reply["result"].get("value")

    async def screenshot(self, path: Path, full_page: bool = True) -> bool:
        if full_page and self.chromium:
            with contextlib.suppress(PlaywrightError):
                png, whole = await self._chromium_full_page()
                path.write_bytes(png)
                return whole
        with self._raising_faults():
            await self.page.screenshot(path=str(path), full_page=full_page)
        return full_page

    async def _chromium_full_page(self) -> tuple[bytes, bool]:
        """The whole document in one capture, without resizing the viewport; True when it is the whole of it (a
        document taller or wider than MAX_CAPTURE_PX is captured down or across to there: Chromium cannot capture
        more at once, and tried for 30 s and more on a page made 2,300,000 px wide by one unbroken word).

        Pixel-identical to Playwright's full-page screenshot on the demo site at every viewport, and about 40 %
        cheaper: Playwright resizes the view and waits for animation frames around the capture."""
        devtools = await self._devtools()
        if self._pixel_ratio is None:
            self._pixel_ratio = float(await self.page.evaluate("devicePixelRatio"))
        size = (await devtools.send("Page.getLayoutMetrics"))["cssContentSize"]
        width, height = math.ceil(size["width"]), math.ceil(size["height"])
        most = MAX_CAPTURE_PX // max(1, math.ceil(self._pixel_ratio))
        across = min(width, most)
        down = min(height, most, int(MAX_CAPTURE_AREA / (max(1, across) * self._pixel_ratio**2)))
        clip = {"x": 0, "y": 0, "width": across, "height": down}
        # optimizeForSpeed: the same pixels, less compression. Measured over 20 pages: 34 ms a capture instead of
        # 46 ms, files 43 % larger (83 KiB instead of 58 KiB).
        options = {"format": "png", "captureBeyondViewport": True, "optimizeForSpeed": True}
        shot = await devtools.send("Page.captureScreenshot", {**options, "clip": {**clip, "scale": self._pixel_ratio}})
        return base64.b64decode(shot["data"]), height <= down and width <= across

    async def evaluate_listing(self, function: str, arg: Any = None) -> Any:
        if not self.chromium:
            return None
        devtools = await self._devtools()
        with self._raising_faults():
            reply = await devtools.send(
                "Runtime.evaluate",
                {
                    "expression": f"({function})({json.dumps(arg)})",
                    "includeCommandLineAPI": True,
                    "returnByValue": True,
                    "awaitPromise": True,
                },
            )
        if "exceptionDetails" in reply:
            raise PlaywrightError(reply["exceptionDetails"].get("text", "script error"))
        return reply["result"].get("value")

    async def _devtools(self) -> Any:
        """Chromium's DevTools session for this tab, for what Playwright has no call for."""
        if self._cdp is None:
            self._cdp = await self.context.new_cdp_session(self.page)
        return self._cdp

    async def set_viewport(self, width: int, height: int) -> None:
        with self._raising_faults():
            await self.page.set_viewport_size({"width": width, "height": height})

    async def press(self, key: str) -> None:
        with self._raising_faults():
            await self.page.keyboard.press(key)

    async def hover(self, x: float, y: float) -> bool:
        with self._raising_faults():
            await self.page.mouse.move(x, y, steps=4)
        return True

    async def cookies(self) -> list[dict[str, Any]] | None:
        with self._raising_faults():
            jar = await self.context.cookies()
        return [{k: v for k, v in c.items() if k != "value"} for c in jar]

    async def clear_cookies(self) -> bool:
        with self._raising_faults():
            await self.context.clear_cookies()
        return True

    async def document_source(self) -> str | None:
        if self._response is None:
            return None
        with self._raising_faults():
            try:
                return await self._response.text()
            except PlaywrightError:  # the body is gone (the tab moved on) or never kept
                return None

    async def close(self) -> None:
        # Closing the context kills its renderer, even one stuck in an endless script.
        with contextlib.suppress(PlaywrightError, TimeoutError):
            await asyncio.wait_for(self.context.close(), CLOSE_TIMEOUT_S)


def access_options(access: SiteAccess) -> dict[str, Any]:
    """A context's TLS and Basic-auth options: the credentials answer a 401 from the site's own origin only
    (Playwright's ``origin``), never an off-site frame or a page the site redirects to."""
    options: dict[str, Any] = {"ignore_https_errors": access.tls.insecure}
    if access.http_credentials and access.origins:
        user, password = access.http_credentials
        options["http_credentials"] = {"username": user, "password": password, "origin": access.origins[0]}
    return options


async def grant_access(page: PWPage, access: SiteAccess, chromium: bool) -> None:
    """The site's cookies (bound to its hosts) and extra headers, on requests to the allowed origins only; before
    the page's first navigation.

    Not ``extra_http_headers``: Playwright sends those to every origin. Nor, in Chromium, a route: Playwright puts
    the headers a route added on every redirect hop of that request, so a redirect from the site to another origin
    carried them. Chromium's own request interception (DevTools ``Fetch``) overrides headers for one hop only and
    pauses each hop again, where the origin is judged anew. Both cost a round trip per request, so they are set
    only when there are headers."""
    cookies = [c for c in map(access.scoped_cookie, access.cookies) if c]
    if cookies:
        await page.context.add_cookies(cookies)
    if not access.headers:
        return
    if chromium:
        await _chromium_headers(page, access)
        return

    async def add_headers(route: Any, request: Any) -> None:
        if access.allows(request.url):
            await route.continue_(headers=_with_site_headers(request.headers, access))
        else:
            await route.continue_()

    await page.route("**/*", add_headers)


def _with_site_headers(headers: dict[str, str], access: SiteAccess) -> dict[str, str]:
    names = {name.lower() for name in access.headers}
    return {**{k: v for k, v in headers.items() if k.lower() not in names}, **access.headers}


async def _chromium_headers(page: PWPage, access: SiteAccess) -> None:
    cdp = await page.context.new_cdp_session(page)

    async def paused(event: dict[str, Any]) -> None:
        request = event["request"]
        params: dict[str, Any] = {"requestId": event["requestId"]}
        if access.allows(request["url"]):
            headers = _with_site_headers(request["headers"], access)
            # Never the Referer: one given in the override becomes a fixed referrer that Chromium keeps whole on
            # every redirect hop (policy "never clear"), so a hop to another origin got the page's full URL, a
            # ?token= included. Left out, the browser keeps its own referrer and trims it by the page's policy.
            params["headers"] = [{"name": k, "value": v} for k, v in headers.items() if k.lower() != "referer"]
        with contextlib.suppress(PlaywrightError):  # the page or the request went away meanwhile
            await cdp.send("Fetch.continueRequest", params)

    cdp.on("Fetch.requestPaused", paused)
    await cdp.send("Fetch.enable", {"patterns": [{"urlPattern": "*", "requestStage": "Request"}]})


class PlaywrightEngine:
    driver = "playwright"

    def __init__(
        self,
        pw: Playwright,
        spec: BrowserSpec,
        browser: Browser,
        product: str,
        preload: tuple[str, ...] = (),
        executable: str = "",
    ) -> None:
        self.pw = pw
        self.spec = spec
        self.preload = preload
        self.browser = browser
        self.product = product
        self.version = browser.version
        self.executable = executable

    def _context_options(self, viewport: ViewportSpec) -> dict[str, Any]:
        if viewport.device:
            if viewport.device not in self.pw.devices:
                raise BrowserUnavailable(f"viewport {viewport.name}: unknown Playwright device '{viewport.device}'")
            opts = dict(self.pw.devices[viewport.device])
            opts.pop("default_browser_type", None)
            if self.spec.engine == "firefox":
                opts.pop("is_mobile", None)  # Firefox has no mobile emulation
            return opts
        opts: dict[str, Any] = {
            "viewport": {"width": viewport.width, "height": viewport.height},
            "device_scale_factor": viewport.device_scale_factor,
            "has_touch": viewport.touch,
        }
        if viewport.mobile and self.spec.engine != "firefox":
            opts["is_mobile"] = True
        return opts

    async def new_session(self, viewport: ViewportSpec, access: SiteAccess | None = None) -> PlaywrightSession:
        access = access or SiteAccess()
        context = await self.browser.new_context(
            **self._context_options(viewport),
            accept_downloads=True,  # a download is reported (see _on_download), never kept
            **access_options(access),
        )
        # Sent once per context instead of once per page; runs in every document and frame before the page's own
        # scripts, so axe also reaches iframes.
        for source in self.preload:
            with contextlib.suppress(PlaywrightError):
                await context.add_init_script(source)
        page = await context.new_page()
        chromium = self.spec.engine == "chromium"
        await grant_access(page, access, chromium)
        return PlaywrightSession(context, page, viewport, chromium, precise_heap=chromium and not self.spec.endpoint)

    def alive(self) -> bool:
        """False once the browser process has died (crashed or killed); the crawl then relaunches it."""
        return self.browser.is_connected()

    async def close(self) -> None:
        with contextlib.suppress(PlaywrightError, TimeoutError):
            await asyncio.wait_for(self.browser.close(), CLOSE_TIMEOUT_S)


async def launch_playwright(pw: Playwright, spec: BrowserSpec, preload: tuple[str, ...] = ()) -> PlaywrightEngine:
    kind = getattr(pw, spec.engine)
    executable = ""
    try:
        if spec.endpoint:
            browser = await kind.connect(spec.endpoint)
        else:
            options: dict[str, Any] = {"headless": spec.headless, "args": list(spec.args)}
            if spec.engine == "chromium" and not any(a.startswith("--js-flags") for a in spec.args):
                # V8's optimizing compilers compile axe-core anew in every document, which is gone a second later:
                # without them a visit costs about 15 % less CPU. But on a page of 27,000 elements the rule engines'
                # loops run long enough to pay for Maglev (axe 3.5 s instead of 5.2 s): it stays on for code that
                # runs that long, and a 149-page audit costs the same CPU as with the baseline compilers alone
                # (42.2 s with this against 42.0 s without, three runs each). browsers.yaml args win.
                options["args"].append(f"--js-flags={CHROMIUM_JS_FLAGS}")
            if spec.engine == "chromium" and PRECISE_HEAP_FLAG not in spec.args:
                options["args"].append(PRECISE_HEAP_FLAG)
            if spec.engine == "chromium":
                options["args"] += chromium_args(spec.trusted)  # the staging site's verified certificate
            if spec.channel:
                options["channel"] = spec.channel
            if spec.executable:
                options["executable_path"] = spec.executable
            elif spec.engine == "chromium" and not spec.channel:
                options["executable_path"] = chromium_executable(pw, spec.headless)
            browser = await kind.launch(**options)
            executable = options.get("executable_path") or kind.executable_path
    except PlaywrightError as exc:
        raise BrowserUnavailable(
            f"browser '{spec.name}' ({spec.engine}) could not be started: {first_line(exc)}; run 'qa setup'"
        ) from None
    return PlaywrightEngine(pw, spec, browser, PRODUCTS[spec.engine], preload, executable)


def _detail(exc: BaseException) -> str:
    """``Page.goto: net::ERR_X at URL`` -> ``net::ERR_X at URL`` (the API name means nothing to a reader)."""
    return re.sub(r"^[A-Za-z]+\.[A-Za-z]+: ", "", first_line(exc))
