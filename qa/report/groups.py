"""The findings-by-template workbook: one row per group (a defect fixed once in a template or component, with
the pages it affects), and each group's pages — the grouped view next to the checklist's per-page findings.
Japanese words with ``lang: ja`` (the default), English with ``en``. Pages are the run's inventory pages: a finding
on another address of a page was folded onto it, so one defect on one page is never "fix once in the template"."""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook

from qa.judge.groups import FindingGroup, group_findings, page_templates
from qa.judge.inventory import inventory_of
from qa.model import Finding, Results
from qa.report._axe_ja import Messages
from qa.report._inventory import count_rows, exceptions_sheet
from qa.report._vocab import OUTCOMES, lang_of, pick
from qa.report._xlsx import finish_print, run_header, save_workbook, write_table

NAME = "groups"
FILENAME = "findings-by-template.xlsx"
EXAMPLE_PAGES = 5
TITLE = ("テンプレート別指摘事項", "Findings by template")
SHEETS = {
    "groups": ("グループ", "Groups"),
    "pages": ("グループ別ページ", "Pages by group"),
    "summary": ("概要", "Summary"),
}


def _counts(counts: dict[str, int]) -> str:
    return ", ".join(f"{k} ({n})" for k, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))


def fix_text(g: FindingGroup, lang: str) -> str:
    """Where to fix the group, in the deliverables' language."""
    if lang != "ja":
        return ("fix once in a template / " if g.shared else "") + g.summary()
    if not g.shared:
        return "1 ページ"
    where = "テーマ" if g.templates else "共通のテンプレートまたは部品"
    return f"テンプレートで一括修正: {where}で一度直す（{g.page_count} ページに影響）"


def render(results: Results, out_dir: Path) -> list[Path]:
    config = results.run.config or {}
    lang = lang_of(results)
    words = Messages(config, lang)
    groups = group_findings(results)
    ja = lang == "ja"

    by_id = {f.id: f for f in results.findings}

    def first(g: FindingGroup) -> Finding:  # the group's example finding: its words stand for the group
        return next((by_id[i] for i in g.findings if i in by_id), None) or _finding(g)

    wb = Workbook()
    ws = wb.active
    ws.title = pick(SHEETS["groups"], lang)
    headers = (
        ["グループ", "ルール", "達成基準", "種別", "影響度", "ページ数", "指摘数", "対応", "修正方法"]
        + ["投稿タイプ", "テンプレート", "セレクタ", "HTML の形", "HTML の例", "メッセージ", "ページの例"]
        if ja
        else ["Group", "Rule", "SC", "Outcome", "Impact", "Pages", "Findings", "Where to fix", "How to fix"]
        + ["Post types", "Templates", "Selector", "HTML shape", "Example HTML", "Message", "Example pages"]
    )
    write_table(
        ws,
        headers,
        (
            [
                g.id,
                g.rule,
                words.sc_text(first(g)),
                pick(OUTCOMES.get(g.outcome, (g.outcome, g.outcome)), lang),
                words.impact(first(g)),
                g.page_count,
                len(g.findings),
                fix_text(g, lang),
                words.fix(first(g)),
                _counts(g.post_types),
                _counts(g.templates),
                g.selector,
                g.html_shape,
                g.example_html,
                words.message(first(g)),
                "\n".join(g.pages[:EXAMPLE_PAGES])
                + (f"\n… +{g.page_count - EXAMPLE_PAGES}" if g.page_count > EXAMPLE_PAGES else ""),
            ]
            for g in groups
        ),
        [14, 16, 8, 7, 7, 6, 6, 30, 26, 14, 18, 20, 18, 24, 34, 34],
        hidden=(12, 13, 14),  # the HTML and selector shapes: for the developer who fixes it, in results.json too
    )
    wordpress = page_templates(results)
    ps = wb.create_sheet(pick(SHEETS["pages"], lang))
    write_table(
        ps,
        ["グループ", "ルール", "ページ", "投稿タイプ", "テンプレート"]
        if ja
        else ["Group", "Rule", "Page", "Post type", "Template"],
        (
            [g.id, g.rule, url, wordpress.get(url, {}).get("type", ""), wordpress.get(url, {}).get("template", "")]
            for g in groups
            for url in g.pages
        ),
        [14, 22, 60, 14, 30],
    )
    inventory = inventory_of(results)
    about = wb.create_sheet(pick(SHEETS["summary"], lang))
    write_table(
        about,
        [pick(("項目", "Item"), lang), pick(("値", "Value"), lang)],
        [*count_rows(inventory, lang), (pick(("グループ数", "Groups"), lang), len(groups))],
        [60, 14],
    )
    exceptions_sheet(wb, inventory, lang, partial=results.run.status != "complete")
    finish_print(wb, run_header(results, TITLE))
    path = out_dir / FILENAME
    save_workbook(wb, path)
    return [path]


def _finding(g: FindingGroup) -> Finding:
    """A stand-in finding with the group's rule, criteria and impact, for the words of a group without one."""
    return Finding(rule=g.rule, outcome=g.outcome, url="", browser="", viewport="", sc=list(g.sc), impact=g.impact)
