"""JSON Schemas of results.json and of every configuration file, and docs/config.md, generated from the models.

The schemas are made from the very models that validate (the pydantic configuration sections, the result
dataclasses), so they cannot disagree with the loader; ``python -m qa.run.schemas`` rewrites docs/schema/ and
docs/config.md, and a test fails when the committed files differ from what this makes.

Editors read a configuration schema through yaml-language-server: a first line
``# yaml-language-server: $schema=qa.schema.json`` (``qa init`` writes both).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from pydantic import BaseModel, TypeAdapter

from qa.config import Config, Section
from qa.judge.accepted import AcceptedIssues
from qa.judge.operations import ManualChecklist
from qa.model import SCHEMA_VERSION, CheckRun, Finding, Page, RunInfo
from qa.visit.matrix import BrowsersFile

DRAFT = "https://json-schema.org/draft/2020-12/schema"
# file name in docs/schema/ -> (model, the file it describes)
CONFIG_SCHEMAS: dict[str, tuple[type[BaseModel], str]] = {
    "qa.schema.json": (Config, "qa.yaml"),
    "browsers.schema.json": (BrowsersFile, "browsers.yaml"),
    "accepted.schema.json": (AcceptedIssues, "accepted.yaml"),
    "operation-checks.schema.json": (ManualChecklist, "operation-checks.yaml"),
}
RESULTS_SCHEMA = "results.schema.json"
CONFIG_FOOTER = """
## Checking the file in an editor

