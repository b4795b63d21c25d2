"""A screenshot of every page in every browser/viewport cell, for the reports (full page where the engine can)."""

from __future__ import annotations

from pathlib import Path

from PIL import Image

from qa.check import CORE, PageCheck, PageContext
from qa.model import Finding, Page
from qa.paths import slug_for_url

FOLDER = "screenshots"
THUMBS = f"{FOLDER}/thumbs"
THUMB_WIDTH = 160


def thumbnail_path(run_dir: Path, page: Page) -> Path:
    return run_dir / THUMBS / f"{slug_for_url(page.url)}_{page.browser}_{page.viewport}.png"


# Only PNGs the suite wrote itself are ever decoded: no other image format's parser is reachable from a run folder.
PNG_ONLY = ("PNG",)


def save_thumbnail(image: Image.Image, target: Path) -> None:
    """The top of the page (1.5 times as tall as wide), THUMB_WIDTH wide. Whoever has the screenshot decoded makes
    it (the cross-engine comparison does, for every screenshot it compares): decoding a full-page PNG costs ten
    times the thumbnail."""
    top = image.crop((0, 0, image.width, min(image.height, int(image.width * 1.5))))
    top.thumbnail((THUMB_WIDTH, THUMB_WIDTH * 2))
    target.parent.mkdir(parents=True, exist_ok=True)
    top.convert("RGB").save(target)


class Screenshot(PageCheck):
    id = "screenshot"
    title = "Page screenshot"
    order = 5  # before anything changes the page
    family = CORE  # every family's reports use the screenshots
    provides = ("screenshots",)

    async def run(self, ctx: PageContext) -> list[Finding]:
        if not ctx.config.screenshots:
            return []
        folder = ctx.run_dir / FOLDER
        folder.mkdir(exist_ok=True)
        name = f"{slug_for_url(ctx.page.url)}_{ctx.page.browser}_{ctx.page.viewport}.png"
        full = await ctx.session.screenshot(folder / name, full_page=True)
        ctx.page.facts["screenshot"] = f"{FOLDER}/{name}"
        ctx.page.facts["screenshot_full_page"] = full
        return []
