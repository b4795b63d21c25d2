"""Conformance profiles: which criteria a deliverable judges, under which names, against which standard.

``jis2016``: the 38 A/AA criteria of JIS X 8341-3:2016 (= WCAG 2.0), 4.1.1 included, with the JIS names.
``wcag21``: the WCAG 2.1 A/AA criteria (4.1.1 included, as in WCAG 2.1). ``wcag22``: the 55 WCAG 2.2 A/AA
criteria; 4.1.1 is listed as obsolete and never judged.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from qa.config import Config
from qa.judge.criteria import Criterion, catalogue
from qa.vocab import LEVELS

# axe-core's rules for 4.1.1 are deprecated (so tag selection skips them); JIS 2016 still has 4.1.1.
JIS_AXE_RULES = ("duplicate-id", "duplicate-id-active")


@dataclass(frozen=True)
class Profile:
    id: str
    standard: str  # as printed in 規格の規格番号及び改正年
    versions: tuple[str, ...]  # WCAG versions whose criteria belong to it
    obsolete_shown: bool  # list 4.1.1 as obsolete (not judged) rather than as a criterion

    def rows(self, level: str) -> list[tuple[Criterion, bool]]:
        """(criterion, judged) in number order at the target level; judged is False for an obsolete row."""
        wanted = LEVELS[: LEVELS.index(level) + 1]
        out = []
        for c in catalogue():
            if c.level not in wanted or c.added_in not in self.versions:
                continue
            if self.id == "jis2016" and not c.in_jis2016:
                continue
            if c.obsolete and self.obsolete_shown:
                out.append((c, False))
            else:
                out.append((c, True))
        return out

    def criteria(self, level: str) -> list[Criterion]:
        return [c for c, judged in self.rows(level) if judged]

    def title_ja(self, c: Criterion) -> str:
        return c.title_ja_jis2016 if self.id == "jis2016" and c.title_ja_jis2016 else c.title_ja


PROFILES: dict[str, Profile] = {
    "jis2016": Profile("jis2016", "JIS X 8341-3:2016", ("2.0",), False),
    "wcag21": Profile("wcag21", "WCAG 2.1", ("2.0", "2.1"), False),
    "wcag22": Profile("wcag22", "WCAG 2.2", ("2.0", "2.1", "2.2"), True),
}


def selected(config: dict[str, Any]) -> list[Profile]:
    return [PROFILES[p] for p in config.get("profiles") or ["wcag22"]]


def prepare_config(config: Config) -> None:
    """Settings the profiles imply, before a run records its configuration.

    A JIS 2016 profile gets axe's (deprecated) duplicate-id rules, its only automated signal for 4.1.1; a claim
    date YAML read as a date is kept as text (results.json is JSON).
    """
    if config.claim.date is not None:
        config.claim.date = str(config.claim.date)
    if "jis2016" in config.profiles:
        rules = config.axe.enable_rules
        config.axe.enable_rules = rules + [r for r in JIS_AXE_RULES if r not in rules]
