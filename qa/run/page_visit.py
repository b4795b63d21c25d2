"""One page in one browser cell: load it, gather its facts, run the page checks, collect its events."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from qa.check import PageCheck, PageContext
from qa.check._engines import merge_engine_findings
from qa.check._scope import PREPARE_BEFORE_ORDER, drop_disabled, drop_excluded, prepare
from qa.check._share import DOM_STATE_JS, NO_FINGERPRINT, SHARED_CHECKS, RuleShare, Ticket
from qa.config import Config
from qa.model import CheckRun, Finding, Page
from qa.redact import redact_url
from qa.scope import PageScope, page_config
from qa.urls import normalise, same_origin
from qa.visit import faults
from qa.visit.batch import BatchedSession
from qa.visit.driver import DriverFault, Fault, Navigation, Session
from qa.visit.facts import WHERE_JS, gather_facts, refresh_target
from qa.visit.steps import SessionSteps, StepFailed, prepare_page, wants_steps

HTML_TYPES = ("text/html", "application/xhtml+xml")
RESPONSIVE_PROBE_S = 2
# A meta refresh this soon is a redirect in all but name: the document is gone before anyone could read it (and
# before the checks could). The page it leads to is audited instead, as after an HTTP redirect.
REFRESH_AS_REDIRECT_S = 1
MAX_REFRESHES = 20  # the browsers' own limit for HTTP redirects
MOVED_PROBES, MOVED_PROBE_S = 5, 0.2
UNSETTLED = "unsettled"
# On a page of more elements, the checks after the rule engines (from ASIDE_FROM_ORDER on: the page's structure and
# text, then those that move focus, the pointer or the viewport or restyle the text) run in a second tab loaded
# beside the first, when the crawl has a core to spare (its last pages; an audit of one page). One tab's page runs
# on one core: on 27,000 elements (bench_big_page.py) the audit took 14.6 s instead of 15.8 s, though the two tabs
# share the cores with the driver and the browser. On a smaller page the checks cost less than loading it again.
ASIDE_ABOVE_ELEMENTS = 5_000
ASIDE_FROM_ORDER = 20
# A second tab for the visit, or None when the crawl has no core to spare.
SpareTab = Callable[[], Awaitable[Session | None]]
ELEMENTS_JS = "() => document.getElementsByTagName('*').length"


@dataclass
class VisitResult:
    findings: list[Finding] = field(default_factory=list)
    links: list[dict[str, Any]] = field(default_factory=list)  # href, raw, text, element (rendered DOM)
    # img/srcset, scripts, styles, CSS url(), iframes, ... (href, element, text, source: the style sheet or "")
    resources: list[dict[str, Any]] = field(default_factory=list)
    ids: list[str] = field(default_factory=list)  # element ids and a[name] of the rendered DOM (anchor targets)
    # (page, target) of each meta refresh the visit followed at once: links of documents no script could read
    refreshes: list[tuple[str, str]] = field(default_factory=list)
    endpoint_lost: bool = False  # the remote browser serving it was lost: not the page's doing (qa/visit/remote.py)


async def visit_page(
    session: Session,
    page: Page,
    checks: list[PageCheck],
    check_runs: dict[str, CheckRun],
    config: Config,
    run_dir: Path,
    primary: bool,
    site_url: str,
    links: bool = True,
    prepared: SessionSteps | None = None,
    share: RuleShare | None = None,
    spare: SpareTab | None = None,
) -> VisitResult:
    """Fill ``page`` in place and return its findings and links (``links``: False when nothing will read them).
    Problems are recorded in ``page.error``. ``prepared``: what the session went through of qa.yaml's ``steps``
    (None: no steps are run). ``spare``: a second tab for part of a large page's checks (ASIDE_ABOVE_ELEMENTS)."""
    config = page_config(config, page.url)  # the overrides matching the page (timeouts, selectors, rules)
    scope = PageScope.of(config)
    timeouts = config.timeouts
    max_bytes = int(config.max_page_mb * 1_000_000)
    session.max_document_bytes = max_bytes  # an engine that can stops a huge document before rendering it
    url, hops, redirects = page.url, [], []
    refreshes: list[tuple[str, str]] = []
    while True:  # once, unless the page sends the browser on at once with a meta refresh
        nav = await session.goto(url, timeouts.navigation)
        if hops and nav.fault in (Fault.ABORTED, Fault.OTHER):
            # Lost to the tab's own next move: the refresh being followed may have started this very navigation
            # at the same moment (a loaded machine makes that likely). Once more before calling it unsettled.
            nav = await session.goto(url, timeouts.navigation)
            if nav.fault in (Fault.ABORTED, Fault.OTHER):
                return _unsettled(page, hops[0], refreshes)
        redirects += nav.redirects
        if not nav.fault and await _left_before_load(session, url, nav):
            # The browser had followed the page's own refresh of 0 s before the load was reported: the tab holds
            # the next page's document (or the start of it), and the status reported may be either page's. The
            # next page is opened as a page of its own, like the target of any refresh.
            moved_from, onward = url, nav.final_url
        else:
            failed = await _loaded(session, page, nav, timeouts.navigation, site_url, redirects)
            if failed is not None:
                failed.refreshes = refreshes  # where a refresh led to a missing page, the link is reported broken
                if refreshes and page.error_kind == faults.HTTP_ERROR:
                    page.error = (
                        f"HTTP {page.status} at {redact_url(refreshes[-1][1])}, where the page's meta refresh sends"
                        " the browser at once; not audited"
                    )
                return failed
            timings = page.facts["timings_ms"] = {"navigation": page.load_ms}
            started = time.perf_counter()
            moved_from = page.final_url  # the document that sends the browser on, if it does
            try:
                facts = await asyncio.wait_for(gather_facts(session, max_bytes, links), timeout=timeouts.script)
                onward = _read_later_document(facts, url, nav) or refresh_target(
                    facts.get("refresh", ""), page.final_url, REFRESH_AS_REDIRECT_S
                )
            except (DriverFault, TimeoutError):
                raise
            except Exception:  # the document went away under the script: see where the page went by itself
                onward = await _moved_on(session, page.final_url)
                if onward is None:
                    raise
                if onward == UNSETTLED:
                    return _unsettled(page, page.final_url, refreshes)
            timings["facts"] = _ms_since(started)
        if onward is None:
            break
        hops.append(moved_from)
        redirects.append(moved_from)
        refreshes.append((moved_from, onward))
        if onward in hops or len(hops) > MAX_REFRESHES:
            chain = " → ".join(redact_url(u) for u in [*hops, onward])
            return _fail(
                page,
                faults.REDIRECT_LOOP,
                "redirect loop: the page sends the browser on at once with a meta refresh (<meta http-equiv="
                f'"refresh">) and the pages it leads to never settle: {chain}; not audited',
            )
        url = onward
    early: list[Finding] = []
    done: set[str] = set()  # checks already run (before the steps)
    if prepared is not None and wants_steps(config, prepared):
        # Checks that must see the page as loaded (privacy before consent) look first, then the steps run.
        first = PageContext(session, page, config, run_dir, primary, scope=scope, after_steps=prepared.ran)
        before = [
            c for c in checks if c.before_steps and (primary or not c.primary_only) and c.id not in scope.disabled
        ]
        await _run_checks(first, before, check_runs, early, timings, [], None)
        done = {c.id for c in before}
        started = time.perf_counter()
        try:
            again = await asyncio.wait_for(
                prepare_page(session, config, prepared, site_url, page.url, page.final_url), timeouts.page
            )
        except StepFailed as exc:
            return _fail(page, faults.STEP_FAILED, str(exc))
        if again is not None:  # the steps left the page: it was opened again (a login flow's first page)
            page.facts.pop("redirects", None)
            failed = await _loaded(session, page, again, timeouts.navigation, site_url, again.redirects)
            if failed is not None:
                return failed
        timings["steps"] = _ms_since(started)
        facts = await asyncio.wait_for(gather_facts(session, max_bytes, links), timeout=timeouts.script)
    sniff = facts["sniff"]
    if sniff.get("bytes"):
        page.facts["document_bytes"] = sniff["bytes"]
    if sniff.get("bytes") and sniff["bytes"] > max_bytes:
        size = f"{sniff['bytes'] / 1e6:.1f} MB"
        return _fail(page, faults.TOO_LARGE, f"too large: the document is {size}; skipped (max_page_mb)")
    if "title" not in facts:
        return _fail(page, faults.BINARY, f"binary content served as {page.content_type or 'HTML'}; skipped")
    page.title, page.lang = facts["title"], facts["lang"]
    for key in ("counts", "viewport_meta", "scroll_width", "client_width"):
        page.facts[key] = facts[key]

    ctx = PageContext(
        session=session,
        page=page,
        config=config,
        run_dir=run_dir,
        primary=primary,
        scope=scope,
        after_steps=bool(prepared and prepared.ran),
    )
    result = VisitResult(links=facts["links"], resources=facts["resources"], ids=facts["ids"], refreshes=refreshes)
    result.findings += early
    remaining = [c for c in checks if c.id not in done and c.id not in scope.disabled]
    ran: list[str] = []  # the shared checks that ran through on this page, whose results another cell may take
    moved: list[PageCheck] = []
    fresh = not done and not (prepared and prepared.ran)  # a second tab is a visitor who went through no steps
    if spare is not None and fresh and facts["counts"].get("elements", 0) > ASIDE_ABOVE_ELEMENTS:
        moved = [c for c in remaining if c.order >= ASIDE_FROM_ORDER and (primary or not c.primary_only)]
    aside = asyncio.ensure_future(_run_aside(spare, ctx, moved, check_runs, timings, scope)) if moved else None
    try:
        kept = [c for c in remaining if c not in moved]
        await _run_checks(ctx, kept, check_runs, result.findings, timings, ran, share, scope)
        if aside is not None:
            found = await aside
            if found is None:  # no second tab after all: here, after the others, as on any page
                await _run_checks(ctx, moved, check_runs, result.findings, timings, ran, None, scope)
            else:
                result.findings += found
    finally:
        if aside is not None and not aside.done():
            aside.cancel()
            await asyncio.gather(aside, return_exceptions=True)  # its tab is closed before the visit ends
        if share is not None and ctx.reuse is not None:  # stopped before the engines were done: nothing to take
            share.abandon(ctx.reuse)
    # Left out before anything counts them: the rules switched off, the own checks' findings in excluded regions.
    result.findings = drop_disabled(scope, result.findings, page.facts)
    result.findings = await drop_excluded(session, scope, result.findings, page.facts)
    # One barrier, one finding: what several rule engines say about one element and criterion is merged here,
    # before the findings leave the visit, so that every count downstream counts barriers.
    result.findings = merge_engine_findings(result.findings)
    events = session.take_events()
    page.facts.update(
        js_errors=events.js_errors,
        console_errors=events.console_errors,
        failed_requests=events.failed_requests,
        dialogs=events.dialogs,
    )
    return result


