"""What other sites' style sheets reference: a page can include a sheet from a CDN or a font service, and a browser
loads what that sheet's ``url()`` and ``@import`` name, relative to the sheet's own (final) address.

The page's script cannot read such a sheet (its rules are closed to another origin), so after the crawl each one
is fetched here once: GET only, one request at a time, at most MAX_SHEETS per run, with none of the site's
credentials (they belong to the site alone). Its references become resources of the sheet, checked like any other.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterable
from typing import Any
from urllib.parse import urljoin, urlsplit

import httpx

from qa.links.join import is_internal, scheme_of

MAX_SHEETS = 50  # other sites' sheets read in one run (imports included)
MAX_BYTES = 2_000_000  # a sheet larger than this is read this far
SPACING_S = 0.2  # between two requests: another site is not ours to hurry

_COMMENT = re.compile(r"/\*.*?\*/", re.S)
_URL = re.compile(r"""url\(\s*(?:"([^"]*)"|'([^']*)'|([^)'"\s]*))\s*\)""", re.I)
_IMPORT = re.compile(r"""@import\s+(?:url\(\s*)?(?:"([^"]*)"|'([^']*)'|([^)'";\s]+))[^;]*;?""", re.I)


def is_sheet(element: str) -> bool:
    return element == "css @import" or (element.startswith("link ") and "stylesheet" in element.split())


def references(css: str, base: str) -> list[tuple[str, str]]:
    """(absolute URL, element) of each ``@import`` and ``url()`` in the sheet, as a browser resolves them."""
    css = _COMMENT.sub(" ", css)
    found: list[tuple[str, str]] = []
    for m in _IMPORT.finditer(css):
        raw = next(g for g in m.groups() if g is not None)
        found.append((urljoin(base, raw.strip()), "css @import"))
    for m in _URL.finditer(_IMPORT.sub(" ", css)):  # an import's url() is the import, listed above
        raw = (next(g for g in m.groups() if g is not None)).strip()
        if not raw or raw.startswith(("data:", "#")):
            continue
        found.append((urljoin(base, raw), "css url()"))
    return list(dict.fromkeys(found))


def foreign_sheets(occurrences: Iterable[dict[str, Any]], site: str, never: list[re.Pattern]) -> list[str]:
    """The other origins' style sheets the pages include, in the order met."""
    sheets = []
    for occ in occurrences:
        url = occ.get("url", "").split("#", 1)[0]
        if (
            is_sheet(occ.get("element", ""))
            and scheme_of(url) in ("http", "https")
            and not is_internal(url, site)
            and not any(p.search(url) for p in never)
        ):
            sheets.append(url)
    return list(dict.fromkeys(sheets))


async def read_foreign_sheets(
    sheets: list[str], site: str, never: list[re.Pattern], user_agent: str, timeout_s: float
) -> list[dict[str, Any]]:
    """Occurrence rows (source: the sheet) of what the sheets reference; imported foreign sheets are read too."""
    rows: list[dict[str, Any]] = []
    queue, seen = list(sheets), set(sheets)
    async with httpx.AsyncClient(
        follow_redirects=True, timeout=timeout_s, headers={"User-Agent": user_agent, "Accept": "text/css,*/*;q=0.1"}
    ) as client:
        while queue and len(seen) - len(queue) < MAX_SHEETS:
            sheet = queue.pop(0)
            css, final = await _fetch(client, sheet)
            if css is None:
                continue  # unreachable or not a sheet: the link check reports the sheet itself
            for url, element in references(css, final):
                rows.append({"source": sheet, "url": url, "element": element, "text": ""})
                foreign = scheme_of(url) in ("http", "https") and not is_internal(url, site)
                if element == "css @import" and foreign and url not in seen and not any(p.search(url) for p in never):
                    seen.add(url)
                    queue.append(url)
            await asyncio.sleep(SPACING_S)
    return rows


async def _fetch(client: httpx.AsyncClient, url: str) -> tuple[str | None, str]:
    try:
        async with client.stream("GET", url) as response:
            if response.status_code != 200:
                return None, url
            kind = response.headers.get("content-type", "text/css").split(";")[0].strip().lower()
            if kind not in ("text/css", "text/plain", "") and not urlsplit(str(response.url)).path.endswith(".css"):
                return None, url
            body = b""
            async for chunk in response.aiter_bytes():
                body += chunk
                if len(body) >= MAX_BYTES:
                    break
            return body[:MAX_BYTES].decode(response.encoding or "utf-8", "replace"), str(response.url)
    except (httpx.HTTPError, OSError, ValueError):
        return None, url
