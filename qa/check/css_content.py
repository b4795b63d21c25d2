"""Content injected through CSS (1.3.1, F87): text put on the page by ``::before`` / ``::after`` with the ``content``
property is lost with the page's styles (a user style sheet, reader mode), cannot be selected or searched, and is not
read by every screen reader; axe-core leaves it out of accessible names on purpose. Decoration (quotes, counters,
icons from a private-use font, a bullet or an arrow) is left alone: only content with two letters or digits in a row
is listed, and each one is needs-review, since a person decides whether it is information or decoration.
"""

from __future__ import annotations

from qa.check import PARTIAL, PageCheck, PageContext
from qa.check._js import with_helpers
from qa.model import NEEDS_REVIEW, Finding

MAX_ELEMENTS = 3000  # elements examined per page: two computed styles each
MAX_FINDINGS = 20

HELP = "https://www.w3.org/WAI/WCAG22/Techniques/failures/F87"

GENERATED_JS = with_helpers(r"""([maxElements, maxFindings]) => {
  const out = [];
  let examined = 0;
  // content: "text" (also "a" attr(x) "b", where attr() has been resolved by the browser): the quoted strings.
  const strings = (content) => [...content.matchAll(/"((?:[^"\\]|\\.)*)"/g)].map((m) => m[1].replace(/\\(.)/g, '$1'));
  for (const el of (document.body || document.documentElement).querySelectorAll('*')) {
    if (examined >= maxElements || out.length >= maxFindings) break;
    examined++;
    for (const pseudo of ['::before', '::after']) {
      const style = getComputedStyle(el, pseudo);
      const content = style.content;
      if (!content || content === 'none' || content === 'normal' || style.display === 'none') continue;
      if (style.visibility === 'hidden') continue;
      const text = strings(content).join(' ').replace(/\s+/g, ' ').trim();
      // Two letters or digits in a row, not from a private-use area (icon fonts).
      if (!/[\p{L}\p{N}]{2}/u.test(text.replace(/[\uE000-\uF8FF]/g, ''))) continue;
      if (!el.checkVisibility || !el.checkVisibility({visibilityProperty: true})) continue;
      out.push({pseudo, text: text.slice(0, 120), target: cssPath(el), html: snippet(el)});
      if (out.length >= maxFindings) break;
    }
  }
  return {out, examined, capped: examined >= maxElements};
}""")


class CssContent(PageCheck):
    id = "css-content"
    title = "No information only in CSS generated content"
    messages = {
        "css-generated-text": {
            "ja": "CSS の {pseudo} で文字「{text}」が挿入されています。情報であれば HTML の本文に書いてください。",
            "fix_ja": "意味のある文字は HTML に書き、CSS の content は装飾（記号やアイコン）だけに使う。",
            "fix_en": "Write meaningful text in the HTML; keep CSS content for decoration (symbols, icons).",
            "help": HELP,
        },
    }
    criteria = {"1.3.1": PARTIAL}
    primary_only = True  # the style sheet is the same in every cell, and the check reads no layout
    order = 30
    reads_only = True

    async def run(self, ctx: PageContext) -> list[Finding]:
        found = await ctx.session.evaluate(GENERATED_JS, [MAX_ELEMENTS, MAX_FINDINGS])
        return [
            ctx.finding(
                "css-generated-text",
                NEEDS_REVIEW,
                ["1.3.1"],
                target=el["target"],
                html=el["html"],
                impact="moderate",
                message=f"The text '{el['text']}' is inserted by CSS ({el['pseudo']}): if it is information, not "
                "decoration, it is lost without the page's styles and left out by some assistive technology; "
                "check it and write it in the HTML.",
                help_url=HELP,
                details={"pseudo": el["pseudo"], "text": el["text"], "examined": found["examined"]},
            )
            for el in found["out"]
        ]
