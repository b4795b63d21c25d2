"""Form structure heuristics (1.3.1, 3.3.2, 2.4.6): an input labelled only by its placeholder, a radio or checkbox
group without a group name, an empty legend, fields of one form that share one label, a hint between a label and its
field that the field does not point to, a label far from its field on the same line, and an error message on show
while no field is marked in error (3.3.1, 3.3.3). A person checks each: the visible context may carry what the markup
lacks.

axe-core accepts a placeholder as an input's name (its label rule's non-empty-placeholder), so a placeholder-only
field passes there; the placeholder disappears on typing, so the field loses its visible label.
"""

from __future__ import annotations

from qa.check import AID, PARTIAL, PageCheck, PageContext
from qa.check._js import with_helpers
from qa.model import Finding

MAX_FINDINGS = 50
FAR_GAP = 250  # CSS px between a label and its field on one line: past it, they read as two things (G162)

FORMS_JS = with_helpers(r"""([max, farGap]) => {
  const norm = (s) => (s || '').replace(/\s+/g, ' ').trim();
  const named = (el) => norm(el.getAttribute('aria-label')) || norm((el.getAttribute('aria-labelledby') || '')
    .split(/\s+/).map((id) => document.getElementById(id)).filter(Boolean).map((n) => n.textContent).join(' '));
  const placeholderOnly = [], groups = new Map(), legends = [], forms = new Map(), fsNamed = new Map();
  const names = new Map(), hints = [];
  // Text written between a field's label and the field (a hint, a format) that the field does not point to with
  // aria-describedby: seen, never heard with the field.
  const hint = (el) => {
    const label = [...(el.labels || [])].find((l) => !l.contains(el));
    if (!label || hints.length >= max || label.parentElement !== el.parentElement) return;
    const described = new Set((el.getAttribute('aria-describedby') || '').split(/\s+/).filter(Boolean));
    let steps = 0;
    for (let n = label.nextElementSibling; n && n !== el && steps < 3; n = n.nextElementSibling, steps++) {
      if (!norm(n.textContent) || !n.getClientRects().length || n.matches('input, select, textarea, button, label'))
        continue;
      if ((n.id && described.has(n.id)) || [...n.querySelectorAll('[id]')].some((c) => described.has(c.id))) continue;
      hints.push({text: norm(n.textContent).slice(0, 120), target: cssPath(el), html: snippet(n)});
      return;
    }
  };
  // A label on the field's line but far from it (floated to opposite sides): a magnifier user sees one or the other
  const distant = [];
  const far = (el) => {
    const label = [...(el.labels || [])].find((l) => !l.contains(el) && norm(l.textContent));
    if (!label || distant.length >= max) return;
    const a = label.getBoundingClientRect(), b = el.getBoundingClientRect();
    const overlap = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top);
    if (!a.width || !b.width || overlap < 0.5 * Math.min(a.height, b.height)) return;
    const gap = Math.max(b.left - a.right, a.left - b.right);
    if (gap > farGap) distant.push({gap: Math.round(gap), label: norm(label.textContent).slice(0, 80),
      target: cssPath(el), html: snippet(el)});
  };
  for (const el of document.querySelectorAll('input, textarea, select, legend')) {
    if (el.tagName === 'LEGEND') {
      if (!norm(el.textContent) && el.parentElement && el.parentElement.tagName === 'FIELDSET' && legends.length < max)
        legends.push({target: cssPath(el), html: snippet(el.parentElement)});
      continue;
    }
    const type = (el.getAttribute('type') || 'text').toLowerCase();
    if (['hidden', 'submit', 'reset', 'button', 'image'].includes(type) || el.getClientRects().length === 0) continue;
    if (type === 'radio' || type === 'checkbox') {
      if (!el.name) continue;
      if (el.form && !forms.has(el.form)) forms.set(el.form, forms.size + 1);
      const key = type + '\u0000' + el.name + '\u0000' + (el.form ? forms.get(el.form) : 0);
      if (!groups.has(key)) groups.set(key, {type, name: el.name, count: 0, grouped: true, first: el});
      const g = groups.get(key);
      g.count += 1;
      const fs = el.closest('fieldset');
      const box = el.closest('[role=group], [role=radiogroup]');
      if (fs && !fsNamed.has(fs)) {
        const legend = [...fs.children].find((c) => c.tagName === 'LEGEND');  // once per fieldset
        fsNamed.set(fs, !!(legend && norm(legend.textContent)));
      }
      if (!((fs && fsNamed.get(fs)) || (box && named(box)))) g.grouped = false;
      continue;
    }
    const labelText = [...(el.labels || [])].map((l) => norm(l.textContent)).join(' ').trim();
    const name = named(el) || labelText;
    if (name) {  // the fields of one form (and one named fieldset) that share a name cannot be told apart by it
      const fs = el.closest('fieldset');
      const legend = fs && [...fs.children].find((c) => c.tagName === 'LEGEND');
      if (el.form && !forms.has(el.form)) forms.set(el.form, forms.size + 1);
      const key = (el.form ? forms.get(el.form) : 0) + '\u0000' + (legend ? norm(legend.textContent) : '') +
        '\u0000' + name.toLowerCase();
      if (!names.has(key)) names.set(key, []);
      names.get(key).push(el);
    }
    hint(el);
    far(el);
    if (!norm(el.getAttribute('placeholder'))) continue;
    const labelled = !!labelText || named(el) || norm(el.title);
    if (labelled || placeholderOnly.length >= max) continue;
    placeholderOnly.push({placeholder: norm(el.getAttribute('placeholder')), target: cssPath(el), html: snippet(el)});
  }
  const ungrouped = [...groups.values()].filter((g) => g.count >= 2 && !g.grouped).slice(0, max)
    .map((g) => ({type: g.type, name: g.name, count: g.count, target: cssPath(g.first), html: snippet(g.first)}));
  const sameName = [...names.values()].filter((els) => els.length >= 2).slice(0, max)
    .flatMap((els) => els.slice(0, 10).map((el) => ({name: named(el) ||
      [...el.labels].map((l) => norm(l.textContent)).join(' ').trim(), count: els.length,
      target: cssPath(el), html: snippet(el)})));
  // An error message on show while no field says it is in error (aria-invalid) or carries the message
  const ERROR = new RegExp('\\b(errors?|invalid|incorrect|correctly|not valid|wrong|required|must|problem|fix|' +
    'try again)\\b|' +
    'エラー|誤り|正しく|入力してください|必須', 'i');
  const errors = [];
  const invalid = document.querySelector('[aria-invalid=true i]');
  if (!invalid) {
    const shown = 'form [role=alert], form [class*=error i], form [id*=error i], [role=alert]';
    for (const el of document.querySelectorAll(shown)) {
      if (errors.length >= 5 || !el.getClientRects().length || !ERROR.test(el.textContent)) continue;
      if (el.closest('form') === null && !document.querySelector('form input, form select, form textarea')) continue;
      if (errors.some((e) => e.el.contains(el) || el.contains(e.el))) continue;
      errors.push({el, text: norm(el.textContent).slice(0, 160)});
    }
  }
  return {placeholderOnly, ungrouped, legends, sameName, hints, distant,
    errors: errors.map((e) => ({text: e.text, target: cssPath(e.el), html: snippet(e.el)}))};
}""")


