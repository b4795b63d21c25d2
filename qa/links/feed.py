"""While the crawl runs: hand each URL to the link checker as soon as it is known, unless its answer is known already.

- A resource the browser itself loaded with 200 and no redirect (same origin, Resource Timing) is not requested
  again: its answer is written to ``known.jsonl`` like a result of the checker.
- A link to a page of the site (``a``, ``area``, ``meta refresh``) waits for the end of the crawl, which visits most
  of them: a page the crawl loaded without a redirect (200, or a client error such as 404) is answered from its
  record; the others (beyond the page limit, redirected, failed for another reason) are requested then.
- Everything else (resources the browser did not report, links to other sites) is requested at once, while the
  crawl goes on; links to other sites ask for the page's anchor names, since a fragment may be met only later.

Memory: one 8-byte digest per URL decided, as in the collector.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Sequence
from http import HTTPStatus
from pathlib import Path
from typing import Any

from qa.links.collect import without_userinfo
from qa.links.engine import LinkEngine
from qa.links.join import Plan, is_internal, scheme_of, split_fragment
from qa.model import Page
from qa.urls import ends_session, normalise
from qa.visit import faults

KNOWN = "known.jsonl"
LINK_ELEMENTS = ("a", "area", "meta refresh")


def _digest(key: str) -> bytes:
    return hashlib.blake2b(key.encode(), digest_size=8).digest()


def answer(key: str, url: str, status: int, content_type: str, by: str) -> dict[str, Any]:
    """A result row in the checker's own shape, for a URL whose answer the browsers already had."""
    phrase = HTTPStatus(status).phrase if status in HTTPStatus._value2member_map_ else ""
    return {
        "key": key,
        "url": url,
        "valid": status < 400,
        "result": f"{status} {phrase}".strip(),
        "status": status,
        "content_type": content_type,
        "redirects": [],
        "warnings": [],
        "missing_anchors": None,
        "error": "",
        "retries": 0,
        "waited": 0,
        "seconds": 0,
        "known_from": by,
    }


def crawl_answers(pages: Iterable[Page]) -> dict[str, tuple[int, str]]:
    """Normalised URL -> (status, content type) of the pages the crawl loaded with a final answer and no redirect.
    Server errors (5xx), 408 and 429 may pass: those are asked again, with retries."""
    found: dict[str, tuple[int, str]] = {}
    for p in pages:
        url = normalise(p.url)
        if not url or not p.status or p.facts.get("redirects") or normalise(p.final_url or p.url) != url:
            continue
        settled = (not p.error and p.status == 200) or (p.error_kind == faults.NOT_HTML and p.status == 200)
        settled |= p.error_kind == faults.HTTP_ERROR and 400 <= p.status < 500 and p.status not in (408, 429)
        if settled and (url not in found or p.status == 200):  # one cell's 200 outweighs another's error
            found[url] = (p.status, p.content_type)
    return found


class Feed:
    def __init__(
        self,
        folder: Path,
        engine: LinkEngine,
        site: str,
        check_external: bool,
        ignore: list[re.Pattern],
        unsafe_words: bool = False,
    ) -> None:
        self.engine, self.site, self.check_external, self.ignore = engine, site, check_external, ignore
        self.unsafe_words = unsafe_words  # a link whose text reads as a logout is not requested (qa.urls.ends_session)
        self._decided: set[bytes] = set()
        self._known = open(folder / KNOWN, "w", encoding="utf-8")  # noqa: SIM115 - open for the crawl
        self.known = 0

    def page(
        self,
        page: Page,
        links: list[dict[str, Any]],
        resources: list[dict[str, Any]],
        refreshes: Sequence[tuple[str, str]] = (),
    ) -> None:
        for _, target in refreshes:
            self._consider(target, "meta refresh", None)
        if page.error:
            return
        for link in links:
            if self.unsafe_words and ends_session(link.get("text")):
                continue  # nor decided: the plan leaves it out, and its row says why
            self._consider(link.get("href", ""), link.get("element", "a"), None)
        for res in resources:
            self._consider(res.get("href", ""), res.get("element", ""), res.get("loaded"))

    def resource(self, url: str, element: str) -> None:
        """A resource found after the crawl (in another site's style sheet): checked unless decided already."""
        self._consider(url, element, None)

    def _consider(self, url: str, element: str, loaded: int | None) -> None:
        if not url:
            return
        url = without_userinfo(url)  # the spelling the collector writes, so that keys match the plan's
        if scheme_of(url) not in ("http", "https") or any(p.search(url) for p in self.ignore):
            return
        internal = is_internal(url, self.site)
        if not internal and not self.check_external:
            return
        link = element in LINK_ELEMENTS
        if link and internal:
            return  # the crawl is likely to visit it: decided in rest()
        key = split_fragment(url)[0]
        digest = _digest(key)
        if digest in self._decided:
            return
        self._decided.add(digest)
        if loaded == 200:
            self._write(answer(key, key, 200, "", "browser"))
        else:
            self.engine.add(key, anchors=link)

    def rest(self, plan: Plan, pages: list[Page], rendered: set[str | None]) -> None:
        """After the crawl: every target not decided yet, answered from the crawl's records or requested.
        ``rendered``: the normalised URLs of the pages the crawl rendered (their anchors are known already)."""
        crawled = crawl_answers(pages)
        for target in plan.targets.values():
            if _digest(target.key) in self._decided:
                continue
            norm = normalise(target.key)
            if norm in crawled:
                status, content_type = crawled[norm]
                self._write(answer(target.key, target.key, status, content_type, "crawl"))
                continue
            # a page the crawl rendered has its anchors from the rendered DOM; the others from their HTML
            fragments = sorted(target.fragments) if norm not in rendered else []
            self.engine.add(target.key, fragments=fragments)

    def _write(self, row: dict[str, Any]) -> None:
        self._known.write(json.dumps(row, ensure_ascii=False) + "\n")
        self.known += 1

    def close(self) -> None:
        if not self._known.closed:
            self._known.close()
