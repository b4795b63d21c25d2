"""Per-criterion verdicts. Never 'pass' for a criterion that nothing checked fully."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from qa.check import FULL
from qa.judge.criteria import Criterion, catalogue
from qa.model import NEEDS_REVIEW, VIOLATION, Results

FAIL = "fail"
REVIEW = "needs-review"
PASS = "pass"
NOT_APPLICABLE = "not-applicable"
NOT_VERIFIED = "not-verified"
VERDICTS = (FAIL, REVIEW, PASS, NOT_APPLICABLE, NOT_VERIFIED)


@dataclass
class CriterionVerdict:
    criterion: Criterion
    verdict: str
    violations: int = 0
    needs_review: int = 0
    pages_failing: int = 0
    checks: list[str] = field(default_factory=list)  # checks that cover it and ran
    coverage: str = ""  # "", "partial" or "full"
    rules: Counter = field(default_factory=Counter)  # rule -> findings


def judge(results: Results) -> list[CriterionVerdict]:
    covering: dict[str, dict[str, str]] = {}
    for run in results.checks:
        if run.pages:  # a check that ran nowhere covers nothing
            for sc, cov in run.criteria.items():
                covering.setdefault(sc, {})[run.id] = cov
    out = []
    for c in catalogue():
        mine = [f for f in results.findings if c.sc in f.sc]
        v = CriterionVerdict(c, NOT_VERIFIED)
        v.violations = sum(1 for f in mine if f.outcome == VIOLATION)
        v.needs_review = sum(1 for f in mine if f.outcome == NEEDS_REVIEW)
        v.pages_failing = len({f.url for f in mine if f.outcome == VIOLATION})
        v.rules = Counter(f.rule for f in mine)
        checks = covering.get(c.sc, {})
        v.checks = sorted(checks)
        v.coverage = FULL if checks and FULL in checks.values() else ("partial" if checks else "")
        if v.violations:
            v.verdict = FAIL
        elif v.needs_review:
            v.verdict = REVIEW
        elif v.coverage == FULL:
            v.verdict = PASS
        out.append(v)
    return out
