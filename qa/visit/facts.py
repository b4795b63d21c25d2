"""Page facts gathered once per visit from the rendered DOM: title, language, links, content inventory.

Checks and reports read these instead of asking the browser again. The same call first sniffs what the document
really is (its size, and whether it is text at all), and stops there for a document the visit will skip.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urljoin

from qa.visit.driver import Session

MAX_LINKS = 10_000  # a page with an endless link list must not flood memory
BINARY_SHARE = 0.1  # a "page" whose text is this much replacement or control characters is binary served as HTML

# The document's size (Resource Timing) and a sample of its text.
SNIFF_JS = """() => {
  const text = (document.documentElement && document.documentElement.textContent || '').slice(0, 8192);
  let bad = 0;
  for (const c of text) {
    const n = c.charCodeAt(0);
    if (n === 0xfffd || (n < 32 && n !== 9 && n !== 10 && n !== 13)) bad++;
  }
  const nav = performance.getEntriesByType('navigation')[0];
  return {chars: text.length, bad, bytes: nav ? nav.decodedBodySize : null};
}"""

# Links, resources and element ids: what the crawl follows and the link check checks.
_LINKS_JS = """(maxLinks) => {
  const text = (el) => (el.innerText || el.textContent || '').replace(/\\s+/g, ' ').trim().slice(0, 200);
  const links = [];
  for (const a of document.querySelectorAll('a[href], area[href]')) {
    if (links.length >= maxLinks) break;
    const img = a.querySelector('img[alt]');
    // an SVG link's href is an animated string: resolved here as the browser resolves it
    let href = a.href;
    if (typeof href !== 'string') {
      try { href = new URL(a.getAttribute('href'), document.baseURI).href; } catch (e) { continue; }
    }
    links.push({href, raw: a.getAttribute('href'), text: text(a) || (img ? img.alt : '') ||
                a.getAttribute('aria-label') || a.getAttribute('alt') || '', element: a.tagName.toLowerCase()});
  }
  // <meta http-equiv=refresh content="5; url=next.html">: where the browser goes next, a link like any other
  for (const m of document.querySelectorAll('meta[http-equiv]')) {
    if (links.length >= maxLinks || m.httpEquiv.trim().toLowerCase() !== 'refresh') continue;
    const found = /^\\s*[\\d.]+\\s*[;,]?\\s*(?:url\\s*=\\s*)?(.*)$/i.exec(m.content || '');
    let raw = found ? found[1].trim() : '';
    if (/^['"]/.test(raw)) raw = raw.slice(1).split(raw[0])[0];
    if (!raw) continue;  // "5" alone reloads the page itself
    let href;
    try { href = new URL(raw, document.baseURI).href; } catch (e) { continue; }
    links.push({href, raw, text: '', element: 'meta refresh'});
  }
  // Same-origin resources the browser loaded with 200 and no redirect (Resource Timing): the link check need not
  // request them again. Cross-origin entries hide their status (0), and some engines have none: those are checked.
  const loaded = new Set();
  for (const e of performance.getEntriesByType('resource')) {
    if (e.responseStatus === 200 && !e.redirectStart && e.name.startsWith(location.origin + '/')) loaded.add(e.name);
  }
  const resources = [];
  const add = (url, element, label, source, base) => {
    if (resources.length >= maxLinks || !url) return;
    try { url = new URL(url, base || document.baseURI).href; } catch (e) { return; }
    const row = {href: url, element, text: (label || '').slice(0, 200), source: source || ''};
    if (loaded.has(url.split('#')[0])) row.loaded = 200;
    resources.push(row);
  };
  // srcset: "url 1x, url 2x" (a URL may itself contain commas, so split the way the HTML spec does)
  const srcset = (value) => {
    const out = [];
    let rest = value || '';
    while (rest.length) {
      rest = rest.replace(/^[\\s,]+/, '');
      if (!rest) break;
      const m = rest.match(/^\\S+/);
      let url = m[0];
      rest = rest.slice(url.length);
      if (url.endsWith(',')) { url = url.replace(/,+$/, ''); } else { rest = rest.replace(/^[^,]*/, ''); }
      if (url) out.push(url);
    }
    return out;
  };
  for (const img of document.querySelectorAll('img, input[type=image]')) {
    const alt = img.getAttribute('alt') || '';
    if (img.getAttribute('src')) add(img.getAttribute('src'), img.tagName.toLowerCase(), alt);
    for (const u of srcset(img.getAttribute('srcset'))) add(u, 'img srcset', alt);
  }
  for (const s of document.querySelectorAll('picture source[srcset]')) {
    for (const u of srcset(s.getAttribute('srcset'))) add(u, 'source srcset', '');
  }
  for (const el of document.querySelectorAll('script[src]')) add(el.getAttribute('src'), 'script', '');
  for (const el of document.querySelectorAll('link[href]')) {
    const rel = (el.getAttribute('rel') || '').toLowerCase().trim();
    if (/\\b(preconnect|dns-prefetch)\\b/.test(rel)) continue;  // hosts, not resources
    add(el.getAttribute('href'), 'link ' + (rel || 'href'), el.getAttribute('title') || '');
  }
  for (const el of document.querySelectorAll('iframe[src], frame[src]')) {
    add(el.getAttribute('src'), el.tagName.toLowerCase(), el.getAttribute('title') || '');
  }
  for (const el of document.querySelectorAll('video[src], audio[src], source[src], track[src], embed[src]')) {
    add(el.getAttribute('src'), el.tagName.toLowerCase(), el.getAttribute('title') || '');
  }
  for (const el of document.querySelectorAll('video[poster]')) add(el.getAttribute('poster'), 'video poster', '');
  for (const el of document.querySelectorAll('object[data]')) add(el.getAttribute('data'), 'object', '');
  // CSS url() and @import: same-origin style sheets through the CSSOM, each URL relative to the sheet it is written
  // in (an imported sheet's own URL, level by level), and style attributes (relative to the page). Cross-origin
  // sheets cannot be read (cssRules throws): the sheet itself is checked, what it references is not.
  const cssUrls = (text, base, source) => {
    for (const m of (text || '').matchAll(/url\\(\\s*(['"]?)(.*?)\\1\\s*\\)/g)) {
      if (m[2] && !m[2].startsWith('data:')) add(m[2], 'css url()', '', source, base);
    }
  };
  const seenSheets = new Set();
  const walk = (sheet) => {
    if (!sheet || seenSheets.has(sheet)) return;
    seenSheets.add(sheet);
    let rules;
    try { rules = sheet.cssRules; } catch (e) { return; }
    const base = sheet.href || document.baseURI;
    const source = sheet.href || '';
    for (const rule of rules || []) {
      // @import's href is as written, relative to this sheet; an import that failed to load may have no styleSheet
      if (rule.type === 3) { add(rule.href, 'css @import', '', source, base); walk(rule.styleSheet); continue; }
      // grouping rules (@media, @supports) have no style of their own; style rules' cssText holds nested ones
      if (rule.style === undefined && rule.cssRules) { walk({cssRules: rule.cssRules, href: sheet.href}); continue; }
      cssUrls(rule.cssText, base, source);
    }
  };
  for (const sheet of document.styleSheets) walk(sheet);
  for (const el of document.querySelectorAll('[style*="url("]')) {
    cssUrls(el.getAttribute('style'), document.baseURI, '');
  }
  const ids = [];
  for (const el of document.querySelectorAll('[id], a[name]')) {
    if (ids.length >= 20000) break;
    ids.push(el.id || el.getAttribute('name'));
  }
  return {links, resources, ids};
}"""

_FACTS_JS = """() => {
  const count = (sel) => document.querySelectorAll(sel).length;
  return {
    title: document.title,
    lang: document.documentElement.getAttribute('lang') || '',
    counts: {
      elements: document.getElementsByTagName('*').length,
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
    refresh: (document.querySelector('meta[http-equiv="refresh" i]') || {}).content || '',
    scroll_width: document.documentElement.scrollWidth,
    client_width: document.documentElement.clientWidth,
  };
}"""


# One round trip per visit instead of two: each costs more than the sniff itself on a loaded machine.
FACTS_JS = (
    "(o) => { const sniff = ("
    + SNIFF_JS
    + ")(); if (skipped(sniff, o)) return {sniff}; return {...("
    + _FACTS_JS
    + ")(), ...(o.links ? ("
    + _LINKS_JS
    + ")(o.maxLinks) : {links: [], resources: [], ids: []}), sniff};"
    " function skipped(s, o) { return (s.bytes && s.bytes > o.maxBytes) ||"
    " (s.chars >= 64 && s.bad / s.chars > o.binaryShare); } }"
)


# Where the tab is now and the meta refresh of its document: asked when the facts could not be read because the
# document went away (a page that moves on by itself the moment it has loaded).
# Where the tab is, the meta refresh it will follow, and whether its document has any content yet (a document the
# browser has only begun, as Firefox shows one between the pages of a meta-refresh loop, has no root element).
WHERE_JS = """() => [location.href, (document.querySelector('meta[http-equiv="refresh" i]') || {}).content || '',
  !!document.documentElement]"""
_REFRESH = re.compile(r"""^\s*(\d+(?:\.\d*)?)\s*(?:[;,]\s*(?:url\s*=\s*)?(["']?)(.*?)\2\s*)?$""", re.I | re.S)


def refresh_target(content: str, base: str, within_s: float) -> str | None:
    """The URL a ``<meta http-equiv=refresh>`` sends the browser to within ``within_s`` seconds (the page itself
    when it names none), or None."""
    found = _REFRESH.match(content or "")
    if not found or float(found[1]) > within_s:
        return None
    return urljoin(base, found[3].strip()) if found[3] and found[3].strip() else base


async def gather_facts(session: Session, max_bytes: int, links: bool = True) -> dict[str, Any]:
    """The page's facts under ``sniff`` alone when the document is too large or binary, else all of them.
    ``links``: False leaves links, resources and ids empty, for a visit whose links nothing reads (reading them is
    most of this call's time)."""
    options = {"maxLinks": MAX_LINKS, "maxBytes": max_bytes, "binaryShare": BINARY_SHARE, "links": links}
    return await session.evaluate(FACTS_JS, options)
