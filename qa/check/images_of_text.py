"""Images of text (1.4.5), and text in an image its alternative leaves out (1.1.1): read by OCR.

Whether text in an image is essential (a logotype), incidental (a street sign in a photograph) or could be real
text is a person's judgement, and so is whether the alternative conveys it; but a machine can read the words. Each
image, image button, image object and CSS background image the page shows at a readable size is cut from the
page's screenshot, as the visitor sees it, and read by Tesseract OCR (qa.check._ocr). An image that shows words
is needs-review under 1.4.5 with the words beside its alternative text, and under 1.1.1 as well when the
alternative holds fewer than half of them (an empty alt included: text that informs is not decoration).

A background image behind the element's own text is left out: the screenshot cannot tell the page's text from the
image's. The same pixels are read once per run, so a banner on every page costs one reading.
"""

from __future__ import annotations

import asyncio
import hashlib
import tempfile
from pathlib import Path
from typing import Any

from PIL import Image

from qa.check import PARTIAL, PageCheck, PageContext
from qa.check._js import with_helpers
from qa.check._ocr import JAPANESE, OcrMissing, Reading, available, ocr_languages, read_text
from qa.check.screenshot import PNG_ONLY
from qa.model import NEEDS_REVIEW, Finding

MIN_WIDTH, MIN_HEIGHT = 40, 14  # CSS px: smaller images are icons, too small to carry a phrase
MAX_IMAGES = 24  # the largest ones, per page
MAX_ELEMENTS = 5000  # elements looked at for a CSS background image
MAX_CHARS = 200  # of the text read, in the finding
MAX_REMEMBERED = 20_000  # images read, by source, kept for the rest of the run

IMAGES_JS = with_helpers(r"""(opts) => {
  const {minWidth, minHeight, max, maxElements} = opts;
  const norm = (s) => (s || '').replace(/\s+/g, ' ').trim();
  const shown = (el) => {
    if (el.getClientRects().length === 0) return null;
    const s = getComputedStyle(el);
    if (s.visibility === 'hidden' || Number(s.opacity) === 0) return null;
    const box = pageBox(el);
    return box.width >= minWidth && box.height >= minHeight ? box : null;
  };
  const found = [];
  const add = (el, kind, alt, src) => {
    const box = shown(el);
    if (box) found.push({target: cssPath(el), html: snippet(el), kind, alt, box, src: String(src || ''),
      label: norm(el.getAttribute('aria-label') || el.getAttribute('title'))});
  };
  const altOf = (el) => el.hasAttribute('alt') ? el.getAttribute('alt') : null;
  for (const img of document.images) {
    if (img.complete && img.naturalWidth > 0) add(img, 'img', altOf(img), img.currentSrc || img.src);
  }
  for (const input of document.querySelectorAll('input[type=image i]')) {
    add(input, 'image button', altOf(input), input.src);
  }
  for (const obj of document.querySelectorAll('object[data]')) {
    const type = (obj.getAttribute('type') || '').toLowerCase();
    if (type.startsWith('image/') || /\.(png|jpe?g|gif|webp|avif|bmp)(\?|#|$)/i.test(obj.getAttribute('data'))) {
      add(obj, 'object', null, obj.data);
    }
  }
  // A background image with no text of the element's own on it (the screenshot would read the page's text too).
  const all = document.body ? document.body.getElementsByTagName('*') : [];
  for (let i = 0; i < all.length && i < maxElements; i++) {
    const el = all[i];
    if (el.tagName === 'IMG' || el.tagName === 'INPUT') continue;
    const style = getComputedStyle(el), bg = style.backgroundImage;
    if (!bg || !bg.includes('url(') || norm(el.innerText)) continue;
    const role = el.getAttribute('role');
    // a sprite shows another part of the same file at each position
    const src = `${bg} ${style.backgroundPosition} ${style.backgroundSize}`;
    add(el, 'background', role === 'img' ? el.getAttribute('aria-label') : null, src);
  }
  found.sort((a, b) => b.box.width * b.box.height - a.box.width * a.box.height);
  return {dpr: devicePixelRatio, lang: document.documentElement.lang || '', images: found.slice(0, max)};
}""")


def _in_alternative(reading: Reading, alternative: str) -> bool:
    """At least half of the words read are in the alternative (Japanese: half of the characters)."""
    alt = alternative.casefold()
    latin = [w for w in reading.words if not JAPANESE.search(w)]
    japanese = "".join(JAPANESE.findall("".join(w for w in reading.words if JAPANESE.search(w))))
    present = sum(1 for w in latin if w.casefold() in alt) + sum(1 for c in japanese if c in alt)
    return present * 2 >= len(latin) + len(japanese)


