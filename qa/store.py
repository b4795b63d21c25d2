"""Run folders: results are streamed to disk as pages finish, and assembled into results.json at the end.

``records.jsonl`` gets one line per visited page (the page and its findings) the moment it is done, so an
interrupted run keeps everything it finished; ``results.json`` is written atomically when the run ends.
"""

from __future__ import annotations

import json
import os
import re
import secrets
from datetime import datetime
from pathlib import Path
from typing import Any

from qa.errors import UsageError
from qa.model import Finding, Page, Results, RunInfo

RESULTS = "results.json"
RECORDS = "records.jsonl"
RUN_HEADER = "run.json"


def new_run_id(now: datetime | None = None) -> str:
    now = now or datetime.now().astimezone()
    return now.strftime("%Y%m%d-%H%M%S-") + secrets.token_hex(2)


def write_json_atomic(path: Path, data: Any) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
    os.replace(tmp, path)


class RunStore:
    def __init__(self, run_dir: Path) -> None:
        self.dir = run_dir
        self.dir.mkdir(parents=True, exist_ok=True)
        self._records = open(self.dir / RECORDS, "a", encoding="utf-8")  # noqa: SIM115 - open for the run

    def write_header(self, run: RunInfo) -> None:
        write_json_atomic(self.dir / RUN_HEADER, Results(run=run).to_dict()["run"])

    def add_page(self, page: Page, findings: list[Finding]) -> None:
        record = {"page": _asdict(page), "findings": [_asdict(f) for f in findings]}
        self._records.write(json.dumps(record, ensure_ascii=False) + "\n")
        self._records.flush()

    def finish(self, results: Results) -> Path:
        self._records.close()
        path = self.dir / RESULTS
        write_json_atomic(path, results.to_dict())
        update_latest(self.dir)
        return path


def _asdict(obj: Any) -> dict[str, Any]:
    import dataclasses

    return dataclasses.asdict(obj)


def update_latest(run_dir: Path) -> None:
    """Keep ``<out>/latest`` pointing at the newest run (a symlink; a text file where links are not allowed)."""
    link = run_dir.parent / "latest"
    tmp = run_dir.parent / f".latest-{os.getpid()}"
    try:
        if tmp.is_symlink() or tmp.exists():
            tmp.unlink()
        tmp.symlink_to(run_dir.name, target_is_directory=True)
        os.replace(tmp, link)
    except OSError:
        (run_dir.parent / "latest.txt").write_text(run_dir.name + "\n", encoding="utf-8")


def read_records(run_dir: Path) -> tuple[list[Page], list[Finding]]:
    pages: list[Page] = []
    findings: list[Finding] = []
    path = run_dir / RECORDS
    if not path.exists():
        return pages, findings
    from qa.model import _build

    with open(path, encoding="utf-8") as fh:
        for line in fh:
            try:
                record = json.loads(line)
            except json.JSONDecodeError:
                continue  # the last line of a killed run may be cut short
            pages.append(_build(Page, record["page"]))
            findings += [_build(Finding, f) for f in record["findings"]]
    return pages, findings


def load_results(run_dir: Path) -> Results:
    """A run's results: results.json, or for an interrupted run what its records kept (marked partial)."""
    run_dir = resolve_run_dir(run_dir)
    path = run_dir / RESULTS
    if path.exists():
        try:
            return Results.from_dict(json.loads(path.read_text(encoding="utf-8")))
        except (json.JSONDecodeError, KeyError, TypeError) as exc:
            raise UsageError(f"{path}: not a results file this qa can read ({exc}); re-run the audit") from None
        except ValueError as exc:
            raise UsageError(f"{path}: {exc}; use the qa version that wrote it") from None
    header = run_dir / RUN_HEADER
    if not header.exists():
        raise UsageError(f"{run_dir}: no {RESULTS} or {RUN_HEADER} here; give the folder of a qa run")
    from qa.model import _build

    run = _build(RunInfo, json.loads(header.read_text(encoding="utf-8")))
    run.status = "partial"
    pages, findings = read_records(run_dir)
    return Results(run=run, pages=pages, findings=findings)


def resolve_run_dir(path: Path) -> Path:
    if not path.exists():
        raise UsageError(f"{path}: no such run folder; give a folder under reports_out/ (or reports_out/latest)")
    if path.name == "latest" and not path.is_symlink() and (path.parent / "latest.txt").exists():
        name = (path.parent / "latest.txt").read_text(encoding="utf-8").strip()
        if re.fullmatch(r"[\w.-]+", name):
            return path.parent / name
    return path
