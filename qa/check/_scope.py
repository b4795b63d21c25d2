"""Scoping what is checked, in every engine: regions excluded, elements hidden or removed, rules switched off.

Before the checks run, the page is prepared once (:func:`prepare`): removed elements leave the DOM, hidden ones get
``visibility: hidden``, and every element inside an excluded or hidden region gets the ``data-qa-excluded``
attribute (hidden is not fixed: an engine that reads hidden elements must not report them either). The
rule engines then leave those elements out themselves (axe-core's ``exclude`` context; IBM Equal Access and
HTML_CodeSniffer results whose element is marked are dropped in the page), and the suite's own checks' findings whose
target lies in a marked region are dropped after the checks (:func:`drop_excluded`): one place, not one per check.
What was left out is recorded in the page's facts (``scope``) and the run's ``results.extra["scope"]``, so the
judge never reads a clean result there as a pass and the reports name it.
"""

from __future__ import annotations

import difflib
import json
import re
from functools import cache
from importlib import resources
from typing import Any

from qa.check import AnyCheck
from qa.check._engines import ENGINE_NAMES, engine_data, engine_script
from qa.config import Config
from qa.errors import ConfigError
from qa.model import Finding
from qa.scope import PageScope, rule_settings_used
from qa.visit.driver import Session

MARK = "data-qa-excluded"
MARKED = f"[{MARK}]"
# Checks of this order or later see the prepared page; the earlier ones (privacy: cookies before consent, which
# reloads the page) see it as the site sent it.
PREPARE_BEFORE_ORDER = 5
# An HTML_CodeSniffer code as its findings name it, down to any level: WCAG2AA.Principle1.Guideline1_4.1_4_3...
HTMLCS_CODE = re.compile(r"^WCAG2A{1,3}\.Principle[1-4](\.Guideline\d+_\d+(\.\d+_\d+_\d+(_\w+)?(\.[\w.,-]+)?)?)?$")

# Idempotent: a document already prepared (window.__qaScoped) is left alone; one that replaced it is prepared anew.
PREPARE_JS = (
    """(s) => {
  if (window.__qaScoped) return null;
  const all = (sel) => { try { return [...document.querySelectorAll(sel)]; } catch (e) { return []; } };
  const out = {removed: {}, hidden: {}, excluded: {}};
  for (const sel of s.remove) {
    const els = all(sel);
    out.removed[sel] = els.length;
    for (const el of els) el.remove();
  }
  for (const sel of s.hide) {
    const els = all(sel);
    out.hidden[sel] = els.length;
    for (const el of els) {
      el.style.setProperty('visibility', 'hidden', 'important');
      el.setAttribute('"""
    + MARK
    + """', '');  // and not reported, as pa11y's hideElements: hidden, not fixed
    }
  }
  for (const sel of s.exclude) {
    const els = all(sel);
    out.excluded[sel] = els.length;
    for (const el of els) el.setAttribute('"""
    + MARK
    + """', '');
  }
  window.__qaScoped = true;
  return out;
}"""
)

# For each finding target (a selector, "frame >>> element" for an element in a frame): whether it lies in a marked
# region. A target that no longer resolves (the page changed under a check) is kept: never dropped on a guess.
INSIDE_JS = (
    """(targets) => targets.map((t) => {
  try {
    const el = document.querySelector(t.split(' >>> ')[0]);
    return !!(el && el.closest('"""
    + MARKED
    + """'));
  } catch (e) { return false; }
})"""
)


async def prepare(session: Session, scope: PageScope, facts: dict[str, Any]) -> None:
    """Apply the page's remove, hide and exclude selectors (once per document) and record what they matched."""
    if not scope.changes_page:
        return
    arg = {"remove": list(scope.remove), "hide": list(scope.hide), "exclude": list(scope.exclude)}
    done = await session.evaluate(PREPARE_JS, arg)
    if done is None:
        return
    record = facts.setdefault("scope", {})
    for key, counts in done.items():
        matched = {sel: n for sel, n in counts.items() if n}
        if matched:
            record.setdefault(key, {}).update(matched)


async def drop_excluded(
    session: Session, scope: PageScope, findings: list[Finding], facts: dict[str, Any]
) -> list[Finding]:
    """The findings without those whose element lies in an excluded region (the engines' are dropped in the page
    already); the count dropped is recorded in the page's facts."""
    record = facts.get("scope") or {}
    if not record.get("excluded") and not record.get("hidden"):
        return findings
    await prepare(session, scope, {})  # a check that reloaded the page left an unmarked document
    targets = sorted({f.target for f in findings if f.target and f.target != "html" and f.check not in ENGINE_NAMES})
    if not targets:
        return findings
    inside = dict(zip(targets, await session.evaluate(INSIDE_JS, targets), strict=True))
    kept = [f for f in findings if not inside.get(f.target)]
    note_dropped(facts, len(findings) - len(kept))
    return kept


def note_dropped(facts: dict[str, Any], n: int) -> None:
    if n:
        record = facts.setdefault("scope", {})
        record["dropped"] = record.get("dropped", 0) + n


