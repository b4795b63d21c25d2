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
from qa.check._share import shared_rules, take_reused
from qa.model import NEEDS_REVIEW, VIOLATION, Finding

BUNDLED_AXE = re.search(r"axe v([\d.]+)", AXE_SCRIPT[:500]).group(1)  # type: ignore[union-attr]
EXPERIMENTAL = "experimental"
EXPERIMENTAL_REASON = "axe-core's experimental rule (its precision is not yet established): a person confirms"
_SC_TAG = re.compile(r"^wcag(\d)(\d)(\d+)$")

# On a page of more than SAMPLE_ABOVE elements, the three rules whose cost grows fastest with the page judge a
# sample (on 5,000 links, 5,000 ids and 2,000 images axe then took 9 s of CPU instead of 45 s); the rest of axe
# still runs on the whole page, in the same axe.run, so the page's layout grid is built once.
# - color-contrast: one text element per distinct text style (colour, size, weight, shadow, opacity, blend mode,
#   and the background colours of its ancestors up to the first opaque one or a background image): elements that
#   share all of these are drawn alike, so one of them stands for the others (not for text over images or
#   overlapping positioned boxes, which a person checks: the page gets a needs-review finding saying so);
# - target-size: an even spread of the page's links and controls (its size depends on each target's neighbours,
#   which no style key captures);
# - heading-order (best practice, no criterion) is not run at all: before judging any heading, axe works out a
#   selector for every heading of the page, each counting its ancestors' places among their siblings (quadratic:
#   on 5,001 headings in 5,000 sections, 4 to 10 s, more than the rest of axe), so a sample saves nothing. The page
#   says so (0 of N headings judged).
SAMPLE_ABOVE = 5_000
MAX_STYLES = 300
MAX_SPREAD = 200

# Each element's computed style is read once (ancestor backgrounds memoised): linear in the page.
SAMPLE_JS = """(limits) => {
  const bg = new Map();
  const chain = (el) => {
    if (!el || el.nodeType !== 1) return '';
    if (bg.has(el)) return bg.get(el);
    const s = getComputedStyle(el);
    const image = s.backgroundImage !== 'none';
    const own = image ? 'image:' + s.backgroundImage.slice(0, 300) : s.backgroundColor;
    const v = image || own.startsWith('rgb(') ? own : own + ' on ' + chain(el.parentElement);
    bg.set(el, v);
    return v;
  };
  const styles = new Map();
  let texts = 0;
  for (const el of document.body ? document.body.getElementsByTagName('*') : []) {
    let text = false;
    for (const n of el.childNodes) if (n.nodeType === 3 && n.data.trim()) { text = true; break; }
    if (!text) continue;
    texts += 1;
    const s = getComputedStyle(el);
    const key = [s.color, s.fontSize, s.fontWeight, s.textShadow, s.opacity, s.mixBlendMode, chain(el)].join('|');
    const had = styles.get(key);
    if (had === undefined) styles.set(key, el);
    else if (had.childElementCount && !el.childElementCount) styles.set(key, el);  // a leaf: judged alone
  }
  const spread = (all) => {
    const step = Math.max(1, all.length / limits.spread), out = [];
    for (let i = 0; i < all.length && out.length < limits.spread; i += step) out.push(all[Math.floor(i)]);
    return {nodes: out, of: all.length};
  };
  return {
    'color-contrast': {nodes: [...styles.values()].slice(0, limits.styles), of: texts, styles: styles.size},
    'target-size': spread(document.querySelectorAll(
      'a[href], area[href], button, input, select, textarea, summary, [role], [tabindex], [onclick]')),
    'heading-order': {nodes: [], of: document.querySelectorAll('h1, h2, h3, h4, h5, h6, [role=heading]').length},
  };
}"""

