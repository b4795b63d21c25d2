"""The publication gate: does this run block the release?"""

from __future__ import annotations

from dataclasses import dataclass, field

from qa.judge.criteria import by_sc
from qa.model import VIOLATION, Results


@dataclass
class GateResult:
    passed: bool
    reasons: list[str] = field(default_factory=list)


def evaluate_gate(results: Results) -> GateResult:
    """Fails on any WCAG A/AA violation."""
    criteria = by_sc()
    violations = [f for f in results.findings if f.outcome == VIOLATION and any(sc in criteria for sc in f.sc)]
    if not violations:
        return GateResult(True)
    rules: dict[str, set[str]] = {}
    for f in violations:
        rules.setdefault(f.rule, set()).add(f.url)
    reasons = [f"{rule}: {len(urls)} page(s)" for rule, urls in sorted(rules.items(), key=lambda kv: -len(kv[1]))]
    return GateResult(False, [f"{len(violations)} WCAG A/AA violation(s)"] + reasons)
