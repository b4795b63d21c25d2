"""Animated images playing longer than 5 seconds (2.2.2): GIF, APNG and animated WebP files the page shows.

The page's own image bytes are read in the page (fetch from its origin, served from the browser's cache) and
parsed here: the frame delays summed over the loop count give the playing time. An image playing more than 5 s
needs a way to pause it unless it is essential: a person checks for one, so this is needs-review.
"""

from __future__ import annotations

import base64
import math
import struct
from dataclasses import dataclass

from qa.check import PARTIAL, PageCheck, PageContext
from qa.check._js import with_helpers
from qa.model import NEEDS_REVIEW, Finding

LIMIT_S = 5.0
MAX_IMAGES = 20  # distinct image files read per page
MAX_BYTES = 2_000_000  # larger files are left unread (a person sees them anyway)
STILL = (".jpg", ".jpeg", ".svg", ".avif", ".bmp", ".ico")

IMAGES_JS = with_helpers(r"""async (opts) => {
  const {max, maxBytes, still} = opts;
  let budget = 4 * maxBytes;  // bytes handed back in all
  const seen = new Map();
  for (const img of document.images) {
    const src = img.currentSrc || img.src;
    if (!src || seen.has(src) || seen.size >= max || img.getClientRects().length === 0) continue;
    let url;
    try { url = new URL(src, location.href); } catch (e) { continue; }
    if (url.origin !== location.origin || still.some((x) => url.pathname.toLowerCase().endsWith(x))) continue;
    seen.set(src, {src, target: cssPath(img), html: snippet(img)});
  }
  const out = [];
  for (const item of seen.values()) {
    try {
      const r = await fetch(item.src, {cache: 'force-cache', credentials: 'same-origin'});
      if (!r.ok) continue;
      const buf = new Uint8Array(await r.arrayBuffer());
      if (buf.length > maxBytes || (budget -= buf.length) < 0) continue;
      let bin = '';
      for (let i = 0; i < buf.length; i += 0x8000) bin += String.fromCharCode.apply(null, buf.subarray(i, i + 0x8000));
      out.push({...item, data: btoa(bin)});
    } catch (e) { /* unreadable: the browser check reports broken images */ }
  }
  return out;
}""")


@dataclass
class Animation:
    frames: int
    loop_s: float  # one pass over the frames
    plays: int  # 0: forever

    @property
    def total_s(self) -> float:
        return math.inf if self.plays == 0 else self.loop_s * self.plays


def _gif(data: bytes) -> Animation | None:
    if len(data) < 13:
        return None
    pos = 13
    if data[10] & 0x80:
        pos += 3 << ((data[10] & 7) + 1)
    frames, delay_s, plays, pending = 0, 0.0, 1, 0.1

    def skip_blocks(i: int) -> int:
        while i < len(data) and data[i]:
            i += data[i] + 1
        return i + 1

    while pos < len(data):
        block = data[pos]
        if block == 0x3B:
            break
        if block == 0x21 and pos + 1 < len(data):
            label = data[pos + 1]
            if label == 0xF9 and pos + 8 <= len(data):
                centis = struct.unpack_from("<H", data, pos + 4)[0]
                pending = (centis if centis > 1 else 10) / 100  # browsers play 0 or 1 as 100 ms
            elif label == 0xFF and data[pos + 3 : pos + 14] == b"NETSCAPE2.0" and pos + 18 <= len(data):
                loops = struct.unpack_from("<H", data, pos + 16)[0]
                plays = 0 if loops == 0 else loops + 1  # the count is of repeats after the first play
            pos = skip_blocks(pos + 2)
        elif block == 0x2C and pos + 10 <= len(data):
            frames += 1
            delay_s += pending
            pending = 0.1
            packed = data[pos + 9]
            pos += 10 + ((3 << ((packed & 7) + 1)) if packed & 0x80 else 0)
            pos = skip_blocks(pos + 1)  # after the LZW code size
        else:
            break
    return Animation(frames, delay_s, plays)


def _png(data: bytes) -> Animation | None:
    pos, frames, delay_s, plays, animated = 8, 0, 0.0, 1, False
    while pos + 8 <= len(data):
        length, kind = struct.unpack_from(">I4s", data, pos)
        body = data[pos + 8 : pos + 8 + length]
        if kind == b"acTL" and len(body) >= 8:
            animated = True
            plays = struct.unpack_from(">I", body, 4)[0]
        elif kind == b"fcTL" and len(body) >= 24:
            num, den = struct.unpack_from(">HH", body, 20)
            frames += 1
            delay_s += num / (den or 100)
        elif kind == b"IEND":
            break
        pos += 12 + length
    return Animation(frames, delay_s, plays) if animated else None


def _webp(data: bytes) -> Animation | None:
    pos, frames, delay_s, plays, animated = 12, 0, 0.0, 1, False
    while pos + 8 <= len(data):
        kind, length = struct.unpack_from("<4sI", data, pos)
        body = data[pos + 8 : pos + 8 + length]
        if kind == b"ANIM" and len(body) >= 6:
            animated = True
            plays = struct.unpack_from("<H", body, 4)[0]
        elif kind == b"ANMF" and len(body) >= 16:
            frames += 1
            delay_s += int.from_bytes(body[12:15], "little") / 1000
        pos += 8 + length + (length & 1)
    return Animation(frames, delay_s, plays) if animated else None


def animation_of(data: bytes) -> Animation | None:
    """The frames and playing time of a GIF, APNG or animated WebP file; None for anything else."""
    if data[:6] in (b"GIF87a", b"GIF89a"):
        return _gif(data)
    if data[:8] == b"\x89PNG\r\n\x1a\n":
        return _png(data)
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return _webp(data)
    return None


class AnimatedImages(PageCheck):
    id = "animated-images"
    title = "Animated images stop within 5 seconds"
    messages = {
        "animated-image-long": {
            "ja": (
                "アニメーション画像が 5 秒を超えて動き続けます（{seconds}）。"
                "一時停止・停止・非表示の手段があるか確認してください。"
            ),
            "fix_ja": "アニメーションを 5 秒以内で止めるか、停止ボタンを用意する。",
            "fix_en": "Make the animation stop within 5 seconds, or give users a way to pause it.",
            "help": "https://www.w3.org/WAI/WCAG22/Understanding/pause-stop-hide.html",
        },
    }
    criteria = {"2.2.2": PARTIAL}
    primary_only = True  # the files are the same in every browser and viewport
    order = 30

    async def run(self, ctx: PageContext) -> list[Finding]:
        images = await ctx.session.evaluate(IMAGES_JS, {"max": MAX_IMAGES, "maxBytes": MAX_BYTES, "still": list(STILL)})
        findings: list[Finding] = []
        for img in images:
            anim = animation_of(base64.b64decode(img["data"]))
            if anim is None or anim.frames < 2 or anim.total_s <= LIMIT_S:
                continue
            seconds = "forever" if anim.plays == 0 else f"{anim.total_s:.1f} s"
            findings.append(
                ctx.finding(
                    "animated-image-long",
                    NEEDS_REVIEW,
                    ["2.2.2"],
                    target=img["target"],
                    html=img["html"],
                    impact="serious",
                    message=f"The image animates {anim.frames} frames of {anim.loop_s:.1f} s, playing {seconds}: "
                    "check that it can be paused, stopped or hidden, or is essential.",
                    details={
                        "seconds": "無限" if anim.plays == 0 else f"{anim.total_s:.1f} 秒",
                        "frames": anim.frames,
                        "src": img["src"][:300],
                    },
                )
            )
        return findings
