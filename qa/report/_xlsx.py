"""Workbook helpers shared by the Excel deliverables: safe cells, header styling, print setup."""

from __future__ import annotations

import contextvars
import datetime as dt
import functools
import itertools
import math
import re
import shutil
import tempfile
import time
import zipfile
from collections.abc import Callable, Generator, Iterable, Iterator, Sequence
from copy import copy
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import openpyxl
from lxml import etree
from openpyxl.cell import Cell, WriteOnlyCell
from openpyxl.cell.cell import ERROR_CODES
from openpyxl.compat import safe_string
from openpyxl.packaging.relationship import Relationship, RelationshipList
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.workbook import Workbook
from openpyxl.worksheet._write_only import WriteOnlyWorksheet
from openpyxl.worksheet.hyperlink import Hyperlink
from openpyxl.worksheet.page import PageMargins
from openpyxl.worksheet.worksheet import Worksheet
from openpyxl.writer.excel import ExcelWriter
from openpyxl.xml.constants import (
    ARC_CONTENT_TYPES,
    ARC_SHARED_STRINGS,
    ARC_WORKBOOK_RELS,
    CONTYPES_NS,
    PKG_REL_NS,
    REL_NS,
    SHARED_STRINGS,
    SHEET_MAIN_NS,
)

from qa.store import atomic_path

# Japanese Excel also reads a full-width ＝ ＋ － ＠ opening a CSV cell as the start of a formula.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")
# No XML 1.0 text carries these (the C0 controls but tab and line ends, U+FFFE, U+FFFF): lxml refuses them.
_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
HEADER_FILL = PatternFill("solid", fgColor="1F4E78")
HEADER_FONT = Font(bold=True, color="FFFFFF")
MAX_CELL = 32_000  # Excel's limit is 32,767 characters
# zlib's fastest level: a checklist of 2,000 pages compressed in a fifth of the time of the default level (6),
# in a file about 30 % larger (14 MB instead of 11 MB)
ZIP_LEVEL = 1


def save_workbook(wb: openpyxl.Workbook, path: Path) -> None:
    """Saved under a temporary name and renamed: a full disk or a killed run never leaves a broken workbook.
    Saved as openpyxl's ``save`` does, in an archive that takes a large sheet's relationships from a file."""
    if wb.write_only and not wb.worksheets:
        wb.create_sheet()
    with (
        atomic_path(path) as tmp,
        _Archive(tmp, "w", zipfile.ZIP_DEFLATED, allowZip64=True, compresslevel=ZIP_LEVEL) as archive,
    ):
        archive.strings = _shared_strings(wb)
        wb.properties.modified = dt.datetime.now(tz=dt.UTC).replace(tzinfo=None)
        token = _SPILL.set({})
        try:
            ExcelWriter(wb, archive).save()
        finally:
            for spilled in _SPILL.get().values():
                spilled.close()
            _SPILL.reset(token)


# Inside save_workbook: a sheet's relationships written to a file, by the marker openpyxl writes in their place
_SPILL: contextvars.ContextVar[dict[bytes, Any] | None] = contextvars.ContextVar("spill", default=None)


