"""Deprecated presentational elements (1.3.1; marquee and blink also 2.2.2): center, font, big, strike, tt and u
style text without conveying structure, and u may be mistaken for a link. Each is needs-review: the element may
carry meaning a person must move into semantic markup, or none at all. Empty paragraphs (``<p></p>``,
``<p>&nbsp;</p>``, a lone ``<br>``: what editors leave for spacing) are reported once per page, with their count:
a screen reader may announce each as a blank, and spacing belongs in CSS.
"""

from __future__ import annotations

from qa.check import PARTIAL, PageCheck, PageContext
from qa.check._js import with_helpers
from qa.model import NEEDS_REVIEW, Finding

TAGS = ("center", "font", "basefont", "blink", "marquee", "big", "strike", "tt", "u")
MOVING = {"marquee", "blink"}
MAX_PER_TAG = 10  # a page full of <font> needs a look at the template, not at each of them

ELEMENTS_JS = with_helpers(r"""(opts) => {
  const {tags, max} = opts;
  const out = [], count = {};
  for (const el of document.querySelectorAll(tags.join(','))) {
    const tag = el.tagName.toLowerCase();
    count[tag] = (count[tag] || 0) + 1;
    if (count[tag] <= max) out.push({tag, target: cssPath(el), html: snippet(el)});
  }
  // A paragraph a script fills in (a status line) has an id, a role, aria or data attributes: an editor's
  // spacer has none.
  const spacer = (p) => !p.id && ![...p.attributes].some((a) => /^(role|aria-|data-)/.test(a.name));
  const empty = [...document.querySelectorAll('p')].filter((p) => p.getClientRects().length && spacer(p)
    && !p.textContent.replace(/[\s\u00a0\u3000]/g, '') && [...p.children].every((c) => c.tagName === 'BR'));
  const firstEmpty = empty.length ? {target: cssPath(empty[0]), html: snippet(empty[0])} : null;
  return {out, count, empty: empty.length, firstEmpty};
}""")


class PresentationalMarkup(PageCheck):
    id = "presentational-markup"
    title = "No deprecated presentational elements"
    messages = {
        "presentational-element": {
            "ja": (
                "見た目のための古い要素 <{tag}> が使われています。"
                "意味がある場合は適切な要素で、見た目は CSS で表してください。"
            ),
            "fix_ja": "見た目は CSS で指定し、強調や見出しなどの意味は em、strong、見出し要素などで示す。",
            "fix_en": "Style with CSS, and express meaning (emphasis, headings) with semantic elements.",
            "help": "https://www.w3.org/WAI/WCAG22/Techniques/failures/F43",
        },
        "empty-paragraph": {
            "ja": "空の段落（<p></p> 等）が {count} 個あり、余白のために使われているようです。"
            "余白は CSS で指定してください。",
            "fix_ja": "空の段落を削除し、余白は CSS の margin や padding で指定する。",
            "fix_en": "Remove the empty paragraphs and make the spacing with CSS margins or padding.",
            "help": "https://www.w3.org/WAI/WCAG22/Understanding/info-and-relationships.html",
        },
        "moving-element": {
            "ja": "動き続ける要素 <{tag}> があります。一時停止・停止・非表示にできないため、削除してください。",
            "fix_ja": "<marquee> や <blink> を削除し、必要なら停止できる動きに置き換える。",
            "fix_en": "Remove the marquee or blink element; any motion must be pausable.",
            "help": "https://www.w3.org/WAI/WCAG22/Understanding/pause-stop-hide.html",
        },
    }
    criteria = {"1.3.1": PARTIAL, "2.2.2": PARTIAL}
    primary_only = True  # the markup is the same in every browser and viewport
    order = 30
    reads_only = True

    async def run(self, ctx: PageContext) -> list[Finding]:
        found = await ctx.session.evaluate(ELEMENTS_JS, {"tags": list(TAGS), "max": MAX_PER_TAG})
        findings: list[Finding] = []
        for el in found["out"]:
            tag, total = el["tag"], found["count"][el["tag"]]
            moving = tag in MOVING
            many = f" ({total} on the page)" if total > 1 else ""
            findings.append(
                ctx.finding(
                    "moving-element" if moving else "presentational-element",
                    NEEDS_REVIEW,
                    ["1.3.1", "2.2.2"] if moving else ["1.3.1"],
                    target=el["target"],
                    html=el["html"],
                    impact="serious" if moving else "minor",
                    message=(
                        f"<{tag}> moves or blinks with no way to pause it{many}: check it is removed or stoppable."
                        if moving
                        else f"<{tag}> is presentational markup{many}: check whether it conveys meaning (emphasis, "
                        "a heading) that belongs in semantic markup, and move its styling to CSS."
                    ),
                    details={"tag": tag, "count": total},
                )
            )
        if found["empty"]:
            many = found["empty"]
            findings.append(
                ctx.finding(
                    "empty-paragraph",
                    NEEDS_REVIEW,
                    ["1.3.1"],
                    target=found["firstEmpty"]["target"],
                    html=found["firstEmpty"]["html"],
                    impact="minor",
                    message=f"{many} empty paragraph{'s' if many > 1 else ''} on the page (this is the first): "
                    "check whether they only make space, which belongs in CSS; a screen reader may announce each.",
                    details={"count": many},
                )
            )
        return findings
