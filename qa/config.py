"""Project configuration (``qa.yaml``) and the small validator every configuration file uses.

A schema is a dict of key -> Field (or a nested schema dict). Validation errors are one line naming the
file, the key and the fix; unknown keys are rejected with the nearest valid name.
"""

from __future__ import annotations

import datetime
import difflib
import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from qa import vocab
from qa.errors import ConfigError


@dataclass(frozen=True)
class Field:
    types: tuple[type, ...]
    default: Any = None
    help: str = ""
    check: Callable[[Any], str | None] | None = None  # returns an error text or None
    # For a list of mappings: the schema each entry is validated against (errors name e.g. 'reviews[2].sc').
    items: dict[str, Any] | None = None


def _positive(v: Any) -> str | None:
    return None if v > 0 else "must be greater than 0"


def _within(low: float, high: float, unit: str = "") -> Callable[[Any], str | None]:
    """A finite number in [low, high]: ``.inf``, ``.nan`` or an absurd value would make every page fail."""

    def check(v: Any) -> str | None:
        if low <= v <= high and math.isfinite(v):  # compared first: a huge int does not convert to float
            return None
        shown = repr(v) if len(repr(v)) < 24 else repr(v)[:20] + "..."
        return f"must be a number from {low:g} to {high:g}{unit}, got {shown}"

    return check


SECONDS = _within(1, 86_400, " (seconds)")


def _concurrency(v: Any) -> str | None:
    if v == "auto" or (isinstance(v, int) and not isinstance(v, bool) and v > 0):
        return None
    return "must be a number greater than 0, or auto"


def _not_negative(v: Any) -> str | None:
    return None if v >= 0 else "must be 0 or more"


def _list_of_str(v: Any) -> str | None:
    return None if all(isinstance(x, str) for x in v) else "must be a list of strings"


def _one_of(v: list, allowed: tuple[str, ...]) -> str | None:
    bad = [x for x in v if x not in allowed]
    return f"has unknown value '{bad[0]}' ({nearest(str(bad[0]), list(allowed))})" if bad else None


def check_profiles(v: Any) -> str | None:
    if not v:
        return "must name at least one profile"
    bad = [p for p in v if p not in vocab.PROFILE_IDS]
    if bad:
        return f"has unknown profile(s) {', '.join(map(str, bad))}; choose from {', '.join(vocab.PROFILE_IDS)}"
    return None


def _sampling_method(v: Any) -> str | None:
    return None if v in ("all", "random", "representative", "mixed") else "must be all, random, representative or mixed"


def _labels(v: Any) -> str | None:
    bad = [k for k in v if k not in vocab.VERDICTS]
    if bad:
        return f"has unknown verdict '{bad[0]}' (verdicts: {', '.join(vocab.VERDICTS)})"
    if not all(isinstance(x, str) and x and "," not in x for x in v.values()):
        return "labels must be non-empty text without commas (they fill a drop-down list)"
    return None


def _list_of_regex(v: Any) -> str | None:
    if problem := _list_of_str(v):
        return problem
    for pattern in v:
        try:
            re.compile(pattern)
        except re.error as exc:
            return f"has '{pattern}', not a valid regular expression ({exc})"
    return None