class _Archive(zipfile.ZipFile):
    """openpyxl's archive, copying a sheet's relationships from their file where openpyxl writes their marker
    (one element per link held in memory took hundreds of MB for a checklist of thousands of pages), and adding
    the shared strings the fast path's rows refer to (openpyxl itself writes every text inline)."""

    strings: dict[str, int] = {}  # noqa: RUF012 - set per archive by save_workbook

    def writestr(self, zinfo_or_arcname: Any, data: Any, compress_type: Any = None, compresslevel: Any = None) -> None:
        if self.strings and zinfo_or_arcname == ARC_WORKBOOK_RELS:  # after the sheets, before the manifest
            super().writestr(ARC_SHARED_STRINGS, _string_table(self.strings))
            rels = etree.fromstring(data)
            ids = {rel.get("Id") for rel in rels}
            rel_id = next(f"rId{n}" for n in itertools.count(len(ids) + 1) if f"rId{n}" not in ids)
            etree.SubElement(rels, f"{{{PKG_REL_NS}}}Relationship", Type=f"{REL_NS}/sharedStrings",
                             Target="sharedStrings.xml", Id=rel_id)  # fmt: skip
            data = etree.tostring(rels)
        elif self.strings and zinfo_or_arcname == ARC_CONTENT_TYPES:
            types = etree.fromstring(data)
            etree.SubElement(types, f"{{{CONTYPES_NS}}}Override", PartName=f"/{ARC_SHARED_STRINGS}",
                             ContentType=SHARED_STRINGS)  # fmt: skip
            data = etree.tostring(types)
        spilled = (_SPILL.get() or {}).pop(data, None) if isinstance(data, bytes) and len(data) < 100 else None
        if spilled is None or not isinstance(zinfo_or_arcname, str):
            return super().writestr(zinfo_or_arcname, data, compress_type, compresslevel)
        # the entry writestr makes for a name
        zinfo = zipfile.ZipInfo(filename=zinfo_or_arcname, date_time=time.localtime(time.time())[:6])
        zinfo.compress_type = self.compression
        zinfo._compresslevel = self.compresslevel
        zinfo.external_attr = 0o600 << 16
        spilled.seek(0)
        with self.open(zinfo, "w") as out:
            shutil.copyfileobj(spilled, out, 1 << 20)
        return None


def _shared_strings(wb: Workbook) -> dict[str, int]:
    """The texts the fast path's rows share in this workbook, each with its index in the shared strings (as Excel
    itself writes text): a large sheet repeats the same titles, procedures and answers on every page's rows, and
    writing each of them inline made most of its size and time. A reader sees the same cell values."""
    if "_qa_shared_strings" not in wb.__dict__:
        wb._qa_shared_strings = {}  # type: ignore[attr-defined]
        wb.save = functools.partial(save_workbook, wb)  # type: ignore[method-assign]  # openpyxl's would leave them out
    return wb._qa_shared_strings  # type: ignore[attr-defined]


def _shareable(text: str) -> bool:
    """Text read back the same from the shared strings: openpyxl's reader drops "x005F_" there (only there), and no
    XML carries a lone surrogate (left inline, where lxml refuses it as before)."""
    return "x005F_" not in text and not _SURROGATE.search(text)


def _string_table(strings: dict[str, int]) -> bytes:
    """The shared strings part, in the order of their indexes (the dict's order)."""
    parts = [f'<sst xmlns="{SHEET_MAIN_NS}" uniqueCount="{len(strings)}">']
    for text in strings:
        space = ' xml:space="preserve"' if text != text.strip() else ""
        if _XML_SPECIAL.search(text):
            text = text.translate(_XML_TEXT)
        parts.append(f"<si><t{space}>{text}</t></si>")
    parts.append("</sst>")
    return "".join(parts).encode()


def safe(value: Any) -> Any:
    """Text from the site can never become a formula, and never carries characters Excel rejects."""
    if not isinstance(value, str):
        return value
    value = _ILLEGAL.sub("", value)[:MAX_CELL]
    return "'" + value if value.startswith(_FORMULA_START) else value


_CARE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]|\\A[=+\\-@\t\r\uff1d\uff0b\uff0d\uff20]")


