"""HTML_CodeSniffer on every page, in every engine, beside axe-core: its WCAG 2 AA standard."""

from __future__ import annotations

import json
import re
from functools import cache
from importlib import resources
from typing import Any, ClassVar

from qa.check import PARTIAL, PageContext
from qa.check._engines import RuleEngine, in_page
from qa.check._scope import note_dropped
from qa.check._share import companion_reference, htmlcs_dom_only, take_reused
from qa.model import Finding

STANDARD = "WCAG2AA"
PRESENT = "typeof window.HTMLCS === 'object' && typeof window.HTMLCS_WCAG2AA === 'object'"
ERROR, WARNING, NOTICE = 1, 2, 3
# WCAG2AA.Principle1.Guideline1_1.1_1_1.H37 -> 1.1.1; the sniff 1_4_3_F24 is 1.4.3's as well
_CODE = re.compile(r"^WCAG2A*\.Principle\d+\.Guideline\d+_\d+\.(\d+)_(\d+)_(\d+)")
_SNIFF = re.compile(r"(?:^|\.)(\d+)_(\d+)_(\d+)(?:_\w+)?$")
_TECHNIQUE = re.compile(r"^(ARIA|SCR|H|G|F|C)(\d+)$")
TECHNIQUE_FOLDERS = {
    "ARIA": "aria",
    "SCR": "client-side-script",
    "H": "html",
    "G": "general",
    "F": "failures",
    "C": "css",
}

# The sniffs that can report an error or a warning. A sniff that only ever adds a notice (2.3.1's "check that nothing
# flashes") decides nothing, so its criterion is not covered by a clean run.
SNIFFS_JS = """(standard) => {
  const decides = (owner, name) => {
    const sniff = window['HTMLCS_' + owner + '_Sniffs_' + name.replace(/\\./g, '_')] || {};
    return Object.values(sniff).some((f) => typeof f === 'function' && /\\.(ERROR|WARNING)\\b/.test(String(f)));
  };
  const names = [];
  for (const s of window['HTMLCS_' + standard].sniffs) {
    const owner = typeof s === 'string' ? standard : (s.standard || standard);
    for (const name of typeof s === 'string' ? [s] : (s.include || [])) {
      if (decides(owner, name)) names.push(name);
    }
  }
  return names;
}"""

# Notices (type 3) are HTML_CodeSniffer's checklist: one per criterion and page ("check that the title describes
# the page"), whatever the page holds. The checklist workbook asks each of them already, so they are counted only.
#
# One run gives each message in English and in Japanese: a language of our own ("qa") whose every text is
# \u0001 English \u0002 Japanese \u0003. The sniffs fill values in with global replaces and join texts with glue, so
# both halves get the same values; a text nested in another (4.1.2's element names) nests its markers; pick() keeps
# one language's halves. Japanese: the engine's own ja translation, completed by qa/data/htmlcs-ja.json (which also
# gives the one English text the engine lacks).
RUN_JS = in_page(
    """async (arg) => {
  if (!("""
    + PRESENT
    + """)) return null;
  const standard = arg.standard;
  const tr = window.translation;
  if (!tr.qa) {
    const en = Object.assign({}, tr.en, arg.en);
    const ja = Object.assign({}, tr.ja, arg.ja);
    tr.qa = {};
    for (const [k, text] of Object.entries(en)) tr.qa[k] = '\u0001' + text + '\u0002' + (ja[k] ?? text) + '\u0003';
  }
  const pick = (text, lang) => {
    if (typeof text !== 'string') return String(text);
    const open = [];
    let out = '';
    for (const ch of text) {
      if (ch === '\u0001') open.push('en');
      else if (ch === '\u0002') { if (open.length) open[open.length - 1] = 'ja'; }
      else if (ch === '\u0003') open.pop();
      else if (open.every((part) => part === lang)) out += ch;
    }
    return out;
  };
  const messages = await new Promise((resolve, reject) => HTMLCS.process(standard, document,
    () => resolve(HTMLCS.getMessages()), () => reject(new Error('HTML_CodeSniffer could not load ' + standard)), 'qa'));
  const out = [];
  let notices = 0, excluded = 0;
  for (const m of messages) {
    if (m.type === 3) { notices += 1; continue; }
    if (excludedNode(m.element)) { excluded += 1; continue; }
    out.push({code: m.code, type: m.type, message: pick(m.msg, 'en'), message_ja: pick(m.msg, 'ja'),
              target: selectorOf(m.element), bbox: boxOf(m.element),
              html: htmlOf(m.element), place: axeHere ? null : placeOf(m.element)});
  }
  doneWithSelectors();
  return {messages: out, notices, excluded};
}"""
)

# Where an element is, as the main world can find it again without anything written into the page: the child
# indices from the root element down, and its tag. None for the page itself (the root, the head's nodes: "html"
# wherever it runs) and for an element outside the top document's own tree.
PLACE_JS = """
const placeIndex = new Map();  // parent -> its children's indices, made once: a page's many findings share parents
const indexIn = (el) => {
  const parent = el.parentElement;
  if (!placeIndex.has(parent)) placeIndex.set(parent, new Map([...parent.children].map((c, i) => [c, i])));
  return placeIndex.get(parent).get(el);
};
const placeOf = (node) => {
  if (!node || node.nodeType !== 1 || node.ownerDocument !== document || node.getRootNode() !== document) return null;
  if (node === document.documentElement || node.closest('head')) return null;
  const path = [];
  for (let el = node; el.parentElement; el = el.parentElement) path.push(indexIn(el));
  return {path: path.reverse(), tag: node.tagName};
};
"""
RUN_JS = RUN_JS.replace("const standard = arg.standard;", PLACE_JS + "  const standard = arg.standard;", 1)

