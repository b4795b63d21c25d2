"""リンクチェック結果 / Link check results workbook: summary, broken links, warnings, information (redirects to a
working page, with their chain: the address to update the link to), every link.

Bilingual (Japanese / English) and printable on A4 landscape."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from qa.model import Results
from qa.report._xlsx import finish_print, run_header, safe, save_workbook, setup_print, write_table
from qa.urls import same_origin

NAME = "linkcheck"
FILENAME = "link-check.xlsx"

RESULT_TEXT = {
    "broken": "リンク切れ / Broken",
    "warning": "警告 / Warning",
    "info": "情報 / Info",
    "ok": "正常 / OK",
    "ignored": "対象外 / Not checked",
}
ISSUE_TEXT = {
    "redirect": "リダイレクト / Redirect",
    "missing-anchor": "ページ内リンク先なし / Missing anchor",
    "insecure-link": "安全でないリンク (http) / Insecure link",
    "mixed-content": "混在コンテンツ / Mixed content",
    "rate-limited": "アクセス制限 (429) / Rate limited",
    "http-error": "HTTPエラー / HTTP error",
    "unreachable": "接続できない / Unreachable",
    "mailto-syntax": "メールアドレスの誤り / Bad mailto:",
    "tel-syntax": "電話番号の誤り / Bad tel:",
    "local-file": "ローカルファイル / Local file",
    "not-checked": "未確認 / Not checked",
}
ELEMENT_TEXT = {
    "a": "リンク / link",
    "area": "イメージマップ / image map",
    "img": "画像 / image",
    "meta refresh": "自動転送 / meta refresh",
}


def issues_text(row: dict[str, Any]) -> str:
    return ", ".join(ISSUE_TEXT.get(i, i) for i in row.get("issues", []))


def scope_text(row: dict[str, Any]) -> str:
    return "内部 / internal" if row.get("internal") else "外部 / external"


def chain_text(row: dict[str, Any]) -> str:
    return " → ".join(f"{h['status']} {h['url']}" for h in row.get("redirects") or [])


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


def where(r: dict[str, Any]) -> list[Any]:
    """Source page, link text, element and target: the columns every sheet starts a link with."""
    return [r["source"], r["text"], ELEMENT_TEXT.get(r["element"], r["element"]), r["url"]]


def render(results: Results, out_dir: Path) -> list[Path]:
    if "link_check" not in results.extra:
        return []
    rows = link_rows(results)
    info = results.extra["link_check"]
    wb = Workbook()
    summary_sheet(wb.active, results, info, rows)
    order = {"broken": 0, "warning": 1, "info": 2, "ok": 3, "ignored": 4}

    broken = sorted((r for r in rows if r["result"] == "broken"), key=lambda r: (not r["internal"], r["source"]))
    write_table(
        wb.create_sheet("リンク切れ Broken"),
        [
            "No.",
            "リンク元ページ / Source page",
            "リンクテキスト / Link text",
            "要素 / Element",
            "リンク先 / URL",
            "ステータス / Status",
            "理由 / Reason",
            "内部・外部 / Scope",
        ],
        (
            [
                n,
                *where(r),
                r["status"] or "",
                r["reason"],
                scope_text(r),
            ]
            for n, r in enumerate(broken, 1)
        ),
        [6, 45, 30, 14, 50, 10, 50, 14],
    )
    warnings = sorted((r for r in rows if r["result"] == "warning"), key=lambda r: (r["issues"], r["source"]))
    write_table(
        wb.create_sheet("警告 Warnings"),
        [
            "No.",
            "種類 / Kind",
            "リンク元ページ / Source page",
            "リンクテキスト / Link text",
            "要素 / Element",
            "リンク先 / URL",
            "ステータス / Status",
            "理由 / Reason",
            "リダイレクト / Redirect chain",
        ],
        (
            [
                n,
                issues_text(r),
                *where(r),
                r["status"] or "",
                r["reason"],
                chain_text(r),
            ]
            for n, r in enumerate(warnings, 1)
        ),
        [6, 26, 45, 30, 14, 50, 10, 50, 50],
    )
    info_rows = sorted((r for r in rows if r["result"] == "info"), key=lambda r: (r["issues"], r["source"]))
    write_table(
        wb.create_sheet("情報 Info"),
        [
            "No.",
            "種類 / Kind",
            "リンク元ページ / Source page",
            "リンクテキスト / Link text",
            "要素 / Element",
            "リンク先 / URL",
            "最終URL / Final URL",
            "リダイレクト / Redirect chain",
        ],
        (
            [n, issues_text(r), *where(r), (r.get("redirects") or [{}])[-1].get("url", ""), chain_text(r)]
            for n, r in enumerate(info_rows, 1)
        ),
        [6, 26, 45, 30, 14, 50, 50, 60],
    )
    everything = sorted(rows, key=lambda r: (order.get(r["result"], 9), r["source"], r["url"]))
    write_table(
        wb.create_sheet("全リンク All links"),
        [
            "No.",
            "結果 / Result",
            "リンク元ページ / Source page",
            "リンクテキスト / Link text",
            "要素 / Element",
            "リンク先 / URL",
            "内部・外部 / Scope",
            "ステータス / Status",
            "種類 / Kind",
            "理由 / Reason",
            "Content-Type",
        ],
        (
            [
                n,
                RESULT_TEXT.get(r["result"], r["result"]),
                *where(r),
                scope_text(r),
                r["status"] or "",
                issues_text(r),
                r["reason"],
                r.get("content_type", ""),
            ]
            for n, r in enumerate(everything, 1)
        ),
        [6, 18, 45, 30, 14, 50, 14, 10, 26, 50, 18],
    )
    path = out_dir / FILENAME
    finish_print(wb, run_header(results, ("リンクチェック結果", "Link check results")))
    save_workbook(wb, path)
    return [path]


def summary_sheet(ws: Any, results: Results, info: dict[str, Any], rows: list[dict[str, Any]]) -> None:
    ws.title = "概要 Summary"
    ws.append(["リンクチェック結果 / Link check results"])
    ws["A1"].font = Font(bold=True, size=14)
    counts = info.get("counts", {})
    external = "確認した / checked" if info.get("check_external") else "確認していない / not checked"
    facts = [
        ("対象サイト / Site", results.run.start_url),
        ("実施日時 / Checked at", results.run.finished or results.run.started),
        ("実行状態 / Run status", results.run.status),
        ("チェックエンジン / Engine", info.get("engine", "")),
        ("外部リンク / External links", external),
        ("リンク数 / Links (source page × URL)", info.get("links", len(rows))),
        ("確認したURL数 / Unique URLs checked", info.get("checked_urls", "")),
        ("リンク切れ / Broken", counts.get("broken", 0)),
        ("　うち内部 / of which internal", info.get("broken_internal", 0)),
        ("　うち外部 / of which external", info.get("broken_external", 0)),
        ("警告 / Warnings", counts.get("warning", 0)),
        ("情報（リダイレクト） / Info (redirects)", counts.get("info", 0)),
        ("正常 / OK", counts.get("ok", 0)),
        ("対象外 / Not checked", counts.get("ignored", 0)),
    ]
    for label, value in facts:
        ws.append([label, safe(value)])
    ws.append([])
    ws.append(["警告の内訳 / Warnings by kind", "件数 / Count"])
    header_row = ws.max_row
    for cell in ws[header_row]:
        cell.font = Font(bold=True)
    kinds = Counter(i for r in rows if r["result"] == "warning" for i in r.get("issues", []))
    for issue, n in kinds.most_common():
        ws.append([ISSUE_TEXT.get(issue, issue), n])
    ws.append([])
    ws.append(
        [
            "注記 / Notes",
            "リンクはブラウザで表示した後のページ（JavaScript 実行後）から収集し、各URLを1回だけ確認しました。"
            "警告：存在しないページ内リンク先、https ページ上の http リンク・リソース。"
            "情報：正常なページへのリダイレクト（リンクを最終URLに更新してください）。 / "
            "Links were collected from the rendered page (after JavaScript) and each URL was requested once. "
            "Warnings: missing anchors, http:// links or resources on https pages. "
            "Info: redirects to a working page (update the link to the final URL).",
        ]
    )
    ws.column_dimensions["A"].width = 38
    ws.column_dimensions["B"].width = 90
    for row in ws.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    setup_print(ws, title_rows="1:1")
