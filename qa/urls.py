"""URL normalisation and scope, so that each page is visited once however it is spelled."""

from __future__ import annotations

import re
from urllib.parse import urlsplit, urlunsplit

DEFAULT_PORTS = {"http": 80, "https": 443}


# Characters a browser percent-encodes when it parses a URL (WHATWG URL: the path and special-query encode sets;
# anything outside printable ASCII is encoded too, as UTF-8). Everything else is sent as written.
_PATH_ENCODE = frozenset(' "<>`{}#?')
_QUERY_ENCODE = frozenset(" \"<>'#")
_UNRESERVED = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
_ESCAPE = re.compile(r"%([0-9A-Fa-f]{2})")


def _encoded(text: str, encode: frozenset[str]) -> str:
    """``text`` with what a browser would escape escaped, existing escapes kept: those of unreserved characters
    decoded and the rest upper-cased (RFC 3986 6.2.2, equivalent spellings of one address). An escape is never
    decoded into a byte of another encoding or a delimiter: ``%93%FA`` (Shift_JIS) and ``%2F`` stay as they are."""

    def escape(match: re.Match[str]) -> str:
        char = chr(int(match[1], 16))
        return char if char in _UNRESERVED else "%" + match[1].upper()

    out = []
    for char in text:
        if char in encode or not " " < char < "\x7f":
            out.append("".join(f"%{b:02X}" for b in char.encode("utf-8")))
        else:
            out.append(char)
    return _ESCAPE.sub(escape, "".join(out))


def _without_dot_segments(path: str) -> str:
    """RFC 3986 5.2.4, as browsers apply it: ``.`` and ``..`` go, empty segments (``//``) stay."""
    segments = path.split("/")
    kept: list[str] = []
    for i, segment in enumerate(segments):
        last = i == len(segments) - 1
        if segment in (".", ".."):
            if segment == ".." and len(kept) > 1:
                kept.pop()
            if last:
                kept.append("")
            continue
        kept.append(segment)
    return "/".join(kept) or "/"


def normalise(url: str, base: str | None = None) -> str | None:
    """Canonical form of an http(s) URL, or None for anything that is not a page address.

    Only spellings a server cannot tell apart are merged, so the URL requested is the one the browser requests:
    scheme and host lower case, the default port and the fragment dropped, dot segments resolved, escapes of
    unreserved characters decoded. What a server may read differently stays as written: ``//`` in the path, ``%2F``,
    escapes of bytes in other encodings (a Shift_JIS page's links), and the query's order and spelling.
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
    elif not host.isascii():
        try:
            host = host.encode("idna").decode("ascii")  # what the browser looks up: 例え.jp -> xn--r8jz45g.jp
        except UnicodeError:
            return None
    try:
        port = parts.port
    except ValueError:
        return None
    netloc = host if port in (None, DEFAULT_PORTS[scheme]) else f"{host}:{port}"
    if parts.username:
        # Credentials in a link are kept for fetching but never shown; see qa.redact.
        auth = parts.username + (f":{parts.password}" if parts.password else "")
        netloc = f"{auth}@{netloc}"
    path = _without_dot_segments(_encoded(parts.path.replace("\\", "/") or "/", _PATH_ENCODE))
    query = _encoded(parts.query, _QUERY_ENCODE)
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
# A link whose words say it logs out, whatever its URL (/account/end, /?a=bye): skipped with the URL patterns above.
_SESSION_ENDING_WORDS = re.compile(r"\b(?:log|sign)[\s_-]?(?:out|off)\b|ログアウト|サインアウト|ログオフ", re.I)


def ends_session(text: object) -> bool:
    """Whether a link's text reads as a logout ("Logout", "Sign out", "ログアウト"); long texts are prose, not a
    button, and are not taken for one."""
    return isinstance(text, str) and len(text) <= 40 and bool(_SESSION_ENDING_WORDS.search(text))


def unsafe_patterns(skip: bool, extra: list[str]) -> list[str]:
    """The regexes of links never opened: the built-in ones unless ``unsafe_links.skip`` is off, and the user's."""
    return [*(UNSAFE_LINKS if skip else ()), *extra]
