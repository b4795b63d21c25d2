"""4.1.3 Status Messages: text the page's own scripts show after it has loaded, outside any live region.

A small recorder is preloaded into every document (engines that preload scripts: Playwright's). From the ``load``
event on, it notes the elements whose text or visibility the page's scripts change. Nothing is triggered: no form
is filled or sent; what is recorded is what the page does on its own until this check runs (at least
``WINDOW_MS`` after load). A changed element still shown, with a short message-like text, no controls inside and
not inside a status, alert or log role or an aria-live region is listed for a person: a status message there
would not be announced to screen reader users. Elements that change again and again (tickers, carousels, clocks)
are left out, and so is text in a modal dialog, which takes focus rather than being a status message.
"""

from __future__ import annotations

from qa.check import AID, PageCheck, PageContext
from qa.check._js import with_helpers
from qa.model import NEEDS_REVIEW, Finding

WINDOW_MS = 600  # the least time after load the page's scripts get before the changes are read
MAX_FINDINGS = 10

RECORDER_JS = r"""(() => {
  if (window.__qaStatus || !window.MutationObserver) return;
  const state = window.__qaStatus = {changed: new Map(), loaded: 0};
  const note = (n) => {
    const el = n && (n.nodeType === 1 ? n : n.parentElement);
    if (el && state.changed.size < 500) state.changed.set(el, (state.changed.get(el) || 0) + 1);
  };
  addEventListener('load', () => {
    state.loaded = performance.now();
    new MutationObserver((records) => {
      for (const r of records) {
        if (r.type === 'childList') r.addedNodes.forEach(note);
        else note(r.target);
      }
    }).observe(document.documentElement, {childList: true, subtree: true, characterData: true,
      attributes: true, attributeFilter: ['class', 'style', 'hidden', 'aria-hidden']});
  }, {once: true});
})();"""

READ_JS = with_helpers(
    r"""async (windowMs) => {
  const state = window.__qaStatus;
  if (!state) return {observed: false};
  if (!state.loaded) return {observed: true, loaded: false, changed: 0, messages: []};
  const wait = windowMs - (performance.now() - state.loaded);
  if (wait > 0) await new Promise((r) => setTimeout(r, wait));
  const live = '[aria-live]:not([aria-live=off]), [role=status], [role=alert], [role=log], [role=marquee], ' +
    '[role=timer], [role=progressbar], output';
  const modal = 'dialog[open], [role=dialog], [role=alertdialog], [aria-modal=true]';
  const shown = (el) => {
    if (!el.isConnected || !el.getClientRects().length) return false;
    const s = getComputedStyle(el);
    return s.visibility === 'visible' && parseFloat(s.opacity) > 0.05;
  };
  const out = [];
  let announced = 0;
  const seen = new Set();
  for (const [el0, times] of state.changed) {
    // A message is its block, not the text node's inline wrapper.
    let el = el0;
    while (el.parentElement && el.parentElement !== document.body && getComputedStyle(el).display === 'inline') {
      el = el.parentElement;
    }
    if (seen.has(el) || times > 3 || !shown(el)) continue;
    seen.add(el);
    const text = (el.innerText || '').trim().replace(/\s+/g, ' ');
    if (text.length < 2 || text.length > 160) continue;
    if (el.querySelector('a[href], button, input, select, textarea') || el.closest(modal)) continue;
    if (el.closest('head') || ['SCRIPT', 'STYLE', 'HTML', 'BODY'].includes(el.tagName)) continue;
    if (el.closest(live) || el.querySelector(live)) { announced++; continue; }
    out.push({target: cssPath(el), html: snippet(el), bbox: pageBox(el), text: text.slice(0, 80)});
  }
  return {observed: true, loaded: true, changed: state.changed.size, announced, messages: out};
}"""
)


class StatusMessages(PageCheck):
    id = "status-messages"
    title = "Status messages in live regions"
    messages = {
        "status-message-not-announced": {
            "ja": (
                "読み込み後にスクリプトが表示したテキスト「{text}」が、role=status / alert や aria-live の"
                "領域の外にあります。ステータスメッセージであれば、支援技術に伝わるか確認してください。"
            ),
            "fix_ja": "ステータスメッセージを role=status（重要なものは role=alert）の要素に表示する。",
            "fix_en": "Show status messages in an element with role=status (role=alert for urgent ones).",
            "help": "https://www.w3.org/WAI/WCAG22/Understanding/status-messages.html",
        },
    }
    criteria = {"4.1.3": AID}
    preload = (RECORDER_JS,)
    primary_only = True  # the page's scripts behave alike in every cell
    # Before any check moves focus, the pointer or the viewport: by then the rule engines have run, so the window
    # after load has usually passed and nothing is waited for.
    order = 65

    async def run(self, ctx: PageContext) -> list[Finding]:
        seen = await ctx.session.evaluate(READ_JS, WINDOW_MS)
        messages = seen.pop("messages", [])
        ctx.page.facts["status_messages"] = {**seen, "unannounced": len(messages)}
        if not seen["observed"]:
            ctx.not_examined("the browser driver cannot start a recorder before the page's scripts (no preload)")
        return [
            ctx.finding(
                "status-message-not-announced",
                NEEDS_REVIEW,
                ["4.1.3"],
                target=m["target"],
                html=m["html"],
                impact="moderate",
                # The page's words stay in details (they may be in any language), not in the English sentence.
                message="Text the page's script showed after loading is outside any status, alert or live region: "
                "if it is a status message, check that assistive technology announces it.",
                details={"text": m["text"], "bbox": m["bbox"]},
            )
            for m in messages[:MAX_FINDINGS]
        ]
