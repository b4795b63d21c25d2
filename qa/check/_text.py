"""The rendered page's visible text as passages, each with the language it is marked with, and the writing systems
of a text: what the spelling check (language family) and the Language of Parts check (3.1.2) read.

A passage is the text of one block (paragraph, list item, cell, heading, ...) under one ``lang`` attribute, or one
``alt`` / ``title`` attribute. Code (``code``, ``pre``, ``kbd``, ``samp``, ``var``), form fields and hidden text are
left out: they are not prose a reader reads as the page's language.
"""

from __future__ import annotations

import asyncio
import re
from typing import Any

from qa.check import PageContext

MAX_PASSAGES = 3000
MAX_CHARS = 200_000

PASSAGES_JS = r"""([maxPassages, maxChars]) => {
  const SKIP = 'script, style, noscript, template, code, pre, kbd, samp, var, textarea, select, svg, math, ' +
    '[aria-hidden="true"], [contenteditable=""], [contenteditable="true"]';
  const BLOCK = 'p, li, td, th, h1, h2, h3, h4, h5, h6, dt, dd, blockquote, figcaption, caption, label, button, ' +
    'legend, summary, option, address, div, section, article, aside, header, footer, nav, main, form, body';
  const root = document.documentElement;
  const visible = new Map();
  const shown = (el) => {
    if (visible.has(el)) return visible.get(el);
    const v = el.checkVisibility ? el.checkVisibility({visibilityProperty: true}) : el.getClientRects().length > 0;
    visible.set(el, v);
    return v;
  };
  const ids = new Map();
  // Each element's place among its parent's children of its tag, counted once per parent: counting siblings per
  // element was quadratic in a list of 5,000 items.
  const places = new Map();
  const placeOf = (e) => {
    if (!places.has(e)) {
      const seen = new Map();
      for (const c of e.parentElement.children) {
        seen.set(c.tagName, (seen.get(c.tagName) || 0) + 1);
        places.set(c, seen.get(c.tagName));
      }
      for (const c of e.parentElement.children) if (seen.get(c.tagName) > 1) places.set(c, -places.get(c));
    }
    return places.get(e);  // negative: the parent has other children of its tag
  };
  const target = (el) => {
    if (ids.has(el)) return ids.get(el);
    const parts = [];
    for (let e = el; e && e !== root && parts.length < 4; e = e.parentElement) {
      if (e.id && /^[A-Za-z][\w-]*$/.test(e.id)) { parts.unshift('#' + e.id); break; }
      const place = placeOf(e);
      parts.unshift(e.tagName.toLowerCase() + (place < 0 ? `:nth-of-type(${-place})` : ''));
    }
    const t = parts.join(' > ');
    ids.set(el, t);
    return t;
  };
  const langOf = (el) => {
    const m = el.closest('[lang]');
    return m ? [m.getAttribute('lang').trim(), m !== root] : ['', false];
  };
  const byKey = new Map();
  const out = [];
  let chars = 0;
  const add = (el, text, kind) => {
    text = text.replace(/\s+/g, ' ').trim();
    if (!text || chars > maxChars) return;
    const [lang, marked] = langOf(el);
    const block = kind === 'text' ? (el.closest(BLOCK) || el) : el;
    const key = kind === 'text' ? block : null;
    const k = key && (lang + '|' + marked);
    let rec = key && byKey.get(key) && byKey.get(key)[k];
    if (!rec) {
      if (out.length >= maxPassages) return;
      rec = {text: '', lang, marked, kind, target: target(block)};
      out.push(rec);
      if (key) { const m = byKey.get(key) || {}; m[k] = rec; byKey.set(key, m); }
    }
    rec.text = rec.text ? rec.text + ' ' + text : text;
    chars += text.length;
  };
  const title = document.querySelector('title');
  if (title && document.title.trim()) add(title, document.title, 'title');
  const walker = document.createTreeWalker(document.body || root, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n && chars <= maxChars; n = walker.nextNode()) {
    const el = n.parentElement;
    if (!el || !n.textContent.trim() || el.closest(SKIP) || !shown(el)) continue;
    add(el, n.textContent, 'text');
  }
  for (const el of (document.body || root).querySelectorAll('img[alt], area[alt], input[type=image][alt], [title]')) {
    if (chars > maxChars) break;
    if (el.closest(SKIP)) continue;
    if (el.hasAttribute('alt') && (el.tagName !== 'AREA' && !shown(el))) continue;
    if (el.hasAttribute('alt')) add(el, el.getAttribute('alt'), 'alt');
    if (el.hasAttribute('title')) add(el, el.getAttribute('title'), 'title-attribute');
  }
  for (const r of out) r.text = r.text.slice(0, 2000);
  return {lang: root.getAttribute('lang') || '', passages: out};
}"""


async def passages(ctx: PageContext) -> dict[str, Any]:
    """``{"lang": the html element's lang, "passages": [{text, lang, marked, kind, target}]}`` of the loaded page,
    read once a visit: the page-text and language-of-parts checks both read them, side by side."""
    if "passages" not in ctx.memo:
        ctx.memo["passages"] = asyncio.ensure_future(ctx.session.evaluate(PASSAGES_JS, [MAX_PASSAGES, MAX_CHARS]))
    return await asyncio.shield(ctx.memo["passages"])


# Writing systems, by the letters of a text.
KANA = re.compile(r"[\u3040-\u30ff\u31f0-\u31ff\uff66-\uff9f]")
HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
# A kana or kanji: a Japanese word's letter.
JAPANESE = re.compile(r"[\u3040-\u30ff\u31f0-\u31ff\uff66-\uff9f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
HANGUL = re.compile(r"[\uac00-\ud7af\u1100-\u11ff]")
CJK = re.compile(r"[\u3040-\u30ff\u31f0-\u31ff\uff66-\uff9f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af]+")
# URLs and e-mail addresses are not words of any language.
NOT_PROSE = re.compile(r"(?i)\b(?:https?://|www\.)\S+|\S+@\S+\.\w+|\b[\w-]+\.(?:com|jp|org|net|html?|php)\b")
_WORD = r"[A-Za-z\u00c0-\u024f]+(?:['’][A-Za-z]+)*"
LATIN_WORD = re.compile(_WORD)
# A run of Latin-script words: only spaces and light punctuation between them.
LATIN_RUN = re.compile(_WORD + r"(?:[ ,;:.\-!?()\"“”]+" + _WORD + ")*")


def cjk_runs(text: str) -> list[str]:
    """The runs of Chinese, Japanese or Korean characters in a text."""
    return CJK.findall(text)


def script_of(run: str) -> str:
    if KANA.search(run):
        return "japanese"
    if HANGUL.search(run):
        return "korean"
    return "han"


def longest_latin_run(text: str) -> str:
    """The longest run of Latin-script words in a text (URLs and e-mail addresses left out)."""
    runs = LATIN_RUN.findall(NOT_PROSE.sub(" ", text))
    return max(runs, key=lambda r: len(LATIN_WORD.findall(r)), default="")
