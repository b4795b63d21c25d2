"""2.4.7 Focus Visible, 2.4.11 Focus Not Obscured (Minimum) and 2.4.3 Focus Order, by moving keyboard focus through
the page.

Before moving focus, the look of the first focusable elements (and of what could carry their indicator: ::before,
::after, parents, next siblings, children) is recorded; at each focus stop it is compared with the focused look.
No visible change while the element's own outline is removed is F78, a certain failure; no change with an
outline that is always there, or focus landing on an element that cannot be seen, goes to a person.
A focused element entirely covered by a fixed or sticky header, footer or navigation fails 2.4.11; covered by
other fixed content (banners, dialogs, chat) it goes to a person.

One real Tab press puts the page in keyboard mode and takes the first stop; the rest of the sequential focus order
(positive tabindex first, then document order, skipping what the browser refuses to focus) is walked by script in
one call. Focus moved by script after a key press matches :focus-visible in every engine, so each stop looks as it
does for a keyboard user, and a page costs one round trip instead of two per stop.

The same walk gives the focus order (2.4.3): a stop that leaves the visual order and comes straight back (focus
from A to B to C, where C follows A on the page but B lies above or below both) goes to a person.

Keyboard traps (2.1.2) take no second walk: after it, each stop gets a synthetic Tab keydown, and only the stops
whose keydown a script cancels or redirects, and those focus comes back to a moment after the walk left them (a blur
handler's timer), get real presses (6 Tab, 6 Shift+Tab, each given 50 ms for such a timer). Focus that comes back round
without leaving a part of the page while focusable elements outside remain is a trap for a person to confirm,
unless a real Escape closes or leaves that part: a modal dialog that keeps focus while open and closes with Escape
is no trap. Presses that never reach the page (an unfocused window), and WebKit, whose Tab passes over links, are
counted as not verified.
"""

from __future__ import annotations

import asyncio

from qa.check import AID, PARTIAL, PageCheck, PageContext
from qa.check._js import with_helpers
from qa.model import NEEDS_REVIEW, VIOLATION, Finding

LOOK_JS = r"""
const settle = async () => {
  for (const a of document.getAnimations()) {
    if (a instanceof CSSTransition) { try { a.finish(); } catch (e) {} }
  }
  // Focus scrolls the page at once, except with smooth scrolling: then wait until it stops moving.
  if (getComputedStyle(document.documentElement).scrollBehavior !== 'smooth') return;
  let y = scrollY, x = scrollX;
  for (let i = 0; i < 30; i++) {
    await frames();
    await frames();  // two frames a step: a smooth scroll moves in every one
    if (scrollY === y && scrollX === x) break;
    y = scrollY; x = scrollX;
  }
};
const sig = (el, pseudo) => {
  const s = getComputedStyle(el, pseudo || null);
  if (pseudo && (s.content === 'none' || s.content === 'normal')) return '-';
  const outline = s.outlineStyle === 'none' || parseFloat(s.outlineWidth) === 0 ? 'none'
    : [s.outlineStyle, s.outlineWidth, s.outlineColor].join(' ');  // offset: the UA's 1px shift is no indicator
  const border = ['Top', 'Right', 'Bottom', 'Left'].map((d) =>
    s['border' + d + 'Style'] === 'none' || parseFloat(s['border' + d + 'Width']) === 0 ? 'none'
      : [s['border' + d + 'Style'], s['border' + d + 'Width'], s['border' + d + 'Color']].join(' ')).join(',');
  const deco = s.textDecorationLine === 'none' ? 'none'
    : [s.textDecorationLine, s.textDecorationColor, s.textDecorationStyle, s.textDecorationThickness].join(' ');
  return [outline, border, deco, s.boxShadow, s.backgroundColor, s.backgroundImage, s.color, s.opacity,
    s.transform, s.scale, s.translate, s.filter, s.fontWeight, s.fontStyle, s.visibility, s.textShadow,
    s.clipPath, s.display, s.fill, s.stroke, s.animationName, pseudo ? s.content + s.width + s.height : ''].join('|');
};
const look = (el) => sig(el) + '#' + sig(el, '::before') + '#' + sig(el, '::after');
const related = (el) => {
  const out = [];
  for (let p = el.parentElement; p && p !== document.documentElement; p = p.parentElement) out.push(p);
  for (let n = el.nextElementSibling, i = 0; n && i < 2; n = n.nextElementSibling, i++) out.push(n);
  for (let n = el.previousElementSibling, i = 0; n && i < 1; n = n.previousElementSibling, i++) out.push(n);
  return out.concat([...el.querySelectorAll('*')].slice(0, 20));
};
const box = (el) => {
  const r = el.getBoundingClientRect();
  const s = getComputedStyle(el);
  const clipped = s.clip === 'rect(0px, 0px, 0px, 0px)' || /inset\(50%/.test(s.clipPath);
  const onPage = r.right + scrollX > 0 && r.bottom + scrollY > 0 && r.width > 1 && r.height > 1 && !clipped;
  return {onPage, w: Math.round(r.width), h: Math.round(r.height)};
};
"""

