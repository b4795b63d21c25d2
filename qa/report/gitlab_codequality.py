"""GitLab Code Quality report (``gl-code-quality-report.json``): the findings in a merge request's widget.

The documented subset of the Code Climate issue format: ``description``, ``check_name``, ``fingerprint``,
``severity`` (info, minor, major, critical, blocker) and ``location.path`` / ``location.lines.begin``. A web page has
no source line, so ``path`` is the page's URL and ``begin`` is 1. The fingerprint is the finding's stable id, so
GitLab tells new findings from fixed ones between the merge request and its target branch as ``qa diff`` does.
Accepted findings are left out (they are known and reviewed); the gate's decision is read from results.json.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from qa.judge.gate import is_accepted
from qa.judge.judgement import gate_of
from qa.model import NEEDS_REVIEW, Finding, Results
from qa.redact import redact_text, redact_url
from qa.report._axe_ja import Messages
from qa.store import write_json_atomic

NAME = "gitlab-codequality"
FILENAME = "gl-code-quality-report.json"
# axe's impact -> GitLab's severity; a finding that fails the gate is at least major.
SEVERITY = {"critical": "critical", "serious": "major", "moderate": "minor", "minor": "minor"}
RANK = ("info", "minor", "major", "critical", "blocker")


def severity(f: Finding, failing: bool) -> str:
    if f.outcome == NEEDS_REVIEW and not failing:
        return "info"
    found = SEVERITY.get(f.impact or "", "major" if failing else "minor")
    return max(found, "major", key=RANK.index) if failing else found


def description(words: Messages, f: Finding) -> str:
    sc = f" (SC {', '.join(f.sc)})" if f.sc else ""
    where = f" [{f.target}]" if f.target else ""
    text = words.message(f).strip()
    first = text.splitlines()[0] if text else f.rule
    return redact_text(f"{f.rule}{sc}: {first}{where}")[:1000]


def issues(results: Results) -> list[dict[str, Any]]:
    lang = "en" if results.run.config.get("lang") == "en" else "ja"
    words = Messages(results.run.config or {}, lang)
    failing = set(gate_of(results).failing)
    return [
        {
            "type": "issue",
            "description": description(words, f),
            "check_name": f"qa-suite/{f.check or 'check'}/{f.rule}",
            "fingerprint": hashlib.sha256(f"qa-suite\x1f{f.id}".encode()).hexdigest()[:32],
            "severity": severity(f, f.id in failing),
            "categories": ["Style" if f.outcome == NEEDS_REVIEW else "Bug Risk"],
            "location": {"path": redact_url(f.url), "lines": {"begin": 1}},
        }
        for f in results.findings
        if not is_accepted(f)
    ]


def render(results: Results, out_dir: Path) -> list[Path]:
    path = out_dir / FILENAME
    write_json_atomic(path, issues(results))
    return [path]
