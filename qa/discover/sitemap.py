"""robots.txt Sitemap lines, sitemap.xml and sitemap indexes (WordPress wp-sitemap.xml, plugin sitemap_index.xml).

Sitemaps come from the site, so they are read within bounds: fetched through :func:`qa.net.fetch`, a gzip sitemap
inflated a slice at a time up to the protocol's own 50 MB, and the XML parsed as a stream (memory stays flat
however many URLs it lists).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
import zlib
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from qa.net import Fetched
from qa.redact import redact_url
from qa.urls import origin_key

Fetch = Callable[[str, int], Awaitable[Fetched]]  # (url, most bytes to read) -> the answer

MAX_SITEMAPS = 200  # a sitemap index can point at more indexes; stay bounded on hostile sites
MAX_SITEMAP_BYTES = 50_000_000  # the sitemaps protocol's limits for one sitemap: bytes uncompressed, URLs
MAX_SITEMAP_URLS = 50_000
MAX_ROBOTS_BYTES = 500_000  # what search engines read of a robots.txt
MAX_KEPT_ROBOTS = 100_000  # of robots.txt, what results.json keeps for the checks (the SEO family reads its rules)
MAX_KEPT_LISTED = 20_000  # listed page URLs kept in results.json
SLICE = 1 << 20


@dataclass
class Sitemap:
    """What one sitemap document says: its root element, page URLs (urlset) or child sitemaps (sitemapindex),
    and why it could not be read to the end (``problem``)."""

    root: str = ""  # the root element's tag, with its namespace: {http://www.sitemaps.org/...}urlset
    pages: list[str] = field(default_factory=list)
    children: list[str] = field(default_factory=list)
    problem: str = ""


def parse_robots(text: str) -> list[str]:
    return [
        line.split(":", 1)[1].strip()
        for line in text.splitlines()
        if line.lower().startswith("sitemap:") and line.split(":", 1)[1].strip()
    ]


def _slices(body: bytes, gzipped: bool) -> Iterator[bytes]:
    if not gzipped:
        for i in range(0, len(body), SLICE):
            yield body[i : i + SLICE]
        return
    inflate = zlib.decompressobj(16 + zlib.MAX_WBITS)
    data = inflate.decompress(body, SLICE)
    while data:
        yield data
        data = inflate.decompress(inflate.unconsumed_tail, SLICE)


def read_sitemap(body: bytes, max_bytes: int = MAX_SITEMAP_BYTES, gzip_ok: bool = True) -> Sitemap:
    """One sitemap document (gzip-compressed or not), read as a stream."""
    out = Sitemap()
    parser = ET.XMLPullParser(events=("start", "end"))
    root: ET.Element | None = None
    locs: list[str] = []
    size = 0
    try:
        for data in _slices(body, gzip_ok and body[:2] == b"\x1f\x8b"):
            size += len(data)
            if size > max_bytes:
                out.problem = f"larger than {max_bytes:,} bytes uncompressed (the sitemaps limit); not read further"
                break
            parser.feed(data)
            for event, el in parser.read_events():
                if root is None:
                    root, out.root = el, el.tag
                elif event == "end" and el.tag.rsplit("}", 1)[-1] == "loc" and el.text:
                    if len(locs) == MAX_SITEMAP_URLS:
                        out.problem = f"lists more than {MAX_SITEMAP_URLS:,} URLs (the sitemaps limit)"
                        break
                    locs.append(el.text.strip())
                elif event == "end" and el.tag.rsplit("}", 1)[-1] in ("url", "sitemap"):
                    root.clear()  # read: nothing of it stays in memory
            if out.problem:
                break
        else:
            parser.close()
    except ET.ParseError as exc:
        out.problem = f"not well-formed XML ({exc})"
    except zlib.error as exc:
        out.problem = f"not a readable gzip file ({exc})"
    kind = out.root.rsplit("}", 1)[-1]
    if kind == "sitemapindex":
        out.children = locs
    elif kind == "urlset":
        out.pages = locs
    return out


def parse_sitemap(body: bytes) -> tuple[list[str], list[str]]:
    """Return (page URLs, child sitemap URLs) of a urlset or a sitemapindex; ([], []) if unreadable."""
    sitemap = read_sitemap(body)
    if sitemap.problem:
        return [], []
    return sitemap.pages, sitemap.children


async def sitemap_urls(
    site_origin: str,
    fetch: Fetch,
    problems: list[str] | None = None,
    allowed: Callable[[str], bool] | None = None,
    facts: dict[str, Any] | None = None,
) -> list[str]:
    """Every page URL the site's sitemaps list, following indexes, in document order. What could not be read for
    a reason worth telling (a limit hit, a broken sitemap) is added to ``problems``; what was read (robots.txt, each
    sitemap's answer, the URLs listed) to ``facts``, so the checks judge it without asking the site again.

    Only sitemaps on the site's origin (or one ``allowed`` accepts) are fetched: robots.txt and sitemap indexes
    may name any host, and the suite requests nothing the site's own pages did not lead it to on its origin."""
    problems = problems if problems is not None else []
    own = origin_key(site_origin)
    allowed = allowed or (lambda url: origin_key(url) == own)
    candidates: list[str] = []
    facts = facts if facts is not None else {}
    robots = await fetch(f"{site_origin}/robots.txt", MAX_ROBOTS_BYTES)
    facts["robots"] = {
        "url": redact_url(robots.url),
        "status": robots.status,
        "text": robots.text[:MAX_KEPT_ROBOTS] if robots.status == 200 else "",
        "problem": robots.problem,
    }
    facts["sitemaps"] = []
    if robots.problem and robots.status in (0, 200):
        problems.append(f"{redact_url(robots.url)}: {robots.problem}; its Sitemap lines were not read")
    elif robots.status == 200:
        candidates += [u for u in parse_robots(robots.text) if allowed(u)]
    candidates += [f"{site_origin}/sitemap.xml", f"{site_origin}/wp-sitemap.xml", f"{site_origin}/sitemap_index.xml"]
    seen: set[str] = set()
    pages: list[str] = []
    queue = list(dict.fromkeys(candidates))
    while queue and len(seen) < MAX_SITEMAPS:
        url = queue.pop(0)
        if url in seen:
            continue
        seen.add(url)
        answer = await fetch(url, MAX_SITEMAP_BYTES)
        if answer.status not in (0, 200) or (answer.status == 0 and not answer.problem):
            continue
        sitemap = read_sitemap(answer.body) if answer.status == 200 else Sitemap()
        problem = answer.problem or sitemap.problem
        facts["sitemaps"].append(
            {
                "url": redact_url(url),
                "status": answer.status,
                "root": sitemap.root,
                "problem": problem,
                "pages": len(sitemap.pages),
                "children": len(sitemap.children),
            }
        )
        if problem:  # the URLs read up to the fault are kept
            problems.append(f"{redact_url(url)}: {problem}; the URLs after that point were not read")
        pages += sitemap.pages
        queue += [c for c in sitemap.children if c not in seen and allowed(c)]
    listed = list(dict.fromkeys(pages))
    facts["listed"], facts["listed_count"] = listed[:MAX_KEPT_LISTED], len(listed)
    return listed
