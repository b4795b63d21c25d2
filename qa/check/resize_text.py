"""1.4.4 Resize Text: with every text's size doubled, text that a box now cuts off is listed for a person, and so
is text a box cuts through already at the page's own size (part shows, part is hidden: never a carousel's slide
moved out of its box whole).

Text is doubled as a browser's text-only zoom does: each element holding text gets twice its computed font size
(set inline, restored afterwards), the layout otherwise unchanged. The boxes that newly cut text off (overflow
hidden or clip) are measured as the text-spacing check measures them. WCAG lets a page meet 1.4.4 through the
browser's page zoom instead, so what is cut off at double text size goes to a person, who checks it at 200 % zoom.
"""

from __future__ import annotations

from qa.check import AID, PageCheck, PageContext
from qa.check.text_spacing import MEASURE_JS, partly_clipped, text_boxes
from qa.model import NEEDS_REVIEW, Finding

MAX_FINDINGS = 10
CLIPPED_WHEN_DOUBLED = (
    "With the text at double size, this box cuts text off (overflow hidden): check at 200 % browser zoom that no "
    "content or function is lost (F69)."
)
CUT_OFF_ALREADY = (
    "This box cuts part of its text off already at the page's own text size (overflow hidden with a fixed height or "
    "width): check that the whole text can be read at 200 % browser zoom (F69)."
)
MAX_ELEMENTS = 5000  # elements whose text is enlarged

ENLARGE_JS = r"""(max) => {
  const changed = [];
  const els = document.body ? document.body.querySelectorAll('*') : [];
  for (let i = 0; i < els.length && changed.length < max; i++) {
    const el = els[i];
    if (![...el.childNodes].some((c) => c.nodeType === 3 && c.textContent.trim())) continue;
    const px = parseFloat(getComputedStyle(el).fontSize);
    if (!px) continue;
    changed.push([el, el.style.getPropertyValue('font-size'), el.style.getPropertyPriority('font-size'), px]);
  }
  // Sizes first, then writes: a parent's new size must not double its children's again.
  for (const [el, , , px] of changed) el.style.setProperty('font-size', (2 * px) + 'px', 'important');
  window.__qaResize = changed;
  return changed.length;
}"""

RESTORE_JS = r"""() => {
  for (const [el, value, priority] of window.__qaResize || []) {
    if (value) el.style.setProperty('font-size', value, priority); else el.style.removeProperty('font-size');
  }
  delete window.__qaResize;
}"""


# Enlarged, measured and restored in one call to the page.
ENLARGED_JS = f"""async (max) => {{
  const enlarged = ({ENLARGE_JS})(max);
  try {{ return [enlarged, await ({MEASURE_JS})()]; }} finally {{ ({RESTORE_JS})(); }}
}}"""


class ResizeText(PageCheck):
    id = "resize-text"
    title = "Text at double size (1.4.4)"
    messages = {
        "resize-text-clipped": {
            "ja": (
                "文字の大きさを 2 倍にすると、このボックスで文字が切れて見えなくなります。"
                "ブラウザーの 200 % ズームで内容や機能が失われないか確認してください。"
            ),
            "fix_ja": "高さの固定や overflow: hidden をやめ、文字が大きくなっても収まるようにする。",
            "fix_en": "Drop the fixed height or overflow: hidden so larger text still fits.",
            "help": "https://www.w3.org/WAI/WCAG22/Techniques/failures/F69",
        },
        "text-cut-off": {
            "ja": (
                "このボックスは、ページ本来の文字の大きさのままでも文字の一部を切り取って隠しています。"
                "200 % のズームで文章全体を読めるか確認してください。"
            ),
            "fix_ja": "高さや幅の固定と overflow: hidden をやめ、文章全体が表示されるようにする。",
            "fix_en": "Drop the fixed height or width with overflow: hidden so the whole text shows.",
            "help": "https://www.w3.org/WAI/WCAG22/Techniques/failures/F69",
        },
    }
    criteria = {"1.4.4": AID}
    primary_only = True
    order = 86  # changes the page's styles; restores them afterwards

    async def run(self, ctx: PageContext) -> list[Finding]:
        before = await text_boxes(ctx)
        try:
            enlarged, after = await ctx.session.evaluate(ENLARGED_JS, MAX_ELEMENTS)
        except Exception:
            await ctx.session.evaluate(RESTORE_JS)  # the call failed on its way: the page's own sizes again
            raise
        clipped = [i for i in after if i["kind"] == "clipped" and (i["target"], i["kind"]) not in before]
        # A box that cuts its text through at the page's own size cuts it at every size (ACT rule 59br37).
        already = await partly_clipped(ctx)
        ctx.page.facts["resize_text"] = {"enlarged": enlarged, "clipped": len(clipped), "already_clipped": len(already)}
        newly = [(item, "resize-text-clipped", CLIPPED_WHEN_DOUBLED) for item in clipped[:MAX_FINDINGS]]
        always = [(item, "text-cut-off", CUT_OFF_ALREADY) for item in already[: MAX_FINDINGS - len(newly)]]
        return [
            ctx.finding(
                rule,
                NEEDS_REVIEW,
                ["1.4.4"],
                target=item["target"],
                html=item["html"],
                impact="moderate",
                message=message,
                details={"text": item["text"].strip()[:200]},
            )
            for item, rule, message in newly + always
        ]
