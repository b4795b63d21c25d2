"""1.4.13 Content on Hover or Focus, by hovering and focusing the elements that reveal content.

Candidates are the elements the page's own style sheets or scripts make reveal something: a selector such as
``.tip:hover .bubble`` or ``.menu:focus-within > ul`` names its trigger, and (where the engine can list them)
mouseenter / mouseover / focus listeners add the scripted ones. Title tooltips are drawn by the browser and are not
content of the page, so they are left out. Before each trigger is hovered, the hidden elements it could reveal (its
descendants, the siblings after it, what aria-describedby / aria-controls names) are noted; what becomes visible
under a real mouse pointer is the revealed content.

Then, as WCAG's Understanding document describes: the pointer moves from the trigger onto the revealed content
(*hoverable*: the content must stay), goes back to the trigger and Escape is pressed (*dismissible*: the content
should go). The same is done with keyboard focus for focusable triggers. Content that vanishes when the pointer
moves onto it is a certain failure; content Escape does not dismiss goes to a person, who knows whether another
mechanism exists or whether the content obscures nothing. At most ``MAX_TRIGGERS`` triggers per page.

Links or controls that hover reveals (a drop-down menu) must be reachable with the keyboard too (2.1.1): with the
pointer away, the trigger's own control (the menu's top link) takes keyboard focus, and if that reveals none of
them, a person checks how a keyboard user gets there. A trigger that is a button or says it opens something
(aria-expanded, aria-haspopup) opens with Enter, and is left alone.
"""

from __future__ import annotations

from qa.check import AID, PARTIAL, PageCheck, PageContext
from qa.check._js import with_helpers
from qa.model import NEEDS_REVIEW, VIOLATION, Finding

MAX_TRIGGERS = 6  # each costs about ten round trips and a few pointer moves
MAX_HIDDEN = 200  # hidden elements watched per trigger

CANDIDATES_JS = with_helpers(
    r"""(max) => {
  const visible = (el) => {
    if (!el.getClientRects().length) return false;
    const s = getComputedStyle(el);
    const r = el.getBoundingClientRect();
    return s.visibility === 'visible' && parseFloat(s.opacity) > 0.05 && r.width > 1 && r.height > 1;
  };
  const triggers = new Map();  // element -> how
  const add = (el, how) => { if (el && !triggers.has(el) && visible(el)) triggers.set(el, how); };
  const pseudo = /:(hover|focus-within|focus-visible|focus)\b/;
  const walk = (rules) => {
    for (const rule of rules) {
      if (rule.cssRules && !rule.selectorText) { walk(rule.cssRules); continue; }
      if (!rule.selectorText) continue;
      for (const part of rule.selectorText.split(',')) {
        const m = part.match(pseudo);
        if (!m) continue;
        // Only a pseudo-class followed by a combinator reveals something else; ".a:hover" alone restyles itself.
        const rest = part.slice(m.index + m[0].length);
        if (!/^\S*\s*[ >+~]\s*\S/.test(rest) && !/^[^\s>+~]*\s+\S/.test(rest)) continue;
        const shows = /display|visibility|opacity|clip|transform|max-height|height|left|top/.test(rule.style.cssText);
        if (!shows) continue;
        let sel = part.slice(0, m.index).replace(/:(hover|focus[-a-z]*)/g, '').trim();
        if (!sel || /[ >+~]$/.test(sel)) sel = (sel + ' *').trim();
        try { for (const el of document.querySelectorAll(sel)) add(el, m[1] === 'hover' ? 'css-hover' : 'css-focus'); }
        catch (e) { /* a selector this engine cannot query */ }
      }
    }
  };
  for (const sheet of document.styleSheets) {
    try { walk(sheet.cssRules); } catch (e) { /* another origin's sheet: not readable */ }
  }
  const listing = typeof getEventListeners === 'function';
  const all = document.body ? document.body.querySelectorAll('*') : [];
  for (let i = 0; i < all.length && i < 3000; i++) {
    const el = all[i];
    if (el.onmouseover || el.onmouseenter) { add(el, 'handler'); continue; }
    if (listing) {
      const l = getEventListeners(el);
      if ((l.mouseenter || l.mouseover || l.pointerenter || l.pointerover || []).length) add(el, 'listener');
    }
  }
  const els = [...triggers.keys()].slice(0, max);
  window.__qaHover = {els, how: els.map((e) => triggers.get(e))};
  return {count: triggers.size, tried: els.length, listing};
}"""
)

