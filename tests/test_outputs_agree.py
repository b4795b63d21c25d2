"""The deliverables of one run agree with each other and with results.json, on a real site in a real browser.

The loopback site has a clean page, a page that moved (``/old.html`` answers 301 to ``/new.html``, which a page
also links to directly: two addresses of one page), a link to a page that answers 404 and one to a page whose
server closes the connection without an answer (two exceptions, 例外事項; two broken links).
"""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from openpyxl import load_workbook

from tests.conftest import PageHandler, QARun, run_qa, serve_handler

CHROMIUM = ("--browser", "chromium", "--viewport", "desktop")


def _page(title: str, body: str) -> bytes:
    return (
        f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{title}</title></head>'
        f"<body><main><h1>{title}</h1>{body}</main></body></html>"
    ).encode()


class MovedPageSite(PageHandler):
    def do_GET(self) -> None:
        if self.path in ("/", "/index.html"):
            links = '<a href="/clean.html">Clean</a> <a href="/old.html">Old</a> <a href="/missing.html">Missing</a>'
            links += ' <a href="/drop.html">Dropped</a>'
            self.send_html(_page("Home", f"<p>{links}</p>"))
        elif self.path == "/clean.html":
            self.send_html(_page("Clean", '<p>Nothing wrong. <a href="/new.html">New</a></p>'))
        elif self.path == "/old.html":
            self.send_html(b"", 301, {"Location": "/new.html"})
        elif self.path == "/drop.html":
            self.close_connection = True  # no status, no headers: the browser and the link checker get nothing
        elif self.path == "/new.html":
            self.send_html(_page("New", "<p>Moved here.</p>"))
        else:
            self.send_html(_page("Not found", "<p>No such page.</p>"), 404)


def kv(path: Path, sheet: str) -> dict[str, object]:
    """A two-column sheet (項目, 値) as a dict."""
    return {str(r[0]).strip(): r[1] for r in load_workbook(path)[sheet].iter_rows(values_only=True) if r[0]}


@pytest.fixture(scope="module")
def moved(tmp_path_factory: pytest.TempPathFactory) -> Iterator[QARun]:
    out = tmp_path_factory.mktemp("moved")
    with serve_handler(MovedPageSite) as url:
        run = run_qa("audit", url, *CHROMIUM, out=out)
        assert run.code in (0, 1), run.stderr
        yield run


def test_the_site_has_one_page_at_two_addresses_and_one_exception(moved: QARun) -> None:
    counts = moved.results["inventory"]["counts"]
    assert counts == {"pages": 3, "aliases": 1, "exceptions": 2}
    log = kv(moved.run_dir / "run-log.xlsx", "実行状況")
    assert (log["ページ数"], log["例外事項（監査できなかったページ）"]) == (3, 2)


def test_operation_sheet_counts_the_pages_the_other_deliverables_count(moved: QARun) -> None:
    """An address of a page already counted is not a second page, and a page that could not be loaded is not said
    to be free of JavaScript errors."""
    rows = {r[9]: r for r in load_workbook(moved.run_dir / "operation-check.xlsx").active.iter_rows(values_only=True)}
    assert "3 ページ中 3 ページが http で配信" in rows["https"][6]
    assert "ページ 3 件と例外事項 2 件のうち 2 件が 200 以外" in rows["status-200"][6]
    assert rows["no-js-errors"][6].startswith("3 ページでエラーなし")


def test_sitemap_names_the_other_address_of_a_moved_page(moved: QARun) -> None:
    """The sitemap shows a page at its final URL; its other addresses are the ones it was also reached at (as the
    run log's 同じページ column says), never the URL shown in the same row."""
    for sheet in ("ナビゲーション", "URL階層"):
        rows = list(load_workbook(moved.run_dir / "sitemap.xlsx")[sheet].iter_rows(values_only=True))
        head = list(rows[0])
        url, other = head.index("URL"), head.index("別名のURL")
        moved_row = next(r for r in rows[1:] if str(r[url]).endswith("/new.html"))
        assert str(moved_row[other]).split("\n") == [moved_row[url].replace("/new.html", "/old.html")], sheet


