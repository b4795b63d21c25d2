"""The words of a finding in the deliverables' language: message, fix in one sentence, help link, impact.

axe findings: from axe-core's own Japanese locale, the one of the version the run used (locale()). Findings keep axe's
English message; the Japanese one is rendered at report time from the rule id and the ids and data of the checks
that failed (``details.checks``), the way axe renders its own messages. The suite's own checks and the project's
plug-ins declare theirs in a ``messages`` dict on the check class (qa.check.PageCheck.messages); a plug-in rule
without one is shown in English and says so. IBM Equal Access (English only): the suite's table qa/data/ace-ja.json,
rule -> reason code -> template, filled from the finding's ``details.args``. HTML_CodeSniffer: the finding carries
its Japanese (``details.message_ja``, from the engine's own translation, see qa.check.htmlcs), the fix per criterion
from qa/data/htmlcs-ja.json.
"""

from __future__ import annotations

import json
import re
from contextvars import ContextVar
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from qa.check._engines import engine_data, engine_folder
from qa.check.htmlcs import japanese as htmlcs_japanese
from qa.model import VIOLATION, Finding
from qa.report._vocab import IMPACTS, SITE_SPECIFIC, pick

LOCALE = "axe-core-4.12.1-ja.json"
_VAR = re.compile(r"\$\{data(?:\.(\w+))?\}")
# The axe-core version of the run being rendered (run.engines["axe-core"]), set by qa.report.render_all.
AXE_VERSION: ContextVar[str] = ContextVar("axe_version", default="")


def locale() -> dict[str, Any]:
    """The newest axe's ``locales/ja.json`` from the engines cache when the run used it, else the bundled axe's
    (vendored: qa/data/axe-core-*-ja.json)."""
    return _locale(AXE_VERSION.get())


@cache
def _locale(version: str) -> dict[str, Any]:
    spec = engine_data()["engines"]["axe"]
    if version == spec["version"]:
        try:
            return json.loads((engine_folder("axe") / spec["locale_ja"]).read_text(encoding="utf-8"))
        except (OSError, ValueError):  # the cache was emptied since the run: the vendored locale
            pass
    return json.loads(resources.files("qa.data").joinpath(LOCALE).read_text(encoding="utf-8"))


@cache
def ace_japanese() -> dict[str, Any]:
    return json.loads(resources.files("qa.data").joinpath("ace-ja.json").read_text(encoding="utf-8"))


_ACE_ARG = re.compile(r"\{(\d+)\}")


def ace_message(f: Finding) -> str:
    """IBM Equal Access's message in Japanese: the rule's template for the finding's reason code, with the
    engine's message arguments in its {0}, {1}… ("" for a rule or reason the table lacks)."""
    template = ace_japanese()["rules"].get(f.rule, {}).get("messages", {}).get(str(f.details.get("reason", "")))
    if not template:
        return ""
    args = f.details.get("args") or []
    return _ACE_ARG.sub(lambda m: _text(args[int(m.group(1))]) if int(m.group(1)) < len(args) else "…", template)


def engine_fix(f: Finding) -> str:
    """The Japanese fix of an IBM Equal Access or HTML_CodeSniffer finding ("" when there is none)."""
    if f.check == "ace":
        return str(ace_japanese()["rules"].get(f.rule, {}).get("fix", ""))
    if f.check == "htmlcs":
        fixes = htmlcs_japanese()["fix"]
        return next((fixes[sc] for sc in f.sc if sc in fixes), "")
    return ""


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
    """The Japanese message of a finding ("" for a rule without one: see :class:`Messages`)."""
    if f.details.get("message_ja"):
        return str(f.details["message_ja"])
    if f.check == "ace":
        return ace_message(f)
    if f.check != "axe":
        texts = builtin_messages().get(f.rule)
        return fill(texts["ja"], f) if texts else ""
    rule = locale()["rules"].get(f.rule, {})
    kind = "fail" if f.outcome == VIOLATION or f.details.get("experimental") else "incomplete"
    lines = [m for c in f.details.get("checks") or [] if (m := check_message(c.get("id", ""), c.get("data"), kind))]
    head = rule.get("help", "")
    if f.details.get("experimental"):  # why axe's failure is needs-review (qa.check.axe)
        head = f"axe-core の試験的ルール（精度が未確立のため人が確認）：{head}"
    if not lines and f.outcome != VIOLATION:
        lines = [locale().get("incompleteFallbackMessage", "")]
    return "\n".join([head, *("・" + line for line in dict.fromkeys(lines) if line)]).strip()


