"""The run's page inventory, decided once: which visited URLs are one page, which could not be audited, and which
check families ran. Every report reads it (``results.json`` ``inventory``), so every deliverable counts the same
pages and none claims a check that did not run.

* **One page, several addresses.** URLs whose visits reached the same final URL, or that address one document
  the way a folder and its index file do (``/`` and ``/index.html``, ``/news/`` and ``/news/index.html``) and
  served the same content there (the same content fingerprint; without one, the same title and size), are one
  page: its canonical URL (the start URL, else the first one the crawl reached) with the others as ``aliases``.
  The findings of an alias are folded onto its page before anything is judged or counted, so one missing alt on
  the home page is one finding, not two.
* **Exceptions (例外事項).** A URL no browser/viewport cell could audit (an HTTP error, a download, a timeout, ...)
  is listed once, with the reason.
* **Families.** A check family (``qa.vocab.FAMILIES``) ran when one of its checks ran on some page; for one that
  did not, the reports name the command that produces its results.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from functools import cache
from typing import Any
from urllib.parse import urlsplit

from qa.model import Finding, Page, Results, finding_id
from qa.urls import normalise
from qa.vocab import FAMILIES

SECTION = "inventory"
# What produces a family's results when a run left it out (the nox sessions of the same name run the same audit).
COMMANDS = {
    "a11y": "qa audit --only a11y (nox -s a11y)",
    "links": "qa audit --only links (nox -s links)",
    "browsers": "qa audit --only browsers (nox -s browsers)",
    "ops": "qa audit --only ops",
    "tls": "qa audit --only tls",
    "security": "qa audit --only security",
    "privacy": "qa audit --only privacy",
    "seo": "qa audit --only seo",
    "language": "qa audit --only language",
}
NOT_RUN_JA = "未実施"
_INDEX_FILE = re.compile(r"/index\.(html?|php)$")


@dataclass
class InventoryPage:
    url: str  # the canonical URL: findings, verdicts and every report's page list use it
    aliases: list[str] = field(default_factory=list)  # other addresses of the same document
    title: str = ""
    status: int | None = None
    final_url: str = ""


@dataclass
class InventoryException:
    url: str
    reason: str
    status: int | None = None
    kind: str = ""  # the visit's error_kind (http-error, not-html, timeout, ...)


@dataclass
class Inventory:
    pages: list[InventoryPage]
    exceptions: list[InventoryException]
    families: dict[str, dict[str, Any]]  # family -> {"ran": bool, "checks": [ids], "command": str}

    def to_dict(self) -> dict[str, Any]:
        return {
            "pages": [asdict(p) for p in self.pages],
            "exceptions": [asdict(e) for e in self.exceptions],
            "counts": {
                "pages": len(self.pages),
                "aliases": sum(len(p.aliases) for p in self.pages),
                "exceptions": len(self.exceptions),
            },
            "families": self.families,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Inventory:
        pages = [InventoryPage(**{k: v for k, v in p.items() if k in _PAGE_KEYS}) for p in data.get("pages") or []]
        exceptions = [
            InventoryException(**{k: v for k, v in e.items() if k in _EXCEPTION_KEYS})
            for e in data.get("exceptions") or []
        ]
        return cls(pages, exceptions, dict(data.get("families") or {}))

    @property
    def urls(self) -> list[str]:
        return [p.url for p in self.pages]

    def alias_of(self) -> dict[str, str]:
        """Alias URL -> its page's canonical URL."""
        return {a: p.url for p in self.pages for a in p.aliases}

    def canonical(self, url: str) -> str:
        return self.alias_of().get(url, url)

    def ran(self, family: str) -> bool:
        """Whether the family's checks ran in this run (an unknown family counts as run: nothing to warn about)."""
        return bool(self.families.get(family, {"ran": True}).get("ran"))

    def not_run(self) -> dict[str, str]:
        """Family -> the command that produces its results, for every family this run left out."""
        return {
            f: str(info.get("command") or COMMANDS.get(f, "")) for f, info in self.families.items() if not info["ran"]
        }


_PAGE_KEYS = {f for f in InventoryPage.__dataclass_fields__}
_EXCEPTION_KEYS = {f for f in InventoryException.__dataclass_fields__}


def _folder_key(url: str) -> str:
    """``/news/index.html`` and ``/news/`` share a key; any other URL is its own."""
    parts = urlsplit(normalise(url) or url)
    return parts._replace(path=_INDEX_FILE.sub("/", parts.path), fragment="").geturl()


def _content(page: Page) -> tuple[Any, ...]:
    fingerprint = page.facts.get("fingerprint")
    if fingerprint:
        return ("fingerprint", fingerprint)
    return ("title-size", page.title, page.facts.get("document_bytes"))


