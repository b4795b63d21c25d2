"""The pipeline: discover → visit → check → judge → report.

One browser process per engine, pages visited concurrently in separate contexts (bounded), every finished
page streamed to the run folder at once.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import platform
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from playwright.async_api import async_playwright

import qa
from qa.access import Credentials, SiteAccess, load_credentials, site_access
from qa.check import CORE, PageCheck, RunCheck, RunContext, SiteCheck, load_checks, select_checks
from qa.check._engines import RuleEngine, engine_data, engine_label
from qa.check._scope import drop_disabled_by_url, scope_notes, scope_section, validate_scope
from qa.check._whole_run import account_artifacts, audited_pages, run_site_checks
from qa.check.axe import AxeCheck
from qa.check.links import LinkCheck
from qa.config import Config
from qa.discover.frontier import Frontier
from qa.discover.seeds import listed_pages
from qa.discover.shard import Discovery, Shard, fingerprint, partition
from qa.errors import BrowserUnavailable, UsageError
from qa.judge import inventory, judge_run, profiles, reviews, sampling
from qa.judge.gate import GateResult
from qa.judge.groups import groups_section
from qa.judge.publication import PublicationInputs, conclude
from qa.model import CheckRun, Finding, Page, Results, RunInfo, cell_name, merge_cells
from qa.net import make_client, preflight
from qa.progress import Progress
from qa.redact import redact_config, redact_url
from qa.report import render_all
from qa.report._console import conformance_lines
from qa.report._vocab import verdict_aliases
from qa.run.crawl import Crawl, CrawlSettings
from qa.run.entry import (
    SiteEntry,
    certificate_finding,
    check_certificate,
    enter_site,
    insecure_note,
    trust_certificate,
)
from qa.run.resume import ResumeState
from qa.run.stop import Stop
from qa.store import (
    SHARD_LIST,
    RunStore,
    new_run_id,
    read_coverage,
    read_records,
    update_latest,
    write_coverage,
    write_json_atomic,
)
from qa.urls import normalise
from qa.visit.driver import Engine
from qa.visit.engines import launch
from qa.visit.matrix import BrowserSpec, Matrix
from qa.visit.steps import check_steps


@dataclass
class AuditOptions:
    config: Config
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
    resume: Path | None = None  # continue this interrupted run folder (qa.run.resume)
    # Browsers the user named (`--browser`): one of them that cannot start stops the run; others are skipped.
    required_browsers: tuple[str, ...] = ()
    # Browsers of the matrix left out because they could not start (skip_unavailable): results.json's
    # matrix.skipped, so that every deliverable says they did not run.
    skipped: list[dict[str, Any]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # the caller's, for the run's notes (a served local folder)
    config_file: str = "qa.yaml"  # named in the errors of settings checked before the crawl
    # The page list fixed by `qa discover` (`--discovered FILE`): audited as a URL list, with its depths and facts.
    discovered: Discovery | None = None
    shard: Shard | None = None  # audit only this part of the URL list (`--shard I/N`; qa.discover.shard)


@dataclass
class AuditOutcome:
    results: Results
    run_dir: Path
    gate: GateResult
    reports: list[Path] = field(default_factory=list)
    conformance: list[str] = field(default_factory=list)  # the console's lines per conformance profile
    audited: int = 0  # visits that loaded (no error): none means the site was not audited at all


def engine_record(engine: Engine) -> dict[str, str]:
    """What ran for a browsers.yaml entry: ``driver: playwright`` may have been served by Firefox over BiDi or
    WebKitGTK over WebDriver where Playwright's own browsers are not installed."""
    record = {
        "engine": engine.spec.engine,
        "product": engine.product,
        "version": engine.version,
        "driver": engine.driver,
        "executable": engine.executable,
    }
    if hasattr(engine, "endpoints_record"):  # browsers.yaml endpoints: each one's browser, version and losses
        record["endpoints"] = engine.endpoints_record()
    return record


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
        config=redact_config(opts.config.model_dump()),
        cells=[cell_name(b.name, v.name) for b, v in opts.matrix.cells()],
    )


