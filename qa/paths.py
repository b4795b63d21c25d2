"""File names derived from site content (URLs) — never chosen by the site: no traversal, no reserved names."""

from __future__ import annotations

import hashlib
import re
from urllib.parse import urlsplit

from qa.redact import redact_url

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
# Names Windows reserves whatever the extension (a client opens the deliverables on Windows).
RESERVED = {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(10)), *(f"lpt{i}" for i in range(10))}
MAX_NAME = 120


def safe_filename(name: str, max_len: int = MAX_NAME) -> str:
    """A file name (no folders) made safe: only ``A-Za-z0-9._-``, no leading dots (no ``..``, no hidden
    files), no reserved device names, at most ``max_len`` characters; never empty."""
    cleaned = _UNSAFE.sub("-", name).strip("-.") or "file"
    stem, dot, ext = cleaned.rpartition(".") if "." in cleaned else (cleaned, "", "")
    if stem.split(".")[0].lower() in RESERVED:
        cleaned = f"_{cleaned}"
    if len(cleaned) > max_len:
        keep = f"{dot}{ext}"[:16] if dot else ""
        digest = hashlib.sha1(name.encode("utf-8")).hexdigest()[:8]
        cleaned = f"{cleaned[: max_len - len(keep) - 9].rstrip('-.')}-{digest}{keep}"
    return cleaned


def slug_for_url(url: str, max_len: int = 60) -> str:
    """A readable, unique, safe file stem for a URL, e.g. ``industries-it.html-3f2a9c1b``.

    Made from the URL as outputs show it (qa.redact): a token in the query must not become a file name, which
    records, results.json and the workbooks then repeat."""
    url = redact_url(url)
    parts = urlsplit(url)
    readable = _UNSAFE.sub("-", f"{parts.path}{'-' + parts.query if parts.query else ''}").strip("-.") or "home"
    digest = hashlib.sha1(url.encode("utf-8")).hexdigest()[:8]
    return safe_filename(f"{readable[:max_len].strip('-.')}-{digest}")
