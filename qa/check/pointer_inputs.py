"""2.5.1 Pointer Gestures, 2.5.2 Pointer Cancellation, 2.5.4 Motion Actuation and 2.5.7 Dragging Movements: the
elements whose handlers read paths, multiple pointers, the down event, dragging or device motion, listed for a person.

A handler alone proves nothing: a swipe may have buttons beside it, a pointerdown handler may only start a
highlight, a drag may have a single-pointer alternative. So every element is a review item naming what it listens
to. Listeners added by script are found through the engine's console API (Chromium); elsewhere only ``on*``
attributes and ``draggable`` count, and the facts say the listeners were not checked.
"""

from __future__ import annotations

from qa.check import AID, PageCheck, PageContext
from qa.check._js import with_helpers
from qa.model import NEEDS_REVIEW, Finding

MAX_EXAMINED = 3000
MAX_FINDINGS = 10  # per rule and page

# rule -> (criterion, event types that make an element a candidate)
RULES = {
    "pointer-gesture-handler": ("2.5.1", ["touchmove", "gesturestart", "gesturechange"]),
    "pointer-down-action": ("2.5.2", ["mousedown", "pointerdown", "touchstart"]),
    "drag-handler": ("2.5.7", ["dragstart", "drag", "pointermove", "mousemove"]),
    "motion-handler": ("2.5.4", ["devicemotion", "deviceorientation"]),
}

LISTENERS_JS = with_helpers(
    r"""([rules, max, examined]) => {
  const listing = typeof getEventListeners === 'function';
  const has = (el, types) => types.filter((t) => el['on' + t] || (listing && (getEventListeners(el)[t] || []).length));
  const out = {};
  for (const rule of Object.keys(rules)) out[rule] = [];
  const all = [window, document, ...(document.body ? document.body.querySelectorAll('*') : [])];
  let n = 0;
  for (const el of all) {
    if (n++ >= examined) break;
    for (const [rule, [, types]] of Object.entries(rules)) {
      if (out[rule].length >= max) continue;
      let found = has(el, types);
      if (rule === 'drag-handler' && el.nodeType === 1 && el.getAttribute('draggable') === 'true') {
        found = found.concat(['draggable']);
      }
      // Moving the pointer matters for dragging only together with a press on the same element.
      if (rule === 'drag-handler' && found.length && found.every((t) => /move$/.test(t)) &&
          !has(el, ['mousedown', 'pointerdown', 'touchstart']).length) continue;
      if (rule === 'motion-handler' && el !== window) continue;
      if (rule !== 'motion-handler' && el.nodeType !== 1) continue;
      if (!found.length) continue;
      out[rule].push({events: found, target: el === window ? 'window' : cssPath(el),
        html: el === window ? '' : snippet(el), bbox: el === window ? null : pageBox(el)});
    }
  }
  return {found: out, examined: Math.min(n, all.length), capped: all.length > examined, listing};
}"""
)

WHAT = {
    "pointer-gesture-handler": (
        "複数の指やなぞる動作 (ジェスチャ) を読む処理",
        "a handler of paths or several pointers (gestures)",
    ),
    "pointer-down-action": ("ポインタを押した時点で動く処理", "a handler of the pointer's down event"),
    "drag-handler": ("ドラッグ操作の処理", "a dragging handler"),
    "motion-handler": ("端末の動き (傾き・振動) を読む処理", "a handler of device motion or orientation"),
}
ASK = {
    "pointer-gesture-handler": "check that a single pointer without a path (a tap or click) can do the same.",
    "pointer-down-action": "check that the action happens on release (up event) or can be aborted or undone.",
    "drag-handler": "check that a single pointer without dragging (clicks, buttons) can do the same.",
    "motion-handler": "check that the function also works from the interface and that motion can be turned off.",
}


class PointerInputs(PageCheck):
    id = "pointer-inputs"
    title = "Gestures, pointer down, dragging and motion listed for review"
    messages = {
        rule: {
            "ja": f"{WHAT[rule][0]}があります ({{events}})。" + ask_ja,
            "fix_ja": fix_ja,
            "fix_en": fix_en,
            "help": help_url,
        }
        for rule, ask_ja, fix_ja, fix_en, help_url in (
            (
                "pointer-gesture-handler",
                "タップやクリックだけでも同じ操作ができるか確認してください。",
                "ジェスチャの代わりにボタンなど単一ポインタの操作を用意する。",
                "Offer a single-pointer alternative, such as buttons, to the gesture.",
                "https://www.w3.org/WAI/WCAG22/Understanding/pointer-gestures.html",
            ),
            (
                "pointer-down-action",
                "押した時点ではなく離した時点で実行されるか、取り消せるか確認してください。",
                "処理は up イベント (click) で実行し、押したまま離れたら中止できるようにする。",
                "Run the action on the up event (click), so moving away before release aborts it.",
                "https://www.w3.org/WAI/WCAG22/Understanding/pointer-cancellation.html",
            ),
            (
                "drag-handler",
                "ドラッグせずにクリックやボタンだけで同じ操作ができるか確認してください。",
                "ドラッグの代わりにクリックやボタンで操作できる方法を用意する。",
                "Offer a way without dragging, such as clicks or buttons.",
                "https://www.w3.org/WAI/WCAG22/Understanding/dragging-movements.html",
            ),
            (
                "motion-handler",
                "画面上の操作でも同じ機能が使え、動きによる反応を止められるか確認してください。",
                "画面上のボタン等でも操作でき、動きによる起動を無効にする設定を用意する。",
                "Offer the function through the interface too, and a setting that turns motion off.",
                "https://www.w3.org/WAI/WCAG22/Understanding/motion-actuation.html",
            ),
        )
    }
    criteria = {"2.5.1": AID, "2.5.2": AID, "2.5.4": AID, "2.5.7": AID}
    primary_only = True  # the page's handlers are the same in every cell
    order = 31
    reads_only = True

    async def run(self, ctx: PageContext) -> list[Finding]:
        arg = [RULES, MAX_FINDINGS, MAX_EXAMINED]
        seen = await ctx.session.evaluate_listing(LISTENERS_JS, arg)
        if seen is None:
            seen = await ctx.session.evaluate(LISTENERS_JS, arg)
        ctx.page.facts["pointer_inputs"] = {
            "examined": seen["examined"],
            "capped": seen["capped"],
            "listeners_checked": seen["listing"],
            **{rule: len(els) for rule, els in seen["found"].items()},
        }
        findings = []
        for rule, els in seen["found"].items():
            sc = RULES[rule][0]
            for el in els:
                events = ", ".join(el["events"])
                findings.append(
                    ctx.finding(
                        rule,
                        NEEDS_REVIEW,
                        [sc],
                        target=el["target"],
                        html=el["html"],
                        impact="moderate",
                        message=f"This element has {WHAT[rule][1]} ({events}): {ASK[rule]}",
                        details={"events": events, "bbox": el["bbox"]},
                    )
                )
        return findings
