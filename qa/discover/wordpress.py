"""Discovery through WordPress itself: every published page, post and public custom post type from the REST API
(with pagination), and, with credentials, drafts, pending and scheduled posts as previews.

The core sitemap (wp-sitemap.xml) and plugin sitemap indexes are read by :mod:`qa.discover.sitemap`; crawled
links add the rest (archives, the front page). Each URL found here carries its post type, template and
modification date into ``page.facts["wordpress"]``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import httpx

from qa.access import Credentials
from qa.config import Config
from qa.errors import SiteError
from qa.model import Results
from qa.net import fetch
from qa.redact import redact_url
from qa.urls import normalise, origin, origin_key

# Post types that are not pages a visitor sees (media files, menus, reusable blocks, block-theme internals).
INTERNAL_TYPES = {
    "attachment",
    "nav_menu_item",
    "wp_block",
    "wp_template",
    "wp_template_part",
    "wp_navigation",
    "wp_global_styles",
    "wp_font_family",
    "wp_font_face",
}
UNPUBLISHED = "draft,pending,future"
PER_PAGE = 100
MAX_REQUESTS = 200  # bounded on huge or hostile sites; the page limit caps the audit anyway
FIELDS = "id,link,type,status,template,modified_gmt,title"
MAX_PAGE_SCAN = 200_000  # bytes of the start page scanned for WordPress's markers
MAX_JSON = 20_000_000  # one REST API answer (100 items of a few fields each are a few kB)
_API_LINK = re.compile(r'<([^>]+)>\s*;\s*rel="https://api\.w\.org/"')


@dataclass
class WordPressSite:
    api_root: str
    items: dict[str, dict[str, Any]] = field(default_factory=dict)  # normalised URL -> facts["wordpress"]
    types: dict[str, int] = field(default_factory=dict)  # post type -> published items
    unpublished: list[dict[str, Any]] = field(default_factory=list)  # drafts, pending, scheduled (listed)
    notes: list[str] = field(default_factory=list)
    requests: int = 0

    @property
    def urls(self) -> list[str]:
        return list(self.items)

    def annotate(self, results: Results) -> None:
        """Record what WordPress said about each audited page, and a summary section of the run."""
        for page in results.pages:
            info = self.items.get(page.url)
            if info:
                page.facts["wordpress"] = dict(info)
        audited = {p.url for p in results.pages if not p.error}
        previews = [u for u, i in self.items.items() if i.get("preview")]
        results.extra["wordpress"] = {
            "api": redact_url(self.api_root),
            "types": self.types,
            "published": sum(self.types.values()),
            "unpublished": {
                "listed": len(self.unpublished),
                "audited": sum(1 for u in previews if u in audited),
                "items": self.unpublished,
            },
            "notes": self.notes,
        }


async def detect(
    client: httpx.AsyncClient,
    start_url: str,
    allowed: Callable[[str], bool] | None = None,
    notes: list[str] | None = None,
) -> str | None:
    """The REST API root of a WordPress site (from its Link header, or probed), or None when it is not one.

    A Link header naming another origin is not followed: a staging copy whose ``home`` setting still names
    production announces production's API, and the login and drafts would go there. The staging site's own
    API is probed instead."""
    own = origin_key(start_url)
    allowed = allowed or (lambda url: origin_key(url) == own)
    # The start page's head and generator markers: the first bytes suffice, a cut-short page is no problem here.
    response = await fetch(client, start_url, MAX_PAGE_SCAN)
    if response.status == 0:
        return None
    for value in response.headers.get_list("link"):
        match = _API_LINK.search(value)
        if match and allowed(match.group(1)):
            return match.group(1)
        if match and notes is not None:
            notes.append(
                f"the site announces its REST API at {redact_url(match.group(1))}, another origin (WordPress's "
                "home or siteurl setting?); not used: nothing is sent there"
            )
    body = response.text if "html" in response.content_type else ""
    announced = any(_API_LINK.search(v) for v in response.headers.get_list("link"))
    if not announced and not re.search(r'content="WordPress|/wp-content/|/wp-json/|/wp-includes/', body):
        return None
    site = origin(start_url)
    for root in (f"{site}/wp-json/", f"{site}/?rest_route=/"):
        status, _, data = await _get_json(client, root)
        if status == 200 and isinstance(data, dict) and "wp/v2" in data.get("namespaces", []):
            return root
    return None


def site_base(api_root: str) -> str:
    """Where WordPress is installed (``https://h/`` or ``https://h/blog/``), from its REST API root."""
    base = api_root.split("?", 1)[0]
    return base[: -len("wp-json/")] if base.endswith("/wp-json/") else base


def endpoint(root: str, route: str, params: dict[str, Any] | None = None) -> str:
    """``wp/v2/pages`` under a pretty (``/wp-json/``) or plain (``?rest_route=/``) API root."""
    url = root + route
    if params:
        url += ("&" if "?" in url else "?") + urlencode(params)
    return url


async def _get_json(client: httpx.AsyncClient, url: str, **kw: Any) -> tuple[int, httpx.Headers | dict[str, str], Any]:
    response = await fetch(client, url, MAX_JSON, **kw)
    if response.problem:
        return 0, {}, None
    try:
        return response.status, response.headers, response.json()
    except ValueError:
        return 0, {}, None


async def discover_wordpress(
    client: httpx.AsyncClient,
    start_url: str,
    config: Config,
    creds: Credentials,
    logged_in: bool,
    api_root: str | None = None,
) -> WordPressSite | None:
    root = api_root or await detect(client, start_url)
    if root is None:
        return None
    site = WordPressSite(root)
    wanted = set(config.wordpress.post_types)
    auth = await _editor_auth(client, creds, logged_in, site) if config.wordpress.drafts else None
    status, _, types = await _get_json(
        client, endpoint(root, "wp/v2/types", {"context": "edit"} if auth else None), **(auth or {})
    )
    site.requests += 1
    if auth and status in (401, 403):
        # Asked for drafts and refused: going on would suggest they were checked.
        if "auth" in auth:
            raise SiteError(
                f"the WordPress REST API refused QA_WP_USER and QA_WP_APP_PASSWORD (HTTP {status}); check them "
                "(an application password from Users > Profile), or unset them to audit published pages only"
            )
        raise SiteError(
            f"WordPress refuses to list drafts for QA_LOGIN_USER (HTTP {status}); give a user who may edit posts "
            "(e.g. an Editor), or set wordpress.drafts: false in qa.yaml"
        )
    if status != 200 or not isinstance(types, dict):
        site.notes.append(f"the REST API did not list post types (HTTP {status}); pages come from sitemaps and links")
        return site
    budget = config.max_pages
    for name, spec in types.items():
        if not isinstance(spec, dict) or name in INTERNAL_TYPES or spec.get("viewable") is False:
            continue
        if wanted and name not in wanted:
            continue
        rest_base = spec.get("rest_base") or name
        namespace = spec.get("rest_namespace") or "wp/v2"
        route = f"{namespace}/{rest_base}"
        published = await _list(client, site, endpoint(root, route, {"_fields": FIELDS}), budget)
        for item in published:
            url = normalise(str(item.get("link", "")), start_url)
            if url:
                site.items[url] = _facts(item, name)
        site.types[name] = len(published)
        if auth:
            params = {"_fields": FIELDS, "status": UNPUBLISHED, "context": "edit"}
            for item in await _list(client, site, endpoint(root, route, params), budget, auth):
                site.unpublished.append(
                    {"id": item.get("id"), "type": name, "status": item.get("status"), "title": _title(item)}
                )
                preview = _preview_url(str(item.get("link", "")), start_url) if logged_in else None
                if preview:
                    site.items[preview] = {**_facts(item, name), "preview": True}
    if site.unpublished and not logged_in:
        site.notes.append(
            f"{len(site.unpublished)} draft, pending or scheduled item(s) listed but not audited: previews need a "
            "logged-in session (QA_LOGIN_USER and QA_LOGIN_PASSWORD)"
        )
    return site


async def _editor_auth(
    client: httpx.AsyncClient, creds: Credentials, logged_in: bool, site: WordPressSite
) -> dict[str, Any] | None:
    """How to read unpublished content: the logged-in session with a REST nonce, or the application password.

    A logged-in cookie without a nonce makes WordPress treat the request as anonymous (even with an application
    password), so the session comes first. Behind HTTP Basic auth the Authorization header is taken, so only the
    session can work there.
    """
    if logged_in:
        ajax = f"{site_base(site.api_root)}wp-admin/admin-ajax.php"
        response = await fetch(client, ajax, 1_000, params={"action": "rest-nonce"})
        nonce = response.text.strip() if response.ok else ""
        if re.fullmatch(r"[0-9a-f]{6,32}", nonce):
            return {"headers": {"X-WP-Nonce": nonce}}
        site.notes.append("the login worked but WordPress gave no REST nonce; drafts not listed")
        return None
    if creds.rest and not creds.basic:
        return {"auth": httpx.BasicAuth(*creds.rest)}
    if creds.rest:
        site.notes.append(
            "drafts not listed: behind HTTP Basic auth the application password cannot be sent; "
            "give QA_LOGIN_USER and QA_LOGIN_PASSWORD instead"
        )
    return None


async def _list(
    client: httpx.AsyncClient, site: WordPressSite, url: str, budget: int, auth: dict[str, Any] | None = None
) -> list[dict[str, Any]]:
    """Every item of a collection, page by page as X-WP-TotalPages says."""
    items: list[dict[str, Any]] = []
    page, total = 1, 1
    while page <= total and len(items) < budget and site.requests < MAX_REQUESTS:
        sep = "&" if "?" in url else "?"
        status, headers, data = await _get_json(client, f"{url}{sep}per_page={PER_PAGE}&page={page}", **(auth or {}))
        site.requests += 1
        if status != 200 or not isinstance(data, list):
            if status not in (200, 400):  # 400: a page past the end
                site.notes.append(f"{redact_url(url)} answered HTTP {status}")
            break
        items += [i for i in data if isinstance(i, dict)]
        try:
            total = int(headers.get("x-wp-totalpages", "1"))
        except ValueError:
            total = 1
        page += 1
    return items[: max(budget, 0)]


def _facts(item: dict[str, Any], post_type: str) -> dict[str, Any]:
    modified = item.get("modified_gmt")
    return {
        "id": item.get("id"),
        "type": post_type,
        "status": item.get("status", "publish"),
        "template": item.get("template") or "default",
        "modified": f"{modified}Z" if modified else "",
    }


def _title(item: dict[str, Any]) -> str:
    title = item.get("title")
    if isinstance(title, dict):
        return str(title.get("raw") or title.get("rendered") or "")
    return str(title or "")


def _preview_url(link: str, start_url: str) -> str | None:
    url = normalise(link, start_url)
    if url is None:
        return None
    return normalise(url + ("&" if "?" in url else "?") + "preview=true")
