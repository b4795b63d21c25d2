"""The publication gate: does this run block the release?

The gate counts *items* in outcome families, generically over whatever the checks produced:

- ``a11y-violations``: violations of a WCAG A/AA success criterion (the default, and the only one on by default)
- ``best-practice``: other violations (best practice, site rules, team checks)
- ``needs-review``: findings a person must judge
- ``broken-links``: findings of the link check (rules ``broken-link*``/``broken-anchor``, or check ``links``)
- ``js-errors``: pages with JavaScript errors (``page.facts.js_errors``) and ``js-error*`` findings
- ``http-errors``: pages that did not answer 200 (or did not load at all)
- ``tls-problems``, ``security-exposure``, ``privacy-before-consent``, ``seo-problems``, ``spelling``: violations
  found by the checks of the pre-publication families tls, security, privacy, seo and language
  (``vocab.GATE_OF_FAMILY``; their needs-review findings count as ``needs-review``)

A family fails when its count is above its allowed maximum (0 unless ``max`` says otherwise). A threshold on a rule
id or a criterion (``max: {color-contrast: 3}``) takes that rule's items out of their family and allows up to N of
them. Accepted findings (``details.accepted``) never count; an expired accepted entry always fails the gate; a
partial (interrupted) run always fails it. The judge (``qa.judge.judge_run``) evaluates it once and stores the outcome
with the settings in results.json (``judgement.gate``); the JUnit file and the summaries only read it.
"""

from __future__ import annotations

import dataclasses
import difflib
from collections import Counter
from dataclasses import dataclass, field
from functools import cache
from typing import Any
from urllib.parse import urlsplit

from qa import vocab
from qa.judge.criteria import by_sc
from qa.judge.inventory import family_of, inventory_of
from qa.model import NEEDS_REVIEW, VIOLATION, Finding, Results

A11Y = vocab.A11Y_VIOLATIONS
BEST_PRACTICE = vocab.BEST_PRACTICE
REVIEW = vocab.REVIEW_ITEMS
LINKS = vocab.BROKEN_LINKS
JS = vocab.JS_ERRORS
HTTP = vocab.HTTP_ERRORS
GATE_OUTCOMES = vocab.GATE_OUTCOMES  # what the gate counts; not the check families (vocab.FAMILIES)
DEFAULT_FAIL_ON = [A11Y]
LINK_CHECKS = ("links", "link-check", "linkcheck")


@dataclass
class GateSettings:
    fail_on: list[str] = field(default_factory=lambda: list(DEFAULT_FAIL_ON))
    # outcome family, rule id or success criterion -> allowed count
    max: dict[str, int] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"fail_on": list(self.fail_on), "max": dict(self.max)}

    @classmethod
    def from_config(cls, gate: dict[str, Any]) -> GateSettings:
        return cls(list(gate.get("fail_on") or DEFAULT_FAIL_ON), dict(gate.get("max") or {}))

    def enabled(self) -> list[str]:
        """Families that gate: the listed ones plus any given a maximum."""
        return list(dict.fromkeys([*self.fail_on, *(k for k in self.max if k in GATE_OUTCOMES)]))


@dataclass
class GateItem:
    """One thing the gate counts: a finding, or a page (HTTP status, JavaScript errors)."""

    family: str
    rule: str
    url: str
    sc: tuple[str, ...] = ()
    finding: Finding | None = None


