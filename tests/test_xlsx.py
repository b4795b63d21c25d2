"""The streamed-row shortcut writes exactly the XML openpyxl writes, and leaves every other row to openpyxl."""

from __future__ import annotations

import re
import zipfile
from datetime import datetime
from pathlib import Path

import pytest
from lxml import etree
from openpyxl import Workbook, load_workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font
from openpyxl.xml.constants import SHEET_MAIN_NS

from qa.report import _xlsx
from qa.report._xlsx import stream_plain_rows, write_table

ROWS: list = [
    ["plain", "日本語の見出し", "  leading and trailing  ", "a & b < c > d \"q\" 'a'", "line\r\nbreak\ttab"],
    ["😀 emoji", "\u3000full-width space\u3000", "ends with a return & more\r", "\n", "_x005F_x0041_ literal"],
    [0, 1, -7, 2**60, 3.25, 1e-9, 1e300, True, False, None, "after a gap"],
    ["=1+1", "=", "#N/A", "#REF!", "#not an error", "", "x" * 40_000],
    [float("nan"), float("inf"), datetime(2026, 11, 26, 12, 0)],
    [None, None, "only the third"],
    ("a", "generator", 3),  # appended as a generator below: openpyxl takes generators and ranges too
    range(3),
    [],
]


_SHARED_CELL = re.compile(rb'<c ([^>]*?) t="s"><v>(\d+)</v></c>')
_SHARED_PARTS = re.compile(
    rb'<Relationship [^>]*?/sharedStrings" Target="sharedStrings.xml" [^>]*/>'
    rb'|<Override PartName="/xl/sharedStrings.xml"[^>]*/>'
)


