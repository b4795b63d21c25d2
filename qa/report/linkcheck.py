"""リンクチェック結果 / Link check results workbook: summary, broken links, warnings, information (redirects to a
working page, with their chain: the address to update the link to), every link.

Japanese with ``lang: ja`` (the default), English with ``en``; printable on A4 landscape."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font

from qa.model import Results
from qa.report._vocab import lang_of, pick
from qa.report._xlsx import finish_print, local_time, run_header, safe, save_workbook, setup_print, write_table
from qa.urls import same_origin

NAME = "linkcheck"
FILENAME = "link-check.xlsx"

RESULT_TEXT = {
    "broken": ("リンク切れ", "Broken"),
    "warning": ("警告", "Warning"),
    "info": ("情報", "Info"),
    "ok": ("正常", "OK"),
    "ignored": ("対象外", "Not checked"),
}
ISSUE_TEXT = {
    "redirect": ("リダイレクト", "Redirect"),
    "missing-anchor": ("ページ内リンク先なし", "Missing anchor"),
    "insecure-link": ("安全でないリンク (http)", "Insecure link"),
    "mixed-content": ("混在コンテンツ", "Mixed content"),
    "rate-limited": ("アクセス制限 (429)", "Rate limited"),
    "http-error": ("HTTPエラー", "HTTP error"),
    "unreachable": ("接続できない", "Unreachable"),
    "mailto-syntax": ("メールアドレスの誤り", "Bad mailto:"),
    "tel-syntax": ("電話番号の誤り", "Bad tel:"),
    "local-file": ("ローカルファイル", "Local file"),
    "not-checked": ("未確認", "Not checked"),
}
ELEMENT_TEXT = {
    "a": ("リンク", "link"),
    "area": ("イメージマップ", "image map"),
    "img": ("画像", "image"),
    "meta refresh": ("自動転送", "meta refresh"),
}


SHEETS = {
    "summary": ("概要", "Summary"),
    "broken": ("リンク切れ", "Broken"),
    "warnings": ("警告", "Warnings"),
    "info": ("情報", "Info"),
    "all": ("全リンク", "All links"),
}
HEADERS = {
    "source": ("リンク元ページ", "Source page"),
    "text": ("リンクテキスト", "Link text"),
    "element": ("要素", "Element"),
    "url": ("リンク先", "URL"),
    "status": ("ステータス", "Status"),
    "reason": ("理由", "Reason"),
    "scope": ("内部・外部", "Scope"),
    "kind": ("種類", "Kind"),
    "chain": ("リダイレクト", "Redirect chain"),
    "final": ("最終URL", "Final URL"),
    "result": ("結果", "Result"),
}
TITLE = ("リンクチェック結果", "Link check results")
NOTES = (
    "リンクはブラウザで表示した後のページ（JavaScript 実行後）から収集し、各URLを1回だけ確認しました。"
    "警告：存在しないページ内リンク先、https ページ上の http リンク・リソース。"
    "情報：正常なページへのリダイレクト（リンクを最終URLに更新してください）。",
    "Links were collected from the rendered page (after JavaScript) and each URL was requested once. "
    "Warnings: missing anchors, http:// links or resources on https pages. "
    "Info: redirects to a working page (update the link to the final URL).",
)


def vocab_text(words: dict[str, tuple[str, str]], key: str, lang: str) -> str:
    return pick(words[key], lang) if key in words else key


def issues_text(row: dict[str, Any], lang: str = "ja") -> str:
    return ", ".join(vocab_text(ISSUE_TEXT, i, lang) for i in row.get("issues", []))


def scope_text(row: dict[str, Any], lang: str = "ja") -> str:
    return pick(("内部", "internal") if row.get("internal") else ("外部", "external"), lang)


def reason_text(row: dict[str, Any], lang: str) -> str:
    """The link checker's reason (its own English words, kept as recorded) after what it means."""
    reason = str(row.get("reason") or "")
    if lang != "ja" or not reason:
        return reason
    status = row.get("status")
    if isinstance(status, int) and status >= 400:
        words = f"HTTP {status} エラー"
    elif row.get("result") == "broken":
        words = "接続できない"
    elif row.get("issues"):
        words = issues_text(row, lang)
    else:
        words = vocab_text(RESULT_TEXT, str(row.get("result", "")), lang)
    return f"{words}（{reason}）"


def chain_text(row: dict[str, Any]) -> str:
    return " → ".join(f"{h['status']} {h['url']}" if h["status"] else h["url"] for h in row.get("redirects") or [])


# links[] written by other tools or older versions may carry only the documented core keys.
LINK_DEFAULTS: dict[str, Any] = {
    "text": "",
    "element": "a",
    "status": None,
    "reason": "",
    "redirects": [],
    "issues": [],
    "internal": None,
}


def link_rows(results: Results) -> list[dict[str, Any]]:
    rows = []
    for r in results.extra.get("links", []):
        row = {**LINK_DEFAULTS, **r}
        if row["internal"] is None:
            row["internal"] = same_origin(str(row.get("url", "")), results.run.start_url or "")
        rows.append(row)
    return rows


def where(r: dict[str, Any], lang: str = "ja") -> list[Any]:
    """Source page, link text, element and target: the columns every sheet starts a link with."""
    return [r["source"], r["text"], vocab_text(ELEMENT_TEXT, r["element"], lang), r["url"]]


def headers(lang: str, *keys: str) -> list[str]:
    return ["No.", *(pick(HEADERS[k], lang) for k in keys)]