class ImagesOfText(PageCheck):
    id = "images-of-text"
    title = "Images of text, read by OCR"
    messages = {
        "image-of-text": {
            "ja": (
                "画像に文字が含まれています（OCR の読み取り：「{text}」、代替テキスト：「{alt}」）。"
                "ロゴや見た目が不可欠な場合を除き、画像ではなく CSS で装飾したテキストにできるか確認してください。"
            ),
            "fix_ja": "文字は画像にせず、HTML のテキストを CSS で装飾して表示する（ロゴなどを除く）。",
            "fix_en": "Show the words as real text styled with CSS instead of an image, unless they are a logo.",
            "help": "https://www.w3.org/WAI/WCAG22/Understanding/images-of-text.html",
        },
        "image-text-not-in-alt": {
            "ja": (
                "画像の文字（OCR の読み取り：「{text}」）の多くが代替テキスト（「{alt}」）にありません。"
                "代替テキストが画像の文字と同じ情報を伝えているか確認してください。"
            ),
            "fix_ja": "画像に書かれた文字の内容を代替テキストに含める。",
            "fix_en": "Put the words the image shows into its text alternative.",
            "help": "https://www.w3.org/WAI/WCAG22/Understanding/non-text-content.html",
        },
    }
    criteria = {"1.4.5": PARTIAL, "1.1.1": PARTIAL}
    primary_only = True  # the image files are the same in every browser and viewport
    order = 6  # right after the screenshot it crops, before any check changes the page
    reads_only = True

    async def run(self, ctx: PageContext) -> list[Finding]:
        if not available():
            raise OcrMissing()
        limits = {"minWidth": MIN_WIDTH, "minHeight": MIN_HEIGHT, "max": MAX_IMAGES, "maxElements": MAX_ELEMENTS}
        found = await ctx.session.evaluate(IMAGES_JS, limits)
        if not found["images"]:
            return []
        langs = ocr_languages(found["lang"])
        images = found["images"]
        keys = [_source_key(image, langs) for image in images]
        unread = [i for i, key in enumerate(keys) if key not in _by_source]
        if unread:  # the screenshot is decoded only for images this run has not read yet
            readings = await self._read(ctx, [images[i] for i in unread], found["dpr"], langs)
            if len(_by_source) > MAX_REMEMBERED:
                _by_source.clear()
            # An image outside what this screenshot holds is not remembered: another page may show it.
            _by_source.update((keys[i], r) for i, r in zip(unread, readings, strict=True) if r is not None)
        findings: list[Finding] = []
        for image, key in zip(images, keys, strict=True):
            reading = _by_source.get(key)
            if reading:
                findings += self._findings(ctx, image, reading)
        return findings

    async def _read(
        self, ctx: PageContext, images: list[dict[str, Any]], dpr: float, langs: str
    ) -> list[Reading | None]:
        """What each image shows, or None where it lies outside the screenshot (not read)."""
        shot = ctx.page.facts.get("screenshot")
        if shot:
            crops = await asyncio.to_thread(_crops, ctx.run_dir / shot, images, dpr)
        else:  # screenshots are off: one capture of the page's own, not kept
            with tempfile.TemporaryDirectory() as tmp:
                path = Path(tmp) / "page.png"
                await ctx.session.screenshot(path, full_page=True)
                crops = await asyncio.to_thread(_crops, path, images, dpr)
        return [None if crop is None else await asyncio.to_thread(read_text, crop, langs) for crop in crops]

    def _findings(self, ctx: PageContext, image: dict[str, Any], reading: Reading) -> list[Finding]:
        text = reading.text if len(reading.text) <= MAX_CHARS else reading.text[: MAX_CHARS - 1] + "…"
        alternative = " ".join(filter(None, [image["alt"], image["label"]]))
        details = {
            "text": text,
            "alt": image["alt"] if image["alt"] is not None else "(alt なし)",
            "bbox": image["box"],
        }
        where = {"target": image["target"], "html": image["html"], "impact": "moderate", "details": details}
        shown = f"The {image['kind']} shows text (read by OCR): \u201c{text}\u201d"
        findings = [
            ctx.finding(
                "image-of-text",
                NEEDS_REVIEW,
                ["1.4.5"],
                message=f"{shown}. Unless it is a logo or its look is essential, it should be real text styled "
                "with CSS.",
                **where,
            )
        ]
        if not _in_alternative(reading, alternative):
            said = f"\u201c{alternative}\u201d" if alternative else "empty"
            findings.append(
                ctx.finding(
                    "image-text-not-in-alt",
                    NEEDS_REVIEW,
                    ["1.1.1"],
                    message=f"{shown}; its text alternative ({said}) holds fewer than half of those words: check "
                    "that it conveys the same information.",
                    **where,
                )
            )
        return findings


# What each image read so far showed, by its source, its size on the page and the OCR languages: a logo or banner
# on every page is cut from one screenshot and read once, and pages holding only such images decode no screenshot.
_by_source: dict[str, Reading] = {}


def _source_key(image: dict[str, Any], langs: str) -> str:
    box = image["box"]
    where = f"{image['kind']}|{box['width']}x{box['height']}|{langs}|"
    return hashlib.sha1((where + image["src"]).encode("utf-8", "surrogatepass")).hexdigest()


def _crops(path: Path, images: list[dict[str, Any]], dpr: float) -> list[Image.Image | None]:
    """Each image's box cut from the page screenshot (None where the box lies outside what was captured)."""
    with Image.open(path, formats=PNG_ONLY) as shot:
        shot.load()
        out: list[Image.Image | None] = []
        for image in images:
            box = image["box"]
            left, top = max(0, round(box["x"] * dpr)), max(0, round(box["y"] * dpr))
            right = min(shot.width, round((box["x"] + box["width"]) * dpr))
            bottom = min(shot.height, round((box["y"] + box["height"]) * dpr))
            too_small = right - left < MIN_WIDTH * dpr or bottom - top < MIN_HEIGHT * dpr
            out.append(None if too_small else shot.crop((left, top, right, bottom)))
        return out
