"""Keep credentials out of everything the suite writes or prints."""

from __future__ import annotations

import re
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


def redact_secrets(text: str) -> str:
    for secret in sorted(_secrets, key=len, reverse=True):
        if secret in text:
            text = text.replace(secret, MASK)
    return text


def redact_url(url: str) -> str:
    """``https://user:pass@host/`` -> ``https://***@host/``."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return _USERINFO.sub(rf"\g<scheme>{MASK}@", url)
    if "@" not in parts.netloc:
        return redact_secrets(url)
    return urlunsplit(parts._replace(netloc=f"{MASK}@{parts.netloc.rsplit('@', 1)[1]}"))


def redact_text(text: str) -> str:
    return redact_secrets(_USERINFO.sub(rf"\g<scheme>{MASK}@", text))


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
