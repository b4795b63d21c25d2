"""Page inventory: a content fingerprint and counts of content kinds, gathered at visit time.

The judge reads them after the crawl: the fingerprint tells whether a human verdict still describes the page
(a changed page makes the review stale); the counts prove the absence of a kind of content (no media, no
form controls, no images) so that a criterion can be judged not applicable instead of left unverified.
It reports no findings and covers no criterion.
"""

from __future__ import annotations

import hashlib

from qa.check import PageCheck, PageContext
from qa.model import Finding

# What a person's verdict depends on: the visible text and the elements criteria are about (their names,
# alternatives, targets, roles). Scripts, styles and attribute noise such as generated ids are left out.
INVENTORY_JS = """(maxElements) => {
  const parts = [document.title, document.documentElement.getAttribute('lang') || ''];
  parts.push((document.body ? document.body.innerText : '').replace(/\\s+/g, ' ').trim());
  const keyed = 'img, a[href], area, input, select, textarea, button, video, audio, track, iframe, object, embed, ' +
    'svg, canvas, label, h1, h2, h3, h4, h5, h6, table, th, caption, [role], [aria-label], [aria-labelledby], ' +
    '[tabindex], [accesskey], [autocomplete]';
  const attrs = ['alt', 'src', 'href', 'type', 'name', 'role', 'aria-label', 'title', 'tabindex', 'autocomplete',
                 'kind', 'srclang', 'accesskey', 'for'];
  let n = 0;
  for (const el of document.querySelectorAll(keyed)) {
    if (n++ >= maxElements) break;
    parts.push(el.tagName + attrs.map((a) => el.hasAttribute(a) ? `|${a}=${el.getAttribute(a)}` : '').join(''));
  }
  const visible = (el) => !el.closest('[aria-hidden=true]');
  let bg = 0, seen = 0;
  for (const el of document.querySelectorAll('body *')) {
    if (seen++ >= maxElements) break;
    const b = getComputedStyle(el).backgroundImage;
    if (b && b.includes('url(')) bg++;
  }
  const count = (sel) => document.querySelectorAll(sel).length;
  return {
    signature: parts.join('\\n'),
    counts: {
      svg: [...document.querySelectorAll('svg')].filter(visible).length,
      canvas: count('canvas'),
      background_images: bg,
      aria_widgets: count('[role=checkbox], [role=radio], [role=switch], [role=slider], [role=spinbutton], ' +
                          '[role=combobox], [role=listbox], [role=textbox], [role=searchbox], [contenteditable=""], ' +
                          '[contenteditable=true]'),
      scripts: count('script'),
      stylesheets: count('link[rel~=stylesheet], style'),
      aria: count('[role], [aria-label], [aria-labelledby], [aria-describedby], [aria-hidden], [aria-live]'),
      pdf_links: count('a[href$=".pdf" i]'),
    },
    device_pixel_ratio: window.devicePixelRatio || 1,
  };
}"""

MAX_ELEMENTS = 20_000


def fingerprint(signature: str) -> str:
    return hashlib.sha256(signature.encode("utf-8")).hexdigest()[:20]


class Inventory(PageCheck):
    id = "inventory"
    title = "Page inventory and content fingerprint"
    order = 6  # after the screenshot, before any check changes the page
    reads_only = True
    provides = ("inventory", "content-fingerprint")

    async def run(self, ctx: PageContext) -> list[Finding]:
        found = await ctx.session.evaluate(INVENTORY_JS, MAX_ELEMENTS)
        ctx.page.facts["fingerprint"] = fingerprint(found["signature"])
        ctx.page.facts["inventory"] = found["counts"]
        ctx.page.facts["device_pixel_ratio"] = found["device_pixel_ratio"]
        return []
