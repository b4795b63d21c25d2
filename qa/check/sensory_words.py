"""1.4.1 Use of Color and 1.3.3 Sensory Characteristics: instructions that point at content by its colour, shape,
position or sound ("fields in red are required", 「右のボタンを押して」), listed for a person; and text naming
things by a colour alone ("the red mushrooms will kill you") where the page shows other text in that colour.

Such a sentence is fine when the content is also named or marked otherwise (an asterisk with a legend, the button's
label); only a person can tell, so each sentence is a review item naming the element it sits in. Links told apart
from text by colour alone are axe's ``link-in-text-block``.
"""

from __future__ import annotations

from qa.check import AID, PageCheck, PageContext
from qa.check._js import with_helpers
from qa.model import NEEDS_REVIEW, Finding

MAX_FINDINGS = 10

COLOUR = (
    r"(赤|青|緑|黄|オレンジ|灰)(色|字|文字|い|く)?(で|の)(表示|示|書|記|囲|項目|部分|箇所|ボタン|マーク)|"
    r"\b(in|with|marked) (red|green|blue|orange|yellow|grey|gray)\b|\b(red|green|blue|orange) "
    r"(text|items|fields|buttons?|boxes|labels|asterisks?|marks?)\b"
)
# "The green mushrooms are safe": things named by a colour alone. Common in prose ("the red roofs"), so it counts only
# where the page shows text in that colour, other than the sentence's own: the colour then carries the meaning.
COLOUR_NAMED = r"\b(?:the|all|any|those|these|only) (red|green|blue|orange|yellow|purple|pink) [a-z]+s\b"
SENSORY = (
    r"(右|左|上|下|横)(側|の|にある)(ボタン|リンク|メニュー|欄|画像|アイコン)|(丸い|四角い|三角の)(ボタン|アイコン)|"
    r"音が(鳴|な)ったら|\b(on|to|at) the (right|left)\b|\b(round|square) (button|icon)\b|"
    r"\b(button|link|menu|icon) (on|to) the (right|left)\b|\bwhen you hear\b"
)

WORDS_JS = with_helpers(
    r"""([max, colour, sensory, named]) => {
  const tests = {colour: new RegExp(colour, 'i'), sensory: new RegExp(sensory, 'i'), named: new RegExp(named, 'i')};
  // The colour family of a computed CSS colour, by hue (saturated, neither near black nor near white), or ''.
  const family = (css) => {
    const m = css.match(/[\d.]+/g);
    if (!m || m.length < 3 || (m.length > 3 && Number(m[3]) === 0)) return '';
    const [r, g, b] = m.slice(0, 3).map((x) => Number(x) / 255);
    const max = Math.max(r, g, b), min = Math.min(r, g, b), l = (max + min) / 2, d = max - min;
    if (d < 0.15 || l < 0.12 || l > 0.88) return '';
    let h = max === r ? ((g - b) / d) % 6 : max === g ? (b - r) / d + 2 : (r - g) / d + 4;
    h = (h * 60 + 360) % 360;
    return h < 15 || h >= 345 ? 'red' : h < 45 ? 'orange' : h < 70 ? 'yellow' : h < 170 ? 'green'
      : h < 260 ? 'blue' : h < 300 ? 'purple' : 'pink';
  };
  const colouredText = (name, except) => {
    const all = document.body ? document.body.getElementsByTagName('*') : [];
    for (let i = 0; i < all.length && i < 5000; i++) {
      const el = all[i];
      if (el === except || el.closest('a, button')) continue;  // links and buttons are coloured to be found
      const own = [...el.childNodes].some((c) => c.nodeType === 3 && c.textContent.trim().length > 1);
      if (own && family(getComputedStyle(el).color) === name && el.getClientRects().length) return true;
    }
    return false;
  };
  const out = [];
  const walker = document.createTreeWalker(document.body || document.documentElement, NodeFilter.SHOW_TEXT);
  const seen = new Set();
  for (let n = walker.nextNode(), i = 0; n && i < 20000 && out.length < max; n = walker.nextNode(), i++) {
    const text = n.textContent;
    if (text.trim().length < 4) continue;
    const el = n.parentElement;
    if (!el || seen.has(el) || el.closest('script, style, noscript, [hidden], [aria-hidden=true]')) continue;
    for (const [kind, re] of Object.entries(tests)) {
      const m = re.exec(text);
      if (!m || !el.getClientRects().length) continue;
      if (kind === 'named' && !colouredText(m[1].toLowerCase(), el)) continue;
      seen.add(el);
      out.push({kind: kind === 'named' ? 'colour' : kind, words: m[0], target: cssPath(el), html: snippet(el),
        bbox: pageBox(el)});
      break;
    }
  }
  return out;
}"""
)


class SensoryWords(PageCheck):
    id = "sensory-words"
    title = "Instructions by colour, shape, position or sound listed for review"
    messages = {
        "colour-reference": {
            "ja": "色で対象を示す説明（「{words}」）があります。色以外（記号・文字）でも区別できるか確認してください。",
            "fix_ja": "色に加えて記号（※ など）や文字で示し、その意味を説明する。",
            "fix_en": "Mark the content with a symbol or words as well as colour, and explain it.",
            "help": "https://www.w3.org/WAI/WCAG22/Understanding/use-of-color.html",
        },
        "sensory-reference": {
            "ja": (
                "形・位置・音で対象を示す説明（「{words}」）があります。"
                "名前やラベルでも対象が分かるか確認してください。"
            ),
            "fix_ja": "位置や形だけでなく、ボタン名やラベルで対象を示す。",
            "fix_en": "Name the item (its label) as well as its position, shape or sound.",
            "help": "https://www.w3.org/WAI/WCAG22/Understanding/sensory-characteristics.html",
        },
    }
    criteria = {"1.4.1": AID, "1.3.3": AID}
    primary_only = True  # the page's words are the same in every cell
    order = 35
    reads_only = True

    async def run(self, ctx: PageContext) -> list[Finding]:
        found = await ctx.session.evaluate(WORDS_JS, [MAX_FINDINGS, COLOUR, SENSORY, COLOUR_NAMED])
        ctx.page.facts["sensory_words"] = {
            "colour": sum(1 for f in found if f["kind"] == "colour"),
            "sensory": sum(1 for f in found if f["kind"] == "sensory"),
        }
        findings = []
        for f in found:
            colour = f["kind"] == "colour"
            findings.append(
                ctx.finding(
                    "colour-reference" if colour else "sensory-reference",
                    NEEDS_REVIEW,
                    ["1.4.1"] if colour else ["1.3.3"],
                    target=f["target"],
                    html=f["html"],
                    impact="moderate",
                    # The page's words stay in details (any language), not in the English sentence.
                    message=(
                        "This text points at content by its colour: check that the content is also told apart "
                        "without colour (a symbol or words)."
                        if colour
                        else "This text points at content by its shape, position or sound: check that the content "
                        "is also named by its label."
                    ),
                    details={"words": f["words"], "bbox": f["bbox"]},
                )
            )
        return findings
