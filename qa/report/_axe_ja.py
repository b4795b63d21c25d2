"""Japanese text for axe findings, from axe-core's own Japanese locale (vendored: qa/data/axe-core-*-ja.json).

Findings keep axe's English message; the Japanese one is rendered at report time from the rule id and the
ids and data of the checks that failed (``details.checks``), the way axe renders its own messages.
"""

from __future__ import annotations

import json
import re
from functools import cache
from importlib import resources
from typing import Any

from qa.model import VIOLATION, Finding

LOCALE = "axe-core-4.12.1-ja.json"
_VAR = re.compile(r"\$\{data(?:\.(\w+))?\}")


@cache
def locale() -> dict[str, Any]:
    return json.loads(resources.files("qa.data").joinpath(LOCALE).read_text(encoding="utf-8"))


def _text(value: Any) -> str:
    if isinstance(value, list):
        return ", ".join(_text(v) for v in value)
    return "" if value is None else str(value)


def check_message(check_id: str, data: Any, kind: str) -> str | None:
    """One check's message: ``kind`` is fail or incomplete; templates may depend on data.messageKey and on
    how many values there are (singular/plural), as in axe's processMessage."""
    messages = locale()["checks"].get(check_id, {})
    template = messages.get(kind) or (messages.get("fail") if kind == "incomplete" else None)
    if isinstance(template, dict):
        if "singular" in template:
            values = data.get("values") if isinstance(data, dict) else None
            template = template["plural" if isinstance(values, list) and len(values) > 1 else "singular"]
        else:
            key = data.get("messageKey") if isinstance(data, dict) else None
            template = template.get(key) or template.get("default")
    if not isinstance(template, str):
        return None

    def fill(m: re.Match) -> str:
        if m.group(1) is None:
            return _text(data)
        return _text(data.get(m.group(1))) if isinstance(data, dict) else ""

    return _VAR.sub(fill, template)


def message_ja(f: Finding) -> str:
    """The Japanese message of an axe finding ("" for findings of other checks without one)."""
    if f.details.get("message_ja"):
        return str(f.details["message_ja"])
    if f.check != "axe":
        return ""
    rule = locale()["rules"].get(f.rule, {})
    kind = "fail" if f.outcome == VIOLATION else "incomplete"
    lines = [m for c in f.details.get("checks") or [] if (m := check_message(c.get("id", ""), c.get("data"), kind))]
    head = rule.get("help", "")
    if not lines and f.outcome != VIOLATION:
        lines = [locale().get("incompleteFallbackMessage", "")]
    return "\n".join([head, *("・" + line for line in dict.fromkeys(lines) if line)]).strip()