SNAPSHOT_JS = with_helpers(
    r"""async (limit) => {
"""
    + LOOK_JS
    + r"""
  if (document.activeElement && document.activeElement !== document.body) document.activeElement.blur();
  getSelection().removeAllRanges();
  await settle();
  const sel = 'a[href], area[href], button, input:not([type=hidden]), select, textarea, summary, iframe, ' +
    '[tabindex]:not([tabindex^="-"]), [contenteditable=""], [contenteditable=true], audio[controls], video[controls]';
  // Sequential focus navigation order: positive tabindex ascending (document order among equals), then the rest.
  const positive = [...document.querySelectorAll('[tabindex]')].filter((e) => e.tabIndex > 0)
    .sort((a, b) => a.tabIndex - b.tabIndex);
  const order = [...new Set([...positive, ...document.querySelectorAll(sel)])].filter((e) => e.tabIndex >= 0);
  const els = order.slice(0, limit);
  const snap = new Map();
  for (const el of els) snap.set(el, {own: look(el), box: box(el), related: related(el).map((r) => [r, look(r)])});
  window.__qaFocus = {snap, order};
  return els.length;
}"""
)

WALK_JS = with_helpers(
    r"""async (limit) => {
"""
    + LOOK_JS
    + r"""
  const state = window.__qaFocus;
  const analyse = async (el) => {
    await settle();
    const tag = el.tagName.toLowerCase();
    const stop = {target: cssPath(el), html: snippet(el), tag};
    if (tag === 'iframe' || tag === 'frame') return {...stop, frame: true};
    const s = getComputedStyle(el);
    const r = el.getBoundingClientRect();
    const b = box(el);
    stop.outline_none = s.outlineStyle === 'none' || parseFloat(s.outlineWidth) === 0;
    stop.in_view = b.onPage && s.visibility === 'visible' && s.opacity !== '0' && r.width >= 4 && r.height >= 4 &&
      r.bottom > 0 && r.right > 0 && r.top < innerHeight && r.left < innerWidth;
    // Where it sits on the page, for the focus order against the visual order (not for fixed or sticky content,
    // whose place on the page moves with the scrolling).
    let pinned = false;
    for (let n = el; n && n !== document.documentElement && !pinned; n = n.parentElement) {
      pinned = ['fixed', 'sticky'].includes(getComputedStyle(n).position);
    }
    if (b.onPage && !pinned) {
      stop.pos = [Math.round(r.top + scrollY), Math.round(r.left + scrollX), Math.round(r.height)];
    }
    const before = state.snap.get(el);
    if (before) {
      const changed = [];
      // The element's own look counts only where it can be seen.
      if (before.own !== look(el) && stop.in_view) changed.push('element');
      if (before.box.onPage !== b.onPage || Math.abs(before.box.w - b.w) > 1 || Math.abs(before.box.h - b.h) > 1) {
        changed.push('position or size');
      }
      for (const [other, was] of before.related) if (look(other) !== was) { changed.push(cssPath(other)); break; }
      stop.changed = changed;
    }
    if (stop.in_view) {
      // Sample a 5x5 grid of the element's visible part: what is on top at each point? Only an element none of
      // whose points is its own counts as covered, so the first point of its own ends the search, the centre first
      // (each hit test costs milliseconds on a page of 27,000 elements).
      const x0 = Math.max(r.left, 0), x1 = Math.min(r.right, innerWidth), y0 = Math.max(r.top, 0);
      const y1 = Math.min(r.bottom, innerHeight);
      let mine = 0, covered = 0, cover = null;
      const points = [[2, 2]];
      for (let i = 0; i < 5; i++) for (let j = 0; j < 5; j++) if (i !== 2 || j !== 2) points.push([i, j]);
      for (const [i, j] of points) {
        if (mine) break;
        const x = x0 + (x1 - x0) * (i + 0.5) / 5, y = y0 + (y1 - y0) * (j + 0.5) / 5;
        const hit = document.elementFromPoint(x, y);
        if (!hit || hit === el || el.contains(hit) || hit.contains(el)) { mine++; continue; }
        // Covered only where the fixed or sticky content paints something over it (not a transparent box).
        let fixed = null, opaque = false;
        for (let n = hit; n && n !== document.documentElement; n = n.parentElement) {
          const ns = getComputedStyle(n);
          const alpha = (ns.backgroundColor.match(/[\d.]+/g) || [0, 0, 0, 0]);
          if (ns.backgroundImage !== 'none' || (alpha.length < 4 ? alpha.length === 3 : +alpha[3] > 0.5)) opaque = true;
          if ((ns.position === 'fixed' || ns.position === 'sticky') && !n.contains(el)) { fixed = n; break; }
        }
        if (fixed && opaque) { covered++; cover = cover || fixed; } else if (!fixed) mine++;
      }
      if (!mine && cover) {
        const chrome = 'header, footer, nav, [role=banner], [role=contentinfo], [role=navigation]';
        stop.obscured = {by: cssPath(cover), html: snippet(cover).slice(0, 200), all_points: covered === 25,
          position: getComputedStyle(cover).position,
          page_chrome: !!(cover.matches(chrome) || cover.querySelector(chrome) || cover.closest(chrome)),
          dialog: !!cover.closest('dialog, [role=dialog], [role=alertdialog], [aria-modal=true]')};
      }
    }
    return stop;
  };
  // Once the looks are recorded (a page's own Tab handler may restyle it), each stop gets a synthetic Tab keydown:
  // a handler that cancels it or moves focus by itself, or a blur that takes focus back, makes the stop a suspect
  // for the real Tab presses that follow. Listeners run for synthetic events; the browser's move does not.
  const MAX_SUSPECTS = 3;  // each costs about 16 round trips of real key presses
  const LATE_MS = 50;  // a blur handler that takes focus back a moment later (setTimeout) has done so by then
  const probeTraps = async (count) => {
    const els = state.order.filter((e) => e.tabIndex >= 0);
    const suspects = [];
    let probing = true;
    const late = new Set();
    const onFocus = (e) => { if (!probing) late.add(e.target); };
    document.addEventListener('focusin', onFocus, true);
    for (let i = 0; i < els.length && i < count * 2 && suspects.length < MAX_SUSPECTS; i++) {
      const el = els[i];
      el.focus();
      if (document.activeElement !== el) continue;
      let cancelled = false;
      for (const shiftKey of [false, true]) {
        const ev = new KeyboardEvent('keydown', {key: 'Tab', code: 'Tab', keyCode: 9, shiftKey, bubbles: true,
          cancelable: true, composed: true});
        el.dispatchEvent(ev);
        cancelled = cancelled || ev.defaultPrevented || document.activeElement !== el;
        if (document.activeElement !== el) el.focus();
      }
      const next = els[i + 1];
      if (next && next.getClientRects().length && document.activeElement === el) {
        next.focus();
        if (document.activeElement !== next) cancelled = true;  // a blur handler sent focus back or elsewhere
      }
      if (cancelled) suspects.push(el);
    }
    // Focus the page's own timers move once the probe is over: the stop it lands on pulls focus back to itself.
    probing = false;
    await new Promise((resolve) => setTimeout(resolve, LATE_MS));
    document.removeEventListener('focusin', onFocus, true);
    for (const el of late) {
      if (suspects.length < MAX_SUSPECTS && els.includes(el) && !suspects.includes(el)) suspects.push(el);
    }
    state.suspects = suspects;
  };
  let first = document.activeElement;
  while (first && first.shadowRoot && first.shadowRoot.activeElement) first = first.shadowRoot.activeElement;
  if (!first || first === document.body || first === document.documentElement) return [];
  const stops = [await analyse(first)];
  const rest = state.order.slice(state.order.indexOf(first) + 1);
  for (const el of rest) {
    if (stops.length >= limit) break;
    el.focus();
    if (document.activeElement !== el) continue;  // not focusable as rendered: hidden, disabled, inert, closed
    stops.push(await analyse(el));
  }
  await probeTraps(stops.length);
  return stops;
}"""
)

