"""3.2.1 On Focus and 3.2.2 On Input: focus each control, change each select, checkbox and radio button, and record
the change of context that follows, without letting any of it happen.

While the controls are probed, navigations are cancelled through the Navigation API (every navigation a document
starts fires a cancelable ``navigate`` event), ``window.open`` returns nothing, and form submissions are stopped
(a capturing ``submit`` listener, and ``form.submit()`` replaced): nothing is sent and the page stays. Each control
gets script focus, then (select, checkbox, radio) a changed value with the ``input`` and ``change`` events a user's
change fires; its value is restored afterwards. Engines without the Navigation API are not probed (the facts say
so), since a navigation there could not be stopped; ``focus_events`` in the facts counts the focus events that
fired (none where the window has no system focus: then the focus half was not tested).

Graded per WCAG's failures: a navigation, new window or submission on focus is a change of context (3.2.1,
violation); focus moved away by script on focus (F55) or a large change of the page on focus goes to a person.
On input the same changes are allowed when the user was told beforehand (F36, F37), so they go to a person.
"""

from __future__ import annotations

from qa.check import PARTIAL, PageCheck, PageContext
from qa.check._js import with_helpers
from qa.model import NEEDS_REVIEW, VIOLATION, Finding

NOT_PROBED = "the browser cannot hold back a navigation the controls might start (no Navigation API)"
MAX_CONTROLS = 30  # focused per page
MAX_CHANGED = 15  # selects, checkboxes and radio buttons changed per page
LARGE_CHANGE = 40  # elements added or removed after one focus or change: "the page changed a lot"

PROBE_JS = with_helpers(
    r"""async ([maxFocus, maxChange, large]) => {
  if (typeof navigation === 'undefined' || !navigation.addEventListener) return {verified: false};
  const log = {nav: [], open: [], submit: [], nodes: 0};
  const base = location.href.split('#')[0];
  const onNav = (e) => {
    if (e.destination.url.split('#')[0] !== base || e.navigationType === 'reload') log.nav.push(e.destination.url);
    if (e.cancelable) e.preventDefault();
  };
  const onSubmit = (e) => { log.submit.push(cssPath(e.target)); e.preventDefault(); };
  const open = window.open, submit = HTMLFormElement.prototype.submit;
  navigation.addEventListener('navigate', onNav);
  window.open = (u) => { log.open.push(String(u || '')); return null; };
  HTMLFormElement.prototype.submit = function () { log.submit.push(cssPath(this)); };
  document.addEventListener('submit', onSubmit, true);
  const observer = new MutationObserver((records) => {
    for (const r of records) log.nodes += r.addedNodes.length + r.removedNodes.length;
  });
  observer.observe(document.documentElement, {childList: true, subtree: true});
  // Handlers act at once or in a task they queue: one zero-delay task per control, not a frame (16 ms or more).
  const settle = () => new Promise((r) => setTimeout(r, 0));
  const mark = () => ({nav: log.nav.length, open: log.open.length, submit: log.submit.length, nodes: log.nodes,
    dialogs: document.querySelectorAll('dialog[open], [role=dialog], [role=alertdialog]').length});
  const diff = (before, el) => {
    observer.takeRecords().forEach((r) => { log.nodes += r.addedNodes.length + r.removedNodes.length; });
    const out = [];
    if (log.nav.length > before.nav) out.push({kind: 'navigation', to: log.nav[log.nav.length - 1]});
    if (log.open.length > before.open) out.push({kind: 'new_window', to: log.open[log.open.length - 1]});
    if (log.submit.length > before.submit) out.push({kind: 'submit', to: log.submit[log.submit.length - 1]});
    const dialogs = document.querySelectorAll('dialog[open], [role=dialog], [role=alertdialog]').length;
    if (log.nodes - before.nodes >= large || dialogs > before.dialogs) {
      out.push({kind: 'page_change', to: String(log.nodes - before.nodes)});
    }
    return out;
  };
  const shown = (el) => el.getClientRects().length && getComputedStyle(el).visibility === 'visible';
  const sel = 'a[href], button, input:not([type=hidden]), select, textarea, summary, [tabindex]:not([tabindex^="-"])';
  const controls = [...document.querySelectorAll(sel)].filter((e) => !e.disabled && shown(e));
  const events = [];
  let focused = 0, changed = 0, focusEvents = 0;
  try {
    for (const el of controls.slice(0, maxFocus)) {
      if (document.activeElement && document.activeElement !== document.body) document.activeElement.blur();
      const before = mark();
      // Did it take focus at all? A focus handler that blurs it at once (F55) leaves it unfocused.
      let took = false;
      const onFocus = () => { took = true; };
      el.addEventListener('focus', onFocus, {capture: true, once: true});
      el.focus();
      el.removeEventListener('focus', onFocus, {capture: true});
      if (!took && document.activeElement !== el && !el.contains(document.activeElement)) continue;
      focused++;
      focusEvents += took ? 1 : 0;
      await settle();
      const found = diff(before, el);
      const now = document.activeElement;
      if (now !== el && !el.contains(now)) {
        found.push({kind: now && now !== document.body ? 'focus_moved' : 'focus_removed',
          to: now && now !== document.body ? cssPath(now) : ''});
      }
      if (found.length) events.push({on: 'focus', target: cssPath(el), html: snippet(el), bbox: pageBox(el), found});
    }
    const inputs = controls.filter((e) => e.matches('select, input[type=checkbox], input[type=radio]'));
    for (const el of inputs.slice(0, maxChange)) {
      if (el.tagName === 'SELECT' && el.options.length < 2) continue;
      el.focus();
      const before = mark();
      const was = el.tagName === 'SELECT' ? el.selectedIndex : el.checked;
      const group = el.type === 'radio' && el.name && el.form
        ? [...el.form.querySelectorAll('input[type=radio]')].filter((r) => r.name === el.name) : [el];
      const checked = group.find((r) => r.checked);
      if (el.tagName === 'SELECT') {
        el.selectedIndex = el.selectedIndex === el.options.length - 1 ? 0 : el.selectedIndex + 1;
        el.dispatchEvent(new Event('input', {bubbles: true}));
        el.dispatchEvent(new Event('change', {bubbles: true}));
      } else if (el.type === 'radio' && el.checked) continue;
      else el.click();  // a user's click: toggles, then fires click, input and change
      changed++;
      await settle();
      const found = diff(before, el);
      if (el.tagName === 'SELECT') el.selectedIndex = was;
      else if (el.type === 'radio') { el.checked = false; if (checked) checked.checked = true; }
      else el.checked = was;
      if (found.length) events.push({on: 'input', target: cssPath(el), html: snippet(el), bbox: pageBox(el), found});
    }
  } finally {
    observer.disconnect();
    document.removeEventListener('submit', onSubmit, true);
    window.open = open;
    HTMLFormElement.prototype.submit = submit;
    if (document.activeElement && document.activeElement !== document.body) document.activeElement.blur();
    await settle();
    navigation.removeEventListener('navigate', onNav);
    scrollTo(0, 0);
  }
  // A window without system focus (some headless engines) moves focus without firing focus events: the page's
  // focus handlers never ran, so 3.2.1 was not tested there.
  return {verified: true, controls: controls.length, focused, changed, focus_events: focusEvents, events};
}"""
)