async def run_audit(opts: AuditOptions) -> AuditOutcome:
    start_url = opts.start_url or (opts.url_list[0] if opts.url_list else None)
    if not start_url or normalise(start_url) is None:
        raise UsageError(f"'{start_url}' is not an http(s) URL; give a URL such as https://staging.example.jp/")
    start_url = normalise(start_url)
    if opts.shard and not opts.url_list:
        raise UsageError(
            f"--shard {opts.shard}: the shards need one page list fixed first; run 'qa discover URL --out pages.json' "
            "once and give every shard --discovered pages.json (or the same --urls FILE)"
        )
    loaded = load_checks(opts.checks_dir)
    validate_scope(opts.config, loaded, [v.name for v in opts.matrix.viewports], opts.config_file)
    enabled = [c.id for c in loaded if c.id in opts.config.rules.enable]  # a check switched on by id
    checks = select_checks(loaded, [*opts.config.families, *enabled])
    checks = [c for c in checks if c.id not in opts.config.rules.disable]
    if not any(isinstance(c, PageCheck) and c.family != CORE and not c.primary_only for c in checks):
        # nothing looks at layout or rendering beyond the first cell: one browser at one viewport sees every page
        opts.matrix = Matrix(opts.matrix.browsers[:1], opts.matrix.viewports[:1])
    run_checks = [c for c in checks if isinstance(c, RunCheck) and c.enabled(opts.config)]
    AxeCheck.live_criteria = {}
    rule_engines = [c for c in checks if isinstance(c, RuleEngine)]
    for rule_engine in rule_engines:
        rule_engine.reset()
    profiles.prepare_config(opts.config)
    human = reviews.load_reviews(Path(opts.config.reviews_file), verdict_aliases(opts.config.model_dump()))
    if opts.url_list:
        opts.config = opts.config.model_copy(update={"follow_links": False})  # a resumed run does not crawl either
    resumed = ResumeState.load(opts.resume, start_url) if opts.resume else None
    run = resumed.run if resumed else new_run_info(opts, start_url)
    run.notes += [note for note in opts.notes if note not in run.notes]
    run_dir = opts.resume if opts.resume else opts.out / run.id
    config = opts.config
    creds = load_credentials(config)
    access = site_access(creds, opts.access, start_url, config)
    check_steps(config, start_url)  # a value a step types is missing, or a goto leaves the site: stop now
    for note in access.notes:
        if note not in run.notes:  # a resumed run has it already
            run.notes.append(note)
        print(f"qa: warning: {note}", file=sys.stderr)
    stop = Stop()
    # before anything is sent: a certificate that does not verify stops here unless tls.insecure says otherwise
    cert = await check_certificate(start_url, access, config.timeouts.navigation)
    opts.matrix = trust_certificate(opts.matrix, cert, access)

    async with make_client(config.timeouts.navigation, access) as client:
        with stop:
            crawled = await crawl_site(opts, checks, run, run_dir, start_url, client, creds, access, resumed, stop)
            results, interrupted, store = crawled.results, crawled.interrupted, crawled.store
            if cert and cert.problem:
                results.findings.append(certificate_finding(cert))
            record_rule_engines(run, rule_engines)
            # checks over the whole run
            if interrupted:
                for check in run_checks:
                    await check.abandon()
            else:
                ctx = RunContext(results, run_dir, crawled.never, client, access, compare=opts.compare)
                await run_whole_run_checks(
                    results, [c for c in checks if isinstance(c, SiteCheck)] + run_checks, ctx, checks, stop
                )
                order_links(results, {p.url: i for i, p in enumerate(results.pages)})
                interrupted = stop.requested

    # What the settings left out: never a silent pass (the judge reads the section, the reports name it)
    suppressed: dict[str, int] = {}
    results.findings = drop_disabled_by_url(config, results.findings, suppressed)
    results.extra["scope"] = scope_section(config, checks, results.pages, suppressed)
    run.notes += [n for n in scope_notes(results.extra["scope"]) if n not in run.notes]
    run.notes = with_unexamined_notes(run.notes, results.pages)
    # The checks' helper threads are done: without them the reports may fork onto the other cores.
    await release_helper_threads()
    # judge + report: what was kept is written even after a signal (a second one stops at once)
    with stop.finishing():
        run.finished = datetime.now().astimezone().isoformat(timespec="seconds")
        run.status = "partial" if interrupted else "complete"
        if interrupted:
            run.interruptions += 1
            run.notes.append(
                "The run was interrupted; these results cover only what finished before it stopped. "
                f"Continue it with: qa audit --resume {run_dir}"
            )
        audited = sum(1 for p in results.pages if not p.error)
        if not interrupted and not audited:
            run.notes.append(NOTHING_AUDITED)
        inventory.apply(results)  # first: the sample, the groups and the judge count each page once
        results.extra[sampling.SECTION] = sampling.select(results, config.model_dump())
        results.extra[reviews.SECTION] = {"source": config.reviews_file, "items": human}
        results.extra["groups"] = groups_section(results)
        conclude(results, opts.publication)
        gate = judge_run(results, config.model_dump(), opts.publication.settings, run_dir)  # once: reports read it
        store.finish(results)
        conformance: list[str] = []
        reports = render_all(results, run_dir, meanwhile=lambda: conformance.extend(conformance_lines(results)))
        update_latest(run_dir)  # only now: `latest` never points at a run whose reports are missing
    return AuditOutcome(results, run_dir, gate, reports, conformance, audited)


