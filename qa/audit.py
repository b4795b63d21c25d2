"""The pipeline: discover → visit → check → judge → report.

One browser process per engine, pages visited concurrently in separate contexts (bounded), every finished
page streamed to the run folder at once.
"""

from __future__ import annotations

import dataclasses
import platform
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from playwright.async_api import async_playwright

import qa
from qa.check import CORE, PageCheck, RunCheck, RunContext, SiteCheck, in_families, load_checks
from qa.check.axe import AxeCheck
from qa.discover.frontier import Frontier
from qa.discover.seeds import listed_pages
from qa.discover.staging import enter_site
from qa.discover.urls import normalise
from qa.errors import UsageError
from qa.judge import profiles, reviews, sampling
from qa.judge.gate import GateResult
from qa.judge.groups import groups_section
from qa.judge.publication import PublicationInputs, conclude
from qa.model import CheckRun, Results, RunInfo, cell_name, merge_cells
from qa.net import make_client, preflight
from qa.progress import Progress
from qa.redact import redact_config, redact_url
from qa.report import render_all
from qa.report._vocab import verdict_aliases
from qa.store import RunStore, new_run_id
from qa.visit.access import load_credentials, site_access
from qa.visit.crawl import Crawl, CrawlSettings
from qa.visit.driver import Engine, SiteAccess
from qa.visit.engines import launch
from qa.visit.matrix import Matrix


@dataclass
class AuditOptions:
    config: dict[str, Any]
    matrix: Matrix
    out: Path
    start_url: str | None = None
    url_list: list[str] | None = None  # audit exactly these, no crawling
    checks_dir: Path | None = None
    progress: Progress | None = None
    access: SiteAccess = field(default_factory=SiteAccess)
    # The previous run folder (`--compare RUN`, default the out folder's latest): diff, screenshot comparison.
    compare: Path | None = None
    publication: PublicationInputs = field(default_factory=PublicationInputs)


@dataclass
class AuditOutcome:
    results: Results
    run_dir: Path
    gate: GateResult
    reports: list[Path] = field(default_factory=list)


