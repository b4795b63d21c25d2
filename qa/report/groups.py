"""The findings-by-template workbook: one row per group (a defect fixed once in a template or component, with
the pages it affects), and each group's pages — the grouped view next to the checklist's per-page findings."""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook

from qa.judge.groups import group_findings, page_templates
from qa.model import Results
from qa.report._xlsx import save_workbook, write_table

NAME = "groups"
FILENAME = "findings-by-template.xlsx"
EXAMPLE_PAGES = 5


def _counts(counts: dict[str, int]) -> str:
    return ", ".join(f"{k} ({n})" for k, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))


def render(results: Results, out_dir: Path) -> list[Path]:
    groups = group_findings(results)
    wb = Workbook()
    ws = wb.active
    ws.title = "Groups"
    write_table(
        ws,
        [
            "Group",
            "Rule",
            "SC",
            "Outcome",
            "Impact",
            "Pages",
            "Findings",
            "対応 / Fix",
            "Post types",
            "Templates",
            "Selector",
            "HTML shape",
            "Example HTML",
            "Message",
            "Example pages",
        ],
        (
            [
                g.id,
                g.rule,
                ", ".join(g.sc),
                g.outcome,
                g.impact or "",
                g.page_count,
                len(g.findings),
                ("テンプレートで一括修正 / " if g.shared else "") + g.summary(),
                _counts(g.post_types),
                _counts(g.templates),
                g.selector,
                g.html_shape,
                g.example_html,
                g.message,
                "\n".join(g.pages[:EXAMPLE_PAGES])
                + (f"\n… +{g.page_count - EXAMPLE_PAGES}" if g.page_count > EXAMPLE_PAGES else ""),
            ]
            for g in groups
        ),
        [14, 22, 9, 12, 10, 8, 9, 40, 22, 34, 36, 26, 40, 50, 50],
    )
    wordpress = page_templates(results)
    ps = wb.create_sheet("Pages by group")
    write_table(
        ps,
        ["Group", "Rule", "Page", "Post type", "Template"],
        (
            [g.id, g.rule, url, wordpress.get(url, {}).get("type", ""), wordpress.get(url, {}).get("template", "")]
            for g in groups
            for url in g.pages
        ),
        [14, 22, 60, 14, 30],
    )
    path = out_dir / FILENAME
    save_workbook(wb, path)
    return [path]
