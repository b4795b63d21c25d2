"""The run log workbook: whether the run is complete or partial, the pages it counts, and every visit with its
problem and reason.

A QA engineer reads it to see which pages were not audited and why (timeout, crash, redirect loop, download,
too large, ...), and a project lead sees at a glance that a partial run covers only part of the site.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill

from qa.judge.inventory import inventory_of
from qa.model import Results
from qa.report._inventory import count_rows, exceptions_sheet, not_run_text
from qa.report._xlsx import finish_print, run_header, safe_hyperlink, save_workbook, write_table

NAME = "run-log"
FILENAME = "run-log.xlsx"
PARTIAL_FILL = PatternFill("solid", fgColor="FFC7CE")


def status_text(results: Results) -> str:
    if results.run.status == "complete":
        return "完了 / Complete"
    return "部分的（中断）/ PARTIAL: interrupted — only the pages listed were audited"


def render(results: Results, out_dir: Path) -> list[Path]:
    run = results.run
    wb = Workbook()
    ws = wb.active
    ws.title = "Run"
    kinds = Counter(p.error_kind or ("error" if p.error else "audited") for p in results.pages)
    skipped = results.extra.get("discovery", {}).get("skipped_counts", {})
    inventory = inventory_of(results)
    alias_of = inventory.alias_of()
    rows = [
        ("状態 / Status", status_text(results)),
        ("Run", run.id),
        ("Start URL", run.start_url),
        ("Started", run.started),
        ("Finished", run.finished),
        ("Resumed", ", ".join(run.resumed)),
        ("Cells", ", ".join(run.cells)),
        *count_rows(inventory),
        *(("Checks not run", not_run_text(inventory, f)) for f in inventory.not_run()),
        ("Visits", len(results.pages)),
        *((f"Visits: {kind}", n) for kind, n in sorted(kinds.items())),
        *((f"URLs skipped: {reason}", n) for reason, n in sorted(skipped.items())),
        ("Disk use (MB)", round(run.disk_bytes / 1e6, 1)),
        *(("Note", note) for note in run.notes),
    ]
    write_table(ws, ["Item", "Value"], rows, [28, 100])
    if run.status != "complete":
        ws["B2"].fill, ws["B2"].font = PARTIAL_FILL, Font(bold=True)
        ws.oddHeader.center.text = "PARTIAL RUN / 部分的な結果"

    pages = wb.create_sheet("Pages")
    write_table(
        pages,
        [
            "Page",
            "Browser",
            "Viewport",
            "HTTP",
            "Title",
            "Problem",
            "Reason",
            "Attempts",
            "Load ms",
            "Depth",
            "Same page as",
        ],
        (
            [p.url, p.browser, p.viewport, p.status, p.title, p.error_kind, p.error, p.attempts, p.load_ms, p.depth]
            + [alias_of.get(p.url, "")]
            for p in results.pages
        ),
        [60, 10, 10, 7, 40, 14, 70, 9, 9, 7, 50],
    )
    for row, page in enumerate(results.pages, start=2):
        link = safe_hyperlink(page.url)
        if link:
            pages.cell(row=row, column=1).hyperlink = link
        if page.error:
            pages.cell(row=row, column=6).fill = PARTIAL_FILL
    exceptions_sheet(wb, inventory)
    path = out_dir / FILENAME
    finish_print(wb, run_header(results, ("実行ログ", "Run log")))
    save_workbook(wb, path)
    return [path]