async def release_helper_threads(timeout_s: float = 5.0) -> None:
    """End the event loop's default thread pool (the checks' ``asyncio.to_thread`` calls): its idle threads would
    keep the report jobs in this one process (qa/report/_parallel.py). A thread still busy past ``timeout_s`` is
    left to finish on its own, and the reports then render here."""
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(asyncio.get_running_loop().shutdown_default_executor(), timeout_s)


NOTHING_AUDITED = (
    "No page could be audited (every page failed to load, or none was found): the results and the gate say "
    "nothing about the site; see the pages' errors in run-log.xlsx"
)


@dataclass
class Crawled:
    results: Results
    interrupted: bool
    store: RunStore
    never: Config  # the settings with what the crawl must never open (login, logout, admin): the link check too


async def crawl_site(
    opts: AuditOptions,
    checks: list,
    run: RunInfo,
    run_dir: Path,
    start_url: str,
    client: Any,
    creds: Credentials,
    access: SiteAccess,
    resumed: ResumeState | None,
    stop: Stop,
) -> Crawled:
    """Discover and visit; the results read back from what the crawl recorded. Every step is a phase of ``stop``:
    after a signal the step running ends, the later ones are skipped, and what was recorded is kept."""
    config = opts.config
    page_checks = [c for c in checks if isinstance(c, PageCheck)]
    run_checks = [c for c in checks if isinstance(c, RunCheck) and c.enabled(config)]
    # discover
    await stop.phase(preflight(client, start_url), None)
    entry = await stop.phase(enter_site(client, start_url, config, creds, access), SiteEntry())
    frontier = Frontier.of_site(start_url, config, entry.exclude)
    must = sampling.representative_urls(config.model_dump(), start_url)
    planned, whole = planned_pages(opts, frontier, must)
    if whole is not None and not (resumed and resumed.accepted):
        run.shard = {
            "index": opts.shard.index,
            "count": opts.shard.count,
            "list": fingerprint(list(whole.accepted)),
            "pages": len(planned),
            "exclude": entry.exclude,  # what entering the site excluded (log-in, admin): the merge judges links by it
        }
    store = RunStore(run_dir)
    store.write_header(run)
    if whole is not None:  # the whole list in its order: `qa merge` orders the merged pages by it
        write_json_atomic(run_dir / SHARD_LIST, list(whole.accepted))
    never = config.model_copy(update={"exclude": config.exclude + entry.exclude})
    for check in run_checks:
        check.begin(run_dir, config)  # may refuse a bad setting: before anything starts
    for check in run_checks:
        await check.crawl_started(start_url, never, access)
    frontier.on_accept, frontier.on_skip = store.log_accepted, store.log_skipped
    interrupted = True
    crawl: Crawl | None = None
    problems: list[str] = []  # what discovery could not read, and why
    read: dict[str, Any] = {}  # what it read: robots.txt, the sitemaps' answers, the URLs they list
    async with async_playwright() as pw:
        engines: list[Engine] = []

        def preload(spec: BrowserSpec) -> tuple[str, ...]:
            wanted = [c for c in page_checks if not c.preload_engines or spec.engine in c.preload_engines]
            return tuple(dict.fromkeys(source for c in wanted for source in c.preload))

        async def relaunch(dead: Engine) -> Engine:
            return await launch(pw, dead.spec, preload(dead.spec))

        async def launch_all() -> list[Engine | BaseException]:
            # All at once: Firefox alone takes seconds to start.
            return await asyncio.gather(
                *(launch(pw, spec, preload(spec)) for spec in opts.matrix.browsers), return_exceptions=True
            )

        def launch_signal(first: bool) -> None:
            pass  # browsers being launched are let start (and closed below): a cancelled launch would leak them

        try:
            # visit + check (page checks run inside each visit)
            launched = await stop.phase(launch_all(), [], on_signal=launch_signal)
            engines += [e for e in launched if not isinstance(e, BaseException)]  # closed below, whatever happens
            if skip_unavailable(opts, run, list(zip(opts.matrix.browsers, launched, strict=False))):
                store.write_header(run)  # a resumed run goes on with the browsers that started
            run.engines["browsers"] = {e.spec.name: engine_record(e) for e in engines}
            settings = CrawlSettings(
                config,
                opts.matrix.viewports,
                run_dir,
                follow_links=config.follow_links and not opts.url_list,
                access=access,
                progress=opts.progress,
                relaunch=relaunch,
                listeners=[c.on_page for c in run_checks]
                + [coverage_keeper(run_dir, page_checks)]
                + ([opts.progress.page_done] if opts.progress else []),
                page_links=any(type(c).on_page is not RunCheck.on_page for c in run_checks),
            )
            crawl = Crawl(settings, engines, page_checks, frontier, store)
            if resumed and resumed.accepted:
                resumed.requeue(crawl)
            if not (resumed and resumed.accepted and resumed.seeded):
                seeded = True
                if opts.url_list:
                    for url, depth in planned:
                        crawl.offer_all([url], None, depth, listed=True)
                else:
                    crawl.offer_all([start_url], None, 0)
                    crawl.offer_all(entry.urls, None, 1)
                    listed = await stop.phase(listed_pages(start_url, config, client, access, problems, read), None)
                    seeded = listed is not None
                    crawl.offer_all(listed or [], None, 1)
                if seeded and not stop.requested:
                    store.log_seeded()
            if not opts.shard:  # a shard's part of the list has its share of them already
                crawl.offer_all(must, None, 0, listed=True)  # must be audited
            interrupted = await stop.phase(crawl.run(), True, on_signal=crawl.stop)
        finally:
            for e in engines:
                await e.close()
    if opts.progress:
        opts.progress.finish()

    # The crawl kept nothing per page in memory: the results are read back from what it recorded.
    store.close()
    pages, findings = read_records(run_dir)
    order = {redact_url(url): i for i, url in enumerate(frontier.accepted)}
    results = Results(run=run, pages=pages, findings=merge_findings(findings, run.cells, order))
    results.pages.sort(key=lambda p: (order.get(p.url, len(order)), p.browser, p.viewport))
    ran = run.engines.get("browsers") or {}
    results.extra["matrix"] = {
        # "driver": what drove each browser in fact (see engine_record); "configured": what browsers.yaml said
        "browsers": [
            {
                "name": b.name,
                "engine": b.engine,
                "driver": ran.get(b.name, {}).get("driver", ""),
                "configured": b.driver,
            }
            for b in opts.matrix.browsers
        ],
        "viewports": [dataclasses.asdict(v) for v in opts.matrix.viewports],
        "skipped": opts.skipped,
    }
    if opts.discovered:  # what `qa discover` found and read, the same for every shard of the list
        results.extra["discovery"] = {**opts.discovered.facts, "list": fingerprint(opts.discovered.url_list)}
    else:
        results.extra["discovery"] = {
            **(whole if whole is not None else frontier).summary(),
            "problems": problems,
            **read,
        }
    run.notes += [f"discovery: {problem}" for problem in problems]
    if entry.wordpress:
        entry.wordpress.annotate(results)
    run.engines["axe-core"] = AxeCheck.version
    run.notes += [
        n for n in entry.notes + ([insecure_note(access)] if access.tls.insecure else []) if n not in run.notes
    ]
    if crawl and crawl.restarts:
        run.engines["restarts"] = dict(crawl.restarts)
        run.notes.append(f"browser(s) died and were restarted: {dict(crawl.restarts)}")
    if crawl:  # the endpoints' records as the crawl left them (losses, reconnections, versions)
        for e in crawl.engines:
            if hasattr(e, "endpoints_record"):
                run.engines["browsers"][e.spec.name] = engine_record(e)
    if crawl and crawl.requeued:
        run.engines["requeued"] = dict(crawl.requeued)
        run.notes.append(f"remote browser(s) lost; pages visited again on another endpoint: {dict(crawl.requeued)}")
    coverage = {c.id: c.covered() for c in page_checks}
    saved = read_coverage(run_dir)
    if not AxeCheck.version and saved:  # nothing checked in this process (resumed with nothing left)
        coverage = {k: v or saved["criteria"].get(k, {}) for k, v in coverage.items()}
        run.engines["axe-core"] = saved.get("axe-core", "")
    results.checks = count_check_runs(page_checks, coverage, results.pages, run.cells)
    return Crawled(results, interrupted, store, never)


