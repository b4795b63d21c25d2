"""Forms whose sending commits the user (3.3.4 Error Prevention, Legal, Financial, Data): listed for a person.

3.3.4 asks that a submission making a legal commitment or a payment, changing or deleting the user's data, or
sending test answers can be reversed, is checked with a chance to correct, or is confirmed before it is final.
Whether a form does that is known only by sending it, which the suite never does. What the markup shows is listed:
a form with payment fields (autocomplete ``cc-*`` or ``transaction-amount``, card or amount fields) or whose submit
control says it orders, pays, applies, registers, books, cancels or deletes (in English and Japanese) is
needs-review with the words that matched, for a person to try the confirmation or correction step. A search, a
log-in, a GET form without payment fields (a filter) and a plain contact form are left alone.
"""

from __future__ import annotations

import re

from qa.check import AID, PageCheck, PageContext
from qa.check._js import with_helpers
from qa.model import NEEDS_REVIEW, Finding

MAX_FORMS = 10
PAYMENT_FIELD = (
    r"cc-(number|exp|csc|name)|transaction-amount|card.?(number|no)|credit|iban|account.?number|口座|カード番号|金額"
)
COMMITS = re.compile(
    r"\b(buy|purchase|pay|checkout|check out|place order|order now|confirm (order|payment|booking)|subscribe|"
    r"apply|application|register|sign up|enrol|enroll|book|reserve|cancel (my )?(order|booking|subscription)|"
    r"delete|remove (my )?account|close (my )?account|submit (answers|test|exam|application))\b"
    r"|購入|注文|支払|決済|申し込|申込|申請|登録|予約|解約|退会|削除|回答を送信|契約",
    re.IGNORECASE,
)

FORMS_JS = with_helpers(r"""([max, payment]) => {
  const norm = (s) => (s || '').replace(/\s+/g, ' ').trim();
  const pay = new RegExp(payment, 'i');
  const out = [];
  for (const form of document.forms) {
    if (out.length >= max || !form.getClientRects().length) continue;
    if (form.getAttribute('role') === 'search' || form.querySelector('input[type=search]')) continue;
    const fields = [...form.elements];
    if (fields.some((f) => f.type === 'password') && fields.filter((f) => f.type !== 'hidden').length <= 4) continue;
    const submits = fields.filter((f) => (f.tagName === 'BUTTON' && (f.type || 'submit') === 'submit')
      || (f.tagName === 'INPUT' && ['submit', 'image'].includes(f.type)));
    const words = submits.map((b) => norm(b.innerText || b.value || b.getAttribute('aria-label') || b.alt || ''));
    const paying = fields.filter((f) => f.type !== 'hidden' && pay.test([f.autocomplete, f.name, f.id,
      f.getAttribute('aria-label')].join(' '))).map((f) => f.name || f.id || f.autocomplete);
    // a GET form only asks (a search, a filter): it commits nothing unless it takes payment details
    if (form.method === 'get' && !paying.length) continue;
    out.push({target: cssPath(form), html: snippet(form), submits: words.filter(Boolean), paying});
  }
  return out;
}""")


class ErrorPrevention(PageCheck):
    id = "error-prevention"
    title = "Forms that commit the user are reversible, checked or confirmed"
    messages = {
        "commitment-form": {
            "ja": (
                "送信すると申込・支払・データの変更や削除などが確定する可能性のあるフォームです（{why}）。"
                "送信の取消し、入力内容の確認・修正、または最終確認の手段があるか確認してください。"
            ),
            "fix_ja": "送信前に入力内容の確認画面を設けるか、送信後に取り消せるようにする。",
            "fix_en": "Add a review step before the final submission, or let the user undo it afterwards.",
            "help": "https://www.w3.org/WAI/WCAG22/Understanding/error-prevention-legal-financial-data.html",
        },
    }
    criteria = {"3.3.4": AID}
    primary_only = True  # the markup is the same in every browser and viewport
    order = 30
    reads_only = True

    async def run(self, ctx: PageContext) -> list[Finding]:
        findings = []
        for form in await ctx.session.evaluate(FORMS_JS, [MAX_FORMS, PAYMENT_FIELD]):
            said = [words for words in form["submits"] if COMMITS.search(words)]
            if not said and not form["paying"]:
                continue
            why = ([f"submit: \u201c{said[0]}\u201d"] if said else []) + (
                [f"payment fields: {', '.join(form['paying'][:3])}"] if form["paying"] else []
            )
            findings.append(
                ctx.finding(
                    "commitment-form",
                    NEEDS_REVIEW,
                    ["3.3.4"],
                    target=form["target"],
                    html=form["html"],
                    impact="moderate",
                    message=f"Sending this form may commit the user ({'; '.join(why)}): check that the submission "
                    "can be reversed, is checked with a chance to correct it, or is confirmed before it is final.",
                    details={"why": "; ".join(why)},
                )
            )
        return findings