# What the page script found (its key), the rule, its criteria and impact, the message (filled from the item) and
# the item's fields kept as the finding's details, in the order findings are listed.
RULES = (
    ("placeholderOnly", "placeholder-only-label", ["1.3.1", "3.3.2"], "serious",
     "The field's only label is its placeholder '{placeholder}', which disappears once the user types: check that a "
     "visible label is tied to it.", ("placeholder",)),
    ("ungrouped", "option-group-no-name", ["1.3.1"], "moderate",
     "{count} {type} inputs named '{name}' form a group with no group name (fieldset with legend, or "
     "role=group/radiogroup with a name): check that the question is tied to the options.", ("name", "count")),
    ("sameName", "field-label-not-unique", ["2.4.6", "3.3.2"], "moderate",
     "{count} fields of one form are labelled '{name}': check that each label says which value goes where (e.g. "
     "'Your name' and 'Partner's name').", ("name", "count")),
    ("hints", "field-hint-not-tied", ["1.3.1", "3.3.2"], "moderate",
     "The text '{text}' stands between the field's label and the field, but the field does not point to it "
     "(aria-describedby), so a screen reader does not read it with the field: check whether it is a hint that "
     "belongs to the field.", ("text",)),
    ("distant", "label-far-from-field", ["1.3.1", "3.3.2"], "moderate",
     "The label '{label}' is {gap} px from its field on the same line: check that a user who sees part of the screen "
     "(a magnifier) can tell which field it labels (G162).", ("label", "gap")),
    ("errors", "error-not-tied-to-field", ["3.3.1", "3.3.3"], "serious",
     "The page shows an error message ('{text}') but no field is marked as being in error (aria-invalid): check that "
     "each field in error is named in text, tied to its message, and told how to put it right.", ("text",)),
    ("legends", "legend-empty", ["1.3.1"], "moderate",
     "The fieldset's legend is empty, so the group has no name.", ()),
)  # fmt: skip


