"""The central, versioned result model.

Checks write into it, every report is a pure function of it. `results.json` is this model serialised;
`docs/results-schema.md` documents it. Readers ignore unknown keys so that newer files stay loadable,
and writers never remove or rename a key without bumping SCHEMA_VERSION's major number.
"""

from __future__ import annotations

import dataclasses
import hashlib
import re
from dataclasses import dataclass, field
from typing import Any

from qa.vocab import NEEDS_REVIEW, OUTCOMES, VIOLATION  # noqa: F401 (re-exported)

SCHEMA_VERSION = "1.2"


def cell_name(browser: str, viewport: str) -> str:
    """The name of one browser × viewport cell of the matrix, e.g. ``chromium/desktop``."""
    return f"{browser}/{viewport}"


@dataclass
class Page:
    """One visit: a URL in one browser at one viewport."""

    url: str
    browser: str
    viewport: str
    final_url: str = ""
    status: int | None = None
    title: str = ""
    lang: str = ""
    content_type: str = ""
    load_ms: float | None = None
    # Why the page could not be (fully) audited; empty when it was.
    error: str = ""
    depth: int = 0
    # Facts other checks and reports use (counts of images, forms, media, ...); free-form per check.
    facts: dict[str, Any] = field(default_factory=dict)
    # What kind of problem ``error`` is (one of qa.visit.faults.KINDS: timeout, crash, http-error, ...); "" if none.
    error_kind: str = ""
    attempts: int = 1  # visits it took (a crashed browser or dropped connection is retried)
    # The remote browser that served the visit (browsers.yaml ``endpoints:``, masked; "local" for one launched here);
    # "" for a browser without endpoints.
    endpoint: str = ""

    @property
    def cell(self) -> str:
        return cell_name(self.browser, self.viewport)


@dataclass
class Finding:
    """One problem (or a thing a person must judge) on one element of one page."""

    rule: str
    outcome: str  # VIOLATION or NEEDS_REVIEW
    url: str
    browser: str
    viewport: str
    sc: list[str] = field(default_factory=list)  # success criteria, e.g. ["1.4.3"]; empty for best practice
    check: str = ""  # the check that produced it: "axe", "alt-text", a custom check's id, ...
    impact: str | None = None
    target: str = ""
    html: str = ""
    message: str = ""
    help_url: str = ""
    tags: list[str] = field(default_factory=list)
    # Every browser/viewport cell the same finding was seen in (the first is browser/viewport above).
    seen_in: list[str] = field(default_factory=list)
    details: dict[str, Any] = field(default_factory=dict)
    id: str = ""

    def __post_init__(self) -> None:
        if not self.id:
            self.id = finding_id(self.rule, self.url, self.target, self.outcome)
        if not self.seen_in:
            self.seen_in = [cell_name(self.browser, self.viewport)]


_NTH = re.compile(r":nth-(last-)?(child|of-type)\([^)]*\)")
_COMBINATOR = re.compile(r"\s*([>+~])\s*")
_ROOT = re.compile(r"^(html\s*>\s*)?body\s*>\s*")


def normalise_selector(target: str) -> str:
    """A selector with positional parts removed, so that unrelated page edits keep a finding's identity:
    ``html > body > main > p:nth-child(3)`` and ``main>p:nth-child(4)`` are both ``main > p``."""
    text = re.sub(r"\s+", " ", _NTH.sub("", target)).strip()
    text = _COMBINATOR.sub(r" \1 ", text)
    return _ROOT.sub("", text)


def finding_id(rule: str, url: str, target: str, outcome: str) -> str:
    key = "\x1f".join((rule, url, normalise_selector(target), outcome))
    return hashlib.sha1(key.encode("utf-8")).hexdigest()[:16]


@dataclass
class CheckRun:
    """What a check covers and where it ran; the judge needs it to tell "checked" from "not checked"."""

    id: str
    title: str = ""
    # success criterion -> "partial" (a clean result still needs a person), "full" (a clean result is a pass) or
    # "aid" (the check only lists what a person must inspect)
    criteria: dict[str, str] = field(default_factory=dict)
    pages: int = 0
    errors: int = 0


