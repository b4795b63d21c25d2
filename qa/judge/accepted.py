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
from typing import Any
from urllib.parse import urlsplit

from qa.config import read_yaml
from qa.errors import ConfigError
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


def _text(entry: dict[str, Any], key: str, where: str, required: bool) -> str:
    value = entry.get(key)
    if value is None or value == "":
        if required:
            raise ConfigError(f"{where}.{key}' is missing; every entry needs a {key}")
        return ""
    if not isinstance(value, str | int | float):
        raise ConfigError(f"{where}.{key}' must be text, got {value!r}")
    return str(value).strip()


def parse_entry(raw: Any, n: int, source: str) -> Entry:
    where = f"{source}: 'accepted[{n - 1}]"
    if not isinstance(raw, dict):
        raise ConfigError(f"{where}' must be a mapping with rule or sc, url, reason, owner and expires")
    for key in raw:
        if key not in KEYS:
            from qa.config import nearest

            raise ConfigError(f"{where}.{key}' is not a valid key ({nearest(str(key), list(KEYS))})")
    rule, sc = _text(raw, "rule", where, False), _text(raw, "sc", where, False)
    if not rule and not sc:
        raise ConfigError(f"{where}' names neither a rule nor an sc; add 'rule: <rule id>' or 'sc: \"1.4.3\"'")
    if sc and sc not in by_sc():
        raise ConfigError(f"{where}.sc' '{sc}' is not a WCAG 2.2 A/AA success criterion; write it like \"1.4.3\"")
    url = _text(raw, "url", where, True)
    if url != "*" and not url.startswith("/") and "://" not in url:
        raise ConfigError(f"{where}.url' '{url}' must be a path (/contact.html, /news/*), a full URL or *")
    expires = raw.get("expires")
    if isinstance(expires, str):
        try:
            expires = dt.date.fromisoformat(expires.strip())
        except ValueError:
            expires = None
    if isinstance(expires, dt.datetime):
        expires = expires.date()
    if not isinstance(expires, dt.date):
        raise ConfigError(f"{where}.expires' must be a date like 2027-03-31, got {raw.get('expires')!r}")
    return Entry(
        index=n,
        url=url,
        reason=_text(raw, "reason", where, True),
        owner=_text(raw, "owner", where, True),
        expires=expires,
        rule=rule,
        sc=sc,
        selector=_text(raw, "selector", where, False),
    )


def load_accepted(path: Path) -> AcceptedFile:
    """Read and validate the file; every problem is one line naming the file, the key and the fix."""
    data = read_yaml(path, "accepted-issues file")
    if data is None:
        return AcceptedFile(str(path), [])
    if not isinstance(data, dict) or not isinstance(data.get("accepted", []), list):
        raise ConfigError(f"{path}: must have a top-level 'accepted:' list of entries")
    extra = [k for k in data if k != "accepted"]
    if extra:
        raise ConfigError(f"{path}: unknown top-level key '{extra[0]}'; only 'accepted:' is allowed")
    return AcceptedFile(str(path), [parse_entry(raw, n, str(path)) for n, raw in enumerate(data["accepted"] or [], 1)])


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
