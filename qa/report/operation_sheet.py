"""検証完了チェックシート (operation-check completion sheet): automated rows filled with their evidence, manual rows
from the YAML checklist with result / date / checker drop-downs and columns. ``qa ops import`` reads it back."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, PatternFill
from openpyxl.worksheet.datavalidation import DataValidation

from qa.errors import UsageError
from qa.judge.accepted import run_date
from qa.judge.operations import NG, OK, RESULTS, UNCHECKED, automated_rows, manual_rows
from qa.model import Results
from qa.report._xlsx import safe, save_workbook, setup_print, write_table

NAME = "operation_sheet"
FILENAME = "operation-check.xlsx"
SHEET = "検証完了チェックシート"
HEADERS = ["No", "区分", "確認項目", "Check", "確認方法", "結果", "根拠・備考", "確認日", "確認者", "ID"]
WIDTHS = [5, 8, 40, 34, 40, 10, 70, 12, 14, 20]
COL = {name: i for i, name in enumerate(HEADERS)}
FILLS = {OK: PatternFill("solid", fgColor="C6EFCE"), NG: PatternFill("solid", fgColor="FFC7CE")}


def render(results: Results, out_dir: Path) -> list[Path]:
    wb = Workbook()
    ws = wb.active
    ws.title = SHEET
    tool = f"qa-suite {results.run.tool.get('version', '')} (自動)"
    day = run_date(results).isoformat()
    auto = automated_rows(results)
    manual = manual_rows(results)
    rows = [[n, "自動", r.item, r.item_en, r.how, r.result, r.evidence, day, tool, r.id] for n, r in enumerate(auto, 1)]
    rows += [
        [n, "手動", r.item, r.item_en, r.how, r.result, r.evidence, r.date, r.checker, r.id]
        for n, r in enumerate(manual, len(auto) + 1)
    ]
    write_table(ws, HEADERS, rows, WIDTHS)
    result_col = chr(ord("A") + COL["結果"])
    for i, row in enumerate(rows, start=2):
        cell = ws[f"{result_col}{i}"]
        if row[5] in FILLS:
            cell.fill = FILLS[row[5]]
        for c in ws[i]:
            c.alignment = Alignment(wrap_text=True, vertical="top")
    if manual:
        first, last = len(auto) + 2, len(rows) + 1
        choices = DataValidation(type="list", formula1=f'"{",".join(RESULTS)}"', allow_blank=True)
        choices.error, choices.errorTitle = f"{' / '.join(RESULTS)} のいずれかを選んでください", "結果"
        ws.add_data_validation(choices)
        choices.add(f"{result_col}{first}:{result_col}{last}")
        date_col = chr(ord("A") + COL["確認日"])
        dates = DataValidation(type="date", operator="greaterThan", formula1="36526", allow_blank=True)
        dates.error, dates.errorTitle = "日付を入力してください (YYYY-MM-DD)", "確認日"
        ws.add_data_validation(dates)
        dates.add(f"{date_col}{first}:{date_col}{last}")
    info = wb.create_sheet("実行情報")
    source = (results.extra.get("operation_checks") or {}).get("source", "built-in")
    for key, value in (
        ("対象サイト / Site", results.run.start_url),
        ("実行ID / Run", results.run.id),
        ("実行日時 / Started", results.run.started),
        ("状態 / Status", results.run.status),
        ("ブラウザ・画面幅 / Cells", ", ".join(results.run.cells)),
        ("手動項目の定義 / Manual checklist", source),
        (
            "自動項目 / Automated rows",
            f"{sum(r.result == OK for r in auto)} OK, {sum(r.result == NG for r in auto)} NG",
        ),
        ("手動項目 / Manual rows", f"{sum(r.result != UNCHECKED for r in manual)} of {len(manual)} recorded"),
        ("取込 / Import", "qa ops import operation-check.xlsx <run folder>"),
    ):
        info.append([safe(key), safe(value)])
    info.column_dimensions["A"].width, info.column_dimensions["B"].width = 34, 80
    setup_print(info, "1:1")
    path = out_dir / FILENAME
    save_workbook(wb, path)
    return [path]


def read_filled(path: Path) -> list[dict[str, Any]]:
    """The manual rows of a filled sheet: id, result, date, checker, note (the 根拠・備考 column)."""
    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a file that is not a workbook
        raise UsageError(
            f"{path}: not a readable .xlsx workbook ({type(exc).__name__}); give the filled {FILENAME}"
        ) from None
    if SHEET not in wb.sheetnames:
        raise UsageError(f"{path}: has no sheet '{SHEET}'; give the {FILENAME} of a qa run")
    rows = list(wb[SHEET].iter_rows(values_only=True))
    if not rows or list(rows[0][: len(HEADERS)]) != HEADERS:
        raise UsageError(f"{path}: the '{SHEET}' header row was changed; restore it ({', '.join(HEADERS)})")
    out = []
    for row in rows[1:]:
        if row[COL["区分"]] != "手動" or not row[COL["ID"]]:
            continue
        result = str(row[COL["結果"]] or "").strip()
        if result and result not in RESULTS:
            raise UsageError(f"{path}: row '{row[COL['ID']]}' result '{result}' must be one of {', '.join(RESULTS)}")
        date = row[COL["確認日"]]
        out.append(
            {
                "id": str(row[COL["ID"]]),
                "result": result,
                "date": date.date().isoformat() if hasattr(date, "date") else str(date or "").strip(),
                "checker": str(row[COL["確認者"]] or "").strip(),
                "note": str(row[COL["根拠・備考"]] or "").strip(),
            }
        )
    wb.close()
    return out