def _plain_text(text: str) -> bool:
    """Text :func:`safe` leaves as it is (checked in one search: tables call it for every cell)."""
    return len(text) <= MAX_CELL and not _CARE.search(text)


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
    wrap: bool = True,
) -> int:
    """Header row plus rows, with filters, frozen header and A4-landscape printing; returns the row count.

    Works on a streamed (write-only) worksheet too, which writes its column and print settings before its first
    row: so they come first here. ``hidden``: 1-based columns to hide; ``wrap``: wrap the text of every cell (top
    aligned), so a long cell grows downwards on paper instead of running under its neighbours.
    Empty strings are left out (no cell), which is what a reader of the file sees for them anyway."""
    widths = fit_widths([*(widths or []), *[DEFAULT_WIDTH] * (len(headers) - len(widths or []))], hidden)
    for i, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
    for i in hidden:
        ws.column_dimensions[get_column_letter(i)].hidden = True
    ws.freeze_panes = "A2"
    setup_print(ws)
    top = Alignment(wrap_text=True, vertical="top")
    wrapped = _styled(ws, top)
    # Wrapped cells keep the fast path: the raw rows carry the style id of a wrapped cell.
    streamed = isinstance(ws, WriteOnlyWorksheet)
    heights = stream_plain_rows(ws, wrapped("").style_id if wrap else None) if streamed else None
    fast = heights is not None
    header = _styled(ws, top, HEADER_FILL, HEADER_FONT)
    ws.append([header(h) for h in headers])
    n = 0
    made: dict[str, str | None] = {"": None}  # each text as written, checked once: rows repeat the same texts
    for row in rows:
        values = [
            v if type(v) is not str else made[v] if v in made else made.setdefault(v, v if _plain_text(v) else safe(v))
            for v in row
        ]
        if wrap and (height := row_height(values, widths)):
            # Set, not left to the reader: LibreOffice keeps a wrapped row one line high when it opens the file.
            if heights is not None:
                heights[n + 2] = height
            else:
                dim = ws.row_dimensions[n + 2]
                dim.height = max(dim.height or 0, height)
        if fast:  # plain values are wrapped there; a row with a cell or link as wrapped cells beside it
            linked = wrap and _objects(values)
            ws.append(_Wrapped(values, wrapped) if linked else values)
        else:
            ws.append([wrapped(v) for v in values] if wrap else [_as_cell(ws, v) for v in values])
        n += 1
    ws.auto_filter.ref = f"A1:{get_column_letter(len(headers))}{n + 1}"
    return n


_XML_TEXT = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", "\r": "&#13;"})
_XML_SPECIAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f&<>\r]")


class _RawRows:
    """The fast path's rows, kept out of lxml: its xmlfile takes elements, never XML text, and parsing the rows
    only to have them serialised again took most of a large sheet's time. The rows go to a file of their own as
    the bytes lxml would write for them (ASCII, other characters as decimal references, as openpyxl's sheets
    are); the sheet gets a marker comment in their place, and each marker is replaced by its rows once the sheet
    is closed, before openpyxl puts it in the workbook."""

    MARK = re.compile(rb"<!--qa-rows (\d+)-->")

    def __init__(self, ws: WriteOnlyWorksheet) -> None:
        self.file = tempfile.TemporaryFile()  # noqa: SIM115 - open until the sheet is closed
        self.parts: list[tuple[int, int]] = []
        close = ws.close

        def close_and_splice() -> None:
            close()
            try:
                if self.parts:
                    self.splice(Path(ws._writer.out))
            finally:
                self.file.close()

        ws.close = close_and_splice

    def write(self, xf: Any, xml: str) -> None:
        if _SURROGATE.search(xml):  # no XML can carry it: lxml raises, as it did here before
            for row in etree.fromstring(f"<rows>{xml}</rows>"):
                xf.write(row)
            return
        xf.write(self.part(xml.encode("ascii", "xmlcharrefreplace")))

    def part(self, xml: bytes) -> Any:
        """The marker standing for this XML, which goes to the side file. Cell text escapes "<": no cell makes a
        comment."""
        start = self.file.tell()
        self.file.write(xml)
        self.parts.append((start, self.file.tell()))
        return etree.Comment(f"qa-rows {len(self.parts) - 1}")

    def splice(self, sheet: Path) -> None:
        pieces = self.MARK.split(sheet.read_bytes())  # the sheet without these rows: small
        with atomic_path(sheet) as tmp, open(tmp, "wb") as out:
            for i, piece in enumerate(pieces):
                if i % 2 == 0:
                    out.write(piece)
                    continue
                start, end = self.parts[int(piece)]
                self.file.seek(start)
                left = end - start
                while left:
                    chunk = self.file.read(min(left, 1 << 20))
                    out.write(chunk)
                    left -= len(chunk)


_SURROGATE = re.compile("[\ud800-\udfff]")


class _Wrapped(list):
    """A row of write_table with a styled or linked cell: every other value, empty ones too, is a wrapped cell.
    The fast path writes it as openpyxl writes those cells; ``make`` makes them should the row leave it."""

    def __init__(self, values: list[Any], make: Callable[[Any], Any]) -> None:
        super().__init__(values)
        self.make = make


