"""File names derived from site content (URLs) — never chosen by the site: no traversal, no reserved names."""

from __future__ import annotations

import hashlib
import re
from urllib.parse import urlsplit

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def slug_for_url(url: str, max_len: int = 60) -> str:
    """A readable, unique, safe file stem for a URL, e.g. ``industries-it.html-3f2a9c1b``."""
    parts = urlsplit(url)
    readable = _UNSAFE.sub("-", f"{parts.path}{'-' + parts.query if parts.query else ''}").strip("-.") or "home"
    digest = hashlib.sha1(url.encode("utf-8")).hexdigest()[:8]
    return f"{readable[:max_len].strip('-.')}-{digest}"
