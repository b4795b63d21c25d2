"""What the workbooks say about the run's page inventory (``qa.judge.inventory``): the page counts every deliverable
shows alike, the 例外事項 sheet listing each page that could not be audited once, and the words for a check family
that did not run."""

from __future__ import annotations

from typing import Any

from openpyxl import Workbook

from qa.judge.inventory import NOT_RUN_JA, Inventory
from qa.report._vocab import pick
from qa.report._xlsx import write_table
from qa.vocab import PREPUBLISH_FAMILIES

PAGES = ("ページ数", "Pages")
ALIASES = ("これらのページの別名のURL（ページ数に含まない）", "Other addresses of these pages")
EXCEPTIONS = ("例外事項（監査できなかったページ）", "Exceptions (pages not audited)")
EXCEPTION_SHEET = ("例外事項", "Exceptions")
NONE = ("なし（見つかったページはすべて試験済み）", "none: every page found was audited")
# An interrupted run did not visit every page it found: its list of exceptions cannot say that.
NONE_PARTIAL = (
    "記録なし（実行が中断されたため、未訪問のページはこの一覧にない。--resume で再開できる）",
    "none recorded: the run was interrupted, so pages it had not visited are not listed (continue it with --resume)",
)
# The check families in the deliverables' words (workbooks, INDEX.md, summary.md).
FAMILY_WORDS = {
    "a11y": ("アクセシビリティチェック", "accessibility checks"),
    "links": ("リンクチェック", "link check"),
    "browsers": ("ブラウザチェック", "browser checks"),
    "ops": ("運用チェック", "operation checks"),
    "tls": ("HTTPS・証明書チェック", "HTTPS and certificate checks"),
    "security": ("セキュリティ露出チェック", "security exposure checks"),
    "privacy": ("同意前プライバシーチェック", "privacy-before-consent checks"),
    "seo": ("SEOチェック", "SEO checks"),
    "language": ("スペル・言語チェック", "spelling and language checks"),
}

# What each family's results appear in, for the "not run" notes of the summaries.
DELIVERABLES = {
    "a11y": ("checklist-*.xlsx（達成基準は未検証のまま）", "checklist-*.xlsx (the criteria stay not verified)"),
    "links": ("link-check.xlsx", "link-check.xlsx"),
    "browsers": ("browser-check.xlsx", "browser-check.xlsx"),
    "ops": (
        "operation-check.xlsx（自動チェックの行は未確認のまま）",
        "operation-check.xlsx (its automated rows stay unconfirmed)",
    ),
    **{
        family: ("prepublish-check.xlsx（該当シートは未実施と表示）", "prepublish-check.xlsx (its sheets say not run)")
        for family in PREPUBLISH_FAMILIES
    },
}


def family_text(family: str, lang: str) -> str:
    return pick(FAMILY_WORDS[family], lang) if family in FAMILY_WORDS else family


def deliverable_text(family: str, lang: str) -> str:
    return pick(DELIVERABLES[family], lang) if family in DELIVERABLES else ""


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
    "step-failed": "事前操作（steps）が実行できなかったため試験できず",
}


# The kinds of fault in a word (the 種別 column), by qa.visit.faults' kind.
KIND_WORDS = {
    "http-error": ("HTTPエラー", "HTTP error"),
    "not-html": ("HTML以外", "not HTML"),
    "download": ("ダウンロード", "download"),
    "timeout": ("時間切れ", "timeout"),
    "unresponsive": ("応答なし", "unresponsive"),
    "crash": ("タブ異常終了", "tab crash"),
    "browser-crash": ("ブラウザ異常終了", "browser crash"),
    "network": ("接続不可", "network"),
    "aborted": ("中断", "aborted"),
    "redirect-loop": ("転送の繰り返し", "redirect loop"),
    "too-large": ("大きすぎる", "too large"),
    "binary": ("バイナリ", "binary"),
    "off-site": ("別サイトへ転送", "off-site"),
    "interrupted": ("未試験（中断）", "interrupted"),
    "step-failed": ("事前操作の失敗", "step failed"),
}


def kind_text(kind: str, lang: str) -> str:
    return pick(KIND_WORDS[kind], lang) if kind in KIND_WORDS else (kind if lang != "ja" else f"その他（{kind}）")


def reason_ja(kind: str, status: int | None, reason: str) -> str:
    """The reason in Japanese words, the recorded English detail after it."""
    words = REASON_JA.get(kind, "試験できなかったページ").format(status=status or "")
    return f"{words}（{reason}）" if reason else words


def reason_text(kind: str, status: int | None, reason: str, lang: str) -> str:
    return reason_ja(kind, status, reason) if lang == "ja" else reason


def count_rows(inventory: Inventory, lang: str) -> list[tuple[str, int]]:
    """The page counts, worded the same in every workbook (a test compares them across the deliverables)."""
    return [
        (pick(PAGES, lang), len(inventory.pages)),
        (pick(ALIASES, lang), sum(len(p.aliases) for p in inventory.pages)),
        (pick(EXCEPTIONS, lang), len(inventory.exceptions)),
    ]


def not_run_text(inventory: Inventory, family: str, lang: str) -> str:
    """``未実施: リンクチェック — qa audit --only links (nox -s links)`` (the command stays as typed)."""
    command = inventory.not_run().get(family, "")
    family_words = family_text(family, lang)
    if lang == "ja":
        return f"{NOT_RUN_JA}: {family_words}（実行するコマンド: {command}）"
    return f"Not run: {family_words} — run {command}"


def exceptions_sheet(wb: Workbook, inventory: Inventory, lang: str, partial: bool = False) -> Any:
    """Every page the run could not audit, once, with the reason (and a row saying so when there is none; for an
    interrupted run, ``partial``, that row does not claim every page found was audited)."""
    ws = wb.create_sheet(pick(EXCEPTION_SHEET, lang))
    rows: list[list[Any]] = [
        [n, e.url, e.status or "", kind_text(e.kind, lang), reason_text(e.kind, e.status, e.reason, lang)]
        for n, e in enumerate(inventory.exceptions, 1)
    ] or [["", pick(NONE_PARTIAL if partial else NONE, lang), "", "", ""]]
    write_table(
        ws,
        ["No.", "URL", *(pick(p, lang) for p in (("ステータス", "Status"), ("種別", "Kind"), ("理由", "Reason")))],
        rows,
        [6, 60, 10, 14, 70],
    )
    return ws


def skipped_browsers(results: Any) -> list[dict[str, Any]]:
    """The browsers of the matrix the run left out because they could not start (results.json matrix.skipped)."""
    return list((results.extra.get("matrix") or {}).get("skipped") or [])


def skipped_text(entry: dict[str, Any], lang: str) -> str:
    """``未実施: webkit — ブラウザを起動できず実行していない（理由）。対処: qa setup`` — never a pass."""
    if lang == "ja":
        return (
            f"{NOT_RUN_JA}: {entry['name']}（{entry['engine']}）— ブラウザを起動できず、このブラウザでは検査していない"
            f"（{entry['reason']}）。対処: {entry['fix']}"
        )
    return (
        f"Not run: {entry['name']} ({entry['engine']}) could not start and nothing was checked in it "
        f"({entry['reason']}); fix: {entry['fix']}"
    )
