"""Keyboard markup heuristics, all routed to a person: a positive tabindex (2.4.3), accesskey shortcuts (2.1.4),
controls that react to the mouse but cannot take keyboard focus (2.1.1), focus stops that are no control (a
``tabindex="0"`` paragraph: 2.4.3, 4.1.2) and links announced as buttons, which Space does not press (2.1.1).

A positive tabindex moves the element ahead of the page's reading order, which is often, not always, a wrong
focus order. An accesskey is a single-key shortcut in some browsers and may clash with assistive technology; 2.1.4
needs a way to turn it off or remap it, which only a person can confirm.
"""

from __future__ import annotations

from qa.check import AID, PARTIAL, PageCheck, PageContext
from qa.check._js import with_helpers
from qa.model import NEEDS_REVIEW, Finding

MAX_FINDINGS = 50  # per rule and page

MARKUP_JS = with_helpers(r"""(max) => {
  const out = [];
  const NATIVE = 'a[href], area[href], button, input, select, textarea, iframe, summary, audio[controls], ' +
    'video[controls], embed, object, [contenteditable]:not([contenteditable="false"])';
  // A scrolling box takes focus so that keys scroll it (axe's scrollable-region-focusable asks for that).
  const scrolls = (el) => {
    const s = getComputedStyle(el);
    return (/auto|scroll/.test(s.overflowX) && el.scrollWidth > el.clientWidth + 1)
      || (/auto|scroll/.test(s.overflowY) && el.scrollHeight > el.clientHeight + 1);
  };
  for (const el of document.querySelectorAll('[tabindex], [accesskey], a[href][role=button]')) {
    const tabindex = parseInt(el.getAttribute('tabindex'), 10);
    const accesskey = (el.getAttribute('accesskey') || '').trim();
    const bare = tabindex >= 0 && !el.hasAttribute('role') && !el.matches(NATIVE) && el.getClientRects().length > 0
      && !scrolls(el);
    const linkButton = el.matches('a[href][role=button]');
    if (!(tabindex > 0) && !accesskey && !bare && !linkButton) continue;
    if (out.length >= 4 * max) break;
    out.push({tabindex: tabindex > 0 ? tabindex : null, accesskey, bare, linkButton,
      tag: el.tagName.toLowerCase(), target: cssPath(el), html: snippet(el)});
  }
  return out;
}""")


MAX_EXAMINED = 3000  # elements looked at per page for mouse-only controls; the facts say when a page had more
INTERACTIVE = (
    "a[href], area[href], button, input, select, textarea, summary, label, option, iframe, embed, object, "
    "audio[controls], video[controls], [tabindex], [contenteditable], [role=button], [role=link], [role=checkbox], "
    "[role=radio], [role=switch], [role=tab], [role=menuitem], [role=menuitemcheckbox], [role=menuitemradio], "
    "[role=option], [role=treeitem], [role=gridcell], [role=slider], [role=spinbutton], [role=combobox], "
    "[role=textbox], [role=searchbox], [role=scrollbar]"
)

# Elements that react to the mouse (an on* handler, a listener where the engine can list them, or a pointer
# cursor the element sets itself) but can neither take keyboard focus nor name an interactive role. Elements
# inside or around an interactive one are left out: the click reaches them from, or delegates to, the control.
MOUSE_ONLY_JS = with_helpers(
    r"""([max, examined, interactive]) => {
  const listing = typeof getEventListeners === 'function';
  const types = ['click', 'mousedown', 'mouseup', 'pointerdown', 'pointerup', 'dblclick'];
  const all = document.body ? document.body.querySelectorAll('*') : [];
  const out = [];
  let n = 0;
  for (const el of all) {
    if (n >= examined || out.length >= max) break;
    n++;
    let how = null;
    if (el.onclick || el.onmousedown || el.onmouseup) how = 'handler';
    else if (listing && types.some((t) => (getEventListeners(el)[t] || []).length)) how = 'listener';
    else {
      const s = getComputedStyle(el);
      const parent = el.parentElement ? getComputedStyle(el.parentElement).cursor : 'auto';
      if (s.cursor === 'pointer' && parent !== 'pointer' && s.visibility === 'visible') how = 'pointer';
    }
    if (!how || el.closest(interactive) || el.querySelector(interactive) || !el.getClientRects().length) continue;
    out.push({how, target: cssPath(el), html: snippet(el)});
  }
  return {found: out, examined: n, capped: n < all.length && n >= examined, listing};
}"""
)


# Per rule: the element's field that marks it, the rule, its criteria and impact, the message (filled from the
# element's fields) and the fields kept as the finding's details.
RULES = (
    ("bare", "focusable-without-role", ["2.4.3", "4.1.2"], "moderate",
     "This <{tag}> takes keyboard focus (tabindex) but is no control and has no role: check whether it does "
     "anything; if it does, give it a role and a name, if not, remove the tabindex so keyboard users are not stopped "
     "on it.", ("tag",)),
    ("linkButton", "link-role-button", ["2.1.1", "4.1.2"], "moderate",
     "This link is announced as a button (role=button), and buttons are pressed with Space as well as Enter, while a "
     "link reacts to Enter only: check that Space works, or make it a real button.", ()),
    ("tabindex", "tabindex-positive", ["2.4.3"], "moderate",
     "tabindex={tabindex} puts this element ahead of the page order: check that the focus order still follows the "
     "meaning of the page (F44).", ("tabindex",)),
    ("accesskey", "accesskey-present", ["2.1.4"], "minor",
     "accesskey='{accesskey}' is a keyboard shortcut: check that it does not clash with assistive technology and can "
     "be turned off or remapped.", ("accesskey",)),
)  # fmt: skip