# In the main world, axe-core's selectors for the places (see selectorOf), so that the engines' findings about one
# element match; None when axe-core is not in the page (the world's cssPath selectors are then the ones it would
# give). A place that no longer holds an element of its tag (the page changed meanwhile) keeps the world's selector.
TARGETS_JS = in_page(
    """async (places) => {
  if (!axeHere) return null;
  const out = places.map((place) => {
    let el = document.documentElement;
    for (const i of place.path) el = el && el.children[i];
    return el && el.tagName === place.tag ? selectorOf(el) : null;
  });
  doneWithSelectors();
  return out;
}"""
)


# WCAG's failure techniques that fail several criteria at once, where HTML_CodeSniffer files them under one:
# F68 (no programmatically determined name for a control) fails 4.1.2 as well as 1.3.1.
ALSO_FAILS = {"F68": ("4.1.2",)}


@cache
def japanese() -> dict[str, Any]:
    """The Japanese the engine's own translation lacks (``messages``), the texts it lacks in every language
    (``english``) and the fix per success criterion (``fix``), from qa/data/htmlcs-ja.json."""
    return json.loads(resources.files("qa.data").joinpath("htmlcs-ja.json").read_text(encoding="utf-8"))


def criterion_of(code: str) -> list[str]:
    m = _CODE.match(code)
    if not m:
        return []
    also = [sc for part in code.split(".") for sc in ALSO_FAILS.get(part, ())]
    return list(dict.fromkeys([".".join(str(int(p)) for p in m.groups()), *also]))


def help_url(code: str) -> str:
    """The W3C page of the first WCAG technique the code names (``H37``, ``G18``), if any."""
    for part in re.split(r"[.,]", code):
        m = _TECHNIQUE.match(part)
        if m:
            return f"https://www.w3.org/WAI/WCAG22/Techniques/{TECHNIQUE_FOLDERS[m.group(1)]}/{part}"
    return ""


class HtmlcsCheck(RuleEngine):
    id = "htmlcs"
    title = "HTML_CodeSniffer"
    order = 12
    engine = "htmlcs"
    present = PRESENT
    live_criteria: ClassVar[dict[str, str]] = {}
    version: ClassVar[str] = ""

    async def run(self, ctx: PageContext) -> list[Finding]:
        reference = companion_reference(ctx, "htmlcs")
        if reference is not None:  # another cell ran the engine on this very DOM
            rules = frozenset(f.rule for f in reference.findings["htmlcs"] if htmlcs_dom_only(f.rule))
            taken = reference.facts.get("htmlcs", {})
            facts = ctx.page.facts.setdefault("htmlcs", {})
            facts["notices"] = taken.get("notices", 0)
            quiet = {code: n for code, n in taken.get("quiet", {}).items() if htmlcs_dom_only(code)}
            if quiet:
                facts["quiet"] = quiet
            return await take_reused(ctx, "htmlcs", rules, whole=True)
        library = self.library()
        if not HtmlcsCheck.live_criteria:
            sniffs = await ctx.session.evaluate_with(library, SNIFFS_JS, STANDARD)
            found = (_SNIFF.search(s) for s in sniffs)
            HtmlcsCheck.live_criteria = {".".join(str(int(p)) for p in m.groups()): PARTIAL for m in found if m}
        result = await ctx.session.evaluate_with(
            library, RUN_JS, {"standard": STANDARD, "en": japanese()["english"], "ja": japanese()["messages"]}
        )
        if result is None:
            raise RuntimeError("HTML_CodeSniffer did not load into the page")
        await main_world_targets(ctx, result["messages"])
        facts = ctx.page.facts.setdefault("htmlcs", {})
        facts["notices"] = result["notices"]
        note_dropped(ctx.page.facts, result["excluded"])
        findings = []
        for m in result["messages"]:
            outcome = self.outcome(m["code"], m["type"] == ERROR, ctx.scope.enabled)
            if outcome is None:
                facts.setdefault("quiet", {}).setdefault(m["code"], 0)
                facts["quiet"][m["code"]] += 1
                continue
            findings.append(
                ctx.finding(
                    m["code"],
                    outcome,
                    criterion_of(m["code"]),
                    target=m["target"],
                    html=m["html"][:2000],
                    message=m["message"],
                    help_url=help_url(m["code"]),
                    tags=["htmlcs:error" if m["type"] == ERROR else "htmlcs:warning"],
                    details={"bbox": m["bbox"], "message_ja": m["message_ja"]},
                )
            )
        return findings


async def main_world_targets(ctx: PageContext, messages: list[dict[str, Any]]) -> None:
    """The engine ran where axe-core is not (an isolated world): its elements get axe-core's selectors from the
    page, as the other engines' findings have them."""
    placed = [m for m in messages if m.get("place")]
    if not placed:
        return
    targets = await ctx.session.evaluate(TARGETS_JS, [m["place"] for m in placed])
    for m, target in zip(placed, targets or (), strict=False):
        if target:
            m["target"] = target
