"""What the workbooks say about the run's page inventory (``qa.judge.inventory``): the page counts every deliverable
shows alike, the 例外事項 sheet listing each page that could not be audited once, and the words for a check family
that did not run."""

from __future__ import annotations

from typing import Any

from openpyxl import Workbook

from qa.judge.inventory import NOT_RUN_JA, Inventory
from qa.report._xlsx import write_table
from qa.vocab import PREPUBLISH_FAMILIES

PAGES = "ページ数 / Pages"
ALIASES = "うち別名のURL（同一ページ） / Other addresses of these pages"
EXCEPTIONS = "例外事項（監査できなかったページ） / Exceptions (pages not audited)"
EXCEPTION_SHEET = "例外事項 (Exceptions)"
FAMILY_JA = {
    "a11y": "アクセシビリティチェック / accessibility checks",
    "links": "リンクチェック / link check",
    "browsers": "ブラウザチェック / browser checks",
    "ops": "運用チェック / operation checks",
    "tls": "HTTPS・証明書チェック / HTTPS and certificate checks",
    "security": "セキュリティ露出チェック / security exposure checks",
    "privacy": "同意前プライバシーチェック / privacy-before-consent checks",
    "seo": "SEOチェック / SEO checks",
    "language": "スペル・言語チェック / spelling and language checks",
}


# What each family's results appear in, for the "not run" notes of the summaries.
DELIVERABLES = {
    "a11y": "checklist-*.xlsx (the criteria stay 未検証 / not verified)",
    "links": "link-check.xlsx",
    "browsers": "browser-check.xlsx",
    "ops": "operation-check.xlsx (its automated rows stay 未確認)",
    **{family: "prepublish-check.xlsx (its sheets say 未実施)" for family in PREPUBLISH_FAMILIES},
}


# Why a page could not be audited, in Japanese, by the kind of fault its visit recorded (qa.visit.faults).
REASON_JA = {
    "http-error": "HTTP {status} を返したため試験対象外",
    "not-html": "HTMLでない文書（PDF・画像など）のため試験対象外",
    "download": "ダウンロードとして配信されたため試験対象外",
    "timeout": "時間内に読み込みが終わらなかったため試験できず",
    "unresponsive": "ページのスクリプトが応答しなかったため試験できず",
    "crash": "ブラウザのタブが異常終了したため試験できず",
    "browser-crash": "ブラウザが異常終了したため試験できず",
    "network": "接続できなかったため試験できず",
    "aborted": "読み込みが別の遷移で中断されたため試験できず",
    "redirect-loop": "転送が繰り返され表示が確定しないため試験できず",
    "too-large": "文書が大きすぎる（max_page_mb）ため試験対象外",
    "binary": "HTMLとして配信されたバイナリのため試験対象外",
    "off-site": "別のサイトへ転送されたため試験対象外",
    "interrupted": "実行の中断により未試験（--resume で再開できる）",
}


def reason_ja(kind: str, status: int | None, reason: str) -> str:
    """The reason in Japanese words, the recorded English detail after it."""
    words = REASON_JA.get(kind, "試験できなかったページ").format(status=status or "")
    return f"{words}（{reason}）" if reason else words


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
        [n, e.url, e.status or "", e.kind, reason_ja(e.kind, e.status, e.reason)]
        for n, e in enumerate(inventory.exceptions, 1)
    ] or [["", "なし / none: every page found was audited", "", "", ""]]
    write_table(
        ws,
        ["No.", "URL", "ステータス / Status", "種別 / Kind", "理由 / Reason"],
        rows,
        [6, 60, 10, 14, 70],
    )
    return ws
