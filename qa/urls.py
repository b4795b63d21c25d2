"""URL normalisation and scope, so that each page is visited once however it is spelled."""

from __future__ import annotations

import posixpath
import re
from urllib.parse import parse_qsl, quote, unquote, urlencode, urlsplit, urlunsplit

DEFAULT_PORTS = {"http": 80, "https": 443}


def normalise(url: str, base: str | None = None) -> str | None:
    """Canonical form of an http(s) URL, or None for anything that is not a page address.

    Drops the fragment and default port, lower-cases scheme and host, collapses duplicate slashes and
    dot segments, and sorts the query so equivalent orderings are one URL.
    """
    from urllib.parse import urljoin

    if not isinstance(url, str):
        return None
    if base:
        url = urljoin(base, url.strip())
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS or not parts.hostname:
        return None
    host = parts.hostname.lower()
    if ":" in host:  # IPv6 literal
        host = f"[{host}]"
    try:
        port = parts.port
    except ValueError:
        return None
    netloc = host if port in (None, DEFAULT_PORTS[scheme]) else f"{host}:{port}"
    if parts.username:
        # Credentials in a link are kept for fetching but never shown; see qa.redact.
        auth = parts.username + (f":{parts.password}" if parts.password else "")
        netloc = f"{auth}@{netloc}"
    path = re.sub(r"/{2,}", "/", parts.path or "/")
    trailing = path.endswith("/")
    path = posixpath.normpath(path)
    if path in (".", "//"):
        path = "/"
    if trailing and not path.endswith("/"):
        path += "/"
    path = quote(unquote(path), safe="/:@!$&'()*+,;=-._~%")
    query = urlencode(sorted(parse_qsl(parts.query, keep_blank_values=True)), doseq=True)
    return urlunsplit((scheme, netloc, path, query, ""))


def origin(url: str) -> str:
    p = urlsplit(url)
    return f"{p.scheme}://{p.netloc.rsplit('@', 1)[-1]}"


def same_origin(a: str, b: str) -> bool:
    return origin(a) == origin(b)


def origin_key(url: str) -> str:
    """``scheme://host[:port]``, lower case, without credentials or a default port: two spellings of one origin
    compare equal (``HTTPS://Host:443/x`` and ``https://host/``). Empty for what is not an http(s) URL."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return ""
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS or not parts.hostname:
        return ""
    host = parts.hostname.lower()
    if ":" in host:  # IPv6 literal
        host = f"[{host}]"
    return f"{scheme}://{host}" if port in (None, DEFAULT_PORTS[scheme]) else f"{scheme}://{host}:{port}"


# GET links that change or end something on the site: a crawl or link check that opens them could delete content
# or log the audit's (or a shared test account's) session out, on sites without a login too. Matched anywhere in
# the URL, case-insensitively; ``unsafe_links`` in qa.yaml turns this off or adds patterns.
UNSAFE_LINKS = (
    r"[?&](?:action|do|op|cmd)=(?:delete|destroy|remove|trash|logout|log-out|signout|sign-out|logoff)\b",
    r"^[^?#]*/[^/?#]*(?:delete|destroy)[^/?#]*(?:[/?#]|$)",
    r"/(?:log[-_]?out|sign[-_]?out|log[-_]?off)(?:[/?#.]|$)",
    r"[?&](?:logout|signout|sign-out|logoff)(?:[=&#]|$)",
    r"/wp-admin(?:[/?#]|$)",
)
UNSAFE_REASON = "unsafe link: looks destructive or session-ending (a GET could delete data or log out); not opened"


def unsafe_patterns(skip: bool, extra: list[str]) -> list[str]:
    """The regexes of links never opened: the built-in ones unless ``unsafe_links.skip`` is off, and the user's."""
    return [*(UNSAFE_LINKS if skip else ()), *extra]
