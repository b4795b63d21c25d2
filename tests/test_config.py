"""The configuration models: the defaults, strict types, every error of a file at once, and help on every key."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from qa.config import Config, load_project_config, parse
from qa.errors import ConfigError
from tests.conftest import run_qa


def errors_of(text: str) -> list[str]:
    with pytest.raises(ConfigError) as err:
        parse(Config, yaml.safe_load(text), "qa.yaml")
    return str(err.value).splitlines()


def test_every_error_of_a_file_is_reported_at_once_one_line_each(tmp_path: Path) -> None:
    path = tmp_path / "qa.yaml"
    path.write_text(
        "max_pages: ten\ntimeouts:\n  navigaton: 5\ngate:\n  fail_on: [js-error]\nlang: fr\n", encoding="utf-8"
    )
    run = run_qa("audit", "http://127.0.0.1:9/", "--config", str(path))
    assert run.code == 2, run.stderr
    lines = run.stderr.strip().splitlines()
    assert all(line.startswith(f"qa: error: {path}: ") for line in lines), run.stderr
    assert "Traceback" not in run.stderr
    text = "\n".join(lines)
    assert len(lines) == 4
    assert "'max_pages' must be int (the most pages to audit), got 'ten'" in text
    assert "unknown key 'timeouts.navigaton' (did you mean 'navigation'?)" in text
    assert "'gate.fail_on' has unknown value 'js-error' (did you mean 'js-errors'?)" in text
    assert "'lang' must be one of ja, en (language of the deliverables: ja or en)" in text


def test_types_are_strict_and_an_empty_value_is_the_default() -> None:
    assert errors_of("max_pages: true\n") == ["qa.yaml: 'max_pages' must be int (the most pages to audit), got True"]
    assert "'screenshots' must be bool" in errors_of("screenshots: 1\n")[0]
    assert "'timeouts.navigation' must be int or float" in errors_of("timeouts: {navigation: '5'}\n")[0]
    assert "'concurrency' must be int or auto" in errors_of("concurrency: many\n")[0]
    assert "'concurrency' must be a number greater than 0, or auto" in errors_of("concurrency: 0\n")[0]
    config = parse(Config, yaml.safe_load("max_pages:\ntimeouts:\nlinks: {retries: 0}\n"), "qa.yaml")
    assert config.max_pages == 500 and config.timeouts.navigation == 30 and config.links.retries == 0
    assert parse(Config, {"timeouts": {"navigation": 5}}, "qa.yaml").model_dump()["timeouts"]["navigation"] == 5


def test_defaults_without_a_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # no qa.yaml here
    config = load_project_config(None)
    assert config == Config()
    assert config.families == ["a11y", "links", "browsers", "ops", "tls", "security", "privacy", "seo", "language"]
    assert config.gate.fail_on == ["a11y-violations"]
    assert config.profiles == ["wcag22", "jis2016"] and config.level == "AA" and config.lang == "ja"
    assert config.concurrency == "auto" and config.gate.max is None and config.claim.date is None
    config.links.own_hosts.append("example.test")
    assert Config().links.own_hosts == [], "no two configurations share a default list"


def test_check_families_and_gate_outcomes_are_different_names() -> None:
    assert "did you mean 'broken-links'" in errors_of("gate: {fail_on: [links]}\n")[0]
    assert "'families' has unknown value 'broken-links'" in errors_of("families: [broken-links]\n")[0]


def test_assignments_are_validated() -> None:
    from pydantic import ValidationError

    config = Config()
    config.links.check_external = False
    config.sitemap.planned = None
    assert config.links.check_external is False and config.max_pages == 500
    with pytest.raises(ValidationError):
        config.max_pages = 0
    with pytest.raises(ValidationError):
        config.gate.fail_on = ["links"]  # type: ignore[list-item]


def _keys_without_help(schema: dict[str, Any], node: dict[str, Any], prefix: str = "") -> list[str]:
    missing = []
    for name, prop in node.get("properties", {}).items():
        if not prop.get("description"):
            missing.append(prefix + name)
        ref = prop.get("$ref") or next((a["$ref"] for a in prop.get("anyOf", []) if "$ref" in a), None)
        if ref:
            missing += _keys_without_help(schema, schema["$defs"][ref.split("/")[-1]], f"{prefix}{name}.")
    return missing


def test_every_key_of_the_json_schema_has_a_description() -> None:
    schema = Config.model_json_schema()
    print(json.dumps(schema, ensure_ascii=False, indent=1))  # the reference a docs/config.md can be made from
    assert _keys_without_help(schema, schema) == []
    assert set(schema["properties"]) >= {"timeouts", "gate", "links", "families", "profiles"}
    navigation = schema["$defs"]["Timeouts"]["properties"]["navigation"]
    assert navigation["description"] == "seconds to wait for a page to load"
