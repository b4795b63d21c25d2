"""``qa setup`` and ``qa doctor`` on a machine where an engine is missing.

The system browsers are looked up on PATH, so a PATH holding only some of Debian's programs is a real machine state
where the others are not installed. Playwright's own downloads cannot reach their hosts here: the fallback to the
system packages is the path these tests take for real.
"""

from __future__ import annotations

import re
from pathlib import Path

from qa.run.setup import SYSTEM_PACKAGES
from tests.conftest import REPO, run_qa

# What Chromium and WebKitGTK need on PATH; Firefox (firefox-esr) is the engine left out.
WITHOUT_FIREFOX = ("chromium", "chromium-headless-shell", "WebKitWebDriver", "Xvfb")


def machine(tmp_path: Path, programs: tuple[str, ...]) -> dict[str, str]:
    """An environment whose PATH has only these of the system's programs, and an empty Playwright browser folder
    (nothing downloaded, and nothing a download could leave behind outside the test)."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    for name in programs:
        (bin_dir / name).symlink_to(f"/usr/bin/{name}")
    browsers = tmp_path / "playwright-browsers"
    browsers.mkdir(exist_ok=True)
    return {"PATH": str(bin_dir), "PLAYWRIGHT_BROWSERS_PATH": str(browsers)}


def test_dry_run_prints_the_plan_for_the_missing_engine_and_changes_nothing(tmp_path) -> None:
    engines = tmp_path / "engines"  # an empty engines cache: the rule engines are to be fetched too
    env = {**machine(tmp_path, WITHOUT_FIREFOX), "QA_ENGINES_DIR": str(engines)}
    run = run_qa("setup", "--dry-run", env=env)
    assert run.code == 0, run.stderr
    lines = run.stdout.splitlines()
    fetch = [line for line in lines if line.startswith("would fetch: ")]
    assert len(fetch) == 3 and all(str(engines) in line for line in fetch), fetch
    assert any("IBM Equal Access" in line for line in fetch) and any("HTML_CodeSniffer" in line for line in fetch)
    assert not engines.exists() or not any(engines.iterdir())
    assert any(re.match(r"ok: +chromium: system Chromium .*; Chromium \d+", line) for line in lines), run.stdout
    assert any(re.match(r"ok: +webkit: WebKitGTK .*; WebKitGTK \d+\.\d+", line) for line in lines), run.stdout
    (plan,) = [line for line in lines if line.startswith("would run:")]
    assert "python -m playwright install firefox  (firefox)" in plan
    assert "where the download fails: apt-get install firefox-esr" in plan
    assert "1 browser(s)" in lines[-1] and "nothing changed" in lines[-1]
    assert not any((tmp_path / "playwright-browsers").iterdir())


def test_setup_tries_the_download_then_the_system_package_and_exits_3_while_firefox_is_missing(tmp_path) -> None:
    env = machine(tmp_path, WITHOUT_FIREFOX)  # and no apt-get on this PATH: the packages are the user's to install
    run = run_qa("setup", env=env, timeout=1200)
    assert run.code == 3, run.stdout + run.stderr
    assert "running:  python -m playwright install firefox  (firefox)" in run.stdout
    assert "download failed: firefox: " in run.stdout and "the system packages instead: firefox-esr" in run.stdout
    assert "install these packages yourself: firefox-esr" in run.stdout
    assert "install chromium" not in run.stdout and "install webkit" not in run.stdout  # those are there
    errors = run.stderr.strip().splitlines()
    assert len(errors) == 1 and errors[0].startswith("qa: error: qa setup could not make firefox available;")
    assert "apt-get install firefox-esr" in errors[0] and "Traceback" not in run.stderr


def test_setup_with_the_whole_matrix_present_installs_nothing_and_exits_0(tmp_path) -> None:
    env = machine(tmp_path, (*WITHOUT_FIREFOX, "firefox-esr"))
    run = run_qa("setup", env=env)
    assert run.code == 0, run.stdout + run.stderr
    assert "running:" not in run.stdout
    assert re.search(r"ok: +firefox: system Firefox .*firefox-esr over WebDriver BiDi; Mozilla Firefox", run.stdout)
    assert "every browser of" in run.stdout


def test_setup_names_what_only_the_user_can_fix(tmp_path) -> None:
    matrix = tmp_path / "browsers.yaml"
    matrix.write_text(
        "browsers:\n"
        "  - {name: chromium, engine: chromium}\n"
        "  - {name: gone, engine: chromium, driver: executable, executable: /nonexistent/chromium}\n"
        "viewports:\n  - {name: desktop, width: 1366, height: 768}\n"
    )
    run = run_qa("setup", "--browsers", str(matrix), "--dry-run")
    assert run.code == 0, run.stderr
    assert (
        "missing:  gone: executable /nonexistent/chromium not found; qa setup cannot install it: install the "
        "browser, or correct 'executable:' in browsers.yaml" in run.stdout
    )
    run = run_qa("setup", "--browsers", str(matrix))
    assert run.code == 3 and run.stderr.count("qa: error: ") == 1 and "could not make gone available" in run.stderr


def test_doctor_says_what_each_engine_runs_on_and_what_is_missing(tmp_path) -> None:
    run = run_qa("doctor", env=machine(tmp_path, WITHOUT_FIREFOX))
    assert run.code == 1, run.stdout + run.stderr
    lines = run.stdout.splitlines()
    chromium = next(line for line in lines if line.startswith("  ok       chromium: "))
    assert re.search(r"/chromium(-headless-shell)?; Chromium \d+[.\d]*; driver: playwright$", chromium)
    webkit = next(line for line in lines if line.startswith("  ok       webkit: "))
    assert re.search(r"; WebKitGTK \d+\.\d+\.\d+; driver: webdriver$", webkit)
    firefox = lines.index("  MISSING  firefox: no Firefox (neither Playwright's nor firefox-esr)")
    assert "fix: python -m playwright install firefox  (or: apt-get install firefox-esr)" in lines[firefox + 1]
    assert "cannot run firefox" in lines[-1]


def test_the_system_packages_setup_falls_back_to_are_those_the_install_script_installs() -> None:
    script = (REPO / "scripts" / "install-system-deps.sh").read_text(encoding="utf-8")
    listed = set(re.findall(r"[\w.+-]+", " ".join(re.findall(r"want\+?=\(([^)]*)\)", script))))
    for engine, packages in SYSTEM_PACKAGES.items():
        assert set(packages) <= listed, (engine, set(packages) - listed)


def test_setup_for_the_browsers_a_job_names_leaves_the_others_alone(tmp_path) -> None:
    env = machine(tmp_path, WITHOUT_FIREFOX)
    for run in (
        run_qa("setup", "--browser", "chromium", env=env),
        run_qa("setup", env={**env, "QA_BROWSERS": "chromium,webkit"}),  # qa.yaml's browsers: as a CI variable
    ):
        assert run.code == 0, run.stdout + run.stderr
        assert "firefox" not in run.stdout and "running:" not in run.stdout
    bad = run_qa("setup", "--browser", "chromum", env=env)
    assert bad.code == 2 and "did you mean 'chromium'?" in bad.stderr
