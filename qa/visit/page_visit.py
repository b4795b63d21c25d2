"""One page in one browser cell: load it, gather its facts, run the page checks, collect its events."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from qa.check import PageCheck, PageContext
from qa.discover.urls import same_origin
from qa.model import CheckRun, Finding, Page
from qa.redact import redact_url
from qa.visit.driver import Session
from qa.visit.facts import gather_facts

HTML_TYPES = ("text/html", "application/xhtml+xml")


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
    config: dict[str, Any],
    run_dir: Path,
    primary: bool,
    site_url: str,
) -> VisitResult:
    """Fill ``page`` in place and return its findings and links. Problems are recorded in ``page.error``."""
    timeouts = config["timeouts"]
    nav = await session.goto(page.url, timeouts["navigation"])
    page.final_url, page.status, page.load_ms = nav.final_url, nav.status, round(nav.load_ms, 1)
    page.content_type = nav.content_type.split(";")[0].strip()
    if nav.redirects:
        page.facts["redirects"] = nav.redirects
    if nav.error:
        page.error = nav.error
        return VisitResult()
    if page.status and page.status >= 400:
        page.error = f"HTTP {page.status}; not audited"
        return VisitResult()
    if page.content_type and page.content_type not in HTML_TYPES:
        page.error = f"not an HTML page ({page.content_type}); skipped"
        return VisitResult()
    if not same_origin(page.final_url, site_url):
        page.error = f"redirected off-site to {redact_url(page.final_url)}; not audited"
        return VisitResult()

    timings = page.facts.setdefault("timings_ms", {"navigation": page.load_ms})
    started = time.perf_counter()
    facts = await asyncio.wait_for(gather_facts(session), timeout=timeouts["script"])
    timings["facts"] = _ms_since(started)
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
            result.findings += await asyncio.wait_for(check.run(ctx), timeout=timeouts["script"])
            run.pages += 1
        except Exception as exc:  # a failing check is recorded for this page; the others still run
            run.errors += 1
            detail = str(exc).splitlines()[0] if str(exc) else ""
            page.facts.setdefault("check_errors", {})[check.id] = f"{type(exc).__name__}: {detail}"[:500]
        timings[check.id] = _ms_since(started)
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
