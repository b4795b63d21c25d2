"""The pipeline: discover → visit → check → judge → report.

One browser process per engine, pages visited concurrently in separate contexts (bounded), every finished
page streamed to the run folder at once.
"""

from __future__ import annotations

import asyncio
import platform
import signal
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
from playwright.async_api import async_playwright

import qa
from qa.check import PageCheck, PageContext, SiteCheck, load_checks
from qa.check.axe import AxeCheck
from qa.discover.frontier import Frontier
from qa.discover.sitemap import sitemap_urls
from qa.discover.urls import normalise, origin, same_origin
from qa.errors import SiteError, UsageError
from qa.judge.gate import GateResult, evaluate_gate
from qa.model import CheckRun, Finding, Page, Results, RunInfo, cell_name, merge_cells
from qa.progress import Progress
from qa.redact import redact_config, redact_url
from qa.report import render_all
from qa.store import RunStore, new_run_id
from qa.visit.driver import Engine, Session
from qa.visit.engines import launch
from qa.visit.facts import gather_facts
from qa.visit.matrix import Matrix, ViewportSpec

HTML_TYPES = ("text/html", "application/xhtml+xml")
USER_AGENT = f"qa-suite/{qa.__version__} (accessibility and QA verification)"


@dataclass
class AuditOptions:
    config: dict[str, Any]
    matrix: Matrix
    out: Path
    start_url: str | None = None
    url_list: list[str] | None = None  # audit exactly these, no crawling
    checks_dir: Path | None = None
    progress: Progress | None = None


@dataclass
class AuditOutcome:
    results: Results
    run_dir: Path
    gate: GateResult
    reports: list[Path] = field(default_factory=list)


