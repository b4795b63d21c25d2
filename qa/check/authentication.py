"""3.3.7 Redundant Entry and 3.3.8 Accessible Authentication (Minimum): forms that ask for the same data twice,
password fields that refuse paste or password managers, and CAPTCHAs.

Paste is tested without entering anything: a synthetic ``paste`` event (its clipboard empty) goes to each password
field and the page's handlers either let it through or cancel it; nothing is typed, sent or changed. A login form
(one password field) that cancels paste stops users from pasting from a password manager, which WCAG's
Understanding document names as a failure; everything else here is listed for a person: ``autocomplete=off`` on a
password field, CAPTCHA widgets and images (a cognitive function test unless an alternative exists), and a field
asking again for what another field of the same form asks (a confirmation address; re-entering a password is
the allowed exception for security and is left out).
"""

from __future__ import annotations

from qa.check import AID, PARTIAL, PageCheck, PageContext
from qa.check._js import with_helpers
from qa.model import NEEDS_REVIEW, VIOLATION, Finding

MAX_FINDINGS = 10

FORMS_JS = with_helpers(
    r"""(max) => {
  const out = {paste: [], autocomplete: [], captcha: [], repeated: []};
  const passwords = [...document.querySelectorAll('input[type=password]')].slice(0, max);
  for (const el of passwords) {
    const form = el.form || el.closest('form') || document.body;
    const count = form.querySelectorAll('input[type=password]').length;
    const ev = new ClipboardEvent('paste', {bubbles: true, cancelable: true, composed: true,
      clipboardData: new DataTransfer()});
    el.dispatchEvent(ev);
    // A login form has one password field, not a new one (a sign-up form sets a password rather than proves one).
    const fresh = el.autocomplete === 'new-password' || /new|regist|sign-?up|登録/i.test(el.name + ' ' + el.id);
    const item = {target: cssPath(el), html: snippet(el), bbox: pageBox(el)};
    if (ev.defaultPrevented) out.paste.push({...item, login: count === 1 && !fresh});
    const ac = (el.getAttribute('autocomplete') || (el.form && el.form.getAttribute('autocomplete')) || '').trim();
    if (ac === 'off') out.autocomplete.push({target: cssPath(el), html: snippet(el), bbox: pageBox(el)});
  }
  const captcha = /captcha|recaptcha|turnstile|画像認証/i;
  const widgets = document.querySelectorAll(
    'iframe, img, .g-recaptcha, .h-captcha, .cf-turnstile, [data-sitekey], input[name*=captcha i]');
  const pushed = [];
  for (const el of widgets) {
    if (out.captcha.length >= max) break;
    const words = [el.getAttribute('src'), el.getAttribute('alt'), el.id, el.className, el.getAttribute('name'),
      el.getAttribute('title'), el.hasAttribute('data-sitekey') ? 'captcha' : ''].join(' ');
    // One item per widget (its own frame) and per form (its image and its answer field).
    const same = (p) => p.contains(el) || (el.closest('form') && p.closest('form') === el.closest('form'));
    if (captcha.test(words) && !pushed.some(same)) {
      pushed.push(el);
      out.captcha.push({target: cssPath(el), html: snippet(el), bbox: pageBox(el)});
    }
  }
  const again = /confirm|again|re-?enter|retype|verify|再入力|確認/i;
  const labelOf = (el) => [el.name, el.id, el.getAttribute('aria-label'), el.placeholder,
    ...[...(el.labels || [])].map((l) => l.innerText)].join(' ');
  for (const form of document.querySelectorAll('form')) {
    const fields = [...form.querySelectorAll('input:not([type=hidden]):not([type=password]), textarea')]
      .filter((f) => !['submit', 'button', 'reset', 'checkbox', 'radio', 'image', 'file'].includes(f.type));
    const tokens = new Map();
    for (const f of fields) {
      if (out.repeated.length >= max) break;
      const token = (f.getAttribute('autocomplete') || '').trim().toLowerCase();
      const twin = (token && !['on', 'off'].includes(token) && tokens.get(token)) ||
        (again.test(labelOf(f)) && fields.find((o) => o !== f && o.type === f.type && !again.test(labelOf(o))));
      if (twin) out.repeated.push({target: cssPath(f), html: snippet(f), bbox: pageBox(f), twin: cssPath(twin)});
      if (token) tokens.set(token, tokens.get(token) || f);
    }
  }
  return out;
}"""
)


