"""The judgement of a run, decided once and stored in results.json (``judgement``); every report only reads it.

:func:`judge_run` decides the verdict of every success criterion per judged page and site-wide, the 対応度 each
conformance profile supports, the publication gate and (given the run folder) the trend since earlier runs. The run
calls it once; ``qa review import`` again once the human verdicts changed; :func:`load_run` once, in memory, for a
run written before schema 1.1 (or an interrupted run's records), which has no stored judgement. The readers below
turn the stored section back into the judge's types without deciding anything, so what a report shows is what
results.json says, even when someone edited it.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

from qa.judge import inventory, trend, verdicts
from qa.judge.conformance import Conformance, derive
from qa.judge.gate import GateResult, GateSettings, evaluate_gate, settings_of
from qa.judge.profiles import PROFILES, Profile, selected
from qa.judge.verdicts import Judgement, Verdict
from qa.model import SCHEMA_VERSION, Results
from qa.store import load_results, resolve_run_dir

SECTION = "judgement"
DEFAULT_PROFILES = ["wcag22", "jis2016"]  # without ``profiles`` in the configuration


def judge_run(
    results: Results,
    config: dict[str, Any] | None = None,
    settings: GateSettings | None = None,
    run_dir: Path | None = None,
) -> GateResult:
    """(Re)compute the whole judgement and store it in ``results.extra["judgement"]``; returns the gate's outcome.

    ``config``: the settings to judge with (``profiles``, ``level``, ``site_lang``), by default the run's own.
    ``settings``: the gate settings, by default the ones the run was judged with (or the defaults).
    ``run_dir``: the run's folder, whose older sibling folders are the earlier runs of the trend; without it the
    trend already stored is kept. Needs nothing but the results (no site, no browser).
    """
    config = (results.run.config or {}) if config is None else config
    level = config.get("level", "AA")
    inventory.apply(results)  # one page per document, alias findings folded: judged and counted once
    every = verdicts.judge_run(results, None, level, config)  # every catalogue criterion; profiles take subsets
    gate = evaluate_gate(results, settings or settings_of(results))
    previous = results.extra.get(SECTION) or {}
    fingerprints = {u: next((v.fingerprint for v in by_sc.values()), "") for u, by_sc in every.pages.items()}
    section: dict[str, Any] = {
        "level": level,
        "urls": every.urls,
        "criteria": {sc: v.to_dict() for sc, v in every.site.items()},
        "pages": {
            u: {sc: row for sc, v in by_sc.items() if (row := v.to_dict(every.site[sc]))}
            for u, by_sc in every.pages.items()
        },
        "fingerprints": fingerprints,
        "unmatched_reviews": every.unmatched_reviews,
        "profiles": {p.id: _profile_record(every, p, level) for p in _profiles(config)},
        "gate": gate.to_dict(),
        "trend": trend.trend_section(results, run_dir) if run_dir else previous.get("trend") or {"runs": []},
    }
    results.extra[SECTION] = section
    results.extra["gate"] = gate.summary()
    results.schema_version = SCHEMA_VERSION
    return gate


def _profiles(config: dict[str, Any]) -> list[Profile]:
    return selected(config if config.get("profiles") else {"profiles": DEFAULT_PROFILES})


def _profile_record(every: Judgement, profile: Profile, level: str) -> dict[str, Any]:
    rows = profile.rows(level)
    mine = _subset(every, profile, [c.sc for c, judged in rows if judged])
    derived = derive(mine)
    return {
        "standard": profile.standard,
        "criteria": list(mine.site),
        "obsolete": [c.sc for c, judged in rows if not judged],  # listed, never judged
        "conformance": {
            "status": derived.status,
            "counts": dict(derived.counts),
            "human": derived.human,
            "wording": {lang: derived.wording(lang) for lang in ("ja", "en")},
        },
    }


def _subset(every: Judgement, profile: Profile | None, criteria: list[str]) -> Judgement:
    pages = {u: {sc: by_sc[sc] for sc in criteria} for u, by_sc in every.pages.items()}
    return Judgement(
        profile, every.level, every.urls, pages, {sc: every.site[sc] for sc in criteria}, every.unmatched_reviews
    )


# ---- readers: what the reports use ------------------------------------------------------------------------------


def stored(results: Results) -> dict[str, Any]:
    section = results.extra.get(SECTION)
    if not isinstance(section, dict):
        raise ValueError("these results were not judged: call qa.judge.judge_run (or load the run with load_run)")
    return section


def load_run(run_dir: Path) -> Results:
    """A run folder's results, judged. A results.json of schema 1.0, or the records of an interrupted run, has no
    stored judgement (one written before the page inventory has no inventory): it is judged here, once, with the
    run's own settings and the runs beside it (the file itself is not rewritten, so judging it again later sees the
    same folder)."""
    run_dir = resolve_run_dir(run_dir)
    results = load_results(run_dir)
    if not isinstance(results.extra.get(SECTION), dict) or inventory.SECTION not in results.extra:
        judge_run(results, run_dir=run_dir)
    return results


def profiles_of(results: Results) -> list[Profile]:
    """The conformance profiles the run was judged for, in order."""
    return [PROFILES[p] for p in stored(results)["profiles"] if p in PROFILES]


def site_verdicts(results: Results) -> dict[str, Verdict]:
    """Every catalogue criterion's site-wide verdict, in number order."""
    return {sc: Verdict.from_dict(sc, row) for sc, row in stored(results)["criteria"].items()}


def judgement_of(results: Results, profile: Profile) -> Judgement:
    """The stored verdicts of one profile's criteria, per judged page and site-wide."""
    section = stored(results)
    criteria = section["profiles"][profile.id]["criteria"]
    site = {sc: Verdict.from_dict(sc, section["criteria"][sc]) for sc in criteria}
    pages: dict[str, dict[str, Verdict]] = {}
    for url in section["urls"]:
        rows = section["pages"].get(url) or {}
        fingerprint = section["fingerprints"].get(url, "")
        pages[url] = {}
        for sc in criteria:
            v = Verdict.from_dict(sc, rows.get(sc) or {}, url, site[sc])
            v.fingerprint = fingerprint
            pages[url][sc] = v
    return Judgement(profile, section["level"], list(section["urls"]), pages, site, section["unmatched_reviews"])


def conformance_of(results: Results, profile: Profile) -> Conformance:
    """The 対応度 the profile's verdicts support, as the judge derived it."""
    section = stored(results)
    record = section["profiles"][profile.id]["conformance"]
    return Conformance(section["level"], record["status"], Counter(record["counts"]), int(record.get("human") or 0))


def gate_of(results: Results) -> GateResult:
    return GateResult.from_dict(stored(results)["gate"])


def trend_of(results: Results) -> dict[str, Any]:
    return stored(results).get("trend") or {"runs": []}
