"""Entering the staging site before the crawl: Basic auth answered, the login done once, WordPress recognised."""

from __future__ import annotations

from dataclasses import dataclass, field

import httpx

from qa.access import Credentials, SiteAccess, check_basic_auth, login_excludes, login_form
from qa.config import Config
from qa.discover.wordpress import WordPressSite, detect, discover_wordpress, site_base
from qa.visit.login import form_login


@dataclass
class SiteEntry:
    wordpress: WordPressSite | None = None
    logged_in: bool = False
    exclude: list[str] = field(default_factory=list)  # URL patterns a (logged-in) crawl must not open

    @property
    def urls(self) -> list[str]:
        return self.wordpress.urls if self.wordpress else []


async def enter_site(
    client: httpx.AsyncClient,
    start_url: str,
    config: Config,
    creds: Credentials,
    access: SiteAccess,
) -> SiteEntry:
    """Fail with exit 3 when the site refuses us; log in (cookies go into ``access`` and ``client``); list what
    WordPress knows (offered to the crawl unless a URL list fixes the pages, and recorded on the pages either way)."""
    await check_basic_auth(client, start_url, creds)
    api_root = await detect(client, start_url) if config.wordpress.discover else None
    entry = SiteEntry()
    # WordPress's own login is used only when login credentials were given; a configured form always.
    form = login_form(config, site_base(api_root) if api_root and creds.login else None)
    if form:
        cookies = await form_login(start_url, form, creds, access, config.timeouts.navigation)
        access.cookies += cookies
        for c in cookies:
            client.cookies.set(c["name"], c["value"])
        entry.logged_in = True
    if form or api_root:
        entry.exclude = login_excludes(form, api_root is not None)
    if api_root:
        entry.wordpress = await discover_wordpress(client, start_url, config, creds, entry.logged_in, api_root)
    return entry