@dataclass
class GateResult:
    """The gate's outcome, as stored in results.json (``judgement.gate``): what every report shows of the gate."""

    passed: bool
    reasons: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # not failing, worth reading (stale accepted entries)
    counts: dict[str, int] = field(default_factory=dict)  # family -> items counted (accepted excluded)
    settings: dict[str, Any] = field(default_factory=dict)  # GateSettings.to_dict() of the settings used
    enabled: list[str] = field(default_factory=list)  # the families that gate under those settings
    accepted: list[str] = field(default_factory=list)  # ids of accepted findings (never counted)
    failing: list[str] = field(default_factory=list)  # ids of the findings that fail the gate
    failing_pages: list[list[str]] = field(default_factory=list)  # [family, url]: page items that fail it
    families: dict[str, list[str]] = field(default_factory=dict)  # family -> ids of its findings (accepted too)

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    def summary(self) -> dict[str, Any]:
        """The top-level ``gate`` section of schema 1.0, still written for the readers of results.json that use it."""
        return {"settings": self.settings, **{k: getattr(self, k) for k in ("passed", "reasons", "notes", "counts")}}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> GateResult:
        names = {f.name for f in dataclasses.fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in names})

    def family_of(self) -> dict[str, str]:
        """Finding id -> its outcome family."""
        return {i: fam for fam, ids in self.families.items() for i in ids}


def is_accepted(f: Finding) -> bool:
    return bool(f.details.get("accepted"))


@cache
def _criteria() -> frozenset[str]:
    return frozenset(by_sc())


def finding_family(f: Finding) -> str:
    if f.check in LINK_CHECKS or f.rule.startswith("broken-link") or f.rule == "broken-anchor":
        return LINKS
    if f.rule.startswith("js-error") or f.rule == "javascript-error":
        return JS
    if f.outcome == VIOLATION and (outcome := vocab.GATE_OF_FAMILY.get(family_of(f.check))):
        return outcome
    if f.outcome == NEEDS_REVIEW:
        return REVIEW
    if f.outcome == VIOLATION and any(sc in _criteria() for sc in f.sc):
        return A11Y
    return BEST_PRACTICE


def gate_items(results: Results) -> list[GateItem]:
    """Every countable item of the run, accepted findings excluded."""
    items = [GateItem(finding_family(f), f.rule, f.url, tuple(f.sc), f) for f in results.findings if not is_accepted(f)]
    js_pages = {i.url for i in items if i.family == JS}
    http_seen: set[str] = set()
    page_of = inventory_of(results).alias_of()  # another address of a counted page is not a second page
    for p in results.pages:
        url = page_of.get(p.url, p.url)
        if p.facts.get("js_errors") and url not in js_pages:
            js_pages.add(url)
            items.append(GateItem(JS, "js-error", url))
        if p.status != 200 and url not in http_seen:
            http_seen.add(url)
            items.append(GateItem(HTTP, f"http-{p.status}" if p.status else "not-loaded", url))
    return items


def settings_of(results: Results) -> GateSettings:
    """The settings the run was judged with (schema 1.0: those of its ``gate`` section), else the defaults."""
    judged = (results.extra.get("judgement") or {}).get("gate") or results.extra.get("gate") or {}
    stored = judged.get("settings")
    return GateSettings.from_config(stored) if stored else GateSettings()


def gating(results: Results, settings: GateSettings | None = None) -> list[GateItem]:
    """The items in the outcome families these settings turn on (before thresholds)."""
    enabled = set((settings or settings_of(results)).enabled())
    return [i for i in gate_items(results) if i.family in enabled]


def _bucket(item: GateItem, thresholds: dict[str, int]) -> str:
    for key in (item.rule, *item.sc):
        if key in thresholds and key not in GATE_OUTCOMES:
            return key
    return item.family


def _examples(items: list[GateItem], limit: int = 4) -> str:
    """The rules with most items (findings), or the pages themselves (page-level items: JS errors, HTTP status)."""
    if all(i.finding is None or i.family in (JS, HTTP) for i in items):
        paths = list(dict.fromkeys(urlsplit(i.url).path or "/" for i in items))
        return ", ".join(paths[:limit]) + (", …" if len(paths) > limit else "")
    by_rule = Counter(i.rule for i in items)
    parts = [f"{rule} ({n})" for rule, n in by_rule.most_common(limit)]
    return ", ".join(parts) + (", …" if len(by_rule) > limit else "")