# Sections are added here by the pipeline stage that owns them.
PROJECT_SCHEMA: dict[str, Any] = {
    "start_url": Field((str,), None, "the URL the crawl starts from"),
    "urls_file": Field((str,), None, "a file listing exactly the URLs to audit"),
    "out": Field((str,), "reports_out", "where run folders are written"),
    "browsers_file": Field((str,), "browsers.yaml", "the browser and viewport matrix"),
    "browsers": Field((list,), [], "browser names from browsers.yaml to use", _list_of_str),
    "viewports": Field((list,), [], "viewport names from browsers.yaml to use", _list_of_str),
    "checks_dir": Field((str,), "checks", "folder of the team's own checks"),
    "max_pages": Field((int,), 500, "the most pages to audit", _positive),
    "include": Field((list,), [], "regexes a URL must match to be audited", _list_of_regex),
    "exclude": Field((list,), [], "regexes of URLs never audited", _list_of_regex),
    "concurrency": Field(
        (int, str), "auto", "pages in flight per browser; auto: 2 per CPU core, shared by the browsers", _concurrency
    ),
    "follow_links": Field((bool,), True, "follow same-origin links from each page"),
    "use_sitemaps": Field((bool,), True, "read robots.txt and sitemap.xml for pages"),
    "screenshots": Field((bool,), True, "save a screenshot of every page in every browser/viewport"),
    "timeouts": {
        "navigation": Field((int, float), 30, "seconds to wait for a page to load", SECONDS),
        "script": Field((int, float), 30, "seconds a check's script may run", SECONDS),
        "page": Field((int, float), 120, "seconds a whole page (all checks) may take", SECONDS),
    },
    "retries": Field((int,), 1, "times a page is retried after a browser crash or a dropped connection", _not_negative),
    "max_page_mb": Field(
        (int, float), 10, "pages larger than this many MB are skipped with a record", _within(0.1, 10_000, " (MB)")
    ),
    # Crawler traps: calendars, session ids and relative-link loops generate endless URLs.
    "traps": {
        "max_depth": Field((int,), 20, "clicks from the start page beyond which links are not followed", _positive),
        "max_url_length": Field((int,), 500, "longer URLs are skipped", _positive),
        "max_repeated_segments": Field((int,), 3, "URLs repeating one path segment more often are skipped", _positive),
        "max_per_pattern": Field(
            (int,), 100, "pages per URL pattern (digits and query values ignored), e.g. /calendar/2026/11", _positive
        ),
    },
    "axe": {
        "tags": Field(
            (list,),
            ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"],
            "axe-core tags to run",
            _list_of_str,
        ),
        "enable_rules": Field(
            (list,), [], "axe rules to run besides the tags (jis2016 adds duplicate-id)", _list_of_str
        ),
    },
    "access": {
        "secrets_file": Field((str,), None, "YAML file of credentials (basic_user, basic_password, login_user, ...)"),
        "login": {
            "url": Field((str,), None, "login page of a form login (WordPress's own is used without this)"),
            "username": Field((str,), "#user_login", "CSS selector of the user name field"),
            "password": Field((str,), "#user_pass", "CSS selector of the password field"),
            "submit": Field((str,), "#wp-submit", "CSS selector of the submit button"),
            "success": Field((str,), "", "CSS selector present only when logged in (default: no password field)"),
        },
    },
    "wordpress": {
        "discover": Field((bool,), True, "list pages through the REST API of a WordPress site"),
        "drafts": Field((bool,), True, "with credentials, audit previews of drafts, pending and scheduled posts"),
        "post_types": Field((list,), [], "only these post types (default: every public one)", _list_of_str),
    },
    "families": Field(
        (list,),
        list(vocab.FAMILIES),
        f"check families to run (qa audit --only FAMILY): {', '.join(vocab.FAMILIES)}",
        lambda v: _one_of(v, vocab.FAMILIES),
    ),
    "gate": {
        "fail_on": Field(
            (list,),
            [vocab.A11Y_VIOLATIONS],
            f"outcomes that fail the run: {', '.join(vocab.GATE_OUTCOMES)}",
            lambda v: _one_of(v, tuple(vocab.GATE_OUTCOMES)),
        ),
        "max": Field(
            (dict,),
            None,
            "allowed counts per outcome, rule id or criterion, e.g. {needs-review: 20, color-contrast: 3}",
            lambda v: (
                None
                if all(
                    isinstance(k, str) and isinstance(n, int) and not isinstance(n, bool) and n >= 0
                    for k, n in v.items()
                )
                else "must map outcome, rule or criterion names to whole numbers >= 0"
            ),
        ),
        "accepted": Field((str,), "accepted.yaml", "reviewed accepted issues (used when the file exists)"),
    },
    "operation_checks": Field(
        (str,),
        "operation-checks.yaml",
        "manual rows of the operation-check sheet (the built-in list when the file does not exist)",
    ),
    "site_lang": Field((str,), "", "the site's language as a BCP 47 tag, e.g. en-US or ja (3.1.1 check)"),
    "alt_text": {
        "max_length": Field(
            (int,), 150, "alt text longer than this (CJK characters count twice) is reviewed", _positive
        ),
    },
    "focus": {
        "max_stops": Field((int,), 40, "focus stops per page in the focus check", _positive),
        # Off by default: Firefox ESR (BiDi) and WebKitGTK (WebDriver, Xvfb) run unfocused headless windows where
        # synthetic Tab presses show no :focus-visible style, so every link read as "focus removed" there.
        "all_cells": Field((bool,), False, "run the focus check in every browser/viewport cell, not only the first"),
    },
    "links": {
        "enabled": Field((bool,), True, "check every link and resource of the crawled pages"),
        "check_external": Field((bool,), True, "also check links to other sites (checked politely, never crawled)"),
        "own_hosts": Field(
            (list,), [], "hosts (host or host:port) you own, checked fast with no artificial wait", _list_of_str
        ),
        "ignore": Field((list,), [], "regexes of link URLs never requested (reported as ignored)", _list_of_str),
        "timeout": Field((int, float), 20, "seconds to wait for one link's response", SECONDS),
        "retries": Field(
            (int,),
            1,
            "extra attempts after a timeout or a dropped connection",
            lambda v: None if v >= 0 else "must be 0 or more",
        ),
        "retry_after_max": Field(
            (int, float), 60, "longest Retry-After (429/503) to wait for before retrying, in seconds", SECONDS
        ),
        "threads": Field((int,), 10, "links checked at once (all hosts together)", _positive),
        "own_host_connections": Field((int,), 8, "requests in flight to one own host at a time", _positive),
    },
    "sitemap": {
        "planned": Field((str,), None, "the planned sitemap (CSV or xlsx of titles and URLs) to compare with"),
    },
    "lang": Field(
        (str,),
        "ja",
        "language of the deliverables: ja or en",
        lambda v: None if v in ("ja", "en") else "must be ja or en",
    ),
    # Conformance deliverables (qa.judge, qa.report.checklist): see docs/verdicts.md.
    "profiles": Field((list,), ["wcag22", "jis2016"], "checklists to produce: jis2016, wcag21, wcag22", check_profiles),
    "level": Field(
        (str,), "AA", "target conformance level: A or AA", lambda v: None if v in vocab.LEVELS else "must be A or AA"
    ),
    "reviews_file": Field((str,), "reviews.yaml", "human verdicts kept in the repository ('qa review import')"),
    "sampling": {
        "method": Field((str,), "all", "JB.1.2 page selection: all, random, representative or mixed", _sampling_method),
        "random": Field((int,), 25, "pages drawn at random (random, mixed)", _positive),
        "seed": Field((int,), 1, "seed of the random draw (the same seed draws the same pages)"),
        "representative": Field((list,), [], "representative page URLs (absolute or relative)", _list_of_str),
    },
    "claim": {
        "date": Field((str, datetime.date), None, "表明日 (date of the claim, YYYY-MM-DD); default: the run's date"),
        "scope": Field((str,), None, "対象となるウェブページの説明 (scope and exclusions)"),
        "technologies": Field((list,), [], "依存したウェブコンテンツ技術; default: found on the pages", _list_of_str),
        "tester": Field((str,), None, "試験実施者 (who tested)"),
    },
    "labels": {
        "ja": Field((dict,), {}, "verdict -> text in Japanese deliverables (e.g. not-applicable: 適合)", _labels),
        "en": Field((dict,), {}, "verdict -> text in English deliverables", _labels),
    },
}


