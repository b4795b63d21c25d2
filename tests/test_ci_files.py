"""The CI files a site's pipeline uses: the GitHub Action (action.yml), the GitLab template (docs/ci/gitlab-qa.yml)
and the examples of docs/ci.md parse, and every ``qa`` command they run — with the flags they pass and the QA_
settings they set — is accepted by the real command line and configuration loader."""

from __future__ import annotations

import re
import shlex
from functools import partial
from pathlib import Path
from typing import Any

import pytest
import yaml

from qa.access import ENV as CREDENTIAL_VARIABLES
from qa.cli import build_parser
from qa.config import Config, env_overrides
from qa.errors import QAError
from tests.conftest import REPO

ACTION = REPO / "action.yml"
GITLAB = REPO / "docs" / "ci" / "gitlab-qa.yml"
DOCS = REPO / "docs" / "ci.md"
EXPRESSION = re.compile(r"\$\{\{\s*inputs\.([\w-]+)\s*\}\}")
VARIABLE = re.compile(r"\$\{(\w+)\}|\$(\w+)")
# Variables the CI system sets (not the files): a placeholder of the right kind.
CI_VARIABLES = {"GITHUB_ACTION_PATH": "/action", "RUNNER_TEMP": "/tmp", "GITHUB_OUTPUT": "/tmp/out", "CODE": "1"}


def qa_commands(script: str, values: dict[str, str]) -> list[list[str]]:
    """Each ``qa ...`` command of a shell script, its variables replaced by the values the file gives them."""
    found = []
    script = script.replace("\\\n", " ")
    for line in script.splitlines():
        for segment in re.split(r"&&|\|\||;|\|", line):
            segment = segment.strip()
            if re.match(r"qa(\s|$)", segment):
                found.append(shlex.split(VARIABLE.sub(partial(_value, values=values, segment=segment), segment), True))
    return found


def _value(match: re.Match[str], values: dict[str, str], segment: str) -> str:
    name = match.group(1) or match.group(2)
    assert name in values or name in CI_VARIABLES, f"{name} has no value in the file: {segment}"
    return values.get(name, CI_VARIABLES.get(name, ""))


def check_command(tokens: list[str]) -> None:
    """The real parser, as ``qa`` would parse the line; an unknown flag or a bad value is a UsageError."""
    assert tokens[0] == "qa"
    try:
        args = build_parser().parse_args(tokens[1:])
    except QAError as exc:
        pytest.fail(f"{shlex.join(tokens)}: {exc}")
    assert args.command, shlex.join(tokens)


def check_settings(variables: dict[str, str]) -> None:
    """QA_ variables are settings the loader accepts, or the credentials it reads."""
    settings = {k: v for k, v in variables.items() if k.startswith("QA_")}
    for name in settings:
        first = name.removeprefix("QA_").lower().split("__")[0]
        assert first in Config.model_fields or name in CREDENTIAL_VARIABLES.values(), f"{name} is not a setting"
    env_overrides({k: v for k, v in settings.items() if "${{" not in v}, warn=False)  # raises on a bad value


def test_the_action_parses_and_every_qa_command_it_runs_is_valid() -> None:
    action = yaml.safe_load(ACTION.read_text(encoding="utf-8"))
    assert action["runs"]["using"] == "composite"
    inputs = action["inputs"]
    assert all(spec.get("description") for spec in inputs.values())
    defaults = {name: str(spec.get("default", "")) for name, spec in inputs.items()}
    commands = []
    for step in action["runs"]["steps"]:
        text = yaml.safe_dump(step)
        assert set(EXPRESSION.findall(text)) <= set(inputs), f"unknown input in {text}"
        if "run" not in step:
            continue
        assert step["shell"] == "bash"
        assert "${{" not in step["run"], "inputs reach the script through env only (no expression injection)"
        env = {k: EXPRESSION.sub(lambda m: defaults[m.group(1)], str(v)) for k, v in (step.get("env") or {}).items()}
        check_settings(env)
        commands += qa_commands(step["run"], env)
    for tokens in commands:
        check_command(tokens)
    assert [tokens[:2] for tokens in commands] == [["qa", "setup"], ["qa", "audit"]]
    assert "--annotations" in commands[1]
    uses = [step["uses"].split("@")[0] for step in action["runs"]["steps"] if "uses" in step]
    assert "actions/upload-artifact" in uses and "github/codeql-action/upload-sarif" in uses


def test_the_gitlab_template_parses_and_publishes_the_reports() -> None:
    template = yaml.safe_load(GITLAB.read_text(encoding="utf-8"))
    job = template[".qa-audit"]
    variables = {k: str(v) for k, v in job["variables"].items()}
    check_settings(variables)
    commands = [
        tokens
        for key in ("before_script", "script", "after_script")
        for line in job[key]
        for tokens in qa_commands(line, variables)
    ]
    for tokens in commands:
        check_command(tokens)
    assert [tokens[:2] for tokens in commands] == [["qa", "setup"], ["qa", "audit"]]
    reports = job["artifacts"]["reports"]
    assert reports == {"junit": "qa-run/junit.xml", "codequality": "qa-run/gl-code-quality-report.json"}
    assert job["artifacts"]["when"] == "always"