def drop_disabled(scope: PageScope, findings: list[Finding], facts: dict[str, Any]) -> list[Finding]:
    """The findings without those of the rules (or checks) switched off on the page; the ids are recorded, and how
    many findings each one suppressed (a setting that suppresses nothing anywhere is named, to be removed)."""
    if not scope.disabled:
        return findings
    record = facts.setdefault("scope", {})
    record["disabled"] = sorted(scope.disabled)
    kept = []
    for f in findings:
        by = scope.disabled_by(f.rule, f.check, f.sc)
        if by is None:
            kept.append(f)
        else:
            record.setdefault("suppressed", {}).setdefault(by, 0)
            record["suppressed"][by] += 1
    return kept


# The rule ids a setting may name, per engine: checked before the crawl, so a typo is an error and not a rule that
# silently never matches.
@cache
def axe_rule_ids() -> frozenset[str]:
    """axe-core's rules: the Japanese locale's and the engines cache's newer axe (whose rule list is read from its
    script: it has no other listing)."""
    from axe_playwright_python.base import AXE_SCRIPT

    locale = resources.files("qa.data").joinpath("axe-core-4.12.1-ja.json").read_text(encoding="utf-8")
    ids = set(json.loads(locale)["rules"])
    for script in (engine_script("axe") or "", AXE_SCRIPT):
        ids |= set(re.findall(r'\{id:"([\w-]+)",(?:impact|selector|excludeHidden|matches|tags|enabled)', script))
    return frozenset(ids)


@cache
def ace_rule_ids() -> frozenset[str]:
    data = json.loads(resources.files("qa.data").joinpath("ace-ja.json").read_text(encoding="utf-8"))
    known = engine_data()
    return frozenset(data["rules"]) | frozenset(known["quiet"]["ace"]) | frozenset(known["demoted"]["ace"])


@cache
def criteria_ids() -> frozenset[str]:
    """The WCAG 2.2 success criteria (a criterion's number disables every engine's and check's findings on it)."""
    text = resources.files("qa.data").joinpath("wcag22-criteria.csv").read_text(encoding="utf-8")
    return frozenset(line.split(",", 1)[0] for line in text.splitlines()[1:] if line)


def own_rule_ids(checks: list[AnyCheck]) -> dict[str, str]:
    """The suite's (and the project's) check ids and the rule ids their messages name -> the check."""
    out: dict[str, str] = {}
    for c in checks:
        out[c.id] = c.id
        for rule in c.messages:
            out.setdefault(rule, c.id)
    return out


def validate_scope(config: Config, checks: list[AnyCheck], viewports: list[str], source: str = "qa.yaml") -> None:
    """Every rule id of ``rules`` and ``overrides[].rules`` names a rule or check the run has, and every viewport
    of an override one the run has; else a ConfigError, one line per problem, with the nearest known name."""
    known = set(axe_rule_ids()) | set(ace_rule_ids()) | set(own_rule_ids(checks)) | set(criteria_ids())
    check_ids = {c.id for c in checks}
    problems = []
    for i, o in enumerate(config.overrides):
        for name in o.viewports:
            if name not in viewports:
                close = difflib.get_close_matches(name, viewports, n=1, cutoff=0.5)
                hint = f"did you mean '{close[0]}'?" if close else f"the run's viewports: {', '.join(viewports)}"
                problems.append(f"{source}: 'overrides[{i}].viewports' names unknown viewport '{name}' ({hint})")
        for rule in o.rules.enable:
            if rule in check_ids:
                problems.append(
                    f"{source}: 'overrides[{i}].rules.enable' names the check '{rule}'; a check is switched on for "
                    "the whole run: move it to rules.enable"
                )
    for key, rule in rule_settings_used(config):
        if rule in criteria_ids() and key.endswith("enable"):
            problems.append(f"{source}: '{key}' names the success criterion {rule}; a criterion can only be disabled")
            continue
        if rule in known or HTMLCS_CODE.match(rule):
            continue
        close = difflib.get_close_matches(rule, sorted(known), n=1, cutoff=0.6)
        hint = (
            f"did you mean '{close[0]}'?"
            if close
            else "give an axe-core, IBM Equal Access or HTML_CodeSniffer rule id as findings name it, a check id or "
            "a success criterion such as 1.4.3"
        )
        problems.append(f"{source}: '{key}' names unknown rule id '{rule}' ({hint})")
    if problems:
        raise ConfigError("\n".join(problems))


def drop_disabled_by_url(config: Config, findings: list[Finding], suppressed: dict[str, int]) -> list[Finding]:
    """The findings of the whole-run checks without those of rules switched off for their page (or the run),
    counted per setting into ``suppressed``."""
    from qa.scope import page_config

    if not rule_settings_used(config):
        return findings
    scopes: dict[str, PageScope] = {}
    kept = []
    for f in findings:
        if f.url not in scopes:
            scopes[f.url] = PageScope.of(page_config(config, f.url))
        by = scopes[f.url].disabled_by(f.rule, f.check, f.sc)
        if by is None:
            kept.append(f)
        else:
            suppressed[by] = suppressed.get(by, 0) + 1
    return kept


