"""Keep credentials out of everything the suite writes or prints."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any
from urllib.parse import urlsplit, urlunsplit

SECRET_KEYS = re.compile(r"pass(word)?|secret|token|cookie|authorization|api[_-]?key|credential", re.I)
_USERINFO = re.compile(r"(?P<scheme>[a-z][a-z0-9+.-]*://)[^/@\s]+@", re.I)
MASK = "***"
MIN_SECRET = 4  # shorter values would mask ordinary words
_secrets: set[str] = set()


def register_secret(value: str | None) -> None:
    """Mask this value wherever it appears in text the suite writes or prints (passwords read at run time)."""
    if value and len(value) >= MIN_SECRET:
        _secrets.add(value)
        _redact_short.cache_clear()


def redact_secrets(text: str) -> str:
    for secret in sorted(_secrets, key=len, reverse=True):
        if secret in text:
            text = text.replace(secret, MASK)
    return text


# Secret-looking query parameters and form values (token=…, password=…, PHPSESSID=…, wordpress_logged_in_…=…).
# ``key`` as a word of its own too (``?key=`` is how Google's and many other APIs take theirs, ``subscription-key``;
# not ``monkey`` or ``sortkey``) and ``credential`` (``X-Amz-Credential`` of a pre-signed S3 URL).
SECRET_PARAMS = re.compile(
    r"(?P<key>\b(?:[\w-]*(?:pass(?:word|wd)?|pwd|secret|token|api[_-]?key|access[_-]?key|(?<![A-Za-z0-9])key|"
    r"credentials?|auth|signature|sig|"
    r"session(?:id)?|sess|sid|jwt|nonce)|phpsessid|jsessionid|wordpress_(?:logged_in|sec)_\w*|wp-postpass_\w*))"
    r"(?P<sep>=|%3D)(?!\*\*\*)[^&\s\"'<>#;,]+",
    re.I,
)
# Header lines and bearer tokens as they appear in error messages and tracebacks.
SECRET_HEADERS = re.compile(
    r"(?P<key>\b(?:authorization|proxy-authorization|cookie|set-cookie|x-api-key)\s*[:=]\s*)"
    r"(?!\*\*\*)[^\n\r]+",
    re.I,
)
BEARER = re.compile(r"\b(?P<key>Bearer|Basic)\s+(?!\*\*\*)[A-Za-z0-9._~+/=-]{8,}")


def redact_url(url: str) -> str:
    """``https://user:pass@host/?token=x`` -> ``https://***@host/?token=***``."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return redact_text(url)
    if "@" in parts.netloc:
        parts = parts._replace(netloc=f"{MASK}@{parts.netloc.rsplit('@', 1)[1]}")
    # The query, and also the path (``;jsessionid=…`` of a Java server) and the fragment (``#access_token=…`` of an
    # OAuth redirect): a secret there is as much one as in the query.
    masked = {
        part: SECRET_PARAMS.sub(rf"\g<key>\g<sep>{MASK}", getattr(parts, part))
        for part in ("path", "query", "fragment")
        if "=" in getattr(parts, part) or "%3" in getattr(parts, part)
    }
    return redact_secrets(urlunsplit(parts._replace(**masked)))


# Cheap tests that rule a pattern out before its regex runs: most texts (HTML snippets, axe messages) contain
# none of these, and the findings of a large run repeat the same texts thousands of times (hence the cache).
_PARAM_HINT = re.compile(r"pass|pwd|secret|token|key|cred|auth|sig|sess|sid|jwt|nonce|wordpress_|wp-", re.I)
_HEADER_HINT = re.compile(r"authorization|cookie|x-api-key", re.I)


def redact_text(text: str) -> str:
    """Credentials in URLs, secret parameters, auth/cookie headers and bearer tokens anywhere in a text; a lone
    surrogate becomes U+FFFD (it has no UTF-8 form)."""
    return _redact_short(text) if len(text) <= CACHED_LENGTH else _redact(text)


CACHED_LENGTH = 2000  # the cache holds texts up to this long, so its memory stays bounded (8,192 entries)


@lru_cache(maxsize=8192)
def _redact_short(text: str) -> str:
    return _redact(text)


# A lone surrogate (a page's script can set document.title = "\ud800") has no UTF-8 form: records.jsonl, results.json
# and every report would refuse to encode it, so a recorded text carries U+FFFD in its place.
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def _redact(text: str) -> str:
    if _LONE_SURROGATE.search(text):
        text = _LONE_SURROGATE.sub("\ufffd", text)
    if "@" in text and "://" in text:
        text = _USERINFO.sub(rf"\g<scheme>{MASK}@", text)
    if ("=" in text or "%3" in text) and _PARAM_HINT.search(text):
        text = SECRET_PARAMS.sub(rf"\g<key>\g<sep>{MASK}", text)
    if _HEADER_HINT.search(text):
        text = SECRET_HEADERS.sub(rf"\g<key>{MASK}", text)
    if "Bearer" in text or "Basic" in text:
        text = BEARER.sub(rf"\g<key> {MASK}", text)
    return redact_secrets(text) if _secrets else text


def redact_value(value: Any) -> Any:
    """Every string inside a JSON-like value redacted (keys kept; secret-named keys masked)."""
    if isinstance(value, str):
        return redact_text(value)
    if isinstance(value, dict):
        return {k: MASK if _secret_key(k, v) else redact_value(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [redact_value(v) for v in value]
    return value


def _secret_key(key: Any, value: Any) -> bool:
    return isinstance(key, str) and bool(SECRET_KEYS.fullmatch(key)) and isinstance(value, str) and bool(value)


def redact_record(obj: Any) -> None:
    """Redact a Page or Finding in place before it is recorded, so results, logs and every report inherit it.

    A finding's id is derived from its URL: it is recomputed from the redacted URL so it stays stable when a
    rotating token in the URL changes.
    """
    from qa.model import Finding, finding_id

    for name, value in vars(obj).items():
        if name in ("url", "final_url") and isinstance(value, str):
            setattr(obj, name, redact_url(value))
        elif name != "id":
            setattr(obj, name, redact_value(value))
    if isinstance(obj, Finding):
        obj.id = finding_id(obj.rule, obj.url, obj.target, obj.outcome)


def redact_config(value: Any, key: str = "") -> Any:
    """A copy of a configuration with secret-looking values masked, fit for results.json."""
    if isinstance(value, dict):
        return {k: redact_config(v, str(k)) for k, v in value.items()}
    if isinstance(value, list):
        return [redact_config(v, key) for v in value]
    if key and SECRET_KEYS.search(key) and value not in (None, "", [], {}):
        return MASK
    if isinstance(value, str):
        return redact_text(value)
    return value
