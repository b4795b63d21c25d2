"""One truth across every output (qa/judge/inventory.py): every deliverable counts the same pages, an address of a
page that serves the same document is not a second page, the pages not audited are listed once as exceptions,
and no deliverable claims OK or 0 for a check family that did not run."""

from __future__ import annotations

import re
from pathlib import Path

from openpyxl import load_workbook

from qa.judge import inventory
from qa.model import Finding, Page, Results, RunInfo
from tests.conftest import PageHandler, QARun, run_qa, serve_handler

ONE_CELL = ("--browser", "chromium", "--viewport", "desktop")
PAGES = "ページ数"
EXCEPTIONS = "例外事項（監査できなかったページ）"


def sheet_value(path: Path, sheet: str, label: str) -> object:
    """The value beside ``label`` in the first column of a sheet."""
    for row in load_workbook(path)[sheet].iter_rows(values_only=True):
        if row and row[0] == label:
            return row[1]
    raise AssertionError(f"{label!r} not in {path.name} / {sheet}")


def data_rows(path: Path, sheet: str) -> list[tuple]:
    return [r for r in load_workbook(path)[sheet].iter_rows(min_row=2, values_only=True) if any(r)]


def html_stat(html: str, key: str) -> int:
    match = re.search(rf'data-stat="{key}"><dt>[^<]*</dt><dd>([\d,]+)</dd>', html)
    assert match, key
    return int(match.group(1).replace(",", ""))


def matrix_rows(path: Path) -> dict[str, list[str]]:
    """Page URL -> the statuses of its cells, from the browser-check workbook's matrix."""
    ws = load_workbook(path)["マトリクス"]
    width = ws.max_column
    return {
        row[0]: list(row[2:width])
        for row in ws.iter_rows(min_row=2, values_only=True)
        if isinstance(row[0], str) and row[0].startswith("http")
    }


# ---- the demo site: every output agrees ------------------------------------------------------------------------------


def test_every_output_counts_the_same_pages_on_the_demo_site(demo_run: QARun) -> None:
    run_dir, results = demo_run.run_dir, demo_run.results
    section = results["inventory"]
    pages, exceptions = section["counts"]["pages"], section["counts"]["exceptions"]
    assert pages == len(section["pages"]) >= 15 and exceptions == len(section["exceptions"]) == 1
    start = results["run"]["start_url"]
    home = next(p for p in section["pages"] if p["url"] == start)
    assert home["aliases"] == [start + "index.html"]  # one document at two addresses: one page
    assert section["exceptions"][0]["url"].endswith("/downloads/subsidy-guide.pdf")
    assert "404" in section["exceptions"][0]["reason"]

    counted = {
        "sitemap.xml": (run_dir / "sitemap.xml").read_text(encoding="utf-8").count("<loc>"),
        "sitemap.xlsx": sheet_value(run_dir / "sitemap.xlsx", "概要", PAGES),
        "run-log.xlsx": sheet_value(run_dir / "run-log.xlsx", "実行状況", PAGES),
        "findings-by-template.xlsx": sheet_value(run_dir / "findings-by-template.xlsx", "概要", PAGES),
        "browser-check.xlsx": len(matrix_rows(run_dir / "browser-check.xlsx")),
        "report.html": html_stat((run_dir / "report.html").read_text(encoding="utf-8"), "pages"),
    }
    for profile in ("wcag22", "jis2016"):
        counted[f"checklist-{profile}.xlsx"] = len(data_rows(run_dir / f"checklist-{profile}.xlsx", "試験対象ページ"))
    summary = (run_dir / "summary.md").read_text(encoding="utf-8")
    counted["summary.md"] = int(re.search(r"試験したページ (\d+) 件", summary).group(1))
    counted["INDEX.md"] = int(re.search(r"- ページ数: (\d+)", (run_dir / "INDEX.md").read_text(encoding="utf-8"))[1])
    assert counted == dict.fromkeys(counted, pages)

    listed = {
        "sitemap.xlsx": sheet_value(run_dir / "sitemap.xlsx", "概要", EXCEPTIONS),
        "run-log.xlsx": sheet_value(run_dir / "run-log.xlsx", "実行状況", EXCEPTIONS),
        "report.html": html_stat((run_dir / "report.html").read_text(encoding="utf-8"), "not-audited"),
        "summary.md": int(re.search(r"監査できなかったページ（例外事項） (\d+) 件", summary).group(1)),
    }
    for name in ("sitemap.xlsx", "browser-check.xlsx", "run-log.xlsx"):
        listed[f"{name} 例外事項"] = len(data_rows(run_dir / name, "例外事項"))
    listed["checklist-jis2016.xlsx 例外事項"] = len(data_rows(run_dir / "checklist-jis2016.xlsx", "例外事項"))
    assert listed == dict.fromkeys(listed, exceptions)
    # the finished site's tree holds exactly the pages: the exception is listed apart, never as a page
    tree = data_rows(run_dir / "sitemap.xlsx", "ナビゲーション")
    assert len(tree) == pages
    assert "subsidy-guide.pdf" not in (run_dir / "sitemap.xml").read_text(encoding="utf-8")


