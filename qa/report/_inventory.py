"""What the workbooks say about the run's page inventory (``qa.judge.inventory``): the page counts every deliverable
shows alike, the 例外事項 sheet listing each page that could not be audited once, and the words for a check family
that did not run."""

from __future__ import annotations

from typing import Any

from openpyxl import Workbook

from qa.judge.inventory import NOT_RUN_JA, Inventory
from qa.report._xlsx import write_table

PAGES = "ページ数 / Pages"
ALIASES = "うち別名のURL（同一ページ） / Other addresses of these pages"
EXCEPTIONS = "例外事項（監査できなかったページ） / Exceptions (pages not audited)"
EXCEPTION_SHEET = "例外事項 (Exceptions)"
FAMILY_JA = {
    "a11y": "アクセシビリティチェック / accessibility checks",
    "links": "リンクチェック / link check",
    "browsers": "ブラウザチェック / browser checks",
    "ops": "運用チェック / operation checks",
}


# What each family's results appear in, for the "not run" notes of the summaries.
DELIVERABLES = {
    "a11y": "checklist-*.xlsx (the criteria stay 未検証 / not verified)",
    "links": "link-check.xlsx",
    "browsers": "browser-check.xlsx",
    "ops": "operation-check.xlsx (its automated rows stay 未確認)",
}


def count_rows(inventory: Inventory) -> list[tuple[str, int]]:
    """The page counts, worded the same in every workbook (a test compares them across the deliverables)."""
    return [
        (PAGES, len(inventory.pages)),
        (ALIASES, sum(len(p.aliases) for p in inventory.pages)),
        (EXCEPTIONS, len(inventory.exceptions)),
    ]


def not_run_text(inventory: Inventory, family: str) -> str:
    """``未実施 / not run — qa audit --only links (nox -s links)``."""
    command = inventory.not_run().get(family, "")
    return f"{NOT_RUN_JA} / not run: {FAMILY_JA.get(family, family)} — {command}"


def exceptions_sheet(wb: Workbook, inventory: Inventory) -> Any:
    """Every page the run could not audit, once, with the reason (and a row saying so when there is none)."""
    ws = wb.create_sheet(EXCEPTION_SHEET)
    rows: list[list[Any]] = [
        [n, e.url, e.status or "", e.kind, e.reason] for n, e in enumerate(inventory.exceptions, 1)
    ] or [["", "なし / none: every page found was audited", "", "", ""]]
    write_table(
        ws,
        ["No.", "URL", "ステータス / Status", "種別 / Kind", "理由 / Reason"],
        rows,
        [6, 60, 10, 14, 70],
    )
    return ws
