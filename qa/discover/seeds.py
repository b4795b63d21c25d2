"""Where the crawl starts: the start URL, a URL list, and the pages the site lists about itself."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx

from qa.access import SiteAccess
from qa.config import Config
from qa.discover.sitemap import sitemap_urls
from qa.errors import UsageError
from qa.net import fetch
from qa.urls import normalise, origin, origin_key


def read_url_list(path: Path) -> list[str]:
    """One URL per line; blank lines and ``#`` comments ignored."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise UsageError(f"--urls {path}: cannot read it ({exc.strerror}); give a text file of URLs") from None
    except UnicodeDecodeError as exc:
        line = path.read_bytes()[: exc.start].count(b"\n") + 1
        raise UsageError(f"--urls {path}: line {line} is not UTF-8 text; save the list as UTF-8") from None
    urls = []
    for n, line in enumerate(lines, 1):
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        if normalise(line) is None:
            raise UsageError(f"--urls {path}:{n}: '{line}' is not an http(s) URL; fix or remove the line")
        urls.append(line)
    if not urls:
        raise UsageError(f"--urls {path}: lists no URL; add one http(s) URL per line")
    return urls


async def listed_pages(
    start_url: str,
    config: Config,
    client: httpx.AsyncClient,
    access: SiteAccess | None = None,
    problems: list[str] | None = None,
    facts: dict[str, Any] | None = None,
) -> list[str]:
    """Pages the site lists itself (robots.txt Sitemap lines, sitemaps and their indexes), read on the site's
    origin and the origins ``access`` allows only; what could not be read, and why, goes to ``problems``, what was
    read (robots.txt, the sitemaps' answers) to ``facts``."""
    if not config.use_sitemaps:
        return []
    site = origin_key(start_url)
    return await sitemap_urls(
        origin(start_url),
        lambda url, most: fetch(client, url, most),
        problems,
        lambda u: origin_key(u) == site or (access is not None and access.allows(u)),
        facts,
    )
