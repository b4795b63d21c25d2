"""The success-criteria checklist workbook: one row per WCAG 2.2 A/AA criterion (plus 4.1.1), and every finding."""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook

from qa.judge.verdicts import FAIL, NOT_APPLICABLE, NOT_VERIFIED, PASS, REVIEW, judge
from qa.model import Results
from qa.report._xlsx import write_table

NAME = "checklist"
FILENAME = "checklist.xlsx"

VERDICT_TEXT = {
    FAIL: "不適合 / Fail",
    REVIEW: "要確認 / Needs review",
    PASS: "適合 / Pass",
    NOT_APPLICABLE: "適用なし / Not applicable",
    NOT_VERIFIED: "未確認 / Not verified",
}


def evidence_text(v) -> str:
    if not v.checks:
        return "自動チェックなし / no automated check"
    parts = [f"{v.violations} violation(s)", f"{v.needs_review} needs review"]
    if v.rules:
        parts.append("rules: " + ", ".join(f"{r} ({n})" for r, n in v.rules.most_common()))
    cov = "full" if v.coverage == "full" else "partial: a person must confirm"
    return f"checked by {', '.join(v.checks)} ({cov}); " + "; ".join(parts)


def render(results: Results, out_dir: Path) -> list[Path]:
    wb = Workbook()
    ws = wb.active
    ws.title = "Checklist"
    rows = []
    for v in judge(results):
        c = v.criterion
        rows.append(
            [
                c.sc,
                c.title_ja,
                c.title_en,
                c.level,
                c.added_in + (" (obsolete in 2.2)" if c.obsolete else ""),
                "yes" if c.in_jis2016 else "no",
                VERDICT_TEXT[v.verdict],
                v.verdict,
                v.violations,
                v.needs_review,
                v.pages_failing,
                evidence_text(v),
            ]
        )
    write_table(
        ws,
        [
            "SC",
            "達成基準",
            "Success criterion",
            "Level",
            "WCAG",
            "JIS X 8341-3:2016",
            "結果 / Result",
            "verdict",
            "Violations",
            "Needs review",
            "Pages failing",
            "Automated evidence",
        ],
        rows,
        [8, 30, 34, 7, 18, 10, 22, 14, 11, 12, 12, 70],
    )
    fs = wb.create_sheet("Findings")
    write_table(
        fs,
        [
            "Page",
            "Browser",
            "Viewport",
            "Seen in",
            "Rule",
            "SC",
            "Outcome",
            "Impact",
            "Target",
            "HTML",
            "Message",
            "Check",
            "Finding id",
        ],
        (
            [
                f.url,
                f.browser,
                f.viewport,
                ", ".join(f.seen_in),
                f.rule,
                ", ".join(f.sc),
                f.outcome,
                f.impact or "",
                f.target,
                f.html,
                f.message,
                f.check,
                f.id,
            ]
            for f in sorted(results.findings, key=lambda f: (f.url, f.rule, f.target))
        ),
        [50, 10, 10, 20, 24, 10, 13, 10, 40, 50, 60, 10, 18],
    )
    path = out_dir / FILENAME
    wb.save(path)
    return [path]
