"""Shared helpers of the site-level checks: the audited pages of the primary cell and site findings."""

from __future__ import annotations

import re
from typing import Any

from qa.model import Finding, Page, Results


def primary_pages(results: Results, fact: str = "structure") -> list[Page]:
    """One page record per distinct audited page: the primary cell, with the ``fact`` (page artifact) the check
    reads, each final URL once."""
    cell = results.run.cells[0] if results.run.cells else ""
    seen: set[str] = set()
    out = []
    for p in results.pages:
        if p.error or fact not in p.facts or (cell and p.cell != cell):
            continue
        final = p.final_url or p.url
        if final in seen:
            continue
        seen.add(final)
        out.append(p)
    return out


def site_finding(check: str, page: Page, rule: str, outcome: str, sc: list[str], message: str, **kw: Any) -> Finding:
    return Finding(
        rule=rule,
        outcome=outcome,
        sc=sc,
        url=page.url,
        browser=page.browser,
        viewport=page.viewport,
        check=check,
        message=message,
        **kw,
    )


def same_content(a: Page, b: Page) -> bool:
    """The same document under two URLs (``/`` and ``/index.html``): identical main text."""
    return a.facts["structure"].get("digest") == b.facts["structure"].get("digest")


_INDEX_FILE = re.compile(r"/index\.(html?|php)$")


def one_per_document(pages: list[Page]) -> list[Page]:
    """The pages with the other addresses of one document left out: a folder and its index file (``/`` and
    ``/index.html``) serving the same content (fingerprint, else title and size), as the run's page inventory
    (qa.judge.inventory) folds them."""
    seen: set[tuple[Any, ...]] = set()
    out = []
    for p in pages:
        url = p.final_url or p.url
        content = p.facts.get("fingerprint") or (p.title, p.facts.get("document_bytes"))
        key = (_INDEX_FILE.sub("/", url.split("#")[0]), content)
        if key not in seen:
            seen.add(key)
            out.append(p)
    return out