async def _run_aside(
    spare: SpareTab,
    ctx: PageContext,
    checks: list[PageCheck],
    check_runs: dict[str, CheckRun],
    timings: dict[str, float],
    scope: PageScope,
) -> list[Finding] | None:
    """``checks`` in a second tab of the page, loaded while the first tab goes on with the others: their findings,
    or None when they did not run there (no tab to spare, or the page loaded there is not the one the first tab
    sees: another address, or another number of elements, as when a script writes other content each time)."""
    started = time.perf_counter()
    page = ctx.page
    try:
        session = await spare()
    except Exception as exc:  # the browser could not open one now: the first tab runs them, as on any page
        return _not_used(page, f"no second tab could be opened ({type(exc).__name__})")
    if session is None:
        return None
    try:
        try:
            nav = await session.goto(page.final_url, ctx.config.timeouts.navigation)
            if nav.fault or (nav.status or 0) >= 400 or nav.final_url != page.final_url:
                return _not_used(page, "the page did not load the same way in a second tab")
            elements = await asyncio.wait_for(session.evaluate(ELEMENTS_JS), ctx.config.timeouts.script)
        except Exception as exc:  # lost, or the page would not answer there: nothing was judged in that tab
            return _not_used(page, f"the page did not load in a second tab ({type(exc).__name__})")
        if elements != page.facts["counts"]["elements"]:
            first = page.facts["counts"]["elements"]
            return _not_used(page, f"{elements} elements in the second tab against {first} in the first")
        timings["second_tab"] = _ms_since(started)
        page.facts["second_tab"] = {"checks": [c.id for c in checks]}
        findings: list[Finding] = []
        # Its own memo: what a check measures there is of that tab's layout.
        beside = replace(ctx, session=session, reuse=None, memo={}, check_id="")
        await _run_checks(beside, checks, check_runs, findings, timings, [], None, scope)
        session.take_events()  # the page's script errors are the first tab's to report; here they would count twice
        return findings
    finally:
        with contextlib.suppress(Exception):
            await session.close()


