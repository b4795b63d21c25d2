"""The command-line contract: exit codes 0/1/2/3 with one-line errors, and `qa report` rebuilding deliverables."""

from __future__ import annotations

import socket
import textwrap

from openpyxl import load_workbook

from tests.conftest import QARun, run_qa


def one_line_error(run: QARun) -> str:
    lines = [line for line in run.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, run.stderr
    assert lines[0].startswith("qa: error: ")
    assert "Traceback" not in run.stderr
    return lines[0]


def test_exit_0_when_the_gate_passes(site, tmp_path) -> None:
    run = run_qa("audit", site("clean") + "index.html", out=tmp_path)
    assert run.code == 0, run.stderr
    assert len({p["url"] for p in run.results["pages"]}) == 2  # each in every cell of the default matrix
    assert "gate:     passed" in run.stdout


def test_exit_2_for_bad_usage_and_configuration(tmp_path) -> None:
    line = one_line_error(run_qa("audit", "--browser", "chromiun", out=tmp_path))
    assert "did you mean 'chromium'" in line

    (tmp_path / "qa.yaml").write_text("max_page: 10\n")
    run = run_qa("audit", "--config", str(tmp_path / "qa.yaml"), out=tmp_path)
    assert run.code == 2
    assert "unknown key 'max_page'" in one_line_error(run) and "max_pages" in run.stderr

    (tmp_path / "urls.txt").write_text("not a url\n")
    run = run_qa("audit", "--urls", str(tmp_path / "urls.txt"), out=tmp_path)
    assert run.code == 2 and "urls.txt:1" in one_line_error(run)

    run = run_qa("audit", "--max-pages", "zero", out=tmp_path)
    assert run.code == 2 and "--max-pages" in one_line_error(run)

    run = run_qa("report", str(tmp_path / "no-such-run"))
    assert run.code == 2 and "no such run folder" in one_line_error(run)


def test_exit_3_when_the_site_is_unreachable(tmp_path) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # nothing listens here once closed
    run = run_qa("audit", f"http://127.0.0.1:{port}/", out=tmp_path)
    assert run.code == 3
    assert "unreachable" in one_line_error(run)


def test_exit_3_when_no_browser_can_start(site, tmp_path) -> None:
    matrix = tmp_path / "browsers.yaml"
    matrix.write_text(
        textwrap.dedent("""\
        browsers:
          - name: chromium
            engine: chromium
            executable: /nonexistent/chromium
        viewports:
          - {name: desktop, width: 1366, height: 768}
    """)
    )
    run = run_qa("audit", site("clean") + "index.html", "--browsers", str(matrix), out=tmp_path)
    assert run.code == 3
    assert "could not be started" in one_line_error(run)


def test_invalid_browsers_yaml_names_file_key_and_fix(tmp_path) -> None:
    matrix = tmp_path / "browsers.yaml"
    matrix.write_text("browsers:\n  - name: x\n    engine: gecko\nviewports:\n  - {name: d, width: 1, height: 1}\n")
    line = one_line_error(run_qa("audit", "--browsers", str(matrix), out=tmp_path))
    assert "browsers.yaml" in line and "browsers[0].engine" in line and "chromium, firefox, webkit" in line


def sheet_values(path) -> dict[str, list[tuple]]:
    wb = load_workbook(path)
    return {ws.title: [tuple(c.value for c in row) for row in ws.iter_rows()] for ws in wb.worksheets}


def test_report_rebuilds_the_same_workbooks_from_results_alone(demo_run: QARun) -> None:
    workbooks = [demo_run.run_dir / "checklist-wcag22.xlsx", demo_run.run_dir / "checklist-jis2016.xlsx"]
    before = [sheet_values(w) for w in workbooks]
    for w in workbooks:
        w.unlink()
    run = run_qa("report", str(demo_run.out / "latest"))
    assert run.code == 0, run.stderr
    assert [sheet_values(w) for w in workbooks] == before


def test_checklist_has_every_criterion_and_never_passes_what_nothing_checked(demo_run: QARun) -> None:
    assert len(sheet_values(demo_run.run_dir / "checklist-wcag22.xlsx")["達成基準チェックリスト"]) - 1 == 56
    rows = sheet_values(demo_run.run_dir / "checklist-wcag22.xlsx")["達成基準の詳細"]  # evidence and machine values
    header, body = [str(h).split("\n")[-1] for h in rows[0]], rows[1:]
    assert len(body) == 56
    col = {name: i for i, name in enumerate(header)}
    col["SC"], col["Automated evidence"] = col["番号"], col["自動チェックの根拠"]
    by_sc = {r[col["SC"]]: r for r in body}
    assert by_sc["1.1.1"][col["verdict"]] == "fail"
    assert by_sc["1.4.3"][col["verdict"]] == "fail"
    # 2.3.1 Three Flashes: only animated images are measured (none flash here): not verified, the check named.
    assert by_sc["2.3.1"][col["verdict"]] == "not-verified"
    assert "animated-images" in by_sc["2.3.1"][col["Automated evidence"]]
    # 3.2.3 is checked only partly (consistent-navigation) and found clean: still not verified, never a pass.
    assert by_sc["3.2.3"][col["verdict"]] == "not-verified"
    assert "consistent-navigation" in by_sc["3.2.3"][col["Automated evidence"]]
    for r in body:
        if r[col["verdict"]] == "pass":
            assert "(全体)" in r[col["Automated evidence"]]


def test_findings_sheet_lists_every_finding(demo_run: QARun) -> None:
    sheets = sheet_values(demo_run.run_dir / "checklist-wcag22.xlsx")
    assert len(sheets["ページ別指摘事項一覧"]) - 1 == len(demo_run.results["findings"])
