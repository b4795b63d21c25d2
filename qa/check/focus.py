"""2.4.7 Focus Visible and 2.4.11 Focus Not Obscured (Minimum), by moving keyboard focus through the page.

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
"""

from __future__ import annotations

from qa.check import PARTIAL, PageCheck, PageContext
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
      // Sample a 5x5 grid of the element's visible part: what is on top at each point?
      const x0 = Math.max(r.left, 0), x1 = Math.min(r.right, innerWidth), y0 = Math.max(r.top, 0);
      const y1 = Math.min(r.bottom, innerHeight);
      let mine = 0, covered = 0, cover = null;
      for (let i = 0; i < 5; i++) for (let j = 0; j < 5; j++) {
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
  return stops;
}"""
)

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
        "focus-obscured": {
            "ja": "フォーカスを受けた要素が、固定表示のコンテンツ ({covered_by}) の下に完全に隠れています。",
            "fix_ja": "固定ヘッダー等がフォーカスした要素を覆わないよう、scroll-padding などで余白を取る。",
            "fix_en": "Keep sticky content from covering the focused element (e.g. scroll-padding).",
            "help": "https://www.w3.org/WAI/WCAG22/Understanding/focus-not-obscured-minimum.html",
        },
    }
    criteria = {"2.4.7": PARTIAL, "2.4.11": PARTIAL}
    order = 70  # moves focus and scrolls; before the checks that change the viewport or styles
    provides = ("focus-order",)

    async def run(self, ctx: PageContext) -> list[Finding]:
        settings = ctx.config.focus
        if not ctx.primary and not settings.all_cells:
            return []
        limit = settings.max_stops
        candidates = await ctx.session.evaluate(SNAPSHOT_JS, limit * 2)
        stops: list[dict] = []
        try:
            if candidates:
                await ctx.session.press("Tab")
                stops = await ctx.session.evaluate(WALK_JS, limit)
        finally:
            await ctx.session.evaluate(RESET_JS)
        checked = [s for s in stops if "changed" in s]
        ctx.page.facts["focus"] = {
            "focusable": candidates,
            "stops": len(stops),
            "compared": len(checked),
            "capped": len(stops) >= limit,
        }
        findings = []
        for stop in stops:
            findings += self._visible(ctx, stop) + self._obscured(ctx, stop)
        return findings

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