def _not_used(page: Page, reason: str) -> None:
    """Record why the second tab was not used (its checks then run in the first)."""
    page.facts["second_tab"] = {"not_used": reason}


async def _enter(share: RuleShare, session: Session, page: Page, wait_s: float) -> Ticket:
    """This visit's place in the rule engines' sharing between cells, from its rendered DOM's fingerprint."""
    started = time.perf_counter()
    try:
        digest = await asyncio.wait_for(session.evaluate(DOM_STATE_JS), timeout=wait_s)
    except DriverFault:
        raise
    except Exception as exc:  # the checks meet the same page and record what is wrong with it; nothing is shared
        digest, reason = None, f"the DOM fingerprint failed ({type(exc).__name__})"
    else:
        reason = NO_FINGERPRINT
    page.facts["timings_ms"]["fingerprint"] = _ms_since(started)
    if not isinstance(digest, str):
        digest = None
        page.facts["reuse"] = {"not_reused": reason}
    return await share.enter(page.url, digest, f"{page.browser}/{page.viewport}", wait_s)


async def _run_checks(
    ctx: PageContext,
    checks: list[PageCheck],
    check_runs: dict[str, CheckRun],
    findings: list[Finding],
    timings: dict[str, float],
    ran: list[str],
    share: RuleShare | None,
    scope: PageScope | None = None,
) -> None:
    """Run ``checks`` in order, adding to ``findings``. With ``scope``, its selectors are applied to the page (once)
    before the first check from PREPARE_BEFORE_ORDER on, so that the checks before it see the page as sent."""
    primary, page, timeouts = ctx.primary, ctx.page, ctx.config.timeouts
    engines = {c.id for c in checks if c.id in SHARED_CHECKS and (primary or not c.primary_only)}
    prepared = False
    for group in _groups([c for c in checks if primary or not c.primary_only]):
        first = group[0]
        if scope is not None and not prepared and first.order >= PREPARE_BEFORE_ORDER:
            await prepare(ctx.session, scope, page.facts)
            prepared = True
        if share is not None and first.id in SHARED_CHECKS and ctx.reuse is None:
            # Right before the engines, after the checks that must see the page first (privacy, screenshot): the
            # fingerprint is of the DOM the engines read, and waiting for another cell delays nothing earlier.
            ctx.reuse = await _enter(share, ctx.session, page, timeouts.script)
        if len(group) > 1:
            batch = BatchedSession(ctx.session, len(group))
            outcomes = await asyncio.gather(
                *(_run_one(replace(ctx, session=batch), c, check_runs, timings, batch.finished) for c in group)
            )
        else:
            outcomes = [await _run_one(ctx, first, check_runs, timings)]
        for check, found in zip(group, outcomes, strict=True):
            findings += found or []
            if found is not None and check.id in SHARED_CHECKS:
                ran.append(check.id)
            if share is not None and ctx.reuse is not None and ctx.reuse.claimed and check.id in engines:
                engines.discard(check.id)
                if not engines and ran:  # the cells waiting for this one go on now, not after its slower checks
                    share.publish(ctx.reuse, findings, page.facts, ran)
                elif not engines:
                    share.abandon(ctx.reuse)


