"""``qa audit --resume RUN_DIR``: continue an interrupted run without redoing the pages it finished.

Everything needed is in the run folder: ``run.json`` (the run header: id, start URL, effective configuration,
cells), ``frontier.jsonl`` (every URL accepted or skipped, in order, with its depth) and ``records.jsonl``
(every finished visit). A URL × cell is done when it has a record that is not ``interrupted``; every other
accepted URL is queued again in the cells it lacks. Credentials and secrets were redacted before anything reached
the disk, so a URL that carried them cannot be fetched again: it is reported as skipped.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from qa.errors import UsageError
from qa.model import RunInfo, _build
from qa.redact import MASK, redact_url
from qa.store import RESULTS, RUN_HEADER, iter_records, read_frontier
from qa.visit.faults import INTERRUPTED

NOT_RESUMABLE = "not resumed: its credentials or tokens were redacted before reaching the disk; audit it in a new run"


def read_header(run_dir: Path) -> RunInfo:
    path = run_dir / RUN_HEADER
    if not path.is_file():
        raise UsageError(f"--resume {run_dir}: no {RUN_HEADER} here; give the folder of an interrupted qa run")
    try:
        return _build(RunInfo, json.loads(path.read_text(encoding="utf-8")))
    except (json.JSONDecodeError, TypeError, AttributeError, UnicodeDecodeError) as exc:  # AttributeError: no object
        raise UsageError(f"--resume {run_dir}: {RUN_HEADER} is damaged ({exc}); start a new run instead") from None


def _finished_status(run_dir: Path) -> str:
    try:
        return json.loads((run_dir / RESULTS).read_text(encoding="utf-8"))["run"]["status"]
    except (OSError, ValueError, KeyError, TypeError):
        return ""


def _recorded_interruptions(run_dir: Path) -> int:
    """How often the partial results say the run was stopped (run.json was written before any of it)."""
    try:
        return int(json.loads((run_dir / RESULTS).read_text(encoding="utf-8"))["run"]["interruptions"])
    except (OSError, ValueError, KeyError, TypeError):
        return 0


def resumed_config(header: dict[str, Any], current: dict[str, Any]) -> dict[str, Any]:
    """The interrupted run's configuration; values it stored masked come from the current configuration."""
    out: dict[str, Any] = {}
    for key, value in header.items():
        if isinstance(value, dict):
            out[key] = resumed_config(value, current.get(key) or {})
        elif value == MASK:
            out[key] = current.get(key)
        else:
            out[key] = value
    for key, value in current.items():  # keys added since (a newer qa) keep their defaults
        out.setdefault(key, value)
    return out


@dataclass
class ResumeState:
    run: RunInfo
    accepted: list[tuple[str, int]] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)
    done: dict[str, set[str]] = field(default_factory=dict)  # url -> cells finished
    # Discovery finished before the interruption; when not, the resumed run discovers again (what was accepted
    # already is not offered twice).
    seeded: bool = True

    @classmethod
    def load(cls, run_dir: Path, start_url: str) -> ResumeState:
        run = read_header(run_dir)
        if run.start_url != redact_url(start_url):
            raise UsageError(
                f"--resume {run_dir}: that run audited {run.start_url}, not {redact_url(start_url)}; "
                "give the same URL or omit it"
            )
        if _finished_status(run_dir) == "complete":
            raise UsageError(f"--resume {run_dir}: that run already completed; nothing to resume")
        accepted, skipped, seeded = read_frontier(run_dir)
        done: dict[str, set[str]] = {}
        for page in iter_records(run_dir):
            seeded = True  # the crawl starts after discovery (runs of older versions log no marker)
            if page.get("error_kind") != INTERRUPTED:
                done.setdefault(page["url"], set()).add(f"{page['browser']}/{page['viewport']}")
        run.status = "running"
        run.finished = ""
        run.interruptions = max(run.interruptions, _recorded_interruptions(run_dir))
        run.resumed.append(datetime.now().astimezone().isoformat(timespec="seconds"))
        return cls(run, accepted, skipped, done, seeded)

    def requeue(self, crawl: Any) -> int:
        """Restore the frontier and queue every unfinished URL × cell; returns the visits queued."""
        crawl.frontier.restore(self.accepted, self.skipped)
        before = crawl.pending
        for url, depth in self.accepted:
            cells = self.done.get(url, set())
            if len(cells) >= crawl.cells:
                continue
            if MASK in url:
                crawl.frontier.skip(url, NOT_RESUMABLE)
                continue
            crawl.enqueue(url, depth, skip_cells=cells)
        return crawl.pending - before
