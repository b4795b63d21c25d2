"""Accepted issues: a reviewed YAML file in the site's repository listing known findings the gate tolerates.

```yaml
accepted:
  - rule: color-contrast            # or sc: "1.4.3" (one of the two is required)
    url: /business-environment.html # a path glob (/news/*), a full URL glob, or * for every page
    selector: .note                 # optional: a selector glob, compared after normalisation
    reason: brand colour; redesign scheduled
    owner: web team (Tanaka)
    expires: 2027-03-31
```

Accepted findings stay in the results, marked ``details.accepted``; they do not count towards the gate. An entry
past its expiry date accepts nothing and fails the gate; an entry that matched nothing is reported as stale.

``qa accept RUN_DIR`` drafts the file from a run (:func:`draft_entries`); its owner, reason and expiry placeholders
start with ``TODO`` and an entry still holding one is refused with the file's other errors: nobody has answered for it.
"""

from __future__ import annotations

import datetime as dt
import fnmatch
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlsplit

from pydantic import BeforeValidator, ConfigDict, Field, model_validator

from qa.config import Date, Section, Text, checked, invalid, parse, read_yaml
from qa.judge.criteria import by_sc
from qa.model import Finding, Results, normalise_selector
from qa.vocab import NEEDS_REVIEW, VIOLATION

KEYS = ("rule", "sc", "url", "selector", "reason", "owner", "expires")
PLACEHOLDER = "TODO"  # how qa accept's placeholders start


@dataclass(frozen=True)
class Entry:
    index: int  # 1-based, as a person counts entries in the file
    url: str
    reason: str
    owner: str
    expires: dt.date
    rule: str = ""
    sc: str = ""
    selector: str = ""

    def matches(self, f: Finding) -> bool:
        if self.rule and f.rule != self.rule:
            return False
        if self.sc and self.sc not in f.sc:
            return False
        if not url_matches(self.url, f.url):
            return False
        if not self.selector:
            return True
        # Equal first: a selector's [attr] is a character class to fnmatch, so a selector copied from a finding
        # would not match itself as a glob.
        target, wanted = normalise_selector(f.target), normalise_selector(self.selector)
        return target == wanted or fnmatch.fnmatchcase(target, wanted)

    def to_dict(self) -> dict[str, Any]:
        d = {k: getattr(self, k) for k in ("index", *KEYS) if getattr(self, k) not in ("", None)}
        d["expires"] = self.expires.isoformat()
        return d


@dataclass
class AcceptedFile:
    path: str
    entries: list[Entry]


def url_matches(pattern: str, url: str) -> bool:
    if pattern == "*":
        return True
    if "://" in pattern:
        return url == pattern or fnmatch.fnmatchcase(url, pattern)
    parts = urlsplit(url)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return path == pattern or fnmatch.fnmatchcase(path, pattern)


def _known_sc(sc: str) -> str | None:
    if not sc or sc in by_sc():
        return None
    return f"'{sc}' is not a WCAG 2.2 A/AA success criterion; write it like \"1.4.3\""


def _url_pattern(url: str) -> str | None:
    if url == "*" or url.startswith("/") or "://" in url:
        return None
    return f"'{url}' must be a path (/contact.html, /news/*), a full URL or *"


def _filled(value: Any) -> Any:
    if isinstance(value, str) and value.strip().startswith(PLACEHOLDER):
        raise invalid("still holds the placeholder 'qa accept' wrote; fill it in, or remove the entry")
    return value


Filled = BeforeValidator(_filled)


NEITHER = "names neither a rule nor an sc; add 'rule: <rule id>' or 'sc: \"1.4.3\"'"


class AcceptedIssue(Section):
    """One entry of ``accepted:``; numbers are read as text (``sc: 1.4`` is a mistake the sc check names)."""

    model_config = ConfigDict(strict=False, coerce_numbers_to_str=True, str_strip_whitespace=True)

    rule: str = Field("", description="the axe rule id accepted (or sc)")
    sc: Annotated[str, checked(_known_sc)] = Field("", description='the success criterion accepted, e.g. "1.4.3"')
    url: Annotated[Text, checked(_url_pattern)] = Field(
        description="a path glob (/news/*), a full URL glob, or * for every page"
    )
    selector: str = Field("", description="a selector glob, compared after normalisation")
    reason: Annotated[Text, Filled] = Field(description="why the finding is accepted")
    owner: Annotated[Text, Filled] = Field(description="who answers for it")
    expires: Annotated[Date, Filled] = Field(description="the date it stops being accepted")

    @model_validator(mode="after")
    def _rule_or_sc(self) -> AcceptedIssue:
        if not self.rule and not self.sc:
            raise invalid(NEITHER)
        return self