KINDS = {
    "navigation": ("別のページへの移動", "a navigation to another page"),
    "new_window": ("新しいウィンドウ", "a new window"),
    "submit": ("フォームの送信", "a form submission"),
    "page_change": ("ページ内容の大きな変化", "a large change of the page"),
    "focus_moved": ("フォーカスの移動", "focus moved elsewhere"),
    "focus_removed": ("フォーカスの解除", "focus removed"),
}
CONTEXT = ("navigation", "new_window", "submit")


class ContextChange(PageCheck):
    id = "context-change"
    title = "No change of context on focus or input"
    messages = {
        "context-change-on-focus": {
            "ja": "フォーカスを受けただけで状況の変化 ({change}) が起きます。",
            "fix_ja": "フォーカスでは移動・送信・新しいウィンドウを起こさず、ボタンなど利用者の明示的な操作で行う。",
            "fix_en": "Start navigation, submission or new windows only on an explicit action such as a button.",
            "help": "https://www.w3.org/WAI/WCAG22/Understanding/on-focus.html",
        },
        "focus-change-review": {
            "ja": "フォーカスを受けると {change} が起きます。状況の変化に当たらないか確認してください (F55)。",
            "fix_ja": "フォーカスを受けた要素からフォーカスを移さず、大きな変化は利用者の操作で起こす。",
            "fix_en": "Leave focus where the user put it, and make large changes happen on request.",
            "help": "https://www.w3.org/WAI/WCAG22/Techniques/failures/F55",
        },
        "context-change-on-input": {
            "ja": ("値を変えただけで {change} が起きます。事前に利用者に知らせているか確認してください (F36, F37)。"),
            "fix_ja": "変更後に押す送信ボタンを設けるか、何が起きるかを操作の前に説明する。",
            "fix_en": "Add a submit button to press after the change, or say beforehand what will happen.",
            "help": "https://www.w3.org/WAI/WCAG22/Understanding/on-input.html",
        },
    }
    criteria = {"3.2.1": PARTIAL, "3.2.2": PARTIAL}
    primary_only = True  # the behaviour is the page's scripts', the same in every viewport
    order = 95  # changes focus and control values: last, after every check that reads the page

    async def run(self, ctx: PageContext) -> list[Finding]:
        seen = await ctx.session.evaluate(PROBE_JS, [MAX_CONTROLS, MAX_CHANGED, LARGE_CHANGE])
        ctx.page.facts["context_change"] = {k: v for k, v in seen.items() if k != "events"}
        if not seen.get("verified"):
            ctx.not_examined(NOT_PROBED)
        findings = []
        for event in seen.get("events", []):
            kinds = [f["kind"] for f in event["found"]]
            ja = "、".join(KINDS[k][0] for k in kinds)
            en = ", ".join(KINDS[k][1] for k in kinds)
            to = next((f["to"] for f in event["found"] if f["to"]), "")
            if event["on"] == "input":
                rule, outcome, sc = "context-change-on-input", NEEDS_REVIEW, "3.2.2"
                message = f"Changing this control's value causes {en}: check that users are told beforehand (F36, F37)."
            elif set(kinds) & set(CONTEXT):
                rule, outcome, sc = "context-change-on-focus", VIOLATION, "3.2.1"
                message = f"Merely focusing this element causes a change of context ({en})."
            else:
                rule, outcome, sc = "focus-change-review", NEEDS_REVIEW, "3.2.1"
                message = f"Focusing this element causes {en}: check that this is not a change of context (F55)."
            findings.append(
                ctx.finding(
                    rule,
                    outcome,
                    [sc],
                    target=event["target"],
                    html=event["html"],
                    message=message,
                    impact="serious" if outcome == VIOLATION else "moderate",
                    details={"change": ja, "kinds": kinds, "to": to, "bbox": event["bbox"]},
                )
            )
        return findings
