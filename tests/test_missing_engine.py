"""A browser of the matrix that is not installed: skipped with a warning naming the fix, recorded in results.json,
and shown as not run in the deliverables (never as a pass); stopping the run when the user asked for it."""

from __future__ import annotations

from pathlib import Path

from openpyxl import load_workbook

from tests.conftest import run_qa

MISSING = "/nonexistent/WebKitWebDriver"


def two_engines(tmp_path: Path) -> Path:
    """Chromium beside a WebKit whose WebDriver server is not on this machine."""
    matrix = tmp_path / "browsers.yaml"
    matrix.write_text(
        "browsers:\n"
        "  - {name: chromium, engine: chromium}\n"
        f"  - {{name: safari, engine: webkit, driver: webdriver, webdriver: {MISSING}}}\n"
        "viewports:\n"
        "  - {name: desktop, width: 1366, height: 768}\n"
        "  - {name: phone, width: 390, height: 844}\n"
    )
    return matrix


def test_the_missing_engine_is_not_run_in_results_and_in_every_workbook(site, tmp_path) -> None:
    # a page not written to pass (missing alt texts, unlabelled fields) beside the clean one
    urls = tmp_path / "urls.txt"
    urls.write_text(f"{site('clean')}index.html\n{site('a11y-site-bad')}\n")
    run = run_qa("audit", "--urls", str(urls), "--browsers", str(two_engines(tmp_path)), out=tmp_path / "out")
    assert run.code in (0, 1), run.stderr
    (warning,) = [line for line in run.stderr.splitlines() if line.startswith("qa: warning: ")]
    assert "safari" in warning and MISSING in warning and "skipped" in warning and "qa doctor" in warning
    results = run.results
    assert results["run"]["cells"] == ["chromium/desktop", "chromium/phone"]
    assert {p["browser"] for p in results["pages"]} == {"chromium"}
    (skipped,) = results["matrix"]["skipped"]
    assert skipped["name"] == "safari" and skipped["engine"] == "webkit"
    assert skipped["cells"] == ["safari/desktop", "safari/phone"] and MISSING in skipped["reason"]
    assert any("safari" in note and "skipped" in note for note in results["run"]["notes"])

    book = load_workbook(run.run_dir / "browser-check.xlsx")
    sheet = book["マトリクス"]
    header = [c.value for c in sheet[1]]
    assert header[2:] == ["chromium/desktop", "chromium/phone", "safari/desktop", "safari/phone"]
    audited = {p["url"] for p in results["pages"]}
    rows = [[c.value for c in row] for row in sheet.iter_rows(min_row=2, max_row=len(audited) + 1)]
    assert {row[0] for row in rows} == audited
    for row in rows:
        assert row[4:6] == ["未実施", "未実施"]  # safari: not run, never OK
        assert all(value in ("OK", "NG", "要確認") for value in row[2:4])  # chromium ran
    legend = [row[0].value for row in sheet.iter_rows(min_row=len(audited) + 2) if row[0].value]
    assert any(text.startswith("未実施: safari（webkit）— ブラウザを起動できず") for text in legend)
    environment = [[c.value for c in row] for row in book["環境"].iter_rows()]
    assert ["ブラウザ", "safari", "未実施"] in [row[:3] for row in environment]

    summary_md = (run.run_dir / "summary.md").read_text(encoding="utf-8")  # the CI job summary
    assert "- 未実施: safari（webkit）" in summary_md

    checklists = sorted(run.run_dir.glob("checklist-*.xlsx"))
    assert checklists
    for checklist in checklists:  # one per conformance profile
        summary = {row[1].value: row[2].value for row in load_workbook(checklist)["試験結果"].iter_rows(min_row=2)}
        assert summary["検査しなかったブラウザ"].startswith("未実施: safari（webkit）"), checklist.name
        assert "qa setup" in summary["検査しなかったブラウザ"]
        assert "safari" not in summary["使用したツール"]  # the browsers that ran only


def test_a_clean_matrix_records_no_skipped_browser(site, tmp_path) -> None:
    run = run_qa("audit", site("clean") + "index.html", "--browser", "chromium", "--viewport", "desktop", out=tmp_path)
    assert run.code == 0, run.stderr
    assert run.results["matrix"]["skipped"] == [] and "qa: warning" not in run.stderr
    for checklist in run.run_dir.glob("checklist-*.xlsx"):
        summary = load_workbook(checklist)["試験結果"]
        assert "検査しなかったブラウザ" not in [row[1].value for row in summary.iter_rows()]


def test_browsers_named_in_qa_yaml_must_start(site, tmp_path) -> None:
    config = tmp_path / "qa.yaml"
    config.write_text("browsers: [chromium, safari]\nviewports: [desktop]\n")
    run = run_qa(
        "audit",
        site("clean") + "index.html",
        "--config",
        str(config),
        "--browsers",
        str(two_engines(tmp_path)),
        out=tmp_path / "out",
    )
    assert run.code == 3, run.stderr
    errors = run.stderr.strip().splitlines()
    assert len(errors) == 1, run.stderr
    assert errors[0].startswith("qa: error: ") and "safari" in errors[0] and MISSING in errors[0]
    assert "qa: warning" not in run.stderr and "Traceback" not in run.stderr


def test_the_named_browser_stops_the_run_with_one_line(site, tmp_path) -> None:
    run = run_qa(
        "audit",
        site("clean") + "index.html",
        "--browsers",
        str(two_engines(tmp_path)),
        "--browser",
        "safari",
        "--browser",
        "chromium",
        out=tmp_path,
    )
    assert run.code == 3
    errors = [line for line in run.stderr.splitlines() if line.strip()]
    assert len(errors) == 1 and errors[0].startswith("qa: error: browser 'safari': ")
