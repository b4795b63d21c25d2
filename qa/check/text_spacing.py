"""1.4.12 Text Spacing: with line height 1.5, paragraph spacing 2em, letter spacing 0.12em and word spacing
0.16em applied, no text may be cut off or overlap (F104).

The WCAG values are applied with a style sheet (as the well-known bookmarklet does) and removed afterwards.
Text that now extends beyond a box that clips it (overflow hidden or clip) and did not before is certainly
lost: a violation. Text spilling out of a fixed-height box that does not clip may overlap what follows:
a person checks.
"""

from __future__ import annotations

from qa.check import PARTIAL, PageCheck, PageContext
from qa.check._js import with_helpers
from qa.model import NEEDS_REVIEW, VIOLATION, Finding

MAX_FINDINGS = 20

SPACING_CSS = (
    "*, *::before, *::after { line-height: 1.5 !important; letter-spacing: 0.12em !important; "
    "word-spacing: 0.16em !important; } p { margin-bottom: 2em !important; }"
)

MEASURE_JS = with_helpers(
    r"""async () => {
  await frames();
  // Every visible box that holds text directly, with the text that lies outside it.
  const out = new Map();
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const boxes = new Map();
  const clipBox = (el) => {
    // The nearest ancestor-or-self whose overflow is not visible in some axis.
    for (let n = el; n && n !== document.body; n = n.parentElement) {
      if (boxes.has(n)) return boxes.get(n);
      const s = getComputedStyle(n);
      if (s.overflowX !== 'visible' || s.overflowY !== 'visible') {
        const r = n.getBoundingClientRect();
        const hideX = s.overflowX === 'hidden' || s.overflowX === 'clip';
        const hideY = s.overflowY === 'hidden' || s.overflowY === 'clip';
        // A ticker or carousel moves its text by itself: before and after cannot be compared.
        const moving = n.getAnimations({subtree: true}).length > 0;
        const info = {el: n, r, hideX, hideY, tiny: r.width < 4 || r.height < 4 || moving};
        boxes.set(n, info);
        return info;
      }
    }
    return null;
  };
  for (let n = walker.nextNode(), seen = 0; n && seen < 20000; n = walker.nextNode(), seen++) {
    if (!n.textContent.trim()) continue;
    const el = n.parentElement;
    const s = getComputedStyle(el);
    if (s.visibility !== 'visible' || s.display === 'none') continue;
    const range = document.createRange();
    range.selectNodeContents(n);
    const rects = [...range.getClientRects()].filter((r) => r.width > 0 && r.height > 0);
    if (!rects.length) continue;
    const clip = clipBox(el);
    if (clip && !clip.tiny && (clip.hideX || clip.hideY)) {
      const c = clip.el.getBoundingClientRect();
      const cs = getComputedStyle(clip.el);
      const top = c.top + parseFloat(cs.borderTopWidth), left = c.left + parseFloat(cs.borderLeftWidth);
      const bottom = top + clip.el.clientHeight, right = left + clip.el.clientWidth;
      const lost = rects.some((r) => (clip.hideY && (r.bottom > bottom + 2 || r.top < top - 2)) ||
                                     (clip.hideX && (r.right > right + 2 || r.left < left - 2)));
      if (lost) {
        const key = cssPath(clip.el);
        const item = out.get(key) || {target: key, html: snippet(clip.el), kind: 'clipped', text: '', partly: false};
        // Part of the text shows and part is cut off (a line cut through, lines hidden below a fixed height): not
        // a carousel's slide or a panel moved out of the box whole.
        item.partly = item.partly || rects.some((r) => r.bottom > top + 2 && r.top < bottom - 2 &&
                                                      r.right > left + 2 && r.left < right - 2);
        if (item.text.length < 120) item.text += n.textContent.trim().slice(0, 120) + ' ';
        out.set(key, item);
      }
    }
  }
  // Fixed-height boxes (no clipping) whose text now spills out: may overlap what follows.
  for (const el of document.body.querySelectorAll('*')) {
    if (out.size > 200) break;
    const s = getComputedStyle(el);
    if (s.overflowY !== 'visible' || s.display === 'inline' || !el.firstChild) continue;
    if (![...el.childNodes].some((c) => c.nodeType === 3 && c.textContent.trim())) continue;
    if (el.scrollHeight > el.clientHeight + 2 && el.clientHeight > 0) {
      const key = cssPath(el);
      const text = el.innerText.slice(0, 120);
      if (!out.has(key)) out.set(key, {target: key, html: snippet(el), kind: 'spills', text});
    }
  }
  return [...out.values()];
}"""
)

