"""Lines the console prints about a run (the deliverables say the same at length)."""

from __future__ import annotations

from qa.judge.judgement import conformance_of, profiles_of
from qa.model import Results
from qa.report._vocab import CONFORMANCE


def conformance_lines(results: Results) -> list[str]:
    """One line per profile: the verdict counts and the 対応度 they support (derived, never the target)."""
    lines = []
    for profile in profiles_of(results):
        c = conformance_of(results, profile)
        counts = ", ".join(f"{n} {v}" for v, n in sorted(c.counts.items()))
        lines.append(f"checklist: {profile.standard} {c.level}: {counts} -> {c.level} {CONFORMANCE[c.status][1]}")
    return lines
