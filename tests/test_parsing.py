"""4.1.1: attributes written twice in the HTML the server sent (the DOM never shows them), in a real Chromium
against pages served on loopback; markup inside a script is no tag; an engine that cannot give the document as sent
records that nothing was verified."""

from __future__ import annotations

import pytest

from qa.demo.server import serve
from tests.conftest import SITES, QARun, run_qa

PAGES = ("repeated.html", "clean.html", "tags-crossed.html", "tags-omitted.html")


def audit(tmp_path_factory: pytest.TempPathFactory, browser: str) -> tuple[QARun, str]:
    out = tmp_path_factory.mktemp(f"parsing-{browser}")
    with serve(SITES / "parsing") as url:
        listing = out / "urls.txt"
        listing.write_text("".join(f"{url}{p}\n" for p in PAGES), encoding="utf-8")
        run = run_qa(
            "audit", "--urls", str(listing), "--browser", browser, "--viewport", "desktop", "--only", "parsing", out=out
        )
    assert run.code in (0, 1), run.stderr
    return run, url


def test_attributes_written_twice_are_violations_of_4_1_1(tmp_path_factory: pytest.TempPathFactory) -> None:
    run, url = audit(tmp_path_factory, "chromium")
    found = [f for f in run.results["findings"] if f["rule"] == "duplicate-attribute"]
    assert {(f["url"].removeprefix(url), f["target"], f["details"]["attributes"]) for f in found} == {
        ("repeated.html", "#map", "alt"),
        ("repeated.html", "body > main > svg > line", "x1"),
        ("repeated.html", "body > main > p", "class"),  # names compared as HTML does: CLASS is class
    }
    assert all(f["outcome"] == "violation" and f["sc"] == ["4.1.1"] for f in found)
    assert 'alt="" alt="Map of the harbour"' in next(f["html"] for f in found if f["target"] == "#map")
    facts = {p["url"].removeprefix(url): p["facts"]["parsing"] for p in run.results["pages"]}
    assert facts["clean.html"] == {"checked": True, "repeated": 0, "crossed": 0, "read_whole": True}
    # JIS X 8341-3:2016 judges 4.1.1; WCAG 2.2 lists it as obsolete
    assert run.results["judgement"]["criteria"]["4.1.1"]["violations"] == 5


def test_end_tags_that_cross_or_close_nothing_are_violations(tmp_path_factory: pytest.TempPathFactory) -> None:
    run, url = audit(tmp_path_factory, "chromium")
    found = [f for f in run.results["findings"] if f["rule"] == "end-tag-mismatch"]
    # the end tags HTML lets a page omit (p, li, td, dt, option, ...), void elements and a textarea's text are fine
    assert {f["url"].removeprefix(url) for f in found} == {"tags-crossed.html"}
    assert sorted((f["details"]["line"], f["details"]["what"]) for f in found) == [
        (7, "</b> comes while <i> (line 7) is still open"),  # one crossing, one finding: </i> is not reported again
        (8, "</span> closes no open <span>"),
    ]
    assert all(f["outcome"] == "violation" and f["sc"] == ["4.1.1"] for f in found)


def test_an_engine_without_the_sent_document_records_not_verified(tmp_path_factory: pytest.TempPathFactory) -> None:
    run, _ = audit(tmp_path_factory, "firefox")
    assert [f for f in run.results["findings"] if f["rule"] in ("duplicate-attribute", "end-tag-mismatch")] == []
    assert {p["facts"]["parsing"]["checked"] for p in run.results["pages"]} == {False}
    # no evidence claimed for 4.1.1 by a check that read nothing
    assert "parsing" not in run.results["judgement"]["criteria"]["4.1.1"].get("checks", [])
