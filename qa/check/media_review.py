"""1.2.1 to 1.2.5 (time-based media): every video, audio and embedded player on the page, listed for a person.

Whether a recording has captions, a transcript or audio description can only be judged by watching it; what a
machine can do is find every piece of media (native elements, the common embedded players), say whether a
captions or descriptions track is declared, and so tell the reviewer exactly what to watch. A page without media
is proved not applicable by the inventory (qa.judge.applicability), not here.
"""

from __future__ import annotations

from qa.check import AID, PageCheck, PageContext
from qa.check._js import with_helpers
from qa.model import NEEDS_REVIEW, Finding

MAX_FINDINGS = 10
PLAYERS = (
    r"youtube\.com|youtube-nocookie\.com|youtu\.be|vimeo\.com|dailymotion\.com|nicovideo\.jp|soundcloud\.com|"
    r"spotify\.com|tiktok\.com|facebook\.com/plugins/video|ustream|stream"
)

MEDIA_JS = with_helpers(
    r"""([max, players]) => {
  const player = new RegExp(players, 'i');
  const out = [];
  for (const el of document.querySelectorAll('video, audio, iframe[src], embed[src], object[data]')) {
    if (out.length >= max) break;
    const tag = el.tagName.toLowerCase();
    const src = el.getAttribute('src') || el.getAttribute('data') || (el.querySelector('source') || {}).src || '';
    if (!['video', 'audio'].includes(tag) && !player.test(src)) continue;
    const kinds = [...el.querySelectorAll('track')].map((t) => t.kind || 'subtitles');
    out.push({kind: tag === 'audio' || /soundcloud|spotify/i.test(src) ? 'audio' : 'video', target: cssPath(el),
      html: snippet(el), bbox: pageBox(el), src: src.slice(0, 200), tracks: kinds, autoplay: el.autoplay === true,
      live: /live|ustream|stream/i.test(src)});
  }
  return out;
}"""
)


class MediaReview(PageCheck):
    id = "media-review"
    title = "Time-based media listed for captions, transcripts and audio description"
    messages = {
        "media-alternatives-review": {
            "ja": (
                "{kind_ja}があります（宣言されたトラック: {tracks}）。キャプション、音声解説またはメディアの代替、"
                "音声だけ・映像だけの場合の代替コンテンツがあるか、視聴して確認してください。"
            ),
            "fix_ja": "キャプション（track kind=captions）、音声解説、書き起こしを用意する。",
            "fix_en": "Provide captions (track kind=captions), audio description and a transcript.",
            "help": "https://www.w3.org/WAI/WCAG22/Understanding/captions-prerecorded.html",
        },
    }
    criteria = {"1.2.1": AID, "1.2.2": AID, "1.2.3": AID, "1.2.4": AID, "1.2.5": AID}
    primary_only = True
    order = 34
    reads_only = True

    async def run(self, ctx: PageContext) -> list[Finding]:
        media = await ctx.session.evaluate(MEDIA_JS, [MAX_FINDINGS, PLAYERS])
        ctx.page.facts["media_review"] = {"media": len(media)}
        findings = []
        for m in media:
            video = m["kind"] == "video"
            # Audio alone: 1.2.1; a recording with video: captions, description (1.2.2, 1.2.3, 1.2.5); live: 1.2.4.
            sc = ["1.2.1"] if not video else ["1.2.1", "1.2.2", "1.2.3", "1.2.5"] + (["1.2.4"] if m["live"] else [])
            tracks = ", ".join(m["tracks"]) or "none"
            findings.append(
                ctx.finding(
                    "media-alternatives-review",
                    NEEDS_REVIEW,
                    sc,
                    target=m["target"],
                    html=m["html"],
                    impact="moderate",
                    message=f"This page has {'a video' if video else 'audio'} (declared tracks: {tracks}): watch it "
                    "and check its captions, audio description or media alternative, or the text alternative of "
                    "audio-only and video-only media.",
                    details={
                        "kind_ja": "動画" if video else "音声",
                        "tracks": tracks,
                        "src": m["src"],
                        "bbox": m["bbox"],
                    },
                )
            )
        return findings
