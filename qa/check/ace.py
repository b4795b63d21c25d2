"""IBM Equal Access (accessibility-checker-engine) on every page, in every engine, beside axe-core."""

from __future__ import annotations

from typing import Any, ClassVar

from qa.check import PARTIAL, PageContext
from qa.check._engines import RuleEngine, in_page, top_frame_preload
from qa.check._scope import note_dropped
from qa.check._share import companion_reference, dom_only_rules, shared_rules, take_reused
from qa.model import Finding

POLICY = "WCAG_2_2"  # the engine's WCAG 2.2 A/AA rule set: each rule listed under the success criteria it checks
LEVELS = ("A", "AA")
PRESENT = "typeof window.ace_ibma === 'object' && typeof window.ace_ibma.Checker === 'function'"
HELP_URL = "https://able.ibm.com/rules/archives/latest/doc/en-US/{rule}.html"
# Measured: on a page of 5,000 links, 5,000 ids and 2,000 images the engine ran past 90 s (axe: under 40 s,
# HTML_CodeSniffer: 2.5 s). Above this many elements it is not run on the page, and the page records why.
MAX_ELEMENTS = 5_000

RULES_JS = """(policy) => {
  const set = new ace_ibma.Checker().getGuidelines().find((g) => g.id === policy);
  return set ? set.checkpoints.map((c) => ({sc: c.num, level: c.wcagLevel,
    rules: c.rules.map((r) => ({id: r.id, reasons: r.reasonCodes || null}))})) : [];
}"""

# value = [policy level: VIOLATION | RECOMMENDATION | INFORMATION, confidence: FAIL | POTENTIAL | MANUAL | PASS]
RUN_JS = in_page(
    """async (arg) => {
  let policy = arg.policy;
  const skip = arg.skip;
  if (!("""
    + PRESENT
    + """)) return null;
  const checker = new ace_ibma.Checker();
  if (skip.length) {  // the policy without the rules another cell ran on this DOM (qa.check._share)
    const set = checker.getGuidelines().find((g) => g.id === policy);
    const without = new Set(skip);
    policy = 'QA_CELL_' + policy;
    checker.addGuideline({...set, id: policy, checkpoints: set.checkpoints.map((c) => ({...c,
      rules: c.rules.filter((r) => !without.has(r.id))}))});
  }
  const report = await checker.check(document, [policy]);
  const out = [];
  let excluded = 0;
  for (const r of report.results) {
    if (r.value[1] === 'PASS' || r.value[0] === 'INFORMATION') continue;
    if (excludedNode(r.node)) { excluded += 1; continue; }
    out.push({rule: r.ruleId, reason: String(r.reasonId), level: r.value[0], confidence: r.value[1],
      message: r.message, args: (r.messageArgs || []).map(String), html: r.snippet || htmlOf(r.node),
      path: (r.path && r.path.dom) || '',
      target: selectorOf(r.node), bbox: boxOf(r.node)});
  }
  doneWithSelectors();
  return {results: out, excluded};
}"""
)


class PageTooLarge(RuntimeError):
    """The page is too large for this engine: recorded as its check error on the page, never as a clean run."""


