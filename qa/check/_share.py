"""The matrix does nothing twice: the rule engines' DOM-only rules run once per rendered DOM, not once per cell.

A page is visited in every browser × viewport cell, and most rules of axe-core and IBM Equal Access read only the
document: the same DOM gives the same findings in every cell. Each visit fingerprints its rendered DOM in the page
(``DOM_STATE_JS``: the serialized DOM after the page's scripts, with each element's rendered state, since a media
query that hides an element changes what the rules see, and the text CSS generates before and after it). The first
cell of a page to reach the engines with a fingerprint runs every rule and becomes the reference for that
fingerprint; a later cell with the same fingerprint takes the DOM-only rules' findings from the reference, each
marked with the cell it came from (``details.reused_from``), and runs axe-core's rules that read layout or style
(contrast, target size, scrolling, visibility on screen, ...: listed as run-everywhere by omission from ``dom_only``
in qa/data/rule-engines.json). The companion engines (IBM Equal Access, HTML_CodeSniffer) are there for the markup
barriers axe misses: in such a cell they do not run at all, their layout rules having run in the reference cell
(measured on a 30-page site over the default matrix, they cost 160-340 ms a visit in the cells that now skip them;
``companion_engines_every_cell`` runs them everywhere). A cell whose DOM differs (a script writing other markup at
narrow widths) runs everything, and so does a page the fingerprint cannot see whole (frames, shadow roots).
"""

from __future__ import annotations

import asyncio
import copy
import dataclasses
import re
from dataclasses import dataclass, field
from typing import Any

from qa.check._engines import engine_data
from qa.model import Finding

SHARED_CHECKS = ("axe", "ace", "htmlcs")  # the engine checks whose DOM-only findings a cell may take from another
# HTML_CodeSniffer's sniffs of guideline 1.4 (colour, contrast, resizing, spacing, reflow, hover) read the layout;
# every other sniff reads the markup and the rendered state the fingerprint covers.
HTMLCS_LAYOUT = re.compile(r"\.Guideline1_4\.")
# Why the cell ran every rule although another cell of the page had run them (recorded in page.facts["reuse"]).
NO_FINGERPRINT = "the page has frames or shadow roots, which the DOM fingerprint does not cover"

# One string per element: its serialized start tag is in the DOM's HTML; what else decides what a rule sees is its
# rendered state (displayed, visible) and the text CSS generates around it. Hashed in the page (53-bit cyrb53), so
# that a large document is not sent over the wire; null when part of the page is out of the fingerprint's sight.
DOM_STATE_JS = """() => {
  if (document.querySelector('iframe, frame, object, embed')) return null;
  const all = document.getElementsByTagName('*');
  const parts = [document.documentElement.outerHTML];
  for (const el of all) {
    if (el.shadowRoot) return null;
    const s = getComputedStyle(el);
    const before = getComputedStyle(el, '::before').content, after = getComputedStyle(el, '::after').content;
    // Firefox gives every img '-moz-alt-content' before it: the engine's own, not the page's
    const made = (c) => c !== 'none' && c !== 'normal' && !c.startsWith('-moz-');
    parts.push((el.getClientRects().length ? 'r' : '-') + s.display + '/' + s.visibility + '/' + s.contentVisibility
      + (made(before) ? '<' + before : '') + (made(after) ? '>' + after : ''));
  }
  const text = parts.join('\\n');
  let h1 = 0xdeadbeef, h2 = 0x41c6ce57;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 2654435761);
    h2 = Math.imul(h2 ^ c, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return (4294967296 * (2097151 & h2) + (h1 >>> 0)).toString(16) + ':' + all.length + ':' + text.length;
}"""

# The boxes of the reused findings' elements in this cell's layout (page coordinates, CSS px), for the outlines on
# this cell's screenshot; null where the target is not one selector of the document.
BOXES_JS = """(targets) => targets.map((t) => {
  if (!t || t.includes(' >>> ')) return null;
  let el = null;
  try { el = t === 'html' ? null : document.querySelector(t); } catch (e) { return null; }
  if (!el) return null;
  const b = el.getBoundingClientRect();
  return {x: Math.round(b.left + scrollX), y: Math.round(b.top + scrollY),
          width: Math.round(b.width), height: Math.round(b.height)};
})"""


def dom_only_rules(engine: str, version: str) -> frozenset[str]:
    """The engine's rules whose findings depend on the DOM alone (given the fingerprint): reusable across cells.
    None for a version other than the one classified: its rules may have changed, so all of them run."""
    listed = engine_data().get("dom_only", {}).get(engine, {})
    return frozenset(listed.get("rules", ())) if listed.get("version") == version else frozenset()


def companion_reference(ctx: Any, check: str) -> Reference | None:
    """The reference cell whose run of the companion engine ``check`` this cell takes instead of running it: the
    engine's DOM-only findings are this cell's too, and its layout rules ran there (``companion_engines_every_cell``
    runs them here as well). None when this cell runs the engine itself."""
    ticket = ctx.reuse
    if ctx.config.companion_engines_every_cell or ticket is None or ticket.reference is None:
        return None
    return ticket.reference if check in ticket.reference.findings else None


def htmlcs_dom_only(code: str) -> bool:
    """True for an HTML_CodeSniffer message code whose sniff reads the markup alone."""
    return not HTMLCS_LAYOUT.search(code)


