"""Dialogs and lightboxes opened from the keyboard (2.1.1, 2.4.3): focus moves in, stays in, Escape closes, and the
close button takes focus.

A control that opens a dialog says so (``aria-haspopup="dialog"``, ``aria-controls`` naming a dialog, Bootstrap's
``data-toggle="modal"``, a link to a hidden dialog's ``#id``) or is named for it (a class holding lightbox, modal,
dialog or popup). Up to ``MAX_OPENERS`` of them per page get keyboard focus and a real Enter press; what appears is
the dialog: a hidden dialog-like element (dialog, role=dialog, aria-modal, such a class, or fixed in place) that is
now shown. Then, as a keyboard user would: is focus inside it; do Tab presses stay inside; does an element that
looks like its close button (×, "Close", 「閉じる」) take focus; does Escape close it. Each lapse goes to a person,
who knows whether the dialog is modal and what else closes it.

Nothing the page does while probed leaves it: navigations are cancelled (Navigation API), window.open returns
nothing, forms are not submitted, and fetch, XMLHttpRequest and sendBeacon send no method but GET and HEAD. Engines
without the Navigation API are not probed. The check runs last, since the page may be left with its dialog open.
"""

from __future__ import annotations

import asyncio

from qa.check import AID, PageCheck, PageContext
from qa.check._js import with_guard
from qa.model import NEEDS_REVIEW, Finding

MAX_OPENERS = 3
SETTLE_S = 0.15  # for the page's script to show the dialog (and its opening transition to start)
MAX_TABS = 8

STEP_JS = with_guard(
    r"""([phase, i, maxOpeners]) => {
  const visible = (e) => {
    if (!e.isConnected || !e.getClientRects().length) return false;
    const s = getComputedStyle(e), r = e.getBoundingClientRect();
    return s.visibility === 'visible' && parseFloat(s.opacity) > 0.05 && r.width > 20 && r.height > 20;
  };
  const NAMED = /lightbox|modal|dialog|popup/i;
  const DIALOG = 'dialog, [role=dialog], [role=alertdialog], [aria-modal=true]';
  const FOCUSABLE = 'a[href], button, input:not([type=hidden]), select, textarea, summary, [tabindex]';
  const dialogLike = (e) => e.matches(DIALOG) || NAMED.test(e.className && e.className.baseVal === undefined
    ? e.className : '') || getComputedStyle(e).position === 'fixed';
  const S = window.__qaDialog;
  if (phase === 'prep') {
    if (typeof navigation === 'undefined' || !navigation.addEventListener) return {verified: false, openers: 0};
    const guard = guardSends();
    const openers = [];
    for (const el of document.querySelectorAll('a[href], button, [role=button], [tabindex]')) {
      if (openers.length >= maxOpeners || !el.getClientRects().length || el.tabIndex < 0 || el.disabled) continue;
      if (el.closest(DIALOG)) continue;
      const href = el.getAttribute('href') || '';
      const byId = (id) => (id ? document.getElementById(id) : null);
      let fragment = '';
      try { fragment = href.startsWith('#') ? decodeURIComponent(href.slice(1)) : ''; } catch (e) { /* bad % */ }
      const ref = byId(fragment)
        || byId(el.getAttribute('aria-controls')) || byId((el.getAttribute('data-target') || '').slice(1));
      const toggles = (el.getAttribute('data-toggle') || '') + ' ' + (el.getAttribute('data-bs-toggle') || '');
      const says = el.getAttribute('aria-haspopup') === 'dialog' || /modal/.test(toggles)
        || NAMED.test(typeof el.className === 'string' ? el.className : '');
      const names = ref && !visible(ref) && (ref.matches(DIALOG) || NAMED.test(ref.className || ''));
      // a link that says it opens a dialog but leads to another page is a link: only in-page ones are pressed
      const inPage = el.tagName !== 'A' || href.startsWith('#') || /^javascript:/i.test(href);
      if ((says && inPage) || names) openers.push(el);
    }
    window.__qaDialog = {guard, openers};
    return {verified: true, openers: openers.length};
  }
  const el = S.openers[i];
  if (phase === 'open') {
    S.hidden = [...document.body.querySelectorAll('*')].filter((e) => !visible(e) && dialogLike(e)).slice(0, 500);
    S.dialog = null;
    el.focus();
    return {focused: document.activeElement === el, target: cssPath(el), html: snippet(el)};
  }
  if (phase === 'shown') {
    const now = S.hidden.filter(visible);
    const outer = now.filter((e) => !now.some((o) => o !== e && o.contains(e)));
    const d = outer.find((e) => e.matches(DIALOG)) || outer.find((e) => (e.innerText || '').trim());
    if (!d) return {shown: false};
    S.dialog = d;
    S.left = false;
    S.onFocus = (e) => { if (!d.contains(e.target)) S.left = true; };
    document.addEventListener('focusin', S.onFocus, true);
    const says = (e) => /^(×|x|✕|✖|close|閉じる)$/i.test((e.textContent || '').trim())
      || /^(close|閉じる)/i.test((e.getAttribute('aria-label') || e.title || '').trim());
    const reachable = (e) => (e.matches(FOCUSABLE) && e.tabIndex >= 0) || e.closest('a[href], button');
    const closeLike = [...d.querySelectorAll('*')].find((e) => e.children.length === 0 && e.getClientRects().length
      && says(e) && !reachable(e));
    return {shown: true, target: cssPath(d), html: snippet(d), inside: d.contains(document.activeElement),
      focusables: [...d.querySelectorAll(FOCUSABLE)].filter((e) => e.tabIndex >= 0 && visible(e)).length,
      close: closeLike ? {target: cssPath(closeLike), html: snippet(closeLike)} : null};
  }
  if (phase === 'left') return {left: S.left, inside: !!S.dialog && S.dialog.contains(document.activeElement)};
  if (phase === 'still') {
    document.removeEventListener('focusin', S.onFocus, true);
    return !!S.dialog && visible(S.dialog);
  }
  if (phase === 'cleanup') {
    S.guard.restore();
    delete window.__qaDialog;
    return true;
  }
  return null;
}"""
)

