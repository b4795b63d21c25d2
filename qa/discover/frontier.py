"""The scheduler: which URLs are in scope, each accepted once, up to the page limit and the crawler-trap limits.

Traps are the endless URL spaces a staging site generates: calendars (``/calendar/2026/11`` → ``2026/12`` …),
relative links that nest (``/a/b/a/b/…``), session ids in URLs. Each accepted or skipped URL can be logged
(``on_accept``/``on_skip``) so an interrupted run can rebuild the frontier exactly (``restore``).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from qa.config import Config
from qa.redact import redact_url
from qa.urls import UNSAFE_REASON, ends_session, normalise, same_origin, unsafe_patterns

MAX_SKIPPED_KEPT = 5000  # skipped URLs remembered with their reason; beyond, only counted (memory stays flat)
_DIGITS = re.compile(r"\d+")

TRAP_DEFAULTS = {"max_depth": 20, "max_url_length": 500, "max_repeated_segments": 3, "max_per_pattern": 100}


def page_key(url: str) -> str:
    """A URL's identity as a page: the same page with or without ``user:pass@`` is one page."""
    parts = urlsplit(url)
    return url.replace(f"{parts.netloc}", parts.netloc.rsplit("@", 1)[-1], 1) if "@" in parts.netloc else url


def url_pattern(url: str) -> str:
    """The shape of a URL: digit runs become ``{n}``, query values ``*``: ``/calendar/{n}/{n}?view=*``."""
    parts = urlsplit(url)
    query = "&".join(f"{k}=*" for k, _ in parse_qsl(parts.query, keep_blank_values=True))
    return _DIGITS.sub("{n}", parts.path) + (f"?{query}" if query else "")


@dataclass
class Frontier:
    start_url: str
    max_pages: int = 500
    include: list[str] = field(default_factory=list)
    exclude: list[str] = field(default_factory=list)
    unsafe: list[str] = field(default_factory=list)  # destructive or session-ending links (qa.urls.UNSAFE_LINKS)
    unsafe_words: bool = False  # links whose text reads as a logout are skipped too (qa.urls.ends_session)
    follow_links: bool = True
    traps: dict[str, int] = field(default_factory=dict)
    on_accept: Callable[[str, int], None] | None = None
    on_skip: Callable[[str, str], None] | None = None

    def __post_init__(self) -> None:
        self._include = [re.compile(p) for p in self.include]
        self._exclude = [re.compile(p) for p in self.exclude]
        self._unsafe = [re.compile(p, re.I) for p in self.unsafe]
        self.traps = {**TRAP_DEFAULTS, **self.traps}
        self.accepted: dict[str, int] = {}  # url -> depth, in acceptance order
        self._keys: set[str] = set()  # page_key of every accepted URL
        self.skipped: dict[str, str] = {}  # url -> reason (out of scope, limit, ...); the first MAX_SKIPPED_KEPT
        self.skip_counts: Counter[str] = Counter()  # reason kind -> URLs skipped for it
        self._seen_skipped: set[int] = set()  # hashes of every skipped URL, so each is counted once
        self._patterns: Counter[str] = Counter()

    @classmethod
    def of_site(cls, start_url: str, config: Config, exclude: list[str] | tuple[str, ...] = ()) -> Frontier:
        """The crawl's frontier from the project's settings (``exclude``: more patterns, e.g. the site's login)."""
        return cls(
            start_url,
            config.max_pages,
            config.include,
            config.exclude + list(exclude),
            unsafe=unsafe_patterns(config.unsafe_links.skip, config.unsafe_links.patterns),
            unsafe_words=config.unsafe_links.skip,
            traps=config.traps.model_dump(),
        )

    def in_scope(self, url: str) -> str | None:
        """None when the URL may be audited, else the reason it is not."""
        if not same_origin(url, self.start_url):
            return "other origin"
        if self._include and not any(p.search(url) for p in self._include):
            return "not matched by --include"
        if any(p.search(url) for p in self._exclude):
            return "matched by --exclude"
        if any(p.search(url) for p in self._unsafe):
            return UNSAFE_REASON
        return None

    def trap(self, url: str, depth: int) -> str | None:
        """None when the URL looks like a real page, else which crawler-trap limit it hits."""
        t = self.traps
        if depth > t["max_depth"]:
            return f"crawler trap: deeper than traps.max_depth {t['max_depth']}"
        if len(url) > t["max_url_length"]:
            return f"crawler trap: URL longer than traps.max_url_length {t['max_url_length']}"
        segments = [s for s in urlsplit(url).path.split("/") if s]
        if segments and max(Counter(segments).values()) > t["max_repeated_segments"]:
            limit = t["max_repeated_segments"]
            return f"crawler trap: a path segment repeats more than traps.max_repeated_segments {limit}"
        if self._patterns[url_pattern(url)] >= t["max_per_pattern"]:
            return f"crawler trap: more than traps.max_per_pattern {t['max_per_pattern']} pages like {url_pattern(url)}"
        return None

    def offer(self, raw: str, base: str | None = None, depth: int = 0, listed: bool = False) -> str | None:
        """Accept a URL if new and in scope; return its normal form when accepted.

        ``listed``: a person named this URL (``--urls``, sampling's representative pages), so no trap limit applies.
        """
        url = normalise(raw, base)
        if url is None or page_key(url) in self._keys or hash(url) in self._seen_skipped:
            return None
        reason = self.in_scope(url) or (None if listed else self.trap(url, depth))
        if reason is None and len(self.accepted) >= self.max_pages:
            reason = f"over --max-pages {self.max_pages}"
        if reason:
            self.skip(url, reason)
            return None
        self._accept(url, depth)
        if self.on_accept:
            self.on_accept(url, depth)
        return url

    def followed(self, links: Iterable[dict[str, Any]], base: str | None) -> Iterator[Any]:
        """The hrefs of a page's links to offer; a link whose text reads as a logout is skipped as unsafe, whatever
        its URL, unless a link of other words led to that URL already."""
        for link in links:
            href = link.get("href")
            if self.unsafe_words and isinstance(href, str) and ends_session(link.get("text")):
                url = normalise(href, base)
                if url is not None and page_key(url) not in self._keys and hash(url) not in self._seen_skipped:
                    self.skip(url, UNSAFE_REASON)
                continue
            yield href

    def skip(self, url: str, reason: str, log: bool = True) -> None:
        self._seen_skipped.add(hash(url))
        self.skip_counts[reason.split(":")[0]] += 1
        if len(self.skipped) < MAX_SKIPPED_KEPT:
            self.skipped[url] = reason
            if log and self.on_skip:
                self.on_skip(url, reason)

    def _accept(self, url: str, depth: int) -> None:
        self.accepted[url] = depth
        self._keys.add(page_key(url))
        self._patterns[url_pattern(url)] += 1

    def restore(self, accepted: list[tuple[str, int]], skipped: list[tuple[str, str]]) -> None:
        """Rebuild the state an interrupted run logged, without logging it again."""
        for url, depth in accepted:
            if url not in self.accepted:
                self._accept(url, depth)
        for url, reason in skipped:
            if hash(url) not in self._seen_skipped:
                self.skip(url, reason, log=False)

    def summary(self) -> dict[str, Any]:
        """For results.json: URLs as every output shows them (credentials and secret-looking values masked)."""
        skipped = {redact_url(url): reason for url, reason in list(self.skipped.items())[:1000]}
        return {"skipped": skipped, "skipped_counts": dict(self.skip_counts)}