def stream_plain_rows(ws: WriteOnlyWorksheet, style: int | None = None) -> dict[int, float] | None:
    """Let a streamed worksheet write rows of plain text and numbers as whole ``<row>`` elements.

    openpyxl makes, binds and serialises a cell object per value: a checklist's page sheet (a row per page and
    criterion, 11,200 rows at 200 pages) spent most of its time there. A row of plain values is written here
    with the very XML openpyxl writes for it (same elements, attributes and escaping), and so is a row of styled or
    linked cells; any other row (formulas, error codes, dates) goes through openpyxl as before. ``style``: the
    style id every plain cell gets (e.g. wrapped text) in a row of plain values. Call it before the sheet's first
    row. Returns None when the sheet cannot take that path, else a dict where the caller may put the height of a
    row to come by its number (a RowDimension per row costs more than the row's XML)."""
    if ws._rows is not None or not openpyxl.LXML:  # rows already streamed; or openpyxl writes without lxml
        return None
    heights: dict[int, float] = {}
    shared = _shared_strings(ws.parent)

    def write_rows() -> Generator[None, Sequence[Any], None]:
        try:
            xf = ws._writer.xf.send(True)
        except StopIteration:
            ws._already_saved()
        pending: list[str] = []
        raw = _RawRows(ws)
        _fast_links(ws, raw)

        def flush() -> None:
            raw.write(xf, "".join(pending))
            pending.clear()

        with xf.element("sheetData"):
            index = 1
            try:
                while True:
                    values = yield
                    height = heights.pop(index, None)
                    if (dim := ws.row_dimensions.get(index)) is not None and dim.height:
                        height = max(dim.height, height or 0)
                    row = _row_xml(values, index, style, height, ws._hyperlinks, shared)
                    if row is None:
                        if pending:
                            flush()
                        if height:
                            ws.row_dimensions[index].height = height
                        if type(values) is _Wrapped:
                            values = [values.make(v) for v in values]
                        elif isinstance(values, list | tuple) and any(type(v) is Link for v in values):
                            values = [_as_cell(ws, v) for v in values]
                        ws._writer.write_row(xf, ws._values_to_row(values, index), index)
                    else:
                        pending.append(row)
                        if len(pending) == 1000:
                            flush()
                    index += 1
            except GeneratorExit:
                if pending:
                    flush()
        ws._writer.xf.send(None)

    ws._write_rows = write_rows
    return heights


_ATTR = str.maketrans(
    {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "\n": "&#10;", "\r": "&#13;", "\t": "&#9;"}
)
_HYPERLINK = f"{REL_NS}/hyperlink"


class _Relationships(RelationshipList):
    """A sheet's relationships serialised in one parse: openpyxl builds an element per relationship, which took
    most of the saving time of a checklist with a link on every row. Same elements, attributes and order."""

    def to_tree(self) -> Any:
        spill = _SPILL.get()
        if spill is None:  # saved by openpyxl itself: one tree, fed element by element
            parser = etree.XMLParser()
            parser.feed(f'<Relationships xmlns="{PKG_REL_NS}">')
            for xml in self._elements():
                if xml is None:
                    return super().to_tree()
                parser.feed(xml)
            parser.feed("</Relationships>")
            return parser.close()
        out = tempfile.TemporaryFile()  # noqa: SIM115 - closed by save_workbook
        out.write(f'<Relationships xmlns="{PKG_REL_NS}">'.encode())
        for xml in self._elements():
            if xml is None:
                out.close()
                return super().to_tree()
            out.write(xml.encode())  # UTF-8, as openpyxl writes this part
        out.write(b"</Relationships>")
        marker = etree.Element("qa-relationships", n=str(len(spill)))
        spill[etree.tostring(marker)] = out
        return marker

    def _elements(self) -> Iterator[str | None]:
        """Each relationship's element; None for one lxml would refuse (left to openpyxl to say so). The part
        before the id is made once per target: a sheet links the same few files from many rows."""
        made: dict[tuple[Any, Any, Any], str | None] = {}
        for rel in self:
            key = (rel.Type, rel.Target, rel.TargetMode)
            head = made.get(key, "")
            if head == "":
                attrs = (("Type", rel.Type), ("Target", rel.Target), ("TargetMode", rel.TargetMode))
                head = made[key] = self._attributes(attrs)
            tail = self._attributes((("Id", rel.Id),))
            if head is None or tail is None:
                yield None
                return
            yield f"<Relationship{head}{tail}/>"

    @staticmethod
    def _attributes(attrs: tuple[tuple[str, Any], ...]) -> str | None:
        values = [(k, safe_string(v)) for k, v in attrs if v is not None]
        if any(_ILLEGAL.search(v) for _, v in values):
            return None
        return "".join(f' {k}="{v.translate(_ATTR)}"' for k, v in values)


