"""Firefox driven directly over WebDriver BiDi: no Playwright driver, no geckodriver, no relay.

Used for a stock Firefox (Debian's firefox-esr) when Playwright's own Firefox is not installed. Playwright's
``moz-firefox`` channel works on Firefox ESR only through a relay, and it costs about twice the CPU per visit: its
node driver and the relay handle every message, its full-page screenshot resizes the view, and it subscribes to
every event. Here one websocket carries exactly what the checks use: about half the time per visit.

One browser process per engine; a session is a window in its own user context (cookies and storage apart, as
Playwright's contexts are). Events are routed to the session whose window (or one of its frames) raised them.
Library scripts (axe-core) are preloaded into top-level documents and sent into frames when needed: see ``_open``.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
import os
import re
import shutil
import signal
import tempfile
import time
from pathlib import Path
from typing import Any

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from qa.access import SiteAccess
from qa.errors import BrowserUnavailable
from qa.visit._common import BODY_JS, STRINGIFY_JS, EventLog, code_fault, content_length, key_code, key_parts
from qa.visit.driver import DriverFault, Fault, Library, Navigation, PageEvents
from qa.visit.matrix import BrowserSpec, ViewportSpec
from qa.visit.tls import firefox_overrides
from qa.visit.xvfb import die_with_parent

START_TIMEOUT_S = 60
COMMAND_TIMEOUT_S = 60  # no command may hang a worker forever (a hung content process never answers)
CLOSE_TIMEOUT_S = 10
# BiDi has no event per chunk of a response: a navigation still loading after SIZE_WATCH_AFTER_S has its document
# measured in the page every SIZE_WATCH_S (BODY_JS), so that one past the size limit is stopped however it came.
# A content process busy parsing a huge document answers in seconds.
SIZE_WATCH_AFTER_S = 1.0
SIZE_WATCH_S = 0.5
PROBE_TIMEOUT_S = 5
_LISTENING = re.compile(r"WebDriver BiDi listening on (ws://\S+)")
EVENTS = [
    "browsingContext.contextCreated",  # frames: their events belong to the tab they live in
    "browsingContext.contextDestroyed",
    "browsingContext.userPromptOpened",
    "browsingContext.downloadWillBegin",  # the navigation became a download (denied: see BidiEngine.start)
    "log.entryAdded",
    "network.responseStarted",
    "network.responseCompleted",  # of the tab's own document: all of it arrived (vs. a server still sending)
    "network.fetchError",
]
# What Playwright and Puppeteer set for automation: no update checks, telemetry or other background traffic, and
# no dialogs of the browser's own. Firefox's remote agent adds its recommended automation preferences itself.
PREFS: dict[str, Any] = {
    "app.normandy.api_url": "",
    "app.update.checkInstallTime": False,
    "app.update.disabledForTesting": True,
    "browser.chrome.site_icons": False,  # the favicon request is the browser's, not the page's: no finding for it
    "browser.contentblocking.features.standard": "-tp,tpPrivate,cookieBehavior0,-cm,-fp",
    "browser.newtabpage.enabled": False,
    "browser.pagethumbnails.capturing_disabled": True,
    "browser.safebrowsing.blockedURIs.enabled": False,
    "browser.safebrowsing.downloads.enabled": False,
    "browser.safebrowsing.malware.enabled": False,
    "browser.safebrowsing.phishing.enabled": False,
    "browser.search.update": False,
    "browser.sessionstore.resume_from_crash": False,
    # No back-forward cache: the crawl never goes back, and each page it left was frozen and kept alive for nothing
    # (about 9 ms of parent CPU per visit, measured).
    "browser.sessionhistory.max_total_viewers": 0,
    "fission.bfcacheInParent": False,
    "browser.shell.checkDefaultBrowser": False,
    "browser.startup.homepage": "about:blank",
    "browser.startup.page": 0,
    "browser.translations.automaticallyPopup": False,
    "browser.uitour.enabled": False,
    "browser.warnOnQuit": False,
    "datareporting.healthreport.uploadEnabled": False,
    "datareporting.policy.dataSubmissionEnabled": False,
    "devtools.jsonview.enabled": False,
    "dom.ipc.reportProcessHangs": False,
    "dom.max_script_run_time": 0,
    # Every tab is checked at once: none may be throttled as a background tab (axe yields through timers).
    "dom.min_background_timeout_value": 0,
    "dom.min_background_timeout_value_without_budget_throttling": 0,
    "dom.timeout.enable_budget_timer_throttling": False,
    "layout.testing.top-level-always-active": True,
    "dom.security.https_first": False,
    "extensions.update.enabled": False,
    "extensions.getAddons.cache.enabled": False,
    # Built-in add-ons that watch every page for the browser's own features: form autofill scans each page's
    # forms, picture-in-picture its videos, and the IP-protection helper follows every tab's title and address
    # (for a few streaming sites) through the extension tab API. None changes how a page renders or behaves;
    # together about 20 ms of CPU per page (content and parent processes, measured).
    "extensions.formautofill.addresses.supported": "off",
    "extensions.formautofill.creditCards.supported": "off",
    "media.videocontrols.picture-in-picture.enabled": False,
    "media.videocontrols.picture-in-picture.video-toggle.enabled": False,
    "extensions.ippactivator.tabBreakagesUrl": "none.json",  # no site list: it registers no tab listener
    "extensions.ippactivator.webrequestBreakagesUrl": "none.json",
    "geo.provider.testing": True,
    "hangmonitor.timeout": 0,
    # IonMonkey (the optimizing JIT) only for code that runs ten times longer than by default, as Chromium keeps
    # Maglev for long-running code only (qa.visit.playwright_driver): the rule engines are compiled anew in every
    # document and gone a second later, so Ion's compilations of them rarely pay off. Measured, Firefox alone:
    # - the accessibility family, 149 pages, one cell: 103.9 s of CPU by default, 96.8 s with this, 96.2 s without
    #   Ion at all (two runs each);
    # - axe on one page of 27,000 elements: 5.7 s by default, 6.1 s with this, 7.9 s without Ion.
    "javascript.options.ion.threshold": 15_000,
    "media.gmp-manager.updateEnabled": False,
    "network.captive-portal-service.enabled": False,
    "network.connectivity-service.enabled": False,
    "network.http.speculative-parallel-limit": 0,
    "network.manage-offline-status": False,
    # No history: links render unvisited whatever the crawl order (Firefox's history outlives the user contexts),
    # and the parent process writes neither every visit into its database nor its session file every 15 s.
    "places.history.enabled": False,
    "layout.css.visited_links_enabled": False,
    "browser.sessionstore.interval": 3_600_000,
    "privacy.trackingprotection.enabled": False,
    "signon.rememberSignons": False,
    "toolkit.telemetry.enabled": False,
    "toolkit.legacyUserProfileCustomizations.stylesheets": True,  # reads BROWSER_UI_CSS
}
# The browser's own toolbars (tab strip, address bar, bookmarks), hidden: nobody looks at a headless window's UI,
# yet Firefox laid it out and painted it again on every navigation (title, address, throbber). Hidden, the parent
# process uses about a third less CPU over a 3-viewport crawl. The page's viewport is set apart
# (``setViewport``) and ``display-mode`` stays ``browser`` (``--kiosk`` would make it ``fullscreen``).
BROWSER_UI_CSS = "#navigator-toolbox { display: none !important; }\n"
# Fetch metadata destinations as Playwright's resource types, which the browser check's findings use.
_DESTINATIONS = {"style": "stylesheet", "": "other"}


class BidiError(RuntimeError):
    """The browser refused a command, or a script failed in the page."""


class BrowserGone(DriverFault, BidiError):
    """The connection to Firefox is lost: the browser died or was killed."""

    def __init__(self) -> None:
        super().__init__(Fault.BROWSER_GONE, "the connection to Firefox was lost")


class Connection:
    """One websocket to the browser: commands matched to replies by id, events handed to a callback."""

    def __init__(self, ws: ClientConnection, on_event: Any) -> None:
        self.ws = ws
        self.on_event = on_event
        self.next_id = 0
        self.pending: dict[int, asyncio.Future] = {}
        self.closed = False
        self.reader = asyncio.ensure_future(self._read())

    async def _read(self) -> None:
        try:
            async for raw in self.ws:
                message = json.loads(raw)
                waiter = self.pending.pop(message.get("id"), None) if "id" in message else None
                if waiter is not None:
                    if not waiter.done():
                        waiter.set_result(message)
                elif message.get("type") == "event":
                    self.on_event(message["method"], message.get("params") or {})
        except ConnectionClosed:
            pass
        finally:
            self.closed = True
            for waiter in self.pending.values():
                if not waiter.done():
                    waiter.set_exception(BrowserGone())
            self.pending.clear()

    async def send(self, method: str, params: dict[str, Any], timeout_s: float = COMMAND_TIMEOUT_S) -> dict[str, Any]:
        if self.closed:
            raise BrowserGone()
        self.next_id += 1
        ident = self.next_id
        waiter = asyncio.get_running_loop().create_future()
        self.pending[ident] = waiter
        try:
            await self.ws.send(json.dumps({"id": ident, "method": method, "params": params}))
            reply = await asyncio.wait_for(waiter, timeout_s)
        except ConnectionClosed:
            raise BrowserGone() from None
        finally:
            self.pending.pop(ident, None)
        if reply.get("type") == "error":
            raise BidiError(f"{method}: {reply.get('error')}: {reply.get('message', '')}".strip())
        return reply.get("result") or {}

    async def close(self) -> None:
        with contextlib.suppress(Exception):
            await asyncio.wait_for(self.ws.close(), CLOSE_TIMEOUT_S)
        self.reader.cancel()


def _header(response: dict[str, Any], name: str) -> str:
    for h in response.get("headers") or []:
        if str(h.get("name", "")).lower() == name:
            value = h.get("value") or {}
            return str(value.get("value", "")) if isinstance(value, dict) else str(value)
    return ""


class BidiSession(EventLog):
    def __init__(self, engine: BidiEngine, context: str, user_context: str, viewport: ViewportSpec) -> None:
        self.engine = engine
        self.context = context
        self.user_context = user_context
        self.viewport = viewport
        self.max_document_bytes: int | None = None
        self.credentials: tuple[str, str] | None = None
        self.access: SiteAccess | None = None  # where credentials and headers may go (set by BidiEngine._grant)
        self._events = PageEvents()
        self._documents: list[dict[str, Any]] = []  # responses of this tab's own document, redirects first
        self._too_large = asyncio.Event()
        self._parsed = 0  # the document's markup parsed so far, as last measured (see _watch_size)
        self._downloading = False
        self._answers: set[asyncio.Future] = set()
        # request id -> the URL of its latest response: Firefox's authRequired names the request's first hop (the
        # site's URL and its 302) when the challenge came from the page it redirected to.
        self._responded: dict[str, str] = {}
        self._sandboxes: set[str] = set()  # the sandboxes whose library this tab preloads (evaluate_with)

    # --- events, routed here by the engine ----------------------------------------------------------------
    def event(self, method: str, params: dict[str, Any], top: bool) -> None:
        if method == "network.responseStarted":
            response, request = params.get("response") or {}, params.get("request") or {}
            if self.credentials:
                self._responded[str(request.get("request"))] = str(response.get("url", ""))
            if params.get("navigation") and top:
                self._on_document(response)
            elif int(response.get("status") or 0) >= 400 and not params.get("navigation"):
                self._add(
                    self._events.failed_requests,
                    {"url": response.get("url", ""), "type": _type(request), "status": response["status"]},
                )
        elif method == "network.responseCompleted":
            doc, response = self._document(), params.get("response") or {}
            if params.get("navigation") and top and doc.get("url") == response.get("url"):
                # All of it arrived: its size on the wire is exact unless it was compressed (then the page's own
                # measure, _watch_size, sees the decoded document grow).
                doc["complete"] = True
                doc["received"] = max(
                    int(response.get("bodySize") or 0), int((response.get("content") or {}).get("size") or 0)
                )
                if self.max_document_bytes and doc["received"] > self.max_document_bytes:
                    self._too_large.set()
        elif method == "network.fetchError":
            request = params.get("request") or {}
            if not (params.get("navigation") and top):
                error = params.get("errorText") or "failed"
                self._add(
                    self._events.failed_requests,
                    {"url": request.get("url", ""), "type": _type(request), "error": error},
                )
        elif method == "log.entryAdded":
            if params.get("type") == "javascript":
                self._add(self._events.js_errors, str(params.get("text", "")))
            elif params.get("level") == "error":
                self._add(self._events.console_errors, str(params.get("text", "")))
        elif method == "browsingContext.downloadWillBegin" and top:
            self._downloading = True
        elif method == "browsingContext.userPromptOpened":
            self._add(self._events.dialogs, f"{params.get('type')}: {params.get('message', '')}")
            self._later(self._dismiss(params.get("context") or self.context))
        elif method == "network.authRequired" and self.credentials:
            request = params.get("request") or {}
            challenger = self._responded.get(str(request.get("request")), str(request.get("url", "")))
            self._later(self._authenticate(params, challenger))
        elif method == "network.beforeRequestSent" and params.get("isBlocked") and self.access is not None:
            self._later(self._add_headers(params))

    def _later(self, work: Any) -> None:
        """Answer the browser without holding up the event being routed; the task is kept until it is done (a
        task nothing refers to may be collected half-way)."""
        task = asyncio.ensure_future(work)
        self._answers.add(task)
        task.add_done_callback(self._answers.discard)

    def _on_document(self, response: dict[str, Any]) -> None:
        size = content_length(_header(response, "content-length"))
        self._documents.append(
            {
                "url": response.get("url", ""),
                "status": response.get("status"),
                "type": _header(response, "content-type") or response.get("mimeType", ""),
                "bytes": size,
                "attachment": _header(response, "content-disposition").lower().startswith("attachment"),
            }
        )
        if self.max_document_bytes and size is not None and size > self.max_document_bytes:
            self._too_large.set()

    async def _dismiss(self, context: str) -> None:
        with contextlib.suppress(BidiError, TimeoutError):
            await self._send("browsingContext.handleUserPrompt", {"context": context, "accept": False})

    async def _authenticate(self, params: dict[str, Any], challenger: str) -> None:
        """Answer a 401 with the site's credentials when it comes from an allowed origin (``challenger``: the URL
        whose response asked); any other challenge (an off-site frame, a page the site redirected to) is refused,
        and that page shows its 401."""
        assert self.credentials is not None and self.access is not None
        user, password = self.credentials
        request = params.get("request") or {}
        answer: dict[str, Any] = {"request": request.get("request"), "action": "cancel"}
        if self.access.allows(str(request.get("url", ""))) and self.access.allows(challenger):
            credentials = {"type": "password", "username": user, "password": password}
            answer.update(action="provideCredentials", credentials=credentials)
        with contextlib.suppress(BidiError, TimeoutError):
            await self._send("network.continueWithAuth", answer)

    async def _add_headers(self, params: dict[str, Any]) -> None:
        """The site's extra headers on a request to an allowed origin (the intercept matches the origins' hosts;
        the exact origin is checked here); other requests go on unchanged."""
        assert self.access is not None
        request = params.get("request") or {}
        answer: dict[str, Any] = {"request": request.get("request")}
        if self.access.allows(str(request.get("url", ""))):
            extra = {k.lower() for k in self.access.headers}
            kept = [h for h in request.get("headers") or [] if str(h.get("name", "")).lower() not in extra]
            answer["headers"] = kept + [
                {"name": k, "value": {"type": "string", "value": v}} for k, v in self.access.headers.items()
            ]
        with contextlib.suppress(BidiError, TimeoutError):
            await self._send("network.continueRequest", answer)

    async def _send(self, method: str, params: dict[str, Any], timeout_s: float = COMMAND_TIMEOUT_S) -> dict[str, Any]:
        return await self.engine.connection.send(method, params, timeout_s)

    # --- the Session interface ------------------------------------------------------------------------------
    async def goto(self, url: str, timeout_s: float) -> Navigation:
        self._reset_events()
        self._documents = []
        self._responded = {}
        self._too_large = asyncio.Event()
        self._parsed = 0
        self._downloading = False
        started = time.perf_counter()
        load = asyncio.ensure_future(
            self._send("browsingContext.navigate", {"context": self.context, "url": url, "wait": "complete"}, timeout_s)
        )
        big = asyncio.ensure_future(self._too_large.wait())
        watch = asyncio.ensure_future(self._watch_size())
        await asyncio.wait([load, big], return_when=asyncio.FIRST_COMPLETED)
        big.cancel()
        watch.cancel()
        fault, error, body = None, "", {}
        if not load.done():  # the document's headers or its size so far say it is too large: stop it now
            load.cancel()
            await self._blank()
            fault = Fault.TOO_LARGE
            doc = self._document()
            if self._parsed or doc.get("received"):
                body = {"received_bytes": max(self._parsed, doc.get("received", 0)), "body_complete": "complete" in doc}
        else:
            try:
                load.result()
                body = {"body_complete": True}
            except TimeoutError:
                body = await self._body()  # before leaving it: how much of it came
                await self._blank()
                too_big = self.max_document_bytes and body.get("received_bytes", 0) > self.max_document_bytes
                fault = Fault.TOO_LARGE if too_big else Fault.TIMEOUT
            except DriverFault as exc:
                fault, error = exc.fault, exc.detail
            except BidiError as exc:
                fault, error = code_fault(str(exc)), str(exc).removeprefix("browsingContext.navigate: ")
        if self._downloading:  # Firefox reports a denied download as a navigation that went well, or aborted
            fault = Fault.DOWNLOAD
        load_ms = (time.perf_counter() - started) * 1000
        doc = self._document()
        redirects = [d["url"] for d in self._documents[:-1] if 300 <= int(d.get("status") or 0) < 400]
        if fault:
            return Navigation(
                None,
                url,
                content_type=doc.get("type", ""),
                fault=fault,
                error=error,
                load_ms=load_ms,
                document_bytes=body.get("received_bytes") if fault == Fault.TOO_LARGE and body else doc.get("bytes"),
                responded=bool(doc),
                attachment=doc.get("attachment", False),
                redirects=redirects,
                **body,
            )
        return Navigation(
            status=doc.get("status"),
            final_url=doc.get("url") or load.result().get("url") or url,
            content_type=doc.get("type", ""),
            load_ms=load_ms,
            redirects=redirects,
            document_bytes=doc.get("bytes"),
            **body,
        )

    def _document(self) -> dict[str, Any]:
        return self._documents[-1] if self._documents else {}

    async def _body(self) -> dict[str, Any]:
        """The document being loaded as the page holds it (BODY_JS): its markup so far and whether its response has
        ended; nothing while another document is still shown or the page cannot answer."""
        doc = self._document()
        if not doc:
            return {}
        try:
            where, parsed = await asyncio.wait_for(self.evaluate(BODY_JS), PROBE_TIMEOUT_S)
        except (BidiError, TimeoutError, ValueError, TypeError):
            return {"body_complete": bool(doc.get("complete"))}
        if where != doc.get("url"):
            return {"body_complete": bool(doc.get("complete"))}
        self._parsed = int(parsed or 0)
        received = max(self._parsed, doc.get("received", 0))
        return {"received_bytes": received, "body_complete": bool(doc.get("complete"))}

    async def _watch_size(self) -> None:
        """Stop a document that grows past the limit while it loads (see SIZE_WATCH_AFTER_S)."""
        if not self.max_document_bytes:
            return
        await asyncio.sleep(SIZE_WATCH_AFTER_S)
        while True:
            body = await self._body()
            if body.get("received_bytes", 0) > self.max_document_bytes:
                self._too_large.set()
                return
            await asyncio.sleep(SIZE_WATCH_S)

    async def _blank(self) -> None:
        with contextlib.suppress(BidiError, TimeoutError):
            await self._send(
                "browsingContext.navigate", {"context": self.context, "url": "about:blank", "wait": "none"}, 5
            )

    async def evaluate(self, function: str, arg: Any = None) -> Any:
        # One JSON string each way instead of BiDi's typed value trees.
        declaration = f"async (argJson) => {STRINGIFY_JS}(await ({function})(JSON.parse(argJson)))"
        reply = await self._send(
            "script.callFunction",
            {
                "functionDeclaration": declaration,
                "arguments": [{"type": "string", "value": json.dumps(arg)}],
                "awaitPromise": True,
                "target": {"context": self.context},
                "resultOwnership": "none",
            },
        )
        if reply.get("type") == "exception":
            details = reply.get("exceptionDetails") or {}
            raise BidiError(str(details.get("text") or "the script failed")[:500])
        value = (reply.get("result") or {}).get("value")
        return None if value is None else json.loads(value)

    async def inject(self, source: str, present: str) -> None:
        """Into the tab's document and every frame in it (axe in the top document asks the frames' axe)."""
        tree = await self._send("browsingContext.getTree", {"root": self.context})
        contexts, todo = [], list(tree.get("contexts") or [])
        while todo:
            node = todo.pop()
            contexts.append(node["context"])
            todo += node.get("children") or []
        for context in contexts:
            try:
                there = await self._send(
                    "script.evaluate",
                    {"expression": f"!!({present})", "target": {"context": context}, "awaitPromise": False},
                )
                if (there.get("result") or {}).get("value") is not True:
                    await self._send(
                        "script.evaluate",
                        {"expression": source, "target": {"context": context}, "awaitPromise": False},
                    )
            except BidiError:
                if context == self.context:
                    raise
                # A frame that went away meanwhile; axe reports a frame it cannot reach as not tested.

    async def evaluate_with(self, library: Library, function: str, arg: Any = None) -> Any:
        """In the sandbox ``library.world`` of the top document, Firefox's isolated world (see
        Session.evaluate_with): preloaded there for this tab's later top-level documents with its first call, and
        sent into a document the preload did not reach."""
        target = {"context": self.context, "sandbox": library.world}
        if library.world not in self._sandboxes:
            guarded = f"() => {{ if (window !== window.top) return;\n{library.source}\n}}"
            await self._send(
                "script.addPreloadScript",
                {"functionDeclaration": guarded, "contexts": [self.context], "sandbox": library.world},
            )
            self._sandboxes.add(library.world)
        declaration = (
            f"async (argJson) => {{ if (!({library.present})) return null;"
            f" return {STRINGIFY_JS}(await ({function})(JSON.parse(argJson))); }}"
        )
        call = {
            "functionDeclaration": declaration,
            "arguments": [{"type": "string", "value": json.dumps(arg)}],
            "awaitPromise": True,
            "target": target,
            "resultOwnership": "none",
        }
        for sent in (False, True):
            reply = await self._send("script.callFunction", call)
            if reply.get("type") == "exception":
                details = reply.get("exceptionDetails") or {}
                raise BidiError(str(details.get("text") or "the script failed")[:500])
            value = (reply.get("result") or {}).get("value")
            if value is not None:
                return json.loads(value)
            if not sent:
                await self._send(
                    "script.evaluate", {"expression": library.source, "target": target, "awaitPromise": False}
                )
        raise BidiError(f"{library.world}: the library did not load into the document")

    async def screenshot(self, path: Path, full_page: bool = True) -> bool:
        params = {"context": self.context, "origin": "document" if full_page else "viewport"}
        try:
            shot = await self._send("browsingContext.captureScreenshot", params)
        except BidiError:
            if not full_page:
                raise
            # A document taller than the largest canvas Firefox will paint: the viewport, and the caller says so.
            shot = await self._send("browsingContext.captureScreenshot", {**params, "origin": "viewport"})
            full_page = False
        path.write_bytes(base64.b64decode(shot["data"]))
        return full_page

    async def set_viewport(self, width: int, height: int) -> None:
        await self._send(
            "browsingContext.setViewport", {"context": self.context, "viewport": {"width": width, "height": height}}
        )

    async def evaluate_listing(self, function: str, arg: Any = None) -> Any:
        return None  # no DevTools console API over WebDriver

    async def press(self, key: str) -> None:
        modifiers, last = key_parts(key)
        actions = [{"type": "keyDown", "value": key_code(m)} for m in modifiers]
        actions += [{"type": "keyDown", "value": key_code(last)}, {"type": "keyUp", "value": key_code(last)}]
        actions += [{"type": "keyUp", "value": key_code(m)} for m in reversed(modifiers)]
        await self._send(
            "input.performActions",
            {"context": self.context, "actions": [{"type": "key", "id": "keyboard", "actions": actions}]},
        )

    async def hover(self, x: float, y: float) -> bool:
        move = {"type": "pointerMove", "x": round(x), "y": round(y), "duration": 40}
        await self._send(
            "input.performActions",
            {"context": self.context, "actions": [{"type": "pointer", "id": "mouse", "actions": [move]}]},
        )
        return True

    async def cookies(self) -> list[dict[str, Any]] | None:
        answer = await self._send("storage.getCookies", {"partition": self._partition()})
        return [
            {
                "name": c.get("name", ""),
                "domain": c.get("domain", ""),
                "path": c.get("path", "/"),
                "expires": c.get("expiry", -1),
                "httpOnly": bool(c.get("httpOnly")),
                "secure": bool(c.get("secure")),
                "sameSite": str(c.get("sameSite", "")).capitalize(),
            }
            for c in answer.get("cookies") or []
        ]

    async def clear_cookies(self) -> bool:
        await self._send("storage.deleteCookies", {"partition": self._partition()})
        return True

    async def document_source(self) -> str | None:
        return None  # the protocol gives the DOM, not the bytes the server sent

    def _partition(self) -> dict[str, str]:
        return {"type": "storageKey", "userContext": self.user_context}

    async def close(self) -> None:
        await self.engine.release(self)


def _type(request: dict[str, Any]) -> str:
    kind = str(request.get("destination") or request.get("initiatorType") or "")
    return _DESTINATIONS.get(kind, kind)


class BidiEngine:
    driver = "bidi"

    def __init__(self, spec: BrowserSpec, executable: str, preload: tuple[str, ...], devices: dict[str, Any]) -> None:
        self.spec = spec
        self.executable = executable
        self.preload = preload
        self.devices = devices
        self.product = "Firefox"
        self.version = ""
        self.profile = Path(tempfile.mkdtemp(prefix="qa-firefox-"))
        self.process: asyncio.subprocess.Process | None = None
        self.connection: Connection | None = None  # set by start()
        self.sessions: dict[str, BidiSession] = {}  # top-level context -> its session
        self.parents: dict[str, str] = {}  # frame context -> its parent
        self._stderr: asyncio.Future | None = None
        # A Firefox already running elsewhere (its Remote Agent's ws:// address): nothing is launched here, and
        # closing ends the session, never that browser. Its own profile and preferences stay as its owner set them.
        self.address = ""
        self.headers: dict[str, str] = {}

    async def connect(self, address: str, headers: dict[str, str]) -> None:
        """Drive the Firefox whose Remote Agent listens at ``address`` (``ws://host:port``, ``/session`` added)."""
        self.address, self.headers = address.rstrip("/"), headers
        if not self.address.endswith("/session"):
            self.address += "/session"
        await self._open(self.address, headers)

    async def start(self) -> None:
        write_profile(self.profile, self.spec.trusted)
        args = ["--remote-debugging-port=0", "--profile", str(self.profile), "--no-remote", *self.spec.args]
        if self.spec.headless:
            args.append("--headless")
        env = {**os.environ, "MOZ_CRASHREPORTER_DISABLE": "1", "MOZ_DISABLE_AUTO_SAFE_MODE": "1"}
        try:
            self.process = await asyncio.create_subprocess_exec(
                self.executable,
                *args,
                stdout=asyncio.subprocess.DEVNULL,
                stderr=asyncio.subprocess.PIPE,
                env=env,
                start_new_session=True,  # Firefox and its content processes end as one group
                preexec_fn=die_with_parent,
            )
        except OSError as exc:
            raise BrowserUnavailable(f"browser '{self.spec.name}' could not be started: {exc}") from None
        await self._open(await self._listening() + "/session")

    async def _open(self, url: str, headers: dict[str, str] | None = None) -> None:
        ws = await connect(
            url, max_size=None, open_timeout=START_TIMEOUT_S, ping_interval=None, additional_headers=headers
        )
        self.connection = Connection(ws, self._route)
        # Certificates are verified; a session's user context accepts bad ones only with tls.insecure (_grant).
        capabilities = {"acceptInsecureCerts": False, "unhandledPromptBehavior": {"default": "ignore"}}
        session = await self.connection.send("session.new", {"capabilities": {"alwaysMatch": capabilities}})
        self.version = str((session.get("capabilities") or {}).get("browserVersion", ""))
        await self.connection.send("session.subscribe", {"events": EVENTS})
        # A download is reported (downloadWillBegin), never written to the user's Downloads folder.
        await self.connection.send("browser.setDownloadBehavior", {"downloadBehavior": {"type": "denied"}})
        # ``preload`` runs in top-level documents only. Firefox runs a preload script in a frame's initial
        # about:blank only: the frame's real document reuses that window without running it again (axe there would
        # examine the blank document), so ``BidiSession.inject`` sends the libraries into frames when they are
        # checked. Measured over 10 pages: axe sent to each top-level document took 180 ms a page, preloaded ~50.
        for source in self.preload:
            guarded = f"() => {{ if (window !== window.top) return;\n{source}\n}}"
            await self.connection.send("script.addPreloadScript", {"functionDeclaration": guarded})

    async def _listening(self) -> str:
        assert self.process is not None and self.process.stderr is not None
        lines: list[str] = []
        try:
            async with asyncio.timeout(START_TIMEOUT_S):
                while True:
                    raw = await self.process.stderr.readline()
                    if not raw:
                        break
                    text = raw.decode("utf-8", "replace").strip()
                    lines.append(text)
                    found = _LISTENING.search(text)
                    if found:
                        # Firefox keeps writing to stderr: read it away so that it never blocks on a full pipe.
                        self._stderr = asyncio.ensure_future(self._drain())
                        return found.group(1)
        except TimeoutError:
            pass
        last = next((line for line in reversed(lines) if line), "no output")
        raise BrowserUnavailable(f"browser '{self.spec.name}' ({self.executable}) did not start: {last[:200]}")

    async def _drain(self) -> None:
        assert self.process is not None and self.process.stderr is not None
        while await self.process.stderr.read(65536):
            pass

    def _route(self, method: str, params: dict[str, Any]) -> None:
        if method == "browsingContext.contextCreated":
            if params.get("parent"):
                self.parents[params["context"]] = params["parent"]
            return
        if method == "browsingContext.contextDestroyed":  # a crawl of thousands of pages must not keep every frame
            self.parents.pop(params.get("context", ""), None)
            return
        context = params.get("context") or (params.get("source") or {}).get("context") or ""
        top = context
        for _ in range(32):  # frames nest; a cycle cannot happen, but a bound costs nothing
            if top in self.sessions or top not in self.parents:
                break
            top = self.parents[top]
        session = self.sessions.get(top)
        if session is not None:
            session.event(method, params, top == context)

    def alive(self) -> bool:
        """False once Firefox has died (crashed or killed); the crawl then relaunches it."""
        if self.connection is None or self.connection.closed:
            return False
        return bool(self.address) or (self.process is not None and self.process.returncode is None)

    def _size(self, viewport: ViewportSpec) -> tuple[int, int, float]:
        if viewport.device:
            if viewport.device not in self.devices:
                raise BrowserUnavailable(f"viewport {viewport.name}: unknown Playwright device '{viewport.device}'")
            device = self.devices[viewport.device]
            return device["viewport"]["width"], device["viewport"]["height"], device.get("device_scale_factor", 1)
        return viewport.width, viewport.height, viewport.device_scale_factor

    async def new_session(self, viewport: ViewportSpec, access: SiteAccess | None = None) -> BidiSession:
        access = access or SiteAccess()
        send = self.connection.send
        user_context = (await send("browser.createUserContext", {"acceptInsecureCerts": access.tls.insecure}))[
            "userContext"
        ]
        try:
            # A window, not a tab: a tab costs the parent process 20-30 % less CPU, but Firefox then requested each
            # page's style sheets and images twice (a broken image was reported twice), a load on the site.
            context = (await send("browsingContext.create", {"type": "window", "userContext": user_context}))["context"]
            session = BidiSession(self, context, user_context, viewport)
            self.sessions[context] = session
            width, height, ratio = self._size(viewport)
            await send(
                "browsingContext.setViewport",
                {"context": context, "viewport": {"width": width, "height": height}, "devicePixelRatio": ratio},
            )
            await self._grant(session, access)
        except BaseException:
            with contextlib.suppress(Exception):
                await send("browser.removeUserContext", {"userContext": user_context}, CLOSE_TIMEOUT_S)
            raise
        return session

    async def _grant(self, session: BidiSession, access: SiteAccess) -> None:
        """The staging site's credentials, headers and cookies, for this session only, and for the allowed
        origins only (``network.setExtraHeaders`` would send headers to every origin: an intercept adds them)."""
        send = self.connection.send
        session.access = access
        if access.http_credentials and access.origins:
            session.credentials = access.http_credentials
            await send("session.subscribe", {"events": ["network.authRequired"], "contexts": [session.context]})
            await send("network.addIntercept", {"phases": ["authRequired"], "contexts": [session.context]})
        if access.headers and access.origins:
            await send("session.subscribe", {"events": ["network.beforeRequestSent"], "contexts": [session.context]})
            patterns = [_url_pattern(o) for o in access.origins]
            await send(
                "network.addIntercept",
                {"phases": ["beforeRequestSent"], "contexts": [session.context], "urlPatterns": patterns},
            )
        for cookie in filter(None, map(access.scoped_cookie, access.cookies)):
            await send("storage.setCookie", _cookie(cookie, session.user_context))

    async def release(self, session: BidiSession) -> None:
        self.sessions.pop(session.context, None)
        if self.connection.closed:
            return
        with contextlib.suppress(BidiError, TimeoutError):
            await self.connection.send("browsingContext.close", {"context": session.context}, CLOSE_TIMEOUT_S)
        with contextlib.suppress(BidiError, TimeoutError):
            await self.connection.send(
                "browser.removeUserContext", {"userContext": session.user_context}, CLOSE_TIMEOUT_S
            )

    async def close(self) -> None:
        if self.connection is not None and not self.connection.closed:
            with contextlib.suppress(BidiError, TimeoutError):
                if self.address:  # someone else's browser: end our session, leave it running
                    for session in list(self.sessions.values()):
                        await self.release(session)
                    await self.connection.send("session.end", {}, CLOSE_TIMEOUT_S)
                else:
                    await self.connection.send("browser.close", {}, CLOSE_TIMEOUT_S)
        if self.connection is not None:
            await self.connection.close()
        if self.process is not None:
            try:
                await asyncio.wait_for(self.process.wait(), CLOSE_TIMEOUT_S)
            except TimeoutError:
                pass
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(self.process.pid, signal.SIGKILL)  # content processes that outlived their parent
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.process.wait(), CLOSE_TIMEOUT_S)
        if self._stderr is not None:
            self._stderr.cancel()
        shutil.rmtree(self.profile, ignore_errors=True)


