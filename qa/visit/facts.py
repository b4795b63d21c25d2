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

# Links, resources and element ids: what the crawl follows and the link check checks. One collector runs over every
# place a page's references live: the document, each open shadow root (nested ones too), the markup of each
# <noscript> (text while scripts run, so parsed inertly here), and each same-origin frame's document.
_LINKS_JS = """async (maxLinks) => {
  const XLINK = 'http://www.w3.org/1999/xlink';
  const text = (el) => (el.innerText || el.textContent || '').replace(/\\s+/g, ' ').trim().slice(0, 200);
  // SVG elements may carry the older xlink:href, which no attribute selector without a namespace matches
  const hrefOf = (el) => el.getAttribute('href') ?? el.getAttributeNS(XLINK, 'href');
  const links = [];
  const resources = [];
  // Same-origin resources the browser loaded with 200 and no redirect (Resource Timing): the link check need not
  // request them again. Cross-origin entries hide their status (0), and some engines have none: those are checked.
  // A frame's loads are in its own window's timeline.
  const loaded = new Set();
  const timelines = [];
  const timeline = (win) => {
    let perf;
    try { perf = win.performance; } catch (e) { return; }
    if (!perf || timelines.includes(perf)) return;
    timelines.push(perf);
    for (const e of perf.getEntriesByType('resource')) {
      if (e.responseStatus === 200 && !e.redirectStart && e.name.startsWith(location.origin + '/')) loaded.add(e.name);
    }
  };
  timeline(window);
  const add = (url, element, label, source, base) => {
    if (resources.length >= maxLinks || !url) return;
    try { url = new URL(url, base).href; } catch (e) { return; }
    const row = {href: url, element, text: (label || '').slice(0, 200), source};
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
  // CSS url() in any letter case, and image-set()'s plain strings ("a.png" 1x), which a style attribute keeps as
  // written (the CSSOM's cssText already turns them into url()); type("image/avif") is no address.
  const cssUrls = (css, base, source) => {
    if (!css) return;
    const keep = (url) => { if (url && !/^\\s*data:/i.test(url)) add(url, 'css url()', '', source, base); };
    for (const m of css.matchAll(/url\\(\\s*(['"]?)(.*?)\\1\\s*\\)/gi)) keep(m[2]);
    const sets = /(?:-webkit-)?image-set\\(/gi;
    for (let m = sets.exec(css); m; m = sets.exec(css)) {
      let i = sets.lastIndex, start = i, depth = 0, quote = '';
      const options = [];
      for (; i < css.length; i++) {
        const c = css[i];
        if (quote) { if (c === '\\\\') i++; else if (c === quote) quote = ''; continue; }
        if (c === '"' || c === "'") quote = c;
        else if (c === '(') depth++;
        else if (c === ')') { if (!depth) break; depth--; }
        else if (c === ',' && !depth) { options.push(css.slice(start, i)); start = i + 1; }
      }
      options.push(css.slice(start, i));
      for (const option of options) {
        const s = /^\\s*(['"])((?:\\\\.|[^\\\\])*?)\\1/.exec(option);
        if (s) keep(s[2].replace(/\\\\(.)/g, '$1'));
      }
      sets.lastIndex = i;
    }
  };

  // Where references live. A scope's base resolves what it says; its source is where it is written ('' for the
  // page itself). Inert scopes (a <noscript>'s parsed markup, an unattached shadow template) load nothing.
  const scopes = [];
  const seenRoots = new Set();
  const noscript = (el, base, source) => {
    const markup = el.textContent || '';
    if (!markup.includes('<')) return;
    let doc;
    // DOMParser: no script runs and nothing loads; the page's base goes in first so that hrefs resolve as there
    try { doc = new DOMParser().parseFromString(markup, 'text/html'); } catch (e) { return; }
    const b = doc.createElement('base');
    b.setAttribute('href', base);
    doc.head.prepend(b);
    discover(doc, base, source, true);
  };
  const frame = (el, source) => {
    let doc = null;
    try { doc = el.contentDocument; } catch (e) { return; }  // another origin's frame: not ours to read
    if (!doc || !doc.documentElement) return;
    timeline(el.contentWindow);
    // about:blank and srcdoc frames are written by the page itself
    discover(doc, doc.baseURI, /^https?:/i.test(doc.URL) ? doc.URL.split('#')[0] : source, false);
  };
  // One pass over the elements (an indexed live list where there is one: a large page's cost is this loop)
  const discover = (root, base, source, inert) => {
    if (seenRoots.has(root) || scopes.length >= maxLinks) return;
    seenRoots.add(root);
    scopes.push({root, base, source});
    const all = root.getElementsByTagName ? root.getElementsByTagName('*') : root.querySelectorAll('*');
    for (let i = 0; i < all.length; i++) {
      const el = all[i];
      if (el.shadowRoot) discover(el.shadowRoot, base, source, inert);  // open roots only: closed ones are null
      const tag = el.localName;
      // <template shadowrootmode=open> that the engine (or an inert parse) left as a template: what it would show
      if (tag === 'template') {
        const mode = (el.getAttribute('shadowrootmode') || '').toLowerCase();
        if (mode === 'open') discover(el.content, base, source, true);
      } else if (inert) {
        continue;
      } else if (tag === 'noscript') {
        noscript(el, base, source);
      } else if (tag === 'iframe' || tag === 'frame') {
        frame(el, source);
      }
    }
  };
  discover(document, document.baseURI, '', false);

  const collect = ({root, base, source}) => {
    for (const a of root.querySelectorAll('a, area')) {
      if (links.length >= maxLinks) break;
      const raw = hrefOf(a);
      if (raw === null) continue;
      // an HTML link's href is resolved by the browser (in the document's encoding); an SVG one's is an animated
      // string: resolved here as the browser resolves it
      let href = a.href;
      if (typeof href !== 'string' || !a.hasAttribute('href')) {
        try { href = new URL(raw, base).href; } catch (e) { continue; }
      }
      const img = a.querySelector('img[alt]');
      links.push({href, raw, text: text(a) || (img ? img.alt : '') || a.getAttribute('aria-label') ||
                  a.getAttribute('alt') || '', element: a.tagName.toLowerCase(), source});
    }
    // <meta http-equiv=refresh content="5; url=next.html">: where the browser goes next, a link like any other
    for (const m of root.querySelectorAll('meta[http-equiv]')) {
      if (links.length >= maxLinks || (m.getAttribute('http-equiv') || '').trim().toLowerCase() !== 'refresh') continue;
      const found = /^\\s*[\\d.]+\\s*[;,]?\\s*(?:url\\s*=\\s*)?(.*)$/i.exec(m.getAttribute('content') || '');
      let raw = found ? found[1].trim() : '';
      if (/^['"]/.test(raw)) raw = raw.slice(1).split(raw[0])[0];
      if (!raw) continue;  // "5" alone reloads the page itself
      let href;
      try { href = new URL(raw, base).href; } catch (e) { continue; }
      links.push({href, raw, text: '', element: 'meta refresh', source});
    }
    const res = (url, element, label) => add(url, element, label, source, base);
    for (const img of root.querySelectorAll('img, input[type=image]')) {
      const alt = img.getAttribute('alt') || '';
      if (img.getAttribute('src')) res(img.getAttribute('src'), img.tagName.toLowerCase(), alt);
      for (const u of srcset(img.getAttribute('srcset'))) res(u, 'img srcset', alt);
    }
    for (const s of root.querySelectorAll('picture source[srcset]')) {
      for (const u of srcset(s.getAttribute('srcset'))) res(u, 'source srcset', '');
    }
    // SVG <image> and <use>: a reference within the document (#icon) is no resource; sprite.svg#icon is sprite.svg
    for (const el of root.querySelectorAll('image, use')) {
      const raw = (hrefOf(el) || '').trim();
      if (!raw || raw.startsWith('#')) continue;
      res(el.localName === 'use' ? raw.split('#')[0] : raw, 'svg ' + el.localName, el.getAttribute('aria-label') || '');
    }
    for (const el of root.querySelectorAll('script[src]')) res(el.getAttribute('src'), 'script', '');
    for (const el of root.querySelectorAll('link[href]')) {
      const rel = (el.getAttribute('rel') || '').toLowerCase().trim();
      if (/\\b(preconnect|dns-prefetch)\\b/.test(rel)) continue;  // hosts, not resources
      res(el.getAttribute('href'), 'link ' + (rel || 'href'), el.getAttribute('title') || '');
    }
    // <link rel=preload as=image imagesrcset>: the browser fetches one candidate, every one of them must work
    for (const el of root.querySelectorAll('link[imagesrcset]')) {
      for (const u of srcset(el.getAttribute('imagesrcset'))) res(u, 'link imagesrcset', '');
    }
    for (const el of root.querySelectorAll('iframe[src], frame[src]')) {
      res(el.getAttribute('src'), el.tagName.toLowerCase(), el.getAttribute('title') || '');
    }
    for (const el of root.querySelectorAll('video[src], audio[src], source[src], track[src], embed[src]')) {
      res(el.getAttribute('src'), el.tagName.toLowerCase(), el.getAttribute('title') || '');
    }
    for (const el of root.querySelectorAll('video[poster]')) res(el.getAttribute('poster'), 'video poster', '');
    for (const el of root.querySelectorAll('object[data]')) res(el.getAttribute('data'), 'object', '');
    // what LinkChecker reads too: a long description, the old background attribute, a quotation's source
    for (const el of root.querySelectorAll('img[longdesc]')) res(el.getAttribute('longdesc'), 'img longdesc', '');
    for (const el of root.querySelectorAll('body, table, thead, tbody, tfoot, tr, td, th')) {
      const bg = el.getAttribute('background');
      if (bg) res(bg, el.localName + ' background', '');
    }
    for (const el of root.querySelectorAll('blockquote[cite], q[cite], del[cite], ins[cite]')) {
      res(el.getAttribute('cite'), el.localName + ' cite', '');
    }
    // A lazy loader's address (lazysizes, WordPress's lazy-load plugins): what the reader gets on scrolling there,
    // while src holds a placeholder
    const lazy = '[data-src], [data-lazy-src], [data-srcset], [data-lazy-srcset]';
    for (const el of root.querySelectorAll(lazy)) {
      if (!/^(img|source|iframe|video|audio)$/.test(el.localName)) continue;
      for (const name of ['data-src', 'data-lazy-src']) {
        const url = (el.getAttribute(name) || '').trim();
        if (url && !/^data:/i.test(url)) res(url, el.localName + ' ' + name, el.getAttribute('alt') || '');
      }
      for (const name of ['data-srcset', 'data-lazy-srcset']) {
        for (const u of srcset(el.getAttribute(name))) res(u, el.localName + ' ' + name, el.getAttribute('alt') || '');
      }
    }
    // style attributes: relative to the page
    for (const el of root.querySelectorAll('[style*="url(" i], [style*="image-set(" i]')) {
      cssUrls(el.getAttribute('style'), base, source);
    }
  };
  for (const scope of scopes) collect(scope);

  // CSS url() and @import: same-origin style sheets through the CSSOM, each URL relative to the sheet it is written
  // in (an imported sheet's own URL, level by level). Cross-origin sheets cannot be read here (cssRules throws):
  // the link check reads them after the crawl (qa/links/foreign_css.py).
  const sheets = [];
  const seenSheets = new Set();
  const gather = (sheet, scope) => {
    if (!sheet || seenSheets.has(sheet)) return;
    seenSheets.add(sheet);
    let rules;
    try { rules = sheet.cssRules; } catch (e) { return; }
    if (!rules) return;
    sheets.push({rules, href: sheet.href, scope});
    // an import that failed to load may have no styleSheet
    for (const rule of rules) if (rule.type === 3) gather(rule.styleSheet, scope);
  };
  for (const scope of scopes) {
    for (const list of [scope.root.styleSheets, scope.root.adoptedStyleSheets]) {
      for (const sheet of list || []) gather(sheet, scope);
    }
  }
  // A redirected sheet's url() and @import resolve against its final address, which the CSSOM does not tell
  // (sheet.href is the address asked for). Resource Timing tells which same-origin sheets were redirected; a
  // request that may come from the cache follows the redirect again. Few and short: on any failure the address
  // asked for stays the base.
  const finals = new Map();
  const redirected = [...new Set(sheets.map((s) => s.href))].filter((href) => href &&
    href.startsWith(location.origin + '/') &&
    timelines.some((perf) => perf.getEntriesByName(href).some((e) => e.redirectStart > 0)));
  await Promise.all(redirected.slice(0, 4).map(async (href) => {
    const stop = new AbortController();
    const timer = setTimeout(() => stop.abort(), 2000);
    try {
      const answer = await fetch(href, {method: 'HEAD', cache: 'force-cache', signal: stop.signal});
      if (answer.redirected && answer.url) finals.set(href, answer.url);
    } catch (e) {
      // refused, failed or too slow: the address asked for stays the base
    } finally {
      clearTimeout(timer);
    }
  }));
  const walk = (rules, base, source) => {
    for (const rule of rules) {
      // @import's href is as written, relative to this sheet; what it imports was gathered as a sheet of its own
      if (rule.type === 3) { add(rule.href, 'css @import', '', source, base); continue; }
      // grouping rules (@media, @supports) have no style of their own; style rules' cssText holds nested ones
      if (rule.style === undefined && rule.cssRules) { walk(rule.cssRules, base, source); continue; }
      cssUrls(rule.cssText, base, source);
    }
  };
  for (const {rules, href, scope} of sheets) {
    const at = finals.get(href) || href;
    walk(rules, at || scope.base, at || scope.source);
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
    // Which document was read: the tab may have followed a refresh of 0 s between the load and this script.
    at: location.href,
    began: (performance.getEntriesByType('navigation')[0] || {}).name || '',
    scroll_width: document.documentElement.scrollWidth,
    client_width: document.documentElement.clientWidth,
  };
}"""


# One round trip per visit instead of two: each costs more than the sniff itself on a loaded machine.
FACTS_JS = (
    "async (o) => { const sniff = ("
    + SNIFF_JS
    + ")(); if (skipped(sniff, o)) return {sniff}; return {...("
    + _FACTS_JS
    + ")(), ...(o.links ? await ("
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