def _groups(checks: list[PageCheck]) -> list[list[PageCheck]]:
    """The checks in order, those that only read the page gathered with their neighbours that do too (never across
    the point where the scope's selectors change the page), each other check alone."""
    groups: list[list[PageCheck]] = []
    for check in checks:
        last = groups[-1] if groups else None
        if (
            last
            and check.reads_only
            and last[-1].reads_only
            and (check.order >= PREPARE_BEFORE_ORDER) == (last[0].order >= PREPARE_BEFORE_ORDER)
        ):
            last.append(check)
        else:
            groups.append([check])
    return groups


async def _run_one(
    ctx: PageContext,
    check: PageCheck,
    check_runs: dict[str, CheckRun],
    timings: dict[str, float],
    finished: Callable[[], None] | None = None,
) -> list[Finding] | None:
    """One check on the page: its findings, or None when it failed (recorded on the page, the others still run).
    Checks of one batch run side by side: each has its own context (its id on its findings) and time."""
    ctx.check_id = check.id
    run = check_runs[check.id]
    started = time.perf_counter()
    try:
        found = await asyncio.wait_for(check.run(ctx), timeout=ctx.config.timeouts.script)
        run.pages += 1
        return found
    except Exception as exc:  # a failing check is recorded for this page; the others still run
        run.errors += 1
        detail = str(exc).splitlines()[0] if str(exc) else ""
        ctx.page.facts.setdefault("check_errors", {})[check.id] = f"{type(exc).__name__}: {detail}"[:500]
        return None
    finally:
        timings[check.id] = _ms_since(started)
        if finished is not None:
            finished()


