"""docs/schema/ and docs/config.md are generated from the models; committed copies must match, and the schemas must
accept what the loaders accept (the repository's own files and the docs' examples) and reject what they reject."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from qa.config import Config, parse
from qa.errors import ConfigError
from qa.run import schemas

REPO = Path(__file__).resolve().parent.parent
DOCS = REPO / "docs"


def schema(name: str) -> dict[str, Any]:
    return json.loads((DOCS / "schema" / name).read_text(encoding="utf-8"))


def as_json(data: Any) -> Any:
    """A YAML document as an editor's language server sees it: dates are text."""
    return json.loads(json.dumps(data, default=str))


def errors(name: str, data: Any) -> list[str]:
    validator = jsonschema.Draft202012Validator(schema(name))
    return [e.message for e in validator.iter_errors(as_json(data))]


def doc_examples(path: Path, first_key: str) -> list[Any]:
    blocks = re.findall(r"```yaml\n(.*?)```", path.read_text(encoding="utf-8"), re.S)
    return [yaml.safe_load(b) for b in blocks if re.match(rf"(#[^\n]*\n)*{first_key}:", b)]


def test_committed_schemas_and_config_reference_are_current() -> None:
    for name, generated in schemas.schemas().items():
        committed = (DOCS / "schema" / name).read_text(encoding="utf-8")
        assert committed == schemas.dumps(generated), f"docs/schema/{name} is stale: run python -m qa.run.schemas"
    assert (DOCS / "config.md").read_text(encoding="utf-8") == schemas.config_reference(), (
        "docs/config.md is stale: run python -m qa.run.schemas"
    )


def test_every_config_key_is_in_the_reference_with_its_default() -> None:
    text = (DOCS / "config.md").read_text(encoding="utf-8")
    for key in ("start_url", "gate.fail_on", "access.login.username", "links.site_connections", "timeouts.page"):
        assert f"| `{key}` |" in text
    assert "| `max_pages` | whole number | `500` | the most pages to audit |" in text
    assert '| `concurrency` | whole number or auto | `"auto"` |' in text


def test_the_repository_files_validate_against_their_schemas() -> None:
    for path in (REPO / "browsers.yaml", REPO / "qa/data/browsers.yaml"):
        assert errors("browsers.schema.json", yaml.safe_load(path.read_text(encoding="utf-8"))) == [], path
    checklist = yaml.safe_load((REPO / "qa/data/operation-checks.yaml").read_text(encoding="utf-8"))
    assert errors("operation-checks.schema.json", checklist) == []
    accepted = doc_examples(DOCS / "ci.md", "accepted")
    assert accepted and all(errors("accepted.schema.json", a) == [] for a in accepted)
    gate = doc_examples(DOCS / "ci.md", "gate")
    assert gate and all(errors("qa.schema.json", g) == [] for g in gate)


@pytest.mark.parametrize(
    "text",
    [
        "max_page: 10\n",  # unknown key
        "max_pages: ten\n",
        "max_pages: 0\n",
        "lang: fr\n",
        "concurrency: many\n",
        "gate: {fail_on: [a11y-violation]}\n",
        "timeouts: {navigation: true}\n",
    ],
)
def test_schema_rejects_what_the_loader_rejects(text: str) -> None:
    data = yaml.safe_load(text)
    with pytest.raises(ConfigError):
        parse(Config, data, "qa.yaml")
    assert errors("qa.schema.json", data)


def test_schema_accepts_what_the_loader_accepts() -> None:
    data = yaml.safe_load(
        "start_url: https://staging.example.jp/\nout:\nconcurrency: auto\nmax_page_mb: 2.5\n"
        "gate: {fail_on: [a11y-violations, broken-links], max: {needs-review: 20}}\nclaim: {date: 2027-03-31}\n"
    )
    parse(Config, data, "qa.yaml")
    assert errors("qa.schema.json", data) == []
