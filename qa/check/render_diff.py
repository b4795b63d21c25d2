"""Cross-engine comparison after the crawl: for each page and viewport, each engine's screenshot is compared with
the first engine's; a large difference is flagged for review with a diff image. With ``--compare RUN`` each
screenshot is also compared with the same page and cell of that previous run.

Engines never render text identically, so pixels are compared in blocks (each screenshot is reduced by
BLOCK) and only blocks whose colour differs clearly count; the visible top of the page is compared (WebDriver
engines capture the viewport only).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from PIL import Image, ImageChops

from qa.check import RunCheck, RunContext
from qa.check.screenshot import FOLDER, PNG_ONLY, save_thumbnail, thumbnail_path
from qa.model import NEEDS_REVIEW, Finding, Page
from qa.paths import slug_for_url

BLOCK = 8  # px: the comparison grid
TOLERANCE = 40  # colour difference (0-255) a block must exceed to count as different
THRESHOLD = 0.20  # share of differing blocks that asks for a person's look (a shift of a few px stays below)
DIFF_FOLDER = f"{FOLDER}/diff"


def _load(path: Path, thumbnail: Path | None = None) -> Image.Image | None:
    """The screenshot, decoded; its thumbnail for the browser-check workbook is made on the way when missing."""
    try:
        with Image.open(path, formats=PNG_ONLY) as img:
            img.load()
            rgb = img if img.mode == "RGB" else img.convert("RGB")  # a conversion to the same mode is a copy
    except (OSError, ValueError):
        return None
    if thumbnail is not None and not thumbnail.exists():
        with contextlib.suppress(OSError):  # the report makes it later, or shows none
            save_thumbnail(rgb, thumbnail)
    return rgb


def blocks(image: Image.Image) -> Image.Image:
    """The image as its grid of BLOCK × BLOCK squares (each square's mean colour); a partial square at the right or
    bottom edge is left out."""
    width, height = image.width - image.width % BLOCK, image.height - image.height % BLOCK
    if width < BLOCK or height < BLOCK:
        return image.resize((1, 1), Image.Resampling.BOX)
    return image.reduce(BLOCK, (0, 0, width, height))


def compare(a: Image.Image, b: Image.Image) -> tuple[float, Image.Image]:
    """Share of differing squares where two block grids overlap (their common top-left area), and the mask of
    those squares (white = different)."""
    size = (min(a.width, b.width), min(a.height, b.height))
    diff = ImageChops.difference(a.crop((0, 0, *size)), b.crop((0, 0, *size))).convert("L")
    mask = diff.point(lambda v: 255 if v > TOLERANCE else 0)
    return mask.histogram()[255] / (size[0] * size[1]), mask


def diff_image(base: Image.Image, mask: Image.Image, path: Path) -> None:
    """The screenshot with the differing blocks tinted red."""
    area = base.crop((0, 0, mask.width * BLOCK, mask.height * BLOCK))
    big = mask.resize(area.size, Image.Resampling.NEAREST).point(lambda v: 150 if v else 0)
    red = Image.new("RGB", area.size, (230, 0, 0))
    area.paste(red, (0, 0), big)
    path.parent.mkdir(parents=True, exist_ok=True)
    # The fastest zlib level: a third less encoding time than the default for files a fifth larger; optimize=True
    # would cost five times the encoding for 2 % smaller files.
    area.save(path, compress_level=1)


class RenderDiff(RunCheck):
    id = "render-diff"
    title = "Cross-engine rendering comparison"
    # Per rule: the Japanese message ({name}: from the finding's details), the fix in one sentence and a help
    # link, shown by the deliverables (qa.report._axe_ja).
    messages = {
        "render-difference": {
            "ja": "ブラウザによってページの表示が異なります ({target})。スクリーンショットを比べてください。",
            "fix_ja": "表示が異なる原因の CSS を確認し、どのブラウザでも同じに表示されるよう直す。",
            "fix_en": "Find the CSS that renders differently and make it consistent.",
        },
        "visual-change": {
            "ja": "前回の実行からページの見た目が変わりました。意図した変更か確認してください。",
            "fix_ja": "意図しない変更であれば元に戻す。",
            "fix_en": "Revert the change if it was not intended.",
        },
    }
    family = "browsers"
    provides = ("render-diff",)
    requires = ("screenshots",)

    async def run(self, ctx: RunContext) -> list[Finding]:
        results, run_dir = ctx.results, ctx.run_dir
        order = {c: i for i, c in enumerate(results.run.cells)}
        groups: dict[tuple[str, str], list[Page]] = {}
        for page in results.pages:
            if not page.error and page.facts.get("screenshot"):
                groups.setdefault((page.url, page.viewport), []).append(page)
        for pages in groups.values():
            pages.sort(key=lambda p: order.get(p.cell, len(order)))
        # Decoding the screenshots is most of the work, and Pillow lets other threads run meanwhile: one group
        # per core, off the event loop (the link check runs beside this).
        loop = asyncio.get_running_loop()
        with ThreadPoolExecutor(max_workers=os.cpu_count() or 2, thread_name_prefix="render-diff") as pool:
            compared = await asyncio.gather(
                *(loop.run_in_executor(pool, self._group, run_dir, g) for g in groups.values())
            )
        findings: list[Finding] = []
        comparisons: list[dict[str, Any]] = []
        for group in compared:
            for record, finding in group:
                comparisons.append(record)
                if finding is not None:
                    findings.append(finding)
        section: dict[str, Any] = {
            "block_px": BLOCK,
            "tolerance": TOLERANCE,
            "threshold": THRESHOLD,
            "engines": comparisons,
        }
        previous = ctx.compare
        if previous and previous.resolve() != run_dir.resolve():
            with ThreadPoolExecutor(max_workers=1, thread_name_prefix="render-diff") as pool:
                work = loop.run_in_executor(pool, self.against_previous, results.pages, previous, run_dir)
                changes, found = await work
            section["previous_run"] = {"run": Path(previous).name, "pages": changes}
            findings += found
        results.extra["render_diff"] = section
        return findings

    def _group(self, run_dir: Path, pages: list[Page]) -> list[tuple[dict[str, Any], Finding | None]]:
        """Each engine's screenshot of one page and viewport against the first engine's."""
        ref = pages[0]
        if len(pages) == 1 and thumbnail_path(run_dir, ref).exists():
            return []  # nothing to compare, and the thumbnail is there (a merge of shards brings theirs)
        ref_img = _load(run_dir / ref.facts["screenshot"], thumbnail_path(run_dir, ref))
        if ref_img is None:
            return []
        ref_blocks = blocks(ref_img)
        out: list[tuple[dict[str, Any], Finding | None]] = []
        for other in pages[1:]:
            img = _load(run_dir / other.facts["screenshot"], thumbnail_path(run_dir, other))
            if img is None:
                continue
            ratio, mask = compare(ref_blocks, blocks(img))
            url, viewport = ref.url, ref.viewport
            name = f"{slug_for_url(url)}_{viewport}_{ref.browser}-vs-{other.browser}.png"
            record = {
                "url": url,
                "viewport": viewport,
                "reference": ref.browser,
                "browser": other.browser,
                "ratio": round(ratio, 4),
                "diff": "",
            }
            finding = None
            if ratio > THRESHOLD:
                diff_image(img, mask, run_dir / DIFF_FOLDER / name)
                record["diff"] = f"{DIFF_FOLDER}/{name}"
                finding = Finding(
                    rule="render-difference",
                    outcome=NEEDS_REVIEW,
                    url=url,
                    browser=other.browser,
                    viewport=viewport,
                    check=self.id,
                    target=f"{ref.browser} vs {other.browser}",
                    impact="moderate",
                    message=(
                        f"{other.browser} renders this page differently from {ref.browser} "
                        f"({ratio:.0%} of the visible area differs); compare the screenshots"
                    ),
                    details={
                        "ratio": round(ratio, 4),
                        "diff_image": record["diff"],
                        "reference": ref.facts["screenshot"],
                        "screenshot": other.facts["screenshot"],
                    },
                )
            out.append((record, finding))
        return out

    def against_previous(self, pages: list[Page], previous: Path, run_dir: Path) -> tuple[list[dict], list[Finding]]:
        from qa.store import load_results

        before = {p.url + "\x1f" + p.cell: p for p in load_results(previous).pages if p.facts.get("screenshot")}
        changes: list[dict[str, Any]] = []
        findings: list[Finding] = []
        for page in pages:
            old = before.get(page.url + "\x1f" + page.cell)
            if page.error or not page.facts.get("screenshot") or old is None:
                continue
            a, b = _load(previous / old.facts["screenshot"]), _load(run_dir / page.facts["screenshot"])
            if a is None or b is None:
                continue
            ratio, mask = compare(blocks(a), blocks(b))
            record = {"url": page.url, "cell": page.cell, "ratio": round(ratio, 4), "diff": ""}
            if ratio > THRESHOLD:
                name = f"{slug_for_url(page.url)}_{page.browser}_{page.viewport}_vs-previous.png"
                diff_image(b, mask, run_dir / DIFF_FOLDER / name)
                record["diff"] = f"{DIFF_FOLDER}/{name}"
                findings.append(
                    Finding(
                        rule="visual-change",
                        outcome=NEEDS_REVIEW,
                        url=page.url,
                        browser=page.browser,
                        viewport=page.viewport,
                        check=self.id,
                        target="previous run",
                        impact="minor",
                        message=f"The page looks different from the previous run ({ratio:.0%} of it changed)",
                        details={"ratio": round(ratio, 4), "diff_image": record["diff"]},
                    )
                )
            changes.append(record)
        return changes, findings
