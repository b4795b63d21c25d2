"""Lines the console prints about a run (the deliverables say the same at length)."""

from __future__ import annotations

from qa.judge.conformance import derive
from qa.judge.profiles import selected
from qa.judge.verdicts import judge_run
from qa.model import Results
from qa.report._vocab import CONFORMANCE


def conformance_lines(results: Results) -> list[str]:
    """One line per profile: the verdict counts and the 対応度 they support (derived, never the target)."""
    level = results.run.config.get("level", "AA")
    lines = []
    for profile in selected(results.run.config):
        c = derive(judge_run(results, profile, level))
        counts = ", ".join(f"{n} {v}" for v, n in sorted(c.counts.items()))
        lines.append(f"checklist: {profile.standard} {level}: {counts} -> {level} {CONFORMANCE[c.status][1]}")
    return lines
