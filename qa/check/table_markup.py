"""Table markup heuristics (1.3.1): a data table without header cells, and a table used for layout not marked
role=presentation. Whether a grid of cells is data or layout is a person's call: both are needs-review.

A table without th, scope, headers or header roles is "layout-like" when it nests another table, has a single
column, or a single row; otherwise it reads as a data table whose headers are not marked up.
"""

from __future__ import annotations

from qa.check import PARTIAL, PageCheck, PageContext
from qa.check._js import with_helpers
from qa.model import NEEDS_REVIEW, Finding

MAX_FINDINGS = 50

TABLES_JS = with_helpers(r"""() => {
  const out = [], tables = [...document.querySelectorAll('table')], nesting = new Set();
  const presentational = (t) => ['presentation', 'none'].includes((t.getAttribute('role') || '').toLowerCase());
  const outerOf = new Map(tables.map((t) => [t, t.parentElement && t.parentElement.closest('table')]));
  for (const outer of outerOf.values()) if (outer) nesting.add(outer);
  for (const t of tables) {
    if (out.length >= 50) break;  // MAX_FINDINGS
    if (presentational(t) || t.getClientRects().length === 0) continue;
    // A table inside a table is judged with its outer table (one finding for one layout grid).
    const outer = outerOf.get(t);
    if (outer && !presentational(outer)) continue;
    let cols = 0, headers = false;
    for (const row of t.rows) {
      cols = Math.max(cols, row.cells.length);
      for (const c of row.cells) {
        if (c.tagName === 'TH' || c.hasAttribute('scope') || c.hasAttribute('headers') ||
            ['columnheader', 'rowheader'].includes(c.getAttribute('role'))) { headers = true; break; }
      }
      if (headers) break;
    }
    if (headers || t.rows.length === 0) continue;
    out.push({rows: t.rows.length, cols, nested: nesting.has(t),
      caption: !!(t.caption && t.caption.textContent.trim()), target: cssPath(t), html: snippet(t)});
  }
  return out;
}""")


class TableMarkup(PageCheck):
    id = "table-markup"
    title = "Data tables mark their headers; layout tables are presentational"
    messages = {
        "table-no-headers": {
            "ja": "見出しセル（th、scope、headers）のない表があります。データ表なら見出しを関連付けてください。",
            "fix_ja": "データ表の見出しセルを th にし、必要に応じて scope を付ける。",
            "fix_en": "Mark the data table's header cells as th (with scope where needed).",
            "help": "https://www.w3.org/WAI/WCAG22/Techniques/html/H51",
        },
        "layout-table-not-presentational": {
            "ja": 'レイアウト目的と思われる表に role="presentation" がありません。',
            "fix_ja": 'レイアウトは CSS で行うか、レイアウト用の表に role="presentation" を付ける。',
            "fix_en": 'Lay the page out with CSS, or give the layout table role="presentation".',
            "help": "https://www.w3.org/WAI/WCAG22/Techniques/failures/F46",
        },
    }
    criteria = {"1.3.1": PARTIAL}
    primary_only = True  # the markup is the same in every browser and viewport
    order = 30
    reads_only = True

    async def run(self, ctx: PageContext) -> list[Finding]:
        findings: list[Finding] = []
        for t in (await ctx.session.evaluate(TABLES_JS))[:MAX_FINDINGS]:
            layout = t["nested"] or t["cols"] <= 1 or t["rows"] <= 1
            size = f"{t['rows']} rows × {t['cols']} columns"
            if layout and not t["caption"]:
                why = "nests another table" if t["nested"] else "has a single row or column"
                rule, message = (
                    "layout-table-not-presentational",
                    f"The table ({size}) has no header cells and {why}, so it looks like layout: if it is, give it "
                    'role="presentation"; if it holds data, mark its headers.',
                )
            else:
                rule, message = (
                    "table-no-headers",
                    f"The table ({size}) has no header cells (th, scope, headers): if it is a data table, its "
                    "headers are not tied to its cells.",
                )
            findings.append(
                ctx.finding(
                    rule,
                    NEEDS_REVIEW,
                    ["1.3.1"],
                    target=t["target"],
                    html=t["html"],
                    message=message,
                    impact="moderate",
                    details={"rows": t["rows"], "cols": t["cols"]},
                )
            )
        return findings