@dataclass
class RunInfo:
    id: str
    started: str
    finished: str = ""
    status: str = "running"  # running | complete | partial (interrupted or stopped early)
    start_url: str = ""
    tool: dict[str, str] = field(default_factory=dict)
    engines: dict[str, Any] = field(default_factory=dict)
    config: dict[str, Any] = field(default_factory=dict)
    cells: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    disk_bytes: int = 0  # size of the run folder when results.json was written
    resumed: list[str] = field(default_factory=list)  # when an interrupted run was continued (qa audit --resume)
    interruptions: int = 0  # times the run was stopped (Ctrl-C, SIGTERM) before it completed
    # A shard of a run (qa audit --shard I/N): {"index", "count", "list" (the whole page list's fingerprint),
    # "pages"}; a merged run (qa merge): {"count", "list", "merged" (the shards' run ids), "missing"}.
    shard: dict[str, Any] = field(default_factory=dict)


def shallow_dict(record: Any) -> dict[str, Any]:
    """A record's fields as a dict, without the deep copy of ``dataclasses.asdict`` (a tenth of the time on a
    large run): the model's records hold only JSON-like values, never other dataclasses."""
    return {f.name: getattr(record, f.name) for f in dataclasses.fields(record)}


@dataclass
class Results:
    run: RunInfo
    pages: list[Page] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    checks: list[CheckRun] = field(default_factory=list)
    # Sections owned by later pipeline stages (links, reviews, diff, ...); each documents its own shape.
    extra: dict[str, Any] = field(default_factory=dict)
    schema_version: str = SCHEMA_VERSION

    def to_dict(self) -> dict[str, Any]:
        """The results.json document. It shares the records' nested values: serialise it, do not edit it."""
        d: dict[str, Any] = {"schema_version": self.schema_version, "run": shallow_dict(self.run)}
        for key in ("pages", "findings", "checks"):
            d[key] = [shallow_dict(item) for item in getattr(self, key)]
        d.update(self.extra)
        return d

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Results:
        major = str(data.get("schema_version", "")).split(".")[0]
        if major != SCHEMA_VERSION.split(".")[0]:
            raise ValueError(
                f"results schema {data.get('schema_version')!r} is not supported (this qa reads {SCHEMA_VERSION})"
            )
        known = {"schema_version", "run", "pages", "findings", "checks"}
        return cls(
            run=_build(RunInfo, data["run"]),
            pages=[_build(Page, p) for p in data.get("pages", [])],
            findings=[_build(Finding, f) for f in data.get("findings", [])],
            checks=[_build(CheckRun, c) for c in data.get("checks", [])],
            extra={k: v for k, v in data.items() if k not in known},
            schema_version=data["schema_version"],
        )


def _build(cls: type, data: dict[str, Any]) -> Any:
    names = {f.name for f in dataclasses.fields(cls)}
    return cls(**{k: v for k, v in data.items() if k in names})


def number_duplicates(findings: list[Finding]) -> None:
    """Several elements of one page sharing rule and normalised selector get ids ``…-2``, ``…-3`` in document order,
    so that none hides another and each keeps its identity while the rest of the page changes."""
    seen: dict[tuple[str, str, str], int] = {}
    for f in findings:
        key = (f.id, f.browser, f.viewport)
        seen[key] = seen.get(key, 0) + 1
        if seen[key] > 1:
            f.id = f"{f.id}-{seen[key]}"


def merge_cells(findings: list[Finding]) -> list[Finding]:
    """Store identical findings seen in several browser/viewport cells once, with the list of cells."""
    number_duplicates(findings)
    merged: dict[str, Finding] = {}
    for f in findings:
        kept = merged.get(f.id)
        if kept is None:
            kept = merged[f.id] = f
        else:
            kept.seen_in.extend(c for c in f.seen_in if c not in kept.seen_in)
        if f.details.get("reused_from"):  # each cell that took it from another (qa.check._share), and from which
            kept.details.setdefault("reused", {}).update({c: f.details["reused_from"] for c in f.seen_in})
        if f is kept:
            continue
        if f.message != kept.message:
            # Engines measure differently (sizes, contrast ratios): the same problem, each cell's own wording kept.
            kept.details.setdefault("cell_messages", {}).update({c: f.message for c in f.seen_in})
    return list(merged.values())
