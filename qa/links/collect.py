"""During the crawl: every link and resource of every visited page, and each page's anchor ids, streamed to disk.

Nothing grows in memory with the site except one 8-byte digest per distinct (source, URL, element, text), used to
write each occurrence once however many browser/viewport cells see it. The files are only ever appended to: a
resumed run (``qa audit --resume``) keeps what the interrupted part collected and adds the rest, so its link check
sees every page, not only the ones visited after the resume.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from qa.model import Page
from qa.redact import redact_text
from qa.store import read_jsonl, trim_torn_line
from qa.urls import normalise

FOLDER = "links"
OCCURRENCES = "occurrences.jsonl"
IDS = "ids.jsonl"


def page_key(url: str) -> str:
    """One key per page however it is addressed: ``/news/`` and ``/news/index.html`` are the same page (the
    crawl visits both when both are linked; their links are reported once, under the folder's URL)."""
    url = normalise(url) or url
    parts = urlsplit(url)
    return parts._replace(path=re.sub(r"/index\.(html?|php)$", "/", parts.path)).geturl()


def without_userinfo(url: str) -> str:
    """The address without ``user:pass@``, otherwise exactly as linked: the link check requests this URL (a masked
    ``?token=***`` would test another address); every row shown from it is masked (qa.links.join)."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return url
    if "@" not in parts.netloc:
        return url
    return parts._replace(netloc=parts.netloc.rsplit("@", 1)[1]).geturl()


class Collector:
    def __init__(self, run_dir: Path) -> None:
        self.dir = run_dir / FOLDER
        self.dir.mkdir(parents=True, exist_ok=True)
        for name in (OCCURRENCES, IDS):
            trim_torn_line(self.dir / name)
        # what an interrupted earlier part of this run wrote is not written again
        self._seen: set[bytes] = {
            _digest(row.get("source", ""), row.get("url", ""), row.get("element", ""), row.get("text", ""))
            for row in read_jsonl(self.dir / OCCURRENCES)
        }
        self._occurrences = open(self.dir / OCCURRENCES, "a", encoding="utf-8")  # noqa: SIM115 - open for the crawl
        self._ids = open(self.dir / IDS, "a", encoding="utf-8")  # noqa: SIM115

    def add(
        self,
        page: Page,
        links: list[dict[str, Any]],
        resources: list[dict[str, Any]],
        ids: list[str],
        primary: bool,
        refreshes: Sequence[tuple[str, str]] = (),
    ) -> None:
        for hop, target in refreshes:  # the documents a meta refresh replaced at once: read by no script
            self._write(page_key(hop), target, "meta refresh", "")
        if page.error:
            self._occurrences.flush()
            return
        source = page_key(page.final_url or page.url)
        # a row's own source: the same-origin frame's document it is written in (none: the page itself)
        for link in links:
            self._write(
                link.get("source") or source, link.get("href", ""), link.get("element", "a"), link.get("text", "")
            )
        for res in resources:
            self._write(res.get("source") or source, res.get("href", ""), res.get("element", ""), res.get("text", ""))
        if primary:
            keys = sorted({u for u in (normalise(page.url), normalise(source)) if u})
            self._ids.write(json.dumps({"pages": keys, "ids": ids}, ensure_ascii=False) + "\n")
            self._ids.flush()
        self._occurrences.flush()  # a killed run keeps the links of every page it recorded

    def add_reference(self, source: str, url: str, element: str) -> None:
        """One reference found outside a page's DOM (another site's style sheet, read after the crawl)."""
        self._write(source, url, element, "")
        self._occurrences.flush()

    def _write(self, source: str, url: str, element: str, text: str) -> None:
        if not url:
            return
        # Credentials written into a link (user:pass@) never reach the disk: the address is checked without them.
        # Query values stay as they are in this working file (the check must request the real URL).
        url, source, text = without_userinfo(url), without_userinfo(source), redact_text(text)
        digest = _digest(source, url, element, text)
        if digest in self._seen:
            return
        self._seen.add(digest)
        row = {"source": source, "url": url, "element": element, "text": text}
        self._occurrences.write(json.dumps(row, ensure_ascii=False) + "\n")

    def close(self) -> None:
        for fh in (self._occurrences, self._ids):
            if not fh.closed:
                fh.close()


def _digest(source: str, url: str, element: str, text: str) -> bytes:
    return hashlib.blake2b("\x1f".join((source, url, element, text)).encode(), digest_size=8).digest()


def ids_for(run_dir: Path, wanted: set[str]) -> dict[str, set[str]]:
    """The anchor ids of the pages in ``wanted`` (normalised URLs), read from the crawl's ids file."""
    found: dict[str, set[str]] = {}
    for row in read_jsonl(run_dir / FOLDER / IDS):
        hits = [p for p in row["pages"] if p in wanted]
        if hits:
            ids = set(row["ids"])
            for p in hits:
                found.setdefault(p, set()).update(ids)
    return found
