"""検証完了チェックシート (operation-check completion sheet): automated rows filled with their evidence, dated and
signed by the suite where it decided them; manual rows from the YAML checklist with result / date / checker
drop-downs, left blank until a person fills them; a 承認 sheet (作成 / 確認 / 承認: name and date). ``qa ops
import`` reads the manual rows back."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Border, PatternFill, Side
from openpyxl.worksheet.datavalidation import DataValidation

from qa.errors import UsageError
from qa.judge.accepted import run_date
from qa.judge.inventory import inventory_of
from qa.judge.operations import NG, NOT_APPLICABLE, OK, RESULTS, UNCHECKED, automated_rows, manual_rows
from qa.model import Results
from qa.report._inventory import not_run_text
from qa.report._vocab import lang_of, pick
from qa.report._xlsx import finish_print, local_time, run_header, safe, save_workbook, setup_print, write_table

NAME = "operation_sheet"
FILENAME = "operation-check.xlsx"
SHEET = "検証完了チェックシート"
HEADERS = ["No", "区分", "確認項目", "Check", "確認方法", "結果", "根拠・備考", "確認日", "確認者", "ID"]
# ``lang: en``: the same columns in English (the Japanese item column is then the hidden one); import reads both.
SHEET_EN = "Operation check"
HEADERS_EN = ["No", "Type", "Item (Japanese)", "Check", "How", "Result", "Evidence / note", "Date", "Checked by", "ID"]
KINDS = {"auto": ("自動", "Automated"), "manual": ("手動", "Manual")}
RESULTS_EN = {OK: "OK", NG: "NG", NOT_APPLICABLE: "N/A", UNCHECKED: "Unchecked"}
WIDTHS = [5, 6, 34, 30, 30, 8, 50, 11, 16, 14]
TITLE = ("検証完了チェックシート", "Operation-check sheet")
APPROVAL = "承認"
INFO_SHEET = ("実行情報", "Run")
ROLES = (("作成", "Prepared by"), ("確認", "Checked by"), ("承認", "Approved by"))
COL = {name: i for i, name in enumerate(HEADERS)}
_LINE = Side(style="thin")
BOX = Border(left=_LINE, right=_LINE, top=_LINE, bottom=_LINE)
FILLS = {OK: PatternFill("solid", fgColor="C6EFCE"), NG: PatternFill("solid", fgColor="FFC7CE")}


def render(results: Results, out_dir: Path) -> list[Path]:
    config = results.run.config or {}
    lang = lang_of(results)
    wb = Workbook()
    ws = wb.active
    ws.title = SHEET if lang == "ja" else SHEET_EN
    ja = lang == "ja"
    tool = f"qa-suite {results.run.tool.get('version', '')} {pick(('(自動)', '(automated)'), lang)}"
    day = local_time(results.run.started, config.get("timezone"), with_time=False) or run_date(results).isoformat()
    auto = automated_rows(results)
    manual = manual_rows(results)

    # The suite dates and signs what it decided; a row it could not decide (未確認) stays unsigned like a manual one.
    def shown(result: str) -> str:
        return result if ja else RESULTS_EN.get(result, result)

    rows = [
        [n, pick(KINDS["auto"], lang), r.item, r.item_en or r.item, r.how if ja else r.how_en or r.how, shown(r.result)]
        + [r.evidence if ja else r.evidence_en or r.evidence]
        + ([day, tool] if r.result != UNCHECKED else ["", ""])
        + [r.id]
        for n, r in enumerate(auto, 1)
    ]
    rows += [
        [n, pick(KINDS["manual"], lang), r.item, r.item_en or r.item, r.how if ja else r.how_en or r.how]
        + [shown(r.result), r.evidence, r.date, r.checker, r.id]
        for n, r in enumerate(manual, len(auto) + 1)
    ]
    # One item column is read: the English one with ``lang: en``, else the Japanese (import finds either).
    hidden = COL["Check"] + 1 if ja else COL["確認項目"] + 1
    write_table(ws, HEADERS if ja else HEADERS_EN, rows, WIDTHS, hidden=(hidden,))
    result_col = chr(ord("A") + COL["結果"])
    for i, row in enumerate(rows, start=2):
        cell = ws[f"{result_col}{i}"]
        if row[5] in FILLS:  # OK and NG read the same in both languages
            cell.fill = FILLS[row[5]]
        for c in ws[i]:
            c.alignment = Alignment(wrap_text=True, vertical="top")
    if manual:
        first, last = len(auto) + 2, len(rows) + 1
        labels = [shown(r) for r in RESULTS]
        choices = DataValidation(type="list", formula1=f'"{",".join(labels)}"', allow_blank=True)
        choices.error = pick(
            (f"{' / '.join(labels)} のいずれかを選んでください", f"Pick one of {', '.join(labels)}"), lang
        )
        choices.errorTitle = pick(("結果", "Result"), lang)
        ws.add_data_validation(choices)
        choices.add(f"{result_col}{first}:{result_col}{last}")
        date_col = chr(ord("A") + COL["確認日"])
        dates = DataValidation(type="date", operator="greaterThan", formula1="36526", allow_blank=True)
        dates.error = pick(("日付を入力してください (YYYY-MM-DD)", "Enter a date (YYYY-MM-DD)"), lang)
        dates.errorTitle = pick(("確認日", "Date"), lang)
        ws.add_data_validation(dates)
        dates.add(f"{date_col}{first}:{date_col}{last}")
    info = wb.create_sheet(pick(INFO_SHEET, lang))
    inventory = inventory_of(results)
    source = (results.extra.get("operation_checks") or {}).get("source", "built-in")
    # every automated row in the total: OK and NG always, 対象外 and 未確認 when there are any
    tally = {r: sum(a.result == r for a in auto) for r in RESULTS}
    shown_tally = [(r, n) for r, n in tally.items() if n or r in (OK, NG)]
    filled = sum(r.result != UNCHECKED for r in manual)
    done = ("完了", "complete") if results.run.status == "complete" else ("部分的（中断）", "partial (interrupted)")
    for key, value in (
        (("対象サイト", "Site"), results.run.start_url),
        (("実行ID", "Run"), results.run.id),
        (("実行日時", "Started"), local_time(results.run.started, config.get("timezone"))),
        (("状態", "Status"), pick(done, lang)),
        (("ブラウザ・画面幅", "Cells"), ", ".join(results.run.cells)),
        (
            ("手動項目の定義", "Manual checklist"),
            pick(("組み込みの一覧", "built-in"), lang) if source == "built-in" else source,
        ),
        (
            ("自動項目", "Automated rows"),
            pick(
                (
                    "、".join(f"{r} {n} 件" for r, n in shown_tally),
                    ", ".join(f"{RESULTS_EN[r]} {n}" for r, n in shown_tally),
                ),
                lang,
            ),
        ),
        (
            ("手動項目", "Manual rows"),
            pick((f"{len(manual)} 件中 {filled} 件記入済み", f"{filled} of {len(manual)} filled in"), lang),
        ),
        (
            ("取込", "Import"),
            pick(
                (
                    "記入後に取り込むコマンド: qa ops import operation-check.xlsx <実行フォルダー>",
                    "after filling in, import with: qa ops import operation-check.xlsx <run folder>",
                ),
                lang,
            ),
        ),
        *((("未実施のチェック", "Checks not run"), not_run_text(inventory, f, lang)) for f in inventory.not_run()),
    ):
        info.append([safe(pick(key, lang)), safe(value)])
    info.column_dimensions["A"].width, info.column_dimensions["B"].width = 34, 80
    setup_print(info, "1:1")
    approval_sheet(wb.create_sheet(APPROVAL if ja else "Sign-off"), lang)
    finish_print(wb, run_header(results, TITLE))
    path = out_dir / FILENAME
    save_workbook(wb, path)
    return [path]


def approval_sheet(ws: Any, lang: str) -> None:
    """作成 / 確認 / 承認: a name and a date each, written by the people who sign the sheet off."""
    ja = lang == "ja"
    ws.append(["承認欄" if ja else "Sign-off"])
    ws.append(["役割", "氏名", "日付", "印"] if ja else ["Role", "Name", "Date", "Seal"])
    for role in ROLES:
        ws.append([role[0] if ja else role[1]])
    for row in ws.iter_rows(min_row=2, max_row=2 + len(ROLES)):
        for cell in row[:4]:
            cell.border = BOX
            cell.alignment = Alignment(vertical="center")
    for i in range(3, 3 + len(ROLES)):
        ws.row_dimensions[i].height = 36
    for col, width in zip("ABCD", (14, 30, 16, 12), strict=True):
        ws.column_dimensions[col].width = width
    date = DataValidation(type="date", operator="greaterThan", formula1="36526", allow_blank=True)
    date.error = "日付を入力してください (YYYY-MM-DD)" if ja else "Enter a date (YYYY-MM-DD)"
    ws.add_data_validation(date)
    date.add(f"C3:C{2 + len(ROLES)}")
    setup_print(ws, "")


def read_filled(path: Path) -> list[dict[str, Any]]:
    """The manual rows of a filled sheet: id, result, date, checker, note (the 根拠・備考 column)."""
    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a file that is not a workbook
        raise UsageError(
            f"{path}: not a readable .xlsx workbook ({type(exc).__name__}); give the filled {FILENAME}"
        ) from None
    sheet, headers = (SHEET, HEADERS) if SHEET in wb.sheetnames else (SHEET_EN, HEADERS_EN)
    if sheet not in wb.sheetnames:
        raise UsageError(f"{path}: has no sheet '{SHEET}'; give the {FILENAME} of a qa run")
    rows = list(wb[sheet].iter_rows(values_only=True))
    if not rows or list(rows[0][: len(headers)]) != headers:
        raise UsageError(f"{path}: the '{sheet}' header row was changed; restore it ({', '.join(headers)})")
    typed = {**{r: r for r in RESULTS}, **{en: r for r, en in RESULTS_EN.items()}}
    out = []
    for row in rows[1:]:
        if row[COL["区分"]] not in KINDS["manual"] or not row[COL["ID"]]:
            continue
        result = str(row[COL["結果"]] or "").strip()
        if result and result not in typed:
            raise UsageError(f"{path}: row '{row[COL['ID']]}' result '{result}' must be one of {', '.join(RESULTS)}")
        result = typed.get(result, result)
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
