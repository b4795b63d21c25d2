"""Browsers elsewhere: a browsers.yaml entry's ``endpoints:``, several places one engine runs, used as one.

Each endpoint is a browser reached by URL: a Playwright browser server (``connect``), a Chromium DevTools endpoint
(``connect_over_cdp``, what cloud browser services offer), a W3C WebDriver server or Selenium Grid, a Firefox
Remote Agent (WebDriver BiDi); or ``local``, a browser launched here as the entry says. The pool is one
:class:`Engine` to the crawl: it runs as many workers as its endpoints have slots and opens each tab on the
endpoint with the most room. A lost endpoint (killed, connection closed) takes no more tabs: the crawl visits the
page it was on again on another endpoint (``Crawl.visit``), and the pool reconnects to it, at most every
``RECONNECT_S``, until it answers again. The tabs of a lost endpoint go to the others, beyond their slots: a
worker never waits for one endpoint to come back.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field, replace
from typing import Any

from playwright.async_api import Error as PlaywrightError
from playwright.async_api import Playwright

from qa.access import SiteAccess
from qa.errors import BrowserUnavailable
from qa.redact import MASK, redact_text, redact_url, register_secret
from qa.visit import faults
from qa.visit._common import first_line
from qa.visit.bidi_driver import BidiEngine
from qa.visit.driver import DriverFault, Engine, Fault, Session
from qa.visit.matrix import ENV_REFERENCE, BrowserSpec, Endpoint, ViewportSpec, expand_env
from qa.visit.playwright_driver import PRODUCTS, PlaywrightEngine
from qa.visit.webdriver_driver import launch_webdriver

CONNECT_TIMEOUT_S = 60  # a remote browser that has not answered by then is counted as down
RECONNECT_S = 10  # a lost endpoint is tried again at most this often
LOSS_GRACE_S = 3.0  # a tab's error can come before the news of its connection's end: waited for this long
# How a tab's visit ends when its whole browser goes
LOSS_KINDS = (faults.CRASH, faults.BROWSER_CRASH, faults.ERROR, faults.ABORTED, faults.UNRESPONSIVE)

Launcher = Callable[[Playwright, BrowserSpec, tuple[str, ...]], Awaitable[Engine]]


# A path segment that is a key rather than a name (a Playwright server's random path, a cloud session's token)
_KEY_SEGMENT = re.compile(r"(?<=/)(?=[A-Za-z0-9_-]*[0-9])[A-Za-z0-9_-]{16,}(?=/|$|\?)")


def endpoint_label(endpoint: Endpoint) -> str:
    """How an endpoint appears in results.json and messages: its URL as written (``${NAME}`` not expanded), with
    credentials, secret-looking parameters and key-like path segments masked."""
    if endpoint.kind == "local":
        return "local"
    return _KEY_SEGMENT.sub(MASK, redact_text(redact_url(endpoint.url)))


def _expanded(endpoint: Endpoint, where: str) -> tuple[str, dict[str, str]]:
    """The URL and headers with ``${NAME}`` read from the environment; the values are masked in every output."""
    url = expand_env(endpoint.url, where)
    headers = {name: expand_env(value, where) for name, value in endpoint.headers}
    for text in [endpoint.url, *(value for _, value in endpoint.headers)]:
        for name in ENV_REFERENCE.findall(text):
            register_secret(os.environ.get(name))  # the token itself, wherever an error message repeats it
    for value in headers.values():
        register_secret(value)
    return url, headers


async def connect(pw: Playwright, spec: BrowserSpec, endpoint: Endpoint, preload: tuple[str, ...]) -> Engine:
    """One remote browser, as an engine of the driver its protocol needs."""
    where = f"browser '{spec.name}' endpoint {endpoint_label(endpoint)}"
    url, headers = _expanded(endpoint, where)
    # ``endpoint`` holds the label: the drivers only test it (remote or not); a URL with a token never sits there
    member = replace(spec, endpoints=(), endpoint=endpoint_label(endpoint), trusted=())
    timeout_ms = CONNECT_TIMEOUT_S * 1000
    try:
        if endpoint.kind == "playwright":
            browser = await getattr(pw, spec.engine).connect(url, headers=headers or None, timeout=timeout_ms)
            return PlaywrightEngine(pw, member, browser, PRODUCTS[spec.engine], preload)
        if endpoint.kind == "cdp":
            browser = await pw.chromium.connect_over_cdp(url, headers=headers or None, timeout=timeout_ms)
            return PlaywrightEngine(pw, member, browser, PRODUCTS[spec.engine], preload)
        if endpoint.kind == "webdriver":
            member = replace(member, driver="webdriver", endpoint=url, webdriver=None)
            return await launch_webdriver(member, preload, headers)
        if endpoint.kind == "bidi":
            engine = BidiEngine(member, "", preload, pw.devices)
            try:
                await asyncio.wait_for(engine.connect(url, headers), CONNECT_TIMEOUT_S)
            except BaseException:
                await engine.close()
                raise
            return engine
    except BrowserUnavailable as exc:
        raise BrowserUnavailable(redact_text(str(exc))) from None
    except (PlaywrightError, OSError, TimeoutError, DriverFault, RuntimeError) as exc:
        raise BrowserUnavailable(f"{where}: could not connect: {redact_text(first_line(exc))[:300]}") from None
    raise BrowserUnavailable(f"{where}: unknown endpoint kind {endpoint.kind!r}")


@dataclass
class Member:
    """One endpoint of the pool and the browser connected there (None while it is down)."""

    endpoint: Endpoint
    engine: Engine | None = None
    slots: int = 1
    tabs: int = 0  # sessions open on it now
    generation: int = 0  # bumped on every (re)connection: a session of an older one is on a lost browser
    retry_at: float = 0.0
    versions: list[str] = field(default_factory=list)
    product: str = ""
    lost: int = 0
    reconnected: int = 0
    problem: str = ""  # why it is down (the last connection attempt's words, masked)
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    reviving: asyncio.Task[None] | None = None  # its reconnection under way
    counted: bool = False  # its present loss is counted in ``lost``

    @property
    def label(self) -> str:
        return endpoint_label(self.endpoint)

    def up(self) -> bool:
        return self.engine is not None and self.engine.alive()

    def record(self) -> dict[str, Any]:
        return {
            "endpoint": self.label,
            "kind": self.endpoint.kind,
            "product": self.product,
            "version": self.versions[-1] if self.versions else "",
            "versions": self.versions,  # more than one when a reconnection found another build
            "slots": self.slots,
            "lost": self.lost,
            "reconnected": self.reconnected,
            "problem": self.problem,
        }


class PooledSession:
    """A tab on one member: the member's own session, told apart by the endpoint that serves it."""

    def __init__(self, pool: EnginePool, member: Member, session: Session) -> None:
        object.__setattr__(self, "_pool", pool)
        object.__setattr__(self, "_member", member)
        object.__setattr__(self, "_inner", session)
        object.__setattr__(self, "_generation", member.generation)
        object.__setattr__(self, "endpoint", member.label)
        object.__setattr__(self, "_closed", False)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)

    def __setattr__(self, name: str, value: Any) -> None:
        setattr(self._inner, name, value)  # max_document_bytes, viewport: the driver's session reads them

    def gone(self) -> bool:
        """True when the browser this tab was in is gone (its endpoint died or was reconnected since)."""
        gone = self._member.generation != self._generation or not self._member.up()
        if gone:
            self._pool.notice()
        return gone

    async def lost(self, kind: str) -> bool:
        """Whether a visit that failed with error ``kind`` failed because its browser was lost. A tab's error can
        arrive before the news that the whole connection closed: for the kinds a lost browser gives, the answer
        waits up to ``LOSS_GRACE_S`` for it. A page's own fault (404, timeout, refused) is never a lost browser."""
        deadline = time.monotonic() + (LOSS_GRACE_S if kind in LOSS_KINDS else 0)
        while not self.gone() and time.monotonic() < deadline:
            await asyncio.sleep(0.1)
        return self.gone()

    async def close(self) -> None:
        if not self._closed:
            object.__setattr__(self, "_closed", True)
            self._member.tabs -= 1
            await self._inner.close()


