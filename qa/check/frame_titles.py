"""Frame titles that do not say what the frame holds (4.1.2): axe-core finds a frame without a title; a title
that names nothing ("iframe", 「無題」) or another thing than the framed page is a person's to judge.

A frame's title is how a screen-reader user picks it among the page's frames. Where the framed document is the
site's own (same origin, so the page's script can read it), its title and first headings show what it holds; a
frame title sharing no word with them (no Latin word of three letters or more, no two Japanese characters) is
needs-review with both. A frame on another origin cannot be read, and only a generic title is reported there.
Two frames with one name that embed different addresses are needs-review too: the name tells them apart for no
one (ACT 4b1c6c; axe-core's frame-title-unique compares title attributes only, not aria-label).
"""

from __future__ import annotations

import re

from qa.check import PARTIAL, PageCheck, PageContext
from qa.check._js import with_helpers
from qa.check._text import JAPANESE
from qa.model import NEEDS_REVIEW, Finding

GENERIC = {
    "iframe", "frame", "inline frame", "untitled", "title", "content", "contents", "embed", "embedded content",
    "widget", "blank", "about:blank", "frame1", "iframe1", "no title",
    "無題", "フレーム", "インラインフレーム", "埋め込み", "コンテンツ", "タイトルなし",
}  # fmt: skip
MAX_FRAMES = 20

FRAMES_JS = with_helpers(r"""(max) => {
  const norm = (s) => (s || '').replace(/\s+/g, ' ').trim();
  const out = [];
  for (const f of document.querySelectorAll('iframe, frame')) {
    if (out.length >= max) break;
    if (!f.getClientRects().length) continue;
    const title = norm(f.getAttribute('aria-label') || f.getAttribute('title'));
    if (!title) continue;  // axe-core's frame-title reports it
    let doc = null;
    try { doc = f.contentDocument; } catch (e) { /* another origin */ }
    const loaded = doc && doc.documentElement && doc.URL !== 'about:blank';
    const heads = loaded ? [...doc.querySelectorAll('h1, h2')].slice(0, 3).map((h) => norm(h.textContent)) : [];
    const inside = loaded ? norm([doc.title, ...heads].join(' / ')) : null;
    const src = f.hasAttribute('srcdoc') ? 'srcdoc:' + f.getAttribute('srcdoc').slice(0, 500) : f.src || '';
    out.push({target: cssPath(f), html: snippet(f), title, inside, src});
  }
  return out;
}""")

WORD = re.compile(r"[A-Za-z]{3,}")


def shares_a_word(a: str, b: str) -> bool:
    latin = {w.casefold() for w in WORD.findall(a)} & {w.casefold() for w in WORD.findall(b)}
    japanese = set(JAPANESE.findall(a)) & set(JAPANESE.findall(b))
    return bool(latin) or len(japanese) >= 2


class FrameTitles(PageCheck):
    id = "frame-titles"
    title = "Frame titles say what the frame holds"
    messages = {
        "frame-title-generic": {
            "ja": "フレームのタイトル「{title}」は内容を表していません。フレームの中身が分かるタイトルにしてください。",
            "fix_ja": "iframe の title に、フレームの内容を表す名前（例：「所在地の地図」）を付ける。",
            "fix_en": 'Give the frame a title that says what it holds (for example "Map of the office").',
            "help": "https://www.w3.org/WAI/WCAG22/Techniques/html/H64",
        },
        "frame-title-duplicate": {
            "ja": (
                "同じ名前「{title}」のフレームが別のページを埋め込んでいます。"
                "それぞれの内容が分かる名前か確認してください。"
            ),
            "fix_ja": "フレームごとに、その内容を表す異なる title を付ける。",
            "fix_en": "Give each frame a title of its own that says what it holds.",
            "help": "https://www.w3.org/WAI/WCAG22/Techniques/html/H64",
        },
        "frame-title-unlike-content": {
            "ja": (
                "フレームのタイトル「{title}」が、フレーム内のページ（{inside}）と一致しないようです。"
                "タイトルがフレームの内容を表しているか確認してください。"
            ),
            "fix_ja": "iframe の title を、フレーム内のページの内容を表す名前にする。",
            "fix_en": "Make the frame's title say what the framed page holds.",
            "help": "https://www.w3.org/WAI/WCAG22/Techniques/html/H64",
        },
    }
    criteria = {"4.1.2": PARTIAL}
    primary_only = True  # the markup is the same in every browser and viewport
    order = 30
    reads_only = True

    async def run(self, ctx: PageContext) -> list[Finding]:
        findings = []
        frames = await ctx.session.evaluate(FRAMES_JS, MAX_FRAMES)
        first_by_name: dict[str, dict] = {}
        for frame in frames:
            first = first_by_name.setdefault(frame["title"].casefold(), frame)
            if first is not frame and first["src"] != frame["src"]:
                findings.append(
                    ctx.finding(
                        "frame-title-duplicate",
                        NEEDS_REVIEW,
                        ["4.1.2"],
                        target=frame["target"],
                        html=frame["html"],
                        impact="moderate",
                        message=f"This frame and {first['target']} are both named '{frame['title']}' but embed "
                        "different pages: check that they serve the same purpose, or name each for what it holds.",
                        details={"title": frame["title"], "other": first["target"]},
                    )
                )
        for frame in frames:
            title, inside = frame["title"], frame["inside"]
            where = {"target": frame["target"], "html": frame["html"], "impact": "moderate"}
            if title.casefold() in GENERIC:
                findings.append(
                    ctx.finding(
                        "frame-title-generic",
                        NEEDS_REVIEW,
                        ["4.1.2"],
                        message=f"The frame's title '{title}' names no content: check that it says what the frame "
                        "holds (H64).",
                        details={"title": title},
                        **where,
                    )
                )
            elif inside and not shares_a_word(title, inside):
                findings.append(
                    ctx.finding(
                        "frame-title-unlike-content",
                        NEEDS_REVIEW,
                        ["4.1.2"],
                        message=f"The frame's title '{title}' shares no word with the framed page ('{inside}'): "
                        "check that the title says what the frame holds.",
                        details={"title": title, "inside": inside[:200]},
                        **where,
                    )
                )
        return findings