def read_url_list(path: Path) -> list[str]:
    """One URL per line; blank lines and ``#`` comments ignored."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise UsageError(f"--urls {path}: cannot read it ({exc.strerror}); give a text file of URLs") from None
    urls = []
    for n, line in enumerate(lines, 1):
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        if normalise(line) is None:
            raise UsageError(f"--urls {path}:{n}: '{line}' is not an http(s) URL; fix or remove the line")
        urls.append(line)
    if not urls:
        raise UsageError(f"--urls {path}: lists no URL; add one http(s) URL per line")
    return urls


async def fetch_bytes(client: httpx.AsyncClient, url: str) -> tuple[int, str, bytes]:
    try:
        r = await client.get(url)
    except httpx.HTTPError:
        return 0, "", b""
    return r.status_code, r.headers.get("content-type", ""), r.content[:50_000_000]


async def preflight(client: httpx.AsyncClient, url: str) -> None:
    try:
        await client.get(url)
    except httpx.HTTPError as exc:
        reason = type(exc).__name__
        raise SiteError(
            f"{redact_url(url)} is unreachable ({reason}); check the URL and that the server is running"
        ) from None


class Crawl:
    """Feeds (url, cell) jobs to one worker pool per engine and collects what they find."""

    def __init__(
        self,
        opts: AuditOptions,
        engines: list[Engine],
        checks: list[PageCheck],
        frontier: Frontier,
        store: RunStore,
        run_dir: Path,
    ) -> None:
        self.opts = opts
        self.engines = engines
        self.checks = sorted(checks, key=lambda c: c.order)
        self.frontier = frontier
        self.store = store
        self.run_dir = run_dir
        self.viewports = opts.matrix.viewports
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
                    if self.opts.progress:
                        self.opts.progress.update(len(self.frontier.accepted) * self._cells, self.done)
                    if self.pending == 0:
                        self.idle.set()
        finally:
            for s in sessions.values():
                await s.close()

    @property
    def _cells(self) -> int:
        return len(self.engines) * len(self.viewports)

    async def visit(self, engine: Engine, sessions: dict[str, Session], url: str, depth: int, vp: ViewportSpec) -> None:
        timeouts = self.opts.config["timeouts"]
        page = Page(url=url, browser=engine.spec.name, viewport=vp.name, depth=depth)
        primary = (engine.spec.name, vp.name) == self.primary
        findings: list[Finding] = []
        links: list[str] = []
        try:
            session = sessions.get(vp.name) or await engine.new_session(vp)
            sessions[vp.name] = session
            findings, links = await asyncio.wait_for(self._check_page(session, page, primary), timeout=timeouts["page"])
        except TimeoutError:
            page.error = page.error or f"page took longer than {timeouts['page']} s; abandoned"
        except Exception as exc:  # one broken page must never end the run
            page.error = page.error or f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"
        if page.error and vp.name in sessions:
            # A failed page may leave its tab hung or crashed: start the next page in a fresh one.
            await sessions.pop(vp.name).close()
        self.pages.append(page)
        self.findings += findings
        self.store.add_page(page, findings)
        if primary and links and self.opts.config["follow_links"] and not self.opts.url_list:
            self.offer_all(links, page.final_url or url, depth + 1)

    async def _check_page(self, session: Session, page: Page, primary: bool) -> tuple[list[Finding], list[str]]:
        timeouts = self.opts.config["timeouts"]
        nav = await session.goto(page.url, timeouts["navigation"])
        page.final_url, page.status, page.load_ms = nav.final_url, nav.status, round(nav.load_ms, 1)
        page.content_type = nav.content_type.split(";")[0].strip()
        if nav.redirects:
            page.facts["redirects"] = nav.redirects
        if nav.error:
            page.error = nav.error
            return [], []
        if page.status and page.status >= 400:
            page.error = f"HTTP {page.status}; not audited"
            return [], []
        if page.content_type and page.content_type not in HTML_TYPES:
            page.error = f"not an HTML page ({page.content_type}); skipped"
            return [], []
        if not same_origin(page.final_url, self.frontier.start_url):
            page.error = f"redirected off-site to {redact_url(page.final_url)}; not audited"
            return [], []
        facts = await asyncio.wait_for(gather_facts(session), timeout=timeouts["script"])
        page.title, page.lang = facts["title"], facts["lang"]
        for key in ("counts", "viewport_meta", "scroll_width", "client_width"):
            page.facts[key] = facts[key]
        ctx = PageContext(session=session, page=page, config=self.opts.config, run_dir=self.run_dir, primary=primary)
        findings: list[Finding] = []
        for check in self.checks:
            if check.primary_only and not primary:
                continue
            ctx.check_id = check.id
            run = self.check_runs[check.id]
            try:
                findings += await asyncio.wait_for(check.run(ctx), timeout=timeouts["script"])
                run.pages += 1
            except Exception as exc:
                run.errors += 1
                detail = str(exc).splitlines()[0] if str(exc) else ""
                page.facts.setdefault("check_errors", {})[check.id] = f"{type(exc).__name__}: {detail}"[:500]
        events = session.take_events()
        page.facts.update(
            js_errors=events.js_errors,
            console_errors=events.console_errors,
            failed_requests=events.failed_requests,
            dialogs=events.dialogs,
        )
        links = [link["href"] for link in facts["links"]]
        return findings, links

    async def run(self) -> None:
        workers = [
            asyncio.create_task(self.worker(engine))
            for engine in self.engines
            for _ in range(self.opts.config["concurrency"])
        ]
        try:
            if self.pending:
                await self.idle.wait()
        finally:
            for w in workers:
                w.cancel()
            await asyncio.gather(*workers, return_exceptions=True)


def site_checks_and_coverage(
    results: Results, site_checks: list[SiteCheck], page_checks: list[PageCheck], runs: dict[str, CheckRun]
) -> None:
    for check in site_checks:
        run = CheckRun(check.id, check.title, check.covered())
        try:
            results.findings += check.run(results)
            run.pages = len({p.url for p in results.pages})
        except Exception:
            run.errors += 1
        results.checks.append(run)
    for check in page_checks:
        run = runs[check.id]
        run.criteria = check.covered()
        results.checks.insert(0, run)


async def run_audit(opts: AuditOptions) -> AuditOutcome:
    start_url = opts.start_url or (opts.url_list[0] if opts.url_list else None)
    if not start_url or normalise(start_url) is None:
        raise UsageError(f"'{start_url}' is not an http(s) URL; give a URL such as https://staging.example.jp/")
    start_url = normalise(start_url)
    checks = load_checks(opts.checks_dir)
    page_checks = [c for c in checks if isinstance(c, PageCheck)]
    site_checks = [c for c in checks if isinstance(c, SiteCheck)]
    AxeCheck.live_criteria = {}

    started = datetime.now().astimezone()
    run_id = new_run_id(started)
    run_dir = opts.out / run_id
    run = RunInfo(
        id=run_id,
        started=started.isoformat(timespec="seconds"),
        start_url=redact_url(start_url),
        tool={
            "name": "qa-suite",
            "version": qa.__version__,
            "python": platform.python_version(),
            "os": platform.platform(),
        },
        config=redact_config(opts.config),
        cells=[cell_name(b.name, v.name) for b, v in opts.matrix.cells()],
    )
    frontier = Frontier(start_url, opts.config["max_pages"], opts.config["include"], opts.config["exclude"])

    headers = {"User-Agent": USER_AGENT}
    async with httpx.AsyncClient(
        follow_redirects=True, timeout=opts.config["timeouts"]["navigation"], headers=headers
    ) as client:
        await preflight(client, start_url)
        store = RunStore(run_dir)
        store.write_header(run)
        async with async_playwright() as pw:
            engines: list[Engine] = []
            try:
                for spec in opts.matrix.browsers:
                    engines.append(await launch(pw, spec))
                run.engines["browsers"] = {
                    e.spec.name: {"engine": e.spec.engine, "product": e.product, "version": e.version} for e in engines
                }
                crawl = Crawl(opts, engines, page_checks, frontier, store, run_dir)
                if opts.url_list:
                    for u in opts.url_list:
                        accepted = frontier.offer(u)
                        if accepted:
                            crawl.enqueue(accepted, 0)
                else:
                    frontier.offer(start_url)
                    crawl.enqueue(start_url, 0)
                    if opts.config["use_sitemaps"]:
                        listed = await sitemap_urls(origin(start_url), lambda u: fetch_bytes(client, u))
                        crawl.offer_all(listed, None, 1)
                interrupted = await _run_until_signal(crawl)
            finally:
                for e in engines:
                    await e.close()
    if opts.progress:
        opts.progress.finish()

    results = Results(run=run, pages=crawl.pages, findings=merge_cells(crawl.findings))
    results.pages.sort(
        key=lambda p: (list(frontier.accepted).index(p.url) if p.url in frontier.accepted else 0, p.browser, p.viewport)
    )
    run.engines["axe-core"] = AxeCheck.version
    site_checks_and_coverage(results, site_checks, page_checks, crawl.check_runs)
    run.finished = datetime.now().astimezone().isoformat(timespec="seconds")
    run.status = "partial" if interrupted else "complete"
    if interrupted:
        run.notes.append("The run was interrupted; these results cover only the pages finished before it stopped.")
    results.extra["discovery"] = {"skipped": dict(list(frontier.skipped.items())[:1000])}
    store.finish(results)
    reports = render_all(results, run_dir)
    return AuditOutcome(results, run_dir, evaluate_gate(results), reports)


async def _run_until_signal(crawl: Crawl) -> bool:
    """Run the crawl; on Ctrl-C or SIGTERM stop taking pages and keep what finished. True if interrupted."""
    loop = asyncio.get_running_loop()
    task = asyncio.ensure_future(crawl.run())
    interrupted = False

    def stop() -> None:
        nonlocal interrupted
        interrupted = True
        crawl.stopping = True
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
