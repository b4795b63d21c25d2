"""The everyday command line: --version, --debug anywhere, --concurrency auto, subcommand groups, helpful --help."""

from __future__ import annotations

import qa
from tests.conftest import QARun, run_qa

FAST = ("--browser", "chromium", "--viewport", "desktop")


def test_version_names_the_distribution_and_its_version() -> None:
    run = run_qa("--version")
    assert run.code == 0
    assert run.stdout.strip() == f"qa-suite {qa.__version__}"


def test_debug_is_accepted_after_the_subcommand(tmp_path) -> None:
    for args in (("--debug", "report", str(tmp_path / "none")), ("report", str(tmp_path / "none"), "--debug")):
        run = run_qa(*args)
        assert run.code == 2, run.stderr
        assert "Traceback" in run.stderr and "qa: error: " in run.stderr and "no such run folder" in run.stderr


def test_a_group_without_its_subcommand_prints_its_help_and_exits_2() -> None:
    for group in ("review", "ops"):
        run = run_qa(group)
        assert run.code == 2
        assert f"usage: qa {group}" in run.stderr and "import" in run.stderr
        assert f"qa: error: 'qa {group}' needs a subcommand" in run.stderr
        assert "Traceback" not in run.stderr


def test_audit_help_lists_matrix_names_examples_and_exit_codes() -> None:
    run = run_qa("audit", "--help")
    assert run.code == 0
    text = " ".join(run.stdout.split())
    assert "chromium, firefox, webkit" in text and "desktop, tablet, phone" in text
    assert "examples:" in run.stdout and "qa audit --resume reports_out/latest" in run.stdout
    assert "exit codes:" in run.stdout and "3 the site could not be audited" in text


def test_concurrency_auto_on_the_command_line(site, tmp_path) -> None:
    run = run_qa("audit", site("clean") + "index.html", *FAST, "--concurrency", "auto", out=tmp_path)
    assert run.code == 0, run.stderr
    assert run.results["run"]["config"]["concurrency"] == "auto"
    bad = run_qa("audit", "--concurrency", "many", out=tmp_path)
    assert bad.code == 2 and "--concurrency" in bad.stderr and "auto" in bad.stderr


def test_doctor_reports_each_engine_and_exits_0_when_the_matrix_can_start() -> None:
    run = run_qa("doctor")  # the project's matrix of three engines
    assert run.code == 0, run.stdout + run.stderr
    for name in ("chromium", "firefox", "webkit"):
        assert f"ok       {name}: " in run.stdout
    assert "/usr/bin/firefox-esr" in run.stdout and "WebKitWebDriver" in run.stdout
    assert "LinkChecker: version" in run.stdout and "IBM Equal Access" in run.stdout
    assert "ok       Hunspell en_US and en_GB: through Enchant" in run.stdout  # the language family's dictionaries


def test_doctor_names_what_is_missing_with_its_fix_and_exits_1(tmp_path) -> None:
    matrix = tmp_path / "browsers.yaml"
    matrix.write_text(
        "browsers:\n"
        "  - {name: chromium, engine: chromium}\n"
        "  - {name: gone, engine: chromium, driver: executable, executable: /nonexistent/chromium}\n"
        "  - {name: safari, engine: webkit, driver: webdriver, webdriver: /nonexistent/WebKitWebDriver}\n"
        "viewports:\n  - {name: desktop, width: 1366, height: 768}\n"
    )
    engines = tmp_path / "no-engines"  # an empty engines cache: the rule engines are missing, which is no failure
    run = run_qa("doctor", "--browsers", str(matrix), env={"QA_ENGINES_DIR": str(engines)})
    assert run.code == 1, run.stdout + run.stderr
    lines = run.stdout.splitlines()
    assert any(line.startswith("  ok       chromium: ") for line in lines)
    gone = lines.index("  MISSING  gone: executable /nonexistent/chromium not found")
    assert "fix: install the browser, or correct 'executable:' in browsers.yaml" in lines[gone + 1]
    safari = next(i for i, line in enumerate(lines) if line.startswith("  MISSING  safari: "))
    assert "fix: apt-get install webkit2gtk-driver xvfb python3-gi" in lines[safari + 1]
    assert sum("fix: qa setup" in line for line in lines) == 3  # the newest axe-core, ace and htmlcs, one line each
    assert any("the bundled axe-core 4.12.1 runs instead" in line for line in lines)
    assert "cannot run gone, safari" in run.stdout


def two_engine_matrix(tmp_path) -> str:
    """Chromium beside an engine that is not installed (its program does not exist)."""
    matrix = tmp_path / "browsers.yaml"
    matrix.write_text(
        "browsers:\n"
        "  - {name: chromium, engine: chromium}\n"
        "  - {name: safari, engine: webkit, driver: webdriver, webdriver: /nonexistent/WebKitWebDriver}\n"
        "viewports:\n  - {name: desktop, width: 1366, height: 768}\n"
    )
    return str(matrix)


def test_a_missing_engine_is_skipped_with_a_warning_naming_the_fix(site, tmp_path) -> None:
    run = run_qa("audit", site("clean") + "index.html", "--browsers", two_engine_matrix(tmp_path), out=tmp_path)
    assert run.code == 0, run.stderr
    warning = [line for line in run.stderr.splitlines() if line.startswith("qa: warning: ")]
    assert len(warning) == 1 and "safari" in warning[0] and "skipped" in warning[0] and "qa doctor" in warning[0]
    results = run.results
    assert results["run"]["cells"] == ["chromium/desktop"]
    assert {p["browser"] for p in results["pages"]} == {"chromium"} and results["pages"]
    assert any("safari" in note and "skipped" in note for note in results["run"]["notes"])


def test_a_missing_engine_named_with_browser_stops_the_run(site, tmp_path) -> None:
    matrix = two_engine_matrix(tmp_path)
    run = run_qa(
        "audit",
        site("clean") + "index.html",
        "--browsers",
        matrix,
        "--browser",
        "chromium",
        "--browser",
        "safari",
        out=tmp_path,
    )
    assert run.code == 3
    assert "safari" in run.stderr and "qa: warning" not in run.stderr


def test_off_a_terminal_each_audited_page_gets_one_line_with_its_counts(site, tmp_path) -> None:
    run = run_qa("audit", site("a11y-site-bad"), *FAST, "--out", str(tmp_path))  # stderr: a pipe
    assert run.code == 1, run.stderr
    lines = [line for line in run.stderr.splitlines() if line.startswith("page: ")]
    results = QARun(run.code, run.stdout, run.stderr, tmp_path).results
    assert len(lines) == len(results["pages"]) > 3
    assert {line.split()[1] for line in lines} == {page["url"] for page in results["pages"]}
    assert all("cell=chromium/desktop  violations=" in line and line.endswith("  audited") for line in lines)
    counted = sum(int(line.split("violations=")[1].split()[0]) for line in lines)
    # the visits' own counts; the site-level checks that run after the crawl may add findings of their own
    assert counted <= sum(1 for f in results["findings"] if f["outcome"] == "violation" and f["sc"])
    assert any("needs-review=0" not in line for line in lines)  # the visits found something to count


def test_an_output_folder_that_is_a_file_is_one_line(tmp_path) -> None:
    file = tmp_path / "reports"
    file.write_text("not a folder", encoding="utf-8")
    run = run_qa("audit", "http://127.0.0.1:9/", "--out", str(file))
    assert run.code == 2, run.stderr
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"qa: error: {file}: is a file, not a folder"), run.stderr
    assert file.read_text(encoding="utf-8") == "not a folder"
