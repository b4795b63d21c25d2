"""robots.txt Sitemap lines, sitemap.xml and sitemap indexes (WordPress wp-sitemap.xml, plugin sitemap_index.xml)."""

from __future__ import annotations

import gzip
import xml.etree.ElementTree as ET
from collections.abc import Awaitable, Callable

from qa.urls import origin_key

Fetch = Callable[[str], Awaitable[tuple[int, str, bytes]]]  # url -> (status, content type, body)

MAX_SITEMAPS = 200  # a sitemap index can point at more indexes; stay bounded on hostile sites


def parse_robots(text: str) -> list[str]:
    return [
        line.split(":", 1)[1].strip()
        for line in text.splitlines()
        if line.lower().startswith("sitemap:") and line.split(":", 1)[1].strip()
    ]


def parse_sitemap(body: bytes) -> tuple[list[str], list[str]]:
    """Return (page URLs, child sitemap URLs) of a urlset or a sitemapindex; ([], []) if unreadable."""
    if body[:2] == b"\x1f\x8b":
        try:
            body = gzip.decompress(body)
        except OSError:
            return [], []
    try:
        root = ET.fromstring(body)
    except ET.ParseError:
        return [], []
    tag = root.tag.rsplit("}", 1)[-1]
    locs = [el.text.strip() for el in root.iter() if el.tag.rsplit("}", 1)[-1] == "loc" and el.text]
    if tag == "sitemapindex":
        return [], locs
    if tag == "urlset":
        return locs, []
    return [], []


async def sitemap_urls(site_origin: str, fetch: Fetch, allowed: Callable[[str], bool] | None = None) -> list[str]:
    """Every page URL the site's sitemaps list, following indexes, in document order.

    Only sitemaps on the site's origin (or one ``allowed`` accepts) are fetched: robots.txt and sitemap indexes
    may name any host, and the suite requests nothing the site's own pages did not lead it to on its origin."""
    own = origin_key(site_origin)
    allowed = allowed or (lambda url: origin_key(url) == own)
    candidates: list[str] = []
    status, _, body = await fetch(f"{site_origin}/robots.txt")
    if status == 200:
        candidates += [u for u in parse_robots(body.decode("utf-8", "replace")) if allowed(u)]
    candidates += [f"{site_origin}/sitemap.xml", f"{site_origin}/wp-sitemap.xml", f"{site_origin}/sitemap_index.xml"]
    seen: set[str] = set()
    pages: list[str] = []
    queue = list(dict.fromkeys(candidates))
    while queue and len(seen) < MAX_SITEMAPS:
        url = queue.pop(0)
        if url in seen:
            continue
        seen.add(url)
        status, _, body = await fetch(url)
        if status != 200:
            continue
        found, children = parse_sitemap(body)
        pages += found
        queue += [c for c in children if c not in seen and allowed(c)]
    return list(dict.fromkeys(pages))
