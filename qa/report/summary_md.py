"""A Markdown summary for a CI job summary or a merge-request comment: gate, counts, new since the last run, top
problems, links to the deliverables. Site content is escaped: it cannot add links, images or HTML to the comment."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

from qa import vocab
from qa.judge.gate import GATE_OUTCOMES, is_accepted
from qa.judge.inventory import Inventory, inventory_of
from qa.judge.judgement import gate_of
from qa.model import NEEDS_REVIEW, VIOLATION, Results
from qa.report._inventory import deliverable_text, family_text, reason_text, skipped_browsers, skipped_text
from qa.report._vocab import GATE_OUTCOME_WORDS, lang_of, pick
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


# The summary's fixed words, ja and en (pick); commands, rule ids, URLs and file names stay as typed.
WORDS = {
    "passed": ("✅ ゲート合格", "✅ gate passed"),
    "failed": ("❌ ゲート不合格", "❌ gate failed"),
    "run": (
        "実行 `{id}`（{status}）: 試験したページ {pages} 件（ブラウザ・画面幅の組み合わせ {cells} 通り）、"
        "監査できなかったページ（例外事項） {exceptions} 件。",
        "Run `{id}` ({status}), {pages} page(s) in {cells} browser/viewport cell(s); "
        "{exceptions} page(s) not audited (exceptions).",
    ),
    "complete": ("完了", "complete"),
    "partial": ("中断: 一部のページのみ", "partial"),
    "why": ("**ゲート不合格の理由**（判定の記録）", "**Why the gate failed**"),
    "note": ("注記", "note"),
    "table": ("| 結果の種類 | 件数 | ゲート対象 |", "| outcome | count | gates |"),
    "yes": ("対象", "yes"),
    "accepted": ("既知の問題として受け入れ済み", "accepted (known issues)"),
    "since": (
        "**前回の実行 `{run}` との比較**: 新規 {new} 件、解消 {fixed} 件、変化なし {same} 件。",
        "**Since run `{run}`**: {new} new, {fixed} fixed, {same} unchanged.",
    ),
    "new_table": ("| 新規 | ページ | 要素 |", "| new | page | element |"),
    "more": ("… ほか {n} 件", "… {n} more"),
    "no_diff": ("比較できる前回の実行はありません。", "No previous run to compare with."),
    "top": ("**主な問題**", "**Top problems**"),
    "top_table": ("| ルール | 達成基準 | 指摘数 | ページ数 |", "| rule | SC | findings | pages |"),
    "review": (
        "{n} 件の指摘は人による確認が必要です。ワークブックを参照してください。",
        "{n} finding(s) need a person's review; see the workbooks.",
    ),
    "deliverables": ("**成果物**（実行フォルダー内）", "**Deliverables** (in the run folder)"),
    "recorded": (
        "{n}（訪問時に記録。{family}は未実施: `{command}`）",
        "{n} (recorded; the {family} did not run: `{command}`)",
    ),
    "not_run_cell": ("未実施: `{command}`", "not run: `{command}`"),
    "exceptions": ("**監査できなかったページ（例外事項）**", "**Pages not audited (exceptions)**"),
    "more_exceptions": (
        "… ほか {n} 件（sitemap.xlsx の「例外事項」シート）",
        "… {n} more (sitemap.xlsx, sheet Exceptions)",
    ),
    "not_run": (
        "**この実行で未実施のチェック**: 上の表も成果物も、これらを確認したとは示しません。",
        "**Not run in this run**: nothing above or in the deliverables claims these were checked.",
    ),
    "not_run_item": (
        "- {family}: {deliverable} — 実行するコマンド: `{command}`",
        "- {family}: {deliverable} — run `{command}`",
    ),
}


def w(key: str, lang: str, **values: object) -> str:
    return pick(WORDS[key], lang).format(**values)


def render_markdown(results: Results, files: list[str]) -> str:
    lang = lang_of(results)
    gate = gate_of(results)
    run = results.run
    inventory = inventory_of(results)
    findings = results.findings
    violations = [f for f in findings if f.outcome == VIOLATION and not is_accepted(f)]
    review = [f for f in findings if f.outcome == NEEDS_REVIEW and not is_accepted(f)]
    status = w("complete" if run.status == "complete" else "partial", lang)
    out = [
        f"## qa: {w('passed' if gate.passed else 'failed', lang)} — {md(run.start_url)}",
        "",
        w(
            "run",
            lang,
            id=md(run.id),
            status=status,
            pages=len(inventory.pages),
            cells=len(run.cells),
            exceptions=len(inventory.exceptions),
        ),
        "",
    ]
    out += _exceptions(inventory, lang)
    skipped = skipped_browsers(results)  # browsers that could not start: not run, so nothing was checked in them
    out += [f"- {md(skipped_text(entry, lang), 300)}" for entry in skipped] + ([""] if skipped else [])
    if gate.reasons:
        # The judge records its reasons in English: a Japanese summary quotes them as the record, not as prose.
        reason = (lambda r: f"`{md(r, 300)}`") if lang == "ja" else (lambda r: md(r, 300))
        out += [w("why", lang), ""] + [f"- {reason(r)}" for r in gate.reasons] + [""]
    if gate.notes:
        note = (lambda n: f"`{md(n, 300)}`") if lang == "ja" else (lambda n: md(n, 300))
        out += [f"- {w('note', lang)}: {note(n)}" for n in gate.notes] + [""]
    out += [w("table", lang), "|---|---:|:---:|"]
    for fam in GATE_OUTCOMES:
        label = pick(GATE_OUTCOME_WORDS[fam], lang)
        gates = w("yes", lang) if fam in gate.enabled else ""
        out.append(f"| {label} | {_count(inventory, fam, gate.counts.get(fam, 0), lang)} | {gates} |")
    out += [f"| {w('accepted', lang)} | {len(gate.accepted)} | |", ""]
    out += _not_run(inventory, lang)

    diff = results.extra.get("diff")
    if diff:
        fd = diff["findings"]
        counts = {"new": len(fd["new"]), "fixed": len(fd["fixed"]), "same": len(fd["unchanged"])}
        out += [w("since", lang, run=md(diff["against"]["run"]), **counts), ""]
        by_id = {f.id: f for f in findings}
        new = [by_id[i] for i in fd["new"] if i in by_id]
        if new:
            out += [w("new_table", lang), "|---|---|---|"]
            out += [f"| {md(f.rule)} | {md(f.url)} | `{md(f.target, 80)}` |" for f in new[:TOP]]
            if len(new) > TOP:
                out.append(f"| {w('more', lang, n=len(new) - TOP)} | | |")
            out.append("")
    else:
        out += [w("no_diff", lang), ""]

    top = Counter((f.rule, ", ".join(f.sc)) for f in violations + review)
    if top:
        pages = {key: len({f.url for f in violations + review if (f.rule, ", ".join(f.sc)) == key}) for key in top}
        out += [w("top", lang), "", w("top_table", lang), "|---|---|---:|---:|"]
        out += [f"| {md(r)} | {md(sc) or '—'} | {n} | {pages[(r, sc)]} |" for (r, sc), n in top.most_common(TOP)]
        out.append("")
    if review:
        out += [w("review", lang, n=len(review)), ""]
    if files:
        out += [w("deliverables", lang), ""] + [f"- [{md(n)}]({n})" for n in files] + [""]
    return "\n".join(out)


def _count(inventory: Inventory, outcome: str, n: int, lang: str) -> str:
    family = COUNTED_BY.get(outcome)
    if family is None or inventory.ran(family):
        return str(n)
    command = md(inventory.not_run()[family])
    if n:  # recorded by the visits themselves (JavaScript errors), though the family's checks did not run
        return w("recorded", lang, n=n, family=family_text(family, lang), command=command)
    return w("not_run_cell", lang, command=command)


def _exceptions(inventory: Inventory, lang: str) -> list[str]:
    if not inventory.exceptions:
        return []
    out = [w("exceptions", lang), ""]
    out += [
        f"- {md(e.url)}: {md(reason_text(e.kind, e.status, e.reason, lang), 200)}" for e in inventory.exceptions[:TOP]
    ]
    if len(inventory.exceptions) > TOP:
        out.append(f"- {w('more_exceptions', lang, n=len(inventory.exceptions) - TOP)}")
    return [*out, ""]


def _not_run(inventory: Inventory, lang: str) -> list[str]:
    """The check families this run left out, what they would produce and the command that runs them."""
    missing = inventory.not_run()
    if not missing:
        return []
    out = [w("not_run", lang), ""]
    out += [
        w(
            "not_run_item",
            lang,
            family=md(family_text(f, lang)),
            deliverable=md(deliverable_text(f, lang)),
            command=md(command),
        )
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