def _simple_link(link: Hyperlink | tuple[str, str]) -> bool:
    """A link that is a cell and a target alone (a Link's is a tuple), with text XML takes."""
    if type(link) is tuple:
        return not _ILLEGAL.search(link[1])
    return not (link.location or link.tooltip or link.display or link.id or _ILLEGAL.search(link.target or link.ref))


def _fast_links(ws: WriteOnlyWorksheet, raw: _RawRows) -> None:
    """The sheet's hyperlinks and their relationships written as openpyxl writes them, without an object per
    element; a link with more than a cell and a target (location, tooltip) leaves them all to openpyxl."""
    writer = ws._writer
    writer._rels = _Relationships()
    slow = writer.write_hyperlinks

    def write_hyperlinks() -> None:
        links = ws._hyperlinks
        if writer._rels or not all(map(_simple_link, links)):
            links[:] = [hyperlink(*link) if type(link) is tuple else link for link in links]
            return slow()
        if not links:
            return
        parts = [b"<hyperlinks>"]  # written beside the sheet as its rows are: a large sheet has one per row
        for link in links:
            if type(link) is tuple:
                ref, target = link[0], link[1]
            else:
                ref, target = link.ref, link.target
            ref = ref.translate(_ATTR)
            if type(link) is tuple and target[:1] == "#":  # a Link to a place in this workbook: no relationship
                place = target[1:].translate(_ATTR).encode("ascii", "xmlcharrefreplace")
                parts.append(f'<hyperlink ref="{ref}" location="'.encode() + place + b'"/>')
            elif target:
                rel = Relationship.__new__(Relationship)  # the fields as openpyxl's descriptors would store them
                rel.__dict__.update(Type=_HYPERLINK, Target=target, TargetMode="External", Id=None)
                writer._rels.append(rel)
                if type(link) is not tuple:
                    link.id = rel.Id
                parts.append(f'<hyperlink xmlns:r="{REL_NS}" ref="{ref}" r:id="{rel.Id}"/>'.encode())
            else:
                parts.append(f'<hyperlink ref="{ref}"/>'.encode())
        parts.append(b"</hyperlinks>")
        writer.xf.send(raw.part(b"".join(parts)))

    writer.write_hyperlinks = write_hyperlinks


_COLUMNS = [get_column_letter(i) for i in range(1, 257)]


LINE_HEIGHT = 15  # points: one line of the default font (Japanese text included)
MAX_LINES = 20  # a taller row is cut off rather than filling the page


_WIDE = dict.fromkeys(map(chr, [*range(0x2E80, 0x9FFF + 1), *range(0xF900, 0xFFE6 + 1)]), 1.6)


@functools.lru_cache(maxsize=16_384)  # the same texts (titles, procedures, answers) recur on every page's rows
def _display_width(text: str) -> float:
    """Width in digit widths: an East Asian wide character takes about 1.6 (measured in LibreOffice's output).
    Added up character by character in order, so the sum (and the rows' heights) stay exactly as they were."""
    return len(text) if text.isascii() else sum(map(_WIDE.get, text, itertools.repeat(1)))


@functools.lru_cache(maxsize=65_536)
def _lines(text: str, usable: float) -> int:
    return sum(max(1, math.ceil(_display_width(part) / usable)) for part in text.split("\n"))


def row_height(values: Sequence[Any], widths: Sequence[float]) -> float | None:
    """The height (points) a row of wrapped text needs, or None when every cell fits on one line."""
    lines = 1
    for value, width in zip(values, widths, strict=False):
        if type(value) is not str:
            if isinstance(value, Cell):
                value = value.value
            elif type(value) is Link:
                value = value.text
            if not isinstance(value, str):
                continue
        if value and (n := _lines(value, max(1.0, width - 1))) > lines:
            lines = n
    return min(lines, MAX_LINES) * LINE_HEIGHT if lines > 1 else None


