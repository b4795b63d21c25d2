"""``qa accept RUN_DIR``: a run's current findings drafted into an accepted-issues file, so that a legacy site adopts
the gate on the day it starts and only new problems fail it (a baseline, reviewed: owner, reason and expiry per
entry)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import yaml

from qa.config import read_yaml
from qa.errors import ConfigError, UsageError
from qa.judge.accepted import draft_entries, matchers
from qa.judge.judgement import load_run
from qa.report.accepted_draft import draft_text, entries_text
from qa.store import write_text_atomic


@dataclass
class AcceptOptions:
    run_dir: Path
    out: Path
    needs_review: bool = False
    owner: str = ""
    reason: str = ""
    expires: dt.date | None = None
    force: bool = False
    merge: bool = False


@dataclass
class Accepted:
    out: Path
    entries: int  # entries written now
    findings: int  # findings they cover
    kept: int  # entries already in the file (--merge)


def list_indent(text: str) -> str | None:
    """The indent of the file's ``accepted:`` list items, so that appended entries continue the same list; None
    when the list is not a block list that ends the file (then the file is rewritten)."""
    lines = text.splitlines()
    start = next((n for n, line in enumerate(lines) if line.startswith("accepted:")), None)
    if start is None or lines[start].split("#", 1)[0].strip() != "accepted:":
        return None
    for line in lines[start + 1 :]:
        stripped = line.lstrip(" ")
        if stripped.startswith("- "):
            return line[: len(line) - len(stripped)]
        if stripped and not stripped.startswith("#"):
            return None
    return None


def accept(opts: AcceptOptions) -> Accepted:
    results = load_run(opts.run_dir)
    if opts.out.is_dir():
        raise UsageError(f"{opts.out} is a folder; give the file to write with --out, e.g. --out accepted.yaml")
    if opts.out.exists() and not (opts.force or opts.merge):
        raise UsageError(
            f"{opts.out} already exists; add --merge to add the run's new findings to it, or --force to replace it"
        )
    merging = opts.merge and opts.out.exists()
    existing = read_yaml(opts.out, "accepted-issues file") if merging else None
    listed = existing.get("accepted") if isinstance(existing, dict) else None
    before = len(listed) if isinstance(listed, list) else 0
    drafts = draft_entries(results, opts.needs_review, matchers(existing))
    done = Accepted(opts.out, len(drafts), sum(d.findings for d in drafts), before)
    if merging and not drafts:
        return done
    if merging:
        text = opts.out.read_text(encoding="utf-8")
        indent = list_indent(text)
        added = entries_text(drafts, opts.owner, opts.reason, opts.expires, indent or "  ")
        if indent is not None:
            text = text.rstrip("\n") + "\n" + added
        else:  # `accepted: []` or an unusual layout: the listed entries, then the new ones (comments are lost)
            kept = yaml.safe_dump({"accepted": listed or []}, allow_unicode=True, sort_keys=False)
            text = kept.replace("accepted: []\n", "accepted:\n") + added
        try:
            merged = yaml.safe_load(text)
        except yaml.YAMLError:
            merged = None
        if not isinstance(merged, dict) or len(merged.get("accepted") or []) != before + len(drafts):
            raise ConfigError(
                f"{opts.out}: cannot add to this file's 'accepted:' list safely; write the draft elsewhere with "
                "--out and copy its entries over"
            )
    else:
        text = draft_text(results, drafts, opts.owner, opts.reason, opts.expires)
    write_text_atomic(opts.out, text)
    return done
