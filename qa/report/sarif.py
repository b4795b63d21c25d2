"""SARIF 2.1.0 (``qa.sarif``): the findings for GitHub code scanning (upload-sarif) and other SARIF viewers.

One rule per rule id, one result per finding. The location is the page's URL (a page has no source line, so
``startLine`` is 1) and ``partialFingerprints`` carries the stable finding id, so code scanning matches a finding
across runs as ``qa diff`` does. Levels follow the stored gate: ``error`` for findings that fail it, ``warning`` for
other violations, ``note`` for findings a person must review; accepted findings are kept with an external
suppression (their reason from accepted.yaml). GitHub takes at most 25,000 results a run: past that the rest are
left out and the run says so in a tool notification.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from qa.judge.gate import is_accepted
from qa.judge.judgement import gate_of
from qa.model import NEEDS_REVIEW, Finding, Results
from qa.redact import redact_text, redact_url
from qa.report._axe_ja import Messages
from qa.store import write_json_atomic

NAME = "sarif"
FILENAME = "qa.sarif"
SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
MAX_RESULTS = 25_000  # GitHub code scanning's limit per run
FINGERPRINT = "qaFindingId/v1"


def level(f: Finding, failing: set[str]) -> str:
    if f.id in failing:
        return "error"
    return "note" if f.outcome == NEEDS_REVIEW else "warning"


def first_line(text: str, fallback: str) -> str:
    lines = text.strip().splitlines()
    return lines[0] if lines else fallback


def rule_of(words: Messages, f: Finding) -> dict[str, Any]:
    rule: dict[str, Any] = {
        "id": f.rule,
        "name": f.rule,
        "shortDescription": {"text": redact_text(first_line(words.message(f), f.rule))[:1000]},
        "properties": {"tags": ["accessibility", *(f"WCAG {sc}" for sc in f.sc)], "check": f.check},
    }
    if help_url := words.help_url(f):
        rule["helpUri"] = redact_url(help_url)
    return rule


def result_of(words: Messages, f: Finding, index: int, failing: set[str]) -> dict[str, Any]:
    target = f" [{f.target}]" if f.target else ""
    out: dict[str, Any] = {
        "ruleId": f.rule,
        "ruleIndex": index,
        "level": level(f, failing),
        "message": {"text": redact_text(f"{words.message(f).strip() or f.message}{target}")[:5000]},
        "locations": [
            {"physicalLocation": {"artifactLocation": {"uri": redact_url(f.url)}, "region": {"startLine": 1}}}
        ],
        "partialFingerprints": {FINGERPRINT: f.id},
        "properties": {"outcome": f.outcome, "impact": f.impact, "sc": f.sc, "seenIn": f.seen_in},
    }
    if is_accepted(f):
        accepted = f.details["accepted"]
        reason = f"{accepted.get('reason', '')} ({accepted.get('owner', '')}, until {accepted.get('expires', '')})"
        out["suppressions"] = [{"kind": "external", "justification": redact_text(reason)}]
    return out


def sarif(results: Results) -> dict[str, Any]:
    lang = "en" if results.run.config.get("lang") == "en" else "ja"
    words = Messages(results.run.config or {}, lang)
    failing = set(gate_of(results).failing)
    kept = results.findings[:MAX_RESULTS]
    rules: dict[str, int] = {}
    descriptors: list[dict[str, Any]] = []
    for f in kept:
        if f.rule not in rules:
            rules[f.rule] = len(descriptors)
            descriptors.append(rule_of(words, f))
    invocation: dict[str, Any] = {"executionSuccessful": results.run.status == "complete"}
    if len(results.findings) > MAX_RESULTS:
        left = len(results.findings) - MAX_RESULTS
        invocation["toolExecutionNotifications"] = [
            {"level": "warning", "message": {"text": f"{left} more finding(s) left out: see findings.csv"}}
        ]
    return {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "qa-suite",
                        "version": str(results.run.tool.get("version", "")),
                        "rules": descriptors,
                    }
                },
                "invocations": [invocation],
                "results": [result_of(words, f, rules[f.rule], failing) for f in kept],
                "properties": {"run": results.run.id, "startUrl": redact_url(results.run.start_url)},
            }
        ],
    }


def render(results: Results, out_dir: Path) -> list[Path]:
    path = out_dir / FILENAME
    write_json_atomic(path, sarif(results))
    return [path]
