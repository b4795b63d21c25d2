"""GitHub Actions annotations (``github-annotations.txt``) and the job summary.

``qa audit`` and ``qa gate`` print these workflow commands when they run under GitHub Actions (``GITHUB_ACTIONS=true``)
or with ``--annotations``; the file keeps them for a later step (``cat`` it). One annotation per rule, not per element:
GitHub shows at most 10 annotations of each level per step, so the ten that matter most are the ones shown, and a
last line says how many were left out and where the rest is. Levels follow the stored gate: ``error`` for rules whose
findings fail it, ``warning`` for other violations, ``notice`` for findings a person must review. A page has no
file in the repository, so the annotations carry a title and no ``file=``: GitHub lists them on the run's summary.
"""

from __future__ import annotations

import os
from collections import defaultdict
from pathlib import Path

from qa.judge.gate import GATE_OUTCOMES, GateResult, is_accepted
from qa.judge.judgement import gate_of
from qa.model import VIOLATION, Finding, Results
from qa.redact import redact_text, redact_url
from qa.report._axe_ja import Messages
from qa.store import write_text_atomic

NAME = "github-annotations"
FILENAME = "github-annotations.txt"
PER_LEVEL = 10  # what GitHub shows of each level in one step
LEVELS = ("error", "warning", "notice")


def data(text: str) -> str:
    """The message of a workflow command: it ends at a line break, and % starts an escape."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def prop(text: str) -> str:
    """A property value (``title=``): also ``,`` and ``:`` would end it."""
    return data(text).replace(":", "%3A").replace(",", "%2C")


def command(level: str, title: str, message: str) -> str:
    return f"::{level} title={prop(redact_text(title))}::{data(redact_text(message))}"


def annotations(results: Results, gate: GateResult, run_dir: Path) -> list[str]:
    """The workflow commands for this run under this gate: at most PER_LEVEL per level, then one summary line."""
    lang = "en" if results.run.config.get("lang") == "en" else "ja"
    words = Messages(results.run.config or {}, lang)
    failing = set(gate.failing)
    groups: dict[tuple[str, str], list[Finding]] = defaultdict(list)
    for f in results.findings:
        if not is_accepted(f):
            groups[(f.rule, f.outcome)].append(f)
    found: dict[str, list[tuple[int, str]]] = {level: [] for level in LEVELS}
    for (rule, outcome), items in groups.items():
        level = "error" if any(f.id in failing for f in items) else "warning" if outcome == VIOLATION else "notice"
        first = items[0]
        sc = f" (SC {', '.join(first.sc)})" if first.sc else ""
        pages = {f.url for f in items}
        text = words.message(first).strip().splitlines()
        message = (
            f"{len(items)} {outcome} finding(s) on {len(pages)} page(s). {text[0] if text else ''} "
            f"e.g. {redact_url(first.url)} {first.target}".rstrip()
        )
        if help_url := words.help_url(first):
            message += f"\n{help_url}"
        found[level].append((len(items), command(level, f"{rule}{sc}", message)))
    page_items: dict[str, list[str]] = defaultdict(list)
    for family, url in gate.failing_pages:
        page_items[family].append(url)
    for family, urls in page_items.items():
        message = f"{len(urls)} {GATE_OUTCOMES.get(family, family)}, e.g. {redact_url(urls[0])}"
        found["error"].append((len(urls), command("error", family, message)))
    last = "notice" if gate.passed else "error"  # the summary line takes one place of its level
    lines: list[str] = []
    left: dict[str, int] = {}
    for level in LEVELS:
        room = PER_LEVEL - 1 if level == last else PER_LEVEL
        ranked = [line for _, line in sorted(found[level], key=lambda item: -item[0])]
        lines += ranked[:room]
        left[level] = max(0, len(ranked) - room)
    total = sum(len(found[level]) for level in LEVELS)
    summary = f"gate {'passed' if gate.passed else 'FAILED'}: {total - sum(left.values())} of {total} annotated"
    if more := ", ".join(f"{n} {level}(s)" for level, n in left.items() if n):
        summary += f" ({more} not shown)"
    lines.append(command(last, "qa gate", f"{summary}; every finding: {run_dir}/summary.md and findings.csv"))
    return lines


def under_github_actions() -> bool:
    return os.environ.get("GITHUB_ACTIONS") == "true"


def render(results: Results, out_dir: Path) -> list[Path]:
    path = out_dir / FILENAME
    write_text_atomic(path, "\n".join(annotations(results, gate_of(results), out_dir)) + "\n")
    return [path]