# phase "prep": note what the trigger could reveal, return where to point; "shown": what became visible;
# "still": whether the revealed content is still shown; "focus": focus the trigger (keyboard), then as "shown".
STEP_JS = with_helpers(
    r"""([i, phase, maxHidden]) => {
  const state = window.__qaHover;
  const el = state.els[i];
  const CONTROL = 'a[href], button, input:not([type=hidden]), select, textarea, summary, ' +
    '[tabindex]:not([tabindex="-1"])';
  const visible = (e) => {
    if (!e.isConnected || !e.getClientRects().length) return false;
    const s = getComputedStyle(e);
    const r = e.getBoundingClientRect();
    return s.visibility === 'visible' && parseFloat(s.opacity) > 0.05 && r.width > 1 && r.height > 1;
  };
  const shown = () => {
    const now = state.hidden.filter(visible);
    // The outermost revealed elements that carry text or an image: the content a person would see appear.
    const outer = now.filter((e) => !now.some((o) => o !== e && o.contains(e)))
      .filter((e) => (e.innerText || '').trim() || e.querySelector('img, svg'));
    state.revealed = outer;
    if (!outer.length) return {revealed: false};
    const big = outer.reduce((a, b) => {
      const ra = a.getBoundingClientRect(), rb = b.getBoundingClientRect();
      return ra.width * ra.height >= rb.width * rb.height ? a : b;
    });
    const r = big.getBoundingClientRect();
    const t = el.getBoundingClientRect();
    const inside = r.left >= t.left && r.right <= t.right && r.top >= t.top && r.bottom <= t.bottom;
    const controls = outer.reduce((n, e) => n + (e.matches(CONTROL) ? 1 : 0) + e.querySelectorAll(CONTROL).length, 0);
    return {revealed: true, target: cssPath(big), html: snippet(big), text: (big.innerText || '').trim().slice(0, 80),
      x: r.left + r.width / 2, y: r.top + r.height / 2, inside, count: outer.length, controls};
  };
  if (phase === 'prep') {
    if (document.activeElement && document.activeElement !== document.body) document.activeElement.blur();
    el.scrollIntoView({block: 'center', inline: 'center'});
    const pool = [...el.querySelectorAll('*')];
    for (let n = el.nextElementSibling; n; n = n.nextElementSibling) pool.push(n, ...n.querySelectorAll('*'));
    for (const attr of ['aria-describedby', 'aria-controls', 'aria-owns']) {
      for (const id of (el.getAttribute(attr) || '').split(/\s+/).filter(Boolean)) {
        const t = document.getElementById(id);
        if (t) pool.push(t, ...t.querySelectorAll('*'));
      }
    }
    state.hidden = pool.filter((e) => !visible(e)).slice(0, maxHidden);
    const r = el.getBoundingClientRect();
    return {x: r.left + Math.min(r.width / 2, 20), y: r.top + r.height / 2, target: cssPath(el), html: snippet(el),
      bbox: pageBox(el),
      hidden: state.hidden.length, focusable: el.tabIndex >= 0 && !el.disabled};
  }
  if (phase === 'shown') return shown();
  if (phase === 'focus') { el.focus(); return document.activeElement === el ? shown() : {revealed: false}; }
  if (phase === 'still') return (state.revealed || []).some(visible);
  if (phase === 'keyfocus') {  // keyboard focus on the trigger's own control (a menu's top link), pointer away
    const own = el.matches(CONTROL) ? el : [...el.querySelectorAll(CONTROL)].find((e) => visible(e));
    if (!own) return {revealed: false, reachable: false, disclosure: false};
    // a button (or a control saying it opens something) beside the link opens the menu with Enter
    const disclosure = [el, ...el.querySelectorAll(CONTROL)].some((e) => e.hasAttribute('aria-expanded')
      || e.hasAttribute('aria-haspopup') || e.tagName === 'BUTTON' || e.tagName === 'SUMMARY');
    own.focus();
    return {...shown(), reachable: document.activeElement === own, disclosure};
  }
  if (phase === 'reset') {
    if (document.activeElement && document.activeElement !== document.body) document.activeElement.blur();
    return true;
  }
  return null;
}"""
)