def merge_findings(findings: list[Finding], cells: list[str], order: dict[str, int]) -> list[Finding]:
    """The pages' findings, each seen in several cells stored once, in the crawl's order of pages rather than the
    order the visits happened to finish in: the same pages give the same results.json, in one run or in shards."""
    cell_order = {c: i for i, c in enumerate(cells)}  # the primary cell first in every merged finding
    # stable: the findings of one page and cell stay in document order (qa.model.number_duplicates)
    ranked = sorted(
        findings, key=lambda f: (cell_order.get(f.seen_in[0], len(cell_order)), order.get(f.url, len(order)))
    )
    return merge_cells(ranked)


def order_links(results: Results, order: dict[str, int]) -> None:
    """The link check's rows and its findings in the crawl's order of their pages (they are collected as the visits
    finish); those of one page stay in its document order."""
    rows = results.extra.get("links")
    if isinstance(rows, list):
        rows.sort(key=lambda row: order.get(row.get("source", ""), len(order)))
    ranked = iter(
        sorted((f for f in results.findings if f.check == LinkCheck.id), key=lambda f: order.get(f.url, len(order)))
    )
    results.findings = [next(ranked) if f.check == LinkCheck.id else f for f in results.findings]


def planned_pages(
    opts: AuditOptions, frontier: Frontier, must: list[str]
) -> tuple[list[tuple[str, int]], Frontier | None]:
    """The URL list's pages with their depths; for a shard, its part of what the whole list's frontier accepts (the
    page limit and scope applied as one machine would, the sampling's representative pages included, so that every
    page is in exactly one shard), and that frontier."""
    depths = {u["url"]: int(u.get("depth", 0)) for u in opts.discovered.urls} if opts.discovered else {}
    if not opts.shard:
        return [(url, depths.get(url, 0)) for url in opts.url_list or []], None
    whole = Frontier(
        frontier.start_url,
        frontier.max_pages,
        frontier.include,
        frontier.exclude,
        frontier.unsafe,
        traps=frontier.traps,
    )
    for url in [*(opts.url_list or []), *must]:
        whole.offer(url, None, depths.get(url, 0), listed=True)
    return [(url, depths.get(url, 0)) for url in partition(list(whole.accepted), opts.shard)], whole


