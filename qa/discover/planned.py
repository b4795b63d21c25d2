"""The planned sitemap the client approved (CSV or xlsx of page titles and URLs), read for comparison with the site.

Plans come in many layouts: a URL column (``URL``, ``パス``, ``アドレス``, or whichever column holds URLs or
paths) and a title column (``タイトル``, ``ページ名``, ``title``, …) — or hierarchy columns (``第1階層``,
``第2階層``, …) whose last filled cell is the page's title.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from qa.errors import ConfigError

URL_HEADERS = re.compile(r"^(url|uri|address|path|link|アドレス|パス|ファイル名|ページurl|リンク先)$", re.I)
TITLE_HEADERS = re.compile(r"(title|name|タイトル|ページ名|名称|見出し|ページタイトル)", re.I)
LEVEL_HEADERS = re.compile(r"(階層|level|カテゴリ|category)", re.I)
_URLISH = re.compile(r"^(https?://|/)\S*$", re.I)


def plan_path(url: str) -> str:
    """What a planned and a finished page are matched on: the path, with ``index.html`` and trailing
    slashes folded (``/about/`` = ``/about/index.html`` = ``/about``), so the plan's production host and the
    staging host compare equal."""
    path = unquote(urlsplit(url.strip()).path or "/")
    path = re.sub(r"/index\.(html?|php)$", "/", path)
    path = re.sub(r"/{2,}", "/", path)
    return path.rstrip("/") or "/"


def same_title(planned: str, actual: str) -> bool:
    """Equal after Unicode/space normalisation, or one part of ``Page | Site`` equals the planned title."""
    p, a = _norm(planned), _norm(actual)
    if not p or p == a:
        return True
    return p in {_norm(part) for part in re.split(r"\s*[|｜:：\-–—]\s*", actual)}


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", unicodedata.normalize("NFKC", text or "")).strip().lower()


def read_planned(path: Path) -> dict[str, Any]:
    """``{"source": file name, "pages": [{"title", "url", "path", "row"}]}``; ConfigError naming the fix."""
    rows = _read_rows(path)
    if not rows:
        raise ConfigError(f"{path}: the planned sitemap is empty; give a CSV or xlsx with page titles and URLs")
    header, body, first = _split_header(rows)
    url_col = _url_column(header, body)
    if url_col is None:
        raise ConfigError(f"{path}: no column of URLs or paths found; add a 'URL' column (e.g. /about/)")
    title_col = next((i for i, h in enumerate(header) if i != url_col and TITLE_HEADERS.search(h)), None)
    level_cols = [i for i, h in enumerate(header) if LEVEL_HEADERS.search(h) and i not in (url_col, title_col)]
    pages = []
    for n, row in enumerate(body, start=first):
        url = _cell(row, url_col)
        if not url or not _URLISH.match(url):
            continue
        title = _cell(row, title_col) if title_col is not None else ""
        if not title:
            title = next((_cell(row, i) for i in reversed(level_cols) if _cell(row, i)), "")
        if not title and title_col is None and not level_cols:
            title = next((_cell(row, i) for i in range(len(row)) if i != url_col and _cell(row, i)), "")
        pages.append({"title": title, "url": url, "path": plan_path(url), "row": n})
    if not pages:
        raise ConfigError(f"{path}: the planned sitemap lists no URL; put one URL or path (e.g. /about/) per row")
    return {"source": path.name, "pages": pages}


def _cell(row: list[str], i: int | None) -> str:
    return row[i].strip() if i is not None and i < len(row) and row[i] else ""


def _split_header(rows: list[list[str]]) -> tuple[list[str], list[list[str]], int]:
    """The first row with a recognised heading is the header; a plan without one has none."""
    for i, row in enumerate(rows[:10]):
        if any(URL_HEADERS.match(c.strip()) or TITLE_HEADERS.search(c) for c in row if c):
            return [c.strip() for c in row], rows[i + 1 :], i + 2
    return [], rows, 1


def _url_column(header: list[str], body: list[list[str]]) -> int | None:
    for i, h in enumerate(header):
        if URL_HEADERS.match(h):
            return i
    width = max((len(r) for r in body), default=0)
    scores = [sum(1 for r in body if _URLISH.match(_cell(r, i))) for i in range(width)]
    best = max(range(width), key=lambda i: scores[i], default=None)
    return best if best is not None and scores[best] else None


def _read_rows(path: Path) -> list[list[str]]:
    suffix = path.suffix.lower()
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read the planned sitemap ({exc.strerror}); check the path") from None
    if suffix in (".xlsx", ".xlsm"):
        from openpyxl import load_workbook

        try:
            wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except Exception as exc:
            raise ConfigError(
                f"{path}: not a readable xlsx workbook ({type(exc).__name__}); save it as .xlsx"
            ) from None
        ws = wb.worksheets[0]
        return [["" if v is None else str(v) for v in row] for row in ws.iter_rows(values_only=True)]
    if suffix not in (".csv", ".txt", ".tsv"):
        raise ConfigError(f"{path}: the planned sitemap must be a .csv or .xlsx file")
    for encoding in ("utf-8-sig", "cp932"):  # Excel in Japan saves CSV as Shift_JIS (cp932)
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise ConfigError(f"{path}: the CSV is neither UTF-8 nor Shift_JIS; save it as UTF-8 CSV")
    dialect = csv.excel_tab if suffix == ".tsv" or ("\t" in text[:2000] and "," not in text[:2000]) else csv.excel
    return [row for row in csv.reader(io.StringIO(text), dialect) if any(c.strip() for c in row)]