def test_the_home_page_missing_alt_counts_once_on_the_demo_site(demo_run: QARun) -> None:
    results = demo_run.results
    start = results["run"]["start_url"]
    alt = [f for f in results["findings"] if f["rule"] == "image-alt"]
    assert [f["url"] for f in alt] == [start]
    assert alt[0]["details"]["aliases"] == [start + "index.html"]
    group = next(g for g in results["groups"]["items"] if g["rule"] == "image-alt")
    assert group["page_count"] == 1 and not group["shared"] and group["summary"] == "1 page"
    assert start + "index.html" not in results["sample"]["urls"]
    assert "image-alt (1)" in demo_run.stdout


# ---- a family that did not run is never OK or 0 ---------------------------------------------------------------------


def test_only_a11y_claims_no_result_for_the_checks_that_did_not_run(tmp_path: Path) -> None:
    run = run_qa("audit", "--only", "a11y", *ONE_CELL, out=tmp_path)
    assert run.code in (0, 1), run.stderr
    run_dir = run.run_dir
    families = run.results["inventory"]["families"]
    assert families["a11y"]["ran"] and not families["links"]["ran"] and not families["browsers"]["ran"]

    wb = load_workbook(run_dir / "browser-check.xlsx")
    statuses = {s for cells in matrix_rows(run_dir / "browser-check.xlsx").values() for s in cells}
    assert statuses == {"未実施"}
    for sheet in ("問題一覧", "サムネイル"):
        note = wb[sheet]["A1"].value
        assert "未実施" in note and "qa audit --only browsers" in note, sheet
    assert not (run_dir / "link-check.xlsx").exists()

    summary = (run_dir / "summary.md").read_text(encoding="utf-8")
    links_row = next(line for line in summary.splitlines() if line.startswith("| リンク切れ |"))
    assert "| 0 |" not in links_row and "未実施" in links_row and "qa audit --only links" in links_row
    index = (run_dir / "INDEX.md").read_text(encoding="utf-8")
    assert "qa audit --only links" in index and "qa audit --only browsers" in index

    html = (run_dir / "report.html").read_text(encoding="utf-8")
    for family, command in (("links", "qa audit --only links"), ("browsers", "qa audit --only browsers")):
        item = re.search(rf'<li data-not-run="{family}">([^<]*)</li>', html)
        assert item and command in item.group(1), family

    ops = {r[9]: r for r in data_rows(run_dir / "operation-check.xlsx", "検証完了チェックシート")}
    assert ops["links"][5] == "未確認" and "qa audit --only links" in ops["links"][6]


# ---- where the browser checks ran, every recorded problem is NG and listed ----------------------------------------


VIEWPORT = b'<meta name="viewport" content="width=device-width, initial-scale=1">'


class ProblemSite(PageHandler):
    PAGES = {
        "/": b'<!doctype html><html lang="en"><head><title>Home</title></head><body><main><h1>Home</h1>'
        b'<a href="/js.html">Script</a> <a href="/image.html">Image</a></main></body></html>',
        "/js.html": b'<!doctype html><html lang="en"><head><title>Script</title></head><body><main><h1>Script</h1>'
        b"<script>window.notDefinedAnywhere();</script></main></body></html>",
        "/image.html": b'<!doctype html><html lang="en"><head><title>Image</title></head><body><main><h1>Image</h1>'
        b'<img src="/missing.png" alt="Map" width="40" height="40"></main></body></html>',
    }

    def do_GET(self) -> None:
        body = self.PAGES.get(self.path)
        if body is None:
            self.send_html(b"not found", 404)
        else:
            self.send_html(body.replace(b"</title>", b"</title>" + VIEWPORT))


def test_pages_with_a_javascript_error_or_a_broken_image_are_ng_and_listed(tmp_path: Path) -> None:
    with serve_handler(ProblemSite) as base:
        # the whole family, then the page check alone: the JavaScript error is then only recorded by the visit
        runs = [
            run_qa("audit", base, "--only", only, *ONE_CELL, out=tmp_path / only) for only in ("browsers", "browser")
        ]
    for run in runs:
        assert run.code in (0, 1), run.stderr
        path = run.run_dir / "browser-check.xlsx"
        matrix = matrix_rows(path)
        assert matrix == {base: ["OK"], base + "js.html": ["NG"], base + "image.html": ["NG"]}
        issues = {(r[0], r[2]) for r in data_rows(path, "問題一覧")}
        assert {(base + "js.html", "js-error"), (base + "image.html", "broken-image")} <= issues
        assert (base + "image.html", "failed-request") in issues
        assert len(load_workbook(path)["サムネイル"]._images) == 2  # the two pages with a problem