APPLY_JS = """(css) => {
  const style = document.createElement('style');
  style.id = '__qa_text_spacing';
  style.textContent = css;
  document.head.appendChild(style);
}"""

REMOVE_JS = """() => { const s = document.getElementById('__qa_text_spacing'); if (s) s.remove(); }"""

# Applied, measured and removed in one call to the page (each call crosses Python, the driver and the browser).
SPACED_JS = f"""async (css) => {{
  ({APPLY_JS})(css);
  try {{ return await ({MEASURE_JS})(); }} finally {{ ({REMOVE_JS})(); }}
}}"""


async def text_boxes(ctx: PageContext) -> set[tuple[str, str]]:
    """The text boxes that cut off or spill text on the page with its own styles, measured once per visit: the
    checks that change the styles and restore them compare against it."""
    return {(i["target"], i["kind"]) for i in await _measured(ctx)}


async def partly_clipped(ctx: PageContext) -> list[dict]:
    """The boxes that already cut part of their text off with the page's own styles (measured once per visit)."""
    return [i for i in await _measured(ctx) if i["kind"] == "clipped" and i["partly"]]


async def _measured(ctx: PageContext) -> list[dict]:
    if "text_boxes" not in ctx.memo:
        ctx.memo["text_boxes"] = await ctx.session.evaluate(MEASURE_JS)
    return ctx.memo["text_boxes"]


class TextSpacing(PageCheck):
    id = "text-spacing"
    title = "Text spacing (WCAG 1.4.12 values)"
    # Per rule: the Japanese message ({name}: from the finding's details), the fix in one sentence and a help
    # link, shown by the deliverables (qa.report._axe_ja).
    messages = {
        "text-spacing-clipped": {
            "ja": "WCAG のテキスト間隔を適用すると、このボックスで文字が切れて見えなくなります (F104)。",
            "fix_ja": "高さの固定や overflow: hidden をやめ、文字が広がっても収まるようにする。",
            "fix_en": "Drop the fixed height or overflow: hidden so the spaced text still fits.",
            "help": "https://www.w3.org/WAI/WCAG22/Techniques/failures/F104",
        },
        "text-spacing-overflow": {
            "ja": (
                "WCAG のテキスト間隔を適用すると、高さ固定のボックスから"
                "文字があふれます。ほかの内容に重ならないか確認してください。"
            ),
            "fix_ja": "ボックスの高さを固定せず、文字量に合わせて伸びるようにする。",
            "fix_en": "Let the box grow with its text instead of fixing its height.",
            "help": "https://www.w3.org/WAI/WCAG22/Understanding/text-spacing.html",
        },
    }
    criteria = {"1.4.12": PARTIAL}
    primary_only = True
    order = 85  # changes the page's styles; restores them afterwards
    provides = ("text-spacing-counts",)

    async def run(self, ctx: PageContext) -> list[Finding]:
        before = await text_boxes(ctx)
        try:
            after = await ctx.session.evaluate(SPACED_JS, SPACING_CSS)
        except Exception:
            await ctx.session.evaluate(REMOVE_JS)  # the call failed on its way: the page's own styles again
            raise
        new = [i for i in after if (i["target"], i["kind"]) not in before]
        ctx.page.facts["text_spacing"] = {
            "clipped": sum(1 for i in new if i["kind"] == "clipped"),
            "spills": sum(1 for i in new if i["kind"] == "spills"),
        }
        findings = []
        for item in new[:MAX_FINDINGS]:
            clipped = item["kind"] == "clipped"
            findings.append(
                ctx.finding(
                    "text-spacing-clipped" if clipped else "text-spacing-overflow",
                    VIOLATION if clipped else NEEDS_REVIEW,
                    ["1.4.12"],
                    target=item["target"],
                    html=item["html"],
                    impact="serious" if clipped else "moderate",
                    message=(
                        "With the WCAG text spacing applied, text is cut off by this box (overflow hidden) (F104)."
                        if clipped
                        else "With the WCAG text spacing applied, text spills out of this fixed-height box: check "
                        "that it does not overlap other content."
                    ),
                    details={"text": item["text"].strip()[:200]},
                )
            )
        return findings
