"""Checks over the whole run with their artifacts accounted for, and ``qa report --rejudge``: the site checks run
again over a finished run's results (no browser, no network), with the settings of the current qa.yaml.

A check is not counted as having run on an audited page that lacks an artifact it requires: the page records a
check error (``facts.check_errors``), as for a page check that failed there, and the run a note.
"""

from __future__ import annotations

from datetime import datetime

from qa.check import (
    FAMILIES,
    VISIT_ARTIFACTS,
    AnyCheck,
    MissingArtifact,
    PageCheck,
    SiteCheck,
    select_checks,
    site_check_order,
    stored_as,
)
from qa.config import Config
from qa.errors import UsageError
from qa.model import CheckRun, Results
from qa.redact import redact_config

REJUDGED = "re-judged"  # the note a re-judged run carries


def audited_pages(results: Results) -> int:
    return len({p.url for p in results.pages if not p.error})


def account_artifacts(check: AnyCheck, results: Results, selected: list[AnyCheck], record: CheckRun) -> int | None:
    """Record what the check lacks: None when a run artifact it requires is missing (it cannot run at all), else
    the number of audited pages it cannot judge (each marked with a check error)."""
    page_kind = {a for c in selected if isinstance(c, PageCheck) for a in c.provides} | set(VISIT_ARTIFACTS)
    absent = [a for a in check.requires if a not in page_kind and stored_as(a) not in results.extra]
    if absent:
        record.errors += 1
        results.run.notes.append(f"check {check.id}: not run, the artifact(s) {', '.join(absent)} are missing")
        return None
    gaps = page_gaps(check, results, selected)
    for url, missing in gaps.items():
        for page in results.pages:
            if page.url == url and not page.error:
                errors = page.facts.setdefault("check_errors", {})
                errors[check.id] = f"{MissingArtifact.__name__}: {MissingArtifact(missing)}"  # as a page check's
    if gaps:
        record.errors += len(gaps)
        example = next(iter(gaps))
        results.run.notes.append(
            f"check {check.id}: required artifact(s) missing on {len(gaps)} audited page(s), e.g. {example} "
            f"({', '.join(gaps[example])}); not judged there"
        )
    return len(gaps)


def page_gaps(check: AnyCheck, results: Results, selected: list[AnyCheck]) -> dict[str, list[str]]:
    """url -> the page artifacts the check requires that an audited page lacks. An artifact is expected in the
    cells its providers run in: the primary cell only when every provider is primary-only."""
    primary = results.run.cells[0] if results.run.cells else ""
    expected: dict[str, bool] = {}  # page artifact -> expected in every cell
    for artifact in check.requires:
        providers = [c for c in selected if isinstance(c, PageCheck) and artifact in c.provides]
        if artifact in VISIT_ARTIFACTS or providers:
            expected[artifact] = artifact in VISIT_ARTIFACTS or not all(c.primary_only for c in providers)
    gaps: dict[str, list[str]] = {}
    for page in results.pages:
        if page.error:
            continue
        for artifact, everywhere in expected.items():
            if (everywhere or not primary or page.cell == primary) and stored_as(artifact) not in page.facts:
                missing = gaps.setdefault(page.url, [])
                if artifact not in missing:
                    missing.append(artifact)
    return gaps


def run_site_checks(results: Results, checks: list[SiteCheck], selected: list[AnyCheck]) -> None:
    """Each site check over the results, in the order their artifacts need: findings, a check record, notes."""
    audited = audited_pages(results)
    for check in site_check_order(checks):
        record = CheckRun(check.id, check.title, check.covered())
        gaps = account_artifacts(check, results, selected, record)
        if gaps is not None:
            try:
                results.findings += check.run(results)
                record.pages = audited - gaps
            except Exception as exc:
                record.errors += 1
                results.run.notes.append(f"check {check.id} failed: {type(exc).__name__}: {exc}"[:500])
        results.checks.append(record)


def rejudge(results: Results, checks: list[AnyCheck], config: Config) -> list[str]:
    """Run the site checks of the run's check selection again over its results, with the settings they read taken
    from ``config``; their earlier findings, records, page errors and notes are replaced. Returns their ids."""
    if results.run.status != "complete":
        # the audit judges the site only over a finished crawl; an interrupted one is continued first
        raise UsageError(
            f"--rejudge: run {results.run.id} is {results.run.status}, not complete; finish it with qa audit --resume"
        )
    selected = select_checks(checks, results.run.config.get("families") or list(FAMILIES))
    site = [c for c in selected if isinstance(c, SiteCheck)]
    ids = {c.id for c in site}
    shown = redact_config(config.model_dump())
    for check in site:
        for key in check.settings:
            if key in shown:
                results.run.config[key] = shown[key]
    results.findings = [f for f in results.findings if not any(c.owns(f) for c in site)]
    for page in results.pages:
        errors = page.facts.get("check_errors")
        if errors:
            for check_id in ids:
                errors.pop(check_id, None)
            if not errors:
                del page.facts["check_errors"]
    stale = tuple(f"check {i} failed:" for i in ids) + tuple(f"check {i}:" for i in ids) + (REJUDGED,)
    results.run.notes = [n for n in results.run.notes if not n.startswith(stale)]
    before = {r.id: i for i, r in enumerate(results.checks)}
    results.checks = [r for r in results.checks if r.id not in ids]
    run_site_checks(results, site, selected)
    results.checks.sort(key=lambda r: before.get(r.id, len(before)))  # in the run's order; new checks last
    when = datetime.now().astimezone().isoformat(timespec="seconds")
    results.run.notes.append(f"{REJUDGED} {when}: {', '.join(sorted(ids))} run again over the stored results")
    return sorted(ids)