class FormGrouping(PageCheck):
    id = "form-grouping"
    title = "Form fields have labels beyond placeholders; option groups have a group name"
    messages = {
        "placeholder-only-label": {
            "ja": "入力欄のラベルがプレースホルダー「{placeholder}」だけで、入力を始めると消えます。",
            "fix_ja": "入力欄に常に表示される label 要素を関連付ける。",
            "fix_en": "Give the field a visible label element; a placeholder disappears once the user types.",
            "help": "https://www.w3.org/WAI/WCAG22/Understanding/labels-or-instructions.html",
        },
        "option-group-no-name": {
            "ja": (
                "同じ name「{name}」のラジオボタンまたはチェックボックスの組"
                "に、グループ名（fieldset と legend など）がありません。"
            ),
            "fix_ja": "選択肢の組を fieldset で囲み、legend で設問を示す。",
            "fix_en": "Wrap the options in a fieldset whose legend states the question.",
            "help": "https://www.w3.org/WAI/WCAG22/Techniques/html/H71",
        },
        "field-label-not-unique": {
            "ja": (
                "同じフォームの {count} 個の入力欄が、同じラベル「{name}」です。"
                "どの欄に何を入力するか区別できるか確認してください。"
            ),
            "fix_ja": "ラベルをそれぞれ区別できる文言にする（例:「申請者の氏名」「代理人の氏名」）。",
            "fix_en": "Give each field a label of its own (e.g. 'Applicant's name' and 'Agent's name').",
            "help": "https://www.w3.org/WAI/WCAG22/Understanding/headings-and-labels.html",
        },
        "field-hint-not-tied": {
            "ja": (
                "ラベルと入力欄の間にある説明「{text}」が入力欄に関連付けられておらず（aria-describedby なし）、"
                "スクリーンリーダーでは入力欄と一緒に読まれません。"
            ),
            "fix_ja": "説明の要素に id を付け、入力欄の aria-describedby で参照する。",
            "fix_en": "Give the hint an id and point the field's aria-describedby to it.",
            "help": "https://www.w3.org/WAI/WCAG22/Techniques/aria/ARIA1",
        },
        "label-far-from-field": {
            "ja": (
                "ラベル「{label}」が、同じ行の入力欄から {gap} px 離れています。"
                "画面の一部を拡大して見る利用者が、どの欄のラベルか分かるか確認してください。"
            ),
            "fix_ja": "ラベルを入力欄のすぐ隣（左または上）に置く。",
            "fix_en": "Place the label right next to its field (before it or above it).",
            "help": "https://www.w3.org/WAI/WCAG22/Techniques/general/G162",
        },
        "error-not-tied-to-field": {
            "ja": (
                "エラーメッセージ「{text}」が表示されていますが、どの入力欄も誤りとして示されていません"
                "（aria-invalid なし）。誤りのある欄と直し方がテキストで示されているか確認してください。"
            ),
            "fix_ja": (
                '誤りのある欄に aria-invalid="true" を付け、欄ごとのエラー文（直し方を含む）を'
                " aria-describedby で関連付ける。"
            ),
            "fix_en": 'Mark each field in error aria-invalid="true" and tie its own message, with the fix, to it.',
            "help": "https://www.w3.org/WAI/WCAG22/Understanding/error-identification.html",
        },
        "legend-empty": {
            "ja": "fieldset の legend が空で、グループの名前がありません。",
            "fix_ja": "legend にグループの設問や名前を書く。",
            "fix_en": "Write the group's question or name in the legend.",
            "help": "https://www.w3.org/WAI/WCAG22/Techniques/html/H71",
        },
    }
    criteria = {"1.3.1": PARTIAL, "3.3.2": PARTIAL, "2.4.6": AID, "3.3.1": AID, "3.3.3": AID}
    primary_only = True  # the markup is the same in every browser and viewport
    order = 30
    reads_only = True

    async def run(self, ctx: PageContext) -> list[Finding]:
        found = await ctx.session.evaluate(FORMS_JS, [MAX_FINDINGS, FAR_GAP])
        return ctx.reviews(RULES, lambda key: found[key][:MAX_FINDINGS])