def criteria_of(rule: str, checks: list[AnyCheck]) -> list[str]:
    """The success criteria a rule or check id tests, as the engines that ran define them (an own rule id: its
    check's criteria, since a check does not say which of its rules tests which criterion)."""
    from qa.check.ace import AceCheck
    from qa.check.axe import AxeCheck
    from qa.check.htmlcs import HtmlcsCheck, criterion_of

    if rule in criteria_ids():
        return [rule]
    by_id = {c.id: c for c in checks}
    own = own_rule_ids(checks)
    found: list[str] = []
    if rule in own and own[rule] in by_id:
        found += list(by_id[own[rule]].covered())
    found += AxeCheck.rule_criteria.get(rule, [])
    found += [sc for sc, _ in AceCheck.rule_criteria.get(rule, [])]
    if HTMLCS_CODE.match(rule):
        found += criterion_of(rule) or _htmlcs_under(rule, list(HtmlcsCheck.live_criteria))
    return list(dict.fromkeys(found))


def _htmlcs_under(code: str, criteria: list[str]) -> list[str]:
    """The criteria under a principle or guideline code (WCAG2AA.Principle1.Guideline1_4 -> 1.4.*)."""
    m = re.match(r"^WCAG2A*\.Principle(\d)(?:\.Guideline\d+_(\d+))?", code)
    if not m:
        return []
    prefix = m.group(1) + "." + (m.group(2) + "." if m.group(2) else "")
    return [sc for sc in criteria if sc.startswith(prefix)]


def scope_section(
    config: Config, checks: list[AnyCheck], pages: list[Any], suppressed: dict[str, int]
) -> dict[str, Any]:
    """What the run left out (``results.extra["scope"]``): the settings, what they matched, the findings each rule
    switched off suppressed (``suppressed``: those of the whole-run checks), the settings that suppressed nothing,
    and the criteria of every rule switched off (the judge reads them: never a pass from the checks alone)."""
    disabled = list(dict.fromkeys([*config.rules.disable, *(r for o in config.overrides for r in o.rules.disable)]))
    matched: dict[str, dict[str, int]] = {"excluded": {}, "hidden": {}, "removed": {}}
    regions: dict[str, int] = {"excluded": 0, "hidden": 0, "removed": 0}
    dropped = 0
    suppressed = dict(suppressed)
    for p in pages:
        record = p.facts.get("scope") or {}
        dropped += record.get("dropped", 0)
        for rule, n in (record.get("suppressed") or {}).items():
            suppressed[rule] = suppressed.get(rule, 0) + n
        for key in matched:
            if record.get(key):
                regions[key] += 1
                for sel, n in record[key].items():
                    matched[key][sel] = matched[key].get(sel, 0) + n
    return {
        "exclude_selectors": list(config.exclude_selectors),
        "hide_selectors": list(config.hide_selectors),
        "remove_selectors": list(config.remove_selectors),
        "exclude_wp_admin_bar": config.exclude_wp_admin_bar,
        "rules": config.rules.model_dump(),
        "overrides": [o.model_dump(exclude_unset=True) for o in config.overrides],
        "matched": matched,  # key -> selector -> elements, over every visit
        "pages": regions,  # key -> visits where it matched
        "dropped_findings": dropped,
        "suppressed": suppressed,  # rule setting -> findings it dropped (a whole check switched off never ran)
        "unused": [r for r in disabled if r not in suppressed and r not in {c.id for c in checks}],
        "disabled_criteria": {rule: criteria_of(rule, checks) for rule in disabled},
    }


NOT_CHECKED = "Not checked: "


def scope_notes(section: dict[str, Any]) -> list[str]:
    """The run notes naming what was not checked: a reviewer must never read a clean result there as a pass."""
    notes = []
    words = {
        "excluded": "regions excluded from every check",
        "removed": "elements removed before the checks",
        "hidden": "elements hidden before the checks",
    }
    for key, what in words.items():
        if section["matched"][key]:
            listed = ", ".join(f"{sel} ({n})" for sel, n in section["matched"][key].items())
            notes.append(f"{NOT_CHECKED}{what}: {listed}, in {section['pages'][key]} visit(s)")
    if section["dropped_findings"]:
        dropped = section["dropped_findings"]
        notes.append(f"{NOT_CHECKED}{dropped} finding(s) inside excluded or hidden regions were dropped")
    counted = section["suppressed"]

    def listed(rules: list[str]) -> str:
        return ", ".join(f"{r} ({counted.get(r, 0)} finding(s) suppressed)" for r in rules)

    if section["rules"]["disable"]:
        notes.append(f"{NOT_CHECKED}rules disabled for the whole run: {listed(section['rules']['disable'])}")
    for o in section["overrides"]:
        off = (o.get("rules") or {}).get("disable") or []
        if off:
            notes.append(f"{NOT_CHECKED}rules disabled on pages matching {o['match']}: {listed(off)}")
    if section["unused"]:
        notes.append(
            f"rules.disable: {', '.join(section['unused'])} suppressed nothing in this run; remove the setting if "
            "the problem is fixed, so the rule checks again"
        )
    return notes
