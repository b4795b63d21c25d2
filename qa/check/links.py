"""Link check: every link and resource of the crawled pages, as the browser rendered them, checked with LinkChecker.

Collected during the crawl from the rendered DOM (so links and anchors added by JavaScript count), each URL
requested once, GET only, while the crawl runs (``qa.links.feed``: what the browsers already loaded is not requested
again). Writes ``links[]`` and ``link_check`` to results.json, and one ``broken-link`` finding per broken internal
link (no success criterion: 2.4.4 is about link purpose, not about dead links).

The site under audit is the user's own staging server, already crawled at the crawl's concurrency: its URLs are
checked at that rate too (``links.site_connections``); other hosts get LinkChecker's polite spacing.
"""

from __future__ import annotations

import json
import os
import re
import time
from importlib.metadata import version
from pathlib import Path
from typing import Any

from qa.check import RunCheck, RunContext
from qa.config import Config, Links
from qa.links.collect import FOLDER, OCCURRENCES, Collector, ids_for
from qa.links.engine import EngineSecrets, EngineSettings, LinkEngine
from qa.links.feed import KNOWN, Feed
from qa.links.foreign_css import foreign_sheets, read_foreign_sheets
from qa.links.join import BROKEN, RESULTS, judge_occurrence, plan_targets
from qa.model import VIOLATION, Finding, Page
from qa.net import USER_AGENT
from qa.redact import redact_text, redact_value
from qa.store import atomic_path, read_jsonl
from qa.urls import normalise, origin, unsafe_patterns

RULE = "broken-link"
CHECKED = "checked.jsonl"


class LinkCheck(RunCheck):
    id = "links"
    family = "links"
    title = "Link check (LinkChecker)"
    # Per rule: the Japanese message ({name}: from the finding's details), the fix in one sentence and a help
    # link, shown by the deliverables (qa.report._axe_ja).
    messages = {
        "broken-link": {
            "ja": "リンク切れ: {link} ({problem_ja})",
            "fix_ja": "リンク先の URL を正しいものに直すか、リンクを削除する。",
            "fix_en": "Fix the link's URL or remove the link.",
        },
    }
    provides = ("link-results",)
    criteria: dict[str, str] = {}

    def __init__(self) -> None:
        self.collector: Collector | None = None
        self.feed: Feed | None = None
        self.engine: LinkEngine | None = None
        self.started = 0.0

    def enabled(self, config: Config) -> bool:
        return config.links.enabled

    def begin(self, run_dir: Path, config: Config) -> None:
        self.collector = Collector(run_dir)

    async def crawl_started(self, site: str, config: Config, access: Any) -> None:
        """The checker starts with the crawl and is fed while it runs (on_page), so that it is done soon after."""
        if self.collector is None:
            return
        cfg = config.links
        site = origin(site)
        settings = EngineSettings(
            site_origin=site,
            own_hosts=[h.lower() for h in cfg.own_hosts],
            timeout=cfg.timeout,
            retries=cfg.retries,
            retry_after_max=cfg.retry_after_max,
            threads=cfg.threads,
            own_host_connections=cfg.own_host_connections,
            site_connections=site_connections(config),
            user_agent=USER_AGENT,
            origins=list(access.origins) if access else [site],
            ca_bundle=access.tls.ca_bundle if access else None,
            insecure=bool(access and access.tls.insecure),
        )
        folder = self.collector.dir
        self.engine = LinkEngine(folder / CHECKED, settings, secrets_of(access))
        await self.engine.start()
        self.started = time.monotonic()
        never = ignore_patterns(config) + unsafe_link_patterns(config)
        self.feed = Feed(folder, self.engine, site, cfg.check_external, never, config.unsafe_links.skip)

    def on_page(self, page: Page, visit: Any, primary: bool) -> None:
        if self.collector:
            self.collector.add(page, visit.links, visit.resources, visit.ids, primary, visit.refreshes)
        if self.feed:
            self.feed.page(page, visit.links, visit.resources, visit.refreshes)

    async def abandon(self) -> None:
        if self.engine:
            await self.engine.abort()
        for part in (self.collector, self.feed):
            if part:
                part.close()

    async def run(self, ctx: RunContext) -> list[Finding]:
        cfg = ctx.config.links
        folder = ctx.run_dir / FOLDER
        folder.mkdir(exist_ok=True)
        site = origin(ctx.results.run.start_url)
        if self.engine is None or self.feed is None:  # no crawl_started (a caller that does not crawl)
            await self.crawl_started(ctx.results.run.start_url, ctx.config, ctx.access)
        assert self.engine is not None and self.feed is not None
        ignore = ignore_patterns(ctx.config)
        unsafe = unsafe_link_patterns(ctx.config)
        occurrences = folder / OCCURRENCES
        if self.collector:
            if cfg.check_external and occurrences.is_file():
                await self.read_foreign_sheets(occurrences, site, ignore + unsafe, ctx.config.timeouts.navigation)
            self.collector.close()
        words = ctx.config.unsafe_links.skip
        plan = plan_targets(read_jsonl(occurrences), site, cfg.check_external, ignore, unsafe, words)

        rendered = {normalise(p.final_url or p.url) for p in ctx.results.pages if not p.error}
        rendered |= {normalise(p.url) for p in ctx.results.pages if not p.error}
        wanted = {normalise(t.key) for t in plan.targets.values() if t.fragments} & rendered
        ids = ids_for(ctx.run_dir, wanted)

        self.feed.rest(plan, ctx.results.pages, rendered)
        self.feed.close()
        after_crawl = time.monotonic()
        code = await self.engine.finish()
        if code:
            ctx.results.run.notes.append(
                f"the link checker stopped early (exit code {code}); links it did not reach are marked "
                "'not checked' (warning)"
            )
        timing = {"after_crawl": time.monotonic() - after_crawl, "total": time.monotonic() - self.started}
        checked = {row["key"]: row for row in read_jsonl(folder / KNOWN)}
        checked.update((row["key"], row) for row in read_jsonl(folder / CHECKED))

        rows = [
            judge_occurrence(occ, site, cfg.check_external, ignore, checked, ids, unsafe, words)
            for occ in read_jsonl(occurrences)
        ]
        ctx.results.extra["links"] = rows
        counted = {"requested": self.engine.added, "known": self.feed.known, "targets": len(plan.targets)}
        ctx.results.extra["link_check"] = summary(rows, counted, len(checked), timing, cfg)
        seal(folder)
        return findings_for(rows, ctx.results.run.cells)

    async def read_foreign_sheets(
        self, occurrences: Path, site: str, never: list[re.Pattern], timeout_s: float
    ) -> None:
        """Other sites' style sheets, which the page's script could not read: what they reference is checked too,
        each reference a resource of its sheet."""
        assert self.collector is not None and self.feed is not None
        sheets = foreign_sheets(read_jsonl(occurrences), site, never)
        if not sheets:
            return
        for row in await read_foreign_sheets(sheets, site, never, USER_AGENT, timeout_s):
            self.collector.add_reference(row["source"], row["url"], row["element"])
            self.feed.resource(row["url"], row["element"])