def nearest(name: str, choices: list[str]) -> str:
    close = difflib.get_close_matches(name, choices, n=1, cutoff=0.5)
    return f"did you mean '{close[0]}'?" if close else f"valid keys: {', '.join(sorted(choices))}"


def validate(data: Any, schema: dict[str, Any], source: str, prefix: str = "") -> dict[str, Any]:
    """Return ``data`` with defaults filled in, or raise ConfigError naming file, key and fix."""
    if data is None:
        data = {}
    if not isinstance(data, dict):
        where = f"'{prefix.rstrip('.')}'" if prefix else "the top level"
        raise ConfigError(f"{source}: {where} must be a mapping of keys to values")
    out: dict[str, Any] = {}
    for key in data:
        if key not in schema:
            raise ConfigError(f"{source}: unknown key '{prefix}{key}' ({nearest(str(key), list(schema))})")
    for key, spec in schema.items():
        value = data.get(key)
        if isinstance(spec, dict):
            out[key] = validate(value, spec, source, f"{prefix}{key}.")
            continue
        if value is None:
            out[key] = list(spec.default) if isinstance(spec.default, list) else spec.default
            continue
        ok_types = spec.types
        if isinstance(value, bool) and bool not in ok_types:
            ok_types = ()
        if not isinstance(value, ok_types):
            want = " or ".join(t.__name__ for t in spec.types)
            raise ConfigError(f"{source}: '{prefix}{key}' must be {want} ({spec.help}), got {value!r}")
        if spec.check and (problem := spec.check(value)):
            raise ConfigError(f"{source}: '{prefix}{key}' {problem} ({spec.help})")
        if spec.items is not None:
            value = [validate_entry(item, spec.items, source, f"{prefix}{key}[{i}]") for i, item in enumerate(value)]
        out[key] = value
    return out


def read_yaml(path: Path, what: str) -> Any:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"{path}: {what} not found; check the path or create the file") from None
    except IsADirectoryError:
        raise ConfigError(f"{path}: is a folder, not a {what} file; give the path of the YAML file") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read {what} ({exc.strerror})") from None
    except UnicodeDecodeError as exc:
        line = text_line_of(path.read_bytes(), exc.start)
        raise ConfigError(f"{path}: line {line} is not UTF-8 text; save the {what} as UTF-8") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f" line {mark.line + 1}" if mark else ""
        raise ConfigError(f"{path}:{line} is not valid YAML ({getattr(exc, 'problem', exc)}); fix the syntax") from None
    if isinstance(data, dict):
        for key in data:
            if not isinstance(key, str):
                raise ConfigError(f"{path}: key {key!r} is not a name; write keys as words (quote it: '{key}')")
    return data


def text_line_of(data: bytes, offset: int) -> int:
    return data[:offset].count(b"\n") + 1


def validate_entry(item: Any, schema: dict[str, Any], source: str, where: str) -> dict[str, Any]:
    """One mapping in a list of mappings (e.g. an accepted issue), errors naming ``key[i]``."""
    if not isinstance(item, dict):
        raise ConfigError(f"{source}: '{where}' must be a mapping of keys to values, got {item!r}")
    return validate(item, schema, source, f"{where}.")


def load_project_config(path: Path | None) -> dict[str, Any]:
    """Read ``qa.yaml`` (or the file given); without one, every default applies."""
    if path is None:
        default = Path("qa.yaml")
        if not default.exists():
            return validate({}, PROJECT_SCHEMA, "defaults")
        path = default
    return validate(read_yaml(path, "project configuration"), PROJECT_SCHEMA, str(path))
