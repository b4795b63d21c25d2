"""axe-core on every page, in every engine: the newest release pinned in qa/data/rule-engines.json when ``qa setup``
installed it into the engines cache, else the copy bundled with axe-playwright-python. The run records the version
that ran (``run.engines["axe-core"]``, from the page), and the deliverables read that version's Japanese locale.

axe's experimental rules that test the configured WCAG levels run too (``axe.experimental``): axe does not yet
vouch for their precision, so their failures are needs-review with that reason, never violations."""

from __future__ import annotations

import re
from typing import Any, ClassVar

from axe_playwright_python.base import AXE_SCRIPT

from qa.check import PARTIAL, PageCheck, PageContext
from qa.check._engines import AXE_PRESENT as PRESENT
from qa.check._engines import engine_script
from qa.model import NEEDS_REVIEW, VIOLATION, Finding

BUNDLED_AXE = re.search(r"axe v([\d.]+)", AXE_SCRIPT[:500]).group(1)  # type: ignore[union-attr]
EXPERIMENTAL = "experimental"
EXPERIMENTAL_REASON = "axe-core's experimental rule (its precision is not yet established): a person confirms"
_SC_TAG = re.compile(r"^wcag(\d)(\d)(\d+)$")

# bbox: the element's box in page coordinates (CSS px), so reports can outline it on the page screenshot.
RUN_JS = (
    """async (options) => {
  if (!("""
    + PRESENT
    + """)) return null;
  const r = await axe.run(document, options);
  const box = (target) => {
    if (target.length !== 1 || typeof target[0] !== 'string') return null;  // inside an iframe or shadow root
    const el = document.querySelector(target[0]);
    if (!el) return null;
    const b = el.getBoundingClientRect();
    return {x: Math.round(b.left + scrollX), y: Math.round(b.top + scrollY),
            width: Math.round(b.width), height: Math.round(b.height)};
  };
  const slim = (items) => items.map((x) => ({id: x.id, impact: x.impact, tags: x.tags, help: x.help,
      helpUrl: x.helpUrl, nodes: x.nodes.map((n) => ({target: n.target, html: n.html, impact: n.impact,
      failureSummary: n.failureSummary, bbox: box(n.target),
      messages: [...n.any, ...n.all, ...n.none].map((c) => c.message),
      checks: [...n.any, ...n.all, ...n.none].map((c) => ({id: c.id, data: c.data}))}))}));
  return {version: axe.version, violations: slim(r.violations), incomplete: slim(r.incomplete),
          passes: r.passes.map((x) => x.id), inapplicable: r.inapplicable.map((x) => x.id)};
}"""
)

# runOnly by tag skips experimental and deprecated rules, so they cover nothing unless switched on by name.
RULES_JS = """(tags) => axe.getRules(tags)
  .filter((r) => !r.tags.includes('experimental') && !r.tags.includes('deprecated'))
  .map((r) => ({id: r.ruleId, tags: r.tags}))"""
# The experimental rules that test a criterion of the configured levels (a wcag tag among the level tags).
EXPERIMENTAL_JS = """(tags) => axe.getRules(tags)
  .filter((r) => r.tags.includes('experimental') && r.tags.some((t) => /^wcag\\d{3,}$/.test(t)))
  .map((r) => ({id: r.ruleId, tags: r.tags}))"""
# Rules switched on by name (``axe.enable_rules``) run even when deprecated, so they do cover their criteria.
NAMED_RULES_JS = (
    """(ids) => axe.getRules().filter((r) => ids.includes(r.ruleId)).map((r) => ({id: r.ruleId, tags: r.tags}))"""
)


def sc_from_tags(tags: list[str]) -> list[str]:
    """``wcag143`` -> ``1.4.3``; level tags such as ``wcag2aa`` are not criteria."""
    out = []
    for tag in tags:
        m = _SC_TAG.match(tag)
        if m:
            out.append(".".join(m.groups()))
    return out


def target_text(target: list[Any]) -> str:
    # One selector per iframe level; shadow DOM levels come as nested lists.
    parts = [" ".join(t) if isinstance(t, list) else str(t) for t in target]
    return " >>> ".join(parts)


def axe_script() -> str:
    """The newest axe-core from the engines cache, else the copy bundled with axe-playwright-python."""
    return engine_script("axe") or AXE_SCRIPT


class AxeCheck(PageCheck):
    id = "axe"
    title = "axe-core"
    order = 10
    provides = ("axe-results",)
    # Filled from the rules of the axe that actually runs (first page), not from a fixed table.
    live_criteria: ClassVar[dict[str, str]] = {}
    experimental: ClassVar[list[str]] = []  # the experimental rules switched on, found with live_criteria
    version: ClassVar[str] = ""

    @property  # type: ignore[override]
    def preload(self) -> tuple[str, ...]:
        # Read when the browsers start, so that an engines cache set up after import (qa setup) is used.
        return (axe_script(),)

    def covered(self) -> dict[str, str]:
        return dict(self.live_criteria)

    async def run(self, ctx: PageContext) -> list[Finding]:
        tags = ctx.config.axe.tags
        levels = [t for t in tags if t != "best-practice"]
        if not AxeCheck.live_criteria:
            await ctx.session.inject(axe_script(), PRESENT)
            rules = await ctx.session.evaluate(RULES_JS, levels)
            named = ctx.config.axe.enable_rules
            rules += await ctx.session.evaluate(NAMED_RULES_JS, named) if named else []
            trial = await ctx.session.evaluate(EXPERIMENTAL_JS, levels) if ctx.config.axe.experimental else []
            AxeCheck.experimental = [r["id"] for r in trial]
            AxeCheck.live_criteria = {sc: PARTIAL for r in rules + trial for sc in sc_from_tags(r["tags"])}
        options = {
            "runOnly": {"type": "tag", "values": tags},
            # Passes and inapplicable rules are kept by id only: axe then skips their per-element details.
            "resultTypes": ["violations", "incomplete"],
            "rules": {r: {"enabled": True} for r in [*ctx.config.axe.enable_rules, *AxeCheck.experimental]},
        }
        result = await ctx.session.evaluate(RUN_JS, options)
        if result is None:  # the preload did not reach this document: axe is injected now (one more round trip)
            await ctx.session.inject(axe_script(), PRESENT)
            result = await ctx.session.evaluate(RUN_JS, options)
        AxeCheck.version = result["version"]
        ctx.page.facts["axe"] = {"passes": result["passes"], "inapplicable": result["inapplicable"]}
        findings = []
        for outcome, key in ((VIOLATION, "violations"), (NEEDS_REVIEW, "incomplete")):
            for rule in result[key]:
                # A failure of an experimental rule: needs-review, with the reason (details.experimental)
                trial = outcome == VIOLATION and EXPERIMENTAL in rule["tags"]
                for node in rule["nodes"]:
                    message = node.get("failureSummary") or "; ".join(node.get("messages") or []) or rule["help"]
                    if trial:
                        message = f"{EXPERIMENTAL_REASON}. {message}"
                    findings.append(
                        ctx.finding(
                            rule["id"],
                            NEEDS_REVIEW if trial else outcome,
                            sc_from_tags(rule["tags"]),
                            impact=node.get("impact") or rule.get("impact"),
                            target=target_text(node["target"]),
                            html=node["html"][:2000],
                            message=message,
                            help_url=rule["helpUrl"],
                            tags=rule["tags"],
                            details={
                                "help": rule["help"],
                                "bbox": node.get("bbox"),
                                "checks": node.get("checks") or [],
                                **({"experimental": True} if trial else {}),
                            },
                        )
                    )
        return findings
