"""Animated images playing longer than 5 seconds (2.2.2), and flashing (2.3.1): GIF, APNG and animated WebP files
the page shows.

The page's own image bytes are read in the page (fetch from its origin, served from the browser's cache) and
parsed here: the frame delays summed over the loop count give the playing time. An image playing more than 5 s
needs a way to pause it unless it is essential: a person checks for one, so this is needs-review.

Flashing is measured on the frames as the browser composes them (WebCodecs' ImageDecoder, decoded in the page,
never by the suite): WCAG's general flash threshold, read on a grid of cells (``flashes_of``). An image with more
than three flashes in a second over more than a quarter of a 10° field of view is needs-review under 2.3.1, with
the count and the area; a grid of cells approximates the standard's flash area, so a person confirms it. Video and
CSS animation are not measured. Where the engine has no ImageDecoder, ``facts.flashes_measured`` is false.
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
GRID = 8  # cells a side: each frame's luminance is read as GRID x GRID cells
MAX_FRAMES = 300
# A quarter of a 10 degree field of view at typical viewing distance: 341 x 256 CSS px (WCAG's "small safe area").
FLASH_AREA_PX = 0.25 * 341 * 256

IMAGES_JS = with_helpers(r"""async (opts) => {
  const {max, maxBytes, still, grid, maxFrames} = opts;
  let budget = 4 * maxBytes;  // bytes handed back in all
  // Each frame as the browser composes it, shrunk to grid x grid cells over white: the cells' relative luminance
  // (WCAG's formula) and the frame's duration. Decoded here, in the browser's sandbox, not by the suite.
  const lin = (c) => { c /= 255; return c <= 0.04045 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4); };
  const framesOf = async (buf) => {
    if (typeof ImageDecoder === 'undefined' || typeof OffscreenCanvas === 'undefined') return null;
    const type = buf[0] === 0x47 ? 'image/gif' : buf[0] === 0x89 ? 'image/png' : buf[8] === 0x57 ? 'image/webp' : '';
    if (!type) return [];
    let decoder = null;
    try {
      decoder = new ImageDecoder({data: buf, type});
      await decoder.tracks.ready;
      const track = decoder.tracks.selectedTrack;
      if (!track || !track.animated || track.frameCount < 2) return [];
      const canvas = new OffscreenCanvas(grid, grid);
      const g = canvas.getContext('2d', {willReadFrequently: true});
      const frames = [];
      for (let i = 0; i < Math.min(track.frameCount, maxFrames); i++) {
        const {image} = await decoder.decode({frameIndex: i});
        g.fillStyle = '#fff';
        g.fillRect(0, 0, grid, grid);
        g.drawImage(image, 0, 0, grid, grid);
        const px = g.getImageData(0, 0, grid, grid).data;
        const cells = [];
        for (let p = 0; p < px.length; p += 4) {
          cells.push(Math.round(1000 * (0.2126 * lin(px[p]) + 0.7152 * lin(px[p + 1]) + 0.0722 * lin(px[p + 2]))));
        }
        frames.push({us: image.duration || 0, cells});
        image.close();
      }
      return frames;
    } catch (e) {
      return null;
    } finally {
      if (decoder) decoder.close();
    }
  };
  const seen = new Map();
  for (const img of document.images) {
    const src = img.currentSrc || img.src;
    if (!src || seen.has(src) || seen.size >= max || img.getClientRects().length === 0) continue;
    let url;
    try { url = new URL(src, location.href); } catch (e) { continue; }
    if (url.origin !== location.origin || still.some((x) => url.pathname.toLowerCase().endsWith(x))) continue;
    const box = img.getBoundingClientRect();
    seen.set(src, {src, target: cssPath(img), html: snippet(img), width: box.width, height: box.height});
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
      out.push({...item, data: btoa(bin), frames: await framesOf(buf)});
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


@dataclass
class Flashing:
    per_second: int  # the most flashes of one cell in any one second
    area_px: float  # CSS px² of the cells flashing more than three times a second


def flashes_of(frames: list[dict], width: float, height: float, loops: bool) -> Flashing:
    """WCAG's general flash threshold, cell by cell of the browser's frames (``GRID`` x ``GRID`` cells): a
    transition is a change of relative luminance of 10 % or more where the darker side is below 0.80, a flash two
    opposing transitions; a cell flashes when it has more than three flashes in some one second. A looping image is
    read over two passes, so a flash across the loop's end counts."""
    if len(frames) < 2:
        return Flashing(0, 0.0)
    sequence = frames * 2 if loops else frames
    times, at = [], 0.0
    for frame in sequence:
        times.append(at)
        ms = frame["us"] / 1000
        at += ms if ms > 10 else 100  # as browsers play a delay of 0 or 1 centisecond
    cells = len(frames[0]["cells"])
    worst, flashing = 0, 0
    for cell in range(cells):
        changes: list[tuple[float, int]] = []  # (time, direction) of each transition
        for i in range(1, len(sequence)):
            before, after = sequence[i - 1]["cells"][cell] / 1000, sequence[i]["cells"][cell] / 1000
            if abs(after - before) >= 0.1 and min(before, after) < 0.8:
                direction = 1 if after > before else -1
                if not changes or changes[-1][1] != direction:
                    changes.append((times[i], direction))
        most, start = 0, 0
        for end in range(len(changes)):
            while changes[end][0] - changes[start][0] >= 1000:
                start += 1
            most = max(most, (end - start + 1) // 2)
        worst = max(worst, most)
        flashing += most > 3
    return Flashing(worst, flashing / cells * width * height)


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
        "image-flashes": {
            "ja": (
                "画像が 1 秒間に {per_second} 回点滅し、点滅の面積が約 {area} px² あります"
                "（一般閃光閾値の目安を超過）。"
                "光過敏性発作の原因となるため、閾値を下回るか確認してください。"
            ),
            "fix_ja": "点滅を 1 秒間に 3 回以下にするか、点滅する面積を小さくする（または削除する）。",
            "fix_en": "Flash no more than three times in any second, or shrink the flashing area (or remove it).",
            "help": "https://www.w3.org/WAI/WCAG22/Understanding/three-flashes-or-below-threshold.html",
        },
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
    criteria = {"2.2.2": PARTIAL, "2.3.1": PARTIAL}
    primary_only = True  # the files are the same in every browser and viewport
    order = 30

    async def run(self, ctx: PageContext) -> list[Finding]:
        options = {
            "max": MAX_IMAGES,
            "maxBytes": MAX_BYTES,
            "still": list(STILL),
            "grid": GRID,
            "maxFrames": MAX_FRAMES,
        }
        images = await ctx.session.evaluate(IMAGES_JS, options)
        findings: list[Finding] = []
        measured = True
        for img in images:
            anim = animation_of(base64.b64decode(img["data"]))
            if anim is None or anim.frames < 2:
                continue
            if img.get("frames") is None:
                measured = False  # the engine cannot hand the frames over: flashes not measured
            else:
                findings += self._flashes(ctx, img, anim)
            if anim.total_s <= LIMIT_S:
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
        ctx.page.facts["flashes_measured"] = measured
        if not measured:
            ctx.not_examined("the browser cannot hand over an animated image's frames (no ImageDecoder)", ["2.3.1"])
        return findings

    def _flashes(self, ctx: PageContext, img: dict, anim: Animation) -> list[Finding]:
        flashing = flashes_of(img["frames"], img["width"], img["height"], loops=anim.plays != 1)
        if flashing.per_second <= 3 or flashing.area_px <= FLASH_AREA_PX:
            return []
        return [
            ctx.finding(
                "image-flashes",
                NEEDS_REVIEW,
                ["2.3.1"],
                target=img["target"],
                html=img["html"],
                impact="critical",
                message=f"The image flashes {flashing.per_second} times in one second over about "
                f"{flashing.area_px:,.0f} CSS px² (more than three flashes, over more than a quarter of a 10° field "
                "of view): check it against the general flash threshold; flashing can cause seizures.",
                details={
                    "per_second": flashing.per_second,
                    "area": f"{flashing.area_px:,.0f}",
                    "src": img["src"][:300],
                },
            )
        ]