class EnginePool:
    """Several browsers of one engine, one per endpoint, as one :class:`Engine`."""

    driver = "remote"
    executable = ""

    def __init__(self, pw: Playwright, spec: BrowserSpec, preload: tuple[str, ...], launch_local: Launcher) -> None:
        self.pw = pw
        self.spec = spec
        self.preload = preload
        self.launch_local = launch_local
        self.members = [Member(e, slots=e.slots or 1) for e in spec.endpoints]
        self.product = PRODUCTS.get(spec.engine, spec.engine)
        self.version = ""

    def workers(self, per_browser: int) -> int:
        """Pages in flight on the pool: each endpoint's slots; where it sets none, ``per_browser``, or one for a
        WebDriver server (WebKitWebDriver, safaridriver and geckodriver run one session at a time; a Grid says how
        many it takes in ``slots:``)."""
        for member in self.members:
            member.slots = member.endpoint.slots or (1 if member.endpoint.kind == "webdriver" else per_browser)
        return sum(m.slots for m in self.members)

    async def _open(self, member: Member) -> None:
        """(Re)connect one member, at most once every ``RECONNECT_S`` (an endpoint that answers and dies at once
        too); on failure it stays down."""
        member.retry_at = time.monotonic() + RECONNECT_S
        old, member.engine = member.engine, None
        if old is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(old.close(), CONNECT_TIMEOUT_S)
        try:
            if member.endpoint.kind == "local":
                engine = await self.launch_local(self.pw, replace(self.spec, endpoints=()), self.preload)
            else:
                engine = await connect(self.pw, self.spec, member.endpoint, self.preload)
        except (BrowserUnavailable, DriverFault, OSError) as exc:
            member.problem = redact_text(str(exc))[:300]
            return
        member.engine, member.problem, member.counted = engine, "", False
        member.product = engine.product
        if engine.version and engine.version not in member.versions:
            member.versions.append(engine.version)
        if member.generation:
            member.reconnected += 1
        member.generation += 1
        self.product, self.version = self.product or engine.product, self.version or engine.version

    async def start(self) -> None:
        await asyncio.gather(*(self._open(m) for m in self.members))
        up = [m for m in self.members if m.up()]
        if not up:
            why = "; ".join(f"{m.label}: {m.problem}" for m in self.members)
            raise BrowserUnavailable(f"browser '{self.spec.name}': no endpoint could be reached ({why})")
        self.product, self.version = up[0].product, up[0].versions[-1] if up[0].versions else ""

    async def _revive(self, member: Member) -> None:
        async with member.lock:
            if member.up() or time.monotonic() < member.retry_at:
                return
            await self._open(member)

    def notice(self) -> None:
        """Count each member's loss once, when it is first seen gone."""
        for member in self.members:
            if member.engine is not None and not member.counted and not member.engine.alive():
                member.lost += 1
                member.counted = True

    def _reviving(self) -> list[asyncio.Task[None]]:
        """Reconnections of the members that are down and due, in the background: an endpoint that does not answer
        (up to CONNECT_TIMEOUT_S) must not hold up the workers of the others. One at a time per member."""
        self.notice()
        for member in self.members:
            due = time.monotonic() >= member.retry_at
            if not member.up() and due and (member.reviving is None or member.reviving.done()):
                member.reviving = asyncio.ensure_future(self._revive(member))
        return [m.reviving for m in self.members if m.reviving is not None and not m.reviving.done()]

    async def new_session(self, viewport: ViewportSpec, access: SiteAccess | None = None) -> PooledSession:
        while True:
            reviving = self._reviving()
            up = [m for m in self.members if m.up()]
            if not up and reviving:  # nothing else to work on: wait for the endpoints to answer (or not)
                await asyncio.wait(reviving)
                continue
            if not up:
                raise DriverFault(Fault.BROWSER_GONE, f"browser '{self.spec.name}': every endpoint is lost")
            member = min(up, key=lambda m: (m.tabs / m.slots, self.members.index(m)))
            member.tabs += 1  # counted before the await: concurrent workers spread over the members
            try:
                assert member.engine is not None
                inner = await member.engine.new_session(viewport, access)
            except BaseException as exc:
                member.tabs -= 1
                if member.up() or not isinstance(exc, Exception):
                    raise
                continue  # it died just now: another member takes the tab
            return PooledSession(self, member, inner)

    def alive(self) -> bool:
        """True while one endpoint is up, or may be again (its reconnection is due): the crawl relaunches the whole
        pool only when every endpoint is gone and none answered its last try."""
        return any(m.up() for m in self.members) or any(time.monotonic() >= m.retry_at for m in self.members)

    def endpoints_record(self) -> list[dict[str, Any]]:
        return [m.record() for m in self.members]

    async def close(self) -> None:
        for member in self.members:
            if member.reviving is not None and not member.reviving.done():
                member.reviving.cancel()
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await member.reviving
            if member.engine is not None:
                with contextlib.suppress(Exception):
                    await member.engine.close()


async def launch_pool(
    pw: Playwright, spec: BrowserSpec, preload: tuple[str, ...], launch_local: Launcher
) -> EnginePool:
    pool = EnginePool(pw, spec, preload, launch_local)
    try:
        await pool.start()
    except BaseException:
        await pool.close()
        raise
    return pool
