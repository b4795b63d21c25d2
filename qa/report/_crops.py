"""Cropped screenshots of the elements findings point at, cut at report time from each visit's screenshot.

axe gives the element's box in page CSS pixels (``details.bbox``); the screenshot has device pixels, so the
box is scaled by the device scale factor the visit recorded (or, for older runs, the screenshot's width over
the page's CSS width).
"""

from __future__ import annotations

import os
from pathlib import Path

from PIL import Image, ImageDraw

from qa.check.screenshot import PNG_ONLY
from qa.model import Finding, Page

FOLDER = "crops"
MARGIN = 12  # CSS px of context around the element
MAX_SIDE = 480  # px: large enough to read, small enough for a cell
OUTLINE = (220, 0, 0)  # the element's outline in the crop: a reader sees which element the finding means


def scale_of(page: Page, image_width: int) -> float:
    dpr = page.facts.get("device_pixel_ratio")
    if dpr:
        return float(dpr)
    css_width = max(page.facts.get("scroll_width") or 0, page.facts.get("client_width") or 0)
    return round(image_width / css_width * 4) / 4 if css_width else 1.0


def crops_for(findings: list[Finding], visits: dict[tuple[str, str, str], Page], run_dir: Path) -> dict[str, Path]:
    """finding id -> its crop, for the findings that have one. Cut screenshot by screenshot, so that each full-page
    PNG is decoded once, however many findings it holds."""
    cropper = Cropper(run_dir)
    out = {}

    def source(f: Finding) -> str:
        page = visits.get((f.url, f.browser, f.viewport))
        return (page.facts.get("screenshot") or "") if page else ""

    try:
        for f in sorted(findings, key=source):
            path = cropper.crop(f, visits.get((f.url, f.browser, f.viewport)))
            if path:
                out[f.id] = path
    finally:
        cropper.close()
    return out


class Cropper:
    """Cuts crops from one screenshot after another, keeping the last one decoded."""

    def __init__(self, run_dir: Path) -> None:
        self.run_dir = run_dir
        self._source: Path | None = None
        self._image: Image.Image | None = None

    def crop(self, finding: Finding, page: Page | None) -> Path | None:
        """The crop's path in the run folder (made once, reused), or None where there is no box or screenshot."""
        box = finding.details.get("bbox")
        if not page or not box or not page.facts.get("screenshot") or box.get("width", 0) <= 0 or box["height"] <= 0:
            return None
        out = self.run_dir / FOLDER / f"{finding.id}.png"
        if out.exists():
            return out
        img = self._decoded(self.run_dir / page.facts["screenshot"])
        if img is None:
            return None
        s = scale_of(page, img.width)
        left, top = max(0, (box["x"] - MARGIN) * s), max(0, (box["y"] - MARGIN) * s)
        right = min(img.width, (box["x"] + box["width"] + MARGIN) * s)
        bottom = min(img.height, (box["y"] + box["height"] + MARGIN) * s)
        if right - left < 2 or bottom - top < 2:  # outside what the screenshot shows (viewport-only shots)
            return None
        part = img.crop((round(left), round(top), round(right), round(bottom))).convert("RGB")
        # Drawn in the margin just outside the element's box, so the element itself is shown as it is.
        width = max(2, round(2 * s))
        x0, y0 = box["x"] * s - left - width, box["y"] * s - top - width
        x1, y1 = x0 + box["width"] * s + 2 * width - 1, y0 + box["height"] * s + 2 * width - 1
        ImageDraw.Draw(part).rectangle((x0, y0, x1, y1), outline=OUTLINE, width=width)
        part.thumbnail((MAX_SIDE, MAX_SIDE))
        out.parent.mkdir(exist_ok=True)
        # Written aside and renamed: the checklist workbooks are built in parallel processes that share these
        # crops, and one of them embedding a crop the other was still writing failed the whole run.
        aside = out.with_name(f".{out.stem}.{os.getpid()}.png")
        part.save(aside, format="PNG")
        os.replace(aside, out)
        return out

    def _decoded(self, source: Path) -> Image.Image | None:
        if source != self._source:
            self.close()
            if not source.is_file():
                return None
            try:
                with Image.open(source, formats=PNG_ONLY) as img:
                    img.load()
                    self._image, self._source = img.copy(), source
            except (OSError, ValueError, Image.DecompressionBombError):  # not a PNG the suite wrote, damaged, or
                return None  # larger than Pillow reads: no crop, never a crash
        return self._image

    def close(self) -> None:
        if self._image is not None:
            self._image.close()
        self._image, self._source = None, None
