"""Verdicts per success criterion, per page and site-wide. Never 'pass' for a criterion nothing checked fully.

Per page (a URL, over every browser/viewport cell it was audited in), the automated verdict is:

* ``fail``: a violation of the criterion on the page;
* ``needs-review``: no violation, but a check flagged something a person must judge (axe "incomplete",
  heuristic checks);
* ``not-applicable``: the page's inventory proves there is no content the criterion is about
  (``qa.judge.applicability``);
* ``pass``: only where the checks that ran cover the criterion *fully* and found nothing — a check that
  declares ``full`` coverage, or a rule set listed in ``FULL_BY_RULES`` (see docs/verdicts.md);
* ``not-verified``: otherwise. Partial coverage with clean results is not a pass: a person must judge.

Site-wide, the page verdicts of the judged pages (the sample) are combined worst first: fail, needs review,
not verified, pass, not applicable (only when every page is not applicable).

A person's verdict (``qa.judge.reviews``) then replaces the automated one unless the content it judged has
changed (the review is *stale*: the criterion needs review again) or a violation the person did not see
has appeared (a new automated failure always shows).
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from qa.check import AID, FULL, PARTIAL
from qa.judge.applicability import not_applicable
from qa.judge.criteria import catalogue
from qa.judge.profiles import Profile
from qa.judge.reviews import SECTION as REVIEWS
from qa.judge.reviews import site_fingerprint
from qa.judge.sampling import sample_of
from qa.model import NEEDS_REVIEW, VIOLATION, CheckRun, Finding, Page, Results
from qa.scope import WP_ADMIN_BAR
from qa.vocab import FAIL, NOT_APPLICABLE, NOT_VERIFIED, PASS, REVIEW, VERDICTS  # noqa: F401 (re-exported)

WORST_FIRST = (FAIL, REVIEW, NOT_VERIFIED, PASS, NOT_APPLICABLE)

# Criteria that automated rules decide completely on a page, when all of them applied and passed.
# 3.1.1 Language of Page: a lang attribute is present (html-has-lang) and a valid BCP 47 tag
# (html-lang-valid), and it names the language the project declares for the site (``site_lang``), so the
# remaining human question, "is it the page's language?", was answered once by the site owner.
FULL_BY_RULES: dict[str, tuple[str, ...]] = {"3.1.1": ("html-has-lang", "html-lang-valid")}


def _counter() -> Counter:
    # Counter() runs an __init__ that only fills it: a run makes two per page and criterion (224,000 at 2,000
    # pages), and that __init__ was a tenth of the checklists' time.
    return Counter.__new__(Counter)


@dataclass
class Verdict:
    """One criterion on one page (``url``) or site-wide (``url`` empty)."""

    sc: str
    url: str = ""
    auto: str = NOT_VERIFIED  # what the automated checks decided
    verdict: str = NOT_VERIFIED  # after human reviews: what the deliverable shows
    reason: str = "unchecked"  # why ``auto``: violation, flagged, full, partial-clean, unchecked, no-media, ...
    violations: int = 0
    needs_review: int = 0
    rules: Counter = field(default_factory=_counter)
    checks: list[str] = field(default_factory=list)
    coverage: str = ""  # "", "aid", "partial" or "full": the strongest evidence of the checks that ran
    violation_ids: list[str] = field(default_factory=list)
    # The checks that cover the criterion but could not examine it (PageContext.not_examined: the browser had no
    # means to probe), so they give no evidence here: the note says so, beside the run log's reason.
    unexamined: list[str] = field(default_factory=list)
    review: dict[str, Any] | None = None
    review_state: str = ""  # applied | stale | new-failure | unpinned ("" without a review)
    fingerprint: str = ""  # the content a review of this verdict is pinned to
    # site-wide only
    pages: Counter = field(default_factory=_counter)  # page verdict -> pages
    outside_sample: int = 0  # violations on audited pages outside the sample

    @property
    def applies(self) -> bool | None:
        if self.verdict == NOT_APPLICABLE:
            return False
        if self.violations or self.needs_review or self.verdict in (PASS, FAIL):
            return True
        return None

    def to_dict(self, base: Verdict | None = None) -> dict[str, Any]:
        """As stored in results.json (``judgement``). Site-wide: every field. A page verdict (``base``: the site-wide
        verdict of its criterion) keeps only what differs from the defaults, since a run has one per page and
        criterion: ``verdict`` when a review changed it, ``checks`` and ``coverage`` when not the site-wide ones."""
        if base is None:
            return {name: _plain(getattr(self, name)) for name in _NAMES if name not in ("sc", "url")}
        out: dict[str, Any] = {}
        for name in _PAGE_NAMES:
            value = getattr(self, name)
            if name == "verdict":
                default = self.auto
            elif name in ("checks", "coverage"):
                default = getattr(base, name)
            else:
                default = _DEFAULTS[name]
            if value != default:
                out[name] = _plain(value)
        return out

    @classmethod
    def from_dict(cls, sc: str, data: dict[str, Any], url: str = "", base: Verdict | None = None) -> Verdict:
        """The inverse of :meth:`to_dict`."""
        v = cls(sc, url)
        if base is not None:
            v.checks, v.coverage = list(base.checks), base.coverage
        for name in _NAMES:
            if name in data and name not in ("sc", "url"):
                setattr(v, name, Counter(data[name]) if name in ("rules", "pages") else data[name])
        if "verdict" not in data:
            v.verdict = v.auto
        return v


def _plain(value: Any) -> Any:
    return dict(value) if isinstance(value, Counter) else value


_NAMES = [f.name for f in dataclasses.fields(Verdict)]
_DEFAULTS = {
    f.name: f.default_factory() if f.default_factory is not dataclasses.MISSING else f.default
    for f in dataclasses.fields(Verdict)
}
# A page verdict's url and fingerprint are its page's (stored once per page); the rest are site-wide only.
_PAGE_NAMES = [n for n in _NAMES if n not in ("sc", "url", "fingerprint", "pages", "outside_sample")]


@dataclass
class Judgement:
    profile: Profile | None
    level: str
    urls: list[str]  # the judged pages (the sample), in order
    pages: dict[str, dict[str, Verdict]]  # url -> sc -> verdict
    site: dict[str, Verdict]  # sc -> verdict
    unmatched_reviews: list[dict[str, Any]]  # reviews of pages not judged in this run


def _worst(verdicts: list[str]) -> str:
    for v in WORST_FIRST:
        if v in verdicts:
            return v
    return NOT_VERIFIED


def _coverage_by_page(
    results: Results, visits: dict[str, list[Page]]
) -> tuple[dict[str, dict[str, dict[str, str]]], dict[str, dict[str, list[str]]]]:
    """(url -> sc -> {check: coverage} for the checks that ran (without an error) on that page, url -> sc -> the
    checks that ran there but could not examine the criterion)."""
    runs = [r for r in results.checks if r.criteria]
    out: dict[str, dict[str, dict[str, str]]] = {}
    missed: dict[str, dict[str, list[str]]] = {}
    for url, pages in visits.items():
        failed_everywhere = set.intersection(*(set(p.facts.get("check_errors", {})) for p in pages))
        switched_off = set.intersection(*(set(_scope_of(p).get("disabled", [])) for p in pages))
        cover: dict[str, dict[str, str]] = {}
        for run in runs:
            if run.id in failed_everywhere or run.id in switched_off:
                continue
            unexamined = _unexamined(run, pages)
            for sc, cov in run.criteria.items():
                if sc in unexamined:
                    missed.setdefault(url, {}).setdefault(sc, []).append(run.id)
                elif run.pages:
                    cover.setdefault(sc, {})[run.id] = cov
        out[url] = cover
    return out, missed


def _unexamined(run: CheckRun, pages: list[Page]) -> set[str]:
    """The criteria the check examined on none of the page's visits where it ran without an error: it said it could
    not (``PageContext.not_examined``: a browser without the means to probe)."""
    left: set[str] | None = None
    for p in pages:
        if run.id not in (p.facts.get("timings_ms") or {}) or run.id in p.facts.get("check_errors", {}):
            continue  # never ran here (another cell's check), or failed: the error says so
        said = (p.facts.get("not_examined") or {}).get(run.id)
        here = set((said["criteria"] or run.criteria) if said else ())
        left = here if left is None else left & here
    return left or set()


def _scope_of(page: Page) -> dict[str, Any]:
    return page.facts.get("scope") or {}


def _scoped_out(results: Results, pages: list[Page]) -> tuple[set[str], bool]:
    """(the criteria a rule switched off on the page tests, whether a region of it was excluded, hidden or
    removed): the settings left part of the page unchecked, so no criterion there is a pass from the checks."""
    of_rule = (results.extra.get("scope") or {}).get("disabled_criteria") or {}
    off = {r for p in pages for r in _scope_of(p).get("disabled", [])}
    criteria = {sc for r in off for sc in of_rule.get(r, [])}
    # WordPress's admin bar is shown only to a logged-in editor, never to a visitor: leaving it out (the default)
    # leaves no published content unchecked.
    regions = any(
        sel != WP_ADMIN_BAR
        for p in pages
        for k in ("excluded", "hidden", "removed")
        for sel in _scope_of(p).get(k) or {}
    )
    return criteria, regions


def _strongest(kinds: Any) -> str:
    """The coverage of several checks' evidence: partial when any check can find failures, aid when every check
    only lists what to inspect, "" without checks (full is decided by the caller)."""
    kinds = set(kinds)
    return PARTIAL if kinds & {PARTIAL, FULL} else (AID if AID in kinds else "")


def _lang_matches(page_lang: str, site_lang: str) -> bool:
    return bool(site_lang) and page_lang.split("-")[0].lower() == site_lang.split("-")[0].lower()


def _full_by_rules(sc: str, visits: _Visits, site_lang: str) -> bool:
    rules = FULL_BY_RULES.get(sc)
    if not rules:
        return False
    for p, passed in zip(visits.pages, visits.passes, strict=True):
        if not set(rules) <= passed:
            return False
        if sc == "3.1.1" and not _lang_matches(p.lang, site_lang):
            return False
    return True


@dataclass
class _Visits:
    """A judged page's visits (the primary cell's first) and what judging reads from each, derived once per page
    rather than once per page and criterion."""

    pages: list[Page]
    passes: list[set[str]]  # the axe rules that passed, per visit
    absent: list[dict[str, str]]  # criterion -> why it does not apply, per visit

    @classmethod
    def of(cls, pages: list[Page]) -> _Visits:
        return cls(
            pages,
            [set((p.facts.get("axe") or {}).get("passes", [])) for p in pages],
            [not_applicable(p.facts) for p in pages],
        )


def judge_page(
    sc: str,
    url: str,
    visits: _Visits,
    findings: list[Finding],
    cover: dict[str, str],
    site_lang: str,
    scoped: str = "",
    unexamined: list[str] | None = None,
) -> Verdict:
    """``scoped``: "rule-disabled" or "region-excluded" when the settings left part of the criterion unchecked on
    the page: then it is never a pass from the checks alone."""
    v = Verdict(sc, url)
    if findings:
        v.violations = sum(1 for f in findings if f.outcome == VIOLATION)
        v.needs_review = sum(1 for f in findings if f.outcome == NEEDS_REVIEW)
        v.violation_ids = sorted({f.id for f in findings if f.outcome == VIOLATION})
        v.rules = Counter(f.rule for f in findings)
    v.checks = sorted(cover)
    v.unexamined = sorted(unexamined or [])
    full = (FULL in cover.values() or _full_by_rules(sc, visits, site_lang)) and not scoped
    v.coverage = FULL if full else _strongest(cover.values())
    absent = [a.get(sc) for a in visits.absent]
    if v.violations:
        v.auto, v.reason = FAIL, "violation"
    elif v.needs_review:
        v.auto, v.reason = REVIEW, "flagged"
    elif absent and all(absent):
        v.auto, v.reason = NOT_APPLICABLE, absent[0]
    elif full:
        v.auto, v.reason = PASS, "full"
    elif scoped == "rule-disabled" or (scoped and (FULL in cover.values() or _full_by_rules(sc, visits, site_lang))):
        v.auto, v.reason = NOT_VERIFIED, scoped
    else:
        clean = "aid-clean" if v.coverage == AID else "partial-clean"
        v.auto, v.reason = NOT_VERIFIED, clean if cover else "unchecked"
    v.verdict = v.auto
    return v


def _apply_review(v: Verdict, review: dict[str, Any] | None, human_fail_below: bool = False) -> None:
    if review is None:
        return
    v.review = review
    if review.get("fingerprint") and v.fingerprint and review["fingerprint"] != v.fingerprint:
        v.review_state = "stale"
        v.verdict = FAIL if v.verdict == FAIL else REVIEW
        return
    new_failures = set(v.violation_ids) - set(review.get("acknowledged") or [])
    if v.verdict == FAIL and (new_failures or human_fail_below) and review["verdict"] != FAIL:
        v.review_state = "new-failure"
        return
    v.review_state = "applied" if review.get("fingerprint") else "unpinned"
    v.verdict = review["verdict"]


def judge_run(
    results: Results, profile: Profile | None = None, level: str = "AA", config: dict[str, Any] | None = None
) -> Judgement:
    """Every criterion of the profile (all 56 catalogue rows without one), per judged page and site-wide.
    ``config``: the settings judged with (``site_lang``), by default the run's."""
    config = (results.run.config or {}) if config is None else config
    site_lang = str(config.get("site_lang") or "")
    criteria = profile.criteria(level) if profile else list(catalogue())
    sample = sample_of(results)
    primary = results.run.cells[0] if results.run.cells else ""
    visits: dict[str, list[Page]] = {}
    for p in results.pages:
        if not p.error:
            visits.setdefault(p.url, []).append(p)
    for pages in visits.values():
        pages.sort(key=lambda p: p.cell != primary)  # the primary cell's facts first
    urls = [u for u in sample if u in visits]
    cover, unexamined = _coverage_by_page(results, {u: visits[u] for u in urls})
    derived = {u: _Visits.of(visits[u]) for u in urls}
    scoped_out = {u: _scoped_out(results, visits[u]) for u in urls}
    by_page_sc: dict[tuple[str, str], list[Finding]] = {}
    for f in results.findings:
        for sc in f.sc:
            by_page_sc.setdefault((f.url, sc), []).append(f)
    reviews = (results.extra.get(REVIEWS) or {}).get("items", [])
    page_reviews = {(r["sc"], r["url"]): r for r in reviews if r["url"]}
    site_reviews = {r["sc"]: r for r in reviews if not r["url"]}
    fingerprints = {u: visits[u][0].facts.get("fingerprint", "") for u in urls}
    site_fp = site_fingerprint(fingerprints) if all(fingerprints.values()) else ""

    pages: dict[str, dict[str, Verdict]] = {u: {} for u in urls}
    site: dict[str, Verdict] = {}
    for c in criteria:
        mine: list[Verdict] = []
        for u in urls:
            off, regions = scoped_out[u]
            scoped = "rule-disabled" if c.sc in off else ("region-excluded" if regions else "")
            v = judge_page(
                c.sc,
                u,
                derived[u],
                by_page_sc.get((u, c.sc), []),
                cover[u].get(c.sc, {}),
                site_lang,
                scoped,
                (unexamined.get(u) or {}).get(c.sc),
            )
            v.fingerprint = fingerprints[u]
            _apply_review(v, page_reviews.get((c.sc, u)))
            pages[u][c.sc] = v
            mine.append(v)
        s = Verdict(c.sc)
        s.pages = Counter(v.verdict for v in mine)
        s.violations = sum(v.violations for v in mine)
        s.needs_review = sum(v.needs_review for v in mine)
        for v in mine:
            s.rules.update(v.rules)
        s.checks = sorted({ch for v in mine for ch in v.checks})
        s.unexamined = sorted({ch for v in mine for ch in v.unexamined})
        full_everywhere = mine and all(v.coverage == FULL for v in mine)
        s.coverage = (
            FULL
            if full_everywhere
            else _strongest([v.coverage for v in mine if v.coverage not in (FULL, "")] or [PARTIAL])
        )
        s.coverage = s.coverage if s.checks else ""
        s.violation_ids = sorted({i for v in mine for i in v.violation_ids})
        outside = [f for (u, sc), fs in by_page_sc.items() if sc == c.sc and u not in pages for f in fs]
        s.outside_sample = sum(1 for f in outside if f.outcome == VIOLATION)
        s.auto = _worst([v.auto for v in mine]) if mine else NOT_VERIFIED
        s.verdict = _worst([v.verdict for v in mine]) if mine else NOT_VERIFIED
        reasons = {v.reason for v in mine if v.auto == s.auto}
        s.reason = sorted(reasons)[0] if len(reasons) == 1 else ("mixed" if mine else "no-pages")
        if s.auto == FAIL:
            s.reason = "violation"
        s.fingerprint = site_fp
        human_fail = any(v.review_state == "applied" and v.verdict == FAIL for v in mine)
        _apply_review(s, site_reviews.get(c.sc), human_fail)
        site[c.sc] = s
    judged = set(urls)
    unmatched = [r for r in reviews if r["url"] and r["url"] not in judged]
    return Judgement(profile, level, urls, pages, site, unmatched)
