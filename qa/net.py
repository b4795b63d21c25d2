"""Plain HTTP for the suite's own requests (robots.txt, sitemaps, preflight): GET only, polite, bounded."""

from __future__ import annotations

import httpx

import qa
from qa.access import SiteAccess
from qa.errors import SiteError
from qa.redact import redact_url

USER_AGENT = f"qa-suite/{qa.__version__} (accessibility and QA verification)"
MAX_BODY = 50_000_000


def make_client(timeout_s: float, access: SiteAccess | None = None) -> httpx.AsyncClient:
    access = access or SiteAccess()
    return httpx.AsyncClient(
        follow_redirects=True,
        timeout=timeout_s,
        headers={"User-Agent": USER_AGENT, **access.headers},
        auth=httpx.BasicAuth(*access.http_credentials) if access.http_credentials else None,
        cookies={c["name"]: c["value"] for c in access.cookies},
        limits=httpx.Limits(max_connections=8),
        verify=False,  # staging servers often have self-signed certificates
    )


async def fetch_bytes(client: httpx.AsyncClient, url: str) -> tuple[int, str, bytes]:
    """(status, content type, body); status 0 when the request failed."""
    try:
        r = await client.get(url)
    except httpx.HTTPError:
        return 0, "", b""
    return r.status_code, r.headers.get("content-type", ""), r.content[:MAX_BODY]


async def preflight(client: httpx.AsyncClient, url: str) -> None:
    """Fail early, with exit code 3, when the start URL cannot be reached at all."""
    try:
        async with client.stream("GET", url) as response:
            await response.aclose()
    except httpx.HTTPError as exc:
        raise SiteError(
            f"{redact_url(url)} is unreachable ({type(exc).__name__}); check the URL and that the server is running"
        ) from None
