"""`qa init` and the QA_... environment settings, as a new user and a CI job use them: real `qa` processes, a real
audit of a loopback site started from the folder `qa init` prepared and configured only through the environment."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
import yaml

from qa.config import Config, load_project_config
from qa.demo.server import serve
from qa.visit.matrix import load_matrix
from tests.conftest import SITES, QARun, run_qa

# The variables a CI job sets; the command line still wins (--max-pages over QA_MAX_PAGES).
CI_ENV = {
    "QA_LANG": "en",
    "QA_BROWSERS": "chromium",
    "QA_VIEWPORTS": "desktop",
    "QA_FAMILIES": "a11y",
    "QA_CONCURRENCY": "2",
    "QA_MAX_PAGES": "1",
    "QA_GATE__FAIL_ON": "a11y-violations,needs-review",
    "QA_BOT_TOKEN": "a CI's own variable, not a setting",
}


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, QARun]:
    """`qa init` in an empty folder, then `qa audit` there with the start URL and out folder from the environment."""
    folder = tmp_path_factory.mktemp("project")
    init = run_qa("init", "--browsers", cwd=folder)
    assert init.code == 0, init.stderr
    with serve(SITES / "clean") as url:
        env = {**CI_ENV, "QA_START_URL": url + "index.html", "QA_OUT": str(folder / "ci-out")}
        return folder, run_qa("audit", "--max-pages", "5", "--quiet", cwd=folder, env=env)


def test_init_writes_a_starter_that_the_loader_and_the_schema_accept(project) -> None:
    folder, _ = project
    text = (folder / "qa.yaml").read_text(encoding="utf-8")
    assert text.startswith("# yaml-language-server: $schema=qa.schema.json\n")
    assert "# start_url: " in text and "gate:" in text  # no URL given: the key is there to fill in
    config = load_project_config(folder / "qa.yaml", environ={})
    assert config.model_dump() == Config().model_dump()  # the starter's values are the defaults, as its comments say
    schema = json.loads((folder / "qa.schema.json").read_text(encoding="utf-8"))
    assert list(jsonschema.Draft202012Validator(schema).iter_errors(yaml.safe_load(text))) == []
    matrix = load_matrix(folder / "browsers.yaml")
    assert [b.name for b in matrix.browsers] == ["chromium", "firefox", "webkit"]


def test_init_with_a_url_fills_start_url(tmp_path: Path) -> None:
    run = run_qa("init", "https://staging.example.jp/", cwd=tmp_path)
    assert run.code == 0, run.stderr
    assert load_project_config(tmp_path / "qa.yaml", environ={}).start_url == "https://staging.example.jp/"
    assert not (tmp_path / "browsers.yaml").exists()
    bad = run_qa("init", "staging.example.jp", cwd=tmp_path / "..")
    assert bad.code == 2 and "not an http(s) address" in bad.stderr


def test_init_never_overwrites_without_force(tmp_path: Path) -> None:
    (tmp_path / "qa.yaml").write_text("max_pages: 7\n", encoding="utf-8")
    run = run_qa("init", cwd=tmp_path)
    assert run.code == 2 and run.stderr.count("\n") == 1
    assert "qa.yaml already exists" in run.stderr and "--force" in run.stderr
    assert (tmp_path / "qa.yaml").read_text(encoding="utf-8") == "max_pages: 7\n"
    assert not (tmp_path / "qa.schema.json").exists()  # nothing written when it refuses
    forced = run_qa("init", "--force", cwd=tmp_path)
    assert forced.code == 0 and "max_pages: 500" in (tmp_path / "qa.yaml").read_text(encoding="utf-8")


def test_an_audit_configured_by_the_environment(project) -> None:
    folder, run = project
    # needs-review gates (QA_GATE__FAIL_ON) and the clean site has one item a person must review
    assert run.code == 1, run.stdout + run.stderr
    assert run.stderr == ""  # QA_BOT_TOKEN is not a setting: left alone, no warning
    run_dirs = [p for p in (folder / "ci-out").iterdir() if p.is_dir() and not p.is_symlink()]
    assert len(run_dirs) == 1  # QA_OUT
    results = json.loads((run_dirs[0] / "results.json").read_text(encoding="utf-8"))
    config = results["run"]["config"]
    assert config["lang"] == "en" and config["concurrency"] == 2 and config["families"] == ["a11y"]
    assert config["gate"]["fail_on"] == ["a11y-violations", "needs-review"]
    assert config["max_pages"] == 5  # the command line wins over QA_MAX_PAGES=1
    assert results["run"]["cells"] == ["chromium/desktop"]
    assert results["run"]["start_url"].endswith("/index.html")
    assert len({p["url"] for p in results["pages"]}) == 2
    assert "gate:     FAILED" in run.stdout and "needs-review" in run.stdout
    assert not (folder / "reports_out").exists()


@pytest.mark.parametrize(
    ("variable", "value", "expected"),
    [
        ("QA_MAX_PAGES", "ten", "QA_MAX_PAGES: 'max_pages' must be int"),
        ("QA_LANG", "fr", "QA_LANG: 'lang' must be one of ja, en"),
        ("QA_CONCURRENCY", "0", "QA_CONCURRENCY: 'concurrency' must be a number greater than 0, or auto"),
        ("QA_GATE__FAIL_ON", "a11y-violation", "did you mean 'a11y-violations'?"),
        ("QA_GATE__FAILON", "a11y-violations", "QA_GATE__FAILON: unknown key 'gate.failon'"),
    ],
)
def test_a_bad_variable_is_one_line_naming_it(tmp_path: Path, variable: str, value: str, expected: str) -> None:
    run = run_qa("audit", "--out", str(tmp_path), cwd=tmp_path, env={variable: value})
    assert run.code == 2, run.stdout
    assert run.stderr.startswith("qa: error: ") and run.stderr.count("\n") == 1
    assert expected in run.stderr and "Traceback" not in run.stderr
    assert not any(tmp_path.iterdir())  # stopped before any run folder


def test_a_misspelt_variable_is_named_as_a_likely_typo(tmp_path: Path) -> None:
    run = run_qa("doctor", cwd=tmp_path, env={"QA_STRAT_URL": "https://staging.example.jp/"})
    assert "qa: warning: QA_STRAT_URL is not a setting (did you mean QA_START_URL?); ignored" in run.stderr


def test_gate_settings_from_the_environment_apply_to_qa_gate(project) -> None:
    folder, _ = project
    run_dir = str(folder / "ci-out" / "latest")
    assert run_qa("gate", run_dir).code == 1  # as judged: needs-review gates
    relaxed = run_qa("gate", run_dir, env={"QA_GATE__FAIL_ON": "a11y-violations"})
    assert relaxed.code == 0, relaxed.stdout
