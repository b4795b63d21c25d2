"""The one driver interface every engine implements, so the run layer and the checks work the same everywhere.

An :class:`Engine` is one browser process; a :class:`Session` is one tab at one viewport inside it.
Playwright (Chromium, Firefox, WebKit), WebDriver BiDi (Firefox) and W3C WebDriver (WebKitGTK, Safari, a Grid)
all fit behind it. What went wrong is told by type (:class:`Fault` on a :class:`Navigation`, :class:`DriverFault`
raised from any other call), decided inside each driver from its engine's own error codes and events: the layers
above never read an engine's wording.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any, Protocol

from qa.access import SiteAccess
from qa.visit.matrix import BrowserSpec, ViewportSpec


class Fault(StrEnum):
    """Why a navigation (or a later call in its tab) failed."""

    TIMEOUT = "timeout"  # the page did not load within the navigation timeout
    NETWORK = "network"  # connection refused or reset, DNS failure, empty response
    TLS = "tls"  # certificate or TLS handshake error
    TOO_LARGE = "too-large"  # the document is larger than the session's ``max_document_bytes``
    DOWNLOAD = "download"  # the response became a download (attachment, or a type the browser cannot show)
    REDIRECT_LOOP = "redirect-loop"
    CRASH = "crash"  # the tab's renderer (content, web) process died
    BROWSER_GONE = "browser-gone"  # the whole browser (or its driver connection) is gone
    ABORTED = "aborted"  # the browser gave up the navigation for a reason of its own
    OTHER = "other"  # an engine error the driver has no better word for (``detail`` says what)


class DriverFault(Exception):
    """A session call failed for a reason the driver knows (a crashed tab, a dead browser)."""

    def __init__(self, fault: Fault, detail: str = "") -> None:
        super().__init__(detail or fault.value)
        self.fault = fault
        self.detail = detail


@dataclass
class Navigation:
    status: int | None
    final_url: str
    content_type: str = ""
    load_ms: float = 0.0
    fault: Fault | None = None  # why navigation failed; None when it succeeded
    error: str = ""  # the engine's own words for the fault (for the record only: never classified)
    redirects: list[str] = field(default_factory=list)
    # Size of the document from its Content-Length (None when not sent); an engine that can stops loading a
    # document larger than the session's ``max_document_bytes``; every engine reports ``Fault.TOO_LARGE``.
    document_bytes: int | None = None
    responded: bool = True  # False when the server never answered (vs. a page whose loading never finished)
    # Whether the document's body had all arrived when the navigation ended: False for a server still sending it
    # (a slow drip), None when the engine cannot tell. A timeout with the body complete is the page's own doing.
    body_complete: bool | None = None
    # Bytes of the document's body received, decoded, when the engine counts them as they arrive: it then stops a
    # document that passes ``max_document_bytes`` whatever its headers said (chunked, compressed). None: not counted.
    received_bytes: int | None = None
    attachment: bool = False  # the server asked for a download (Content-Disposition: attachment)


@dataclass(frozen=True)
class Library:
    """A library script (a rule engine) that a check calls into: ``present`` is a JavaScript expression that is true
    once ``source`` has run in the document; ``world`` names the isolated world it gets where the engine has them."""

    world: str
    source: str
    present: str


@dataclass
class PageEvents:
    """What the page reported while loading and being checked."""

    console_errors: list[str] = field(default_factory=list)
    js_errors: list[str] = field(default_factory=list)
    failed_requests: list[dict[str, Any]] = field(default_factory=list)  # url, resource type, status/error
    dialogs: list[str] = field(default_factory=list)


class Session(Protocol):
    viewport: ViewportSpec
    # Documents larger than this (bytes: Content-Length, or the decoded bytes received where the engine counts
    # them) are not rendered, or at least reported as too large; None: no limit. Set before ``goto``.
    max_document_bytes: int | None

    async def goto(self, url: str, timeout_s: float) -> Navigation:
        """Load a page. Never raises for the page's own faults: they come back as ``Navigation.fault``."""
        ...

    async def evaluate(self, function: str, arg: Any = None) -> Any:
        """Call a JavaScript function expression such as ``"(arg) => document.title"``; promises are awaited.
        Raises :class:`DriverFault` when the tab crashed or the browser is gone."""
        ...

    async def evaluate_listing(self, function: str, arg: Any = None) -> Any:
        """Like :meth:`evaluate`, with the DevTools console's ``getEventListeners(node)`` in scope (the listeners a
        script added, not only ``on*`` attributes). None where the engine has no such API."""
        ...

    async def inject(self, source: str, present: str) -> None:
        """Make sure a library script (e.g. axe-core) has run in the current document; ``present`` is a JavaScript
        expression that is true once it has (the engine preloaded it). Otherwise the script is sent now."""
        ...

    async def evaluate_with(self, library: Library, function: str, arg: Any = None) -> Any:
        """Call ``function`` as :meth:`evaluate` does, in the top document, where ``library`` has run. Where the
        engine has isolated worlds (Chromium), the library is preloaded into every top-level document's world named
        ``library.world`` (sent there now when a document lacks it) and the function runs in that world: it shares
        the document's DOM and layout but not its JavaScript globals, so the library leaves nothing in the page's
        scripts and they cannot change it. Elsewhere the library is injected into the page (:meth:`inject`) and the
        function runs there (:func:`evaluate_in_page`)."""
        ...

    async def screenshot(self, path: Path, full_page: bool = True) -> bool:
        """Save a PNG; return True when the whole page was captured, False for part of it (the viewport, or the top
        of a page taller than the engine can capture at once)."""
        ...

    async def set_viewport(self, width: int, height: int) -> None: ...

    async def press(self, key: str) -> None:
        """Press a key on the keyboard (e.g. "Tab", "Shift+Tab"), as a user would."""
        ...

    async def hover(self, x: float, y: float) -> bool:
        """Move the mouse pointer to the viewport point (x, y), in small steps as a hand would, so CSS :hover and
        mouse events follow; False where the engine cannot move a pointer."""
        ...

    def take_events(self) -> PageEvents:
        """Events since the last call (the last navigation)."""
        ...

    async def cookies(self) -> list[dict[str, Any]] | None:
        """Every cookie the session's browser holds, third-party ones included (name, domain, path, expires in
        epoch seconds or -1 for a session cookie, httpOnly, secure, sameSite; never the value). None when the engine
        cannot list them all (the privacy check then says the cookies were not verified)."""
        ...

    async def clear_cookies(self) -> bool:
        """Forget every cookie of the session (a fresh visitor again); False when the engine cannot."""
        ...

    async def document_source(self) -> str | None:
        """The current document's HTML as the server sent it (decoded), before the browser's parser repaired it;
        None where the engine cannot give it."""
        ...

    async def close(self) -> None: ...


async def evaluate_in_page(session: Session, library: Library, function: str, arg: Any = None) -> Any:
    """:meth:`Session.evaluate_with` for an engine without isolated worlds: the library in the page itself."""
    await session.inject(library.source, library.present)
    return await session.evaluate(function, arg)


class Engine(Protocol):
    spec: BrowserSpec  # as configured in browsers.yaml
    product: str  # the real engine, e.g. "Chromium", "Firefox", "WebKitGTK"
    version: str
    driver: str  # what drives it in fact: "playwright", "bidi" or "webdriver" (whatever spec.driver asked for)
    executable: str  # the browser program that runs ("" when a remote endpoint or Playwright's own build)
    # Scripts run at the start of every document of every session (set at launch): the checks' libraries.
    preload: tuple[str, ...]

    async def new_session(self, viewport: ViewportSpec, access: SiteAccess | None = None) -> Session: ...

    def alive(self) -> bool:
        """False once the browser has died (crashed or killed): the crawl then relaunches it."""
        ...

    async def close(self) -> None: ...
