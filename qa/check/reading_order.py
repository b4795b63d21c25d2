"""Meaningful sequence (1.3.2): blocks of text shown side by side in the opposite order to the source's.

A screen reader reads the source order; a sighted reader reads the row from left to right (right to left on a
right-to-left page). Where CSS shows two neighbouring blocks of one parent in reverse (``float: right`` on each,
``flex-direction: row-reverse``, ``order``), the two readings differ, which matters when the order carries meaning
(steps, a sentence split in boxes), and a person decides that (F1, C27). Only neighbours that both hold text and sit
on one line are compared.
"""

from __future__ import annotations

from qa.check import AID, PageCheck, PageContext
from qa.check._js import with_helpers
from qa.model import NEEDS_REVIEW, Finding

MAX_FINDINGS = 10
MAX_ELEMENTS = 5000  # parents examined per page

ORDER_JS = with_helpers(r"""([max, examined]) => {
  const out = [], reported = [];
  const parents = document.body ? document.body.querySelectorAll('*') : [];
  for (let i = 0; i < parents.length && i < examined && out.length < max; i++) {
    const parent = parents[i];
    if (parent.childElementCount < 2 || parent.closest('[aria-hidden=true], svg, table')) continue;
    // a reversed row inside a reported one is the same thing to look at
    if (reported.some((p) => p.contains(parent))) continue;
    const rtl = getComputedStyle(parent).direction === 'rtl';
    const kids = [];
    for (const c of parent.children) {
      const r = c.getBoundingClientRect();
      if (r.width < 1 || r.height < 1 || !(c.innerText || '').trim()) continue;
      const s = getComputedStyle(c);
      if (s.position === 'absolute' || s.position === 'fixed' || s.visibility !== 'visible') continue;
      kids.push({c, r});
    }
    for (let k = 1; k < kids.length; k++) {
      const a = kids[k - 1].r, b = kids[k].r;
      const overlap = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top);
      if (overlap < 0.5 * Math.min(a.height, b.height)) continue;  // not on one line
      const reversed = rtl ? b.left >= a.right - 1 : b.right <= a.left + 1;
      if (!reversed) continue;
      out.push({target: cssPath(parent), html: snippet(parent),
        first: (kids[k - 1].c.innerText || '').trim().slice(0, 60),
        second: (kids[k].c.innerText || '').trim().slice(0, 60)});
      reported.push(parent);
      break;
    }
  }
  return out;
}""")


class ReadingOrder(PageCheck):
    id = "reading-order"
    title = "Blocks shown side by side in the source's order"
    messages = {
        "visual-order-reversed": {
            "ja": (
                "横に並んだ「{first}」と「{second}」が、HTML の順序と逆の順に表示されています。"
                "読み上げの順序で意味が変わらないか確認してください。"
            ),
            "fix_ja": "意味のある順序は HTML の順序で表し、float: right や order での並べ替えに頼らない。",
            "fix_en": "Put the content in its reading order in the HTML instead of reordering it with CSS.",
            "help": "https://www.w3.org/WAI/WCAG22/Techniques/css/C27",
        },
    }
    criteria = {"1.3.2": AID}
    primary_only = True  # one layout is enough to see a reversal; the narrow viewports often stack the row
    order = 30
    reads_only = True

    async def run(self, ctx: PageContext) -> list[Finding]:
        found = await ctx.session.evaluate(ORDER_JS, [MAX_FINDINGS, MAX_ELEMENTS])
        return [
            ctx.finding(
                "visual-order-reversed",
                NEEDS_REVIEW,
                ["1.3.2"],
                target=f["target"],
                html=f["html"],
                impact="moderate",
                message=f"'{f['first']}' comes before '{f['second']}' in the source, but the page shows them side by "
                "side the other way round: check that the order a screen reader reads still makes sense (C27).",
                details={"first": f["first"], "second": f["second"]},
            )
            for f in found
        ]
