"""The crawl: one worker pool per engine, fed (url, viewport) jobs; new links from the primary cell feed it.

Every finished visit is streamed to the run store at once, so an interrupted run keeps what it finished; nothing
per page stays in memory after it is recorded. A broken page never ends the run: its problem is recorded on its
page, its tab is replaced, a crashed or dropped page is retried (``retries``), and a dead browser is relaunched.
On Ctrl-C or SIGTERM no new page starts; pages in flight get ``STOP_GRACE_S`` to finish (a second signal stops
at once) and are otherwise recorded as interrupted, so ``qa audit --resume`` visits them again.
"""

from __future__ import annotations

import asyncio
import os
from collections import Counter, deque
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from qa.access import SiteAccess
from qa.check import PageCheck
from qa.check._share import RuleShare
from qa.config import Config
from qa.discover.frontier import Frontier
from qa.errors import QAError
from qa.model import CheckRun, Page, cell_name
from qa.progress import Progress
from qa.redact import redact_record
from qa.run.page_visit import VisitResult, visit_page
from qa.scope import page_config
from qa.store import RunStore, write_error
from qa.visit import faults
from qa.visit.driver import Engine, Session
from qa.visit.matrix import ViewportSpec
from qa.visit.steps import SessionSteps, prime_local_storage


@dataclass
class CrawlSettings:
    config: Config
    viewports: list[ViewportSpec]
    run_dir: Path
    follow_links: bool = True
    # Links, resources and ids are read from every visit (a listener, e.g. the link check, uses them); otherwise
    # only where the crawl follows links (the primary cell's visits).
    page_links: bool = True
    access: SiteAccess = field(default_factory=SiteAccess)
    progress: Progress | None = None
    # Called after every visit with (page, VisitResult, primary); RunChecks collect their inputs this way.
    listeners: list[Callable[[Page, VisitResult, bool], None]] = field(default_factory=list)
    # Starts a fresh browser like the one given (which has died); without it a dead browser is not replaced.
    relaunch: Callable[[Engine], Awaitable[Engine]] | None = None


STOP_GRACE_S = 10.0  # after Ctrl-C/SIGTERM, pages in flight may finish for this long
# A tab is replaced after this many pages: the driver keeps every request and response of a context alive until
# it closes, and a renderer's heap only grows; recycling keeps memory flat on a crawl of thousands of pages.
SESSION_PAGES = 40
# A visit lost with its remote browser is visited again on another endpoint this often at most, without counting
# as one of its ``retries``; then it counts as one.
MAX_REQUEUES = 3


# ``concurrency: auto``: pages in flight per CPU core, over all the browsers. A one-browser visit runs the whole
# accessibility family, whose status-messages check waits until 600 ms after its page's load and whose layout checks
# wait for frames: a tab spends much of a visit waiting. With two cores and 149 pages, 6 in flight kept the cores
# 89 % busy (24.7 s), 8 kept them 98 % busy (22.9 s), 10 took 23.1 s; axe alone 11.8 s with 6, 11.2 s with 8. Over
# the three-browser matrix most visits have no such wait (those checks run in the first cell): 2 per core there
# (146 s against 157 s with 3, which only adds switching between the engines' processes).
TABS_PER_CORE = 4
TABS_PER_CORE_MATRIX = 2


def spare_workers(setting: int | str, fixed: int) -> int:
    """``auto``: workers beyond one engine's own, up to TABS_PER_CORE_MATRIX per CPU core in all (none on a
    one-engine run)."""
    if setting != "auto":
        return 0
    return max(0, TABS_PER_CORE_MATRIX * (os.cpu_count() or 2) - fixed)