async def _loaded(
    session: Session, page: Page, nav: Navigation, timeout_s: float, site_url: str, redirects: list[str]
) -> VisitResult | None:
    """Record the navigation on the page; a VisitResult (empty) when the page is not to be audited."""
    page.final_url, page.status, page.load_ms = nav.final_url, nav.status, round(nav.load_ms, 1)
    page.content_type = nav.content_type.split(";")[0].strip()
    if redirects:
        page.facts["redirects"] = redirects
    if nav.document_bytes is not None:
        page.facts["document_bytes"] = nav.document_bytes
    if nav.fault:
        kind, reason = faults.of_navigation(nav, timeout_s)
        if kind == faults.DOWNLOAD and not nav.attachment and page.content_type not in ("", *HTML_TYPES):
            # A browser without a viewer for the type (Chromium's headless shell and PDF) downloads it instead.
            return _fail(page, faults.NOT_HTML, f"not an HTML page ({page.content_type}); skipped")
        if kind == faults.TIMEOUT and nav.responded and not faults.still_sending(nav):
            if not await _responsive(session):
                kind = faults.UNRESPONSIVE
                reason = (
                    "unresponsive: the page's script never yields (endless loop); its tab was abandoned and replaced"
                )
        return _fail(page, kind, reason)
    if page.status and page.status >= 400:
        return _fail(page, faults.HTTP_ERROR, f"HTTP {page.status}; not audited")
    if page.content_type and page.content_type not in HTML_TYPES:
        return _fail(page, faults.NOT_HTML, f"not an HTML page ({page.content_type}); skipped")
    if not same_origin(page.final_url, site_url):
        return _fail(page, faults.OFF_SITE, f"redirected off-site to {redact_url(page.final_url)}; not audited")
    return None


def _unsettled(page: Page, start: str, refreshes: list[tuple[str, str]]) -> VisitResult:
    failed = _fail(
        page,
        faults.REDIRECT_LOOP,
        "redirect loop: the page moves on by itself (a meta refresh or script) again and again and never settles:"
        f" from {redact_url(start)}, no document stayed long enough to be read; not audited",
    )
    failed.refreshes = refreshes  # the refreshes read so far are links of the pages that hold them
    return failed


async def _moved_on(session: Session, url: str) -> str | None:
    """Where a page that left by itself went: the tab's new address, or the target of the meta refresh it is about
    to follow. None when it stayed where it was (the facts failed for another reason); ``UNSETTLED`` when every
    document was gone before a script could read it, a tab that moves on and on."""
    for _ in range(MOVED_PROBES):
        await asyncio.sleep(MOVED_PROBE_S)
        try:
            where, refresh, begun = await asyncio.wait_for(session.evaluate(WHERE_JS), RESPONSIVE_PROBE_S)
        except DriverFault:
            raise
        except TimeoutError:  # a page that does not answer is not moving on
            return None
        except Exception:  # between two documents
            continue
        if not begun:  # a document with nothing in it yet, its meta refresh still to come: look again
            continue
        if where != url:
            return where
        return refresh_target(refresh, where, REFRESH_AS_REDIRECT_S)
    return UNSETTLED


# The address of the navigation that made the tab's document, and its HTTP redirects: a script's history.replaceState
# changes the address shown but not this.
BEGAN_AT_JS = """() => {
  const e = performance.getEntriesByType('navigation')[0];
  return e ? [e.name, e.redirectCount] : null;
}"""


async def _left_before_load(session: Session, url: str, nav: Navigation) -> bool:
    """True when the tab's document is not the one asked for: the load reported another address, with no HTTP
    redirect, and the document there began at that address (or has not begun)."""
    if nav.redirects or normalise(nav.final_url) == normalise(url):
        return False
    try:
        began = await asyncio.wait_for(session.evaluate(BEGAN_AT_JS), RESPONSIVE_PROBE_S)
    except DriverFault:
        raise
    except TimeoutError:  # a page that does not answer: not one on its way elsewhere
        return False
    except Exception:  # between two documents
        return True
    if not began:
        return True
    address, redirected = began
    return not redirected and normalise(address) != normalise(url)


def _read_later_document(facts: dict[str, Any], url: str, nav: Navigation) -> str | None:
    """The address of the document the facts were read from when it is not the one loaded: the tab followed the
    page's refresh of 0 s after the load was reported (a loaded machine makes that likely). A script's
    history.replaceState moves the address shown but not where its document began, so it is not mistaken for one."""
    at, began = facts.get("at"), facts.get("began")
    if not at or not began or normalise(at) == normalise(nav.final_url):
        return None
    loaded = {normalise(u) for u in (url, nav.final_url, *nav.redirects)}
    return None if normalise(began) in loaded else began


def _ms_since(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 1)


def _fail(page: Page, kind: str, reason: str) -> VisitResult:
    page.error, page.error_kind = reason, kind
    return VisitResult()


async def _responsive(session: Session) -> bool:
    try:
        await asyncio.wait_for(session.evaluate("() => 1"), timeout=RESPONSIVE_PROBE_S)
        return True
    except Exception:  # a renderer stuck in a loop never answers; any failure means the same here
        return False