def render(results: Results, out_dir: Path) -> list[Path]:
    if "link_check" not in results.extra:
        return []
    rows = link_rows(results)
    info = results.extra["link_check"]
    lang = lang_of(results)
    # Streamed: a link per row on 2,000 pages is a long sheet, and a streamed one takes write_table's fast path.
    wb = Workbook(write_only=True)
    summary_sheet(wb.create_sheet(pick(SHEETS["summary"], lang)), results, info, rows, lang)
    order = {"broken": 0, "warning": 1, "info": 2, "ok": 3, "ignored": 4}

    broken = sorted((r for r in rows if r["result"] == "broken"), key=lambda r: (not r["internal"], r["source"]))
    write_table(
        wb.create_sheet(pick(SHEETS["broken"], lang)),
        headers(lang, "source", "text", "element", "url", "status", "reason", "scope"),
        (
            [n, *where(r, lang), r["status"] or "", reason_text(r, lang), scope_text(r, lang)]
            for n, r in enumerate(broken, 1)
        ),
        [6, 45, 30, 14, 50, 10, 50, 14],
    )
    warnings = sorted((r for r in rows if r["result"] == "warning"), key=lambda r: (r["issues"], r["source"]))
    write_table(
        wb.create_sheet(pick(SHEETS["warnings"], lang)),
        headers(lang, "kind", "source", "text", "element", "url", "status", "reason", "chain"),
        (
            [n, issues_text(r, lang), *where(r, lang), r["status"] or "", reason_text(r, lang), chain_text(r)]
            for n, r in enumerate(warnings, 1)
        ),
        [6, 26, 45, 30, 14, 50, 10, 50, 50],
    )
    info_rows = sorted((r for r in rows if r["result"] == "info"), key=lambda r: (r["issues"], r["source"]))
    write_table(
        wb.create_sheet(pick(SHEETS["info"], lang)),
        headers(lang, "kind", "source", "text", "element", "url", "final", "chain"),
        (
            [n, issues_text(r, lang), *where(r, lang), (r.get("redirects") or [{}])[-1].get("url", ""), chain_text(r)]
            for n, r in enumerate(info_rows, 1)
        ),
        [6, 26, 45, 30, 14, 50, 50, 60],
    )
    everything = sorted(rows, key=lambda r: (order.get(r["result"], 9), r["source"], r["url"]))
    write_table(
        wb.create_sheet(pick(SHEETS["all"], lang)),
        [*headers(lang, "result", "source", "text", "element", "url", "scope", "status", "kind", "reason")]
        + ["Content-Type"],
        (
            [
                n,
                vocab_text(RESULT_TEXT, r["result"], lang),
                *where(r, lang),
                scope_text(r, lang),
                r["status"] or "",
                issues_text(r, lang),
                reason_text(r, lang),
                r.get("content_type", ""),
            ]
            for n, r in enumerate(everything, 1)
        ),
        [6, 18, 45, 30, 14, 50, 14, 10, 26, 50, 18],
    )
    path = out_dir / FILENAME
    finish_print(wb, run_header(results, TITLE))
    save_workbook(wb, path)
    return [path]


def summary_sheet(ws: Any, results: Results, info: dict[str, Any], rows: list[dict[str, Any]], lang: str) -> None:
    """The summary (a streamed sheet: its settings first, then each row with its cells' styles)."""
    ws.column_dimensions["A"].width = 38
    ws.column_dimensions["B"].width = 90
    setup_print(ws, title_rows="1:1")
    top = Alignment(wrap_text=True, vertical="top")

    def cell(value: Any, font: Font | None = None, alignment: Alignment | None = top) -> WriteOnlyCell:
        made = WriteOnlyCell(ws, value)
        if font is not None:
            made.font = font
        if alignment is not None:
            made.alignment = alignment
        return made

    ws.append([cell(pick(TITLE, lang), Font(bold=True, size=14), None)])
    counts = info.get("counts", {})
    external = pick(("確認した", "checked") if info.get("check_external") else ("確認していない", "not checked"), lang)
    zone = (results.run.config or {}).get("timezone")
    status = ("完了", "complete") if results.run.status == "complete" else ("部分的（中断）", "partial (interrupted)")
    facts = [
        (("対象サイト", "Site"), results.run.start_url),
        (("実施日時", "Checked at"), local_time(results.run.finished or results.run.started, zone)),
        (("実行状態", "Run status"), pick(status, lang)),
        (("チェックエンジン", "Engine"), info.get("engine", "")),
        (("外部リンク", "External links"), external),
        (("リンク数（リンク元ページ × URL）", "Links (source page × URL)"), info.get("links", len(rows))),
        (("確認したURL数", "Unique URLs checked"), info.get("checked_urls", "")),
        (("リンク切れ", "Broken"), counts.get("broken", 0)),
        (("　うち内部", "  of which internal"), info.get("broken_internal", 0)),
        (("　うち外部", "  of which external"), info.get("broken_external", 0)),
        (("警告", "Warnings"), counts.get("warning", 0)),
        (("情報（リダイレクト）", "Info (redirects)"), counts.get("info", 0)),
        (("正常", "OK"), counts.get("ok", 0)),
        (("対象外", "Not checked"), counts.get("ignored", 0)),
    ]
    for label, value in facts:
        ws.append([cell(pick(label, lang)), cell(safe(value))])
    ws.append([])
    bold = Font(bold=True)
    ws.append([cell(pick(("警告の内訳", "Warnings by kind"), lang), bold), cell(pick(("件数", "Count"), lang), bold)])
    kinds = Counter(i for r in rows if r["result"] == "warning" for i in r.get("issues", []))
    for issue, n in kinds.most_common():
        ws.append([cell(vocab_text(ISSUE_TEXT, issue, lang)), cell(n)])
    ws.append([])
    ws.append([cell(pick(("注記", "Notes"), lang)), cell(pick(NOTES, lang))])
