"""A screenshot of every page in every browser/viewport cell, for the reports (full page where the engine can)."""

from __future__ import annotations

from qa.check import CORE, PageCheck, PageContext
from qa.model import Finding
from qa.paths import slug_for_url

FOLDER = "screenshots"


class Screenshot(PageCheck):
    id = "screenshot"
    title = "Page screenshot"
    order = 5  # before anything changes the page
    family = CORE  # every family's reports use the screenshots

    async def run(self, ctx: PageContext) -> list[Finding]:
        if not ctx.config["screenshots"]:
            return []
        folder = ctx.run_dir / FOLDER
        folder.mkdir(exist_ok=True)
        name = f"{slug_for_url(ctx.page.url)}_{ctx.page.browser}_{ctx.page.viewport}.png"
        full = await ctx.session.screenshot(folder / name, full_page=True)
        ctx.page.facts["screenshot"] = f"{FOLDER}/{name}"
        ctx.page.facts["screenshot_full_page"] = full
        return []