def new_run_info(opts: AuditOptions, start_url: str) -> RunInfo:
    started = datetime.now().astimezone()
    return RunInfo(
        id=new_run_id(started),
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


async def run_audit(opts: AuditOptions) -> AuditOutcome:
    start_url = opts.start_url or (opts.url_list[0] if opts.url_list else None)
    if not start_url or normalise(start_url) is None:
        raise UsageError(f"'{start_url}' is not an http(s) URL; give a URL such as https://staging.example.jp/")
    start_url = normalise(start_url)
    checks = [c for c in load_checks(opts.checks_dir) if in_families(c, opts.config["families"])]
    if not any(isinstance(c, PageCheck) and c.family != CORE for c in checks):
        # nothing looks at layout or rendering: one browser at one viewport sees every page and link
        opts.matrix = Matrix(opts.matrix.browsers[:1], opts.matrix.viewports[:1])
    page_checks = [c for c in checks if isinstance(c, PageCheck)]
    run_checks = [c for c in checks if isinstance(c, RunCheck) and c.enabled(opts.config)]
    AxeCheck.live_criteria = {}
    profiles.prepare_config(opts.config)
    human = reviews.load_reviews(Path(opts.config["reviews_file"]), verdict_aliases(opts.config))
    run = new_run_info(opts, start_url)
    run_dir = opts.out / run.id
    config = opts.config
    creds = load_credentials(config)
    access = site_access(creds, opts.access)

    async with make_client(config["timeouts"]["navigation"], access) as client:
        # discover
        await preflight(client, start_url)
        entry = await enter_site(client, start_url, config, creds, access)
        frontier = Frontier(start_url, config["max_pages"], config["include"], config["exclude"] + entry.exclude)
        store = RunStore(run_dir)
        store.write_header(run)
        for check in run_checks:
            check.begin(run_dir, config)
        async with async_playwright() as pw:
            engines: list[Engine] = []
            try:
                # visit + check (page checks run inside each visit)
                for spec in opts.matrix.browsers:
                    engines.append(await launch(pw, spec))
                run.engines["browsers"] = {
                    e.spec.name: {"engine": e.spec.engine, "product": e.product, "version": e.version} for e in engines
                }
                settings = CrawlSettings(
                    config,
                    opts.matrix.viewports,
                    run_dir,
                    follow_links=config["follow_links"] and not opts.url_list,
                    access=access,
                    progress=opts.progress,
                    listeners=[c.on_page for c in run_checks],
                )
                crawl = Crawl(settings, engines, page_checks, frontier, store)
                if opts.url_list:
                    crawl.offer_all(opts.url_list, None, 0)
                else:
                    crawl.offer_all([start_url], None, 0)
                    crawl.offer_all(entry.urls, None, 1)
                    crawl.offer_all(await listed_pages(start_url, config, client), None, 1)
                crawl.offer_all(sampling.representative_urls(config, start_url), None, 0)  # they must be audited
                interrupted = await crawl.run()
            finally:
                for e in engines:
                    await e.close()
        if opts.progress:
            opts.progress.finish()

        cell_order = {c: i for i, c in enumerate(run.cells)}  # the primary cell first in every merged finding
        merged = merge_cells(sorted(crawl.findings, key=lambda f: cell_order.get(f.seen_in[0], len(cell_order))))
        results = Results(run=run, pages=crawl.pages, findings=merged)
        order = {url: i for i, url in enumerate(frontier.accepted)}
        results.pages.sort(key=lambda p: (order.get(p.url, 0), p.browser, p.viewport))
        results.extra["matrix"] = {
            "browsers": [{"name": b.name, "engine": b.engine, "driver": b.driver} for b in opts.matrix.browsers],
            "viewports": [dataclasses.asdict(v) for v in opts.matrix.viewports],
        }
        results.extra["discovery"] = {"skipped": dict(list(frontier.skipped.items())[:1000])}
        if entry.wordpress:
            entry.wordpress.annotate(results)
        run.engines["axe-core"] = AxeCheck.version
        for check in page_checks:
            crawl.check_runs[check.id].criteria = check.covered()
        results.checks = list(crawl.check_runs.values())
        # checks over the whole run
        if not interrupted:
            # what the crawl must never open (login, logout, admin) the link check never requests either
            never = {**config, "exclude": config["exclude"] + entry.exclude}
            ctx = RunContext(results, run_dir, never, client, access, compare=opts.compare)
            await run_whole_run_checks(results, [c for c in checks if isinstance(c, SiteCheck)] + run_checks, ctx)

    run.finished = datetime.now().astimezone().isoformat(timespec="seconds")
    run.status = "partial" if interrupted else "complete"
    if interrupted:
        run.notes.append("The run was interrupted; these results cover only the pages finished before it stopped.")
    # judge + report
    results.extra[sampling.SECTION] = sampling.select(results, config)
    results.extra[reviews.SECTION] = {"source": config["reviews_file"], "items": human}
    results.extra["groups"] = groups_section(results)
    gate = conclude(results, opts.publication)
    store.finish(results)
    reports = render_all(results, run_dir)
    return AuditOutcome(results, run_dir, gate, reports)


async def run_whole_run_checks(results: Results, checks: list, ctx: RunContext) -> None:
    """SiteChecks (pure, over the results) then RunChecks (may use the network and the run folder)."""
    audited = len({p.url for p in results.pages if not p.error})
    for check in checks:
        if isinstance(check, SiteCheck):
            record = CheckRun(check.id, check.title, check.covered())
            try:
                results.findings += check.run(results)
                record.pages = audited
            except Exception as exc:
                record.errors += 1
                results.run.notes.append(f"check {check.id} failed: {type(exc).__name__}: {exc}"[:500])
            results.checks.append(record)
    for check in checks:
        if isinstance(check, RunCheck):
            record = CheckRun(check.id, check.title, check.covered())
            try:
                results.findings += await check.run(ctx)
                record.pages = audited
            except Exception as exc:
                record.errors += 1
                results.run.notes.append(f"check {check.id} failed: {type(exc).__name__}: {exc}"[:500])
            results.checks.append(record)
