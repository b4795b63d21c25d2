"""Sharding: one page list, fixed before any page is audited, partitioned into N parts that CI jobs audit apart.

A shard never follows links: the crawl's link-following would let each shard's pages pull in pages another shard
also finds, so the list is complete first (``qa discover``, a ``--urls`` list, or the same discovery run by every
shard), and every shard partitions that same list. The partition is round-robin over the list sorted by URL shape
(``/news/{n}.html``) then URL: each shard gets every N-th page of every template, so the shards are balanced to one
page and each sees every kind of page. It depends on nothing but the list and N, so a shard re-run alone audits the
same pages. ``fingerprint`` names the list, so shards of different lists are never merged.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from qa.discover.frontier import url_pattern
from qa.errors import UsageError
from qa.store import write_json_atomic
from qa.urls import normalise

DISCOVERY_FORMAT = "qa-discovery"
DISCOVERY_VERSION = 1
_SHARD = re.compile(r"(\d+)/(\d+)")


@dataclass(frozen=True)
class Shard:
    index: int  # 1-based, as written on the command line
    count: int

    def __str__(self) -> str:
        return f"{self.index}/{self.count}"


def parse_shard(text: str) -> Shard:
    """``I/N`` with 1 ≤ I ≤ N."""
    match = _SHARD.fullmatch(text.strip())
    if not match or not 1 <= int(match.group(1)) <= int(match.group(2)):
        raise UsageError(f"--shard '{text}': write I/N with 1 <= I <= N, e.g. --shard 2/4")
    return Shard(int(match.group(1)), int(match.group(2)))


def partition(urls: list[str], shard: Shard) -> list[str]:
    """The shard's URLs, in the list's own order; every URL of the list is in exactly one shard."""
    ranked = sorted(range(len(urls)), key=lambda i: (url_pattern(urls[i]), urls[i]))
    mine = {i for rank, i in enumerate(ranked) if rank % shard.count == shard.index - 1}
    return [url for i, url in enumerate(urls) if i in mine]


def fingerprint(urls: list[str]) -> str:
    """The list's identity (order included: it decides the pages' order in every report)."""
    digest = hashlib.sha256()
    for url in urls:
        digest.update(url.encode("utf-8") + b"\n")
    return digest.hexdigest()[:16]


def config_fingerprint(config: dict[str, Any], cells: list[str]) -> str:
    """What must be the same for shards to be one run: the settings (but the output folder) and the matrix."""
    shown = {k: v for k, v in config.items() if k != "out"}
    text = json.dumps([shown, cells], sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


@dataclass
class Discovery:
    """What discovery found: the URLs (each with how it was found and its depth) and what discovery read on the
    way (robots.txt, sitemaps, their problems; WordPress's summary), as ``qa discover`` writes it."""

    start_url: str
    urls: list[dict[str, Any]]  # {"url", "source": start|wordpress|sitemap|link|representative|list, "depth"}
    facts: dict[str, Any]  # results.json's "discovery" section (problems, robots, sitemaps, skipped)
    created: str = ""

    @property
    def url_list(self) -> list[str]:
        return [u["url"] for u in self.urls]

    def to_dict(self) -> dict[str, Any]:
        return {
            "format": DISCOVERY_FORMAT,
            "version": DISCOVERY_VERSION,
            "created": self.created,
            "start_url": self.start_url,
            "fingerprint": fingerprint(self.url_list),
            "count": len(self.urls),
            "urls": self.urls,
            "discovery": self.facts,
        }

    def write(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_json_atomic(path, self.to_dict())


def read_discovery(path: Path) -> Discovery:
    """A file ``qa discover`` wrote; anything else is one line naming the fix."""
    fix = f"write it again with: qa discover URL --out {path}"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise UsageError(f"--discovered {path}: cannot read it ({exc.strerror}); {fix}") from None
    except ValueError:
        raise UsageError(f"--discovered {path}: not a JSON file; {fix}") from None
    if not isinstance(data, dict) or data.get("format") != DISCOVERY_FORMAT:
        raise UsageError(f"--discovered {path}: not a discovery file of qa discover; {fix}")
    if data.get("version") != DISCOVERY_VERSION:
        raise UsageError(f"--discovered {path}: discovery format {data.get('version')} is not supported; {fix}")
    urls = [u for u in data.get("urls") or [] if isinstance(u, dict) and normalise(str(u.get("url", "")))]
    if not urls or len(urls) != len(data.get("urls") or []):
        raise UsageError(f"--discovered {path}: lists no URL, or an entry that is not an http(s) URL; {fix}")
    discovery = Discovery(str(data.get("start_url", "")), urls, data.get("discovery") or {}, data.get("created", ""))
    if data.get("fingerprint") != fingerprint(discovery.url_list):
        raise UsageError(f"--discovered {path}: its URL list was edited after qa discover wrote it; {fix}")
    return discovery