RULES = {
    "dialog-focus-not-moved": (
        ["2.4.3"],
        "Enter on this control opens a dialog ({dialog}), but keyboard focus stays behind it: check that focus moves "
        "into the dialog when it opens.",
    ),
    "dialog-focus-escapes": (
        ["2.4.3"],
        "Tab moves focus out of the dialog this control opens ({dialog}) while it is still open: if the dialog is "
        "modal, check that focus stays inside it until it is closed.",
    ),
    "dialog-close-not-focusable": (
        ["2.1.1"],
        "The dialog this control opens ({dialog}) has a close button that keyboard focus cannot reach "
        "({close}): check that it can be closed with the keyboard.",
    ),
    "dialog-escape-does-not-close": (
        ["2.1.1"],
        "Escape does not close the dialog this control opens ({dialog}): check that the keyboard can close it "
        "another way, and that Escape does if it is modal.",
    ),
}


class Dialogs(PageCheck):
    id = "dialogs"
    title = "Dialogs opened from the keyboard take focus, keep it, and close with the keyboard"
    messages = {
        "dialog-focus-not-moved": {
            "ja": "Enter キーでダイアログ ({dialog}) が開きますが、キーボードフォーカスがダイアログ内に移りません。",
            "fix_ja": "ダイアログを開いたら、ダイアログ内の最初の操作部品か見出しにフォーカスを移す。",
            "fix_en": "Move focus into the dialog when it opens.",
            "help": "https://www.w3.org/WAI/ARIA/apg/patterns/dialog-modal/",
        },
        "dialog-focus-escapes": {
            "ja": (
                "開いたダイアログ ({dialog}) から Tab キーでフォーカスが外に出ます。"
                "モーダルの場合、閉じるまでフォーカスがダイアログ内に留まるか確認してください。"
            ),
            "fix_ja": "モーダルダイアログでは、開いている間 Tab キーのフォーカス移動をダイアログ内に留める。",
            "fix_en": "Keep Tab inside a modal dialog while it is open.",
            "help": "https://www.w3.org/WAI/ARIA/apg/patterns/dialog-modal/",
        },
        "dialog-close-not-focusable": {
            "ja": "ダイアログ ({dialog}) の閉じるボタン ({close}) にキーボードでフォーカスできません。",
            "fix_ja": "閉じるボタンを button 要素にする。",
            "fix_en": "Make the close button a button element.",
            "help": "https://www.w3.org/WAI/WCAG22/Understanding/keyboard.html",
        },
        "dialog-escape-does-not-close": {
            "ja": "Escape キーでダイアログ ({dialog}) が閉じません。キーボードで閉じる方法があるか確認してください。",
            "fix_ja": "Escape キーでダイアログを閉じ、開いたボタンにフォーカスを戻す。",
            "fix_en": "Close the dialog on Escape and return focus to the control that opened it.",
            "help": "https://www.w3.org/WAI/ARIA/apg/patterns/dialog-modal/",
        },
    }
    criteria = {"2.1.1": AID, "2.4.3": AID}
    primary_only = True  # one real keyboard in one cell
    order = 97  # may leave a dialog open: after every other check

    async def run(self, ctx: PageContext) -> list[Finding]:
        session = ctx.session
        prep = await session.evaluate(STEP_JS, ["prep", 0, MAX_OPENERS])
        findings: list[Finding] = []
        opened = 0
        try:
            for i in range(prep["openers"]):
                found, shown, still_open = await self._probe(ctx, i)
                findings += found
                opened += shown
                if still_open:
                    break  # the dialog stays over the page: the next opener is under it
        finally:
            if prep["verified"]:
                await session.evaluate(STEP_JS, ["cleanup", 0, MAX_OPENERS])
        ctx.page.facts["dialog_probe"] = {"verified": prep["verified"], "openers": prep["openers"], "opened": opened}
        if not prep["verified"]:
            ctx.not_examined("the browser cannot hold back a navigation an opener might start (no Navigation API)")
        return findings

    async def _probe(self, ctx: PageContext, i: int) -> tuple[list[Finding], bool, bool]:
        """The lapses of the dialog the i-th opener opens, whether one opened, and whether it is still open."""
        session = ctx.session
        opener = await session.evaluate(STEP_JS, ["open", i, MAX_OPENERS])
        if not opener["focused"]:
            return [], False, False
        await session.press("Enter")
        await asyncio.sleep(SETTLE_S)
        shown = await session.evaluate(STEP_JS, ["shown", i, MAX_OPENERS])
        if not shown["shown"]:
            return [], False, False
        lapses = []
        if not shown["inside"]:
            lapses.append(("dialog-focus-not-moved", {}))
        if shown["close"]:
            lapses.append(("dialog-close-not-focusable", {"close": shown["close"]["target"]}))
        if shown["inside"]:
            for _ in range(min(shown["focusables"] + 1, MAX_TABS)):
                await session.press("Tab")
            if (await session.evaluate(STEP_JS, ["left", i, MAX_OPENERS]))["left"]:
                lapses.append(("dialog-focus-escapes", {}))
        await session.press("Escape")
        await asyncio.sleep(SETTLE_S)
        still_open = await session.evaluate(STEP_JS, ["still", i, MAX_OPENERS])
        if still_open:
            lapses.append(("dialog-escape-does-not-close", {}))
        findings = []
        for rule, extra in lapses:
            sc, message = RULES[rule]
            details = {"dialog": shown["target"], **extra}
            findings.append(
                ctx.finding(
                    rule,
                    NEEDS_REVIEW,
                    sc,
                    target=opener["target"],
                    html=opener["html"],
                    impact="serious",
                    message=message.format(**details),
                    details=details,
                )
            )
        return findings, True, bool(still_open)