# Real key presses from a suspect: a window listener records where focus is after each. Stuck means focus came back
# to an element already visited (or never moved) without ever leaving the smallest part of the page holding the visited
# elements, while tabbable elements outside that part remain: a cycle that does not cover the page.
TRAP_START_JS = """(i) => {
  const state = window.__qaFocus;
  const el = state.suspects[i];
  el.focus();
  state.seen = [];
  state.keys = 0;
  // Where focus is as each press begins, the last press's result included: a page that takes focus back a moment
  // after it left (a blur handler's timer) has done so by the next press (focus events do not fire in every
  // engine's unfocused window). TRAP_END_JS adds where the last press left it.
  state.record = state.record || ((e) => {
    if (e.isTrusted) { state.keys++; state.seen.push(document.activeElement); }
  });
  addEventListener('keydown', state.record, true);
  return document.activeElement === el;
}"""

TRAP_END_JS = with_helpers(
    r"""([escape, presses]) => {
  const state = window.__qaFocus;
  removeEventListener('keydown', state.record, true);
  const seen = state.seen;
  seen.push(document.activeElement);
  const el = seen[0];
  const now = document.activeElement;
  const outOf = (region) => !now || now === document.body || !region.contains(now);
  // Escape releases the region the Tab presses were stuck in: focus left it, or it closed.
  if (escape) return {released: outOf(state.region) || !state.region.getClientRects().length};
  // A headless window without focus may not deliver the presses to the page: then nothing was tested.
  if (state.keys < presses) return {delivered: false};
  let region = el;
  while (region.parentElement && !seen.every((s) => region.contains(s))) region = region.parentElement;
  const left = outOf(region) || !el.isConnected;
  const cycled = seen.length === 1 || new Set(seen).size < seen.length;
  const tabbable = state.order.filter((e) => e.tabIndex >= 0 && e.getClientRects().length);
  const outside = tabbable.filter((e) => !region.contains(e));
  // Or focus goes round two or three of the page's elements while others are never reached, in a part as large
  // as the page: handlers that pull focus back when it leaves.
  const unreached = tabbable.filter((e) => !seen.includes(e));
  const few = new Set(seen).size <= Math.max(1, Math.floor(presses / 2));
  const stuck = !left && cycled && (outside.length > 0 || (few && unreached.length > 0));
  if (stuck) state.region = region;
  return {stuck, region: region === el ? null : cssPath(region),
    target: cssPath(el), html: snippet(el), visited: new Set(seen).size,
    outside: outside.length || unreached.length};
}"""
)