def write_profile(profile: Path, trusted: tuple[tuple[str, str], ...] = ()) -> None:
    """The suite's Firefox profile (preferences, hidden toolbars, the site's verified certificates) in ``profile``.
    A Firefox started elsewhere for the suite (a ``bidi:`` endpoint) needs it too, or it fetches favicons and gives
    the address bar the focus of each new window, and its findings differ from a local run's."""
    profile.mkdir(parents=True, exist_ok=True)
    (profile / "user.js").write_text(
        "".join(f"user_pref({json.dumps(k)}, {json.dumps(v)});\n" for k, v in PREFS.items()), encoding="utf-8"
    )
    if trusted:  # the staging site's certificate, verified against tls.ca_bundle (qa.visit.tls)
        (profile / "cert_override.txt").write_text(firefox_overrides(trusted), encoding="utf-8")
    (profile / "chrome").mkdir(exist_ok=True)
    (profile / "chrome" / "userChrome.css").write_text(BROWSER_UI_CSS, encoding="utf-8")


def _url_pattern(origin: str) -> dict[str, str]:
    """A BiDi URL pattern for the requests to one origin (``scheme://host[:port]``)."""
    from urllib.parse import urlsplit

    parts = urlsplit(origin)
    pattern = {"type": "pattern", "protocol": parts.scheme, "hostname": parts.hostname or ""}
    if parts.port:
        pattern["port"] = str(parts.port)
    return pattern