def _row_xml(
    values: Sequence[Any],
    index: int,
    style: int | None = None,
    height: float | None = None,
    links: list[Hyperlink] | None = None,
    shared: dict[str, int] | None = None,
) -> str | None:
    """A row as openpyxl serialises it, or None when a value needs openpyxl's own handling.

    Cell objects (styled or linked, as write_table and the checklists make them) are written as openpyxl writes
    them too: their own style, the hyperlink recorded in ``links`` (the sheet's list, in order) once the row is
    taken; plain values beside them get no style, as in openpyxl's row. ``shared``: the workbook's shared strings,
    where text goes (else inline, as openpyxl writes it)."""
    if not isinstance(values, list | tuple) or len(values) > len(_COLUMNS):  # a generator is read once, by openpyxl
        return None
    wrapped = type(values) is _Wrapped  # plain values are wrapped cells, empty ones too: ``style`` is theirs
    s = f' s="{style}"' if style and (wrapped or not _objects(values)) else ""
    parts = [f'<row r="{index}" ht="{height:g}" customHeight="1">' if height else f'<row r="{index}">']
    found: list[tuple[Hyperlink | str, str]] = []  # (a cell's hyperlink or a Link's target, the cell)
    for column, value in zip(_COLUMNS, values, strict=False):
        kind = type(value)
        if kind is Link:
            text = value.text
            seen = shared and type(text) is str and text in shared and text[0] != "="  # it passed the checks below
            if not seen and (
                not text or type(text) is not str or text[0] == "=" or text in ERROR_CODES or _ILLEGAL.search(text)
            ):
                return None
            if value.target is not None:
                if links is None:
                    return None
                found.append((value.target, f"{column}{index}"))
            parts.append(_text_xml(f'r="{column}{index}"', text[:32767], shared))
            continue
        if kind is Cell:
            if value.hyperlink is not None:
                if links is None:
                    return None
                found.append((value.hyperlink, f"{column}{index}"))
            value, kind, styled = value._value, value.data_type, value.style_id if value.has_style else 0
            attrs = f'r="{column}{index}"' + (f' s="{styled}"' if styled else "")
            if value is None or value == "":
                if not styled and value is None:
                    continue  # openpyxl leaves out an empty cell without a style
                parts.append(f'<c {attrs} t="{"inlineStr" if kind == "s" else kind}"></c>')
                continue
            if kind == "s" and type(value) is str:
                parts.append(_text_xml(attrs, value, shared))
            elif kind in ("n", "b") and type(value) in (int, float, bool) and value - value == 0:
                parts.append(f'<c {attrs} t="{kind}"><v>{value:.16g}</v></c>')
            else:
                return None
            continue
        if value is None:
            if wrapped and s:
                parts.append(f'<c r="{column}{index}"{s} t="n"></c>')
            continue
        attrs = f'r="{column}{index}"{s}'
        if kind is str and shared and value[0] != "=" and (at := shared.get(value)) is not None:
            parts.append(f'<c {attrs} t="s"><v>{at}</v></c>')  # a text seen before: it passed the checks below
        elif kind is str:
            text = value[:32767]
            if not text or (len(text) > 1 and text[0] == "=") or text in ERROR_CODES or _ILLEGAL.search(text):
                return None
            parts.append(_text_xml(attrs, text, shared))
        elif kind is int or kind is bool or (kind is float and value - value == 0):  # not NaN or infinite
            parts.append(f'<c {attrs} t="{"b" if kind is bool else "n"}"><v>{value:.16g}</v></c>')
        else:
            return None
    if len(parts) == 1:  # an empty row: left to openpyxl
        return None
    parts.append("</row>")
    for link, ref in found:
        if isinstance(link, Hyperlink):
            link.ref = ref
            links.append(link)  # type: ignore[union-attr]  # found is empty without links
        else:
            links.append((ref, link))  # type: ignore[union-attr]  # made a Hyperlink only if openpyxl writes them
    return "".join(parts)


_PLAIN = frozenset((str, int, float, bool, type(None)))


def _objects(values: Sequence[Any]) -> bool:
    """Whether the row has a cell object or a Link (asked of every row: the types looked at once each)."""
    kinds = set(map(type, values))
    return Cell in kinds or Link in kinds or (not kinds <= _PLAIN and any(isinstance(v, Cell | Link) for v in values))


