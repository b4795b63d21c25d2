"""One page in one browser cell: load it, gather its facts, run the page checks, collect its events."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from qa.check import PageCheck, PageContext
from qa.check._engines import merge_engine_findings
from qa.config import Config
from qa.model import CheckRun, Finding, Page
from qa.redact import redact_url
from qa.urls import same_origin
from qa.visit import faults
from qa.visit.driver import Session
from qa.visit.facts import gather_facts

HTML_TYPES = ("text/html", "application/xhtml+xml")
RESPONSIVE_PROBE_S = 2


@dataclass
class VisitResult:
    findings: list[Finding] = field(default_factory=list)
    links: list[dict[str, Any]] = field(default_factory=list)  # href, raw, text, element (rendered DOM)
    # img/srcset, scripts, styles, CSS url(), iframes, ... (href, element, text, source: the style sheet or "")
    resources: list[dict[str, Any]] = field(default_factory=list)
    ids: list[str] = field(default_factory=list)  # element ids and a[name] of the rendered DOM (anchor targets)


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
) -> VisitResult:
    """Fill ``page`` in place and return its findings and links (``links``: False when nothing will read them).
    Problems are recorded in ``page.error``."""
    timeouts = config.timeouts
    max_bytes = int(config.max_page_mb * 1_000_000)
    session.max_document_bytes = max_bytes  # an engine that can stops a huge document before rendering it
    nav = await session.goto(page.url, timeouts.navigation)
    page.final_url, page.status, page.load_ms = nav.final_url, nav.status, round(nav.load_ms, 1)
    page.content_type = nav.content_type.split(";")[0].strip()
    if nav.redirects:
        page.facts["redirects"] = nav.redirects
    if nav.document_bytes is not None:
        page.facts["document_bytes"] = nav.document_bytes
    if nav.fault:
        kind, reason = faults.of_navigation(nav, timeouts.navigation)
        if kind == faults.DOWNLOAD and not nav.attachment and page.content_type not in ("", *HTML_TYPES):
            # A browser without a viewer for the type (Chromium's headless shell and PDF) downloads it instead.
            return _fail(page, faults.NOT_HTML, f"not an HTML page ({page.content_type}); skipped")
        if kind == faults.TIMEOUT and nav.responded and not await _responsive(session):
            kind = faults.UNRESPONSIVE
            reason = "unresponsive: the page's script never yields (endless loop); its tab was abandoned and replaced"
        return _fail(page, kind, reason)
    if page.status and page.status >= 400:
        return _fail(page, faults.HTTP_ERROR, f"HTTP {page.status}; not audited")
    if page.content_type and page.content_type not in HTML_TYPES:
        return _fail(page, faults.NOT_HTML, f"not an HTML page ({page.content_type}); skipped")
    if not same_origin(page.final_url, site_url):
        return _fail(page, faults.OFF_SITE, f"redirected off-site to {redact_url(page.final_url)}; not audited")
    timings = page.facts.setdefault("timings_ms", {"navigation": page.load_ms})
    started = time.perf_counter()
    facts = await asyncio.wait_for(gather_facts(session, max_bytes, links), timeout=timeouts.script)
    timings["facts"] = _ms_since(started)
    sniff = facts["sniff"]
    if sniff.get("bytes"):
        page.facts["document_bytes"] = sniff["bytes"]
    if sniff.get("bytes") and sniff["bytes"] > max_bytes:
        return _fail(page, faults.TOO_LARGE, f"too large: the document is {sniff['bytes'] / 1e6:.1f} MB; skipped")
    if "title" not in facts:
        return _fail(page, faults.BINARY, f"binary content served as {page.content_type or 'HTML'}; skipped")
    page.title, page.lang = facts["title"], facts["lang"]
    for key in ("counts", "viewport_meta", "scroll_width", "client_width"):
        page.facts[key] = facts[key]

    ctx = PageContext(session=session, page=page, config=config, run_dir=run_dir, primary=primary)
    result = VisitResult(links=facts["links"], resources=facts["resources"], ids=facts["ids"])
    for check in checks:
        if check.primary_only and not primary:
            continue
        ctx.check_id = check.id
        run = check_runs[check.id]
        started = time.perf_counter()
        try:
            result.findings += await asyncio.wait_for(check.run(ctx), timeout=timeouts.script)
            run.pages += 1
        except Exception as exc:  # a failing check is recorded for this page; the others still run
            run.errors += 1
            detail = str(exc).splitlines()[0] if str(exc) else ""
            page.facts.setdefault("check_errors", {})[check.id] = f"{type(exc).__name__}: {detail}"[:500]
        timings[check.id] = _ms_since(started)
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
