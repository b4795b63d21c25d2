"""1.3.4 Orientation: the page at a phone's portrait and landscape sizes, compared for content lost in one of them.

The viewport is set to 390x844 and to 844x390 (restored afterwards); in each the text shown on the page is
measured and a "rotate your device" message looked for. A page that shows such a message and little else in one
orientation is locked to the other: a violation (a person may still argue the orientation is essential, such as a
piano keyboard). Much less text in one orientation without such a message goes to a person. The page is not
reloaded, so only its orientation (or aspect-ratio) media queries and its resize / orientation listeners can react:
a page with neither is not turned (the facts say so), which keeps the check's cost off most pages.
"""

from __future__ import annotations

from qa.check import PARTIAL, PageCheck, PageContext
from qa.model import NEEDS_REVIEW, VIOLATION, Finding

PORTRAIT = (390, 844)
LANDSCAPE = (844, 390)
LOST = 0.5  # less than this share of the other orientation's text: content is lost
LOCKED = 0.2  # with a rotate message, less than this share: the page is locked

# Without reloading, only style sheets with orientation (or aspect-ratio) media queries and scripts listening for
# resize or orientation changes can react to the turn: a page with neither is not turned (one cross-origin sheet, or
# an engine that cannot list listeners, and it is).
REACTS_JS = r"""() => {
  const media = /orientation|aspect-ratio/;
  const walk = (rules) => {
    for (const rule of rules) {
      if (rule.media && media.test(rule.media.mediaText)) return true;
      if (rule.conditionText && media.test(rule.conditionText)) return true;
      if (rule.cssRules && walk(rule.cssRules)) return true;
    }
    return false;
  };
  for (const sheet of document.styleSheets) {
    if (sheet.media && media.test(sheet.media.mediaText)) return 'style sheet';
    try { if (walk(sheet.cssRules)) return 'style sheet'; } catch (e) { return 'unreadable style sheet'; }
  }
  if (typeof getEventListeners !== 'function') return 'listeners not listed';
  const l = getEventListeners(window);
  if ((l.resize || []).length || (l.orientationchange || []).length) return 'listener';
  if (window.onresize || window.onorientationchange) return 'listener';
  if (screen.orientation && (getEventListeners(screen.orientation).change || []).length) return 'listener';
  return '';
}"""

MEASURE_JS = r"""async () => {
  await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
  const rotate = new RegExp('rotate (your|the) (device|phone|screen)|turn your (device|phone)|landscape mode|' +
    'portrait mode|画面を(横|縦)|(横|縦)向きに|端末を回転', 'i');
  let message = '';
  const text = (document.body && document.body.innerText || '').replace(/\s+/g, ' ').trim();
  for (const line of (document.body ? document.body.innerText : '').split('\n')) {
    if (rotate.test(line) && line.length < 200) { message = line.trim(); break; }
  }
  const s = getComputedStyle(document.documentElement), b = document.body ? getComputedStyle(document.body) : s;
  const turned = /matrix\(0, 1|matrix\(0, -1|rotate/.test(s.transform + b.transform);
  return {chars: text.length, message, turned, mq: matchMedia('(orientation: portrait)').matches};
}"""


class Orientation(PageCheck):
    id = "orientation"
    title = "Portrait and landscape show the same content (1.3.4)"
    messages = {
        "orientation-locked": {
            "ja": "{orientation}表示では回転を求める表示になるか画面が回転され、表示の向きが固定されています。",
            "fix_ja": "縦横どちらの向きでも同じ内容を表示し、回転を求めるメッセージをやめる。",
            "fix_en": "Show the content in both orientations instead of asking users to rotate the device.",
            "help": "https://www.w3.org/WAI/WCAG22/Understanding/orientation.html",
        },
        "orientation-content-lost": {
            "ja": (
                "{orientation}表示では、表示されるテキストがもう一方の向きの {share} % しかありません。"
                "内容や機能が失われていないか確認してください。"
            ),
            "fix_ja": "画面の向きによって内容を隠さず、どちらの向きでも同じ情報と機能を提供する。",
            "fix_en": "Do not hide content by orientation; offer the same content and functions in both.",
            "help": "https://www.w3.org/WAI/WCAG22/Understanding/orientation.html",
        },
    }
    criteria = {"1.3.4": PARTIAL}
    primary_only = True
    order = 81  # changes the viewport (restored), like the reflow check before it

    async def run(self, ctx: PageContext) -> list[Finding]:
        reacts = await ctx.session.evaluate_listing(REACTS_JS)
        if reacts is None:
            reacts = await ctx.session.evaluate(REACTS_JS)
        if not reacts:
            ctx.page.facts["orientation"] = {"turned": False, "why": "nothing on the page reacts to orientation"}
            return []
        size = await ctx.session.evaluate("() => [innerWidth, innerHeight]")
        seen = {}
        try:
            for name, (w, h) in (("portrait", PORTRAIT), ("landscape", LANDSCAPE)):
                await ctx.session.set_viewport(w, h)
                seen[name] = await ctx.session.evaluate(MEASURE_JS)
        finally:
            await ctx.session.set_viewport(size[0], size[1])
        ctx.page.facts["orientation"] = {
            "turned": True,
            "why": reacts,
            **{k: {"chars": v["chars"], "message": bool(v["message"])} for k, v in seen.items()},
        }
        findings = []
        words = {"portrait": ("縦向き", "portrait"), "landscape": ("横向き", "landscape")}
        for name, other in (("portrait", "landscape"), ("landscape", "portrait")):
            mine, theirs = seen[name], seen[other]
            if not theirs["chars"]:
                continue
            share = mine["chars"] / theirs["chars"]
            locked = (mine["message"] and share < LOCKED and not theirs["message"]) or (
                mine["turned"] and not theirs["turned"]
            )
            if not locked and share >= LOST:
                continue
            findings.append(
                ctx.finding(
                    "orientation-locked" if locked else "orientation-content-lost",
                    VIOLATION if locked else NEEDS_REVIEW,
                    ["1.3.4"],
                    target="html",
                    html="",
                    impact="serious" if locked else "moderate",
                    message=(
                        f"In {words[name][1]} the page "
                        + ("asks to rotate the device and shows little else" if mine["message"] else "is turned round")
                        + ": it is locked to one orientation."
                        if locked
                        else f"In {words[name][1]} the page shows only {round(share * 100)} % of the text it shows "
                        f"in {other}: check that no content or function is lost."
                    ),
                    details={"orientation": words[name][0], "message": mine["message"], "share": round(share * 100)},
                )
            )
        return findings
