"""The planned sitemap (``sitemap.planned`` / ``--planned-sitemap``), kept in results.json so that the finished-site
sitemap deliverable can show what differs from the plan, and ``qa report`` can rebuild it without the file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from qa.check import RunCheck, RunContext
from qa.config import Config
from qa.discover.planned import read_planned
from qa.model import Finding


class PlannedSitemap(RunCheck):
    id = "sitemap"
    family = "links"
    title = "Planned sitemap, for the comparison with the finished site"
    provides = ("planned-sitemap",)
    criteria: dict[str, str] = {}

    def __init__(self) -> None:
        self.plan: dict[str, Any] | None = None

    def enabled(self, config: Config) -> bool:
        return bool(config.sitemap.planned)

    def begin(self, run_dir: Path, config: Config) -> None:
        self.plan = read_planned(Path(config.sitemap.planned or ""))  # a bad file stops the run before the crawl

    async def run(self, ctx: RunContext) -> list[Finding]:
        if self.plan:
            ctx.results.extra["planned_sitemap"] = self.plan
        return []