MAX_JUMPS = 5  # focus-order findings per page
JUMP_PX = 40  # how far out of line a stop must be, vertically, to be a jump


def order_jumps(stops: list[dict]) -> list[tuple[dict, dict, dict]]:
    """Stops that leave the visual order and come back: focus goes from A to B and on to C, where A comes before C
    on the page but B lies above both or below both (or, on one line, left of both or right of both). A page read
    in columns moves up once and goes on from there, which is no jump."""
    placed = [s for s in stops if s.get("pos")]
    jumps = []
    for a, b, c in zip(placed, placed[1:], placed[2:], strict=False):
        (ay, ax, ah), (by, bx, _), (cy, cx, _) = a["pos"], b["pos"], c["pos"]
        if cy + JUMP_PX < ay:
            continue  # A and C themselves out of order: a new column or region, not a detour
        up = by + JUMP_PX < ay and by + JUMP_PX < cy
        down = by > ay + ah + JUMP_PX and by > cy + JUMP_PX
        line = abs(ay - cy) <= 4 and abs(by - ay) <= 4 and cx > ax and not ax <= bx <= cx
        if up or down or line:
            jumps.append((a, b, c))
    return jumps


TRAP_PRESSES = 6  # enough to come back round a small widget or dialog
# After each real press: a blur handler's timer that takes focus back (ACT rule 80af7b's traps, 10 ms) has run.
TRAP_SETTLE_S = 0.05
# WebKit's Tab passes over links by default, so "focusable elements never reached" means nothing there: its
# suspects are counted as not verified.
TAB_SKIPS_LINKS = ("webkit",)

