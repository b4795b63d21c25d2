"""The trend since earlier runs: the runs of the same site before this one in the same output folder.

Computed once, when the run is judged (``qa.judge.judge_run`` with the run folder), and stored in
``judgement.trend``; the reports only read it. Only runs older than this one count, so judging an old run again
later gives the same trend. Each run leaves its own line beside its report (``trend.json``), so a later run reads
that instead of parsing the whole results.json (megabytes per run) of every earlier run in the folder.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from qa.judge.inventory import inventory_of
from qa.model import NEEDS_REVIEW, VIOLATION, Results
from qa.store import RESULTS

TREND_FILE = "trend.json"
TREND_RUNS = 8  # earlier runs kept in the trend


def counts(findings: list[dict[str, Any]] | list[Any]) -> tuple[int, int]:
    """(WCAG violations, findings needing review) of findings as records or as dicts."""

    def get(f: Any, key: str) -> Any:
        return f.get(key) if isinstance(f, dict) else getattr(f, key)

    violations = sum(1 for f in findings if get(f, "outcome") == VIOLATION and get(f, "sc"))
    review = sum(1 for f in findings if get(f, "outcome") == NEEDS_REVIEW)
    return violations, review


def trend_entry(results: Results) -> dict[str, Any]:
    """What a later run's trend needs of this one (its ``trend.json``)."""
    run = results.run
    pages = set(inventory_of(results).urls)  # the pages every report of this run counts
    return _trend_line(run.start_url, run.id, run.started, results.findings, pages)


def _trend_line(start_url: Any, run_id: Any, started: Any, findings: list[Any], urls: set[Any]) -> dict[str, Any]:
    violations, review = counts(findings)
    ids = [f.get("id") if isinstance(f, dict) else f.id for f in findings]
    return {
        "start_url": start_url,
        "id": str(run_id),
        "started": str(started),
        "violations": violations,
        "review": review,
        "pages": len(urls),
        "finding_ids": ids,
    }


def _earlier_entry(folder: Path) -> dict[str, Any] | None:
    """An earlier run's trend line: its trend.json when that is of this folder's run and newer than its results
    (not a copied folder, not results edited since), else read from its results.json."""
    try:
        cached = folder / TREND_FILE
        if cached.stat().st_mtime >= (folder / RESULTS).stat().st_mtime:
            entry = json.loads(cached.read_text(encoding="utf-8"))
            if (
                isinstance(entry, dict)
                and entry.get("id") == folder.name
                and isinstance(entry.get("finding_ids"), list)
            ):
                return entry
    except (OSError, ValueError):
        pass
    try:
        data = json.loads((folder / RESULTS).read_text(encoding="utf-8"))
        run = data["run"]
        findings = [f for f in data.get("findings", []) if isinstance(f, dict)]
        urls = {p.get("url") for p in data.get("pages", []) if isinstance(p, dict)}
        return _trend_line(run.get("start_url"), run.get("id", ""), run.get("started", ""), findings, urls)
    except (OSError, ValueError, KeyError, AttributeError, TypeError):
        return None


def trend_section(results: Results, run_dir: Path) -> dict[str, Any]:
    """Earlier runs of the same site beside ``run_dir``, oldest first, and what changed since the latest of them:
    ``{"runs": [{id, started, violations, review, pages}], "previous": id, "new": [finding ids], "fixed": n}``
    (``previous`` "" and no ``new``/``fixed`` without an earlier run)."""
    current = {f.id for f in results.findings}
    earlier: list[dict[str, Any]] = []
    out: dict[str, Any] = {"runs": earlier, "previous": ""}
    try:
        siblings = sorted(
            (d for d in run_dir.parent.iterdir() if d.is_dir() and not d.is_symlink() and d.name < results.run.id),
            key=lambda d: d.name,
        )
    except OSError:
        siblings = []
    for d in reversed(siblings):
        if len(earlier) >= TREND_RUNS:
            break
        entry = _earlier_entry(d)
        if entry is None or entry.get("start_url") != results.run.start_url:
            continue
        if not earlier:
            before = set(entry["finding_ids"])
            out["previous"] = str(entry.get("id") or d.name)
            out["new"] = sorted(current - before)
            out["fixed"] = len(before - current)
        earlier.append(
            {
                "id": str(entry.get("id") or d.name),
                "started": str(entry.get("started", "")),
                "violations": entry.get("violations", 0),
                "review": entry.get("review", 0),
                "pages": entry.get("pages", 0),
            }
        )
    earlier.reverse()
    return out
