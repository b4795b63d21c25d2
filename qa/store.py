"""Run folders: results are streamed to disk as pages finish, and assembled into results.json at the end.

``records.jsonl`` gets one line per visited page (the page and its findings) the moment it is done, so an
interrupted run keeps everything it finished; ``results.json`` is written atomically when the run ends.
"""

from __future__ import annotations

import json
import os
import re
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

import orjson

from qa.errors import OutputError, UsageError
from qa.model import Finding, Page, Results, RunInfo, shallow_dict
from qa.redact import redact_record, redact_url

RESULTS = "results.json"
RECORDS = "records.jsonl"
RUN_HEADER = "run.json"
COVERAGE = "coverage.json"
SHARD_LIST = "shard-list.json"  # a shard's whole page list, in order (qa audit --shard, qa merge)
FRONTIER = "frontier.jsonl"  # every URL the crawl accepted or skipped, in order: an interrupted run resumes from it


def new_run_id(now: datetime | None = None) -> str:
    now = now or datetime.now().astimezone()
    return now.strftime("%Y%m%d-%H%M%S-") + secrets.token_hex(2)


def write_error(path: Path, exc: OSError) -> OutputError:
    """One line for a file or folder that cannot be written (read-only, disk full), naming the fix."""
    reason = exc.strerror or type(exc).__name__
    return OutputError(f"cannot write {path} ({reason}); free disk space or make the folder writable, then run again")