class AcceptedIssues(Section):
    """The accepted-issues file."""

    accepted: list[AcceptedIssue] = Field([], description="reviewed findings the gate tolerates")


def load_accepted(path: Path) -> AcceptedFile:
    """Read and validate the file; every problem is one line naming the file, the key and the fix."""
    data = parse(AcceptedIssues, read_yaml(path, "accepted-issues file"), str(path))
    return AcceptedFile(str(path), [Entry(index=n, **e.model_dump()) for n, e in enumerate(data.accepted, 1)])


def run_date(results: Results) -> dt.date:
    try:
        return dt.datetime.fromisoformat(results.run.started).date()
    except ValueError:
        return dt.date.today()


def apply_accepted(results: Results, accepted: AcceptedFile) -> dict[str, Any]:
    """Mark accepted findings in place (``details.accepted``) and return the ``accepted`` results section."""
    today = run_date(results)
    matched = {e.index: 0 for e in accepted.entries}
    for f in results.findings:
        f.details.pop("accepted", None)
        for e in accepted.entries:
            if e.matches(f):
                matched[e.index] += 1
                if e.expires >= today and "accepted" not in f.details:
                    f.details["accepted"] = {
                        "entry": e.index,
                        "reason": e.reason,
                        "owner": e.owner,
                        "expires": e.expires.isoformat(),
                    }
    entries = []
    for e in accepted.entries:
        status = "expired" if e.expires < today else ("stale" if not matched[e.index] else "active")
        entries.append({**e.to_dict(), "matched": matched[e.index], "status": status})
    return {"file": Path(accepted.path).name, "entries": entries}


@dataclass
class Draft:
    """One entry drafted from a run: the findings of one rule on one element of one page, in every cell."""

    rule: str
    url: str  # the page's path (the same site on another host or port still matches), or its full URL
    selector: str  # normalised, as the gate compares it
    outcome: str
    sc: list[str]
    message: str
    findings: int = 0
    cells: set[str] = field(default_factory=set)


def url_pattern(url: str, start_url: str) -> str:
    """A page's entry pattern: its path on the run's own site (so a local build served on another port, or the
    staging host's successor, still matches), its full URL elsewhere, ``*`` for a finding of the whole site."""
    if not url:
        return "*"
    parts, start = urlsplit(url), urlsplit(start_url)
    if (parts.scheme, parts.netloc) != (start.scheme, start.netloc):
        return url
    return (parts.path or "/") + (f"?{parts.query}" if parts.query else "")


def draft_entries(results: Results, needs_review: bool = False, covered: list[Entry] | None = None) -> list[Draft]:
    """The run's violations (and needs-review findings when asked) not yet matched by ``covered``, one entry per
    rule + page + normalised selector: the finding's identity without its volatile id and cell."""
    outcomes = (VIOLATION, NEEDS_REVIEW) if needs_review else (VIOLATION,)
    drafts: dict[tuple[str, str, str], Draft] = {}
    for f in results.findings:
        if f.outcome not in outcomes or any(e.matches(f) for e in covered or ()):
            continue
        url = url_pattern(f.url, results.run.start_url)
        selector = normalise_selector(f.target)
        draft = drafts.setdefault(
            (f.rule, url, selector), Draft(f.rule, url, selector, f.outcome, list(f.sc), f.message)
        )
        draft.findings += 1
        draft.cells.update(f.seen_in)
    return list(drafts.values())


def matchers(data: Any) -> list[Entry]:
    """The entries of an accepted file as read (placeholders and all), for what they match: merging a new draft
    into a file under review must not repeat what it already lists."""
    found = data.get("accepted") if isinstance(data, dict) else None
    entries = []
    for n, item in enumerate(found if isinstance(found, list) else [], 1):
        if isinstance(item, dict) and item.get("url"):
            text = {k: str(item.get(k) or "").strip() for k in ("rule", "sc", "url", "selector")}
            entries.append(Entry(index=n, reason="", owner="", expires=dt.date.max, **text))
    return entries
