"""Text direction (1.3.2): Arabic or Hebrew written into a left-to-right block, and ``dir="rtl"`` on text with no
right-to-left script. Either way the words may be shown and read in an order that is not theirs (H34, H56: the
block's direction is what orders its runs and punctuation). A short right-to-left phrase inside a left-to-right
sentence is left alone: the browser's bidirectional algorithm orders it; only blocks whose text is mostly of the
other direction are reported, for a person to confirm.
"""

from __future__ import annotations

from qa.check import AID, PageCheck, PageContext
from qa.check._js import with_helpers
from qa.model import NEEDS_REVIEW, Finding

MAX_FINDINGS = 20

# Strong characters of each direction: Hebrew, Arabic, Syriac, Thaana, NKo and their presentation forms; Latin,
# Greek, Cyrillic, kana, CJK ideographs and Hangul.
DIRECTION_JS = with_helpers(r"""(max) => {
  const RTL = /[\u0590-\u08FF\uFB1D-\uFDFF\uFE70-\uFEFF]/g;
  const LTR = /[A-Za-z\u00C0-\u024F\u0370-\u03FF\u0400-\u04FF\u3040-\u30FF\u4E00-\u9FFF\uAC00-\uD7AF]/g;
  const count = (text, re) => (text.match(re) || []).length;
  const shown = (el) => el.getClientRects().length > 0;
  const out = [];
  const body = document.body;
  if (!body) return out;
  // Right-to-left text in a left-to-right block: only where the document has any such text at all
  if (RTL.test(body.textContent)) {
    const blocks = new Set();
    const walker = document.createTreeWalker(body, NodeFilter.SHOW_TEXT);
    for (let t = walker.nextNode(); t; t = walker.nextNode()) {
      RTL.lastIndex = 0;
      if (!RTL.test(t.data) || !t.parentElement || t.parentElement.closest('script, style, noscript, template'))
        continue;
      let block = t.parentElement;
      while (block.parentElement && block !== body && getComputedStyle(block).display.startsWith('inline'))
        block = block.parentElement;
      blocks.add(block);
    }
    for (const block of blocks) {
      const text = block.textContent.slice(0, 5000);
      const rtl = count(text, RTL), ltr = count(text, LTR);
      if (rtl >= 3 && rtl > ltr && getComputedStyle(block).direction === 'ltr' && shown(block)
          && out.length < max)
        out.push({kind: 'rtl-text-in-ltr', rtl, ltr, text: text.trim().slice(0, 80), target: cssPath(block),
          html: snippet(block)});
    }
  }
  // dir="rtl" on text with no right-to-left script
  for (const el of document.querySelectorAll('[dir=rtl i]')) {
    if (out.length >= max) break;
    const text = el.textContent.slice(0, 5000);
    if (count(text, RTL) === 0 && count(text, LTR) >= 3 && shown(el))
      out.push({kind: 'rtl-dir-on-ltr-text', rtl: 0, ltr: count(text, LTR), text: text.trim().slice(0, 80),
        target: cssPath(el), html: snippet(el)});
  }
  return out;
}""")


class TextDirection(PageCheck):
    id = "text-direction"
    title = "Right-to-left text is marked right to left, and only such text"
    messages = {
        "rtl-text-in-ltr": {
            "ja": (
                "アラビア語・ヘブライ語など右から左に書く文字のまとまりが、左から右の向きで表示されています。"
                "語順や句読点の位置が正しいか確認してください。"
            ),
            "fix_ja": '右から左に書く言語のまとまりに dir="rtl" と lang 属性を指定する。',
            "fix_en": 'Mark the right-to-left passage with dir="rtl" and its lang.',
            "help": "https://www.w3.org/WAI/WCAG22/Techniques/html/H56",
        },
        "rtl-dir-on-ltr-text": {
            "ja": (
                'dir="rtl"（右から左）が、右から左に書く文字を含まないテキストに指定されています。'
                "表示される順序が正しいか確認してください。"
            ),
            "fix_ja": 'dir="rtl" を削除するか、dir="ltr" にする。',
            "fix_en": 'Remove dir="rtl", or set dir="ltr".',
            "help": "https://www.w3.org/WAI/WCAG22/Techniques/html/H56",
        },
    }
    criteria = {"1.3.2": AID}
    primary_only = True  # the markup and its text are the same in every browser and viewport
    order = 30
    reads_only = True

    async def run(self, ctx: PageContext) -> list[Finding]:
        found = await ctx.session.evaluate(DIRECTION_JS, MAX_FINDINGS)
        messages = {
            "rtl-text-in-ltr": "This block's text is mostly right-to-left script ({rtl} such letters, {ltr} others) "
            "but it is laid out left to right: check that its words and punctuation appear in the right order, "
            'and mark it dir="rtl" (H56).',
            "rtl-dir-on-ltr-text": 'dir="rtl" is set on text with no right-to-left script ({ltr} letters): check '
            "that its words and punctuation appear in the right order (H56).",
        }
        return [
            ctx.finding(
                el["kind"],
                NEEDS_REVIEW,
                ["1.3.2"],
                target=el["target"],
                html=el["html"],
                impact="moderate",
                message=messages[el["kind"]].format(rtl=el["rtl"], ltr=el["ltr"]),
                details={"text": el["text"]},
            )
            for el in found
        ]