[schema/](schema/) holds a JSON Schema of each file: `qa.schema.json` (qa.yaml), `browsers.schema.json`,
`accepted.schema.json`, `operation-checks.schema.json`, and `results.schema.json` for a run's results.json. An editor
with the YAML language server (VS Code's YAML extension, Neovim, JetBrains) completes and checks keys when the file's
first line names the schema, by path or address:

```yaml
# yaml-language-server: $schema=qa.schema.json
start_url: https://staging.example.jp/
```

`qa init` writes that line and a `qa.schema.json` made by the installed `qa`, so the two always agree.

## Environment variables (CI)

Any setting can be given as `QA_` + its key in capitals, a double underscore between a section and its key; it wins
over qa.yaml, and the command line wins over it. A list is written comma-separated (or as a YAML list `[a, b]`).
The value is checked like the file's: a bad one is one error line naming the variable.

| variable | setting |
|---|---|
| `QA_START_URL=https://staging.example.jp/` | `start_url` |
| `QA_OUT=build/qa` | `out` |
| `QA_LANG=en` | `lang` |
| `QA_CONCURRENCY=auto` | `concurrency` |
| `QA_MAX_PAGES=200` | `max_pages` |
| `QA_GATE__FAIL_ON=a11y-violations,broken-links` | `gate.fail_on` |
| `QA_ACCESS__SECRETS_FILE=/run/secrets/qa.yaml` | `access.secrets_file` |

Credentials never go on the command line or in qa.yaml: `QA_BASIC_USER` / `QA_BASIC_PASSWORD` (HTTP Basic),
`QA_LOGIN_USER` / `QA_LOGIN_PASSWORD` (a login form), `QA_WP_USER` / `QA_WP_APP_PASSWORD` (a WordPress application
password), or the secrets file. Other `QA_` variables are not settings and are left alone (a name close to a
setting's is reported as a likely typo).
"""


def config_schema(model: type[BaseModel], file_name: str) -> dict[str, Any]:
    """The schema of one configuration file. An empty value (``key:``) means the default there, so every key that
    has a default also accepts null, as the loader does."""
    schema = model.model_json_schema()
    for node in [schema, *schema.get("$defs", {}).values()]:
        required = set(node.get("required", []))
        for name, prop in node.get("properties", {}).items():
            if name not in required and not _allows_null(prop):
                node["properties"][name] = {"anyOf": [_without_meta(prop), {"type": "null"}], **_meta(prop)}
    return {"$schema": DRAFT, "$id": file_name.replace(".yaml", ".schema.json"), **schema, "title": file_name}


def _allows_null(prop: dict[str, Any]) -> bool:
    return prop.get("type") == "null" or any(p.get("type") == "null" for p in prop.get("anyOf", []))


META = ("title", "description", "default")


def _meta(prop: dict[str, Any]) -> dict[str, Any]:
    return {k: prop[k] for k in META if k in prop}


def _without_meta(prop: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in prop.items() if k not in META}


def results_schema() -> dict[str, Any]:
    """results.json: the model's records (run, pages, findings, checks) in full; the sections later stages add
    (judgement, link_check, links, diff, ...) are documented in docs/results-schema.md, and readers ignore keys
    they do not know, so more keys are allowed everywhere."""
    records = (RunInfo, Page, Finding, CheckRun)
    defs = TypeAdapter(tuple[records]).json_schema(ref_template="#/$defs/{model}")["$defs"]  # type: ignore[valid-type]

    def ref(cls: type) -> dict[str, str]:
        return {"$ref": f"#/$defs/{cls.__name__}"}

    major = SCHEMA_VERSION.split(".")[0]
    return {
        "$schema": DRAFT,
        "$id": RESULTS_SCHEMA,
        "title": "results.json",
        "description": "A qa-suite run: every page, finding and check (docs/results-schema.md).",
        "type": "object",
        "required": ["schema_version", "run", "pages", "findings", "checks"],
        "properties": {
            "schema_version": {"type": "string", "pattern": rf"^{major}\.[0-9]+$"},
            "run": ref(RunInfo),
            "pages": {"type": "array", "items": ref(Page)},
            "findings": {"type": "array", "items": ref(Finding)},
            "checks": {"type": "array", "items": ref(CheckRun)},
        },
        "additionalProperties": True,
        "$defs": defs,
    }


def schemas() -> dict[str, dict[str, Any]]:
    """File name -> schema, for docs/schema/."""
    out = {name: config_schema(model, file_name) for name, (model, file_name) in CONFIG_SCHEMAS.items()}
    out[RESULTS_SCHEMA] = results_schema()
    return out


def dumps(schema: dict[str, Any]) -> str:
    return json.dumps(schema, ensure_ascii=False, indent=2) + "\n"


def config_reference() -> str:
    """docs/config.md: every key of qa.yaml with its type, default and description, from the Config model."""
    lines = [
        "# qa.yaml: every key",
        "",
        "Generated from the configuration model (`qa/config.py`) by `python -m qa.run.schemas`; do not edit by hand.",
        "Every key is optional; an empty value (`key:`) means the default. `qa init` writes a commented starter file,",
        "and editors check the file against [schema/qa.schema.json](schema/qa.schema.json) (see the end of this page).",
        "Settings CI sets without editing the file can come from `QA_…` environment variables (see the end).",
        "",
        "| key | type | default | description |",
        "|---|---|---|---|",
    ]
    lines += [f"| `{key}` | {kind} | {default} | {text} |" for key, kind, default, text in config_rows(Config)]
    return "\n".join(lines) + "\n" + CONFIG_FOOTER


def config_rows(model: type[BaseModel], prefix: str = "") -> list[tuple[str, str, str, str]]:
    """(dotted key, type, default, description) of every setting, sections expanded in place."""
    rows: list[tuple[str, str, str, str]] = []
    for name, field in model.model_fields.items():
        key = f"{prefix}{name}"
        section = _section(field.annotation)
        if section is not None:
            rows.append((key, "section", "", _cell(field.description or "")))
            rows += config_rows(section, f"{key}.")
            continue
        default = field.get_default(call_default_factory=True)
        shown = "(required)" if field.is_required() else f"`{json.dumps(default, ensure_ascii=False, default=str)}`"
        rows.append((key, _cell(type_name(field.annotation)), shown, _cell(field.description or "")))
    return rows


def _section(annotation: Any) -> type[Section] | None:
    return annotation if isinstance(annotation, type) and issubclass(annotation, Section) else None


def type_name(annotation: Any) -> str:
    """A type as a person reads it: ``list[str]``, ``int or auto``, ``one of A, AA``."""
    from qa.config import _unwrap  # the loader's own view of Annotated and Optional

    node = _unwrap(annotation)
    schema = TypeAdapter(node).json_schema() if node is not Any else {}
    return _describe(schema)


def _describe(schema: dict[str, Any]) -> str:
    if "enum" in schema:
        return "one of " + ", ".join(str(v) for v in schema["enum"])
    if "const" in schema:
        return str(schema["const"])
    if "anyOf" in schema:
        kinds = dict.fromkeys(_describe(s) for s in schema["anyOf"] if s.get("type") != "null")
        if "number" in kinds:  # an int or a float: a number
            kinds.pop("whole number", None)
        return " or ".join(kinds)
    kind = schema.get("type")
    if kind == "array":
        return f"list of {_describe(schema.get('items', {}))}"
    if kind == "object":
        return "mapping"
    if kind == "string" and schema.get("format") == "date":
        return "date"
    return {"string": "text", "integer": "whole number", "number": "number", "boolean": "true/false"}.get(
        str(kind), "any"
    )


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def write(docs: Path) -> list[Path]:
    """Write docs/schema/*.json and docs/config.md under ``docs``."""
    folder = docs / "schema"
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, schema in schemas().items():
        (folder / name).write_text(dumps(schema), encoding="utf-8")
        written.append(folder / name)
    (docs / "config.md").write_text(config_reference(), encoding="utf-8")
    return [*written, docs / "config.md"]


if __name__ == "__main__":
    for path in write(Path(sys.argv[1] if len(sys.argv) > 1 else "docs")):
        print(path)