def _first_visits(results: Results) -> tuple[dict[str, Page], dict[str, Page]]:
    """Per URL in crawl order: its first audited visit (the primary cell's when there is one) and its first visit."""
    primary = results.run.cells[0] if results.run.cells else ""
    audited: dict[str, Page] = {}
    first: dict[str, Page] = {}
    for p in results.pages:
        first.setdefault(p.url, p)
        if p.error:
            continue
        if p.url not in audited or (p.cell == primary and audited[p.url].cell != primary):
            audited[p.url] = p
    return audited, first


def build(results: Results) -> Inventory:
    audited, first = _first_visits(results)
    start = normalise(results.run.start_url) or results.run.start_url
    groups: dict[tuple[Any, ...], list[str]] = {}
    by_final: dict[str, tuple[Any, ...]] = {}
    for url, p in audited.items():
        final = normalise(p.final_url or url) or url
        key = by_final.get(final)
        if key is None:
            key = ("folder", _folder_key(url), *_content(p))
            by_final[final] = key
        groups.setdefault(key, []).append(url)
    pages: list[InventoryPage] = []
    for urls in groups.values():
        canonical = start if start in urls else urls[0]
        p = audited[canonical]
        pages.append(
            InventoryPage(canonical, [u for u in urls if u != canonical], p.title, p.status, p.final_url or p.url)
        )
    order = {u: i for i, u in enumerate(first)}
    pages.sort(key=lambda pg: order[pg.url])
    exceptions = [
        InventoryException(url, p.error or "not audited", p.status, p.error_kind)
        for url, p in first.items()
        if url not in audited
    ]
    return Inventory(pages, exceptions, families_of(results))


@cache
def _family_of_check() -> dict[str, str]:
    from qa.check import builtin_checks  # the check classes, loaded only when a run is inventoried

    return {c.id: c.family for c in builtin_checks()}


def family_of(check_id: str) -> str:
    """The family of a built-in check ("" for a project's own check or an unknown id)."""
    return _family_of_check().get(check_id, "")


def families_of(results: Results) -> dict[str, dict[str, Any]]:
    """Which families ran: one of their checks appears in ``results.checks`` having run on a page (or failed)."""
    family_of = _family_of_check()
    out: dict[str, dict[str, Any]] = {}
    for family in FAMILIES:
        ran = [c.id for c in results.checks if family_of.get(c.id) == family and (c.pages or c.errors)]
        out[family] = {"ran": bool(ran), "checks": ran, "command": COMMANDS[family]}
    return out


def fold_findings(results: Results, inventory: Inventory) -> int:
    """Move the findings of alias URLs onto their page: one already found there (same rule, outcome, element and
    message) absorbs it (its cells and the alias noted), any other becomes the page's own. Returns how many
    findings were merged away."""
    alias_of = inventory.alias_of()
    if not alias_of:
        return 0
    kept: list[Finding] = []
    own: dict[tuple[str, ...], Finding] = {}
    for f in results.findings:
        if f.url not in alias_of:
            own.setdefault(_same(f), f)
    ids = {f.id for f in results.findings}
    merged = 0
    for f in results.findings:
        page = alias_of.get(f.url)
        if page is None:
            kept.append(f)
            continue
        alias, f.url = f.url, page
        twin = own.get(_same(f))
        if twin is not None:
            twin.seen_in.extend(c for c in f.seen_in if c not in twin.seen_in)
            _note_alias(twin, alias)
            merged += 1
            continue
        new_id = finding_id(f.rule, page, f.target, f.outcome)
        n = 1
        while new_id in ids:
            n += 1
            new_id = f"{finding_id(f.rule, page, f.target, f.outcome)}-{n}"
        ids.add(new_id)
        f.id = new_id
        _note_alias(f, alias)
        own[_same(f)] = f
        kept.append(f)
    results.findings = kept
    return merged


def _same(f: Finding) -> tuple[str, ...]:
    return (f.url, f.rule, f.outcome, f.target, f.message)


def _note_alias(f: Finding, alias: str) -> None:
    seen = f.details.setdefault("aliases", [])
    if alias not in seen:
        seen.append(alias)


def _fold_sample(results: Results, inventory: Inventory) -> None:
    """A sample recorded before the inventory (an older run) judges each page once, under its canonical URL."""
    sample = results.extra.get("sample")
    if not isinstance(sample, dict):
        return
    alias_of = inventory.alias_of()
    for key in ("urls", "representative", "random"):
        if isinstance(sample.get(key), list):
            sample[key] = list(dict.fromkeys(alias_of.get(u, u) for u in sample[key]))


def apply(results: Results) -> Inventory:
    """Decide the inventory, store it in ``results.extra["inventory"]`` and fold alias findings onto their pages.
    Idempotent (the visits decide it): run again after new findings (``qa report --rejudge``), it folds those."""
    inventory = build(results)
    fold_findings(results, inventory)
    _fold_sample(results, inventory)
    results.extra[SECTION] = inventory.to_dict()
    return inventory


def inventory_of(results: Results) -> Inventory:
    """The stored inventory; a run written before it existed gets one built in memory (nothing is folded)."""
    stored = results.extra.get(SECTION)
    return Inventory.from_dict(stored) if isinstance(stored, dict) else build(results)
