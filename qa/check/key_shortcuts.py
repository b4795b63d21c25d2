"""Character key shortcuts (2.1.4): single printable keys the page acts on while nothing has focus, found by
pressing them.

A shortcut of one letter, digit or punctuation key fires when a speech-input user says a word, or a keyboard user
slips; 2.1.4 asks that it can be turned off or remapped, or works only while its control has focus. Whether such an
instrument exists is a person's judgement; whether the page acts on a bare key is not. The page is probed only
where a key listener waits on the window, the document, the root or the body (the only places a key pressed with
nothing focused reaches): listed through the engine's console API, so in Chromium only; elsewhere the facts say the
page was not probed.

While the keys are pressed, the same guard as the dialog probe holds: navigations are cancelled, ``window.open``
returns nothing, forms are not submitted and nothing but GET and HEAD is sent. A key counts as acted on when, during
its own event dispatch, the page's handlers added, removed or rewrote content, moved focus or scrolled, tried to
navigate or open a window, or cancelled the key's default action. Changes a timer makes between keys are not
counted, and neither are attribute changes on the root and body (input-modality libraries mark every key there).
"""

from __future__ import annotations

from typing import Any

from qa.check import PARTIAL, PageCheck, PageContext
from qa.check._js import with_guard
from qa.model import NEEDS_REVIEW, Finding

# Letters, digits and the punctuation sites bind ("/" search, "?" help, "+"/"-" zoom, "." and "," next/previous).
KEYS = tuple("abcdefghijklmnopqrstuvwxyz0123456789") + ("/", "?", "+", "-", ".", ",")

LISTENERS_JS = """() => {
  const types = ['keydown', 'keypress', 'keyup'];
  const holders = [window, document, document.documentElement, document.body].filter(Boolean);
  return holders.some((h) => types.some((t) => (getEventListeners(h)[t] || []).length || h['on' + t]));
}"""

PROBE_JS = with_guard(r"""(phase) => {
  if (phase === 'start') {
    if (typeof navigation === 'undefined' || !navigation.addEventListener) {
      return {verified: false, why: 'the browser cannot hold back a navigation a key starts (no Navigation API)'};
    }
    const S = {log: [], nav: 0, open: 0};
    const guard = guardSends(() => { S.nav++; }, () => { S.open++; });
    // Between two listeners of one key the browser delivers the records to this callback (a microtask
    // checkpoint), so they are kept here, not left for takeRecords.
    const seen = [];
    const observer = new MutationObserver((records) => { seen.push(...records); });
    const taken = () => seen.splice(0).concat(observer.takeRecords());
    observer.observe(document.documentElement, {childList: true, subtree: true, characterData: true,
      attributes: true});
    const own = (r) => r.type !== 'attributes' || (r.target !== document.documentElement && r.target !== document.body);
    // First on the way down: what happened before this key is not its doing. An event that never came back up
    // was stopped by a handler of the page: it claimed the key.
    const before = (e) => {
      if (S.at) S.judge(S.at, ['propagation_stopped']);
      taken();
      S.at = {key: e.key, type: e.type, nav: S.nav, open: S.open, focus: document.activeElement, x: scrollX,
        y: scrollY};
    };
    // Last on the way up: what the page's handlers did while the key was dispatched.
    const after = (e) => {
      if (!S.at || !e.isTrusted) return;
      const at = S.at;
      S.at = null;
      S.judge(at, e.defaultPrevented ? ['default_prevented'] : []);
    };
    S.judge = (at, also) => {
      if (at.key.length !== 1) return;
      const records = taken().filter(own);
      const did = [...also];
      if (records.length) did.push('content');
      if (document.activeElement !== at.focus) did.push('focus');
      if (scrollX !== at.x || scrollY !== at.y) did.push('scroll');
      if (S.nav > at.nav) did.push('navigation');
      if (S.open > at.open) did.push('new_window');
      if (did.length) {
        const el = records.length ? records[0].target : document.activeElement;
        const node = el && el.nodeType === 1 ? el : (el && el.parentElement) || document.body;
        S.log.push({key: at.key, type: at.type, did, target: cssPath(node) || 'body', html: snippet(node)});
      }
    };
    for (const t of ['keydown', 'keypress', 'keyup']) {
      addEventListener(t, before, true);
      addEventListener(t, after, false);
    }
    S.cleanup = () => {
      for (const t of ['keydown', 'keypress', 'keyup']) {
        removeEventListener(t, before, true);
        removeEventListener(t, after, false);
      }
      observer.disconnect();
      guard.restore();
    };
    window.__qaKeys = S;
    if (document.activeElement && document.activeElement !== document.body) document.activeElement.blur();
    return {verified: document.activeElement === document.body || document.activeElement === null};
  }
  const S = window.__qaKeys;
  if (!S) return {log: []};
  if (S.at) S.judge(S.at, ['propagation_stopped']);
  S.cleanup();
  delete window.__qaKeys;
  return {log: S.log};
}""")

