"""Plain HTTP for the suite's own requests (robots.txt, sitemaps, preflight): GET only, polite, bounded.

Every request of the suite's own goes through :func:`fetch`: the body is counted as it streams (decompressed
size, however the server compresses it) and the whole request has a deadline, so neither a huge answer nor one
that drips a byte at a time can hold the run; when a limit hits, the answer says why (``Fetched.problem``).
"""

from __future__ import annotations

import asyncio
import json
import zlib
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

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


@dataclass
class Fetched:
    """One answer, read within its limits. ``status`` 0: no answer. ``problem``: why the body is missing or cut
    short (a limit hit, a dropped connection); empty when the whole body arrived."""

    url: str
    status: int = 0
    headers: httpx.Headers = field(default_factory=httpx.Headers)
    body: bytes = b""
    problem: str = ""

    @property
    def ok(self) -> bool:
        return self.status == 200 and not self.problem

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "")

    @property
    def text(self) -> str:
        charset = self.content_type.partition("charset=")[2].split(";")[0].strip().strip('"')
        try:
            return self.body.decode(charset or "utf-8", "replace")
        except LookupError:
            return self.body.decode("utf-8", "replace")

    def json(self) -> Any:
        return json.loads(self.body)

    def describe(self) -> str:
        """``HTTP 404``, or the problem: for a note naming what happened to a request."""
        return self.problem or f"HTTP {self.status}"


def deadline_of(client: httpx.AsyncClient) -> float:
    """A request's whole time by default: what one read may take (the navigation timeout) — a small text file
    that takes longer to arrive than a page may take to load is not worth waiting for."""
    return client.timeout.read or 30.0


async def fetch(
    client: httpx.AsyncClient,
    url: str,
    max_bytes: int = MAX_BODY,
    deadline_s: float | None = None,
    **kw: Any,
) -> Fetched:
    """GET ``url``: at most ``max_bytes`` of body (decompressed) and ``deadline_s`` seconds in all. Never raises
    for the site's faults: they are in the answer's ``problem``."""
    deadline = deadline_s if deadline_s is not None else deadline_of(client)
    out = Fetched(url)
    body = bytearray()
    # Only encodings decoded here with a bound; brotli or zstd would be decoded a chunk at a time without one.
    kw["headers"] = {"Accept-Encoding": "gzip, deflate", **(kw.get("headers") or {})}
    try:
        async with asyncio.timeout(deadline):
            async with client.stream("GET", url, **kw) as response:
                out.status, out.headers = response.status_code, response.headers
                async for chunk in _decoded(response, max_bytes):
                    body += chunk
                    if len(body) > max_bytes:
                        del body[max_bytes:]
                        out.problem = f"larger than {max_bytes:,} bytes; the rest was not read"
                        break
    except TimeoutError:
        out.problem = f"no complete answer within {deadline:g} s; abandoned"
    except (httpx.HTTPError, zlib.error) as exc:
        out.problem = f"{type(exc).__name__} while reading the answer"
    out.body = bytes(body)
    return out


async def _decoded(response: httpx.Response, limit: int) -> AsyncIterator[bytes]:
    """The body as it streams, decompressed at most ``limit + 1`` bytes at a time (a compression bomb never
    expands in memory)."""
    encoding = response.headers.get("content-encoding", "").strip().lower()
    if encoding in ("", "identity"):
        async for raw in response.aiter_raw():
            yield raw
        return
    if encoding not in ("gzip", "x-gzip", "deflate"):
        async for chunk in response.aiter_bytes():
            yield chunk
        return
    inflate = zlib.decompressobj(32 + zlib.MAX_WBITS)  # gzip or zlib framing, told apart by the header
    async for raw in response.aiter_raw():
        data = inflate.decompress(raw, limit + 1)
        yield data
        while inflate.unconsumed_tail:
            yield inflate.decompress(inflate.unconsumed_tail, limit + 1)


async def preflight(client: httpx.AsyncClient, url: str) -> None:
    """Fail early, with exit code 3, when the start URL cannot be reached at all."""
    deadline = deadline_of(client)
    try:
        async with asyncio.timeout(deadline), client.stream("GET", url) as response:
            await response.aclose()
    except TimeoutError:
        raise SiteError(
            f"{redact_url(url)} gave no answer within {deadline:g} s (timeouts.navigation); check the URL and that "
            "the server is running"
        ) from None
    except httpx.HTTPError as exc:
        raise SiteError(
            f"{redact_url(url)} is unreachable ({type(exc).__name__}); check the URL and that the server is running"
        ) from None