def test_an_interrupted_run_does_not_say_every_page_found_was_audited(moved: QARun, tmp_path: Path) -> None:
    """The 例外事項 sheet of a partial run with no exception does not claim what the interruption left undone."""
    run_dir = tmp_path / "run"
    shutil.copytree(moved.run_dir, run_dir, ignore=shutil.ignore_patterns("*.xlsx", "*.html"))
    results = json.loads((run_dir / "results.json").read_text(encoding="utf-8"))
    results["run"]["status"] = "partial"  # as an interrupted run records it
    results["inventory"]["exceptions"], results["inventory"]["counts"]["exceptions"] = [], 0
    (run_dir / "results.json").write_text(json.dumps(results, ensure_ascii=False), encoding="utf-8")
    assert run_qa("report", str(run_dir)).code == 0
    for book in ("run-log.xlsx", "sitemap.xlsx", "browser-check.xlsx", "findings-by-template.xlsx"):
        rows = list(load_workbook(run_dir / book)["例外事項"].iter_rows(values_only=True))
        said = " ".join(str(v) for r in rows[1:] for v in r if v)
        assert "すべて試験済み" not in said and "中断" in said, (book, said)


def test_a_broken_link_without_a_status_says_why_in_japanese_as_in_english(moved: QARun) -> None:
    """The findings sheet's Japanese message of a broken link names what went wrong, as its English message and the
    link-check workbook do, also when the server gave no status to quote."""
    rows = list(
        load_workbook(moved.run_dir / "checklist-wcag22.xlsx")["ページ別指摘事項一覧"].iter_rows(values_only=True)
    )
    head = [str(h) for h in rows[0]]
    rule, ja, en = head.index("ルール"), head.index("メッセージ"), head.index("Message (English)")
    broken = {r[ja]: r[en] for r in rows[1:] if r[rule] == "broken-link"}
    assert len(broken) == 2, broken
    for message, english in broken.items():
        assert "()" not in message and not message.endswith("（）"), (message, english)
    dropped = next(m for m in broken if "/drop.html" in m)
    assert "接続できない" in dropped
    assert any("HTTP 404" in m for m in broken if "/missing.html" in m)


def test_the_operation_sheet_run_facts_count_every_automated_row(moved: QARun) -> None:
    """実行情報's 自動項目 adds up to the automated rows of the sheet: a row that is 対象外 or 未確認 is counted too,
    not left out of the total."""
    wb = load_workbook(moved.run_dir / "operation-check.xlsx")
    results = [r[5] for r in list(wb.worksheets[0].iter_rows(values_only=True))[1:] if r[1] == "自動"]
    said = kv(moved.run_dir / "operation-check.xlsx", "実行情報")["自動項目"]
    counted = {word: int(n) for word, n in re.findall(r"([^\s、]+) (\d+) 件", str(said))}
    assert counted == {word: results.count(word) for word in set(results)}, said
    assert "対象外" in results  # the site has no form: its row is 対象外, the case the total used to leave out


def test_other_addresses_are_counted_besides_the_pages_not_among_them(moved: QARun) -> None:
    """/old.html and /new.html are one page: the count rows say 3 pages and, besides them, 1 other address (the
    English "Other addresses of these pages"), never "of which 1" (うち), which would make the pages 2."""
    audited = {p["url"] for p in moved.results["pages"] if not p["error"]}
    assert len(audited) == 4
    for book in ("run-log.xlsx", "sitemap.xlsx", "findings-by-template.xlsx"):
        sheet = "実行状況" if book == "run-log.xlsx" else "概要"
        rows = {str(k): v for k, v in kv(moved.run_dir / book, sheet).items()}
        label = next(k for k in rows if "別名のURL" in k)
        assert not label.startswith("うち") and "含まない" in label, (book, label)
        assert rows["ページ数"] + rows[label] == len(audited), book
    index = (moved.run_dir / "INDEX.md").read_text(encoding="utf-8")
    assert "ページ数: 3（ほかに別名のURL 1 件）" in index
