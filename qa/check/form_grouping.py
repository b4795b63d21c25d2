"""Form structure heuristics (1.3.1, 3.3.2): an input labelled only by its placeholder, a radio or checkbox group
without a group name, and an empty legend. A person checks each: the visible context may carry what the markup lacks.

axe-core accepts a placeholder as an input's name (its label rule's non-empty-placeholder), so a placeholder-only
field passes there; the placeholder disappears on typing, so the field loses its visible label.
"""

from __future__ import annotations

from qa.check import PARTIAL, PageCheck, PageContext
from qa.check._js import with_helpers
from qa.model import NEEDS_REVIEW, Finding

MAX_FINDINGS = 50

FORMS_JS = with_helpers(r"""(max) => {
  const norm = (s) => (s || '').replace(/\s+/g, ' ').trim();
  const named = (el) => norm(el.getAttribute('aria-label')) || norm((el.getAttribute('aria-labelledby') || '')
    .split(/\s+/).map((id) => document.getElementById(id)).filter(Boolean).map((n) => n.textContent).join(' '));
  const placeholderOnly = [], groups = new Map(), legends = [], forms = new Map(), fsNamed = new Map();
  for (const el of document.querySelectorAll('input, textarea, legend')) {
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
    if (!norm(el.getAttribute('placeholder'))) continue;
    const labelled = [...(el.labels || [])].some((l) => norm(l.textContent)) || named(el) || norm(el.title);
    if (labelled || placeholderOnly.length >= max) continue;
    placeholderOnly.push({placeholder: norm(el.getAttribute('placeholder')), target: cssPath(el), html: snippet(el)});
  }
  const ungrouped = [...groups.values()].filter((g) => g.count >= 2 && !g.grouped).slice(0, max)
    .map((g) => ({type: g.type, name: g.name, count: g.count, target: cssPath(g.first), html: snippet(g.first)}));
  return {placeholderOnly, ungrouped, legends};
}""")


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
        "legend-empty": {
            "ja": "fieldset の legend が空で、グループの名前がありません。",
            "fix_ja": "legend にグループの設問や名前を書く。",
            "fix_en": "Write the group's question or name in the legend.",
            "help": "https://www.w3.org/WAI/WCAG22/Techniques/html/H71",
        },
    }
    criteria = {"1.3.1": PARTIAL, "3.3.2": PARTIAL}
    primary_only = True  # the markup is the same in every browser and viewport
    order = 30
    reads_only = True

    async def run(self, ctx: PageContext) -> list[Finding]:
        found = await ctx.session.evaluate(FORMS_JS, MAX_FINDINGS)
        findings: list[Finding] = []
        for f in found["placeholderOnly"][:MAX_FINDINGS]:
            findings.append(
                ctx.finding(
                    "placeholder-only-label",
                    NEEDS_REVIEW,
                    ["1.3.1", "3.3.2"],
                    target=f["target"],
                    html=f["html"],
                    impact="serious",
                    message=f"The field's only label is its placeholder '{f['placeholder']}', which disappears once "
                    "the user types: check that a visible label is tied to it.",
                    details={"placeholder": f["placeholder"]},
                )
            )
        for g in found["ungrouped"][:MAX_FINDINGS]:
            findings.append(
                ctx.finding(
                    "option-group-no-name",
                    NEEDS_REVIEW,
                    ["1.3.1"],
                    target=g["target"],
                    html=g["html"],
                    impact="moderate",
                    message=f"{g['count']} {g['type']} inputs named '{g['name']}' form a group with no group name "
                    "(fieldset with legend, or role=group/radiogroup with a name): check that the question is "
                    "tied to the options.",
                    details={"name": g["name"], "count": g["count"]},
                )
            )
        for legend in found["legends"][:MAX_FINDINGS]:
            findings.append(
                ctx.finding(
                    "legend-empty",
                    NEEDS_REVIEW,
                    ["1.3.1"],
                    target=legend["target"],
                    html=legend["html"],
                    impact="moderate",
                    message="The fieldset's legend is empty, so the group has no name.",
                )
            )
        return findings