def suggest(name: str, choices: list[str]) -> str:
    close = [c for c in choices if c.startswith(name)] or difflib.get_close_matches(name, choices, n=1, cutoff=0.5)
    return f"did you mean '{close[0]}'?" if close else f"choose from {', '.join(choices)}"


def buckets(results: Results, settings: GateSettings) -> dict[str, list[GateItem]]:
    """Gated items by what limits them: their rule's or criterion's threshold, else their family."""
    out: dict[str, list[GateItem]] = {}
    for item in gating(results, settings):
        out.setdefault(_bucket(item, settings.max), []).append(item)
    return out


def evaluate_gate(results: Results, settings: GateSettings | None = None) -> GateResult:
    """Pass or fail, with one short line per reason. Without settings, those stored in the results (or defaults)."""
    settings = settings or settings_of(results)
    by_key = buckets(results, settings)
    counts = Counter({fam: 0 for fam in settings.enabled()})
    families: dict[str, list[str]] = {}
    for f in results.findings:
        families.setdefault(finding_family(f), []).append(f.id)
    for item in gate_items(results):
        counts[item.family] += 1
    result = GateResult(
        True,
        counts={fam: counts[fam] for fam in GATE_OUTCOMES if fam in counts},
        settings=settings.to_dict(),
        enabled=settings.enabled(),
        accepted=[f.id for f in results.findings if is_accepted(f)],
        families=families,
    )
    for key, items in sorted(by_key.items(), key=lambda kv: -len(kv[1])):
        allowed = settings.max.get(key, 0)
        if len(items) > allowed:
            what = GATE_OUTCOMES.get(key, f"finding(s) of {key}")
            where = "" if key in (JS, HTTP) else f" on {len({i.url for i in items})} page(s)"
            result.reasons.append(f"{key}: {len(items)} {what}{where}, {allowed} allowed — {_examples(items)}")
            result.failing += [i.finding.id for i in items if i.finding is not None]
            result.failing_pages += [[i.family, i.url] for i in items if i.finding is None]
    accepted = results.extra.get("accepted") or {}
    for entry in accepted.get("entries", []):
        if entry.get("status") == "expired":
            result.reasons.append(
                f"{accepted.get('file', 'accepted issues')}: entry {entry['index']} ({entry_label(entry)}) expired on "
                f"{entry['expires']}: fix the issue or renew the entry"
            )
        elif entry.get("status") == "stale":
            result.notes.append(
                f"{accepted.get('file', 'accepted issues')}: entry {entry['index']} ({entry_label(entry)}) matched "
                "nothing: remove it if the issue is fixed"
            )
    if results.run.status == "partial":
        result.reasons.append("the run is partial (interrupted): re-run it to completion before publishing")
    result.passed = not result.reasons
    return result


def entry_label(entry: dict[str, Any]) -> str:
    what = entry.get("rule") or f"SC {entry.get('sc')}"
    return f"{what} on {entry.get('url')}" + (f" at {entry['selector']}" if entry.get("selector") else "")


def parse_max(values: list[str]) -> dict[str, int]:
    """``["color-contrast=3", "needs-review=20"]`` -> dict; raises ValueError with the bad value."""
    out: dict[str, int] = {}
    for value in values:
        key, sep, n = value.partition("=")
        if not sep or not key.strip() or not n.strip().isdigit():
            raise ValueError(value)
        out[key.strip()] = int(n)
    return out


def format_block(result: GateResult, limit: int = 10) -> str:
    """The short block the command line prints."""
    lines = ["gate:     passed" if result.passed else "gate:     FAILED"]
    lines += [f"  - {r}" for r in result.reasons[:limit]]
    if len(result.reasons) > limit:
        lines.append(f"  - … and {len(result.reasons) - limit} more (results.json: gate.reasons)")
    lines += [f"  note: {n}" for n in result.notes[:limit]]
    return "\n".join(lines)
