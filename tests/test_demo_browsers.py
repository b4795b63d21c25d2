"""The demo site through the default 3 × 3 matrix: the browser-family defects of qa/demo/DEFECTS.md are found in
every engine, and the browser-check workbook and its screenshots cover all nine cells."""

from __future__ import annotations

from openpyxl import load_workbook

from tests.conftest import QARun

CELLS = [f"{b}/{v}" for b in ("chromium", "firefox", "webkit") for v in ("desktop", "tablet", "phone")]


def _cells(run: QARun, rule: str, path: str) -> set[str]:
    return {c for f in run.results["findings"] if f["rule"] == rule and f["url"].endswith(path) for c in f["seen_in"]}


def test_the_demo_run_covers_three_engines_by_three_viewports(demo_run: QARun) -> None:
    assert demo_run.results["run"]["cells"] == CELLS
    audited = [p for p in demo_run.results["pages"] if not p["error"]]
    by_url: dict[str, set[str]] = {}
    for page in audited:
        by_url.setdefault(page["url"], set()).add(f"{page['browser']}/{page['viewport']}")
        assert (demo_run.run_dir / page["facts"]["screenshot"]).is_file()
    assert len(by_url) >= 15 and all(cells == set(CELLS) for cells in by_url.values())


def test_logistics_table_overflows_at_phone_width_in_every_engine(demo_run: QARun) -> None:
    cells = _cells(demo_run, "horizontal-overflow", "/industries/logistics.html")
    assert {"chromium/phone", "firefox/phone", "webkit/phone"} <= cells
    assert not {c for c in cells if c.endswith("/desktop")}
    assert not _cells(demo_run, "horizontal-overflow", "/privacy.html")


def test_seminar_javascript_error_is_found_in_every_cell(demo_run: QARun) -> None:
    assert _cells(demo_run, "js-error", "/news/seminar-2026.html") == set(CELLS)
    others = {f["url"] for f in demo_run.results["findings"] if f["rule"] == "js-error"}
    assert all(u.endswith("/news/seminar-2026.html") for u in others)


def test_access_page_missing_map_is_a_broken_image_and_a_failed_request(demo_run: QARun) -> None:
    assert _cells(demo_run, "broken-image", "/access.html") == set(CELLS)
    failed = [
        f for f in demo_run.results["findings"] if f["rule"] == "failed-request" and f["url"].endswith("/access.html")
    ]
    assert [f["target"].rsplit("/", 1)[-1] for f in failed] == ["office-map.png"]
    assert sorted(failed[0]["seen_in"]) == sorted(CELLS)


def test_browser_check_workbook_links_every_cell_to_its_screenshot(demo_run: QARun) -> None:
    wb = load_workbook(demo_run.run_dir / "browser-check.xlsx")
    ws = wb["マトリクス"]
    assert [c.value for c in ws[1]][2:] == CELLS
    rows = {ws.cell(r, 1).value: r for r in range(2, ws.max_row + 1) if str(ws.cell(r, 1).value).startswith("http")}
    privacy = next(r for url, r in rows.items() if url.endswith("/privacy.html"))
    assert [ws.cell(privacy, c).value for c in range(3, 12)] == ["OK"] * 9
    seminar = next(r for url, r in rows.items() if url.endswith("/news/seminar-2026.html"))
    assert [ws.cell(seminar, c).value for c in range(3, 12)] == ["NG"] * 9
    for c in range(3, 12):
        target = ws.cell(privacy, c).hyperlink.target
        assert target.startswith("screenshots/") and (demo_run.run_dir / target).is_file()
    issues = [row for row in wb["問題一覧"].iter_rows(min_row=2, values_only=True)]
    assert any(row[2] == "horizontal-overflow" and row[0].endswith("/industries/logistics.html") for row in issues)