class Authentication(PageCheck):
    id = "authentication"
    title = "Redundant entry and accessible authentication"
    messages = {
        "password-paste-blocked": {
            "ja": "パスワード欄への貼り付けがスクリプトで止められています。パスワード管理ツールが使えません。",
            "fix_ja": "paste イベントを取り消す処理を削除し、貼り付けと自動入力を許可する。",
            "fix_en": "Remove the script that cancels paste, and allow pasting and autofill.",
            "help": "https://www.w3.org/WAI/WCAG22/Understanding/accessible-authentication-minimum.html",
        },
        "password-paste-review": {
            "ja": (
                "パスワード欄への貼り付けがスクリプトで止められています。"
                "認証のための欄であれば、貼り付けやパスワード管理ツールが使えるか確認してください。"
            ),
            "fix_ja": "paste イベントを取り消す処理を削除する。",
            "fix_en": "Remove the script that cancels paste.",
            "help": "https://www.w3.org/WAI/WCAG22/Understanding/accessible-authentication-minimum.html",
        },
        "password-autocomplete-off": {
            "ja": "パスワード欄に autocomplete=off があります。パスワード管理ツールで入力できるか確認してください。",
            "fix_ja": 'autocomplete="current-password"（新規は "new-password"）を指定する。',
            "fix_en": 'Use autocomplete="current-password" (or "new-password" for a new one).',
            "help": "https://www.w3.org/WAI/WCAG22/Understanding/accessible-authentication-minimum.html",
        },
        "captcha-present": {
            "ja": "CAPTCHA と思われる要素があります。認知機能テストに頼らない別の方法があるか確認してください。",
            "fix_ja": "文字の読み取りや画像選択に頼らない認証手段（メール認証など）を用意する。",
            "fix_en": "Offer an authentication method that needs no puzzle, such as an e-mailed link.",
            "help": "https://www.w3.org/WAI/WCAG22/Understanding/accessible-authentication-minimum.html",
        },
        "redundant-entry": {
            "ja": (
                "同じフォームで既に入力した内容 ({twin}) をもう一度求めているようです。"
                "自動入力や選択で済ませられないか確認してください。"
            ),
            "fix_ja": "既に入力された情報は自動で入力するか、選択できるようにする。",
            "fix_en": "Fill in, or offer to select, what the user has already entered.",
            "help": "https://www.w3.org/WAI/WCAG22/Understanding/redundant-entry.html",
        },
    }
    criteria = {"3.3.7": AID, "3.3.8": PARTIAL}
    primary_only = True  # the forms are the same in every cell
    order = 32
    reads_only = True

    async def run(self, ctx: PageContext) -> list[Finding]:
        seen = await ctx.session.evaluate(FORMS_JS, MAX_FINDINGS)
        ctx.page.facts["authentication"] = {k: len(v) for k, v in seen.items()}
        findings = []
        for el in seen["paste"]:
            login = el["login"]
            findings.append(
                self._finding(
                    ctx,
                    el,
                    "password-paste-blocked" if login else "password-paste-review",
                    VIOLATION if login else NEEDS_REVIEW,
                    "3.3.8",
                    "A script cancels pasting into this password field, so a password manager cannot fill it"
                    + ("." if login else ": if it is used to log in, check that pasting and password managers work."),
                )
            )
        for el in seen["autocomplete"]:
            findings.append(
                self._finding(
                    ctx,
                    el,
                    "password-autocomplete-off",
                    NEEDS_REVIEW,
                    "3.3.8",
                    "This password field has autocomplete=off: check that a password manager can fill it.",
                )
            )
        for el in seen["captcha"]:
            findings.append(
                self._finding(
                    ctx,
                    el,
                    "captcha-present",
                    NEEDS_REVIEW,
                    "3.3.8",
                    "This looks like a CAPTCHA: check that an alternative without a cognitive function test exists.",
                )
            )
        for el in seen["repeated"]:
            findings.append(
                self._finding(
                    ctx,
                    el,
                    "redundant-entry",
                    NEEDS_REVIEW,
                    "3.3.7",
                    f"This field seems to ask again for what {el['twin']} already asks: check that the information "
                    "is filled in or selectable rather than entered twice.",
                    details={"twin": el["twin"]},
                )
            )
        return findings

    def _finding(self, ctx: PageContext, el: dict, rule: str, outcome: str, sc: str, msg: str, **kw) -> Finding:
        impact = "serious" if outcome == VIOLATION else "moderate"
        details = {**kw.pop("details", {}), "bbox": el["bbox"]}
        return ctx.finding(
            rule, outcome, [sc], target=el["target"], html=el["html"], message=msg, impact=impact, details=details, **kw
        )