def _text_xml(attrs: str, text: str, shared: dict[str, int] | None = None) -> str:
    if shared is not None:
        at = shared.get(text)
        if at is None and _shareable(text):
            at = shared[text] = len(shared)
        if at is not None:
            return f'<c {attrs} t="s"><v>{at}</v></c>'
    space = ' xml:space="preserve"' if text != text.strip() else ""
    if _XML_SPECIAL.search(text):
        text = text.translate(_XML_TEXT)
    return f'<c {attrs} t="inlineStr"><is><t{space}>{text}</t></is></c>'


@dataclass(frozen=True, slots=True)
class Link:
    """A cell of text linked to ``target`` (a URL, a file of the run folder, ``#'sheet'!A1``; None: not linked), in
    a row of write_table: written as openpyxl writes such a cell (no style of its own), without making its objects
    on the fast path."""

    text: str
    target: str | None = None


def hyperlink(ref: str, target: str) -> Hyperlink:
    """The link to ``target``: ``#'sheet'!A1`` is a place in this workbook (``location``, which every spreadsheet
    program follows without a relationship), anything else a file or URL."""
    if target[:1] == "#":
        return Hyperlink(ref=ref, location=target[1:])
    return Hyperlink(ref=ref, target=target)


def _as_cell(ws: Worksheet | WriteOnlyWorksheet, value: Any) -> Any:
    if type(value) is not Link:
        return value
    cell = WriteOnlyCell(ws, value.text)
    if value.target is not None:
        cell.hyperlink = hyperlink("", value.target)
    return cell


def _styled(
    ws: Worksheet | WriteOnlyWorksheet, alignment: Alignment, fill: PatternFill | None = None, font: Font | None = None
) -> Callable[[Any], Any]:
    """A maker of detached cells in this style (a cell given is kept as it is): the style is set once and copied
    to each cell, as openpyxl hashes every style object each time one is set on a cell."""
    model = WriteOnlyCell(ws)
    model.alignment = alignment
    if fill:
        model.fill, model.font = fill, font
    style = model._style

    def make(value: Any) -> Any:
        if isinstance(value, Cell | Link):
            return _as_cell(ws, value)
        return Cell(ws, row=1, column=1, value=value, style_array=style)  # both kinds of worksheet take it

    return make


# Printing. Column widths are in characters of the default font (Calibri 11: a digit is 7 px, a column adds 5 px
# of padding); a sheet fits A4 landscape at the scale its columns allow, so the columns are chosen to keep that
# scale at MIN_SCALE or more (4-5 pt text at 40 % is unreadable on paper).
A4_LANDSCAPE_INCHES = 297 / 25.4
MARGINS = PageMargins(left=0.4, right=0.4, top=0.75, bottom=0.6, header=0.3, footer=0.3)
PIXELS_PER_INCH = 96
MIN_SCALE = 70
DEFAULT_WIDTH = 8.43


def column_pixels(width: float) -> int:
    return int(width * 7 + 5)


def printable_pixels(margins: PageMargins = MARGINS) -> float:
    return (A4_LANDSCAPE_INCHES - margins.left - margins.right) * PIXELS_PER_INCH


def fit_widths(widths: Sequence[float], hidden: Iterable[int] = (), floor: float = 10) -> list[float]:
    """Column widths narrowed so the printed columns fit A4 landscape at MIN_SCALE or more: the columns wider
    than ``floor`` give up width in proportion (their text wraps); narrow ones (numbers, codes) keep theirs."""
    hidden = set(hidden)
    budget = printable_pixels() * 100 / (MIN_SCALE + 2)  # a little room for the rounding of column pixels
    visible = [(i, w) for i, w in enumerate(widths, start=1) if i not in hidden]
    total = sum(column_pixels(w) for _, w in visible)
    if total <= budget:
        return list(widths)
    fixed = sum(column_pixels(w) for _, w in visible if w <= floor)
    wide = sum(w * 7 for _, w in visible if w > floor)
    pad = 5 * sum(1 for _, w in visible if w > floor)
    factor = max(0.1, (budget - fixed - pad) / wide) if wide else 1
    return [max(floor, round(w * factor, 1)) if i not in hidden and w > floor else w for i, w in enumerate(widths, 1)]