# bbox: the element's box in page coordinates (CSS px), so reports can outline it on the page screenshot.
RUN_JS = (
    """async ({options, sample, scope}) => {
  if (!("""
    + PRESENT
    + """)) return null;
  let sampled = null;
  if (sample && document.getElementsByTagName('*').length > sample.above) {
    sampled = ("""
    + SAMPLE_JS
    + """)(sample);
    axe.configure({rules: Object.entries(sampled).filter(([id]) => id !== 'heading-order').map(([id, s]) => {
      const rule = axe._audit.rules.find((x) => x.id === id);
      const chosen = new Set(s.nodes);
      const matches = rule.matches;
      return {id, matches: (node, vNode, context) => chosen.has(node) && matches.call(rule, node, vNode, context)};
    })});
  }
  // Regions excluded by the settings (qa.check._scope marked them), and rules switched on by id: only the ids this
  // axe knows (a setting may name another engine's rule). A rule switched off still runs: its findings are dropped
  // and counted after the checks, so a setting that no longer suppresses anything can be named.
  const context = document.querySelector('[data-qa-excluded]') ? {exclude: [['[data-qa-excluded]']]} : document;
  const enable = (scope && scope.enable) || [];
  if (enable.length) {
    const known = new Set(axe.getRules().map((x) => x.ruleId));
    for (const id of enable) if (known.has(id)) options.rules[id] = {enabled: true};
  }
  // heading-order is left out of a sampled run (see SAMPLE_ABOVE), and named as not run where it would have run.
  let headingsLeft = false;
  if (sampled) {
    const on = options.rules['heading-order'];
    headingsLeft = on ? on.enabled !== false
      : axe.getRules(options.runOnly.values).some((x) => x.ruleId === 'heading-order');
    options.rules['heading-order'] = {enabled: false};
  }
  let r;
  try {
    r = await axe.run(context, options);
  } finally {
    if (sampled) axe.reset();  // the rules' own matches again, for the next document
  }
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
  // Only where the rule ran and applied, and left elements out: a sample of everything is the whole page.
  const ran = new Set([...r.violations, ...r.incomplete, ...r.passes].map((x) => x.id));
  const counts = sampled && Object.fromEntries(Object.entries(sampled)
      .filter(([id, s]) => (id === 'heading-order' ? headingsLeft : ran.has(id)) && s.nodes.length < s.of)
      .map(([id, s]) => [id, {checked: s.nodes.length, of: s.of, styles: s.styles}]));
  return {version: axe.version, violations: slim(r.violations), incomplete: slim(r.incomplete),
          passes: r.passes.map((x) => x.id), inapplicable: r.inapplicable.map((x) => x.id), sampled: counts};
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

# Every rule and its criteria, for the judge: a rule switched off by the settings leaves its criteria unverified.
ALL_RULES_JS = """() => axe.getRules().map((r) => ({id: r.ruleId, tags: r.tags}))"""


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
    rule_criteria: ClassVar[dict[str, list[str]]] = {}  # every rule of the axe that runs -> its criteria
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
        # Preloaded where the engine can (Firefox: into top-level documents only); this sends it where it is not yet,
        # frames included (one round trip where it is everywhere already).
        await ctx.session.inject(axe_script(), PRESENT)
        if not AxeCheck.live_criteria:
            rules = await ctx.session.evaluate(RULES_JS, levels)
            named = ctx.config.axe.enable_rules
            rules += await ctx.session.evaluate(NAMED_RULES_JS, named) if named else []
            trial = await ctx.session.evaluate(EXPERIMENTAL_JS, levels) if ctx.config.axe.experimental else []
            AxeCheck.experimental = [r["id"] for r in trial]
            AxeCheck.live_criteria = {sc: PARTIAL for r in rules + trial for sc in sc_from_tags(r["tags"])}
            every = await ctx.session.evaluate(ALL_RULES_JS)
            AxeCheck.rule_criteria = {r["id"]: sc_from_tags(r["tags"]) for r in every}
        options = {
            "runOnly": {"type": "tag", "values": tags},
            # Passes and inapplicable rules are kept by id only: axe then skips their per-element details.
            "resultTypes": ["violations", "incomplete"],
            "rules": {r: {"enabled": True} for r in [*ctx.config.axe.enable_rules, *AxeCheck.experimental]},
        }
        # Another cell ran the DOM-only rules on this very DOM (qa.check._share): only the others run here.
        shared = shared_rules(ctx, "axe", AxeCheck.version)
        options["rules"] |= {r: {"enabled": False} for r in shared}
        sample = {"above": SAMPLE_ABOVE, "styles": MAX_STYLES, "spread": MAX_SPREAD}
        scope = {"enable": sorted(ctx.scope.enabled)}
        arg = {"options": options, "sample": sample, "scope": scope}
        result = await ctx.session.evaluate(RUN_JS, arg)
        if result is None:
            raise RuntimeError("axe-core did not load into the page")
        AxeCheck.version = result["version"]
        ctx.page.facts["axe"] = {"passes": result["passes"], "inapplicable": result["inapplicable"]}
        findings = await take_reused(ctx, "axe", shared)
        for key in ("passes", "inapplicable") if shared else ():
            ctx.page.facts["axe"][key] += [r for r in ctx.reuse.reference.facts["axe"][key] if r in shared]
        findings += [self._sampled(ctx, rule, counts) for rule, counts in (result.get("sampled") or {}).items()]
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

    def _sampled(self, ctx: PageContext, rule: str, counts: dict[str, Any]) -> Finding:
        """A page-wide needs-review finding saying what the sampled rule left unjudged, and the counts in the
        page's facts (``sampled``): a clean sample is never the page's pass."""
        ctx.page.facts.setdefault("sampled", {})[rule] = {**counts, "above_elements": SAMPLE_ABOVE}
        checked, of = counts["checked"], counts["of"]
        if rule == "color-contrast":
            how_en = f"one per distinct text style ({counts['styles']:,} styles)"
            how_ja = f"文字のスタイル（{counts['styles']:,} 種類）ごとに 1 要素"
            what_en, what_ja, sc = "text elements", "テキスト要素", ["1.4.3"]
        elif rule == "target-size":
            how_en, how_ja = "spread evenly over the page", "ページ全体から均等に抽出"
            what_en, what_ja, sc = "links and controls", "リンク・操作部品", ["2.5.8"]
        else:
            return self._not_run(ctx, rule, counts)
        return ctx.finding(
            rule,
            NEEDS_REVIEW,
            sc,
            target="html",
            html="",
            message=(
                f"Sampled: the page has more than {SAMPLE_ABOVE:,} elements, so axe-core's {rule} rule judged "
                f"{checked:,} of {of:,} {what_en} ({how_en}); its findings on them are listed. "
                f"Check the other {what_en} by hand."
            ),
            help_url="",
            tags=["sampled"],
            details={
                "help": f"The {rule} rule ran on a sample of the page",
                "sampled": counts,
                "message_ja": (
                    f"抽出検査: 要素が {SAMPLE_ABOVE:,} を超えるページのため、axe-core の {rule} ルールは"
                    f"{what_ja} {of:,} 件のうち {checked:,} 件（{how_ja}）だけを判定しました。"
                    f"判定された要素の指摘は別に示します。それ以外の{what_ja}は目視で確認してください。"
                ),
            },
        )

    def _not_run(self, ctx: PageContext, rule: str, counts: dict[str, Any]) -> Finding:
        """heading-order on a page above SAMPLE_ABOVE: not run (a sample costs as much as the whole), and said so."""
        of = counts["of"]
        return ctx.finding(
            rule,
            NEEDS_REVIEW,
            [],
            target="html",
            html="",
            message=(
                f"Not run: the page has more than {SAMPLE_ABOVE:,} elements, and axe-core's {rule} rule (a best "
                f"practice) works out the place of every one of its {of:,} headings before judging any, which on such "
                f"a page takes longer than the rest of axe; 0 of {of:,} headings judged. Check the order of the "
                "heading levels by hand."
            ),
            help_url="",
            tags=["sampled"],
            details={
                "help": f"The {rule} rule did not run on this page",
                "sampled": counts,
                "message_ja": (
                    f"未実施: 要素が {SAMPLE_ABOVE:,} を超えるページのため、axe-core の {rule} ルール（ベストプラク"
                    f"ティス）は実行していません。このルールは判定の前にすべての見出しの位置を求めるため、このような"
                    f"ページでは axe の他の処理全体より時間がかかります（見出し {of:,} 件のうち 0 件を判定）。"
                    "見出しレベルの順序は目視で確認してください。"
                ),
            },
        )
