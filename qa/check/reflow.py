"""1.4.10 Reflow: at 320 CSS px wide (and 256 high) the page must not need horizontal scrolling (F102).

The page is narrowed to 320×256, the elements sticking out past the right edge are named, and the viewport
is restored. Text that runs off the edge is a certain failure, except inside content the criterion exempts
because it needs two dimensions (data tables, images, maps, code, diagrams): there a person decides, unless the
table fits once its fixed width is lifted (then the width, not the content, causes the scrolling).

A box of the page that scrolls sideways itself (overflow auto or scroll) keeps the page from scrolling, but text
lines wider than the box need the same two-dimensional scrolling: such a box goes to a person. So does a box that
cuts part of its text off at 320 px but not at full width (a fixed height over text that now wraps into more lines):
what it hides is content lost at 400 % zoom, and often already at 200 %.
"""

from __future__ import annotations

from qa.check import PARTIAL, PageCheck, PageContext
from qa.check._js import with_helpers
from qa.check.text_spacing import MEASURE_JS, text_boxes
from qa.model import NEEDS_REVIEW, VIOLATION, Finding

WIDTH, HEIGHT = 320, 256
MAX_CULPRITS = 10

REFLOW_JS = with_helpers(r"""async () => {
  await frames();
  const root = document.scrollingElement || document.documentElement;
  const vw = root.clientWidth;
  const out = {width: innerWidth, client_width: vw, scroll_width: root.scrollWidth, overflow: false, culprits: [],
    boxes: []};
  const TWO_D = 'table, pre, code, svg, math, canvas, video, iframe, object, embed, map, img, ' +
                '[role=grid], [role=table], [role=img], [role=application]';
  // A box that scrolls sideways with lines of text wider than itself: each line needs scrolling to read, inside
  // the box as on a page (a carousel's cards, each narrower than the box, are not that).
  for (const el of document.body ? document.body.querySelectorAll('*') : []) {
    if (out.boxes.length >= 10) break;
    if (el.scrollWidth <= el.clientWidth + 1 || el.clientWidth === 0 || el.closest(TWO_D)) continue;
    if (!/auto|scroll/.test(getComputedStyle(el).overflowX)) continue;
    const inner = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
    for (let n = inner.nextNode(), seen = 0; n && seen < 2000; n = inner.nextNode(), seen++) {
      if (!n.textContent.trim() || !n.parentElement || n.parentElement.closest(TWO_D)) continue;
      const range = document.createRange();
      range.selectNodeContents(n);
      if ([...range.getClientRects()].some((r) => r.width > el.clientWidth + 4)) {
        out.boxes.push({target: cssPath(el), html: snippet(el), tag: el.tagName.toLowerCase(),
          width: el.clientWidth, scroll_width: el.scrollWidth});
        break;
      }
    }
  }
  if (root.scrollWidth <= vw + 1) return out;
  const beyond = (r) => r.width > 0 && r.height > 0 && r.right + scrollX > vw + 1;
  // Content inside a box that clips or scrolls horizontally does not make the page scroll.
  const contained = (el) => {
    for (let n = el.parentElement; n && n !== document.body; n = n.parentElement) {
      if (getComputedStyle(n).overflowX !== 'visible') return true;
    }
    return false;
  };
  // Visible text that runs past the right edge, each with the element it belongs to.
  const texts = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(), seen = 0; n && seen < 20000; n = walker.nextNode(), seen++) {
    if (!n.textContent.trim()) continue;
    const el = n.parentElement;
    const s = getComputedStyle(el);
    if (s.visibility !== 'visible' || s.opacity === '0' || s.position === 'fixed') continue;
    const range = document.createRange();
    range.selectNodeContents(n);
    // A few pixels of glyph overhang are not content off screen.
    const rects = [...range.getClientRects()].filter((r) => beyond(r) && r.right + scrollX > vw + 4);
    if (!rects.length || contained(el)) continue;
    const offscreen = rects.every((r) => r.left + scrollX > 2 * vw + 500);  // parked far away to hide it
    texts.push({el, in2d: !!el.closest(TWO_D), offscreen});
  }
  const all = [document.body, ...document.body.querySelectorAll('*')];
  for (const el of all) {
    if (out.culprits.length >= 50) break;
    const r = el.getBoundingClientRect();
    if (!beyond(r) || getComputedStyle(el).position === 'fixed' || contained(el)) continue;
    const parent = el.parentElement;
    if (parent && parent !== document.documentElement && beyond(parent.getBoundingClientRect())) continue;
    const mine = texts.filter((t) => el.contains(t.el));
    const table = el.matches('table') ? el : null;
    let fits = false;
    if (table) {
      // Would the table fit if its width were not fixed? Lift the width, measure, put the style back.
      const style = table.getAttribute('style');
      table.style.setProperty('width', 'auto', 'important');
      table.style.setProperty('min-width', '0', 'important');
      table.style.setProperty('max-width', '100%', 'important');
      fits = table.getBoundingClientRect().right + scrollX <= vw + 1;
      if (style === null) table.removeAttribute('style'); else table.setAttribute('style', style);
    }
    out.culprits.push({
      target: cssPath(el), html: snippet(el), tag: el.tagName.toLowerCase(),
      right: Math.round(r.right + scrollX), width: Math.round(r.width),
      text_beyond: mine.filter((t) => !t.in2d && !t.offscreen).length,
      text_beyond_2d: mine.filter((t) => t.in2d).length,
      offscreen_text: mine.filter((t) => t.offscreen).length,
      two_d: !!el.matches(TWO_D), table_fits: fits,
    });
  }
  out.overflow = true;
  return out;
}""")


