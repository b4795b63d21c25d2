"""The success-criterion catalogue (data, not code): numbers, levels, versions, JIS membership, titles; and, per
criterion, which checks of a run gave which kind of evidence (their declarations, ``PageCheck.criteria``)."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import yaml


@dataclass(frozen=True)
class Criterion:
    sc: str
    level: str  # A or AA
    added_in: str  # 2.0, 2.1, 2.2
    obsolete: bool  # 4.1.1 in WCAG 2.2
    in_jis2016: bool
    title_en: str
    title_ja: str  # WAIC's WCAG 2.2 translation
    title_ja_jis2016: str  # the JIS X 8341-3:2016 name ("…の達成基準"); empty for criteria JIS 2016 does not have
    axe_rules: tuple[str, ...]

    @property
    def sort_key(self) -> tuple[int, ...]:
        return tuple(int(p) for p in self.sc.split("."))


@cache
def catalogue() -> tuple[Criterion, ...]:
    """The 55 WCAG 2.2 A/AA criteria plus 4.1.1, in number order."""
    text = resources.files("qa.data").joinpath("wcag22-criteria.csv").read_text(encoding="utf-8")
    rows = []
    for r in csv.DictReader(text.splitlines()):
        added, _, rest = r["added_in"].partition(";")
        rows.append(
            Criterion(
                sc=r["sc"],
                level=r["level"],
                added_in=added,
                obsolete="obsolete" in rest,
                in_jis2016=r["in_jis2016"] == "yes",
                title_en=r["title_en"],
                title_ja=r["title_ja"],
                title_ja_jis2016=r["title_ja_jis2016"],
                axe_rules=tuple(r["axe_rules"].split()),
            )
        )
    return tuple(sorted(rows, key=lambda c: c.sort_key))


def by_sc() -> dict[str, Criterion]:
    return {c.sc: c for c in catalogue()}


def evidence_of(checks: list[Any]) -> dict[str, dict[str, str]]:
    """criterion -> {check id: kind of evidence}, from the coverage the checks of a run declared (``results.checks``:
    full, partial or aid). Only checks that ran on some page count: a declaration alone is no evidence."""
    out: dict[str, dict[str, str]] = {}
    for check in checks:
        if not check.pages:
            continue
        for sc, kind in check.criteria.items():
            out.setdefault(sc, {})[check.id] = kind
    return out


@cache
def review_procedures() -> dict[str, dict[str, Any]]:
    """criterion -> how a person tests it on a page: ``ja`` and ``en`` (two or three steps each) and the W3C
    ``understanding`` page they follow (qa/data/review-procedures.yaml)."""
    text = resources.files("qa.data").joinpath("review-procedures.yaml").read_text(encoding="utf-8")
    return yaml.safe_load(text)
