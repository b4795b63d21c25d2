"""``qa init``: a commented starter qa.yaml (and browsers.yaml) in the current folder, with the JSON Schemas editors
check them against.

The starter's values and comments come from the configuration model (defaults and descriptions), so it cannot
drift from what the loader accepts. A file that exists is never overwritten without ``--force``; the schema files are
generated from the installed ``qa`` and refreshed each time, so they match it.
"""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from qa.config import Config
from qa.errors import UsageError
from qa.run.schemas import CONFIG_SCHEMAS, config_schema, dumps
from qa.store import write_text_atomic

MODELINE = "# yaml-language-server: $schema={}\n"
# (key, written active): the settings a new project meets first; the rest are commented out with their default.
STARTER: list[tuple[str, bool]] = [
    ("start_url", True),
    ("lang", True),
    ("max_pages", True),
    ("browsers", False),
    ("viewports", False),
    ("include", False),
    ("exclude", False),
    ("exclude_selectors", False),
    ("concurrency", False),
    ("families", False),
    ("profiles", False),
    ("level", False),
    ("gate.fail_on", True),
    ("gate.max", False),
    ("gate.accepted", False),
    ("access.secrets_file", False),
    ("links.check_external", False),
    ("links.own_hosts", False),
    ("sampling.method", False),
    ("claim.tester", False),
    ("claim.organisation", False),
]
PLACEHOLDER_URL = "https://staging.example.jp/"


def _field(model: type[BaseModel], dotted: str) -> tuple[Any, str]:
    *sections, name = dotted.split(".")
    for section in sections:
        model = model.model_fields[section].annotation
    field = model.model_fields[name]
    return field.get_default(call_default_factory=True), field.description or ""


def _value(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False) if value is not None else ""


def starter_yaml(start_url: str | None) -> str:
    lines = [
        MODELINE.format("qa.schema.json").rstrip(),
        "# qa.yaml: this site's settings for the qa command. Every key is optional; an empty value means the default.",
        "# Every key with its default: docs/config.md. The command line wins over this file, QA_... variables",
        "# over it too (e.g. QA_START_URL); credentials only from the environment (QA_BASIC_PASSWORD, ...).",
        "",
    ]
    section = ""
    for dotted, active in STARTER:
        default, help_text = _field(Config, dotted)
        if dotted == "start_url":
            default, active = (start_url, True) if start_url else (PLACEHOLDER_URL, False)
        parent, _, key = dotted.rpartition(".")
        indent = "  " if parent else ""
        if parent and parent != section:
            lines += ["", f"{parent}:  # {_field(Config, parent)[1]}"]
        section = parent
        mark = "" if active else "# "
        lines.append(f"{indent}{mark}{key}: {_value(default)}  # {help_text}".replace(":   #", ":  #"))
    return "\n".join(lines) + "\n"


def default_browsers() -> str:
    return resources.files("qa.data").joinpath("browsers.yaml").read_text(encoding="utf-8")


def init(folder: Path, start_url: str | None, browsers: bool, force: bool) -> list[Path]:
    """Write the starter files into ``folder``: qa.yaml (and browsers.yaml), and their schemas."""
    files = {folder / "qa.yaml": starter_yaml(start_url)}
    if browsers:
        files[folder / "browsers.yaml"] = MODELINE.format("browsers.schema.json") + default_browsers()
    existing = [path.name for path in files if path.exists()]
    if existing and not force:
        raise UsageError(
            f"{', '.join(existing)} already exist{'s' if len(existing) == 1 else ''} in {folder}; "
            "keep it, or run 'qa init --force' to replace it"
        )
    for name, (model, file_name) in CONFIG_SCHEMAS.items():
        if folder / file_name in files:
            files[folder / name] = dumps(config_schema(model, file_name))
    for path, text in files.items():
        write_text_atomic(path, text)
    return list(files)