def skip_unavailable(opts: AuditOptions, run: RunInfo, launched: list[tuple[BrowserSpec, Any]]) -> bool:
    """A browser of the matrix that is not installed is left out with a warning (a run note and a stderr line that
    name the fix), so that the default three-engine matrix still audits on a machine with Chromium alone. The run
    stops (exit 3) when no browser started, a browser the user named cannot start, or a launch failed otherwise."""
    failed = [(spec, exc) for spec, exc in launched if isinstance(exc, BaseException)]
    for spec, exc in failed:
        if (
            not isinstance(exc, BrowserUnavailable)
            or spec.name in opts.required_browsers
            or len(failed) == len(launched)
        ):
            raise exc
    for spec, exc in failed:
        note = f"{exc}; skipped, the run goes on without it ('qa doctor' shows what each engine needs)"
        run.notes.append(note)
        print(f"qa: warning: {note}", file=sys.stderr)
        opts.skipped.append(
            {
                "name": spec.name,
                "engine": spec.engine,
                "cells": [cell_name(spec.name, v.name) for v in opts.matrix.viewports],
                "reason": str(exc),
                "fix": "qa setup (then qa doctor)",
            }
        )
    if failed:
        gone = {spec.name for spec, _ in failed}
        opts.matrix = Matrix([b for b in opts.matrix.browsers if b.name not in gone], opts.matrix.viewports)
        run.cells = [cell_name(b.name, v.name) for b, v in opts.matrix.cells()]
    return bool(failed)


def coverage_keeper(run_dir: Path, page_checks: list[PageCheck]) -> Callable[..., None]:
    """Save what the checks cover once it is known (after the first checked page), for a later --resume."""
    saved = False

    def keep(page: Any, visit: Any, primary: bool) -> None:
        nonlocal saved
        if not saved and AxeCheck.version and not page.error:
            write_coverage(
                run_dir, {"criteria": {c.id: c.covered() for c in page_checks}, "axe-core": AxeCheck.version}
            )
            saved = True

    return keep


