"""The everyday command line: --version, --debug anywhere, --concurrency auto, subcommand groups, helpful --help."""

from __future__ import annotations

import qa
from tests.conftest import run_qa

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
