"""Keyboard markup heuristics: a positive tabindex (2.4.3) and accesskey shortcuts (2.1.4), both routed to a person.

A positive tabindex moves the element ahead of the page's reading order, which is often, not always, a wrong
focus order. An accesskey is a single-key shortcut in some browsers and may clash with assistive technology; 2.1.4
needs a way to turn it off or remap it, which only a person can confirm.
"""

from __future__ import annotations

from qa.check import PARTIAL, PageCheck, PageContext
from qa.check._js import with_helpers
from qa.model import NEEDS_REVIEW, Finding

MAX_FINDINGS = 50  # per rule and page

MARKUP_JS = with_helpers(r"""(max) => {
  const out = [];
  for (const el of document.querySelectorAll('[tabindex], [accesskey]')) {
    const tabindex = parseInt(el.getAttribute('tabindex'), 10);
    const accesskey = (el.getAttribute('accesskey') || '').trim();
    if (!(tabindex > 0) && !accesskey) continue;
    if (out.length >= 2 * max) break;
    out.push({tabindex: tabindex > 0 ? tabindex : null, accesskey, target: cssPath(el), html: snippet(el)});
  }
  return out;
}""")


class KeyboardMarkup(PageCheck):
    id = "keyboard-markup"
    title = "No positive tabindex; accesskey shortcuts reviewed"
    messages = {
        "tabindex-positive": {
            "ja": "正の tabindex（{tabindex}）があり、フォーカス順序が読み上げ順と異なる可能性があります。",
            "fix_ja": "tabindex は 0 か -1 にし、フォーカス順序はソースの順序で決める。",
            "fix_en": "Use tabindex 0 or -1 and let the source order set the focus order.",
            "help": "https://www.w3.org/WAI/WCAG22/Techniques/failures/F44",
        },
        "accesskey-present": {
            "ja": (
                "accesskey「{accesskey}」があります。"
                "支援技術のキー操作と衝突しないか、無効化や変更ができるか確認してください。"
            ),
            "fix_ja": "accesskey を削除するか、無効化・変更できる仕組みを用意する。",
            "fix_en": "Remove the accesskey, or let users turn it off or remap it.",
            "help": "https://www.w3.org/WAI/WCAG22/Understanding/character-key-shortcuts.html",
        },
    }
    criteria = {"2.4.3": PARTIAL, "2.1.4": PARTIAL}
    primary_only = True  # the markup is the same in every browser and viewport
    order = 30

    async def run(self, ctx: PageContext) -> list[Finding]:
        findings: list[Finding] = []
        positive = keys = 0
        for el in await ctx.session.evaluate(MARKUP_JS, MAX_FINDINGS):
            if el["tabindex"] is not None and (positive := positive + 1) <= MAX_FINDINGS:
                findings.append(
                    ctx.finding(
                        "tabindex-positive",
                        NEEDS_REVIEW,
                        ["2.4.3"],
                        target=el["target"],
                        html=el["html"],
                        impact="moderate",
                        message=f"tabindex={el['tabindex']} puts this element ahead of the page order: check that "
                        "the focus order still follows the meaning of the page (F44).",
                        details={"tabindex": el["tabindex"]},
                    )
                )
            if el["accesskey"] and (keys := keys + 1) <= MAX_FINDINGS:
                findings.append(
                    ctx.finding(
                        "accesskey-present",
                        NEEDS_REVIEW,
                        ["2.1.4"],
                        target=el["target"],
                        html=el["html"],
                        impact="minor",
                        message=f"accesskey='{el['accesskey']}' is a keyboard shortcut: check that it does not clash "
                        "with assistive technology and can be turned off or remapped.",
                        details={"accesskey": el["accesskey"]},
                    )
                )
        return findings
