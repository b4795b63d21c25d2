"""What a run needs to decide on publication, gathered (and validated) before the crawl, applied after it:
gate settings, accepted issues, the previous run to compare with, and the manual operation checks."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from qa.config import Config
from qa.errors import ConfigError
from qa.judge.accepted import AcceptedFile, apply_accepted, load_accepted
from qa.judge.diff import diff_runs
from qa.judge.gate import GateSettings
from qa.judge.operations import load_manual_checklist, merge_manual, previous_manual
from qa.model import Results, number_duplicates
from qa.urls import origin

DEFAULT_ACCEPTED = "accepted.yaml"
DEFAULT_CHECKLIST = "operation-checks.yaml"


@dataclass
class PublicationInputs:
    settings: GateSettings = field(default_factory=GateSettings)
    accepted: AcceptedFile | None = None
    previous: Results | None = None
    manual_source: str = "built-in"
    manual: list[dict[str, Any]] = field(default_factory=list)
    compare_explicit: bool = False  # --compare given: compare even with a run of another site


def same_site(a: Results, b: Results) -> bool:
    return origin(a.run.start_url) == origin(b.run.start_url)


def prepare(
    config: Config,
    settings: GateSettings,
    accepted_path: Path | None,
    previous: Results | None,
    compare_explicit: bool = False,
) -> PublicationInputs:
    """Read and validate every input now, so that a mistake is a one-line error before any page is visited."""
    # The default file names are optional; a file named in the configuration must exist.
    configured = config.gate.accepted
    if accepted_path is None and (Path(configured).exists() or configured != DEFAULT_ACCEPTED):
        accepted_path = Path(configured)
    accepted = load_accepted(accepted_path) if accepted_path else None
    checklist = Path(config.operation_checks)
    if not checklist.exists() and config.operation_checks != DEFAULT_CHECKLIST:
        raise ConfigError(f"{checklist}: operation checklist not found; fix 'operation_checks' in qa.yaml")
    source, rows = load_manual_checklist(checklist)
    return PublicationInputs(settings, accepted, previous, source, rows, compare_explicit)


def conclude(results: Results, inputs: PublicationInputs) -> None:
    """Mark accepted findings, record the manual checks (results kept from the previous run of the same site) and
    the diff: what the judgement (``qa.judge.judge_run``, with ``inputs.settings``) then reads."""
    number_duplicates(results.findings)  # whole-run checks' findings too, so every id is unique for the diff
    if inputs.accepted is not None:
        results.extra["accepted"] = apply_accepted(results, inputs.accepted)
    previous = inputs.previous
    if previous is not None and not inputs.compare_explicit and not same_site(previous, results):
        results.run.notes.append(f"not compared with run {previous.run.id}: it audited another site")
        previous = None
    manual = merge_manual(inputs.manual, previous_manual(previous))
    results.extra["operation_checks"] = {"source": inputs.manual_source, "manual": manual}
    if previous is not None:
        results.extra["diff"] = diff_runs(previous, results)
