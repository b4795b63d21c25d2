"""Page facts gathered once per visit from the rendered DOM: title, language, links, content inventory.

Checks and reports read these instead of asking the browser again.
"""

from __future__ import annotations

from typing import Any

from qa.visit.driver import Session

MAX_LINKS = 10_000  # a page with an endless link list must not flood memory

FACTS_JS = """(maxLinks) => {
  const text = (el) => (el.innerText || el.textContent || '').replace(/\\s+/g, ' ').trim().slice(0, 200);
  const links = [];
  for (const a of document.querySelectorAll('a[href], area[href]')) {
    if (links.length >= maxLinks) break;
    const img = a.querySelector('img[alt]');
    links.push({href: a.href, raw: a.getAttribute('href'), text: text(a) || (img ? img.alt : '') ||
                a.getAttribute('aria-label') || '', element: a.tagName.toLowerCase()});
  }
  const ids = [];
  for (const el of document.querySelectorAll('[id], a[name]')) {
    if (ids.length >= 20000) break;
    ids.push(el.id || el.getAttribute('name'));
  }
  const count = (sel) => document.querySelectorAll(sel).length;
  return {
    title: document.title,
    lang: document.documentElement.getAttribute('lang') || '',
    links,
    ids,
    counts: {
      images: count('img, svg[role=img], [role=img], input[type=image], area'),
      forms: count('input:not([type=hidden]), select, textarea'),
      media: count('video, audio, object, embed'),
      iframes: count('iframe, frame'),
      tables: count('table'),
      headings: count('h1, h2, h3, h4, h5, h6, [role=heading]'),
      // Over-counts (disabled controls) rather than under-counts: zero proves there is nothing to focus.
      focusable: count('a[href], area[href], button, input:not([type=hidden]), select, textarea, summary, ' +
        'iframe, [tabindex], [contenteditable=""], [contenteditable=true], audio[controls], video[controls]'),
    },
    viewport_meta: (document.querySelector('meta[name=viewport]') || {}).content || '',
    scroll_width: document.documentElement.scrollWidth,
    client_width: document.documentElement.clientWidth,
  };
}"""


async def gather_facts(session: Session) -> dict[str, Any]:
    return await session.evaluate(FACTS_JS, MAX_LINKS)