class CellQueue:
    """One engine's pending visits, kept per viewport. A worker takes its next page at the viewport it is already
    at while there is one: a browser switching tabs on every page costs more (Firefox: about a third more CPU per
    visit, measured) than one that stays in one tab and turns to the next only when the first is done."""

    def __init__(self) -> None:
        self.by_viewport: dict[str, deque[tuple[str, int, ViewportSpec]]] = {}
        self.ready = asyncio.Event()

    def put(self, url: str, depth: int, vp: ViewportSpec) -> None:
        self.by_viewport.setdefault(vp.name, deque()).append((url, depth, vp))
        self.ready.set()

    def __len__(self) -> int:
        return sum(len(q) for q in self.by_viewport.values())

    def take(self, prefer: str = "") -> tuple[str, int, ViewportSpec] | None:
        """The next page, at the viewport ``prefer`` while it has one; None when nothing is queued."""
        pending = self.by_viewport.get(prefer) or next((q for q in self.by_viewport.values() if q), None)
        return pending.popleft() if pending else None

    async def get(self, prefer: str = "") -> tuple[str, int, ViewportSpec]:
        while True:
            job = self.take(prefer)
            if job is not None:
                return job
            self.ready.clear()
            await self.ready.wait()


def workers_per_browser(setting: int | str, browsers: int) -> int:
    """Pages in flight per browser. ``auto``: TABS_PER_CORE per CPU core for one browser, TABS_PER_CORE_MATRIX
    shared by several; more only makes the engines fight over the cores."""
    if setting != "auto":
        return int(setting)
    per_core = TABS_PER_CORE if browsers <= 1 else TABS_PER_CORE_MATRIX
    return max(1, per_core * (os.cpu_count() or 2) // max(browsers, 1))


class Crawl:
    def __init__(
        self,
        settings: CrawlSettings,
        engines: list[Engine],
        checks: list[PageCheck],
        frontier: Frontier,
        store: RunStore,
    ) -> None:
        self.settings = settings
        self.config = settings.config
        self.engines = engines
        self.checks = sorted(checks, key=lambda c: c.order)
        self.frontier = frontier
        self.store = store
        self.viewports = settings.viewports
        self.queues = {e.spec.name: CellQueue() for e in engines}
        self.queued = asyncio.Event()  # set whenever a page is queued: wakes the spare workers
        self.pending = 0
        self.done = 0
        self.idle = asyncio.Event()
        self.stopping = False
        self.check_runs = {c.id: CheckRun(c.id, c.title) for c in self.checks}
        self.problems: Counter[str] = Counter()  # error kind -> pages
        self.restarts: Counter[str] = Counter()  # browser name -> relaunches after it died
        self.requeued: Counter[str] = Counter()  # browser name -> visits moved to another endpoint after one was lost
        self._session_uses: dict[int, int] = {}  # id(session) -> pages it has loaded
        self._prepared: dict[int, SessionSteps] = {}  # id(session) -> what it went through of qa.yaml's steps
        self._locks = {e.spec.name: asyncio.Lock() for e in engines}
        self._task: asyncio.Future[None] | None = None
        self.failure: Exception | None = None  # the run folder cannot be written: the crawl stops, the run fails
        # The rule engines' DOM-only results, shared between the cells of a page whose DOMs are alike
        self.share = RuleShare() if settings.config.share_rules and self.cells > 1 else None

    @property
    def primary(self) -> tuple[str, str]:
        return self.engines[0].spec.name, self.viewports[0].name

    @property
    def cells(self) -> int:
        return len(self.engines) * len(self.viewports)

    def enqueue(self, url: str, depth: int, skip_cells: set[str] | frozenset[str] = frozenset()) -> None:
        """Queue the URL in every browser/viewport cell, except the cells already done (on resume) and the viewports
        an override leaves out for the URL (the first viewport, where links are found, always stays)."""
        only = set(page_config(self.config, url).viewports) if self.config.overrides else set()
        queued = 0
        for engine in self.engines:
            for i, vp in enumerate(self.viewports):
                if cell_name(engine.spec.name, vp.name) in skip_cells:
                    continue
                if only and i and vp.name not in only:
                    continue
                self.pending += 1
                queued += 1
                self.queues[engine.spec.name].put(url, depth, vp)
        if self.share is not None:
            self.share.expect(url, queued)
        self.idle.clear()
        self.queued.set()

    def engine(self, name: str) -> Engine:
        return next(e for e in self.engines if e.spec.name == name)

    def offer_all(self, urls: Iterable[str], base: str | None, depth: int, listed: bool = False) -> None:
        for raw in urls:
            if not isinstance(raw, str):  # the page's own scripts may leave anything in an href
                continue
            accepted = self.frontier.offer(raw, base, depth, listed)
            if accepted:
                self.enqueue(accepted, depth)

    async def worker(self, name: str | None) -> None:
        """Visit the pages of engine ``name``. A spare worker (``None``) helps the engine with the most pages left
        and stays with it until they are done: engines finish at different times, and the cores of one that has
        finished go to the others instead of idling."""
        sessions: dict[str, tuple[Engine, Session]] = {}  # viewport -> (the browser it lives in, the tab)
        current, helping = "", name or ""  # the engine this worker visits pages in now
        try:
            while True:
                if name is None:
                    busiest = await self._busiest(helping)
                    if busiest != helping:  # never hold tabs in an engine it no longer helps
                        for _, s in sessions.values():
                            await s.close()
                        sessions, current, helping = {}, "", busiest
                    job = self.queues[busiest].take(current)
                    if job is None:
                        continue
                else:
                    job = await self.queues[name].get(current)
                url, depth, vp = job
                current = vp.name
                try:
                    if not self.stopping:
                        if self.settings.progress:
                            self.settings.progress.visiting(url)
                        await self.visit(helping, sessions, url, depth, vp)
                except Exception as exc:
                    # A fault of the suite's own, not the page's: the run stops and says so, keeping what it has,
                    # rather than go on one worker short with this page silently missing from every report.
                    self._fail(exc)
                finally:
                    self.pending -= 1
                    self.done += 1
                    if self.settings.progress:
                        self.settings.progress.update(len(self.frontier.accepted) * self.cells, self.done)
                    if self.pending == 0:
                        self.idle.set()
        finally:
            for _, s in sessions.values():
                await s.close()

    def _helpable(self) -> list[str]:
        """The engines spare workers may help: not one of endpoints, whose slots are all it may take."""
        return [e.spec.name for e in self.engines if not hasattr(e, "workers")]

    async def _busiest(self, helping: str) -> str:
        while True:
            if helping and self.queues[helping]:
                return helping
            name = max(self._helpable(), key=lambda n: len(self.queues[n]))
            if self.queues[name]:
                return name
            self.queued.clear()
            await self.queued.wait()

    async def visit(
        self, name: str, sessions: dict[str, tuple[Engine, Session]], url: str, depth: int, vp: ViewportSpec
    ) -> None:
        primary = (name, vp.name) == self.primary
        retries = self.config.retries
        attempt = requeues = 0
        while True:
            page = Page(url=url, browser=name, viewport=vp.name, depth=depth, attempts=attempt + 1)
            try:
                result = await self.attempt(name, sessions, page, vp, primary)
            except asyncio.CancelledError:
                # Stopped mid-page: recorded as interrupted, so the report says so and a resumed run redoes it.
                page.error = "interrupted: the run was stopped while this page was loading"
                page.error_kind = faults.INTERRUPTED
                self.record(page, VisitResult(), primary)
                raise
            if result.endpoint_lost and not self.stopping and requeues < MAX_REQUEUES:
                # Not the page's doing and not one of its tries: it is visited again on another endpoint.
                requeues += 1
                self.requeued[name] += 1
                continue
            if page.error_kind not in faults.RETRYABLE or self.stopping or attempt >= retries:
                break
            attempt += 1
        self.record(page, result, primary)

    async def attempt(
        self, name: str, sessions: dict[str, tuple[Engine, Session]], page: Page, vp: ViewportSpec, primary: bool
    ) -> VisitResult:
        page_timeout = page_config(self.config, page.url).timeouts.page
        result = VisitResult()
        session: Session | None = None
        try:
            session = await self.session(name, sessions, vp)
            page.endpoint = getattr(session, "endpoint", "")
            result = await asyncio.wait_for(
                visit_page(
                    session,
                    page,
                    self.checks,
                    self.check_runs,
                    self.config,
                    self.settings.run_dir,
                    primary,
                    self.frontier.start_url,
                    self.settings.page_links or (primary and self.settings.follow_links),
                    self._prepared.setdefault(id(session), SessionSteps()),
                    self.share,
                    lambda: self.spare_tab(name, vp),
                ),
                timeout=page_timeout,
            )
        except TimeoutError:
            page.error = page.error or f"timeout: the page took longer than {page_timeout} s (timeouts); abandoned"
            page.error_kind = page.error_kind or faults.TIMEOUT
        except Exception as exc:  # one broken page must never end the run
            kind, reason = faults.of_exception(exc)
            page.error, page.error_kind = page.error or reason, page.error_kind or kind
        if page.error and vp.name in sessions:
            # A failed page may leave its tab hung or crashed: the next page gets a fresh one.
            stale = sessions.pop(vp.name)[1]
            self._session_uses.pop(id(stale), None)
            self._prepared.pop(id(stale), None)
            await stale.close()
        if page.error and hasattr(session, "lost") and await session.lost(page.error_kind):
            page.error_kind = faults.BROWSER_CRASH
            page.error = f"the remote browser at {page.endpoint} was lost while visiting this page"
            result.endpoint_lost = True
        elif page.error and not self.engine(name).alive():
            page.error_kind = faults.BROWSER_CRASH
            page.error = "the browser died while visiting this page; it was restarted"
        return result

    async def session(self, name: str, sessions: dict[str, tuple[Engine, Session]], vp: ViewportSpec) -> Session:
        """This worker's tab for the viewport, in a live browser (relaunched if it died)."""
        engine = await self.live_engine(name)
        held = sessions.get(vp.name)
        fresh = held and not getattr(held[1], "gone", lambda: False)()  # a tab on a lost endpoint is replaced
        if fresh and held[0] is engine and self._session_uses.get(id(held[1]), 0) < SESSION_PAGES:
            self._session_uses[id(held[1])] += 1
            return held[1]
        if held:
            self._session_uses.pop(id(held[1]), None)
            self._prepared.pop(id(held[1]), None)
            await sessions.pop(vp.name)[1].close()
        session = await engine.new_session(vp, self.settings.access)
        sessions[vp.name] = (engine, session)
        self._session_uses[id(session)] = 1
        self._prepared[id(session)] = SessionSteps()
        if self.settings.access.local_storage:  # the storage-state file's, in every engine alike
            await prime_local_storage(session, self.settings.access.local_storage, self.config.timeouts.navigation)
        return session

    async def spare_tab(self, name: str, vp: ViewportSpec) -> Session | None:
        """A second tab for part of a large page's checks (qa.run.page_visit), only while no page waits to be
        visited and fewer pages are in flight than there are cores: otherwise the cores have work already, and
        loading the page twice would only add to it. None too with qa.yaml steps (a new tab has been through
        none) and for a remote pool (its slots are all it may take); the caller closes the tab."""
        in_flight = self.pending - sum(len(q) for q in self.queues.values())
        if self.stopping or in_flight >= (os.cpu_count() or 1) or any(self.queues.values()):
            return None
        if self.config.steps.once_per_session or self.config.steps.before_each_page:
            return None
        engine = self.engine(name)
        if hasattr(engine, "workers") or not engine.alive():
            return None
        session = await engine.new_session(vp, self.settings.access)
        try:
            if self.settings.access.local_storage:
                await prime_local_storage(session, self.settings.access.local_storage, self.config.timeouts.navigation)
        except BaseException:
            await session.close()  # a tab given to nobody would stay open
            raise
        mute = getattr(session, "mute_resources", None)  # an engine's own option: the first tab reports the loads
        if mute is not None:
            mute()
        return session

    async def live_engine(self, name: str) -> Engine:
        engine = self.engine(name)
        if engine.alive() or self.settings.relaunch is None:
            return engine
        async with self._locks[name]:  # one relaunch, however many workers notice the death
            engine = self.engine(name)
            if engine.alive():
                return engine
            await engine.close()
            fresh = await self.settings.relaunch(engine)
            self.engines[self.engines.index(engine)] = fresh  # in place: the caller closes what is in the list
            self.restarts[name] += 1
            return fresh

    def record(self, page: Page, result: VisitResult, primary: bool) -> None:
        """Links are offered, and the listeners (the link collector) told, before the page is recorded: a run
        killed in between redoes the page, never loses its links. After this, nothing of the page stays in
        memory."""
        base = page.final_url or page.url
        if self.share is not None:
            self.share.finished(page.url)
        if primary and result.links and self.settings.follow_links and not page.error:
            try:
                self.offer_all(self.frontier.followed(result.links, base), base, page.depth + 1)
            except Exception as exc:  # a link the frontier cannot read must never lose the page it came from
                page.facts["links_not_followed"] = f"{type(exc).__name__}: {exc}"[:300]
        # Redacted before anything of it is written, by the listeners too (the store redacts it again, harmlessly).
        redact_record(page)
        for finding in result.findings:
            redact_record(finding)
        try:
            for listener in self.settings.listeners:
                try:
                    listener(page, result, primary)
                except OSError:
                    raise
                except Exception:  # a RunCheck's collector must not end the crawl; its run() reports the gap
                    pass
            self.store.add_page(page, result.findings)  # redacts page and findings in place
        except (OSError, QAError) as exc:
            # Nothing more can be kept (disk full, folder gone read-only): stop, keeping what was written.
            self._fail(exc)
            return
        if page.error_kind:
            self.problems[page.error_kind] += 1

    def _fail(self, exc: Exception) -> None:
        if self.failure is None:
            if isinstance(exc, QAError) or not isinstance(exc, OSError):
                self.failure = exc
            else:
                self.failure = write_error(self.settings.run_dir, exc)
            self.stopping = True
            if self._task is not None:
                self._task.cancel()

    async def _work(self) -> None:
        setting = self.config.concurrency
        per_browser = workers_per_browser(setting, len(self.engines))
        # An engine of several endpoints (qa/visit/remote.py) runs as many workers as their slots.
        names: list[str | None] = [
            e.spec.name
            for e in self.engines
            for _ in range(e.workers(per_browser) if hasattr(e, "workers") else per_browser)
        ]
        names += [None] * (spare_workers(setting, len(names)) if self._helpable() else 0)
        workers = [asyncio.create_task(self.worker(name)) for name in names]
        try:
            if self.pending:
                await self.idle.wait()
        finally:
            for w in workers:
                w.cancel()
            await asyncio.gather(*workers, return_exceptions=True)

    async def run(self) -> bool:
        """Crawl until done or stopped (:meth:`stop`); True if stopped before every page was visited."""
        self._task = asyncio.ensure_future(self._work())
        try:
            await self._task
        except asyncio.CancelledError:
            if not self.stopping:
                raise
        if self.failure is not None:
            raise self.failure
        return self.stopping

    def stop(self, first: bool = True) -> None:
        """Ctrl-C or SIGTERM: no new page starts; pages in flight get ``STOP_GRACE_S`` to finish. A second
        signal stops at once."""
        if self._task is None:
            return
        if not first or self.stopping:
            self._task.cancel()
            return
        self.stopping = True
        asyncio.get_running_loop().call_later(STOP_GRACE_S, self._task.cancel)