MAX_SHOWN = 8  # keys named in the message


class KeyShortcuts(PageCheck):
    id = "key-shortcuts"
    title = "Single-character key shortcuts can be turned off or remapped"
    messages = {
        "key-shortcut-single": {
            "ja": (
                "何もフォーカスしていない状態で文字キー（{keys}）を押すとページが反応します（{effects}）。"
                "1 文字キーのショートカットを無効化・変更できるか、対象にフォーカスがある時だけ働くか確認してください。"
            ),
            "fix_ja": "1 文字キーのショートカットは Ctrl 等の修飾キーと組み合わせるか、無効化・変更できるようにする。",
            "fix_en": "Combine one-key shortcuts with a modifier key, or let users turn them off or remap them.",
            "help": "https://www.w3.org/WAI/WCAG22/Understanding/character-key-shortcuts.html",
        },
    }
    criteria = {"2.1.4": PARTIAL}
    primary_only = True  # the page's scripts are the same in every cell
    order = 94  # presses keys and may change the page: after the checks that read it, before context-change

    async def run(self, ctx: PageContext) -> list[Finding]:
        listening = await ctx.session.evaluate_listing(LISTENERS_JS)
        if listening is None:
            why = "the browser cannot list the page's key listeners"
            ctx.page.facts["key_shortcuts"] = {"probed": False, "why": why}
            ctx.not_examined(why)
            return []
        if not listening:
            ctx.page.facts["key_shortcuts"] = {"probed": True, "listeners": False, "keys": 0}
            return []
        started = await ctx.session.evaluate(PROBE_JS, "start")
        if not started.get("verified"):
            await ctx.session.evaluate(PROBE_JS, "stop")
            why = started.get("why") or "focus could not be left on the page body"
            ctx.page.facts["key_shortcuts"] = {"probed": False, "why": why}
            ctx.not_examined(why)
            return []
        try:
            for key in KEYS:
                await ctx.session.press(key)
        finally:
            result = await ctx.session.evaluate(PROBE_JS, "stop")
        log: list[dict[str, Any]] = result.get("log") or []
        keys = list(dict.fromkeys(entry["key"] for entry in log))
        ctx.page.facts["key_shortcuts"] = {"probed": True, "listeners": True, "keys": len(KEYS), "acted_on": keys}
        if not keys:
            return []
        effects = sorted({d for entry in log for d in entry["did"]})
        shown = ", ".join(f"\u201c{k}\u201d" for k in keys[:MAX_SHOWN]) + (" …" if len(keys) > MAX_SHOWN else "")
        first = log[0]
        return [
            ctx.finding(
                "key-shortcut-single",
                NEEDS_REVIEW,
                ["2.1.4"],
                target=first["target"],
                html=first["html"],
                impact="moderate",
                message=f"With nothing focused, the page acts on the single key(s) {shown} "
                f"({', '.join(e.replace('_', ' ') for e in effects)}): check that such a shortcut can be turned off "
                "or remapped to use a modifier key, or works only while its control has focus.",
                details={"keys": " ".join(keys), "effects": ", ".join(effects)},
            )
        ]