# ---- one document at two addresses ----------------------------------------------------------------------------------


class FolderSite(PageHandler):
    HOME = (
        b'<!doctype html><html lang="en"><head><title>Home</title></head><body><main><h1>Home</h1>'
        b'<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=" width="20" height="20">'
        b'<a href="/index.html">Home again</a> <a href="/about.html">About</a></main></body></html>'
    )
    ABOUT = (
        b'<!doctype html><html lang="en"><head><title>About</title></head><body><main><h1>About</h1>'
        b'<a href="/">Home</a></main></body></html>'
    )

    def do_GET(self) -> None:
        pages = {"/": self.HOME, "/index.html": self.HOME, "/about.html": self.ABOUT}
        if self.path in pages:
            self.send_html(pages[self.path])
        else:
            self.send_html(b"not found", 404)


def test_a_folder_and_its_index_file_are_one_page_with_an_alias(tmp_path: Path) -> None:
    with serve_handler(FolderSite) as base:
        run = run_qa("audit", base, "--only", "a11y", *ONE_CELL, out=tmp_path)
    assert run.code == 1, run.stderr
    results = run.results
    assert {p["url"] for p in results["pages"]} == {base, base + "index.html", base + "about.html"}
    section = results["inventory"]
    assert [(p["url"], p["aliases"]) for p in section["pages"]] == [
        (base, [base + "index.html"]),
        (base + "about.html", []),
    ]
    assert section["exceptions"] == []
    alt = [f for f in results["findings"] if f["rule"] == "image-alt"]
    assert len(alt) == 1 and alt[0]["url"] == base
    assert results["sample"]["urls"] == [base, base + "about.html"]
    assert set(results["judgement"]["urls"]) == {base, base + "about.html"}
    assert "image-alt (1)" in run.stdout
    urls = [r[1] for r in data_rows(run.run_dir / "checklist-jis2016.xlsx", "試験対象ページ")]
    assert urls == [base, base + "about.html"]


# ---- the fold itself, on results built by hand ---------------------------------------------------------------------


def _page(url: str, fingerprint: str, error: str = "", status: int = 200) -> Page:
    facts = {"fingerprint": fingerprint} if not error else {}
    return Page(url, "chromium", "desktop", final_url=url, status=status, title="T", error=error, facts=facts)


def test_alias_findings_fold_onto_their_page_and_different_content_stays_apart() -> None:
    base = "http://127.0.0.1:1/"
    results = Results(
        RunInfo("r", "2026-01-01T00:00:00", start_url=base, cells=["chromium/desktop"]),
        pages=[
            _page(base, "same"),
            _page(base + "index.html", "same"),
            _page(base + "news/", "news"),
            _page(base + "news/index.html", "other"),  # a different document: its own page
            _page(base + "gone.pdf", "", error="HTTP 404; not audited", status=404),
        ],
        findings=[
            Finding("image-alt", "violation", base, "chromium", "desktop", ["1.1.1"], target="img", message="m"),
            Finding(
                "image-alt",
                "violation",
                base + "index.html",
                "chromium",
                "desktop",
                ["1.1.1"],
                target="img",
                message="m",
                seen_in=["chromium/tablet"],
            ),  # fmt: skip
            Finding("label", "violation", base + "index.html", "chromium", "desktop", ["4.1.2"], target="input"),
        ],
    )
    inv = inventory.apply(results)
    assert [(p.url, p.aliases) for p in inv.pages] == [
        (base, [base + "index.html"]),
        (base + "news/", []),
        (base + "news/index.html", []),
    ]
    assert [(e.url, e.status) for e in inv.exceptions] == [(base + "gone.pdf", 404)]
    assert [(f.rule, f.url) for f in results.findings] == [("image-alt", base), ("label", base)]
    alt, label = results.findings
    assert alt.seen_in == ["chromium/desktop", "chromium/tablet"]
    assert label.details["aliases"] == [base + "index.html"] and label.id != ""
    again = [f.id for f in results.findings]
    inventory.apply(results)  # judging again folds nothing twice
    assert [f.id for f in results.findings] == again
    assert results.extra["inventory"]["counts"] == {"pages": 3, "aliases": 1, "exceptions": 1}
