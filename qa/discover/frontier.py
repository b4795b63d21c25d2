"""The scheduler: which URLs are in scope, each accepted once, up to the page limit."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from qa.discover.urls import normalise, same_origin


@dataclass
class Frontier:
    start_url: str
    max_pages: int = 500
    include: list[str] = field(default_factory=list)
    exclude: list[str] = field(default_factory=list)
    follow_links: bool = True

    def __post_init__(self) -> None:
        self._include = [re.compile(p) for p in self.include]
        self._exclude = [re.compile(p) for p in self.exclude]
        self.accepted: dict[str, int] = {}  # url -> depth, in acceptance order
        self.skipped: dict[str, str] = {}  # url -> reason (out of scope, limit, ...)

    def in_scope(self, url: str) -> str | None:
        """None when the URL may be audited, else the reason it is not."""
        if not same_origin(url, self.start_url):
            return "other origin"
        if self._include and not any(p.search(url) for p in self._include):
            return "not matched by --include"
        if any(p.search(url) for p in self._exclude):
            return "matched by --exclude"
        return None

    def offer(self, raw: str, base: str | None = None, depth: int = 0) -> str | None:
        """Accept a URL if new and in scope; return its normal form when accepted."""
        url = normalise(raw, base)
        if url is None or url in self.accepted or url in self.skipped:
            return None
        reason = self.in_scope(url)
        if reason is None and len(self.accepted) >= self.max_pages:
            reason = f"over --max-pages {self.max_pages}"
        if reason:
            self.skipped[url] = reason
            return None
        self.accepted[url] = depth
        return url