class KeyboardMarkup(PageCheck):
    id = "keyboard-markup"
    title = "No positive tabindex; accesskey shortcuts reviewed"
    messages = {
        "tabindex-positive": {
            "ja": "正の tabindex（{tabindex}）があり、フォーカス順序が読み上げ順と異なる可能性があります。",
            "fix_ja": "tabindex は 0 か -1 にし、フォーカス順序はソースの順序で決める。",
            "fix_en": "Use tabindex 0 or -1 and let the source order set the focus order.",
            "help": "https://www.w3.org/WAI/WCAG22/Techniques/failures/F44",
        },
        "accesskey-present": {
            "ja": (
                "accesskey「{accesskey}」があります。"
                "支援技術のキー操作と衝突しないか、無効化や変更ができるか確認してください。"
            ),
            "fix_ja": "accesskey を削除するか、無効化・変更できる仕組みを用意する。",
            "fix_en": "Remove the accesskey, or let users turn it off or remap it.",
            "help": "https://www.w3.org/WAI/WCAG22/Understanding/character-key-shortcuts.html",
        },
        "focusable-without-role": {
            "ja": (
                "<{tag}> 要素が tabindex でキーボードフォーカスを受けますが、操作部品ではなく role もありません。"
                "操作できるものか確認してください。"
            ),
            "fix_ja": "操作するものなら適切な role と名前を付け、操作しないものなら tabindex を削除する。",
            "fix_en": "Give it a role and a name if it is a control; otherwise remove its tabindex.",
            "help": "https://www.w3.org/WAI/WCAG22/Understanding/focus-order.html",
        },
        "link-role-button": {
            "ja": (
                'role="button" のリンクです。ボタンは Space キーでも押せますが、リンクは Enter キーにしか'
                "反応しません。Space キーで操作できるか確認してください。"
            ),
            "fix_ja": "button 要素に置き換えるか、Space キーでも動作するようにする。",
            "fix_en": "Use a button element, or make Space activate it too.",
            "help": "https://www.w3.org/WAI/ARIA/apg/patterns/button/",
        },
        "mouse-only-control": {
            "ja": (
                "マウスのクリックに反応する要素 ({how}) ですが、キーボードでフォーカスできず、操作の役割 (role) も"
                "ありません。キーボードだけで操作できるか確認してください。"
            ),
            "fix_ja": 'button 要素や a 要素を使うか、tabindex="0"、適切な role、Enter / Space キーの処理を加える。',
            "fix_en": 'Use a button or link, or add tabindex="0", a fitting role and Enter/Space key handling.',
            "help": "https://www.w3.org/WAI/WCAG22/Techniques/failures/F54",
        },
    }
    criteria = {"2.4.3": AID, "2.1.4": AID, "2.1.1": PARTIAL, "4.1.2": AID}
    primary_only = True  # the markup is the same in every browser and viewport
    order = 30
    reads_only = True

    async def run(self, ctx: PageContext) -> list[Finding]:
        marked = await ctx.session.evaluate(MARKUP_JS, MAX_FINDINGS)
        findings = ctx.reviews(RULES, lambda key: [e for e in marked if e[key]][:MAX_FINDINGS])
        return findings + await self._mouse_only(ctx)

    async def _mouse_only(self, ctx: PageContext) -> list[Finding]:
        arg = [MAX_FINDINGS, MAX_EXAMINED, INTERACTIVE]
        # Listeners added by script can be listed only through the engine's console API (Chromium); elsewhere
        # on* handlers and pointer cursors are all there is, and the facts say the listeners were not checked.
        seen = await ctx.session.evaluate_listing(MOUSE_ONLY_JS, arg)
        if seen is None:
            seen = await ctx.session.evaluate(MOUSE_ONLY_JS, arg)
        ctx.page.facts["mouse_only"] = {
            "examined": seen["examined"],
            "capped": seen["capped"],
            "listeners_checked": seen["listing"],
        }
        hows = {
            "handler": "an onclick or mouse handler",
            "listener": "a click or pointer listener",
            "pointer": "a pointer cursor",
        }
        return [
            ctx.finding(
                "mouse-only-control",
                NEEDS_REVIEW,
                ["2.1.1"],
                target=el["target"],
                html=el["html"],
                impact="serious",
                message=f"This element reacts to the mouse ({hows[el['how']]}) but cannot take keyboard focus and "
                "has no interactive role: check that it can be operated with the keyboard (F54)."
                + (f" Only the first {MAX_EXAMINED} elements of the page were examined." if seen["capped"] else ""),
                details={"how": el["how"]},
            )
            for el in seen["found"]
        ]
