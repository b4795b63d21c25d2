"""Browser check, in every browser/viewport cell: horizontal overflow (which elements stick out), broken
images and the viewport meta tag, read from the rendered page. JavaScript errors, console errors and failed
subresources are recorded by every driver during the visit; ``browser_events`` turns them into findings."""

from __future__ import annotations

from qa.check import PageCheck, PageContext
from qa.model import NEEDS_REVIEW, VIOLATION, Finding

MAX_ITEMS = 50

LAYOUT_JS = """(maxItems) => {
  const root = document.documentElement;
  const vw = root.clientWidth;
  const path = (el) => {
    const parts = [];
    for (let e = el; e && e.nodeType === 1 && parts.length < 5; e = e.parentElement) {
      if (e.id) { parts.unshift('#' + CSS.escape(e.id)); break; }
      let part = e.tagName.toLowerCase();
      const same = e.parentElement ? [...e.parentElement.children].filter((c) => c.tagName === e.tagName) : [];
      if (same.length > 1) part += `:nth-of-type(${same.indexOf(e) + 1})`;
      parts.unshift(part);
      if (part === 'body' || part === 'html') break;
    }
    return parts.join(' > ');
  };
  const clipped = (el) => {
    for (let e = el.parentElement; e && e !== document.body && e !== root; e = e.parentElement) {
      const ox = getComputedStyle(e).overflowX;
      if (ox !== 'visible') return true;  // scrolls or clips inside its box: the page itself does not widen
    }
    return false;
  };
  const overflow = [];
  const scrollWidth = root.scrollWidth;
  if (scrollWidth > vw + 1 && document.body) {
    for (const el of document.body.querySelectorAll('*')) {
      const r = el.getBoundingClientRect();
      if (r.width === 0 || r.right + scrollX <= vw + 1) continue;
      const parent = el.parentElement;
      if (parent && parent !== document.body && parent.getBoundingClientRect().right + scrollX > vw + 1) continue;
      if (getComputedStyle(el).position === 'fixed' || clipped(el)) continue;
      overflow.push({target: path(el), html: el.outerHTML.slice(0, 300),
                     right: Math.round(r.right + scrollX), width: Math.round(r.width)});
      if (overflow.length >= maxItems) break;
    }
  }
  const broken = [];
  for (const img of document.images) {
    if (broken.length >= maxItems) break;
    if (img.complete && img.naturalWidth === 0 && (img.currentSrc || img.getAttribute('src'))) {
      broken.push({target: path(img), html: img.outerHTML.slice(0, 300), src: img.currentSrc || img.src});
    }
  }
  // innerWidth/innerHeight: the viewport itself; clientWidth leaves out a scrollbar (Firefox shows them headless).
  return {viewport_width: innerWidth, viewport_height: innerHeight, client_width: vw, scroll_width: scrollWidth,
          overflow, broken_images: broken,
          viewport_meta: (document.querySelector('meta[name=viewport]') || {}).content || null};
}"""


class BrowserCheck(PageCheck):
    id = "browser"
    title = "Browser check (layout, images)"
    # Per rule: the Japanese message ({name}: from the finding's details), the fix in one sentence and a help
    # link, shown by the deliverables (qa.report._axe_ja).
    messages = {
        "horizontal-overflow": {
            "ja": "要素がビューポートの右端からはみ出し、ページが横にスクロールします。",
            "fix_ja": "要素の幅を画面幅に収まるよう CSS を直す。",
            "fix_en": "Make the element fit the viewport width in CSS.",
            "help": "https://www.w3.org/WAI/WCAG22/Understanding/reflow.html",
        },
        "broken-image": {
            "ja": "画像が読み込めませんでした: {src}",
            "fix_ja": "画像のパスを直すか、画像をサーバーに置く。",
            "fix_en": "Fix the image's path or upload the image.",
        },
        "viewport-meta-missing": {
            "ja": "<meta name=viewport> がないため、スマートフォンではページがデスクトップ幅で縮小表示されます。",
            "fix_ja": '<meta name="viewport" content="width=device-width, initial-scale=1"> を追加する。',
            "fix_en": 'Add <meta name="viewport" content="width=device-width, initial-scale=1">.',
            "help": "https://www.w3.org/WAI/WCAG22/Understanding/reflow.html",
        },
    }
    family = "browsers"
    order = 7  # after the screenshot, before anything changes the page
    reads_only = True
    provides = ("browser-layout",)

    async def run(self, ctx: PageContext) -> list[Finding]:
        layout = await ctx.session.evaluate(LAYOUT_JS, MAX_ITEMS)
        ctx.page.facts["browser"] = {
            "viewport": [layout["viewport_width"], layout["viewport_height"]],
            "client_width": layout["client_width"],
            "scroll_width": layout["scroll_width"],
            "overflow": layout["overflow"],
            "broken_images": layout["broken_images"],
            "viewport_meta": layout["viewport_meta"],
        }
        findings = []
        for item in layout["overflow"]:
            findings.append(
                ctx.finding(
                    "horizontal-overflow",
                    VIOLATION,
                    target=item["target"],
                    html=item["html"],
                    message="Element sticks out past the right edge of the viewport: the page scrolls sideways",
                    impact="serious",
                    details={"right": item["right"], "client_width": layout["client_width"]},
                )
            )
        for item in layout["broken_images"]:
            findings.append(
                ctx.finding(
                    "broken-image",
                    VIOLATION,
                    target=item["target"],
                    html=item["html"],
                    message=f"Image did not load: {item['src']}",
                    impact="serious",
                    details={"src": item["src"]},
                )
            )
        if layout["viewport_meta"] is None:
            findings.append(
                ctx.finding(
                    "viewport-meta-missing",
                    NEEDS_REVIEW,
                    target="head",
                    message="No <meta name=viewport>: phones show the page zoomed out at desktop width",
                    impact="moderate",
                )
            )
        return findings