class AceCheck(RuleEngine):
    id = "ace"
    title = "IBM Equal Access"
    order = 11
    engine = "ace"
    present = PRESENT
    live_criteria: ClassVar[dict[str, str]] = {}
    version: ClassVar[str] = ""
    # rule -> [(criterion, the reasons it is listed for there, or None for all)], from the engine's rule set
    rule_criteria: ClassVar[dict[str, list[tuple[str, tuple[str, ...] | None]]]] = {}

    @property  # type: ignore[override]
    def preload(self) -> tuple[str, ...]:
        # Measured in Chromium over 40 pages in one tab: navigating and having the engine ready took 97 ms a page
        # when it was sent to each loaded page, 58 ms when preloaded (Chromium keeps the compiled script between
        # documents). The engine leaves one global (ace_ibma) for the page to see. HTML_CodeSniffer is not
        # preloaded: it leaves about a hundred, among them a bare ``translation`` a page's own script may use.
        return top_frame_preload("ace")

    # Only where measured: elsewhere a preload may cost its compilation at every document start, also in the cells
    # that take the engine's findings from another cell (qa.check._share) and never run it.
    preload_engines = ("chromium",)

    @classmethod
    def reset(cls) -> None:
        super().reset()
        cls.rule_criteria = {}

    @staticmethod
    def _take_quiet(ctx: PageContext, facts: dict[str, Any], rules: frozenset[str]) -> None:
        """The reference's counts of the quiet rules' reminders, for the shared rules."""
        for rule, n in facts.get("ace", {}).get("quiet", {}).items():
            if rule in rules:
                ctx.page.facts.setdefault("ace", {}).setdefault("quiet", {})[rule] = n

    async def run(self, ctx: PageContext) -> list[Finding]:
        reference = companion_reference(ctx, "ace")
        if reference is not None:  # another cell ran the engine on this very DOM
            rules = dom_only_rules("ace", AceCheck.version)
            self._take_quiet(ctx, reference.facts, rules)
            return await take_reused(ctx, "ace", rules, whole=True)
        elements = await ctx.session.evaluate("() => document.getElementsByTagName('*').length")
        if elements > MAX_ELEMENTS:
            raise PageTooLarge(
                f"not run: the page has {elements:,} elements, more than {MAX_ELEMENTS:,}; IBM Equal Access takes "
                "minutes on such a page (axe-core and HTML_CodeSniffer did run)"
            )
        await self.load(ctx)
        if not AceCheck.rule_criteria:
            self._learn(await ctx.session.evaluate(RULES_JS, POLICY))
        shared = shared_rules(ctx, "ace", AceCheck.version)
        ran = await ctx.session.evaluate(RUN_JS, {"policy": POLICY, "skip": sorted(shared)})
        if ran is None:
            raise RuntimeError("IBM Equal Access did not load into the page")
        note_dropped(ctx.page.facts, ran["excluded"])
        findings = await take_reused(ctx, "ace", shared)
        if shared:
            self._take_quiet(ctx, ctx.reuse.reference.facts, shared)
        for r in ran["results"]:
            definite = r["level"] == "VIOLATION" and r["confidence"] == "FAIL"
            outcome = self.outcome(r["rule"], definite, ctx.scope.enabled)
            if outcome is None:
                ctx.page.facts.setdefault("ace", {}).setdefault("quiet", {}).setdefault(r["rule"], 0)
                ctx.page.facts["ace"]["quiet"][r["rule"]] += 1
                continue
            findings.append(
                ctx.finding(
                    r["rule"],
                    outcome,
                    self.criteria_of(r["rule"], r["reason"]),
                    target=r["target"],
                    html=r["html"][:2000],
                    message=r["message"],
                    help_url=HELP_URL.format(rule=r["rule"]),
                    tags=[f"ace:{r['level'].lower()}", f"ace:{r['confidence'].lower()}"],
                    details={"reason": r["reason"], "args": r["args"], "xpath": r["path"], "bbox": r["bbox"]},
                )
            )
        return findings

    def _learn(self, checkpoints: list[dict[str, Any]]) -> None:
        rules: dict[str, list[tuple[str, tuple[str, ...] | None]]] = {}
        for cp in checkpoints:
            if cp["level"] not in LEVELS:
                continue
            for rule in cp["rules"]:
                reasons = tuple(rule["reasons"]) if rule["reasons"] else None
                rules.setdefault(rule["id"], []).append((cp["sc"], reasons))
        AceCheck.rule_criteria = rules
        AceCheck.live_criteria = {sc: PARTIAL for listed in rules.values() for sc, _ in listed}

    def criteria_of(self, rule: str, reason: str) -> list[str]:
        listed = AceCheck.rule_criteria.get(rule, [])
        return list(dict.fromkeys(sc for sc, reasons in listed if reasons is None or reason in reasons))
