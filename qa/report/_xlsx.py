"""Workbook helpers shared by the Excel deliverables: safe cells, header styling, print setup."""

from __future__ import annotations

import re
from collections.abc import Generator, Iterable, Sequence
from pathlib import Path
from typing import Any

import openpyxl
from lxml import etree
from openpyxl.cell import Cell, WriteOnlyCell
from openpyxl.cell.cell import ERROR_CODES
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet
from openpyxl.worksheet.worksheet import Worksheet

from qa.store import atomic_path

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
HEADER_FILL = PatternFill("solid", fgColor="1F4E78")
HEADER_FONT = Font(bold=True, color="FFFFFF")
MAX_CELL = 32_000  # Excel's limit is 32,767 characters


def save_workbook(wb: openpyxl.Workbook, path: Path) -> None:
    """Saved under a temporary name and renamed: a full disk or a killed run never leaves a broken workbook."""
    with atomic_path(path) as tmp:
        wb.save(tmp)


def safe(value: Any) -> Any:
    """Text from the site can never become a formula, and never carries characters Excel rejects."""
    if not isinstance(value, str):
        return value
    value = _ILLEGAL.sub("", value)[:MAX_CELL]
    return "'" + value if value.startswith(_FORMULA_START) else value


_SHEET_UNSAFE = re.compile(r"[\[\]:*?/\\\x00-\x1f]")


def safe_sheet_title(name: str, taken: Iterable[str] = ()) -> str:
    """A worksheet name from site content: no ``[]:*?/\\``, not quoted, 31 characters at most, not "History",
    unique among ``taken`` (case-insensitively, as Excel compares them)."""
    title = _SHEET_UNSAFE.sub("_", name).strip("' ") or "Sheet"
    if title.lower() == "history":
        title = "History_"
    title = title[:31]
    used = {t.lower() for t in taken}
    n = 2
    base = title
    while title.lower() in used:
        suffix = f" ({n})"
        title = base[: 31 - len(suffix)] + suffix
        n += 1
    return title


def safe_hyperlink(url: str) -> str | None:
    """A link target a cell may carry: http(s) only (no javascript:, file:, or UNC paths), credentials redacted,
    within Excel's 2,079-character limit; None when the URL must not be linked."""
    from qa.redact import redact_url

    if not isinstance(url, str) or not re.match(r"(?i)https?://", url) or len(url) > 2079:
        return None
    return _ILLEGAL.sub("", redact_url(url))


def write_table(
    ws: Worksheet | WriteOnlyWorksheet,
    headers: Sequence[str],
    rows: Iterable[Sequence[Any]],
    widths: Sequence[int] | None = None,
    hidden: Sequence[int] = (),
    wrap: bool = False,
) -> int:
    """Header row plus rows, with filters, frozen header and A4-landscape printing; returns the row count.

    Works on a streamed (write-only) worksheet too, which writes its column and print settings before its first
    row: so they come first here. ``hidden``: 1-based columns to hide; ``wrap``: wrap the text of every cell.
    Empty strings are left out (no cell), which is what a reader of the file sees for them anyway."""
    for i, width in enumerate(widths or [], start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
    for i in hidden:
        ws.column_dimensions[get_column_letter(i)].hidden = True
    ws.freeze_panes = "A2"
    setup_print(ws)
    if isinstance(ws, WriteOnlyWorksheet):
        stream_plain_rows(ws)
    top = Alignment(wrap_text=True, vertical="top")
    ws.append([_cell(ws, h, top, HEADER_FILL, HEADER_FONT) for h in headers])
    n = 0
    for row in rows:
        values = [None if v == "" else safe(v) for v in row]
        ws.append([_cell(ws, v, top) for v in values] if wrap else values)
        n += 1
    ws.auto_filter.ref = f"A1:{get_column_letter(len(headers))}{n + 1}"
    return n


_XML_TEXT = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", "\r": "&#13;"})
_XML_SPECIAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f&<>\r]")


def stream_plain_rows(ws: WriteOnlyWorksheet) -> None:
    """Let a streamed worksheet write rows of plain text and numbers as whole ``<row>`` elements.

    openpyxl makes, binds and serialises a cell object per value: a checklist's page sheet (a row per page and
    criterion, 11,200 rows at 200 pages) spent most of its time there. A row of plain values is written here
    with the very XML openpyxl writes for it (same elements, attributes and escaping); any other row (styled or
    linked cells, formulas, error codes, dates, a row with a height) goes through openpyxl as before. Call it
    before the sheet's first row."""
    if ws._rows is not None or not openpyxl.LXML:  # rows already streamed; or openpyxl writes without lxml
        return

    def write_rows() -> Generator[None, Sequence[Any], None]:
        try:
            xf = ws._writer.xf.send(True)
        except StopIteration:
            ws._already_saved()
        pending: list[str] = []

        def flush() -> None:  # one parse for many rows: lxml's xmlfile takes elements, never raw XML
            for row in etree.fromstring(f"<rows>{''.join(pending)}</rows>"):
                xf.write(row)
            pending.clear()

        with xf.element("sheetData"):
            index = 1
            try:
                while True:
                    values = yield
                    row = None if index in ws.row_dimensions else _row_xml(values, index)
                    if row is None:
                        if pending:
                            flush()
                        ws._writer.write_row(xf, ws._values_to_row(values, index), index)
                    else:
                        pending.append(row)
                        if len(pending) == 200:
                            flush()
                    index += 1
            except GeneratorExit:
                if pending:
                    flush()
        ws._writer.xf.send(None)

    ws._write_rows = write_rows


_COLUMNS = [get_column_letter(i) for i in range(1, 257)]


def _row_xml(values: Sequence[Any], index: int) -> str | None:
    """A row as openpyxl serialises it, or None when a value needs openpyxl's own handling."""
    if not isinstance(values, list | tuple) or len(values) > len(_COLUMNS):  # a generator is read once, by openpyxl
        return None
    parts = [f'<row r="{index}">']
    for column, value in zip(_COLUMNS, values, strict=False):
        kind = type(value)
        if value is None:
            continue
        if kind is str:
            text = value[:32767]
            if not text or (len(text) > 1 and text[0] == "=") or text in ERROR_CODES:
                return None
            space = ' xml:space="preserve"' if text != text.strip() else ""
            if _XML_SPECIAL.search(text):
                if _ILLEGAL.search(text):
                    return None
                text = text.translate(_XML_TEXT)
            parts.append(f'<c r="{column}{index}" t="inlineStr"><is><t{space}>{text}</t></is></c>')
        elif kind is int or kind is bool or (kind is float and value - value == 0):  # not NaN or infinite
            parts.append(f'<c r="{column}{index}" t="{"b" if kind is bool else "n"}"><v>{value:.16g}</v></c>')
        else:
            return None
    if len(parts) == 1:  # openpyxl writes an empty row as <row></row>, lxml would make it <row/>
        return None
    parts.append("</row>")
    return "".join(parts)


def _cell(
    ws: Worksheet | WriteOnlyWorksheet,
    value: Any,
    alignment: Alignment,
    fill: PatternFill | None = None,
    font: Font | None = None,
) -> Cell:
    if isinstance(value, Cell):
        return value
    cell = WriteOnlyCell(ws, value)  # a plain, detached cell: both kinds of worksheet take it in append()
    cell.alignment = alignment
    if fill:
        cell.fill, cell.font = fill, font
    return cell


def setup_print(ws: Worksheet | WriteOnlyWorksheet, title_rows: str = "1:1") -> None:
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = Worksheet.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = title_rows