@dataclass
class Reference:
    """What the reference cell's engines found on a fingerprint: the findings and facts of each engine check."""

    cell: str
    findings: dict[str, list[Finding]] = field(default_factory=dict)  # engine check id -> its findings
    facts: dict[str, Any] = field(default_factory=dict)  # engine check id -> its page facts ("axe", "ace")


@dataclass
class Ticket:
    """A visit's place in the sharing: ``reference`` to reuse from, or ``claimed`` (this cell is the reference and
    publishes what its engines found), or neither (no fingerprint: everything runs, nothing is shared)."""

    url: str
    digest: str | None
    cell: str
    reference: Reference | None = None
    claimed: bool = False


class RuleShare:
    """The references of the pages in flight, one per (URL, fingerprint); a page's entries are dropped once every
    cell queued for it is recorded (``expect`` / ``finished``). A cell waits only for a reference being computed by
    another cell, which itself never waits: no cycle, and a reference that fails leaves the waiters to run all."""

    def __init__(self) -> None:
        self._refs: dict[tuple[str, str], asyncio.Future[Reference | None]] = {}
        self._left: dict[str, int] = {}

    def expect(self, url: str, cells: int) -> None:
        self._left[url] = self._left.get(url, 0) + cells

    def finished(self, url: str) -> None:
        left = self._left.get(url, 1) - 1
        if left > 0:
            self._left[url] = left
            return
        self._left.pop(url, None)
        for key in [k for k in self._refs if k[0] == url]:
            del self._refs[key]

    async def enter(self, url: str, digest: str | None, cell: str, wait_s: float) -> Ticket:
        ticket = Ticket(url, digest, cell)
        if digest is None:
            return ticket
        pending = self._refs.get((url, digest))
        if pending is None:
            self._refs[(url, digest)] = asyncio.get_running_loop().create_future()
            ticket.claimed = True
            return ticket
        try:
            ticket.reference = await asyncio.wait_for(asyncio.shield(pending), wait_s)
        except TimeoutError:  # the reference is slow: this cell runs every rule rather than wait longer
            pass
        return ticket

    def publish(self, ticket: Ticket, findings: list[Finding], facts: dict[str, Any], checks: list[str]) -> None:
        """The reference cell's engine findings (before the merge) and facts, copied: the record redacts its own."""
        future = self._refs.get((ticket.url, ticket.digest or ""))
        if not ticket.claimed or future is None or future.done():
            return
        ref = Reference(ticket.cell, facts={k: copy.deepcopy(facts[k]) for k in checks if k in facts})
        for check in checks:
            ref.findings[check] = [copy.deepcopy(f) for f in findings if f.check == check]
        future.set_result(ref)

    def abandon(self, ticket: Ticket) -> None:
        """The reference cell failed before its engines finished: whoever waits runs every rule itself."""
        future = self._refs.get((ticket.url, ticket.digest or ""))
        if ticket.claimed and future is not None and not future.done():
            future.set_result(None)
            del self._refs[(ticket.url, ticket.digest or "")]


def reused_findings(reference: Reference, check: str, rules: frozenset[str], url: str, cell: str) -> list[Finding]:
    """The reference's findings of ``check`` by the DOM-only ``rules``, as this cell's, marked with their source."""
    browser, _, viewport = cell.partition("/")
    return [
        dataclasses.replace(
            f,
            url=url,
            browser=browser,
            viewport=viewport,
            seen_in=[],
            details={**copy.deepcopy(f.details), "reused_from": reference.cell},
        )
        for f in reference.findings.get(check, [])
        if f.rule in rules
    ]


async def with_boxes(session: Any, findings: list[Finding]) -> list[Finding]:
    """The reused findings with their elements' boxes measured in this cell's layout."""
    if findings:
        boxes = await session.evaluate(BOXES_JS, [f.target for f in findings])
        for f, box in zip(findings, boxes, strict=True):
            f.details["bbox"] = box
    return findings


def shared_rules(ctx: Any, check: str, version: str) -> frozenset[str]:
    """The DOM-only rules of ``check`` this visit takes from its reference cell instead of running them (none when
    it has no reference, or the reference has no result of this check)."""
    ticket = ctx.reuse
    if ticket is None or ticket.reference is None or check not in ticket.reference.findings:
        return frozenset()
    return dom_only_rules(check, version)


async def take_reused(ctx: Any, check: str, rules: frozenset[str], whole: bool = False) -> list[Finding]:
    """The reference's findings of the shared ``rules`` as this cell's (boxes measured here), noted in the page's
    facts (``reuse``: the cell they came from, and per check how many rules and findings were taken; ``whole``:
    the engine did not run in this cell at all, its layout rules ran in the reference cell only)."""
    if not rules and not whole:
        return []
    ticket = ctx.reuse
    cell = f"{ctx.page.browser}/{ctx.page.viewport}"
    found = await with_boxes(ctx.session, reused_findings(ticket.reference, check, rules, ctx.page.url, cell))
    note = ctx.page.facts.setdefault("reuse", {"from": ticket.reference.cell, "fingerprint": ticket.digest})
    note.setdefault("checks", {})[check] = {"rules": len(rules), "findings": len(found)} | (
        {"layout_rules_in": ticket.reference.cell} if whole else {}
    )
    return found