class _Values(dict):
    def __missing__(self, key: str) -> str:
        return "…"


def fill(template: str, f: Finding) -> str:
    """A message template with the finding's values: ``{alt}`` (a detail), ``{target}``, ``{url}``, ``{text}``
    (the English message after its first colon: the error text, the URL that failed)."""
    values = _Values({k: _text(v) for k, v in (f.details or {}).items() if not isinstance(v, dict)})
    values.update(target=f.target, url=f.url, text=f.message.partition(": ")[2] or f.message)
    try:
        return template.format_map(values)
    except (ValueError, IndexError, AttributeError):  # a template with stray braces: shown as written
        return template


@cache
def builtin_messages() -> dict[str, dict[str, str]]:
    """rule id -> texts, from every built-in check's ``messages``."""
    from qa.check import builtin_checks

    return {rule: texts for check in builtin_checks() for rule, texts in check.messages.items()}


class Messages:
    """The texts of every finding of a run in one language: the built-in checks', axe's and the project's
    plug-ins' (loaded from the run's ``checks_dir`` when it is there)."""

    def __init__(self, config: dict[str, Any], lang: str) -> None:
        self.lang = lang
        self.builtin = builtin_messages()
        self.plugin: dict[str, dict[str, str]] = {}
        self.plugin_checks: set[str] = set()
        folder = Path(str(config.get("checks_dir") or "checks"))
        if folder.is_dir():
            from qa.check import project_checks
            from qa.errors import ConfigError

            try:
                for check in project_checks(folder):
                    self.plugin_checks.add(check.id)
                    self.plugin.update(check.messages)
            except ConfigError:  # a plug-in that no longer loads: its findings are shown as recorded
                pass

    def builtin_check(self, f: Finding) -> bool:
        return f.check == "axe" or f.rule in self.builtin or (f.check not in self.plugin_checks and not f.check)

    def site_specific(self, f: Finding) -> bool:
        """A plug-in's rule that declares no criterion: the site's own requirement, not a JIS/WCAG one."""
        return not f.sc and not self.builtin_check(f)

    def sc_text(self, f: Finding) -> str:
        return ", ".join(f.sc) if f.sc else (pick(SITE_SPECIFIC, self.lang) if self.site_specific(f) else "")

    def message(self, f: Finding) -> str:
        if self.lang != "ja":
            return f.message
        text = message_ja(f)
        if text:
            return text
        texts = self.plugin.get(f.rule) or {}
        if texts.get("ja"):
            return fill(texts["ja"], f)
        return f"（日本語メッセージなし・英語のまま）{f.message}"

    def fix(self, f: Finding) -> str:
        if f.check == "axe":
            rule = locale()["rules"].get(f.rule, {})
            if self.lang == "ja" and rule.get("help"):
                return f"{rule['help']}。"
            return str(f.details.get("help") or "")
        if f.check in ("ace", "htmlcs") and f.rule not in self.builtin:
            return (engine_fix(f) or "（修正方法の記載なし）") if self.lang == "ja" else ""
        texts = self.builtin.get(f.rule) or self.plugin.get(f.rule) or {}
        if self.lang == "ja":
            if texts.get("fix_ja"):
                return texts["fix_ja"]
            return "（修正方法の日本語なし）" + texts.get("fix_en", "") if texts else "（修正方法の記載なし）"
        return texts.get("fix_en", "")

    def help_url(self, f: Finding) -> str:
        if f.help_url:
            return f.help_url
        return (self.builtin.get(f.rule) or self.plugin.get(f.rule) or {}).get("help", "")

    def impact(self, f: Finding) -> str:
        return pick(IMPACTS[f.impact], self.lang) if f.impact in IMPACTS else (f.impact or "")
