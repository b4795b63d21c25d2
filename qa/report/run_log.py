"""The run log workbook: whether the run is complete or partial, the pages it counts, and every visit with its
problem and reason.

A QA engineer reads it to see which pages were not audited and why (timeout, crash, redirect loop, download,
too large, ...), and a project lead sees at a glance that a partial run covers only part of the site.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill

from qa.judge.inventory import inventory_of
from qa.model import Results
from qa.report._inventory import FAMILY_WORDS, count_rows, exceptions_sheet, kind_text, not_run_text, reason_text
from qa.report._vocab import lang_of, pick
from qa.report._xlsx import finish_print, local_time, run_header, safe_hyperlink, save_workbook, write_table

NAME = "run-log"
FILENAME = "run-log.xlsx"
PARTIAL_FILL = PatternFill("solid", fgColor="FFC7CE")


SHEETS = {"run": ("実行状況", "Run"), "pages": ("訪問ページ", "Pages")}
STATUS = {
    "complete": ("完了", "Complete"),
    "partial": (
        "部分的（中断）: 一覧のページだけを試験した",
        "PARTIAL: interrupted — only the pages listed were audited",
    ),
}
# Why a URL found was not visited (qa.discover's skip reasons).
SKIPPED = {
    "other origin": ("別のオリジン", "other origin"),
    "not matched by --include": ("--include に一致しない", "not matched by --include"),
    "matched by --exclude": ("--exclude に一致", "matched by --exclude"),
    "crawler trap": ("クローラートラップの疑い", "crawler trap"),
    "over --max-pages": ("--max-pages の上限を超過", "over --max-pages"),
}


def skipped_text(reason: str, lang: str) -> str:
    """A skip reason in the workbook's words (an unknown one as recorded, said to be so in Japanese)."""
    for start, words in SKIPPED.items():
        if reason.startswith(start):
            return pick(words, lang) + reason[len(start) :]
    return reason if lang != "ja" else f"その他（{reason}）"


# The run's notes (qa.run.audit records them in English) in Japanese words, by how they start; the recorded text
# follows in parentheses. A note of another kind is shown as recorded, said to be English.
NOTES_JA = {
    "The run was interrupted": "実行が中断されたため、結果は中断前に終わった分だけ（qa audit --resume で再開できる）",
    "No page could be audited": "どのページも試験できなかった: 結果とゲートはサイトについて何も示さない",
    "discovery: ": "ページ探索での問題",
    "browser(s) died and were restarted": "ブラウザが異常終了し再起動した",
    "TLS": "TLS証明書を検証せずに実行した",
    "The built-in demo site": "内蔵のデモサイトを試験した（qa audit --resume は同じポートでデモサイトを起動し直す）",
    "Not checked: ": "設定により検査対象から除外した範囲・ルール（その部分の結果は含まれず、適合とはしない）",
    "not examined: ": "このブラウザでは調べる手段がなく検査できなかったページ（その基準の自動チェックとは数えない）",
    "rules.disable: ": "無効にしたルールがこの実行では何も抑止しなかった（問題が直ったなら設定を外してルールを戻す）",
}


def note_text(note: str, lang: str) -> str:
    if lang != "ja":
        return note
    words = next((ja for start, ja in NOTES_JA.items() if note.startswith(start)), "実行時の記録（英語）")
    return f"{words}（{note}）"


def status_text(results: Results, lang: str = "ja") -> str:
    return pick(STATUS["complete" if results.run.status == "complete" else "partial"], lang)


def _visit_kind(kind: str, lang: str) -> str:
    if kind == "audited":
        return pick(("試験済み", "audited"), lang)
    return kind_text(kind, lang) if kind != "error" else pick(("エラー", "error"), lang)


def render(results: Results, out_dir: Path) -> list[Path]:
    run = results.run
    lang = lang_of(results)
    zone = (run.config or {}).get("timezone")
    wb = Workbook()
    ws = wb.active
    ws.title = pick(SHEETS["run"], lang)
    kinds = Counter(p.error_kind or ("error" if p.error else "audited") for p in results.pages)
    skipped = results.extra.get("discovery", {}).get("skipped_counts", {})
    inventory = inventory_of(results)
    alias_of = inventory.alias_of()
    visits = pick(("訪問数（ページ × ブラウザ・画面幅）", "Visits"), lang)
    rows = [
        (pick(("状態", "Status"), lang), status_text(results, lang)),
        (pick(("実行ID", "Run"), lang), run.id),
        (pick(("開始URL", "Start URL"), lang), run.start_url),
        (pick(("開始日時", "Started"), lang), local_time(run.started, zone)),
        (pick(("終了日時", "Finished"), lang), local_time(run.finished, zone)),
        (pick(("再開した実行", "Resumed"), lang), ", ".join(local_time(t, zone) for t in run.resumed)),
        (pick(("ブラウザ・画面幅", "Cells"), lang), ", ".join(run.cells)),
        *count_rows(inventory, lang),
        *(
            (
                f"{pick(('未実施', 'Not run'), lang)}: {pick(FAMILY_WORDS.get(f, (f, f)), lang)}",
                not_run_text(inventory, f, lang),
            )
            for f in inventory.not_run()
        ),
        (visits, len(results.pages)),
        *((f"{visits}: {_visit_kind(kind, lang)}", n) for kind, n in sorted(kinds.items())),
        *(
            (f"{pick(('対象外のURL', 'URLs skipped'), lang)}: {skipped_text(r, lang)}", n)
            for r, n in sorted(skipped.items())
        ),
        (pick(("ディスク使用量（MB）", "Disk use (MB)"), lang), round(run.disk_bytes / 1e6, 1)),
        *((pick(("注記", "Note"), lang), note_text(note, lang)) for note in run.notes),
    ]
    write_table(ws, [pick(("項目", "Item"), lang), pick(("値", "Value"), lang)], rows, [28, 100])
    if run.status != "complete":
        ws["B2"].fill, ws["B2"].font = PARTIAL_FILL, Font(bold=True)
        ws.oddHeader.center.text = pick(("部分的な結果", "PARTIAL RUN"), lang)

    pages = wb.create_sheet(pick(SHEETS["pages"], lang))
    headers = (
        ("ページ", "Page"),
        ("ブラウザ", "Browser"),
        ("画面幅", "Viewport"),
        ("HTTP", "HTTP"),
        ("タイトル", "Title"),
        ("問題", "Problem"),
        ("理由", "Reason"),
        ("試行回数", "Attempts"),
        ("読込時間（ms）", "Load ms"),
        ("階層", "Depth"),
        ("同じページ", "Same page as"),
    )
    write_table(
        pages,
        [pick(h, lang) for h in headers],
        (
            [p.url, p.browser, p.viewport, p.status, p.title]
            + (
                [kind_text(p.error_kind, lang), reason_text(p.error_kind, p.status, p.error, lang)]
                if p.error
                else ["", ""]
            )
            + [p.attempts, p.load_ms, p.depth, alias_of.get(p.url, "")]
            for p in results.pages
        ),
        [60, 10, 10, 7, 40, 14, 70, 9, 9, 7, 50],
    )
    for row, page in enumerate(results.pages, start=2):
        link = safe_hyperlink(page.url)
        if link:
            pages.cell(row=row, column=1).hyperlink = link
        if page.error:
            pages.cell(row=row, column=6).fill = PARTIAL_FILL
    exceptions_sheet(wb, inventory, lang, partial=results.run.status != "complete")
    path = out_dir / FILENAME
    finish_print(wb, run_header(results, ("実行ログ", "Run log")))
    save_workbook(wb, path)
    return [path]
