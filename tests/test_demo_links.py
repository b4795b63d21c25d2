"""The demo site's seeded link defects (qa/demo/DEFECTS.md), found by the link check of the shared demo audit."""

from __future__ import annotations

from tests.conftest import QARun


def link_rows(run: QARun, source: str, url: str) -> list[dict]:
    base = run.results["run"]["start_url"].rstrip("/")
    return [r for r in run.results["links"] if r["source"] == base + source and r["url"] == base + url]


def test_broken_pdf_link_on_incentives_page(demo_run: QARun) -> None:
    rows = link_rows(demo_run, "/incentives.html", "/downloads/subsidy-guide.pdf")
    assert rows and all(r["result"] == "broken" and r["status"] == 404 and r["internal"] for r in rows)
    assert any(
        f["rule"] == "broken-link" and f["url"].endswith("/incentives.html") for f in demo_run.results["findings"]
    )


def test_missing_anchor_on_companies_page(demo_run: QARun) -> None:
    rows = link_rows(demo_run, "/companies.html", "/privacy.html#cookies")
    assert rows and all(r["result"] == "warning" and r["issues"] == ["missing-anchor"] for r in rows)


def test_no_other_link_problem_on_the_demo_site(demo_run: QARun) -> None:
    base = demo_run.results["run"]["start_url"].rstrip("/")
    problems = {
        (r["source"].removeprefix(base), r["url"].removeprefix(base), r["result"])
        for r in demo_run.results["links"]
        if r["result"] != "ok"
    }
    assert problems == {
        ("/incentives.html", "/downloads/subsidy-guide.pdf", "broken"),
        ("/companies.html", "/privacy.html#cookies", "warning"),
        ("/access.html", "/assets/office-map.png", "broken"),  # the missing image file (DEFECTS.md, access.html)
    }


def test_link_and_sitemap_deliverables_are_written(demo_run: QARun) -> None:
    for name in ("link-check.xlsx", "sitemap.xlsx", "sitemap.xml"):
        assert (demo_run.run_dir / name).is_file(), name
    assert "links:" in demo_run.stdout and "2 broken (2 internal)" in demo_run.stdout
