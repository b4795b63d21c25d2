"""``qa discover``: the page list of a run, found once and written to a file every shard of the run reads.

The same discovery as an audit's (the start URL, WordPress's REST API, robots.txt and sitemaps, the sampling's
representative pages, the same scope, page limit and trap limits), and then, where an audit would follow the links
of the pages it renders, the links of the pages' HTML as served, GET only, a few requests at a time. Links that
only JavaScript adds are not followed here: list such pages in a sitemap or a ``--urls`` file.
"""

from __future__ import annotations

import asyncio
from datetime import datetime

import httpx
from lxml import html as lxml_html

from qa.access import SiteAccess, load_credentials, site_access
from qa.config import Config
from qa.discover.frontier import Frontier
from qa.discover.seeds import listed_pages
from qa.discover.shard import Discovery
from qa.errors import UsageError
from qa.judge import sampling
from qa.net import fetch, make_client, preflight
from qa.run.entry import check_certificate, enter_site
from qa.urls import normalise

HTML_LIMIT = 5_000_000  # bytes of one page read for its links
IN_FLIGHT = 4  # pages fetched at once: the site is crawled again by the shards, this pass stays light
LINK_XPATH = "//a[@href]/@href | //area[@href]/@href"


def page_links(body: str) -> list[str]:
    """The hrefs of a page's links, as written; a page lxml cannot parse has none."""
    try:
        return [str(h) for h in lxml_html.fromstring(body).xpath(LINK_XPATH)]
    except (ValueError, lxml_html.etree.ParserError):
        return []


async def follow_links(client: httpx.AsyncClient, frontier: Frontier, sources: dict[str, str]) -> None:
    """Breadth first from what the frontier accepted: each page's HTML links offered one level deeper."""
    limit = asyncio.Semaphore(IN_FLIGHT)
    done: set[str] = set()

    async def links_of(url: str) -> list[str]:
        async with limit:
            answer = await fetch(client, url, HTML_LIMIT)
        return page_links(answer.text) if answer.status == 200 and "html" in answer.content_type else []

    while True:
        level = [(u, d) for u, d in frontier.accepted.items() if u not in done]
        if not level:
            return
        done.update(u for u, _ in level)
        found = await asyncio.gather(*(links_of(u) for u, _ in level))
        for (url, depth), hrefs in zip(level, found, strict=True):
            for href in hrefs:
                accepted = frontier.offer(href, url, depth + 1)
                if accepted:
                    sources[accepted] = "link"


async def discover(config: Config, start_url: str) -> Discovery:
    start = normalise(start_url)
    if start is None:
        raise UsageError(f"'{start_url}' is not an http(s) URL; give a URL such as https://staging.example.jp/")
    creds = load_credentials(config)
    access = site_access(creds, SiteAccess(), start, config)
    await check_certificate(start, access, config.timeouts.navigation)
    problems: list[str] = []
    read: dict = {}
    sources: dict[str, str] = {}
    async with make_client(config.timeouts.navigation, access) as client:
        await preflight(client, start)
        entry = await enter_site(client, start, config, creds, access)
        frontier = Frontier.of_site(start, config, entry.exclude)

        def offer(urls: list[str], depth: int, source: str, listed: bool = False) -> None:
            for raw in urls:
                accepted = frontier.offer(raw, None, depth, listed)
                if accepted:
                    sources[accepted] = source

        offer([start], 0, "start")
        offer(entry.urls, 1, "wordpress")
        offer(await listed_pages(start, config, client, access, problems, read), 1, "sitemap")
        if config.follow_links:
            await follow_links(client, frontier, sources)
    offer(sampling.representative_urls(config.model_dump(), start), 0, "representative", listed=True)
    urls = [{"url": u, "source": sources.get(u, "start"), "depth": d} for u, d in frontier.accepted.items()]
    facts = {**frontier.summary(), "problems": problems, **read}
    if entry.notes:
        facts["notes"] = entry.notes
    created = datetime.now().astimezone().isoformat(timespec="seconds")
    return Discovery(start, urls, facts, created)