CLEANUP_JS = "() => { delete window.__qaHover; scrollTo(0, 0); }"


class HoverContent(PageCheck):
    id = "hover-content"
    title = "Content on hover or focus: hoverable, dismissible"
    messages = {
        "hover-content-not-hoverable": {
            "ja": (
                "ポインタを乗せると表示されるコンテンツ ({revealed}) が、ポインタをそのコンテンツの上に動かすと"
                "消えます。"
            ),
            "fix_ja": "表示されたコンテンツの上にポインタがある間は表示を続ける（トリガーと隙間なく配置する）。",
            "fix_en": "Keep the revealed content shown while the pointer is over it (no gap from its trigger).",
            "help": "https://www.w3.org/WAI/WCAG22/Understanding/content-on-hover-or-focus.html",
        },
        "hover-only-controls": {
            "ja": (
                "ポインタを乗せると表示されるリンクや操作部品 ({revealed}) が、キーボードでフォーカスしても"
                "表示されません。キーボードだけで到達・操作できるか確認してください。"
            ),
            "fix_ja": (
                "フォーカスでも表示する（:focus-within など）か、aria-expanded 付きのボタンで開閉できるようにする。"
            ),
            "fix_en": "Reveal them on focus too (:focus-within), or open them with a button carrying aria-expanded.",
            "help": "https://www.w3.org/WAI/WCAG22/Understanding/keyboard.html",
        },
        "hover-content-not-dismissible": {
            "ja": (
                "{how}で表示されるコンテンツ ({revealed}) が Escape キーで閉じません。"
                "ポインタやフォーカスを動かさずに閉じる方法があるか、ほかのコンテンツを隠さないか確認してください。"
            ),
            "fix_ja": "Escape キーで追加コンテンツを閉じられるようにする。",
            "fix_en": "Let Escape dismiss the additional content.",
            "help": "https://www.w3.org/WAI/WCAG22/Techniques/scripting/SCR39",
        },
    }
    criteria = {"1.4.13": PARTIAL, "2.1.1": AID}
    primary_only = True  # hover needs a pointer; one cell keeps the page's cost bounded
    order = 75  # after the focus walk, before the checks that change the viewport or styles

    async def run(self, ctx: PageContext) -> list[Finding]:
        session = ctx.session
        if not hasattr(session, "hover"):  # an engine plugin without a pointer
            ctx.page.facts["hover_content"] = {"verified": False}
            ctx.not_examined("the browser driver has no pointer to hover with")
            return []
        # Listeners added by script are listed only through the engine's console API (Chromium).
        found = await session.evaluate_listing(CANDIDATES_JS, MAX_TRIGGERS)
        if found is None:
            found = await session.evaluate(CANDIDATES_JS, MAX_TRIGGERS)
        findings: list[Finding] = []
        revealed = 0
        try:
            for i in range(found["tried"]):
                result = await self._trigger(ctx, i)
                revealed += bool(result["revealed"])
                findings += result["findings"]
        finally:
            await session.evaluate(CLEANUP_JS)
        ctx.page.facts["hover_content"] = {
            "verified": True,
            "triggers": found["count"],
            "tried": found["tried"],
            "revealing": revealed,
            "listeners_checked": found["listing"],
        }
        return findings

    async def _trigger(self, ctx: PageContext, i: int) -> dict:
        session = ctx.session
        width, height = ctx.session.viewport.width, ctx.session.viewport.height
        prep = await session.evaluate(STEP_JS, [i, "prep", MAX_HIDDEN])
        out: dict = {"revealed": False, "findings": []}
        if not prep["hidden"]:
            return out
        park = (width - 3, height - 3)
        await session.hover(*park)
        if not await session.hover(prep["x"], prep["y"]):
            return out
        shown = await session.evaluate(STEP_JS, [i, "shown", MAX_HIDDEN])
        if shown["revealed"]:
            out["revealed"] = True
            hoverable = True
            if not shown["inside"]:
                await session.hover(shown["x"], shown["y"])
                hoverable = await session.evaluate(STEP_JS, [i, "still", MAX_HIDDEN])
            if not hoverable:
                out["findings"].append(self._finding(ctx, prep, shown, "hover-content-not-hoverable", VIOLATION))
            else:
                await session.hover(prep["x"], prep["y"])
                await session.press("Escape")
                if await session.evaluate(STEP_JS, [i, "still", MAX_HIDDEN]):
                    out["findings"].append(
                        self._finding(ctx, prep, shown, "hover-content-not-dismissible", NEEDS_REVIEW, "hover")
                    )
        await session.hover(*park)
        if shown["revealed"] and shown["controls"]:
            keyed = await session.evaluate(STEP_JS, [i, "keyfocus", MAX_HIDDEN])
            if keyed["reachable"] and not keyed["disclosure"] and not (keyed["revealed"] and keyed["controls"]):
                out["findings"].append(self._finding(ctx, prep, shown, "hover-only-controls", NEEDS_REVIEW))
            await session.evaluate(STEP_JS, [i, "reset", MAX_HIDDEN])
        if prep["focusable"]:
            focused = await session.evaluate(STEP_JS, [i, "focus", MAX_HIDDEN])
            if focused["revealed"]:
                out["revealed"] = True
                await session.press("Escape")
                if await session.evaluate(STEP_JS, [i, "still", MAX_HIDDEN]) and not out["findings"]:
                    out["findings"].append(
                        self._finding(ctx, prep, focused, "hover-content-not-dismissible", NEEDS_REVIEW, "focus")
                    )
            await session.evaluate(STEP_JS, [i, "reset", MAX_HIDDEN])
        return out

    def _finding(
        self, ctx: PageContext, trigger: dict, shown: dict, rule: str, outcome: str, how: str = "hover"
    ) -> Finding:
        if rule == "hover-only-controls":
            message = (
                f"Hovering this element reveals {shown['controls']} link(s) or control(s) ({shown['target']}), but "
                "keyboard focus on it does not: check that they can be reached and used with the keyboard alone."
            )
        elif rule == "hover-content-not-hoverable":
            message = (
                f"The content this element reveals on hover ({shown['target']}) disappears when the pointer moves "
                "onto it: content shown on hover must stay while the pointer is over it."
            )
        else:
            message = (
                f"The content revealed on {how} ({shown['target']}) is not dismissed by Escape: check that it can "
                "be dismissed without moving the pointer or focus, or that it hides no other content."
            )
        how_ja = {"hover": "ポインタを乗せること", "focus": "フォーカス"}[how]
        return ctx.finding(
            rule,
            outcome,
            ["2.1.1"] if rule == "hover-only-controls" else ["1.4.13"],
            target=trigger["target"],
            html=trigger["html"],
            message=message,
            impact="serious" if outcome == VIOLATION else "moderate",
            details={
                "revealed": shown["target"],
                "revealed_text": shown.get("text", ""),
                "how": how_ja,
                "bbox": trigger["bbox"],
            },
        )
