"""A Markdown summary for a CI job summary or a merge-request comment: gate, counts, new since the last run, top
problems, links to the deliverables. Site content is escaped: it cannot add links, images or HTML to the comment."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

from qa import vocab
from qa.judge.gate import GATE_OUTCOMES, is_accepted
from qa.judge.inventory import NOT_RUN_JA, Inventory, inventory_of
from qa.judge.judgement import gate_of
from qa.model import NEEDS_REVIEW, VIOLATION, Results
from qa.report._inventory import DELIVERABLES, FAMILY_JA
from qa.store import write_text_atomic

NAME = "summary"
FILENAME = "summary.md"
ORDER = 90  # after the deliverables it links to
TOP = 10
DELIVERABLE_SUFFIXES = (".xlsx", ".html", ".xml", ".csv", ".pdf", ".zip")
# The check family a gate outcome's count comes from: without it, a 0 would claim a check that never ran.
COUNTED_BY = {
    vocab.A11Y_VIOLATIONS: "a11y",
    vocab.BROKEN_LINKS: "links",
    vocab.JS_ERRORS: "browsers",
    **{outcome: family for family, outcome in vocab.GATE_OF_FAMILY.items()},
}
_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>#!|~])")  # without [ ], ( ) cannot form a link


def md(text: object, limit: int = 120) -> str:
    """Plain text that Markdown renders as typed: special characters escaped, one line, bounded."""
    value = re.sub(r"\s+", " ", str(text)).strip()
    if len(value) > limit:
        value = value[: limit - 1] + "…"
    return _MD_SPECIAL.sub(r"\\\1", value)


def render_markdown(results: Results, files: list[str]) -> str:
    gate = gate_of(results)
    run = results.run
    inventory = inventory_of(results)
    findings = results.findings
    violations = [f for f in findings if f.outcome == VIOLATION and not is_accepted(f)]
    review = [f for f in findings if f.outcome == NEEDS_REVIEW and not is_accepted(f)]
    out = [
        f"## qa: {'✅ gate passed' if gate.passed else '❌ gate failed'} — {md(run.start_url)}",
        "",
        f"Run `{md(run.id)}` ({run.status}), {len(inventory.pages)} page(s) in {len(run.cells)} browser/viewport "
        f"cell(s); {len(inventory.exceptions)} page(s) not audited (例外事項).",
        "",
    ]
    out += _exceptions(inventory)
    if gate.reasons:
        out += ["**Why the gate failed**", ""] + [f"- {md(r, 300)}" for r in gate.reasons] + [""]
    if gate.notes:
        out += [f"- note: {md(n, 300)}" for n in gate.notes] + [""]
    out += ["| outcome | count | gates |", "|---|---:|:---:|"]
    for fam, label in GATE_OUTCOMES.items():
        out.append(
            f"| {label} | {_count(inventory, fam, gate.counts.get(fam, 0))} | {'yes' if fam in gate.enabled else ''} |"
        )
    out += [f"| accepted (known issues) | {len(gate.accepted)} | |", ""]
    out += _not_run(inventory)

    diff = results.extra.get("diff")
    if diff:
        fd = diff["findings"]
        out += [
            f"**Since run `{md(diff['against']['run'])}`**: {len(fd['new'])} new, {len(fd['fixed'])} fixed, "
            f"{len(fd['unchanged'])} unchanged.",
            "",
        ]
        by_id = {f.id: f for f in findings}
        new = [by_id[i] for i in fd["new"] if i in by_id]
        if new:
            out += ["| new | page | element |", "|---|---|---|"]
            out += [f"| {md(f.rule)} | {md(f.url)} | `{md(f.target, 80)}` |" for f in new[:TOP]]
            if len(new) > TOP:
                out.append(f"| … {len(new) - TOP} more | | |")
            out.append("")
    else:
        out += ["No previous run to compare with.", ""]

    top = Counter((f.rule, ", ".join(f.sc)) for f in violations + review)
    if top:
        pages = {key: len({f.url for f in violations + review if (f.rule, ", ".join(f.sc)) == key}) for key in top}
        out += ["**Top problems**", "", "| rule | SC | findings | pages |", "|---|---|---:|---:|"]
        out += [f"| {md(r)} | {md(sc) or '—'} | {n} | {pages[(r, sc)]} |" for (r, sc), n in top.most_common(TOP)]
        out.append("")
    if review:
        out += [f"{len(review)} finding(s) need a person's review; see the workbooks.", ""]
    if files:
        out += ["**Deliverables** (in the run folder)", ""] + [f"- [{md(n)}]({n})" for n in files] + [""]
    return "\n".join(out)


def _count(inventory: Inventory, outcome: str, n: int) -> str:
    family = COUNTED_BY.get(outcome)
    if family is None or inventory.ran(family):
        return str(n)
    command = md(inventory.not_run()[family])
    if n:  # recorded by the visits themselves (JavaScript errors), though the family's checks did not run
        return f"{n} (recorded; the {family} checks did not run: `{command}`)"
    return f"{NOT_RUN_JA} / not run: `{command}`"


def _exceptions(inventory: Inventory) -> list[str]:
    if not inventory.exceptions:
        return []
    out = ["**Pages not audited (例外事項)**", ""]
    out += [f"- {md(e.url)}: {md(e.reason, 200)}" for e in inventory.exceptions[:TOP]]
    if len(inventory.exceptions) > TOP:
        out.append(f"- … {len(inventory.exceptions) - TOP} more (sitemap.xlsx, sheet 例外事項)")
    return [*out, ""]


def _not_run(inventory: Inventory) -> list[str]:
    """The check families this run left out, what they would produce and the command that runs them."""
    missing = inventory.not_run()
    if not missing:
        return []
    out = ["**Not run in this run (未実施)**: nothing above or in the deliverables claims these were checked.", ""]
    out += [
        f"- {md(FAMILY_JA.get(f, f))}: {md(DELIVERABLES.get(f, ''))} — run `{md(command)}`"
        for f, command in missing.items()
    ]
    return [*out, ""]


def render(results: Results, out_dir: Path) -> list[Path]:
    # Deliverables only (not the summary itself, nor the index that is written after it), so regenerating is stable.
    deliverables = sorted(p.name for p in out_dir.iterdir() if p.is_file() and p.suffix in DELIVERABLE_SUFFIXES)
    files = ["INDEX.md", *deliverables, "results.json"]
    path = out_dir / FILENAME
    write_text_atomic(path, render_markdown(results, files))
    return [path]
