"""Workbook helpers shared by the Excel deliverables: safe cells, header styling, print setup."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any

from openpyxl.cell import Cell, WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet
from openpyxl.worksheet.worksheet import Worksheet

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
HEADER_FILL = PatternFill("solid", fgColor="1F4E78")
HEADER_FONT = Font(bold=True, color="FFFFFF")
MAX_CELL = 32_000  # Excel's limit is 32,767 characters


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
    top = Alignment(wrap_text=True, vertical="top")
    ws.append([_cell(ws, h, top, HEADER_FILL, HEADER_FONT) for h in headers])
    n = 0
    for row in rows:
        values = [None if v == "" else safe(v) for v in row]
        ws.append([_cell(ws, v, top) for v in values] if wrap else values)
        n += 1
    ws.auto_filter.ref = f"A1:{get_column_letter(len(headers))}{n + 1}"
    return n


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
