"""Per-page facts the site-level checks need (navigation blocks, help links, ways to find pages, text scripts).

Collected once per page in the primary cell into ``page.facts["structure"]`` (documented in
docs/results-schema.md), so that the site checks stay pure functions of results.json.
"""

from __future__ import annotations

from qa.check import PageCheck, PageContext
from qa.model import Finding

MAX_LINKS_PER_BLOCK = 60
MAX_BLOCKS = 6
MAX_LINKED = 400

# Help mechanisms of 3.2.6: human contact details, contact mechanisms, self-help, automated contact.
HELP_WORDS = (
    "help|contact|support|faq|frequently asked|inquir|enquir|assistance|customer service|chat|"
    "お問い合わせ|お問合せ|問い合わせ|問合せ|ヘルプ|よくある(ご)?質問|サポート|相談|窓口|連絡先"
)

STRUCTURE_JS = r"""([maxLinks, maxBlocks, maxLinked, helpWords]) => {
  const norm = (s) => (s || '').replace(/\s+/g, ' ').trim();
  const shown = (el) => {
    const s = getComputedStyle(el);
    return s.display !== 'none' && s.visibility !== 'hidden' && el.getClientRects().length > 0;
  };
  // A close-enough accessible name: aria-label, labelledby, text, image alts, title.
  const name = (el) => {
    const label = el.getAttribute('aria-label');
    if (label && norm(label)) return norm(label);
    const by = el.getAttribute('aria-labelledby');
    if (by) {
      const t = by.split(/\s+/).map((id) => document.getElementById(id)).filter(Boolean)
        .map((n) => n.textContent).join(' ');
      if (norm(t)) return norm(t);
    }
    let t = '';
    const walk = (n) => {
      for (const c of n.childNodes) {
        if (c.nodeType === 3) t += c.textContent;
        else if (c.nodeType === 1) {
          if (c.getAttribute('aria-hidden') === 'true') continue;
          if (c.tagName === 'IMG' || (c.tagName === 'INPUT' && c.type === 'image')) t += ' ' + (c.alt || '') + ' ';
          else if (c.tagName === 'svg' || c.tagName === 'SVG') {
            t += ' ' + (c.getAttribute('aria-label') || (c.querySelector('title') || {}).textContent || '') + ' ';
          } else walk(c);
        }
      }
    };
    walk(el);
    return norm(t) || norm(el.getAttribute('title'));
  };
  const here = location.origin;
  const key = (a) => {
    try {
      const u = new URL(a.getAttribute('href'), document.baseURI);  // an SVG link's href is no string
      if (u.protocol === 'tel:' || u.protocol === 'mailto:') return u.href.toLowerCase();
      if (u.origin !== here) return u.href;
      // A link within the page (skip link, table of contents) is not a link to the page itself.
      if (u.hash && u.pathname === location.pathname && u.search === location.search) return u.hash;
      return u.pathname + u.search;
    } catch (e) { return a.getAttribute('href') || ''; }
  };
  const region = (el) => {
    const r = el.closest('header, footer, main, aside, nav, [role=banner], [role=contentinfo], [role=main], ' +
                         '[role=complementary], [role=navigation]');
    if (!r) return 'other';
    const role = r.getAttribute('role');
    const tag = r.tagName.toLowerCase();
    const map = {banner: 'header', contentinfo: 'footer', main: 'main', complementary: 'aside', navigation: 'nav'};
    if (role && map[role]) return map[role];
    if (tag === 'header' && r.closest('main, article, section, aside') ) return 'other';
    if (tag === 'footer' && r.closest('main, article, section, aside') ) return 'other';
    return tag;
  };
  const blockName = (el, i) => {
    const label = el.getAttribute('aria-label') ||
      (el.getAttribute('aria-labelledby') || '').split(/\s+/).map((id) => document.getElementById(id))
        .filter(Boolean).map((n) => n.textContent).join(' ');
    const where = el.closest('header, [role=banner]') ? 'header'
      : el.closest('footer, [role=contentinfo]') ? 'footer'
      : el.closest('aside, [role=complementary]') ? 'aside'
      : el.closest('main, [role=main]') ? 'main' : 'body';
    return {label: norm(label).toLowerCase(), where, index: i};
  };
  const links = (root, skipNav) => [...root.querySelectorAll('a[href], area[href]')]
    .filter((a) => shown(a) && !(skipNav && a.closest('nav, [role=navigation]'))).slice(0, maxLinks)
    .map((a) => [key(a), name(a)]);
  const nav = [...document.querySelectorAll('nav, [role=navigation]')]
    .filter((n) => !n.parentElement.closest('nav, [role=navigation]') && shown(n))
    .slice(0, maxBlocks)
    .map((n, i) => ({...blockName(n, i), links: links(n)}));
  // Repeated blocks other than nav landmarks: the page header and footer.
  const shared = [];
  for (const sel of ['header, [role=banner]', 'footer, [role=contentinfo]']) {
    const el = [...document.querySelectorAll(sel)].find((e) => !e.closest('main, article, section, aside'));
    if (el && shown(el)) {
      // Links inside nav landmarks are compared as navigation blocks already.
      shared.push({where: sel.startsWith('header') ? 'header' : 'footer', links: links(el, true),
        images: [...el.querySelectorAll('img[src]')].slice(0, 20).map((i) => [key({href: i.src}), norm(i.alt)])});
    }
  }
  const helpRe = new RegExp(helpWords, 'i');
  const all = [...document.querySelectorAll('a[href]')].filter(shown);
  const help = [];
  all.forEach((a, i) => {
    const k = key(a);
    const n = name(a);
    if (k.startsWith('tel:') || k.startsWith('mailto:') || helpRe.test(n) || helpRe.test(k)) {
      help.push({href: k, name: n.slice(0, 120), region: region(a), position: i});
    }
  });
  const search = !!document.querySelector('[role=search], search, input[type=search], ' +
    'form[action*=search i] input, form input[name=q], form input[name=s], form input[name=search i], ' +
    'form input[name=keyword i], form input[name=query i]');
  const sitemapRe = /site ?map|サイトマップ/i;
  const sitemapLinks = all.filter((a) => sitemapRe.test(name(a)) || /sitemap[^\/]*\.html?$|\/sitemap\/?$/i.test(a.href)
    ).map(key);
  const linked = [...new Set(all.map(key).filter((k) => k.startsWith('/')))].slice(0, maxLinked);
  const h1 = document.querySelector('h1, [role=heading][aria-level="1"]');
  const main = document.querySelector('main, [role=main]') || document.body;
  const text = norm(main ? main.innerText : '').slice(0, 20000);
  // The letters in the page's own language: text inside an element with another lang attribute is skipped.
  let own = '';
  const pageLang = document.documentElement;
  const tw = document.createTreeWalker(main || document.body, NodeFilter.SHOW_TEXT);
  for (let n = tw.nextNode(); n && own.length < 5000; n = tw.nextNode()) {
    const el = n.parentElement;
    if (!el || el.closest('script, style, noscript')) continue;
    const marked = el.closest('[lang]');
    if (marked && marked !== pageLang) continue;
    own += n.textContent;
  }
  const scripts = {latin: 0, kana: 0, han: 0, hangul: 0, cyrillic: 0, other: 0};
  for (const ch of own.slice(0, 5000)) {
    if (/[A-Za-z\u00C0-\u024F]/.test(ch)) scripts.latin++;
    else if (/[\u3040-\u30FF\u31F0-\u31FF\uFF66-\uFF9F]/.test(ch)) scripts.kana++;
    else if (/[\u4E00-\u9FFF\u3400-\u4DBF]/.test(ch)) scripts.han++;
    else if (/[\uAC00-\uD7AF\u1100-\u11FF]/.test(ch)) scripts.hangul++;
    else if (/[\u0400-\u04FF]/.test(ch)) scripts.cyrillic++;
    else if (/\p{L}/u.test(ch)) scripts.other++;
  }
  let hash = 0;
  for (let i = 0; i < text.length; i++) hash = (hash * 31 + text.charCodeAt(i)) | 0;
  return {
    h1: h1 ? norm(h1.textContent).slice(0, 200) : '',
    nav, shared, help: help.slice(0, 30), search, sitemap_links: [...new Set(sitemapLinks)].slice(0, 5),
    linked, scripts, digest: (hash >>> 0).toString(16) + ':' + text.length,
    xml_lang: document.documentElement.getAttribute('xml:lang') || '',
  };
}"""


class PageStructure(PageCheck):
    id = "page-structure"
    title = "Page structure facts for the site-level checks"
    primary_only = True  # content, not layout: the site checks compare pages of the primary cell
    order = 20
    reads_only = True
    provides = ("page-structure",)

    async def run(self, ctx: PageContext) -> list[Finding]:
        ctx.page.facts["structure"] = await ctx.session.evaluate(
            STRUCTURE_JS, [MAX_LINKS_PER_BLOCK, MAX_BLOCKS, MAX_LINKED, HELP_WORDS]
        )
        return []