def count_check_runs(
    page_checks: list[PageCheck], coverage: dict[str, dict[str, str]], pages: list, cells: list[str]
) -> list[CheckRun]:
    """Where each page check ran, from the recorded pages (so a resumed run counts its first part too): on every
    page that was audited, in the primary cell only for primary-only checks, minus the pages it failed on."""
    primary = cells[0] if cells else ""
    runs = []
    for check in page_checks:
        record = CheckRun(check.id, check.title, coverage.get(check.id) or check.covered())
        for page in pages:
            if page.error or (check.primary_only and page.cell != primary):
                continue
            if check.id in page.facts.get("check_errors", {}):
                record.errors += 1
            elif not _examined_nothing(page, check.id):
                record.pages += 1
        runs.append(record)
    return runs


NOT_EXAMINED = "not examined: "  # the start of the notes with_unexamined_notes writes


def with_unexamined_notes(notes: list[str], pages: list[Page]) -> list[str]:
    """``notes`` with one note per check and reason for the visits a check could not probe
    (PageContext.not_examined), counted afresh (a resumed or merged run replaces its earlier count), so the reports
    say which evidence is missing and why, never only that a criterion was not checked."""
    counts: dict[tuple[str, str, tuple[str, ...]], int] = {}
    for page in pages:
        for check, said in (page.facts.get("not_examined") or {}).items():
            key = (check, said["reason"], tuple(said["criteria"]))
            counts[key] = counts.get(key, 0) + 1
    return [n for n in notes if not n.startswith(NOT_EXAMINED)] + [
        f"{NOT_EXAMINED}{check} on {n} visit(s){' for ' + ', '.join(criteria) if criteria else ''}: {reason}"
        for (check, reason, criteria), n in sorted(counts.items())
    ]


def _examined_nothing(page: Page, check: str) -> bool:
    """The check said it could examine none of its criteria on the page (PageContext.not_examined)."""
    said = (page.facts.get("not_examined") or {}).get(check)
    return bool(said) and not said["criteria"]


async def run_whole_run_checks(
    results: Results, checks: list, ctx: RunContext, selected: list, stop: Stop | None = None
) -> None:
    """SiteChecks (pure, over the results) then RunChecks (may use the network and the run folder). After a
    signal (``stop``) the RunChecks still running are cancelled; those that finished keep their results."""
    audited = audited_pages(results)
    run_site_checks(results, [c for c in checks if isinstance(c, SiteCheck)], selected)

    async def one(check: RunCheck) -> tuple[CheckRun, list[Finding], str]:
        record = CheckRun(check.id, check.title, check.covered())
        gaps = account_artifacts(check, results, selected, record)
        if gaps is None:
            return record, [], ""
        try:
            found = await check.run(ctx)
            record.pages = audited - gaps
            return record, found, ""
        except Exception as exc:
            record.errors += 1
            return record, [], f"check {check.id} failed: {type(exc).__name__}: {exc}"[:500]

    # Side by side: the link check mostly waits on the network while the screenshot comparison uses the cores.
    # Their results are added in the checks' order, so a run's findings do not depend on which finished first.
    run_checks = [c for c in checks if isinstance(c, RunCheck)]
    tasks = [asyncio.ensure_future(one(c)) for c in run_checks]
    if tasks:

        def cancel_all(first: bool) -> None:
            for task in tasks:
                task.cancel()

        waiting = asyncio.wait(tasks)
        await (stop.phase(waiting, None, on_signal=cancel_all) if stop else waiting)
        if stop and stop.requested:  # a signal before this phase began: the phase did not start, stop the checks too
            cancel_all(False)
        await asyncio.gather(*tasks, return_exceptions=True)  # the cancelled ones have ended too
    for check, task in zip(run_checks, tasks, strict=True):
        if task.cancelled():
            record = CheckRun(check.id, check.title, check.covered())
            record.errors += 1
            results.checks.append(record)
            results.run.notes.append(f"check {check.id} was interrupted before it finished; resume the run for it")
            continue
        record, found, problem = task.result()
        results.findings += found
        if problem:
            results.run.notes.append(problem)
        results.checks.append(record)


def record_rule_engines(run: RunInfo, engines: list[RuleEngine]) -> None:
    """Each rule engine's version under its npm package name; "" and a note naming the fix for one that did not
    run (its criteria are not counted as checked: it covered none)."""
    for engine in engines:
        spec = engine_data()["engines"][engine.engine]
        run.engines[spec["package"]] = type(engine).version or run.engines.get(spec["package"], "")
        if not run.engines[spec["package"]] and not engine.installed_version():
            note = f"{engine_label(engine.engine)} did not run: it is not installed; install it with: qa setup"
            if note not in run.notes:
                run.notes.append(note)
