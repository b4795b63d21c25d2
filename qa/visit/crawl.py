"""The crawl: one worker pool per engine, fed (url, viewport) jobs; new links from the primary cell feed it.

Every finished visit is streamed to the run store at once, so an interrupted run keeps what it finished.
"""

from __future__ import annotations

import asyncio
import signal
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from qa.check import PageCheck
from qa.discover.frontier import Frontier
from qa.model import CheckRun, Finding, Page
from qa.progress import Progress
from qa.store import RunStore
from qa.visit.driver import Engine, Session, SiteAccess
from qa.visit.matrix import ViewportSpec
from qa.visit.page_visit import VisitResult, visit_page


@dataclass
class CrawlSettings:
    config: dict[str, Any]
    viewports: list[ViewportSpec]
    run_dir: Path
    follow_links: bool = True
    access: SiteAccess = field(default_factory=SiteAccess)
    progress: Progress | None = None
    # Called after every visit with (page, VisitResult, primary); RunChecks collect their inputs this way.
    listeners: list[Callable[[Page, VisitResult, bool], None]] = field(default_factory=list)


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
        self.queues: dict[str, asyncio.Queue] = {e.spec.name: asyncio.Queue() for e in engines}
        self.pending = 0
        self.done = 0
        self.idle = asyncio.Event()
        self.stopping = False
        self.check_runs = {c.id: CheckRun(c.id, c.title) for c in self.checks}
        self.pages: list[Page] = []
        self.findings: list[Finding] = []

    @property
    def primary(self) -> tuple[str, str]:
        return self.engines[0].spec.name, self.viewports[0].name

    @property
    def cells(self) -> int:
        return len(self.engines) * len(self.viewports)

    def enqueue(self, url: str, depth: int) -> None:
        for engine in self.engines:
            for vp in self.viewports:
                self.pending += 1
                self.queues[engine.spec.name].put_nowait((url, depth, vp))
        self.idle.clear()

    def offer_all(self, urls: Iterable[str], base: str | None, depth: int) -> None:
        for raw in urls:
            accepted = self.frontier.offer(raw, base, depth)
            if accepted:
                self.enqueue(accepted, depth)

    async def worker(self, engine: Engine) -> None:
        queue = self.queues[engine.spec.name]
        sessions: dict[str, Session] = {}
        try:
            while True:
                url, depth, vp = await queue.get()
                try:
                    if not self.stopping:
                        await self.visit(engine, sessions, url, depth, vp)
                finally:
                    self.pending -= 1
                    self.done += 1
                    if self.settings.progress:
                        self.settings.progress.update(len(self.frontier.accepted) * self.cells, self.done)
                    if self.pending == 0:
                        self.idle.set()
        finally:
            for s in sessions.values():
                await s.close()

    async def visit(self, engine: Engine, sessions: dict[str, Session], url: str, depth: int, vp: ViewportSpec) -> None:
        page_timeout = self.config["timeouts"]["page"]
        page = Page(url=url, browser=engine.spec.name, viewport=vp.name, depth=depth)
        primary = (engine.spec.name, vp.name) == self.primary
        result = VisitResult()
        try:
            session = sessions.get(vp.name) or await engine.new_session(vp, self.settings.access)
            sessions[vp.name] = session
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
                ),
                timeout=page_timeout,
            )
        except TimeoutError:
            page.error = page.error or f"page took longer than {page_timeout} s; abandoned"
        except Exception as exc:  # one broken page must never end the run
            detail = str(exc).splitlines()[0] if str(exc) else ""
            page.error = page.error or f"{type(exc).__name__}: {detail}"
        if page.error and vp.name in sessions:
            # A failed page may leave its tab hung or crashed: the next page gets a fresh one.
            await sessions.pop(vp.name).close()
        self.pages.append(page)
        self.findings += result.findings
        self.store.add_page(page, result.findings)
        for listener in self.settings.listeners:
            listener(page, result, primary)
        if primary and result.links and self.settings.follow_links:
            self.offer_all((link["href"] for link in result.links), page.final_url or url, depth + 1)

    async def _work(self) -> None:
        workers = [
            asyncio.create_task(self.worker(engine))
            for engine in self.engines
            for _ in range(self.config["concurrency"])
        ]
        try:
            if self.pending:
                await self.idle.wait()
        finally:
            for w in workers:
                w.cancel()
            await asyncio.gather(*workers, return_exceptions=True)

    async def run(self) -> bool:
        """Crawl until done; on Ctrl-C or SIGTERM stop taking pages and keep what finished. True if interrupted."""
        loop = asyncio.get_running_loop()
        task = asyncio.ensure_future(self._work())
        interrupted = False

        def stop() -> None:
            nonlocal interrupted
            interrupted = True
            self.stopping = True
            task.cancel()

        installed = []
        for sig in (signal.SIGINT, signal.SIGTERM):
            try:
                loop.add_signal_handler(sig, stop)
                installed.append(sig)
            except (NotImplementedError, RuntimeError):
                pass
        try:
            await task
        except asyncio.CancelledError:
            if not interrupted:
                raise
        finally:
            for sig in installed:
                loop.remove_signal_handler(sig)
        return interrupted
