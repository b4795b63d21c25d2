"""INDEX.md: every deliverable of the run folder, with what it is, so a project lead finds what to attach."""

from __future__ import annotations

import importlib
import pkgutil
from pathlib import Path

import qa.report
from qa.judge.inventory import inventory_of
from qa.judge.judgement import gate_of
from qa.model import Results
from qa.report._inventory import DELIVERABLES, FAMILY_JA
from qa.report.summary_md import md
from qa.store import write_text_atomic

NAME = "index"
FILENAME = "INDEX.md"
ORDER = 99  # last: it lists what the other reports wrote
CORE_FILES = {
    "results.json": "every page, finding and check of the run (the source of every report; docs/results-schema.md)",
    "records.jsonl": "the same, streamed page by page while the run went",
    "run.json": "the run's header, written when it started",
}


def descriptions() -> dict[str, str]:
    """File name -> the first line of the docstring of the report module that writes it."""
    out = dict(CORE_FILES)
    for info in pkgutil.iter_modules(qa.report.__path__):
        if info.name.startswith("_") or info.name == "index":
            continue
        module = importlib.import_module(f"qa.report.{info.name}")
        names = getattr(module, "FILENAMES", None) or [getattr(module, "FILENAME", None)]
        doc = (module.__doc__ or "").strip().split("\n\n")[0].replace("\n", " ")
        out.update({name: doc for name in names if name})
    return out


def render(results: Results, out_dir: Path) -> list[Path]:
    known = descriptions()
    gate = gate_of(results)
    inventory = inventory_of(results)
    aliases = sum(len(p.aliases) for p in inventory.pages)
    lines = [
        f"# Run {results.run.id}",
        "",
        f"- site: {md(results.run.start_url, 300)}",
        f"- started: {results.run.started}; status: {results.run.status}; cells: {', '.join(results.run.cells)}",
        f"- pages: {len(inventory.pages)} ({aliases} other address(es) of these pages); "
        f"not audited (例外事項): {len(inventory.exceptions)}",
        f"- gate: {'passed' if gate.passed else 'FAILED'}",
        "",
        "| file | what |",
        "|---|---|",
    ]
    for path in sorted(out_dir.iterdir()):
        if path.name.startswith(".") or path.name == FILENAME:
            continue
        if path.is_dir():
            count = sum(1 for p in path.rglob("*") if p.is_file())
            lines.append(f"| [{path.name}/]({path.name}/) | {count} file(s) |")
        else:
            lines.append(f"| [{path.name}]({path.name}) | {known.get(path.name, '')} |")
    missing = inventory.not_run()
    if missing:
        lines += ["", "## Not run in this run (未実施)", "", "| checks | deliverable | command |", "|---|---|---|"]
        lines += [
            f"| {md(FAMILY_JA.get(f, f))} | {md(DELIVERABLES.get(f, ''))} | `{md(command)}` |"
            for f, command in missing.items()
        ]
    target = out_dir / FILENAME
    write_text_atomic(target, "\n".join(lines) + "\n")
    return [target]
