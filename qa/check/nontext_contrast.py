"""1.4.11 Non-text Contrast: the boundaries of form fields and the colours of icons against what is next to them.

For each visible, enabled text field, select and text area, the contrast of its border (the best side) and of its
own background against the background it sits on is computed; below 3:1 for both, nothing but colour faintly marks
where the field is, and a person checks whether anything else identifies it (WCAG allows fields whose boundary is
not needed to identify them, and the browser's default look). Icons (``svg`` with role=img, or alone in a link or
button) whose fill or stroke is below 3:1 against their background are listed the same way. Fields with a shadow
or a background image, and colours the engine does not give as rgb(), are not judged (the facts count them).
"""

from __future__ import annotations

from qa.check import AID, PageCheck, PageContext
from qa.check._js import with_helpers
from qa.model import NEEDS_REVIEW, Finding

MAX_ELEMENTS = 60
MAX_FINDINGS = 10
MINIMUM = 3.0

CONTRAST_JS = with_helpers(
    r"""([max, minimum]) => {
  const parse = (c) => {
    const m = /^rgba?\(([\d.]+),\s*([\d.]+),\s*([\d.]+)(?:,\s*([\d.]+))?\)$/.exec(c || '');
    return m ? [+m[1], +m[2], +m[3], m[4] === undefined ? 1 : +m[4]] : null;
  };
  const over = (top, under) => top.slice(0, 3).map((v, i) => v * top[3] + under[i] * (1 - top[3])).concat([1]);
  const lum = (c) => {
    const [r, g, b] = c.slice(0, 3).map((v) => {
      v /= 255;
      return v <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const round = (x) => Math.round(x * 100) / 100;
  const ratio = (a, b) => { const x = lum(a), y = lum(b); return (Math.max(x, y) + 0.05) / (Math.min(x, y) + 0.05); };
  // The colour behind an element: the first ancestor with an opaque enough background (white at the root).
  const behind = (el) => {
    for (let n = el.parentElement; n; n = n.parentElement) {
      const s = getComputedStyle(n);
      if (s.backgroundImage !== 'none') return null;
      const c = parse(s.backgroundColor);
      if (c === null) return null;
      if (c[3] > 0.9) return c;
    }
    return [255, 255, 255, 1];
  };
  const shown = (el) => {
    if (!el.getClientRects().length) return false;
    const s = getComputedStyle(el), r = el.getBoundingClientRect();
    return s.visibility === 'visible' && parseFloat(s.opacity) > 0.5 && r.width > 4 && r.height > 4;
  };
  const out = {fields: 0, icons: 0, unjudged: 0, low: []};
  const fields = [...document.querySelectorAll(
    'input:not([type=hidden]):not([type=checkbox]):not([type=radio]):not([type=submit]):not([type=button])' +
    ':not([type=reset]):not([type=image]):not([type=range]):not([type=color]):not([type=file]), select, textarea')]
    .filter((e) => !e.disabled && shown(e)).slice(0, max);
  for (const el of fields) {
    out.fields++;
    const s = getComputedStyle(el);
    const back = behind(el);
    const own = parse(s.backgroundColor);
    if (!back || !own || s.boxShadow !== 'none' || s.backgroundImage !== 'none') { out.unjudged++; continue; }
    const fill = over(own, back);
    let best = ratio(fill, back);
    for (const side of ['Top', 'Right', 'Bottom', 'Left']) {
      if (s['border' + side + 'Style'] === 'none' || parseFloat(s['border' + side + 'Width']) < 1) continue;
      const c = parse(s['border' + side + 'Color']);
      if (c) best = Math.max(best, ratio(over(c, fill), back), ratio(over(c, back), fill));
    }
    const item = {ratio: round(best), target: cssPath(el), html: snippet(el), bbox: pageBox(el)};
    if (best < minimum) out.low.push({kind: 'field', ...item});
  }
  const icons = [...document.querySelectorAll('svg')].filter((svg) => {
    if (svg.getAttribute('role') === 'img') return true;
    const host = svg.closest('a[href], button, [role=button]');
    return host && !(host.innerText || '').trim();
  }).filter(shown).slice(0, max);
  for (const svg of icons) {
    out.icons++;
    const back = behind(svg);
    const shape = svg.querySelector('path, circle, rect, polygon, polyline, line, ellipse') || svg;
    const s = getComputedStyle(shape);
    const colours = [s.fill, s.stroke].map(parse).filter((c) => c && c[3] > 0);
    if (!back || !colours.length) { out.unjudged++; continue; }
    const best = Math.max(...colours.map((c) => ratio(over(c, back), back)));
    const item = {ratio: round(best), target: cssPath(svg), html: snippet(svg), bbox: pageBox(svg)};
    if (best < minimum) out.low.push({kind: 'icon', ...item});
  }
  return out;
}"""
)


class NonTextContrast(PageCheck):
    id = "nontext-contrast"
    title = "Non-text contrast of form fields and icons (1.4.11)"
    messages = {
        "field-boundary-contrast": {
            "ja": (
                "入力欄の境界（枠線・背景）と周囲のコントラスト比が {ratio}:1 で、3:1 未満です。"
                "ほかに入力欄と分かる手がかりがあるか確認してください。"
            ),
            "fix_ja": "入力欄の枠線か背景を周囲の色と 3:1 以上のコントラストにする。",
            "fix_en": "Give the field a border or background with at least 3:1 contrast to its surroundings.",
            "help": "https://www.w3.org/WAI/WCAG22/Understanding/non-text-contrast.html",
        },
        "icon-contrast": {
            "ja": (
                "アイコン（SVG）の色と背景のコントラスト比が {ratio}:1 で、3:1 未満です。"
                "理解や操作に必要なグラフィックか確認してください。"
            ),
            "fix_ja": "意味を伝えるアイコンは背景と 3:1 以上のコントラストにする。",
            "fix_en": "Give meaningful icons at least 3:1 contrast to their background.",
            "help": "https://www.w3.org/WAI/WCAG22/Understanding/non-text-contrast.html",
        },
    }
    criteria = {"1.4.11": AID}
    primary_only = True  # colours are the same in every viewport
    order = 33
    reads_only = True

    async def run(self, ctx: PageContext) -> list[Finding]:
        seen = await ctx.session.evaluate(CONTRAST_JS, [MAX_ELEMENTS, MINIMUM])
        low = seen.pop("low")
        ctx.page.facts["nontext_contrast"] = {**seen, "low": len(low)}
        findings = []
        for item in low[:MAX_FINDINGS]:
            field = item["kind"] == "field"
            findings.append(
                ctx.finding(
                    "field-boundary-contrast" if field else "icon-contrast",
                    NEEDS_REVIEW,
                    ["1.4.11"],
                    target=item["target"],
                    html=item["html"],
                    impact="moderate",
                    message=(
                        f"This field's border and background reach only {item['ratio']}:1 against what surrounds "
                        "it (3:1 needed): check whether anything else shows where the field is."
                        if field
                        else f"This icon's colour reaches only {item['ratio']}:1 against its background (3:1 needed): "
                        "check whether the graphic is needed to understand or operate the page."
                    ),
                    details={"ratio": item["ratio"], "bbox": item["bbox"]},
                )
            )
        return findings
