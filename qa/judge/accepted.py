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
"""

from __future__ import annotations

import datetime as dt
import fnmatch
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlsplit

from pydantic import ConfigDict, Field, model_validator

from qa.config import Date, Section, Text, checked, invalid, parse, read_yaml
from qa.judge.criteria import by_sc
from qa.model import Finding, Results, normalise_selector

KEYS = ("rule", "sc", "url", "selector", "reason", "owner", "expires")


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
        return not self.selector or fnmatch.fnmatchcase(normalise_selector(f.target), normalise_selector(self.selector))

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
        return fnmatch.fnmatchcase(url, pattern)
    parts = urlsplit(url)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return fnmatch.fnmatchcase(path, pattern)


def _known_sc(sc: str) -> str | None:
    if not sc or sc in by_sc():
        return None
    return f"'{sc}' is not a WCAG 2.2 A/AA success criterion; write it like \"1.4.3\""


def _url_pattern(url: str) -> str | None:
    if url == "*" or url.startswith("/") or "://" in url:
        return None
    return f"'{url}' must be a path (/contact.html, /news/*), a full URL or *"


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
    reason: Text = Field(description="why the finding is accepted")
    owner: Text = Field(description="who answers for it")
    expires: Date = Field(description="the date it stops being accepted")

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
