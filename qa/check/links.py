"""Link check: every link and resource of the crawled pages, as the browser rendered them, checked with LinkChecker.

Collected during the crawl from the rendered DOM (so links and anchors added by JavaScript count), each URL
requested once after it, GET only. Writes ``links[]`` and ``link_check`` to results.json, and one ``broken-link``
finding per broken internal link (no success criterion: 2.4.4 is about link purpose, not about dead links).
"""

from __future__ import annotations

import json
import re
import time
from importlib.metadata import version
from pathlib import Path
from typing import Any

from qa.check import RunCheck, RunContext
from qa.links.collect import FOLDER, OCCURRENCES, Collector, ids_for
from qa.links.engine import EngineSecrets, EngineSettings, check_urls
from qa.links.join import BROKEN, RESULTS, judge_occurrence, plan_targets
from qa.model import VIOLATION, Finding, Page
from qa.net import USER_AGENT
from qa.store import read_jsonl
from qa.urls import normalise, origin

RULE = "broken-link"
TARGETS = "targets.jsonl"
CHECKED = "checked.jsonl"


class LinkCheck(RunCheck):
    id = "links"
    family = "links"
    title = "Link check (LinkChecker)"
    # Per rule: the Japanese message ({name}: from the finding's details), the fix in one sentence and a help
    # link, shown by the deliverables (qa.report._axe_ja).
    messages = {
        "broken-link": {
            "ja": "リンク切れ: {link} ({status})",
            "fix_ja": "リンク先の URL を正しいものに直すか、リンクを削除する。",
            "fix_en": "Fix the link's URL or remove the link.",
        },
    }
    provides = ("link-results",)
    criteria: dict[str, str] = {}

    def __init__(self) -> None:
        self.collector: Collector | None = None

    def enabled(self, config: dict[str, Any]) -> bool:
        return bool(config["links"]["enabled"])

    def begin(self, run_dir: Path, config: dict[str, Any]) -> None:
        self.collector = Collector(run_dir)

    def on_page(self, page: Page, visit: Any, primary: bool) -> None:
        if self.collector:
            self.collector.add(page, visit.links, visit.resources, visit.ids, primary)

    async def run(self, ctx: RunContext) -> list[Finding]:
        if self.collector:
            self.collector.close()
        cfg = ctx.config["links"]
        folder = ctx.run_dir / FOLDER
        folder.mkdir(exist_ok=True)
        site = origin(ctx.results.run.start_url)
        # URLs the crawl was told never to visit (--exclude) are never requested by the link check either
        ignore = [re.compile(p) for p in cfg["ignore"] + ctx.config["exclude"]]
        occurrences = folder / OCCURRENCES
        plan = plan_targets(read_jsonl(occurrences), site, cfg["check_external"], ignore)

        crawled = {normalise(p.final_url or p.url) for p in ctx.results.pages if not p.error}
        crawled |= {normalise(p.url) for p in ctx.results.pages if not p.error}
        wanted = {normalise(t.key) for t in plan.targets.values() if t.fragments} & crawled
        ids = ids_for(ctx.run_dir, wanted)

        with open(folder / TARGETS, "w", encoding="utf-8") as fh:
            for t in plan.targets.values():
                raw_anchors = sorted(t.fragments) if normalise(t.key) not in crawled else []
                fh.write(json.dumps({"key": t.key, "url": t.key, "fragments": raw_anchors}, ensure_ascii=False) + "\n")
        started = time.monotonic()
        if plan.targets:
            settings = EngineSettings(
                site_origin=site,
                own_hosts=[h.lower() for h in cfg["own_hosts"]],
                timeout=cfg["timeout"],
                retries=cfg["retries"],
                retry_after_max=cfg["retry_after_max"],
                threads=cfg["threads"],
                own_host_connections=cfg["own_host_connections"],
                user_agent=USER_AGENT,
            )
            code = await check_urls(folder / TARGETS, folder / CHECKED, settings, secrets_of(ctx.access))
            if code:
                ctx.results.run.notes.append(
                    f"the link checker stopped early (exit code {code}); links it did not reach are marked "
                    "'not checked' (warning)"
                )
        seconds = time.monotonic() - started
        checked = {row["key"]: row for row in read_jsonl(folder / CHECKED)}

        rows = [
            judge_occurrence(occ, site, cfg["check_external"], ignore, checked, ids) for occ in read_jsonl(occurrences)
        ]
        ctx.results.extra["links"] = rows
        ctx.results.extra["link_check"] = summary(rows, len(plan.targets), len(checked), seconds, cfg)
        return findings_for(rows, ctx.results.run.cells)


def secrets_of(access: Any) -> EngineSecrets:
    if access is None:
        return EngineSecrets()
    cookies = {c["name"]: c["value"] for c in getattr(access, "cookies", []) if "name" in c and "value" in c}
    return EngineSecrets(access.http_credentials, dict(access.headers), cookies)


def summary(rows: list[dict[str, Any]], targets: int, checked: int, seconds: float, cfg: dict) -> dict[str, Any]:
    counts = {r: sum(1 for row in rows if row["result"] == r) for r in RESULTS}
    broken = [row for row in rows if row["result"] == BROKEN]
    return {
        "engine": f"LinkChecker {version('linkchecker')}",
        "links": len(rows),
        "unique_urls": targets,
        "checked_urls": checked,
        "counts": counts,
        "broken_internal": sum(1 for row in broken if row["internal"]),
        "broken_external": sum(1 for row in broken if not row["internal"]),
        "seconds": round(seconds, 2),
        "urls_per_second": round(checked / seconds, 1) if seconds > 0 and checked else None,
        "check_external": cfg["check_external"],
        "own_hosts": list(cfg["own_hosts"]),
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
                details={"link": row["url"], "element": row["element"], "text": row["text"], "status": row["status"]},
            )
        )
    return out