# At the narrow width: the overflow, then the text boxes measured as at full width, in one call.
NARROW_JS = f"""async () => [await ({REFLOW_JS})(), await ({MEASURE_JS})()]"""


class Reflow(PageCheck):
    id = "reflow"
    title = "Reflow at 320 CSS px"
    # Per rule: the Japanese message ({name}: from the finding's details), the fix in one sentence and a help
    # link, shown by the deliverables (qa.report._axe_ja).
    messages = {
        "reflow-box-scrolls": {
            "ja": (
                "幅 320 CSS px で、この要素（幅 {width} px）が {scroll_width} px まで横スクロールし、中の文の行が"
                "要素より長くなっています。縦横両方のスクロールなしで読めるか確認してください。"
            ),
            "fix_ja": "要素の固定幅や white-space: nowrap をやめ、文を要素の幅で折り返す。",
            "fix_en": "Drop the fixed width or nowrap so its text wraps within the box.",
            "help": "https://www.w3.org/WAI/WCAG22/Understanding/reflow.html",
        },
        "reflow-text-clipped": {
            "ja": (
                "幅 320 CSS px（400 % ズーム相当）で、このボックスが文字の一部を切り取って隠します。"
                "内容が失われないか、200 % ズームでも確認してください。"
            ),
            "fix_ja": "高さや幅の固定と overflow: hidden をやめ、狭い幅でも文章全体が表示されるようにする。",
            "fix_en": "Drop the fixed height or width with overflow: hidden so the whole text shows at narrow widths.",
            "help": "https://www.w3.org/WAI/WCAG22/Understanding/reflow.html",
        },
        "reflow-horizontal-scroll": {
            "ja": "幅 320 CSS px で横スクロールが発生します（この要素が {right} px まで達しています）。",
            "fix_ja": "固定幅をやめ、320 px 幅で折り返すレイアウトにする。",
            "fix_en": "Drop the fixed width so the content reflows at 320 px.",
            "help": "https://www.w3.org/WAI/WCAG22/Understanding/reflow.html",
        },
    }
    criteria = {"1.4.10": PARTIAL}
    primary_only = True  # the narrow width is set explicitly: one cell is enough
    order = 80  # changes the viewport; runs after the checks that read the page as loaded
    provides = ("reflow-measure",)

    async def run(self, ctx: PageContext) -> list[Finding]:
        size = await ctx.session.evaluate("() => [innerWidth, innerHeight]")
        before = await text_boxes(ctx)
        await ctx.session.set_viewport(WIDTH, HEIGHT)
        try:
            result, narrow = await ctx.session.evaluate(NARROW_JS)
        finally:
            await ctx.session.set_viewport(size[0], size[1])
        culprits, boxes = result.pop("culprits"), result.pop("boxes")
        # Boxes that cut part of their text off only at this width: content lost when the page is zoomed to 400 %
        cut = [i for i in narrow if i["kind"] == "clipped" and i["partly"] and (i["target"], i["kind"]) not in before]
        ctx.page.facts["reflow"] = {
            **result,
            "culprits": len(culprits),
            "scrolling_boxes": len(boxes),
            "clipped_boxes": len(cut),
        }
        findings = [
            ctx.finding(
                "reflow-box-scrolls",
                NEEDS_REVIEW,
                ["1.4.10"],
                target=b["target"],
                html=b["html"],
                impact="serious",
                message=f"At {WIDTH} CSS px wide this <{b['tag']}> is {b['width']} px wide and scrolls sideways to "
                f"{b['scroll_width']} px, with lines of text wider than itself: reading them needs scrolling in two "
                "directions (F102). Check whether it is content that needs two dimensions.",
                details={"width": b["width"], "scroll_width": b["scroll_width"]},
            )
            for b in boxes
        ]
        findings += [
            ctx.finding(
                "reflow-text-clipped",
                NEEDS_REVIEW,
                ["1.4.10"],
                target=item["target"],
                html=item["html"],
                impact="serious",
                message=f"At {WIDTH} CSS px wide (the page zoomed to 400 %) this box cuts part of its text off, which "
                "it does not at full width (a fixed height or width with overflow hidden): check that no content is "
                "lost there, and at 200 % zoom (1.4.4).",
                details={"text": item["text"].strip()[:200]},
            )
            for item in cut[:MAX_CULPRITS]
        ]
        for c in culprits[:MAX_CULPRITS]:
            outcome, why = judge(c)
            findings.append(
                ctx.finding(
                    "reflow-horizontal-scroll",
                    outcome,
                    ["1.4.10"],
                    target=c["target"],
                    html=c["html"],
                    impact="serious" if outcome == VIOLATION else "moderate",
                    message=f"At {WIDTH} CSS px wide the page scrolls sideways: this <{c['tag']}> reaches "
                    f"{c['right']} px. {why}",
                    details={k: c[k] for k in ("right", "width", "text_beyond", "text_beyond_2d", "table_fits")},
                )
            )
        return findings


def judge(c: dict) -> tuple[str, str]:
    if c["text_beyond"]:
        return VIOLATION, "Text runs past the right edge, so reading it needs scrolling in two directions (F102)."
    if c["tag"] == "table" and c["table_fits"]:
        return VIOLATION, "The table would fit without its fixed width, so the width, not its data, forces scrolling."
    if c["text_beyond_2d"] or c["two_d"]:
        return NEEDS_REVIEW, "It is content that may need two dimensions (table, image, code): check it does."
    return NEEDS_REVIEW, "Check whether content is hidden or cut off over there."