def _cookie(cookie: dict[str, Any], user_context: str) -> dict[str, Any]:
    """A Playwright cookie dict (name, value, url or domain/path) as a BiDi ``storage.setCookie`` command."""
    from urllib.parse import urlsplit

    domain, path = cookie.get("domain"), cookie.get("path") or "/"
    if cookie.get("url"):
        parts = urlsplit(cookie["url"])
        domain = domain or parts.hostname
    value = {
        "name": cookie["name"],
        "value": {"type": "string", "value": str(cookie.get("value", ""))},
        "domain": domain,
        "path": path,
    }
    for key in ("secure", "httpOnly"):
        if key in cookie:
            value[key] = bool(cookie[key])
    return {"cookie": value, "partition": {"type": "storageKey", "userContext": user_context}}


async def launch_bidi(
    spec: BrowserSpec, executable: str, preload: tuple[str, ...] = (), devices: dict[str, Any] | None = None
) -> BidiEngine:
    engine = BidiEngine(spec, executable, preload, devices or {})
    try:
        await engine.start()
    except BaseException as exc:
        await engine.close()
        if isinstance(exc, (BidiError, OSError, ConnectionClosed)):
            raise BrowserUnavailable(f"browser '{spec.name}' ({executable}) could not be started: {exc}") from None
        raise
    return engine


if __name__ == "__main__":  # python -m qa.visit.bidi_driver DIR: the profile of a remote Firefox
    import sys

    write_profile(Path(sys.argv[1]))