def print_scale(ws: Worksheet | WriteOnlyWorksheet, columns: int | None = None) -> int:
    """The scale (%) at which the sheet's printed columns fit the width of A4 landscape: the sum of the visible
    columns' widths against the printable width between the margins (hidden columns do not print)."""
    printable = printable_pixels(ws.page_margins)
    dims = ws.column_dimensions
    count = columns or max((_index(k) for k in dims), default=1)
    total = 0
    for i in range(1, count + 1):
        dim = dims.get(get_column_letter(i))
        if dim is not None and dim.hidden:
            continue
        total += column_pixels(dim.width if dim is not None and dim.width else DEFAULT_WIDTH)
    return min(100, math.floor(printable / total * 100)) if total else 100


def _index(letter: str) -> int:
    from openpyxl.utils import column_index_from_string

    return column_index_from_string(letter)


def setup_print(ws: Worksheet | WriteOnlyWorksheet, title_rows: str = "1:1") -> None:
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = Worksheet.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_margins = copy(MARGINS)
    ws.oddFooter.center.text = "&P / &N"  # until finish_print says more: every printed page is numbered
    if title_rows:
        ws.print_title_rows = title_rows


@dataclass
class PrintHeader:
    """What every printed page of a workbook says: title, site and profile on top; page and date below."""

    title: str
    site: str = ""
    profile: str = ""
    when: str = ""  # the date printed in the footer (local time of the deliverables)
    lang: str = "ja"
    partial: bool = False  # an interrupted run: said on every page so it never passes for a full one


def run_header(results: Any, title: tuple[str, str], profile: str = "") -> PrintHeader:
    """The print header of a workbook about a run (``results``: qa.model.Results)."""
    config = results.run.config or {}
    lang = "en" if config.get("lang") == "en" else "ja"
    site = (config.get("claim") or {}).get("site_url") or results.run.start_url or ""
    when = local_time(results.run.finished or results.run.started, config.get("timezone"))
    partial = results.run.status != "complete"
    return PrintHeader(title[0] if lang == "ja" else title[1], site, profile, when, lang, partial)


def _hf(text: str, limit: int) -> str:
    text = _ILLEGAL.sub("", text).replace("&", "&&")
    return text if len(text) <= limit else text[: limit - 1] + "…"


def finish_print(wb: Workbook, header: PrintHeader) -> None:
    """Header and footer on every visible sheet of the workbook, print setup where a sheet has none yet, and the
    scale its columns allow recorded in the page setup (Excel and LibreOffice fit the width themselves)."""
    for ws in wb.worksheets:
        if ws.sheet_state != "visible":
            continue
        if not ws.sheet_properties.pageSetUpPr or not ws.sheet_properties.pageSetUpPr.fitToPage:
            setup_print(ws, "")
        center = header.site
        if header.partial:
            center = ("部分的な結果（中断） " if header.lang == "ja" else "PARTIAL RUN (interrupted) ") + center
        ws.oddHeader.left.text = _hf(header.title, 80)
        ws.oddHeader.center.text = _hf(center, 90)
        ws.oddHeader.right.text = _hf(header.profile, 60)
        ws.oddFooter.left.text = _hf(ws.title, 40)
        ws.oddFooter.center.text = "&P / &N ページ" if header.lang == "ja" else "page &P / &N"
        ws.oddFooter.right.text = _hf(header.when, 40)
        ws.page_setup.scale = print_scale(ws)


def local_time(value: str | dt.datetime | None, timezone: str | None, with_time: bool = True) -> str:
    """A timestamp of the run (ISO, UTC) in the deliverables' time zone (``timezone``, default Asia/Tokyo):
    ``2026-12-06 18:33 JST``; a date alone stays as it is."""
    if not value:
        return ""
    if isinstance(value, str):
        if len(value) == 10:
            return value
        try:
            value = dt.datetime.fromisoformat(value)
        except ValueError:
            return value
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    local = value.astimezone(ZoneInfo(timezone or "Asia/Tokyo"))
    return local.strftime("%Y-%m-%d %H:%M %Z" if with_time else "%Y-%m-%d")
