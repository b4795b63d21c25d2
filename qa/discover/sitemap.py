"""robots.txt Sitemap lines, sitemap.xml and sitemap indexes (WordPress wp-sitemap.xml, plugin sitemap_index.xml)."""

from __future__ import annotations

import gzip
import xml.etree.ElementTree as ET
from collections.abc import Awaitable, Callable

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


async def sitemap_urls(site_origin: str, fetch: Fetch) -> list[str]:
    """Every page URL the site's sitemaps list, following indexes, in document order."""
    candidates: list[str] = []
    status, _, body = await fetch(f"{site_origin}/robots.txt")
    if status == 200:
        candidates += parse_robots(body.decode("utf-8", "replace"))
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
        queue += [c for c in children if c not in seen]
    return list(dict.fromkeys(pages))
