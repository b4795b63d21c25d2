"""Plain HTTP for the suite's own requests (robots.txt, sitemaps, preflight): GET only, polite, bounded.

The site's credentials, headers and cookies go only to the origins :class:`qa.access.SiteAccess` allows, on every
request and every redirect hop; certificates are verified unless ``tls.insecure`` says otherwise.

Every request of the suite's own goes through :func:`fetch`: the body is counted as it streams (decompressed
size, however the server compresses it) and the whole request has a deadline, so neither a huge answer nor one
that drips a byte at a time can hold the run; when a limit hits, the answer says why (``Fetched.problem``).
"""

from __future__ import annotations

import asyncio
import base64
import json
import ssl
import zlib
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

import httpx

import qa
from qa.access import SiteAccess, Tls
from qa.errors import ConfigError, SiteError
from qa.redact import redact_url

USER_AGENT = f"qa-suite/{qa.__version__} (accessibility and QA verification)"
MAX_BODY = 50_000_000
EXPIRY_WARNING_DAYS = 30


def tls_context(tls: Tls) -> ssl.SSLContext:
    """The system's CAs (as httpx trusts them) plus the staging CA of ``tls.ca_bundle``."""
    context = httpx.create_ssl_context()
    if tls.ca_bundle:
        try:
            context.load_verify_locations(cafile=tls.ca_bundle)
        except (OSError, ssl.SSLError) as exc:
            raise ConfigError(f"tls.ca_bundle: {tls.ca_bundle} is not a PEM file of certificates ({exc})") from None
    return context


def make_client(timeout_s: float, access: SiteAccess | None = None) -> httpx.AsyncClient:
    access = access or SiteAccess()

    async def scope(request: httpx.Request) -> None:
        apply_access(request, access)

    return httpx.AsyncClient(
        follow_redirects=True,
        timeout=timeout_s,
        headers={"User-Agent": USER_AGENT},
        event_hooks={"request": [scope]},  # runs before every request, redirect hops included
        limits=httpx.Limits(max_connections=8),
        verify=False if access.tls.insecure else tls_context(access.tls),
    )


def apply_access(request: httpx.Request, access: SiteAccess) -> None:
    """The site's credentials, headers and cookies on a request to an allowed origin; none of them, and no
    ``Authorization`` or ``Cookie`` at all, on a request anywhere else (a redirect hop to another origin too)."""
    if not access.allows(str(request.url)):
        for name in (*access.headers, "Authorization", "Cookie"):
            request.headers.pop(name, None)
        return
    request.headers.update(access.headers)
    if access.http_credentials and "Authorization" not in request.headers:
        user, password = access.http_credentials
        request.headers["Authorization"] = "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()
    path = request.url.path or "/"
    ours = [f"{c['name']}={c['value']}" for c in access.cookies if access.allows(c["url"]) and _on_path(c, path)]
    if ours:
        jar = request.headers.get("Cookie")
        request.headers["Cookie"] = "; ".join(([jar] if jar else []) + ours)


def _on_path(cookie: dict, path: str) -> bool:
    return path.startswith(urlsplit(cookie["url"]).path or "/")


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


@dataclass
class Certificate:
    """What the TLS handshake with the site said about its certificate."""

    url: str  # the origin checked
    problem: str = ""  # why it is not acceptable ("certificate has expired", ...); empty when it verified
    expires: str = ""  # notAfter as ISO date, when the certificate verified
    days_left: int | None = None
    der: bytes = b""  # the server's own certificate, for the browsers that trust it by key (qa.visit)
    rejected: bool = False  # it did not verify (a certificate that merely expires soon did)


async def inspect_certificate(url: str, tls: Tls, timeout_s: float) -> Certificate | None:
    """Handshake with an https origin, verifying as the suite does (system CAs plus ``tls.ca_bundle``), whatever
    ``tls.insecure`` says: its problem becomes a finding. None for http, or when nothing answered."""
    parts = urlsplit(url)
    if parts.scheme != "https" or not parts.hostname:
        return None
    host, port = parts.hostname, parts.port or 443
    origin = f"https://{parts.netloc.rsplit('@', 1)[-1]}"
    cert = Certificate(origin)
    try:
        info = await _handshake(host, port, tls_context(tls), timeout_s)
    except ssl.SSLCertVerificationError as exc:
        cert.problem, cert.rejected = exc.verify_message or str(exc), True
    except (OSError, ssl.SSLError, TimeoutError):
        return None
    else:
        not_after = datetime.fromtimestamp(ssl.cert_time_to_seconds(info["notAfter"]), UTC)
        cert.expires = not_after.date().isoformat()
        cert.days_left = (not_after - datetime.now(UTC)).days
        if cert.days_left < EXPIRY_WARNING_DAYS:
            cert.problem = f"certificate expires in {cert.days_left} day(s), on {cert.expires}"
    unverified = ssl.create_default_context()
    unverified.check_hostname, unverified.verify_mode = False, ssl.CERT_NONE
    try:
        cert.der = (await _handshake(host, port, unverified, timeout_s, binary=True)) or b""
    except (OSError, ssl.SSLError, TimeoutError):
        pass
    return cert


async def _handshake(host: str, port: int, context: ssl.SSLContext, timeout_s: float, binary: bool = False):
    reader, writer = await asyncio.wait_for(
        asyncio.open_connection(host, port, ssl=context, server_hostname=host), timeout_s
    )
    try:
        ssl_object = writer.get_extra_info("ssl_object")
        return ssl_object.getpeercert(binary_form=binary)
    finally:
        writer.close()
        try:
            await writer.wait_closed()
        except (OSError, ssl.SSLError):
            pass