RESET_JS = """() => {
  if (document.activeElement && document.activeElement !== document.body) document.activeElement.blur();
  delete window.__qaFocus;
  scrollTo(0, 0);
}"""


class Focus(PageCheck):
    id = "focus"
    title = "Focus visible and not obscured (keyboard)"
    # Per rule: the Japanese message ({name}: from the finding's details), the fix in one sentence and a help
    # link, shown by the deliverables (qa.report._axe_ja).
    messages = {
        "focus-not-in-view": {
            "ja": (
                "キーボードフォーカスが画面に見えない要素に移り、ほかに表"
                "示の変化がありません。フォーカスの位置を確認してください。"
            ),
            "fix_ja": "フォーカスを受ける要素を画面内に表示するか、フォーカスの対象から外す。",
            "fix_en": "Show the focused element on screen, or take it out of the focus order.",
            "help": ("https://www.w3.org/WAI/WCAG22/Understanding/focus-visible.html"),
        },
        "focus-indicator-removed": {
            "ja": (
                "キーボードフォーカスを受けても見た目が変わりません。outline が消され、代わりのスタイルもありません "
                "(F78)。"
            ),
            "fix_ja": "フォーカス時の outline を残すか、:focus-visible に目立つスタイルを付ける。",
            "fix_en": "Keep the outline on focus, or add a clear :focus-visible style.",
            "help": "https://www.w3.org/WAI/WCAG22/Techniques/failures/F78",
        },
        "focus-indicator-unchanged": {
            "ja": (
                "フォーカスの有無で見た目が変わりません（outline が常"
                "に表示されています）。フォーカスが見えるか確認してください。"
            ),
            "fix_ja": "フォーカスを受けたときに見た目が変わるスタイルを付ける。",
            "fix_en": "Add a style that changes when the element receives focus.",
            "help": "https://www.w3.org/WAI/WCAG22/Understanding/focus-visible.html",
        },
        "keyboard-trap": {
            "ja": (
                "{keys} キーを押してもキーボードフォーカスが {region} から出ず、Escape でも抜けられません。"
                "キーボードだけで移動できるか確認してください (F10)。"
            ),
            "fix_ja": "Tab キーの既定の動作を止めず、フォーカスを戻すスクリプトを削除するか、抜け出す方法を示す。",
            "fix_en": "Let Tab do its default move (no focus sent back), or tell users the key that leaves.",
            "help": "https://www.w3.org/WAI/WCAG22/Understanding/no-keyboard-trap.html",
        },
        "focus-order-jump": {
            "ja": (
                "キーボードフォーカスが {before} から画面上の離れた位置にあるこの要素に移り、{after} に戻ります。"
                "フォーカス順序が意味や操作性を損なわないか確認してください。"
            ),
            "fix_ja": "ソースの順序を見た目の順序に合わせ、正の tabindex や CSS による並べ替えを避ける。",
            "fix_en": "Make the source order follow the visual order; avoid positive tabindex and CSS reordering.",
            "help": "https://www.w3.org/WAI/WCAG22/Understanding/focus-order.html",
        },
        "focus-obscured": {
            "ja": "フォーカスを受けた要素が、固定表示のコンテンツ ({covered_by}) の下に完全に隠れています。",
            "fix_ja": "固定ヘッダー等がフォーカスした要素を覆わないよう、scroll-padding などで余白を取る。",
            "fix_en": "Keep sticky content from covering the focused element (e.g. scroll-padding).",
            "help": "https://www.w3.org/WAI/WCAG22/Understanding/focus-not-obscured-minimum.html",
        },
    }
    criteria = {"2.4.7": PARTIAL, "2.4.11": PARTIAL, "2.1.2": PARTIAL, "2.4.3": AID}
    order = 70  # moves focus and scrolls; before the checks that change the viewport or styles
    provides = ("focus-order",)

    async def run(self, ctx: PageContext) -> list[Finding]:
        settings = ctx.config.focus
        if not ctx.primary and not settings.all_cells:
            return []
        limit = settings.max_stops
        candidates = await ctx.session.evaluate(SNAPSHOT_JS, limit * 2)
        stops: list[dict] = []
        traps: list[dict] = []
        undelivered = 0
        try:
            if candidates:
                await ctx.session.press("Tab")
                stops = await ctx.session.evaluate(WALK_JS, limit)
                traps, undelivered = await self._traps(ctx)
        finally:
            await ctx.session.evaluate(RESET_JS)
        checked = [s for s in stops if "changed" in s]
        ctx.page.facts["focus"] = {
            "focusable": candidates,
            "stops": len(stops),
            "compared": len(checked),
            "capped": len(stops) >= limit,
            "trap_suspects": len(traps),
            "traps_released_by_escape": sum(1 for t in traps if t["released_by_escape"]),
            # suspects not pressed for real (WebKit) or whose presses never reached the page: not verified
            "trap_suspects_not_verified": undelivered,
        }
        findings = []
        for stop in stops:
            findings += self._visible(ctx, stop) + self._obscured(ctx, stop)
        jumps = order_jumps(stops)
        ctx.page.facts["focus"]["order_jumps"] = len(jumps)
        findings += [self._jump(ctx, stop, prev, after) for prev, stop, after in jumps[:MAX_JUMPS]]
        # One finding per region: every element of a trapping widget is a suspect of its own.
        trapped = {t["region"] or t["target"]: t for t in reversed(traps) if t["keys"] and not t["released_by_escape"]}
        return findings + [self._trap(ctx, t) for t in reversed(trapped.values())]

    async def _traps(self, ctx: PageContext) -> tuple[list[dict], int]:
        """Press Tab and Shift+Tab for real from each suspect; where focus stays stuck, try Escape."""
        traps = []
        undelivered = 0
        count = await ctx.session.evaluate("() => window.__qaFocus.suspects.length")
        if ctx.page.browser in TAB_SKIPS_LINKS:
            return [], count
        for i in range(count):
            stuck: list[str] = []
            result: dict = {}
            for key in ("Tab", "Shift+Tab"):
                if not await ctx.session.evaluate(TRAP_START_JS, i):
                    break
                for _ in range(TRAP_PRESSES):
                    await ctx.session.press(key)
                    await asyncio.sleep(TRAP_SETTLE_S)
                pressed = await ctx.session.evaluate(TRAP_END_JS, [False, TRAP_PRESSES])
                if not pressed.get("delivered", True):
                    undelivered += 1
                    break
                if pressed["stuck"]:
                    stuck.append(key)
                # the details of the first stuck pass (its region), else of the last one
                result = pressed if pressed["stuck"] or not stuck else result
            released = False
            if stuck and await ctx.session.evaluate(TRAP_START_JS, i):
                await ctx.session.press("Escape")
                await asyncio.sleep(TRAP_SETTLE_S)
                released = (await ctx.session.evaluate(TRAP_END_JS, [True, 1]))["released"]
            if result.get("target"):
                traps.append({**result, "keys": stuck, "released_by_escape": released})
        return traps, undelivered

    def _trap(self, ctx: PageContext, trap: dict) -> Finding:
        keys = " / ".join(trap["keys"])
        where = f"the region {trap['region']}" if trap["region"] else "this element"
        return self._finding(
            ctx,
            trap,
            "keyboard-trap",
            NEEDS_REVIEW,
            "2.1.2",
            f"After {TRAP_PRESSES} real {keys} presses keyboard focus is still inside {where}, while "
            f"{trap['outside']} focusable elements elsewhere on the page were never reached, and Escape did not "
            "release it: check that a keyboard user can move away (F10).",
            details={"keys": keys, "region": trap["region"] or trap["target"], "presses": TRAP_PRESSES},
        )

    def _jump(self, ctx: PageContext, stop: dict, prev: dict, after: dict) -> Finding:
        return self._finding(
            ctx,
            stop,
            "focus-order-jump",
            NEEDS_REVIEW,
            "2.4.3",
            f"Keyboard focus jumps from {prev['target']} to this element elsewhere on the page and back to "
            f"{after['target']}, against the visual order: check that the focus order keeps the meaning and operation.",
            details={"before": prev["target"], "after": after["target"]},
        )

    def _finding(self, ctx: PageContext, stop: dict, rule: str, outcome: str, sc: str, msg: str, **kw) -> Finding:
        return ctx.finding(
            rule,
            outcome,
            [sc],
            target=stop["target"],
            html=stop["html"],
            message=msg,
            impact="serious" if outcome == VIOLATION else "moderate",
            **kw,
        )

    def _visible(self, ctx: PageContext, stop: dict) -> list[Finding]:
        if "changed" not in stop or stop["changed"]:
            return []
        if not stop["in_view"]:
            return [
                self._finding(
                    ctx,
                    stop,
                    "focus-not-in-view",
                    NEEDS_REVIEW,
                    "2.4.7",
                    "Keyboard focus lands on an element that is not visible on screen and nothing else changes: "
                    "check where the focus is shown.",
                )
            ]
        if stop["outline_none"]:
            return [
                self._finding(
                    ctx,
                    stop,
                    "focus-indicator-removed",
                    VIOLATION,
                    "2.4.7",
                    "When it receives keyboard focus this element looks exactly as before: its outline is removed "
                    "and no other style shows the focus (F78).",
                )
            ]
        return [
            self._finding(
                ctx,
                stop,
                "focus-indicator-unchanged",
                NEEDS_REVIEW,
                "2.4.7",
                "The element looks the same focused and unfocused (its outline is always there): check that "
                "keyboard focus can be seen.",
            )
        ]

    def _obscured(self, ctx: PageContext, stop: dict) -> list[Finding]:
        cover = stop.get("obscured")
        if not cover:
            return []
        certain = cover["all_points"] and cover["page_chrome"] and not cover["dialog"]
        return [
            self._finding(
                ctx,
                stop,
                "focus-obscured",
                VIOLATION if certain else NEEDS_REVIEW,
                "2.4.11",
                f"The focused element is entirely hidden under {cover['position']} content ({cover['by']})"
                + ("." if certain else ": check whether that content can be dismissed without moving focus."),
                details={"covered_by": cover["by"], "cover_html": cover["html"]},
            )
        ]
