"""公開前チェック workbook (prepublish-check.xlsx): HTTPS and certificate, security exposure, privacy before consent,
SEO essentials and spelling: a summary of the five families, their findings and the inventories their checks keep.

A 概要 sheet with one row per family (run or 未実施 with the command that runs it, findings by outcome, the state
of its gate outcome), one 指摘 sheet per family that ran, and one sheet per inventory (``qa.check.Inventory``)
declared by a check that ran. A family that did not run reads 未実施 everywhere, never OK or 0.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font

from qa.check import AnyCheck, Inventory, builtin_checks
from qa.judge.gate import GateResult, is_accepted
from qa.judge.inventory import NOT_RUN_JA, family_of, inventory_of
from qa.judge.judgement import gate_of
from qa.model import NEEDS_REVIEW, VIOLATION, Finding, Results
from qa.report._axe_ja import Messages
from qa.report._vocab import OUTCOMES, pick
from qa.report._xlsx import finish_print, run_header, safe, safe_sheet_title, save_workbook, setup_print, write_table
from qa.vocab import GATE_OF_FAMILY, PREPUBLISH_FAMILIES

NAME = "prepublish"
FILENAME = "prepublish-check.xlsx"
TITLE = ("公開前チェック結果", "Pre-publication check results")
FAMILY_TITLES = {
    "tls": ("HTTPS・証明書", "HTTPS and certificate"),
    "security": ("セキュリティ", "Security exposure"),
    "privacy": ("プライバシー（同意前）", "Privacy before consent"),
    "seo": ("SEO（検索エンジン最適化）", "SEO essentials"),
    "language": ("スペル・言語", "Spelling and language"),
}
NOT_RUN = (NOT_RUN_JA, "not run")
GATE_STATES = {
    "failed": ("不合格（公開不可）", "failed (blocks publication)"),
    "passed": ("合格", "passed"),
    "off": ("ゲート対象外（--fail-on {outcome} で有効）", "not gating (enable with --fail-on {outcome})"),
}
NO_RECORD = ("記録なし（チェックが記録を残さなかった）", "no record kept by the check")
RUN_STATUS = {"complete": ("完了", "complete"), "partial": ("中断（一部のみ）", "partial (interrupted)")}
EVIDENCE = ("記録された値", "Recorded values")
YES_NO = {True: ("はい", "yes"), False: ("いいえ", "no")}
ACCEPTED = ("（受入済み）", " (accepted)")


def selected(results: Results) -> bool:
    """Whether the run was asked for any of the five families (or ran one): else there is nothing to write."""
    families = set(results.run.config.get("families") or PREPUBLISH_FAMILIES)
    inventory = inventory_of(results)
    return bool(families & set(PREPUBLISH_FAMILIES)) or any(ran(inventory.families, f) for f in PREPUBLISH_FAMILIES)


def ran(families: dict[str, dict[str, Any]], family: str) -> bool:
    """Run only when the inventory says so: a run recorded before the family existed did not run it."""
    return bool((families.get(family) or {}).get("ran"))


def family_findings(results: Results, family: str) -> list[Finding]:
    return [f for f in results.findings if family_of(f.check) == family]


def gate_state(gate: GateResult, family: str, lang: str) -> str:
    outcome = GATE_OF_FAMILY[family]
    if outcome not in gate.enabled:
        return pick(GATE_STATES["off"], lang).format(outcome=outcome)
    failed = any(r.startswith(f"{outcome}:") for r in gate.reasons)
    return pick(GATE_STATES["failed" if failed else "passed"], lang) + f" ({outcome})"


def render(results: Results, out_dir: Path) -> list[Path]:
    if not selected(results):
        return []
    config = results.run.config or {}
    lang = "en" if config.get("lang") == "en" else "ja"
    ja = lang == "ja"
    inventory = inventory_of(results)
    gate = gate_of(results)
    messages = Messages(config, lang)
    checks = [c for c in builtin_checks() if c.family in PREPUBLISH_FAMILIES]
    wb = Workbook()
    summary = wb.active
    summary.title = "概要" if ja else "Summary"
    summary.append([pick(TITLE, lang)])
    summary["A1"].font = Font(bold=True, size=14)
    summary.append([pick(("対象サイト", "Site"), lang), safe(results.run.start_url)])
    summary.append([pick(("実行ID", "Run"), lang), safe(results.run.id)])
    status = results.run.status
    summary.append([pick(("実行状態", "Run status"), lang), pick(RUN_STATUS.get(status, (status, status)), lang)])
    summary.append([])
    header = [
        pick(("チェック", "Check family"), lang),
        pick(("実施", "Run"), lang),
        pick(("違反", "Violations"), lang),
        pick(("要確認", "Needs review"), lang),
        pick(("受入済み", "Accepted"), lang),
        pick(("ゲート判定", "Gate"), lang),
        pick(("実行するコマンド・対象のチェック", "Command / checks"), lang),
    ]
    summary.append(header)
    for cell in summary[summary.max_row]:
        cell.font = Font(bold=True)
    for family in PREPUBLISH_FAMILIES:
        info = inventory.families.get(family) or {}
        if not ran(inventory.families, family):
            not_run = pick(NOT_RUN, lang)
            command = str(info.get("command") or f"qa audit --only {family}")
            command = f"実行するには {command}" if ja else f"run {command}"
            summary.append([pick(FAMILY_TITLES[family], lang), not_run, not_run, not_run, not_run, not_run, command])
            continue
        found = family_findings(results, family)
        counts = Counter(f.outcome for f in found if not is_accepted(f))
        summary.append(
            [
                pick(FAMILY_TITLES[family], lang),
                pick(("実施", "run"), lang),
                counts[VIOLATION],
                counts[NEEDS_REVIEW],
                sum(1 for f in found if is_accepted(f)),
                gate_state(gate, family, lang),
                safe(pick(("チェック: ", "checks: "), lang) + ", ".join(info.get("checks") or [])),
            ]
        )
    for col, width in zip("ABCDEFG", (24, 10, 8, 8, 8, 30, 40), strict=True):
        summary.column_dimensions[col].width = width
    setup_print(summary, "")
    taken = [summary.title]
    for family in PREPUBLISH_FAMILIES:
        if ran(inventory.families, family):
            findings_sheet(wb, results, family, messages, lang, taken)
    for check in checks:
        if ran(inventory.families, check.family) and check_ran(results, check):
            for sheet in check.inventories:
                inventory_sheet(wb, results, sheet, lang, taken)
    finish_print(wb, run_header(results, TITLE))
    path = out_dir / FILENAME
    save_workbook(wb, path)
    return [path]


def check_ran(results: Results, check: AnyCheck) -> bool:
    return any(r.id == check.id and (r.pages or r.errors) for r in results.checks)


def findings_sheet(wb: Workbook, results: Results, family: str, messages: Messages, lang: str, taken: list) -> None:
    title = safe_sheet_title(("指摘 " if lang == "ja" else "Findings ") + pick(FAMILY_TITLES[family], lang), taken)
    taken.append(title)
    ws = wb.create_sheet(title)
    found = sorted(family_findings(results, family), key=lambda f: (f.outcome != VIOLATION, f.url, f.rule))
    rows: list[list[Any]] = [
        [
            n,
            f.url,
            f.rule,
            pick(OUTCOMES[f.outcome], lang) + (pick(ACCEPTED, lang) if is_accepted(f) else ""),
            messages.message(f),
            messages.fix(f),
            evidence(f, lang),
        ]
        for n, f in enumerate(found, 1)
    ] or [["", pick(("指摘なし", "nothing found"), lang), "", "", "", "", ""]]
    headers = (
        ["No.", "ページURL", "ルール", "判定", "内容", "修正方法", "根拠"]
        if lang == "ja"
        else ["No.", "Page URL", "Rule", "Outcome", "Message", "How to fix", "Evidence"]
    )
    write_table(ws, headers, rows, [6, 40, 20, 10, 50, 40, 40])


def evidence(f: Finding, lang: str) -> str:
    """The finding's target and its details as ``key: value`` lines (what the check saw), under a heading in the
    workbook's language (the keys and values are the check's record, as in results.json)."""
    lines = [f.target] if f.target else []
    for key, value in (f.details or {}).items():
        if key in ("message_ja", "accepted", "aliases") or isinstance(value, dict):
            continue
        shown = ", ".join(str(v) for v in value) if isinstance(value, list) else str(value)
        lines.append(f"{key}: {shown}")
    return "\n".join([pick(EVIDENCE, lang), *lines]) if lines else ""


def inventory_sheet(wb: Workbook, results: Results, sheet: Inventory, lang: str, taken: list) -> None:
    title = safe_sheet_title(sheet.title_ja if lang == "ja" else sheet.title_en, taken)
    taken.append(title)
    ws = wb.create_sheet(title)
    data = results.extra.get(sheet.artifact)
    headers = [ja if lang == "ja" else en for _, ja, en in sheet.columns]
    blank = [""] * (len(headers) - 1)
    if not isinstance(data, list):
        rows: list[list[Any]] = [[pick(NO_RECORD, lang), *blank]]
    else:
        rows = [[cell(row.get(key), lang) for key, _, _ in sheet.columns] for row in data if isinstance(row, dict)]
        rows = rows or [[pick(("該当なし", "none"), lang), *blank]]
    write_table(ws, headers, rows, list(sheet.widths) or [24] * len(headers))


def cell(value: Any, lang: str) -> Any:
    """An inventory value as a cell: a ``{"ja": …, "en": …}`` pair in the workbook's language, a list joined, a
    yes/no in words."""
    if isinstance(value, dict) and "ja" in value and "en" in value:
        return str(value["ja"] if lang == "ja" else value["en"])
    if isinstance(value, list | tuple):
        return "\n".join(str(cell(v, lang)) for v in value)  # one a line: URL lists wrap and stay readable
    if isinstance(value, bool):
        return pick(YES_NO[value], lang)
    return "" if value is None else value if isinstance(value, int | float) else str(value)