@contextmanager
def atomic_path(path: Path) -> Iterator[Path]:
    """A temporary name beside ``path`` to write to; renamed to ``path`` when the block ends without an error, so a
    reader (or a full disk) never sees a half-written file. Unique per process: reports are written in parallel."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        yield tmp
        os.replace(tmp, path)
    except OSError as exc:
        raise write_error(path, exc) from None
    finally:
        try:
            tmp.unlink(missing_ok=True)
        except OSError:
            pass


def write_text_atomic(path: Path, text: str) -> None:
    with atomic_path(path) as tmp:
        tmp.write_text(text, encoding="utf-8")


def json_bytes(data: Any) -> bytes:
    """``data`` as indented UTF-8 JSON. orjson writes a 2,000-page run's results.json in 0.1 s where the standard
    library's indenting encoder (pure Python) took 1.7 s; a value orjson refuses (a set, a huge integer) goes to
    the standard library, which says why."""
    try:
        return orjson.dumps(data, option=orjson.OPT_INDENT_2 | orjson.OPT_NON_STR_KEYS)
    except TypeError:
        return json.dumps(data, ensure_ascii=False, indent=2).encode("utf-8")


def write_json_atomic(path: Path, data: Any) -> None:
    with atomic_path(path) as tmp:
        tmp.write_bytes(json_bytes(data))


class RunStore:
    """Every line is written and flushed the moment it is known; a killed run (even SIGKILL) keeps all of them
    but at most a cut-short last line, which readers skip."""

    def __init__(self, run_dir: Path) -> None:
        self.dir = run_dir
        try:
            self.dir.mkdir(parents=True, exist_ok=True)
            trim_torn_line(self.dir / RECORDS)
            trim_torn_line(self.dir / FRONTIER)
            self._records = open(self.dir / RECORDS, "a", encoding="utf-8")  # noqa: SIM115 - open for the run
            self._frontier = open(self.dir / FRONTIER, "a", encoding="utf-8")  # noqa: SIM115 - open for the run
        except OSError as exc:
            raise write_error(run_dir, exc) from None
        self.pages = 0
        self.findings = 0

    def write_header(self, run: RunInfo) -> None:
        write_json_atomic(self.dir / RUN_HEADER, Results(run=run).to_dict()["run"])

    def add_page(self, page: Page, findings: list[Finding]) -> None:
        """Record a finished visit; page and findings are redacted here, so every report inherits it."""
        redact_record(page)
        for f in findings:
            redact_record(f)
        record = {"page": shallow_dict(page), "findings": [shallow_dict(f) for f in findings]}
        self._append(self._records, record)
        self.pages += 1
        self.findings += len(findings)

    def log_accepted(self, url: str, depth: int) -> None:
        self._log_frontier({"url": redact_url(url), "depth": depth})

    def log_skipped(self, url: str, reason: str) -> None:
        self._log_frontier({"skip": redact_url(url), "reason": reason})

    def log_seeded(self) -> None:
        """Discovery (start URL, WordPress, sitemaps) is done: a resumed run need not discover again."""
        self._log_frontier({"seeded": True})

    def _log_frontier(self, entry: dict[str, Any]) -> None:
        self._append(self._frontier, entry)

    def _append(self, fh: Any, entry: dict[str, Any]) -> None:
        try:
            fh.write(json.dumps(entry, ensure_ascii=False) + "\n")
            fh.flush()
        except OSError as exc:
            raise OutputError(
                f"cannot write to {self.dir} ({exc.strerror or type(exc).__name__}); the pages recorded so far are "
                f"kept: free disk space or make the folder writable, then continue with: qa audit --resume {self.dir}"
            ) from None

    def close(self) -> None:
        for fh in (self._records, self._frontier):
            try:
                fh.close()
            except OSError:  # the last buffered line could not be written: the readers skip a cut-short line
                pass

    def finish(self, results: Results) -> Path:
        """results.json; ``latest`` moves once the reports are written too (:func:`update_latest`)."""
        self.close()
        results.run.disk_bytes = disk_usage(self.dir)
        path = self.dir / RESULTS
        write_json_atomic(path, results.to_dict())
        return path


def trim_torn_line(path: Path) -> None:
    """Drop a last line cut short by a hard kill, so appending after it (on resume) starts on a fresh line."""
    if not path.exists() or path.stat().st_size == 0:
        return
    with open(path, "rb+") as fh:
        fh.seek(-1, os.SEEK_END)
        if fh.read(1) == b"\n":
            return
        fh.seek(0)
        data = fh.read()
        fh.truncate(data.rfind(b"\n") + 1)


def disk_usage(folder: Path) -> int:
    """Bytes the run folder takes (records, screenshots, reports so far)."""
    total = 0
    for root, _, files in os.walk(folder):
        for name in files:
            try:
                total += os.lstat(os.path.join(root, name)).st_size
            except OSError:
                pass
    return total


def read_frontier(run_dir: Path) -> tuple[list[tuple[str, int]], list[tuple[str, str]], bool]:
    """(accepted URL, depth), (skipped URL, reason) as an interrupted run logged them, and whether its discovery
    had finished (:meth:`RunStore.log_seeded`)."""
    accepted: list[tuple[str, int]] = []
    skipped: list[tuple[str, str]] = []
    seeded = False
    for entry in read_jsonl(run_dir / FRONTIER):
        if isinstance(entry.get("url"), str) and isinstance(entry.get("depth", 0), int):
            accepted.append((entry["url"], entry.get("depth", 0)))
        elif isinstance(entry.get("skip"), str):
            skipped.append((entry["skip"], str(entry.get("reason", ""))))
        elif entry.get("seeded"):
            seeded = True
    return accepted, skipped, seeded


def read_jsonl(path: Path) -> Iterator[dict[str, Any]]:
    """The objects of a JSON-lines log, one at a time; a line cut short by a hard kill is skipped."""
    if not path.exists():
        return
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            try:
                entry = json.loads(line)
            except json.JSONDecodeError:
                continue
            if isinstance(entry, dict):
                yield entry


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
        write_text_atomic(run_dir.parent / "latest.txt", run_dir.name + "\n")


def iter_records(run_dir: Path) -> Iterator[dict[str, Any]]:
    """The recorded pages (as dicts), one at a time; a line cut short by a hard kill is skipped."""
    for record in read_jsonl(run_dir / RECORDS):
        if _whole_record(record):
            yield record["page"]


def write_coverage(run_dir: Path, coverage: dict[str, Any]) -> None:
    """What the checks cover (known once a page was checked), kept so a resumed run that visits nothing knows it."""
    write_json_atomic(run_dir / COVERAGE, coverage)


def read_coverage(run_dir: Path) -> dict[str, Any]:
    try:
        return json.loads((run_dir / COVERAGE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def read_records(run_dir: Path) -> tuple[list[Page], list[Finding]]:
    """The recorded visits and their findings. A URL × cell recorded again replaces its earlier record: a page
    in flight when the run was stopped is recorded as interrupted, and the resumed run records its visit again."""
    latest: dict[tuple[str, str, str], tuple[Page, list[Finding]]] = {}
    from qa.model import _build

    for record in read_jsonl(run_dir / RECORDS):  # the last line of a killed run may be cut short: skipped
        if not _whole_record(record):
            continue
        try:
            page, found = _build(Page, record["page"]), [_build(Finding, f) for f in record.get("findings", [])]
        except TypeError:  # a required field missing
            continue
        latest[(page.url, page.browser, page.viewport)] = (page, found)
    return [page for page, _ in latest.values()], [f for _, found in latest.values() for f in found]


def _whole_record(record: dict[str, Any]) -> bool:
    """A record line as the run wrote it: a damaged one (a page or findings of the wrong type) is skipped, as a
    line cut short is."""
    page, found = record.get("page"), record.get("findings", [])
    return (
        isinstance(page, dict)
        and all(isinstance(page.get(key), str) for key in ("url", "browser", "viewport"))
        and isinstance(found, list)
        and all(isinstance(f, dict) for f in found)
    )


def load_results(run_dir: Path) -> Results:
    """A run's results: results.json, or for an interrupted run what its records kept (marked partial)."""
    run_dir = resolve_run_dir(run_dir)
    path = run_dir / RESULTS
    if path.exists():
        data = _json_object(path)
        try:
            return Results.from_dict(data)
        except (KeyError, TypeError, AttributeError) as exc:  # a value of the wrong type where a list or object goes
            raise UsageError(f"{path}: not a results file this qa can read ({exc}); re-run the audit") from None
        except ValueError as exc:
            raise UsageError(f"{path}: {exc}; use the qa version that wrote it") from None
    header = run_dir / RUN_HEADER
    if not header.exists():
        raise UsageError(f"{run_dir}: no {RESULTS} or {RUN_HEADER} here; give the folder of a qa run")
    from qa.model import _build

    run = _build(RunInfo, _json_object(header))
    run.status = "partial"
    note = "The run did not finish (interrupted or killed); these results cover only the pages it finished."
    if note not in run.notes:
        run.notes.append(note)
    pages, findings = read_records(run_dir)
    from qa.model import merge_cells

    return Results(run=run, pages=pages, findings=merge_cells(findings))


def _json_object(path: Path) -> dict[str, Any]:
    """The JSON object a run file holds; one line naming the file when it is damaged, not JSON or not an object."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise UsageError(f"{path}: cannot read it ({exc.strerror or type(exc).__name__}); re-run the audit") from None
    except ValueError as exc:  # not JSON, or not UTF-8
        raise UsageError(f"{path}: not a results file this qa can read ({exc}); re-run the audit") from None
    if not isinstance(data, dict):
        raise UsageError(f"{path}: not a results file this qa can read (no JSON object); re-run the audit")
    return data


def resolve_run_dir(path: Path) -> Path:
    if not path.exists():
        raise UsageError(f"{path}: no such run folder; give a folder under reports_out/ (or reports_out/latest)")
    if path.name == "latest" and not path.is_symlink() and (path.parent / "latest.txt").exists():
        name = (path.parent / "latest.txt").read_text(encoding="utf-8").strip()
        if re.fullmatch(r"[\w.-]+", name):
            return path.parent / name
    return path