def inline_shared(members: dict[str, bytes]) -> dict[str, bytes]:
    """A workbook's parts with its shared strings put back inline in the cells that refer to them, as openpyxl writes
    text (escaped, other characters than ASCII as references), and the shared strings part, its relationship and its
    content type taken out: what the file would be without them."""
    if "xl/sharedStrings.xml" not in members:
        return members
    table = [
        "".join(si.itertext())
        for si in etree.fromstring(members["xl/sharedStrings.xml"]).iter(f"{{{SHEET_MAIN_NS}}}si")
    ]

    def inline(match: re.Match[bytes]) -> bytes:
        text = table[int(match[2])]
        space = ' xml:space="preserve"' if text != text.strip() else ""
        escaped = text.translate(str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", "\r": "&#13;"}))
        return f'<c {match[1].decode()} t="inlineStr"><is><t{space}>{escaped}</t></is></c>'.encode(
            "ascii", "xmlcharrefreplace"
        )

    out = {}
    for name, data in members.items():
        if name.startswith("xl/worksheets/sheet"):
            data = _SHARED_CELL.sub(inline, data)
        elif name in ("[Content_Types].xml", "xl/_rels/workbook.xml.rels"):
            data = _SHARED_PARTS.sub(b"", data)
        if name != "xl/sharedStrings.xml":
            out[name] = data
    return out


def _sheet_xml(path: Path) -> bytes:
    return _members(path)["xl/worksheets/sheet1.xml"]


def _members(path: Path) -> dict[str, bytes]:
    """Every part of the file but its creation time: sheet, styles, the hyperlinks' relationships; shared strings
    put back inline."""
    with zipfile.ZipFile(path) as z:
        return inline_shared({name: z.read(name) for name in z.namelist() if name != "docProps/core.xml"})


STYLED: list = [
    [1, "日本語 & <tags>", ("a link", 'https://example.org/?a=1&b="2"<3>'), None, "", "  spaced  ", 2.5, True],
    [2, "a row with a height", None, ("answer here", "#'ページ別判定'!G5"), "line\nbreak"],
    [3, datetime(2026, 12, 6), ("dated", "https://example.org/dated")],  # a date: openpyxl's row, link once
    [None, None],
]


def _write(path: Path, shortcut: bool, rows: list[list[object]]) -> None:
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("s")
    ws.row_dimensions[4].height = 40  # a row with a height keeps openpyxl's writer
    ws.row_dimensions[13].height = 45  # the second of the STYLED rows
    if shortcut:
        stream_plain_rows(ws)
    link = WriteOnlyCell(ws, "a link")
    link.hyperlink = "https://example.org/"
    bold = WriteOnlyCell(ws, "bold")
    bold.font = Font(bold=True)
    for row in rows:
        ws.append((value for value in row) if isinstance(row, tuple) else row)
    ws.append([link, "text beside a link"])
    ws.append([bold, 5])
    # rows as write_table and the checklists make them: every value a wrapped cell, some linked, some empty
    top = Alignment(wrap_text=True, vertical="top")
    for row in STYLED:
        cells = []
        for value in row:
            if isinstance(value, tuple):  # (text, link target)
                cell = WriteOnlyCell(ws, value[0])
                cell.hyperlink = value[1]
            else:
                cell = WriteOnlyCell(ws, value)
                cell.alignment = top
            cells.append(cell)
        ws.append(cells)
    wb.save(path)


def test_streamed_rows_are_byte_identical_to_openpyxls(tmp_path: Path) -> None:
    _write(tmp_path / "openpyxl.xlsx", False, ROWS)
    _write(tmp_path / "shortcut.xlsx", True, ROWS)
    assert _sheet_xml(tmp_path / "shortcut.xlsx") == _sheet_xml(tmp_path / "openpyxl.xlsx")
    assert _members(tmp_path / "shortcut.xlsx") == _members(tmp_path / "openpyxl.xlsx")
    sheet = load_workbook(tmp_path / "shortcut.xlsx")["s"]
    assert sheet["C1"].value == "  leading and trailing  "
    assert sheet["E1"].value == "line\r\nbreak\ttab"
    assert sheet["B2"].value == "\u3000full-width space\u3000" and sheet["E2"].value == "_x005F_x0041_ literal"
    assert sheet["E3"].value == 3.25 and sheet["H3"].value is True
    assert sheet["A4"].data_type == "f" and sheet["C4"].data_type == "e"
    assert sheet["A10"].hyperlink.target == "https://example.org/"
    assert sheet["A11"].font.bold
    assert sheet["B12"].alignment.wrap_text and sheet["B12"].value == "日本語 & <tags>"
    assert sheet["C12"].hyperlink.target == 'https://example.org/?a=1&b="2"<3>'
    assert sheet["D13"].hyperlink.target == "#'ページ別判定'!G5"
    assert sheet.row_dimensions[13].height == 45
    assert sheet["C14"].hyperlink.target == "https://example.org/dated" and sheet["B14"].is_date


def _table(path: Path) -> None:
    """A table as the checklists' guide sheet writes it: wrapped text, empty cells, linked cells and Links, heights."""
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("確認ガイド")
    rows = []
    for n in range(1, 40):
        answer = _xlsx.Link("記入する", f"#'ページ別判定'!G{n + 1}" if n % 9 else None)  # 9: a cell, not linked
        image = WriteOnlyCell(ws, "要素の画像")
        image.hyperlink = f"crops/{n}.png"
        rows.append(
            [n, f"https://example.org/p/{n}.html?a=1&b=<2>", "1.1.1", "非テキストコンテンツ" * (n % 4)]
            + ["", "img.hero\nimg.logo" if n % 2 else "", image if n % 3 else ""]
            + ["1. 画像を見る\n2. 代替テキストを読む " * (n % 5), " / ".join(["適合", "不適合", "適用外"]), answer]
            + [f"=cmd|'/c calc'!A{n}" if n == 7 else None, 3.5 if n % 2 else True]
        )
        if n % 10 == 0:
            rows.append(["plain row", n, "", "日本語のみ"])  # no cell object: the plain fast path
    write_table(ws, [f"列{i}" for i in range(1, 13)], rows, [5, 28, 7, 18, 14, 26, 10, 50, 16, 10, 20, 8])
    wb.save(path)


def test_write_table_rows_with_linked_cells_are_byte_identical_to_openpyxls(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _table(tmp_path / "shortcut.xlsx")
    plain_rows_only = _xlsx._row_xml
    monkeypatch.setattr(  # the rows with a linked cell made into wrapped cells and written by openpyxl, as before
        _xlsx,
        "_row_xml",
        lambda values, *a: None if isinstance(values, _xlsx._Wrapped) else plain_rows_only(values, *a),
    )
    _table(tmp_path / "openpyxl.xlsx")
    with zipfile.ZipFile(tmp_path / "shortcut.xlsx") as z:
        assert b"<v>0</v>" in z.read("xl/worksheets/sheet1.xml")  # its text refers to the shared strings...
        assert "記入する" in z.read("xl/sharedStrings.xml").decode()  # ... once each
    assert _members(tmp_path / "shortcut.xlsx") == _members(tmp_path / "openpyxl.xlsx")
    sheet = load_workbook(tmp_path / "shortcut.xlsx")["確認ガイド"]
    assert sheet["J2"].hyperlink.location == "'ページ別判定'!G2" and sheet["J2"].alignment.vertical is None
    assert sheet["J2"].hyperlink.target is None  # a place in the workbook needs no relationship
    assert sheet["J10"].value == "記入する" and sheet["J10"].hyperlink is None
    assert sheet["G2"].hyperlink.target == "crops/1.png" and sheet["G4"].hyperlink is None
    assert sheet["E2"].alignment.wrap_text and sheet["E2"].value is None
    assert sheet["K8"].value == "'=cmd|'/c calc'!A7"  # neutralised, never a formula
    assert sheet.row_dimensions[3].height == 45  # three lines of wrapped procedure
    assert sheet.page_setup.paperSize == 9 and sheet.page_setup.orientation == "landscape"  # A4
