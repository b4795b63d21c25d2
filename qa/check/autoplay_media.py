"""Audio that plays by itself (1.4.2 Audio Control, F23): an ``audio`` or ``video`` element set to play on load (the
``autoplay`` attribute, or already playing when the page is checked) and not muted. Whether it plays more than
3 seconds of sound, and whether the page offers a way to pause it or set its volume apart from the system's, is for
a person: a video may have no sound track, and a pause button may be a custom control. So each is needs-review.
"""

from __future__ import annotations

from qa.check import PARTIAL, PageCheck, PageContext
from qa.check._js import with_helpers
from qa.model import NEEDS_REVIEW, Finding

MAX_FINDINGS = 20
HELP = "https://www.w3.org/WAI/WCAG22/Understanding/audio-control.html"

MEDIA_JS = with_helpers(r"""(max) => {
  const out = [];
  for (const el of document.querySelectorAll('audio, video')) {
    if (out.length >= max) break;
    const playing = !el.paused && !el.ended;
    if (!(el.autoplay || playing) || el.muted || el.volume === 0) continue;
    out.push({tag: el.tagName.toLowerCase(), playing, controls: el.controls, loop: el.loop,
              duration: Number.isFinite(el.duration) ? Math.round(el.duration * 10) / 10 : null,
              target: cssPath(el), html: snippet(el)});
  }
  return out;
}""")


class AutoplayMedia(PageCheck):
    id = "autoplay-media"
    title = "No sound that plays by itself"
    messages = {
        "media-autoplay": {
            "ja": "<{tag}> がページを開くと自動で再生されます (ミュートされていません)。音声が3秒を超える場合は、"
            "一時停止・停止または音量調整の手段が必要です。",
            "fix_ja": "自動再生をやめるか、ページの先頭に一時停止・停止ボタンを置く。",
            "fix_en": "Do not play sound automatically, or put a pause/stop control at the start of the page.",
            "help": HELP,
        },
    }
    criteria = {"1.4.2": PARTIAL}
    primary_only = True  # the markup is the same in every cell
    order = 30
    reads_only = True

    async def run(self, ctx: PageContext) -> list[Finding]:
        found = await ctx.session.evaluate(MEDIA_JS, MAX_FINDINGS)
        return [
            ctx.finding(
                "media-autoplay",
                NEEDS_REVIEW,
                ["1.4.2"],
                target=el["target"],
                html=el["html"],
                impact="serious",
                message=f"<{el['tag']}> plays by itself on load and is not muted"
                + (", and loops" if el["loop"] else "")
                + ("" if el["controls"] else ", with no controls of its own")
                + ": check whether it plays sound for more than 3 seconds and how a user pauses or stops it.",
                help_url=HELP,
                details={k: el[k] for k in ("tag", "playing", "controls", "loop", "duration")},
            )
            for el in found
        ]