def fenced(text: str, language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", text, flags=re.S)


def scripts_of(node: Any) -> list[str]:
    """Every shell script of a workflow / pipeline: run, script, before_script, after_script."""
    out: list[str] = []
    if isinstance(node, dict):
        for key, value in node.items():
            if key in ("run", "script", "before_script", "after_script"):
                out += value if isinstance(value, list) else [value]
            else:
                out += scripts_of(value)
    elif isinstance(node, list):
        for item in node:
            out += scripts_of(item)
    return out


def test_the_docs_examples_parse_and_their_qa_commands_are_valid() -> None:
    text = DOCS.read_text(encoding="utf-8")
    inputs = set(yaml.safe_load(ACTION.read_text(encoding="utf-8"))["inputs"])
    commands = []
    examples = fenced(text, "yaml")
    assert len(examples) >= 5
    for block in examples:
        data = yaml.safe_load(block)
        for script in scripts_of(data):
            commands += qa_commands(str(script), {"QA_BOT_TOKEN": "t", "QA_OUT": "reports_out"})
        jobs = (data.get("jobs") if isinstance(data, dict) else None) or {}  # a block may be a file's entries
        for step in (s for job in jobs.values() for s in job.get("steps", [])):
            if str(step.get("uses", "")).split("@")[0].endswith("/qa-suite"):  # the action, as a site uses it
                assert set(step["with"]) <= inputs, set(step["with"]) - inputs
                commands.append(["qa", "audit", "--annotations", *shlex.split(step["with"].get("args", ""))])
                check_settings(step.get("env") or {})
        for job in data.values() if isinstance(data, dict) else []:
            if isinstance(job, dict) and isinstance(job.get("variables"), dict):
                check_settings({k: str(v) for k, v in job["variables"].items()})
    for block in fenced(text, "sh"):
        for line in re.split(r"\n|&&|;", block.replace("\\\n", " ")):
            tokens = shlex.split(line, comments=True)
            if tokens[:2] == ["docker", "run"]:  # the image's entrypoint is qa: what follows the image name
                commands.append(["qa", *tokens[tokens.index("qa-suite") + 1 :]])
            elif tokens[:1] == ["qa"]:
                commands.append(tokens)
    assert (
        sum(tokens[1:3] == ["audit", "https://staging.example.jp/"] for tokens in commands) == 1
    )  # docker, host folder
    names = {" ".join(tokens[:2]) for tokens in commands}
    assert {"qa setup", "qa doctor", "qa audit"} <= names, names
    for tokens in commands:
        check_command(tokens)


def test_a_renamed_flag_would_fail_the_check() -> None:
    with pytest.raises(pytest.fail.Exception, match="unrecognized arguments: --pages"):
        check_command(["qa", "audit", "--pages", "5"])
    with pytest.raises(AssertionError, match="QA_GATE_FAIL_ON is not a setting"):
        check_settings({"QA_GATE_FAIL_ON": "a11y-violations"})  # one underscore: not gate.fail_on
    with pytest.raises(QAError):
        check_settings({"QA_MAX_PAGES": "many"})


def test_the_dockerfile_runs_qa_as_a_non_root_user_with_the_engines_and_a_reports_volume() -> None:
    text = (REPO / "Dockerfile").read_text(encoding="utf-8")
    instructions = [line.split(None, 1) for line in text.replace("\\\n", " ").splitlines() if line[:1].isalpha()]
    first = {}
    for word, rest in instructions:
        first.setdefault(word, rest)
    assert first["FROM"].startswith("debian:bookworm")  # Debian's Python 3.11, which python3-gi belongs to
    assert "scripts/install-system-deps.sh browsers" in text and '"/src[spelling]"' in text
    assert "-c /src/constraints.txt" in text
    users = [rest for word, rest in instructions if word == "USER"]
    assert users and users[-1] not in ("root", "0")
    assert [rest for word, rest in instructions if word == "ENTRYPOINT"] == ['["qa"]']
    assert [rest for word, rest in instructions if word == "VOLUME"] == ['["/reports_out"]']
    assert "QA_OUT=/reports_out" in text
    check_settings({"QA_OUT": "/reports_out"})
    ignored = (REPO / ".dockerignore").read_text(encoding="utf-8").split()
    assert {".git", "reports_out", "tests", "build", "dist"} <= set(ignored)
    for needed in ("pyproject.toml", "README.md", "LICENSE", "constraints.txt", "qa", "scripts"):
        assert needed not in ignored and Path(REPO / needed).exists()