def seal(folder: Path) -> None:
    """The link check is done: its working files keep no secret from the site's URLs any more. Until now they held
    each URL as the page wrote it (``?token=…`` is requested as written, and ``--resume`` requests it again); from
    here on nothing requests them, and the run folder is masked like every deliverable drawn from it."""
    for path in sorted(folder.glob("*.jsonl")):
        with open(path, encoding="utf-8") as src, atomic_path(path) as tmp, open(tmp, "w", encoding="utf-8") as out:
            for line in src:
                try:
                    record = json.loads(line)
                except ValueError:  # a line cut short by an interruption: nothing reads it, mask it as text
                    out.write(redact_text(line))
                    continue
                out.write(json.dumps(redact_value(record), ensure_ascii=False) + "\n")


def ignore_patterns(config: Config) -> list[re.Pattern]:
    """``links.ignore``, and the URLs the crawl was told never to visit (--exclude, log-out): never requested."""
    return [re.compile(p) for p in config.links.ignore + config.exclude]


def unsafe_link_patterns(config: Config) -> list[re.Pattern]:
    """Links that could delete something or end a session (?action=delete, /logout, ...): never requested."""
    return [re.compile(p, re.I) for p in unsafe_patterns(config.unsafe_links.skip, config.unsafe_links.patterns)]


def site_connections(config: Config) -> int:
    """Requests in flight to the site under audit: ``links.site_connections``, or (auto) as many as the crawl's
    pages in flight (``concurrency``; auto: twice the CPU cores)."""
    setting = config.links.site_connections
    if setting != "auto":
        return int(setting)
    crawl = config.concurrency
    return int(crawl) if crawl != "auto" else 2 * (os.cpu_count() or 2)


def secrets_of(access: Any) -> EngineSecrets:
    if access is None:
        return EngineSecrets()
    cookies = {c["name"]: c["value"] for c in getattr(access, "cookies", []) if "name" in c and "value" in c}
    return EngineSecrets(access.http_credentials, dict(access.headers), cookies)


def summary(
    rows: list[dict[str, Any]], counted: dict[str, int], checked: int, timing: dict[str, float], cfg: Links
) -> dict[str, Any]:
    """``seconds``: how long the run waited for the link check after the crawl (it checks during the crawl);
    ``requested_urls``: URLs LinkChecker requested, ``known_urls``: URLs answered by what the browsers loaded."""
    counts = {r: sum(1 for row in rows if row["result"] == r) for r in RESULTS}
    broken = [row for row in rows if row["result"] == BROKEN]
    total = timing["total"]
    return {
        "engine": f"LinkChecker {version('linkchecker')}",
        "links": len(rows),
        "unique_urls": counted["targets"],
        "checked_urls": checked,
        "requested_urls": counted["requested"],
        "known_urls": counted["known"],
        "counts": counts,
        "broken_internal": sum(1 for row in broken if row["internal"]),
        "broken_external": sum(1 for row in broken if not row["internal"]),
        "seconds": round(timing["after_crawl"], 2),
        "seconds_total": round(total, 2),
        "urls_per_second": round(counted["requested"] / total, 1) if total > 0 and counted["requested"] else None,
        "check_external": cfg.check_external,
        "own_hosts": list(cfg.own_hosts),
    }


def findings_for(rows: list[dict[str, Any]], cells: list[str]) -> list[Finding]:
    browser, _, viewport = (cells[0] if cells else "chromium/desktop").partition("/")
    seen: set[tuple[str, str, str]] = set()
    out = []
    for row in rows:
        if row["result"] != BROKEN or not row["internal"]:
            continue
        key = (row["source"], row["url"], row["element"])
        if key in seen:
            continue
        seen.add(key)
        out.append(
            Finding(
                rule=RULE,
                outcome=VIOLATION,
                url=row["source"],
                browser=browser,
                viewport=viewport,
                check=LinkCheck.id,
                target=f"{row['element']} → {row['url']}",
                message=f"Broken link to {row['url']} ({row['reason']})",
                details={
                    "link": row["url"],
                    "element": row["element"],
                    "text": row["text"],
                    "status": row["status"],
                    # what the Japanese message says went wrong: the status, or why there was none to quote
                    "problem_ja": f"HTTP {row['status']}" if row["status"] else "接続できない",
                },
            )
        )
    return out
