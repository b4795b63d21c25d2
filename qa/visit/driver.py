"""The one driver interface every engine implements, so checks and axe run the same way everywhere.

An :class:`Engine` is one browser process; a :class:`Session` is one tab at one viewport inside it.
Playwright (Chromium, Firefox, WebKit) and W3C WebDriver (WebKitGTK, Safari, a Grid) both fit behind it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from qa.access import SiteAccess
from qa.visit.matrix import BrowserSpec, ViewportSpec


@dataclass
class Navigation:
    status: int | None
    final_url: str
    content_type: str = ""
    load_ms: float = 0.0
    error: str = ""  # why navigation failed; empty when it succeeded
    redirects: list[str] = field(default_factory=list)
    # Size of the document from its Content-Length (None when not sent); an engine that can stops loading a
    # document larger than the session's ``max_document_bytes`` and says so in ``error``.
    document_bytes: int | None = None
    responded: bool = True  # False when the server never answered (vs. a page whose loading never finished)
    attachment: bool = False  # the server asked for a download (Content-Disposition: attachment)


@dataclass
class PageEvents:
    """What the page reported while loading and being checked."""

    console_errors: list[str] = field(default_factory=list)
    js_errors: list[str] = field(default_factory=list)
    failed_requests: list[dict[str, Any]] = field(default_factory=list)  # url, resource type, status/error
    dialogs: list[str] = field(default_factory=list)


class Session(Protocol):
    viewport: ViewportSpec

    async def goto(self, url: str, timeout_s: float) -> Navigation: ...

    async def evaluate(self, function: str, arg: Any = None) -> Any:
        """Call a JavaScript function expression such as ``"(arg) => document.title"``; promises are awaited."""
        ...

    async def inject(self, source: str, present: str) -> None:
        """Make sure a library script (e.g. axe-core) has run in the current document; ``present`` is a JavaScript
        expression that is true once it has (the engine preloaded it). Otherwise the script is sent now."""
        ...

    async def screenshot(self, path: Path, full_page: bool = True) -> bool:
        """Save a PNG; return True when the whole page was captured, False for the viewport only."""
        ...

    async def set_viewport(self, width: int, height: int) -> None: ...

    async def press(self, key: str) -> None:
        """Press a key on the keyboard (e.g. "Tab"), as a user would."""
        ...

    def take_events(self) -> PageEvents:
        """Events since the last call (the last navigation)."""
        ...

    async def close(self) -> None: ...


class Engine(Protocol):
    spec: BrowserSpec
    product: str  # the real engine, e.g. "Chromium", "Firefox", "WebKitGTK"
    version: str
    # Scripts run at the start of every document of every session (set at launch): the checks' libraries.
    preload: tuple[str, ...]

    async def new_session(self, viewport: ViewportSpec, access: SiteAccess | None = None) -> Session: ...

    async def close(self) -> None: ...
